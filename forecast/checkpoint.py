"""The training state of a custom loop after every epoch, kept for a restarted job.

The chief writes the whole state (weights and every other variable, the optimizer, the
early-stopping and learning-rate callbacks, the history) atomically after each epoch; every
worker reads it on restart (the directory must be shared) and resumes after the last
finished epoch, with the result of an uninterrupted run. A checkpoint of other data, seed
or hyperparameters is refused (:func:`fingerprint`).
"""

from __future__ import annotations

import hashlib
import json
import os

import numpy as np
import tensorflow as tf

from forecast.errors import TrainingError


def fingerprint(spec, seed: int, train_data, val_data) -> str:
    """What a checkpoint belongs to: the hyperparameters, the seed and the windows."""
    digest = hashlib.sha256(json.dumps([spec.params, seed], sort_keys=True).encode())
    for array in tf.nest.flatten([train_data, val_data]):
        digest.update(str(array.shape).encode())
        digest.update(np.ascontiguousarray(array).tobytes())
    return digest.hexdigest()


class Checkpoint:
    """The training state after an epoch, written by the chief, read by all."""

    def __init__(self, setup, fingerprint: str):
        self.setup, self.fingerprint = setup, fingerprint
        self.file = None if setup.checkpoint_dir is None else setup.checkpoint_dir / "training.npz"

    def save(self, epochs: int, network, callbacks, history) -> None:
        if self.file is None or not self.setup.is_chief:
            return
        stop, reduce = callbacks[0], callbacks[1]
        state = {
            "fingerprint": self.fingerprint,
            "epochs": epochs,
            "history": history,
            "stop": {k: getattr(stop, k) for k in ("wait", "best", "best_epoch", "stopped_epoch")},
            "reduce": {k: getattr(reduce, k) for k in ("wait", "best", "cooldown_counter")},
            "has_best": stop.best_weights is not None,
            "stopped": bool(network.stop_training),
        }
        arrays = {"state": np.frombuffer(json.dumps(state).encode(), np.uint8)}
        # every variable, the dropout layers' seed generators included (not in get_weights):
        # a resumed fit draws the same dropout masks as an uninterrupted one
        arrays |= {f"w{i}": np.asarray(v.numpy()) for i, v in enumerate(network.variables)}
        for i, v in enumerate(network.optimizer.variables):
            arrays[f"o{i}"] = np.asarray(v.numpy())
        for i, v in enumerate(stop.best_weights or []):
            arrays[f"b{i}"] = np.asarray(v)
        self.file.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.file.with_name(f".{self.file.name}.tmp-{os.getpid()}")
        with open(tmp, "wb") as f:
            np.savez(f, **arrays)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.file)

    def restore(self, network, callbacks, history) -> tuple[int, bool]:
        """Loads the saved state into the network and callbacks.

        Returns:
            ``(epochs done, whether training had stopped)``.
        """
        if self.file is None or not self.file.is_file():
            return 0, False
        with np.load(self.file) as saved:
            arrays = dict(saved)
        state = json.loads(arrays.pop("state").tobytes())
        if state.get("fingerprint") != self.fingerprint:
            raise TrainingError(
                f"the checkpoint {self.file} belongs to another fit (other data, seed or "
                "hyperparameters); give an empty checkpoint_dir= or remove it"
            )
        stop, reduce = callbacks[0], callbacks[1]
        for i, v in enumerate(network.variables):
            v.assign(arrays[f"w{i}"])
        for i, v in enumerate(network.optimizer.variables):
            v.assign(arrays[f"o{i}"])
        for k, v in state["stop"].items():
            setattr(stop, k, v)
        for k, v in state["reduce"].items():
            setattr(reduce, k, v)
        if state["has_best"]:
            stop.best_weights = [arrays[f"b{i}"] for i in range(len(network.get_weights()))]
        for key in history:
            history[key].extend(state["history"][key])
        return int(state["epochs"]), bool(state["stopped"])
