"""Load and validate user data: the only module that reads user files.

``load_csv`` reads a CSV file and ``validate_frame`` checks a DataFrame; both
return a :class:`SeriesData` whose frames keep the invariants of DESIGN.md:
a sorted, unique, regular ``DatetimeIndex`` named after the time column with
``.freq`` set, columns exactly ``targets + covariates``, all ``float64``, finite,
no NaN. Every problem raises a :class:`~forecast.errors.DataError` whose one-line
message starts with the source (the path as given, or ``<DataFrame>``), names the
line/column and says what to do. Line numbers are those of the file, counting the
header as line 1 (what an editor shows); for a DataFrame, ``row N`` is the 0-based
position.

What is accepted:

* Delimiters ``,`` ``;`` tab ``|`` (sniffed with :class:`csv.Sniffer` on the first
  64 KB, then read with the fast C parser), a UTF-8 BOM, Latin-1 files that are not
  UTF-8, compressed files (``.gz``, ``.bz2``, ``.xz``, ``.zip``...), blank lines.
* Numbers quoted or with thousands separators (``"1,234"``, ``"12.5"``); decimal
  commas (``1,5``, ``1.234,5``) when the delimiter is not a comma. A column whose every
  value is a plain number is taken as pandas reads it (``1.234`` is 1.234).
* ``target``/``covariates`` may be ``"all"``: every numeric column that is not the
  time, the id or already chosen.
* The time column: ``time_col``, else a datetime column of a DataFrame, else a column
  named like ``date``, ``ds``, ``time``, ``timestamp``, ``datetime``, ``month``,
  ``period``, ``week``, ``day``, ``hour``, ``year``... (or containing the word date/time),
  else the first text column whose values parse as dates. Integer years (``1949``),
  ``YYYYMM`` and ``YYYYMMDD`` integers are read as dates in a column named like a time.
  Time zones: one zone or UTC offset is kept as is; mixed offsets are an error.
* Wide format (one series, one or several targets) and long format (``id_col``, or a
  column named ``unique_id``): one series per id, each validated alone.

Gaps policy (``gaps``):

* ``"error"``: any missing timestamp or empty value is a DataError.
* ``"interpolate"`` (default): missing timestamps are inserted; values inside the
  series are interpolated linearly in time; after the last value of a column the last
  value is carried forward (trailing edge); rows before the first row where every
  column has a value are dropped (leading edge).
* ``"ffill"``: as ``"interpolate"`` but every gap carries the previous value forward.

Each change is one sentence in ``SeriesData.report``, e.g.
``"filled 3 missing timestamps, 2 NaN values in 'y'"`` (prefixed ``"series 'b': "``
in long format).

Example:
    >>> import pandas as pd
    >>> df = pd.DataFrame({"date": ["2020-01-01", "2020-02-01", "2020-04-01"],
    ...                    "y": [1.0, None, 4.0]})
    >>> sd = validate_frame(df)
    >>> sd.freq, sd.targets, sd.report
    ('MS', ['y'], ["filled 1 missing timestamp, 1 NaN value in 'y'"])
    >>> sd.frames[None]["y"].round(2).tolist()
    [1.0, 2.02, 2.98, 4.0]
"""

from __future__ import annotations

import bz2
import csv
import gzip
import io
import lzma
import os
import re
import warnings
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from pandas.api.types import (
    is_bool_dtype,
    is_datetime64_any_dtype,
    is_numeric_dtype,
)

from forecast.errors import DataError
from forecast.frequency import as_offset, freq_name

__all__ = [
    "GAPS",
    "SeriesData",
    "check_length",
    "load_csv",
    "validate_frame",
]

GAPS = ("error", "interpolate", "ffill")

# Column names (normalised: lower case, spaces and dashes as "_") taken as the time.
_TIME_NAMES = (
    "date",
    "ds",
    "datetime",
    "timestamp",
    "time",
    "date_time",
    "time_stamp",
    "dt",
    "period",
    "month",
    "week",
    "day",
    "hour",
    "minute",
    "quarter",
    "year",
)
_TIME_WORDS = {"date", "datetime", "timestamp", "time", "ds"}
_SEPARATORS = ",;\t|"
_SNIFF_CHARS = 65_536
_NA_WORDS = {"", "nan", "na", "n/a", "null", "none", "<na>", "nat"}
_GROUPED = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_EURO = re.compile(r"[+-]?(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d+)?")
_TZ_SUFFIX = re.compile(r"\d:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)$")
_QUARTER = (
    (r"^(\d{4})\s*[-/ ]?\s*[Qq]([1-4])$", r"\1Q\2"),  # 1956 Q1, 1956-Q1
    (r"^[Qq]([1-4])\s*[-/ ]?\s*(\d{4})$", r"\2Q\1"),  # Q1 1956
)
_DATE_LIKE = re.compile(r"\d{1,4}[-/.]\d{1,2}|\d{4}\s*[Qq]\d|[A-Za-z]{3}")
_MAX_GRID_FACTOR = 100  # a frequency may not create more than 100x the given rows


# --------------------------------------------------------------------------- result


