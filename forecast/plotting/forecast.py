"""Forecast plots: history, point forecast and interval band; a grid of series."""

from __future__ import annotations

from collections.abc import Sequence
from numbers import Integral, Real
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from forecast.columns import forecast_targets, interval_columns, is_bound

if TYPE_CHECKING:  # pragma: no cover - typing only, never imported at run time
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

from forecast.plotting._common import (
    _as_datetime_index,
    _axes,
    _check_level,
    _date_axis,
    _names,
    _pick_series,
    _x,
)

# ----------------------------------------------------------------------------- forecast


def _select_forecast(forecast: Any, series_id: Any) -> tuple[pd.DataFrame, Any, Any]:
    """The one-series forecast frame, the id drawn (or None) and the id level's name."""
    if not isinstance(forecast, pd.DataFrame):
        raise ValueError(
            f"forecast must be a DataFrame (the output of Forecaster.predict), "
            f"not {type(forecast).__name__}"
        )
    if isinstance(forecast.index, pd.MultiIndex):
        if forecast.index.nlevels != 2:
            raise ValueError(
                "a long-format forecast must be indexed by (id, time), "
                f"not {forecast.index.nlevels} levels"
            )
        ids = forecast.index.get_level_values(0).unique()
        sid = _pick_series(ids, series_id, "the forecast's ids")
        return forecast.xs(sid, level=0), sid, forecast.index.names[0]
    return forecast, None, None


def _select_history(history: Any, series_id: Any, target: str) -> pd.Series:
    """The target's observations of one series as a float Series on a DatetimeIndex."""
    frames = history if isinstance(history, dict) else getattr(history, "frames", None)
    if isinstance(frames, dict):  # {id: frame}, or a forecast.data.SeriesData
        key = None if None in frames else _pick_series(frames, series_id, "the history's ids")
        history = frames[key]
    if isinstance(history, pd.DataFrame | pd.Series) and isinstance(history.index, pd.MultiIndex):
        if history.index.nlevels != 2:
            raise ValueError("a long-format history must be indexed by (id, time)")
        ids = history.index.get_level_values(0).unique()
        history = history.xs(_pick_series(ids, series_id, "the history's ids"), level=0)
    if isinstance(history, pd.DataFrame):
        if target not in history.columns:
            raise ValueError(
                f"history has no column {target!r} (columns: {_names(history.columns)}); "
                "pass target= or the history the forecast was made from"
            )
        series = history[target]
    elif isinstance(history, pd.Series):
        series = history
    else:
        raise ValueError(
            f"history must be a DataFrame or Series with a DatetimeIndex, "
            f"not {type(history).__name__}"
        )
    index = _as_datetime_index(series.index, "history")
    try:
        values = series.to_numpy(dtype=float)
    except (TypeError, ValueError) as err:
        raise ValueError(f"history column {target!r} is not numeric: {err}") from None
    return pd.Series(values, index=index, name=target).sort_index()


