"""The schema of a fitted Forecaster's config (the manifest of its model directory).

:meth:`forecast.Forecaster.from_config` checks a config with :func:`check_config` before it
uses any of it, so that a crafted ``forecast.json`` cannot ask for a billion-step horizon,
feed a string where a number belongs, or name a model that does not exist. The model's own
``state`` is checked by the model (``Model.from_config``).

Example:
    >>> check_config({"config_version": CONFIG_VERSION})
    Traceback (most recent call last):
    ...
    forecast.errors.ModelDirError: 'manifest' is missing 'schema_version'
    >>> check_config({"config_version": 2})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    forecast.errors.ModelDirError: written by an older forecast (config version 2, ...); refit the model
"""

from __future__ import annotations

from forecast import models
from forecast.errors import ModelDirError, ParameterError
from forecast.intervals import LEVELS
from forecast.params import PARAMETERS, check
from forecast.schema import Any, Int, List, Map, Num, Str
from forecast.schema import check as check_schema

CONFIG_VERSION = 6  # 3: per-series scalers, quantile grids, base_series, notes; 4: seasonal
# indices; 5: theta's parameters (the combination's partner); 6: intervals on the log scale
MAX_LOOKBACK = 100_000
MAX_HORIZON = 10_000
MAX_COLUMNS = 10_000

_NAME = Str(max_len=1024)
_DATA = {
    "source": Str(),
    "time_col": _NAME,
    "id_col": Str(max_len=1024, optional=True),
    "targets": List(_NAME, min_len=1, max_len=MAX_COLUMNS),
    "covariates": List(_NAME, max_len=MAX_COLUMNS),
    "freq": Str(max_len=32),
    "tz": Str(max_len=64, optional=True),
    "sha256": Str(pattern=r"[0-9a-f]{64}"),
    "series": Map({"rows": Int(1, 10**12), "start": Str(max_len=64), "end": Str(max_len=64)}),
}
SCHEMA = {
    "schema_version": None,  # checked by forecast.modeldir
    "versions": Map(Str(max_len=64, optional=True), max_len=32),
    "files": None,  # checked by forecast.modeldir
    "checksum": None,  # checked by forecast.modeldir
    "config_version": Int(CONFIG_VERSION, CONFIG_VERSION),
    "params": Map(Any(), max_len=len(PARAMETERS)),
    "data": _DATA,
    "lookback": Int(1, MAX_LOOKBACK),
    "horizon": Int(1, MAX_HORIZON),
    "season_length": Int(1, MAX_LOOKBACK),
    "calendar": List(Str(max_len=64), max_len=64),
    "seed": Int(-(2**63), 2**63 - 1),
    "model": {"name": Str(max_len=64, choices=models.names()), "state": Map(Any(), max_len=64)},
    "training": Map(Any(), max_len=64),
    "validation": Map(Num(optional=True), max_len=64),
    "interval": {
        "method": Str(),
        "level": Num(0, 100),
        "coverage": Num(0, 100, optional=True),
        "levels": List(Num(0, 100), max_len=len(LEVELS)),
        "quantiles": List(List(List(Num(0, optional=True)))),
        "base_quantiles": List(List(List(Num(0, optional=True)))),
        "scales": Map(List(Num(0, optional=True), max_len=MAX_COLUMNS)),
        "log_scales": List(Str(max_len=4096)),
    },
    "base_series": List(Str(max_len=4096)),
    "notes": List(Str(max_len=100_000), max_len=1000),
}


def check_config(config) -> None:
    """Raises :class:`~forecast.errors.ModelDirError` unless ``config`` fits :data:`SCHEMA`.

    Beyond types and ranges: the parameters pass :func:`forecast.params.check`, the
    interval's quantile grids are ``(levels, horizon, targets)``, one scale per target,
    a series on the log scale has a scale.
    """
    version = config.get("config_version") if isinstance(config, dict) else None
    if type(version) is int and version != CONFIG_VERSION:  # a format of another release
        older = version < CONFIG_VERSION
        raise ModelDirError(
            f"written by {'an older' if older else 'a newer'} forecast (config version "
            f"{version}, this version reads {CONFIG_VERSION}); "
            + ("refit the model" if older else "upgrade forecast or refit")
        )
    check_schema(config, SCHEMA)
    params = config["params"]
    unknown = sorted(set(params) ^ set(PARAMETERS))
    if unknown:
        raise ModelDirError(f"'params' has an unknown or missing parameter {unknown[0]!r}")
    try:
        check(params)
    except ParameterError as exc:
        raise ModelDirError(f"'params': {exc}") from None
    interval = config["interval"]
    shape = (len(LEVELS), config["horizon"], len(config["data"]["targets"]))
    for key in ("quantiles", "base_quantiles"):
        if not _has_shape(interval[key], shape):
            raise ModelDirError(
                f"'interval.{key}' must be a table (levels, horizon, targets) = {shape}"
            )
    targets = len(config["data"]["targets"])
    if any(len(scale) != targets for scale in interval["scales"].values()):
        raise ModelDirError(f"'interval.scales' must hold {targets} scale(s) per series")
    if not set(interval["log_scales"]) <= set(interval["scales"]):
        raise ModelDirError("'interval.log_scales' names a series that has no scale")


def _has_shape(nested: list, shape: tuple[int, ...]) -> bool:
    """Whether nested lists form a full table of ``shape`` (ragged ones do not).

    Example:
        >>> _has_shape([[1, 2], [3]], (2, 2)), _has_shape([[1, 2], [3, 4]], (2, 2))
        (False, True)
    """
    if not shape:
        return not isinstance(nested, list)
    return (
        isinstance(nested, list)
        and len(nested) == shape[0]
        and all(_has_shape(item, shape[1:]) for item in nested)
    )
