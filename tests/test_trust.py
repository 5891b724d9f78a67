"""The model directory as a trust boundary (issue #16.3, #16.5).

Against accidents (a hand edit, a partial copy) the manifest carries its own checksum;
against a directory crafted consistently (checksums recomputed) a strict schema holds:
loading never reads outside the directory, never allocates from a size it was told, never
shows a traceback. A property test feeds random manifests.
"""

from __future__ import annotations

import json
import os
import shutil

import pytest
from conftest import seasonal_frame
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forecast import Forecaster
from forecast.errors import ForecastError, ModelDirError
from forecast.modeldir import MANIFEST, _manifest_checksum


@pytest.fixture(scope="module")
def naive_dir(tmp_path_factory):
    path = tmp_path_factory.mktemp("trust") / "model"
    Forecaster(model="seasonal-naive", horizon=4).fit(seasonal_frame(60)).save(path)
    return path


def _edited(src, dst, edit, reseal=True):
    shutil.copytree(src, dst)
    manifest = json.loads((dst / MANIFEST).read_text())
    edit(manifest)
    if reseal:
        manifest["checksum"] = _manifest_checksum(manifest)
    (dst / MANIFEST).write_text(json.dumps(manifest))
    return dst


def _set(path, value):
    def edit(manifest):
        node = manifest
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value

    return edit


@pytest.mark.parametrize(
    "path, value",
    [
        (("files",), {}),  # would turn every file check off
        (("interval", "quantiles"), [[[0.0]] * 4] * 60),  # zero-width intervals
        (("params", "seed"), 7),
    ],
)
def test_hand_edits_are_refused_by_the_manifest_checksum(naive_dir, tmp_path, path, value):
    broken = _edited(naive_dir, tmp_path / "m", _set(path, value), reseal=False)
    with pytest.raises(ModelDirError, match="forecast.json does not match its own checksum"):
        Forecaster.load(broken)


@pytest.mark.parametrize(
    "path, value, message",
    [
        (("horizon",), 1_000_000_000, r"'horizon' must be an integer in \[1, 10000\]"),
        (("lookback",), "12", r"'lookback' must be an integer in \[1, 100000\], got '12'"),
        (("interval",), None, r"'interval' must be an object, got None"),
        (("params", "units"), -1, r"'params': units must be a positive integer, got -1"),
        (("model", "name"), "evil", r"'model.name' must be one of lstm"),
        (("interval", "quantiles"), [[[1.0]]], r"'interval.quantiles' must be a table"),
        (("data", "targets"), [], r"'data.targets' must be a list of 1 to"),
        (("interval", "log_scales"), ["ghost"], r"'interval.log_scales' names a series that"),
    ],
)
def test_crafted_values_are_refused_by_the_schema(naive_dir, tmp_path, path, value, message):
    broken = _edited(naive_dir, tmp_path / "m", _set(path, value))
    with pytest.raises(ModelDirError, match=message):
        Forecaster.load(broken)


@pytest.mark.parametrize(
    "offset, message",
    [
        (-1, r"written by an older forecast \(config version {v}, this version reads {w}\); refit"),
        (1, r"written by a newer forecast \(config version {v}, this version reads {w}\); upgrade"),
    ],
)
def test_a_model_directory_of_another_release_says_what_to_do(naive_dir, tmp_path, offset, message):
    from forecast.config import CONFIG_VERSION

    version = CONFIG_VERSION + offset
    broken = _edited(naive_dir, tmp_path / "m", _set(("config_version",), version))
    with pytest.raises(ModelDirError, match=message.format(v=version, w=CONFIG_VERSION)):
        Forecaster.load(broken)


@pytest.mark.parametrize("name", ["../../../../etc/hostname", "/etc/hostname", ".hidden", "a/b"])
def test_files_outside_the_directory_are_never_read(naive_dir, tmp_path, name):
    def edit(manifest):
        manifest["files"][name] = "0" * 64

    broken = _edited(naive_dir, tmp_path / "m", edit)
    with pytest.raises(ModelDirError, match="not a file name inside the directory"):
        Forecaster.load(broken)


def test_deep_nesting_and_oversized_manifests(naive_dir, tmp_path, monkeypatch):
    deep = _edited(naive_dir, tmp_path / "deep", _set(("training",), {}))
    (deep / MANIFEST).write_text('{"schema_version": 2, "x": ' + "[" * 3000 + "]" * 3000 + "}")
    with pytest.raises(ModelDirError, match="forecast.json is corrupt"):
        Forecaster.load(deep)
    monkeypatch.setattr("forecast.modeldir.MAX_MANIFEST_BYTES", 100)
    with pytest.raises(ModelDirError, match="forecast.json is larger than"):
        Forecaster.load(naive_dir)


def test_non_json_numbers_are_corrupt(naive_dir, tmp_path):
    broken = _edited(naive_dir, tmp_path / "m", lambda m: None)
    text = (broken / MANIFEST).read_text().replace('"level": 80.0', '"level": Infinity')
    (broken / MANIFEST).write_text(text)
    with pytest.raises(ModelDirError, match="Infinity is not a JSON number"):
        Forecaster.load(broken)


def test_symlinked_member_file_is_refused(naive_dir, tmp_path):
    broken = _edited(naive_dir, tmp_path / "m", lambda m: None)
    (broken / "history.csv").unlink()
    (broken / "history.csv").symlink_to(naive_dir / "history.csv")
    with pytest.raises(ModelDirError, match="history.csv is missing"):
        Forecaster.load(broken)


def test_manifest_stays_small_and_loads(naive_dir):
    assert (naive_dir / MANIFEST).stat().st_size < 60_000  # quantile grids, not residuals
    assert Forecaster.load(naive_dir).predict().shape == (4, 3)


JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)


@settings(
    # more with FORECAST_FUZZ_EXAMPLES=5000 (make fuzz)
    max_examples=int(os.environ.get("FORECAST_FUZZ_EXAMPLES", 60)),
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_random_manifests_load_or_fail_with_one_line(naive_dir, tmp_path_factory, data):
    """Any value at any key path, resealed: one-line error of exit code 2, or a working model."""
    manifest = json.loads((naive_dir / MANIFEST).read_text())
    node, path = manifest, []
    while isinstance(node, dict | list) and node and data.draw(st.booleans()):
        key = data.draw(
            st.sampled_from(sorted(node) if isinstance(node, dict) else range(len(node)))
        )
        path.append(key)
        node = node[key]
    value = data.draw(JSON)
    target = tmp_path_factory.mktemp("fuzz") / "m"
    if path:
        broken = _edited(naive_dir, target, _set(path, value))
    else:
        broken = _edited(naive_dir, target, lambda m: (m.clear(), m.update({"x": value})))
    try:
        Forecaster.load(broken).predict()
    except ForecastError as exc:  # the CLI's one "Error:" line, exit 2
        assert "\n" not in str(exc) and exc.exit_code == 2
