"""Input sharding by series: every worker reads, trains on and calibrates its own series.

The opt-in alternative (``Setup.shard == "series"``, ``forecast fit --shard series``) to
the default sharding by batch of :mod:`forecast.distributed`, where every worker gathers
the windows of every series and reads its slice of the one shuffled stream. Here:

- worker *i* of *n* owns the series whose position in the sorted ids is *i* modulo *n*
  (:func:`forecast.pool.part_of`); it reads (``load_data(part=…)``), validates, scales,
  stacks, windows and calibrates only those. What the fit decides for the whole panel and
  what the chief saves pass through :class:`WorkerPool` (:mod:`forecast.pool`):
  pickled objects and sums, exchanged by all-reduces (:func:`exchange`, :func:`all_sum`);
- each worker draws ``batch_size / n`` windows per step (:func:`local_batch`) from its
  own endless shuffled stream (seed ``seed + index``); all workers run the same number of
  steps per epoch (collectives would hang otherwise): enough for the worker with the most
  windows to see each of them once, the shorter streams simply go on (a new pass);
- a replica's loss is its squared errors divided by the global batch size, the gradients
  are summed across workers (the step of :class:`forecast.distributed._Loop`);
- the validation loss is the sum of every worker's squared errors over the sum of their
  counts (one all-reduce), so every worker takes the same early-stopping decisions; the
  head gate of :mod:`forecast.training` sums its losses the same way.

The batches are not those of one process, so the weights differ from a one-process fit;
the accuracy is comparable (``tests/test_distributed.py`` compares the validation MASE).
"""

from __future__ import annotations

import hashlib
import math
import pickle

import numpy as np
import tensorflow as tf

from forecast import distributed, losses
from forecast.callbacks import training_callbacks
from forecast.checkpoint import Checkpoint, fingerprint
from forecast.errors import TrainingError
from forecast.pool import Pool


def local_batch(batch_size: int, index: int, workers: int) -> int:
    """Windows per step of worker ``index``: its part of the global ``batch_size``.

    Example:
        >>> [local_batch(10, i, 3) for i in range(3)]
        [4, 3, 3]
    """
    return batch_size // workers + (1 if index < batch_size % workers else 0)


