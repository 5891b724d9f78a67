"""The interface every model implements, and the specification it is built from.

A model is one class (as statsforecast has one class per model): it is built from a
:class:`ModelSpec` — the resolved shape of the problem and the hyperparameters — learns
its state in :meth:`Model.fit` and forecasts from any history in :meth:`Model.forecast`.
The :class:`forecast.Forecaster` does everything around it (validation of the data,
validation origins, intervals, metrics, persistence), so a new model touches one place:
its class, registered in :mod:`forecast.models`.

Example:
    >>> from forecast.models import get
    >>> get("naive").needs_tensorflow, get("lstm").needs_tensorflow
    (False, True)
"""

from __future__ import annotations

import abc
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import numpy as np


@dataclass(frozen=True)
class ModelSpec:
    """What a model is built from: the problem's shape and the hyperparameters.

    Small and explicit on purpose: models and training read this, never the estimator.

    Attributes:
        targets, covariates: column names; every frame a model sees has exactly
            ``targets + covariates`` as columns, ``float64``, finite.
        freq: the pandas frequency alias of the data.
        lookback: input rows per forecast (neural models) or history used (baselines).
        horizon: steps forecast at once.
        season_length: the season in steps.
        calendar: the calendar feature names the networks read (empty: none).
        params: the Forecaster's hyperparameters (``units``, ``epochs``, ``seed`` …).
    """

    targets: tuple[str, ...]
    covariates: tuple[str, ...]
    freq: str
    lookback: int
    horizon: int
    season_length: int
    calendar: tuple[str, ...]
    params: dict

    def __getattr__(self, name):
        # hyperparameters read as attributes: spec.units, spec.seed …
        try:
            return self.__dict__["params"][name]
        except KeyError:
            raise AttributeError(name) from None


class Model(abc.ABC):
    """One forecasting method.

    Subclasses set the class attributes and implement :meth:`fit` and :meth:`forecast`;
    those with learned state also implement :meth:`get_config`/:meth:`from_config` (JSON
    state) and, for state that is not JSON (a network), :meth:`save_files`.

    Attributes:
        name: the registry key (``--model`` choice).
        summary: one line for the docs and ``--help``.
        needs_tensorflow: whether fitting or loading imports TensorFlow.
        is_baseline: shown beside every model by ``forecast evaluate``.
        uses_lookback: whether the model reads ``lookback`` rows; a model that does not
            needs only one season of history (its lookback is capped at the season).
        requires: optional packages (an extra of ``forecast``) it imports when it fits.
    """

    name: ClassVar[str]
    summary: ClassVar[str]
    needs_tensorflow: ClassVar[bool] = False
    is_baseline: ClassVar[bool] = False
    uses_lookback: ClassVar[bool] = False
    requires: ClassVar[tuple[str, ...]] = ()

    def __init__(self, spec: ModelSpec):
        self.spec = spec

    def fit(self, frames: dict, validation: dict) -> dict:
        """Learns the model's state from the training series.

        Args:
            frames: ``{series key: DataFrame}``, validated (see :class:`ModelSpec`).
            validation: ``{series key: [origin, …]}``: the held-out forecast origins of
                each series, whose labels the model may use only to stop training.

        Returns:
            A JSON-ready dict about the training, for the manifest (empty if nothing
            was learned).
        """
        return {}

    @abc.abstractmethod
    def forecast(self, frames: dict, origins: dict) -> dict:
        """Point forecasts made at the given origins.

        Args:
            frames: ``{key: DataFrame}`` histories with the trained columns and frequency.
            origins: ``{key: [origin, …]}``: row positions of the first forecast step;
                the model reads only the rows before each origin (``len(frame)``: the
                future).

        Returns:
            ``{key: array (n_origins, horizon, n_targets)}`` in data units.
        """

    def forecast_parts(self, frames: dict, origins: dict) -> list[tuple[float, dict]]:
        """The forecasts at ``origins`` as a weighted sum of parts (weights summing to 1):
        ``[(weight, {key: array (n_origins, horizon, n_targets)}), …]``.

        The intervals are calibrated on ``sum(weight * |error of part|)``, never less than
        the error of the sum: a combination whose weights were set on the validation origins,
        where its parts' errors cancel in part, is not trusted to do so on new data
        (:func:`forecast.panel.calibrate`); and a forecast's interval holds each of its parts'
        forecasts (:func:`forecast.intervals.bounds`). A single model is one part, its
        :meth:`forecast`.
        """
        return [(1.0, self.forecast(frames, origins))]

    def log_scale(self, key, frame) -> bool:
        """Whether the model forecasts the series ``key`` on the log scale (fitted, or for
        a series not seen in training chosen on ``frame``): its errors are then taken as
        multiplicative, and its intervals are calibrated on that scale
        (:func:`forecast.panel.calibrate`). ``False`` unless the model transforms its data.
        """
        return False

    def get_config(self) -> dict:
        """The learned state as a JSON-ready dict (see :meth:`from_config`)."""
        return {}

    @classmethod
    def from_config(cls, spec: ModelSpec, config: dict, files: dict[str, Path]) -> Model:
        """Rebuilds a fitted model from :meth:`get_config` and the files of :meth:`save_files`."""
        return cls(spec)

    def save_files(self, directory: Path) -> list[str]:
        """Writes the state that is not JSON into ``directory``; returns the file names."""
        return []

    @classmethod
    def files(cls) -> tuple[str, ...]:
        """The names of the files :meth:`save_files` may write (the model directory's schema)."""
        return ()


def targets_of(frame, spec: ModelSpec) -> np.ndarray:
    """The target columns of a validated frame: ``(rows, n_targets)`` float64."""
    return frame[list(spec.targets)].to_numpy(dtype=float)
