"""Many series (issue #14): per-series scaling and intervals, ragged and short series, new ids,
a manifest of summaries, and evaluation over series."""

from __future__ import annotations

import json
import math
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import seasonal_frame

from forecast import Forecaster, panel, prediction
from forecast.cli import main
from forecast.errors import DataError
from forecast.intervals import LEVELS, bounds, conformal_quantile, series_scale
from forecast.models.base import Model
from forecast.models.baselines import SeasonalNaive

TINY = dict(units=4, epochs=3, patience=3, ensemble=1, batch_size=32, learning_rate=0.01)
BASELINES = ("naive", "seasonal-naive", "drift")


def _long(series: dict) -> pd.DataFrame:
    """``{id: frame with date, y}`` → one long table ``id, date, y``."""
    return pd.concat([f.assign(id=k) for k, f in series.items()], ignore_index=True)[
        ["id", "date", "y"]
    ]


def _params(model):
    return dict(model=model, horizon=4, **(TINY if model == "lstm" else {}))


@pytest.mark.parametrize(
    "model, combine", [("lstm", "none"), ("lstm", "auto"), *((m, None) for m in BASELINES)]
)
def test_series_of_one_shape_at_levels_1_and_10000_get_forecasts_and_widths_in_proportion(
    model, combine
):
    small = seasonal_frame(72, noise=2.0)
    small["y"] = small["y"] / small["y"].mean()  # level 1
    big = small.assign(y=small["y"] * 10_000.0)
    params = _params(model) | ({"combine": combine} if combine else {})
    fc = Forecaster(**params).fit(_long({"big": big, "small": small}), id_col="id")
    out = fc.predict()
    a, b = out.xs("small"), out.xs("big")
    # the network and the baselines are scale-free to the float; theta's optimiser is not
    # quite (AutoTheta fitted at 10,000 times the level lands 0.3 % off in proportion)
    rtol = 1e-2 if combine == "auto" and fc.training_["network_weight"] < 1 else 1e-5
    np.testing.assert_allclose(b["y"] / a["y"], 10_000.0, rtol=rtol)
    width_a, width_b = a["y_upper"] - a["y_lower"], b["y_upper"] - b["y_lower"]
    assert (width_a > 0).all()
    np.testing.assert_allclose(width_b / width_a, 10_000.0, rtol=rtol)


def test_one_series_with_a_zero_keeps_the_log_scale_for_the_others():
    frames = {k: seasonal_frame(60, seed=i) for i, k in enumerate(("a", "b", "z"))}
    frames["z"].loc[10, "y"] = 0.0
    fc = Forecaster(**_params("lstm")).fit(_long(frames), id_col="id")
    state = fc.get_config()["model"]["state"]
    assert state["transforms"] == {"a": "log", "b": "log", "z": "none"}
    assert fc.transform_ == {"a": "log", "b": "log", "z": "none"}
    assert fc.log_scales_ == {"a", "b"}  # z's interval: on the data's scale
    # each series its own scaler, fitted on its own training rows
    means = {k: s["mean"][0] for k, s in state["scalers"]["series"].items()}
    assert means["a"] != means["b"] and means["z"] > 10  # z: data units, a and b: logs
    assert np.isfinite(fc.predict().to_numpy()).all()


@pytest.mark.parametrize("model", ["lstm", "seasonal-naive"])
def test_ragged_series_forecast_from_their_own_ends(model):
    early = seasonal_frame(60)  # 2000-01 .. 2004-12
    late = seasonal_frame(70, seed=1)
    late["date"] = pd.date_range("2001-07-01", periods=70, freq="MS")  # .. 2007-04
    out = Forecaster(**_params(model)).fit(_long({"early": early, "late": late}), id_col="id")
    out = out.predict()
    assert list(out.xs("early").index) == list(pd.date_range("2005-01-01", periods=4, freq="MS"))
    assert list(out.xs("late").index) == list(pd.date_range("2007-05-01", periods=4, freq="MS"))


def _with_short(n_short: int = 8):
    frames = {"a": seasonal_frame(60), "b": seasonal_frame(60, seed=1)}
    frames["tiny"] = seasonal_frame(n_short, seed=2)
    return frames


