"""Windows, chronological splits and scaling: pure numpy / pandas / scikit-learn.

No TensorFlow and no I/O here. A window ``i`` of a series of ``T`` rows has its
inputs at rows ``i*stride .. i*stride + lookback - 1`` and its labels at the next
``horizon`` rows, ``i*stride + lookback .. i*stride + lookback + horizon - 1``.
There are ``window_count(T, lookback, horizon, stride) = (T - lookback - horizon)
// stride + 1`` windows (0 if the series is shorter than ``lookback + horizon``).

``make_windows`` returns read-only strided *views* of its inputs
(:func:`numpy.lib.stride_tricks.sliding_window_view`): no data is copied however
many windows there are; copy a batch with ``np.ascontiguousarray(X[a:b])``.

Leakage rules kept by the helpers:

* :func:`chronological_split` cuts rows in time order, train first, then validation,
  then test; it never shuffles.
* :func:`fit_scaler` fits on the rows it is given, which must be the training rows
  only (``values[train]``); the statistics then come from those rows alone.
* :func:`context_slice` extends a validation/test part backwards by ``lookback``
  rows so its windows have inputs, while every label stays inside the part.

Example:
    >>> import numpy as np
    >>> series = np.arange(10.0).reshape(-1, 1)
    >>> X, Y = make_windows(series, series, lookback=3, horizon=2, stride=2)
    >>> X[:, :, 0].tolist(), Y[:, :, 0].tolist()
    ([[0.0, 1.0, 2.0], [2.0, 3.0, 4.0], [4.0, 5.0, 6.0]], [[3.0, 4.0], [5.0, 6.0], [7.0, 8.0]])
"""

from __future__ import annotations

import numbers

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from sklearn.preprocessing import StandardScaler

from forecast.errors import DataError

__all__ = [
    "chronological_split",
    "context_slice",
    "fit_scaler",
    "inverse_scale",
    "make_windows",
    "scale",
    "window_count",
    "window_starts",
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


def window_starts(n: int, lookback: int, horizon: int, stride: int = 1) -> np.ndarray:
    """Row of the first input of every window.

    Window ``i`` reads inputs ``starts[i] : starts[i] + lookback`` and labels
    ``starts[i] + lookback : starts[i] + lookback + horizon``; its forecast origin
    (first label row) is ``starts[i] + lookback``.

    Args:
        n, lookback, horizon, stride: As in :func:`window_count`.

    Returns:
        ``int64`` array of shape ``(window_count(n, lookback, horizon, stride),)``.

    Example:
        >>> window_starts(10, 3, 2, stride=2).tolist()
        [0, 2, 4]
    """
    count = window_count(n, lookback, horizon, stride)
    return np.arange(count, dtype=np.int64) * int(stride)


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


def _size(size: int | float, n_rows: int, name: str) -> int:
    """A part size given in rows (int, or a whole float) or as a fraction in [0, 1)."""
    if isinstance(size, bool) or not isinstance(size, numbers.Real):
        raise TypeError(f"{name} must be a row count or a fraction, got {size!r}")
    if size < 0:
        raise ValueError(f"{name} must be >= 0, got {size}")
    if isinstance(size, numbers.Integral):
        return int(size)
    if size < 1:
        return int(np.ceil(size * n_rows))
    if float(size).is_integer():
        return int(size)
    raise ValueError(f"{name} must be a row count or a fraction in [0, 1), got {size}")


def chronological_split(
    n_rows: int, *, test_size: int | float = 0, val_size: int | float = 0
) -> tuple[slice, slice, slice]:
    """Split rows in time order into train, validation and test parts.

    Args:
        n_rows: Rows in the series.
        test_size: Last rows held out for testing: a count, or a fraction of
            ``n_rows`` in ``(0, 1)`` (rounded up).
        val_size: Rows before the test part held out for validation (same rules).

    Returns:
        ``(train, val, test)`` slices covering ``range(n_rows)`` in order without
        overlap: ``train = slice(0, a)``, ``val = slice(a, b)``, ``test = slice(b, n_rows)``.

    Raises:
        DataError: nothing would be left for training.

    Example:
        >>> chronological_split(100, test_size=0.2, val_size=10)
        (slice(0, 70, None), slice(70, 80, None), slice(80, 100, None))
    """
    n_rows = int(n_rows)
    n_test = _size(test_size, n_rows, "test_size")
    n_val = _size(val_size, n_rows, "val_size")
    n_train = n_rows - n_val - n_test
    if n_train < 1:
        raise DataError(
            f"{n_rows} rows leave no training rows after {n_val} validation and {n_test} test "
            "rows; hold out fewer rows"
        )
    a, b = n_train, n_train + n_val
    return slice(0, a), slice(a, b), slice(b, n_rows)


def context_slice(part: slice, lookback: int) -> slice:
    """Rows to cut the windows of a held-out ``part`` from.

    Extends ``part`` backwards by ``lookback`` rows (the inputs of its first window
    may come from the preceding part); with ``make_windows`` on those rows, every
    label lies inside ``part`` and there are ``window_count(len(part) + lookback,
    lookback, horizon)`` windows when the part starts at or after row ``lookback``.

    Args:
        part: A ``slice(start, stop)`` with explicit bounds (from chronological_split).
        lookback: Input steps per window.

    Returns:
        ``slice(max(0, start - lookback), stop)``.

    Example:
        >>> context_slice(slice(70, 80), 24)
        slice(46, 80, None)
    """
    _positive(lookback=lookback)
    return slice(max(0, part.start - int(lookback)), part.stop)


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


def scale(scaler: StandardScaler, values) -> np.ndarray:
    """``scaler.transform`` for arrays of any shape ``(..., columns)``.

    Example:
        >>> import numpy as np
        >>> s = fit_scaler(np.array([[0.0], [2.0]]))
        >>> scale(s, np.full((2, 3, 1), 2.0))[..., 0].tolist()
        [[1.0, 1.0, 1.0], [1.0, 1.0, 1.0]]
    """
    array = np.asarray(values, dtype=np.float64)
    return scaler.transform(array.reshape(-1, array.shape[-1])).reshape(array.shape)


def inverse_scale(scaler: StandardScaler, values) -> np.ndarray:
    """``scaler.inverse_transform`` for arrays of any shape ``(..., columns)``.

    Example:
        >>> import numpy as np
        >>> s = fit_scaler(np.array([[0.0], [2.0]]))
        >>> inverse_scale(s, scale(s, np.array([[[5.0]]]))).tolist()
        [[[5.0]]]
    """
    array = np.asarray(values, dtype=np.float64)
    return scaler.inverse_transform(array.reshape(-1, array.shape[-1])).reshape(array.shape)
