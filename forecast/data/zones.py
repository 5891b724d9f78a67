"""Timestamps whose UTC offsets differ: local time across a change of daylight saving time.

A file exported in local time with its offsets (``2020-10-25 02:00+02:00``, an hour later
``2020-10-25 02:00+01:00``) names every instant exactly but no one zone, so a regular
index needs one reading of it:

* **in UTC**, where the times of day differ (sub-daily data): the offsets are subtracted,
  and the hours are regular again (local time repeats an hour in autumn and skips one in
  spring);
* **as local dates**, where every value has the same time of day (daily or coarser data,
  written at local midnight): the offsets are dropped, since in UTC the days would be 23
  and 25 hours long.

Either reading is reported. Values of which some carry an offset and some not stay an
error (:mod:`forecast.data.inference`): which zone the others are in is a guess.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from forecast.data.container import _quote

TZ_SUFFIX = re.compile(r"\d:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)$")
"""A time of day, then its UTC offset (the group): ``13:00+01:00``, ``13:00:00Z``."""


def split_offsets(text: pd.Series) -> tuple[pd.Series, np.ndarray] | None:
    """The text without its UTC offsets and the offsets in minutes, where every value ends
    in an offset and they differ; ``None`` otherwise (one offset: pandas keeps it).

    Args:
        text: Stripped date strings (no empty value).

    Returns:
        ``(wall time text, offsets (n,) int minutes)`` or ``None``.

    Example:
        >>> wall, minutes = split_offsets(pd.Series(["2020-10-25 02:00+02:00", "2020-10-25 02:00+01"]))
        >>> wall.tolist(), minutes.tolist()
        (['2020-10-25 02:00', '2020-10-25 02:00'], [120, 60])
        >>> split_offsets(pd.Series(["2020-01-01 00:00+01:00", "2020-01-01 01:00+01:00"])) is None
        True
        >>> split_offsets(pd.Series(["2020-01-01", "2020-01-02"])) is None  # dates, no offset
        True
    """
    if not len(text) or not TZ_SUFFIX.search(text.iloc[0]):
        return None  # the first value decides for most files, without a pass over the column
    found = text.str.extract(TZ_SUFFIX, expand=False)
    if found.isna().any() or (found == found.iloc[0]).all():
        return None
    digits = found.str.replace(":", "").str.removeprefix("Z")  # Z: hours and minutes 0
    sign = np.where(digits.str.startswith("-"), -1, 1)
    hours = pd.to_numeric(digits.str[1:3], errors="coerce").fillna(0).to_numpy(int)
    mins = pd.to_numeric(digits.str[3:5], errors="coerce").fillna(0).to_numpy(int)
    minutes = sign * (60 * hours + mins)
    if (minutes == minutes[0]).all():
        return None
    cut = [value[: len(value) - n] for value, n in zip(text, found.str.len(), strict=True)]
    return pd.Series(cut, index=text.index).str.rstrip(), minutes


def resolve(wall: pd.DatetimeIndex, minutes: np.ndarray, col: str) -> tuple[pd.DatetimeIndex, str]:
    """One reading of local times ``wall`` with their UTC offsets ``minutes``, and the note
    that says which (see the module's docstring).

    Example:
        >>> wall = pd.DatetimeIndex(["2020-10-25 01:00", "2020-10-25 02:00", "2020-10-25 02:00"])
        >>> times, note = resolve(wall, np.array([120, 120, 60]), "time")
        >>> [str(t) for t in times]
        ['2020-10-24 23:00:00+00:00', '2020-10-25 00:00:00+00:00', '2020-10-25 01:00:00+00:00']
        >>> note
        "read column 'time' in UTC (its times carry several UTC offsets: +02:00, +01:00)"
    """
    distinct = pd.unique(minutes)
    offsets = ", ".join(_offset_text(m) for m in distinct[:4]) + (" …" if len(distinct) > 4 else "")
    why = f"(its times carry several UTC offsets: {offsets})"
    time_of_day = wall - wall.normalize()
    if (time_of_day == time_of_day[0]).all():
        return wall, f"read column {_quote(col)} as local dates {why}"
    utc = (wall - pd.to_timedelta(minutes, unit="min")).tz_localize("UTC")
    return utc, f"read column {_quote(col)} in UTC {why}"


def _offset_text(minutes: int) -> str:
    sign = "-" if minutes < 0 else "+"
    hours, mins = divmod(abs(int(minutes)), 60)
    return f"{sign}{hours:02d}:{mins:02d}"
