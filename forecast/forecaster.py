"""The :class:`Forecaster`: one estimator for the LSTM models and the baselines.

It is a scikit-learn estimator: ``__init__`` only stores its keyword arguments (declared
once, with their defaults and ranges, in :mod:`forecast.params`), ``get_params``/
``set_params``/``sklearn.base.clone`` work, ``fit`` validates the data, learns the state
in attributes ending in ``_`` and returns ``self``; ``predict`` before ``fit`` raises
:class:`~forecast.errors.NotFittedError`. The forecasting method itself is a model of the
registry (:mod:`forecast.models`); the estimator serialises its own state
(:meth:`Forecaster.get_config`/:meth:`Forecaster.from_config`) and
:mod:`forecast.modeldir` only handles the files.

How a forecast is made, for every model alike:

1. the data is validated once (:func:`forecast.data.validate_frame`);
2. the last ``k`` forecast origins of each series are held out for validation: the neural
   models stop training on them (early stopping), and all models calibrate their
   prediction intervals on them (split conformal prediction, per horizon step);
3. the point forecast comes from the lookback window (neural) or the history (baselines);
   the interval is the point ± the ``level`` quantile of the absolute validation errors
   at that step.

Example:
    >>> import numpy as np, pandas as pd
    >>> df = pd.DataFrame({"date": pd.date_range("2020-01-01", periods=48, freq="MS"),
    ...                    "y": np.tile(np.arange(12.0), 4)})
    >>> fc = Forecaster(model="seasonal-naive", horizon=3).fit(df).predict()
    >>> fc["y"].tolist()
    [0.0, 1.0, 2.0]
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator

from forecast import models
from forecast.columns import interval_columns
from forecast.data import SeriesData, check_length, validate_frame
from forecast.errors import DataError, ModelDirError, NotFittedError
from forecast.features import calendar_feature_names
from forecast.frequency import default_horizon, default_lookback, future_index, season_length
from forecast.history import describe, history_frame, read_history
from forecast.intervals import conformal_quantile, cross_fitted_coverage
from forecast.metrics import seasonal_naive_mae
from forecast.models.baselines import SeasonalNaive
from forecast.params import DEFAULTS as D
from forecast.params import PARAMETERS, check
from forecast.windowing import validation_origins

HISTORY_ROWS = 20_000  # rows of history kept per series for predict() without new data
HISTORY = "history.csv"
CONFIG_VERSION = 2


class Forecaster(BaseEstimator):
    """Forecasts one or several series, several targets, with an LSTM or a baseline.

    Args:
        model: a name of the registry :mod:`forecast.models`: ``"lstm"`` (direct
            multi-step), ``"lstm-ar"`` (autoregressive feedback), ``"naive"``,
            ``"seasonal-naive"``, ``"drift"``, or the statistical ``"ets"``, ``"theta"``,
            ``"arima"`` (statsforecast: ``pip install 'forecast[stats]'``).
        horizon: steps to forecast; default one season of the data's frequency.
        lookback: input window of the neural models; default from the frequency and length.
        units: LSTM units per layer.
        layers: stacked LSTM layers (``lstm`` only).
        dropout: dropout rate after the encoder.
        epochs: the most training epochs (early stopping usually ends sooner).
        batch_size: windows per training batch.
        learning_rate: Adam's initial learning rate (halved on plateaus).
        patience: epochs without validation improvement before stopping.
        ensemble: independent networks trained side by side from different seeds; the
            forecast is their average, which is much steadier than one network's.
        transform: scale of the targets inside the neural models: ``"log"``, ``"none"`` or
            ``"auto"`` (log when every target value is positive).
        season_length: season of ``seasonal-naive`` and MASE; default from the frequency.
        seed: seed of initialisation, shuffling and dropout: same seed, same data, same
            machine → identical forecasts.
        level: default prediction interval, in percent.
        val_fraction: fraction of the forecast origins held out for validation.
        calendar: add calendar features (known in the future) as inputs.
        verbose: 1 shows a Keras progress bar over the epochs, 0 is silent.

    Example:
        >>> from sklearn.base import clone
        >>> clone(Forecaster(model="naive", horizon=3))
        Forecaster(model='naive', horizon=3)
    """

    def __init__(
        self,
        *,
        model: str = D["model"],
        horizon: int | None = D["horizon"],
        lookback: int | None = D["lookback"],
        units: int = D["units"],
        layers: int = D["layers"],
        dropout: float = D["dropout"],
        epochs: int = D["epochs"],
        batch_size: int = D["batch_size"],
        learning_rate: float = D["learning_rate"],
        patience: int = D["patience"],
        ensemble: int = D["ensemble"],
        transform: str = D["transform"],
        season_length: int | None = D["season_length"],
        seed: int = D["seed"],
        level: float = D["level"],
        val_fraction: float = D["val_fraction"],
        calendar: bool = D["calendar"],
        verbose: int = D["verbose"],
    ):
        self.model = model
        self.horizon = horizon
        self.lookback = lookback
        self.units = units
        self.layers = layers
        self.dropout = dropout
        self.epochs = epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.patience = patience
        self.ensemble = ensemble
        self.transform = transform
        self.season_length = season_length
        self.seed = seed
        self.level = level
        self.val_fraction = val_fraction
        self.calendar = calendar
        self.verbose = verbose

    def __repr__(self, N_CHAR_MAX=700) -> str:
        # the changed parameters in the signature's order (scikit-learn sorts them)
        changed = {k: getattr(self, k) for k in PARAMETERS if getattr(self, k) != D[k]}
        return f"Forecaster({', '.join(f'{k}={v!r}' for k, v in changed.items())})"

    # -- fit --------------------------------------------------------------------------

    def fit(self, data, **data_options) -> Forecaster:
        """Validates ``data`` and trains the model.

        Args:
            data: a DataFrame (with a time column or a ``DatetimeIndex``) or a
                :class:`~forecast.data.SeriesData` already validated.
            **data_options: ``time_col``, ``target``, ``covariates``, ``id_col``, ``freq``,
                ``gaps`` for :func:`forecast.data.validate_frame` (DataFrame input only).

        Returns:
            ``self``, fitted.

        Raises:
            ParameterError: a hyperparameter is out of range (a ``ValueError``).
            DataError: the data breaks the data contract or is too short.
            TrainingError: the training loss became NaN.

        Example:
            >>> import pandas as pd
            >>> df = pd.DataFrame({"y": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]},
            ...                   index=pd.date_range("2024-01-01", periods=6, freq="D"))
            >>> Forecaster(model="drift", horizon=2).fit(df).horizon_
            2
        """
        check(self.get_params())
        model_cls = models.get(self.model)
        sd = data if isinstance(data, SeriesData) else validate_frame(data, **data_options)
        n_min = min(len(f) for f in sd.frames.values())
        self.freq_ = sd.freq
        self.targets_ = list(sd.targets)
        self.covariates_ = list(sd.covariates)
        self.season_length_ = self.season_length or season_length(sd.freq)
        self.horizon_ = self.horizon or default_horizon(sd.freq)
        lookback = self.lookback or default_lookback(sd.freq, n_min, self.horizon_)
        # a model that reads no window needs only one season of history
        self.lookback_ = lookback if model_cls.uses_lookback else min(lookback, self.season_length_)
        uses_calendar = self.calendar and model_cls.uses_lookback
        self.calendar_ = calendar_feature_names(sd.freq) if uses_calendar else []
        # at least one training origin before the validation origins
        check_length(sd, self.lookback_, self.horizon_, extra=1, extra_label="row for validation")

        self.data_info_ = describe(sd)
        self.history_ = {key: frame.iloc[-HISTORY_ROWS:] for key, frame in sd.frames.items()}
        origins = {
            key: validation_origins(len(f), self.lookback_, self.horizon_, self.val_fraction)
            for key, f in sd.frames.items()
        }
        self.model_ = model_cls(self._spec())
        self.training_ = self.model_.fit(sd.frames, origins)
        self._calibrate(sd.frames, origins)
        return self

    # -- predict ----------------------------------------------------------------------

    def predict(self, horizon: int | None = None, data=None, level: float | None = None):
        """Forecasts ``horizon`` steps from the end of the history, with intervals.

        Args:
            horizon: steps to forecast, at most the trained ``horizon_`` (default it).
            data: new history (DataFrame or SeriesData) with the trained columns and
                frequency, to forecast from its end without refitting; default the
                training data.
            level: interval level in percent (default the ``level`` given at construction).

        Returns:
            A DataFrame indexed by the future timestamps (a ``(id, time)`` MultiIndex for
            several series) with, per target ``T``, the columns ``T``, ``T_lower``, ``T_upper``.

        Raises:
            NotFittedError: before ``fit``.
            DataError: ``data`` does not match the training data, or ``horizon``/``level``
                is out of range.

        Example:
            >>> import pandas as pd
            >>> df = pd.DataFrame({"y": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]},
            ...                   index=pd.date_range("2024-01-01", periods=6, freq="D"))
            >>> list(Forecaster(model="naive", horizon=2).fit(df).predict().columns)
            ['y', 'y_lower', 'y_upper']
        """
        self._check_fitted()
        horizon = self.horizon_ if horizon is None else horizon
        if not isinstance(horizon, int | np.integer) or not 1 <= horizon <= self.horizon_:
            raise DataError(
                f"horizon must be between 1 and the trained horizon {self.horizon_}, got "
                f"{horizon!r}; refit with horizon={horizon} to forecast further"
            )
        level = self.level if level is None else level
        _check_level(level)
        frames = self.history_ if data is None else self._validate_new_data(data).frames
        for key, frame in frames.items():
            if len(frame) < self.lookback_:
                raise DataError(
                    f"{_series_name(key)}has {len(frame)} rows but the model needs the last "
                    f"{self.lookback_} (its lookback) to forecast from"
                )
        points = self.model_.forecast(frames, {key: [len(f)] for key, f in frames.items()})
        half_width = conformal_quantile(self.abs_residuals_, level)  # (H, K)
        pieces = []
        for key, point in points.items():
            point = point[0, :horizon]
            index = future_index(frames[key].index, horizon)
            columns = {}
            for k, target in enumerate(self.targets_):
                name, lower, upper = interval_columns(target)
                columns[name] = point[:, k]
                columns[lower] = point[:, k] - half_width[:horizon, k]
                columns[upper] = point[:, k] + half_width[:horizon, k]
            piece = pd.DataFrame(columns, index=index)
            if key is not None:
                piece.index = pd.MultiIndex.from_arrays(
                    [np.full(horizon, key, dtype=object), index],
                    names=[self.data_info_["id_col"], index.name],
                )
            pieces.append(piece)
        return pd.concat(pieces) if len(pieces) > 1 else pieces[0]

    # -- persistence --------------------------------------------------------------------

    def get_config(self) -> dict:
        """The fitted state as a JSON-ready dict: the manifest of the model directory.

        Everything but the files of :meth:`save_files` (the kept history, a network) is
        here; :meth:`from_config` rebuilds an equal estimator, and saving that one again
        gives the same config.
        """
        self._check_fitted()
        return {
            "config_version": CONFIG_VERSION,
            "params": self.get_params(),
            "data": self.data_info_,
            "lookback": self.lookback_,
            "horizon": self.horizon_,
            "season_length": self.season_length_,
            "calendar": self.calendar_,
            "seed": self.seed,
            "model": {"name": self.model, "state": self.model_.get_config()},
            "training": self.training_,
            "validation": _finite(self.metrics_),
            "interval": {**_finite(self.interval_), "abs_residuals": self.abs_residuals_.tolist()},
        }

    def save_files(self, directory) -> list[str]:
        """Writes the kept history and the model's own files into ``directory``."""
        history_frame(self.history_, self.data_info_["id_col"]).to_csv(directory / HISTORY)
        return [HISTORY, *self.model_.save_files(directory)]

    @classmethod
    def from_config(cls, config: dict, files: dict) -> Forecaster:
        """Rebuilds a fitted Forecaster from :meth:`get_config` and its files.

        Args:
            config: the dict of :meth:`get_config` (as read from the manifest).
            files: ``{file name: path}`` of the files :meth:`save_files` wrote.

        Raises:
            ModelDirError: the config is incomplete or inconsistent.
        """
        try:
            fc = cls(**config["params"])
            data = config["data"]
            fc.data_info_ = data
            fc.freq_, fc.targets_, fc.covariates_ = (
                data["freq"],
                data["targets"],
                data["covariates"],
            )
            fc.lookback_, fc.horizon_ = config["lookback"], config["horizon"]
            fc.season_length_, fc.calendar_ = config["season_length"], config["calendar"]
            fc.metrics_, fc.training_ = config["validation"], config["training"]
            fc.interval_ = {k: v for k, v in config["interval"].items() if k != "abs_residuals"}
            fc.abs_residuals_ = np.asarray(config["interval"]["abs_residuals"], dtype=float)
            fc.history_ = read_history(files[HISTORY], data)
            model_cls = models.get(config["model"]["name"])
            state = config["model"]["state"]
        except (KeyError, TypeError, ValueError) as exc:
            raise ModelDirError(f"the manifest is incomplete or corrupt ({exc}); refit") from None
        fc.model_ = model_cls.from_config(fc._spec(), state, files)
        return fc

    def save(self, path) -> None:
        """Writes the model directory atomically (see :mod:`forecast.modeldir`).

        Example:
            >>> import pandas as pd, tempfile, os
            >>> df = pd.DataFrame({"y": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]},
            ...                   index=pd.date_range("2024-01-01", periods=6, freq="D"))
            >>> path = os.path.join(tempfile.mkdtemp(), "model")
            >>> Forecaster(model="naive", horizon=2).fit(df).save(path)
            >>> Forecaster.load(path).horizon_
            2
        """
        from forecast import modeldir

        modeldir.save(path, self.get_config(), self.save_files)

    @classmethod
    def load(cls, path) -> Forecaster:
        """Loads a model directory written by :meth:`save`, checking it first.

        Raises:
            ModelDirError: the directory is missing, incomplete, tampered with, from a
                newer schema, or its ``model.keras`` holds foreign layers.
        """
        from forecast import modeldir

        config, files = modeldir.read(path)
        try:
            return cls.from_config(config, files)
        except ModelDirError as exc:
            raise ModelDirError(f"model directory '{path}': {exc}") from None

    # -- internals ----------------------------------------------------------------------

    def _spec(self) -> models.ModelSpec:
        return models.ModelSpec(
            targets=tuple(self.targets_),
            covariates=tuple(self.covariates_),
            freq=self.freq_,
            lookback=self.lookback_,
            horizon=self.horizon_,
            season_length=self.season_length_,
            calendar=tuple(self.calendar_),
            params=self.get_params(),
        )

    def _check_fitted(self) -> None:
        if not hasattr(self, "abs_residuals_"):
            raise NotFittedError(
                "this Forecaster is not fitted yet; call fit(data) before predict() or save()"
            )

    def _validate_new_data(self, data) -> SeriesData:
        info = self.data_info_
        sd = data
        if not isinstance(data, SeriesData):
            sd = validate_frame(
                data,
                time_col=info["time_col"]
                if info["time_col"] in getattr(data, "columns", ())
                else None,
                target=self.targets_,
                covariates=self.covariates_ or None,
                id_col=info["id_col"],
                freq=self.freq_,
                source="new data",
            )
        if sd.freq != self.freq_:
            raise DataError(
                f"{sd.source}: frequency {sd.freq!r} differs from the trained {self.freq_!r}; "
                "resample the data or refit"
            )
        trained = self.targets_ + self.covariates_
        if list(sd.targets) + list(sd.covariates) != trained:
            raise DataError(
                f"{sd.source}: columns {list(sd.targets) + list(sd.covariates)} differ from the "
                f"trained {trained}; give the same target= and covariates="
            )
        return sd

    def _calibrate(self, frames: dict, origins: dict) -> None:
        """Validation forecasts → metrics and the conformal residuals of the intervals."""
        predicted = self.model_.forecast(frames, origins)
        actual, naive, scale, forecasts = [], [], [], []
        steps = np.arange(self.horizon_)
        for key, frame in frames.items():
            values = frame[self.targets_].to_numpy()
            rows = np.asarray(origins[key])
            actual.append(values[rows[:, None] + steps])
            naive.extend(
                SeasonalNaive.point(values[:o], self.horizon_, self.season_length_)
                for o in origins[key]
            )
            scale.append(seasonal_naive_mae(values[: origins[key][0]], self.season_length_))
            forecasts.append(predicted[key])
        actual, predicted = np.concatenate(actual), np.concatenate(forecasts)
        naive = np.stack(naive)
        errors = np.abs(actual - predicted)  # (origins, H, K)
        self.abs_residuals_ = errors
        mae, naive_mae = float(errors.mean()), float(np.abs(actual - naive).mean())
        mase_scale = float(np.mean(scale))
        self.metrics_ = {
            "origins": int(len(errors)),
            "mae": mae,
            "seasonal_naive_mae": naive_mae,
            "mase": mae / mase_scale if mase_scale > 0 else math.nan,
            "seasonal_naive_mase": naive_mae / mase_scale if mase_scale > 0 else math.nan,
        }
        self.interval_ = {
            "method": "split conformal: point ± the level-quantile of |validation error| per step",
            "level": self.level,
            "coverage": cross_fitted_coverage(actual, predicted, self.level),
        }

    # Read-only views of the model's state, for notebooks and users of the neural models.
    network_ = property(lambda self: getattr(self.model_, "network_", None))
    scaler_ = property(lambda self: getattr(self.model_, "scaler_", None))
    transform_ = property(lambda self: getattr(self.model_, "transform_", "none"))


def _check_level(level) -> None:
    if not PARAMETERS["level"].accepts(level):
        raise DataError(f"level must be {PARAMETERS['level'].describe()}, got {level!r}")


def _series_name(key) -> str:
    return "" if key is None else f"series {key!r} "


def _finite(d: dict) -> dict:
    """JSON has no NaN: NaN and infinities become null."""
    return {k: None if isinstance(v, float) and not np.isfinite(v) else v for k, v in d.items()}
