"""The network combined with theta, the weight set by their validation errors.

In the M4 competition simple combinations of forecasts beat most single methods. With
``combine="auto"`` the neural models forecast ``w * network + (1 - w) * theta`` (statsforecast's
``AutoTheta``, fitted per series and target). The network's weight comes from the validation
errors of the two forecasts alone, each series' absolute errors divided by its scale (the
in-sample seasonal naive MAE, as MASE) and summed over the series of the panel (of every
worker's series when sharded): ``w = 1 / (1 + (e_network / e_theta) ** 4)``
(:func:`choose_weight`), inverse-error weights as Bates and Granger weighed forecasts by
their inverse error variances, with a sharper exponent. ``w = 1`` is the network alone.
Chosen on the protocol's tuning half over the best of five fixed weights, which picked by
noise where the errors by weight were flat (tourism: 0.25, against ``w`` near 0.5 now; mean
MASE 0.931 → 0.924), and over the exponent 2 (univariate series 0.491 against 0.464: where
theta's error is twice the network's, 2 still gives theta a fifth).

One weight for the whole panel, not one per series: a series' few validation origins would
choose its weight by noise.

Only a series whose validation is *purged* takes part in the choice. When a series is too
short for its horizon, its training windows run up to its first validation origin
(:func:`forecast.windowing.training_origins`, "overlapping"): the network has then been
trained on the very values it is judged on, and its validation error says little of its
error on new data (36 months ahead on AirPassengers: 0.91 against theta's 1.63 on
validation, so the network alone and a 9.3 % MAPE; theta alone gives 5.4 %). Without a
single purged series the weight is :data:`EQUAL`, the plain mean of the two forecasts (of
the three where arima joins, :mod:`forecast.models.partners`).

Pure numpy; imports nothing heavy.
"""

from __future__ import annotations

import numpy as np

from forecast.intervals import series_scale

WEIGHTS = (1.0, 0.75, 0.5, 0.25, 0.0)
"""The weights whose validation errors are computed and shown (``forecast inspect``): the
network alone first, theta alone last; :func:`choose_weight` reads those two."""

POWER = 4
"""The exponent of the inverse-error weights (:func:`choose_weight`)."""

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
    """The network's weight, from the errors of :func:`weight_errors`: those of the network
    alone (``errors[0]``) and of theta alone (``errors[-1]``).

    ``1 / (1 + (e_network / e_theta) ** POWER)``, rounded to 0.001: 0.5 for equal errors,
    near 1 where theta's error is much larger; an exact forecast takes the whole weight (the
    network, when both are exact).

    Example:
        >>> choose_weight(np.array([1.0, 0.8, 0.7, 0.8, 1.0]))
        0.5
        >>> choose_weight(np.array([1.0, 1.1, 1.3, 1.6, 2.0]))  # 1 / (1 + 0.5 ** 4)
        0.941
        >>> choose_weight(np.array([0.0, 1, 1, 1, 1])), choose_weight(np.array([1.0, 1, 1, 1, 0]))
        (1.0, 0.0)
    """
    network, partner = float(errors[0]), float(errors[-1])
    if partner <= 0:
        return 1.0 if network <= 0 else 0.0
    ratio = min(network / partner, 1e6)  # beyond, the weight rounds to 0 anyway (no overflow)
    return round(1.0 / (1.0 + ratio**POWER), 3)


def choose_weights(alone) -> np.ndarray:
    """The weights of several forecasts from their validation errors ``alone`` (each
    forecast's own, network first): ``e_i ** -POWER``, normalised, each but the second
    rounded to 0.001 and the second taking the rest, so that they sum to 1.

    For two forecasts this is :func:`choose_weight`'s rule. A forecast without error takes
    the whole weight (the first such). ``models/partners`` uses it when ``arima`` joins theta
    as a partner of the network.

    Example:
        >>> choose_weights([1.0, 2.0, 2.0]).tolist()  # 16 : 1 : 1
        [0.889, 0.055, 0.056]
        >>> choose_weights([1.0, 1.0]).tolist(), choose_weights([2.0, 0.0, 0.0]).tolist()
        ([0.5, 0.5], [0.0, 1.0, 0.0])
    """
    alone = np.asarray(alone, dtype=float)
    exact = np.flatnonzero(alone <= 0)
    if len(exact):
        raw = np.zeros(len(alone))
        raw[exact[0]] = 1.0
        return raw
    # relative to the smallest error: no overflow however small the errors
    raw = (alone.min() / alone) ** POWER
    weights = np.round(raw / raw.sum(), 3)
    weights[1] = 0.0
    weights[1] = max(0.0, round(1.0 - weights.sum(), 3))
    return weights


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
