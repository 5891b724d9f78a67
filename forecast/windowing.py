"""Windows, forecast origins and scaling: pure numpy / scikit-learn.

No TensorFlow and no I/O here. A window ``i`` of a series of ``T`` rows has its
inputs at rows ``i*stride .. i*stride + lookback - 1`` and its labels at the next
``horizon`` rows, ``i*stride + lookback .. i*stride + lookback + horizon - 1``.
There are ``window_count(T, lookback, horizon, stride) = (T - lookback - horizon)
// stride + 1`` windows (0 if the series is shorter than ``lookback + horizon``).

``make_windows`` returns read-only strided *views* of its inputs
(:func:`numpy.lib.stride_tricks.sliding_window_view`): no data is copied however
many windows there are; copy a batch with ``np.ascontiguousarray(X[a:b])``.

Leakage rules kept by the helpers:

* :func:`validation_origins` holds out the last forecast origins of a series;
  :func:`training_origins` ends the training origins ``horizon`` steps before them
  ("purged"), so no training label falls in the validation period. Nothing is shuffled.
* :func:`fit_scaler` fits on the rows it is given, which must be the training rows
  only; the statistics then come from those rows alone.

Example:
    >>> import numpy as np
    >>> series = np.arange(10.0).reshape(-1, 1)
    >>> X, Y = make_windows(series, series, lookback=3, horizon=2, stride=2)
    >>> X[:, :, 0].tolist(), Y[:, :, 0].tolist()
    ([[0.0, 1.0, 2.0], [2.0, 3.0, 4.0], [4.0, 5.0, 6.0]], [[3.0, 4.0], [5.0, 6.0], [7.0, 8.0]])
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from sklearn.preprocessing import StandardScaler

__all__ = [
    "fit_scaler",
    "make_windows",
    "training_origins",
    "validation_origins",
    "window_count",
]


def _positive(**values: int) -> None:
    for name, value in values.items():
        if int(value) != value or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")


def window_count(n: int, lookback: int, horizon: int, stride: int = 1) -> int:
    """Number of windows in a series of ``n`` rows.

    Args:
        n: Rows in the series.
        lookback: Input steps per window (>= 1).
        horizon: Label steps per window (>= 1).
        stride: Rows between the starts of consecutive windows (>= 1).

    Returns:
        ``(n - lookback - horizon) // stride + 1``, or 0 if ``n < lookback + horizon``.

    Example:
        >>> window_count(10, 3, 2), window_count(10, 3, 2, stride=2), window_count(4, 3, 2)
        (6, 3, 0)
    """
    _positive(lookback=lookback, horizon=horizon, stride=stride)
    span = int(n) - int(lookback) - int(horizon)
    return span // int(stride) + 1 if span >= 0 else 0


def _as_2d(values, name: str) -> np.ndarray:
    array = np.asarray(values)
    if array.ndim == 1:
        return array.reshape(-1, 1)
    if array.ndim != 2:
        raise ValueError(f"{name} must have shape (T, columns), got {array.shape}")
    return array


def make_windows(
    inputs, targets, lookback: int, horizon: int, stride: int = 1
) -> tuple[np.ndarray, np.ndarray]:
    """Cut aligned input and label windows, without copying.

    Args:
        inputs: Array-like ``(T, F)`` (a 1-D array is taken as ``(T, 1)``).
        targets: Array-like ``(T, K)`` (or ``(T,)``), the same ``T`` rows.
        lookback: Input steps per window.
        horizon: Label steps per window.
        stride: Rows between window starts.

    Returns:
        ``(X, Y)`` with ``X (N, lookback, F)`` and ``Y (N, horizon, K)``,
        ``N = window_count(T, lookback, horizon, stride)``,
        ``X[i] = inputs[i*stride : i*stride + lookback]`` and
        ``Y[i] = targets[i*stride + lookback : i*stride + lookback + horizon]``.
        Both are read-only views of ``inputs``/``targets`` (when those are numpy
        arrays); with ``N == 0`` they are empty arrays of the same trailing shape.

    Raises:
        ValueError: ``inputs`` and ``targets`` have different lengths, or a size < 1.

    Example:
        >>> import numpy as np
        >>> t = np.arange(6)
        >>> X, Y = make_windows(t, t * 10, lookback=2, horizon=1)
        >>> X.shape, Y.shape, X[-1, :, 0].tolist(), Y[-1, :, 0].tolist(), X.flags.writeable
        ((4, 2, 1), (4, 1, 1), [3, 4], [50], False)
    """
    x = _as_2d(inputs, "inputs")
    y = _as_2d(targets, "targets")
    if len(x) != len(y):
        raise ValueError(f"inputs have {len(x)} rows but targets have {len(y)}")
    count = window_count(len(x), lookback, horizon, stride)
    if count == 0:
        empty_x = np.empty((0, lookback, x.shape[1]), dtype=x.dtype)
        empty_y = np.empty((0, horizon, y.shape[1]), dtype=y.dtype)
        empty_x.flags.writeable = empty_y.flags.writeable = False
        return empty_x, empty_y
    # sliding_window_view(..., axis=0) gives (T - w + 1, columns, w): move w before columns.
    X = sliding_window_view(x, lookback, axis=0).swapaxes(1, 2)
    Y = sliding_window_view(y[lookback:], horizon, axis=0).swapaxes(1, 2)
    return X[::stride][:count], Y[::stride][:count]


MAX_VALIDATION_ORIGINS = 256
"""The most validation origins of one series. Neighbouring origins of a long series make
nearly the same errors, so more of them tell little more; but each costs theta's partner a
pass over the whole history (:mod:`forecast.models.statistical`), and 3,400 origins of two years of
hourly data made that pass quadratic: 10 minutes of a fit."""


def validation_origins(
    n: int, lookback: int, horizon: int, fraction: float, most: int = MAX_VALIDATION_ORIGINS
) -> list[int]:
    """The last forecast origins of a series of ``n`` rows, held out for validation.

    An origin ``o`` forecasts rows ``o .. o+horizon-1`` from rows ``o-lookback .. o-1``.
    All origins are ``lookback .. n-horizon``; the last ``k`` of them (at least one,
    about ``fraction`` of them) are for validation, at most ``most`` of them, evenly
    spaced from the first to the last.

    Example:
        >>> validation_origins(20, lookback=4, horizon=3, fraction=0.2)
        [15, 16, 17]
        >>> validation_origins(100, lookback=4, horizon=3, fraction=0.2, most=5)
        [79, 84, 88, 92, 97]
    """
    count = n - horizon - lookback + 1
    k = max(1, round(fraction * count))
    first, last = n - horizon - k + 1, n - horizon
    if k <= most:
        return list(range(first, last + 1))
    return np.linspace(first, last, most).round().astype(int).tolist()


MIN_PURGED_WINDOWS = 16
"""Fewer purged training windows than this (or than twice the validation origins): overlap."""


def training_origins(
    n: int, lookback: int, horizon: int, validation: list[int]
) -> tuple[list[int], str]:
    """The training origins of a series of ``n`` rows, given its validation origins.

    Training labels must not reach into the validation period, so the training origins
    end ``horizon`` steps before the first validation origin (``"purged"``). When that
    leaves too few windows (a short series with a long horizon) they go up to the first
    validation origin instead (``"overlapping"``): early stopping is then optimistic.

    Example:
        >>> origins, kind = training_origins(40, 4, 3, validation_origins(40, 4, 3, 0.2))
        >>> origins[0], origins[-1], kind
        (4, 28, 'purged')
        >>> training_origins(20, 4, 3, [15, 16, 17])
        ([4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14], 'overlapping')
    """
    first_val = validation[0]
    purged = list(range(lookback, first_val - horizon + 1))
    if len(purged) >= max(MIN_PURGED_WINDOWS, 2 * len(validation)):
        return purged, "purged"
    return list(range(lookback, first_val)), "overlapping"


def fit_scaler(train_values) -> StandardScaler:
    """A ``StandardScaler`` fitted on the training rows only.

    Pass the training rows alone (``values[train]``); ``mean_`` and ``scale_`` are
    then exactly the column means and (population) standard deviations of those
    rows. A constant column gets ``scale_ == 1`` (no division by zero).

    Args:
        train_values: Array-like ``(n_train, columns)`` (or ``(n_train,)``), finite.

    Returns:
        The fitted scaler; keep it for ``inverse_transform``/:func:`inverse_scale`.

    Raises:
        ValueError: no rows, or a value that is not finite.

    Example:
        >>> import numpy as np
        >>> s = fit_scaler(np.array([[1.0, 5.0], [3.0, 5.0]]))
        >>> s.mean_.tolist(), s.scale_.tolist()
        ([2.0, 5.0], [1.0, 1.0])
    """
    values = _as_2d(train_values, "train_values").astype(np.float64, copy=False)
    if len(values) == 0:
        raise ValueError("fit_scaler needs at least one training row")
    if not np.isfinite(values).all():
        raise ValueError("fit_scaler got NaN or infinite values; validate the data first")
    return StandardScaler().fit(values)
