"""Speed of ``forecast.layers.LSTM`` against ``keras.layers.LSTM`` on CPU.

For each shape and for ``jit_compile`` False and True, two (or three) models
``Input -> LSTM -> Dense(1)`` with the same weights are trained (``model.fit``,
Adam, MSE, a fixed number of batches from a cached ``tf.data.Dataset``) and
asked to predict (``model.predict``) on the same batches. Repetitions alternate between the models in one process,
and the median time of each is kept. With ``jit_compile=False`` the table
also shows our layer with ``use_xla=False`` (a plain ``tf.while_loop``), to
show how much of the speed comes from compiling the recurrence.

GFLOP/s counts the matmuls only: ``2 * B * T * (features + units) * 4 * units``
per forward pass, three times that for a training step.

Usage::

    python benchmarks/lstm_speed.py            # about 13 minutes on 2 cores
    python benchmarks/lstm_speed.py --quick    # fewer repetitions and batches
    python benchmarks/lstm_speed.py --output results.md

Example:
    >>> flops_forward(batch=2, time=3, features=4, units=5)
    2160
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

SHAPES = {  # name: (batch, time, features, units)
    "base": (128, 48, 8, 64),
    "long": (32, 512, 4, 32),
    "wide": (64, 32, 64, 256),
}
DEFAULT_OUTPUT = Path(__file__).parent / "results" / "lstm_speed.md"
PREDICT_PASSES = 3


def flops_forward(batch, time, features, units):
    """Matmul flops of one forward pass: 2·B·T·(features + units)·4·units."""
    return 2 * batch * time * (features + units) * 4 * units


def paired_ratio(reference, ours):
    """Median over repetitions of ``reference / ours`` (> 1: ours is faster).

    Each repetition times both models back to back, so pairing them cancels the slow
    drift of the load of a shared machine, which a ratio of medians does not.

    Example:
        >>> paired_ratio([2.0, 4.0, 3.0], [1.0, 4.0, 2.0])
        1.5
    """
    return statistics.median(r / o for r, o in zip(reference, ours, strict=True))


def cpu_model():
    """The CPU's model name from /proc/cpuinfo (or platform's guess)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def build_model(kind, shape, jit_compile, weights=None):
    import keras

    from forecast.layers import LSTM

    batch, steps, features, units = shape
    keras.utils.set_random_seed(0)
    if kind == "keras":
        layer = keras.layers.LSTM(units)
    else:
        layer = LSTM(units, use_xla=(kind == "ours"))
    inputs = keras.Input((steps, features))
    model = keras.Model(inputs, keras.layers.Dense(1)(layer(inputs)))
    if weights is not None:
        model.set_weights(weights)
    model.compile(optimizer="adam", loss="mse", jit_compile=jit_compile)
    return model


