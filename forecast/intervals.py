"""Split-conformal prediction intervals from validation errors.

The interval of a forecast is the point ± the ``level`` quantile of the absolute errors
made on the held-out validation origins, per horizon step and target.

Example:
    >>> import numpy as np
    >>> residuals = np.arange(1.0, 11.0).reshape(10, 1, 1)  # 10 origins, 1 step, 1 target
    >>> conformal_quantile(residuals, 80)[0, 0]
    np.float64(10.0)
"""

from __future__ import annotations

import math

import numpy as np


def conformal_quantile(abs_residuals: np.ndarray, level: float) -> np.ndarray:
    """The split-conformal half-width per step and target: ``(H, K)``.

    Uses the finite-sample rank ``ceil((n + 1) · level)`` of ``n`` residuals, so that the
    interval covers a new error with probability at least ``level`` when the errors are
    exchangeable (it is the largest residual when ``n`` is small).
    """
    n = len(abs_residuals)
    q = min(1.0, math.ceil((n + 1) * level / 100) / n)
    return np.quantile(abs_residuals, q, axis=0, method="higher")


def cross_fitted_coverage(actual: np.ndarray, predicted: np.ndarray, level: float) -> float | None:
    """Honest coverage on the validation origins: quantiles from one half, coverage on the other.

    Returns the mean coverage (percent) of the two directions, or ``None`` with fewer
    than two origins.
    """
    n = len(actual)
    if n < 2:
        return None
    halves = (slice(0, n // 2), slice(n // 2, n))
    covered = []
    for calibrate, test in (halves, halves[::-1]):
        width = conformal_quantile(np.abs(actual[calibrate] - predicted[calibrate]), level)
        inside = np.abs(actual[test] - predicted[test]) <= width
        covered.append(inside.mean())
    return float(100 * np.mean(covered))
