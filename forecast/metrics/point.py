"""Point accuracy: MAE, RMSE, MAPE and sMAPE (numpy only).

Inputs of one shape; NaN pairs ignored; ``axis=None`` for one value or the axis to
average over (see :mod:`forecast.metrics`).
"""

from __future__ import annotations

import numpy as np

from forecast.metrics._arrays import _errors, _masked_mean


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
