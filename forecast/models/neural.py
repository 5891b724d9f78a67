"""The neural models: ``lstm`` (direct multi-step) and ``lstm-ar`` (autoregressive feedback).

Both are Keras graphs built on :mod:`forecast.layers` (see :mod:`forecast.networks`) and
trained by :mod:`forecast.training`; TensorFlow is imported only when one is fitted or
loaded, so that the registry stays cheap to import.

Their learned state, per series: the target transform (``log`` where that series' targets
are all positive and ``transform="auto"``, else as given), the seasonal indices taken out
of its targets (``deseasonalize="auto"``: where a test finds the season;
:mod:`forecast.seasonal`) and the column scaler, both fitted on that series' training rows;
then the trained ensemble (``model.keras``), shared by all
series, and, for ``lstm``, the lags of the naive base that the network corrects; with
``combine="auto"`` the weights of the network and its partners, theta and (where it is
affordable) arima (:mod:`forecast.models.partners`, :mod:`forecast.combination`), chosen
on the validation origins, and theta's parameters fitted on each series' whole history
(:meth:`~forecast.models.statistical.Theta.fit_final`: five numbers per series and target;
a forecast moves them through the history it starts from, statsforecast's ``forward``,
where a refit would cost 15 ms to 0.5 s per series). A series not seen in training
(``predict(data=...)`` with a new id) is transformed, seasonally adjusted and scaled on its
own given history, the whole of it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from forecast import pool
from forecast.errors import ModelDirError
from forecast.models.base import Model, ModelSpec
from forecast.models.partners import Partnered

NETWORK = "model.keras"


class _Network(Partnered, Model):
    """What the two networks share: scaling, training, prediction and their files."""

    needs_tensorflow = True
    uses_lookback = True
    chooses_base = False  # lstm: the seasonal naive lags are chosen on the training windows

    def __init__(self, spec: ModelSpec):
        super().__init__(spec)
        self.transforms_ = {}  # {str(key): "log" | "none"}
        self.seasonals_ = {}  # {str(key): Seasonal}, the series with a season taken out
        self.scalers_ = {}  # {str(key): StandardScaler over targets + covariates}
        self.network_ = None
        self.base_seasons_ = None
        self.weight_ = 1.0  # the network's weight (forecast.combination)
        self.partner_ = None  # the theta model, moved to each history it forecasts from
        self.arima_weight_ = 0.0  # arima's weight, where it joins (models.partners)
        self.arima_ = None  # the arima model, refitted on each history it forecasts from
        # (frames, origins, network, theta, arima): the validation forecasts, for calibration
        self._validation = None

    def label_width(self, n_columns: int) -> int:
        """How many of the scaled columns the network forecasts."""
        raise NotImplementedError

    def build(self, *, n_features: int, seed: int):
        """One uncompiled member network."""
        raise NotImplementedError

    def fit(self, frames: dict, validation: dict) -> dict:
        from forecast import training

        spec = self.spec
        transforms = {
            key: training.choose_transform(spec.transform, frame, spec.targets)
            for key, frame in frames.items()
        }
        splits = training.splits(spec, frames, validation)  # training origins, split kind
        seasonals = training.fit_seasonals(spec, frames, splits, transforms)
        scalers = training.fit_train_scalers(spec, frames, splits, transforms, seasonals)
        self.transforms_ = {str(key): t for key, t in transforms.items()}
        self.seasonals_ = {str(key): s for key, s in seasonals.items() if s is not None}
        self.scalers_ = {str(key): s for key, s in scalers.items()}
        if self.chooses_base:
            self.base_seasons_ = training.choose_base(spec, frames, splits)
        self.network_, info = training.train(self, frames, validation)
        # sharded by series, every worker fitted its own series' scalers: all of them now
        parts = pool.active().share((self.transforms_, self.seasonals_, self.scalers_))
        self.transforms_ = pool.merged([part[0] for part in parts])
        self.seasonals_ = pool.merged([part[1] for part in parts])
        self.scalers_ = pool.merged([part[2] for part in parts])
        info["deseasonalized"] = len(self.seasonals_)
        if self.base_seasons_ is not None:
            info["base_seasons"] = self.base_seasons_
        if spec.combine != "none":
            purged = [key for key, (_, kind) in splits.items() if kind == "purged"]
            info.update(self._choose_weight(frames, validation, purged))
        return info

    def scaling(self, key, frame):
        """``(transform, seasonal, scaler)`` of one series: the fitted ones, or for a series
        not seen in training, fitted on its own given history."""
        from forecast import training
        from forecast.seasonal import fit_seasonal
        from forecast.windowing import fit_scaler

        spec, name = self.spec, str(key)
        if name in self.scalers_:
            return self.transforms_[name], self.seasonals_.get(name), self.scalers_[name]
        transform = training.choose_transform(spec.transform, frame, spec.targets)
        values = training.transformed(spec, frame, transform)
        seasonal = None
        if spec.deseasonalize != "none":
            targets = values[:, : len(spec.targets)]
            seasonal = fit_seasonal(targets, frame.index, spec.season_length, spec.freq)
        adjusted = training.adjusted(spec, frame, transform, seasonal)
        return transform, seasonal, fit_scaler(adjusted)

    def log_scale(self, key, frame) -> bool:
        from forecast import training

        transform = self.transforms_.get(str(key))
        if transform is None:  # not seen in training: as scaling() will choose
            transform = training.choose_transform(self.spec.transform, frame, self.spec.targets)
        return transform == "log"

    def rows(self, frames: dict, scalings: dict | None = None):
        """The scaled rows of every series of ``frames``, contiguous, with their calendar
        columns (:class:`forecast.streaming.Rows`): what the windows are gathered from.
        ``scalings``: ``{key: scaling(key, frame)}`` when the caller has them already."""
        from forecast import training
        from forecast.streaming import stack_rows

        spec = self.spec

        def scaled(key, frame):
            scaling = scalings[key] if scalings is not None else self.scaling(key, frame)
            return training.scaled(spec, frame, *scaling)

        freq = spec.freq if spec.calendar else None
        return stack_rows(frames, scaled, lookback=spec.lookback, horizon=spec.horizon, freq=freq)

    def inputs(self, frame, origins, labels: bool = False, *, key=None):
        """The network's inputs (and scaled labels) at ``origins`` of series ``key``:
        ``([past] or [past, future], labels or None)`` (:func:`forecast.streaming.windows`)."""
        from forecast.streaming import windows

        rows = self.rows({key: frame})
        width = self.label_width(rows.n_values) if labels else None
        return windows(rows, rows.starts({key: origins}), width)

    def forecast(self, frames: dict, origins: dict) -> dict:
        from forecast import combination

        return combination.combine(self.forecast_parts(frames, origins))

    def _network_forecast(self, frames: dict, origins: dict) -> dict:
        from forecast import training

        keys = list(frames)
        # once per series: a series not seen in training is fitted on its history here
        scalings = {key: self.scaling(key, frame) for key, frame in frames.items()}
        rows = self.rows(frames, scalings)
        starts = rows.starts({key: origins[key] for key in keys})
        scaled = training.predict_scaled(self.network_, rows, starts)
        del rows
        sizes = np.cumsum([len(origins[key]) for key in keys])[:-1]
        out, steps = {}, np.arange(self.spec.horizon)
        for key, part in zip(keys, np.split(scaled, sizes), strict=True):
            frame = frames[key]
            transform, seasonal, scaler = scalings[key]
            if seasonal is not None:  # the indices of the forecast steps
                rows = np.asarray(origins[key])[:, None] + steps
                seasonal = seasonal.at(frame.index[0], rows)
            k = len(self.spec.targets)
            out[key] = training.unscale_targets(part, scaler, transform, k, seasonal)
        return out

    def get_config(self) -> dict:
        return {
            "transforms": dict(self.transforms_),
            "seasonal": {key: s.to_config() for key, s in self.seasonals_.items()},
            "scalers": {
                "kind": "StandardScaler",
                "columns": [*self.spec.targets, *self.spec.covariates],
                "series": {
                    key: {"mean": s.mean_.tolist(), "scale": s.scale_.tolist()}
                    for key, s in self.scalers_.items()
                },
            },
            "base_seasons": self.base_seasons_,
            "network_weight": self.weight_,
            "arima_weight": self.arima_weight_,
            "theta": dict(self.partner_.final_) if self.partner_ is not None else {},
            "arima": dict(self.arima_.final_) if self.arima_ is not None else {},
        }

    @classmethod
    def from_config(cls, spec: ModelSpec, config: dict, files: dict[str, Path]):
        from forecast import training
        from forecast.modeldir import load_keras
        from forecast.models.statistical import ARIMA, Theta
        from forecast.schema import Int, List, Map, Num, Str, check
        from forecast.seasonal import Seasonal

        width = len(spec.targets) + len(spec.covariates)
        one = {
            "mean": List(Num(), min_len=width, max_len=width),
            "scale": List(Num(low=1e-300), min_len=width, max_len=width),
        }
        scalers = {"kind": Str(choices=("StandardScaler",)), "columns": List(Str())}
        seasons = List(Int(1, spec.lookback), min_len=1, max_len=2, optional=True)
        k, m = len(spec.targets), spec.season_length
        indices = List(List(Num(), min_len=k, max_len=k), min_len=m, max_len=m)
        theta = {"m": Int(1, m), "modeltype": Str(choices=("STM", "OTM", "DSTM", "DOTM"))}
        theta.update(dict.fromkeys(Theta.PARAMETERS, Num()))
        # statsforecast's orders (p, q, P, Q, season, d, D), coefficients by name, the history
        arima = {
            "arma": List(Int(0, 10**6), min_len=7, max_len=7),
            "coef": Map(Num(), max_len=64),
            "sigma2": Num(low=0),
            "n": Int(1, 10**12),
        }
        schema = {
            "transforms": Map(Str(choices=("log", "none"))),
            "seasonal": Map({"anchor": Str(max_len=64), "indices": indices}),
            "scalers": {**scalers, "series": Map(one)},
            "base_seasons": seasons,
            "network_weight": Num(0, 1),
            "arima_weight": Num(0, 1),
            "theta": Map(List(theta, min_len=k, max_len=k)),
            "arima": Map(List(arima, min_len=k, max_len=k)),
        }
        config = {"arima_weight": 0.0, "arima": {}, **config}  # absent: before arima joined
        check(config, schema, "model.state")
        if set(config["transforms"]) != set(config["scalers"]["series"]):
            raise ModelDirError("'model.state': the series of transforms and scalers differ")
        for part in ("seasonal", "theta", "arima"):
            if not set(config[part]) <= set(config["transforms"]):
                raise ModelDirError(f"'model.state.{part}': a series without a scaler")
        if NETWORK not in files:
            raise ModelDirError(f"{NETWORK} is not listed in the manifest; refit")
        model = cls(spec)
        model.transforms_ = dict(config["transforms"])
        try:
            model.seasonals_ = {
                key: Seasonal.from_config(s, spec.freq) for key, s in config["seasonal"].items()
            }
        except ValueError as exc:  # an anchor that is not a timestamp
            raise ModelDirError(f"'model.state.seasonal': {exc}; refit") from None
        model.scalers_ = {
            key: training.scaler_from(s["mean"], s["scale"])
            for key, s in config["scalers"]["series"].items()
        }
        model.base_seasons_ = config.get("base_seasons")
        model.weight_ = float(config["network_weight"])
        model.arima_weight_ = float(config["arima_weight"])
        if model.weight_ + model.arima_weight_ > 1 + 1e-9:
            raise ModelDirError("'model.state': the network's and arima's weights exceed 1")
        if config["theta"]:
            model.partner_ = Theta(spec)
            model.partner_.final_ = dict(config["theta"])
        if config["arima"]:
            model.arima_ = ARIMA(spec)
            model.arima_.final_ = dict(config["arima"])
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
