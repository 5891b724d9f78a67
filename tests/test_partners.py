"""Arima as the network's second partner (combine="auto", forecast.models.partners): where it
joins, the three weights, the forecast against statsforecast's own models, failures, the
model directory and several workers."""

from __future__ import annotations

import numpy as np
import pytest
from test_pool import run_workers

from forecast import Forecaster, combination, intervals
from forecast.errors import ModelDirError, TrainingError
from forecast.models import partners
from forecast.windowing import validation_origins

pytest.importorskip("statsforecast")

TINY = dict(units=8, epochs=3, patience=2, batch_size=16, ensemble=1)


def test_the_weights_are_inverse_error_powers_and_two_give_the_two_forecast_weight():
    # 1 : 2 : 4 → 1, 1/16, 1/256 normalised (sum 273/256)
    np.testing.assert_allclose(
        combination.choose_weights([1.0, 2.0, 4.0]),
        [round(256 / 273, 3), 1 - round(256 / 273, 3) - round(1 / 273, 3), round(1 / 273, 3)],
    )
    for network, theta in [(1.0, 2.0), (3.0, 1.0), (1.0, 1.0), (0.7, 0.9)]:
        errors = np.array([network, 0, 0, 0, theta])
        weights = combination.choose_weights([network, theta])
        assert weights[0] == combination.choose_weight(errors) and weights.sum() == 1.0
    assert combination.choose_weights([0.0, 0.0, 1.0]).tolist() == [1.0, 0.0, 0.0]
    assert combination.choose_weights([1.0, 2.0, 0.0]).tolist() == [0.0, 0.0, 1.0]
    assert combination.choose_weights([1e-200, 1e-199, 1e-198]).sum() == pytest.approx(1.0)


def test_arima_joins_a_short_monthly_series_and_the_forecast_is_the_sum_of_the_three(airline):
    from statsforecast.models import AutoARIMA, AutoTheta

    fc = Forecaster(horizon=12, seed=0, **TINY).fit(airline)
    t = fc.training_
    alone = t["validation_error_alone"]  # per series, rounded to 1e-6
    assert list(alone) == ["network", "theta", "arima"]
    weights = combination.choose_weights(list(alone.values()))
    assert t["network_weight"] == pytest.approx(weights[0], abs=2e-3)
    assert t["arima_weight"] == pytest.approx(weights[2], abs=2e-3) and t["arima_weight"] > 0
    assert alone["network"] == t["validation_error_by_weight"]["1"]
    assert alone["theta"] == t["validation_error_by_weight"]["0"]
    frame = fc.history_[None]
    network = fc.model_._network_forecast({None: frame}, {None: [len(frame)]})[None][0, :, 0]
    y = frame["passengers"].to_numpy(dtype=float)
    (selected,) = fc.model_.partner_.selected_[None]
    theta = AutoTheta(season_length=12, model=selected).fit(y).predict(12)["mean"]
    arima = AutoARIMA(season_length=12).fit(y).predict(12)["mean"]  # refitted on the whole
    w, a = t["network_weight"], t["arima_weight"]
    expected = w * network + (1 - w - a) * theta + a * arima
    np.testing.assert_allclose(fc.predict()["passengers"], expected, rtol=1e-9)


