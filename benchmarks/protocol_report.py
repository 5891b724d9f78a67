"""The Markdown report of the accuracy protocol (``benchmarks/protocol.py``): scores and tables.

Pure functions of the stored rows: :func:`relative` (MASE over seasonal naive's on the same
fold), :func:`score` (geometric mean, wins, mean MASE), :func:`coverage` and :func:`report`.

Example:
    >>> rows = pd.DataFrame({"series": ["a", "a"], "target": ["y", "y"], "cutoff": [1, 1],
    ...                      "model": ["seasonal-naive", "ets"], "mase": [2.0, 1.0]})
    >>> relative(rows)["rel"].tolist()
    [1.0, 0.5]
"""

from __future__ import annotations

import os
import platform

import numpy as np
import pandas as pd


def relative(rows):
    """Each model's MASE over seasonal naive's on the same series, target and fold."""
    keys = ["series", "target", "cutoff"]
    base = rows[rows["model"] == "seasonal-naive"].set_index(keys)["mase"]
    rel = rows.set_index(keys)["mase"] / base.reindex(rows.set_index(keys).index).to_numpy()
    return rows.assign(rel=rel.to_numpy())


def score(rows, models):
    """Per model: geometric mean of relative MASE, wins / folds, mean MASE, folds counted."""
    out = {}
    for model in models:
        r = rows[rows["model"] == model]
        ok = r["rel"].replace([np.inf, -np.inf], np.nan).dropna()
        ok = ok[ok > 0]
        out[model] = {
            "geomean": float(np.exp(np.log(ok).mean())) if len(ok) else np.nan,
            "wins": int((ok < 1).sum()),
            "n": len(ok),
            "mean_mase": float(r["mase"].replace([np.inf], np.nan).mean()) if len(r) else np.nan,
            "series": r["series"].nunique(),
        }
    return out


def _f(x, digits=3):
    return "–" if x is None or not np.isfinite(x) else f"{x:.{digits}f}"


def coverage(rows: pd.DataFrame, model: str) -> tuple[float, float]:
    """``(mean over data sets, lowest data set)`` of a model's 80 % interval coverage."""
    per_set = rows[rows["model"] == model].groupby("dataset")["coverage"].mean()
    return (float(per_set.mean()), float(per_set.min())) if len(per_set) else (np.nan, np.nan)


def _summary_table(rows, scores, models, panel):
    head = "| model | geo. mean rel. MASE | folds beating seasonal naive | series |"
    head += " mean MASE |" if panel else ""
    head += " 80 % coverage (mean; lowest data set) |"
    lines = [head, "|---" * (6 if panel else 5) + "|"]
    for model in models:
        s = scores.get(model)
        if s is None or s["series"] == 0:
            continue
        wins = "(reference)" if model == "seasonal-naive" else f"{s['wins']} / {s['n']}"
        row = f"| {model} | {_f(s['geomean'])} | {wins} | {s['series']} |"
        row += f" {_f(s['mean_mase'])} |" if panel else ""
        mean, low = coverage(rows, model)
        lines.append(row + f" {_f(mean, 1)} %; {_f(low, 1)} % |")
    return "\n".join(lines)


def _series_table(rows, models):
    lines = [
        "| series | freq | h | " + " | ".join(models) + " |",
        "|---|---|---:|" + "---:|" * len(models),
    ]
    mean = rows.groupby(["series", "model"])["mase"].mean()
    info = rows.groupby("series")[["freq", "h"]].first()
    for series in sorted(rows["series"].unique()):
        cells = [_f(mean.get((series, m), np.nan)) for m in models]
        present = [mean.get((series, m), np.inf) for m in models]
        best = min(present)
        cells = [f"**{c}**" if p == best else c for c, p in zip(cells, present, strict=True)]
        freq, h = info.loc[series]
        lines.append(f"| {series} | {freq} | {h} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _time_table(timing, models):
    lines = [
        "| set | model | series | ours: Forecaster backtest (s) | statsforecast forecast (s) | "
        "max rel. diff of the forecasts |",
        "|---|---|---:|---:|---:|---:|",
    ]
    total = timing.groupby(["group", "model"], sort=False).agg(
        series=("series", "sum"), ours=("ours_s", "sum"), theirs=("statsforecast_s", "sum"),
        diff=("max_rel_diff", "max"), compared=("compared", "sum"), values=("values", "sum"),
    )  # fmt: skip
    for group in timing["group"].unique():
        for model in models:
            if (group, model) not in total.index:
                continue
            t = total.loc[(group, model)]
            d = "–" if not t["values"] else f"{t['diff']:.1e} ({t['compared']} of {t['values']})"
            theirs = _f(t["theirs"], 1) if t["values"] else "–"
            lines.append(
                f"| {group} | {model} | {t['series']} | {t['ours']:.1f} | {theirs} | {d} |"
            )
    return "\n".join(lines)


def report(rows, timing, elapsed, argv, first=()):
    """The Markdown report of every stored row (both halves, every model run so far).

    Args:
        rows: the per-fold rows, with a ``half`` column.
        timing: the per-data-set times.
        elapsed: seconds of the last run; argv: its arguments.
        first: models listed first, in this order (the others follow as stored).
    """
    from importlib.metadata import version

    stored = list(dict.fromkeys(rows["model"]))
    models = [m for m in first if m in stored] + [m for m in stored if m not in first]
    parts = [
        "# Accuracy protocol",
        "",
        f"Last run: `python benchmarks/protocol.py {' '.join(argv)}` ({elapsed / 60:.1f} "
        f"min) on {platform.machine()} ({os.cpu_count()} cores, shared), Python "
        f"{platform.python_version()}, pandas {pd.__version__}, statsforecast "
        f"{version('statsforecast')}; seed 0. The tables hold every run stored in "
        "`protocol_rows.csv`. Method: see the docstring of `benchmarks/protocol.py` (rolling "
        "origin, 3 folds, M4 horizons, relative MASE to seasonal naive; series sorted by "
        "name, alternately tuning / reporting, a tourism region as one).",
    ]
    for which in ("tuning", "reporting"):
        parts += ["", f"## {which.capitalize()} half", ""]
        for group in ("univariate", "tourism"):
            part = rows[(rows["group"] == group) & (rows["half"] == which)]
            if part.empty:
                continue
            panel = group == "tourism"
            here = [m for m in models if m in set(part["model"])]
            scores = score(relative(part), here)
            parts += [f"### {group} ({part['series'].nunique()} series)", ""]
            parts += [_summary_table(part, scores, here, panel), ""]
            if not panel:
                parts += [_series_table(part, here), ""]
        # the whole half: every fold of both sets in one geometric mean (models run on both)
        part = rows[rows["half"] == which]
        both = set.intersection(*(set(g["model"]) for _, g in part.groupby("group")))
        here = [m for m in models if m in both]
        if part["group"].nunique() > 1 and here:
            part = part[part["model"].isin(here)]
            parts += [f"### both sets together ({part['series'].nunique()} series)", ""]
            parts += [_summary_table(part, score(relative(part), here), here, False), ""]
    parts += [
        "## Time per model (all series and folds of the set, as last run)",
        "",
        "Ours: the whole `backtest` through `Forecaster` (one fit per fold: the validation "
        "fit, `forward` over the validation origins, the conformal calibration, then the "
        "forecast). statsforecast: `StatsForecast(models=[...], n_jobs=1).forecast(df, h)` "
        "on the same training parts (one fit per series and fold).",
        "",
        _time_table(timing, models),
    ]
    return "\n".join(parts) + "\n"
