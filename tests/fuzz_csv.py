"""Random CSV files for fuzzing :func:`forecast.data.load_csv` (hypothesis strategies).

Shared by ``tests/test_fuzz_data.py`` (a short derandomized run in CI) and
``benchmarks/fuzz_data.py`` (long runs). A case is ``(name, data, kwargs)``: a file name
(its suffix picks the compression), the file's bytes, and keyword arguments for
``load_csv``. The bytes come from three sources: structured files (a header and rows of
dates, numbers, missing-value words and garbage, with a random delimiter, quoting, line
endings, BOM, NUL bytes, very long fields, encoding and compression), the same files with
random bytes spliced in, and raw random bytes.

The property, :func:`check`: ``load_csv`` either returns or raises a ``DataError`` whose
message is one line; any other exception, or more than ``TIME_LIMIT`` seconds, is a bug.

Example:
    >>> _join(["a", 'b"c', "d,e"], ",", quote_all=False)
    'a,"b""c","d,e"'
"""

from __future__ import annotations

import bz2
import datetime as dt
import gzip
import io
import lzma
import signal
import zipfile
from contextlib import contextmanager
from pathlib import Path

from hypothesis import strategies as st

from forecast.data import SeriesData, load_csv
from forecast.data.container import _label
from forecast.errors import DataError

TIME_LIMIT = 20  # seconds one case may take before it counts as a hang
MESSAGE_LIMIT = 2_000  # characters a message may have

SEPARATORS = [",", ";", "\t", "|", " ", ":", "\x00"]
NA_WORDS = ["", "NA", "nan", "NaN", "null", "None", "N/A", "#N/A", "-", "<NA>", "NaT"]
TIME_NAMES = ["date", "ds", "time", "timestamp", "month", "year", "Date", "unique_id", "id"]

dates = st.one_of(
    st.dates().map(str),
    st.datetimes().map(lambda d: d.isoformat(sep=" ")),
    st.datetimes().map(lambda d: d.strftime("%d/%m/%Y %H:%M")),
    st.integers(1000, 3000).map(str),  # years
    st.integers(1, 4).flatmap(lambda q: st.sampled_from([f"2020 Q{q}", f"Q{q} 2020"])),
    st.sampled_from(["2020-01-01T00:00+01:00", "2020-01-01T01:00Z", "2020-02-30", "1e10"]),
)
numbers = st.one_of(
    st.integers(-(10**20), 10**20).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(["1,234", "1.234,5", "-2,000.5", "1,5", "12.5", "inf", "-Infinity", "0x1F"]),
    st.decimals(allow_nan=False, allow_infinity=False).map(str),
)
garbage = st.text(
    alphabet=st.sampled_from(list("ab\"',;|\t \n\r\x00\ufeff\\é€😀-:.0123456789eE+QZ")),
    max_size=30,
)
long_fields = st.sampled_from([10_000, 200_000]).flatmap(
    lambda n: st.sampled_from(["x" * n, "1" * n, '"' * n, "\n" * n, "2020-01-01 " * (n // 11)])
)
cells = st.one_of(
    dates, dates, numbers, numbers, st.sampled_from(NA_WORDS), garbage, long_fields.filter(bool)
)
names = st.one_of(st.sampled_from(TIME_NAMES + ["y", "x", "", "y", "Unnamed: 1"]), garbage)


def _join(fields: list[str], sep: str, quote_all: bool) -> str:
    """One record: a field is quoted when asked or when it must be."""
    out = []
    for field in fields:
        if quote_all or any(c in field for c in (sep, '"', "\n", "\r")):
            field = '"' + field.replace('"', '""') + '"'
        out.append(field)
    return sep.join(out)


@st.composite
def structured(draw) -> bytes:
    """A CSV file with a header and rows, more or less well formed."""
    width = draw(st.integers(1, 6))
    sep = draw(st.sampled_from(SEPARATORS))
    header = draw(st.lists(names, min_size=width, max_size=width))
    if draw(st.booleans()):
        header[0] = draw(st.sampled_from(TIME_NAMES))
    n_rows = draw(st.integers(0, 40))
    ragged = draw(st.booleans())
    rows = []
    for _ in range(n_rows):
        size = draw(st.integers(max(width - 1, 0), width + 1)) if ragged else width
        row = draw(st.lists(cells, min_size=size, max_size=size))
        rows.append(row)
    quoting = draw(st.sampled_from(["minimal", "all", "broken"]))
    lines = [_join(header, sep, quoting == "all")]
    for row in rows:
        line = _join(row, sep, quoting == "all")
        if quoting == "broken" and draw(st.integers(0, 9)) == 0:
            line = line.replace('"', "", 1)  # an unbalanced quote
        lines.append(line)
        if draw(st.integers(0, 9)) == 0:
            lines.append(draw(st.sampled_from(["", " ", sep * width])))  # blank-ish lines
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    text = newline.join(lines) + draw(st.sampled_from(["", newline, newline * 3]))
    if draw(st.booleans()):
        text = "\ufeff" + text
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "latin-1", "cp1252", "utf-16", "utf-8-sig"]))
    return text.encode(encoding, errors="replace")