def test_without_a_purged_series_arima_joins_the_plain_mean_of_the_three(airline):
    """… and the interval holds each of the three forecasts (intervals.bounds)."""
    from statsforecast.models import AutoARIMA, AutoTheta

    from forecast.cli.summary import _fit_summary

    short = airline.iloc[:108]  # 9 years, 36 months ahead: validation overlaps training
    fc = Forecaster(horizon=36, seed=0, **TINY).fit(short)
    t = fc.training_
    assert t["validation"] == "overlapping" and t["weight_chosen_on"] == 0
    assert (t["network_weight"], t["arima_weight"]) == (0.333, 0.333)
    assert "validation_error_alone" not in t
    line = next(x for x in _fit_summary(fc, None).splitlines() if x.startswith("Combined:"))
    assert line == (
        "Combined:   0.333 x network + 0.334 x theta + 0.333 x arima, equal weights: no series "
        "had validation windows apart from its training windows to choose the weight on"
    )
    frame = fc.history_[None]
    network = fc.model_._network_forecast({None: frame}, {None: [len(frame)]})[None][0, :, 0]
    y = frame["passengers"].to_numpy(dtype=float)
    (selected,) = fc.model_.partner_.selected_[None]
    theta = AutoTheta(season_length=12, model=selected).fit(y).predict(36)["mean"]
    arima = AutoARIMA(season_length=12).fit(y).predict(36)["mean"]
    expected = 0.333 * network + 0.334 * theta + 0.333 * arima
    np.testing.assert_allclose(fc.predict()["passengers"], expected, rtol=1e-9)
    parts = np.stack([network, theta, arima])[..., None]  # (3, h, K)
    for level in (80, 5):
        pred = fc.predict(level=level)
        width = intervals.half_width(fc.quantiles_, level, fc.scales_["None"])
        log = "None" in fc.log_scales_
        floor = intervals.log_floor(y[:, None])
        calibrated = intervals.bounds(expected[:, None], width, log, floor)
        lower, upper = (
            np.minimum(calibrated[0], parts.min(0)),
            np.maximum(calibrated[1], parts.max(0)),
        )
        np.testing.assert_allclose(pred["passengers_lower"], lower[:, 0], rtol=1e-9)
        np.testing.assert_allclose(pred["passengers_upper"], upper[:, 0], rtol=1e-9)
    # at 5 % the parts' spread is wider than the calibrated interval: the span is a bound
    assert ((parts.min(0) < calibrated[0]) | (parts.max(0) > calibrated[1])).any()
    theta_only = Forecaster(horizon=36, seed=0, **TINY, combine="theta").fit(short).training_
    assert (theta_only["network_weight"], "arima_weight" in theta_only) == (0.5, False)


def test_arima_stays_out_beyond_its_limits_and_with_combine_theta(monkeypatch, airline):
    from forecast.models.statistical import ARIMA

    tried = []

    def record(self, *args):  # records the attempt, then fails: arima stays out
        tried.append(1)
        raise TrainingError("recorded")

    monkeypatch.setattr(ARIMA, "fit", record)

    def tries(**params) -> bool:
        tried.clear()
        t = Forecaster(horizon=12, seed=0, **TINY, **params).fit(airline).training_
        assert "arima_weight" not in t and "validation_error_alone" not in t
        return bool(tried)

    assert tries()  # one monthly series: arima is tried
    assert not tries(combine="theta")
    monkeypatch.setattr(partners, "ARIMA_MAX_SEASON", 11)
    assert not tries()
    monkeypatch.setattr(partners, "ARIMA_MAX_SEASON", 12)
    monkeypatch.setattr(partners, "ARIMA_MAX_SERIES", 0)
    assert not tries()


def test_a_series_arima_cannot_fit_leaves_it_out_of_the_combination(monkeypatch, airline):
    from forecast.models.statistical import ARIMA

    def fail(self, key, values, options=None):
        raise TrainingError("no arima here")

    monkeypatch.setattr(ARIMA, "_fit_series", fail)
    fc = Forecaster(horizon=12, seed=0, **TINY).fit(airline)
    alone = Forecaster(horizon=12, seed=0, **TINY, combine="theta").fit(airline)
    assert "arima_weight" not in fc.training_ and fc.model_.arima_ is None
    assert fc.model_.weight_ == alone.model_.weight_
    np.testing.assert_array_equal(fc.predict().to_numpy(), alone.predict().to_numpy())


