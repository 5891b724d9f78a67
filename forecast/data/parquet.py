"""Parquet files (pyarrow), in which large panels in long format are stored, and
:func:`load_data`, which reads a CSV or a Parquet file by its suffix.

The file is read whole into a DataFrame (pyarrow's own reader, typed columns: no
sniffing, no text to numbers); the same validation as for a CSV follows. Messages
cite ``row N``, counting the first data row as row 1.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from forecast.data.container import SeriesData, _label
from forecast.data.gaps import _check_gaps
from forecast.data.validate import _validate, load_csv
from forecast.errors import DataError

PARQUET_SUFFIXES = (".parquet", ".pq")


def is_parquet(path: str | Path) -> bool:
    """Whether ``path`` names a Parquet file (by its suffix, any case)."""
    return Path(path).suffix.lower() in PARQUET_SUFFIXES


def _read_parquet(path: Path, label: str) -> tuple[pd.DataFrame, np.ndarray]:
    """The table and the row number (from 1) of each of its rows."""
    try:
        import pyarrow.parquet as pq
    except ImportError:  # pragma: no cover - pyarrow is a dependency
        raise DataError(f"{label}: reading Parquet needs pyarrow; pip install pyarrow") from None
    try:
        df = pq.read_table(path).to_pandas()
    except FileNotFoundError:
        raise DataError(f"{label}: no such file") from None
    except (OSError, ValueError, TypeError, MemoryError) as exc:  # pyarrow.ArrowException too
        text = " ".join(str(exc).split())[:200]
        raise DataError(
            f"{label}: cannot read the file ({text}); check it is a Parquet file"
        ) from None
    # an index written by pandas (other than the time, which validation takes as a column)
    # becomes columns again: e.g. a table indexed by (id, time)
    if not isinstance(df.index, pd.RangeIndex | pd.DatetimeIndex | pd.PeriodIndex):
        df = df.reset_index()
    return df, np.arange(1, len(df) + 1)


def load_parquet(
    path: str | os.PathLike,
    *,
    time_col: str | None = None,
    target: str | Sequence[str] | None = None,
    covariates: str | Sequence[str] | None = None,
    id_col: str | None = None,
    freq: str | None = None,
    gaps: str = "interpolate",
) -> SeriesData:
    """Read and validate a Parquet file (pyarrow): wide or long format, as a CSV.

    The columns keep their Parquet types (timestamps, numbers, text ids); then the
    validation of :func:`validate_frame` applies. Messages cite ``row N`` (the first data
    row is row 1).

    Args:
        path: The file; messages start with it as given.
        time_col, target, covariates, id_col, freq, gaps: as in :func:`validate_frame`.

    Returns:
        SeriesData.

    Raises:
        DataError: the file cannot be read as Parquet, or the data breaks the contract.
    """
    source = os.fspath(path)
    label = _label(source)
    _check_gaps(gaps, label)
    df, lines = _read_parquet(Path(path), label)
    return _validate(
        df,
        source=source,
        label=label,
        lines=lines,
        word="row",
        time_col=time_col,
        target=target,
        covariates=covariates,
        id_col=id_col,
        freq=freq,
        gaps=gaps,
        allow_decimal_comma=False,
    )


def load_data(path: str | os.PathLike, **options) -> SeriesData:
    """Read and validate a data file: :func:`load_parquet` for ``.parquet`` / ``.pq``,
    else :func:`load_csv` (plain or compressed CSV). ``options`` as in
    :func:`validate_frame`. This is what the CLI's ``DATA`` and ``--data`` read.
    """
    return (load_parquet if is_parquet(path) else load_csv)(path, **options)
