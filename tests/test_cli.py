"""The command line: every command through CliRunner and the installed script, errors, start-up."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from forecast import Forecaster
from forecast.cli import main

FAST = ["--epochs", "3", "--units", "8", "--ensemble", "2", "--quiet"]


def run(*args, input=None):
    return CliRunner().invoke(main, [str(a) for a in args], input=input, catch_exceptions=False)


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    """One small LSTM fitted on the bundled data through the CLI, shared by the read-only tests."""
    from conftest import AIRLINE

    path = tmp_path_factory.mktemp("cli") / "model"
    result = run("fit", AIRLINE, "--model-dir", path, "--horizon", "12", *FAST)
    assert result.exit_code == 0, result.output
    return path


def test_fit_prints_a_summary(model_dir, airline_csv, tmp_path):
    result = run(
        "fit", airline_csv, "--model-dir", tmp_path / "m", "--model", "seasonal-naive", "--quiet"
    )
    assert result.exit_code == 0, result.output
    assert "airline.csv: 1949-01-01 .. 1960-12-01, monthly (MS)" in result.output
    assert "MASE" in result.output and f"Saved:      {tmp_path / 'm'}" in result.output


def test_predict_writes_the_contract_columns(model_dir):
    result = run("predict", "--model-dir", model_dir)
    assert result.exit_code == 0, result.output
    table = pd.read_csv(pd.io.common.StringIO(result.stdout))
    assert list(table.columns) == ["date", "passengers", "passengers_lower", "passengers_upper"]
    assert list(table["date"]) == [f"1961-{m:02d}-01" for m in range(1, 13)]


def test_predict_json_horizon_and_level(model_dir):
    result = run(
        "predict", "--model-dir", model_dir, "--format", "json", "--horizon", "3", "--level", "50"
    )
    records = json.loads(result.stdout)
    assert len(records) == 3 and records[0]["date"].startswith("1961-01-01")
    wide = json.loads(
        run(
            "predict",
            "--model-dir",
            model_dir,
            "--format",
            "json",
            "--horizon",
            "3",
            "--level",
            "95",
        ).stdout
    )
    assert all(
        w["passengers_upper"] - w["passengers_lower"]
        >= r["passengers_upper"] - r["passengers_lower"]
        for w, r in zip(wide, records, strict=True)
    )


def test_predict_from_new_data(model_dir, airline, tmp_path):
    new = tmp_path / "new.csv"
    airline.iloc[:100].to_csv(new, index=False)
    result = run(
        "predict", "--model-dir", model_dir, "--data", new, "--output", tmp_path / "fc.csv"
    )
    assert result.exit_code == 0, result.output
    table = pd.read_csv(tmp_path / "fc.csv")
    assert table["date"].iloc[0] == "1957-05-01"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "date,passengers\n2020-01-01,1\n",
            "time column 'month' not found; available columns: date, passengers",
        ),
        (
            "month,sales\n2020-01-01,1\n",
            "target column 'passengers' not found; available columns: month, sales",
        ),
        (
            "month,passengers\n2020-01-06,1\n2020-01-13,2\n",
            "line 2: timestamp 2020-01-06 in column 'month' is not on the monthly grid 'MS'; "
            "check the dates",
        ),
    ],
)
def test_new_data_errors_say_what_the_model_reads(tmp_path, text, message):
    train = tmp_path / "train.csv"
    months = pd.date_range("2015-01-01", periods=36, freq="MS")
    pd.DataFrame({"month": months, "passengers": range(36)}).to_csv(train, index=False)
    model = tmp_path / "m"
    assert run("fit", train, "--model", "naive", "--model-dir", model).exit_code == 0
    new = tmp_path / "new.csv"
    new.write_text(text)
    out = tmp_path / "fc.csv"
    result = CliRunner().invoke(
        main, ["predict", "--model-dir", str(model), "--data", str(new), "-o", str(out)]
    )
    assert result.exit_code == 2
    sep = ", " if message.startswith("line") else ": "
    assert result.output == (
        f"Error: {new}{sep}{message}; the model reads time column 'month', target "
        "'passengers', monthly dates ('MS'): match it, or refit\n"
    )
    assert not out.exists()


def test_plot_and_inspect(model_dir, tmp_path):
    png = tmp_path / "fc.png"
    result = run("plot", "--model-dir", model_dir, "--output", png, "--last", "36")
    assert result.exit_code == 0, result.output
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    result = run("inspect", "--model-dir", model_dir)
    assert result.exit_code == 0, result.output
    assert "Parameters:" in result.output and "lookback" in result.output
    manifest = json.loads(run("inspect", "--model-dir", model_dir, "--json").output)
    assert manifest["horizon"] == 12


def test_evaluate_json_has_every_model(airline_csv):
    result = run(
        "evaluate",
        airline_csv,
        "--model",
        "drift",
        "--horizon",
        "12",
        "--folds",
        "2",
        "--json",
        "--quiet",
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["horizon"] == 12 and report["folds"] == 2
    assert set(report["models"]) == {"drift", "naive", "seasonal-naive"}
    assert set(report["models"]["naive"]) >= {"mae", "rmse", "mape", "smape", "mase", "coverage"}


def test_options_from_environment(airline_csv, tmp_path):
    result = CliRunner().invoke(
        main,
        ["fit", str(airline_csv), "--model-dir", str(tmp_path / "m"), "--quiet"],
        env={"FORECAST_FIT_MODEL": "naive", "FORECAST_FIT_HORIZON": "5"},
    )
    assert result.exit_code == 0, result.output
    assert "Model:      naive, lookback" in result.output and "horizon 5" in result.output


def test_options_from_config_file(airline_csv, tmp_path):
    config = tmp_path / "forecast.toml"
    config.write_text('[fit]\nmodel = "drift"\nhorizon = 4\n')
    result = run("--config", config, "fit", airline_csv, "--model-dir", tmp_path / "m", "--quiet")
    assert result.exit_code == 0, result.output
    assert "Model:      drift" in result.output and "horizon 4" in result.output


# -- errors: one line, exit code, no traceback, nothing half-written ------------------------


@pytest.mark.parametrize(
    "args, code, message",
    [
        (
            ["fit", "missing.csv"],
            2,
            "Error: Invalid value for 'DATA': File 'missing.csv' does not exist.",
        ),
        (
            ["fit", "{csv}", "--horizon", "0"],
            2,
            "Error: Invalid value for '--horizon': 0 is not in the range x>=1.",
        ),
        (["fit", "{csv}", "--model", "prophet"], 2, "Error: Invalid value for '--model'"),
        (["fit", "{csv}", "--target", "sales"], 2, "Error: "),
        (
            ["predict", "--model-dir", "{tmp}/none"],
            2,
            "does not exist; train one with 'forecast fit",
        ),
        (["plot", "--output", "{tmp}/x.gif"], 2, "must end in .png, .svg or .pdf"),
    ],
)
def test_errors_are_one_line_with_exit_code(args, code, message, airline_csv, tmp_path):
    args = [a.format(csv=airline_csv, tmp=tmp_path) for a in args]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == code, result.output
    assert message in result.output
    assert "Traceback" not in result.output
    assert result.output.strip().splitlines()[-1].startswith("Error:")


def test_bad_data_error_names_the_file_and_keeps_the_model(model_dir, tmp_path):
    before = {p.name: p.read_bytes() for p in model_dir.iterdir()}
    bad = tmp_path / "bad.csv"
    bad.write_text("date,passengers\n2020-01-01,1\n2020-01-01,2\n2020-03-01,3\n")
    result = CliRunner().invoke(main, ["fit", str(bad), "--model-dir", str(model_dir), "--quiet"])
    assert result.exit_code == 2
    assert result.output.startswith("Error: ") and "bad.csv" in result.output
    assert {p.name: p.read_bytes() for p in model_dir.iterdir()} == before


def test_corrupt_model_dir_is_exit_2_and_no_output_file(model_dir, tmp_path):
    import shutil

    broken = tmp_path / "broken"
    shutil.copytree(model_dir, broken)
    (broken / "model.keras").write_bytes(b"garbage")
    out = tmp_path / "fc.csv"
    result = CliRunner().invoke(main, ["predict", "--model-dir", str(broken), "--output", str(out)])
    assert result.exit_code == 2
    assert "model.keras does not match the checksum" in result.output
    assert not out.exists()


# -- the installed script, as a user runs it -------------------------------------------------


def test_installed_script_fit_predict_plot_inspect_evaluate(forecast_bin, airline_csv, tmp_path):
    # as a user runs it: without the TF_CPP_MIN_LOG_LEVEL that conftest sets for the tests
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    env["MPLBACKEND"] = "Agg"

    def sh(*args):
        done = subprocess.run(
            [forecast_bin, *map(str, args)], capture_output=True, text=True, env=env, cwd=tmp_path
        )
        assert done.returncode == 0, done.stderr
        return done

    model = tmp_path / "model"
    sh("fit", airline_csv, "--model-dir", model, "--horizon", "12", *FAST)
    out = sh("predict", "--model-dir", model).stdout
    table = pd.read_csv(pd.io.common.StringIO(out))
    assert len(table) == 12 and table["date"].iloc[-1] == "1961-12-01"
    sh("plot", "--model-dir", model, "--output", tmp_path / "fc.svg")
    assert (tmp_path / "fc.svg").read_text().lstrip().startswith("<?xml")
    shown = sh("inspect", "--model-dir", model).stdout
    assert "passengers" in shown
    assert "Base:       seasonal naive at lag 12; the network forecasts the change from it" in shown
    assert "Seasonal:   indices taken out of 1 of 1 series" in shown
    fitted = Forecaster.load(model)
    w, a = fitted.training_["network_weight"], fitted.training_["arima_weight"]
    alone = list(fitted.training_["validation_error_alone"].values())
    assert (
        f"Combined:   {w:g} x network + {round(1 - w - a, 3):g} x theta + {a:g} x arima, "
        f"inverse-error weights (validation error per series: network {alone[0]:.3f}, "
        f"theta {alone[1]:.3f}, arima {alone[2]:.3f})\n"
    ) in shown
    report = json.loads(
        sh(
            "evaluate", airline_csv, "--model", "naive", "--folds", "1", "--horizon", "12", "--json"
        ).stdout
    )
    assert report["folds"] == 1
    # a backtest of an ensemble fits many small models: TensorFlow's retracing warnings and
    # start-up lines must not reach the user
    tiny = ["--epochs", "2", "--patience", "1", "--units", "4"]
    done = sh("evaluate", airline_csv, "--folds", "3", "--horizon", "12", *tiny)
    assert done.stderr == "" and "seasonal-naive" in done.stdout
    assert sh("--version").stdout.strip() == "forecast, version 0.1.0"


# -- start-up: no TensorFlow, no matplotlib for help and usage errors ------------------------

PROBE = """
import sys
from forecast.cli import main
try:
    main({args!r}, standalone_mode=False)
