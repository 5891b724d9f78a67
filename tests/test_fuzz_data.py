"""Fuzzing the loader: any bytes give a SeriesData or a one-line DataError, in bounded time.

A derandomized run of 200 cases (about 30 s) so that CI is reproducible; the generators
and the property live in ``tests/fuzz_csv.py``, and ``benchmarks/fuzz_data.py`` runs the
same property for as many cases as asked.
"""

from __future__ import annotations

from fuzz_csv import cases, check
from hypothesis import HealthCheck, given, settings


@settings(
    max_examples=200,
    deadline=10_000,  # ms per case; a hang is cut at fuzz_csv.TIME_LIMIT
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    database=None,
)
@given(cases())
def test_load_csv_returns_or_raises_a_one_line_data_error(tmp_path_factory, case):
    name, data, kwargs = case
    check(tmp_path_factory.mktemp("fuzz"), name, data, kwargs)
