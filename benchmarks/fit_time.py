"""Fit time of the default model, next to statsforecast's on the same data (issue #13).

Three cases, each timed as a user runs it (wall clock, one process, default settings, seed 0;
TensorFlow and statsforecast imported before the clocks start, as statsforecast's own time
leaves out its import; the import is timed once and reported in the header):

* **AirPassengers**: trained to 1957-12, 36 months forecast (MAPE on 1958-1960);
* **tourism panel**: 304 quarterly series, the last 8 quarters of each held out (mean MASE,
  the in-sample seasonal naive MAE at lag 4 as scale);
* **3,000 hourly rows**: the last 3,000 rows before the final day of the hourly electricity
  series, forecast one day (24 steps; MASE with lag 24).

For each: ``Forecaster().fit`` (the default ``lstm``) and ``predict``, then the same as
commands (``forecast fit train.csv`` and ``forecast predict`` in fresh processes, timed from
outside: the interpreter's start, the imports and its exit included); statsforecast's
``AutoETS``, ``AutoTheta`` and (season <= 12) ``AutoARIMA`` through
``StatsForecast(...).forecast`` on the same training rows; the error and the 80 % interval
coverage of each. The machine is shared: compare the columns of one run, not runs.

The first case's fit is also timed again in :data:`REPEATS` fresh processes (each the first
fit of its process, the libraries imported before the clock): one run on a shared machine
moves by a second or two, their median and range less.

Usage:
    python benchmarks/fit_time.py            # writes benchmarks/results/fit_time.md
    python benchmarks/fit_time.py --first    # one fit of the first case: prints its seconds

Example:
    >>> round(mase(np.array([2.0, 4.0]), np.array([3.0, 3.0]), np.arange(10.0), 2), 3)
    0.5
"""

from __future__ import annotations

import os
import platform
import sys
import time
import warnings
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DATA = ROOT.parent / "shared" / "data"
OUTPUT = ROOT / "benchmarks" / "results" / "fit_time.md"
PEERS = ("AutoETS", "AutoTheta", "AutoARIMA")
REPEATS = 5


def mase(actual, forecast, history, season: int) -> float:
    """MAE of ``forecast`` over the in-sample seasonal naive MAE of ``history``."""
    scale = np.mean(np.abs(history[season:] - history[:-season]))
    return float(np.mean(np.abs(actual - forecast)) / scale)


def cases():
    """``(name, train long frame, test long frame, horizon, season, metric)`` of each case."""
    air = pd.read_csv(DATA / "airpassengers_monthly.csv", parse_dates=["date"])
    air = air.set_axis(["ds", "y"], axis=1).assign(unique_id="air")
    cut = air["ds"] <= "1957-12-01"
    yield "AirPassengers (to 1957-12, h=36)", air[cut], air[~cut], 36, 12, "MAPE %"
    tour = pd.read_csv(DATA / "tourism_quarterly_long.csv", parse_dates=["date"])
    tour = tour.set_axis(["unique_id", "ds", "y"], axis=1)
    test = tour.groupby("unique_id").tail(8)
    yield "tourism, 304 series (last 8 quarters)", tour.drop(test.index), test, 8, 4, "mean MASE"
    elec = pd.read_csv(DATA / "electricity321_mean_hourly.csv", parse_dates=["date"])
    elec = elec.set_axis(["ds", "y"], axis=1).assign(unique_id="elec").tail(3000 + 24)
    yield "3,000 hourly rows (h=24)", elec.iloc[:-24], elec.iloc[-24:], 24, 24, "MASE"


def score(train, test, forecast, lower, upper, season, metric) -> tuple[float, float]:
    """``(error, 80 % coverage %)`` of a forecast aligned with ``test``'s rows."""
    inside = 100 * float(np.mean((test["y"] >= lower) & (test["y"] <= upper)))
    if metric == "MAPE %":
        return 100 * float(np.mean(np.abs(forecast - test["y"]) / test["y"])), inside
    errors = []
    for key, part in test.assign(f=forecast).groupby("unique_id"):
        history = train.loc[train["unique_id"] == key, "y"].to_numpy()
        errors.append(mase(part["y"].to_numpy(), part["f"].to_numpy(), history, season))
    return float(np.mean(errors)), inside


def ours(train, test, horizon):
    """Default ``Forecaster`` fit + predict: ``(seconds fit, seconds predict, forecast, lo, hi)``."""
    from forecast import Forecaster

    panel = train["unique_id"].nunique() > 1
    frame = train if panel else train.drop(columns="unique_id")
    t0 = time.perf_counter()
    fc = Forecaster(horizon=horizon).fit(
        frame, time_col="ds", target="y", id_col="unique_id" if panel else None
    )
    fit = time.perf_counter() - t0
    t0 = time.perf_counter()
    pred = fc.predict().reset_index()
    seconds = time.perf_counter() - t0
    if not panel:
        pred = pred.assign(unique_id=test["unique_id"].iloc[0])
    merged = test.merge(pred, on=["unique_id", "ds"], how="left", suffixes=("", "_f"))
    return fit, seconds, merged["y_f"], merged["y_lower"], merged["y_upper"]


def commands(train, horizon) -> tuple[float, float] | None:
    """``forecast fit`` and ``forecast predict`` of ``train`` in fresh processes: their wall
    seconds, or None without the ``forecast`` script beside this Python."""
    import subprocess
    import tempfile

    script = Path(sys.executable).with_name("forecast")
    if not script.exists():
        return None
    panel = train["unique_id"].nunique() > 1
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "train.csv"
        (train if panel else train.drop(columns="unique_id")).to_csv(data, index=False)
        ids = ["--id-col", "unique_id"] if panel else []
        runs = [
            ["fit", str(data), "--horizon", str(horizon), *ids],
            ["predict", "--output", str(Path(tmp) / "forecast.csv")],
        ]
        seconds = []
        for args in runs:
            t0 = time.perf_counter()
            subprocess.run(
                [str(script), *args, "--model-dir", str(Path(tmp) / "model")],
                check=True,
                capture_output=True,
            )
            seconds.append(time.perf_counter() - t0)
    return seconds[0], seconds[1]


