"""Inferring the regular frequency of a series from its timestamps.

What a frequency *means* (season lengths, default horizons) lives in
:mod:`forecast.frequency`; this module only finds it.
"""

from __future__ import annotations

import warnings

import pandas as pd

from forecast.data.container import _plural

_MAX_GRID_FACTOR = 100  # a frequency may not create more than 100x the given rows


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
    # datetime, not Timedelta: in nanoseconds (pandas 2) a Timedelta overflows past 292 years
    span = last.to_pydatetime(warn=False) - first.to_pydatetime(warn=False)
    steps = span.total_seconds() / step
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


_STARTS = (pd.offsets.MonthBegin, pd.offsets.QuarterBegin, pd.offsets.YearBegin)


def _month_day(times: pd.DatetimeIndex, offset: pd.DateOffset | None = None) -> int:
    """The day of the month, 2 to 28, on which every one of ``times`` falls at midnight,
    when that day is their only irregularity: moved back to the 1st, they are on a grid of
    months, quarters or years (``offset``'s, if given); else 0.

    Monthly data dated mid-month (``2020-01-15``, ``2020-02-15``) has no frequency of its
    own in pandas: the caller reads it as the months it falls in (:func:`_to_month_starts`).

    Example:
        >>> _month_day(pd.DatetimeIndex(["2020-01-15", "2020-02-15", "2020-03-15"]))
        15
        >>> _month_day(pd.DatetimeIndex(["2020-01-15", "2020-02-14", "2020-03-15"]))
        0
    """
    days = times.day
    if len(times) < 2 or days[0] < 2 or days[0] > 28 or (days != days[0]).any():
        return 0
    if (times != times.normalize()).any():
        return 0
    starts = _to_month_starts(times)
    found = offset if offset is not None else _infer_offset(starts)[0]
    if not isinstance(found, _STARTS) or not _on_grid(starts, found):
        return 0
    return int(days[0])


def _to_month_starts(times: pd.DatetimeIndex) -> pd.DatetimeIndex:
    """``times`` moved back to the first day of their month (time of day, zone and name kept)."""
    return times - pd.to_timedelta(times.day - 1, unit="D")


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
