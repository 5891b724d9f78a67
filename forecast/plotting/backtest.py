"""Backtest plots: actuals and each fold's forecasts."""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:  # pragma: no cover - typing only, never imported at run time
    from matplotlib.axes import Axes

from forecast.plotting._common import _axes, _date_axis, _names, _pick_series, _x

_BACKTEST_COLUMNS = ("cutoff", "time", "target", "actual", "model", "forecast")
_BACKTEST_KNOWN = frozenset((*_BACKTEST_COLUMNS, "lower", "upper"))

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
