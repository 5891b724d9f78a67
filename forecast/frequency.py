"""Frequencies: season length, default horizon and lookback, and human names.

Every function accepts a pandas offset alias (``"MS"``, ``"QS-JAN"``, ``"h"``,
``"30min"``, ``"W-SAT"``...) or a ``pandas.DateOffset``. A frequency is first
classified by its *kind* (yearly, quarterly, monthly, semi-monthly, weekly,
business-daily, daily, sub-daily) and its multiple ``n``; a fixed step that is a
whole number of days (``"24h"``, ``"2D"``) counts as daily.

Rules (``n`` is the multiple, e.g. 2 for ``"2MS"``):

=================  ===============  ==================  ==============
kind               season_length    default_horizon     freq_name
=================  ===============  ==================  ==============
yearly             1                5                   yearly
quarterly          4 / n            2 seasons (8)       quarterly
monthly            12 / n           1 season (12)       monthly
semi-monthly       24 / n           1 season (24)       semi-monthly
weekly             52 / n           13 / n (a quarter)  weekly
business-daily     5 / n            1 season (5)        business-daily
daily              7 / n            1 season (7)        daily
sub-daily (>=1m)   steps per day    1 season, <= 288    hourly, ...
sub-minute         steps per minute 1 season, <= 288    every 10 seconds
anything else      1                10                  every <alias>
=================  ===============  ==================  ==============

A season that does not divide evenly (``"5h"``: 24/5) is 1. ``default_lookback``
is ``max(2 * season, horizon)`` (a week at least for sub-daily data), capped so that at least
``max(8, n_rows // 4)`` training windows remain, and at least 1.

Example:
    >>> season_length("MS"), default_horizon("MS"), freq_name("MS")
    (12, 12, 'monthly')
    >>> season_length("30min"), default_horizon("30min"), freq_name("30min")
    (48, 48, 'half-hourly')
"""

from __future__ import annotations

import warnings

import pandas as pd
from pandas.tseries.frequencies import to_offset

from forecast.errors import DataError

__all__ = [
    "as_offset",
    "default_horizon",
    "default_lookback",
    "freq_kind",
    "freq_name",
    "season_length",
]

_DAY_S = 86_400
_MAX_SUBDAILY_HORIZON = 288

# (offset classes, kind) in the order they are tested; Day before the Tick classes.
_KINDS = (
    (
        (pd.offsets.YearBegin, pd.offsets.YearEnd, pd.offsets.BYearBegin, pd.offsets.BYearEnd),
        "yearly",
    ),
    (
        (
            pd.offsets.QuarterBegin,
            pd.offsets.QuarterEnd,
            pd.offsets.BQuarterBegin,
            pd.offsets.BQuarterEnd,
        ),
        "quarterly",
    ),
    (
        (
            pd.offsets.MonthBegin,
            pd.offsets.MonthEnd,
            pd.offsets.BusinessMonthBegin,
            pd.offsets.BusinessMonthEnd,
            pd.offsets.CustomBusinessMonthBegin,
            pd.offsets.CustomBusinessMonthEnd,
        ),
        "monthly",
    ),
    ((pd.offsets.SemiMonthBegin, pd.offsets.SemiMonthEnd), "semi-monthly"),
    ((pd.offsets.Week,), "weekly"),
    ((pd.offsets.BusinessDay, pd.offsets.CustomBusinessDay), "business-daily"),
)


