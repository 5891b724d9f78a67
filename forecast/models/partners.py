"""The neural models' statistical partners: theta, and arima where it is affordable.

With ``combine="auto"`` (or ``"theta"``) a neural model forecasts a weighted sum of its
network's forecast and its partners' (:mod:`forecast.combination`), the weights chosen on
the validation origins of the series whose validation is purged:

* **theta** (statsforecast's ``AutoTheta``) always: cheap on any panel, its parameters on
  each whole history kept at the end of ``fit`` (``Theta.fit_final``) and saved;
* **arima** (``AutoARIMA``) as well with ``combine="auto"`` where it is affordable: a season
  of at most :data:`ARIMA_MAX_SEASON` steps and at most :data:`ARIMA_MAX_SERIES` series
  (over every worker). AutoARIMA is the peer that forecasts cycles and autocorrelation that
  theta's flat or trending line cannot (yearly lynx and sunspots), but its cost grows with
  the series and the season: 204 s for the 304 tourism series where theta took 4.5 s, 138 s
  for one fit at a season of 24 on 1,000 hourly rows. Like theta, it is fitted once more
  on each whole history at the end of ``fit`` (the stepwise search again: its forecast from
  the end of the training history is then AutoARIMA's own there) and its orders and
  coefficients are kept and saved (``ARIMA.fit_final``); a forecast moves them through its
  history with ``forward`` (about 5 ms, where a search took up to 9 s on 1,461 daily rows).

Three forecasts are weighed by their errors alone, ``e ** -POWER`` normalised
(:func:`~forecast.combination.choose_weights`); with theta alone the weight is
:func:`~forecast.combination.choose_weight`, the same rule. Without a purged series no
validation can judge them, and each forecast counts as good as the others: the plain mean
of the three (a third each; of two without arima). Chosen on the tuning half of short
histories with long horizons, where no validation is purged
(``benchmarks/long_horizon.py``: 0.839 → 0.807 against seasonal naive, 28 of 38 folds
better; on the reporting half 0.913 → 0.865). A series a partner cannot fit takes
the network's forecast in that partner's place (theta) or leaves arima out of the
combination altogether (arima: it judges the weights on every series or on none).
"""

from __future__ import annotations

import numpy as np

from forecast import combination, pool
from forecast.errors import MissingDependencyError, TrainingError

ARIMA_MAX_SERIES = 10
"""The most series (every worker's) for which ``combine="auto"`` fits arima as a partner:
AutoARIMA took 0.2–0.8 s per series of 100–500 rows on a 2-core machine."""

ARIMA_MAX_SEASON = 12
"""The longest season at which ``combine="auto"`` fits arima (the accuracy protocol's own
limit for AutoARIMA)."""


