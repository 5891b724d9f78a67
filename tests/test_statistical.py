"""The statistical models ets, theta and arima, against statsforecast itself (the oracle)."""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import seasonal_frame

from forecast import Forecaster
from forecast.cli import main
from forecast.errors import ForecastError, MissingDependencyError, TrainingError, UnfittableError
from forecast.windowing import validation_origins

STATS = {"ets": "AutoETS", "theta": "AutoTheta", "arima": "AutoARIMA"}


def _oracle_class(name):
    sf = pytest.importorskip("statsforecast.models")
    return getattr(sf, STATS[name])


@pytest.mark.parametrize("name", list(STATS))
def test_forecast_is_statsforecasts_own(name, airline):
    """The point forecast from the end of the data is StatsForecast(...).forecast on it."""
    cls = _oracle_class(name)
    from statsforecast import StatsForecast

    fc = Forecaster(model=name, horizon=12).fit(airline)
    ours = fc.predict()["passengers"].to_numpy()
    df = pd.DataFrame({"unique_id": "airline", "ds": airline["date"], "y": airline["passengers"]})
    oracle = StatsForecast(models=[cls(season_length=12)], freq="MS").forecast(df=df, h=12)
    np.testing.assert_allclose(ours, oracle[STATS[name]].to_numpy(), rtol=1e-6)
    assert pd.DatetimeIndex(oracle["ds"]).equals(fc.predict().index.rename(None))


@pytest.mark.parametrize("name", list(STATS))
def test_validation_forecasts_are_one_fit_moved_forward(name, airline):
    """Validation: one fit on the rows before the first origin, statsforecast's forward after."""
    cls = _oracle_class(name)
    fc = Forecaster(model=name, horizon=12).fit(airline)
    y = airline["passengers"].to_numpy(float)
    origins = validation_origins(len(y), fc.lookback_, 12, fc.val_fraction)
    fitted = cls(season_length=12).fit(y[: origins[0]])
    expected = np.stack([fitted.forward(y[:o], 12)["mean"] for o in origins])
    ours = fc.model_.forecast(fc.history_, {None: origins})[None][:, :, 0]
    np.testing.assert_allclose(ours, expected, rtol=1e-6)
    # forward is not a re-fit: at the last origin a fresh fit would forecast otherwise
    refit = cls(season_length=12).fit(y[: origins[-1]]).predict(12)["mean"]
    assert not np.allclose(expected[-1], refit, rtol=1e-6)


def test_one_fit_per_series_and_target_for_all_validation_origins(monkeypatch, airline):
    cls = _oracle_class("theta")
    calls = []
    fit = cls.fit
    monkeypatch.setattr(cls, "fit", lambda self, y, X=None: calls.append(len(y)) or fit(self, y))
    fc = Forecaster(model="theta", horizon=12).fit(airline)
    assert len(calls) == 1 and fc.metrics_["origins"] > 10
    fc.predict()
    assert calls == [calls[0], len(airline)]  # a forecast refits on the whole history


def test_thetas_final_fit_re_estimates_the_model_its_validation_fit_selected():
    from forecast.models.base import ModelSpec
    from forecast.models.statistical import Theta

    cls = _oracle_class("theta")
    y = np.arange(1.0, 41.0)  # AutoTheta selects the optimised theta model here ...
    assert cls(season_length=1).fit(y).model_["modeltype"] == "OTM"
    theta = Theta(ModelSpec(("y",), (), "D", 4, 3, 1, (), {}))
    theta.selected_ = {"a": ["STM"]}  # ... the validation fit selected the standard one
    frames = {"a": pd.DataFrame({"y": y}), "b": pd.DataFrame({"y": y})}
    theta.fit_final(frames)
    assert [theta.final_[k][0]["modeltype"] for k in "ab"] == ["STM", "OTM"]
    for key, model in (("a", "STM"), ("b", "OTM")):
        oracle = cls(season_length=1, model=model).fit(y).predict(3)["mean"]
        got = theta.forecast({key: frames[key]}, {key: [40]})[key][0, :, 0]
        np.testing.assert_allclose(got, oracle, rtol=1e-12)


def test_a_history_too_short_to_move_thetas_parameters_is_a_training_error():
    from forecast.models.base import ModelSpec
    from forecast.models.statistical import Theta

    _oracle_class("theta")
    theta = Theta(ModelSpec(("y",), (), "D", 4, 3, 1, (), {}))
    theta.fit_final({"a": pd.DataFrame({"y": np.arange(1.0, 41.0)})})
    short = pd.DataFrame({"y": [1.0, 2.0, 3.0]})  # statsforecast: "tiny datasets"
    with pytest.raises(
        TrainingError, match=r"^theta could not forecast from row 3 on series 'a': tiny"
    ):
        theta.forecast({"a": short}, {"a": [3]})


