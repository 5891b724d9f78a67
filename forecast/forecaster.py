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
   prediction intervals on them (split conformal prediction on scale-free errors, per
   horizon step, see :mod:`forecast.intervals`);
3. the point forecast comes from the lookback window (neural) or the history (baselines);
   the interval is the point ± the ``level`` quantile of the validation errors divided by
   their series' scale, times this series' scale. A series too short for the model is
   forecast by the seasonal naive base (see :mod:`forecast.panel`) and named in
   ``notes_``.

Example:
    >>> import numpy as np, pandas as pd
    >>> df = pd.DataFrame({"date": pd.date_range("2020-01-01", periods=48, freq="MS"),
    ...                    "y": np.tile(np.arange(12.0), 4)})
    >>> fc = Forecaster(model="seasonal-naive", horizon=3).fit(df).predict()
    >>> fc["y"].tolist()
    [0.0, 1.0, 2.0]
"""

from __future__ import annotations

from sklearn.base import BaseEstimator

from forecast import models, panel, prediction, state
from forecast import pool as pooling
from forecast.config import CONFIG_VERSION, check_config
from forecast.data import SeriesData, check_length, validate_frame
from forecast.errors import ModelDirError, NotFittedError
from forecast.features import calendar_feature_names
from forecast.frequency import default_horizon, default_lookback, season_length
from forecast.history import describe, history_frame
from forecast.params import DEFAULTS as D
from forecast.params import PARAMETERS, check
from forecast.windowing import validation_origins

HISTORY_ROWS = 20_000  # rows of history kept per series for predict() without new data
HISTORY = "history.csv"


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
        deseasonalize: seasonal adjustment inside the neural models: ``"auto"`` takes each
            series' seasonal indices (classical decomposition of its training rows, on the
            model's scale) out of what the network reads and puts them back into its
            forecasts, where a test finds the season (:mod:`forecast.seasonal`); ``"none"``.
        combine: the neural models' forecast combined with theta's (statsforecast's
            ``AutoTheta``): ``"theta"`` weighs them by their validation errors
            (:func:`forecast.combination.choose_weight`: inverse-error weights, 1 for the
            network alone), on the series whose validation is purged (0.5 when there is
            none); ``"auto"`` as well, and adds ``AutoARIMA`` as a third forecast for at
            most 10 series with a season of at most 12 steps (a third each when no
            series is purged; :mod:`forecast.models.partners`); ``"none"``: the network
            alone.
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
        deseasonalize: str = D["deseasonalize"],
        combine: str = D["combine"],
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
        self.deseasonalize = deseasonalize
        self.combine = combine
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
                ``gaps``, ``strict`` for :func:`forecast.data.validate_frame` (DataFrame
                input only).

        Series too short for ``lookback + horizon`` rows and a validation row are
        forecast by the seasonal naive base and named in ``notes_`` (one sentence); the
        model is trained and calibrated on the others.

        Sharded by series on a cluster (``forecast fit --shard series``), ``data`` is this
        worker's part of the panel (``part=`` of :func:`forecast.data.load_data`) and the
        active :mod:`forecast.pool` makes every decision that concerns the whole panel the
        one a fit of all of it would make; the chief ends with the state of every series.

        Returns:
            ``self``, fitted.

        Raises:
            ParameterError: a hyperparameter is out of range (a ``ValueError``).
            DataError: the data breaks the data contract, or no series is long enough.
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
        # sharded by series, ``sd`` is this worker's part: what the fit decides for the
        # panel and what the chief saves pass through the pool (forecast.pool)
        pool = pooling.active()
        order = None if sd.part is None else sd.part.ids
        lengths = panel.agree(sd, pool)
        panel.check_season(self.season_length, lengths)
        self.freq_ = sd.freq
        self.targets_ = list(sd.targets)
        self.covariates_ = list(sd.covariates)
        self.season_length_ = self.season_length or season_length(sd.freq)
        self.horizon_ = self.horizon or default_horizon(sd.freq)
        # the lookback that the middle series (by length) allows; shorter ones may go to the base
        lookback = self.lookback or default_lookback(
            sd.freq, lengths[len(lengths) // 2], self.horizon_
        )
        # a model that reads no window needs only one season of history
        self.lookback_ = lookback if model_cls.uses_lookback else min(lookback, self.season_length_)
        uses_calendar = self.calendar and model_cls.uses_lookback
        self.calendar_ = calendar_feature_names(sd.freq) if uses_calendar else []
        # at least one training origin before the validation origins
        need = self.lookback_ + self.horizon_ + 1
        frames, short = panel.split_by_length(sd.frames, need)
        long_counts, short_keys = panel.share_split(pool, frames, short, order)
        if not sum(long_counts):  # no series long enough: the shortest is named
            check_length(
                sd, self.lookback_, self.horizon_, extra=1, extra_label="row for validation"
            )
        what = f"lookback {self.lookback_} + horizon {self.horizon_} + 1 validation row"
        note = panel.short_note(short_keys, len(lengths), need, what) if short_keys else None
        self.notes_ = [note] if note else []
        self.base_series_ = short_keys

        self.data_info_ = describe(sd, pool)
        history = {key: frame.iloc[-HISTORY_ROWS:] for key, frame in sd.frames.items()}
        self.history_ = pooling.merged(pool.collect(history), order) or history
        origins = {
            key: validation_origins(len(f), self.lookback_, self.horizon_, self.val_fraction)
            for key, f in frames.items()
        }
        self.model_ = model_cls(self._spec())
        self.training_ = self.model_.fit(frames, origins)
        cal = panel.calibrate(
            self.model_,
            frames,
            origins,
            self.targets_,
            self.horizon_,
            self.season_length_,
            self.level,
            pool,
        )
        self.metrics_, self.interval_ = cal["metrics"], cal["interval"]
        self.quantiles_, self.base_quantiles_ = cal["grid"], cal["base_grid"]
        scales = cal["scales"]
        for key, frame in short.items():
            scales[str(key)] = panel.scale_of(frame, self.targets_, self.season_length_)
        self.scales_ = pooling.merged(pool.share(scales), order)
        self.log_scales_ = {key for part in pool.share(cal["log"]) for key in part}
        return self

    # -- predict ----------------------------------------------------------------------

    def predict(
        self, horizon: int | None = None, data=None, level: float | None = None, series=None
    ):
        """Forecasts ``horizon`` steps from the end of the history, with intervals.

        Args:
            horizon: steps to forecast, at most the trained ``horizon_`` (default it).
            data: new history (a CSV or Parquet path, DataFrame or SeriesData) with the
                trained columns and frequency, to forecast from its end without refitting;
                default the training data. It may hold series not seen in training: the model
                forecasts those with a lookback of history (scaled on their own given
                history), the seasonal naive base the shorter ones.
            level: interval level in percent (default the ``level`` given at construction).
            series: ids of the series to forecast (long format); default all of them.

        Returns:
            A DataFrame indexed by the future timestamps (a ``(id, time)`` MultiIndex for
            several series) with, per target ``T``, the columns ``T``, ``T_lower``, ``T_upper``.
            Each series is forecast from its own end. ``attrs["notes"]``: sentences about
            series not forecast as in training (new ids, too short: the base).

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
        horizon, level = prediction.check_request(self, horizon, level)
        new = None if data is None else self._validate_new_data(data)
        frames = self.history_ if new is None else new.frames
        if series is not None:
            frames = prediction.select(frames, series)
        return prediction.table(self, frames, horizon, level, None if new is None else new.source)

    # -- persistence --------------------------------------------------------------------

    def get_config(self) -> dict:
        """The fitted state as a JSON-ready dict: the manifest of the model directory.

        Everything but the files of :meth:`save_files` (the kept history, a network) is
        here; :meth:`from_config` rebuilds an equal estimator, and saving that one again
        gives the same config.
        """
        self._check_fitted()
        return state.config_of(self, CONFIG_VERSION)

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
        check_config(config)
        try:
            fc = cls(**config["params"])
        except (KeyError, TypeError, ValueError) as exc:
            raise ModelDirError(f"the manifest is incomplete or corrupt ({exc}); refit") from None
        return state.restore(fc, config, files, HISTORY)

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

        for attempt in range(3):
            # a fit may swap a new model into place while we read: then read again
            before = modeldir.identity(path)
            try:
                config, files = modeldir.read(path)
                try:
                    return cls.from_config(config, files)
                except ModelDirError as exc:
                    raise ModelDirError(f"model directory '{path}': {exc}") from None
            except ModelDirError:
                if attempt == 2 or modeldir.identity(path) == before:
                    raise

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
        if not hasattr(self, "quantiles_"):
            raise NotFittedError(
                "this Forecaster is not fitted yet; call fit(data) before predict() or save()"
            )

    def _validate_new_data(self, data) -> SeriesData:
        return prediction.new_data(self, data)

    # Read-only views of the model's state, for notebooks and users of the neural models.
    # For one series ``scaler_`` and ``transform_`` are its own; for several, ``{id: …}``.
    network_ = property(lambda self: getattr(self.model_, "network_", None))
    scaler_ = property(lambda self: _one_or_all(getattr(self.model_, "scalers_", {}), None))
    transform_ = property(lambda self: _one_or_all(getattr(self.model_, "transforms_", {}), "none"))


def _one_or_all(per_series: dict, empty):
    """The only value of a one-series dict, the dict itself for several, ``empty`` for none."""
    if not per_series:
        return empty
    return next(iter(per_series.values())) if len(per_series) == 1 else dict(per_series)
