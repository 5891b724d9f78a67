"""The :class:`Forecaster`: one estimator for the LSTM models and the baselines.

It follows the scikit-learn estimator contract: ``__init__`` only stores its arguments,
``fit`` validates the data, learns the state in attributes ending in ``_`` and returns
``self``; ``predict`` before ``fit`` raises :class:`~forecast.errors.NotFittedError`.

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

import inspect
import math

import numpy as np
import pandas as pd

from forecast import baselines
from forecast.data import SeriesData, check_length, validate_frame
from forecast.errors import DataError, NotFittedError
from forecast.features import calendar_feature_names
from forecast.frequency import default_horizon, default_lookback, season_length

HISTORY_ROWS = 20_000  # rows of history kept per series for predict() without new data


class Forecaster:
    """Forecasts one or several series, several targets, with an LSTM or a baseline.

    Args:
        model: ``"lstm"`` (direct multi-step), ``"lstm-ar"`` (autoregressive feedback),
            ``"naive"``, ``"seasonal-naive"`` or ``"drift"``.
        horizon: steps to forecast; default one season of the data's frequency.
        lookback: input window of the neural models; default from the frequency and length.
        units: LSTM units per layer.
        layers: stacked LSTM layers (``lstm`` only).
        dropout: dropout rate after the encoder.
        epochs: the most training epochs (early stopping usually ends sooner).
        batch_size: windows per training batch.
        learning_rate: Adam's initial learning rate (halved on plateaus).
        patience: epochs without validation improvement before stopping.
        season_length: season of ``seasonal-naive`` and MASE; default from the frequency.
        level: default prediction interval, in percent.
        val_fraction: fraction of the forecast origins held out for validation.
        seed: seed of initialisation, shuffling and dropout: same seed, same data, same
            machine → identical forecasts.
        calendar: add calendar features (known in the future) as inputs.
        transform: scale of the targets inside the neural models: ``"log"``, ``"none"`` or
            ``"auto"`` (log when every target value is positive).
        ensemble: independent networks trained side by side from different seeds; the
            forecast is their average, which is much steadier than one network's.
        verbose: 1 shows a Keras progress bar over the epochs, 0 is silent.

    Example:
        >>> Forecaster(model="naive").get_params()["model"]
        'naive'
    """

    def __init__(
        self,
        model: str = "lstm",
        horizon: int | None = None,
        lookback: int | None = None,
        units: int = 64,
        layers: int = 1,
        dropout: float = 0.0,
        epochs: int = 300,
        batch_size: int = 32,
        learning_rate: float = 1e-3,
        patience: int = 30,
        season_length: int | None = None,
        level: float = 80,
        val_fraction: float = 0.2,
        seed: int = 0,
        calendar: bool = True,
        transform: str = "auto",
        ensemble: int = 5,
        verbose: int = 0,
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
        self.season_length = season_length
        self.level = level
        self.val_fraction = val_fraction
        self.seed = seed
        self.calendar = calendar
        self.transform = transform
        self.ensemble = ensemble
        self.verbose = verbose

    # -- scikit-learn style parameters ------------------------------------------------

    def get_params(self) -> dict:
        """The constructor arguments as a dict (as scikit-learn's ``get_params``).

        Example:
            >>> Forecaster(horizon=6).get_params()["horizon"]
            6
        """
        names = inspect.signature(type(self).__init__).parameters
        return {name: getattr(self, name) for name in names if name != "self"}

    def __repr__(self) -> str:
        changed = {k: v for k, v in self.get_params().items() if v != _DEFAULTS[k]}
        return f"Forecaster({', '.join(f'{k}={v!r}' for k, v in changed.items())})"

    @property
    def is_neural(self) -> bool:
        return self.model in baselines.NEURAL

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
            ValueError: a hyperparameter is out of range.
            DataError: the data breaks the data contract or is too short.
            TrainingError: the training loss became NaN.

        Example:
            >>> import pandas as pd
            >>> df = pd.DataFrame({"y": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]},
            ...                   index=pd.date_range("2024-01-01", periods=6, freq="D"))
            >>> Forecaster(model="drift", horizon=2).fit(df).horizon_
            2
        """
        self._check_params()
        sd = data if isinstance(data, SeriesData) else validate_frame(data, **data_options)
        n_min = min(len(f) for f in sd.frames.values())
        self.data_ = sd
        self.freq_ = sd.freq
        self.targets_ = list(sd.targets)
        self.covariates_ = list(sd.covariates)
        self.season_length_ = self.season_length or season_length(sd.freq)
        self.horizon_ = self.horizon or default_horizon(sd.freq)
        self.lookback_ = self.lookback or default_lookback(sd.freq, n_min, self.horizon_)
        if not self.is_neural:
            self.lookback_ = min(self.lookback_, self.season_length_)
        self.calendar_ = calendar_feature_names(sd.freq) if self.calendar and self.is_neural else []
        # at least one training origin before the validation origins
        check_length(sd, self.lookback_, self.horizon_, extra=1, extra_label="row for validation")

        self.history_ = {key: frame.iloc[-HISTORY_ROWS:] for key, frame in sd.frames.items()}
        origins = {
            key: _validation_origins(len(f), self.lookback_, self.horizon_, self.val_fraction)
            for key, f in sd.frames.items()
        }
        self.transform_ = "none"
        if self.is_neural:
            from forecast import training

            self.transform_ = training.choose_transform(self.transform, sd)
            self.network_, self.scaler_, self.training_ = training.train(self, sd, origins)
        else:
            self.network_, self.scaler_, self.training_ = None, None, {}
        self._calibrate(sd, origins)
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
                f"{horizon!r}; refit with --horizon {horizon} to forecast further"
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
        points = self._point_forecasts(frames)
        half_width = _conformal_quantile(self.abs_residuals_, level)  # (H, K)
        pieces = []
        for key, point in points.items():
            index = _future_index(frames[key].index, horizon)
            columns = {}
            for k, target in enumerate(self.targets_):
                columns[target] = point[:horizon, k]
                columns[f"{target}_lower"] = point[:horizon, k] - half_width[:horizon, k]
                columns[f"{target}_upper"] = point[:horizon, k] + half_width[:horizon, k]
            piece = pd.DataFrame(columns, index=index)
            if key is not None:
                piece.index = pd.MultiIndex.from_arrays(
                    [np.full(horizon, key, dtype=object), index],
                    names=[self.data_.id_col, index.name],
                )
            pieces.append(piece)
        return pd.concat(pieces) if len(pieces) > 1 else pieces[0]

    # -- persistence --------------------------------------------------------------------

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

        self._check_fitted()
        modeldir.save(self, path)

    @classmethod
    def load(cls, path) -> Forecaster:
        """Loads a model directory written by :meth:`save`, checking it first.

        Raises:
            ModelDirError: the directory is missing, incomplete, tampered with, from a
                newer schema, or its ``model.keras`` holds foreign layers.
        """
        from forecast import modeldir

        return modeldir.load(path)

    # -- internals ----------------------------------------------------------------------

    def _check_params(self) -> None:
        if self.model not in baselines.MODELS:
            raise ValueError(
                f"model must be one of {', '.join(baselines.MODELS)}, got {self.model!r}"
            )
        for name in ("units", "layers", "epochs", "batch_size", "patience", "ensemble"):
            _positive_int(name, getattr(self, name))
        for name in ("horizon", "lookback", "season_length"):
            if getattr(self, name) is not None:
                _positive_int(name, getattr(self, name))
        if not 0 <= self.dropout < 1:
            raise ValueError(f"dropout must be in [0, 1), got {self.dropout!r}")
        if not 0 < self.val_fraction < 1:
            raise ValueError(f"val_fraction must be in (0, 1), got {self.val_fraction!r}")
        if not self.learning_rate > 0:
            raise ValueError(f"learning_rate must be positive, got {self.learning_rate!r}")
        _check_level(self.level)
        if self.transform not in ("auto", "log", "none"):
            raise ValueError(f"transform must be one of auto, log, none, got {self.transform!r}")

    def _check_fitted(self) -> None:
        if not hasattr(self, "abs_residuals_"):
            raise NotFittedError(
                "this Forecaster is not fitted yet; call fit(data) before predict() or save()"
            )

    def _validate_new_data(self, data) -> SeriesData:
        sd = data
        if not isinstance(data, SeriesData):
            sd = validate_frame(
                data,
                time_col=self.data_.time_col
                if self.data_.time_col in getattr(data, "columns", ())
                else None,
                target=self.targets_,
                covariates=self.covariates_ or None,
                id_col=self.data_.id_col,
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
                f"trained {trained}; give the same --target and --covariates"
            )
        return sd

    def _point_forecasts(self, frames: dict) -> dict:
        """Point forecasts ``(horizon_, targets)`` in data units, per series key."""
        if not self.is_neural:
            return {
                key: baselines.baseline_forecast(
                    self.model, frame[self.targets_].to_numpy(), self.horizon_, self.season_length_
                )
                for key, frame in frames.items()
            }
        from forecast import training

        keys = list(frames)
        inputs = [training.design(self, frames[key], origins=[len(frames[key])]) for key in keys]
        stacked = [np.concatenate(parts) for parts in zip(*[x for x, _ in inputs], strict=True)]
        scaled = training.predict_scaled(self.network_, stacked)
        points = training.unscale_targets(self, scaled)
        return dict(zip(keys, points, strict=True))

    def _calibrate(self, sd: SeriesData, origins: dict) -> None:
        """Validation forecasts → metrics and the conformal residuals of the intervals."""
        actual, predicted, naive, scale = [], [], [], []
        for key, frame in sd.frames.items():
            values = frame[self.targets_].to_numpy()
            for origin in origins[key]:
                actual.append(values[origin : origin + self.horizon_])
                naive.append(
                    baselines.baseline_forecast(
                        "seasonal-naive", values[:origin], self.horizon_, self.season_length_
                    )
                )
            scale.append(_seasonal_naive_mae(values[: origins[key][0]], self.season_length_))
            predicted.extend(self._validation_forecasts(key, frame, origins[key]))
        actual, predicted, naive = np.stack(actual), np.stack(predicted), np.stack(naive)
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
            "coverage": _cross_fitted_coverage(actual, predicted, self.level),
        }

    def _validation_forecasts(self, key, frame: pd.DataFrame, origins: list) -> list:
        if not self.is_neural:
            values = frame[self.targets_].to_numpy()
            return [
                baselines.baseline_forecast(
                    self.model, values[:o], self.horizon_, self.season_length_
                )
                for o in origins
            ]
        from forecast import training

        inputs, _ = training.design(self, frame, origins=origins)
        return list(training.unscale_targets(self, training.predict_scaled(self.network_, inputs)))