def test_every_series_and_target_is_fitted_alone():
    cls = _oracle_class("theta")
    a, b = seasonal_frame(48, seed=1), seasonal_frame(48, seed=2)
    wide = a.assign(z=b["y"] * 2 + 100, w=np.arange(48.0))  # w: a covariate, ignored
    long = pd.concat([a.assign(id="a"), b.assign(id="b")])
    both = Forecaster(model="theta", horizon=3).fit(wide, target=["y", "z"], covariates=["w"])
    panel = Forecaster(model="theta", horizon=3).fit(long, id_col="id").predict()
    for values, got in [
        (a["y"], both.predict()["y"]),
        (b["y"] * 2 + 100, both.predict()["z"]),
        (b["y"], panel.xs("b")["y"]),
    ]:
        expected = cls(season_length=12).fit(values.to_numpy(float)).predict(3)["mean"]
        np.testing.assert_allclose(got.to_numpy(), expected, rtol=1e-9)
    assert set(both.training_["selected"]["None"]) == {"y", "z"}
    assert set(panel.xs("a").columns) == {"y", "y_lower", "y_upper"}


@pytest.mark.parametrize("name", list(STATS))
def test_a_constant_series_is_forecast_as_statsforecast_does(name):
    """statsforecast fits a constant series at once (AutoETS as an unnamed ETS(A,N,N))."""
    cls = _oracle_class(name)
    df = pd.DataFrame({"y": 7.0}, index=pd.date_range("2015-01-01", periods=50, freq="MS"))
    fc = Forecaster(model=name, horizon=3).fit(df)
    expected = cls(season_length=12).fit(df["y"].to_numpy()).predict(3)["mean"]
    np.testing.assert_allclose(fc.predict()["y"].to_numpy(), expected, rtol=1e-9)
    assert fc.training_["selected"]["None"]["y"]  # the selected model, named


def test_a_series_too_short_for_the_model_is_a_one_line_training_error():
    pytest.importorskip("statsforecast")
    df = pd.DataFrame(
        {"y": [1.0, 4.0, 2.0, 3.0]}, index=pd.date_range("2000", periods=4, freq="YS")
    )
    with pytest.raises(UnfittableError) as info:
        Forecaster(model="ets", horizon=1).fit(df)
    assert info.value.exit_code == 2  # the data's problem; 3 rows: before the validation origin
    assert str(info.value) == (
        "ets could not be fitted to column 'y' (3 rows): tiny datasets; give it more rows, "
        "or choose another model"
    )


def test_without_statsforecast_a_clear_error_and_exit_2(monkeypatch, airline_csv, tmp_path):
    monkeypatch.setitem(sys.modules, "statsforecast", None)
    monkeypatch.setitem(sys.modules, "statsforecast.models", None)
    message = "model='ets' needs statsforecast: pip install 'forecast[stats]'"
    with pytest.raises(MissingDependencyError, match=message.replace("[", r"\[")) as err:
        Forecaster(model="ets", horizon=12).fit(seasonal_frame(48))
    assert isinstance(err.value, ForecastError) and err.value.exit_code == 2
    result = CliRunner().invoke(
        main, ["fit", str(airline_csv), "--model", "arima", "--model-dir", str(tmp_path / "m")]
    )
    assert result.exit_code == 2 and not (tmp_path / "m").exists()
    assert result.output.strip().splitlines()[-1] == (
        "Error: --model arima needs statsforecast: pip install 'forecast[stats]'"
    )


def test_importing_the_registry_imports_no_statsforecast():
    import subprocess

    code = "import sys, forecast.models, forecast.params; print('statsforecast' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "False", done.stderr


def test_evaluate_puts_the_chosen_baselines_beside_the_model(airline_csv):
    pytest.importorskip("statsforecast")
    args = ["evaluate", str(airline_csv), "--model", "seasonal-naive", "--horizon", "12"]
    result = CliRunner().invoke(main, [*args, "--folds", "2", "--baselines", "ets,theta"])
    assert result.exit_code == 0, result.output
    rows = [line.split()[0] for line in result.output.strip().splitlines()[2:]]
    assert rows == ["seasonal-naive", "ets", "theta"]


def test_evaluate_refuses_an_unknown_baseline_in_one_line(airline_csv):
    result = CliRunner().invoke(main, ["evaluate", str(airline_csv), "--baselines", "ets,prophet"])
    assert result.exit_code == 2
    assert result.output.strip().splitlines()[-1] == (
        "Error: Invalid value for '--baselines': 'prophet' is not a model; choose from "
        "lstm, lstm-ar, naive, seasonal-naive, drift, ets, theta, arima"
    )


def test_a_baseline_too_short_for_the_series_is_a_usage_error_naming_it(tmp_path):
    pytest.importorskip("statsforecast")
    data = tmp_path / "short.csv"
    index = pd.date_range("2015-01-01", periods=10, freq="MS")
    pd.DataFrame({"date": index, "y": 100 + 10 * np.sin(np.arange(10.0))}).to_csv(data, index=False)
    result = CliRunner().invoke(
        main,
        ["evaluate", str(data), "--horizon", "2", "--model", "seasonal-naive",
         "--baselines", "ets"],
    )  # fmt: skip
    assert result.exit_code == 2  # was 1, with "--model ets" though ets was a baseline
    assert result.output.strip().splitlines()[-1] == (
        "Error: ets could not be fitted to column 'y' (2 rows): tiny datasets; give it more "
        "rows, or choose another model"
    )
