"""The per-model summary of the long backtest table (pandas, imported when called)."""

from __future__ import annotations

import numpy as np

from forecast.metrics.interval import coverage, mean_width
from forecast.metrics.point import mae, mape, rmse, smape

METRICS = ("mae", "rmse", "mape", "smape", "mase", "coverage", "width")
"""The columns of :func:`summarize`, in order."""


def _fold_keys(df):
    """The columns that name one forecast window: ``[id_col], target, cutoff``."""
    fixed = {
        "cutoff",
        "time",
        "target",
        "actual",
        "model",
        "forecast",
        "lower",
        "upper",
        "step",
        "scale",
    }
    ids = [c for c in df.columns if c not in fixed and not str(c).startswith("_")]
    return [*ids, "target", "cutoff"]


def summarize(df, *, scales=None, by="model"):
    """Per-model metrics from the long backtest table.

    MAE, RMSE, MAPE, sMAPE, coverage and width pool all rows of a group. MASE is
    computed per forecast window (one series, target and cutoff) with that
    window's scale, then averaged over the windows, so every fold and series
    weighs the same.

    Args:
        df: the table of :func:`forecast.evaluation.backtest`: columns
            ``[id_col], cutoff, time, target, actual, model, forecast, lower, upper``.
        scales: optional table with the window keys (``[id_col], target, cutoff``,
            any subset that the merge needs) and a ``scale`` column, e.g. from
            :func:`forecast.evaluation.fold_scales`; without it ``mase`` is NaN.
        by: a column name or list of them to group by. ``"step"`` (1 = the first
            scored step after the cutoff and gap) is derived from the time order
            within each window.

    Returns:
        DataFrame indexed by ``by`` with columns ``mae, rmse, mape, smape, mase,
        coverage, width`` (percentages in percent); groups in order of first appearance.

    Raises:
        ValueError: if ``df`` is empty or lacks a column.

    Example:
        >>> import pandas as pd
        >>> df = pd.DataFrame({
        ...     "cutoff": pd.Timestamp("2000-01-01"),
        ...     "time": pd.date_range("2000-01-02", periods=2, freq="D"),
        ...     "target": "y", "actual": [10.0, 20.0], "model": "m",
        ...     "forecast": [12.0, 20.0], "lower": [11.0, 15.0], "upper": [13.0, 25.0]})
        >>> summarize(df)[["mae", "mape", "coverage", "width"]].round(2).to_dict("records")
        [{'mae': 1.0, 'mape': 10.0, 'coverage': 50.0, 'width': 6.0}]
    """
    import pandas as pd

    by = [by] if isinstance(by, str) else list(by)
    needed = ["cutoff", "time", "target", "actual", "model", "forecast", "lower", "upper"]
    missing = [c for c in needed if c not in df.columns]
    if missing:
        raise ValueError(f"the backtest table lacks the columns {missing}")
    if len(df) == 0:
        raise ValueError("the backtest table is empty: nothing to summarize")
    keys = _fold_keys(df)
    df = df.copy()
    if "step" in by and "step" not in df.columns:
        df = df.sort_values([*keys, "model", "time"], kind="stable")
        df["step"] = df.groupby([*keys, "model"], sort=False).cumcount() + 1
    if scales is not None:
        on = [c for c in scales.columns if c != "scale"]
        df = df.merge(scales[[*on, "scale"]], on=on, how="left", validate="many_to_one")
    else:
        df["scale"] = np.nan

    rows = {}
    for name, g in df.groupby(by, sort=False):
        rows[name if len(by) > 1 else name[0]] = _summary_row(g, keys)
    index = (
        pd.MultiIndex.from_tuples(list(rows), names=by)
        if len(by) > 1
        else pd.Index(list(rows), name=by[0])
    )
    return pd.DataFrame(list(rows.values()), index=index, columns=list(METRICS))


def _summary_row(g, keys):
    """The seven metrics of one group of the long table, as a dict."""
    y, f = g["actual"].to_numpy(float), g["forecast"].to_numpy(float)
    lo, hi = g["lower"].to_numpy(float), g["upper"].to_numpy(float)
    ase = np.abs(y - f) / g["scale"].to_numpy(float)
    per_window = g.assign(_ase=ase).groupby([*keys, "model"], sort=False)["_ase"].mean()
    return {
        "mae": float(mae(y, f)),
        "rmse": float(rmse(y, f)),
        "mape": float(mape(y, f)),
        "smape": float(smape(y, f)),
        "mase": float(per_window.mean(skipna=False)),
        "coverage": _or_nan(coverage, y, lo, hi),
        "width": _or_nan(mean_width, lo, hi),
    }


def _or_nan(metric, *arrays):
    """``metric(*arrays)`` as a float, or NaN when the intervals are all missing."""
    try:
        return float(metric(*arrays))
    except ValueError:
        return float("nan")
