"""The squared errors of an ensemble on held-out windows: the validation loss that early
stopping reads (every training path computes it here, so that they all stop at the same
epoch) and the per-member losses of the head gate (:mod:`forecast.training`).

The validation loss is Keras' ``"mse"`` over all validation windows (the mean over
windows, members, steps and targets), summed in float64. It is computed here and not by
``model.fit(validation_data=...)``: Keras' ``evaluate`` costs about 15 ms per epoch in
fixed overhead, 40 % of a small series' fit (AirPassengers: 100 epochs of one batch).
The network runs in :func:`forecast.networks.inference`, not ``predict_on_batch``: the same call, the same
numbers, without Keras' distribution wrapper around it (4 ms per epoch more).

Example:
    >>> import keras, numpy as np
    >>> net = keras.Sequential([keras.Input((2,)), keras.layers.Reshape((1, 2, 1))])
    >>> x = np.array([[1.0, 2.0], [3.0, 4.0]], dtype="float32")
    >>> y = np.zeros((2, 1, 2, 1), dtype="float32")
    >>> float(validation_loss(net, [(x, y)]))  # (1 + 4 + 9 + 16) / 4
    7.5
"""

from __future__ import annotations

import numpy as np

from forecast.networks import inference

HELD_BYTES = 64 * 2**20
"""Validation batches up to this size are kept in memory for the fit (:func:`held`)."""


def squared_errors(network, batches) -> np.ndarray:
    """``[squared error summed per member..., count per member]`` of the windows of
    ``batches`` (pairs of inputs and labels ``(B, 1, H, k)``), in float64.

    Args:
        network: an ensemble, output ``(B, members, H, k)``.
        batches: a dataset or a list of its batches.

    Returns:
        ``(members + 1,)``.
    """
    total, count, run = 0.0, 0, inference(network)
    for x, y in batches:
        error = np.asarray(run(x), dtype=float) - np.asarray(y, dtype=float)
        total = total + np.square(error).sum(axis=(0, 2, 3))
        count += error.shape[0] * error.shape[2] * error.shape[3]
    members = network.output_shape[1]
    return np.concatenate([np.broadcast_to(np.asarray(total, float), (members,)), [count]])


def _sums(network, batches, total) -> np.ndarray:
    """:func:`squared_errors`, summed over every worker by ``total`` when given."""
    sums = squared_errors(network, batches)
    return sums if total is None else total(sums)


def validation_loss(network, batches, total=None) -> float:
    """The mean squared error over the windows of ``batches`` (and over members).

    Args:
        network, batches: as in :func:`squared_errors`.
        total: sums the sums of every worker (sharding by series: each worker holds the
            windows of its own series), or None.
    """
    sums = _sums(network, batches, total)
    return float(sums[:-1].sum() / max(sums[-1] * (len(sums) - 1), 1))


def member_losses(network, batches, total=None) -> np.ndarray:
    """The mean squared error of every member of the ensemble: ``(members,)``.

    Args:
        network, batches, total: as in :func:`validation_loss`.
    """
    sums = _sums(network, batches, total)
    return np.asarray(sums[:-1] / max(sums[-1], 1), dtype=float)


def held(dataset, nbytes: int):
    """The batches of ``dataset`` as a list when ``nbytes`` (their size) is at most
    :data:`HELD_BYTES`, else the dataset itself.

    A validation pass over a list costs no new ``tf.data`` iterator (some milliseconds
    per epoch, each); a large validation set is streamed every epoch instead.
    """
    return list(dataset) if nbytes <= HELD_BYTES else dataset