@dataclass(frozen=True)
class SeriesData:
    """Validated series, ready for windowing.

    Attributes:
        frames: One DataFrame per series: key ``None`` in wide format, the id (as
            ``str``) in long format. Index: sorted, unique, regular DatetimeIndex named
            ``time_col`` with ``.freq`` set; columns ``targets + covariates``, float64,
            finite, no NaN.
        time_col: Name of the time column in the input.
        id_col: Name of the id column (long format) or None.
        targets: Columns to forecast.
        covariates: Past covariates (known up to the forecast origin only).
        freq: Pandas offset alias, e.g. ``"MS"``, ``"h"``, ``"30min"``, ``"W-SAT"``.
        source: File path as given, or ``"<DataFrame>"``.
        report: Human sentences of what the gaps policy changed.

    Example:
        >>> import pandas as pd
        >>> sd = validate_frame(pd.DataFrame(
        ...     {"ds": pd.date_range("2000", periods=4, freq="QS"), "y": [1, 2, 3, 4]}))
        >>> sd.freq, sd.ids, sd.lengths, sd.frames[None].index.freqstr
        ('QS-JAN', [None], {None: 4}, 'QS-JAN')
    """

    frames: dict[str | None, pd.DataFrame]
    time_col: str
    id_col: str | None
    targets: list[str]
    covariates: list[str]
    freq: str
    source: str
    report: list[str] = field(default_factory=list)

    @property
    def ids(self) -> list[str | None]:
        """Series keys in order (``[None]`` in wide format)."""
        return list(self.frames)

    @property
    def lengths(self) -> dict[str | None, int]:
        """Rows per series."""
        return {key: len(frame) for key, frame in self.frames.items()}

    @property
    def offset(self) -> pd.DateOffset:
        """``freq`` as a ``pandas.DateOffset``."""
        return as_offset(self.freq)

    @property
    def columns(self) -> list[str]:
        """``targets + covariates``: the columns of every frame."""
        return [*self.targets, *self.covariates]

    def future_index(self, key: str | None, horizon: int) -> pd.DatetimeIndex:
        """The ``horizon`` timestamps after the end of series ``key``.

        Example:
            >>> import pandas as pd
            >>> sd = validate_frame(pd.DataFrame(
            ...     {"date": ["2020-01-01", "2020-02-01", "2020-03-01"], "y": [1, 2, 3]}))
            >>> [str(t.date()) for t in sd.future_index(None, 2)]
            ['2020-04-01', '2020-05-01']
        """
        index = self.frames[key].index
        return pd.date_range(
            index[-1] + self.offset, periods=horizon, freq=self.offset, name=index.name
        )

    def to_frame(self) -> pd.DataFrame:
        """All series in one DataFrame with the time (and id) as columns.

        Example:
            >>> import pandas as pd
            >>> df = pd.DataFrame({"unique_id": ["a", "a", "b", "b"],
            ...                    "ds": ["2020-01-01", "2020-01-02"] * 2, "y": [1, 2, 3, 4]})
            >>> validate_frame(df, id_col="unique_id").to_frame().columns.tolist()
            ['unique_id', 'ds', 'y']
        """
        parts = []
        for key, frame in self.frames.items():
            part = frame.reset_index()
            if self.id_col is not None:
                part.insert(0, self.id_col, key)
            parts.append(part)
        return pd.concat(parts, ignore_index=True)


# --------------------------------------------------------------------------- helpers


class _Where:
    """Builds the ``source, series 'x', line N`` prefix of messages."""

    def __init__(self, source: str, lines: np.ndarray, word: str, key: str | None = None):
        self.source, self.lines, self.word, self.key = source, lines, word, key

    def series(self, key: str | None, lines: np.ndarray) -> _Where:
        return _Where(self.source, lines, self.word, key)

    def __call__(self, pos: int | None = None) -> str:
        parts = [self.source]
        if self.key is not None:
            parts.append(f"series {self.key!r}")
        if pos is not None:
            parts.append(f"{self.word} {int(self.lines[pos])}")
        return ", ".join(parts)

    def line(self, pos: int) -> str:
        return f"{self.word} {int(self.lines[pos])}"


def _names(columns: Sequence[str], limit: int = 12) -> str:
    """``a, b, c`` (the first ``limit`` names, then how many more)."""
    shown = ", ".join(str(c) for c in columns[:limit])
    more = len(columns) - limit
    return f"{shown}, ... ({more} more)" if more > 0 else shown


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _stamp(ts: pd.Timestamp) -> str:
    """A timestamp as short as it can be written."""
    if ts.tz is None and ts == ts.normalize():
        return str(ts.date())
    return str(ts)


def _check_gaps(gaps: str, source: str) -> None:
    if gaps not in GAPS:
        raise DataError(f"{source}: --gaps {gaps!r} is not one of {', '.join(GAPS)}")


# --------------------------------------------------------------------------- reading


def _open_text(path: Path, encoding: str):
    """Open a possibly compressed file as text (for sniffing only)."""
    name = path.name.lower()
    if name.endswith(".gz"):
        return gzip.open(path, "rt", encoding=encoding, newline="")
    if name.endswith(".bz2"):
        return bz2.open(path, "rt", encoding=encoding, newline="")
    if name.endswith(".xz"):
        return lzma.open(path, "rt", encoding=encoding, newline="")
    if name.endswith(".zip"):
        with zipfile.ZipFile(path) as archive:
            member = archive.read(archive.namelist()[0])[: 4 * _SNIFF_CHARS]
        return io.StringIO(
            member.decode(encoding, errors="strict" if encoding != "latin-1" else "replace"),
            newline="",
        )
    return open(path, encoding=encoding, newline="")


def _sample(path: Path, source: str) -> tuple[str, str]:
    """First 64 KB of text and the encoding that decodes it."""
    for encoding in ("utf-8-sig", "latin-1"):
        try:
            with _open_text(path, encoding) as handle:
                return handle.read(_SNIFF_CHARS), encoding
        except UnicodeDecodeError:
            continue
        except (OSError, EOFError, zipfile.BadZipFile, lzma.LZMAError) as exc:
            raise DataError(
                f"{source}: cannot read the file ({exc}); check it is a CSV file"
            ) from None
    raise AssertionError("latin-1 decodes every byte")  # pragma: no cover


def _sniff_sep(sample: str) -> str:
    """The delimiter: csv.Sniffer on the first lines, else the header's most common."""
    lines = [line for line in sample.splitlines() if line.strip()]
    if len(sample) >= _SNIFF_CHARS:
        lines = lines[:-1]  # the last line may be cut
    lines = lines[:100]
    if not lines:
        return ","
    header = lines[0]
    try:
        sep = csv.Sniffer().sniff("\n".join(lines), delimiters=_SEPARATORS).delimiter
        if sep in header:
            return sep
    except csv.Error:
        pass
    counts = {sep: header.count(sep) for sep in _SEPARATORS}
    best = max(counts, key=counts.__getitem__)
    return best if counts[best] else ","


