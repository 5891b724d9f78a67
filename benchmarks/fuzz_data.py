"""Fuzz ``forecast.data.load_csv`` for many cases and report what happened.

Runs the property of ``tests/test_fuzz_data.py`` (generators in ``tests/fuzz_csv.py``):
every case must load or raise a one-line ``DataError`` within ``fuzz_csv.TIME_LIMIT``
seconds. Unlike the test, a failing case does not stop the run: each distinct failure
(exception type and the line that raised it) is kept with its first traceback and the
case that caused it. Prints a Markdown summary (cases tried, loaded, refused, failures,
the slowest case, the most common messages) and writes it to ``--output``.

Usage:
    python benchmarks/fuzz_data.py 5000                 # 5000 cases, seed 0
    python benchmarks/fuzz_data.py 200 --seed 7 --output /tmp/fuzz.md

Example:
    >>> template("data.csv, line 12: cannot parse 'x' as a number in column 'y'")
    "<file>, line N: cannot parse '…' as a number in column '…'"
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import os
import platform
import re
import sys
import tempfile
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import pandas as pd  # noqa: E402
from fuzz_csv import cases, check  # noqa: E402
from hypothesis import HealthCheck, Phase, given, seed, settings  # noqa: E402


def template(message: str) -> str:
    """A message with the file name, numbers and quoted text blanked, to count kinds."""
    message = re.sub(r"^[^,:]*", "<file>", message)
    message = re.sub(r"'(?:[^'\\]|\\.)*'…?|\"(?:[^\"\\]|\\.)*\"…?", "'…'", message)
    return re.sub(r"\d+", "N", message)


def run(n: int, seed_value: int) -> dict:
    """Try ``n`` cases; returns the counts, failures, slowest case and message kinds."""
    stats = {"tried": 0, "ok": 0, "error": 0, "failed": 0, "slowest": (0.0, None)}
    failures: dict[tuple[str, str], dict] = {}
    messages: collections.Counter[str] = collections.Counter()
    folder = Path(tempfile.mkdtemp(prefix="fuzz_data_"))

    @seed(seed_value)
    @settings(
        max_examples=n,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(cases())
    def one(case):
        name, data, kwargs = case
        stats["tried"] += 1
        start = time.perf_counter()
        try:
            outcome = check(folder, name, data, kwargs)
        except Exception as exc:  # a bug: keep the first traceback of each kind
            stats["failed"] += 1
            tb = traceback.extract_tb(exc.__traceback__)[-1]
            key = (type(exc).__name__, f"{Path(tb.filename).name}:{tb.lineno}")
            if key not in failures:
                failures[key] = {
                    "count": 0,
                    "traceback": "".join(traceback.format_exception(exc))[-3000:],
                    "case": (name, data[:300], kwargs),
                }
            failures[key]["count"] += 1
            outcome = None
        seconds = time.perf_counter() - start
        if seconds > stats["slowest"][0]:
            stats["slowest"] = (seconds, (name, len(data), kwargs))
        if outcome == "ok":
            stats["ok"] += 1
        elif outcome == "error":
            stats["error"] += 1

    start = time.perf_counter()
    _collect_messages(messages)
    one()
    stats["seconds"] = time.perf_counter() - start
    return {"stats": stats, "failures": failures, "messages": messages}


def _collect_messages(messages: collections.Counter) -> None:
    """Count the template of every DataError message ``check`` sees."""
    import fuzz_csv

    load = fuzz_csv.load_csv

    def counted(path, **kwargs):
        try:
            return load(path, **kwargs)
        except fuzz_csv.DataError as exc:
            messages[template(str(exc))] += 1
            raise

    fuzz_csv.load_csv = counted


def report(result: dict, n: int, seed_value: int) -> str:
    stats, failures, messages = result["stats"], result["failures"], result["messages"]
    seconds, slow_case = stats["slowest"]
    lines = [
        "# Fuzzing the data loader",
        "",
        f"`python benchmarks/fuzz_data.py {n} --seed {seed_value}`: {stats['tried']:,} cases "
        f"in {stats['seconds']:.0f} s ({stats['tried'] / stats['seconds']:.1f} cases/s).",
        "",
        "| outcome | cases |",
        "|---|---:|",
        f"| loaded (SeriesData) | {stats['ok']:,} |",
        f"| refused with a one-line DataError | {stats['error']:,} |",
        f"| failed (another exception, a bad message or a hang) | {stats['failed']:,} |",
        "",
        f"Slowest case: {seconds:.2f} s ({slow_case[0] if slow_case else '-'}, "
        f"{slow_case[1] if slow_case else 0:,} bytes).",
        "",
    ]
    if failures:
        lines += ["## Failures", ""]
        for (kind, where), info in failures.items():
            lines += [f"### {kind} at {where} ({info['count']} cases)", "", "```"]
            lines += [info["traceback"].rstrip(), f"case: {info['case']!r}", "```", ""]
    else:
        lines += ["No failures: every case loaded or raised a one-line DataError.", ""]
    lines += ["## Most common messages", "", "| cases | message (file, numbers, quotes blanked) |"]
    lines += ["|---:|---|"]
    for text, count in [m for m in messages.most_common() if m[1]][:25]:
        lines.append(f"| {count:,} | `{text[:160]}` |")
    lines += [
        "",
        "Machine:",
        "",
        f"- date: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC",
        f"- CPU: {platform.processor() or platform.machine()}, {os.cpu_count()} logical cores",
        f"- Python {platform.python_version()}, pandas {pd.__version__}",
        f"- load average (1, 5, 15 min) at the end: {', '.join(f'{x:.1f}' for x in os.getloadavg())}",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("cases", type=int, nargs="?", default=5000, help="cases to try")
    parser.add_argument("--seed", type=int, default=0, help="hypothesis seed (reproducible)")
    parser.add_argument("--output", type=Path, default=None, help="write the summary here")
    args = parser.parse_args(argv)
    result = run(args.cases, args.seed)
    text = report(result, args.cases, args.seed)
    print(text)
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text)
    return 1 if result["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