@pytest.mark.parametrize("model", ["lstm", "drift"])
def test_a_too_short_series_is_forecast_by_its_base_with_a_note(model, tmp_path):
    frames = _with_short()
    fc = Forecaster(**_params(model)).fit(_long(frames), id_col="id")
    assert fc.base_series_ == ["tiny"]
    assert len(fc.notes_) == 1 and "'tiny'" in fc.notes_[0] and "seasonal naive" in fc.notes_[0]
    out = fc.predict()
    expected = SeasonalNaive.point(frames["tiny"][["y"]].to_numpy(), 4, 12)[:, 0]  # lag 1 here
    np.testing.assert_array_equal(out.xs("tiny")["y"].to_numpy(), expected)
    assert (out.xs("tiny")["y_upper"] > out.xs("tiny")["y"]).all()
    fc.save(tmp_path / "m")
    again = Forecaster.load(tmp_path / "m")
    assert again.base_series_ == ["tiny"] and again.notes_ == fc.notes_
    pd.testing.assert_frame_equal(again.predict(), out)
    # that series alone: no series left for the model (a traceback in the network's part)
    pd.testing.assert_frame_equal(again.predict(series=["tiny"]), out.loc[["tiny"]])


def test_no_series_long_enough_is_a_data_error():
    frames = {"x": seasonal_frame(4), "y": seasonal_frame(5, seed=1)}  # lookback 1: needs 6
    with pytest.raises(DataError, match="needs at least"):
        Forecaster(model="naive", horizon=4).fit(_long(frames), id_col="id")


def test_cli_fit_prints_the_note(tmp_path):
    path = tmp_path / "panel.csv"
    _long(_with_short()).to_csv(path, index=False)
    result = CliRunner().invoke(
        main,
        ["fit", str(path), "--id-col", "id", "--model", "seasonal-naive", "--horizon", "4"]
        + ["--model-dir", str(tmp_path / "m")],
    )
    assert result.exit_code == 0, result.output
    notes = [line for line in result.stderr.splitlines() if line.startswith("Note: ")]
    assert len(notes) == 1 and "'tiny'" in notes[0]


def test_unseen_ids_at_predict_time_network_when_long_enough_base_otherwise():
    frames = {"a": seasonal_frame(60), "b": seasonal_frame(60, seed=1)}
    fc = Forecaster(**_params("lstm")).fit(_long(frames), id_col="id")
    new = {**frames, "new": seasonal_frame(40, seed=5), "stub": seasonal_frame(6, seed=6)}
    out = fc.predict(data=_long(new))
    notes = out.attrs["notes"]
    assert len(notes) == 2
    assert "'new'" in notes[0] and "lstm" in notes[0] and "'stub'" not in notes[0]
    assert "'stub'" in notes[1] and "seasonal naive" in notes[1]
    frame = fc._validate_new_data(_long(new)).frames["new"]
    by_network = fc.model_.forecast({"new": frame}, {"new": [len(frame)]})["new"][0, :, 0]
    np.testing.assert_allclose(out.xs("new")["y"].to_numpy(), by_network)
    base = SeasonalNaive.point(new["stub"][["y"]].to_numpy(), 4, 12)[:, 0]
    np.testing.assert_array_equal(out.xs("stub")["y"].to_numpy(), base)
    # the known series are forecast as without the new ones
    pd.testing.assert_frame_equal(out.loc[["a", "b"]], fc.predict())


def _numbers(obj) -> int:
    if isinstance(obj, dict):
        return sum(_numbers(v) for v in obj.values())
    if isinstance(obj, list):
        return sum(_numbers(v) for v in obj)
    return int(isinstance(obj, int | float) and not isinstance(obj, bool))


def test_manifest_keeps_summaries_whose_size_does_not_grow_with_the_validation_origins():
    data = seasonal_frame(400)
    few = Forecaster(model="seasonal-naive", horizon=4, val_fraction=0.05).fit(data)
    many = Forecaster(model="seasonal-naive", horizon=4, val_fraction=0.6).fit(data)
    assert many.metrics_["origins"] > 8 * few.metrics_["origins"]
    small, large = few.get_config(), many.get_config()
    assert "abs_residuals" not in json.dumps(large)
    assert _numbers(large["interval"]) == _numbers(small["interval"])
    assert len(json.dumps(large)) < 1.1 * len(json.dumps(small))


