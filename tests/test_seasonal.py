"""Seasonal adjustment: the test and indices against statsmodels (theta's own tools), the phase
tied to time, and the networks that read seasonally adjusted series (deseasonalize="auto")."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import seasonal_frame

from forecast import Forecaster, training
from forecast.errors import ModelDirError
from forecast.seasonal import Seasonal, fit_seasonal, is_seasonal, seasonal_indices, steps_between

# theta as the only partner: arima (combine="auto", tested in test_partners) costs 2-3 s a fit
TINY = dict(units=8, epochs=3, patience=2, batch_size=16, ensemble=1, combine="theta")


def _theta_rule(y: np.ndarray, m: int) -> bool:
    """statsforecast's theta: deseasonalise when |acf(m)| / its Bartlett bound > z(0.95)."""
    from scipy.stats import norm
    from statsmodels.tsa.stattools import acf

    if m < 4 or len(y) < 2 * m:
        return False
    r = acf(y, nlags=m, fft=False)[1:]
    stat = np.sqrt((1 + 2 * np.sum(r[:-1] ** 2)) / len(y))
    return bool(np.abs(r[-1]) / stat > norm.ppf(0.95))


@pytest.mark.parametrize("seed", range(12))
def test_the_seasonality_test_is_thetas(seed):
    pytest.importorskip("statsmodels")
    rng = np.random.default_rng(seed)
    m = (4, 7, 12, 24)[seed % 4]
    n = int(rng.integers(m, 8 * m))
    amplitude = (0.0, 0.3, 1.0)[seed % 3]
    y = amplitude * np.sin(2 * np.pi * np.arange(n) / m) + rng.standard_normal(n) + 0.01 * n
    assert is_seasonal(y, m) == _theta_rule(y, m)


def test_the_seasonality_test_finds_a_season_and_not_a_trend():
    t = np.arange(48.0)
    assert is_seasonal(np.sin(2 * np.pi * t / 12), 12)
    assert not is_seasonal(t, 12)
    assert not is_seasonal(np.ones(48), 12)  # constant: no autocorrelation at all
    assert not is_seasonal(np.sin(2 * np.pi * t[:20] / 12), 12)  # under two seasons
    assert not is_seasonal(np.sin(np.pi * t), 2)  # theta deseasonalises seasons of 4 or more


@pytest.mark.parametrize("m, n", [(4, 30), (12, 50), (7, 40), (24, 100)])
def test_indices_equal_statsmodels_classical_decomposition(m, n):
    decompose = pytest.importorskip("statsmodels.tsa.seasonal").seasonal_decompose
    rng = np.random.default_rng(m)
    y = np.sin(2 * np.pi * np.arange(n) / m) + 0.1 * np.arange(n) + rng.standard_normal(n)
    expected = decompose(y, model="additive", period=m).seasonal[:m]
    np.testing.assert_allclose(seasonal_indices(y, m), expected, atol=1e-12)


@pytest.mark.parametrize("freq", ["MS", "QS-JAN", "W-SUN", "h", "30min", "D"])
def test_an_index_belongs_to_a_time_not_a_row(freq):
    index = pd.date_range("2001-01-01", periods=60, freq=freq)
    seasonal = Seasonal(np.arange(5.0)[:, None], index[10], freq)  # phase 0 at row 10
    expected = (np.arange(60) - 10) % 5
    for start in (0, 10, 23):  # a history that starts before, at or after the anchor
        got = seasonal.at(index[start], np.arange(60 - start))[:, 0]
        np.testing.assert_array_equal(got, expected[start:])
    assert steps_between(index[3], index[41], freq) == 38
    assert steps_between(index[41], index[3], freq) == -38


def test_fit_seasonal_adjusts_only_the_seasonal_targets():
    index = pd.date_range("2000-01-01", periods=48, freq="MS")
    t = np.arange(48.0)
    values = np.column_stack([np.sin(2 * np.pi * t / 12), t])  # seasonal, trend only
    fitted = fit_seasonal(values, index, 12, "MS")
    assert fitted.anchor == index[0] and fitted.indices.shape == (12, 2)
    np.testing.assert_allclose(fitted.indices[:, 0], seasonal_indices(values[:, 0], 12))
    assert (fitted.indices[:, 1] == 0).all()
    assert fit_seasonal(values[:, 1:], index, 12, "MS") is None


# ---------------------------------------------------------------------- in the networks


def test_the_network_reads_the_log_series_less_its_training_indices(airline):
    fc = Forecaster(horizon=12, seed=0, **TINY).fit(airline)
    model = fc.model_
    seasonal = model.seasonals_["None"]
    frame = fc.history_[None]
    assert fc.training_["deseasonalized"] == 1 and fc.model_.transforms_["None"] == "log"
    # the indices: classical decomposition of log(passengers) over the training rows only
    split = training.splits(model.spec, {None: frame}, {None: _origins(fc, frame)})[None]
    rows = training.training_rows(model.spec, split)
    log_y = np.log(frame["passengers"].to_numpy())
    np.testing.assert_allclose(seasonal.indices[:, 0], seasonal_indices(log_y[:rows], 12))
    assert seasonal.anchor == frame.index[0]
    # what the network reads: scaled log(y) less the index of each row's month
    scaler = model.scalers_["None"]
    adjusted = log_y - seasonal.indices[np.arange(len(log_y)) % 12, 0]
    expected = (adjusted - scaler.mean_[0]) / scaler.scale_[0]
    (past, *_), _ = model.inputs(frame, [100])
    np.testing.assert_allclose(past[0, :, 0], expected[100 - fc.lookback_ : 100], rtol=1e-5)


