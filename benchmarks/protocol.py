"""Accuracy protocol: our models against statsforecast's peers, on every series, two halves.

The series: every univariate CSV of ``../shared/data`` (relative to the project root: the
files with one value column) and the tourism panel (``tourism_quarterly_long.csv``, 304
quarterly series). Each series is backtested by rolling origin (:func:`forecast.evaluation.backtest`):
3 folds whose test windows tile its end, with the frequency's usual horizon (the M4
competition's: yearly 6, quarterly 8, monthly 18, weekly 13, daily 14, hourly 48; half-hourly
48, one day), on the last 520 weeks or 1008 sub-daily rows at most before each fold.
Every model runs through :class:`forecast.Forecaster` on exactly the same folds:
``seasonal-naive``, ``ets``, ``theta``, ``arima`` (statsforecast's AutoETS, AutoTheta and
AutoARIMA; AutoARIMA only where the season is at most 12 steps: at 24 it took 138 s per fit
on 1000 hourly rows, at 48 more than 10 minutes) and, with ``--lstm``, the default ``lstm``
(``--set units=32`` … tries a variant, reported as ``lstm[units=32]``).

Coverage: the share of held-out values inside the model's 80 % interval, per data set
(each univariate series; the tourism panel as one), and its mean over the data sets.

Runs can be combined: every run stores its per-fold rows in ``--rows`` (default
``benchmarks/results/protocol_rows.csv``, replacing the rows of the models it ran), and
the report is written from all stored rows; ``--models`` runs a subset, ``--half`` only
the series of one half (the panel is then fitted on that half's series alone).

Scores: MASE per series and fold (the fold's MAE over the in-sample seasonal naive MAE of
its training part); each model's **relative MASE** = its MASE / seasonal naive's on the same
fold, summarised by the geometric mean over series × folds and the count of folds it wins;
for the tourism panel also the mean MASE. statsforecast's own ``StatsForecast.forecast`` runs
on the same training parts, for its fit time and to check that our forecasts equal its own
(clipped at 0 where the training part never went below 0, as ours are).

The series are split by a fixed rule into a **tuning half** and a **reporting half**: sort
the names (univariate set and tourism panel apart; a tourism region's series as one), the
1st, 3rd, 5th … are tuning, the 2nd, 4th … reporting (see :func:`half`). Decisions (defaults, model choices) may look at the tuning half only;
the reporting half is the honest figure.

Usage:
    python benchmarks/protocol.py                  # everything (~30 min on 2 busy cores)
    python benchmarks/protocol.py --quick          # 1 fold, 24 tourism series
    python benchmarks/protocol.py --lstm           # adds the default lstm
    python benchmarks/protocol.py --models lstm --half tuning --set units=32
    python benchmarks/protocol.py --render         # the report from the stored rows

Example:
    >>> usual_horizon("MS"), usual_horizon("QS-JAN"), usual_horizon("30min")
    (18, 8, 48)
    >>> half("b", ["a", "b", "c"])
    'reporting'
    >>> names = ["A / x / Holiday", "A / x / Other", "B / y / Holiday"]
    >>> half("A / x / Other", names), half("B / y / Holiday", names)
    ('tuning', 'reporting')
"""

from __future__ import annotations

import argparse
import dataclasses
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

from forecast.evaluation import backtest, fold_scales, rolling_origin_splits  # noqa: E402
from forecast.frequency import season_length  # noqa: E402

sys.path.insert(0, str(ROOT / "benchmarks"))
from protocol_report import report  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
OUTPUT = ROOT / "benchmarks" / "results" / "protocol.md"
ROWS = ROOT / "benchmarks" / "results" / "protocol_rows.csv"
PANEL = "tourism_quarterly_long.csv"
MODELS = ("seasonal-naive", "ets", "theta", "arima")
PEERS = {"ets": "AutoETS", "theta": "AutoTheta", "arima": "AutoARIMA"}
LSTM: dict = {}  # the default lstm; ``--set name=value`` tries a variant
FOLDS = 3
ARIMA_MAX_SEASON = 12


def usual_horizon(freq: str) -> int:
    """The M4 competition's horizon for a pandas frequency (half-hourly: one day)."""
    base = pd.tseries.frequencies.to_offset(freq).name.split("-")[0]
    for prefix, horizon in (("Y", 6), ("A", 6), ("Q", 8), ("M", 18), ("W", 13), ("D", 14)):
        if base.startswith(prefix):
            return horizon
    return 48  # hourly and finer