def test_a_level_between_grid_points_rounds_up():
    fc = Forecaster(model="seasonal-naive", horizon=4).fit(seasonal_frame(200, noise=3.0))
    width = {
        lv: (p["y_upper"] - p["y_lower"]).to_numpy()
        for lv in (80, 80.5, 81)
        for p in [fc.predict(level=lv)]
    }
    np.testing.assert_array_equal(width[80.5], width[81])
    assert (width[81] >= width[80]).all()


def test_mape_is_na_with_zeros_and_evaluate_scores_series(tmp_path):
    frames = {k: seasonal_frame(60, seed=i) for i, k in enumerate(("a", "b", "z"))}
    frames["z"].loc[55, "y"] = 0.0  # a zero among the scored actuals
    path = tmp_path / "panel.csv"
    _long(frames).to_csv(path, index=False)
    per = tmp_path / "per.csv"
    result = CliRunner().invoke(
        main,
        ["evaluate", str(path), "--id-col", "id", "--model", "naive", "--horizon", "4"]
        + ["--folds", "2", "--per-series", str(per)],
    )
    assert result.exit_code == 0, result.output
    assert "inf" not in result.stdout and "n/a" in result.stdout
    header = result.stdout.splitlines()[0].split()
    for column in ("mape", "mase_median", "beats_snaive", "coverage_median", "coverage_p10"):
        assert column in header
    table = pd.read_csv(per)
    assert list(table.columns) == ["id", "model", "mase", "smape", "coverage"]
    assert len(table) == 3 * 3  # series × (naive, seasonal-naive, drift)
    assert table["mase"].notna().all()


def test_evaluate_summary_counts_series_that_beat_seasonal_naive():
    from forecast import evaluation
    from forecast.data import validate_frame

    frames = {k: seasonal_frame(60, seed=i) for i, k in enumerate(("a", "b"))}
    data = validate_frame(_long(frames), id_col="id")
    models = {m: Forecaster(model=m, horizon=4) for m in ("seasonal-naive", "naive")}
    _, summary, per = evaluation.evaluate(
        data, models, horizon=4, n_splits=2, scores_per_series=True
    )
    assert summary.loc["seasonal-naive", "beats_snaive"] == 0
    naive, snaive = (
        per[per["model"] == m].set_index("id")["mase"] for m in ("naive", "seasonal-naive")
    )
    assert summary.loc["naive", "beats_snaive"] == (naive < snaive).sum()
    assert summary.loc["naive", "mase_median"] == pytest.approx(naive.median())
    assert not math.isnan(summary.loc["naive", "coverage_p10"])


# -- intervals on the log scale -------------------------------------------------------------


class _Ratio(Model):
    """Forecasts ``y × exp(error)`` at every origin, with ``errors[i]`` at origin ``i``;
    ``log``: whether it says it forecasts on the log scale."""

    name, summary = "ratio", "test double"

    def __init__(self, errors, log):
        super().__init__(SimpleNamespace(horizon=3))
        self.errors, self.log = np.asarray(errors, dtype=float), log

    def forecast(self, frames, origins):
        out = {}
        for key, frame in frames.items():
            rows = np.asarray(origins[key])[:, None] + np.arange(3)
            out[key] = (frame["y"].to_numpy()[rows] * np.exp(self.errors[:, None]))[..., None]
        return out

    def log_scale(self, key, frame):
        return self.log


def test_a_model_on_the_log_scale_is_calibrated_on_its_log_errors():
    y = 100.0 * np.exp(0.02 * np.arange(60) + 0.1 * np.sin(np.arange(60)))
    frame = pd.DataFrame({"y": y}, index=pd.date_range("2020", periods=60, freq="D"))
    errors = np.linspace(0.3, 0.05, 20)  # shrinking: no level is read higher
    origins = {None: list(range(30, 50))}
    got = panel.calibrate(_Ratio(errors, log=True), {None: frame}, origins, ["y"], 3, 4, 80)
    scale = series_scale(np.log(y[:30, None]), 4)
    assert got["log"] == ["None"] and got["scales"]["None"] == pytest.approx(scale)
    want = conformal_quantile(np.broadcast_to(errors[:, None, None], (20, 3, 1)) / scale, 80)
    np.testing.assert_allclose(got["grid"][LEVELS.index(80)], want, rtol=1e-12)
    naive = np.stack([SeasonalNaive.point(y[:o, None], 3, 4) for o in origins[None]])
    truth = y[np.asarray(origins[None])[:, None] + np.arange(3)][..., None]
    base = conformal_quantile(np.abs(np.log(truth) - np.log(naive)) / scale, 80)
    np.testing.assert_allclose(got["base_grid"][LEVELS.index(80)], base, rtol=1e-12)
    # the same model on the data's own scale: absolute errors over the data's scale
    plain = panel.calibrate(_Ratio(errors, log=False), {None: frame}, origins, ["y"], 3, 4, 80)
    assert plain["log"] == [] and not np.allclose(plain["grid"], got["grid"])
    assert plain["scales"]["None"] == pytest.approx(series_scale(y[:30, None], 4))


