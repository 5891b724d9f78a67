"""A third set, held out from every decision: the value columns of the multi-column files.

The protocol (:mod:`protocol`) tunes on its tuning half and reports on its reporting half,
but both halves were looked at many times over the rounds. This set was not: its series
were fixed here, before its first run, and no default is to be chosen on it. It is also
the protocol's only daily data. The series (each column forecast alone, univariate):

- ``seattle_weather_daily``: ``temp_max_c``, ``wind_ms``, ``precipitation_mm`` (daily);
- ``us_macro_quarterly``: ``realgdp``, ``realinv``, ``cpi``, ``unemp``, ``tbilrate``;
- ``melbourne_pedestrians_hourly``: its four counting sites (hourly, with gaps);
- ``beijing_pm25_hourly``: ``pm25`` (hourly, with gaps);
- ``vic_elec_halfhourly``: ``demand``.

(``bikeshare_dc_hourly`` is left out: its rentals were an early benchmark series.)

Method: the protocol's own (rolling origin, 3 folds, the M4 horizons, at most 520 weeks or
1008 sub-daily rows before a fold, relative MASE to seasonal naive on the same fold, the
80 % interval's coverage), for the default ``lstm`` and statsforecast's peers through
:class:`forecast.Forecaster`. Leading and trailing missing values of a column are dropped;
the gaps inside are interpolated as ``forecast fit`` does by default (the held-out values
of a fold are then partly interpolated too). That our statistical forecasts equal
statsforecast's own is the protocol's check, not repeated here.

Usage:
    python benchmarks/holdout.py                 # ~15 min on 2 busy cores
    python benchmarks/holdout.py --models lstm   # re-runs lstm, keeps the others' stored rows
    python benchmarks/holdout.py --render        # the report from the stored rows

Example:
    >>> [name for name, _ in SERIES][:2]
    ['seattle_weather_daily/temp_max_c', 'seattle_weather_daily/wind_ms']
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from protocol import DATA, FOLDS, MODELS, run_models, usual_horizon  # noqa: E402

OUTPUT = ROOT / "benchmarks" / "results" / "holdout.md"
ROWS = ROOT / "benchmarks" / "results" / "holdout_rows.csv"
FILES = {
    "seattle_weather_daily": ("temp_max_c", "wind_ms", "precipitation_mm"),
    "us_macro_quarterly": ("realgdp", "realinv", "cpi", "unemp", "tbilrate"),
    "melbourne_pedestrians_hourly": (
        "birrarung_marr",
        "bourke_st_mall_north",
        "qv_market_elizabeth_st_west",
        "southern_cross_station",
    ),
    "beijing_pm25_hourly": ("pm25",),
    "vic_elec_halfhourly": ("demand",),
}
SERIES = [(f"{stem}/{column}", (stem, column)) for stem, cols in FILES.items() for column in cols]


def load(stem: str, column: str):
    """One column of ``stem``'s CSV as a validated univariate series."""
    from forecast.data import validate_frame

    df = pd.read_csv(DATA / f"{stem}.csv", usecols=["date", column], parse_dates=["date"])
    known = df[column].notna().to_numpy()
    first, last = known.argmax(), len(known) - known[::-1].argmax()
    return validate_frame(df.iloc[first:last], time_col="date", target=column, source=stem)


