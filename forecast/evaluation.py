"""Rolling-origin backtests: refit (or slide) a model over time and score it.

The folds follow scikit-learn's ``TimeSeriesSplit`` vocabulary: ``n_splits``
folds whose test windows are ``horizon`` rows long (``test_size``), ``step``
rows apart (default ``horizon``: the windows tile the end of the series, the
last one ends on the last observation), ``gap`` rows left out between the end
of training and the first scored step, and ``max_train_size`` for a sliding
rather than expanding training window. Nothing is ever shuffled. In long
format the folds are placed per series, counting from each series' end.

Example:
    >>> [(tr.start, tr.stop, te.start, te.stop)
    ...  for tr, te in rolling_origin_splits(10, horizon=2, n_splits=3)]
    [(0, 4, 4, 6), (0, 6, 6, 8), (0, 8, 8, 10)]
"""

from __future__ import annotations

import dataclasses
import math
import numbers

import numpy as np
import pandas as pd
from sklearn.base import clone

from forecast.columns import interval_columns
from forecast.errors import DataError, ForecastError
from forecast.metrics import mase_scale, summarize
from forecast.series_scores import COLUMNS as SERIES_COLUMNS
from forecast.series_scores import across_series, per_series

__all__ = ["backtest", "evaluate", "fold_scales", "rolling_origin_splits", "to_json"]

COLUMNS = ("cutoff", "time", "target", "actual", "model", "forecast", "lower", "upper")
"""The columns of the backtest table, after the id column (long format only)."""


# --------------------------------------------------------------------------- folds


def _check_int(name, value, *, minimum, optional=False):
    """``value`` as an int >= ``minimum`` (or None when optional), else ``ValueError``."""
    if value is None and optional:
        return None
    ok = isinstance(value, (int, np.integer)) and not isinstance(value, bool) and value >= minimum
    if not ok:
        kind = "a positive integer" if minimum == 1 else "a non-negative integer"
        raise ValueError(f"{name} must be {kind}{' or None' if optional else ''}, got {value!r}")
    return int(value)


def rolling_origin_splits(n, *, horizon, n_splits=3, step=None, gap=0, max_train_size=None):
    """Row positions of the training and test part of each fold, oldest fold first.

    Fold ``k`` (0-based) tests on rows ``[s_k, s_k + horizon)`` with
    ``s_k = n - horizon - (n_splits - 1 - k) * step`` and trains on the rows
    before ``s_k - gap`` (the last ``max_train_size`` of them when set).

    Args:
        n: number of rows of the series.
        horizon: test window length (``test_size``), >= 1.
        n_splits: number of folds, >= 1.
        step: rows between consecutive origins, >= 1; ``None``: ``horizon``.
        gap: rows skipped between the end of training and the test window, >= 0.
        max_train_size: cap on the training rows (sliding window); ``None``: expanding.

    Returns:
        ``n_splits`` pairs ``(train, test)`` of ``slice`` objects into ``range(n)``.

    Raises:
        ValueError: on a bad argument, or when the first fold would have no
            training row (``n < horizon + (n_splits - 1) * step + gap + 1``).

    Example:
        >>> [(tr.start, tr.stop, te.start, te.stop) for tr, te in rolling_origin_splits(
        ...     12, horizon=3, n_splits=2, step=2, gap=1, max_train_size=4)]
        [(2, 6, 7, 10), (4, 8, 9, 12)]
    """
    horizon = _check_int("horizon", horizon, minimum=1)
    n_splits = _check_int("n_splits", n_splits, minimum=1)
    step = horizon if step is None else _check_int("step", step, minimum=1, optional=True)
    gap = _check_int("gap", gap, minimum=0)
    max_train_size = _check_int("max_train_size", max_train_size, minimum=1, optional=True)
    need = horizon + (n_splits - 1) * step + gap + 1
    if n < need:
        raise ValueError(
            f"{n} rows are too short for {n_splits} folds of horizon {horizon} "
            f"(step {step}, gap {gap}): need at least {need} rows; "
            "use fewer folds, a shorter horizon or more data"
        )
    splits = []
    for k in range(n_splits):
        test_start = n - horizon - (n_splits - 1 - k) * step
        train_end = test_start - gap
        train_start = 0 if max_train_size is None else max(0, train_end - max_train_size)
        splits.append((slice(train_start, train_end), slice(test_start, test_start + horizon)))
    return splits


def _splits_per_series(data, **fold_args):
    """``{key: splits}`` for every series; ``DataError`` naming the series if too short."""
    out = {}
    for key, frame in data.frames.items():
        try:
            out[key] = rolling_origin_splits(len(frame), **fold_args)
        except ValueError as exc:
            if "too short" not in str(exc):
                raise
            where = f"series {key!r}: " if key is not None else ""
            raise DataError(f"{data.source}: {where}{exc}") from None
    return out