def max_train(freq: str) -> int | None:
    """Training rows kept before each fold: 520 weeks, 1008 sub-daily rows, else all."""
    base = pd.tseries.frequencies.to_offset(freq).name.split("-")[0]
    if base.startswith("W"):
        return 520
    return 1008 if base in ("h", "min", "s") or base.endswith(("h", "min")) else None


def half(name: str, names) -> str:
    """``tuning`` for the 1st, 3rd … of the sorted groups of names, ``reporting`` for the
    others; a group is the name up to its last ``" / "`` (a tourism series' region: its four
    purposes stay together), else the name itself.

    Dealing the names one by one put every Business and Other series of the tourism panel
    into the tuning half and every Holiday and Visiting series into the reporting half
    (sorted, a region's purposes alternate), so the halves differed in kind: the Holiday
    series are far more seasonal. By region, each half has every purpose.
    """
    groups = sorted({_group(n) for n in names})
    return "tuning" if groups.index(_group(name)) % 2 == 0 else "reporting"


def _group(name: str) -> str:
    return name.rsplit(" / ", 1)[0]


# --------------------------------------------------------------------------- data


def univariate_files(data=DATA) -> list[Path]:
    """The CSVs of ``data`` with one value column besides ``date`` (the panel aside)."""
    files = []
    for path in sorted(data.glob("*.csv")):
        columns = pd.read_csv(path, nrows=0).columns
        if path.name != PANEL and len(columns) == 2 and columns[0] == "date":
            files.append(path)
    return files


def load_series(path: Path):
    from forecast.data import validate_frame

    df = pd.read_csv(path, parse_dates=["date"])
    return validate_frame(df, time_col="date", source=path.name)


def load_panel(path: Path, limit=None):
    from forecast.data import validate_frame

    df = pd.read_csv(path, parse_dates=["date"])
    if limit:
        df = df[df["series"].isin(sorted(df["series"].unique())[:limit])]
    return validate_frame(df, time_col="date", id_col="series", source=path.name)


# --------------------------------------------------------------------------- running


def run_models(name, sd, models, *, folds, overrides, log):
    """Backtests each model on the same folds; per-fold MASE rows, seconds, our forecasts."""
    from forecast import Forecaster

    h, m, cap = usual_horizon(sd.freq), season_length(sd.freq), max_train(sd.freq)
    folds_args = dict(horizon=h, n_splits=folds, max_train_size=cap)
    scales = fold_scales(sd, season=m, **folds_args)
    keys = ["series", "target", "cutoff"]
    if sd.id_col is None:
        scales = scales.assign(series=name)
    else:
        scales = scales.rename(columns={sd.id_col: "series"})
    scales = scales.set_index(keys)["scale"]
    rows, seconds, tables = [], {}, {}
    for label in models:
        model = label.split("[")[0]
        if model == "arima" and m > ARIMA_MAX_SEASON:
            log(f"    {model:15s} not run (season {m} > {ARIMA_MAX_SEASON})")
            continue
        params = {"model": model, "horizon": h, "seed": 0}
        params |= overrides if model == "lstm" else {}
        t0 = time.perf_counter()
        table = backtest(sd, Forecaster(**params), **folds_args)
        model = label
        seconds[model] = time.perf_counter() - t0
        table = table.rename(columns={sd.id_col: "series"}) if sd.id_col else table
        table = table.assign(series=name) if sd.id_col is None else table
        tables[model] = table
        groups = [table[k] for k in keys]
        mae = (table["forecast"] - table["actual"]).abs().groupby(groups).mean()
        inside = (table["actual"] >= table["lower"]) & (table["actual"] <= table["upper"])
        cover = inside.groupby(groups).mean().reindex(mae.index)
        mase = (mae / scales.reindex(mae.index)).rename("mase").reset_index()
        rows.append(
            mase.assign(
                model=model, mae=mae.to_numpy(), coverage=100 * cover.to_numpy(), seconds=0.0
            )
        )
        log(f"    {model:15s} MASE {mase['mase'].mean():.3f}  ({seconds[model]:.1f} s)")
    rows = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=[*keys, "mase"])
    return rows, seconds, tables


