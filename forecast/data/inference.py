"""Which column is what: the time column and its dates, the targets and covariates."""

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

from forecast.data.container import _names, _quote, _Where
from forecast.data.dates import day_first, last_century
from forecast.data.numbers import (
    _dtypes,
    _has_numbers,
    _numberlike,
    _stripped_text,
    _text_cells,
    _values,
)
from forecast.data.zones import TZ_SUFFIX, resolve, split_offsets
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
_QUARTER = (
    (r"^(\d{4})\s*[-/ ]?\s*[Qq]([1-4])$", r"\1Q\2"),  # 1956 Q1, 1956-Q1
    (r"^[Qq]([1-4])\s*[-/ ]?\s*(\d{4})$", r"\2Q\1"),  # Q1 1956
)
_DATE_LIKE = re.compile(r"\d{1,4}[-/.]\d{1,2}|\d{4}\s*[Qq]\d|[A-Za-z]{3}")


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
    texts = [c for c in columns if not is_numeric_dtype(dtypes[c])]
    maybe = _may_hold_dates(df, texts)
    for c, may in zip(texts, maybe, strict=True):
        if may and _looks_like_dates(df[c]):
            return c
    return None


def _may_hold_dates(df: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """False for the columns that _looks_like_dates rejects at once (all checked together).

    The first value in the first 20 rows that is not empty is in the sample
    _looks_like_dates takes; a column whose such value does not look like a date is out.
    """
    head = df.head(20)
    n = len(head)
    if not columns or not n:
        return np.ones(len(columns), dtype=bool)
    cells = _text_cells(head, columns)
    filled = (cells != "").to_numpy(dtype=bool).reshape((len(columns), n))
    first = cells.to_numpy(dtype=object).reshape((len(columns), n))[
        np.arange(len(columns)), filled.argmax(axis=1)
    ]
    looks = _quarters(pd.Series(first, dtype=object).astype(str)).str.contains(_DATE_LIKE)
    return ~filled.any(axis=1) | looks.to_numpy(dtype=bool)


def _mixed_tz_error(text: pd.Series, col: str, where: _Where) -> DataError:
    """The error for a column whose timestamps carry different UTC offsets."""
    suffix = text.str.extract(TZ_SUFFIX, expand=False).fillna("none")
    differs = np.flatnonzero(suffix.to_numpy() != suffix.iloc[0])
    tail = "; convert them to one zone (e.g. UTC) first"
    if len(differs) == 0:
        return DataError(f"{where()}: mixed time zones in column {_quote(col)}{tail}")
    pos = int(differs[0])
    return DataError(
        f"{where(pos)}: mixed time zones in column {_quote(col)} ({_quote(text.iloc[pos])} has "
        f"another UTC offset than {_quote(text.iloc[0])} on {where.line(0)}){tail}"
    )


def _numeric_times(values: pd.Series, col: str, where: _Where) -> pd.DatetimeIndex:
    """Integer years, YYYYMM or YYYYMMDD in a numeric time column."""
    arr = values.to_numpy(dtype=float, na_value=np.nan)
    finite = arr[np.isfinite(arr)]
    fits = len(finite) == len(arr) and np.all(np.abs(finite) < 1e10)  # int64 holds them
    if fits and np.all(finite == np.round(finite)):
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
        f"{where(pos)}: column {_quote(col)} holds numbers ({values.iloc[pos]}), not dates; "
        "write dates such as 2020-01-31, or name the time column with time_col="
    )


