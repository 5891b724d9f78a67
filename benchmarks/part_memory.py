"""Reading a panel whole or as one worker's part (issue #15): peak memory and time.

Sharded by series (``forecast fit --shard series``), worker *i* of *n* reads only its
series: ``load_data(path, part=(i, n))`` reads the id column whole, then only the rows of
its series (a CSV record by record, a Parquet file through a pyarrow filter), and validates
those. This benchmark writes a synthetic daily panel (the one of ``panel_scale.py``: levels
log-uniform 1 .. 1e5) as CSV and as Parquet, then in a fresh process per case (so that the
peak is that case's alone) reads it whole and as part 0 of ``--workers``, with the peak RSS
(``VmHWM`` of ``/proc/self/status``; Linux) after importing ``forecast.data`` and after the read, and the time.

Usage:
    python benchmarks/part_memory.py                       # 10,000 series x 500 days, 4 parts
    python benchmarks/part_memory.py --series 2000 --workers 2

Example:
    >>> row = {"format": "csv", "part": "0 of 4", "series": 5, "rows": 100, "seconds": 1.25,
    ...        "rss_import_mb": 100.0, "rss_peak_mb": 180.0}
    >>> table_row(row, whole={**row, "rss_peak_mb": 420.0})
    '| csv | 0 of 4 | 5 | 100 | 1.2 | 100 | 180 | 80 | 0.25 |'
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUTPUT = ROOT / "benchmarks" / "results" / "part_memory.md"

CHILD = """
import json, sys, time
sys.path.insert(0, {root!r})
def peak_mb():  # VmHWM: this process's peak RSS (ru_maxrss would include the parent's)
    with open("/proc/self/status") as status:
        return next(int(l.split()[1]) for l in status if l.startswith("VmHWM")) / 1024
from forecast.data import load_data
before = peak_mb()
start = time.perf_counter()
sd = load_data({path!r}, id_col="unique_id", part={part!r})
seconds = time.perf_counter() - start
peak = peak_mb()
print(json.dumps(dict(series=len(sd.frames), rows=sum(len(f) for f in sd.frames.values()),
                      seconds=seconds, rss_import_mb=before, rss_peak_mb=peak)))
"""


def measure(path: Path, part) -> dict:
    """One read in a fresh process: series, rows, seconds, RSS after import and peak (MB)."""
    code = CHILD.format(root=str(ROOT), path=str(path), part=part)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def table_row(row: dict, whole: dict) -> str:
    """One Markdown row; the last two columns: memory of the read above the imports, and
    that as a fraction of the whole read's."""
    added = row["rss_peak_mb"] - row["rss_import_mb"]
    whole_added = whole["rss_peak_mb"] - whole["rss_import_mb"]
    return (
        f"| {row['format']} | {row['part']} | {row['series']:,} | {row['rows']:,} | "
        f"{row['seconds']:.1f} | {row['rss_import_mb']:,.0f} | {row['rss_peak_mb']:,.0f} | "
        f"{added:,.0f} | {added / whole_added if whole_added > 0 else float('nan'):.2f} |"
    )


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--series", type=int, default=10_000)
    parser.add_argument("--steps", type=int, default=500)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from panel_scale import synthetic_panel

    started, load = time.time(), os.getloadavg()
    lines = []
    with tempfile.TemporaryDirectory() as tmp:
        frame = synthetic_panel(args.series, args.steps, seed=0)
        paths = {"csv": Path(tmp) / "panel.csv", "parquet": Path(tmp) / "panel.parquet"}
        frame.to_csv(paths["csv"], index=False)
        frame.to_parquet(paths["parquet"], index=False)
        sizes = {k: p.stat().st_size / 2**20 for k, p in paths.items()}
        del frame
        for fmt, path in paths.items():
            whole = {**measure(path, None), "format": fmt, "part": "whole"}
            part = {
                **measure(path, (0, args.workers)),
                "format": fmt,
                "part": f"0 of {args.workers}",
            }
            for row in (whole, part):
                lines.append(table_row(row, whole))
                print(lines[-1], flush=True)
    text = "\n".join(
        [
            "# Reading a panel whole or as one worker's part (`load_data(part=...)`)",
            "",
            f"- date: {time.strftime('%Y-%m-%d %H:%M', time.localtime(started))}; "
            f"total {time.time() - started:.0f} s",
            f"- machine: {platform.machine()}, {os.cpu_count()} cores, shared; Python "
            f"{platform.python_version()}; load average before: "
            + ", ".join(f"{x:.2f}" for x in load),
            f"- data: {args.series:,} synthetic daily series x {args.steps} days (long format "
            f"`unique_id, ds, y`); CSV {sizes['csv']:.0f} MB, Parquet {sizes['parquet']:.0f} MB",
            "- each read in a fresh process; RSS in MB (peak: `VmHWM`); 'read MB' = peak minus "
            "the RSS after importing `forecast.data`; 'of whole' = that over the whole read's",
            "",
            "| format | read | series | rows | seconds | RSS after import | peak RSS | read MB "
            "| of whole |",
            "|---|---|---:|---:|---:|---:|---:|---:|---:|",
            *lines,
            "",
        ]
    )
    args.output.write_text(text)
    print(f"written to {args.output}")


if __name__ == "__main__":
    main()
