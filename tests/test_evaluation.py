"""Rolling-origin backtest: fold geometry, alignment, gap, windows, refit, long format, summary.

An oracle model makes every number known in advance: on a series that is exactly the line
``y = 2 t + c`` it forecasts ``last value + 2 k`` for step ``k``, i.e. the true future.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator
from sklearn.model_selection import TimeSeriesSplit

from forecast.data import SeriesData, validate_frame
from forecast.errors import DataError, ForecastError
from forecast.evaluation import (
    backtest,
    evaluate,
    fold_scales,
    rolling_origin_splits,
    to_json,
)
from forecast.metrics import METRICS, mape, mase

AIRLINE = Path(__file__).resolve().parents[1] / "data" / "airline.csv"
SLOPE = 2.0
COLUMNS = ["cutoff", "time", "target", "actual", "model", "forecast", "lower", "upper"]


class LineOracle(BaseEstimator):
    """Forecasts ``last + SLOPE * k`` (± 1) per series and target; logs its calls."""

    model = "oracle"

    def __init__(self, log=None):
        self.log = log

    def __sklearn_clone__(self):
        # clones share the call log (scikit-learn's clone would deep-copy the list)
        return type(self)(self.log)

    def fit(self, data):
        self.log.append(("fit", {k: (f.index[0], len(f)) for k, f in data.frames.items()}))
        self.data_ = data
        return self

    def predict(self, horizon=None, data=None, level=None):
        self.log.append(("predict", horizon, level, {k: len(f) for k, f in data.frames.items()}))
        pieces = []
        for key, frame in data.frames.items():
            index = pd.date_range(frame.index[-1], periods=horizon + 1, freq=data.freq)[1:]
            index.name = data.time_col
            steps = np.arange(1, horizon + 1)
            cols = {}
            for target in data.targets:
                point = frame[target].iloc[-1] + SLOPE * steps
                cols |= {target: point, f"{target}_lower": point - 1, f"{target}_upper": point + 1}
            piece = pd.DataFrame(cols, index=index)
            if key is not None:
                piece.index = pd.MultiIndex.from_arrays(
                    [[key] * horizon, index], names=[data.id_col, data.time_col]
                )
            pieces.append(piece)
        return pd.concat(pieces)


def oracle(log=None):
    """An unfitted :class:`LineOracle` and its call log, shared by its clones."""
    log = [] if log is None else log
    return LineOracle(log), log


def line(n, start="2000-01-01", freq="MS", offset=0.0, **extra):
    """Wide-format data: ``y = 2 t + offset`` over ``n`` periods (extra columns likewise)."""
    index = pd.date_range(start, periods=n, freq=freq, name="date")
    t = np.arange(n, dtype=float)
    df = pd.DataFrame({"y": SLOPE * t + offset, **{k: SLOPE * t + v for k, v in extra.items()}})
    df.index = index
    return df


def wide(n, **kw):
    """``line(n, **kw)`` validated as ``SeriesData`` from a file called ``line.csv``."""
    return validate_frame(line(n, **kw), target="y", source="line.csv")


# --------------------------------------------------------------------------- fold geometry


@pytest.mark.parametrize(
    ("n", "horizon", "n_splits", "gap", "max_train_size"),
    [(20, 3, 3, 0, None), (20, 4, 2, 2, None), (30, 5, 4, 1, 7), (13, 2, 2, 3, 2)],
)
def test_splits_match_sklearn_time_series_split(n, horizon, n_splits, gap, max_train_size):
    ours = rolling_origin_splits(
        n, horizon=horizon, n_splits=n_splits, gap=gap, max_train_size=max_train_size
    )
    theirs = TimeSeriesSplit(
        n_splits=n_splits, test_size=horizon, gap=gap, max_train_size=max_train_size
    ).split(np.zeros(n))
    for (train, test), (tr, te) in zip(ours, theirs, strict=True):
        assert list(range(n)[train]) == list(tr)
        assert list(range(n)[test]) == list(te)


def test_splits_with_a_step_overlap_and_end_on_the_last_row():
    splits = rolling_origin_splits(10, horizon=3, n_splits=3, step=1)
    assert [(te.start, te.stop) for _, te in splits] == [(5, 8), (6, 9), (7, 10)]
    assert [tr.stop for tr, _ in splits] == [5, 6, 7]


def test_one_split_tests_on_the_last_horizon_rows():
    [(train, test)] = rolling_origin_splits(144, horizon=36, n_splits=1)
    assert (train.start, train.stop, test.start, test.stop) == (0, 108, 108, 144)


def test_splits_too_short_message():
    with pytest.raises(ValueError) as err:
        rolling_origin_splits(9, horizon=3, n_splits=3, gap=1)
    assert str(err.value) == (
        "9 rows are too short for 3 folds of horizon 3 (step 3, gap 1): need at least 11 rows; "
        "use fewer folds, a shorter horizon or more data"
    )
    assert len(rolling_origin_splits(11, horizon=3, n_splits=3, gap=1)) == 3


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"horizon": 0}, "horizon must be a positive integer, got 0"),
        ({"horizon": 2.0}, "horizon must be a positive integer, got 2.0"),
        ({"horizon": 2, "n_splits": 0}, "n_splits must be a positive integer, got 0"),
        ({"horizon": 2, "step": 0}, "step must be a positive integer or None, got 0"),
        ({"horizon": 2, "gap": -1}, "gap must be a non-negative integer, got -1"),
        (
            {"horizon": 2, "max_train_size": 0},
            "max_train_size must be a positive integer or None, got 0",
        ),
    ],
)
def test_split_argument_errors(kwargs, message):
    with pytest.raises(ValueError) as err:
        rolling_origin_splits(50, **kwargs)
    assert str(err.value) == message


# --------------------------------------------------------------------------- backtest


def test_backtest_aligns_cutoffs_times_and_actuals():
    make, log = oracle()
    table = backtest(wide(24), make, horizon=3, n_splits=2, level=90)
    assert list(table.columns) == COLUMNS
    assert len(table) == 2 * 3
    assert (
        table["cutoff"].tolist()
        == [pd.Timestamp("2001-06-01")] * 3 + [pd.Timestamp("2001-09-01")] * 3
    )
    assert table["time"].tolist() == list(pd.date_range("2001-07-01", periods=6, freq="MS"))
    t = np.arange(18, 24, dtype=float)
    np.testing.assert_array_equal(table["actual"], SLOPE * t)
    np.testing.assert_array_equal(table["forecast"], table["actual"])  # the oracle is exact
    np.testing.assert_array_equal(table["upper"] - table["lower"], 2.0)
    assert set(table["target"]) == {"y"}
    assert set(table["model"]) == {"oracle"}
    assert [entry[2] for entry in log if entry[0] == "predict"] == [90, 90]


def test_backtest_gap_predicts_through_it_and_scores_after_it():
    make, log = oracle()
    table = backtest(wide(24), make, horizon=3, n_splits=2, gap=2)
    assert [entry[1] for entry in log if entry[0] == "predict"] == [5, 5]
    assert table["cutoff"].unique().tolist() == [
        pd.Timestamp("2001-04-01"),
        pd.Timestamp("2001-07-01"),
    ]
    assert table["time"].tolist() == list(pd.date_range("2001-07-01", periods=6, freq="MS"))
    np.testing.assert_array_equal(table["forecast"], table["actual"])


def test_backtest_max_train_size_slides_the_window():
    make, log = oracle()
    backtest(wide(30), make, horizon=4, n_splits=3, max_train_size=10)
    fits = [entry[1][None] for entry in log if entry[0] == "fit"]
    starts = pd.date_range("2000-01-01", periods=30, freq="MS")
    assert fits == [(starts[8], 10), (starts[12], 10), (starts[16], 10)]
    assert [entry[3][None] for entry in log if entry[0] == "predict"] == [10, 10, 10]


def test_backtest_expanding_window_by_default():
    make, log = oracle()
    backtest(wide(30), make, horizon=4, n_splits=3)
    assert [entry[1][None][1] for entry in log if entry[0] == "fit"] == [18, 22, 26]


def test_refit_false_fits_once_and_slides_the_history():
    make, log = oracle()
    table = backtest(wide(30), make, horizon=4, n_splits=3, refit=False)
    assert [entry[0] for entry in log] == ["fit", "predict", "predict", "predict"]
    assert log[0][1][None][1] == 18
    assert [entry[3][None] for entry in log[1:]] == [18, 22, 26]
    np.testing.assert_array_equal(table["forecast"], table["actual"])


def test_refit_true_fits_a_fresh_clone_per_fold():
    made = []

    class Counted(LineOracle):
        def __sklearn_clone__(self):
            made.append(Counted([]))
            return made[-1]

    original = Counted([])
    backtest(wide(30), original, horizon=4, n_splits=3, refit=True)
    assert len(made) == 3 and original.log == []  # the estimator given is never fitted
    assert all(len(m.log) == 2 for m in made)


def test_step_smaller_than_horizon_overlaps_windows():
    make, _ = oracle()
    table = backtest(wide(20), make, horizon=3, n_splits=3, step=1)
    assert table["cutoff"].nunique() == 3
    assert table.groupby("cutoff").size().tolist() == [3, 3, 3]
    assert table["time"].max() == pd.Timestamp("2001-08-01")  # the last observation


def test_model_name_from_argument_attribute_or_class():
    make, _ = oracle()
    assert set(backtest(wide(12), make, horizon=2, n_splits=1, name="x")["model"]) == {"x"}

    class Plain(LineOracle):
        model = None

    table = backtest(wide(12), Plain([]), horizon=2, n_splits=1)
    assert set(table["model"]) == {"Plain"}


def test_several_targets_are_stacked():
    data = validate_frame(line(15, z=100.0), target=["y", "z"])
    make, _ = oracle()
    table = backtest(data, make, horizon=2, n_splits=2)
    assert len(table) == 2 * 2 * 2
    assert table.groupby("target").size().to_dict() == {"y": 4, "z": 4}
    z = table[table["target"] == "z"]
    np.testing.assert_array_equal(z["actual"], SLOPE * np.array([11.0, 12, 13, 14]) + 100)
    np.testing.assert_array_equal(z["forecast"], z["actual"])


def test_long_format_places_folds_from_each_series_end():
    a = line(12, offset=0.0).reset_index().assign(store="a")
    b = line(10, start="2000-03-01", offset=50.0).reset_index().assign(store="b")
    data = validate_frame(pd.concat([a, b]), time_col="date", target="y", id_col="store")
    make, _ = oracle()
    table = backtest(data, make, horizon=2, n_splits=2)
    assert list(table.columns) == ["store", *COLUMNS]
    assert table.groupby("store").size().to_dict() == {"a": 4, "b": 4}
    # both series end in 2000-12, so both test on 2000-09 .. 2000-12
    for store in ("a", "b"):
        part = table[table["store"] == store]
        assert part["cutoff"].unique().tolist() == [
            pd.Timestamp("2000-08-01"),
            pd.Timestamp("2000-10-01"),
        ]
        assert part["time"].tolist() == list(pd.date_range("2000-09-01", periods=4, freq="MS"))
    np.testing.assert_array_equal(table["forecast"], table["actual"])
    b_part = table[table["store"] == "b"]
    np.testing.assert_array_equal(b_part["actual"], SLOPE * np.array([6.0, 7, 8, 9]) + 50)


def test_long_format_series_ending_at_different_times():
    a = line(12).reset_index().assign(store="a")
    b = line(8).reset_index().assign(store="b")  # ends 2000-08
    data = validate_frame(pd.concat([a, b]), time_col="date", target="y", id_col="store")
    make, _ = oracle()
    table = backtest(data, make, horizon=2, n_splits=1)
    assert table.groupby("store")["cutoff"].first().to_dict() == {
        "a": pd.Timestamp("2000-10-01"),
        "b": pd.Timestamp("2000-06-01"),
    }


def test_progress_is_called_once_per_fold():
    calls = []
    make, _ = oracle()
    backtest(wide(20), make, horizon=2, n_splits=4, progress=calls.append)
    assert calls == [1, 1, 1, 1]


def test_too_short_series_is_a_data_error_naming_the_source():
    make, _ = oracle()
    with pytest.raises(DataError) as err:
        backtest(wide(10), make, horizon=4, n_splits=3)
    assert str(err.value) == (
        "line.csv: 10 rows are too short for 3 folds of horizon 4 (step 4, gap 0): need at "
        "least 13 rows; use fewer folds, a shorter horizon or more data"
    )


def test_evaluate_leaves_a_series_too_short_for_the_folds_out():
    """As if it were not in the panel; named in ``summary.attrs["notes"]``; strict: an error."""
    a = line(20).reset_index().assign(store="a")
    b = line(5, offset=3.0).reset_index().assign(store="b")
    data = validate_frame(
        pd.concat([a, b]), time_col="date", target="y", id_col="store", source="s.csv"
    )
    alone = validate_frame(a, time_col="date", target="y", id_col="store", source="s.csv")
    models = {"oracle": oracle()[0]}
    table, summary = evaluate(data, models, horizon=3, n_splits=2, season=1)
    expected, expected_summary = evaluate(alone, models, horizon=3, n_splits=2, season=1)
    pd.testing.assert_frame_equal(table, expected)
    pd.testing.assert_frame_equal(summary, expected_summary)
    assert summary.attrs["notes"] == [
        "left out series 'b' of the backtest: 5 rows are too short for 2 folds of horizon 3 "
        "(step 3, gap 0): need at least 7 rows; use fewer folds, a shorter horizon or more data"
    ]
    assert expected_summary.attrs["notes"] == []
    with pytest.raises(DataError, match=r"^s\.csv: series 'b': 5 rows are too short"):
        evaluate(data, models, horizon=3, n_splits=2, season=1, strict=True)


def test_too_short_series_in_long_format_names_the_series():
    a = line(20).reset_index().assign(store="a")
    b = line(5).reset_index().assign(store="b")
    data = validate_frame(
        pd.concat([a, b]), time_col="date", target="y", id_col="store", source="s.csv"
    )
    make, _ = oracle()
    with pytest.raises(DataError, match=r"^s\.csv: series 'b': 5 rows are too short"):
        backtest(data, make, horizon=3, n_splits=2)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"level": 100}, "level must be between 0 and 100 (exclusive), got 100"),
        ({"n_splits": 0}, "n_splits must be a positive integer, got 0"),
    ],
)
def test_backtest_argument_errors(kwargs, message):
    make, _ = oracle()
    with pytest.raises(ValueError) as err:
        backtest(wide(20), make, **{"horizon": 2, **kwargs})
    assert str(err.value) == message


def test_a_model_that_misses_test_steps_is_reported():
    class Short(LineOracle):
        def predict(self, horizon=None, data=None, level=None):
            return super().predict(horizon - 1, data, level)

    with pytest.raises(ForecastError, match=r"model 'oracle' returned no forecast for 2000-12-01"):
        backtest(wide(12), Short([]), horizon=2, n_splits=1)


def test_a_model_that_misses_a_series_or_a_target_is_reported():
    class OnlyA(LineOracle):
        def predict(self, horizon=None, data=None, level=None):
            return super().predict(horizon, data, level).loc[["a"]]

    class NoY(LineOracle):
        def predict(self, horizon=None, data=None, level=None):
            return super().predict(horizon, data, level).drop(columns=["y"])

    a = line(12).reset_index().assign(store="a")
    b = line(12).reset_index().assign(store="b")
    data = validate_frame(pd.concat([a, b]), time_col="date", target="y", id_col="store")
    with pytest.raises(ForecastError) as err:
        backtest(data, OnlyA([]), horizon=2, n_splits=1)
    assert str(err.value) == "model 'oracle' returned no forecast for series 'b'"
    with pytest.raises(ForecastError) as err:
        backtest(data, NoY([]), horizon=2, n_splits=1)
    assert str(err.value) == "model 'oracle' returned no column 'y'"


def test_data_is_a_real_series_data():
    assert isinstance(wide(12), SeriesData)


# --------------------------------------------------------------------------- evaluate / summary


def test_fold_scales_are_the_in_sample_seasonal_naive_mae_of_each_training_part():
    df = line(12)
    df["y"] = np.arange(12.0) ** 2  # lag-1 differences 1, 3, 5, ...
    data = validate_frame(df, target="y")
    scales = fold_scales(data, horizon=2, n_splits=2, season=1)
    assert list(scales.columns) == ["target", "cutoff", "scale"]
    # training parts: rows 0..7 (mean of 1..13 odd = 7) and 0..9 (mean of 1..17 odd = 9)
    assert scales["scale"].tolist() == [7.0, 9.0]
    assert scales["cutoff"].tolist() == [pd.Timestamp("2000-08-01"), pd.Timestamp("2000-10-01")]
    lag2 = fold_scales(data, horizon=2, n_splits=2, season=2, max_train_size=4)
    # rows 4..7 and 6..9: |t^2 - (t-2)^2| = 4t - 4 at t = 6, 7 and t = 8, 9
    assert lag2["scale"].tolist() == [(20.0 + 24.0) / 2, (28.0 + 32.0) / 2]


def test_fold_scales_of_a_constant_training_part_are_nan():
    df = line(10)
    df["y"] = 5.0
    scales = fold_scales(validate_frame(df, target="y"), horizon=2, n_splits=1, season=1)
    assert np.isnan(scales["scale"].iloc[0])


def test_evaluate_summarizes_each_model_with_per_fold_mase():
    df = line(24)
    df["y"] = df["y"] + 10 * np.sin(np.arange(24.0))  # not a line: non-trivial errors
    data = validate_frame(df, target="y")

    class Naive(LineOracle):
        def predict(self, horizon=None, data=None, level=None):
            out = super().predict(horizon, data, level)
            last = data.frames[None]["y"].iloc[-1]
            return out.assign(y=last, y_lower=last - 5, y_upper=last + 5)

    models = {"oracle": oracle()[0], "naive": Naive([])}
    table, summary = evaluate(data, models, horizon=4, n_splits=3, season=1)
    assert list(summary.index) == ["oracle", "naive"]
    assert list(summary.columns) == list(METRICS)
    assert summary.index.name == "model"
    assert len(table) == 2 * 3 * 4

    y = df["y"].to_numpy()
    folds = rolling_origin_splits(24, horizon=4, n_splits=3)
    per_fold = [mase(y[te], np.repeat(y[tr][-1], 4), y[tr], season=1) for tr, te in folds]
    assert summary.loc["naive", "mase"] == pytest.approx(np.mean(per_fold))
    naive = table[table["model"] == "naive"]
    assert summary.loc["naive", "mape"] == pytest.approx(mape(naive["actual"], naive["forecast"]))
    assert summary.loc["naive", "width"] == pytest.approx(10.0)


def test_evaluate_calls_progress_per_model_and_fold():
    calls = []
    models = {"a": oracle()[0], "b": oracle()[0]}
    evaluate(wide(20), models, horizon=2, n_splits=3, season=1, progress=calls.append)
    assert len(calls) == 6


def test_evaluate_without_models_is_an_error():
    with pytest.raises(ValueError, match=r"^models is empty"):
        evaluate(wide(20), {}, horizon=2)


def test_to_json_has_exactly_the_agreed_shape():
    _, summary = evaluate(wide(20), {"oracle": oracle()[0]}, horizon=2, n_splits=3, season=1)
    payload = to_json(summary, horizon=2, folds=3)
    assert list(payload) == ["horizon", "folds", "models"]
    assert payload["horizon"] == 2 and payload["folds"] == 3
    assert list(payload["models"]) == ["oracle"]
    assert list(payload["models"]["oracle"]) == ["mae", "rmse", "mape", "smape", "mase", "coverage"]
    assert payload["models"]["oracle"]["mae"] == 0.0
    assert payload["models"]["oracle"]["coverage"] == 100.0
    assert json.loads(json.dumps(payload, allow_nan=False)) == payload


# --------------------------------------------------------------------------- acceptance, real data


def _airline():
    df = pd.read_csv(AIRLINE, parse_dates=["date"])
    return df


def test_airpassengers_seasonal_naive_through_the_forecaster():
    from forecast.forecaster import Forecaster

    df = _airline()
    train, test = df[df["date"] <= "1957-12-01"], df[df["date"] >= "1958-01-01"]
    fc = Forecaster(model="seasonal-naive", horizon=36).fit(train).predict()
    assert list(fc.index) == list(test["date"])
    y, yhat = test["passengers"].to_numpy(float), fc["passengers"].to_numpy(float)
    assert round(float(mase(y, yhat, train["passengers"].to_numpy(float), season=12)), 3) == 1.965
    assert round(float(mape(y, yhat)), 2) == 13.19


def test_airpassengers_single_split_backtest_reproduces_the_published_figures():
    from forecast.forecaster import Forecaster

    data = validate_frame(_airline(), time_col="date", target="passengers")
    models = {"seasonal-naive": Forecaster(model="seasonal-naive", horizon=36)}
    table, summary = evaluate(data, models, horizon=36, n_splits=1)  # season 12 from "MS"
    assert table["cutoff"].unique().tolist() == [pd.Timestamp("1957-12-01")]
    assert round(summary.loc["seasonal-naive", "mase"], 3) == 1.965
    assert round(summary.loc["seasonal-naive", "mape"], 2) == 13.19


def test_accuracy_benchmark_runs_with_the_baselines(tmp_path):
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[1]
    out = tmp_path / "accuracy.md"
    args = ["--models", "naive,seasonal-naive", "--series", "ausbeer", "--output", str(out)]
    done = subprocess.run(
        [sys.executable, str(root / "benchmarks" / "accuracy.py"), *args],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    text = out.read_text()
    assert "| ausbeer | 2.376 | **0.740** |" in text  # MASE, 3 folds of 8 quarters
    assert "| seasonal-naive (ours) | 13.40 | 14.31 | 3.17 | 0.937 |" in text  # FPP2 3.4


@pytest.mark.parametrize("refit", [True, False])
def test_a_fold_where_the_base_stands_in_for_the_model_says_so(refit):
    # 'a' is long enough for the folds but, in the first, not for the model: the seasonal
    # naive base forecast it there (in every fold without refit), under the model's name
    from forecast.forecaster import Forecaster

    t = pd.date_range("2000-01-01", periods=60, freq="MS")
    long = pd.DataFrame({"id": "b", "date": t, "y": np.arange(60.0) % 12 + np.arange(60.0)})
    short = long.iloc[:24].assign(id="a")
    data = validate_frame(pd.concat([short, long]), time_col="date", id_col="id")
    models = {"naive": Forecaster(model="naive", horizon=3)}
    table, summary = evaluate(data, models, horizon=3, n_splits=3, refit=refit)
    first = sorted(table["cutoff"].unique())[0]
    fold = table[(table["id"] == "a") & (table["cutoff"] == first)]
    history = short.set_index("date")["y"].loc[:first].to_numpy()
    np.testing.assert_array_equal(fold["forecast"], history[-12:-9])  # seasonal naive, lag 12
    folds = "fold 1" if refit else "folds 1, 2, 3"
    assert summary.attrs["notes"] == [
        f"naive ({folds}): 1 of 2 series ('a') is too short for lookback 12 + horizon 3 + 1 "
        "validation row (at least 16 rows): forecast by the seasonal naive base, not the model"
    ]


def test_a_fold_too_short_for_the_model_names_the_fold():
    # 48 rows pass the folds' own check (37), not the model's in the first fold (12 rows)
    from forecast.forecaster import Forecaster

    df = pd.DataFrame(
        {"y": np.arange(48.0)}, index=pd.date_range("2000-01", periods=48, freq="MS", name="d")
    )
    models = {"seasonal-naive": Forecaster(model="seasonal-naive", horizon=12)}
    with pytest.raises(DataError) as info:
        evaluate(validate_frame(df), models, horizon=12, n_splits=3)
    assert str(info.value) == (
        "<DataFrame>: the series has 12 rows but lookback 1 + horizon 12 + 1 row for "
        "validation needs at least 14; use a shorter lookback= or horizon=, or fewer folds "
        "(in the training part of fold 1 of 3)"
    )