# frequency -> the date formats that keep its timestamps apart
FREQS = {
    "h": ["%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M%z", "%d/%m/%Y %H:%M"],
    "30min": ["%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
    "D": ["%Y-%m-%d", "%d/%m/%Y", "%Y%m%d"],
    "B": ["%Y-%m-%d", "%d.%m.%Y"],
    "W-SUN": ["%Y-%m-%d"],
    "MS": ["%Y-%m-%d", "%Y-%m", "%Y%m", "%b %Y"],
    "ME": ["%Y-%m-%d"],
    "QS": ["%Y-%m-%d"],
    "YS": ["%Y", "%Y-%m-%d"],
}


@st.composite
def plausible(draw) -> bytes:
    """A file that nearly makes sense: regular dates, numbers, a few defects."""
    import numpy as np
    import pandas as pd

    n = draw(st.integers(2, 60))
    freq = draw(st.sampled_from(sorted(FREQS)))
    years = st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2100, 1, 1))
    start = pd.Timestamp(draw(years))
    if draw(st.booleans()):
        start = start.tz_localize(draw(st.sampled_from(["UTC", "Europe/Berlin", "Asia/Kolkata"])))
    try:
        times = pd.date_range(start.floor("h"), periods=n, freq=freq)
        if freq not in ("h", "30min"):
            times = times.normalize()
    except Exception:
        # a generator problem, not the loader's: e.g. pandas 2 (pytz) raises on a start that
        # falls into a DST gap; use plain dates instead
        times = pd.date_range("2020-01-01", periods=n, freq="D")
    fmt = draw(st.sampled_from(FREQS[freq]))
    stamps = [t.strftime(fmt) for t in times]
    id_text = st.one_of(st.sampled_from(["a", "b", " c", "NA", "null", "é"]), garbage)
    ids = draw(st.lists(id_text, min_size=1, max_size=3, unique=True))
    long = draw(st.booleans())
    sep = draw(st.sampled_from([",", ";", "\t", "|"]))
    width = draw(st.integers(1, 3))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    header = (["unique_id"] if long else []) + [draw(st.sampled_from(TIME_NAMES[:6]))]
    header += [f"v{j}" for j in range(width)]
    rows = []
    for key in ids if long else [None]:
        for stamp in stamps:
            values = rng.normal(0, 10 ** rng.integers(0, 7), size=width)
            cells_ = [f"{v:.3f}" if sep != ";" else f"{v:.2f}".replace(".", ",") for v in values]
            rows.append(([key] if long else []) + [stamp] + cells_)
    for _ in range(draw(st.integers(0, 3))):  # defects: a cell replaced, a row dropped or doubled
        if not rows:
            break
        i = draw(st.integers(0, len(rows) - 1))
        kind = draw(st.sampled_from(["cell", "drop", "double", "swap"]))
        if kind == "cell":
            j = draw(st.integers(0, len(rows[i]) - 1))
            rows[i][j] = draw(st.one_of(st.sampled_from(NA_WORDS), numbers, garbage))
        elif kind == "drop":
            rows.pop(i)
        elif kind == "double":
            rows.insert(i, list(rows[i]))
        else:
            rows.insert(0, rows.pop(i))
    quote_all = draw(st.booleans())
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    text = newline.join(_join(row, sep, quote_all) for row in [header, *rows]) + newline
    return text.encode(draw(st.sampled_from(["utf-8", "latin-1"])), errors="replace")