except BaseException:
    pass
heavy = [m for m in ("tensorflow", "keras", "matplotlib", "pandas", "statsforecast")
         if m in sys.modules]
print("HEAVY=" + ",".join(heavy))
"""


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["fit", "--help"],
        ["predict", "--help"],
        ["evaluate", "--help"],
        ["plot", "--help"],
        ["inspect", "--help"],
        ["fit", "missing.csv"],
        ["fit", "--bogus"],
        ["predict", "--horizon", "zero"],
        ["nonsense"],
    ],
)
def test_help_and_usage_errors_do_not_import_heavy_modules(args):
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(args=args)], capture_output=True, text=True, timeout=30
    )
    assert done.stdout.strip().splitlines()[-1] == "HEAVY=", done.stdout


@pytest.mark.parametrize(
    "args, code",
    [([], 0), (["fit"], 0), (["predict"], 0), (["evaluate"], 0), (["plot"], 0), (["inspect"], 0),
     (["fit", "missing.csv"], 2), (["predict", "--horizon", "zero"], 2)],
)  # fmt: skip
def test_help_and_usage_errors_answer_fast(forecast_bin, args, code):
    import time

    start = time.perf_counter()
    done = subprocess.run(
        [forecast_bin, *args] + (["--help"] if code == 0 else []), capture_output=True
    )
    assert done.returncode == code
    assert time.perf_counter() - start < 2.0  # generous for a loaded CI machine; ~0.15 s here


def test_console_script_is_main_then_a_frozen_collector():
    """``forecast`` runs ``cli.run``: ``main`` with its exit code, then ``gc.freeze()``, so the
    interpreter's last collection skips TensorFlow's objects (about 0.9 s at every exit)."""
    from importlib.metadata import entry_points

    (script,) = [e for e in entry_points(group="console_scripts") if e.name == "forecast"]
    assert script.value == "forecast.cli:run"
    code = (
        "import gc, sys\n"
        "from forecast.cli import run\n"
        "sys.argv = ['forecast', 'predict', '--horizon', 'zero']\n"
        "try:\n    run()\nexcept SystemExit as exc:\n    print(exc.code, gc.get_freeze_count() > 0)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30)
    assert done.stdout.split()[-2:] == ["2", "True"], done.stdout + done.stderr


@pytest.mark.parametrize("kind, code, what", [("Terminated", 143, "terminated"),
                                              ("KeyboardInterrupt", 130, "interrupted")])  # fmt: skip
def test_a_signal_mangled_inside_tensorflow_still_ends_as_that_signal(kind, code, what):
    """A signal's exception raised while TensorFlow's C++ runs Python can come back as a
    RuntimeError from pybind11 (seen on SIGTERM during the first epoch); the request the
    handler recorded decides: one line and the signal's exit code, no traceback."""
    import click

    from forecast import stopping
    from forecast.cli import Group, Terminated

    @click.group(cls=Group)
    def app():
        pass

    @app.command()
    def work():
        stopping.request(Terminated if kind == "Terminated" else KeyboardInterrupt)
        raise RuntimeError("pybind11::error_already_set: MISMATCH of original and normalized")

    @app.command()
    def bug():
        raise RuntimeError("a bug")

    done = CliRunner().invoke(app, ["work"])
    assert done.exit_code == code
    assert done.stderr == f"Error: {what}; nothing was written\n"
    assert stopping.pending() is None  # the command's end forgets the request
    done = CliRunner().invoke(app, ["bug"])  # without a request an error stays an error
    assert isinstance(done.exception, RuntimeError) and str(done.exception) == "a bug"


