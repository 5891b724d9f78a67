"""A fitted :class:`~forecast.Forecaster`'s state as the manifest's JSON, and back.

The manifest (``forecast.json``, see DESIGN.md) is :func:`config_of` plus what
:mod:`forecast.modeldir` adds. It holds summaries, never one value per validation origin:
the interval is kept as scale-free quantiles on the grid :data:`forecast.intervals.LEVELS`
per step and target, one scale per series and target, and the series whose scales (and
intervals) are on the log scale.
"""

from __future__ import annotations

import numpy as np

from forecast import models
from forecast.errors import ModelDirError
from forecast.history import read_history
from forecast.intervals import LEVELS


def config_of(fc, version: int) -> dict:
    """The JSON-ready state of the fitted ``fc`` (its :meth:`get_config`)."""
    return {
        "config_version": version,
        "params": fc.get_params(),
        "data": fc.data_info_,
        "lookback": fc.lookback_,
        "horizon": fc.horizon_,
        "season_length": fc.season_length_,
        "calendar": fc.calendar_,
        "seed": fc.seed,
        "model": {"name": fc.model, "state": fc.model_.get_config()},
        "training": fc.training_,
        "validation": finite(fc.metrics_),
        "interval": {
            **finite(fc.interval_),
            "levels": list(LEVELS),
            "quantiles": fc.quantiles_.tolist(),
            "base_quantiles": fc.base_quantiles_.tolist(),
            "scales": {key: scale.tolist() for key, scale in fc.scales_.items()},
            "log_scales": sorted(fc.log_scales_),
        },
        "base_series": fc.base_series_,
        "notes": fc.notes_,
    }


def restore(fc, config: dict, files: dict, history: str):
    """Sets the fitted attributes of the unfitted ``fc`` from :func:`config_of` and the
    files (``history``: the name of the kept history's file); returns ``fc``.

    Raises:
        ModelDirError: the config is incomplete or inconsistent.
    """
    try:
        data = config["data"]
        fc.data_info_ = data
        fc.freq_, fc.targets_, fc.covariates_ = data["freq"], data["targets"], data["covariates"]
        fc.lookback_, fc.horizon_ = config["lookback"], config["horizon"]
        fc.season_length_, fc.calendar_ = config["season_length"], config["calendar"]
        fc.metrics_, fc.training_ = config["validation"], config["training"]
        interval = config["interval"]
        fc.interval_ = {k: interval[k] for k in ("method", "level", "coverage")}
        if list(interval["levels"]) != list(LEVELS):
            raise ValueError("the interval levels differ from this version's grid")
        fc.quantiles_ = np.asarray(interval["quantiles"], dtype=float)
        fc.base_quantiles_ = np.asarray(interval["base_quantiles"], dtype=float)
        fc.scales_ = {k: np.asarray(v, dtype=float) for k, v in interval["scales"].items()}
        fc.log_scales_ = set(interval["log_scales"])
        fc.base_series_, fc.notes_ = list(config["base_series"]), list(config["notes"])
        fc.history_ = read_history(files[history], data)
        model_cls = models.get(config["model"]["name"])
        state = config["model"]["state"]
    except (KeyError, TypeError, ValueError) as exc:
        raise ModelDirError(f"the manifest is incomplete or corrupt ({exc}); refit") from None
    fc.model_ = model_cls.from_config(fc._spec(), state, files)
    return fc


def finite(d: dict) -> dict:
    """JSON has no NaN: NaN and infinities become null."""
    return {k: None if isinstance(v, float) and not np.isfinite(v) else v for k, v in d.items()}