def summary(rows: pd.DataFrame) -> str:
    """The report: per series the relative MASE of every model, then the summary per model.

    Example:
        >>> rows = pd.DataFrame({"series": ["a"] * 4, "cutoff": [1, 2, 1, 2],
        ...     "model": ["seasonal-naive"] * 2 + ["lstm"] * 2, "mase": [2.0, 1.0, 1.0, 1.0],
        ...     "coverage": [100.0, 50.0, 75.0, 75.0], "freq": "D", "h": 14})
        >>> print(summary(rows).splitlines()[2])
        | a | D | 14 | 1.000 | **0.707** |
        >>> print(summary(rows).splitlines()[-1])
        | lstm | 0.707 | 1 / 2 | – | 75.0 %; 75.0 % |
    """
    keys = ["series", "cutoff"]
    base = rows[rows["model"] == "seasonal-naive"].set_index(keys)["mase"]
    rel = rows.set_index(keys).assign(rel=lambda t: t["mase"] / base.reindex(t.index))
    models = [m for m in [*MODELS, "lstm"] if m in set(rows["model"])]
    by_series = rel.groupby(["series", "model"])["rel"].apply(lambda r: np.exp(np.log(r).mean()))
    cover = rel.groupby(["series", "model"])["coverage"].mean()
    lines = [
        "| series | freq | h | " + " | ".join(models) + " |",
        "|---|---|---:|" + "---:|" * len(models),
    ]
    for series, part in rows.groupby("series", sort=False):
        cells = [by_series.get((series, m), np.nan) for m in models]
        best = np.nanmin(cells)
        text = [("**%.3f**" if c == best else "%.3f") % c if np.isfinite(c) else "–" for c in cells]
        freq, h = part["freq"].iloc[0], part["h"].iloc[0]
        lines.append(f"| {series} | {freq} | {h} | " + " | ".join(text) + " |")
    lines += [
        "",
        "| model | geo. mean rel. MASE | folds beating seasonal naive | series beaten by "
        "the lstm | 80 % coverage (mean; lowest series) |",
        "|---|---:|---:|---:|---|",
    ]
    lstm = by_series.xs("lstm", level="model") if "lstm" in models else None
    for m in models:
        r = rel[rel["model"] == m]["rel"].dropna()
        wins = f"{int((r < 1).sum())} / {len(r)}" if m != "seasonal-naive" else "(reference)"
        mine = by_series.xs(m, level="model")
        beaten = "–"
        if lstm is not None and m != "lstm":
            both = pd.concat([lstm, mine], axis=1, join="inner").dropna()
            beaten = f"{int((both.iloc[:, 0] < both.iloc[:, 1]).sum())} / {len(both)}"
        c = cover.xs(m, level="model")
        lines.append(
            f"| {m} | {np.exp(np.log(r).mean()):.3f} | {wins} | {beaten} | "
            f"{c.mean():.1f} %; {c.min():.1f} % |"
        )
    return "\n".join(lines)


def report(rows: pd.DataFrame, how: str, times: str) -> str:
    """The Markdown report of ``rows``; ``how``: the run's options; ``times``: its length."""
    return (
        "# Held-out set: series no default was chosen on\n\n"
        f"Generated by `python benchmarks/holdout.py{how}` on {os.uname().machine} "
        f"({os.cpu_count()} cores, shared); seed 0. Method: see the script's docstring.{times}"
        "\n\nRelative MASE (to seasonal naive on the same fold; geometric mean over the 3 "
        "folds; below 1 beats it), bold the best per series:\n\n" + summary(rows) + "\n"
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--output", type=Path, default=OUTPUT, help=f"default {OUTPUT}")
    parser.add_argument("--rows", type=Path, default=ROWS, help=f"default {ROWS}")
    parser.add_argument("--models", help="comma-separated models to re-run (default: all)")
    parser.add_argument("--render", action="store_true", help="rewrite the report only")
    args = parser.parse_args(argv)
    if args.render:
        text = report(pd.read_csv(args.rows), " --render", " Rendered from the stored rows.")
        args.output.write_text(text)
        print(text)
        return 0
    every = (*MODELS, "lstm")
    chosen = tuple(args.models.split(",")) if args.models else every
    if not set(chosen) <= set(every):
        parser.error(f"--models: choose among {', '.join(every)}")
    if not DATA.is_dir():
        print(f"skipped: {DATA} is absent (the shared data sets, see its MANIFEST.md)")
        return 0
    warnings.simplefilter("ignore")
    t0, runs, seconds = time.perf_counter(), [], {}
    for name, (stem, column) in SERIES:
        sd = load(stem, column)
        h = usual_horizon(sd.freq)
        print(f"{name}: {len(sd.frames[None])} rows, {sd.freq}, h {h}", flush=True)
        rows, secs, _ = run_models(name, sd, chosen, folds=FOLDS, overrides={}, log=print)
        runs.append(rows.assign(freq=sd.freq, h=h))
        for model, sec in secs.items():
            seconds[model] = seconds.get(model, 0.0) + sec
    rows = pd.concat(runs, ignore_index=True)
    rows["cutoff"] = rows["cutoff"].astype(str)  # as stored: the kept rows' cutoffs match
    if chosen != every:  # the other models' rows as stored
        kept = pd.read_csv(args.rows)
        rows = pd.concat([kept[~kept["model"].isin(chosen)], rows], ignore_index=True)
    args.rows.parent.mkdir(parents=True, exist_ok=True)
    rows.to_csv(args.rows, index=False)
    minutes = (time.perf_counter() - t0) / 60
    times = ", ".join(f"{m} {s:.0f} s" for m, s in seconds.items())
    run = f" --models {args.models}" if args.models else ""
    text = report(rows, run, f" Run in {minutes:.1f} min; time per model run: {times}.")
    args.output.write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