def _cut(data, rows):
    """``data`` with each series cut to ``rows[key]`` (a slice); frequency kept."""
    return dataclasses.replace(data, frames={k: f.iloc[rows[k]] for k, f in data.frames.items()})


# --------------------------------------------------------------------------- backtest


def _model_name(est, name):
    """``name``, else the estimator's ``model`` string, else its class name."""
    if name is not None:
        return str(name)
    model = getattr(est, "model", None)
    return model if isinstance(model, str) else type(est).__name__


def _series_forecast(pred, key, name):
    """The part of a prediction frame that belongs to one series, indexed by time."""
    if key is None:
        return pred
    try:
        return pred.xs(key, level=0)
    except KeyError:
        raise ForecastError(f"model {name!r} returned no forecast for series {key!r}") from None


def _fold_rows(data, key, split, pred, name):
    """The long-table rows (a DataFrame) of one series in one fold."""
    train, test = split
    frame = data.frames[key]
    times = frame.index[test]
    sub = _series_forecast(pred, key, name)
    missing = times.difference(sub.index)
    if len(missing):
        where = f" of series {key!r}" if key is not None else ""
        raise ForecastError(
            f"model {name!r} returned no forecast for {missing[0]}{where}: predict() must "
            f"return the {len(times)} steps after the gap that follows {frame.index[train][-1]}"
        )
    sub = sub.loc[times]
    absent = [t for t in data.targets if t not in sub.columns]
    if absent:
        raise ForecastError(f"model {name!r} returned no column {absent[0]!r}")
    nan = np.full(len(times), np.nan)
    parts = []
    for target in data.targets:
        _, lower, upper = interval_columns(target)
        part = {
            "cutoff": frame.index[train][-1],
            "time": times,
            "target": target,
            "actual": frame[target].to_numpy(float)[test],
            "model": name,
            "forecast": sub[target].to_numpy(float),
            "lower": sub[lower].to_numpy(float) if lower in sub else nan,
            "upper": sub[upper].to_numpy(float) if upper in sub else nan,
        }
        if data.id_col is not None:
            part = {data.id_col: key, **part}
        parts.append(pd.DataFrame(part))
    return parts


def backtest(
    data,
    estimator,
    *,
    horizon,
    n_splits=3,
    step=None,
    gap=0,
    max_train_size=None,
    refit=True,
    level=80,
    progress=None,
    name=None,
):
    """Rolling-origin backtest of one model: fit per fold, forecast, line up with actuals.

    For each fold (see :func:`rolling_origin_splits`, applied to each series
    from its own end) the model sees the training part only: with
    ``refit=True`` a fresh clone of ``estimator`` (``sklearn.base.clone``) is
    fitted on it; with ``refit=False`` one clone, fitted on the first fold's
    training part, is reused and only its history slides. Then ``predict(horizon=gap + horizon,
    data=<training part>, level=level)`` is called and the last ``horizon``
    steps are scored (the first ``gap`` ones are dropped).

    Args:
        data: a :class:`forecast.data.SeriesData` (one frame per series, each
            with a regular ``DatetimeIndex`` whose ``freq`` is set).
        estimator: an unfitted estimator (never fitted itself: it is cloned) with
            ``get_params``, ``fit(SeriesData) -> self`` and ``predict(horizon=, data=, level=)``
            returning a frame indexed by the future timestamps (a MultiIndex
            ``(id_col, time_col)`` in long format) with columns ``T``,
            ``T_lower``, ``T_upper`` per target ``T``; it must be able to
            forecast ``gap + horizon`` steps.
        horizon: test window length (steps scored per fold), >= 1.
        n_splits: number of folds, >= 1.
        step: rows between consecutive origins; ``None``: ``horizon`` (no overlap).
        gap: rows between the end of training and the first scored step, >= 0.
        max_train_size: training rows per fold (sliding window); ``None``: expanding.
        refit: fit a new model per fold (``True``) or once on the first fold.
        level: prediction interval level in percent, passed to ``predict``.
        progress: optional callable, called as ``progress(1)`` after each fold
            (``click.progressbar(...).update`` fits as is).
        name: the ``model`` column; ``None``: the estimator's ``model``
            attribute if it is a string, else its class name.

    Returns:
        DataFrame with one row per series, fold, test step and target; columns
        ``[id_col], cutoff, time, target, actual, model, forecast, lower, upper``
        (``cutoff`` is the last training timestamp of the fold; ``lower`` and
        ``upper`` are NaN when the model gives no interval). Ordered by fold,
        then series, target and time.

    Raises:
        ValueError: on a bad argument (message names it).
        DataError: when a series is too short for the folds.
        ForecastError: when ``predict`` misses a series or a test timestamp.

    Example:
        >>> from forecast.data import validate_frame
        >>> from forecast.forecaster import Forecaster
        >>> df = pd.DataFrame({"y": np.arange(24.0)},
        ...                   index=pd.date_range("2000-01", periods=24, freq="MS", name="date"))
        >>> data = validate_frame(df)
        >>> table = backtest(data, Forecaster(model="drift", horizon=3),
        ...                  horizon=3, n_splits=2)
        >>> table.shape
        (6, 8)
        >>> [str(t.date()) for t in table["cutoff"].unique()]
        ['2001-06-01', '2001-09-01']
        >>> float((table["forecast"] - table["actual"]).abs().max())  # drift is exact on a line
        0.0
    """
    if isinstance(level, bool) or not (isinstance(level, numbers.Real) and 0 < level < 100):
        raise ValueError(f"level must be between 0 and 100 (exclusive), got {level!r}")
    if not hasattr(estimator, "get_params"):
        raise ValueError(
            f"estimator must have get_params() (a scikit-learn estimator), got {estimator!r}"
        )
    if data.id_col is not None and data.id_col in COLUMNS:
        raise ValueError(f"the id column may not be called {data.id_col!r}: rename it")
    splits = _splits_per_series(
        data,
        horizon=horizon,
        n_splits=n_splits,
        step=step,
        gap=gap,
        max_train_size=max_train_size,
    )
    parts, est = [], None
    for k in range(n_splits):
        history = _cut(data, {key: s[k][0] for key, s in splits.items()})
        if refit or est is None:
            est = clone(estimator)
            est = est.fit(history) or est
        label = _model_name(est, name)
        pred = est.predict(horizon=gap + horizon, data=history, level=level)
        for key in data.frames:
            parts.extend(_fold_rows(data, key, splits[key][k], pred, label))
        if progress is not None:
            progress(1)
    return pd.concat(parts, ignore_index=True)


