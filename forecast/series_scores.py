"""Scores per series of a backtest over many series, and their distribution per model.

A pooled score hides what happens to each series of a panel: a model can have a fine mean
MASE and still lose to seasonal naive on most series, or cover 80 % of all points while
its intervals are useless on the big series. :func:`per_series` scores every series and
model; :func:`across_series` summarises those scores per model.

Example:
    >>> import pandas as pd
    >>> per = pd.DataFrame({"id": ["a", "b", "a", "b"],
    ...                     "model": ["lstm", "lstm", "seasonal-naive", "seasonal-naive"],
    ...                     "mase": [0.5, 1.5, 1.0, 1.0], "smape": 0.0,
    ...                     "coverage": [80.0, 60.0, 90.0, 70.0]})
    >>> across_series(per, "id").loc["lstm"].to_dict()
    {'mase_median': 1.0, 'beats_snaive': 1.0, 'coverage_median': 70.0, 'coverage_p10': 62.0}
"""

from __future__ import annotations

import numpy as np

from forecast.metrics import summarize

BASELINE = "seasonal-naive"
COLUMNS = ("mase_median", "beats_snaive", "coverage_median", "coverage_p10")
"""The columns :func:`across_series` adds to the summary of a backtest in long format."""


def per_series(table, scales, id_col: str):
    """One row per series and model: ``id_col, model, mase, smape, coverage``.

    Args:
        table: the long backtest table (:func:`forecast.evaluation.backtest`).
        scales: the fold scales (:func:`forecast.evaluation.fold_scales`).
        id_col: the series id column.

    Returns:
        DataFrame; MASE averages the series' windows (folds and targets), sMAPE and
        coverage pool its rows (percent).
    """
    scores = summarize(table, scales=scales, by=[id_col, "model"])
    return scores[["mase", "smape", "coverage"]].reset_index()


def across_series(per, id_col: str, baseline: str = BASELINE):
    """Per model: the median MASE over series, the number of series where the model's MASE
    is below ``baseline``'s (NaN without that model), and the median and 10th percentile
    of the per-series interval coverage.

    Returns:
        DataFrame indexed by model (in order of appearance) with :data:`COLUMNS`.
    """
    import pandas as pd

    base = per[per["model"] == baseline].set_index(id_col)["mase"]
    rows = {}
    for model, g in per.groupby("model", sort=False):
        mase = g.set_index(id_col)["mase"]
        beats = float((mase < base.reindex(mase.index)).sum()) if len(base) else np.nan
        cover = g["coverage"].dropna()
        rows[model] = {
            "mase_median": float(mase.median()),
            "beats_snaive": beats,
            "coverage_median": float(cover.median()) if len(cover) else np.nan,
            "coverage_p10": float(np.percentile(cover, 10)) if len(cover) else np.nan,
        }
    return pd.DataFrame.from_dict(rows, orient="index", columns=list(COLUMNS))