class Partnered:
    """The combination of a neural model with its partners (mixed into ``models.neural``).

    The model provides ``spec`` and ``_network_forecast(frames, origins)``; it holds
    ``weight_`` (the network's), ``partner_`` (theta), ``arima_weight_`` and ``arima_``
    (arima, or ``None``); theta's weight is the rest, ``1 - weight_ - arima_weight_``. Both
    partners keep the parameters of their final fits in ``final_`` (the model directory's
    ``theta`` and ``arima``); a series without them (not seen in training) is refitted.
    """

    def _choose_weight(self, frames: dict, validation: dict, purged: list) -> dict:
        """The weights of the network and its partners, chosen on the validation origins of
        the ``purged`` series (those whose training windows end before their validation
        labels) that theta could fit, pooled over every worker's series; the plain mean
        without any purged series (of the network, theta and arima where arima joins, else
        of the first two), the network alone when theta failed on all of them:
        ``training`` entries for the manifest."""
        from forecast.models.statistical import Theta

        spec = self.spec
        self.partner_, self.arima_, self.arima_weight_ = Theta(spec), None, 0.0
        try:  # one fit per series on the rows before its first validation origin
            self.partner_.fit(frames, validation)
        except MissingDependencyError:
            raise MissingDependencyError(
                f"combine={spec.combine!r} combines the network with theta, which needs "
                "statsforecast: pip install statsforecast; or set combine='none'"
            ) from None
        except TrainingError:
            pass  # the series theta cannot fit: the network alone (see _partner_forecast)
        network = self._network_forecast(frames, validation)
        partner, failed = self._partner_forecast(frames, validation, network)
        # the others were trained on their validation labels (forecast.combination); a series
        # theta could not fit says nothing of theta (its partner there is the network itself)
        judged = {key: frames[key] for key in purged if str(key) not in failed}
        errors = combination.weight_errors(
            network, partner, judged, validation, spec.targets, spec.season_length
        )
        sums = pool.active().total(np.append(errors, [len(judged), len(purged)]))
        errors, judges, any_purged = sums[:-2], int(sums[-2]), sums[-1] > 0
        if judges:
            self.weight_ = combination.choose_weight(errors)
        else:  # no purged series: the plain mean; theta failed on all of them: the network
            self.weight_ = 1.0 if any_purged else combination.EQUAL
        arima = alone = None
        if judges or not any_purged:
            arima = self._arima_validation(frames, validation, judged, network)
        if arima is not None:
            # without a judge every forecast counts as equally good: the plain mean of three
            alone = np.array([errors[0], errors[-1], arima[1]]) / judges if judges else None
            weights = combination.choose_weights(np.ones(3) if alone is None else alone)
            self.weight_, self.arima_weight_ = float(weights[0]), float(weights[2])
        self._validation = (frames, validation, network, partner, arima and arima[0])
        if self._theta_weight() > 0:  # theta's parameters on the whole history
            self.partner_.fit_final({k: f for k, f in frames.items() if str(k) not in failed})
            self.partner_.final_ = pool.merged(pool.active().share(self.partner_.final_))
        if self.arima_weight_ > 0:  # arima's too: predict forwards them instead of a search
            self.arima_.fit_final(frames)
            self.arima_.final_ = pool.merged(pool.active().share(self.arima_.final_))
        info = {"network_weight": self.weight_, "weight_chosen_on": judges}
        if arima is not None:
            info["arima_weight"] = self.arima_weight_
        if alone is not None:
            info["validation_error_alone"] = dict(
                zip(("network", "theta", "arima"), np.round(alone, 6).tolist(), strict=True)
            )
        if judges:
            errors_by_weight = zip(combination.WEIGHTS, errors / judges, strict=True)
            info["validation_error_by_weight"] = {
                f"{w:g}": round(float(e), 6) for w, e in errors_by_weight
            }
        failed = [key for part in pool.active().share(failed) for key in part]  # every worker's
        if failed:
            info["theta_failed"] = failed
        return info

    def _arima_validation(self, frames: dict, validation: dict, judged: dict, network: dict):
        """Fits arima as a partner where ``combine="auto"`` affords it, and forecasts the
        validation origins: ``({key: forecast}, error summed over the judged series)``, or
        ``None`` where arima does not join (too many series, too long a season, a series it
        cannot fit on any worker). Without a judged series the error is 0: arima joins
        the plain mean if it fits every series."""
        from forecast.models.statistical import ARIMA

        spec, workers = self.spec, pool.active()
        many = workers.total(np.array([len(frames)]))[0] > ARIMA_MAX_SERIES
        if spec.combine != "auto" or spec.season_length > ARIMA_MAX_SEASON or many:
            return None
        self.arima_ = ARIMA(spec)
        forecasts = {}
        try:
            self.arima_.fit(frames, validation)
            forecasts = self.arima_.forecast(frames, validation)
        except TrainingError:
            pass
        errors = (
            combination.weight_errors(
                network, forecasts, judged, validation, spec.targets, spec.season_length
            )
            if len(forecasts) == len(frames)
            else np.full(len(combination.WEIGHTS), np.nan)
        )
        error = workers.total(errors[-1:])[0]  # NaN where any worker failed
        if not np.isfinite(error):
            self.arima_ = None
            return None
        return forecasts, error

    def _partner_forecast(self, frames: dict, origins: dict, network: dict):
        """Theta's forecasts at ``origins`` and the series it could not fit (they take the
        network's forecast: the combination is then the network alone)."""
        if self.partner_ is None:  # loaded without theta's parameters: refitted
            from forecast.models.statistical import Theta

            self.partner_ = Theta(self.spec)
        return _forecasts(self.partner_, frames, origins, network)

    def forecast_parts(self, frames: dict, origins: dict) -> list[tuple[float, dict]]:
        """The network's forecasts weighted ``weight_``, arima's ``arima_weight_`` and
        theta's the rest (the parts of weight 0 left out)."""
        from forecast.models.statistical import ARIMA

        cached, self._validation = self._validation, None
        if cached is not None and cached[0] is frames and cached[1] is origins:
            network, partner, arima = cached[2:]  # the fit's own validation forecasts
        else:
            network = self._network_forecast(frames, origins)
            partner = arima = None
        theta_weight = self._theta_weight()
        parts = [(self.weight_, network)]
        if theta_weight > 0:
            partner = partner or self._partner_forecast(frames, origins, network)[0]
            parts.append((theta_weight, partner))
        if self.arima_weight_ > 0:
            if self.arima_ is None:  # not fitted here (weights set by hand): refitted
                self.arima_ = ARIMA(self.spec)
            arima = arima or _forecasts(self.arima_, frames, origins, network)[0]
            parts.append((self.arima_weight_, arima))
        return parts

    def _theta_weight(self) -> float:
        """Theta's weight: what the network and arima leave (0 below rounding noise)."""
        rest = 1.0 - self.weight_ - self.arima_weight_
        return rest if rest > 1e-9 else 0.0


def _forecasts(model, frames: dict, origins: dict, network: dict):
    """``model``'s forecasts at ``origins``, series by series, and the series it could not
    forecast (they take ``network``'s forecast)."""
    out, failed = {}, []
    for key, frame in frames.items():
        try:
            out[key] = model.forecast({key: frame}, {key: origins[key]})[key]
        except TrainingError:
            out[key] = network[key]
            failed.append(str(key))
    return out, failed
