"""The shape of the house: imports point one way, the estimator follows scikit-learn, the
model directory round-trips, and every model of the registry saves, loads and predicts."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import seasonal_frame
from sklearn.base import clone

from forecast import Forecaster, models
from forecast.modeldir import MANIFEST, read_manifest
from forecast.params import PARAMETERS

PACKAGE = Path(__file__).resolve().parents[1] / "forecast"
TINY = dict(units=4, epochs=2, patience=1, ensemble=1, batch_size=32)


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports() -> dict[str, set[str]]:
    """``{module: modules of forecast it imports}``, lazy imports inside functions included."""
    graph = {}
    for path in PACKAGE.rglob("*.py"):
        name = _module_name(path)
        found = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                if node.module.startswith("forecast"):
                    found.add(node.module)
                    found.update(
                        f"{node.module}.{a.name}"
                        for a in node.names
                        if (PACKAGE.parent / node.module.replace(".", "/") / a.name).exists()
                        or (
                            PACKAGE.parent / f"{node.module.replace('.', '/')}/{a.name}.py"
                        ).exists()
                    )
            elif isinstance(node, ast.Import):
                found.update(a.name for a in node.names if a.name.startswith("forecast"))
        graph[name] = {m for m in found if m != name and not name.startswith(m + ".")}
    return graph


def test_no_import_cycle_inside_the_package():
    graph = _imports()
    assert "forecast.forecaster" in graph and "forecast.models.neural" in graph
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(module, path):
        if state.get(module) == 1:
            cycle = path[path.index(module) :] + [module]
            pytest.fail("import cycle: " + " -> ".join(cycle))
        if state.get(module) == 2:
            return
        state[module] = 1
        for dep in sorted(graph.get(module, ())):
            visit(dep, [*path, module])
        state[module] = 2

    for module in sorted(graph):
        visit(module, [])


def test_cycle_detector_sees_a_cycle(monkeypatch):
    """The detector above can fail: a graph with a cycle is reported."""
    fake = {"forecast.a": {"forecast.b"}, "forecast.b": {"forecast.a"}}
    monkeypatch.setattr(f"{__name__}._imports", lambda: {**fake, "forecast.forecaster": set(),
                                                          "forecast.models.neural": set()})  # fmt: skip
    with pytest.raises(pytest.fail.Exception, match="import cycle: forecast.a -> forecast.b"):
        test_no_import_cycle_inside_the_package()


def test_clone_round_trips_every_parameter():
    fc = Forecaster(model="drift", horizon=7, units=3, level=90.0, calendar=False)
    copy = clone(fc)
    assert copy is not fc and copy.get_params() == fc.get_params()
    assert set(fc.get_params()) == set(PARAMETERS)
    assert repr(copy) == "Forecaster(model='drift', horizon=7, units=3, level=90.0, calendar=False)"
    assert copy.set_params(horizon=3) is copy and copy.horizon == 3 and fc.horizon == 7


def test_init_is_keyword_only():
    with pytest.raises(TypeError):
        Forecaster("naive")


def test_defaults_live_in_the_declaration():
    fc = Forecaster()
    assert fc.get_params() == {name: p.default for name, p in PARAMETERS.items()}


def test_registry_names_are_the_cli_choices():
    from click.testing import CliRunner

    from forecast.cli import main

    out = CliRunner().invoke(main, ["fit", "--help"]).output
    choices = "[lstm|lstm-ar|naive|seasonal-naive|drift|ets|theta|arima]"
    assert choices in out.replace("\n", "").replace(" ", "")
    assert models.names() == tuple(models.REGISTRY)
    assert set(models.baselines()) == {"naive", "seasonal-naive", "drift"}


@pytest.mark.parametrize("name", models.names())
def test_every_model_saves_loads_and_predicts_the_same(name, tmp_path):
    """Every registered model: fit → save → load → the same forecast; load → save keeps the
    manifest (but the checksum of the time-stamped Keras archive) and the files byte for byte."""
    for package in models.get(name).requires:  # an optional extra (statsforecast)
        pytest.importorskip(package)
    fc = Forecaster(model=name, horizon=4, lookback=12, **TINY).fit(seasonal_frame(60))
    fc.save(tmp_path / "a")
    loaded = Forecaster.load(tmp_path / "a")
    pd.testing.assert_frame_equal(loaded.predict(), fc.predict(), check_exact=True)
    loaded.save(tmp_path / "b")
    first, second = read_manifest(tmp_path / "a"), read_manifest(tmp_path / "b")
    # model.keras is a zip archive whose member time stamps change with each save
    # (and so does the manifest's own checksum, which covers that archive's checksum)
    for manifest in (first, second):
        manifest["files"].pop("model.keras", None)
        manifest.pop("checksum")
    assert first == second
    for file in first["files"]:
        assert (tmp_path / "a" / file).read_bytes() == (tmp_path / "b" / file).read_bytes()
    again = Forecaster.load(tmp_path / "b")
    pd.testing.assert_frame_equal(again.predict(), fc.predict(), check_exact=True)


def test_resaved_manifest_keeps_the_training_data_description(tmp_path):
    fc = Forecaster(model="naive", horizon=3).fit(seasonal_frame(60))
    fc.save(tmp_path / "a")
    Forecaster.load(tmp_path / "a").save(tmp_path / "b")
    a = json.loads((tmp_path / "a" / MANIFEST).read_text())["data"]
    b = json.loads((tmp_path / "b" / MANIFEST).read_text())["data"]
    assert a == b and a["series"]["None"]["rows"] == 60


def test_library_errors_name_parameters_and_the_cli_names_flags():
    from forecast.cli import as_flags
    from forecast.errors import DataError

    fc = Forecaster(model="naive", horizon=3).fit(seasonal_frame(40))
    with pytest.raises(DataError, match=r"refit with horizon=5 to forecast further") as err:
        fc.predict(horizon=5)
    assert "--" not in str(err.value)
    assert as_flags(str(err.value)).endswith("refit with --horizon 5 to forecast further")
    assert as_flags("use gaps='ffill', time_col= or x=1") == "use --gaps ffill, --time-col or x=1"


def test_future_timestamps_come_from_one_function():
    from forecast.frequency import future_index

    fc = Forecaster(model="naive", horizon=3).fit(seasonal_frame(40))
    expected = future_index(fc.history_[None].index, 3)
    assert fc.predict().index.equals(expected)
    assert np.all(expected > fc.history_[None].index[-1])
