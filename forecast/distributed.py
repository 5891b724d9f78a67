"""Data-parallel training with ``tf.distribute``: the strategy and the custom training loop.

Keras 3's ``model.fit`` does not run under ``MultiWorkerMirroredStrategy``
(keras-team/keras#20585), so a job on several machines trains with :func:`fit_one`: a
compiled step run by ``strategy.run`` on every replica, whose gradients the Keras optimizer
all-reduces (sum) before it applies them. The rest is what ``model.fit`` does, with the
same objects: the same ``Adam``, the same mean squared error, and the very callbacks
(:func:`forecast.callbacks.training_callbacks`: Keras' early stopping with the best weights
restored, ``ReduceLROnPlateau`` and ``TerminateOnNaN``), called at the same points with the
same logs. On one process (the default strategy) it
gives the weights of ``model.fit`` on the same data (``tests/test_distributed.py``).

Input sharding: every worker draws the same shuffled stream of global batches of
``batch_size`` windows (:func:`forecast.tfdata.make_dataset`, same seed) and reads only its
contiguous slice of each. Each replica's loss is its windows' squared errors divided by
the size of the *global* batch, so the summed gradients are those of the global batch's
mean loss: the same windows, the same step as on one machine. The opt-in alternative,
``Setup.shard == "series"`` (each worker windows only its own series), is
:mod:`forecast.sharding`.

Validation runs on every worker over all validation windows, on a copy of the network
with plain (not mirrored) variables; the chief's value is broadcast so that every worker
takes the same early-stopping decisions. The trained network handed back is that copy.

Faults: collectives time out after :data:`COLLECTIVE_TIMEOUT` seconds; a dead or hung
worker becomes a :class:`~forecast.errors.TrainingError` on the others. With a
``checkpoint_dir`` the chief writes the whole training state after every epoch (atomically)
and a restarted job resumes after the last finished epoch, with the same result as an
uninterrupted run. The directory must be readable by every worker (shared storage).
"""

from __future__ import annotations

import contextlib
import contextvars
import itertools
from dataclasses import dataclass
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from forecast import losses, optimizers
from forecast.callbacks import training_callbacks
from forecast.checkpoint import Checkpoint, fingerprint
from forecast.errors import TrainingError

COLLECTIVE_TIMEOUT = 30.0  # seconds a collective may wait for a peer before failing


@dataclass(frozen=True)
class Setup:
    """How this process trains.

    Attributes:
        strategy: the ``tf.distribute`` strategy (the default one on one process).
        index: this worker's position among the input readers (0: the chief).
        workers: the number of workers.
        kind: ``"single"``, ``"multi-worker"`` or ``"mirrored"``.
        checkpoint_dir: where the per-epoch training state is kept (None: nowhere).
        shard: how the training windows are split: ``"batch"`` (every worker reads its
            slice of the one shuffled stream: the batches of one process) or
            ``"series"`` (every worker windows only its own series,
            :mod:`forecast.sharding`).
    """

    strategy: object
    index: int = 0
    workers: int = 1
    kind: str = "single"
    checkpoint_dir: Path | None = None
    shard: str = "batch"

    @property
    def is_chief(self) -> bool:
        """Whether this worker writes the model directory and the checkpoints."""
        return self.index == 0


_ACTIVE: contextvars.ContextVar[Setup | None] = contextvars.ContextVar("setup", default=None)


def start(
    kind: str = "single",
    checkpoint_dir=None,
    index: int = 0,
    workers: int = 1,
    shard: str = "batch",
) -> Setup:
    """The training setup of this process; creates the strategy (before other TF work).

    The choice of strategy is this one place: ``MultiWorkerMirroredStrategy`` across the
    hosts of ``TF_CONFIG`` (it reads the variable itself and waits for every worker),
    ``MirroredStrategy`` over the GPUs of one machine, or the default strategy.

    Args:
        kind: ``"multi-worker"``, ``"mirrored"`` or ``"single"``.
        checkpoint_dir: keep the per-epoch training state there (resumable).
        index: this worker's position (0: the chief), from
            :func:`forecast.cluster.role`.
        workers: the number of workers.
        shard: ``"batch"`` or ``"series"`` (see :class:`Setup`).
    """
    if shard not in ("batch", "series"):
        raise ValueError(f"shard must be 'batch' or 'series', got {shard!r}")
    checkpoint = None if checkpoint_dir is None else Path(checkpoint_dir)
    if kind == "multi-worker":
        options = tf.distribute.experimental.CommunicationOptions(
            timeout_seconds=COLLECTIVE_TIMEOUT
        )
        strategy = tf.distribute.MultiWorkerMirroredStrategy(communication_options=options)
    elif kind == "mirrored":
        strategy = tf.distribute.MirroredStrategy()
    else:
        strategy = tf.distribute.get_strategy()
    return Setup(strategy, index, workers, kind, checkpoint, shard)