def _read_csv(path: Path, source: str) -> tuple[pd.DataFrame, np.ndarray, str]:
    """Read the file; returns the frame, the file line of each row, the delimiter."""
    if not path.exists():
        raise DataError(f"{source}: file not found; check the path")
    if path.is_dir():
        raise DataError(f"{source}: is a directory, not a CSV file")
    sample, encoding = _sample(path, source)
    if not sample.strip():
        raise DataError(f"{source}: the file is empty; expected a header line and data rows")
    sep = _sniff_sep(sample)
    try:
        df = pd.read_csv(
            path,
            sep=sep,
            encoding=encoding,
            compression="infer",
            skip_blank_lines=False,
            skipinitialspace=True,
            low_memory=False,
        )
    except pd.errors.EmptyDataError:
        raise DataError(
            f"{source}: the file is empty; expected a header line and data rows"
        ) from None
    except pd.errors.ParserError as exc:
        match = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(exc))
        if match:
            want, line, saw = match.groups()
            raise DataError(
                f"{source}, line {line}: expected {want} fields, saw {saw}; "
                f"quote values that contain the delimiter {sep!r}"
            ) from None
        raise DataError(f"{source}: cannot parse the CSV ({str(exc).strip()})") from None
    lines = np.arange(2, len(df) + 2)
    blank = df.isna().all(axis=1).to_numpy()
    if blank.any():
        df, lines = df.loc[~blank], lines[~blank]
    if len(df) == 0:
        raise DataError(f"{source}: no data rows after the header (line 1); add rows below it")
    return df, lines, sep


# --------------------------------------------------------------------------- columns


def _dtypes(df: pd.DataFrame) -> dict[str, object]:
    """Column -> dtype, without touching each column (fast for thousands of columns)."""
    return dict(zip(df.columns, df.dtypes, strict=True))


def _is_number_dtype(dtype) -> bool:
    return is_bool_dtype(dtype) or is_numeric_dtype(dtype)


