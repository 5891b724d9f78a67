"""Hardening: output files never harm the system, the model directory survives races,
links and leftovers, and configuration mistakes are one-line errors (issue #16)."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import threading
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import AIRLINE, seasonal_frame

from forecast import Forecaster
from forecast.cli import main


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture(scope="module")
def naive_dir(tmp_path_factory):
    path = tmp_path_factory.mktemp("hard") / "model"
    assert run("fit", AIRLINE, "--model", "seasonal-naive", "--model-dir", path).exit_code == 0
    return path


# ----------------------------------------------------------------------------- output files


def test_output_to_dev_null_keeps_the_device(naive_dir):
    result = run("predict", "--model-dir", naive_dir, "-o", "/dev/null")
    assert result.exit_code == 0, result.output
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_output_to_dev_full_is_one_line(naive_dir):
    result = run("predict", "--model-dir", naive_dir, "-o", "/dev/full")
    assert result.exit_code == 1
    assert result.output.strip().splitlines()[-1] == (
        "Error: cannot write '/dev/full': no space left on device; free some space or write "
        "elsewhere"
    )
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode)


def test_output_to_a_fifo_is_written_in_place(naive_dir, tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_text()))
    reader.start()
    result = run("predict", "--model-dir", naive_dir, "-o", fifo)
    reader.join(10)
    assert result.exit_code == 0, result.output
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert got and got[0].startswith("date,passengers,passengers_lower,passengers_upper\n")


def test_output_through_a_symlink_writes_its_target_and_keeps_the_mode(naive_dir, tmp_path):
    target = tmp_path / "real.csv"
    target.write_text("old\n")
    target.chmod(0o640)
    link = tmp_path / "link.csv"
    link.symlink_to(target)
    assert run("predict", "--model-dir", naive_dir, "-o", link).exit_code == 0
    assert link.is_symlink() and target.read_text().startswith("date,")
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


@pytest.mark.parametrize("command", ["predict", "plot"])
def test_missing_output_directory_is_one_line(naive_dir, tmp_path, command):
    out = tmp_path / "nodir" / ("x.csv" if command == "predict" else "x.png")
    result = run(command, "--model-dir", naive_dir, "-o", out)
    assert result.exit_code == 2
    assert result.output.strip().splitlines()[-1] == (
        f"Error: cannot write '{out}': directory '{out.parent}' does not exist; "
        "create it or choose another path"
    )


def test_evaluate_keeps_a_finished_backtest_when_the_write_fails(tmp_path):
    out = tmp_path / "nodir" / "table.csv"
    result = run("evaluate", AIRLINE, "--model", "naive", "--folds", "2", "-o", out)
    assert result.exit_code == 2
    last = result.output.strip().splitlines()[-1]
    assert last.startswith(f"Error: cannot write '{out}'") and "was kept in " in last
    kept = Path(last.split("was kept in ")[1])
    table = pd.read_csv(kept)
    assert set(table["model"]) == {"naive", "seasonal-naive", "drift"} and len(table) == 3 * 2 * 12
    kept.unlink()


def test_stdout_full_is_one_line(naive_dir, forecast_bin):
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [forecast_bin, "predict", "--model-dir", str(naive_dir)],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
        )
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        "Error: cannot write to stdout: no space left on device; free some space or write elsewhere"
    ]


def test_json_keeps_full_precision_and_csv_escapes_formulas(tmp_path):
    df = pd.DataFrame(
        {
            "id": ["=HYPERLINK(1)"] * 30 + ["+plain"] * 30,
            "date": list(pd.date_range("2000-01-01", periods=30, freq="D")) * 2,
            "y": [1e-12] * 60,
        }
    )
    data = tmp_path / "d.csv"
    df.to_csv(data, index=False)
    model = tmp_path / "m"
    fitted = run("fit", data, "--id-col", "id", "--model", "naive", "--model-dir", model)
    assert fitted.exit_code == 0, fitted.output
    as_json = json.loads(run("predict", "--model-dir", model, "--format", "json").output)
    assert as_json[0]["y"] == 1e-12
    lines = run("predict", "--model-dir", model).output.splitlines()
    assert lines[1].startswith("'=HYPERLINK(1),") and any(x.startswith("'+plain,") for x in lines)
    raw = run("predict", "--model-dir", model, "--no-escape-formulas").output.splitlines()
    assert raw[1].startswith("=HYPERLINK(1),")


# ----------------------------------------------------------------------------- model directory


def test_refit_through_a_symlinked_model_dir_keeps_the_link(tmp_path):
    real = tmp_path / "real"
    link = tmp_path / "link"
    link.symlink_to(real, target_is_directory=True)
    for _ in range(2):
        Forecaster(model="naive", horizon=3).fit(seasonal_frame(40)).save(link)
    assert link.is_symlink() and (real / "forecast.json").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link", "real"]


def test_dangling_symlink_model_dir(tmp_path):
    link = tmp_path / "link"
    link.symlink_to(tmp_path / "gone", target_is_directory=True)
    result = run("predict", "--model-dir", link)
    assert result.exit_code == 2
    assert result.output.startswith(f"Error: model directory '{link}' does not exist")
    Forecaster(model="naive", horizon=3).fit(seasonal_frame(40)).save(link)
    assert (tmp_path / "gone" / "forecast.json").is_file() and link.is_symlink()


def test_stale_temporary_directories_are_cleaned_on_the_next_save(tmp_path):
    stale = tmp_path / ".model.tmp-999999999-abc"  # a pid that cannot be running
    stale.mkdir()
    (stale / "forecast.json").write_text("{}")
    alive = tmp_path / f".model.tmp-{os.getppid()}-xyz"  # a running process: left alone
    alive.mkdir()
    Forecaster(model="naive", horizon=3).fit(seasonal_frame(40)).save(tmp_path / "model")
    assert not stale.exists() and alive.exists()


def test_two_fits_racing_on_a_new_directory_both_finish(tmp_path, forecast_bin):
    target = tmp_path / "model"
    procs = [
        subprocess.Popen(
            [forecast_bin, "fit", str(AIRLINE), "--model", m, "--model-dir", str(target)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for m in ("naive", "drift") * 3
    ]
    results = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0] * 6, results
    assert Forecaster.load(target).model in ("naive", "drift")
    assert [p.name for p in tmp_path.iterdir()] == ["model"]


# ----------------------------------------------------------------------------- configuration


@pytest.mark.parametrize(
    "text, message",
    [
        (b"[fit]\nepochs = 5\n\xff\n", "cannot read"),
        (b"fit = 3\n", "'fit' must be a table ([fit] with options under it)"),
        (b"[fit]\nepochs = [1, 2]\n", "[fit] epochs must be one value, got [1, 2]"),
        (b"[fit]\nepoch = 5\n", "[fit] has no option 'epoch'; see 'forecast fit --help'"),
        (b"[fitt]\nepochs = 5\n", "[fitt] is not a command"),
    ],
)
def test_config_mistakes_are_one_line_usage_errors(tmp_path, text, message):
    config = tmp_path / "forecast.toml"
    config.write_bytes(text)
    result = run("--config", config, "fit", AIRLINE, "--model", "naive", "--model-dir", tmp_path)
    assert result.exit_code == 2
    assert message in result.output and "Traceback" not in result.output
    assert result.output.strip().splitlines()[-1].startswith("Error: Invalid value for '--config'")


def test_config_accepts_dashes_and_lists(tmp_path):
    config = tmp_path / "forecast.toml"
    config.write_text('[fit]\nmodel = "naive"\nbatch-size = 8\ntarget = ["passengers"]\n')
    out = tmp_path / "m"
    result = run("--config", config, "fit", AIRLINE, "--model-dir", out)
    assert result.exit_code == 0, result.output
    assert Forecaster.load(out).get_params()["batch_size"] == 8
