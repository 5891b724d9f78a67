"""Several models on the same folds, summarized per model (and per series in long format)."""

from __future__ import annotations

import math

import pandas as pd

from forecast.evaluation.backtesting import backtest
from forecast.evaluation.folds import _check_int, fold_scales, long_enough
from forecast.metrics import summarize
from forecast.series_scores import COLUMNS as SERIES_COLUMNS
from forecast.series_scores import across_series, per_series


def _season(data, season):
    """``season``, else ``forecast.frequency.season_length(data.freq)``, else 1."""
    if season is not None:
        return _check_int("season", season, minimum=1)
    try:
        from forecast.frequency import season_length
    except ImportError:
        return 1
    return int(season_length(data.freq))


def evaluate(
    data,
    models,
    *,
    horizon,
    n_splits=3,
    step=None,
    gap=0,
    max_train_size=None,
    refit=True,
    level=80,
    season=None,
    progress=None,
    scores_per_series=False,
    strict=False,
):
    """Backtests several models on the same folds and summarizes each.

    Args:
        data: a :class:`forecast.data.SeriesData`.
        models: ``{name: estimator}``; each estimator as in :func:`backtest`.
        horizon, n_splits, step, gap, max_train_size, refit, level: as in :func:`backtest`.
        season: the MASE lag; ``None``: ``forecast.frequency.season_length(data.freq)``
            (1 if that module is missing).
        progress: called as ``progress(1)`` after each fold of each model
            (``len(models) * n_splits`` calls).
        scores_per_series: also return the scores of every series and model
            (:func:`forecast.series_scores.per_series`; long format only, else None).
        strict: whether a series of a panel too short for the folds is an error; by
            default it is left out of the backtest and named in ``summary.attrs["notes"]``.

    Returns:
        ``(table, summary)``, or ``(table, summary, per_series)`` with
        ``scores_per_series=True``: the long table of all models (as :func:`backtest`,
        ``model`` = the dict keys), and a DataFrame indexed by model name (in
        dict order) with columns ``mae, rmse, mape, smape, mase, coverage,
        width``. MASE divides each fold's MAE by the in-sample seasonal naive
        MAE of that fold's training part and averages over folds, series and targets
        (every series has the same folds, so it is also the mean over series of their
        MASE). MAPE is NaN where actuals contain a zero. In long format the summary
        also has ``mase_median`` (over series), ``beats_snaive`` (series where the
        model's MASE is below seasonal naive's; needs a model named
        ``"seasonal-naive"``), ``coverage_median`` and ``coverage_p10`` (the median
        and 10th percentile of the per-series interval coverage).

    Raises:
        ValueError: if ``models`` is empty or an argument is bad.
        DataError: when wide data, every series, or (``strict``) one series is too short
            for the folds.

    Example:
        >>> import numpy as np
        >>> from forecast.data import validate_frame
        >>> from forecast.forecaster import Forecaster
        >>> df = pd.DataFrame({"y": np.arange(24.0)},
        ...                   index=pd.date_range("2000-01", periods=24, freq="MS", name="date"))
        >>> models = {m: Forecaster(model=m, horizon=3) for m in ("naive", "drift")}
        >>> table, summary = evaluate(validate_frame(df), models, horizon=3, n_splits=2, season=1)
        >>> summary[["mae", "mase"]].round(2).to_dict("index")
        {'naive': {'mae': 2.0, 'mase': 2.0}, 'drift': {'mae': 0.0, 'mase': 0.0}}
    """
    if not models:
        raise ValueError("models is empty: give at least one {name: estimator}")
    folds = dict(horizon=horizon, n_splits=n_splits, step=step, gap=gap)
    notes = []
    if not strict:
        data, notes = long_enough(data, **folds)
    folds["max_train_size"] = max_train_size
    tables = [
        backtest(data, est, refit=refit, level=level, progress=progress, name=name, **folds)
        for name, est in models.items()
    ]
    notes += [note for t in tables for note in t.attrs.get("notes", [])]
    table = pd.concat(tables, ignore_index=True)
    scales = fold_scales(data, season=_season(data, season), **folds)
    summary = summarize(table, scales=scales, by="model")
    per = None
    if data.id_col is not None:
        per = per_series(table, scales, data.id_col)
        summary = summary.join(across_series(per, data.id_col))
    summary.attrs["notes"] = notes
    return (table, summary, per) if scores_per_series else (table, summary)


def _json_number(x):
    """A float for JSON (``None`` for NaN or infinity)."""
    x = float(x)
    return x if math.isfinite(x) else None


def to_json(summary, horizon, folds):
    """The summary as a JSON-ready dict (the ``forecast evaluate --json`` payload).

    Args:
        summary: the summary of :func:`evaluate` (index: model names).
        horizon: the horizon of the backtest.
        folds: the number of folds.

    Returns:
        ``{"horizon": H, "folds": K, "models": {name: {"mae", "rmse", "mape",
        "smape", "mase", "coverage"}}}`` with plain floats (``None`` for NaN/inf).

    Example:
        >>> s = pd.DataFrame({"mae": [1.0], "rmse": [2.0], "mape": [3.0], "smape": [4.0],
        ...                   "mase": [float("nan")], "coverage": [80.0], "width": [9.0]},
        ...                  index=pd.Index(["naive"], name="model"))
        >>> to_json(s, horizon=12, folds=3)
        {'horizon': 12, 'folds': 3, 'models': {'naive': {'mae': 1.0, 'rmse': 2.0, 'mape': 3.0, 'smape': 4.0, 'mase': None, 'coverage': 80.0}}}
    """
    keys = ("mae", "rmse", "mape", "smape", "mase", "coverage")
    keys += tuple(c for c in SERIES_COLUMNS if c in summary.columns)
    return {
        "horizon": int(horizon),
        "folds": int(folds),
        "models": {
            str(model): {k: _json_number(row[k]) for k in keys} for model, row in summary.iterrows()
        },
    }