def run_statsforecast(name, sd, tables, *, folds, log):
    """statsforecast's own forecast on the same training parts: seconds and max difference."""
    from statsforecast import StatsForecast
    from statsforecast import models as sf

    h, m, cap = usual_horizon(sd.freq), season_length(sd.freq), max_train(sd.freq)
    target = sd.targets[0]
    parts = {k: [] for k in range(folds)}
    never_below_zero = {k: {} for k in range(folds)}  # ours are clipped at 0 there
    for key, frame in sd.frames.items():
        splits = rolling_origin_splits(len(frame), horizon=h, n_splits=folds, max_train_size=cap)
        for k, (train, _) in enumerate(splits):
            part = frame.iloc[train]
            uid = name if key is None else key
            parts[k].append(pd.DataFrame({"unique_id": uid, "ds": part.index, "y": part[target]}))
            never_below_zero[k][uid] = bool((part[target] >= 0).all())
    seconds, diff = {}, {}
    for model, table in tables.items():
        if model not in PEERS:
            continue
        cls, t0, theirs = getattr(sf, PEERS[model]), time.perf_counter(), []
        for k in range(folds):
            sfc = StatsForecast(models=[cls(season_length=m)], freq=sd.freq, n_jobs=1)
            out = sfc.forecast(df=pd.concat(parts[k]), h=h)
            clip = out["unique_id"].map(never_below_zero[k]).to_numpy(dtype=bool)
            out[PEERS[model]] = np.where(clip, out[PEERS[model]].clip(lower=0), out[PEERS[model]])
            theirs.append(out)
        seconds[model] = time.perf_counter() - t0
        theirs = pd.concat(theirs).rename(columns={"unique_id": "series", "ds": "time"})
        both = table.merge(theirs, on=["series", "time"])
        rel = (both["forecast"] - both[PEERS[model]]).abs() / both[PEERS[model]].abs().clip(1e-9)
        diff[model] = (float(rel.max()), len(both), len(table))
        log(f"    statsforecast {model:6s} {seconds[model]:.1f} s, max rel. diff {rel.max():.1e}")
    return seconds, diff


# --------------------------------------------------------------------------- halves


def halves(rows: pd.DataFrame) -> pd.Series:
    """The half of every row's series, by the rule over the whole set's names."""
    names = {"univariate": [p.stem for p in univariate_files()]}
    if (DATA / PANEL).is_file():
        names["tourism"] = list(pd.read_csv(DATA / PANEL, usecols=["series"])["series"].unique())
    lookup = {
        (group, n): half(n, all_names) for group, all_names in names.items() for n in all_names
    }
    return pd.Series(
        [lookup.get((g, str(n))) for g, n in zip(rows["group"], rows["series"], strict=True)],
        index=rows.index,
    )


# --------------------------------------------------------------------------- main


def parse_set(items) -> dict:
    """``["units=32", "learning_rate=0.003"]`` → ``{"units": 32, "learning_rate": 0.003}``."""
    out = {}
    for item in items:
        name, _, value = item.partition("=")
        for kind in (int, float):
            try:
                out[name] = kind(value)
                break
            except ValueError:
                continue
        else:
            out[name] = {"True": True, "False": False}.get(value, value)
    return out


def store(path: Path, new: pd.DataFrame, keys) -> pd.DataFrame:
    """``new`` rows merged into the CSV at ``path``: rows with the same ``keys`` replaced."""

    def same_cutoffs(frame):  # one text per timestamp, however it was written
        if "cutoff" not in frame:
            return frame
        cutoff = pd.to_datetime(frame["cutoff"], format="mixed")
        return frame.assign(cutoff=cutoff.dt.strftime("%Y-%m-%d %H:%M:%S"))

    new = same_cutoffs(new)
    if path.is_file():
        old = same_cutoffs(pd.read_csv(path))
        old_keys = old[keys].astype(str).apply(tuple, axis=1)
        new_keys = set(new[keys].astype(str).apply(tuple, axis=1))
        new = pd.concat([old[~old_keys.isin(new_keys)], new], ignore_index=True)
        new = new.drop_duplicates(keys, keep="last")  # rows stored before the cutoff fix
    path.parent.mkdir(parents=True, exist_ok=True)
    new.to_csv(path, index=False)
    return pd.read_csv(path)  # one dtype per column, old rows and new