def bench_shape(name, shape, jit_compile, reps, batches):
    """Median seconds of fit and predict for each model kind."""
    import numpy as np
    import tensorflow as tf

    batch, steps, features, units = shape
    rng = np.random.default_rng(0)
    x = rng.normal(size=(batch * batches, steps, features)).astype("float32")
    y = rng.normal(size=(batch * batches, 1)).astype("float32")
    # Datasets built once and cached: model.fit/predict on numpy arrays would
    # rebuild the input pipeline on every call, a fixed cost shared by both.
    # Prediction is ~3x cheaper than a training step, so it runs over the
    # batches PREDICT_PASSES times per call, to time similar spans.
    train_data = tf.data.Dataset.from_tensor_slices((x, y)).batch(batch).cache()
    predict_data = tf.data.Dataset.from_tensor_slices(x).batch(batch).cache()
    predict_data = predict_data.repeat(PREDICT_PASSES)
    kinds = ["keras", "ours"] + ([] if jit_compile else ["ours-no-xla"])
    first = build_model("keras", shape, jit_compile)
    weights = first.get_weights()
    models = {
        k: (first if k == "keras" else build_model(k, shape, jit_compile, weights)) for k in kinds
    }
    tasks = {
        "train": lambda m: m.fit(train_data, epochs=1, shuffle=False, verbose=0),
        "predict": lambda m: m.predict(predict_data, verbose=0),
    }
    for model in models.values():  # warm-up: tracing and XLA compilation
        for run in tasks.values():
            run(model)
    wall = {(k, task): [] for k in kinds for task in tasks}
    cpu = {(k, task): [] for k in kinds for task in tasks}
    for rep in range(reps):
        order = kinds if rep % 2 == 0 else kinds[::-1]  # alternate who goes first
        for kind in order:
            for task, run in tasks.items():
                start, start_cpu = time.perf_counter(), time.process_time()
                run(models[kind])
                wall[(kind, task)].append(time.perf_counter() - start)
                cpu[(kind, task)].append(time.process_time() - start_cpu)
    rows = []
    for kind in kinds:
        for task in tasks:
            samples = batch * batches * (PREDICT_PASSES if task == "predict" else 1)
            median = statistics.median(wall[(kind, task)])
            flops = flops_forward(*shape) / batch * samples * (3 if task == "train" else 1)
            rows.append(
                {
                    "shape": name,
                    "dims": shape,
                    "jit": jit_compile,
                    "model": kind,
                    "task": task,
                    "samples_per_s": samples / median,
                    "ratio": paired_ratio(wall[("keras", task)], wall[(kind, task)]),
                    "cpu_ratio": paired_ratio(cpu[("keras", task)], cpu[(kind, task)]),
                    "gflops": flops / median / 1e9,
                    "spread": (max(wall[(kind, task)]) - min(wall[(kind, task)])) / median,
                }
            )
    return rows


def markdown(rows, args, elapsed, loads):
    import keras
    import tensorflow as tf

    lines = [
        "# LSTM speed: forecast.layers.LSTM vs keras.layers.LSTM (CPU)",
        "",
        f"- date: {datetime.datetime.now().strftime('%Y-%m-%d %H:%M')}",
        f"- machine: {cpu_model()}, {os.cpu_count()} cores; Python {platform.python_version()}",
        f"- TensorFlow {tf.__version__}, Keras {keras.__version__}",
        f"- method: `Input -> LSTM -> Dense(1)`, Adam + MSE; {args.batches} batches (a cached "
        f"`tf.data.Dataset`) per `model.fit` call, {PREDICT_PASSES}x that per `model.predict` "
        f"call; {args.reps} interleaved repetitions after a "
        "warm-up. samples/s from the median time; ratio = median over repetitions of "
        "keras time / our time in the same repetition (> 1: ours is faster). "
        "spread = (max - min) / median of the repetitions.",
        "- ours-no-xla: our layer with `use_xla=False` (plain `tf.while_loop`).",
        "- cpu ratio: the same ratio for the process' CPU time (less sensitive to other "
        "load on the machine; > wall ratio means ours used fewer cores in parallel).",
        f"- load average (1 min) seen during the run: {min(loads):.1f} to {max(loads):.1f}; "
        f"total benchmark time {elapsed:.0f} s",
        "",
        "| shape (B, T, F, units) | jit_compile | task | model | samples/s | ratio vs keras "
        "| cpu ratio | GFLOP/s | spread |",
        "|---|---|---|---|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['shape']} {r['dims']} | {r['jit']} | {r['task']} | {r['model']} "
            f"| {r['samples_per_s']:,.0f} | {r['ratio']:.2f} | {r['cpu_ratio']:.2f} "
            f"| {r['gflops']:.1f} | {r['spread']:.0%} |"
        )
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions and batches")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="markdown file")
    parser.add_argument("--shapes", default=",".join(SHAPES), help="comma-separated names")
    args = parser.parse_args(argv)
    args.reps = 3 if args.quick else 9
    args.batches = 6 if args.quick else 24
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    start = time.perf_counter()
    rows, loads = [], [os.getloadavg()[0]]
    for name in args.shapes.split(","):
        for jit_compile in (False, True):
            rows += bench_shape(name, SHAPES[name], jit_compile, args.reps, args.batches)
            loads.append(os.getloadavg()[0])
            print(f"done {name} jit_compile={jit_compile}", file=sys.stderr, flush=True)
    table = markdown(rows, args, time.perf_counter() - start, loads)
    print(table)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(table)


if __name__ == "__main__":
    main()
