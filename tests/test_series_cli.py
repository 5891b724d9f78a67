"""Picking series of a panel: ``predict --series``, ``plot --series`` (titled, in a grid),
and ids that survive the CSV round trip byte for byte."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from forecast import Forecaster
from forecast.cli import main
from forecast.errors import DataError

IDS = ["plain", "with, comma", 'with "quotes"', "ünïcødé ✓"]


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def _panel(ids=IDS, n=40) -> pd.DataFrame:
    t = pd.date_range("2020-01-01", periods=n, freq="D")
    parts = [
        pd.DataFrame({"id": sid, "date": t, "y": (k + 1) * (10 + np.sin(np.arange(n)))})
        for k, sid in enumerate(ids)
    ]
    return pd.concat(parts, ignore_index=True)


@pytest.fixture(scope="module")
def panel_model(tmp_path_factory):
    root = tmp_path_factory.mktemp("series")
    _panel().to_csv(root / "panel.csv", index=False)
    model = root / "model"
    result = run("fit", root / "panel.csv", "--id-col", "id", "--model", "seasonal-naive",
                 "--horizon", "3", "--model-dir", model)  # fmt: skip
    assert result.exit_code == 0, result.output
    return model


def test_ids_round_trip_through_the_csv(panel_model):
    table = pd.read_csv(io.StringIO(run("predict", "--model-dir", panel_model).output))
    assert list(dict.fromkeys(table["id"])) == IDS


def test_predict_series_filters_in_the_given_order(panel_model):
    out = run("predict", "--model-dir", panel_model, "--series", IDS[3], "--series", IDS[1]).output
    table = pd.read_csv(io.StringIO(out))
    assert list(dict.fromkeys(table["id"])) == [IDS[3], IDS[1]] and len(table) == 6


def test_unknown_series_is_one_line(panel_model):
    result = run("predict", "--model-dir", panel_model, "--series", "nope")
    assert result.exit_code == 2
    assert result.output.startswith("Error: series 'nope' is not in the data; the ids are 'plain'")


def test_library_series_selection():
    fc = Forecaster(model="naive", horizon=2).fit(_panel(), id_col="id")
    out = fc.predict(series=[IDS[2]])
    assert list(out.index.get_level_values(0).unique()) == [IDS[2]]
    with pytest.raises(DataError, match="series= selects series of long-format data"):
        Forecaster(model="naive", horizon=2).fit(_panel()[lambda d: d.id == "plain"].drop(
            columns="id")).predict(series=["plain"])  # fmt: skip


def test_plot_names_the_series_and_draws_a_grid(panel_model, tmp_path, monkeypatch):
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    titles = []
    monkeypatch.setattr(Figure, "savefig", lambda fig, path, **kw: titles.append(
        [ax.get_title() for ax in fig.axes if ax.get_visible()]) or open(path, "wb").close())  # fmt: skip
    one = run("plot", "--model-dir", panel_model, "--series", IDS[1], "-o", tmp_path / "a.png")
    assert one.exit_code == 0, one.output
    several = [a for sid in IDS[:3] for a in ("--series", sid)]
    grid = run("plot", "--model-dir", panel_model, *several, "-o", tmp_path / "b.png")
    assert grid.exit_code == 0, grid.output
    assert titles == [[f"id = {IDS[1]}"], [f"id = {sid}" for sid in IDS[:3]]]


def test_plot_refuses_too_many_series(panel_model, tmp_path):
    many = [a for k in range(13) for a in ("--series", f"s{k}")]
    result = run("plot", "--model-dir", panel_model, *many, "-o", tmp_path / "x.png")
    assert result.exit_code == 2 and "at most 12 series in one plot, got 13" in result.output


def test_a_bad_series_is_left_out_named_or_with_strict_the_error(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    frame = _panel(["a", "b", "c"]).astype({"y": object})
    frame.loc[45, "y"] = "oops"  # series 'b', line 47
    frame.to_csv("bad.csv", index=False)
    why = (
        "bad.csv, line 47: cannot parse 'oops' as a number in column 'y'; fix the value or "
        "leave the field empty for a gap"
    )
    common = ["--id-col", "id", "--model", "seasonal-naive", "--horizon", "3"]
    result = run("fit", "bad.csv", *common, "--model-dir", "model")
    assert result.exit_code == 0, result.output
    assert f"Note: left out series 'b': {why}\n" in result.output
    table = pd.read_csv(io.StringIO(run("predict", "--model-dir", "model").output))
    assert list(dict.fromkeys(table["id"])) == ["a", "c"]
    result = run("evaluate", "bad.csv", *common, "--folds", "2", "--baselines", "naive")
    assert result.exit_code == 0 and f"Note: left out series 'b': {why}\n" in result.output
    result = run("predict", "--model-dir", "model", "--data", "bad.csv")
    assert result.exit_code == 0 and f"Note: left out series 'b': {why}\n" in result.output
    strict = run("fit", "bad.csv", *common, "--strict", "--model-dir", "strict")
    assert strict.exit_code == 2 and strict.output == f"Error: {why}\n"
    assert not (tmp_path / "strict").exists()


def test_evaluate_names_a_series_too_short_for_the_folds(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    panel = _panel(["a", "b"])
    pd.concat([panel, _panel(["c"], n=5)]).to_csv("short.csv", index=False)
    args = ["evaluate", "short.csv", "--id-col", "id", "--model", "naive", "--horizon", "3"]
    result = run(*args, "--folds", "2", "--baselines", "seasonal-naive")
    assert result.exit_code == 0, result.output
    assert (
        "Note: left out series 'c' of the backtest: 5 rows are too short for 2 folds of "
        "horizon 3 (step 3, gap 0): need at least 7 rows; use fewer folds, a shorter horizon "
        "or more data\n"
    ) in result.output
    strict = run(*args, "--folds", "2", "--strict")
    assert strict.exit_code == 2 and strict.output.startswith(
        "Error: short.csv: series 'c': 5 rows"
    )


def test_notes_name_options_as_flags(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    frame = _panel(["a", "b"]).astype({"y": object})
    frame.loc[frame["id"] == "b", "y"] = ""  # series 'b' has no values
    frame.to_csv("empty.csv", index=False)
    result = run("fit", "empty.csv", "--id-col", "id", "--model", "naive", "--model-dir", "m")
    assert result.exit_code == 0, result.output
    assert (  # the library says target=; the command's option is --target
        "Note: left out series 'b': empty.csv, series 'b': column 'y' has no values (all "
        "empty); choose another --target\n"
    ) in result.output