# --------------------------------------------------------------------------- evaluate


def _season(data, season):
    """``season``, else ``forecast.frequency.season_length(data.freq)``, else 1."""
    if season is not None:
        return _check_int("season", season, minimum=1)
    try:
        from forecast.frequency import season_length
    except ImportError:
        return 1
    return int(season_length(data.freq))


def fold_scales(data, *, horizon, n_splits=3, step=None, gap=0, max_train_size=None, season=1):
    """MASE scale of every fold: the in-sample seasonal naive MAE of its training part.

    Args:
        data: a :class:`forecast.data.SeriesData`.
        horizon, n_splits, step, gap, max_train_size: the folds, as in :func:`backtest`.
        season: the seasonal lag (lag 1 when a training part is shorter than
            ``season + 1``).

    Returns:
        DataFrame with columns ``[id_col], target, cutoff, scale``, one row per
        series, target and fold; ``scale`` is NaN where it is 0 or undefined
        (a constant training part), so that MASE is NaN there.

    Raises:
        DataError: when a series is too short for the folds.

    Example:
        >>> from forecast.data import validate_frame
        >>> df = pd.DataFrame({"y": np.arange(10.0) ** 2},
        ...                   index=pd.date_range("2000", periods=10, freq="YS", name="t"))
        >>> fold_scales(validate_frame(df), horizon=2, n_splits=2)["scale"].tolist()
        [5.0, 7.0]
    """
    splits = _splits_per_series(
        data,
        horizon=horizon,
        n_splits=n_splits,
        step=step,
        gap=gap,
        max_train_size=max_train_size,
    )
    rows = []
    for key, frame in data.frames.items():
        for train, _ in splits[key]:
            part = frame.iloc[train]
            for target in data.targets:
                try:
                    scale = mase_scale(part[target].to_numpy(float), season)
                except ValueError:
                    scale = np.nan
                row = {"target": target, "cutoff": part.index[-1], "scale": scale}
                rows.append({data.id_col: key, **row} if data.id_col is not None else row)
    return pd.DataFrame(rows)


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
        DataError: when a series is too short for the folds.

    Example:
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
    folds["max_train_size"] = max_train_size
    tables = [
        backtest(data, est, refit=refit, level=level, progress=progress, name=name, **folds)
        for name, est in models.items()
    ]
    table = pd.concat(tables, ignore_index=True)
    scales = fold_scales(data, season=_season(data, season), **folds)
    summary = summarize(table, scales=scales, by="model")
    per = None
    if data.id_col is not None:
        per = per_series(table, scales, data.id_col)
        summary = summary.join(across_series(per, data.id_col))
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
