"""How dates written by people are read: day or month first, and two-digit years.

Both are pandas' own parses, corrected where a reading is plainly not what was meant: a
monthly series written day first is not twelve days of January a year apart, and a series
of ``Jan-70 … Dec-84`` is not of the 2070s (training data lies in the past).
"""

from __future__ import annotations

import math
import re
import warnings

import numpy as np
import pandas as pd

from forecast.data.container import _quote

# Dates of numbers only, day and month in either order: 01/02/2015, 1.2.15, 01-02-2015 13:00
_NUMERIC_DATE = re.compile(r"^\d{1,2}([/.-])\d{1,2}\1(?:\d{4}|\d{2})(?:$|[ T])")
_FOUR_DIGITS = re.compile(r"\d{4}")
FUTURE_YEARS = 10
"""Two-digit years read more than this many years after today are a century earlier."""


def day_first(text: pd.Series) -> bool:
    """Whether dates written in numbers only (``01/02/2015``) must be read ``dayfirst``.

    pandas infers one format from the first value, month first where that value allows
    it (``31/12/2019`` first needs no help). Day first is taken where more values parse day
    first (``13/01/2015``: the first number goes above 12), and where as many parse either
    way, the dates differ, and day first puts them on a grid of fewer cells (the span over
    the smallest step): a monthly ``01/02/2015, 01/03/2015 …`` or a few days of hourly
    ``02/01/2015 13:00 …`` written day first, which month first would read as a longer,
    gappy series of another frequency. Both readings are pandas' own parses of the column
    (a format inferred once, then applied to every value: fast).

    Example:
        >>> monthly = pd.Series([f"01/{m:02d}/2020" for m in range(1, 13)] + ["01/01/2021"])
        >>> day_first(monthly)  # month first: twelve days of January, a year apart
        True
        >>> day_first(pd.Series(["01/01/2020", "01/02/2020", "01/03/2020"]))  # a tie
        False
        >>> day_first(pd.Series(["12.12.2019", "13.12.2019"]))
        True
    """
    if not len(text) or not _NUMERIC_DATE.match(text.iloc[0]):
        return False  # one value decides for ISO dates, without a pass over the column
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pandas' note that the format it found is day first
        month_first, day_first_ = (
            pd.to_datetime(text, errors="coerce", dayfirst=d) for d in (False, True)
        )
    failed = month_first.isna().sum(), day_first_.isna().sum()
    if failed[0] != failed[1]:
        return bool(failed[1] < failed[0])
    if month_first.equals(day_first_):
        return False  # the same dates either way (01/01/…)
    return bool(_grid_cells(day_first_) < _grid_cells(month_first))


def _grid_cells(times: pd.Series) -> float:
    """The span of ``times`` over their smallest step between distinct values (inf for one)."""
    t = np.unique(times.dropna().to_numpy(dtype="datetime64[ns]").astype(np.int64))
    return (t[-1] - t[0]) / np.diff(t).min() if len(t) > 1 else math.inf


def last_century(
    times: pd.DatetimeIndex, text: pd.Series, col: str
) -> tuple[pd.DatetimeIndex, list]:
    """Dates written with two-digit years (``Jan-70``, ``1/31/70``), read more than
    :data:`FUTURE_YEARS` years after today, moved a century back, and the note that says so
    (``[]`` where none moved): pandas reads ``70`` as 2070 (within 50 years of today) or
    1970 (a fixed pivot at 69) depending on the format; the history of a series lies in the
    past, so the century before is meant.

    Example:
        >>> text = pd.Series(["Jan-70", "Feb-70"])
        >>> times, notes = last_century(pd.DatetimeIndex(["2070-01-01", "2070-02-01"]), text, "m")
        >>> [str(t.date()) for t in times], notes
        (['1970-01-01', '1970-02-01'], ["read the two-digit years of column 'm' as 1970"])
    """
    if not len(text) or _FOUR_DIGITS.search(text.iloc[0]) or not len(times):
        return times, []
    limit = pd.Timestamp.now(tz=times.tz) + pd.DateOffset(years=FUTURE_YEARS)
    later = times > limit
    if not later.any():
        return times, []
    times = times.where(~later, times - pd.DateOffset(years=100))
    first, last = times.year.min(), times.year.max()
    years = f"{first}" if first == last else f"{first}–{last}"
    return times, [f"read the two-digit years of column {_quote(col)} as {years}"]