def active() -> Setup | None:
    """The setup that :func:`use` made active (None: train with ``model.fit``)."""
    return _ACTIVE.get()


@contextlib.contextmanager
def use(setup: Setup):
    """Within the block, neural models train with :func:`fit_one` under ``setup``."""
    token = _ACTIVE.set(setup)
    try:
        yield setup
    finally:
        _ACTIVE.reset(token)


def fit_one(spec, build, train_data, val_data, *, seed: int, setup: Setup, progress):
    """Trains the ensemble with the custom loop; the same semantics as ``model.fit``.

    Args:
        spec: the :class:`~forecast.models.ModelSpec` (epochs, batch_size,
            learning_rate, patience).
        build: makes the ensemble network (uncompiled), the same on every call.
        train_data, val_data: ``(inputs tuple, labels (N, 1, H, k))`` of all windows.
        seed: the shuffling seed (as for ``model.fit``).
        setup: the :class:`Setup`.
        progress: extra Keras callbacks (a progress bar) or ``[]``.

    Returns:
        ``(network, history)``: the trained network with plain variables, best weights
        restored, and the Keras-style history (``loss``, ``val_loss``, ``learning_rate``).

    Raises:
        TrainingError: a worker of the cluster failed or stopped answering.
    """
    from forecast.tfdata import make_dataset

    network, twin = compiled(spec, build, setup.strategy)
    shard = (setup.index, setup.workers) if setup.workers > 1 else None
    train_set = make_dataset(
        *train_data, batch_size=spec.batch_size, shuffle=True, seed=seed, shard=shard
    )
    inputs, labels = val_data
    val_batches = losses.held(
        make_dataset(*val_data, batch_size=spec.batch_size),
        sum(np.asarray(a).nbytes for a in (*inputs, labels)),
    )
    callbacks = training_callbacks(spec, progress)
    loop = _Loop(setup, network, len(train_data[1]), spec.batch_size)
    checkpoint = Checkpoint(setup, fingerprint(spec, seed, train_data, val_data))
    history, first, stopped = begin(network, callbacks, checkpoint)
    # One stream over the whole fit, as model.fit reads training.fit's repeated dataset
    # with steps_per_epoch: epoch e reads the (e+1)-th shuffled pass (a resumed job
    # skips the passes of the epochs done).
    steps = -(-len(train_data[1]) // spec.batch_size)
    stream = iter(train_set.repeat().skip(first * steps))

    def train_epoch(epoch):
        return loop.epoch(itertools.islice(stream, steps), callbacks)

    def validate():
        return loop.agree(losses.validation_loss(twin, val_batches))

    run_epochs(setup, spec, (network, twin), callbacks, history, checkpoint, (first, stopped),
               train_epoch, validate)  # fmt: skip
    return twin, history


def compiled(spec, build, strategy):
    """``(network, twin)``: the network to train, its variables under ``strategy``, and a
    twin with plain variables (validation, and the trained network handed back), both
    compiled as the network of ``model.fit`` is, so that ``model.keras`` has the same layout.
    """
    with strategy.scope():
        network = build()
        network.compile(optimizer=optimizers.Adam(spec.learning_rate), loss="mse")
        network.optimizer.build(network.trainable_variables)
    twin = build()
    twin.compile(optimizer=optimizers.Adam(spec.learning_rate), loss="mse")
    twin.optimizer.build(twin.trainable_variables)
    return network, twin


def begin(network, callbacks, checkpoint) -> tuple[dict, int, bool]:
    """Starts the callbacks and restores a checkpoint: ``(history, epochs done, stopped)``."""
    for callback in callbacks:
        callback.set_model(network)
        callback.on_train_begin()
    history = {"loss": [], "val_loss": [], "learning_rate": []}
    first, stopped = checkpoint.restore(network, callbacks, history)
    return history, first, stopped


def run_epochs(setup, spec, networks, callbacks, history, checkpoint, start, train_epoch, validate):
    """The epochs of a custom loop, as ``model.fit`` runs them, with a checkpoint after each.

    Args:
        networks: ``(network, twin)`` of :func:`compiled`; the twin ends with the weights
            the callbacks leave (the best ones).
        start: ``(epochs done, stopped)`` of :func:`begin`.
        train_epoch: ``train_epoch(epoch) -> mean training loss``.
        validate: ``validate() -> validation loss`` of the twin (the same on every worker).

    Raises:
        TrainingError: a worker of the cluster failed or stopped answering.
    """
    network, twin = networks
    first, stopped = start
    try:
        for epoch in range(first, first if stopped else spec.epochs):
            network.stop_training = False
            loss = train_epoch(epoch)
            twin.set_weights(network.get_weights())
            logs = {"loss": loss, "val_loss": validate()}
            for callback in callbacks:
                callback.on_epoch_end(epoch, logs)
            for key in history:
                history[key].append(logs[key])
            checkpoint.save(epoch + 1, network, callbacks, history)
            if network.stop_training:
                break
    except tf.errors.OpError as exc:
        raise _cluster_failure(exc, setup) from None
    for callback in callbacks:
        callback.on_train_end()
    twin.set_weights(network.get_weights())


class _Loop:
    """The compiled train step of one network under a strategy, and the epoch around it."""

    def __init__(self, setup: Setup, network, n_windows: int, batch_size: int):
        self.setup, self.network = setup, network
        self.n, self.batch_size = n_windows, int(batch_size)
        strategy = setup.strategy
        jit = bool(network.jit_compile) and setup.kind == "single"

        def replica_step(x, y, global_size):
            with tf.GradientTape() as tape:
                pred = network(x, training=True)
                # keras.losses.MeanSquaredError with "sum_over_batch_size", its ops in its
                # order, but over the global batch: sum(mean over targets) / (B * E * H)
                values = keras.ops.mean(keras.ops.square(y - pred), axis=-1)
                shape = keras.ops.shape(values)
                divisor = keras.ops.cast(global_size * shape[1] * shape[2], "float32")
                loss = keras.ops.divide_no_nan(keras.ops.sum(values), divisor)
            variables = network.trainable_variables
            network.optimizer.apply_gradients(
                zip(tape.gradient(loss, variables), variables, strict=True)
            )
            return loss

        def step(x, y, global_size):
            per_replica = strategy.run(replica_step, args=(x, y, global_size))
            return strategy.reduce(tf.distribute.ReduceOp.SUM, per_replica, axis=None)

        def broadcast(value):
            def chief_only(v):
                ctx = tf.distribute.get_replica_context()
                return v * tf.cast(tf.equal(ctx.replica_id_in_sync_group, 0), v.dtype)

            per_replica = strategy.run(chief_only, args=(value,))
            return strategy.reduce(tf.distribute.ReduceOp.SUM, per_replica, axis=None)

        self.step = tf.function(step, jit_compile=False, reduce_retracing=True)
        self._replica_step = tf.function(replica_step, jit_compile=jit, reduce_retracing=True)
        self.broadcast = tf.function(broadcast)

    def epoch(self, batches, callbacks) -> float:
        """One pass over the training windows (``batches``: the pass's batches); returns
        the epoch's mean loss (as Keras)."""
        total = count = np.float32(0)
        for step, (x, y) in enumerate(batches):
            size = min(self.batch_size, self.n - step * self.batch_size)
            if self.setup.kind == "single":  # the same graph as Keras's, jit as Keras's
                loss = self._replica_step(x, y, tf.constant(size))
            else:
                loss = self.step(*self._per_replica(x, y), tf.constant(size))
            # keras' Mean tracker: float32 total of loss * windows, over the windows
            total = np.float32(total + np.float32(loss) * np.float32(size))
            count = np.float32(count + size)
            logs = {"loss": float(total / count)}
            for callback in callbacks:
                callback.on_train_batch_end(step, logs)
            if self.network.stop_training:
                break
        return float(total / count)

    def _per_replica(self, x, y):
        """This worker's slice split over its local replicas (several GPUs), or as it is."""
        strategy, local = self.setup.strategy, self.setup.strategy.num_replicas_in_sync
        local //= self.setup.workers
        if local == 1:
            return x, y

        def part(ctx):
            i = ctx.replica_id_in_sync_group % local

            def cut(t):
                size = tf.shape(t)[0]
                return t[i * size // local : (i + 1) * size // local]

            return tf.nest.map_structure(cut, (x, y))

        values = strategy.experimental_distribute_values_from_function(part)
        return values[0], values[1]

    def agree(self, value: float) -> float:
        """The chief's ``value`` on every worker (identical early-stopping decisions)."""
        if self.setup.workers == 1:
            return value
        return float(self.broadcast(tf.constant(value, tf.float32)))


def _cluster_failure(exc: tf.errors.OpError, setup: Setup) -> TrainingError:
    lines = [line.strip() for line in (exc.message or "").splitlines() if line.strip()]
    # TF's first line is often a bare "Graph execution error:"; the cause follows
    useful = [line for line in lines if not line.endswith(":") and not line.startswith("[[")]
    reason = (useful or lines or [type(exc).__name__])[0][:200]
    resume = (
        "; restart every worker with the same --checkpoint-dir to resume"
        if setup.checkpoint_dir
        else ""
    )
    return TrainingError(
        f"distributed training failed on worker {setup.index} of {setup.workers}: a worker "
        f"stopped or did not answer within {COLLECTIVE_TIMEOUT:g} s ({type(exc).__name__}: "
        f"{reason}){resume}"
    )
