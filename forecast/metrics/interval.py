"""Interval accuracy: coverage and mean width of prediction intervals (numpy only)."""

from __future__ import annotations

from forecast.metrics._arrays import _arrays, _masked_mean, _valid


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