_DEFAULTS = {
    name: p.default
    for name, p in inspect.signature(Forecaster.__init__).parameters.items()
    if name != "self"
}


def _positive_int(name: str, value) -> None:
    if not isinstance(value, int | np.integer) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")


def _check_level(level) -> None:
    if not 0 < level < 100:
        raise DataError(f"level must be a percentage between 0 and 100 (exclusive), got {level!r}")


def _series_name(key) -> str:
    return "" if key is None else f"series {key!r} "


def _validation_origins(n: int, lookback: int, horizon: int, fraction: float) -> list[int]:
    """The last forecast origins of a series of ``n`` rows held out for validation.

    An origin ``o`` forecasts rows ``o .. o+horizon-1`` from rows ``o-lookback .. o-1``.
    All origins are ``lookback .. n-horizon``; the last ``k`` (at least one, at most
    ``fraction`` of them) are for validation.

    Example:
        >>> _validation_origins(20, lookback=4, horizon=3, fraction=0.2)
        [15, 16, 17]
    """
    count = n - horizon - lookback + 1
    k = max(1, round(fraction * count))
    return list(range(n - horizon - k + 1, n - horizon + 1))


def _seasonal_naive_mae(values: np.ndarray, season: int) -> float:
    """In-sample MAE of the seasonal naive method (the MASE scale)."""
    m = season if len(values) > season else 1
    if len(values) <= m:
        return math.nan
    return float(np.abs(values[m:] - values[:-m]).mean())


