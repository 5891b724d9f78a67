"""Accuracy benchmark: the LSTM against the baselines on real series, by rolling-origin backtest.

Every model goes through :func:`forecast.evaluation.evaluate` on the same folds of the series
in ``benchmarks/data/`` (sources and licences in its README), with fixed seeds, and the
results are written as a Markdown report (default ``benchmarks/results/accuracy.md``):
MASE, sMAPE and interval coverage per series and model, then the published single splits
(AirPassengers trained to 1957-12 and forecast 36 months; FPP2's ausbeer split) next to the
figures published for them.

Usage:
    python benchmarks/accuracy.py                      # everything (slow on a laptop CPU)
    python benchmarks/accuracy.py --quick              # a sanity run: 1 fold, few epochs
    python benchmarks/accuracy.py --models naive,seasonal-naive,drift --series nile,lynx
    python benchmarks/accuracy.py --output /tmp/accuracy.md

Example:
    >>> SERIES["airpassengers"].freq, SERIES["airpassengers"].horizon
    ('MS', 12)
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import platform
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from forecast.evaluation import evaluate  # noqa: E402

DATA = ROOT / "benchmarks" / "data"
OUTPUT = ROOT / "benchmarks" / "results" / "accuracy.md"
MODELS = ("lstm", "lstm-ar", "naive", "seasonal-naive", "drift")
SEED = 0


@dataclasses.dataclass(frozen=True)
class Series:
    """One benchmark series and its rolling-origin folds."""

    file: str
    target: str
    freq: str
    horizon: int
    folds: int = 3
    max_train_size: int | None = None


@dataclasses.dataclass(frozen=True)
class Split:
    """A single train/test split with published figures: ``{method: {metric: value}}``."""

    series: str
    horizon: int
    start: str | None
    description: str
    published: dict
    source: str


SERIES = {
    "airpassengers": Series("airpassengers_monthly.csv", "passengers", "MS", 12),
    "wineind": Series("wineind_monthly.csv", "wine_litres", "MS", 12),
    "ausbeer": Series("ausbeer_quarterly.csv", "beer_megalitres", "QS", 8),
    "co2": Series("co2_maunaloa_weekly.csv", "co2_ppm", "W-SAT", 13, max_train_size=520),
    "sunspots": Series("sunspots_yearly.csv", "sunspots", "YS", 10),
    "nile": Series("nile_yearly.csv", "flow", "YS", 5),
    "lynx": Series("lynx_yearly.csv", "lynx_trappings", "YS", 10),
    "electricity": Series(
        "electricity321_mean_hourly_last2000.csv", "mean_load_kw", "h", 24, max_train_size=1000
    ),
    "bikeshare": Series(
        "bikeshare_dc_hourly_last2000.csv", "rentals", "h", 24, max_train_size=1000
    ),
    "taylor": Series(
        "taylor_halfhourly_last2016.csv", "demand_mw", "30min", 48, max_train_size=1008
    ),
}

SPLITS = {
    "airpassengers 1958-1960": Split(
        series="airpassengers",
        horizon=36,
        start=None,
        description="train 1949-01 .. 1957-12 (108 months), forecast 1958-01 .. 1960-12 (36)",
        published={
            "seasonal naive": {"mape": 13.19, "mase": 1.965},
            "AutoETS": {"mape": 6.19},
            "Holt-Winters": {"mape": 5.11},
            "ARIMA(1,1,0)(0,1,0)12": {"mape": 4.36},
            "AutoARIMA": {"mape": 4.15},
        },
        source="figures as quoted in the project's issue 7 (the seasonal naive row is "
        "reproduced exactly below, which pins the split)",
    ),
    "ausbeer FPP2 3.4": Split(
        series="ausbeer",
        horizon=10,
        start="1992-01-01",
        description="train 1992Q1 .. 2007Q4 (64 quarters), forecast 2008Q1 .. 2010Q2 (10)",
        published={
            "mean": {"rmse": 38.45, "mae": 34.83, "mape": 8.28, "mase": 2.44},
            "naive": {"rmse": 62.69, "mae": 57.40, "mape": 14.18, "mase": 4.01},
            "seasonal naive": {"rmse": 14.31, "mae": 13.40, "mape": 3.17, "mase": 0.94},
        },
        source="Hyndman & Athanasopoulos, Forecasting: Principles and Practice (2nd ed.), "
        "section 3.4, otexts.com/fpp2/accuracy.html",
    ),
}

# --------------------------------------------------------------------------- running


def load(name, start=None):
    """The series ``name`` as :class:`forecast.data.SeriesData` (from ``start`` if given).

    Example:
        >>> len(load("nile").frames[None])
        100
    """
    from forecast.data import validate_frame

    spec = SERIES[name]
    df = pd.read_csv(DATA / spec.file, parse_dates=["date"])
    if start is not None:
        df = df[df["date"] >= start]
    return validate_frame(df, time_col="date", target=spec.target, freq=spec.freq, source=spec.file)


def make_models(names, horizon, overrides):
    """``{name: estimator}``: seeded, unfitted :class:`forecast.Forecaster` objects.

    Example:
        >>> make_models(["naive"], 3, {})["naive"].horizon
        3
    """
    from forecast import models
    from forecast.forecaster import Forecaster

    def estimator(model):
        params = {"model": model, "horizon": horizon, "seed": SEED}
        if models.get(model).needs_tensorflow:
            params |= overrides
        return Forecaster(**params)

    return {name: estimator(name) for name in names}


def run_one(data, models, *, horizon, folds, max_train_size=None, log=print):
    """Backtests each model alone (a failure costs only that model); summary + seconds.

    Returns:
        ``(summary, seconds, errors)``: the summary rows of the models that ran, wall
        seconds per model, and ``{model: message}`` for the models that failed.
    """
    rows, seconds, errors = [], {}, {}
    for name, estimator in models.items():
        t0 = time.perf_counter()
        try:
            _, summary = evaluate(
                data,
                {name: estimator},
                horizon=horizon,
                n_splits=folds,
                max_train_size=max_train_size,
                level=80,
            )
        except Exception as exc:  # a benchmark records the failure and goes on
            errors[name] = str(exc).splitlines()[0]
            log(f"    {name:15s} failed: {errors[name]}")
            continue
        seconds[name] = time.perf_counter() - t0
        rows.append(summary)
        r = summary.iloc[0]
        log(
            f"    {name:15s} MASE {r['mase']:.3f}  sMAPE {r['smape']:.2f}  "
            f"coverage {r['coverage']:.0f}%  ({seconds[name]:.1f} s)"
        )
    summary = pd.concat(rows) if rows else pd.DataFrame()
    return summary, seconds, errors


# --------------------------------------------------------------------------- report


def _fmt(value, digits):
    """A number for a Markdown cell (``–`` for missing)."""
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return "–"
    return f"{value:.{digits}f}"


def _matrix(results, metric, models, digits):
    """Markdown table: one row per series, one column per model, of one metric."""
    lines = ["| series | " + " | ".join(models) + " |", "|---" * (len(models) + 1) + "|"]
    for series, (summary, _, errors) in results.items():
        cells = []
        for model in models:
            if model in errors:
                cells.append("failed")
            elif model in summary.index:
                cells.append(_fmt(float(summary.loc[model, metric]), digits))
            else:
                cells.append("–")
        best = _best(summary, metric, models)
        cells = [f"**{c}**" if m in best else c for m, c in zip(models, cells, strict=True)]
        lines.append(f"| {series} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _best(summary, metric, models):
    """The models with the lowest error (coverage: closest to 80 %), ties included."""
    present = [m for m in models if m in summary.index]
    if not present or metric not in summary.columns:
        return set()
    values = summary.loc[present, metric].astype(float)
    if metric == "coverage":
        values = (values - 80.0).abs()
    values = values.dropna()
    return set(values.index[np.isclose(values, values.min(), rtol=1e-9, atol=0)])


def _split_table(split, summary, errors):
    """Markdown table of one published split: our models, then the published methods."""
    cols = ("mae", "rmse", "mape", "mase", "coverage")
    lines = ["| method | MAE | RMSE | MAPE % | MASE | coverage % |", "|---|---|---|---|---|---|"]
    for model in summary.index:
        r = summary.loc[model]
        cells = [_fmt(float(r[c]), 2 if c != "mase" else 3) for c in cols]
        lines.append(f"| {model} (ours) | " + " | ".join(cells) + " |")
    for model, message in errors.items():
        lines.append(f"| {model} (ours) | failed: {message} | | | | |")
    for method, figures in split.published.items():
        cells = [str(figures[c]) if c in figures else "–" for c in cols]
        lines.append(f"| {method} (published) | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def report(results, split_results, *, models, args, elapsed):
    """The Markdown report as a string."""
    from importlib.metadata import version

    specs = "\n".join(
        f"| {name} | `{SERIES[name].file}` | {SERIES[name].freq} | {SERIES[name].horizon} | "
        f"{args.folds or SERIES[name].folds} | {SERIES[name].max_train_size or 'all'} |"
        for name in results
    )
    parts = [
        "# Accuracy benchmark",
        "",
        f"Generated by `python benchmarks/accuracy.py {' '.join(sys.argv[1:])}` in "
        f"{elapsed / 60:.1f} min on {platform.processor() or platform.machine()} "
        f"({os.cpu_count()} cores), Python {platform.python_version()}, TensorFlow "
        f"{version('tensorflow')}, Keras {version('keras')}, pandas {pd.__version__}; "
        f"seed {SEED}.",
        "",
        "Rolling-origin backtest (`forecast.evaluation.evaluate`): the test windows tile the "
        "end of each series (`step` = horizon), the model is refitted on all data before "
        "each window (or on the last `max train` rows), intervals at 80 %. MASE divides each "
        "fold's MAE by the in-sample seasonal naive MAE of that fold's training part (season "
        "from the frequency: 12 monthly, 4 quarterly, 52 weekly, 1 yearly, 24 hourly, 48 "
        "half-hourly) and averages over folds. Bold: best per series (coverage: closest to 80 %).",
        "",
        "| series | file | freq | horizon | folds | max train |",
        "|---|---|---|---|---|---|",
        specs,
        "",
        "## MASE (lower is better; < 1 beats the in-sample seasonal naive)",
        "",
        _matrix(results, "mase", models, 3),
        "",
        "## sMAPE % (lower is better)",
        "",
        _matrix(results, "smape", models, 2),
        "",
        "## Coverage % of the 80 % intervals (closer to 80 is better)",
        "",
        _matrix(results, "coverage", models, 0),
        "",
        "## Seconds per model and series (all folds)",
        "",
        _seconds_table(results, models),
        "",
        "## Published single splits",
    ]
    for name, (split, summary, errors) in split_results.items():
        parts += [
            "",
            f"### {name}",
            "",
            f"{split.description}; one split (`n_splits=1`). Published: {split.source}.",
            "",
            _split_table(split, summary, errors),
        ]
    return "\n".join(parts) + "\n"


def _seconds_table(results, models):
    """Markdown table of the wall seconds per series and model."""
    lines = ["| series | " + " | ".join(models) + " |", "|---" * (len(models) + 1) + "|"]
    for series, (_, seconds, _) in results.items():
        cells = [_fmt(seconds.get(m), 2) for m in models]
        lines.append(f"| {series} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


# --------------------------------------------------------------------------- main


def parse_args(argv=None):
    """The command-line flags."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--models",
        default=",".join(MODELS),
        help=f"comma-separated models (default: {','.join(MODELS)})",
    )
    parser.add_argument(
        "--series", default=",".join(SERIES), help="comma-separated series (default: all)"
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="sanity run: 1 fold per series, at most 20 epochs, patience 5",
    )
    parser.add_argument("--folds", type=int, help="folds per series (default: per series, 3)")
    parser.add_argument("--epochs", type=int, help="most training epochs of the neural models")
    parser.add_argument("--no-splits", action="store_true", help="skip the published splits")
    parser.add_argument("--output", type=Path, default=OUTPUT, help=f"default {OUTPUT}")
    args = parser.parse_args(argv)
    args.models = [m.strip() for m in args.models.split(",") if m.strip()]
    args.series = [s.strip() for s in args.series.split(",") if s.strip()]
    for m in args.models:
        if m not in MODELS:
            parser.error(f"unknown model {m!r}; choose from {', '.join(MODELS)}")
    for s in args.series:
        if s not in SERIES:
            parser.error(f"unknown series {s!r}; choose from {', '.join(SERIES)}")
    if args.quick:
        args.folds = args.folds or 1
        args.epochs = args.epochs or 20
    return args


def main(argv=None):
    """Runs the benchmark and writes the report; returns the exit status."""
    args = parse_args(argv)
    overrides = {}
    if args.epochs:
        overrides["epochs"] = args.epochs
    if args.quick:
        overrides["patience"] = 5
    t0 = time.perf_counter()
    results = {}
    for name in args.series:
        spec = SERIES[name]
        folds = args.folds or spec.folds
        print(f"{name}: horizon {spec.horizon}, {folds} folds", flush=True)
        models = make_models(args.models, spec.horizon, overrides)
        results[name] = run_one(
            load(name),
            models,
            horizon=spec.horizon,
            folds=folds,
            max_train_size=spec.max_train_size,
        )
    split_results = {}
    for name, split in SPLITS.items():
        if args.no_splits or split.series not in args.series:
            continue
        print(f"{name}: horizon {split.horizon}, 1 split", flush=True)
        models = make_models(args.models, split.horizon, overrides)
        summary, _, errors = run_one(
            load(split.series, split.start), models, horizon=split.horizon, folds=1
        )
        split_results[name] = (split, summary, errors)
    text = report(
        results, split_results, models=args.models, args=args, elapsed=time.perf_counter() - t0
    )
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text)
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