def _origins(fc, frame) -> list[int]:
    from forecast.windowing import validation_origins

    return validation_origins(len(frame), fc.lookback_, fc.horizon_, fc.val_fraction)


def test_the_indices_never_see_the_validation_rows(airline):
    changed = airline.astype({"passengers": float})
    changed.loc[changed.index[-20:], "passengers"] *= np.linspace(1, 3, 20)  # validation rows
    indices = [
        Forecaster(horizon=12, seed=0, **TINY).fit(df).model_.seasonals_["None"].indices
        for df in (airline, changed)
    ]
    np.testing.assert_array_equal(indices[0], indices[1])


def test_a_history_that_starts_elsewhere_gives_the_same_forecast(airline):
    # the network alone: theta (combine="auto") filters its parameters through each history,
    # so its forecast would differ
    fc = Forecaster(horizon=12, seed=0, **{**TINY, "combine": "none"}).fit(airline)
    whole = fc.predict()
    for drop in (1, 5, 11):  # the new history's first row is another month
        later = fc.predict(data=airline.iloc[drop:])
        np.testing.assert_allclose(later["passengers"], whole["passengers"], rtol=1e-6)


def test_forecasts_get_the_indices_of_their_own_steps_back():
    # a pure season (times a level) with a little noise: adjusted, the series is flat, so
    # the forecast is the season itself, phase by phase; one step off would miss by ~40 %
    index = pd.date_range("2000-01-01", periods=120, freq="MS")
    season = np.exp(0.4 * np.sin(2 * np.pi * np.arange(132) / 12))
    noise = np.random.default_rng(0).normal(0, 0.002, 120)
    df = pd.DataFrame({"y": 100 * season[:120] * np.exp(noise)}, index=index)
    fc = Forecaster(horizon=12, seed=0, **TINY).fit(df)
    np.testing.assert_allclose(fc.predict()["y"], 100 * season[120:], rtol=0.03)
    (_, _, scaler) = fc.model_.scaling(None, df)
    # the unscaling alone: zeros in scaled units are the adjusted mean, plus each step's index
    got = training.unscale_targets(np.zeros((1, 1, 3, 1)), scaler, "log", 1, np.ones((1, 3, 1)))
    np.testing.assert_allclose(got[0, :, 0], np.exp(scaler.mean_[0] + 1.0))


def test_none_and_series_without_a_season_read_the_series_as_it_is(monthly):
    trend = monthly.assign(y=50 + 0.5 * np.arange(len(monthly)))
    assert Forecaster(horizon=6, **TINY).fit(trend).model_.seasonals_ == {}
    fc = Forecaster(horizon=6, deseasonalize="none", **TINY).fit(monthly)
    assert fc.model_.seasonals_ == {} and fc.training_["deseasonalized"] == 0
    assert Forecaster(horizon=6, **TINY).fit(monthly).training_["deseasonalized"] == 1


def test_a_new_series_gets_its_own_indices(monthly):
    fc = Forecaster(horizon=6, **TINY).fit(monthly.assign(id="a"), id_col="id")
    new = seasonal_frame(seed=3).assign(id="b")
    table = fc.predict(data=new, series=["b"])
    assert table.shape[0] == 6 and np.isfinite(table.to_numpy()).all()
    transform, seasonal, _ = fc.model_.scaling("b", new.set_index("date")[["y"]].asfreq("MS"))
    assert transform == "log"  # positive values: its own log scale
    np.testing.assert_allclose(seasonal.indices[:, 0], seasonal_indices(np.log(new["y"]), 12))


def test_the_indices_survive_the_model_directory(tmp_path, monthly):
    fc = Forecaster(horizon=6, **TINY).fit(monthly)
    fc.save(tmp_path / "m")
    back = Forecaster.load(tmp_path / "m")
    saved, loaded = fc.model_.seasonals_["None"], back.model_.seasonals_["None"]
    np.testing.assert_array_equal(saved.indices, loaded.indices)
    assert saved.anchor == loaded.anchor
    np.testing.assert_array_equal(fc.predict().to_numpy(), back.predict().to_numpy())


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda s: s.update(anchor="not a time"), "model.state.seasonal"),
        (lambda s: s.update(indices=s["indices"][:-1]), "model.state.seasonal.None.indices"),
    ],
)
def test_bad_indices_in_a_model_directory_are_named(monthly, change, message):
    from forecast.models.neural import LSTMDirect

    fc = Forecaster(horizon=6, **TINY).fit(monthly)
    config = fc.model_.get_config()
    change(config["seasonal"]["None"])
    with pytest.raises(ModelDirError, match=message):
        LSTMDirect.from_config(fc.model_.spec, config, {"model.keras": None})
