"""The statistical models: ``ets``, ``theta`` and ``arima``, from statsforecast.

Each wraps one automatic model of `statsforecast <https://nixtla.github.io/statsforecast/>`_
(``AutoETS``, ``AutoTheta``, ``AutoARIMA``, with ``season_length`` from the spec), fitted
per series and per target column: they are univariate, so covariates are ignored.
statsforecast is an optional dependency (``pip install 'forecast[stats]'``; it needs
pandas < 3): it is imported only when one of these models fits or forecasts, and without
it they raise :class:`~forecast.errors.MissingDependencyError`.

How the forecasts are made:

- the validation origins that the :class:`~forecast.Forecaster` asks for are forecast by
  one fit per series and target on the rows before the first origin, applied to each
  longer history by statsforecast's ``forward`` (the same parameters and initial states,
  the state filtered through the new rows, nothing re-estimated: about 1 ms per origin
  where a re-fit takes 15 ms to 0.5 s);
- a forecast from the end of a history (``predict``, with or without new data) fits the
  model again on that history: the point forecast is statsforecast's own
  ``StatsForecast(models=[AutoETS(season_length=m)], freq=...).forecast(df, h)`` (the
  Forecaster's table clips it at 0 where the history never went below 0, as it does
  every model's: :func:`forecast.prediction.piece`);
- :meth:`Theta.fit_final` (the partner of the neural models' combination) fits the theta
  model that each series' validation fit selected once more on its whole history and keeps
  the parameters (five numbers per target): a forecast from the end of a history then moves
  them through it (``forward``) instead of refitting, the fitted model's own forecast on that
  history at about 1 ms instead of 15 ms to 0.5 s, and on newer rows statsforecast's
  ``forward`` of them.

So the learned state kept in the model directory is the model's name alone; the manifest's
``training`` records which model was selected on the validation fit (``ETS(M,A,M)``,
``ARIMA(0,1,1)(0,1,1)[12]``, ``OTM`` …). The point forecast only: the intervals are the
Forecaster's conformal ones, as for every model.

Example:
    >>> import numpy as np, pandas as pd, pytest
    >>> _ = pytest.importorskip("statsforecast")
    >>> from forecast import Forecaster
    >>> noise = np.random.default_rng(0).normal(0, 0.1, 40)
    >>> df = pd.DataFrame({"y": 10 + np.tile([1.0, 3.0, 2.0, 5.0], 10) + noise},
    ...                   index=pd.date_range("2000-01-01", periods=40, freq="QS"))
    >>> fc = Forecaster(model="ets", horizon=4).fit(df)
    >>> fc.predict()["y"].round(1).tolist()
    [11.0, 13.0, 12.0, 15.0]
    >>> fc.training_["selected"]
    {'None': {'y': 'ETS(A,N,A)'}}
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from forecast.errors import MissingDependencyError, TrainingError, UnfittableError
from forecast.models.base import Model, targets_of

INSTALL = "pip install 'forecast[stats]'"
ADVICE = "give it more rows, or choose another model"


def statsforecast_models(model: str):
    """The module ``statsforecast.models``, imported now.

    Raises:
        MissingDependencyError: statsforecast is not installed (exit code 2).
    """
    try:
        import statsforecast.models as sf
    except ImportError:
        raise MissingDependencyError(f"model={model!r} needs statsforecast: {INSTALL}") from None
    return sf


class _Statistical(Model):
    """A statsforecast model per series and target: fit once, ``forward`` to later origins."""

    estimator: ClassVar[str]  # the statsforecast class
    requires = ("statsforecast",)

    def __init__(self, spec):
        super().__init__(spec)
        # {key: (frame, rows, [fitted model per target])}: the validation fit, kept from
        # fit() until forecast() uses it for the same frame and first origin
        self._fitted = {}
        self.selected_ = {}  # {key: [the model selected per target]} by the validation fit
        self.final_ = {}  # {str(key): [what forward needs, per target]} of fit_final

    @staticmethod
    def describe(fitted) -> str:
        """The model statsforecast selected, in words (``ETS(M,A,M)`` …)."""
        raise NotImplementedError

    def _fit_series(self, key, values: np.ndarray, options: list | None = None) -> list:
        """One fitted statsforecast model per target column of ``values (rows, targets)``
        (``options``: more keyword arguments of the estimator, per target)."""
        cls = getattr(statsforecast_models(self.name), self.estimator)
        fitted = []
        for k, target in enumerate(self.spec.targets):
            more = options[k] if options is not None else {}
            try:
                with np.errstate(all="ignore"):
                    model = cls(season_length=self.spec.season_length, **more)
                    fitted.append(model.fit(values[:, k]))
            except Exception as exc:  # statsforecast's own errors, named for the user
                where = "" if key is None else f"series {key!r}, "
                raise UnfittableError(
                    f"{self.name} could not be fitted to {where}column {target!r} "
                    f"({len(values)} rows): {exc}; {ADVICE}"
                ) from exc
        return fitted

    def fit(self, frames: dict, validation: dict) -> dict:
        for key, frame in frames.items():
            rows = min(validation[key], default=len(frame))
            fitted = self._fit_series(key, targets_of(frame, self.spec)[:rows])
            self._fitted[key] = (frame, rows, fitted)
            self.selected_[key] = [self.describe(f) for f in fitted]
        targets = self.spec.targets
        selected = {
            str(key): dict(zip(targets, chosen, strict=True))
            for key, chosen in self.selected_.items()
        }
        return {"selected": selected}

    def fit_final(self, frames: dict) -> None:
        """Fits each series of ``frames`` on its whole history and keeps what ``forward``
        needs of each fitted model in ``final_`` (``{str(key): [per target]}``, see
        :meth:`_keep`); a series it cannot fit, or whose fit cannot be kept, keeps none (a
        forecast then refits). The combination's partners do this at the end of a fit, so
        that ``predict`` moves the kept models through the history instead of refitting.
        """
        for key, frame in frames.items():
            try:
                fitted = self._fit_series(
                    key, targets_of(frame, self.spec), self._final_options(key)
                )
            except TrainingError:
                continue
            kept = [self._keep(f.model_) for f in fitted]
            if all(one is not None for one in kept):
                self.final_[str(key)] = kept

    def _final_options(self, key) -> list | None:
        """More estimator arguments per target for :meth:`fit_final` (``None``: none)."""
        return None

    def _keep(self, model_: dict) -> dict | None:
        """The JSON-able part of a fitted ``model_`` that :meth:`_rebuild` needs, or
        ``None`` where it cannot be kept (non-finite parameters)."""
        raise NotImplementedError

    def _rebuild(self, one: dict):
        """A statsforecast model whose ``forward`` works, from a :meth:`_keep` entry."""
        raise NotImplementedError

    def _stored(self, key) -> list | None:
        """Fitted models kept for ``key`` that ``forward`` moves to any origin, or ``None``."""
        kept = self.final_.get(str(key))
        return None if kept is None else [self._rebuild(one) for one in kept]

    def forecast(self, frames: dict, origins: dict) -> dict:
        horizon, out = self.spec.horizon, {}
        for key, frame in frames.items():
            values = targets_of(frame, self.spec)
            first = min(origins[key])
            kept = self._fitted.pop(key, None)
            fresh = True  # fitted on the rows before ``first``: its own forecast there
            if kept is not None and kept[0] is frame and kept[1] == first:
                fitted = kept[2]
            elif (fitted := self._stored(key)) is not None:
                fresh = False
            else:
                fitted = self._fit_series(key, values[:first])
            points = np.empty((len(origins[key]), horizon, len(fitted)))
            where = "" if key is None else f" on series {key!r}"
            try:
                with np.errstate(all="ignore"):
                    for i, origin in enumerate(origins[key]):
                        for k, model in enumerate(fitted):
                            if fresh and origin == first:
                                points[i, :, k] = model.predict(horizon)["mean"]
                            else:
                                y = values[:origin, k]
                                points[i, :, k] = model.forward(y, horizon)["mean"]
            except Exception as exc:  # statsforecast's own (a history too short to filter …)
                raise UnfittableError(
                    f"{self.name} could not forecast from row {origin}{where}: {exc}; {ADVICE}"
                ) from exc
            if not np.isfinite(points).all():
                raise UnfittableError(f"{self.name} forecast a non-finite value{where}; {ADVICE}")
            out[key] = points
        return out


class ETS(_Statistical):
    """Exponential smoothing (error, trend, season), chosen by AICc: statsforecast's ``AutoETS``.

    As in R's ``forecast::ets``, seasons longer than 24 steps are not modelled (weekly,
    half-hourly data get a non-seasonal model).
    """

    name = "ets"
    summary = "AutoETS (statsforecast): exponential smoothing chosen by AICc; univariate"
    estimator = "AutoETS"

    @staticmethod
    def describe(fitted) -> str:
        # a constant series is fitted as ETS(A,N,N) at once, and that model is not named
        return str(fitted.model_.get("method", "ETS(A,N,N)"))


class Theta(_Statistical):
    """The best of four theta models (standard, optimised, dynamic …): ``AutoTheta``."""

    name = "theta"
    summary = "AutoTheta (statsforecast): the best of four theta models; univariate"
    estimator = "AutoTheta"

    PARAMETERS = ("alpha", "theta", "initial_smoothed")
    """What statsforecast's ``forward`` reads of a fitted model, beside ``m`` and ``modeltype``."""

    @staticmethod
    def describe(fitted) -> str:
        return str(fitted.model_["modeltype"])

    def fit_final(self, frames: dict) -> None:
        """Fits each series of ``frames`` on its whole history and keeps its parameters in
        ``final_`` (``{str(key): [{"m", "modeltype", "alpha", "theta", "initial_smoothed"}
        per target]}``); a series it cannot fit keeps none (a forecast then refits).

        The theta model that the validation fit selected (``selected_``) is fitted again, its
        parameters re-estimated, rather than choosing among the four again (1,000 daily
        series: a whole ``fit`` in 178 s against 239 s).

        Example:
            >>> import numpy as np, pandas as pd, pytest
            >>> _ = pytest.importorskip("statsforecast")
            >>> from forecast.models.base import ModelSpec
            >>> spec = ModelSpec(("y",), (), "D", 4, 2, 1, (), {})
            >>> frame = pd.DataFrame({"y": np.arange(1.0, 31.0)})
            >>> theta = Theta(spec)
            >>> theta.fit_final({"a": frame})
            >>> sorted(theta.final_["a"][0])
            ['alpha', 'initial_smoothed', 'm', 'modeltype', 'theta']
            >>> theta.forecast({"a": frame}, {"a": [30]})["a"].round(1).ravel().tolist()
            [31.0, 32.0]
        """
        super().fit_final(frames)

    def _final_options(self, key) -> list | None:
        chosen = self.selected_.get(key)
        return None if chosen is None else [{"model": model} for model in chosen]

    def _keep(self, model_: dict) -> dict | None:
        one = {"m": int(model_["m"]), "modeltype": str(model_["modeltype"])}
        one.update({p: float(model_["par"][p]) for p in self.PARAMETERS})
        return one if np.isfinite([one[p] for p in self.PARAMETERS]).all() else None

    def _rebuild(self, one: dict):
        model = statsforecast_models(self.name).AutoTheta(season_length=self.spec.season_length)
        par = {p: one[p] for p in self.PARAMETERS}
        model.model_ = {"m": one["m"], "modeltype": one["modeltype"], "par": par}
        return model