def test_the_three_weights_survive_the_model_directory(tmp_path, airline):
    from forecast.models.neural import LSTMDirect

    fc = Forecaster(horizon=12, seed=0, **TINY).fit(airline)
    assert fc.model_.arima_weight_ > 0
    fc.save(tmp_path / "m")
    back = Forecaster.load(tmp_path / "m")
    assert (back.model_.weight_, back.model_.arima_weight_) == (
        fc.model_.weight_,
        fc.model_.arima_weight_,
    )
    np.testing.assert_array_equal(back.predict().to_numpy(), fc.predict().to_numpy())
    config, spec = fc.model_.get_config(), fc.model_.spec
    with pytest.raises(ModelDirError, match="weights exceed 1"):
        LSTMDirect.from_config(spec, config | {"network_weight": 0.9, "arima_weight": 0.2}, {
            "model.keras": None
        })  # fmt: skip
    # a state written before arima could join has no arima weight: theta takes the rest
    older = {k: v for k, v in config.items() if k != "arima_weight"}
    model = LSTMDirect.from_config(spec, older, {"model.keras": tmp_path / "m" / "model.keras"})
    assert model.arima_weight_ == 0.0 and model.weight_ == fc.model_.weight_


def test_predict_moves_arimas_kept_parameters_instead_of_searching_again(
    monkeypatch, tmp_path, airline
):
    from statsforecast.models import AutoARIMA

    from forecast.models.neural import LSTMDirect
    from forecast.models.statistical import ARIMA

    fc = Forecaster(horizon=12, seed=0, **TINY).fit(airline)
    (kept,) = fc.model_.arima_.final_["None"]
    y = fc.history_[None]["passengers"].to_numpy(dtype=float)
    searched = AutoARIMA(season_length=12).fit(y).model_  # the final fit: the same search
    assert kept["arma"] == list(searched["arma"]) and kept["n"] == len(y)
    assert kept["coef"] == pytest.approx(dict(searched["coef"]), rel=1e-12)
    before = fc.predict()
    fc.save(tmp_path / "m")

    def refuse(self, *args, **kwargs):
        raise AssertionError("arima was fitted again")

    monkeypatch.setattr(ARIMA, "_fit_series", refuse)
    np.testing.assert_array_equal(fc.predict().to_numpy(), before.to_numpy())
    back = Forecaster.load(tmp_path / "m")
    assert back.model_.arima_.final_ == fc.model_.arima_.final_
    np.testing.assert_array_equal(back.predict().to_numpy(), before.to_numpy())
    config, files = fc.model_.get_config(), {"model.keras": tmp_path / "m" / "model.keras"}
    bad = {"None": [dict(kept, arma=kept["arma"][:6])]}
    with pytest.raises(ModelDirError, match=r"model\.state\.arima\.None"):
        LSTMDirect.from_config(fc.model_.spec, config | {"arima": bad}, files)
    with pytest.raises(ModelDirError, match="'model.state.arima': a series without a scaler"):
        LSTMDirect.from_config(fc.model_.spec, config | {"arima": {"x": [kept]}}, files)


def test_every_worker_gets_the_same_three_weights(airline):
    from forecast.models.neural import LSTMDirect

    spec = Forecaster(horizon=12, seed=0, **TINY).fit(airline).model_.spec
    y = airline.set_index("date")["passengers"].astype(float).asfreq("MS")
    frames = {k: (y * (1 + k) + 10 * k * np.sin(np.arange(len(y)))).to_frame() for k in range(3)}
    origins = {k: validation_origins(len(f), spec.lookback, 12, 0.2) for k, f in frames.items()}
    steps = np.arange(12)

    def network(frames, origins):  # 10 % too high everywhere
        return {
            k: 1.1 * frames[k].to_numpy()[np.asarray(origins[k])[:, None] + steps] for k in frames
        }

    def choose(keys, purged=True):
        model = LSTMDirect(spec)
        model._network_forecast = network
        part = {k: frames[k] for k in keys}
        model._choose_weight(part, {k: origins[k] for k in keys}, list(keys) if purged else [])
        return model.weight_, model.arima_weight_

    whole = choose([0, 1, 2])
    assert whole[1] > 0
    assert run_workers(2, lambda pool: choose([[0], [1, 2]][pool.index])) == [whole, whole]
    # no purged series on any worker: the plain mean of the three on every worker
    thirds = run_workers(2, lambda pool: choose([[0], [1, 2]][pool.index], purged=False))
    assert thirds == [(0.333, 0.333)] * 2
