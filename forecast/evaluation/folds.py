"""Folds of a rolling-origin backtest: where each fold trains and tests, per series, and
the MASE scale of each fold's training part."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from forecast.errors import DataError
from forecast.metrics import mase_scale


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


def _try_splits(data, **fold_args) -> tuple[dict, dict]:
    """``{key: splits}`` of the series long enough for the folds, ``{key: why}`` of the
    others (a bad argument raises ``ValueError``)."""
    splits, short = {}, {}
    for key, frame in data.frames.items():
        try:
            splits[key] = rolling_origin_splits(len(frame), **fold_args)
        except ValueError as exc:
            if "too short" not in str(exc):
                raise
            short[key] = str(exc)
    return splits, short


def _splits_per_series(data, **fold_args):
    """``{key: splits}`` for every series; ``DataError`` naming the series if too short."""
    splits, short = _try_splits(data, **fold_args)
    if short:
        key, why = next(iter(short.items()))
        where = f"series {key!r}: " if key is not None else ""
        raise DataError(f"{data.source}: {where}{why}")
    return splits


def long_enough(data, *, horizon, n_splits=3, step=None, gap=0):
    """``data`` without the series of a panel too short for the folds, and one sentence
    for each series left out.

    Wide data, or a panel none of whose series is long enough, comes back whole: the
    backtest's own error then says what is wrong.

    Raises:
        ValueError: a bad fold argument (as :func:`rolling_origin_splits`).

    Example:
        >>> from forecast.data import validate_frame
        >>> years = pd.date_range("2000", periods=9, freq="YS")
        >>> df = pd.DataFrame({"id": ["a"] * 9 + ["b"] * 3, "y": np.arange(12.0),
        ...                    "t": [*years, *years[:3]]})
        >>> kept, notes = long_enough(validate_frame(df, id_col="id"), horizon=2, n_splits=2)
        >>> list(kept.frames), notes
        (['a'], ["left out series 'b' of the backtest: 3 rows are too short for 2 folds of horizon 2 (step 2, gap 0): need at least 5 rows; use fewer folds, a shorter horizon or more data"])
    """
    splits, short = _try_splits(data, horizon=horizon, n_splits=n_splits, step=step, gap=gap)
    if not short or not splits or None in short:
        return data, []
    kept = {key: data.frames[key] for key in splits}
    notes = [f"left out series {key!r} of the backtest: {why}" for key, why in short.items()]
    return dataclasses.replace(data, frames=kept), notes


def _cut(data, rows):
    """``data`` with each series cut to ``rows[key]`` (a slice); frequency kept."""
    return dataclasses.replace(data, frames={k: f.iloc[rows[k]] for k, f in data.frames.items()})


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