def plot_forecast(
    history: pd.DataFrame | pd.Series,
    forecast: pd.DataFrame,
    ax: Axes | None = None,
    last: int | None = None,
    target: str | None = None,
    level: float | None = None,
    series_id: Any = None,
) -> Axes:
    """Plot the history, the point forecast and its prediction-interval band.

    Draws the history as a line, the point forecast as a second line that
    starts at the first future timestamp, a shaded band from ``T_lower`` to
    ``T_upper``, and a dashed vertical line at the forecast start. The x axis
    shows dates, the axes are labelled (x: the time index's name or ``"time"``,
    y: the target) and a legend names each part.

    History that reaches past the forecast start (for example the full data
    when the forecast was made from the training end) is split: observations
    before the start are drawn as "history", those inside the forecast range
    as "actual", so that the forecast can be compared with what happened.

    Long format: when ``forecast`` has a MultiIndex ``(id, time)``, the series
    ``series_id`` is drawn (default: the first id). ``history`` may then be
    indexed by ``(id, time)`` too (the same series is selected), be a
    ``forecast.data.SeriesData`` (its frame for that id), or already be the one
    series' frame.

    Args:
        history: observations, shape ``(n_times, n_columns)``: a DataFrame with
            a DatetimeIndex and the target column(s), a Series (drawn whatever
            its name), a DataFrame indexed by ``(id, time)``, or a SeriesData.
        forecast: the output of ``Forecaster.predict``, shape
            ``(horizon, 3 * n_targets)``: indexed by the future timestamps (or
            ``(id, time)``), with columns ``T``, ``T_lower``, ``T_upper`` for
            each target ``T``.
        ax: the Axes to draw on; a new figure's Axes when None.
        last: show only the last ``last`` observations of history (>= 1);
            all of it when None.
        target: which target ``T`` to draw; the forecast's first target when
            None.
        level: the interval's level in percent, used in the legend
            (``"80% interval"``); ``forecast.attrs["level"]`` when None and set.
        series_id: for a long-format forecast, the id of the series to draw.

    Returns:
        The Axes drawn on.

    Raises:
        ValueError: when an input lacks a column, a DatetimeIndex, or a series,
            or ``last``/``level`` are out of range. The message names what is
            missing.

    Example:
        >>> import numpy as np, pandas as pd
        >>> idx = pd.date_range("2024-01-01", periods=24, freq="MS", name="month")
        >>> hist = pd.DataFrame({"y": np.arange(24.0)}, index=idx)
        >>> fut = pd.date_range("2026-01-01", periods=6, freq="MS", name="month")
        >>> fc = pd.DataFrame({"y": np.full(6, 24.0), "y_lower": np.full(6, 20.0),
        ...                    "y_upper": np.full(6, 28.0)}, index=fut)
        >>> ax = plot_forecast(hist, fc, last=12, level=80)
        >>> ax.get_xlabel(), ax.get_ylabel()
        ('month', 'y')
        >>> [t.get_text() for t in ax.get_legend().get_texts()]
        ['history', 'forecast', '80% interval']
    """
    fc, sid, id_name = _select_forecast(forecast, series_id)
    targets = forecast_targets(fc.columns)
    if target is None:
        plain = [c for c in fc.columns if not is_bound(c)]
        if not targets and plain:  # name what the first target lacks (below)
            targets = plain[:1]
        if not targets:
            raise ValueError(
                "forecast has no target columns: expected T, T_lower and T_upper for a "
                f"target T (columns: {_names(fc.columns)})"
            )
        target = targets[0]
    missing = [c for c in interval_columns(target) if c not in fc.columns]
    if missing:
        raise ValueError(
            f"forecast is missing column(s) {_names(missing)} for target {target!r} "
            f"(columns: {_names(fc.columns)})"
        )
    if last is not None and (isinstance(last, bool) or not isinstance(last, Integral) or last < 1):
        raise ValueError(f"last must be a positive number of periods, not {last!r}")
    _check_level(level)
    if level is None:
        level = fc.attrs.get("level") if isinstance(fc.attrs.get("level"), Real) else None

    fc_index = _as_datetime_index(fc.index, "forecast")
    if len(fc_index) == 0:
        raise ValueError("forecast has no rows")
    order = np.argsort(fc_index.to_numpy(), kind="stable")
    fc_index = fc_index[order]
    try:
        point, lower, upper = (fc[c].to_numpy(dtype=float)[order] for c in interval_columns(target))
    except (TypeError, ValueError) as err:
        raise ValueError(f"forecast columns for {target!r} are not numeric: {err}") from None
    if np.any(lower > upper):
        raise ValueError(f"forecast column {target}_lower exceeds {target}_upper")

    hist = _select_history(history, sid, target)
    if (hist.index.tz is None) != (fc_index.tz is None):
        raise ValueError("history and forecast must both have time zones, or neither")
    start, end = fc_index[0], fc_index[-1]
    before = hist[hist.index < start]
    actual = hist[(hist.index >= start) & (hist.index <= end)]
    if before.empty:
        raise ValueError(f"history has no observation before the forecast start {start}")
    if last is not None:
        before = before.iloc[-last:]

    ax = _axes(ax)
    x_fc = _x(fc_index)
    ax.plot(_x(before.index), before.to_numpy(), color="C0", label="history", gid="history")
    if not actual.empty:
        ax.plot(
            _x(actual.index),
            actual.to_numpy(),
            color="C0",
            linestyle=":",
            label="actual",
            gid="actual",
        )
    marker = "o" if len(x_fc) < 3 else None
    ax.plot(x_fc, point, color="C1", marker=marker, label="forecast", gid="forecast")
    band_label = f"{level:g}% interval" if level is not None else "prediction interval"
    band = ax.fill_between(x_fc, lower, upper, color="C1", alpha=0.25, label=band_label)
    band.set_gid("interval")
    if len(x_fc) == 1:  # a one-step band has no width: draw it as a bar
        ax.vlines(x_fc, lower, upper, color="C1", alpha=0.5, linewidth=3)
    ax.axvline(x_fc[0], color="0.5", linestyle="--", linewidth=1, gid="forecast-start")

    _date_axis(ax, fc_index.tz)
    ax.set_xlabel(hist.index.name or fc_index.name or "time")
    ax.set_ylabel(str(target))
    if sid is not None:
        ax.set_title(f"{id_name or 'id'} = {sid}")
    ax.legend(loc="best")
    return ax


