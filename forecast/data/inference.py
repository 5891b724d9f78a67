"""Which column is what: the time column, date parsing, numbers (locale aware), the targets."""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd
from pandas.api.types import (
    is_bool_dtype,
    is_datetime64_any_dtype,
    is_numeric_dtype,
)

from forecast.data.container import _names, _Where
from forecast.errors import DataError

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
_NA_WORDS = {"", "nan", "na", "n/a", "null", "none", "<na>", "nat"}
_GROUPED = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_EURO = re.compile(r"[+-]?(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d+)?")
_TZ_SUFFIX = re.compile(r"\d:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)$")
_QUARTER = (
    (r"^(\d{4})\s*[-/ ]?\s*[Qq]([1-4])$", r"\1Q\2"),  # 1956 Q1, 1956-Q1
    (r"^[Qq]([1-4])\s*[-/ ]?\s*(\d{4})$", r"\2Q\1"),  # Q1 1956
)
_DATE_LIKE = re.compile(r"\d{1,4}[-/.]\d{1,2}|\d{4}\s*[Qq]\d|[A-Za-z]{3}")


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
    """Guess the time column (see the :mod:`forecast.data` docstring for the order)."""
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
                if parsed.dt.tz is not None:  # pandas 2's ISO8601 gives naive values the zone
                    offset = text.str.extract(_TZ_SUFFIX, expand=False)
                    if offset.notna().any() and offset.isna().any():
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