def times_path(rows: Path) -> Path:
    """Where the per-model times of the rows file ``rows`` are stored.

    Example:
        >>> times_path(Path("r/protocol_rows.csv")).name, times_path(Path("r/x.csv")).name
        ('protocol_times.csv', 'x_times.csv')
    """
    stem = rows.stem.replace("rows", "times") if "rows" in rows.stem else f"{rows.stem}_times"
    return rows.with_name(f"{stem}.csv")


def render(rows_path: Path, output: Path):
    """Rewrites the report from the stored rows alone (no model is run)."""
    rows, timing = pd.read_csv(rows_path), pd.read_csv(times_path(rows_path))
    rows = rows.assign(half=halves(rows))
    output.write_text(report(rows, timing, 0.0, ["--render"], first=MODELS))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="1 fold, 24 tourism series")
    parser.add_argument("--lstm", action="store_true", help="add the default lstm")
    parser.add_argument("--models", help="comma-separated models to run (default: all)")
    parser.add_argument("--set", nargs="*", default=[], help="lstm variant: name=value ...")
    parser.add_argument("--half", choices=("tuning", "reporting"), help="only this half")
    parser.add_argument("--no-panel", action="store_true", help="skip the tourism panel")
    parser.add_argument("--no-univariate", action="store_true", help="only the panel")
    parser.add_argument("--output", type=Path, default=OUTPUT, help=f"default {OUTPUT}")
    parser.add_argument("--rows", type=Path, default=ROWS, help=f"default {ROWS}")
    parser.add_argument("--render", action="store_true", help="rewrite the report only")
    args = parser.parse_args(argv)
    if args.render:
        render(args.rows, args.output)
        return 0
    if not DATA.is_dir():
        print(f"skipped: {DATA} is absent (the shared data sets, see its MANIFEST.md)")
        return 0
    warnings.simplefilter("ignore")
    overrides = {**LSTM, **parse_set(args.set)}
    lstm = "lstm" + (
        "[" + ",".join(f"{k}={v}" for k, v in overrides.items()) + "]" if overrides else ""
    )
    models = MODELS + ("lstm",) if args.lstm else MODELS
    if args.models:
        models = tuple(args.models.split(","))
    models = tuple(lstm if m == "lstm" else m for m in models)
    folds = 1 if args.quick else FOLDS
    t0, runs, times = time.perf_counter(), [], []
    sets = {}
    if not args.no_univariate:
        files = univariate_files()
        names = [p.stem for p in files]
        sets["univariate"] = [
            (p.stem, load_series(p))
            for p in files
            if args.half is None or half(p.stem, names) == args.half
        ]
    if not args.no_panel:
        sd = load_panel(DATA / PANEL, 24 if args.quick else None)
        if args.half:
            names = [str(k) for k in sd.frames]
            sd = dataclasses.replace(
                sd, frames={k: f for k, f in sd.frames.items() if half(str(k), names) == args.half}
            )
        sets["tourism"] = [("tourism", sd)]
    for group, datasets in sets.items():
        for name, sd in datasets:
            print(f"{name}: {len(sd.frames)} series, {sd.freq}, h {usual_horizon(sd.freq)}")
            rows, secs, tables = run_models(
                name, sd, models, folds=folds, overrides=overrides, log=print
            )
            sf_secs, diff = run_statsforecast(name, sd, tables, folds=folds, log=print)
            runs.append(
                rows.assign(group=group, dataset=name, freq=sd.freq, h=usual_horizon(sd.freq))
            )
            for model, sec in secs.items():
                d = diff.get(model)
                times.append(
                    {
                        "group": group, "dataset": name, "model": model, "series": len(sd.frames),
                        "ours_s": sec, "statsforecast_s": sf_secs.get(model, np.nan),
                        "max_rel_diff": np.nan if d is None else d[0],
                        "compared": 0 if d is None else d[1], "values": 0 if d is None else d[2],
                    }
                )  # fmt: skip
    rows = store(args.rows, pd.concat(runs, ignore_index=True), ["model", "series", "cutoff"])
    timing = store(
        times_path(args.rows), pd.DataFrame(times), ["group", "dataset", "model", "series"]
    )
    rows = rows.assign(half=halves(rows))
    text = report(rows, timing, time.perf_counter() - t0, argv or sys.argv[1:], first=MODELS)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text)
    print(text)
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
