"""Short histories, long horizons: how to combine when no validation can judge the network.

A series too short for its horizon (36 months ahead on 9 years of AirPassengers) has no
*purged* validation: its training windows run up to its first validation origin
(:func:`forecast.windowing.training_origins`), so the network is judged on values it was
trained on and no weight can be chosen on them. The protocol (:mod:`protocol`) has no such
case (its horizons leave room), so this script makes them: every series of one half of the
protocol whose season is at most 12 steps (arima's limit), forecast **twice the M4 horizon**
(yearly 12, quarterly 16, monthly 36) from at most **three horizons** of history, so that
validation overlaps training in every fold:

- the univariate series of ``../shared/data``: 3 folds each, their test windows one M4
  horizon apart;
- every ``--every``-th series of the tourism panel's half, fitted alone: the last fold;
- with ``--half holdout``, the held-out set's daily and quarterly series instead
  (:mod:`holdout`; the hourly ones have seasons beyond 12), 3 folds each: run once, after
  the rule was chosen and kept, as a third look.

Per fold it fits the default ``lstm`` with ``combine="none"`` (the network the default
combines: the network is trained the same either way) and statsforecast's ``AutoTheta`` and
``AutoARIMA`` on the same rows, and scores combinations of the three forecasts by their MAE
relative to seasonal naive's on the fold (relative MASE): ``nt`` is the plain mean of the
network and theta (the default before arima could join here), ``nta`` the plain mean of the
three (the default now, chosen on the tuning half), ``ta`` theta and arima without the
network.

Usage:
    python benchmarks/long_horizon.py --half tuning      # ~6 min on 2 busy cores
    python benchmarks/long_horizon.py --half reporting
    python benchmarks/long_horizon.py --half holdout     # ~5 min
    python benchmarks/long_horizon.py --render           # the report from the stored rows

Example:
    >>> fold_rows(n=144, horizon=36, step=18, folds=3)
    [(0, 72), (0, 90), (0, 108)]
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
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from protocol import DATA, PANEL, half, univariate_files, usual_horizon  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results"
ROWS, OUTPUT = RESULTS / "long_horizon_rows.csv", RESULTS / "long_horizon.md"
PARTS = ("net", "theta", "arima")
COMBINATIONS = {"nt": ("net", "theta"), "nta": PARTS, "ta": ("theta", "arima")}


def fold_rows(n: int, horizon: int, step: int, folds: int) -> list[tuple[int, int]]:
    """``(first, cut)`` training rows of each fold: at most three horizons before ``cut``,
    the test window ``cut .. cut + horizon - 1``; folds without two horizons are left out."""
    out = []
    for k in range(folds):
        cut = n - horizon - (folds - 1 - k) * step
        if cut >= 2 * horizon:
            out.append((max(0, cut - 3 * horizon), cut))
    return out


def score(name, dates, values, freq, season, folds, log) -> list[dict]:
    """The rows of one series: per fold, each forecast's MAE over seasonal naive's."""
    from statsforecast import StatsForecast
    from statsforecast.models import AutoARIMA, AutoTheta

    from forecast import Forecaster
    from forecast.metrics import mae
    from forecast.models.baselines import SeasonalNaive

    usual = usual_horizon(freq)
    horizon, rows = 2 * usual, []
    for k, (first, cut) in enumerate(fold_rows(len(values), 2 * usual, usual, folds)):
        y, ds, test = values[first:cut], dates[first:cut], values[cut : cut + horizon]
        t0 = time.perf_counter()
        fc = Forecaster(horizon=horizon, combine="none", seed=0)
        fc.fit(pd.DataFrame({"date": ds, "y": y}), time_col="date", target="y")
        seconds = time.perf_counter() - t0
        peers = StatsForecast(
            models=[AutoTheta(season_length=season), AutoARIMA(season_length=season)], freq=freq
        ).forecast(df=pd.DataFrame({"unique_id": name, "ds": ds, "y": y}), h=horizon)
        forecasts = {
            "net": fc.predict()["y"].to_numpy(),
            "theta": peers["AutoTheta"].to_numpy(),
            "arima": peers["AutoARIMA"].to_numpy(),
        }
        for combo, parts in COMBINATIONS.items():
            forecasts[combo] = np.mean([forecasts[p] for p in parts], axis=0)
        base = mae(test, SeasonalNaive.point(y[:, None], horizon, season)[:, 0])
        row = {"series": name, "fold": k, "rows": len(y), "horizon": horizon}
        row |= {"validation": fc.training_["validation"], "seconds": round(seconds, 1)}
        row |= {m: float(mae(test, f) / base) for m, f in forecasts.items()}
        rows.append(row)
        log(f"  {name} fold {k}: " + ", ".join(f"{m} {row[m]:.3f}" for m in forecasts))
    return rows


def run(which: str, every: int, log=print) -> pd.DataFrame:
    """Every row of one half (or of the held-out set)."""
    from forecast.frequency import season_length

    rows = []
    if which == "holdout":
        from holdout import SERIES, load

        for name, (stem, column) in SERIES:
            sd = load(stem, column)
            frame, season = sd.frames[None], season_length(sd.freq)
            if season <= 12:
                values = frame[column].to_numpy(dtype=float)
                rows += score(name, frame.index.to_numpy(), values, sd.freq, season, 3, log)
        return pd.DataFrame(rows).assign(half=which)
    files = univariate_files()
    stems = [p.stem for p in files]
    for path in files:
        if half(path.stem, stems) != which:
            continue
        frame = pd.read_csv(path, parse_dates=["date"])
        freq = pd.infer_freq(frame["date"])
        if (season := season_length(freq)) <= 12:
            values = frame.iloc[:, 1].to_numpy(dtype=float)
            rows += score(path.stem, frame["date"].to_numpy(), values, freq, season, 3, log)
    panel = pd.read_csv(DATA / PANEL, parse_dates=["date"])
    names = sorted(panel["series"].unique())
    for name in [s for s in names if half(s, names) == which][::every]:
        part = panel[panel["series"] == name]
        values = part.iloc[:, 2].to_numpy(dtype=float)
        rows += score(name, part["date"].to_numpy(), values, "QS", 4, 1, log)
    return pd.DataFrame(rows).assign(half=which)


def report(rows: pd.DataFrame) -> str:
    """The markdown report: geometric means of the relative MASE per half and set."""

    def geo(x):
        return float(np.exp(np.log(np.maximum(x, 1e-9)).mean()))

    models = [*PARTS, *COMBINATIONS]
    lines = [
        "# Short histories, long horizons: the combination without a purged validation",
        "",
        "Generated by `python benchmarks/long_horizon.py` (see its docstring). Twice the M4 "
        "horizon from at most three horizons of history; every fold's validation overlaps "
        "its training windows. Geometric mean of MAE / seasonal naive's MAE per fold. "
        "`nt`: mean of network and theta (the default before); `nta`: mean of the three "
        "(the default now, chosen on the tuning half); `ta`: theta and arima.",
        "",
        "| half | set | folds | " + " | ".join(models) + " | nta beats nt |",
        "|---|---|---:|" + "---:|" * len(models) + "---:|",
    ]
    for which, part in rows.groupby("half", sort=False):
        tourism = part["series"].str.contains(" / ")
        for label, sub in (
            ("univariate", part[~tourism]),
            ("tourism, alone", part[tourism]),
            ("all", part),
        ):
            if sub.empty or (label == "all" and not tourism.any()):
                continue
            cells = " | ".join(f"{geo(sub[m]):.3f}" for m in models)
            wins = int((sub["nta"] < sub["nt"]).sum())
            lines.append(f"| {which} | {label} | {len(sub)} | {cells} | {wins} of {len(sub)} |")
    kinds = ", ".join(f"{k}: {v}" for k, v in rows["validation"].value_counts().items())
    lines += ["", f"Validation of the folds: {kinds}.", ""]
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--half", choices=("tuning", "reporting", "holdout"))
    parser.add_argument("--every", type=int, default=6, help="every n-th tourism series")
    parser.add_argument("--render", action="store_true", help="rewrite the report only")
    args = parser.parse_args(argv)
    if not args.render:
        if not args.half:
            parser.error("--half is required unless --render")
        if not DATA.is_dir():
            print(f"skipped: {DATA} is absent (the shared data sets, see its MANIFEST.md)")
            return 0
        warnings.simplefilter("ignore")
        new = run(args.half, args.every)
        old = pd.read_csv(ROWS) if ROWS.exists() else new.iloc[:0]
        rows = pd.concat([old[old["half"] != args.half], new], ignore_index=True)
        order = {"tuning": 0, "reporting": 1, "holdout": 2}
        rows = rows.sort_values("half", key=lambda h: h.map(order), kind="stable")
        RESULTS.mkdir(parents=True, exist_ok=True)
        rows.to_csv(ROWS, index=False)
    text = report(pd.read_csv(ROWS))
    OUTPUT.write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
