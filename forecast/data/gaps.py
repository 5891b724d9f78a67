"""The gaps policy: put a series on its regular grid and fill what is missing (or refuse).

``_common_offset`` finds the grid's frequency for every series of a panel, ``_fill`` applies
the policy to each; in a lenient panel (``strict=False``) a series that fails either is
left out and named, and the others go on.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecast.data.container import _names, _plural, _quote, _setting, _stamp
from forecast.data.frequency import (
    _MAX_GRID_FACTOR,
    _grid,
    _infer_offset,
    _month_day,
    _to_month_starts,
)
from forecast.data.series import _Series
from forecast.errors import DataError
from forecast.frequency import freq_name

GAPS = ("error", "interpolate", "ffill")


def _check_gaps(gaps: str, source: str) -> None:
    if gaps not in GAPS:
        raise DataError(f"{source}: {_setting('gaps', gaps)} is not one of {', '.join(GAPS)}")


def _nan_sentence(counts: np.ndarray, columns: list[str], limit: int = 5) -> list[str]:
    """``["2 NaN values in 'y'", ...]``; past ``limit`` columns, one summary part."""
    items = [(int(n), c) for n, c in zip(counts, columns, strict=True) if n]
    parts = [f"{_plural(n, 'NaN value')} in {_quote(c)}" for n, c in items[:limit]]
    rest = items[limit:]
    if rest:
        total = sum(n for n, _ in rest)
        parts.append(f"{_plural(total, 'NaN value')} in {len(rest)} more columns")
    return parts


def _apply_gaps(
    s: _Series, offset: pd.DateOffset, gaps: str, time_col: str, columns: list[str], n_targets: int
) -> tuple[pd.DataFrame, list[str]]:
    """Put one series on the regular grid and fill it per the gaps policy.

    ``columns`` are the targets, then the covariates; the first ``n_targets`` are targets.
    """
    where, times = s.where, s.times
    grid = _grid(times, offset)
    if grid is None or not offset.is_on_offset(times[0]) or not times.isin(grid).all():
        if grid is None:
            raise DataError(
                f"{where()}: frequency {offset.freqstr!r} would make more than "
                f"{_MAX_GRID_FACTOR} times as many rows as the {len(times)} given; check freq="
            )
        off = np.flatnonzero(~times.isin(grid))
        pos = int(off[0]) if len(off) else 0
        raise DataError(
            f"{where(pos)}: timestamp {_stamp(times[pos])} in column {_quote(time_col)} is not on "
            f"the {freq_name(offset)} grid {offset.freqstr!r}; check freq= or the dates"
        )
    grid = grid.rename(time_col)
    present = grid.isin(times)
    n_missing = int((~present).sum())
    nan = np.isnan(s.values)
    report = [f"sorted the rows by {_quote(time_col)}"] if s.sorted_rows else []

    if gaps == "error":
        if n_missing:
            first = grid[~present][0]
            before = int(times.searchsorted(first)) - 1
            raise DataError(
                f"{where()}: {_plural(n_missing, 'missing timestamp')} in column {_quote(time_col)} "
                f"(first {_stamp(first)}, after {where.line(before)}); "
                "fill them with gaps='interpolate' or gaps='ffill'"
            )
        if nan.any():
            pos, col = (int(i) for i in np.argwhere(nan)[0])
            raise DataError(
                f"{where(pos)}: empty value in column {_quote(columns[col])}; fill it in, "
                "or use gaps='interpolate' or gaps='ffill'"
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
            f"where {_names(lacking, 5, show=_quote)} had no value yet"
        )
        values, grid, present = values[start:], grid[start:], present[start:]
    # rows after the last target value are placeholders (a sheet's future rows), not data
    targets = columns[:n_targets]
    end = len(values) - int(np.argmax(~np.isnan(values[::-1, :n_targets]).all(axis=1)))
    if end < len(values):
        report.append(
            f"dropped {_plural(len(values) - end, 'trailing row')} (after {_stamp(grid[end - 1])}) "
            f"where {_names(targets, 5, show=_quote)} had no value"
        )
        values, grid, present = values[:end], grid[:end], present[:end]
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
                f"carried the last value of {_quote(c)} forward over {_plural(int(n), 'trailing row')}"
                for n, c in zip(trailing, columns, strict=True)
                if n
            )
        else:
            frame = frame.ffill()
    frame.index = pd.DatetimeIndex(frame.index, freq=offset)
    return frame, report


def _month_starts(series: list[_Series], offset: pd.DateOffset | None, time_col: str) -> list:
    """Moves the dates of every series dated on one day of the month (2 to 28) to the 1st,
    where that makes them monthly, quarterly or yearly (``offset``'s frequency, if given):
    pandas has no frequency for mid-month dates. Returns the note for the report.
    """
    moved: dict[int, int] = {}  # day -> series
    for s in series:
        day = _month_day(s.times, offset)
        if day:
            s.times = _to_month_starts(s.times)
            moved[day] = moved.get(day, 0) + 1
    if not moved:
        return []
    days = " or ".join(str(d) for d in sorted(moved))
    n = sum(moved.values())
    of = f" of {n} series" if len(series) > 1 else ""
    return [
        f"moved the dates in {_quote(time_col)}{of}, on day {days} of their month, to the 1st "
        "(pandas has no frequency for mid-month dates); forecasts are dated the 1st too"
    ]


def _common_offset(
    series: list[_Series], source: str, time_col: str, skipped: list | None
) -> tuple[pd.DateOffset, list[_Series]]:
    """The one frequency inferred for every series, and the series kept.

    With ``skipped`` (a lenient panel), the frequency of the most series; a series of
    another one is left out (in ``skipped``) instead of failing the panel.
    """
    found: dict[str, list[_Series]] = {}
    for s in series:
        s.offset, s.why = _infer_offset(s.times)
        if s.offset is not None:
            found.setdefault(s.offset.freqstr, []).append(s)
    if not found:
        s = series[0]
        raise DataError(
            f"{s.where()}: cannot infer the frequency of column {_quote(time_col)} {s.why}; "
            "give it with freq= (e.g. 'h', 'D', 'W-SAT', 'MS', 'QS', 'YS')"
        )
    if len(found) > 1 and skipped is None:
        (fa, (sa, *_)), (fb, (sb, *_)) = list(found.items())[:2]
        raise DataError(
            f"{source}: series {_quote(sa.key)} is {freq_name(fa)} ({fa!r}) but series "
            f"{_quote(sb.key)} is {freq_name(fb)} ({fb!r}); give one freq= or split the file"
        )
    most = max(found.values(), key=len)  # the first found among equals
    offset = most[0].offset
    for s in series:
        if s.offset is not None and s.offset.freqstr != offset.freqstr:
            skipped.append(
                (
                    s.key,
                    DataError(
                        f"{s.where()}: {freq_name(s.offset)} ({s.offset.freqstr!r}) unlike "
                        f"{len(most)} of {len(series)} series, which are {freq_name(offset)} "
                        f"({offset.freqstr!r}); give one freq= or split the file"
                    ),
                )
            )
    kept = [s for s in series if s.offset is None or s.offset.freqstr == offset.freqstr]
    return offset, kept


def _fill(
    series: list[_Series],
    offset: pd.DateOffset,
    gaps: str,
    time_col: str,
    columns: list[str],
    n_targets: int,
    skipped: list | None,
) -> tuple[dict[str | None, pd.DataFrame], list[str]]:
    """The gaps policy on every series; the frames and the report (prefixed per series)."""
    frames: dict[str | None, pd.DataFrame] = {}
    report: list[str] = []
    for s in series:
        try:
            frame, notes = _apply_gaps(s, offset, gaps, time_col, columns, n_targets)
        except DataError as error:
            if skipped is None:
                raise
            skipped.append((s.key, error))
            continue
        frames[s.key] = frame
        prefix = f"series {_quote(s.key)}: " if s.key is not None else ""
        report.extend(prefix + note for note in notes)
    return frames, report
