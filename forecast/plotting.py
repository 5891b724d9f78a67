"""Plots of forecasts, backtests and LSTM gates: data in, Axes (or Figure) out.

Each function takes plain numpy/pandas data, draws on the Axes (or Figure) it
is given or on a new one, and returns it; none calls ``plt.show()``. Matplotlib
is imported only when a function is called, so ``import forecast.plotting``
stays cheap and needs no display.

When no ``ax``/``fig`` is passed, a new figure is made with pyplot (so that it
shows up in a notebook); pyplot falls back to the non-interactive Agg backend
on a machine without a display. Code that must not touch pyplot at all (a
server, the command line) can pass its own Axes::

    from matplotlib.figure import Figure

    ax = plot_forecast(history, forecast, ax=Figure(layout="constrained").subplots())
    ax.figure.savefig("forecast.png")

Functions:
    plot_forecast: history, point forecast and its interval band.
    plot_backtest: actuals and each fold's forecasts of a rolling-origin backtest.
    plot_gates: an LSTM's gate activations and cell state over time.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from numbers import Integral, Real
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from forecast.columns import forecast_targets, interval_columns, is_bound

if TYPE_CHECKING:  # pragma: no cover - typing only, never imported at run time
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["plot_backtest", "plot_forecast", "plot_forecast_grid", "plot_gates"]

_BACKTEST_COLUMNS = ("cutoff", "time", "target", "actual", "model", "forecast")
_BACKTEST_KNOWN = frozenset((*_BACKTEST_COLUMNS, "lower", "upper"))
_GATES = (
    ("forget", "forget gate $f_t$"),
    ("input", "input gate $i_t$"),
    ("output", "output gate $o_t$"),
)
_TRACE_KEYS = ("forget", "input", "candidate", "output", "cell", "hidden")


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


# ----------------------------------------------------------------------------- backtest


def _backtest_id_col(results: pd.DataFrame, id_col: str | None) -> str | None:
    if id_col is not None:
        if id_col not in results.columns:
            raise ValueError(f"results has no id column {id_col!r}")
        return id_col
    candidates = [
        c
        for c in results.columns
        if c not in _BACKTEST_KNOWN and not pd.api.types.is_numeric_dtype(results[c])
    ]
    if len(candidates) > 1:
        raise ValueError(
            f"results has several possible id columns ({_names(candidates)}); pass id_col="
        )
    return candidates[0] if candidates else None


def plot_backtest(
    results: pd.DataFrame,
    ax: Axes | None = None,
    target: str | None = None,
    series_id: Any = None,
    id_col: str | None = None,
    intervals: bool = False,
) -> Axes:
    """Plot a rolling-origin backtest: the actuals and each fold's forecasts.

    The actuals are drawn once over all the folds' test times (black); each
    model's forecasts are drawn fold by fold in one colour per model (one
    legend entry per model), and each fold's cutoff is marked by a dotted
    vertical line.

    Long format: an id column (``id_col``, or the one non-numeric column that
    is not a backtest column) selects the series; ``series_id`` (default: the
    first id) says which one is drawn.

    Args:
        results: the long backtest table, one row per (fold, time, target,
            model): columns ``cutoff``, ``time``, ``target``, ``actual``,
            ``model``, ``forecast`` (and ``lower``, ``upper`` with
            ``intervals=True``; optionally an id column). Other numeric columns
            (such as a step number) are ignored.
        ax: the Axes to draw on; a new figure's Axes when None.
        target: which target to draw; the first in ``results`` when None.
        series_id: in long format, the series to draw; the first when None.
        id_col: the id column's name; guessed when None (see above).
        intervals: also shade each fold's interval from ``lower`` to ``upper``.

    Returns:
        The Axes drawn on.

    Raises:
        ValueError: when ``results`` lacks a column, the target or the series
            is not there, or it has no rows. The message names what is missing.

    Example:
        >>> import pandas as pd
        >>> rows = [
        ...     {"cutoff": pd.Timestamp(c), "time": t, "target": "y", "actual": 1.0 + i,
        ...      "model": m, "forecast": 1.0 + i + (m == "naive"), "lower": 0.0, "upper": 5.0}
        ...     for c in ("2024-03-01", "2024-05-01")
        ...     for i, t in enumerate(pd.date_range(c, periods=3, freq="MS")[1:])
        ...     for m in ("lstm", "naive")
        ... ]
        >>> ax = plot_backtest(pd.DataFrame(rows))
        >>> [t.get_text() for t in ax.get_legend().get_texts()]
        ['actual', 'cutoff', 'lstm', 'naive']
    """
    if not isinstance(results, pd.DataFrame):
        raise ValueError(f"results must be a DataFrame, not {type(results).__name__}")
    required = _BACKTEST_COLUMNS + (("lower", "upper") if intervals else ())
    missing = [c for c in required if c not in results.columns]
    if missing:
        raise ValueError(
            f"results is missing column(s) {_names(missing)} (columns: {_names(results.columns)})"
        )
    if results.empty:
        raise ValueError("results has no rows")
    df = results
    id_name = _backtest_id_col(df, id_col)
    sid = None
    if id_name is not None:
        sid = _pick_series(df[id_name].drop_duplicates(), series_id, "the results' ids")
        df = df[df[id_name] == sid]
    targets = list(df["target"].drop_duplicates())
    if target is None:
        target = targets[0]
    elif target not in targets:
        raise ValueError(f"target {target!r} not in results (targets: {_names(targets)})")
    df = df[df["target"] == target].copy()
    for col in ("cutoff", "time"):
        try:
            with warnings.catch_warnings():  # "could not infer format" on odd strings
                warnings.simplefilter("ignore", UserWarning)
                df[col] = pd.to_datetime(df[col])
        except (TypeError, ValueError) as err:
            raise ValueError(f"results column {col!r} does not hold timestamps: {err}") from None
    tz = df["time"].dt.tz

    from matplotlib import rcParams

    ax = _axes(ax)
    actual = df.drop_duplicates("time").sort_values("time")
    ax.plot(
        _x(pd.DatetimeIndex(actual["time"])),
        actual["actual"].to_numpy(dtype=float),
        color="k",
        linewidth=1.2,
        label="actual",
        gid="actual",
    )
    for i, cutoff in enumerate(sorted(df["cutoff"].unique())):
        ax.axvline(
            _x(pd.DatetimeIndex([cutoff]))[0],
            color="0.6",
            linestyle=":",
            linewidth=1,
            label="cutoff" if i == 0 else "_cutoff",
            gid="cutoff",
        )
    colors = rcParams["axes.prop_cycle"].by_key().get("color", ["C0"])
    for m, model in enumerate(df["model"].drop_duplicates()):
        color = colors[m % len(colors)]
        rows = df[df["model"] == model]
        for f, (_, fold) in enumerate(rows.groupby("cutoff", sort=True)):
            fold = fold.sort_values("time")
            x = _x(pd.DatetimeIndex(fold["time"]))
            ax.plot(
                x,
                fold["forecast"].to_numpy(dtype=float),
                color=color,
                marker="." if len(x) < 3 else None,
                label=str(model) if f == 0 else f"_{model}",
                gid=f"forecast:{model}",
            )
            if intervals:
                band = ax.fill_between(
                    x,
                    fold["lower"].to_numpy(dtype=float),
                    fold["upper"].to_numpy(dtype=float),
                    color=color,
                    alpha=0.15,
                    label=f"{model} interval" if f == 0 else f"_{model} interval",
                )
                band.set_gid(f"interval:{model}")

    _date_axis(ax, tz)
    ax.set_xlabel("time")
    ax.set_ylabel(str(target))
    if sid is not None:
        ax.set_title(f"{id_name} = {sid}")
    ax.legend(loc="best")
    return ax


# ----------------------------------------------------------------------------- gates


def _trace_arrays(trace: Any) -> dict[str, np.ndarray]:
    if not isinstance(trace, dict):
        raise ValueError(
            f"trace must be the dict returned by LSTM.trace_gates, not {type(trace).__name__}"
        )
    needed = [name for name, _ in _GATES] + ["cell"]
    missing = [k for k in needed if k not in trace]
    if missing:
        raise ValueError(
            f"trace is missing key(s) {_names(missing)} "
            f"(LSTM.trace_gates returns {_names(_TRACE_KEYS)})"
        )
    arrays = {k: np.asarray(trace[k], dtype=float) for k in needed}
    shape = arrays["forget"].shape
    for k, a in arrays.items():
        if a.ndim != 3:
            raise ValueError(f"trace[{k!r}] must have shape (batch, time, units), not {a.shape}")
        if a.shape != shape:
            raise ValueError(f"trace[{k!r}] has shape {a.shape}, but trace['forget'] {shape}")
    if 0 in shape:
        raise ValueError(f"trace arrays are empty (shape {shape})")
    for name, _ in _GATES:
        a = arrays[name]
        if np.nanmin(a) < -1e-6 or np.nanmax(a) > 1 + 1e-6:
            raise ValueError(
                f"trace[{name!r}] has values outside [0, 1] "
                f"({np.nanmin(a):.3g} to {np.nanmax(a):.3g}); gates are sigmoids"
            )
    return arrays


def _gate_units(units: Any, n_units: int) -> list[int]:
    if units is None:
        return list(range(min(4, n_units)))
    if isinstance(units, Integral) and not isinstance(units, bool):
        units = [units]
    try:
        chosen = [int(u) for u in units]
    except (TypeError, ValueError):
        raise ValueError(f"units must be unit indices, not {units!r}") from None
    if not chosen:
        raise ValueError("units is empty")
    bad = [u for u in chosen if not 0 <= u < n_units]
    if bad:
        raise ValueError(f"unit(s) {bad} out of range: the layer has {n_units} units")
    return chosen


def _gate_series(series: Any, n_time: int, sample: int) -> tuple[np.ndarray, Any, list[str]]:
    """The input values ``(time, features)``, their index (or None) and their labels."""
    index = None
    if isinstance(series, pd.Series | pd.DataFrame):
        if isinstance(series.index, pd.DatetimeIndex | pd.PeriodIndex):
            index = _as_datetime_index(series.index, "series")
        frame = series.to_frame() if isinstance(series, pd.Series) else series
        labels = [str(c) for c in frame.columns]
        values = frame.to_numpy(dtype=float)
    else:
        try:
            values = np.asarray(series, dtype=float)
        except (TypeError, ValueError) as err:
            raise ValueError(f"series must be numeric: {err}") from None
        if values.ndim == 3:  # the model input x: (batch, time, features)
            values = values[sample]
        if values.ndim == 1:
            values = values[:, None]
        if values.ndim != 2:
            raise ValueError(f"series must be 1-D (time,) or (time, features), not {values.shape}")
        labels = ["input"] if values.shape[1] == 1 else [f"x{j}" for j in range(values.shape[1])]
    if values.shape[0] != n_time:
        raise ValueError(
            f"series has {values.shape[0]} time steps but the trace has {n_time}; "
            "pass the input the trace was computed from"
        )
    return values, index, labels


def plot_gates(
    trace: dict[str, Any],
    series: Any = None,
    units: Sequence[int] | int | None = None,
    fig: Figure | None = None,
    sample: int = 0,
) -> Figure:
    """Plot an LSTM's forget, input and output gates and cell state over time.

    Stacked panels share the x axis: the input ``series`` (when given) on
    top, then ``f_t``, ``i_t``, ``o_t`` (y range [0, 1]) and ``c_t``, one line
    per chosen unit with the same colour for a unit in every panel. The x axis
    shows dates when ``series`` has a DatetimeIndex, time steps otherwise.

    Args:
        trace: the dict returned by ``forecast.layers.LSTM.trace_gates(x)``:
            arrays of shape ``(batch, time, units)`` under ``forget``,
            ``input``, ``candidate``, ``output``, ``cell`` and ``hidden``
            (``candidate`` and ``hidden`` are not drawn and may be absent).
        series: the input, shape ``(time,)``, ``(time, features)`` or the
            model input ``(batch, time, features)`` (element ``sample`` is
            drawn); a numpy array or a pandas Series/DataFrame, whose
            DatetimeIndex then labels the x axis. No input panel when None.
        units: indices of the units to draw; the first 4 when None.
        fig: an empty Figure to draw on; a new figure when None.
        sample: which batch element to draw (default the first).

    Returns:
        The Figure, whose ``axes`` are the panels from top to bottom (4, or
        5 with ``series``).

    Raises:
        ValueError: when ``trace`` lacks a key or has inconsistent shapes,
            gate values outside [0, 1], ``series`` has another length,
            ``units``/``sample`` are out of range, or ``fig`` has axes.

    Example:
        >>> import numpy as np
        >>> rng = np.random.default_rng(0)
        >>> shape = (2, 10, 8)  # (batch, time, units)
        >>> trace = {k: rng.uniform(size=shape) for k in ("forget", "input", "output")}
        >>> trace["cell"] = rng.normal(size=shape)
        >>> fig = plot_gates(trace, series=np.sin(np.arange(10.0)))
        >>> len(fig.axes)
        5
        >>> [len(ax.get_lines()) for ax in fig.axes]
        [1, 4, 4, 4, 4]
    """
    arrays = _trace_arrays(trace)
    n_batch, n_time, n_units = arrays["forget"].shape
    if isinstance(sample, bool) or not isinstance(sample, Integral) or not 0 <= sample < n_batch:
        raise ValueError(f"sample must be a batch index in [0, {n_batch}), not {sample!r}")
    chosen = _gate_units(units, n_units)
    inputs = None if series is None else _gate_series(series, n_time, sample)

    from matplotlib.figure import Figure

    n_panels = len(_GATES) + 1 + (inputs is not None)
    if fig is None:
        from matplotlib import pyplot as plt

        fig = plt.figure(figsize=(9.0, 1.7 * n_panels + 0.6), layout="constrained")
    elif not isinstance(fig, Figure):
        raise ValueError(f"fig must be a matplotlib Figure or None, not {type(fig).__name__}")
    elif fig.axes:
        raise ValueError("fig already has axes; pass an empty Figure")
    axes = list(fig.subplots(n_panels, 1, sharex=True, squeeze=False)[:, 0])

    index = inputs[1] if inputs is not None else None
    x = _x(index) if index is not None else np.arange(n_time)
    if inputs is not None:
        values, _, labels = inputs
        ax = axes.pop(0)
        for j, label in enumerate(labels):
            ax.plot(x, values[:, j], color="k" if len(labels) == 1 else f"C{j}", label=label)
        ax.set_ylabel("input")
        if len(labels) > 1:
            ax.legend(loc="upper right", fontsize="small", ncols=min(len(labels), 6))

    panels = [*_GATES, ("cell", "cell state $c_t$")]
    for ax, (name, label) in zip(axes, panels, strict=True):
        data = arrays[name][sample]
        for k, u in enumerate(chosen):
            ax.plot(x, data[:, u], color=f"C{k % 10}", label=f"unit {u}")
        ax.set_ylabel(label)
        if name != "cell":
            ax.set_ylim(0.0, 1.0)
    axes[0].legend(loc="upper right", fontsize="small", ncols=min(len(chosen), 6))

    bottom = fig.axes[-1]
    if index is not None:
        _date_axis(bottom, index.tz)
        bottom.set_xlabel(index.name or "time")
    else:
        bottom.set_xlabel("time step")
    fig.suptitle(f"LSTM gates (sample {sample})")
    return fig