def _parse_times(values: pd.Series, col: str, where: _Where) -> tuple[pd.DatetimeIndex, list]:
    """Parse the time column: ``(times, notes for the report)``; the error names the first
    line that fails."""
    dtype, notes = values.dtype, []
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
            raise _empty_date(np.flatnonzero(empty.to_numpy()), col, where)
        split = split_offsets(text)
        if split is not None:  # local times across daylight saving: one reading of them
            wall, _ = _parse_times(split[0], col, where)
            times, note = resolve(wall, split[1], col)
            return times.rename(col), [note]
        times = None
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if day_first(text):
                times = pd.to_datetime(text, errors="coerce", dayfirst=True)
            # Excel's month format (Jan-18) is not one that pandas guesses
            for fmt in (None, "ISO8601", "%b-%y", "%b %y") if times is None else ():
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
                    offset = text.str.extract(TZ_SUFFIX, expand=False)
                    if offset.notna().any() and offset.isna().any():
                        raise _mixed_tz_error(text, col, where)
                if times is None or parsed.isna().sum() < times.isna().sum():
                    times = parsed
                if not times.isna().any():
                    break
        if times is None:  # pragma: no cover - both formats raised
            raise DataError(f"{where()}: cannot parse column {_quote(col)} as dates")
        bad = np.flatnonzero(times.isna().to_numpy())
        if len(bad):
            pos = int(bad[0])
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")  # e.g. pandas' quarter-string deprecation
                    alone = pd.Timestamp(text.iloc[pos])
            except (ValueError, TypeError, OverflowError):
                alone = None
            if alone is not None and (alone.tz is None) != (times.dt.tz is None):
                raise _mixed_tz_error(text, col, where)

            def at(pos: int) -> str:
                return (
                    f"{where(pos)}: cannot parse {_quote(text.iloc[pos])} as a date in column "
                    f"{_quote(col)}; fix the value or use one date format (e.g. 2020-01-31 or "
                    "2020-01-31 13:00)"
                )

            raise DataError(at(pos), rows=bad, at=at)
        times, notes = last_century(pd.DatetimeIndex(times), text, col)
    if times.isna().any():
        raise _empty_date(np.flatnonzero(times.isna()), col, where)
    return times.rename(col), notes


def _empty_date(rows: np.ndarray, col: str, where: _Where) -> DataError:
    """The error for the rows ``rows`` (positions) whose time is empty."""

    def at(pos: int) -> str:
        return f"{where(pos)}: empty date in column {_quote(col)}; fill it in or delete the row"

    return DataError(at(int(rows[0])), rows=rows, at=at)


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
    present = set(available)
    fixed = {time_col} | ({id_col} if id_col else set())
    targets = _as_list(target)
    covs = _as_list(covariates)
    use_all_targets = targets == ["all"] and "all" not in present
    use_all_covs = covs == ["all"] and "all" not in present

    for kind, names in (("target", targets), ("covariate", covs)):
        if names is None or names == ["all"] and "all" not in present:
            continue
        for name in names:
            if name not in present:
                raise DataError(
                    f"{where()}: {kind} column {_quote(name)} not found; "
                    f"available columns: {_names(available)}"
                )
            if name in fixed:
                role = "time" if name == time_col else "id"
                param = "target=" if kind == "target" else "covariates="
                raise DataError(
                    f"{where()}: column {_quote(name)} is the {role} column; choose another {param}"
                )

    def numeric(exclude: set[str]) -> list[str]:
        columns = [c for c in available if c not in exclude]
        flags = _numberlike(df, columns, allow_decimal_comma)
        return [c for c, ok in zip(columns, flags, strict=True) if ok]

    fixed_covs = set(covs) if covs and not use_all_covs else set()
    if targets is None or use_all_targets:
        candidates = numeric(fixed | fixed_covs)
        if targets is None:  # a column of numbers with a typo is one too: not the other
            rest = [c for c in available if c not in fixed | fixed_covs | set(candidates)]
            typo = _has_numbers(df, rest, allow_decimal_comma, most=True)
            found = set(candidates) | {c for c, t in zip(rest, typo, strict=True) if t}
            candidates = [c for c in available if c in found]
        if not candidates:
            others = [c for c in available if c not in fixed]
            flags = _has_numbers(df, others, allow_decimal_comma)
            for c, numbers in zip(others, flags, strict=True):
                if numbers:  # a column of numbers with a typo: name the bad value
                    _values(df, [c], where, allow_decimal_comma)
            detail = f" (other columns: {_names(others)})" if others else ""
            raise DataError(
                f"{where()}: no numeric column to forecast{detail}; "
                "check the delimiter or choose the target with target="
            )
        if len(candidates) > 1 and not use_all_targets:
            raise DataError(
                f"{where()}: {len(candidates)} numeric columns ({_names(candidates)}); "
                "choose the target with target="
            )
        targets = candidates
    if covs is None:
        covs = []
    elif use_all_covs:
        covs = numeric(fixed | set(targets))
    chosen = set(targets)
    both = [c for c in covs if c in chosen]
    if both:
        raise DataError(
            f"{where()}: column {_quote(both[0])} is both a target and a covariate; "
            "remove it from covariates="
        )
    for names in (targets, covs):
        repeated = pd.Index(names)[pd.Index(names).duplicated()]
        if len(repeated):
            dup = repeated[0]
            raise DataError(
                f"{where()}: column {_quote(dup)} is named twice; name each column once"
            )
    return list(targets), list(covs)
