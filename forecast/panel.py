"""Many series: which series the model forecasts, the base for the others, and calibration.

A panel is rarely tidy: series start and end at different dates, some are too short for
``lookback + horizon`` rows plus a validation row. Such a series is not an error: the
model is trained and calibrated on the series that are long enough, and the short ones are
forecast by the seasonal naive *base* (the last season repeated; the last value when the
series is shorter than a season), with intervals calibrated on the base's own scale-free
validation errors (see :mod:`forecast.intervals`). Only when no series is long enough is
the data refused.

Example:
    >>> import numpy as np, pandas as pd
    >>> frames = {k: pd.DataFrame({"y": np.ones(n)}) for k, n in (("a", 30), ("b", 5))}
    >>> [list(part) for part in split_by_length(frames, 20)]
    [['a'], ['b']]
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from forecast.combination import combine
from forecast.errors import DataError, TrainingError
from forecast.intervals import (
    cross_fitted_coverage,
    forward_levels,
    log_floor,
    on_scale,
    quantile_grid,
    series_scale,
)
from forecast.metrics import seasonal_naive_mae
from forecast.models.baselines import SeasonalNaive
from forecast.pool import Pool

BASE = "the seasonal naive base"


def split_by_length(frames: dict, need: int) -> tuple[dict, dict]:
    """``(long, short)``: the series with at least ``need`` rows, and the others."""
    long = {k: f for k, f in frames.items() if len(f) >= need}
    return long, {k: f for k, f in frames.items() if len(f) < need}


def agree(sd, pool) -> list[int]:
    """The lengths of every series of the panel, sorted (of every worker's part, when
    ``sd`` is one part of it: :mod:`forecast.pool`).

    Raises:
        DataError: the workers read their parts with different columns or frequency.
    """
    if pool.workers == 1:
        return sorted(len(f) for f in sd.frames.values())
    if sd.part is None or (sd.part.index, sd.part.workers) != (pool.index, pool.workers):
        raise ValueError(
            f"worker {pool.index} of {pool.workers} needs its part of the data "
            "(read it with part=(index, workers))"
        )
    facts = pool.share(
        (sd.freq, sd.time_col, list(sd.targets), list(sd.covariates), list(sd.lengths.values()))
    )
    for i, what in enumerate(("frequency", "time column", "targets", "covariates")):
        seen = [fact[i] for fact in facts]
        if any(value != seen[0] for value in seen):
            found = ", ".join(f"{value!r} in worker {w}'s" for w, value in enumerate(seen))
            raise DataError(
                f"{sd.source}: the workers found different {what} in their series ({found}); "
                "name it (freq=, time_col=, target=, covariates=)"
            )
    return sorted(n for fact in facts for n in fact[4])


def share_split(pool, long: dict, short: dict, order=None) -> tuple[list[int], list[str]]:
    """``(long series per worker, every short series in ``order``)`` of a pooled panel.

    Raises:
        TrainingError: some worker, but not every one, has no series long enough.
    """
    facts = pool.share((len(long), [str(key) for key in short]))
    counts = [fact[0] for fact in facts]
    if 0 < sum(counts) and min(counts) == 0:
        raise TrainingError(
            f"sharding by series: the series of worker {counts.index(0)} of {len(counts)} "
            "are all too short for the model; use fewer workers or shard by batch"
        )
    keys = [key for fact in facts for key in fact[1]]
    if order is not None:
        position = {str(key): i for i, key in enumerate(order)}
        keys.sort(key=position.__getitem__)
    return counts, keys


def names(keys, limit: int = 5) -> str:
    """``'a', 'b' and 3 more``: a few series named, for one note line."""
    keys = [repr(str(k)) for k in keys]
    shown = ", ".join(keys[:limit])
    return shown + (f" and {len(keys) - limit} more" if len(keys) > limit else "")


def check_season(season: int | None, lengths: list[int]) -> None:
    """Refuses a ``season_length`` the user gave (``season``; ``None``: the frequency's)
    that is longer than every series (``lengths``: sorted, :func:`agree`): no model could
    repeat or estimate a season (seasonal naive would repeat the last value), so it is
    taken for a mistake rather than forecast without it.

    Example:
        >>> check_season(1000, [144])
        Traceback (most recent call last):
        ...
        forecast.errors.DataError: season_length=1000 is longer than the series (144 rows); give a season of at most 144 steps
    """
    if season is not None and season > lengths[-1]:
        what = "the series" if len(lengths) == 1 else "the longest series"
        raise DataError(
            f"season_length={season} is longer than {what} ({lengths[-1]} rows); give a "
            f"season of at most {lengths[-1]} steps"
        )


def short_note(short, total: int, need: int, what: str) -> str:
    """The one note line about the series too short for the model (``short``: their keys).

    Example:
        >>> short_note({"b": None}, 3, 20, "lookback 12 + horizon 6 + 1 validation row")
        "1 of 3 series ('b') is too short for lookback 12 + horizon 6 + 1 validation row (at least 20 rows): forecast by the seasonal naive base, not the model"
    """
    verb = "are" if len(short) > 1 else "is"
    return (
        f"{len(short)} of {total} series ({names(short)}) {verb} too short for {what} "
        f"(at least {need} rows): forecast by {BASE}, not the model"
    )


@dataclass
class Route:
    """Which series of a prediction the base forecasts, and why (see :func:`route`)."""

    use_base: dict = field(default_factory=dict)  # {key: bool}
    unseen: list = field(default_factory=list)  # keys not seen in training
    too_short: list = field(default_factory=list)  # keys with fewer rows than the lookback


def route(frames: dict, known, base_series, lookback: int) -> Route:
    """Routes every series of a prediction to the model or the base.

    The base forecasts the series that were too short at fit (``base_series``) and those
    with fewer than ``lookback`` rows now; the model forecasts the others, including
    series not seen in training (``known``: the keys seen) that have a lookback of history.

    Example:
        >>> import pandas as pd
        >>> frames = {k: pd.DataFrame({"y": range(n)}) for k, n in (("a", 9), ("b", 3), ("c", 9))}
        >>> r = route(frames, known={"a", "b"}, base_series=["b"], lookback=6)
        >>> r.use_base, r.unseen, r.too_short
        ({'a': False, 'b': True, 'c': False}, ['c'], [])
    """
    out = Route()
    for key, frame in frames.items():
        name = str(key)
        if name not in known:
            out.unseen.append(key)
        out.use_base[key] = name in base_series or len(frame) < lookback
        if out.use_base[key] and name not in base_series:
            out.too_short.append(key)
    return out


def route_notes(r: Route, model: str, lookback: int) -> list[str]:
    """Sentences about the series not forecast as in training (``predict().attrs["notes"]``)."""
    notes = []
    new_by_model = [k for k in r.unseen if not r.use_base[k]]
    if new_by_model:
        notes.append(
            f"{len(new_by_model)} series not seen in training ({names(new_by_model)}): "
            f"forecast by {model} from their own history, scaled on it"
        )
    if r.too_short:
        new = sum(k in r.unseen for k in r.too_short)
        seen = f", {new} of them not seen in training" if new else ""
        notes.append(
            f"{len(r.too_short)} series ({names(r.too_short)}{seen}) have fewer rows than "
            f"the lookback {lookback}: forecast by {BASE}"
        )
    return notes


def base_forecast(frame, targets, horizon: int, season: int) -> np.ndarray:
    """The base forecast from the end of one series: ``(horizon, n_targets)``."""
    return SeasonalNaive.point(frame[list(targets)].to_numpy(dtype=float), horizon, season)


def scale_of(frame, targets, season: int, log: bool = False) -> np.ndarray:
    """The interval scale of a series, from all its rows: ``(n_targets,)``; ``log``: on
    the log scale (:func:`~forecast.intervals.on_scale`)."""
    values = frame[list(targets)].to_numpy(dtype=float)
    floor = log_floor(values) if log else None
    return series_scale(on_scale(values, log, floor), season)


def calibrate(
    model, frames: dict, origins: dict, targets, horizon: int, season: int, level, pool=None
):
    """Validation forecasts → metrics, scales and the scale-free quantile grids.

    Args:
        model: the fitted registry model.
        frames: ``{key: frame}`` of the series the model was trained on.
        origins: ``{key: [origin, …]}`` their validation origins.
        targets: the target names (``K``).
        horizon, season: the trained horizon and season.
        level: the default interval level, percent (for the cross-fitted coverage).
        pool: the :class:`~forecast.pool.Pool` when ``frames`` are one worker's part of
            the panel: the metrics, grids and coverage are then those of every worker's
            validation errors together, though none leave their worker (only sums and
            counts do: :func:`forecast.intervals.pooled_quantiles`).

    Returns:
        ``dict(metrics=…, interval=…, grid=(L, H, K), base_grid=(L, H, K), scales={key: (K,)},
        log=[key, …])``; ``scales`` holds the scale of every series of ``frames`` (from its
        rows before its first validation origin); ``grid`` the model's and ``base_grid`` the
        seasonal naive base's scale-free conformal quantiles (:func:`quantile_grid`).
        ``log`` names the series the model forecasts on the log scale
        (:meth:`~forecast.models.Model.log_scale`): their errors, scales and so intervals
        are taken on that scale, where the model's errors are alike at every level of the
        series (a series that grew by half since its validation origins gets an interval
        half as wide again).
        The model's errors are those of its parts (:meth:`~forecast.models.Model.forecast_parts`),
        weighted: for one part, the error of its forecast. Both grids read each level
        where :func:`~forecast.intervals.forward_levels` says (higher where the earlier
        half of each series' origins under-covered the later half).
    """
    parts = model.forecast_parts(frames, origins)
    combined = combine(parts)
    steps = np.arange(horizon)
    actual, naive, forecasts, mase_scales, scales, logs = [], [], [], [], {}, []
    scale_free, naive_free = [], []  # on each series' interval scale, over its scale
    early = []  # the first half of each series' origins (forward_levels)
    for key, frame in frames.items():
        values = frame[list(targets)].to_numpy(dtype=float)
        rows = np.asarray(origins[key])
        early.append(np.arange(len(rows)) < len(rows) // 2)
        actual.append(values[rows[:, None] + steps])
        naive.append(np.stack([SeasonalNaive.point(values[:o], horizon, season) for o in rows]))
        mase_scales.append(seasonal_naive_mae(values[: rows[0]], season))
        forecasts.append(combined[key])
        log = model.log_scale(key, frame)
        if log:
            logs.append(str(key))
        floor = log_floor(values[: rows[0]]) if log else None
        truth = on_scale(actual[-1], log, floor)
        scales[str(key)] = scale = series_scale(on_scale(values[: rows[0]], log, floor), season)
        # no cancelling of the parts' errors (Model.forecast_parts): >= |combined error|
        bound = sum(w * np.abs(truth - on_scale(part[key], log, floor)) for w, part in parts)
        scale_free.append(bound / scale)
        naive_free.append(np.abs(truth - on_scale(naive[-1], log, floor)) / scale)
    actual, predicted, naive = map(np.concatenate, (actual, forecasts, naive))
    errors, naive_errors = np.abs(actual - predicted), np.abs(actual - naive)  # (N, H, K)
    scale_free, naive_free = np.concatenate(scale_free), np.concatenate(naive_free)
    pool = pool or Pool()
    sums = pool.total(
        np.array([errors.sum(), errors.size, naive_errors.sum(), np.sum(mase_scales), len(frames)])
    )
    mae, naive_mae, mase_scale = sums[0] / sums[1], sums[2] / sums[1], sums[3] / sums[4]
    metrics = {
        "origins": int(pool.total(np.int64(len(errors)))),
        "series": int(sums[4]),
        "mae": float(mae),
        "seasonal_naive_mae": float(naive_mae),
        "mase": float(mae / mase_scale) if mase_scale > 0 else math.nan,
        "seasonal_naive_mase": float(naive_mae / mase_scale) if mase_scale > 0 else math.nan,
    }
    total = None if pool.workers == 1 else pool.total
    offset = sum(pool.share(len(errors))[: pool.index])
    interval = {
        "method": (
            "split conformal on scale-free errors: point ± the level-quantile of "
            "|validation error| / series scale, pooled over series, per step and target, "
            "times the series' scale (its in-sample seasonal naive MAE); on the log scale "
            "(point × exp(±…)) for the series the model forecasts on it; for a combination, "
            "the weighted sum of its parts' |validation errors|, and at predict the interval "
            "also spans the parts' forecasts; a level is read higher "
            "where the earlier origins' errors under-covered the later ones'"
        ),
        "level": level,
        "coverage": cross_fitted_coverage(scale_free, level, total, offset),
    }
    return {
        "metrics": metrics,
        "interval": interval,
        "grid": _forward_grid(scale_free, early, total),
        "base_grid": _forward_grid(naive_free, early, total),
        "scales": scales,
        "log": logs,
    }


def _forward_grid(scale_free: np.ndarray, early: list, total) -> np.ndarray:
    """The quantile grid of ``scale_free``, each level read where :func:`forward_levels` says."""
    return quantile_grid(scale_free, total)[
        forward_levels(scale_free, np.concatenate(early), total)
    ]
