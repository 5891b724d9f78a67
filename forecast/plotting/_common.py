"""Helpers shared by the plots: Axes, date axes, series selection, checks."""

from __future__ import annotations

from collections.abc import Sequence
from numbers import Real
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # pragma: no cover - typing only, never imported at run time
    from matplotlib.axes import Axes


# ----------------------------------------------------------------------------- helpers


def _axes(ax: Axes | None, figsize: tuple[float, float] = (9.0, 4.0)) -> Axes:
    """Return ``ax``, or the Axes of a new pyplot figure when ``ax`` is None."""
    from matplotlib.axes import Axes

    if ax is None:
        from matplotlib import pyplot as plt

        _, ax = plt.subplots(figsize=figsize, layout="constrained")
        return ax
    if not isinstance(ax, Axes):
        raise ValueError(f"ax must be a matplotlib Axes or None, not {type(ax).__name__}")
    return ax


def _x(index: pd.DatetimeIndex) -> np.ndarray:
    """Timestamps as naive UTC ``datetime64`` values that matplotlib understands."""
    if index.tz is not None:
        index = index.tz_convert("UTC").tz_localize(None)
    return index.to_numpy()


def _date_axis(ax: Axes, tz: Any = None) -> None:
    """Put an auto date locator and a concise date formatter on the x axis."""
    import matplotlib.dates as mdates

    locator = mdates.AutoDateLocator(tz=tz)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator, tz=tz))


def _as_datetime_index(index: pd.Index, what: str) -> pd.DatetimeIndex:
    if isinstance(index, pd.PeriodIndex):
        return index.to_timestamp()
    if not isinstance(index, pd.DatetimeIndex):
        raise ValueError(
            f"{what} must be indexed by timestamps (a DatetimeIndex), "
            f"not {type(index).__name__}; set the time column as the index"
        )
    return index


def _names(values: Sequence[Any]) -> str:
    return ", ".join(repr(v) for v in values)


def _pick_series(values: Sequence[Any], series_id: Any, what: str) -> Any:
    """The id in ``values`` that matches ``series_id`` (also as text); first one if None."""
    values = list(values)
    if not values:
        raise ValueError(f"{what} is empty")
    if series_id is None:
        return values[0]
    for value in values:
        if value == series_id or str(value) == str(series_id):
            return value
    raise ValueError(f"series_id {series_id!r} not found in {what} (ids: {_names(values[:10])})")


def _check_level(level: Any) -> None:
    if level is None:
        return
    if isinstance(level, bool) or not isinstance(level, Real) or not 0 < level < 100:
        raise ValueError(f"level must be a percentage between 0 and 100, not {level!r}")
