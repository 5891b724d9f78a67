"""Point and interval accuracy metrics for forecasts (numpy only).

Every metric takes array-likes of the same shape (no broadcasting) and returns
the overall value (``axis=None``) or one value per slice along ``axis``; for a
backtest stacked as ``(n_windows, horizon)`` arrays, ``axis=0`` gives the
metric per horizon step. Pairs in which the actual or the forecast is NaN are
ignored; a slice with no pair left gives NaN, an input with no pair at all
raises ``ValueError``. Percentages (MAPE, sMAPE, coverage) are in percent.

:func:`summarize` turns the long backtest table of
:func:`forecast.evaluation.backtest` into one row of metrics per model.

Example:
    >>> import numpy as np
    >>> y = np.array([[1.0, 2.0], [3.0, 4.0]])      # (n_windows, horizon)
    >>> yhat = np.array([[2.0, 2.0], [3.0, 6.0]])
    >>> float(mae(y, yhat))
    0.75
    >>> mae(y, yhat, axis=0).tolist()                # per horizon step
    [0.5, 1.0]
"""

from __future__ import annotations

import math

import numpy as np

__all__ = [
    "coverage",
    "mae",
    "mape",
    "mase",
    "mase_scale",
    "mean_width",
    "rmse",
    "seasonal_naive_mae",
    "smape",
    "summarize",
]

METRICS = ("mae", "rmse", "mape", "smape", "mase", "coverage", "width")
"""The columns of :func:`summarize`, in order."""


# --------------------------------------------------------------------------- helpers


def _arrays(names, arrays):
    """Float arrays of one shape, non-empty; raises ``ValueError`` otherwise."""
    out = [np.asarray(a, dtype=float) for a in arrays]
    for name, a in zip(names[1:], out[1:], strict=True):
        if a.shape != out[0].shape:
            raise ValueError(
                f"{names[0]} and {name} must have the same shape, got {out[0].shape} and {a.shape}"
            )
    if out[0].size == 0:
        raise ValueError(f"{names[0]} is empty: need at least one value")
    return out


def _valid(names, arrays):
    """Mask of the positions where no array is NaN; raises if there is none."""
    valid = np.ones(arrays[0].shape, dtype=bool)
    for a in arrays:
        valid &= ~np.isnan(a)
    if not valid.any():
        raise ValueError(f"{' and '.join(names)} have no position where all are non-NaN")
    return valid


def _masked_mean(terms, valid, axis):
    """Mean of ``terms`` over the ``valid`` positions (NaN for an empty slice)."""
    total = np.where(valid, terms, 0.0).sum(axis=axis)
    count = valid.sum(axis=axis)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / np.maximum(count, 1), np.nan)[()]


def _errors(y, yhat):
    """``(y, yhat, valid)`` as checked float arrays and the non-NaN mask."""
    y, yhat = _arrays(("y", "yhat"), (y, yhat))
    return y, yhat, _valid(("y", "yhat"), (y, yhat))


# --------------------------------------------------------------------------- point metrics


def mae(y, yhat, *, axis=None):
    """Mean absolute error ``mean(|y - yhat|)``.

    Args:
        y: actual values, any shape.
        yhat: forecasts, the same shape as ``y``.
        axis: ``None`` for one overall value, or the axis to average over
            (``axis=0`` on ``(n_windows, horizon)`` arrays: one value per step).

    Returns:
        A float (0-d) or an array with ``axis`` removed. NaN pairs are ignored.

    Raises:
        ValueError: if the shapes differ, the input is empty or every pair has a NaN.

    Example:
        >>> float(mae([1, 2, 3], [2, 2, 5]))
        1.0
    """
    y, yhat, valid = _errors(y, yhat)
    return _masked_mean(np.abs(y - yhat), valid, axis)