@st.composite
def mutated(draw) -> bytes:
    """A structured or plausible file with random bytes spliced in."""
    data = bytearray(draw(st.one_of(structured(), plausible())))
    for _ in range(draw(st.integers(1, 5))):
        pos = draw(st.integers(0, len(data)))
        data[pos:pos] = draw(st.sampled_from([b"\x00", b'"', b"\r", b"\n", b"\xff", b"\xc3"]))
    return bytes(data)


@st.composite
def large(draw) -> bytes:
    """A plausible file grown past the 64 KB the delimiter and encoding are guessed from."""
    data = draw(plausible())
    lines = data.splitlines(keepends=True)
    body = b"".join(lines[1:]) or b"\n"
    data = lines[0] + body * (70_000 // len(body) + 1)
    pos = draw(st.integers(65_536, len(data)))
    return data[:pos] + draw(st.sampled_from([b"\xe9", b"\xff\xfe", b"\x00", b'"'])) + data[pos:]


def _compress(data: bytes, suffix: str) -> bytes:
    if suffix == ".gz":
        return gzip.compress(data)
    if suffix == ".bz2":
        return bz2.compress(data)
    if suffix == ".xz":
        return lzma.compress(data)
    if suffix == ".zip":
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            if data:  # an empty file gives an empty archive
                archive.writestr("data.csv", data)
            if data.startswith(b"\x00"):  # and a NUL byte a second member
                archive.writestr("more.csv", data)
        return buffer.getvalue()
    return data


SOURCES = ["mutated", "mutated", "large", "binary", "binary"]


@st.composite
def cases(draw) -> tuple[str, bytes, dict]:
    """``(file name, bytes, load_csv keyword arguments)``."""
    source = draw(st.sampled_from(["plausible"] * 6 + ["structured"] * 2 + SOURCES))
    data = draw(
        {
            "plausible": plausible(),
            "structured": structured(),
            "mutated": mutated(),
            "large": large(),
            "binary": st.binary(max_size=3_000),
        }[source]
    )
    suffix = draw(st.sampled_from([".csv"] * 8 + [".gz", ".zip", ".bz2", ".xz", ".txt"]))
    if suffix != ".csv" and draw(st.integers(0, 4)) > 0:
        data = _compress(data, suffix)  # else: a damaged archive
    kwargs = {}
    if source == "plausible" and draw(st.integers(0, 3)) > 0:
        kwargs["target"] = draw(st.sampled_from(["all", "v0", ["v0"]]))
    pick = st.one_of(st.sampled_from(TIME_NAMES + ["y", "x", "all", "v0", "v1"]), garbage)
    for key in ("time_col", "target", "covariates", "id_col"):
        if draw(st.integers(0, 9)) == 0:
            kwargs[key] = draw(pick)
    if draw(st.integers(0, 7)) == 0:
        kwargs["freq"] = draw(st.sampled_from(["D", "MS", "h", "B", "W-SAT", "xyz", "1", ""]))
    if draw(st.integers(0, 3)) == 0:
        kwargs["gaps"] = draw(st.sampled_from(["error", "interpolate", "ffill", "ffill", "zero"]))
    return "data" + suffix, data, kwargs


class Hang(Exception):
    """A case ran past TIME_LIMIT."""


@contextmanager
def _time_limit(seconds: int):
    def alarm(signum, frame):
        raise Hang(f"more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def check(folder: Path, name: str, data: bytes, kwargs: dict) -> str:
    """Run one case in ``folder``; returns ``"ok"`` or ``"error"``, raises on a bug."""
    path = folder / name
    path.write_bytes(data)
    try:
        with _time_limit(TIME_LIMIT):
            result = load_csv(path, **kwargs)
    except DataError as exc:
        message = str(exc)
        assert "\n" not in message and "\r" not in message, repr(message)
        assert 0 < len(message) <= MESSAGE_LIMIT, len(message)
        assert message.startswith(_label(str(path))), repr(message[:200])
        return "error"
    finally:
        path.unlink()
    assert isinstance(result, SeriesData) and result.frames
    return "ok"
