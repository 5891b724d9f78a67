"""The benchmarks: naive, seasonal naive and drift, in plain numpy.

They go through the same interface as the networks, so every comparison is like for like.

Example:
    >>> import numpy as np
    >>> SeasonalNaive.point(np.arange(8.0)[:, None], horizon=3, season=4)[:, 0]
    array([4., 5., 6.])
"""

from __future__ import annotations

import numpy as np

from forecast.models.base import Model, targets_of


class _Baseline(Model):
    """A method that forecasts from the past target values alone, with nothing to learn."""

    is_baseline = True

    @staticmethod
    def point(history: np.ndarray, horizon: int, season: int = 1) -> np.ndarray:
        """``(horizon, targets)`` forecasts from ``history (time, targets)``, oldest first."""
        raise NotImplementedError

    def forecast(self, frames: dict, origins: dict) -> dict:
        spec = self.spec
        out = {}
        for key, frame in frames.items():
            values = targets_of(frame, spec)
            out[key] = np.stack(
                [self.point(values[:o], spec.horizon, spec.season_length) for o in origins[key]]
            )
        return out


class Naive(_Baseline):
    """Repeats the last value.

    Example:
        >>> Naive.point(np.array([[1.0], [3.0]]), horizon=2)[:, 0]
        array([3., 3.])
    """

    name = "naive"
    summary = "the last value, repeated"

    @staticmethod
    def point(history, horizon, season=1):
        return np.repeat(np.asarray(history, dtype=float)[-1:], horizon, axis=0)


class SeasonalNaive(_Baseline):
    """Repeats the last season (the last value when the history is shorter than a season).

    Example:
        >>> SeasonalNaive.point(np.arange(3.0)[:, None], horizon=2, season=4)[:, 0]
        array([2., 2.])
    """

    name = "seasonal-naive"
    summary = "the last season, repeated"

    @staticmethod
    def point(history, horizon, season=1):
        history = np.asarray(history, dtype=float)
        m = season if len(history) >= season else 1
        steps = np.arange(1, horizon + 1)
        return history[len(history) - m + (steps - 1) % m]


class Drift(_Baseline):
    """The line through the first and the last value, extended.

    Example:
        >>> Drift.point(np.array([[1.0], [3.0]]), horizon=2)[:, 0]
        array([5., 7.])
    """

    name = "drift"
    summary = "the line through the first and last values"

    @staticmethod
    def point(history, horizon, season=1):
        history = np.asarray(history, dtype=float)
        n = len(history)
        slope = (history[-1] - history[0]) / (n - 1) if n > 1 else np.zeros(history.shape[1])
        return history[-1] + np.arange(1, horizon + 1)[:, None] * slope