def rmse(y, yhat, *, axis=None):
    """Root mean squared error ``sqrt(mean((y - yhat)**2))``.

    Args:
        y: actual values, any shape.
        yhat: forecasts, the same shape as ``y``.
        axis: ``None`` for one overall value, or the axis to average over.

    Returns:
        A float (0-d) or an array with ``axis`` removed. NaN pairs are ignored.

    Raises:
        ValueError: if the shapes differ, the input is empty or every pair has a NaN.

    Example:
        >>> float(rmse([1, 2, 3], [2, 2, 5]))  # sqrt((1 + 0 + 4) / 3)
        1.2909944487358056
    """
    y, yhat, valid = _errors(y, yhat)
    return np.sqrt(_masked_mean((y - yhat) ** 2, valid, axis))


def mape(y, yhat, *, axis=None):
    """Mean absolute percentage error ``100 * mean(|y - yhat| / |y|)``.

    MAPE is undefined where an actual value is 0: a slice whose actuals contain a zero
    gives NaN (shown ``n/a`` by ``forecast evaluate``); use sMAPE or MASE there.

    Args:
        y: actual values, any shape.
        yhat: forecasts, the same shape as ``y``.
        axis: ``None`` for one overall value, or the axis to average over.

    Returns:
        Percent, a float (0-d) or an array with ``axis`` removed. NaN pairs are ignored.

    Raises:
        ValueError: if the shapes differ, the input is empty or every pair has a NaN.

    Example:
        >>> float(mape([100, 200], [110, 150]))  # (10 % + 25 %) / 2
        17.5
        >>> float(mape([0, 200], [0, 150]))  # a zero actual: undefined
        nan
    """
    y, yhat, valid = _errors(y, yhat)
    err = np.abs(y - yhat)
    with np.errstate(invalid="ignore", divide="ignore"):
        terms = np.where(err == 0, 0.0, err / np.abs(y))
    zero = (valid & (y == 0)).any(axis=axis)
    return np.where(zero, np.nan, 100.0 * _masked_mean(terms, valid, axis))[()]


def smape(y, yhat, *, axis=None):
    """Symmetric MAPE ``100 * mean(2 |y - yhat| / (|y| + |yhat|))``, in [0, 200].

    A pair with ``y == yhat == 0`` contributes 0.

    Args:
        y: actual values, any shape.
        yhat: forecasts, the same shape as ``y``.
        axis: ``None`` for one overall value, or the axis to average over.

    Returns:
        Percent, a float (0-d) or an array with ``axis`` removed. NaN pairs are ignored.

    Raises:
        ValueError: if the shapes differ, the input is empty or every pair has a NaN.

    Example:
        >>> float(smape([100, 0], [300, 0]))  # (2 * 200 / 400 + 0) / 2 * 100
        50.0
    """
    y, yhat, valid = _errors(y, yhat)
    err = np.abs(y - yhat)
    with np.errstate(invalid="ignore", divide="ignore"):
        terms = np.where(err == 0, 0.0, 2.0 * err / (np.abs(y) + np.abs(yhat)))
    return 100.0 * _masked_mean(terms, valid, axis)


def seasonal_naive_mae(y_train, season=1):
    """In-sample MAE of the seasonal naive forecast, ``mean(|y[t] - y[t - m]|)``; NaN if none.

    The MASE scale, for ``(n,)`` or ``(n, columns)`` values (the mean over every column's
    differences). The lag ``m`` is ``season``, or 1 when there are at most ``season``
    values. Differences that involve a NaN are ignored. :func:`mase_scale` is the
    checked version for one series.

    Example:
        >>> seasonal_naive_mae([[1.0, 0.0], [2.0, 0.0], [4.0, 0.0]], season=1)  # (1+2+0+0)/4
        0.75
        >>> seasonal_naive_mae([1.0])
        nan
    """
    y_train = np.asarray(y_train, dtype=float)
    lag = int(season) if len(y_train) > season else 1
    diffs = np.abs(y_train[lag:] - y_train[:-lag])
    diffs = diffs[~np.isnan(diffs)]
    return float(diffs.mean()) if diffs.size else math.nan


