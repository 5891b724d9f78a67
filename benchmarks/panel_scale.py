"""Panel scale benchmark (issue #14): load, fit one epoch and predict thousands of series.

For each panel size a synthetic daily panel (``--steps`` rows per series; levels log-uniform
from 1 to 100,000; weekly seasonality, a random walk and noise, every value positive) is
written to a temporary Parquet file in long format (``unique_id, ds, y``). A fresh Python
process (so that peak memory is that panel's alone) then

1. loads it (``forecast.data.load_data``: pyarrow, then the full validation),
2. fits ``Forecaster(model="lstm", epochs=1, ensemble=1, batch_size=--batch-size)``
   (defaults otherwise: horizon 7, lookback 14, units 64, calendar features); the time of
   the Keras epoch (training windows and validation loss) is taken apart from the rest of
   ``fit`` (scalers, the head gate, the validation forecasts and the conformal calibration),
3. predicts the next horizon of every series (``predict()``).

Peak RSS is ``resource.getrusage(RUSAGE_SELF).ru_maxrss`` read after each stage (a peak
so far: it only grows). "windows x lookback" is the memory that the training and
validation windows would take materialised as float32, as ``train()`` built them before
the windows were streamed. Results: a table on stdout and ``benchmarks/results/panel_scale.md``.

Usage:
    python benchmarks/panel_scale.py                      # 1,000 and 10,000 series
    python benchmarks/panel_scale.py --series 1000 --batch-size 32

Example:
    >>> frame = synthetic_panel(3, 20, seed=0)
    >>> frame.shape, frame["unique_id"].nunique(), bool((frame["y"] > 0).all())
    ((60, 3), 3, True)
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
OUTPUT = ROOT / "benchmarks" / "results" / "panel_scale.md"


def synthetic_panel(n_series: int, steps: int, seed: int = 0) -> pd.DataFrame:
    """``n_series`` daily series of ``steps`` rows in long format, levels 1 .. 1e5."""
    rng = np.random.default_rng(seed)
    t = np.arange(steps)
    level = 10 ** rng.uniform(0, 5, size=(n_series, 1))
    phase = rng.uniform(0, 2 * np.pi, size=(n_series, 1))
    weekly = 1 + 0.2 * np.sin(2 * np.pi * t / 7 + phase)
    walk = np.exp(np.cumsum(0.01 * rng.standard_normal((n_series, steps)), axis=1))
    noise = np.exp(0.05 * rng.standard_normal((n_series, steps)))
    y = level * weekly * walk * noise
    ids = np.array([f"s{i:05d}" for i in range(n_series)])
    return pd.DataFrame(
        {
            "unique_id": np.repeat(ids, steps),
            "ds": np.tile(pd.date_range("2020-01-01", periods=steps, freq="D").values, n_series),
            "y": y.reshape(-1),
        }
    )


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def worker(path: str, batch_size: int) -> dict:
    """One panel in this process: the stages, timed, with the peak RSS after each."""
    sys.path.insert(0, str(ROOT))
    import forecast.training as training
    from forecast import Forecaster
    from forecast.data import load_data

    out = {"rss_start_mb": _peak_mb()}
    start = time.perf_counter()
    sd = load_data(path)
    out["load_s"] = time.perf_counter() - start
    out["rss_load_mb"] = _peak_mb()
    out["series"] = len(sd.frames)
    out["rows"] = int(sum(len(f) for f in sd.frames.values()))

    epoch = []
    fit = training._fit

    def timed(*args, **kwargs):  # the Keras fit of the ensemble (one epoch here)
        t0 = time.perf_counter()
        history = fit(*args, **kwargs)
        epoch.append(time.perf_counter() - t0)
        return history

    training._fit = timed
    fc = Forecaster(model="lstm", epochs=1, ensemble=1, batch_size=batch_size, verbose=0)
    start = time.perf_counter()
    fc.fit(sd)
    out["fit_s"] = time.perf_counter() - start
    out["epoch_s"] = sum(epoch)
    out["rss_fit_mb"] = _peak_mb()
    info = fc.training_
    out["train_windows"], out["val_windows"] = info["train_windows"], info["val_windows"]
    out["lookback"], out["horizon"] = fc.lookback_, fc.horizon_
    features = 1 + len(fc.calendar_)
    windows = info["train_windows"] + info["val_windows"]
    out["materialised_mb"] = windows * (fc.lookback_ * features + fc.horizon_) * 4 / 2**20
    out["features"] = features

    start = time.perf_counter()
    table = fc.predict()
    out["predict_s"] = time.perf_counter() - start
    out["rss_predict_mb"] = _peak_mb()
    out["predicted_rows"] = len(table)
    return out


def run(n_series: int, steps: int, batch_size: int, tmp: Path) -> dict:
    path = tmp / f"panel_{n_series}.parquet"
    start = time.perf_counter()
    synthetic_panel(n_series, steps).to_parquet(path, index=False)
    made = time.perf_counter() - start
    command = [sys.executable, __file__, "--worker", str(path), "--batch-size", str(batch_size)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"worker for {n_series} series failed:\n{done.stderr[-4000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result.update(steps=steps, parquet_mb=path.stat().st_size / 2**20, generate_s=made)
    path.unlink()
    return result


def report(results: list[dict], args, load: list[float], total: float) -> str:
    import keras
    import tensorflow as tf

    first = results[0]
    lines = [
        "# Panel scale: load, one epoch, predict (synthetic daily panels)",
        "",
        f"- date: {time.strftime('%Y-%m-%d %H:%M')}; total benchmark time {total:.0f} s",
        f"- machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        "shared with other jobs (not a quiet machine); "
        f"Python {platform.python_version()}, TensorFlow {tf.__version__}, Keras {keras.__version__}",
        f"- load average (1, 5, 15 min) before the run: {load[0]:.2f}, {load[1]:.2f}, "
        f"{load[2]:.2f}; after: {os.getloadavg()[0]:.2f}, {os.getloadavg()[1]:.2f}, "
        f"{os.getloadavg()[2]:.2f}",
        f"- data: {args.steps} daily steps per series, levels log-uniform 1 .. 1e5, weekly "
        "seasonality x random walk x noise; long format in a temporary Parquet file",
        f"- model: `lstm`, **epochs=1, ensemble=1**, batch_size={args.batch_size}, "
        f"horizon {first['horizon']}, lookback {first['lookback']}, units 64, "
        f"{first['features']} input features (y + calendar); the other parameters default",
        "- each panel in its own process (TensorFlow imported first: the RSS after imports); "
        "peak RSS = `ru_maxrss` after the stage (the peak "
        "so far, including the stages before); `epoch` = Keras `fit` of the one epoch "
        "(training + validation loss); `fit` = all of `Forecaster.fit` (scalers, epoch, head "
        "gate, validation forecasts, conformal calibration); `predict` = `predict()` for "
        "every series",
        "- materialised = what the training + validation windows (inputs and labels, "
        "float32) would take if built in memory, as before streaming",
        "",
        "| series | rows | Parquet MB | RSS after imports MB | load s | peak RSS load MB "
        "| train / val windows "
        "| materialised MB | epoch s | fit s | peak RSS fit MB | predict s "
        "| peak RSS predict MB |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r['series']:,} | {r['rows']:,} | {r['parquet_mb']:.0f} "
            f"| {r['rss_start_mb']:,.0f} | {r['load_s']:.1f} "
            f"| {r['rss_load_mb']:,.0f} | {r['train_windows']:,} / {r['val_windows']:,} "
            f"| {r['materialised_mb']:,.0f} | {r['epoch_s']:.0f} | {r['fit_s']:.0f} "
            f"| {r['rss_fit_mb']:,.0f} | {r['predict_s']:.1f} | {r['rss_predict_mb']:,.0f} |"
        )
    return "\n".join(lines) + "\n"


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--series", type=int, nargs="+", default=[1000, 10_000])
    parser.add_argument("--steps", type=int, default=500)
    parser.add_argument("--batch-size", type=int, default=512)
    parser.add_argument("--output", type=Path, default=OUTPUT)
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(args.worker, args.batch_size)))
        return
    load = os.getloadavg()
    start = time.perf_counter()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.series:
            results.append(run(n, args.steps, args.batch_size, Path(tmp)))
            print(json.dumps(results[-1]), flush=True)
    text = report(results, args, load, time.perf_counter() - start)
    print(text)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text)


if __name__ == "__main__":
    main()
