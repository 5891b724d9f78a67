"""A fitted :class:`~forecast.Forecaster`'s prediction: the request, the data, the table.

:meth:`Forecaster.predict <forecast.Forecaster.predict>` checks the request
(:func:`check_request`: ``horizon`` and ``level``), takes the kept history or new data
matched against the trained columns and frequency (:func:`new_data`), keeps the series
asked for (:func:`select`), and :func:`table` routes every series to the model or the
seasonal naive base (:func:`forecast.panel.route`) and builds the forecast table: per
target ``T`` the columns ``T``, ``T_lower``, ``T_upper`` (see :mod:`forecast.columns`),
indexed by the future timestamps, by ``(id, time)`` for several series.

The functions read the fitted attributes of the estimator (``targets_``, ``horizon_``,
``quantiles_``, …) and set none.

Example:
    >>> import pandas as pd
    >>> frames = {"a": pd.DataFrame({"y": [1.0]}), "b": pd.DataFrame({"y": [2.0]})}
    >>> list(select(frames, ["b", "a", "b"]))
    ['b', 'a']
"""

from __future__ import annotations

import os
import re

import numpy as np
import pandas as pd

from forecast import panel
from forecast.columns import interval_columns
from forecast.combination import combine
from forecast.data import SeriesData, load_data, validate_frame
from forecast.data.container import _label, _names, _quote
from forecast.errors import DataError
from forecast.frequency import freq_name, future_index
from forecast.intervals import bounds, half_width, log_floor
from forecast.params import PARAMETERS


def check_request(fc, horizon, level) -> tuple[int, float]:
    """``(horizon, level)`` of a prediction, the fitted defaults for ``None``.

    Raises:
        DataError: ``horizon`` is beyond the trained one, or ``level`` out of range.
    """
    horizon = fc.horizon_ if horizon is None else horizon
    if not isinstance(horizon, int | np.integer) or not 1 <= horizon <= fc.horizon_:
        raise DataError(
            f"horizon must be between 1 and the trained horizon {fc.horizon_}, got "
            f"{horizon!r}; refit with horizon={horizon} to forecast further"
        )
    level = fc.level if level is None else level
    if not PARAMETERS["level"].accepts(level):
        raise DataError(f"level must be {PARAMETERS['level'].describe()}, got {level!r}")
    return horizon, level


def new_data(fc, data) -> SeriesData:
    """``data`` (a CSV or Parquet path, DataFrame or SeriesData) checked against the
    trained columns and frequency.

    Raises:
        DataError: the data breaks the data contract, or its frequency or columns differ
            from the training data's; the message says what the model reads instead of
            the parameters that would change it (they are the model's).
    """
    info = fc.data_info_
    sd = data
    if not isinstance(data, SeriesData):
        contract = {
            "target": fc.targets_,
            "covariates": fc.covariates_ or None,
            "id_col": info["id_col"],
            "freq": fc.freq_,
        }
        try:
            if isinstance(data, str | os.PathLike):
                sd = load_data(data, time_col=info["time_col"], **contract)
            else:
                columns = getattr(data, "columns", ())
                time_col = info["time_col"] if info["time_col"] in columns else None
                sd = validate_frame(data, time_col=time_col, source="new data", **contract)
        except DataError as error:
            raise DataError(as_the_models(fc, str(error))) from None
    if sd.freq != fc.freq_:
        raise DataError(
            f"{sd.source}: frequency {sd.freq!r} differs from the trained {fc.freq_!r}; "
            "resample the data or refit"
        )
    trained = fc.targets_ + fc.covariates_
    if list(sd.targets) + list(sd.covariates) != trained:
        raise DataError(
            f"{sd.source}: columns {list(sd.targets) + list(sd.covariates)} differ from the "
            f"trained {trained}; give the same target= and covariates="
        )
    return sd


# advice to change what the model fixed: its time column, targets, covariates, ids, frequency
_FIXED = re.compile(r"\b(freq|time_col|target|covariates|id_col)=")
_CHECK_FREQ = re.compile(r"check freq=( or the dates)?")


def as_the_models(fc, message: str) -> str:
    """A loading error of new data, its advice to set the data parameters (which the
    model fixed) replaced by what the model reads.

    Example:
        >>> from types import SimpleNamespace as NS
        >>> fc = NS(targets_=["y"], covariates_=[], freq_="MS",
        ...         data_info_={"time_col": "month", "id_col": None})
        >>> as_the_models(fc, "new.csv: time column 'month' not found; available columns: date, y")
        "new.csv: time column 'month' not found; available columns: date, y; the model reads time column 'month', target 'y', monthly dates ('MS'): match it, or refit"
        >>> as_the_models(fc, "new.csv, line 2: timestamp 2020-01-06 is not on the monthly grid 'MS'; check freq= or the dates")
        "new.csv, line 2: timestamp 2020-01-06 is not on the monthly grid 'MS'; check the dates; the model reads time column 'month', target 'y', monthly dates ('MS'): match it, or refit"
    """
    first, *advice = message.split("; ")
    # the dates are the user's to fix; the other advice sets what the model fixed
    advice = [_CHECK_FREQ.sub("check the dates", a) for a in advice]
    advice = [a for a in advice if not _FIXED.search(a)]
    info = fc.data_info_
    reads = [f"time column {_quote(info['time_col'])}"]
    if info["id_col"] is not None:
        reads.append(f"id column {_quote(info['id_col'])}")
    for word, names in (("target", fc.targets_), ("covariate", fc.covariates_)):
        if names:
            word = word if len(names) == 1 else word + "s"
            reads.append(f"{word} {_names(names, 5, show=_quote)}")
    reads.append(f"{freq_name(fc.freq_)} dates ({fc.freq_!r})")
    return "; ".join([first, *advice, f"the model reads {', '.join(reads)}: match it, or refit"])


