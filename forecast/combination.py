"""The network combined with theta, the weight chosen on the validation origins.

In the M4 competition simple combinations of forecasts beat most single methods. With
``combine="auto"`` the neural models forecast ``w * network + (1 - w) * theta`` (statsforecast's
``AutoTheta``, fitted per series and target), where the network's weight ``w`` is the one of
:data:`WEIGHTS` whose validation forecasts have the lowest absolute error, each series' error
divided by its scale (the in-sample seasonal naive MAE, as MASE) and summed over the series
of the panel (of every worker's series when sharded). ``w = 1`` is the network alone.

One weight for the whole panel, not one per series: a series' few validation origins would
choose its weight by noise.

Only a series whose validation is *purged* takes part in the choice. When a series is too
short for its horizon, its training windows run up to its first validation origin
(:func:`forecast.windowing.training_origins`, "overlapping"): the network has then been
trained on the very values it is judged on, and its validation error says little of its
error on new data (36 months ahead on AirPassengers: 0.91 against theta's 1.63 on
validation, so weight 1 and a 9.3 % MAPE; theta alone gives 5.4 %). Without a single purged
series the weight is :data:`EQUAL`, the plain mean of the two forecasts.

Pure numpy; imports nothing heavy.
"""

from __future__ import annotations

import numpy as np

from forecast.intervals import series_scale

WEIGHTS = (1.0, 0.75, 0.5, 0.25, 0.0)
"""The network's weights tried, the network alone first (a tie goes to it)."""

EQUAL = 0.5
"""The weight when no series' validation can judge the network (all of them overlapping)."""


def weight_errors(
    network: dict, partner: dict, frames: dict, origins: dict, targets, season: int
) -> np.ndarray:
    """The scaled validation error of each weight of :data:`WEIGHTS`, summed over series.

    Args:
        network, partner: ``{key: (N, horizon, K)}`` the two models' forecasts at ``origins``.
        frames: ``{key: frame}`` the series (their ``targets`` columns are read).
        origins: ``{key: [origin, ...]}`` the validation origins (row of the first step).
        targets: the target names (``K``).
        season: the seasonal lag of the scale.

    Returns:
        ``(len(WEIGHTS),)``: per weight, the sum over series of the mean absolute error of
        the combined forecast divided by the series' scale.

    Example:
        >>> import pandas as pd
        >>> frame = pd.DataFrame({"y": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]})
        >>> net, theta = {0: np.array([[[4.0], [6.0]]])}, {0: np.full((1, 2, 1), 6.0)}
        >>> weight_errors(net, theta, {0: frame}, {0: [4]}, ["y"], 1).tolist()
        [0.5, 0.25, 0.0, 0.25, 0.5]
    """
    total = np.zeros(len(WEIGHTS))
    horizon = next(iter(network.values())).shape[1] if network else 0
    steps = np.arange(horizon)
    for key, frame in frames.items():
        values = frame[list(targets)].to_numpy(dtype=float)
        rows = np.asarray(origins[key])
        actual = values[rows[:, None] + steps]  # (N, H, K)
        scale = series_scale(values[: rows[0]], season)  # (K,)
        for i, w in enumerate(WEIGHTS):
            combined = w * network[key] + (1 - w) * partner[key]
            total[i] += np.mean(np.abs(combined - actual) / scale)
    return total


def choose_weight(errors: np.ndarray) -> float:
    """The weight of :data:`WEIGHTS` with the lowest error (the first of equals).

    Example:
        >>> choose_weight(np.array([0.5, 0.25, 0.0, 0.25, 0.5])), choose_weight(np.zeros(5))
        (0.5, 1.0)
    """
    return WEIGHTS[int(np.argmin(errors))]


def combine(parts) -> dict:
    """``{key: sum of weight * forecast}`` over the ``(weight, {key: forecast})`` parts.

    Example:
        >>> parts = [(0.25, {"a": np.array([4.0])}), (0.75, {"a": np.array([8.0])})]
        >>> combine(parts)["a"].tolist()
        [7.0]
    """
    if len(parts) == 1:
        return parts[0][1]
    return {key: sum(w * part[key] for w, part in parts) for key in parts[0][1]}
