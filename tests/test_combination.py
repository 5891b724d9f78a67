"""The network combined with theta (combine="theta"; "auto" as well where arima does not join:
test_partners): the weight set on validation, the
forecast against statsforecast's own AutoTheta, failures and the model directory."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from conftest import seasonal_frame
from hypothesis import given, settings
from hypothesis import strategies as st
from test_pool import run_workers

from forecast import Forecaster, combination, panel
from forecast.errors import MissingDependencyError, ModelDirError, TrainingError
from forecast.intervals import LEVELS, conformal_quantile, series_scale
from forecast.models.base import Model
from forecast.windowing import validation_origins

pytest.importorskip("statsforecast")

TINY = dict(units=8, epochs=3, patience=2, batch_size=16, ensemble=1)
# theta as the only partner: the two-forecast weight these tests check (arima: test_partners)
THETA = dict(TINY, combine="theta")


def test_weight_errors_are_scaled_mean_errors_summed_over_series():
    rng = np.random.default_rng(0)
    frames = {k: pd.DataFrame({"y": rng.normal(10 * (k + 1), 1 + k, 40)}) for k in range(3)}
    origins = {k: [30, 32] for k in frames}
    network = {k: rng.normal(0, 1, (2, 4, 1)) + 10 * (k + 1) for k in frames}
    partner = {k: rng.normal(0, 1, (2, 4, 1)) + 10 * (k + 1) for k in frames}
    got = combination.weight_errors(network, partner, frames, origins, ["y"], 4)
    for i, w in enumerate(combination.WEIGHTS):
        expected = 0.0
        for k, frame in frames.items():
            y = frame["y"].to_numpy()
            actual = np.stack([y[30:34], y[32:36]])[..., None]
            scale = series_scale(y[:30, None], 4)
            mixed = w * network[k] + (1 - w) * partner[k]
            expected += np.mean(np.abs(mixed - actual)) / scale[0]
        assert got[i] == pytest.approx(expected, rel=1e-12)


def test_the_weight_is_the_inverse_error_weight_of_the_two_alone():
    frame = pd.DataFrame({"y": np.arange(20.0)})
    actual = np.arange(16.0, 20.0).reshape(1, 4, 1)
    perfect, off = {0: actual}, {0: actual + 3}
    args = ({0: frame}, {0: [16]}, ["y"], 1)
    assert combination.choose_weight(combination.weight_errors(perfect, off, *args)) == 1.0
    assert combination.choose_weight(combination.weight_errors(off, perfect, *args)) == 0.0
    assert combination.choose_weight(combination.weight_errors(perfect, perfect, *args)) == 1.0
    halfway = {0: actual - 3}  # as far off as `off`: equal errors, equal weights
    assert combination.choose_weight(combination.weight_errors(halfway, off, *args)) == 0.5
    closer = {0: actual - 1}  # a third of theta's error: 1 / (1 + (1/3) ** 4)
    errors = combination.weight_errors(closer, off, *args)
    assert errors[0] == pytest.approx(errors[-1] / 3)
    assert combination.choose_weight(errors) == round(81 / 82, 3)


@settings(max_examples=200, deadline=None)
@given(st.floats(0, 1e6, allow_nan=False), st.floats(0, 1e6, allow_nan=False), st.floats(0, 1e3))
def test_the_weight_is_symmetric_monotone_and_a_weight(network, partner, more):
    w = combination.choose_weight(np.array([network, 0, 0, 0, partner]))
    assert 0.0 <= w <= 1.0
    if network != partner:  # swapping the two errors swaps the weights
        swapped = combination.choose_weight(np.array([partner, 0, 0, 0, network]))
        assert w + swapped == pytest.approx(1.0, abs=1.1e-3)  # each rounded to 0.001
    # a larger network error never raises its weight
    assert combination.choose_weight(np.array([network + more, 0, 0, 0, partner])) <= w


def test_the_forecast_is_the_weighted_mean_of_the_network_and_statsforecasts_theta(airline):
    from statsforecast.models import AutoTheta

    fc = Forecaster(horizon=12, seed=0, **THETA).fit(airline)
    weight = fc.training_["network_weight"]
    errors = fc.training_["validation_error_by_weight"]  # per series, rounded to 1e-6
    assert 0 < weight < 1
    assert weight == pytest.approx(combination.choose_weight(list(errors.values())), abs=1e-3)
    frame = fc.history_[None]
    network = fc.model_._network_forecast({None: frame}, {None: [len(frame)]})[None][0, :, 0]
    y = frame["passengers"].to_numpy(dtype=float)
    # the theta model selected on the validation fit, re-estimated on the whole history
    (selected,) = fc.model_.partner_.selected_[None]
    theta = AutoTheta(season_length=12, model=selected).fit(y).predict(12)["mean"]
    expected = weight * network + (1 - weight) * theta
    np.testing.assert_allclose(fc.predict()["passengers"], expected, rtol=1e-9)


def test_the_weight_is_chosen_on_its_validation_forecasts(airline):
    from forecast.models.statistical import Theta

    fc = Forecaster(horizon=12, seed=0, **THETA).fit(airline)
    frames = {None: fc.history_[None]}
    origins = {None: validation_origins(len(frames[None]), fc.lookback_, 12, fc.val_fraction)}
    theta = Theta(fc.model_.spec)
    theta.fit(frames, origins)
    partner = theta.forecast(frames, origins)
    network = fc.model_._network_forecast(frames, origins)
    errors = combination.weight_errors(network, partner, frames, origins, ["passengers"], 12)
    np.testing.assert_allclose(
        list(fc.training_["validation_error_by_weight"].values()), errors, atol=1e-6
    )
    # the validation metrics are those of the combined forecast
    w = fc.training_["network_weight"]
    combined = combination.combine([(w, network), (1 - w, partner)])[None]
    y = frames[None]["passengers"].to_numpy()
    actual = y[np.asarray(origins[None])[:, None] + np.arange(12)]
    assert fc.metrics_["mae"] == pytest.approx(np.abs(combined[..., 0] - actual).mean())


class _Parts(Model):
    """Two parts whose errors cancel exactly in their equal-weight sum (and shrink from one
    origin to the next: forward_levels leaves the grid as it is)."""

    name = "parts"
    summary = "test double"

    def forecast(self, frames, origins):
        return combination.combine(self.forecast_parts(frames, origins))

    def forecast_parts(self, frames, origins):
        out = []
        for sign in (1.0, -1.0):
            part = {}
            for key, frame in frames.items():
                y = frame["y"].to_numpy(dtype=float)
                rows = np.asarray(origins[key])[:, None] + np.arange(self.spec.horizon)
                shift = sign * (len(rows) - np.arange(len(rows)))[:, None]
                part[key] = (y[rows] + shift)[..., None]
            out.append((0.5, part))
        return out


def test_the_interval_of_a_combination_does_not_count_on_its_parts_errors_cancelling():
    frame = pd.DataFrame({"y": np.arange(40.0) % 4}, index=pd.date_range("2020", periods=40))
    spec = SimpleNamespace(horizon=3)
    origins = {None: [30, 31, 32, 33, 34]}
    cal = panel.calibrate(_Parts(spec), {None: frame}, origins, ["y"], 3, 4, 80)
    assert cal["metrics"]["mae"] == 0.0  # the sum is exact on validation ...
    # ... but its interval is that of 0.5 |error 1| + 0.5 |error 2| = 5, 4, 3, 2, 1
    bound = (5.0 - np.arange(5))[:, None, None] * np.ones((5, 3, 1))
    scale = series_scale(frame[["y"]].to_numpy()[:30], 4)
    np.testing.assert_allclose(
        cal["grid"][LEVELS.index(80)], conformal_quantile(bound / scale, 80), rtol=1e-12
    )
    assert cal["grid"][LEVELS.index(80)].min() > 0


def test_the_base_interval_is_read_higher_where_the_naive_errors_grew():
    # y = t²: seasonal naive's errors 8 (t + h) - 16 grow from one origin to the next, so
    # no quantile of the earlier 10 origins covers any of the later 10: the largest error
    frame = pd.DataFrame({"y": np.arange(60.0) ** 2}, index=pd.date_range("2020", periods=60))
    origins = list(range(30, 50))
    cal = panel.calibrate(_Parts(SimpleNamespace(horizon=3)), {None: frame}, {None: origins},
                          ["y"], 3, 4, 80)  # fmt: skip
    steps = np.arange(3)
    naive = np.array([[8.0 * (o + h) - 16 for h in steps] for o in origins])[..., None]
    scale = series_scale(frame[["y"]].to_numpy()[:30], 4)
    plain = conformal_quantile(naive / scale, 80)  # the 18th of the 20 errors
    np.testing.assert_allclose(cal["base_grid"][LEVELS.index(80)], naive.max(axis=0) / scale)
    assert (cal["base_grid"][LEVELS.index(80)] > plain).all()


def test_none_is_the_network_alone(airline):
    fc = Forecaster(horizon=12, seed=0, combine="none", **TINY).fit(airline)
    assert "network_weight" not in fc.training_ and fc.model_.weight_ == 1.0
    frame = fc.history_[None]
    network = fc.model_._network_forecast({None: frame}, {None: [len(frame)]})[None][0, :, 0]
    np.testing.assert_array_equal(fc.predict()["passengers"].to_numpy(), network)


def test_a_series_theta_cannot_fit_takes_the_network_alone(monkeypatch):
    from forecast.models.statistical import Theta

    real = Theta._fit_series

    def fails_on_b(self, key, values, options=None):
        if key == "b":
            raise TrainingError("model='theta' could not be fitted to series 'b'")
        return real(self, key, values, options)

    monkeypatch.setattr(Theta, "_fit_series", fails_on_b)
    panel = pd.concat([seasonal_frame(seed=i).assign(id=k) for i, k in enumerate("abc")])
    fc = Forecaster(horizon=6, seed=0, **THETA).fit(panel, id_col="id")
    assert fc.training_["theta_failed"] == ["b"]
    frame = fc.history_["b"]
    network = fc.model_._network_forecast({"b": frame}, {"b": [len(frame)]})["b"][0, :, 0]
    np.testing.assert_allclose(fc.predict(series=["b"])["y"], network, rtol=1e-12)


def test_series_theta_cannot_fit_do_not_judge_the_weight(monkeypatch):
    """Where theta fails its partner is the network itself: equal errors that say nothing of
    theta and would pull the weight to 0.5. Such series are left out of the choice; when theta
    fails on every series, the network alone (as the summary says)."""
    from forecast.cli.summary import _fit_summary
    from forecast.models.neural import LSTMDirect
    from forecast.models.statistical import Theta

    real = Theta._fit_series
    failing = set()

    def fails(self, key, values, options=None):
        if key in failing:
            raise TrainingError(f"model='theta' could not be fitted to series {key!r}")
        return real(self, key, values, options)

    monkeypatch.setattr(Theta, "_fit_series", fails)
    panel = pd.concat([seasonal_frame(seed=i).assign(id=k) for i, k in enumerate("abc")])
    seen = {}
    choose = combination.choose_weight

    def recording(errors):
        seen["e"] = np.array(errors)
        return choose(errors)

    monkeypatch.setattr(combination, "choose_weight", recording)
    failing.add("b")
    fc = Forecaster(horizon=6, seed=0, **THETA).fit(panel, id_col="id")
    assert fc.training_["theta_failed"] == ["b"] and fc.training_["weight_chosen_on"] == 2
    # the errors are those of a and c alone
    frames = {k: fc.history_[k] for k in "ac"}
    model = fc.model_
    origins = {
        k: validation_origins(len(f), fc.lookback_, 6, fc.val_fraction) for k, f in frames.items()
    }
    theta = Theta(model.spec)  # the validation fit: on the rows before the origins
    theta.fit(frames, origins)
    network, partner = model._network_forecast(frames, origins), theta.forecast(frames, origins)
    expected = combination.weight_errors(
        network, partner, frames, origins, ["y"], fc.season_length_
    )
    np.testing.assert_allclose(seen["e"], expected, rtol=1e-9)
    assert fc.model_.weight_ == choose(expected)

    failing.update("ac")
    fc = Forecaster(horizon=6, seed=0, **THETA).fit(panel, id_col="id")
    assert fc.training_["theta_failed"] == ["a", "b", "c"]
    assert fc.model_.weight_ == 1.0 and fc.training_["weight_chosen_on"] == 0
    assert isinstance(fc.model_, LSTMDirect) and not fc.model_.partner_.final_
    line = next(x for x in _fit_summary(fc, None).splitlines() if x.startswith("Combined:"))
    assert line == (
        "Combined:   the network alone: theta could not be fitted to the series whose "
        "validation judges the weight"
    )


def test_a_series_whose_validation_fit_failed_gets_no_final_theta(monkeypatch):
    from forecast.models.statistical import Theta

    real = Theta._fit_series
    lengths = {}

    def fails_on_short_b(self, key, values, options=None):
        if key == "b" and len(values) < lengths["b"]:  # the validation fit only
            raise TrainingError("model='theta' could not be fitted to series 'b'")
        return real(self, key, values, options)

    monkeypatch.setattr(Theta, "_fit_series", fails_on_short_b)
    panel = pd.concat([seasonal_frame(seed=i).assign(id=k) for i, k in enumerate("abc")])
    lengths["b"] = int((panel["id"] == "b").sum())
    fc = Forecaster(horizon=6, seed=0, **THETA).fit(panel, id_col="id")
    assert fc.training_["theta_failed"] == ["b"] and fc.model_.weight_ < 1
    assert sorted(fc.model_.partner_.final_) == ["a", "c"]


def test_without_statsforecast_the_error_names_the_parameter(monkeypatch, monthly):
    from forecast.models import statistical

    def missing(model):
        raise MissingDependencyError(f"model={model!r} needs statsforecast")

    monkeypatch.setattr(statistical, "statsforecast_models", missing)
    with pytest.raises(MissingDependencyError, match=r"combine='auto' .* combine='none'"):
        Forecaster(horizon=6, **TINY).fit(monthly)
    assert Forecaster(horizon=6, combine="none", **TINY).fit(monthly).model_.partner_ is None


def test_the_weight_survives_the_model_directory(tmp_path, monthly):
    from forecast.models.neural import LSTMDirect

    fc = Forecaster(horizon=6, seed=0, **THETA).fit(monthly)
    fc.save(tmp_path / "m")
    back = Forecaster.load(tmp_path / "m")
    assert back.model_.weight_ == fc.model_.weight_
    np.testing.assert_array_equal(back.predict().to_numpy(), fc.predict().to_numpy())
    config = fc.model_.get_config() | {"network_weight": 1.5}
    with pytest.raises(ModelDirError, match="model.state.network_weight"):
        LSTMDirect.from_config(fc.model_.spec, config, {"model.keras": None})


def test_predict_moves_thetas_parameters_through_the_history_instead_of_refitting(
    monkeypatch, tmp_path, airline
):
    from statsforecast.models import AutoTheta

    from forecast.models.statistical import Theta

    train, later = airline.iloc[:-12], airline
    fc = Forecaster(horizon=12, seed=0, **THETA).fit(train)
    weight = fc.training_["network_weight"]
    assert weight < 1
    fc.save(tmp_path / "m")
    before = fc.predict()

    def no_refit(self, key, values, options=None):
        raise AssertionError("theta was refitted")

    monkeypatch.setattr(Theta, "_fit_series", no_refit)
    back = Forecaster.load(tmp_path / "m")
    np.testing.assert_array_equal(back.predict().to_numpy(), before.to_numpy())
    # twelve newer rows: the training history's parameters, filtered through them
    y = train["passengers"].to_numpy(dtype=float)
    (selected,) = fc.model_.partner_.selected_[None]
    oracle = AutoTheta(season_length=12, model=selected).fit(y)
    theta = oracle.forward(later["passengers"].to_numpy(dtype=float), 12)["mean"]
    new = later.set_index("date")[["passengers"]].astype(float).asfreq("MS")
    network = back.model_._network_forecast({None: new}, {None: [len(new)]})[None][0, :, 0]
    np.testing.assert_allclose(
        back.predict(data=later)["passengers"],
        weight * network + (1 - weight) * theta,
        rtol=1e-9,
    )


def test_thetas_parameters_in_the_model_directory_are_checked(monthly):
    from forecast.models.neural import LSTMDirect

    fc = Forecaster(horizon=6, seed=0, **THETA).fit(monthly)
    state = fc.model_.get_config()
    assert state["theta"] and fc.model_.weight_ < 1
    spec, files = fc.model_.spec, {"model.keras": None}
    bad = {"None": [dict(state["theta"]["None"][0], modeltype="XYZ")]}
    with pytest.raises(ModelDirError, match=r"model\.state\.theta\.None"):
        LSTMDirect.from_config(spec, state | {"theta": bad}, files)
    with pytest.raises(ModelDirError, match=r"'model\.state\.theta': a series without a scaler"):
        LSTMDirect.from_config(spec, state | {"theta": {"other": state["theta"]["None"]}}, files)


def test_the_weight_is_chosen_on_every_workers_series(airline):
    from forecast.models.neural import LSTMDirect

    fc = Forecaster(horizon=12, seed=0, **THETA).fit(airline)
    y = airline.set_index("date")["passengers"].astype(float).asfreq("MS")
    frames = {k: (y * (1 + k)).to_frame() for k in range(3)}
    origins = {k: validation_origins(len(f), fc.lookback_, 12, 0.2) for k, f in frames.items()}
    steps = np.arange(12)

    def network(frames, origins):  # exact on series 0, far off on series 1 and 2
        return {
            k: frames[k].to_numpy()[np.asarray(origins[k])[:, None] + steps] * (1 + k)
            for k in frames
        }

    def choose(keys):
        model = LSTMDirect(fc.model_.spec)
        model._network_forecast = network
        purged = list(keys)  # the whole of airline: every series is purged
        model._choose_weight({k: frames[k] for k in keys}, {k: origins[k] for k in keys}, purged)
        return model.weight_

    whole, alone = choose([0, 1, 2]), choose([0])
    assert alone == 1.0 and whole != alone
    assert run_workers(2, lambda pool: choose([[0], [1, 2]][pool.index])) == [whole, whole]

    def finals(keys):  # theta's parameters of every worker's series, on every worker
        model = LSTMDirect(fc.model_.spec)
        model._network_forecast = network
        model._choose_weight({k: frames[k] for k in keys}, {k: origins[k] for k in keys}, [])
        return model.partner_.final_

    one = finals([0, 1, 2])
    assert sorted(one) == ["0", "1", "2"]
    assert run_workers(2, lambda pool: finals([[0], [1, 2]][pool.index])) == [one, one]


def test_only_series_with_purged_validation_choose_the_weight(airline):
    from forecast.models.neural import LSTMDirect
    from forecast.windowing import training_origins

    fc = Forecaster(horizon=12, seed=0, **THETA).fit(airline)
    spec = fc.model_.spec
    y = airline.set_index("date")["passengers"].astype(float).asfreq("MS")
    frames = {"long": y.to_frame(), "short": y.iloc[:60].to_frame()}
    origins = {k: validation_origins(len(f), spec.lookback, 12, 0.2) for k, f in frames.items()}
    kinds = {
        k: training_origins(len(f), spec.lookback, 12, origins[k])[1] for k, f in frames.items()
    }
    assert kinds == {"long": "purged", "short": "overlapping"}
    steps = np.arange(12)

    def scaled(factors):  # the actual values at the origins, times a factor per series
        def forecast(frames, origins, *_):
            return {
                k: frames[k].to_numpy()[np.asarray(origins[k])[:, None] + steps] * factors[k]
                for k in frames
            }

        return forecast

    # the network: 40 % too high on the long series, exact on the short one (trained on it)
    network = scaled({"long": 1.4, "short": 1.0})
    partner = scaled({"long": 0.8, "short": 0.2})

    def choose(keys):
        model = LSTMDirect(spec)
        model._network_forecast = network
        model._partner_forecast = lambda frames, origins, _: (partner(frames, origins), [])
        purged = [k for k in keys if kinds[k] == "purged"]  # as fit() gives them
        part = {k: frames[k] for k in keys}
        info = model._choose_weight(part, {k: origins[k] for k in keys}, purged)
        return model.weight_, info

    def would_choose(keys):  # the weight if these series judged
        part = {k: frames[k] for k in keys}
        errors = combination.weight_errors(
            network(part, origins), partner(part, origins), part, origins, ["passengers"], 12
        )
        return combination.choose_weight(errors)

    # the long series alone: the network's error twice theta's, 1 / (1 + 2 ** 4)
    assert would_choose(["long"]) == round(1 / 17, 3) and would_choose(["long", "short"]) > 0.5
    weight, info = choose(["long", "short"])
    assert weight == round(1 / 17, 3) and info["weight_chosen_on"] == 1
    assert list(info["validation_error_by_weight"]) == ["1", "0.75", "0.5", "0.25", "0"]
    weight, info = choose(["short"])
    assert weight == combination.EQUAL == 0.5
    assert info["weight_chosen_on"] == 0 and "validation_error_by_weight" not in info


def test_a_series_too_short_for_its_horizon_gets_equal_weights_and_says_so(airline):
    from forecast.cli.summary import _fit_summary

    fc = Forecaster(horizon=24, seed=0, **THETA).fit(airline.iloc[:72])
    assert fc.training_["validation"] == "overlapping"
    assert fc.training_["network_weight"] == 0.5 and fc.training_["weight_chosen_on"] == 0
    line = next(x for x in _fit_summary(fc, None).splitlines() if x.startswith("Combined:"))
    assert line == (
        "Combined:   0.5 x network + 0.5 x theta, equal weights: no series had validation "
        "windows apart from its training windows to choose the weight on"
    )


def test_in_a_panel_only_the_long_enough_series_choose(airline):
    long = airline.assign(id="long")
    short = airline.iloc[:72].assign(id="short")
    fc = Forecaster(horizon=24, seed=0, **THETA).fit(pd.concat([long, short]), id_col="id")
    assert fc.training_["validation"] == "overlapping"  # not every series is purged
    assert fc.training_["weight_chosen_on"] == 1
    errors = list(fc.training_["validation_error_by_weight"].values())  # rounded to 1e-6
    assert fc.training_["network_weight"] == pytest.approx(
        combination.choose_weight(errors), abs=1e-3
    )
