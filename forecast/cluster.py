"""``forecast fit`` as one worker of a cluster: its role, its strategy, the chief's write.

The cluster is the one ``tf.distribute`` reads: the ``TF_CONFIG`` environment variable,
the same on every worker but for ``task``::

    TF_CONFIG='{"cluster": {"worker": ["host1:12345", "host2:12345"]},
                "task": {"type": "worker", "index": 0}}' forecast fit data.csv

Every worker runs the same command; each trains on its share of every batch
(:mod:`forecast.distributed`) or, with ``--shard series``, reads, validates, scales,
windows and calibrates only its own series (:func:`part`, :mod:`forecast.pool`,
:mod:`forecast.sharding`). Worker 0 (or the task ``chief``) is the chief: it alone
writes the model directory (atomically, :mod:`forecast.modeldir`) and the checkpoints;
the others write nothing. This module imports neither TensorFlow nor pandas until a fit.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass

from forecast.errors import DataError, ParameterError, TrainingError


@dataclass(frozen=True)
class Role:
    """This process's part in a fit.

    Attributes:
        kind: ``"multi-worker"`` (a ``TF_CONFIG`` cluster), ``"mirrored"`` (every device
            of this machine) or ``"single"`` (``model.fit``, or the custom loop when
            checkpointing).
        index: the worker's position, 0 for the chief.
        workers: how many workers train together.
    """

    kind: str = "single"
    index: int = 0
    workers: int = 1

    @property
    def is_chief(self) -> bool:
        """Whether this process writes the model directory."""
        return self.index == 0

    def describe(self) -> str:
        """One line for the user, e.g. ``worker 1 of 2 (writes nothing; the chief saves)``."""
        if self.kind == "multi-worker":
            what = "chief: writes the model directory" if self.is_chief else "writes nothing"
            return f"worker {self.index} of {self.workers} ({what})"
        if self.kind == "mirrored":
            return "one machine, data-parallel over its devices (MirroredStrategy)"
        return "one process"


def cluster_of(environ=None) -> dict | None:
    """The ``cluster`` and ``task`` of ``TF_CONFIG``, or None when it is unset or empty.

    Raises:
        ParameterError: ``TF_CONFIG`` is not a cluster configuration.

    Example:
        >>> cluster_of({"TF_CONFIG": '{"cluster": {"worker": ["a:1", "b:2"]}, '
        ...             '"task": {"type": "worker", "index": 1}}'})["task"]
        {'type': 'worker', 'index': 1}
    """
    raw = (os.environ if environ is None else environ).get("TF_CONFIG", "").strip()
    if not raw:
        return None
    try:
        config = json.loads(raw)
        cluster, task = config["cluster"], config["task"]
        kind, index = task["type"], int(task["index"])
        if kind not in ("worker", "chief") or not 0 <= index < len(cluster[kind]):
            raise ValueError(f"task {kind} {index} is not in the cluster")
        if set(cluster) - {"worker", "chief"}:
            raise ValueError("only 'worker' and 'chief' tasks are supported")
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ParameterError(
            f"TF_CONFIG is not a tf.distribute cluster ({exc}); expected "
            '{"cluster": {"worker": ["host:port", ...]}, "task": {"type": "worker", "index": 0}}'
        ) from None
    return config


def role(distributed: bool | None = None, environ=None) -> Role:
    """This process's role.

    Args:
        distributed: None: data-parallel when ``TF_CONFIG`` names a cluster; True:
            always (over the local devices without ``TF_CONFIG``); False: never.
    """
    config = cluster_of(environ) if distributed is not False else None
    if config is None:
        return Role("mirrored" if distributed else "single")
    cluster, task = config["cluster"], config["task"]
    chiefs = len(cluster.get("chief", []))
    index = int(task["index"]) + (chiefs if task["type"] == "worker" else 0)
    return Role("multi-worker", index, chiefs + len(cluster.get("worker", [])))


def part(role: Role, shard: str, model: str) -> tuple[int, int] | None:
    """``(index, workers)``: the part of the data this worker reads, or None for all of it.

    Sharded by series, each worker of a cluster reads only its own series (a neural
    model: the others train on one process and need every series).

    Example:
        >>> part(Role("multi-worker", 1, 2), "series", "lstm")
        (1, 2)
        >>> part(Role("multi-worker", 1, 2), "batch", "lstm") is None
        True
    """
    from forecast import models

    mine = shard == "series" and role.workers > 1 and models.get(model).needs_tensorflow
    return (role.index, role.workers) if mine else None


def fit(
    forecaster, data, model_dir, *, role: Role = Role(), checkpoint_dir=None, shard="batch"
) -> bool:
    """Fits ``forecaster`` on ``data`` as ``role``; the chief saves it to ``model_dir``.

    A neural model trains data-parallel (or, on one process with a ``checkpoint_dir``,
    resumably) with :func:`forecast.distributed.fit_one`, or with ``shard="series"`` with
    :func:`forecast.sharding.fit_series`; otherwise with ``model.fit``.

    Args:
        data: a :class:`~forecast.data.SeriesData`; with ``shard="series"`` on several
            workers, this worker's part of the panel (read with ``part=`` :func:`part`),
            or the whole panel, which is cut here.
        shard: ``"batch"`` (every worker reads its slice of every batch: the batches of
            one process) or ``"series"`` (every worker fits only its own series).

    Returns:
        Whether this process wrote ``model_dir`` (only the chief does).

    Raises:
        TrainingError: a worker failed; nothing was written.
    """
    from forecast import models

    custom = role.kind != "single" or checkpoint_dir is not None or shard == "series"
    if custom and models.get(forecaster.model).needs_tensorflow:
        from forecast import distributed

        setup = distributed.start(role.kind, checkpoint_dir, role.index, role.workers, shard)
        with distributed.use(setup):
            if shard == "series":
                from forecast import pool, sharding

                with pool.use(sharding.pool(setup)) as workers:
                    _check_parts_read(workers, None)
                    forecaster.fit(_part_of(data, setup.index, setup.workers))
            else:
                forecaster.fit(data)
    else:
        forecaster.fit(data)
    if role.is_chief:
        forecaster.save(model_dir)
    return role.is_chief


def give_up(role: Role, error: Exception) -> None:
    """Raises ``error``, the reason this worker could not read its part of the data
    (:func:`part`), once the other workers know it: they stop at once with a
    ``TrainingError`` instead of waiting for this one.
    """
    from forecast import distributed, sharding

    setup = distributed.start(role.kind, None, role.index, role.workers, "series")
    _check_parts_read(sharding.pool(setup), error)


def _check_parts_read(workers, error: Exception | None) -> None:
    """The first exchange of a fit sharded by series: did every worker read its part?"""
    failed = workers.share(error is not None)
    if error is not None:
        raise error
    if any(failed):
        raise TrainingError(
            f"worker {failed.index(True)} of {len(failed)} could not read its part of the "
            "data (its own Error: line says why); nothing was written"
        )


def _part_of(sd, index: int, workers: int):
    """Worker ``index``'s part of the validated panel ``sd`` (itself if already one)."""
    import dataclasses

    from forecast.pool import Part, part_of

    if workers == 1 or sd.part is not None:
        return sd
    if sd.id_col is None or len(sd.frames) < workers:
        raise DataError(
            f"{sd.source}: sharding by series over {workers} workers needs a panel in long "
            f"format with at least {workers} series; shard by batch"
        )
    keys = part_of(list(sd.frames), index, workers)
    frames = {key: sd.frames[key] for key in keys}
    ids = tuple(str(key) for key in sd.frames)
    return dataclasses.replace(sd, frames=frames, part=Part(index, workers, ids))