def test_a_forecast_at_or_below_zero_of_a_positive_series_is_read_at_the_floor():
    y = np.full(40, 50.0) + np.arange(40) % 4
    frame = pd.DataFrame({"y": y}, index=pd.date_range("2020", periods=40, freq="D"))
    model = _Ratio(np.zeros(5), log=True)
    model.forecast = lambda frames, origins: {None: -np.ones((5, 3, 1))}
    got = panel.calibrate(model, {None: frame}, {None: list(range(30, 35))}, ["y"], 3, 4, 80)
    floor = y[:30].min() / 100  # 1 % of the smallest value
    truth = y[np.arange(30, 35)[:, None] + np.arange(3)][..., None]
    want = np.abs(np.log(truth) - np.log(floor)) / series_scale(np.log(y[:30, None]), 4)
    np.testing.assert_allclose(got["grid"][LEVELS.index(100)], want.max(axis=0), rtol=1e-12)
    lower, upper = bounds(np.array([[-1.0]]), np.array([[0.5]]), True, np.array([floor]))
    assert lower[0, 0] == -1.0 and upper[0, 0] == pytest.approx(floor * np.exp(0.5))


@pytest.mark.parametrize("transform", ["auto", "none"])
def test_the_network_interval_is_multiplicative_on_the_log_scale_additive_otherwise(transform):
    frame = seasonal_frame(72, noise=2.0)
    frame["y"] = frame["y"] * np.exp(0.01 * np.arange(72))  # growing: errors grow with it
    fc = Forecaster(horizon=4, transform=transform, combine="none", **TINY).fit(frame)
    out = fc.predict()
    point, lower, upper = (out[c].to_numpy() for c in ("y", "y_lower", "y_upper"))
    assert (lower < point).all() and (point < upper).all()
    if transform == "auto":
        assert fc.log_scales_ == {"None"}
        np.testing.assert_allclose(upper / point, point / lower, rtol=1e-12)
    else:
        assert fc.log_scales_ == set()
        np.testing.assert_allclose(upper - point, point - lower, rtol=1e-12)


def test_the_interval_scale_of_each_kind_of_series_at_predict():
    fc = SimpleNamespace(
        targets_=["y"],
        season_length_=4,
        scales_={"kept": np.array([2.0]), "logged": np.array([0.1])},
        log_scales_={"logged"},
        model_=SimpleNamespace(log_scale=lambda key, frame: True),
    )
    positive = pd.DataFrame({"y": 10.0 + np.arange(20.0) % 4})
    with_zero = positive.assign(y=positive["y"].where(positive.index != 3, 0.0))
    scale_of = prediction._interval_scale
    assert scale_of(fc, "kept", positive, base=False) == (fc.scales_["kept"], False)
    assert scale_of(fc, "logged", positive, base=False) == (fc.scales_["logged"], True)
    # a new history of 0 or below (the base's): its own scale, as it is
    scale, log = scale_of(fc, "logged", with_zero, base=True)
    assert not log and scale == pytest.approx(series_scale(with_zero[["y"]].to_numpy(), 4))
    # not seen in training: the model's choice, unless the base forecasts it
    scale, log = scale_of(fc, "new", positive, base=False)
    assert log and scale == pytest.approx(series_scale(np.log(positive[["y"]].to_numpy()), 4))
    scale, log = scale_of(fc, "new", positive, base=True)
    assert not log and scale == pytest.approx(series_scale(positive[["y"]].to_numpy(), 4))