def theirs(train, test, horizon, season, freq, name):
    """statsforecast's ``name``: ``(seconds, forecast, lo-80, hi-80)`` aligned with ``test``."""
    from statsforecast import StatsForecast
    from statsforecast import models as sf

    t0 = time.perf_counter()
    model = getattr(sf, name)(season_length=season)
    out = StatsForecast(models=[model], freq=freq, n_jobs=1).forecast(
        df=train[["unique_id", "ds", "y"]], h=horizon, level=[80]
    )
    seconds = time.perf_counter() - t0
    merged = test.merge(out, on=["unique_id", "ds"], how="left")
    return seconds, merged[name], merged[f"{name}-lo-80"], merged[f"{name}-hi-80"]


def import_libraries() -> float:
    """Imports TensorFlow, statsforecast's models and ``forecast``: their seconds."""
    t0 = time.perf_counter()
    import statsforecast.models  # noqa: F401
    import tensorflow  # noqa: F401

    from forecast import Forecaster  # noqa: F401

    return time.perf_counter() - t0


def first_fit() -> int:
    """``--first``: the first case's fit, the first of this process; prints its seconds."""
    warnings.simplefilter("ignore")
    import_libraries()
    _, train, test, horizon, *_ = next(iter(cases()))
    print(f"{ours(train, test, horizon)[0]:.2f}")
    return 0


def repeated_fits() -> list[float]:
    """The first case's fit in :data:`REPEATS` fresh processes (``--first``): seconds each."""
    import subprocess

    runs = []
    for _ in range(REPEATS):
        out = subprocess.run(
            [sys.executable, __file__, "--first"], check=True, capture_output=True, text=True
        )
        runs.append(float(out.stdout.split()[-1]))
    return runs


def main() -> int:
    if not DATA.is_dir():
        print(f"skipped: {DATA} is absent")
        return 0
    if sys.argv[1:] == ["--first"]:
        return first_fit()
    warnings.simplefilter("ignore")
    lines = [
        "| case | model | fit (s) | predict (s) | error | 80 % coverage |",
        "|---|---|---:|---:|---:|---:|",
    ]
    # The libraries are imported before any clock starts, as statsforecast's are before its
    # time: a fit is then compared with a fit. Their import is timed here once and reported
    # beside; the commands' rows pay it in every process.
    imports = import_libraries()
    for name, train, test, horizon, season, metric in cases():
        freq = pd.infer_freq(train.loc[train["unique_id"] == train["unique_id"].iloc[0], "ds"])
        fit, pred_s, f, lo, hi = ours(train, test, horizon)
        err, cov = score(train, test, f.to_numpy(), lo.to_numpy(), hi.to_numpy(), season, metric)
        row = (
            f"| {name} | forecast `lstm` (default) | {fit:.1f} | {pred_s:.1f} | {metric} {err:.3f}"
        )
        lines.append(row + f" | {cov:.1f} % |")
        print(lines[-1], flush=True)
        timed = commands(train, horizon)
        if timed is not None:
            lines.append(
                f"| | `forecast fit` / `predict` (commands) | {timed[0]:.1f} | {timed[1]:.1f} | | |"
            )
            print(lines[-1], flush=True)
        for peer in PEERS:
            if peer == "AutoARIMA" and season > 12:
                continue
            sec, f, lo, hi = theirs(train, test, horizon, season, freq, peer)
            err, cov = score(
                train, test, f.to_numpy(), lo.to_numpy(), hi.to_numpy(), season, metric
            )
            lines.append(
                f"| | statsforecast {peer} | {sec:.1f} | – | {metric} {err:.3f} | {cov:.1f} % |"
            )
            print(lines[-1], flush=True)
    runs = repeated_fits()
    first = next(iter(cases()))[0].split(" (")[0]
    lines += [
        "",
        f"The fit of {first} again in {REPEATS} fresh processes (each the first of its process, "
        f"the libraries imported before the clock): median **{np.median(runs):.1f} s**, "
        f"{min(runs):.1f}–{max(runs):.1f} s ({', '.join(f'{r:.1f}' for r in runs)}).",
    ]
    print(lines[-1], flush=True)
    from importlib.metadata import version

    head = [
        "# Fit time: the default model next to statsforecast",
        "",
        f"Generated by `python benchmarks/fit_time.py` on {platform.machine()} "
        f"({os.cpu_count()} cores, shared; load average at start "
        f"{os.getloadavg()[0]:.1f}), Python {platform.python_version()}, TensorFlow "
        f"{version('tensorflow')}, statsforecast {version('statsforecast')}. Wall clock, one "
        "process, default settings, seed 0. statsforecast's time is its `forecast` (fit and "
        "forecast, intervals included); ours is `fit` (training, validation forecasts, "
        "calibration) and then `predict`, in this process and then as the commands a user "
        "types (fresh processes: start, imports, the model directory written and read, exit). "
        "Both libraries are imported before any clock starts (TensorFlow, statsforecast's "
        f"models and forecast: {imports:.1f} s, once per process); the first case's fit is the "
        "first of the process, so TensorFlow's first-run costs are in it.",
        "",
    ]
    OUTPUT.write_text("\n".join(head + lines) + "\n")
    print(f"wrote {OUTPUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