def mase_scale(y_train, season=1):
    """In-sample MAE of the seasonal naive forecast: ``mean(|y[t] - y[t - m]|)``.

    The lag ``m`` is ``season``, or 1 when the training series has fewer than
    ``season + 1`` values. Differences that involve a NaN are ignored.

    Args:
        y_train: the training series, shape ``(n,)``.
        season: the seasonal period ``m >= 1`` (1: the naive forecast).

    Returns:
        The scale, a float.

    Raises:
        ValueError: if ``y_train`` is not 1-d, has fewer than 2 values, no
            non-NaN difference, or the scale is 0 (MASE would be undefined).

    Example:
        >>> mase_scale([1.0, 2.0, 4.0, 7.0], season=1)  # (1 + 2 + 3) / 3
        2.0
        >>> mase_scale([1.0, 2.0, 4.0, 7.0], season=12)  # too short: lag 1
        2.0
    """
    y_train = np.asarray(y_train, dtype=float)
    if y_train.ndim != 1:
        raise ValueError(f"y_train must be 1-d, got shape {y_train.shape}")
    if int(season) != season or season < 1:
        raise ValueError(f"season must be a positive integer, got {season!r}")
    if y_train.size < 2:
        raise ValueError(f"y_train needs at least 2 values to scale MASE, got {y_train.size}")
    lag = int(season) if y_train.size > season else 1
    scale = seasonal_naive_mae(y_train, season)
    if math.isnan(scale):
        raise ValueError(f"y_train has no non-NaN difference at lag {lag} to scale MASE")
    if scale == 0:
        raise ValueError(
            f"MASE is undefined: the in-sample seasonal naive MAE of y_train (lag {lag}) is 0"
        )
    return scale


def mase(y, yhat, y_train, season=1, *, axis=None):
    """Mean absolute scaled error: ``mae(y, yhat) / mase_scale(y_train, season)``.

    Below 1: better than the in-sample seasonal naive forecast (Hyndman & Koehler, 2006).

    Args:
        y: actual values, any shape.
        yhat: forecasts, the same shape as ``y``.
        y_train: the training series, shape ``(n,)``, that sets the scale.
        season: the seasonal period (lag 1 when ``n < season + 1``).
        axis: ``None`` for one overall value, or the axis to average over.

    Returns:
        A float (0-d) or an array with ``axis`` removed. NaN pairs are ignored.

    Raises:
        ValueError: as :func:`mae` and :func:`mase_scale`.

    Example:
        >>> float(mase([5, 6], [4, 8], y_train=[1, 2, 4, 7]))  # 1.5 / 2
        0.75
    """
    return mae(y, yhat, axis=axis) / mase_scale(y_train, season)


# --------------------------------------------------------------------------- intervals


def coverage(y, lower, upper, *, axis=None):
    """Share of actual values inside their interval ``[lower, upper]``, in percent.

    Args:
        y: actual values, any shape.
        lower: lower bounds, the same shape.
        upper: upper bounds, the same shape.
        axis: ``None`` for one overall value, or the axis to average over.

    Returns:
        Percent, a float (0-d) or an array with ``axis`` removed. Positions where
        any of the three is NaN are ignored.

    Raises:
        ValueError: if the shapes differ, the input is empty or every position has a NaN.

    Example:
        >>> float(coverage([1, 2, 3, 4], [0, 2, 4, 0], [2, 2, 5, 3]))  # 1 and 2 inside
        50.0
    """
    names = ("y", "lower", "upper")
    y, lower, upper = _arrays(names, (y, lower, upper))
    valid = _valid(names, (y, lower, upper))
    inside = ((y >= lower) & (y <= upper)).astype(float)
    return 100.0 * _masked_mean(inside, valid, axis)


def mean_width(lower, upper, *, axis=None):
    """Mean width ``mean(upper - lower)`` of the prediction intervals.

    Args:
        lower: lower bounds, any shape.
        upper: upper bounds, the same shape.
        axis: ``None`` for one overall value, or the axis to average over.

    Returns:
        A float (0-d) or an array with ``axis`` removed. NaN pairs are ignored.

    Raises:
        ValueError: if the shapes differ, the input is empty or every pair has a NaN.

    Example:
        >>> float(mean_width([0, 1], [2, 5]))
        3.0
    """
    names = ("lower", "upper")
    lower, upper = _arrays(names, (lower, upper))
    valid = _valid(names, (lower, upper))
    return _masked_mean(upper - lower, valid, axis)


# --------------------------------------------------------------------------- tables


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
