"""The Forecaster: estimator contract, every architecture, intervals, new data, reproducibility."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import seasonal_frame

from forecast import Forecaster
from forecast.cli import main
from forecast.errors import DataError, NotFittedError

# theta as the only partner: arima (combine="auto", tested in test_partners) costs 2-3 s a fit
TINY = dict(units=8, epochs=3, patience=2, batch_size=16, ensemble=1, combine="theta")
# Enough training that the networks beat their seasonal naive base (else its head is zeroed
# and every seed forecasts the base).
LEARNS = {**TINY, "epochs": 20, "patience": 20, "learning_rate": 0.01}


def test_init_only_stores_arguments():
    fc = Forecaster(model="drift", horizon=7, units=3)
    assert fc.get_params()["horizon"] == 7
    assert fc.get_params()["units"] == 3
    assert not [name for name in vars(fc) if name.endswith("_")]
    assert repr(fc) == "Forecaster(model='drift', horizon=7, units=3)"


def test_predict_before_fit_is_a_clear_error():
    with pytest.raises(NotFittedError, match=r"not fitted yet; call fit\(data\)"):
        Forecaster().predict()


def test_fit_returns_self_and_learns_trailing_underscore_state(monthly):
    fc = Forecaster(model="naive", horizon=6)
    assert fc.fit(monthly) is fc
    assert fc.horizon_ == 6 and fc.freq_ == "MS" and fc.targets_ == ["y"]
    assert fc.season_length_ == 12


@pytest.mark.parametrize(
    "argument, value, message",
    [
        (
            "model",
            "prophet",
            "model must be one of lstm, lstm-ar, naive, seasonal-naive, drift, ets, theta, arima, "
            "got 'prophet'",
        ),
        ("units", 0, "units must be a positive integer, got 0"),
        ("dropout", 1.0, r"dropout must be in \[0, 1\), got 1.0"),
        ("level", 100, "level must be a percentage between 0 and 100"),
    ],
)
def test_bad_hyperparameters_are_named(monthly, argument, value, message):
    with pytest.raises(ValueError, match=message):
        Forecaster(**{argument: value}).fit(monthly)


def test_baselines_match_their_definitions(monthly):
    y = monthly["y"].to_numpy()
    for model, expected in [
        ("naive", np.full(5, y[-1])),
        ("seasonal-naive", y[-12:-7]),
        ("drift", y[-1] + np.arange(1, 6) * (y[-1] - y[0]) / (len(y) - 1)),
    ]:
        fc = Forecaster(model=model, horizon=5).fit(monthly).predict()
        np.testing.assert_allclose(fc["y"].to_numpy(), expected, err_msg=model)


def test_forecast_index_continues_the_frequency(monthly):
    fc = Forecaster(model="naive", horizon=3).fit(monthly).predict()
    assert list(fc.index) == list(pd.date_range("2008-01-01", periods=3, freq="MS"))
    assert fc.index.name == "date"
    assert list(fc.columns) == ["y", "y_lower", "y_upper"]
    assert (fc["y_lower"] <= fc["y"]).all() and (fc["y"] <= fc["y_upper"]).all()


@pytest.mark.parametrize("model", ["lstm", "lstm-ar"])
def test_neural_models_fit_and_forecast(monthly, model):
    fc = Forecaster(model=model, horizon=4, lookback=12, **TINY).fit(monthly)
    out = fc.predict()
    assert out.shape == (4, 3)
    assert np.isfinite(out.to_numpy()).all()
    assert fc.training_["epochs"] <= 3
    assert len(fc.training_["best_epoch"]) == fc.training_["members"] == 1
    assert 0 <= fc.training_["best_epoch"][0] <= fc.training_["epochs"]  # 0: base kept


def test_stacked_layers_and_dropout(monthly):
    fc = Forecaster(model="lstm", horizon=3, lookback=12, layers=2, dropout=0.1, **TINY).fit(
        monthly
    )
    member = fc.network_.get_layer("member_0")
    assert [layer.name for layer in member.layers if layer.name.startswith("lstm_")] == [
        "lstm_0",
        "lstm_1",
    ]


def test_same_seed_same_forecast_other_seed_other_forecast(monthly):
    def run(seed):
        return (
            Forecaster(model="lstm", horizon=4, lookback=12, seed=seed, **LEARNS)
            .fit(monthly)
            .predict()
        )

    first, second = run(1), run(1)
    pd.testing.assert_frame_equal(first, second, check_exact=True)
    assert not np.allclose(first["y"], run(2)["y"])


def test_predict_from_new_data_without_refitting(monthly):
    fc = Forecaster(model="seasonal-naive", horizon=3).fit(monthly.iloc[:60])
    out = fc.predict(data=monthly)
    assert out.index[0] == monthly["date"].iloc[-1] + pd.offsets.MonthBegin()
    np.testing.assert_allclose(out["y"], monthly["y"].to_numpy()[-12:-9])


def test_new_data_with_other_columns_says_what_differs(monthly):
    fc = Forecaster(model="naive", horizon=3).fit(monthly)
    with pytest.raises(DataError, match="'y'"):
        fc.predict(data=monthly.rename(columns={"y": "sales"}))


def test_new_data_with_other_frequency_says_so(monthly):
    fc = Forecaster(model="naive", horizon=3).fit(monthly)
    daily = seasonal_frame(n=60, freq="D")
    with pytest.raises(DataError) as error:
        fc.predict(data=daily)
    assert str(error.value) == (
        "new data, row 1: timestamp 2000-01-02 in column 'date' is not on the monthly grid "
        "'MS'; check the dates; the model reads time column 'date', target 'y', monthly dates "
        "('MS'): match it, or refit"
    )


def test_new_data_from_a_path_equals_from_its_frame(monthly, tmp_path):
    fc = Forecaster(model="seasonal-naive", horizon=3).fit(monthly.iloc[:60])
    path = tmp_path / "new.csv"
    monthly.to_csv(path, index=False)
    pd.testing.assert_frame_equal(fc.predict(data=path), fc.predict(data=monthly))
    assert len(fc.predict(data=str(path))) == 3


def test_horizon_beyond_trained_is_refused(monthly):
    fc = Forecaster(model="naive", horizon=3).fit(monthly)
    with pytest.raises(DataError, match="between 1 and the trained horizon 3, got 5"):
        fc.predict(horizon=5)
    assert len(fc.predict(horizon=2)) == 2


def test_too_short_series_says_how_long_it_must_be():
    with pytest.raises(DataError, match="needs at least"):
        Forecaster(model="lstm", horizon=12, lookback=24).fit(seasonal_frame(n=30))


def test_new_data_shorter_than_the_lookback_names_its_source(tmp_path, monkeypatch):
    fc = Forecaster(model="naive", horizon=3, lookback=12).fit(seasonal_frame(n=60))
    with pytest.raises(DataError) as info:
        fc.predict(data=seasonal_frame(n=60).iloc[:4])
    assert str(info.value) == (
        "new data: the series has 4 rows but the model needs the last 12 (its lookback) to "
        "forecast from; give at least 12 rows"
    )
    monkeypatch.chdir(tmp_path)
    fc.save("model")
    seasonal_frame(n=60).iloc[:4].to_csv("new.csv")
    result = CliRunner().invoke(main, ["predict", "--model-dir", "model", "--data", "new.csv"])
    assert result.exit_code == 2 and result.output == (
        "Error: new.csv: the series has 4 rows but the model needs the last 12 (its lookback) "
        "to forecast from; give at least 12 rows\n"
    )


def test_interval_coverage_is_close_to_nominal_on_known_noise():
    """Seasonal naive on a seasonal series with iid N(0, 1) noise: calibrate, then count hits."""
    frame = seasonal_frame(n=1200, freq="D", noise=1.0, seed=3)
    fc = Forecaster(model="seasonal-naive", horizon=6, season_length=12, val_fraction=0.3)
    fc.fit(frame.iloc[:600])
    hits = []
    for end in range(612, 1194, 6):
        out = fc.predict(data=frame.iloc[:end])
        actual = frame["y"].to_numpy()[end : end + 6]
        hits.append((out["y_lower"].to_numpy() <= actual) & (actual <= out["y_upper"].to_numpy()))
    coverage = 100 * np.mean(hits)
    assert 74 <= coverage <= 88, coverage
    assert 70 <= fc.interval_["coverage"] <= 92


def test_wider_level_gives_wider_intervals(monthly):
    fc = Forecaster(model="drift", horizon=3).fit(monthly)
    narrow, wide = fc.predict(level=50), fc.predict(level=95)
    assert ((wide["y_upper"] - wide["y_lower"]) >= (narrow["y_upper"] - narrow["y_lower"])).all()


def test_several_series_and_targets_in_one_global_model(tmp_path):
    a, b = seasonal_frame(n=60, seed=1), seasonal_frame(n=60, seed=2)
    long = pd.concat([a.assign(unique_id="a"), b.assign(unique_id="b")])
    long["z"] = long["y"] * 2
    fc = Forecaster(model="lstm", horizon=3, lookback=12, **TINY).fit(
        long, id_col="unique_id", target=["y", "z"]
    )
    out = fc.predict()
    assert out.index.names == ["unique_id", "date"]
    assert sorted(set(out.index.get_level_values(0))) == ["a", "b"]
    assert list(out.columns) == ["y", "y_lower", "y_upper", "z", "z_lower", "z_upper"]
    assert fc.network_.output_shape == (None, 1, 3, 2)  # (batch, members, horizon, targets)
    fc.save(tmp_path / "model")
    pd.testing.assert_frame_equal(
        Forecaster.load(tmp_path / "model").predict(), out, check_exact=True
    )


def test_ensemble_forecast_is_the_mean_of_its_members(monthly):
    params = {**LEARNS, "ensemble": 3, "combine": "none"}  # the network alone
    fc = Forecaster(model="lstm", horizon=3, lookback=12, **params).fit(monthly)
    assert 0 not in fc.training_["best_epoch"]  # every member beat the base
    assert fc.network_.output_shape == (None, 3, 3, 1)
    assert len(fc.training_["best_epoch"]) == 3
    frame = fc.history_[None]
    inputs, _ = fc.model_.inputs(frame, origins=[len(frame)])
    members = fc.network_.predict(inputs, verbose=0)[0, :, :, 0]  # (members, horizon), scaled
    # the seasonal indices of the three forecast months go back in before exp (log: y > 0)
    indices = fc.model_.seasonals_["None"].at(frame.index[0], len(frame) + np.arange(3))[:, 0]
    in_units = np.exp(members * fc.scaler_.scale_[0] + fc.scaler_.mean_[0] + indices)
    assert fc.transform_ == "log"
    assert np.ptp(in_units, axis=0).min() > 0  # the members differ
    np.testing.assert_allclose(fc.predict()["y"].to_numpy(), in_units.mean(axis=0), rtol=1e-6)


def test_diverging_training_is_a_clear_error(monthly):
    from forecast.errors import TrainingError

    fc = Forecaster(model="lstm", horizon=3, lookback=12, **{**TINY, "learning_rate": 1e30})
    with pytest.raises(TrainingError, match=r"training diverged: the loss became NaN at epoch \d+"):
        fc.fit(monthly)


def test_a_given_season_longer_than_every_series_is_refused(monthly, tmp_path):
    message = (
        "season_length=1000 is longer than the series (72 rows); give a season of at most 72 steps"
    )
    with pytest.raises(DataError) as error:
        Forecaster(model="seasonal-naive", season_length=1000).fit(monthly.iloc[:72])
    assert str(error.value) == message
    panel = pd.concat([monthly.iloc[:72].assign(id="a"), monthly.iloc[:30].assign(id="b")])
    with pytest.raises(DataError, match=r"longer than the longest series \(72 rows\)"):
        Forecaster(model="naive", season_length=73).fit(panel, id_col="id")
    # as long as the longest series: accepted, and the season repeated
    fc = Forecaster(model="seasonal-naive", season_length=72, horizon=3).fit(monthly.iloc[:72])
    np.testing.assert_array_equal(fc.predict()["y"], monthly["y"].to_numpy()[:3])
    # the frequency's own season is never refused: 52 weeks on 40 weekly rows
    weekly = seasonal_frame(n=40, freq="W-SUN")
    assert Forecaster(model="seasonal-naive", horizon=2).fit(weekly).season_length_ == 52
    path = tmp_path / "m.csv"
    monthly.iloc[:72].to_csv(path, index=False)
    result = CliRunner().invoke(
        main, ["fit", str(path), "--season-length", "1000", "--model-dir", str(tmp_path / "m")]
    )
    assert result.exit_code == 2
    assert (
        result.output == f"Error: {message.replace('season_length=1000', '--season-length 1000')}\n"
    )