def _norm(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", str(name).strip().lower())


def _quarters(text: pd.Series) -> pd.Series:
    """Rewrite quarter labels (``1956 Q1``, ``Q1 1956``) as ``1956Q1`` for pandas."""
    for pattern, repl in _QUARTER:
        text = text.str.replace(pattern, repl, regex=True)
    return text


def _looks_like_dates(values: pd.Series) -> bool:
    """True if a text column's first values parse as dates (and not as numbers)."""
    sample = _quarters(values.dropna().astype(str).str.strip().head(20))
    sample = sample[sample != ""]
    if sample.empty or not sample.str.contains(_DATE_LIKE).all():
        return False
    if pd.to_numeric(sample.str.replace(",", ""), errors="coerce").notna().all():
        return False
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            parsed = pd.to_datetime(sample, errors="coerce", format="mixed")
        except (ValueError, TypeError, OverflowError):
            return True  # e.g. mixed time zones: a time column, reported later
    return bool(parsed.notna().all())


def _find_time_col(df: pd.DataFrame, exclude: set[str]) -> str | None:
    """Guess the time column (see the module docstring for the order)."""
    columns = [c for c in df.columns if c not in exclude]
    dtypes = _dtypes(df)
    for c in columns:
        if is_datetime64_any_dtype(dtypes[c]) or isinstance(dtypes[c], pd.PeriodDtype):
            return c
    normed = {c: _norm(c) for c in columns}
    for name in _TIME_NAMES:
        for c in columns:
            if normed[c] == name:
                return c
    for c in columns:
        words = set(re.split(r"[^a-z0-9]+", normed[c]))
        if words & _TIME_WORDS and not is_numeric_dtype(dtypes[c]):
            return c
    for c in columns:
        if not is_numeric_dtype(dtypes[c]) and _looks_like_dates(df[c]):
            return c
    return None


def _mixed_tz_error(text: pd.Series, col: str, where: _Where) -> DataError:
    """The error for a column whose timestamps carry different UTC offsets."""
    suffix = text.str.extract(_TZ_SUFFIX, expand=False).fillna("none")
    differs = np.flatnonzero(suffix.to_numpy() != suffix.iloc[0])
    tail = "; convert them to one zone (e.g. UTC) first"
    if len(differs) == 0:
        return DataError(f"{where()}: mixed time zones in column {col!r}{tail}")
    pos = int(differs[0])
    return DataError(
        f"{where(pos)}: mixed time zones in column {col!r} ({text.iloc[pos]!r} has another "
        f"UTC offset than {text.iloc[0]!r} on {where.line(0)}){tail}"
    )


def _numeric_times(values: pd.Series, col: str, where: _Where) -> pd.DatetimeIndex:
    """Integer years, YYYYMM or YYYYMMDD in a numeric time column."""
    arr = values.to_numpy(dtype=float, na_value=np.nan)
    finite = arr[np.isfinite(arr)]
    if len(finite) == len(arr) and np.all(finite == np.round(finite)):
        ints = finite.astype(np.int64)
        for low, high, fmt in (
            (1000, 2999, "%Y"),
            (100001, 299912, "%Y%m"),
            (10000101, 29991231, "%Y%m%d"),
        ):
            if ints.min() >= low and ints.max() <= high:
                parsed = pd.to_datetime(pd.Series(ints).astype(str), format=fmt, errors="coerce")
                if parsed.notna().all():
                    return pd.DatetimeIndex(parsed)
    bad = np.flatnonzero(~np.isfinite(arr))
    pos = int(bad[0]) if len(bad) else 0
    raise DataError(
        f"{where(pos)}: column {col!r} holds numbers ({values.iloc[pos]}), not dates; "
        "write dates such as 2020-01-31, or name the time column with --time-col"
    )


def _parse_times(values: pd.Series, col: str, where: _Where) -> pd.DatetimeIndex:
    """Parse the time column; the error names the first line that fails."""
    dtype = values.dtype
    if isinstance(dtype, pd.PeriodDtype):
        times = pd.DatetimeIndex(values.dt.to_timestamp())
    elif is_datetime64_any_dtype(dtype):
        times = pd.DatetimeIndex(values)
    elif is_numeric_dtype(dtype) and not is_bool_dtype(dtype):
        times = _numeric_times(values, col, where)
    else:
        text = _stripped_text(values)
        empty = text == ""
        text = _quarters(text)
        if empty.any():
            pos = int(np.flatnonzero(empty.to_numpy())[0])
            raise DataError(
                f"{where(pos)}: empty date in column {col!r}; fill it in or delete the row"
            )
        times = None
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for fmt in (None, "ISO8601"):
                try:
                    parsed = pd.to_datetime(text, errors="coerce", format=fmt)
                except ValueError as exc:
                    if "timezone" in str(exc).lower() or "offset" in str(exc).lower():
                        raise _mixed_tz_error(text, col, where) from None
                    continue
                except (TypeError, OverflowError):
                    continue
                if not is_datetime64_any_dtype(parsed.dtype):  # pandas 2: mixed offsets
                    raise _mixed_tz_error(text, col, where)
                if times is None or parsed.isna().sum() < times.isna().sum():
                    times = parsed
                if not times.isna().any():
                    break
        if times is None:  # pragma: no cover - both formats raised
            raise DataError(f"{where()}: cannot parse column {col!r} as dates")
        bad = np.flatnonzero(times.isna().to_numpy())
        if len(bad):
            pos = int(bad[0])
            try:
                alone = pd.Timestamp(text.iloc[pos])
            except (ValueError, TypeError, OverflowError):
                alone = None
            if alone is not None and (alone.tz is None) != (times.dt.tz is None):
                raise _mixed_tz_error(text, col, where)
            raise DataError(
                f"{where(pos)}: cannot parse {text.iloc[pos]!r} as a date in column {col!r}; "
                "fix the value or use one date format (e.g. 2020-01-31 or 2020-01-31 13:00)"
            )
        times = pd.DatetimeIndex(times)
    if times.isna().any():
        pos = int(np.flatnonzero(times.isna())[0])
        raise DataError(f"{where(pos)}: empty date in column {col!r}; fill it in or delete the row")
    return times.rename(col)


def _stripped_text(values: pd.Series) -> pd.Series:
    """Values as stripped ``str`` (object dtype, positional index); missing -> ``""``."""
    missing = values.isna().to_numpy()
    text = pd.Series(values.to_numpy(dtype=object), dtype=object)
    text[missing] = ""
    return text.astype(str).str.strip()


def _text_to_float(text: pd.Series, allow_decimal_comma: bool) -> tuple[np.ndarray, np.ndarray]:
    """Convert stripped text to float; returns the values and the positions that fail."""
    values = pd.to_numeric(text, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    na_word = text.str.lower().isin(_NA_WORDS).to_numpy()
    bad = np.isnan(values) & ~na_word
    if not bad.any():
        return values, bad
    bad_text = text[bad]
    strange_comma = text.str.contains(r",(?:\d{1,2}|\d{4,})(?:$|\D)", regex=True).any()
    if bad_text.str.fullmatch(_GROUPED).all() and not (allow_decimal_comma and strange_comma):
        fixed = pd.to_numeric(text.str.replace(",", "", regex=False), errors="coerce")
    elif allow_decimal_comma and text[~na_word].str.fullmatch(_EURO).all():
        fixed = pd.to_numeric(
            text.str.replace(".", "", regex=False).str.replace(",", ".", regex=False),
            errors="coerce",
        )
    else:
        return values, bad
    values = fixed.to_numpy(dtype=float, na_value=np.nan)
    return values, np.isnan(values) & ~na_word


def _column_to_float(
    values: pd.Series, col: str, where: _Where, allow_decimal_comma: bool
) -> np.ndarray:
    """One column as float64; raises naming the first value that is not a number."""
    dtype = values.dtype
    if is_bool_dtype(dtype) or is_numeric_dtype(dtype):
        return values.to_numpy(dtype=float, na_value=np.nan)
    if is_datetime64_any_dtype(dtype):
        raise DataError(
            f"{where()}: column {col!r} holds dates, not numbers; choose another column"
        )
    text = _stripped_text(values)
    converted, bad = _text_to_float(text, allow_decimal_comma)
    if bad.any():
        pos = int(np.flatnonzero(bad)[0])
        raise DataError(
            f"{where(pos)}: cannot parse {text.iloc[pos]!r} as a number in column {col!r}; "
            "fix the value or leave the field empty for a gap"
        )
    return converted


def _is_numberlike(values: pd.Series, allow_decimal_comma: bool) -> bool:
    """True if a column is numeric or its text converts cleanly (and has a value)."""
    dtype = values.dtype
    if is_bool_dtype(dtype) or is_numeric_dtype(dtype):
        return True
    if is_datetime64_any_dtype(dtype) or isinstance(dtype, pd.PeriodDtype):
        return False
    text = values.dropna().astype(str).str.strip()
    if text.empty:
        return False
    converted, bad = _text_to_float(text, allow_decimal_comma)
    return not bad.any() and bool((~np.isnan(converted)).any())


def _has_numbers(values: pd.Series, allow_decimal_comma: bool) -> bool:
    """True if a text column holds at least one number (it may hold typos too)."""
    if is_numeric_dtype(values.dtype) or is_datetime64_any_dtype(values.dtype):
        return False
    converted, _ = _text_to_float(_stripped_text(values), allow_decimal_comma)
    return bool((~np.isnan(converted)).any())


def _as_list(value: str | Sequence[str] | None) -> list[str] | None:
    if value is None:
        return None
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value]


def _select_columns(
    df: pd.DataFrame,
    where: _Where,
    time_col: str,
    id_col: str | None,
    target: str | Sequence[str] | None,
    covariates: str | Sequence[str] | None,
    allow_decimal_comma: bool,
) -> tuple[list[str], list[str]]:
    """Decide the target and covariate columns."""
    available = list(df.columns)
    fixed = {time_col} | ({id_col} if id_col else set())
    targets = _as_list(target)
    covs = _as_list(covariates)
    use_all_targets = targets == ["all"] and "all" not in available
    use_all_covs = covs == ["all"] and "all" not in available

    for kind, names in (("target", targets), ("covariate", covs)):
        if names is None or names == ["all"] and "all" not in available:
            continue
        for name in names:
            if name not in available:
                raise DataError(
                    f"{where()}: {kind} column {name!r} not found; "
                    f"available columns: {_names(available)}"
                )
            if name in fixed:
                role = "time" if name == time_col else "id"
                flag = "--target" if kind == "target" else "--covariates"
                raise DataError(
                    f"{where()}: column {name!r} is the {role} column; choose another {flag}"
                )

    dtypes = _dtypes(df)

    def numeric(exclude: set[str]) -> list[str]:
        return [
            c
            for c in available
            if c not in exclude
            and (_is_number_dtype(dtypes[c]) or _is_numberlike(df[c], allow_decimal_comma))
        ]

    fixed_covs = set(covs) if covs and not use_all_covs else set()
    if targets is None or use_all_targets:
        candidates = numeric(fixed | fixed_covs)
        if not candidates:
            others = [c for c in available if c not in fixed]
            for c in others:  # a column of numbers with a typo: name the bad value
                if _has_numbers(df[c], allow_decimal_comma):
                    _column_to_float(df[c], c, where, allow_decimal_comma)
            detail = f" (other columns: {_names(others)})" if others else ""
            raise DataError(
                f"{where()}: no numeric column to forecast{detail}; "
                "check the delimiter or choose the target with --target"
            )
        if len(candidates) > 1 and not use_all_targets:
            raise DataError(
                f"{where()}: {len(candidates)} numeric columns ({_names(candidates)}); "
                "choose the target with --target"
            )
        targets = candidates
    if covs is None:
        covs = []
    elif use_all_covs:
        covs = numeric(fixed | set(targets))
    both = [c for c in covs if c in targets]
    if both:
        raise DataError(
            f"{where()}: column {both[0]!r} is both a target and a covariate; "
            "remove it from --covariates"
        )
    for names in (targets, covs):
        repeated = pd.Index(names)[pd.Index(names).duplicated()]
        if len(repeated):
            dup = repeated[0]
            raise DataError(f"{where()}: column {dup!r} is named twice; name each column once")
    return list(targets), list(covs)


def _values(
    df: pd.DataFrame, columns: list[str], where: _Where, allow_decimal_comma: bool
) -> np.ndarray:
    """The chosen columns as one float64 array (n, k); numeric columns in one block."""
    out = np.empty((len(df), len(columns)), dtype=np.float64)
    dtypes = _dtypes(df)
    block = [i for i, c in enumerate(columns) if _is_number_dtype(dtypes[c])]
    if block:
        sub = df[[columns[i] for i in block]]
        out[:, block] = sub.astype(np.float64).to_numpy(dtype=np.float64, na_value=np.nan)
    in_block = set(block)
    for i, c in enumerate(columns):
        if i not in in_block:
            out[:, i] = _column_to_float(df[c], c, where, allow_decimal_comma)
    return out


# --------------------------------------------------------------------------- frequency


def _normalise(offset: pd.DateOffset) -> pd.DateOffset:
    """Equivalent quarterly anchors collapse to one (QS-OCT == QS-JAN on the same dates)."""
    if isinstance(offset, pd.offsets.QuarterBegin) and offset.n == 1:
        return pd.offsets.QuarterBegin(startingMonth=(offset.startingMonth - 1) % 3 + 1)
    if isinstance(offset, pd.offsets.QuarterEnd) and offset.n == 1:
        return pd.offsets.QuarterEnd(startingMonth=(offset.startingMonth - 1) % 3 + 10)
    return offset


def _grid(times: pd.DatetimeIndex, offset: pd.DateOffset) -> pd.DatetimeIndex | None:
    """Regular timestamps from the first to the last (None if absurdly many)."""
    first, last = times[0], times[-1]
    probe = pd.date_range(first, periods=3, freq=offset)
    step = (probe[2] - probe[1]) / pd.Timedelta(1, "s")
    if step <= 0:
        return None
    steps = (last - first) / pd.Timedelta(1, "s") / step
    if steps > _MAX_GRID_FACTOR * len(times) + 1000:
        return None
    return pd.date_range(first, last, freq=offset, unit=times.unit, name=times.name)


def _on_grid(times: pd.DatetimeIndex, offset: pd.DateOffset) -> bool:
    if not offset.is_on_offset(times[0]):
        return False
    grid = _grid(times, offset)
    return grid is not None and bool(times.isin(grid).all())


def _candidates(times: pd.DatetimeIndex, step: pd.Timedelta) -> list[pd.DateOffset]:
    """Regular offsets whose step is the most common difference ``step``."""
    day = pd.Timedelta(1, "D")
    first = times[0]
    days = step / day
    if step < day or step % day:
        return [pd.tseries.frequencies.to_offset(step)]
    if days == 1:
        weekend = (times.day_of_week >= 5).any()
        return [pd.offsets.Day()] if weekend else [pd.offsets.BusinessDay(), pd.offsets.Day()]
    if days % 7 == 0:
        return [
            pd.offsets.Week(int(days // 7), weekday=first.day_of_week),
            pd.offsets.Day(int(days)),
        ]
    if 28 <= days <= 31:
        return [pd.offsets.MonthBegin(), pd.offsets.MonthEnd()]
    if 89 <= days <= 92:
        return [
            _normalise(pd.offsets.QuarterBegin(startingMonth=first.month)),
            _normalise(pd.offsets.QuarterEnd(startingMonth=first.month)),
        ]
    if 365 <= days <= 366:
        return [pd.offsets.YearBegin(month=first.month), pd.offsets.YearEnd(month=first.month)]
    return [pd.offsets.Day(int(days))]


def _human_step(step: pd.Timedelta) -> str:
    """``2 days``, ``00:07:00``, ``1 days 03:00:00``."""
    text = str(step)
    text = text[len("0 days ") :] if text.startswith("0 days ") else text
    return text[: -len(" 00:00:00")] if text.endswith(" 00:00:00") else text


def _infer_offset(times: pd.DatetimeIndex) -> tuple[pd.DateOffset | None, str]:
    """The regular frequency of sorted unique ``times`` or (None, why not)."""
    if len(times) >= 3:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                inferred = pd.infer_freq(times)
            except (TypeError, ValueError):
                inferred = None
        if inferred is not None:
            return _normalise(pd.tseries.frequencies.to_offset(inferred)), ""
    if len(times) < 2:
        return None, f"from {_plural(len(times), 'row')}"
    counts = pd.Series(times[1:] - times[:-1]).value_counts()
    for step in counts.index[:3]:
        for offset in _candidates(times, step):
            if _on_grid(times, offset):
                return offset, ""
    steps = ", ".join(_human_step(s) for s in counts.index[:3])
    return None, f"(irregular steps; most common: {steps})"


# --------------------------------------------------------------------------- one series


@dataclass
class _Series:
    """A series between the checks and the gaps policy."""

    key: str | None
    where: _Where
    times: pd.DatetimeIndex
    values: np.ndarray
    offset: pd.DateOffset | None = None
    why: str = ""
    sorted_rows: bool = False


def _prepare_series(
    key: str | None,
    times: pd.DatetimeIndex,
    values: np.ndarray,
    where: _Where,
    time_col: str,
    columns: list[str],
    n_targets: int,
    hint_id: bool,
) -> _Series:
    """Sort, then check duplicates, empty and infinite columns of one series."""
    order = None
    if not times.is_monotonic_increasing:
        order = np.argsort(times.asi8, kind="stable")
        times, values = times[order], values[order]
        where = where.series(key, where.lines[order])
    dup = np.flatnonzero(times.duplicated(keep="first"))
    if len(dup):
        pos = int(dup[0])
        first = int(np.flatnonzero(times == times[pos])[0])
        hint = (
            "; if the file holds several series, name their id column with --id-col"
            if hint_id
            else ""
        )
        raise DataError(
            f"{where(pos)}: duplicate timestamp {_stamp(times[pos])} in column {time_col!r} "
            f"(also on {where.line(first)}); remove or aggregate the duplicates{hint}"
        )
    with np.errstate(invalid="ignore"):
        inf = np.isinf(values)
    if inf.any():
        pos, col = (int(i) for i in np.argwhere(inf)[0])
        raise DataError(
            f"{where(pos)}: infinite value in column {columns[col]!r}; "
            "replace it with a number or leave the field empty for a gap"
        )
    empty = np.isnan(values).all(axis=0)
    if empty.any():
        col = int(np.flatnonzero(empty)[0])
        what = "choose another --target" if col < n_targets else "remove it from --covariates"
        raise DataError(f"{where()}: column {columns[col]!r} has no values (all empty); {what}")
    return _Series(key, where, times, values, sorted_rows=order is not None)


def _nan_sentence(counts: np.ndarray, columns: list[str], limit: int = 5) -> list[str]:
    """``["2 NaN values in 'y'", ...]``; past ``limit`` columns, one summary part."""
    items = [(int(n), c) for n, c in zip(counts, columns, strict=True) if n]
    parts = [f"{_plural(n, 'NaN value')} in {c!r}" for n, c in items[:limit]]
    rest = items[limit:]
    if rest:
        total = sum(n for n, _ in rest)
        parts.append(f"{_plural(total, 'NaN value')} in {len(rest)} more columns")
    return parts


def _apply_gaps(
    s: _Series, offset: pd.DateOffset, gaps: str, time_col: str, columns: list[str]
) -> tuple[pd.DataFrame, list[str]]:
    """Put one series on the regular grid and fill it per the gaps policy."""
    where, times = s.where, s.times
    grid = _grid(times, offset)
    if grid is None or not offset.is_on_offset(times[0]) or not times.isin(grid).all():
        if grid is None:
            raise DataError(
                f"{where()}: frequency {offset.freqstr!r} would make more than "
                f"{_MAX_GRID_FACTOR} times as many rows as the {len(times)} given; check --freq"
            )
        off = np.flatnonzero(~times.isin(grid))
        pos = int(off[0]) if len(off) else 0
        raise DataError(
            f"{where(pos)}: timestamp {_stamp(times[pos])} in column {time_col!r} is not on the "
            f"{freq_name(offset)} grid {offset.freqstr!r}; check --freq or the dates"
        )
    grid = grid.rename(time_col)
    present = grid.isin(times)
    n_missing = int((~present).sum())
    nan = np.isnan(s.values)
    report = [f"sorted the rows by {time_col!r}"] if s.sorted_rows else []

    if gaps == "error":
        if n_missing:
            first = grid[~present][0]
            before = int(times.searchsorted(first)) - 1
            raise DataError(
                f"{where()}: {_plural(n_missing, 'missing timestamp')} in column {time_col!r} "
                f"(first {_stamp(first)}, after {where.line(before)}); "
                "fill them with --gaps interpolate or --gaps ffill"
            )
        if nan.any():
            pos, col = (int(i) for i in np.argwhere(nan)[0])
            raise DataError(
                f"{where(pos)}: empty value in column {columns[col]!r}; fill it in, "
                "or use --gaps interpolate or --gaps ffill"
            )
        return pd.DataFrame(s.values, index=grid, columns=columns), report

    values = np.full((len(grid), len(columns)), np.nan)
    values[present] = s.values
    complete = ~np.isnan(values).any(axis=1)
    if not complete.any():
        raise DataError(
            f"{where()}: no row has a value in every column ({_names(columns)}); "
            "choose fewer columns"
        )
    start = int(np.argmax(complete))
    if start:
        lacking = [
            c for c, gap in zip(columns, np.isnan(values[:start]).any(axis=0), strict=True) if gap
        ]
        report.append(
            f"dropped {_plural(start, 'leading row')} (before {_stamp(grid[start])}) "
            f"where {_names([repr(c) for c in lacking], 5)} had no value yet"
        )
        values, grid, present = values[start:], grid[start:], present[start:]
    frame = pd.DataFrame(values, index=grid, columns=columns)
    nan_counts = np.isnan(values[present]).sum(axis=0)
    n_missing = int((~present).sum())
    if n_missing or nan_counts.any():
        parts = [_plural(n_missing, "missing timestamp")] if n_missing else []
        report.append("filled " + ", ".join(parts + _nan_sentence(nan_counts, columns)))
        if gaps == "interpolate":
            trailing = np.argmax(~np.isnan(values[::-1]), axis=0)  # NaN rows after the last value
            frame = frame.interpolate(method="time", limit_area="inside").ffill()
            report.extend(
                f"carried the last value of {c!r} forward over {_plural(int(n), 'trailing row')}"
                for n, c in zip(trailing, columns, strict=True)
                if n
            )
        else:
            frame = frame.ffill()
    frame.index = pd.DatetimeIndex(frame.index, freq=offset)
    return frame, report


# --------------------------------------------------------------------------- entry points


def _validate(
    df: pd.DataFrame,
    *,
    source: str,
    lines: np.ndarray,
    word: str,
    time_col: str | None,
    target: str | Sequence[str] | None,
    covariates: str | Sequence[str] | None,
    id_col: str | None,
    freq: str | None,
    gaps: str,
    allow_decimal_comma: bool,
) -> SeriesData:
    _check_gaps(gaps, source)
    where = _Where(source, lines, word)
    offset = None
    if freq is not None:
        try:
            offset = as_offset(freq)
            pd.date_range("2000-01-01", periods=2, freq=offset)
        except (DataError, ValueError, TypeError):
            raise DataError(
                f"{source}: --freq {freq!r} is not a pandas frequency alias "
                "(e.g. 'h', '30min', 'D', 'B', 'W-SAT', 'MS', 'QS', 'YS')"
            ) from None

    df = df.copy(deep=False)
    df.columns = [str(c) for c in df.columns]
    if df.columns.duplicated().any():
        dup = df.columns[df.columns.duplicated()][0]
        raise DataError(f"{source}: column {dup!r} appears twice; give each column its own name")
    unnamed = [c for c in df.columns if c.startswith("Unnamed: ") and df[c].isna().all()]
    if unnamed:
        df = df.drop(columns=unnamed)

    index = df.index
    if isinstance(index, pd.DatetimeIndex | pd.PeriodIndex) and (
        time_col is None or (time_col == index.name and time_col not in df.columns)
    ):
        name = str(index.name) if index.name is not None else "time"
        while name in df.columns:
            name += "_"
        df = df.reset_index(names=name)
        time_col = name
    if len(df) == 0:
        raise DataError(f"{source}: no data rows; add rows")

    if id_col is not None and id_col not in df.columns:
        raise DataError(
            f"{source}: id column {id_col!r} not found; available columns: {_names(list(df.columns))}"
        )
    if time_col is None:
        time_col = _find_time_col(df, {id_col} if id_col else set())
        if time_col is None:
            raise DataError(
                f"{source}: no time column found (none of {_names(list(df.columns))} is named "
                "like a date or holds dates); name it with --time-col"
            )
    elif time_col not in df.columns:
        raise DataError(
            f"{source}: time column {time_col!r} not found; "
            f"available columns: {_names(list(df.columns))}"
        )
    if id_col is None:
        auto = [c for c in df.columns if _norm(c) == "unique_id" and c != time_col]
        id_col = auto[0] if auto else None
    if id_col == time_col:
        raise DataError(f"{source}: column {id_col!r} cannot be both the time and the id column")

    times = _parse_times(df[time_col].reset_index(drop=True), time_col, where)
    targets, covs = _select_columns(
        df, where, time_col, id_col, target, covariates, allow_decimal_comma
    )
    columns = [*targets, *covs]
    values = _values(df, columns, where, allow_decimal_comma)
    chosen = {time_col, id_col, *columns}
    text_cols = any(not _is_number_dtype(t) and c not in chosen for c, t in _dtypes(df).items())

    # split into series
    if id_col is not None:
        ids = df[id_col].reset_index(drop=True)
        if ids.isna().any():
            pos = int(np.flatnonzero(ids.isna().to_numpy())[0])
            raise DataError(
                f"{where(pos)}: empty id in column {id_col!r}; fill it in or delete the row"
            )
        codes, uniques = pd.factorize(ids.astype(str).str.strip(), sort=False)
        order = np.argsort(codes, kind="stable")
        bounds = np.cumsum(np.bincount(codes, minlength=len(uniques)))[:-1]
        groups = [(str(k), pos) for k, pos in zip(uniques, np.split(order, bounds), strict=True)]
    else:
        groups = [(None, np.arange(len(df)))]

    series = [
        _prepare_series(
            key,
            times[pos],
            values[pos],
            where.series(key, lines[pos]),
            time_col,
            columns,
            len(targets),
            hint_id=id_col is None and text_cols,
        )
        for key, pos in groups
    ]

    # one frequency for all series
    if offset is None:
        for s in series:
            s.offset, s.why = _infer_offset(s.times)
        found = {s.offset.freqstr: s for s in series if s.offset is not None}
        if not found:
            s = series[0]
            raise DataError(
                f"{s.where()}: cannot infer the frequency of column {time_col!r} {s.why}; "
                "give it with --freq (e.g. 'h', 'D', 'W-SAT', 'MS', 'QS', 'YS')"
            )
        if len(found) > 1:
            (fa, sa), (fb, sb) = list(found.items())[:2]
            raise DataError(
                f"{source}: series {sa.key!r} is {freq_name(fa)} ({fa!r}) but series {sb.key!r} "
                f"is {freq_name(fb)} ({fb!r}); give one --freq or split the file"
            )
        offset = next(iter(found.values())).offset

    frames: dict[str | None, pd.DataFrame] = {}
    report: list[str] = []
    for s in series:
        frame, notes = _apply_gaps(s, offset, gaps, time_col, columns)
        frames[s.key] = frame
        prefix = f"series {s.key!r}: " if s.key is not None else ""
        report.extend(prefix + note for note in notes)
    return SeriesData(
        frames=frames,
        time_col=time_col,
        id_col=id_col,
        targets=targets,
        covariates=covs,
        freq=offset.freqstr,
        source=source,
        report=report,
    )


def validate_frame(
    df: pd.DataFrame,
    *,
    source: str = "<DataFrame>",
    time_col: str | None = None,
    target: str | Sequence[str] | None = None,
    covariates: str | Sequence[str] | None = None,
    id_col: str | None = None,
    freq: str | None = None,
    gaps: str = "interpolate",
) -> SeriesData:
    """Validate a DataFrame (time as a column or as its DatetimeIndex).

    Args:
        df: The data; not modified.
        source: Name used at the start of error messages.
        time_col: Time column; guessed when None (see the module docstring).
        target: Column(s) to forecast; default the single numeric column that is not
            the time, id or a covariate; ``"all"``: every such numeric column.
        covariates: Past covariate column(s), or ``"all"`` (every other numeric column).
        id_col: Column naming the series in long format (``unique_id, ds, y``).
        freq: Pandas offset alias; inferred when None.
        gaps: ``"interpolate"`` (default), ``"ffill"`` or ``"error"``.

    Returns:
        SeriesData: frames of shape ``(n_rows, len(targets) + len(covariates))``.

    Raises:
        DataError: one line naming ``source``, the row/column and what to do.

    Example:
        >>> import pandas as pd
        >>> df = pd.DataFrame({"y": [1.0, 2.0, 3.0]},
        ...                   index=pd.date_range("2024-01-01", periods=3, freq="h"))
        >>> sd = validate_frame(df)
        >>> sd.time_col, sd.freq, sd.frames[None].shape
        ('time', 'h', (3, 1))
    """
    if not isinstance(df, pd.DataFrame):
        raise DataError(f"{source}: expected a pandas DataFrame, got {type(df).__name__}")
    return _validate(
        df,
        source=source,
        lines=np.arange(len(df)),
        word="row",
        time_col=time_col,
        target=target,
        covariates=covariates,
        id_col=id_col,
        freq=freq,
        gaps=gaps,
        allow_decimal_comma=False,
    )


def load_csv(
    path: str | os.PathLike,
    *,
    time_col: str | None = None,
    target: str | Sequence[str] | None = None,
    covariates: str | Sequence[str] | None = None,
    id_col: str | None = None,
    freq: str | None = None,
    gaps: str = "interpolate",
) -> SeriesData:
    """Read and validate a CSV file (optionally compressed).

    Args:
        path: The file; messages start with it as given.
        time_col, target, covariates, id_col, freq, gaps: as in :func:`validate_frame`.

    Returns:
        SeriesData.

    Raises:
        DataError: one line ``<path>, line N: ...`` (header = line 1) saying what to do.

    Example:
        >>> import tempfile, pathlib
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "sales.csv"
        >>> _ = path.write_text("month;sales\\n2020-01;1,5\\n2020-02;2,5\\n2020-03;3\\n")
        >>> sd = load_csv(path)
        >>> sd.freq, sd.time_col, sd.frames[None]["sales"].tolist()
        ('MS', 'month', [1.5, 2.5, 3.0])
    """
    source = os.fspath(path)
    _check_gaps(gaps, source)
    df, lines, sep = _read_csv(Path(path), source)
    return _validate(
        df,
        source=source,
        lines=lines,
        word="line",
        time_col=time_col,
        target=target,
        covariates=covariates,
        id_col=id_col,
        freq=freq,
        gaps=gaps,
        allow_decimal_comma=sep != ",",
    )


def check_length(
    sd_or_n: SeriesData | int,
    lookback: int,
    horizon: int,
    extra: int = 0,
    *,
    source: str = "<data>",
    extra_label: str = "held-out row",
) -> int:
    """Raise if a series is too short for ``lookback + horizon (+ extra)`` rows.

    Args:
        sd_or_n: Validated data (every series is checked) or a row count.
        lookback: Past steps per window (>= 1).
        horizon: Steps to forecast (>= 1).
        extra: More rows needed (e.g. validation rows), named by ``extra_label``.
        source: Message prefix when ``sd_or_n`` is a count.
        extra_label: What ``extra`` counts, singular (pluralised as needed).

    Returns:
        The length of the shortest series.

    Raises:
        DataError: e.g. ``data.csv: series 'x' has 20 rows but lookback 24 + horizon 12
            needs at least 36; use a shorter --lookback or --horizon``.

    Example:
        >>> check_length(100, 24, 12)
        100
        >>> check_length(20, 24, 12, source="data.csv")
        Traceback (most recent call last):
        ...
        forecast.errors.DataError: data.csv: the series has 20 rows but lookback 24 + horizon 12 needs at least 36; use a shorter --lookback or --horizon
    """
    for name, value in (("lookback", lookback), ("horizon", horizon)):
        if int(value) < 1:
            raise DataError(
                f"{source}: {name} must be at least 1, got {value}; use --{name} 1 or more"
            )
    if isinstance(sd_or_n, SeriesData):
        source = sd_or_n.source
        lengths = sd_or_n.lengths
    else:
        lengths = {None: int(sd_or_n)}
    need = int(lookback) + int(horizon) + int(extra)
    what = f"lookback {lookback} + horizon {horizon}"
    if extra:
        what += f" + {_plural(int(extra), extra_label)}"
    for key, n in lengths.items():
        if n < need:
            who = "the series" if key is None else f"series {key!r}"
            fix = "use a shorter --lookback or --horizon"
            raise DataError(
                f"{source}: {who} has {_plural(n, 'row')} but {what} needs at least {need}; {fix}"
            )
    return min(lengths.values())
