"""Calendar features: known-future covariates computed from timestamps alone.

Each feature is a cycle encoded as ``sin(2*pi*phase)`` and ``cos(2*pi*phase)``
with ``phase`` in ``[0, 1)``, so that the end of a cycle sits next to its start.
They depend on the timestamp only (its local wall-clock time for tz-aware
indexes), hence are known for future timestamps too. Which cycles are used
depends on the frequency kind (see :func:`forecast.frequency.freq_kind`):

==============  ==================================================
kind            cycles
==============  ==================================================
sub-daily       hour of day, day of week, day of year
daily           day of week, day of year (also business-daily)
weekly          day of year, month of year (also semi-monthly)
monthly         month of year
quarterly       quarter of year
yearly          none
other           by the length of one step, as the nearest kind above
==============  ==================================================

Phases: hour of day ``(hour + minute/60 + second/3600) / 24``; day of week
``weekday / 7`` (Monday 0); day of year ``(dayofyear - 1) / days_in_year``;
month of year ``(month - 1) / 12``; quarter ``(quarter - 1) / 4``.

Example:
    >>> import pandas as pd
    >>> idx = pd.date_range("2024-01-01", periods=3, freq="MS")
    >>> calendar_features(idx, "MS").round(3).to_dict("list")
    {'cal_month_of_year_sin': [0.0, 0.5, 0.866], 'cal_month_of_year_cos': [1.0, 0.866, 0.5]}
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecast.frequency import as_offset, freq_kind

__all__ = ["calendar_feature_names", "calendar_features"]

_CYCLES = {
    "sub-daily": ("hour_of_day", "day_of_week", "day_of_year"),
    "daily": ("day_of_week", "day_of_year"),
    "business-daily": ("day_of_week", "day_of_year"),
    "weekly": ("day_of_year", "month_of_year"),
    "semi-monthly": ("day_of_year", "month_of_year"),
    "monthly": ("month_of_year",),
    "quarterly": ("quarter_of_year",),
    "yearly": (),
}


def _cycles(freq) -> tuple[str, ...]:
    kind, _ = freq_kind(freq)
    if kind == "other":
        start = pd.Timestamp("2001-01-01")
        days = ((start + as_offset(freq)) - start) / pd.Timedelta(1, "D")
        for limit, name in ((1, "sub-daily"), (7, "daily"), (28, "weekly"), (89, "monthly")):
            if days < limit:
                return _CYCLES[name]
        return _CYCLES["quarterly" if days < 365 else "yearly"]
    return _CYCLES[kind]


def calendar_feature_names(freq: str | pd.DateOffset) -> list[str]:
    """Column names :func:`calendar_features` returns for ``freq``.

    Args:
        freq: Pandas offset alias or offset.

    Returns:
        ``cal_<cycle>_sin``, ``cal_<cycle>_cos`` for each cycle of the frequency.

    Example:
        >>> calendar_feature_names("D")
        ['cal_day_of_week_sin', 'cal_day_of_week_cos', 'cal_day_of_year_sin', 'cal_day_of_year_cos']
        >>> calendar_feature_names("YS")
        []
    """
    return [f"cal_{cycle}_{fn}" for cycle in _cycles(freq) for fn in ("sin", "cos")]


def _phase(index: pd.DatetimeIndex, cycle: str) -> np.ndarray:
    if cycle == "hour_of_day":
        hours = index.hour + index.minute / 60 + index.second / 3600
        return np.asarray(hours, dtype=np.float64) / 24
    if cycle == "day_of_week":
        return np.asarray(index.day_of_week, dtype=np.float64) / 7
    if cycle == "day_of_year":
        days = np.where(index.is_leap_year, 366.0, 365.0)
        return (np.asarray(index.day_of_year, dtype=np.float64) - 1) / days
    if cycle == "month_of_year":
        return (np.asarray(index.month, dtype=np.float64) - 1) / 12
    return (np.asarray(index.quarter, dtype=np.float64) - 1) / 4  # quarter_of_year


def calendar_features(index: pd.DatetimeIndex, freq: str | pd.DateOffset) -> pd.DataFrame:
    """Sin/cos calendar features of every timestamp.

    Args:
        index: Timestamps ``(T,)`` (past or future).
        freq: Pandas offset alias or offset of the series.

    Returns:
        DataFrame ``(T, len(calendar_feature_names(freq)))`` of float64 in ``[-1, 1]``,
        indexed by ``index``; no columns for yearly data.

    Example:
        >>> import pandas as pd
        >>> idx = pd.date_range("2024-01-01 06:00", periods=2, freq="6h")
        >>> calendar_features(idx, "6h")[["cal_hour_of_day_sin", "cal_hour_of_day_cos"]].round(3).values.tolist()
        [[1.0, 0.0], [0.0, -1.0]]
    """
    index = pd.DatetimeIndex(index)
    columns: dict[str, np.ndarray] = {}
    for cycle in _cycles(freq):
        angle = 2 * np.pi * _phase(index, cycle)
        columns[f"cal_{cycle}_sin"] = np.sin(angle)
        columns[f"cal_{cycle}_cos"] = np.cos(angle)
    frame = pd.DataFrame(columns, index=index, dtype=np.float64)
    return frame.reindex(columns=calendar_feature_names(freq))
