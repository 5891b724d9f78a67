"""The baselines: naive, seasonal naive and drift, in plain numpy.

They go through the same :class:`forecast.Forecaster` interface as the LSTM models, so
that every comparison is like for like.

Example:
    >>> import numpy as np
    >>> baseline_forecast("seasonal-naive", np.arange(8.0)[:, None], horizon=3, season=4)[:, 0]
    array([4., 5., 6.])
"""

from __future__ import annotations

import numpy as np

NEURAL = ("lstm", "lstm-ar")
BASELINES = ("naive", "seasonal-naive", "drift")
MODELS = NEURAL + BASELINES


def baseline_forecast(kind: str, history: np.ndarray, horizon: int, season: int = 1) -> np.ndarray:
    """Forecasts ``horizon`` steps from ``history`` with a classic benchmark method.

    Args:
        kind: ``"naive"`` (repeat the last value), ``"seasonal-naive"`` (repeat the last
            season) or ``"drift"`` (the line through the first and last values).
        history: ``(time, targets)`` observed values, oldest first.
        horizon: number of steps to forecast.
        season: season length for ``seasonal-naive``; falls back to 1 when the history
            is shorter than one season.

    Returns:
        ``(horizon, targets)`` point forecasts.

    Example:
        >>> baseline_forecast("drift", np.array([[1.0], [3.0]]), horizon=2)[:, 0]
        array([5., 7.])
    """
    history = np.asarray(history, dtype=float)
    steps = np.arange(1, horizon + 1)
    if kind == "naive":
        return np.repeat(history[-1:], horizon, axis=0)
    if kind == "seasonal-naive":
        m = season if len(history) >= season else 1
        return history[len(history) - m + (steps - 1) % m]
    if kind == "drift":
        n = len(history)
        slope = (history[-1] - history[0]) / (n - 1) if n > 1 else np.zeros(history.shape[1])
        return history[-1] + steps[:, None] * slope
    raise ValueError(f"unknown baseline {kind!r}; expected one of {', '.join(BASELINES)}")
