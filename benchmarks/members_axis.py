"""Would a members axis speed up the ensemble's training? Five LSTM loops against one.

The default ``lstm`` trains five member networks inside one Keras model: every training
step runs five LSTM loops (forward and gradient), and the first step traces and compiles
five of them. An ensemble with a *members axis* would keep the five members' weights in
one LSTM layer with a leading members dimension and run one loop for all of them. Before
building it (it changes the network's structure, its saved form and its numbers), this
script measures what it could save in the LSTM part alone, at AirPassengers' sizes (a batch
of 27 windows, 24 steps, 3 features, 32 units):

* ``separate``: five :class:`forecast.layers.LSTM` layers, as the ensemble has them;
* ``stacked``: one loop over time whose matmul is batched over the five members (a
  prototype written here, not in the package), in one ``tf.function(jit_compile=True)``.

Each variant computes the mean squared error of its five final states against fixed
targets and its gradient with respect to every weight. Then Keras' Adam updates the
members' weights (LSTM kernels and bias, and a dense head of 36 outputs): 25 variables, or
5 with a members axis. The first call of each (tracing, and XLA compilation for the LSTM)
is timed in a fresh process per run (the runs alternate between the variants), then the
median of 100 further calls.

Usage::

    python benchmarks/members_axis.py            # 3 runs of each, about 2 minutes
    python benchmarks/members_axis.py --runs 5 --output results.md

Example:
    >>> summary([{"first": 2.0, "step_ms": 7.0}, {"first": 3.0, "step_ms": 9.0}])
    '2.00–3.00 s (median 2.50) | 7.00–9.00 ms (median 8.00)'
    >>> summary([{"adam_first": 1.0, "adam_ms": 2.0}], "adam_")
    '1.00–1.00 s (median 1.00) | 2.00–2.00 ms (median 2.00)'
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUTPUT = ROOT / "benchmarks" / "results" / "members_axis.md"
SIZES = {"members": 5, "batch": 27, "time": 24, "features": 3, "units": 32}

CHILD = """
import json, os, sys, time
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
sys.path.insert(0, {root!r})
import numpy as np, tensorflow as tf
M, B, T, F, U = {members}, {batch}, {time}, {features}, {units}
rng = np.random.default_rng(0)
x = tf.constant(rng.normal(size=(B, T, F)).astype("float32"))
y = tf.constant(rng.normal(size=(B, M, U)).astype("float32"))
if {variant!r} == "separate":
    from forecast.layers import LSTM
    layers = [LSTM(U) for _ in range(M)]
    for layer in layers:
        layer.build((None, T, F))
    weights = [v for layer in layers for v in layer.trainable_variables]

    @tf.function
    def step(x, y):
        with tf.GradientTape() as tape:
            out = tf.stack([layer(x) for layer in layers], axis=1)
            loss = tf.reduce_mean((out - y) ** 2)
        return tape.gradient(loss, weights)
else:
    kernel = tf.Variable(rng.normal(size=(M, F + U, 4 * U)).astype("float32") * 0.1)
    bias = tf.Variable(np.zeros((M, 1, 4 * U), "float32"))
    weights = [kernel, bias]

    def forward(x):
        xs = tf.transpose(x, [1, 0, 2])
        h = tf.zeros((M, B, U))
        c = tf.zeros((M, B, U))

        def body(t, h, c):
            xt = tf.broadcast_to(xs[t][None], (M, B, F))
            i, f, g, o = tf.split(tf.matmul(tf.concat([xt, h], -1), kernel) + bias, 4, -1)
            c = tf.sigmoid(f) * c + tf.sigmoid(i) * tf.tanh(g)
            return t + 1, tf.sigmoid(o) * tf.tanh(c), c

        _, h, _ = tf.while_loop(lambda t, *_: t < T, body, (0, h, c), maximum_iterations=T)
        return tf.transpose(h, [1, 0, 2])

    @tf.function(jit_compile=True)
    def step(x, y):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean((forward(x) - y) ** 2)
        return tape.gradient(loss, weights)


def timed(function, *args):
    t0 = time.perf_counter()
    function(*args)
    first = time.perf_counter() - t0
    for _ in range(5):
        function(*args)
    times = []
    for _ in range(100):
        t0 = time.perf_counter()
        function(*args)
        times.append(time.perf_counter() - t0)
    return first, 1000 * sorted(times)[50]


first, step_ms = timed(step, x, y)
# Adam on the members' weights: LSTM kernel, recurrent kernel, bias, head kernel and bias
# (36 outputs: AirPassengers' horizon), 25 variables or 5 with a members axis
import keras
shapes = [(F, 4 * U), (U, 4 * U), (4 * U,), (U, 36), (36,)]
shapes = [(M, *s) for s in shapes] if {variant!r} == "stacked" else shapes * M
variables = [keras.Variable(rng.normal(size=s).astype("float32")) for s in shapes]
grads = [tf.constant(rng.normal(size=s).astype("float32")) for s in shapes]
adam = keras.optimizers.Adam(1e-3)
adam.build(variables)


@tf.function
def update(grads):
    adam.apply(grads, variables)


adam_first, adam_ms = timed(update, grads)
print(json.dumps({{"first": first, "step_ms": step_ms, "adam_first": adam_first,
                  "adam_ms": adam_ms}}))
"""


def run(variant: str) -> dict:
    """One fresh process of ``variant``: ``{"first": s, "step_ms": ms, "adam_first": s,
    "adam_ms": ms}`` (the LSTM's first call and later calls, then Adam's)."""
    code = CHILD.format(root=str(ROOT), variant=variant, **SIZES)
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=600
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def summary(runs: list[dict], prefix: str = "") -> str:
    """The range and median of the first calls (s) and of the per-call times (ms) of
    ``runs``: keys ``first`` and ``step_ms``, or ``adam_first`` and ``adam_ms``."""
    first = [r[f"{prefix}first"] for r in runs]
    call = [r[f"{prefix}ms" if prefix else "step_ms"] for r in runs]
    return (
        f"{min(first):.2f}–{max(first):.2f} s (median {statistics.median(first):.2f}) | "
        f"{min(call):.2f}–{max(call):.2f} ms (median {statistics.median(call):.2f})"
    )


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="fresh processes per variant")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    results = {"separate": [], "stacked": []}
    for _ in range(args.runs):  # alternating: the machine's drift touches both
        for variant, runs in results.items():
            runs.append(run(variant))
            print(variant, runs[-1], flush=True)
    sizes = ", ".join(f"{k} {v}" for k, v in SIZES.items())
    lines = [
        "# A members axis: five LSTM loops against one",
        "",
        f"Generated by `python benchmarks/members_axis.py --runs {args.runs}` on "
        f"{platform.machine()} ({os.cpu_count()} cores, shared), Python "
        f"{platform.python_version()}; {sizes}. LSTM: forward and gradient of the five "
        "members' final states; Adam: one update of the members' weights (see the script's "
        "docstring). First call: tracing (and compiling), in a fresh process per run; per "
        "call: median of 100 calls after it.",
        "",
        "| variant | LSTM: first call | LSTM: per call | Adam: first call | Adam: per call |",
        "|---|---|---|---|---|",
        "| five `forecast.layers.LSTM` layers, 25 variables (as trained today) | "
        f"{summary(results['separate'])} | {summary(results['separate'], 'adam_')} |",
        "| one stacked loop, 5 variables (members axis; a prototype in this script) | "
        f"{summary(results['stacked'])} | {summary(results['stacked'], 'adam_')} |",
        "",
    ]
    text = "\n".join(lines)
    print(text)
    args.output.write_text(text)


if __name__ == "__main__":
    main()
