"""Windowing benchmark: ``forecast.windowing.make_windows`` vs ``keras.utils.timeseries_dataset_from_array``.

The task (same for every pipeline): a float32 series of ``--rows`` rows x 8 columns,
windows with lookback 48, horizon 12, stride 1, the targets being column 0; every window
delivered once, in order, as numpy batches of 256 ``(X (256, 48, 8), Y (256, 12, 1))``.
Timed from the raw array to the last batch, building included:

* ``make_windows + numpy batches``: strided views, then ``np.ascontiguousarray`` per batch.
* ``make_windows + make_dataset (tf.data)``: the training pipeline of this package
  (copies the windows into tensors once, gathers batches in the graph); ``--no-tfdata``
  skips it.
* ``keras timeseries_dataset_from_array``: one dataset for the inputs
  (``data[:-horizon]``, length 48) zipped with one for the labels (``targets[48:]``,
  length 12), iterated with ``as_numpy_iterator``; Keras has no multi-step targets, so
  this zip is the usual way to get them.

Equality is checked on a sample of batches (first, last and random ones): every pipeline
must deliver exactly the same windows. Each pipeline runs ``--repeats`` times (best kept;
Keras once by default, as it is slow). Prints a Markdown table and writes it, with the
machine (CPU, cores, versions, date), to ``--output``.

Usage:
    python benchmarks/windowing.py                       # 1,000,000 rows
    python benchmarks/windowing.py --rows 100000 --output /tmp/windowing.md

Example:
    >>> kept, count = ours_numpy(np.arange(200, dtype=np.float32).reshape(100, 2), 4, 2, 32, keep={0})
    >>> [x.shape for x, _ in kept.values()], count
    ([(32, 4, 2)], 95)
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from forecast.windowing import make_windows, window_count  # noqa: E402

COLUMNS = 8
LOOKBACK = 48
HORIZON = 12
BATCH = 256


def ours_numpy(data: np.ndarray, lookback: int, horizon: int, batch: int, keep: set[int]):
    """make_windows views, then contiguous numpy batches; returns (kept batches, windows)."""
    X, Y = make_windows(data, data[:, :1], lookback, horizon)
    kept, n = {}, 0
    for b, i in enumerate(range(0, len(X), batch)):
        xb = np.ascontiguousarray(X[i : i + batch])
        yb = np.ascontiguousarray(Y[i : i + batch])
        n += len(xb)
        if b in keep:
            kept[b] = (xb, yb)
    return kept, n


def ours_tfdata(data: np.ndarray, lookback: int, horizon: int, batch: int, keep: set[int]):
    """make_windows, then forecast.tfdata.make_dataset iterated as numpy."""
    from forecast.tfdata import make_dataset

    X, Y = make_windows(data, data[:, :1], lookback, horizon)
    kept, n = {}, 0
    for b, (xb, yb) in enumerate(make_dataset(X, Y, batch_size=batch).as_numpy_iterator()):
        n += len(xb)
        if b in keep:
            kept[b] = (xb, yb)
    return kept, n


def keras_tsdfa(data: np.ndarray, lookback: int, horizon: int, batch: int, keep: set[int]):
    """keras.utils.timeseries_dataset_from_array for inputs, zipped with one for labels."""
    import keras
    import tensorflow as tf

    def windows(array, length):
        return keras.utils.timeseries_dataset_from_array(
            array, None, sequence_length=length, batch_size=batch, shuffle=False
        )

    ds = tf.data.Dataset.zip(
        (windows(data[:-horizon], lookback), windows(data[lookback:, :1], horizon))
    )
    kept, n = {}, 0
    for b, (xb, yb) in enumerate(ds.as_numpy_iterator()):
        n += len(xb)
        if b in keep:
            kept[b] = (xb, yb)
    return kept, n


def best_time(fn, repeats: int, *args):
    """Best wall time of ``repeats`` runs and the last run's result."""
    best, result = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn(*args)
        best = min(best, time.perf_counter() - start)
    return best, result


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def load_average() -> str:
    try:
        return ", ".join(f"{v:.1f}" for v in os.getloadavg())
    except OSError:  # pragma: no cover - not on every platform
        return "n/a"


