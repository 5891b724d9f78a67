"""Data-parallel training (issue #15): the custom loop gives the weights of ``model.fit``; two
worker processes on 127.0.0.1 give the weights of one process; only the chief writes; a
dead worker stops the other with one ``Error:`` line; a killed job resumes from its
checkpoint to the weights of an uninterrupted run; sharded by series (each worker reads
only its own series, from a CSV or a Parquet file), two workers reach the validation MASE
of one process within 5 %, and a bad row in one worker's series stops both at once.

The tests that start worker processes are marked ``multiworker`` (deselect them with
``-m "not multiworker"``); they take about three minutes on two loaded cores.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import seasonal_frame

from forecast import Forecaster, cluster
from forecast.checkpoint import Checkpoint
from forecast.data import load_data
from forecast.errors import ParameterError, TrainingError

ROOT = Path(__file__).resolve().parents[1]
# Small, but long enough that early stopping and the learning-rate halving both act.
# theta as the only partner: arima (combine="auto") costs about 17 s a fit of the six-series
# panel; it runs over two workers in the csv case of the test sharded by series below
PARITY = dict(
    horizon=6, units=8, epochs=20, patience=3, batch_size=16, seed=3, learning_rate=0.05,
    combine="theta",
)  # fmt: skip


def _weights(fc) -> list[np.ndarray]:
    return fc.network_.get_weights()


def _assert_same_weights(a, b, rtol=1e-5, atol=1e-6):
    assert len(a) == len(b)
    for x, y in zip(a, b, strict=True):
        np.testing.assert_allclose(x, y, rtol=rtol, atol=atol)


def _custom(params, frame, role=None, checkpoint_dir=None, shard="batch", **options):
    """A fit through the custom loop (forecast.distributed) on this one process."""
    from forecast import distributed

    role = role or cluster.Role()
    fc = Forecaster(**params)
    setup = distributed.start(role.kind, checkpoint_dir, role.index, role.workers, shard)
    with distributed.use(setup):
        fc.fit(frame, **options)
    return fc


def _panel(series: int = 6, n: int = 100):
    """Seasonal series of different levels and noise: columns ``date``, ``y``, ``id``."""
    frames = []
    for i in range(series):
        frame = seasonal_frame(n=n, seed=i, noise=2.0)
        frames.append(frame.assign(y=frame["y"] * (1 + i), id=f"s{i}"))
    return pd.concat(frames, ignore_index=True)


@pytest.mark.parametrize("model, ensemble", [("lstm", 2), ("lstm-ar", 1)], ids=["lstm", "lstm-ar"])
def test_custom_loop_gives_the_weights_of_model_fit(model, ensemble):
    frame = seasonal_frame(n=120, noise=5.0)
    params = dict(PARITY, model=model, ensemble=ensemble)
    keras_fit = Forecaster(**params).fit(frame)
    custom = _custom(params, frame)
    _assert_same_weights(_weights(keras_fit), _weights(custom))
    # the same epochs and best epochs; the same losses (to float32 round-off)
    for key, value in keras_fit.training_.items():
        assert custom.training_[key] == (
            pytest.approx(value, rel=1e-5) if isinstance(value, float) else value
        ), key
    assert min(b for b in keras_fit.training_["best_epoch"] if b) < PARITY["epochs"] - 3


def test_mirrored_strategy_on_one_machine_uses_the_same_loop():
    frame = seasonal_frame(n=120)
    params = dict(PARITY, model="lstm", ensemble=1, epochs=4)
    keras_fit = Forecaster(**params).fit(frame)
    mirrored = _custom(params, frame, role=cluster.Role("mirrored"))
    _assert_same_weights(_weights(keras_fit), _weights(mirrored))


def test_interrupted_fit_resumes_from_its_checkpoint(tmp_path, monkeypatch):

    frame = seasonal_frame(n=120)
    params = dict(PARITY, model="lstm", ensemble=2, epochs=8, patience=20)
    whole = _custom(params, frame)
    save = Checkpoint.save

    def save_then_die(self, epochs, *args):
        save(self, epochs, *args)
        if self.file.name == "training.npz" and epochs == 3:
            raise KeyboardInterrupt

    monkeypatch.setattr(Checkpoint, "save", save_then_die)
    with pytest.raises(KeyboardInterrupt):
        _custom(params, frame, checkpoint_dir=tmp_path)
    monkeypatch.setattr(Checkpoint, "save", save)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["training.npz"]
    resumed = _custom(params, frame, checkpoint_dir=tmp_path)
    _assert_same_weights(_weights(whole), _weights(resumed), rtol=0, atol=0)
    assert resumed.training_ == whole.training_
    with pytest.raises(TrainingError, match="belongs to another fit"):
        _custom({**params, "units": 4}, frame, checkpoint_dir=tmp_path)


def test_shards_of_a_batch_are_the_slices_of_the_same_shuffled_batch():
    from forecast.tfdata import make_dataset

    X = np.arange(23.0)[:, None, None]

    def batches(shard=None):
        ds = make_dataset(X, X, batch_size=5, shuffle=True, seed=7, shard=shard)
        return [y.ravel().tolist() for _, y in ds.as_numpy_iterator()]

    whole = batches()
    parts = [batches((i, 3)) for i in range(3)]
    assert [sum((p[b] for p in parts), []) for b in range(len(whole))] == whole
    assert [len(p[0]) for p in parts] == [2, 2, 1] and [len(p[-1]) for p in parts] == [1, 1, 1]


def test_series_are_dealt_round_robin_in_sorted_order():
    from forecast.pool import part_of
    from forecast.sharding import local_batch

    keys = [f"s{i}" for i in (3, 0, 4, 1, 2)]
    parts = [part_of(keys, i, 2) for i in range(2)]
    assert parts == [["s0", "s4", "s2"], ["s3", "s1"]]
    assert sorted(sum(parts, [])) == sorted(keys)
    assert [local_batch(16, i, 3) for i in range(3)] == [6, 5, 5]


def test_sharding_by_series_on_one_process_trains_and_resumes(tmp_path, monkeypatch):

    frame = _panel()
    params = dict(PARITY, model="lstm", ensemble=2, epochs=6, patience=20)
    whole = _custom(params, frame, shard="series", id_col="id")
    assert (
        whole.training_["train_windows"]
        == Forecaster(**params).fit(frame, id_col="id").training_["train_windows"]
    )
    assert whole.training_["epochs"] == 6
    save = Checkpoint.save

    def save_then_die(self, epochs, *args):
        save(self, epochs, *args)
        if epochs == 2:
            raise KeyboardInterrupt

    monkeypatch.setattr(Checkpoint, "save", save_then_die)
    with pytest.raises(KeyboardInterrupt):
        _custom(params, frame, checkpoint_dir=tmp_path, shard="series", id_col="id")
    monkeypatch.setattr(Checkpoint, "save", save)
    resumed = _custom(params, frame, checkpoint_dir=tmp_path, shard="series", id_col="id")
    _assert_same_weights(_weights(whole), _weights(resumed), rtol=0, atol=0)
    assert resumed.training_ == whole.training_


def _tf_config(ports, index) -> str:
    workers = [f"127.0.0.1:{p}" for p in ports]
    return json.dumps({"cluster": {"worker": workers}, "task": {"type": "worker", "index": index}})


def test_role_comes_from_tf_config():
    config = {"TF_CONFIG": _tf_config([1, 2, 3], 2)}
    assert cluster.role(None, config) == cluster.Role("multi-worker", 2, 3)
    assert not cluster.role(None, config).is_chief
    assert cluster.role(False, config) == cluster.Role("single")
    assert cluster.role(None, {}) == cluster.Role("single")
    assert cluster.role(True, {}) == cluster.Role("mirrored")
    chief = json.dumps(
        {"cluster": {"chief": ["a:1"], "worker": ["b:2"]}, "task": {"type": "chief", "index": 0}}
    )
    assert cluster.role(None, {"TF_CONFIG": chief}) == cluster.Role("multi-worker", 0, 2)
    with pytest.raises(ParameterError, match="TF_CONFIG"):
        cluster.role(None, {"TF_CONFIG": '{"cluster": {"ps": ["a:1"]}}'})


# --- several processes -------------------------------------------------------------------

MULTI = dict(
    horizon=6, units=8, epochs=12, patience=4, ensemble=1, batch_size=16, seed=3, combine="theta"
)


def _free_ports(n: int) -> list[int]:
    sockets = [socket.socket() for _ in range(n)]
    for s in sockets:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


def _flags(params: dict) -> list[str]:
    return [x for k, v in params.items() for x in (f"--{k.replace('_', '-')}", str(v))]


def _start_workers(tmp: Path, data: Path, dirs, *extra, params=MULTI) -> list[subprocess.Popen]:
    """The same `forecast fit` command on each worker, each with its own TF_CONFIG."""
    ports = _free_ports(len(dirs))
    procs = []
    for index, model_dir in enumerate(dirs):
        env = dict(
            os.environ,
            TF_CONFIG=_tf_config(ports, index),
            CUDA_VISIBLE_DEVICES="",
            TF_CPP_MIN_LOG_LEVEL="3",
            PYTHONPATH=str(ROOT),
        )
        command = [sys.executable, "-c", "from forecast.cli import main; main()", "fit"]
        command += [str(data), "--model-dir", str(model_dir), "--quiet", *_flags(params), *extra]
        with open(tmp / f"worker-{index}.log", "w") as log:  # the child keeps its copy
            procs.append(subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT))
    return procs


def _wait(procs, timeout=300) -> list[int]:
    deadline = time.monotonic() + timeout
    try:
        return [p.wait(max(1.0, deadline - time.monotonic())) for p in procs]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()


def _log(tmp: Path, index: int) -> str:
    return (tmp / f"worker-{index}.log").read_text()


@pytest.fixture(scope="module")
def panel(tmp_path_factory):
    """The data CSV and the weights of one process (model.fit) with the same global batch."""
    tmp = tmp_path_factory.mktemp("panel")
    frame = seasonal_frame(n=140)
    frame.to_csv(tmp / "data.csv", index=False)
    return tmp / "data.csv", _weights(Forecaster(model="lstm", **MULTI).fit(frame))


@pytest.mark.multiworker
def test_two_workers_train_like_one_process_and_only_the_chief_writes(tmp_path, panel):
    data, single = panel
    dirs = [tmp_path / "chief" / "model", tmp_path / "other" / "model"]
    codes = _wait(_start_workers(tmp_path, data, dirs))
    assert codes == [0, 0], _log(tmp_path, 0) + _log(tmp_path, 1)
    assert "Role: worker 0 of 2 (chief" in _log(tmp_path, 0)
    assert "Role: worker 1 of 2 (writes nothing)" in _log(tmp_path, 1)
    assert (dirs[0] / "forecast.json").is_file()
    assert not dirs[1].parent.exists()  # not even a temporary directory
    assert [p.name for p in dirs[0].parent.iterdir()] == ["model"]
    _assert_same_weights(_weights(Forecaster.load(dirs[0])), single)


@pytest.mark.multiworker
def test_a_dead_worker_stops_the_other_and_the_job_resumes(tmp_path, panel):
    data, single = panel
    dirs = [tmp_path / "chief" / "model", tmp_path / "other" / "model"]
    Forecaster(model="naive", horizon=6).fit(seasonal_frame(n=60)).save(dirs[0])
    before = {p.name: p.read_bytes() for p in dirs[0].iterdir()}
    checkpoints = tmp_path / "checkpoints"
    procs = _start_workers(tmp_path, data, dirs, "--checkpoint-dir", str(checkpoints))
    try:
        deadline = time.monotonic() + 240
        while not (checkpoints / "training.npz").exists():  # an epoch is done
            assert time.monotonic() < deadline and procs[0].poll() is None, _log(tmp_path, 0)
            time.sleep(0.1)
        procs[1].kill()
        killed = time.monotonic()
        code = procs[0].wait(60)
        assert time.monotonic() - killed < 60
    finally:
        _wait(procs, timeout=1)
    assert code != 0
    errors = [line for line in _log(tmp_path, 0).splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and "worker" in errors[0], _log(tmp_path, 0)
    assert {p.name: p.read_bytes() for p in dirs[0].iterdir()} == before
    assert not dirs[1].exists()
    epochs = json.loads(np.load(checkpoints / "training.npz")["state"].tobytes())["epochs"]
    assert epochs < MULTI["epochs"]

    codes = _wait(_start_workers(tmp_path, data, dirs, "--checkpoint-dir", str(checkpoints)))
    assert codes == [0, 0], _log(tmp_path, 0) + _log(tmp_path, 1)
    _assert_same_weights(_weights(Forecaster.load(dirs[0])), single)
    assert not dirs[1].exists()


SERIES = dict(MULTI, epochs=15)


@pytest.mark.multiworker
@pytest.mark.parametrize("suffix", ["csv", "parquet"])
def test_two_workers_sharded_by_series_reach_the_mase_of_one_process(tmp_path, suffix):
    frame = _panel()
    path = tmp_path / f"panel.{suffix}"
    getattr(frame, f"to_{suffix}")(path, index=False)
    # csv: the default combination, arima's weight pooled over the two workers' series
    params = dict(SERIES, combine="auto") if suffix == "csv" else SERIES
    single = Forecaster(model="lstm", **params).fit(load_data(path, id_col="id"))
    dirs = [tmp_path / "chief" / "model", tmp_path / "other" / "model"]
    extra = ("--id-col", "id", "--shard", "series")
    codes = _wait(_start_workers(tmp_path, path, dirs, *extra, params=params))
    assert codes == [0, 0], _log(tmp_path, 0) + _log(tmp_path, 1)
    assert not dirs[1].parent.exists()
    sharded = Forecaster.load(dirs[0])
    # each worker read and windowed 3 of the 6 series; the counts are those of all of them
    for key in ("train_windows", "val_windows"):
        assert sharded.training_[key] == single.training_[key]
    # the chief saved every series: their scalers, seasonal indices, scales, history and digest
    assert set(sharded.scales_) == set(single.scales_)
    assert set(sharded.model_.scalers_) == set(single.model_.scalers_)
    assert set(sharded.model_.seasonals_) == set(single.model_.seasonals_) == set(single.scales_)
    for key, seasonal in single.model_.seasonals_.items():
        np.testing.assert_array_equal(sharded.model_.seasonals_[key].indices, seasonal.indices)
    assert sharded.data_info_["sha256"] == single.data_info_["sha256"]
    for key, history in single.history_.items():
        pd.testing.assert_frame_equal(sharded.history_[key], history, check_freq=False)
    mase = sharded.metrics_["mase"], single.metrics_["mase"]
    print(f"validation MASE: sharded by series {mase[0]:.4f}, one process {mase[1]:.4f}")
    assert abs(mase[0] / mase[1] - 1) <= 0.05, mase


@pytest.mark.multiworker
def test_a_bad_row_in_one_workers_series_stops_both(tmp_path):
    frame = _panel(series=4, n=60)
    frame.loc[frame.index[frame["id"] == "s1"][5], "y"] = np.inf  # worker 1 reads s1 and s3
    frame.to_csv(tmp_path / "panel.csv", index=False)
    dirs = [tmp_path / "chief" / "model", tmp_path / "other" / "model"]
    Forecaster(model="naive", horizon=6).fit(seasonal_frame(n=60)).save(dirs[0])
    before = {p.name: p.read_bytes() for p in dirs[0].iterdir()}
    extra = ("--id-col", "id", "--shard", "series")
    started = time.monotonic()
    codes = _wait(_start_workers(tmp_path, tmp_path / "panel.csv", dirs, *extra, params=SERIES))
    assert time.monotonic() - started < 90
    logs = [_log(tmp_path, i) for i in range(2)]
    errors = [[line for line in log.splitlines() if line.startswith("Error:")] for log in logs]
    assert codes[1] == 2 and len(errors[1]) == 1 and "series 's1', line 67" in errors[1][0]
    assert codes[0] != 0 and len(errors[0]) == 1 and "worker" in errors[0][0], logs[0]
    assert {p.name: p.read_bytes() for p in dirs[0].iterdir()} == before
