"""Panel benchmark (issue #14): per-series interval coverage and MASE on the tourism panel.

The Australian quarterly tourism panel (304 series, 1998 Q1 .. 2017 Q4, levels from 0.3 to
750 thousand trips, 98 series with zeros) in long format, ``series,date,trips_thousands``.
The last ``--horizon`` quarters of every series are held out; one ``Forecaster`` is fitted
on the rest of all series together and forecasts them. For every series: the coverage of
the 80 % interval on its held-out quarters and its MASE (MAE over the held-out quarters /
in-sample seasonal naive MAE at lag 4 of its training part). Seasonal naive is fitted and
scored the same way. The Markdown report goes to ``benchmarks/results/panel_coverage.md``.

Usage:
    python benchmarks/panel_coverage.py --data ../shared/data/tourism_quarterly_long.csv
    python benchmarks/panel_coverage.py --data FILE --ensemble 1 --epochs 100 --patience 15
    (hyperparameters not given: the library's defaults)

Example:
    >>> coverage_shares(np.array([100.0, 75.0, 25.0, 87.5]))
    (81.25, 75.0)
"""

from __future__ import annotations

import argparse
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

from forecast import Forecaster  # noqa: E402
from forecast.intervals import series_scale  # noqa: E402

OUTPUT = ROOT / "benchmarks" / "results" / "panel_coverage.md"
DATA = ROOT.parent / "shared" / "data" / "tourism_quarterly_long.csv"
ID, TIME, TARGET = "series", "date", "trips_thousands"


def coverage_shares(coverage: np.ndarray) -> tuple[float, float]:
    """``(median, percent of series with coverage in [50, 100])`` of per-series coverages."""
    inside = (coverage >= 50) & (coverage <= 100)
    return float(np.median(coverage)), float(100 * inside.mean())


def score(fc: Forecaster, train: pd.DataFrame, test: pd.DataFrame, season: int) -> pd.DataFrame:
    """Per series: ``level`` (mean of its training part), ``coverage`` and ``mase``."""
    pred = fc.predict().reset_index()
    pred[TIME] = pd.to_datetime(pred[TIME])
    pred = pred.rename(columns={TARGET: "forecast"})
    merged = test.merge(pred, on=[ID, TIME], how="left", validate="one_to_one")
    rows = []
    for key, g in merged.groupby(ID, sort=False):
        history = train.loc[train[ID] == key, TARGET].to_numpy(float)
        y, f = g[TARGET].to_numpy(float), g["forecast"].to_numpy(float)
        inside = (y >= g[f"{TARGET}_lower"]) & (y <= g[f"{TARGET}_upper"])
        rows.append(
            {
                ID: key,
                "level": history.mean(),
                "coverage": 100 * inside.mean(),
                "mase": np.abs(y - f).mean() / series_scale(history[:, None], season)[0],
            }
        )
    return pd.DataFrame(rows)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--horizon", type=int, default=8)
    parser.add_argument("--model", default="lstm")
    # None: the library's default
    parser.add_argument("--ensemble", type=int)
    parser.add_argument("--epochs", type=int)
    parser.add_argument("--patience", type=int)
    parser.add_argument("--batch-size", type=int)
    parser.add_argument("--level", type=float, default=80.0)
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)

    df = pd.read_csv(args.data, parse_dates=[TIME], dtype={ID: str})
    df = df.sort_values([ID, TIME], kind="stable")
    last = df.groupby(ID)[TIME].rank(ascending=False, method="first") <= args.horizon
    train, test = df[~last], df[last]
    chosen = dict(
        ensemble=args.ensemble,
        epochs=args.epochs,
        patience=args.patience,
        batch_size=args.batch_size,
    )
    settings = dict(
        horizon=args.horizon,
        level=args.level,
        seed=0,
        **{name: value for name, value in chosen.items() if value is not None},
    )
    results, times = {}, {}
    for model in (args.model, "seasonal-naive"):
        start = time.perf_counter()
        fc = Forecaster(model=model, **settings).fit(train, id_col=ID, time_col=TIME)
        times[model] = time.perf_counter() - start
        results[model] = score(fc, train, test, fc.season_length_)
        if model == args.model:
            info = fc
    quartile = pd.qcut(results[args.model]["level"], 4, labels=["Q1 (smallest)", "Q2", "Q3", "Q4"])

    lines = [
        "# Per-series interval coverage on the tourism panel",
        "",
        f"Data: `{args.data.name}`, {df[ID].nunique()} quarterly series, the last "
        f"{args.horizon} quarters of each held out; {args.level:g} % intervals.",
        f"Settings: `Forecaster(model={args.model!r}, "
        + ", ".join(f"{k}={v!r}" for k, v in settings.items())
        + ")`, everything else default.",
        f"Lookback {info.lookback_}; series forecast by the base: {len(info.base_series_)}; "
        f"transforms: {_transform_counts(info)}.",
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}; fit times "
        + ", ".join(f"{m} {t:.0f} s" for m, t in times.items())
        + ".",
        "",
        "| model | median coverage | series with coverage in [50, 100] | pooled coverage "
        "| mean MASE | median MASE |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for model, r in results.items():
        median, share = coverage_shares(r["coverage"].to_numpy())
        lines.append(
            f"| {model} | {median:.1f} % | {share:.1f} % | {r['coverage'].mean():.1f} % "
            f"| {r['mase'].mean():.3f} | {r['mase'].median():.3f} |"
        )
    beats = (results[args.model]["mase"] < results["seasonal-naive"]["mase"]).sum()
    lines += [
        "",
        f"{args.model} beats seasonal naive (lower MASE) on {beats} of {len(quartile)} series.",
        "",
        "Mean coverage per quartile of series level (mean of the training part):",
        "",
        "| quartile | " + " | ".join(results) + " |",
        "|---|" + "---:|" * len(results),
    ]
    for q in quartile.cat.categories:
        mask = (quartile == q).to_numpy()
        cells = " | ".join(
            f"{r['coverage'].to_numpy()[mask].mean():.1f} %" for r in results.values()
        )
        lines.append(f"| {q} | {cells} |")
    text = "\n".join(lines) + "\n"
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text)
    print(text)


def _transform_counts(fc) -> str:
    transforms = fc.transform_ if isinstance(fc.transform_, dict) else {None: fc.transform_}
    counts = pd.Series(list(transforms.values())).value_counts()
    return ", ".join(f"{n} {t}" for t, n in counts.items()) or "none (baseline)"


if __name__ == "__main__":
    main()
