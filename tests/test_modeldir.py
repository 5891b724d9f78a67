"""The model directory: round trip, refused directories, atomic (kill-safe) saving."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
import zipfile

import numpy as np
import pandas as pd
import pytest
from conftest import seasonal_frame

from forecast import Forecaster
from forecast.errors import ModelDirError
from forecast.modeldir import MANIFEST, read_manifest

# theta as the only partner: arima (combine="auto", tested in test_partners) costs 2-3 s a fit
TINY = dict(
    units=8,
    epochs=3,
    patience=2,
    batch_size=16,
    lookback=12,
    horizon=4,
    ensemble=1,
    combine="theta",
)


@pytest.fixture(scope="module")
def lstm_dir(tmp_path_factory):
    path = tmp_path_factory.mktemp("models") / "model"
    Forecaster(model="lstm", **TINY).fit(seasonal_frame()).save(path)
    return path


def test_round_trip_gives_identical_forecasts(lstm_dir, tmp_path):
    fc = Forecaster.load(lstm_dir)
    again = tmp_path / "again"
    fc.save(again)
    pd.testing.assert_frame_equal(Forecaster.load(again).predict(), fc.predict(), check_exact=True)
    fresh = Forecaster(model="lstm", **TINY).fit(seasonal_frame())
    pd.testing.assert_frame_equal(fc.predict(), fresh.predict(), check_exact=True)


def test_manifest_records_what_the_issue_asks(lstm_dir):
    m = read_manifest(lstm_dir)
    assert m["schema_version"] == 3
    assert {"forecast", "tensorflow", "keras"} <= set(m["versions"])
    assert m["data"]["targets"] == ["y"] and m["data"]["time_col"] == "date"
    assert m["data"]["freq"] == "MS" and len(m["data"]["sha256"]) == 64
    assert m["data"]["series"]["None"]["start"].startswith("2000-01-01")
    assert m["lookback"] == 12 and m["horizon"] == 4 and m["seed"] == 0
    assert m["model"]["name"] == "lstm"
    assert len(m["model"]["state"]["scalers"]["series"]["None"]["mean"]) == 1
    assert m["model"]["state"]["transforms"] == {"None": "log"}
    assert {"mae", "mase", "seasonal_naive_mase"} <= set(m["validation"])
    assert m["interval"]["level"] == 80 and "coverage" in m["interval"]
    # summaries, not residuals: a quantile per grid level, step and target; one scale per series
    assert "abs_residuals" not in m["interval"]
    assert np.shape(m["interval"]["quantiles"]) == (len(m["interval"]["levels"]), 4, 1)
    assert set(m["interval"]["scales"]) == {"None"} and m["base_series"] == []
    assert set(m["files"]) == {"model.keras", "history.csv"}


def test_missing_directory(tmp_path):
    with pytest.raises(ModelDirError, match="does not exist; train one with 'forecast fit"):
        Forecaster.load(tmp_path / "nope")


def _reseal(directory, manifest):
    """Writes ``manifest`` with a matching checksum: a directory crafted consistently."""
    from forecast.modeldir import _manifest_checksum

    manifest["checksum"] = _manifest_checksum(manifest)
    (directory / MANIFEST).write_text(json.dumps(manifest))


def _copy(src, dst):
    import shutil

    shutil.copytree(src, dst)
    return dst


def test_incomplete_directory_is_refused(lstm_dir, tmp_path):
    broken = _copy(lstm_dir, tmp_path / "m")
    (broken / "model.keras").unlink()
    with pytest.raises(ModelDirError, match="incomplete: model.keras is missing"):
        Forecaster.load(broken)


def test_tampered_file_is_refused(lstm_dir, tmp_path):
    broken = _copy(lstm_dir, tmp_path / "m")
    with open(broken / "history.csv", "a") as f:
        f.write("2099-01-01,1.0\n")
    with pytest.raises(ModelDirError, match="history.csv does not match the checksum"):
        Forecaster.load(broken)


def test_newer_schema_is_refused(lstm_dir, tmp_path):
    broken = _copy(lstm_dir, tmp_path / "m")
    manifest = json.loads((broken / MANIFEST).read_text())
    manifest["schema_version"] = 99
    _reseal(broken, manifest)
    with pytest.raises(ModelDirError, match="newer forecast \\(schema 99"):
        Forecaster.load(broken)


def test_corrupt_manifest_is_refused(lstm_dir, tmp_path):
    broken = _copy(lstm_dir, tmp_path / "m")
    (broken / MANIFEST).write_text("{not json")
    with pytest.raises(ModelDirError, match="forecast.json is corrupt"):
        Forecaster.load(broken)


def test_foreign_layer_is_refused_before_keras_reads_it(lstm_dir, tmp_path):
    """A model.keras naming a class outside Keras and forecast never reaches Keras."""
    import hashlib

    broken = _copy(lstm_dir, tmp_path / "m")
    archive = broken / "model.keras"
    with zipfile.ZipFile(archive) as z:
        members = {name: z.read(name) for name in z.namelist()}
    config = json.loads(members["config.json"])
    config["config"]["layers"][1]["module"] = "evil"
    config["config"]["layers"][1]["registered_name"] = "evil>Payload"
    members["config.json"] = json.dumps(config).encode()
    with zipfile.ZipFile(archive, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    manifest = json.loads((broken / MANIFEST).read_text())
    manifest["files"]["model.keras"] = hashlib.sha256(archive.read_bytes()).hexdigest()
    _reseal(broken, manifest)
    with pytest.raises(ModelDirError, match=r"outside Keras and forecast \(evil>Payload\)"):
        Forecaster.load(broken)


def test_save_refuses_to_replace_a_directory_that_is_not_a_model(tmp_path):
    precious = tmp_path / "docs"
    precious.mkdir()
    (precious / "thesis.txt").write_text("years of work")
    fc = Forecaster(model="naive", horizon=2).fit(seasonal_frame(24))
    with pytest.raises(ModelDirError, match="exists and is not a forecast model directory"):
        fc.save(precious)
    assert (precious / "thesis.txt").read_text() == "years of work"


SAVER = textwrap.dedent(
    """
    import sys
    from forecast import Forecaster
    fc = Forecaster.load(sys.argv[1])
    fc.seed = 12345  # marks the new version in the manifest
    print("ready", flush=True)
    while True:
        fc.save(sys.argv[2])
    """
)


ALTERNATING_SAVER = textwrap.dedent(
    """
    import sys
    from forecast import Forecaster
    models = [Forecaster.load(sys.argv[1]), Forecaster.load(sys.argv[2])]
    print("ready", flush=True)
    while True:
        for fc in models:
            fc.save(sys.argv[3])
    """
)


def test_load_during_saves_never_reports_a_false_modification(tmp_path):
    """A predict while fits swap different models in: it reads one whole model or the other."""
    sources = [tmp_path / "a", tmp_path / "b"]
    for source, seed in zip(sources, (1, 2), strict=True):
        fc = Forecaster(model="seasonal-naive", horizon=3, seed=seed)
        fc.fit(seasonal_frame(400, seed=seed)).save(source)
    target = _copy(sources[0], tmp_path / "model")
    proc = subprocess.Popen(
        [sys.executable, "-c", ALTERNATING_SAVER, *map(str, sources), str(target)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout.readline().strip() == "ready"
        deadline = time.monotonic() + 6
        loads = 0
        while time.monotonic() < deadline:
            assert Forecaster.load(target).seed in (1, 2)  # raises on a false "modified"
            loads += 1
    finally:
        proc.kill()
        proc.wait()
    assert loads >= 20


def test_kill_9_during_save_leaves_a_complete_model(lstm_dir, tmp_path):
    """SIGKILL a process that saves over and over: the directory always loads."""
    target = _copy(lstm_dir, tmp_path / "model")
    expected = Forecaster.load(lstm_dir).predict()
    for delay in (0.05, 0.13, 0.29, 0.41):
        proc = subprocess.Popen(
            [sys.executable, "-c", SAVER, str(lstm_dir), str(target)],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert proc.stdout.readline().strip() == "ready"
        time.sleep(delay)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        loaded = Forecaster.load(target)  # raises if the directory were broken
        assert loaded.seed in (0, 12345)
        pd.testing.assert_frame_equal(loaded.predict(), expected, check_exact=True)
    assert sorted(p.name for p in target.iterdir()) == [
        "forecast.json",
        "history.csv",
        "model.keras",
    ]
