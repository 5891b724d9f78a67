"""Combining the network with statistical forecasts, on the accuracy protocol's folds (#13).

For every data set of ``protocol.py`` (the univariate series and the tourism panel, each
half on its own, three rolling folds, the protocol's horizons) the network alone (``lstm``
with ``combine="none"``), ``ets`` and ``theta`` are backtested on the same folds, and every
combination (the plain mean of their forecasts) is scored like the models: per fold the MAE over the series' MASE scale,
then per half the mean MASE and the geometric mean of MASE relative to seasonal naive.
Decide on the tuning half; the reporting half shows what the decision would have given.
(The default ``lstm`` combines the network with theta by a weight chosen on validation,
``combine="auto"``; fixed equal weights are what this script measures.)

Usage:
    python benchmarks/combination.py            # about 7 minutes on 2 cores

Example:
    >>> rows = pd.DataFrame({"model": ["a", "a", "snaive", "snaive"], "mase": [0.5, 2.0, 1.0, 1.0]})
    >>> summary(rows).round(3).to_dict("index")["a"]
    {'mean_mase': 1.25, 'geo_rel': 1.0}
"""

from __future__ import annotations

import argparse
import dataclasses
import platform
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
OUTPUT = ROOT / "benchmarks" / "results" / "combination.md"
MODELS = ["lstm", "ets", "theta", "seasonal-naive"]
COMBINATIONS = {
    "lstm": ["lstm"],
    "ets": ["ets"],
    "theta": ["theta"],
    "snaive": ["seasonal-naive"],
    "lstm+theta": ["lstm", "theta"],
    "lstm+ets": ["lstm", "ets"],
    "ets+theta": ["ets", "theta"],
    "lstm+ets+theta": ["lstm", "ets", "theta"],
}
KEYS = ["series", "target", "cutoff"]


def summary(rows: pd.DataFrame) -> pd.DataFrame:
    """Per model: mean MASE and the geometric mean of MASE relative to ``snaive`` (the
    rows of one half, aligned fold by fold)."""
    base = rows.loc[rows["model"] == "snaive", "mase"].to_numpy()
    out = {}
    for model, part in rows.groupby("model", sort=True):
        rel = part["mase"].to_numpy() / base
        out[model] = {
            "mean_mase": float(part["mase"].mean()),
            "geo_rel": float(np.exp(np.log(np.clip(rel, 1e-6, None)).mean())),
        }
    return pd.DataFrame.from_dict(out, orient="index")


def score(name, sd, protocol) -> pd.DataFrame:
    """MASE per fold of every combination on data set ``name``."""
    from forecast.frequency import season_length

    h, m, cap = protocol.usual_horizon(sd.freq), season_length(sd.freq), protocol.max_train(sd.freq)
    _, _, tables = protocol.run_models(
        name, sd, MODELS, folds=3, overrides={"combine": "none"}, log=lambda line: None
    )
    scales = protocol.fold_scales(sd, season=m, horizon=h, n_splits=3, max_train_size=cap)
    if sd.id_col is None:
        scales = scales.assign(series=name)
    else:
        scales = scales.rename(columns={sd.id_col: "series"})
    merged = None
    for model, table in tables.items():
        table = table[[*KEYS, "time", "actual", "forecast"]].rename(columns={"forecast": model})
        merged = table if merged is None else merged.merge(table.drop(columns="actual"))
    out = []
    for label, members in COMBINATIONS.items():
        error = (merged[members].mean(axis=1) - merged["actual"]).abs()
        mae = error.groupby([merged[k] for k in KEYS]).mean().rename("mae").reset_index()
        mae = mae.merge(scales, on=KEYS)
        out.append(mae.assign(model=label, mase=mae["mae"] / mae["scale"]))
    return pd.concat(out, ignore_index=True).sort_values(["model", *KEYS], ignore_index=True)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT / "benchmarks"))
    warnings.simplefilter("ignore")
    import protocol

    started = time.time()
    rows = []
    files = protocol.univariate_files()
    names = [p.stem for p in files]
    for path in files:
        part = score(path.stem, protocol.load_series(path), protocol)
        rows.append(part.assign(group="univariate", half=protocol.half(path.stem, names)))
        print(path.stem, flush=True)
    sd = protocol.load_panel(protocol.DATA / protocol.PANEL)
    ids = [str(k) for k in sd.frames]
    for half in ("tuning", "reporting"):
        frames = {k: f for k, f in sd.frames.items() if protocol.half(str(k), ids) == half}
        part = score("tourism", dataclasses.replace(sd, frames=frames), protocol)
        rows.append(part.assign(group="tourism", half=half))
        print("tourism", half, flush=True)
    rows = pd.concat(rows, ignore_index=True)
    lines = [
        "# Combinations of the network with statistical forecasts (protocol folds)",
        "",
        f"- date: {time.strftime('%Y-%m-%d %H:%M', time.localtime(started))}; total "
        f"{time.time() - started:.0f} s; {platform.machine()}, Python {platform.python_version()}",
        "- lstm: the network alone (`combine='none'`); each combination: the mean of its "
        "members' forecasts; MASE per fold as in "
        "`protocol.py`; geo_rel: geometric mean of MASE relative to seasonal naive",
        "",
    ]
    for group in ("univariate", "tourism"):
        for half in ("tuning", "reporting"):
            part = rows[(rows["group"] == group) & (rows["half"] == half)]
            table = summary(part).round(3)
            lines += [f"## {group}, {half} half", "", "| model | mean MASE | geo_rel |"]
            lines += ["|---|---:|---:|"]
            lines += [f"| {m} | {r.mean_mase:.3f} | {r.geo_rel:.3f} |" for m, r in table.iterrows()]
            lines.append("")
    args.output.write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
