"""One model over the folds: fit (or slide) per fold, forecast, line up with the actuals."""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd
from sklearn.base import clone

from forecast.columns import interval_columns
from forecast.errors import DataError, ForecastError
from forecast.evaluation.folds import _cut, _splits_per_series

COLUMNS = ("cutoff", "time", "target", "actual", "model", "forecast", "lower", "upper")
"""The columns of the backtest table, after the id column (long format only)."""


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
        ``upper`` are NaN when the model gives no interval); ``attrs["notes"]``: the
        series the seasonal naive base forecast in the model's place, by fold. Ordered by fold,
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
    parts, est, notes = [], None, {}
    for k in range(n_splits):
        history = _cut(data, {key: s[k][0] for key, s in splits.items()})
        if refit or est is None:
            est = clone(estimator)
            try:
                est = est.fit(history) or est
            except DataError as error:  # the data passed: the fold's part is too short
                raise DataError(
                    f"{error}, or fewer folds (in the training part of fold {k + 1} of {n_splits})"
                ) from None
        label = _model_name(est, name)
        pred = est.predict(horizon=gap + horizon, data=history, level=level)
        # what the fit (for every fold it forecasts) and the forecast say of series not
        # forecast by the model itself (too short: the seasonal naive base stands in)
        for note in [*getattr(est, "notes_", []), *pred.attrs.get("notes", [])]:
            notes.setdefault((label, note), []).append(k + 1)
        for key in data.frames:
            parts.extend(_fold_rows(data, key, splits[key][k], pred, label))
        if progress is not None:
            progress(1)
    table = pd.concat(parts, ignore_index=True)
    table.attrs["notes"] = [_in_folds(*key, folds) for key, folds in notes.items()]
    return table


def _in_folds(label: str, note: str, folds: list[int]) -> str:
    """A model's ``note`` with the folds it holds in: ``"naive (folds 1, 2): …"``."""
    which = "fold" if len(folds) == 1 else "folds"
    return f"{label} ({which} {', '.join(map(str, folds))}): {note}"