class ARIMA(_Statistical):
    """Seasonal ARIMA, orders chosen stepwise by AICc: statsforecast's ``AutoARIMA``."""

    name = "arima"
    summary = "AutoARIMA (statsforecast): seasonal ARIMA chosen by AICc; univariate"
    estimator = "AutoARIMA"

    @staticmethod
    def describe(fitted) -> str:
        from statsforecast.arima import arima_string

        return arima_string(fitted.model_).strip()

    def _keep(self, model_: dict) -> dict | None:
        """The orders ``arma`` (statsforecast's 7: p, q, P, Q, season, d, D), the
        coefficients by name, ``sigma2`` and the history's length ``n``: what ``forward``
        reads (a drift's regressor is the time index 1 … n, rebuilt from ``n``); ``None``
        for a model with other regressors or non-finite numbers.

        Example:
            >>> import numpy as np, pandas as pd, pytest
            >>> _ = pytest.importorskip("statsforecast")
            >>> from forecast.models.base import ModelSpec
            >>> spec = ModelSpec(("y",), (), "YS", 1, 3, 1, (), {})
            >>> y = 10 + np.sin(np.arange(60.0))
            >>> arima = ARIMA(spec)
            >>> arima.fit_final({"a": pd.DataFrame({"y": y})})
            >>> sorted(arima.final_["a"][0])
            ['arma', 'coef', 'n', 'sigma2']
            >>> kept = arima.forecast({"a": pd.DataFrame({"y": y})}, {"a": [60]})["a"].ravel()
            >>> refit = statsforecast_models("arima").AutoARIMA().fit(y).predict(3)["mean"]
            >>> bool(np.allclose(kept, refit, rtol=1e-9))
            True
        """
        coef = {str(name): float(value) for name, value in model_["coef"].items()}
        n = len(model_["x"])
        xreg = model_["xreg"]
        drift = np.arange(1.0, n + 1).reshape(-1, 1)
        if xreg is not None and ("drift" not in coef or not np.array_equal(xreg, drift)):
            return None
        one = {"arma": [int(k) for k in model_["arma"]], "coef": coef, "n": n}
        one["sigma2"] = float(model_["sigma2"])
        return one if np.isfinite([*coef.values(), one["sigma2"]]).all() else None

    def _rebuild(self, one: dict):
        model = statsforecast_models(self.name).AutoARIMA(season_length=self.spec.season_length)
        n = one["n"]
        drift = np.arange(1.0, n + 1).reshape(-1, 1) if "drift" in one["coef"] else None
        model.model_ = {
            "arma": tuple(one["arma"]),
            "coef": dict(one["coef"]),
            "sigma2": one["sigma2"],
            "x": np.zeros(n),  # forward reads only its length (a drift's time index)
            "xreg": drift,
            "lambda": None,  # statsforecast fits no Box-Cox transform
        }
        return model
