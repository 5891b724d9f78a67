"""Scaled error: MASE and its scale, the in-sample seasonal naive MAE (numpy only).

:func:`seasonal_naive_mae` is the one MASE scale of the package; :func:`mase_scale` is its
checked version for one series.
"""

from __future__ import annotations

import math

import numpy as np

from forecast.metrics.point import mae


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
