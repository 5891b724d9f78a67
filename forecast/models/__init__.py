"""The registry of models: one class per model, found by its name.

``forecast fit --model NAME`` and ``Forecaster(model=NAME)`` look models up here; the
command line's choices, ``forecast evaluate``'s baselines and the docs come from it.
Adding a model is one class with the :class:`~forecast.models.base.Model` interface and
one line in :data:`REGISTRY`. Importing this package is cheap (no pandas, no TensorFlow, no
statsforecast: ``ets``, ``theta`` and ``arima`` import it when they fit).

Example:
    >>> names()
    ('lstm', 'lstm-ar', 'naive', 'seasonal-naive', 'drift', 'ets', 'theta', 'arima')
    >>> baselines()
    ('naive', 'seasonal-naive', 'drift')
    >>> get("drift").summary
    'the line through the first and last values'
"""

from __future__ import annotations

from forecast.models.base import Model, ModelSpec
from forecast.models.baselines import Drift, Naive, SeasonalNaive
from forecast.models.neural import LSTMDirect, LSTMFeedback
from forecast.models.statistical import ARIMA, ETS, Theta

__all__ = ["REGISTRY", "Model", "ModelSpec", "baselines", "get", "names"]

REGISTRY: dict[str, type[Model]] = {
    cls.name: cls
    for cls in (LSTMDirect, LSTMFeedback, Naive, SeasonalNaive, Drift, ETS, Theta, ARIMA)
}


def names() -> tuple[str, ...]:
    """Every model's name, in the registry's order."""
    return tuple(REGISTRY)


def baselines() -> tuple[str, ...]:
    """The models that ``forecast evaluate`` always shows beside the chosen one."""
    return tuple(name for name, cls in REGISTRY.items() if cls.is_baseline)


def get(name: str) -> type[Model]:
    """The model class registered as ``name``.

    Raises:
        ValueError: no model of that name.
    """
    try:
        return REGISTRY[name]
    except KeyError:
        raise ValueError(f"model must be one of {', '.join(REGISTRY)}, got {name!r}") from None