def _conformal_quantile(abs_residuals: np.ndarray, level: float) -> np.ndarray:
    """The split-conformal half-width per step and target: ``(H, K)``.

    Uses the finite-sample rank ``ceil((n + 1) · level)`` of ``n`` residuals, so that the
    interval covers a new error with probability at least ``level`` when the errors are
    exchangeable (it is the largest residual when ``n`` is small).
    """
    n = len(abs_residuals)
    q = min(1.0, math.ceil((n + 1) * level / 100) / n)
    return np.quantile(abs_residuals, q, axis=0, method="higher")


def _cross_fitted_coverage(actual: np.ndarray, predicted: np.ndarray, level: float) -> float | None:
    """Honest coverage on the validation origins: quantiles from one half, coverage on the other.

    Returns the mean coverage (percent) of the two directions, or ``None`` with fewer
    than two origins.
    """
    n = len(actual)
    if n < 2:
        return None
    halves = (slice(0, n // 2), slice(n // 2, n))
    covered = []
    for calibrate, test in (halves, halves[::-1]):
        width = _conformal_quantile(np.abs(actual[calibrate] - predicted[calibrate]), level)
        inside = np.abs(actual[test] - predicted[test]) <= width
        covered.append(inside.mean())
    return float(100 * np.mean(covered))


def _future_index(index: pd.DatetimeIndex, horizon: int) -> pd.DatetimeIndex:
    """The ``horizon`` timestamps after the last one of ``index``, at its frequency."""
    future = pd.date_range(index[-1], periods=horizon + 1, freq=index.freq)[1:]
    future.name = index.name
    return future
