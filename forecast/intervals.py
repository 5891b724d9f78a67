"""Split-conformal prediction intervals from scale-free validation errors, for many series.

Every series has a *scale* per target (:func:`series_scale`: its in-sample seasonal naive
MAE, the MASE scale). The absolute errors on the held-out validation origins are divided
by their series' scale, pooled over all series, and summarised per horizon step and
target by their conformal quantiles on a fixed grid of levels (:data:`LEVELS`,
:func:`quantile_grid`). The interval of a series is its point forecast ± the pooled
scale-free quantile × that series' scale (:func:`half_width`): two series of the same
shape whose levels differ by a factor get intervals in that ratio. For one series this is
the plain split-conformal interval of its absolute errors.

The grid, not the residuals, is what a fitted model keeps (the model directory's size does
not grow with the number of validation origins); a level between grid points is rounded
*up* to the next one, so the interval is never narrower than asked.

Example:
    >>> import numpy as np
    >>> errors = np.arange(1.0, 11.0).reshape(10, 1, 1)  # 10 origins, 1 step, 1 target
    >>> conformal_quantile(errors, 80)[0, 0]
    np.float64(10.0)
    >>> grid = quantile_grid(errors / 2.0)                # scale-free: the series' scale is 2
    >>> float(half_width(grid, 50, scale=np.array([2.0]))[0, 0])
    7.0
"""

from __future__ import annotations

import math

import numpy as np

LEVELS = (*range(5, 50, 5), *range(50, 100), 99.5, 100)
"""The levels (percent) at which the scale-free quantiles are kept; 100 is the largest error."""


def conformal_quantile(abs_residuals: np.ndarray, level: float) -> np.ndarray:
    """The split-conformal half-width per step and target: ``(H, K)``.

    Args:
        abs_residuals: ``(n, H, K)`` absolute validation errors.
        level: percent.

    Uses the finite-sample rank ``ceil((n + 1) · level)`` of ``n`` residuals, so that the
    interval covers a new error with probability at least ``level`` when the errors are
    exchangeable (it is the largest residual when ``n`` is small).
    """
    n = len(abs_residuals)
    q = min(1.0, math.ceil((n + 1) * level / 100) / n)
    return np.quantile(abs_residuals, q, axis=0, method="higher")


def quantile_grid(scale_free: np.ndarray) -> np.ndarray:
    """The conformal quantiles of scale-free errors at every level of :data:`LEVELS`.

    Args:
        scale_free: ``(n, H, K)`` absolute validation errors divided by their series' scale.

    Returns:
        ``(len(LEVELS), H, K)``; NaN errors (none in practice) are ignored.
    """
    scale_free = np.asarray(scale_free, dtype=float)
    return np.stack([conformal_quantile(scale_free, level) for level in LEVELS])


def grid_level(level: float) -> float:
    """The grid level used for ``level``: the smallest grid point ``>= level``.

    Example:
        >>> grid_level(80), grid_level(80.2), grid_level(99.7)
        (80, 81, 100)
    """
    return next(g for g in LEVELS if g >= level - 1e-9)


def half_width(grid: np.ndarray, level: float, scale: np.ndarray) -> np.ndarray:
    """The half-width of a series' interval: ``(H, K)`` in its data units.

    Args:
        grid: ``(len(LEVELS), H, K)`` from :func:`quantile_grid`.
        level: percent, rounded up to the grid (:func:`grid_level`).
        scale: ``(K,)`` the series' scale per target (:func:`series_scale`).
    """
    return np.asarray(grid)[LEVELS.index(grid_level(level))] * np.asarray(scale, dtype=float)


def series_scale(values: np.ndarray, season: int) -> np.ndarray:
    """The scale of one series per target: ``(K,)``, always finite and positive.

    The in-sample seasonal naive MAE (lag 1 when the series is not longer than a season),
    the MASE scale; where that is 0 or undefined (a constant or one-row series), the
    naive (lag 1) MAE, then the mean absolute value, then 1.

    Args:
        values: ``(n, K)`` the series' target values (its training rows).
        season: the seasonal lag.

    Example:
        >>> series_scale(np.array([[1.0, 5.0], [2.0, 5.0], [4.0, 5.0]]), season=1).tolist()
        [1.5, 5.0]
    """
    values = np.asarray(values, dtype=float)
    out = np.empty(values.shape[1])
    for k in range(values.shape[1]):
        y = values[:, k]
        for candidate in (_mean_abs_diff(y, season), _mean_abs_diff(y, 1), np.abs(y).mean()):
            if np.isfinite(candidate) and candidate > 0:
                out[k] = candidate
                break
        else:
            out[k] = 1.0
    return out


def _mean_abs_diff(y: np.ndarray, lag: int) -> float:
    lag = lag if len(y) > lag else 1
    return float(np.abs(y[lag:] - y[:-lag]).mean()) if len(y) > lag else math.nan


def cross_fitted_coverage(scale_free: np.ndarray, level: float) -> float | None:
    """Honest coverage on the validation origins: quantiles from one half, coverage on the other.

    Args:
        scale_free: ``(n, H, K)`` scale-free absolute validation errors, in origin order.
        level: percent.

    Returns:
        The mean coverage (percent) of the two directions, or ``None`` with fewer
        than two origins.
    """
    n = len(scale_free)
    if n < 2:
        return None
    halves = (slice(0, n // 2), slice(n // 2, n))
    covered = []
    for calibrate, test in (halves, halves[::-1]):
        width = conformal_quantile(scale_free[calibrate], level)
        covered.append((scale_free[test] <= width).mean())
    return float(100 * np.mean(covered))