def _wait_for_tensorflow(proc, timeout=120.0):
    """Returns once the process ``proc`` has TensorFlow's library loaded (Linux: read from
    its memory map), or after a fixed 6 s where there is no ``/proc``. A fixed wait alone
    could signal a process still starting on a busy machine (before the fit command ran)."""
    import time

    maps = Path(f"/proc/{proc.pid}/maps")
    if not maps.exists():
        time.sleep(6)
        return
    deadline = time.monotonic() + timeout
    while "tensorflow" not in _read(maps):
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "TensorFlow was not loaded in time"
        time.sleep(0.2)


def _read(path) -> str:
    try:
        return path.read_text()
    except OSError:  # the process has just ended
        return ""


@pytest.mark.parametrize("signame", ["SIGINT", "SIGTERM", "SIGKILL"])
def test_interrupted_or_killed_fit_keeps_the_model(
    signame, forecast_bin, model_dir, airline_csv, tmp_path
):
    """Ctrl-C: one line and exit 130; SIGTERM: one line and exit 143; kill -9: no line, but
    the old model is intact too, and no temporary directory is left beside it (but kill -9's,
    removed by the next save)."""
    import shutil
    import signal
    import time

    target = tmp_path / "model"
    shutil.copytree(model_dir, target)
    before = {p.name: p.read_bytes() for p in target.iterdir()}
    proc = subprocess.Popen(
        [
            forecast_bin,
            "fit",
            str(airline_csv),
            "--model-dir",
            str(target),
            "--epochs",
            "100000",
            "--patience",
            "100000",
            "--quiet",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    _wait_for_tensorflow(proc)  # the fit command runs: it imports TensorFlow to train
    time.sleep(5)  # importing it takes about 5 s here: then into the fit (either is tested)
    proc.send_signal(getattr(signal, signame))
    _, err = proc.communicate(timeout=60)
    if signame == "SIGKILL":
        assert proc.returncode == -signal.SIGKILL
    else:
        code, what = (130, "interrupted") if signame == "SIGINT" else (143, "terminated")
        assert proc.returncode == code, err
        assert err.strip().splitlines()[-1] == (
            f"Error: {what}; the model directory '{target}' was not changed"
        )
        assert "Traceback" not in err
        assert [p.name for p in tmp_path.iterdir() if ".tmp-" in p.name] == []
    assert sorted(p.name for p in target.iterdir()) == sorted(before)
    assert {p.name: p.read_bytes() for p in target.iterdir()} == before


BAD_INPUTS = {
    "empty file": ("", "data.csv: the file is empty"),
    "header only": ("date,y\n", "data.csv: no data rows after the header (line 1)"),
    "no time column": ("a,b\n1,2\n3,4\n", "data.csv: no time column found"),
    "unparseable date": (
        "date,y\n2020-01-01,1\n2020-01-02,2\nfoo,3\n",
        "data.csv, line 4: cannot parse 'foo' as a date in column 'date'",
    ),
    "duplicate timestamps": (
        "date,y\n2020-01-01,1\n2020-01-02,2\n2020-01-02,3\n",
        "data.csv, line 4: duplicate timestamp 2020-01-02 in column 'date'",
    ),
    "non-numeric target": (
        "date,y\n2020-01-01,1\n2020-01-02,abc\n",
        "data.csv, line 3: cannot parse 'abc' as a number in column 'y'",
    ),
    "all-NaN target": ("date,y\n2020-01-01,\n2020-01-02,\n", "data.csv: column 'y' has no values"),
    "infinite value": (
        "date,y\n2020-01-01,1\n2020-01-02,inf\n2020-01-03,3\n",
        "data.csv, line 3: infinite value in column 'y'",
    ),
    "irregular timestamps": (
        "date,y\n2020-01-01 00:00,1\n2020-01-01 00:07,2\n2020-01-01 00:19,3\n2020-01-01 01:02,4\n",
        "data.csv: cannot infer the frequency of column 'date'",
    ),
    "mixed time zones": (
        "date,y\n2020-01-01 00:00+01:00,1\n2020-01-01 01:00,2\n2020-01-01 02:00+01:00,3\n",
        "data.csv, line 3: mixed time zones in column 'date'",
    ),
    "too short": (
        "date,y\n" + "".join(f"2020-{m:02d}-01,{m}\n" for m in range(1, 13)),
        "data.csv: the series has 12 rows but lookback 24 + horizon 12 + 1 row for validation "
        "needs at least 37; use a shorter --lookback or --horizon",
    ),
}


@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_bad_input_is_exit_2_one_line_and_keeps_the_model(case, model_dir, tmp_path, monkeypatch):
    import shutil

    monkeypatch.chdir(tmp_path)
    text, message = BAD_INPUTS[case]
    data = tmp_path / "data.csv"
    data.write_text(text)
    target = tmp_path / "model"
    shutil.copytree(model_dir, target)
    before = {p.name: p.read_bytes() for p in target.iterdir()}
    args = [
        "fit",
        "data.csv",
        "--model-dir",
        str(target),
        "--quiet",
        "--lookback",
        "24",
        "--horizon",
        "12",
    ]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2, result.output
    assert result.output.startswith(f"Error: {message}"), result.output
    assert len(result.output.strip().splitlines()) == 1 and "Traceback" not in result.output
    assert {p.name: p.read_bytes() for p in target.iterdir()} == before


def test_target_column_missing_lists_the_columns(airline_csv, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(
        main, ["fit", "airline.csv", "--target", "sales", "--model-dir", "m"]
    )
    assert result.exit_code == 2
    assert result.output == (
        "Error: airline.csv: target column 'sales' not found; available columns: date, passengers\n"
    )
    assert not (tmp_path / "m").exists()


def test_shell_completion_script_as_the_readme_shows(forecast_bin):
    done = subprocess.run(
        [forecast_bin],
        env={**os.environ, "_FORECAST_COMPLETE": "bash_source"},
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0
    assert "_forecast_completion" in done.stdout and "complete " in done.stdout
    words = subprocess.run(
        [forecast_bin],
        env={
            **os.environ,
            "_FORECAST_COMPLETE": "bash_complete",
            "COMP_WORDS": "forecast pr",
            "COMP_CWORD": "1",
        },
        capture_output=True,
        text=True,
    )
    assert "predict" in words.stdout


def test_data_option_group_long_format_covariates_freq_gaps(tmp_path):
    """--id-col, --target (twice), --covariates, --freq, --gaps through fit and predict."""
    rows = ["store;date;sales;returns;temp"]
    for store in ("a", "b"):
        for day in range(40):
            if store == "b" and day == 17:
                continue  # a missing day, filled by --gaps interpolate
            rows.append(
                f"{store};2024-01-{1 + day % 31:02d}".replace(
                    "2024-01-", f"2024-{1 + day // 31:02d}-"
                )
                + f";{10 + day};{day % 3};{20 - day / 10}"
            )
    data = tmp_path / "long.csv"
    data.write_text("\n".join(rows) + "\n")
    model = tmp_path / "m"
    args = ["fit", str(data), "--id-col", "store", "--target", "sales", "--target", "returns"]
    args += ["--covariates", "temp", "--freq", "D", "--gaps", "interpolate", "--model", "naive"]
    result = CliRunner().invoke(main, [*args, "--horizon", "3", "--model-dir", str(model)])
    assert result.exit_code == 0, result.output
    assert "Note: series 'b': filled 1 missing timestamp" in result.output
    table = pd.read_csv(pd.io.common.StringIO(run("predict", "--model-dir", model).stdout))
    assert list(table.columns) == [
        "store",
        "date",
        "sales",
        "sales_lower",
        "sales_upper",
        "returns",
        "returns_lower",
        "returns_upper",
    ]
    assert table["store"].tolist() == ["a"] * 3 + ["b"] * 3
    assert table["date"].tolist()[:3] == ["2024-02-10", "2024-02-11", "2024-02-12"]
    gaps = [*args[:-4], "--gaps", "error", "--model", "naive", "--horizon", "3"]
    lenient = CliRunner().invoke(main, [*gaps, "--model-dir", str(tmp_path / "x")])
    assert lenient.exit_code == 0, lenient.output  # series 'b' alone breaks --gaps error
    assert (
        "Note: left out series 'b': " in lenient.output and "1 missing timestamp" in lenient.output
    )
    strict = CliRunner().invoke(main, [*gaps, "--strict", "--model-dir", str(tmp_path / "y")])
    assert strict.exit_code == 2 and strict.output.startswith("Error: ")
    assert "series 'b'" in strict.output and not (tmp_path / "y").exists()


def test_evaluate_option_group_gap_step_window_refit_output(airline_csv, tmp_path):
    out = tmp_path / "backtest.csv"
    args = [
        "evaluate",
        airline_csv,
        "--model",
        "drift",
        "--horizon",
        "6",
        "--folds",
        "2",
        "--step",
        "3",
    ]
    args += [
        "--gap",
        "1",
        "--max-train-size",
        "60",
        "--no-refit",
        "--output",
        out,
        "--json",
        "--quiet",
    ]
    result = run(*args)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["horizon"] == 6
    table = pd.read_csv(out)
    assert list(table.columns) == [
        "cutoff",
        "time",
        "target",
        "actual",
        "model",
        "forecast",
        "lower",
        "upper",
    ]
    assert sorted(table["cutoff"].unique()) == ["1960-02-01", "1960-05-01"]  # gap 1, step 3
    assert table.groupby(["model", "cutoff"]).size().eq(6).all()