def as_offset(freq: str | pd.DateOffset) -> pd.DateOffset:
    """Return ``freq`` as a ``pandas.DateOffset``.

    Args:
        freq: A pandas offset alias (``"MS"``, ``"h"``, ``"30min"``) or an offset.

    Returns:
        The offset.

    Raises:
        DataError: ``freq`` is not a valid pandas frequency.

    Example:
        >>> as_offset("QS").freqstr
        'QS-JAN'
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)  # 'M' for 'ME': the offset is the same
            return to_offset(freq)
    except (ValueError, TypeError):
        raise DataError(
            f"freq={freq!r} is not a pandas frequency alias "
            "(e.g. 'h', '30min', 'D', 'B', 'W-SAT', 'MS', 'QS', 'YS')"
        ) from None


def _fixed_seconds(offset: pd.DateOffset) -> float | None:
    """Seconds of a fixed-length step (Tick or Day), else None."""
    if isinstance(offset, pd.offsets.Tick | pd.offsets.Day):
        return pd.Timedelta(offset).total_seconds()
    return None


def freq_kind(freq: str | pd.DateOffset) -> tuple[str, int]:
    """Classify a frequency as ``(kind, n)``.

    Args:
        freq: Offset alias or offset.

    Returns:
        ``kind`` is one of ``"yearly"``, ``"quarterly"``, ``"monthly"``,
        ``"semi-monthly"``, ``"weekly"``, ``"business-daily"``, ``"daily"``,
        ``"sub-daily"`` (then ``n`` is the step in seconds, rounded) or ``"other"``;
        ``n`` is the multiple (``2`` for ``"2MS"``, days for ``"2D"``).

    Example:
        >>> freq_kind("2MS"), freq_kind("24h"), freq_kind("30min")
        (('monthly', 2), ('daily', 1), ('sub-daily', 1800))
    """
    offset = as_offset(freq)
    for classes, kind in _KINDS:
        if isinstance(offset, classes):
            return kind, abs(offset.n) or 1
    seconds = _fixed_seconds(offset)
    if seconds is not None and seconds > 0:
        if seconds % _DAY_S == 0:
            return "daily", int(seconds // _DAY_S)
        if 1 <= seconds < _DAY_S:
            return "sub-daily", round(seconds)
    return "other", abs(offset.n) or 1


def _per(total: float, step: float) -> int:
    """``total / step`` if it is a whole number > 1, else 1."""
    ratio = total / step
    return int(round(ratio)) if ratio >= 1 and abs(ratio - round(ratio)) < 1e-9 else 1


def season_length(freq: str | pd.DateOffset) -> int:
    """Steps in one seasonal cycle (the ``m`` of seasonal-naive and MASE).

    Args:
        freq: Offset alias or offset.

    Returns:
        12 monthly, 4 quarterly, 1 yearly, 52 weekly, 7 daily, 5 business-daily,
        24 hourly, 48 half-hourly, steps per day for other steps of a minute or
        more, steps per minute below a minute, 1 for anything else or when the
        multiple does not divide the cycle.

    Example:
        >>> [season_length(f) for f in ("MS", "QS", "YS", "W-SAT", "D", "B", "h", "15min")]
        [12, 4, 1, 52, 7, 5, 24, 96]
    """
    kind, n = freq_kind(freq)
    cycles = {
        "yearly": 1,
        "quarterly": 4,
        "monthly": 12,
        "semi-monthly": 24,
        "weekly": 52,
        "business-daily": 5,
        "daily": 7,
    }
    if kind in cycles:
        return _per(cycles[kind], n)
    if kind == "sub-daily":
        return _per(_DAY_S, n) if n >= 60 else _per(60, n)
    return 1


MAX_WEEK_STEPS = 672  # 15-minute data; finer data would need too long a lookback


def week_length(freq: str | pd.DateOffset) -> int | None:
    """Steps in one week for sub-daily data with a daily season, else None.

    Sub-daily series (load, traffic, footfall) usually repeat by the week as well as by
    the day: the second cycle the ``lstm`` model's naive base may use. None when the week
    has more than ``MAX_WEEK_STEPS`` steps.

    Args:
        freq: Offset alias or offset.

    Returns:
        168 hourly, 336 half-hourly, 672 every 15 minutes; None otherwise.

    Example:
        >>> [week_length(f) for f in ("h", "30min", "15min", "5min", "D", "MS")]
        [168, 336, 672, None, None, None]
    """
    kind, _ = freq_kind(freq)
    day = season_length(freq)
    if kind != "sub-daily" or day <= 1 or 7 * day > MAX_WEEK_STEPS:
        return None
    return 7 * day


def default_horizon(freq: str | pd.DateOffset) -> int:
    """Default number of steps to forecast.

    Args:
        freq: Offset alias or offset.

    Returns:
        One season (12 monthly, 7 daily, 5 business-daily, 24 hourly, 48 half-hourly),
        except: yearly 5, quarterly two seasons (8), weekly a quarter (13),
        sub-daily at most 288 steps, and 10 when the season is 1 otherwise.

    Example:
        >>> [default_horizon(f) for f in ("YS", "QS", "MS", "W-SAT", "D", "h", "30min", "min")]
        [5, 8, 12, 13, 7, 24, 48, 288]
    """
    kind, n = freq_kind(freq)
    season = season_length(freq)
    if kind == "yearly":
        return 5
    if kind == "quarterly":
        return 2 * season if season > 1 else 8
    if kind == "weekly":
        return max(1, 13 // n)
    if kind == "sub-daily":
        return min(season, _MAX_SUBDAILY_HORIZON) if season > 1 else 10
    return season if season > 1 else 10


def default_lookback(freq: str | pd.DateOffset, n_rows: int, horizon: int) -> int:
    """Default number of past steps the model sees.

    Rule: ``max(2 * season_length(freq), horizon)``, and at least one week for
    sub-daily data (:func:`week_length`), capped so that at least
    ``max(8, n_rows // 4)`` windows remain
    (``n_rows - lookback - horizon + 1 >= max(8, n_rows // 4)``), and never below 1.
    Pass the rows available for training; a series too short even for lookback 1 is
    reported later by :func:`forecast.data.check_length`.

    Args:
        freq: Offset alias or offset.
        n_rows: Rows available to cut training windows from.
        horizon: Steps to forecast.

    Returns:
        The lookback, >= 1.

    Example:
        >>> default_lookback("MS", 144, 12), default_lookback("h", 10_000, 24)
        (24, 168)
        >>> default_lookback("MS", 30, 12)  # capped: 30 - 12 + 1 - 8 = 11
        11
    """
    # two seasons, or the horizon if longer: on the protocol's tuning half a longer window
    # (twice the horizon, the rule until 2026-11) forecast worse (tourism mean MASE 0.969
    # at 16 quarters, 0.955 at 12, 0.931 at 8)
    want = max(2 * season_length(freq), int(horizon), week_length(freq) or 1)
    cap = int(n_rows) - int(horizon) + 1 - max(8, int(n_rows) // 4)
    return max(1, min(want, cap))


def freq_name(freq: str | pd.DateOffset) -> str:
    """Human words for a frequency.

    Args:
        freq: Offset alias or offset.

    Returns:
        ``"monthly"``, ``"quarterly"``, ``"hourly"``, ``"half-hourly"``,
        ``"every 15 minutes"``, ``"every 2 months"``...

    Example:
        >>> [freq_name(f) for f in ("MS", "QS", "YS", "W-SAT", "D", "B", "h", "30min", "15min", "2MS")]
        ['monthly', 'quarterly', 'yearly', 'weekly', 'daily', 'business-daily', 'hourly', 'half-hourly', 'every 15 minutes', 'every 2 months']
    """
    kind, n = freq_kind(freq)
    units = {
        "yearly": "years",
        "quarterly": "quarters",
        "monthly": "months",
        "semi-monthly": "half-months",
        "weekly": "weeks",
        "business-daily": "business days",
        "daily": "days",
    }
    if kind in units:
        return kind if n == 1 else f"every {n} {units[kind]}"
    if kind == "sub-daily":
        named = {3600: "hourly", 1800: "half-hourly", 60: "every minute", 1: "every second"}
        if n in named:
            return named[n]
        for size, unit in ((3600, "hours"), (60, "minutes")):
            if n % size == 0:
                return f"every {n // size} {unit}"
        return f"every {n} seconds"
    return f"every {as_offset(freq).freqstr!r}"


def future_index(index: pd.DatetimeIndex, horizon: int) -> pd.DatetimeIndex:
    """The ``horizon`` timestamps after the last one of ``index``, at its frequency.

    Example:
        >>> idx = pd.date_range("2020-01-01", periods=3, freq="MS", name="date")
        >>> [str(t.date()) for t in future_index(idx, 2)], future_index(idx, 2).name
        (['2020-04-01', '2020-05-01'], 'date')
    """
    future = pd.date_range(index[-1], periods=horizon + 1, freq=index.freq)[1:]
    future.name = index.name
    return future
