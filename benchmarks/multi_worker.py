"""Training throughput of one worker vs two local workers (``MultiWorkerMirroredStrategy``).

Both runs use the same custom loop (:mod:`forecast.distributed`) and the same global batch;
each worker process is pinned to one core (``sched_setaffinity``) and talks to the other
over 127.0.0.1. A worker fits the ``lstm`` model three times in one process: a warm-up, then
``--short`` and ``--long`` epochs (no early stopping); the difference of the last two
times is the time of ``long - short`` epochs of training, without start-up and tracing:
samples/s = training windows * (long - short) / (t_long - t_short).

Scaling efficiency = samples/s with two workers / (2 * samples/s with one worker).

Usage::

    python benchmarks/multi_worker.py              # a few minutes on 2 cores
    python benchmarks/multi_worker.py --quick
    python benchmarks/multi_worker.py --output results.md

Example:
    >>> efficiency(100.0, 150.0, workers=2)
    0.75
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import socket
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUTPUT = Path(__file__).parent / "results" / "multi_worker.md"
PARAMS = dict(model="lstm", horizon=12, lookback=48, units=64, batch_size=128, patience=1000,
              ensemble=1, seed=0, calendar=False)  # fmt: skip


def efficiency(one: float, many: float, workers: int) -> float:
    """Scaling efficiency: the throughput of ``workers`` workers over ``workers`` times one."""
    return many / (workers * one)


def panel(series: int, length: int):
    """A long-format panel of hourly series with a daily season and noise."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(0)
    frames = []
    for s in range(series):
        t = np.arange(length)
        y = 50 + 10 * np.sin(2 * np.pi * (t + 3 * s) / 24) + rng.standard_normal(length)
        time_ = pd.date_range("2024-01-01", periods=length, freq="h")
        frames.append(pd.DataFrame({"unique_id": f"s{s}", "ds": time_, "y": y}))
    return pd.concat(frames, ignore_index=True)


def worker(args) -> None:
    """One worker: two timed fits under the strategy of TF_CONFIG; the chief prints JSON.

    ``--shard series``: the worker fits its part of the panel (its own series), as
    ``forecast fit --shard series`` does (:func:`forecast.cluster.fit`).
    """
    sys.path.insert(0, str(ROOT))
    from forecast import Forecaster, cluster, distributed, pool, sharding
    from forecast.data import validate_frame

    role = cluster.role(True)
    setup = distributed.start(role.kind, None, role.index, role.workers, args.shard)
    data = validate_frame(panel(args.series, args.length), id_col="unique_id", time_col="ds")
    workers = pool.Pool()
    if args.shard == "series":
        data, workers = cluster._part_of(data, role.index, role.workers), sharding.pool(setup)
    times = {}
    with distributed.use(setup), pool.use(workers):
        for epochs in (args.short, args.short, args.long):  # the first one warms up
            fc = Forecaster(**PARAMS, epochs=epochs)
            start = time.perf_counter()
            fc.fit(data)
            times[epochs] = time.perf_counter() - start
    windows = fc.training_["train_windows"]
    rate = windows * (args.long - args.short) / (times[args.long] - times[args.short])
    if role.is_chief:
        print(json.dumps({"samples_per_s": rate, "windows": windows, "times": times}))


def _ports(n: int) -> list[int]:
    sockets = [socket.socket() for _ in range(n)]
    for s in sockets:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


def run(workers: int, args) -> dict:
    """Starts ``workers`` local worker processes, one core each; the chief's result."""
    ports = _ports(workers)
    cluster = {"worker": [f"127.0.0.1:{p}" for p in ports]}
    cores = sorted(os.sched_getaffinity(0))
    procs = []
    for index in range(workers):
        env = dict(os.environ, CUDA_VISIBLE_DEVICES="", PYTHONPATH=str(ROOT))
        env["TF_CONFIG"] = json.dumps(
            {"cluster": cluster, "task": {"type": "worker", "index": index}}
        )
        core = {cores[index % len(cores)]}
        command = [sys.executable, __file__, "--worker", *_forward(args)]
        procs.append(
            subprocess.Popen(
                command, env=env, stdout=subprocess.PIPE, text=True,
                preexec_fn=lambda core=core: os.sched_setaffinity(0, core),
            )
        )  # fmt: skip
    outputs = [p.communicate(timeout=1800)[0] for p in procs]
    if any(p.returncode for p in procs):
        raise SystemExit(f"a worker failed: {[p.returncode for p in procs]}")
    return json.loads(outputs[0].strip().splitlines()[-1])


def _forward(args) -> list[str]:
    names = ("series", "length", "short", "long", "shard")
    return [x for n in names for x in (f"--{n}", str(getattr(args, n)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--quick", action="store_true", help="a smaller panel, fewer epochs")
    parser.add_argument("--series", type=int, default=8)
    parser.add_argument("--length", type=int, default=1500)
    parser.add_argument("--short", type=int, default=1)
    parser.add_argument("--long", type=int, default=4)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--shard", choices=("batch", "series"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args)
        return
    if args.quick:
        args.series, args.length, args.long = 4, 800, 3
    began = time.time()
    load = [os.getloadavg()[0]]
    rows = []
    for shard in ("batch", "series"):  # every worker: a slice of every batch / its series
        args.shard = shard
        one = run(1, args)
        load.append(os.getloadavg()[0])
        two = run(2, args)
        load.append(os.getloadavg()[0])
        eff = efficiency(one["samples_per_s"], two["samples_per_s"], 2)
        rows += [
            f"| {shard} | 1 | {PARAMS['batch_size']} | {one['samples_per_s']:,.0f} | 1.00 | 100% |",
            f"| {shard} | 2 | {PARAMS['batch_size']} | {two['samples_per_s']:,.0f} | "
            f"{two['samples_per_s'] / one['samples_per_s']:.2f} | {eff:.0%} |",
        ]
    import tensorflow as tf

    lines = [
        "# Multi-worker training: one worker vs two local workers (CPU, one core each)",
        "",
        f"- date: {datetime.datetime.now():%Y-%m-%d %H:%M}",
        f"- machine: {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} cores; Python {platform.python_version()}",
        f"- TensorFlow {tf.__version__}; MultiWorkerMirroredStrategy over 127.0.0.1",
        f"- panel: {args.series} hourly series x {args.length} rows, {one['windows']} "
        f"training windows; {json.dumps(PARAMS)}",
        f"- method: per worker, after a warm-up fit, fits of {args.short} and {args.long} epochs "
        "in one process; "
        "samples/s = windows x epoch difference / time difference (no start-up, tracing)",
        "- shard: `batch` (`--shard batch`, the default: every worker reads its slice of every "
        "global batch) or `series` (`--shard series`: every worker reads, windows and streams "
        "only its own series)",
        f"- load average (1 min) during the run: {min(load):.1f} to {max(load):.1f}; "
        f"total {time.time() - began:.0f} s",
        "",
        "| shard | workers | global batch | samples/s | speed-up | scaling efficiency |",
        "|---|---:|---:|---:|---:|---:|",
        *rows,
        "",
    ]
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