def plot_forecast_grid(
    history,
    forecast: pd.DataFrame,
    series_ids: Sequence[Any],
    fig: Figure | None = None,
    ncols: int = 3,
    last: int | None = None,
    target: str | None = None,
    level: float | None = None,
) -> np.ndarray:
    """:func:`plot_forecast` for several series of a long-format forecast, one panel each.

    Args:
        history: ``{id: frame}``, a :class:`forecast.data.SeriesData`, or a long frame
            indexed by ``(id, time)``.
        forecast: a long-format forecast indexed by ``(id, time)``.
        series_ids: the series to draw, in order; each panel is titled with its id.
        fig: the matplotlib Figure to draw on (default: a new one sized to the grid).
        ncols: panels per row.
        last, target, level: as in :func:`plot_forecast`.

    Returns:
        The ``(rows, ncols)`` array of Axes; panels beyond the series are hidden.

    Example:
        >>> import numpy as np, pandas as pd
        >>> t = pd.date_range("2020-01-01", periods=8, freq="D", name="date")
        >>> hist = {k: pd.DataFrame({"y": np.arange(8.0) * s}, index=t) for k, s in
        ...         (("a", 1), ("b", 10))}
        >>> fut = pd.date_range("2020-01-09", periods=2, freq="D", name="date")
        >>> fc = pd.concat({k: pd.DataFrame({"y": [8.0 * s] * 2, "y_lower": [7.0 * s] * 2,
        ...                                  "y_upper": [9.0 * s] * 2}, index=fut)
        ...                 for k, s in (("a", 1), ("b", 10))}, names=["id", "date"])
        >>> axes = plot_forecast_grid(hist, fc, ["a", "b"], ncols=2)
        >>> [ax.get_title() for ax in axes.flat]
        ['id = a', 'id = b']
    """
    from matplotlib.figure import Figure

    series_ids = list(series_ids)
    if not series_ids:
        raise ValueError("series_ids is empty: name at least one series")
    ncols = max(1, min(int(ncols), len(series_ids)))
    nrows = -(-len(series_ids) // ncols)
    if fig is None:
        fig = Figure(figsize=(4.5 * ncols, 3.2 * nrows), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False)
    for ax, sid in zip(axes.flat, series_ids, strict=False):
        plot_forecast(
            history, forecast, ax=ax, last=last, target=target, level=level, series_id=sid
        )
    for ax in axes.flat[len(series_ids) :]:
        ax.set_visible(False)
    return axes