def all_sum(setup, values) -> np.ndarray:
    """The sum over the workers of every worker's ``values``: one all-reduce, in float64
    (in int64 for integer ``values``, whose sums are then exact).

    Each worker's values count once, however many local replicas (devices) it has.
    """
    values = np.asarray(values)
    dtype = np.int64 if values.dtype.kind in "iub" else np.float64
    values = values.astype(dtype)
    strategy = setup.strategy
    if strategy.num_replicas_in_sync == 1:
        return values
    local = max(1, strategy.num_replicas_in_sync // setup.workers)
    try:
        summed = _summer(strategy, local)(tf.constant(values))
    except tf.errors.OpError as exc:
        raise distributed._cluster_failure(exc, setup) from None
    return np.asarray(summed, dtype=dtype)


_SUMMERS: dict = {}


def _summer(strategy, local: int):
    """A compiled all-reduce (sum) under ``strategy`` (one per strategy)."""
    key = (id(strategy), local)
    if key not in _SUMMERS:

        def first_local(value):
            ctx = tf.distribute.get_replica_context()
            keep = tf.equal(ctx.replica_id_in_sync_group % local, 0)
            return value * tf.cast(keep, value.dtype)

        def reduce(value):
            per_replica = strategy.run(first_local, args=(value,))
            return strategy.reduce(tf.distribute.ReduceOp.SUM, per_replica, axis=None)

        _SUMMERS.clear()  # a new strategy: the old one's function is no use
        _SUMMERS[key] = tf.function(reduce, reduce_retracing=True)
    return _SUMMERS[key]


def gather(setup, values) -> np.ndarray:
    """Every worker's ``values`` (1-D): ``(workers, len(values))``, row ``i`` worker ``i``'s."""
    values = np.asarray(values, dtype=np.float64)
    table = np.zeros((setup.workers, len(values)))
    table[setup.index] = values
    return all_sum(setup, table)


CHUNK_WORDS = 1 << 20
"""64-bit words per worker and all-reduce when objects are exchanged (8 MiB a worker)."""


def exchange(setup, payload: bytes, keep: bool = True) -> list[bytes] | None:
    """Every worker's ``payload``, in worker order (``None`` where ``keep`` is false).

    The bytes travel as int64 words in all-reduces of ``(workers, CHUNK_WORDS)`` tables
    where each worker fills only its own row (a sum with zeros is exact), so the memory a
    transfer takes is bounded by the chunk, not by the payloads.
    """
    sizes = gather(setup, [len(payload)])[:, 0].astype(np.int64)
    words = -(-int(sizes.max()) // 8)
    mine = np.frombuffer(payload.ljust(words * 8, b"\0"), dtype=np.int64)
    parts = [bytearray() for _ in range(setup.workers)]
    for start in range(0, words, CHUNK_WORDS):
        stop = min(start + CHUNK_WORDS, words)
        table = np.zeros((setup.workers, stop - start), dtype=np.int64)
        table[setup.index] = mine[start:stop]
        summed = all_sum(setup, table)
        if keep:
            for part, row in zip(parts, summed, strict=True):
                part += row.tobytes()
    return [bytes(p[:n]) for p, n in zip(parts, sizes, strict=True)] if keep else None


class WorkerPool(Pool):
    """The workers of a cluster sharded by series (:mod:`forecast.pool`), exchanging
    through the strategy's collectives: objects are pickled (the workers run the same
    program and trust each other), numbers are summed by one all-reduce."""

    def __init__(self, setup):
        self.setup, self.index, self.workers = setup, setup.index, setup.workers

    def share(self, value) -> list:
        return [pickle.loads(b) for b in exchange(self.setup, pickle.dumps(value))]

    def collect(self, value) -> list | None:
        parts = exchange(self.setup, pickle.dumps(value), keep=self.index == 0)
        return None if parts is None else [pickle.loads(b) for b in parts]

    def total(self, values):
        out = all_sum(self.setup, values)
        return out[()] if out.ndim == 0 else out


def pool(setup) -> Pool:
    """The pool of a fit sharded by series under ``setup`` (one worker: the default)."""
    return WorkerPool(setup) if setup.workers > 1 else Pool()


def fit_series(spec, build, rows, train_starts, val_starts, width, *, seed, setup, progress):
    """Trains the ensemble on this worker's series (the windows of ``rows``).

    Args:
        spec: the :class:`~forecast.models.ModelSpec`.
        build: makes the ensemble network (uncompiled), the same on every call.
        rows: :class:`forecast.streaming.Rows` of this worker's series.
        train_starts, val_starts: their training and validation window starts.
        width: the label width.
        seed: the shuffling seed (this worker's stream uses ``seed + index``).
        setup: the :class:`~forecast.distributed.Setup` (``shard == "series"``).
        progress: extra Keras callbacks (a progress bar) or ``[]``.

    Returns:
        ``(network, history, windows)``: the trained network with plain variables (best
        weights restored), the Keras-style history and the numbers of training and
        validation windows of all workers together.

    Raises:
        TrainingError: a worker has no training window or no local batch, or a worker
            of the cluster failed.
    """
    from forecast.tfdata import window_dataset, with_members_axis

    network, twin = distributed.compiled(spec, build, setup.strategy)
    batch = local_batch(spec.batch_size, setup.index, setup.workers)
    table = gather(setup, [len(train_starts), len(val_starts), *_digest(rows, train_starts)])
    if batch < 1 or (table[:, 0] < 1).any():
        raise TrainingError(
            f"sharding by series: every one of the {setup.workers} workers needs training "
            f"windows and a part of the batch (windows per worker: "
            f"{table[:, 0].astype(int).tolist()}, batch_size {spec.batch_size}); use fewer "
            "workers, a larger batch_size or --shard batch"
        )
    batches = [local_batch(spec.batch_size, i, setup.workers) for i in range(setup.workers)]
    steps = max(math.ceil(n / b) for n, b in zip(table[:, 0], batches, strict=True))
    key = fingerprint(spec, seed, [table.astype(np.int64)], [])
    checkpoint = Checkpoint(setup, f"series-{setup.workers}-{key}")
    callbacks = training_callbacks(spec, progress)
    history, first, stopped = distributed.begin(network, callbacks, checkpoint)
    train_set = with_members_axis(
        window_dataset(
            rows,
            train_starts,
            batch_size=batch,
            label_width=width,
            shuffle=True,
            seed=seed + setup.index,
            repeat=True,
            skip=first * steps,
        )
    )
    val_set = with_members_axis(
        window_dataset(rows, val_starts, batch_size=spec.batch_size, label_width=width)
    )
    loop = distributed._Loop(setup, network, 0, spec.batch_size)
    stream = iter(train_set)
    distributed.run_epochs(
        setup, spec, (network, twin), callbacks, history, checkpoint, (first, stopped),
        train_epoch=lambda epoch: _epoch(loop, stream, steps, callbacks),
        validate=lambda: losses.validation_loss(twin, val_set, lambda v: all_sum(setup, v)),
    )  # fmt: skip
    return twin, history, (int(table[:, 0].sum()), int(table[:, 1].sum()))


def _epoch(loop, stream, steps: int, callbacks) -> float:
    """``steps`` steps on the next batches of ``stream``; the mean of their losses."""
    setup, size = loop.setup, tf.constant(loop.batch_size)
    total = 0.0
    for step in range(steps):
        x, y = next(stream)
        if setup.kind == "single":
            loss = loop._replica_step(x, y, size)
        else:
            loss = loop.step(*loop._per_replica(x, y), size)
        total += float(loss)  # every step is a full global batch: the mean of the steps
        for callback in callbacks:
            callback.on_train_batch_end(step, {"loss": total / (step + 1)})
        if loop.network.stop_training:
            break
    return total / (step + 1)


def _digest(rows, starts) -> list[float]:
    """Three 16-bit numbers identifying this worker's windows (for the checkpoint)."""
    digest = hashlib.sha256(np.ascontiguousarray(rows.values).tobytes())
    digest.update(np.asarray(starts, dtype=np.int64).tobytes())
    raw = digest.digest()
    return [float(int.from_bytes(raw[i : i + 2], "big")) for i in (0, 2, 4)]