def machine() -> list[str]:
    import keras
    import pandas as pd
    import tensorflow as tf

    return [
        f"- date: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC",
        f"- CPU: {cpu_model()}, {os.cpu_count()} logical cores; {platform.system()} {platform.release()}",
        f"- Python {platform.python_version()}, numpy {np.__version__}, pandas {pd.__version__}, "
        f"TensorFlow {tf.__version__}, Keras {keras.__version__}",
        f"- TensorFlow devices: {', '.join(d.device_type for d in tf.config.list_physical_devices())}",
        f"- load average (1, 5, 15 min) at the end: {load_average()}; other work on the machine "
        "slows every pipeline, so compare the ratios rather than the seconds",
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="series length (default 1e6)")
    parser.add_argument("--output", type=Path, default=ROOT / "benchmarks/results/windowing.md")
    parser.add_argument("--repeats", type=int, default=3, help="runs of our pipelines (best kept)")
    parser.add_argument("--keras-repeats", type=int, default=1, help="runs of the Keras pipeline")
    parser.add_argument("--no-tfdata", action="store_true", help="skip the make_dataset pipeline")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    rng = np.random.default_rng(args.seed)
    data = rng.standard_normal((args.rows, COLUMNS)).astype(np.float32)
    n_windows = window_count(args.rows, LOOKBACK, HORIZON)
    n_batches = -(-n_windows // BATCH)
    keep = {0, n_batches - 1, *rng.integers(0, n_batches, size=8).tolist()}

    runs = [("make_windows + numpy batches", ours_numpy, args.repeats)]
    if not args.no_tfdata:
        runs.append(("make_windows + make_dataset (tf.data)", ours_tfdata, args.repeats))
    runs.append(
        ("keras timeseries_dataset_from_array (inputs zip labels)", keras_tsdfa, args.keras_repeats)
    )

    results = {}
    for name, fn, repeats in runs:
        print(f"running {name} ...", file=sys.stderr, flush=True)
        seconds, (kept, count) = best_time(fn, repeats, data, LOOKBACK, HORIZON, BATCH, keep)
        assert count == n_windows, (name, count, n_windows)
        results[name] = (seconds, kept)

    reference = results[runs[-1][0]][1]
    for name, (_, kept) in results.items():
        for b in keep:
            assert np.array_equal(kept[b][0], reference[b][0]), (name, b)
            assert np.array_equal(kept[b][1], reference[b][1]), (name, b)

    keras_seconds = results[runs[-1][0]][0]
    table = [
        "| pipeline | time (s) | windows / s | speed-up vs Keras |",
        "|---|---:|---:|---:|",
    ]
    for name, (seconds, _) in results.items():
        table.append(
            f"| {name} | {seconds:.3f} | {n_windows / seconds:,.0f} | {keras_seconds / seconds:,.1f}x |"
        )
    task = (
        f"{args.rows:,} rows x {COLUMNS} float32 columns, lookback {LOOKBACK}, horizon {HORIZON}, "
        f"stride 1, target = column 0: {n_windows:,} windows in {n_batches:,} numpy batches of "
        f"{BATCH}. Same windows checked equal on {len(keep)} sampled batches. "
        f"Best of {args.repeats} runs for ours, {args.keras_repeats} for Keras."
    )
    text = "\n".join(
        [
            "# Windowing benchmark",
            "",
            task,
            "",
            *table,
            "",
            "Machine:",
            "",
            *machine(),
            "",
            f"Command: `python benchmarks/windowing.py --rows {args.rows}`",
            "",
        ]
    )
    print(text)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
