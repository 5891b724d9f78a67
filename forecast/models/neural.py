"""The neural models: ``lstm`` (direct multi-step) and ``lstm-ar`` (autoregressive feedback).

Both are Keras graphs built on :mod:`forecast.layers` (see :mod:`forecast.networks`) and
trained by :mod:`forecast.training`; TensorFlow is imported only when one is fitted or
loaded, so that the registry stays cheap to import.

Their learned state: the target transform (``log`` or ``none``), the column scaler fitted
on the training rows, the trained ensemble (``model.keras``) and, for ``lstm``, the lags of
the naive base that the network corrects.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from forecast.errors import ModelDirError
from forecast.models.base import Model, ModelSpec

NETWORK = "model.keras"


class _Network(Model):
    """What the two networks share: scaling, training, prediction and their files."""

    needs_tensorflow = True
    uses_lookback = True
    chooses_base = False  # lstm: the seasonal naive lags are chosen on the training windows

    def __init__(self, spec: ModelSpec):
        super().__init__(spec)
        self.transform_ = "none"
        self.scaler_ = None
        self.network_ = None
        self.base_seasons_ = None

    def label_width(self, n_columns: int) -> int:
        """How many of the scaled columns the network forecasts."""
        raise NotImplementedError

    def build(self, *, n_features: int, seed: int):
        """One uncompiled member network."""
        raise NotImplementedError

    def fit(self, frames: dict, validation: dict) -> dict:
        from forecast import training

        spec = self.spec
        self.transform_ = training.choose_transform(spec.transform, frames, spec.targets)
        self.scaler_ = training.fit_train_scaler(spec, frames, validation, self.transform_)
        if self.chooses_base:
            splits = training.splits(spec, frames, validation)
            self.base_seasons_ = training.choose_base(spec, frames, splits)
        self.network_, info = training.train(self, frames, validation)
        if self.base_seasons_ is not None:
            info["base_seasons"] = self.base_seasons_
        return info

    def inputs(self, frame, origins, labels: bool = False):
        """The network's inputs (and scaled labels) at ``origins`` of one series."""
        from forecast import training

        return training.design(
            self.spec,
            frame,
            origins,
            scaler=self.scaler_,
            transform=self.transform_,
            label_width=self.label_width(len(self.spec.targets) + len(self.spec.covariates))
            if labels
            else None,
        )

    def forecast(self, frames: dict, origins: dict) -> dict:
        from forecast import training

        keys = list(frames)
        parts = [self.inputs(frames[key], origins[key])[0] for key in keys]
        stacked = [np.concatenate(p) for p in zip(*parts, strict=True)]
        scaled = training.predict_scaled(self.network_, stacked)
        points = training.unscale_targets(
            scaled, self.scaler_, self.transform_, len(self.spec.targets)
        )
        sizes = np.cumsum([len(origins[key]) for key in keys])[:-1]
        return dict(zip(keys, np.split(points, sizes), strict=True))

    def get_config(self) -> dict:
        return {
            "transform": self.transform_,
            "scaler": {
                "kind": "StandardScaler",
                "columns": [*self.spec.targets, *self.spec.covariates],
                "mean": self.scaler_.mean_.tolist(),
                "scale": self.scaler_.scale_.tolist(),
            },
            "base_seasons": self.base_seasons_,
        }

    @classmethod
    def from_config(cls, spec: ModelSpec, config: dict, files: dict[str, Path]):
        from forecast import training
        from forecast.modeldir import load_keras
        from forecast.schema import Int, List, Num, Str, check

        width = len(spec.targets) + len(spec.covariates)
        columns = List(Num(), min_len=width, max_len=width)
        scaler = {"kind": Str(choices=("StandardScaler",)), "columns": List(Str()), "mean": columns}
        scaler["scale"] = List(Num(low=1e-300), min_len=width, max_len=width)
        seasons = List(Int(1, spec.lookback), min_len=1, max_len=2, optional=True)
        state = {"transform": Str(choices=("log", "none")), "scaler": scaler}
        check(config, {**state, "base_seasons": seasons}, "model.state")
        if NETWORK not in files:
            raise ModelDirError(f"{NETWORK} is not listed in the manifest; refit")
        model = cls(spec)
        model.transform_ = config["transform"]
        model.scaler_ = training.scaler_from(config["scaler"]["mean"], config["scaler"]["scale"])
        model.base_seasons_ = config["base_seasons"]
        model.network_ = load_keras(files[NETWORK])
        return model

    def save_files(self, directory: Path) -> list[str]:
        self.network_.save(directory / NETWORK)
        return [NETWORK]

    @classmethod
    def files(cls) -> tuple[str, ...]:
        return (NETWORK,)


class LSTMDirect(_Network):
    """An LSTM encoder and a dense head that emits the whole horizon at once.

    The network forecasts the change from a seasonal naive base (see
    :func:`forecast.networks.build_direct`).
    """

    name = "lstm"
    summary = "LSTM encoder, whole horizon at once, correcting a seasonal naive base"
    chooses_base = True

    def label_width(self, n_columns: int) -> int:
        return len(self.spec.targets)

    def build(self, *, n_features: int, seed: int):
        from forecast import networks

        spec = self.spec
        return networks.build_direct(
            lookback=spec.lookback,
            n_features=n_features,
            n_targets=len(spec.targets),
            n_calendar=len(spec.calendar),
            horizon=spec.horizon,
            units=spec.units,
            layers=spec.layers,
            dropout=spec.dropout,
            seed=seed,
            seasons=self.base_seasons_,
        )


class LSTMFeedback(_Network):
    """One LSTM cell that feeds each prediction back as its next input.

    See :func:`forecast.networks.build_feedback`.
    """

    name = "lstm-ar"
    summary = "LSTM cell fed back its own predictions (autoregressive)"

    def label_width(self, n_columns: int) -> int:
        return n_columns

    def build(self, *, n_features: int, seed: int):
        from forecast import networks

        spec = self.spec
        return networks.build_feedback(
            lookback=spec.lookback,
            n_features=n_features,
            n_calendar=len(spec.calendar),
            horizon=spec.horizon,
            units=spec.units,
            dropout=spec.dropout,
            seed=seed,
        )