def select(frames: dict, series) -> dict:
    """The frames of the ids in ``series`` (compared as text), in that order."""
    wanted = [str(s) for s in ([series] if isinstance(series, str) else series)]
    if None in frames:
        raise DataError("series= selects series of long-format data; this model has one series")
    missing = [s for s in wanted if s not in frames]
    if missing:
        known = ", ".join(repr(k) for k in list(frames)[:10])
        more = ", …" if len(frames) > 10 else ""
        raise DataError(f"series {missing[0]!r} is not in the data; the ids are {known}{more}")
    return {s: frames[s] for s in dict.fromkeys(wanted)}


def table(fc, frames: dict, horizon: int, level: float, source=None) -> pd.DataFrame:
    """The forecast table of ``frames``, each from its own end; ``attrs["notes"]`` says
    which series were not forecast as in training.

    Args:
        source: where ``frames`` were read (new data), for messages; None: the training data.

    Raises:
        DataError: every series goes to the base and one has fewer rows than the lookback.
    """
    route = panel.route(frames, fc.scales_, fc.base_series_, fc.lookback_)
    if route.too_short and all(route.use_base.values()):
        key = route.too_short[0]
        where = "the training data" if source is None else _label(source)
        what = "the series" if key is None else f"series {key!r}"
        raise DataError(
            f"{where}: {what} has {len(frames[key])} rows but the model needs the last "
            f"{fc.lookback_} (its lookback) to forecast from; give at least {fc.lookback_} rows"
        )
    by_model = {key: f for key, f in frames.items() if not route.use_base[key]}
    parts, points = [], {}
    if by_model:  # none where every series asked for goes to the base (predict --series)
        parts = fc.model_.forecast_parts(by_model, {key: [len(f)] for key, f in by_model.items()})
        points = combine(parts)
    pieces = []
    for key, frame in frames.items():
        base = route.use_base[key]
        if base:
            point = panel.base_forecast(frame, fc.targets_, fc.horizon_, fc.season_length_)
            spread = None
        else:
            point = points[key][0]
            # a combination's interval holds each of its parts (intervals.bounds); a single
            # part is the point itself, always inside
            spread = np.stack([part[key][0] for _, part in parts])[:, :horizon]
        scale, log = _interval_scale(fc, key, frame, base)
        width = half_width(fc.base_quantiles_ if base else fc.quantiles_, level, scale)
        pieces.append(
            piece(
                key,
                frame,
                point[:horizon],
                width[:horizon],
                fc.targets_,
                fc.data_info_["id_col"],
                log,
                spread,
            )
        )
    out = pd.concat(pieces) if len(pieces) > 1 else pieces[0]
    out.attrs["notes"] = panel.route_notes(route, fc.model, fc.lookback_)
    return out


def _interval_scale(fc, key, frame, base: bool):
    """``(scale (K,), log)``: a series' interval scale and whether it is on the log scale.

    A series seen in training keeps its fitted ones; a series not seen in training is
    scaled on its given history, on the log scale where the model would forecast it there.
    """
    scale = fc.scales_.get(str(key))
    if scale is not None:
        if str(key) not in fc.log_scales_:
            return scale, False
        if (frame[list(fc.targets_)].to_numpy() > 0).all():
            return scale, True
        # new rows of 0 or below: only the base takes them (the network refuses them)
        return panel.scale_of(frame, fc.targets_, fc.season_length_), False
    log = not base and fc.model_.log_scale(key, frame)
    return panel.scale_of(frame, fc.targets_, fc.season_length_, log), log


def piece(key, frame, point, width, targets, id_col, log=False, parts=None) -> pd.DataFrame:
    """One series' forecast table from its point ``(h, K)`` and half-width ``(h, K)`` on
    its interval scale (``log``: the log scale), the interval spanning ``parts`` (``(P, h,
    K)``, a combination's parts, or ``None``; :func:`~forecast.intervals.bounds`). A target
    whose history (``frame``) never went below 0 has its point and bounds clipped at 0."""
    index = future_index(frame.index, len(point))
    history = frame[list(targets)].to_numpy(dtype=float)
    floor = log_floor(history) if log else None
    low, high = bounds(point, width, log, floor, parts)
    # a target whose history never went below 0 (sales, counts, rain) is not forecast below it
    zero = np.where((history >= 0).all(axis=0), 0.0, -np.inf)
    point, low, high = (np.maximum(a, zero) for a in (point, low, high))
    columns = {}
    for k, target in enumerate(targets):
        name, lower, upper = interval_columns(target)
        columns[name] = point[:, k]
        columns[lower] = low[:, k]
        columns[upper] = high[:, k]
    out = pd.DataFrame(columns, index=index)
    if key is not None:
        out.index = pd.MultiIndex.from_arrays(
            [np.full(len(point), key, dtype=object), index],
            names=[id_col, index.name],
        )
    return out
