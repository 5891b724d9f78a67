"""Metrics against hand-computed values, NaN handling, errors, and the long-table summary."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from forecast.metrics import (
    METRICS,
    coverage,
    mae,
    mape,
    mase,
    mase_scale,
    mean_width,
    rmse,
    smape,
    summarize,
)

AIRLINE = Path(__file__).resolve().parents[1] / "data" / "airline.csv"

# |e| = 1, 0, 2, 4 ; |y| = 1, 2, 3, 4 ; |y| + |yhat| = 3, 4, 8, 4
Y = [1.0, 2.0, 3.0, 4.0]
YHAT = [2.0, 2.0, 5.0, 0.0]


# --------------------------------------------------------------------------- point metrics


def test_point_metrics_match_hand_computed_values():
    assert mae(Y, YHAT) == pytest.approx(7 / 4)
    assert rmse(Y, YHAT) == pytest.approx(math.sqrt((1 + 0 + 4 + 16) / 4))
    assert mape(Y, YHAT) == pytest.approx(100 * (1 / 1 + 0 / 2 + 2 / 3 + 4 / 4) / 4)
    assert smape(Y, YHAT) == pytest.approx(100 * (2 / 3 + 0 + 4 / 8 + 8 / 4) / 4)


def test_metrics_return_plain_scalars_overall():
    value = mae(Y, YHAT)
    assert np.ndim(value) == 0
    assert isinstance(float(value), float)


@pytest.mark.parametrize("metric", [mae, rmse, mape, smape])
def test_nan_pairs_are_ignored(metric):
    y = [*Y, np.nan, 5.0]
    yhat = [*YHAT, 3.0, np.nan]
    assert metric(y, yhat) == pytest.approx(metric(Y, YHAT))


def test_per_step_with_axis_zero_on_windows_by_horizon():
    y = np.array([[1.0, 2.0], [3.0, 4.0]])  # (n_windows=2, horizon=2)
    yhat = np.array([[2.0, 2.0], [5.0, 0.0]])  # |e| = [[1, 0], [2, 4]]
    np.testing.assert_allclose(mae(y, yhat, axis=0), [1.5, 2.0])
    np.testing.assert_allclose(mae(y, yhat, axis=1), [0.5, 3.0])
    np.testing.assert_allclose(rmse(y, yhat, axis=0), [math.sqrt(2.5), math.sqrt(8.0)])
    np.testing.assert_allclose(mape(y, yhat, axis=0), [100 * (1 + 2 / 3) / 2, 100 * (0 + 1) / 2])
    np.testing.assert_allclose(smape(y, yhat, axis=0), [100 * (2 / 3 + 0.5) / 2, 100 * (0 + 2) / 2])


def test_per_step_slice_without_pairs_is_nan():
    y = np.array([[1.0, np.nan], [3.0, np.nan]])
    yhat = np.array([[2.0, 1.0], [5.0, 1.0]])
    out = mae(y, yhat, axis=0)
    assert out[0] == pytest.approx(1.5)
    assert np.isnan(out[1])


def test_mape_with_a_zero_actual_is_undefined_not_infinite():
    # issue #14: `forecast evaluate` printed `mape inf` for a series with zeros
    assert math.isnan(mape([0.0, 1.0], [1.0, 1.0]))
    assert math.isnan(mape([0.0, 1.0], [0.0, 2.0]))
    per_row = mape([[0.0, 1.0], [2.0, 1.0]], [[1.0, 1.0], [1.0, 1.0]], axis=1)
    assert math.isnan(per_row[0]) and per_row[1] == pytest.approx(25.0)


def test_smape_of_two_zeros_is_zero_and_bounded_by_200():
    assert smape([0.0], [0.0]) == 0.0
    assert smape([1.0, -1.0], [-1.0, 1.0]) == pytest.approx(200.0)


# --------------------------------------------------------------------------- MASE


def test_mase_scale_uses_the_seasonal_lag():
    # lag 2: |2-1|, |5-3|, |4-2|, |6-5| = 1, 2, 2, 1
    assert mase_scale([1, 3, 2, 5, 4, 6], season=2) == pytest.approx(1.5)
    assert mase([7, 8], [6, 10], [1, 3, 2, 5, 4, 6], season=2) == pytest.approx(1.5 / 1.5)


def test_mase_scale_falls_back_to_lag_one_when_training_is_shorter_than_a_season_plus_one():
    # lag 1: 2, 1, 3, 1, 2 -> 9 / 5
    assert mase_scale([1, 3, 2, 5, 4, 6], season=6) == pytest.approx(1.8)
    assert mase_scale([1, 3, 2, 5, 4, 6], season=12) == pytest.approx(1.8)
    assert mase_scale([1, 3, 2, 5, 4, 6, 9], season=6) == pytest.approx(8.0)


def test_mase_scale_ignores_nan_differences():
    assert mase_scale([1.0, np.nan, 4.0, 6.0], season=1) == pytest.approx(2.0)


def test_mase_per_step():
    y = np.array([[1.0, 2.0], [3.0, 4.0]])
    yhat = np.array([[2.0, 2.0], [5.0, 0.0]])
    np.testing.assert_allclose(mase(y, yhat, [0.0, 2.0, 4.0], axis=0), [0.75, 1.0])


def test_mase_zero_scale_is_a_clear_error():
    with pytest.raises(ValueError) as err:
        mase([1.0], [2.0], [5.0, 5.0, 5.0], season=1)
    assert str(err.value) == (
        "MASE is undefined: the in-sample seasonal naive MAE of y_train (lag 1) is 0"
    )
    with pytest.raises(ValueError, match=r"\(lag 2\) is 0"):
        mase_scale([1.0, 2.0, 1.0, 2.0], season=2)


@pytest.mark.parametrize(
    ("y_train", "season", "message"),
    [
        ([1.0], 1, "y_train needs at least 2 values to scale MASE, got 1"),
        ([[1.0, 2.0]], 1, "y_train must be 1-d, got shape (1, 2)"),
        ([1.0, 2.0], 0, "season must be a positive integer, got 0"),
        ([1.0, np.nan], 1, "y_train has no non-NaN difference at lag 1 to scale MASE"),
    ],
)
def test_mase_scale_errors(y_train, season, message):
    with pytest.raises(ValueError) as err:
        mase_scale(y_train, season)
    assert str(err.value) == message


def test_airpassengers_seasonal_naive_reproduces_published_mase_and_mape():
    """Train to 1957-12, forecast 1958-01 .. 1960-12 by repeating the last 12 months."""
    df = pd.read_csv(AIRLINE, parse_dates=["date"])
    train = df.loc[df["date"] <= "1957-12-01", "passengers"].to_numpy(float)
    test = df.loc[df["date"] >= "1958-01-01", "passengers"].to_numpy(float)
    assert (len(train), len(test)) == (108, 36)
    forecast = np.tile(train[-12:], 3)
    assert round(float(mase(test, forecast, train, season=12)), 3) == 1.965
    assert round(float(mape(test, forecast)), 2) == 13.19


# --------------------------------------------------------------------------- intervals


def test_coverage_counts_bounds_as_inside_and_ignores_nan():
    y = [1.0, 2.0, 3.0, 4.0, np.nan, 1.0]
    lower = [0.0, 2.0, 4.0, 0.0, 0.0, np.nan]
    upper = [2.0, 2.0, 5.0, 3.0, 1.0, 2.0]
    assert coverage(y, lower, upper) == pytest.approx(50.0)


def test_coverage_and_width_per_step():
    y = np.array([[1.0, 5.0], [2.0, 0.0]])
    lower = np.array([[0.0, 0.0], [0.0, 1.0]])
    upper = np.array([[2.0, 4.0], [4.0, 3.0]])
    np.testing.assert_allclose(coverage(y, lower, upper, axis=0), [100.0, 0.0])
    np.testing.assert_allclose(mean_width(lower, upper, axis=0), [3.0, 3.0])
    assert mean_width(lower, upper) == pytest.approx(3.0)


def test_mean_width_ignores_nan():
    assert mean_width([0.0, np.nan, 1.0], [2.0, 1.0, 5.0]) == pytest.approx(3.0)


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: mae([1.0, 2.0], [1.0]), "y and yhat must have the same shape, got (2,) and (1,)"),
        (lambda: rmse([], []), "y is empty: need at least one value"),
        (lambda: smape([np.nan], [1.0]), "y and yhat have no position where all are non-NaN"),
        (
            lambda: coverage([1.0], [0.0], [1.0, 2.0]),
            "y and upper must have the same shape, got (1,) and (2,)",
        ),
        (
            lambda: mean_width([np.nan], [1.0]),
            "lower and upper have no position where all are non-NaN",
        ),
        (
            lambda: mape(np.zeros((2, 3)), np.zeros((3, 2))),
            "y and yhat must have the same shape, got (2, 3) and (3, 2)",
        ),
    ],
)
def test_errors_have_exact_messages(call, message):
    with pytest.raises(ValueError) as err:
        call()
    assert str(err.value) == message


# --------------------------------------------------------------------------- summarize


def _table():
    """Two models x two folds x two steps of one series; errors chosen by hand."""
    cut = [pd.Timestamp("2000-01-02")] * 2 + [pd.Timestamp("2000-01-04")] * 2
    time = pd.to_datetime(["2000-01-03", "2000-01-04", "2000-01-05", "2000-01-06"])
    actual = [10.0, 20.0, 10.0, 40.0]
    rows = []
    for model, forecast, lower, upper in [
        ("a", [12.0, 20.0, 9.0, 36.0], [11.0, 15.0, 8.0, 30.0], [13.0, 25.0, 12.0, 38.0]),
        ("b", [10.0, 20.0, 10.0, 40.0], [9.0, 19.0, 9.0, 39.0], [11.0, 21.0, 11.0, 41.0]),
    ]:
        rows.append(
            pd.DataFrame(
                {
                    "cutoff": cut,
                    "time": time,
                    "target": "y",
                    "actual": actual,
                    "model": model,
                    "forecast": forecast,
                    "lower": lower,
                    "upper": upper,
                }
            )
        )
    return pd.concat(rows, ignore_index=True)


def test_summarize_pools_rows_per_model():
    out = summarize(_table())
    assert list(out.columns) == list(METRICS)
    assert list(out.index) == ["a", "b"]
    assert out.index.name == "model"
    a = out.loc["a"]  # |e| = 2, 0, 1, 4
    assert a["mae"] == pytest.approx(7 / 4)
    assert a["rmse"] == pytest.approx(math.sqrt((4 + 0 + 1 + 16) / 4))
    assert a["mape"] == pytest.approx(100 * (0.2 + 0 + 0.1 + 0.1) / 4)
    assert a["smape"] == pytest.approx(100 * (4 / 22 + 0 + 2 / 19 + 8 / 76) / 4)
    assert a["coverage"] == pytest.approx(50.0)  # 10 in [11,13]? no; 20 yes; 10 yes; 40 no
    assert a["width"] == pytest.approx((2 + 10 + 4 + 8) / 4)
    assert np.isnan(a["mase"])  # no scales given
    assert out.loc["b", "mae"] == 0.0
    assert out.loc["b", "coverage"] == 100.0


def test_summarize_mase_averages_per_fold_scaled_errors():
    scales = pd.DataFrame(
        {
            "target": ["y", "y"],
            "cutoff": pd.to_datetime(["2000-01-02", "2000-01-04"]),
            "scale": [2.0, 5.0],
        }
    )
    out = summarize(_table(), scales=scales)
    # model a: fold 1 MAE 1 / 2 = 0.5 ; fold 2 MAE 2.5 / 5 = 0.5
    assert out.loc["a", "mase"] == pytest.approx(0.5)
    assert out.loc["b", "mase"] == 0.0


def test_summarize_per_step_and_by_several_columns():
    out = summarize(_table(), by=["model", "step"])
    assert list(out.index) == [("a", 1), ("a", 2), ("b", 1), ("b", 2)]
    assert out.loc[("a", 1), "mae"] == pytest.approx((2 + 1) / 2)
    assert out.loc[("a", 2), "mae"] == pytest.approx((0 + 4) / 2)
    by_step = summarize(_table(), by="step")
    assert by_step.loc[2, "mae"] == pytest.approx(4 / 4)


def test_summarize_without_intervals_gives_nan_coverage():
    table = _table().assign(lower=np.nan, upper=np.nan)
    out = summarize(table)
    assert np.isnan(out.loc["a", "coverage"])
    assert np.isnan(out.loc["a", "width"])


def test_summarize_errors():
    with pytest.raises(ValueError) as err:
        summarize(_table().drop(columns=["lower"]))
    assert str(err.value) == "the backtest table lacks the columns ['lower']"
    with pytest.raises(ValueError) as err:
        summarize(_table().iloc[:0])
    assert str(err.value) == "the backtest table is empty: nothing to summarize"


def test_forward_levels_read_the_grid_where_the_earlier_errors_covered_the_later_ones():
    from forecast.intervals import LEVELS, conformal_quantile, forward_levels

    rng = np.random.default_rng(0)
    # 40 origins of 3 steps; the later origins' errors are about 1.5 times the earlier ones'
    errors = np.abs(rng.standard_normal((40, 3, 1))) * np.repeat([1.0, 1.5], 20)[:, None, None]
    early = np.arange(40) < 20
    got = forward_levels(errors, early)
    for i, level in enumerate(LEVELS):  # the oracle: every level's coverage, by brute force
        cover = [
            100 * np.mean(errors[~early] <= conformal_quantile(errors[early], g)) for g in LEVELS
        ]
        j = next((j for j, c in enumerate(cover) if c >= level - 1e-9), len(LEVELS) - 1)
        assert got[i] == max(i, j)
    assert got[LEVELS.index(80)] > LEVELS.index(80)  # 80 % is read higher
    # errors that shrink never lower a level; one half empty: no change
    assert (forward_levels(errors[::-1], early) == np.arange(len(LEVELS))).all()
    assert (forward_levels(errors, np.zeros(40, bool)) == np.arange(len(LEVELS))).all()


@pytest.mark.parametrize("n", [1, 2, 3, 7, 50, 1001])
def test_the_quantile_grid_is_the_conformal_quantile_at_every_level(n):
    from forecast.intervals import LEVELS, conformal_quantile, quantile_grid

    errors = np.abs(np.random.default_rng(n).standard_normal((n, 4, 2)))
    errors[0, 1, 1] = np.nan  # np.quantile's NaN: that step and target only
    expected = np.stack([conformal_quantile(errors, level) for level in LEVELS])
    np.testing.assert_array_equal(quantile_grid(errors), expected)
    assert np.isnan(expected[:, 1, 1]).all() and not np.isnan(expected[:, 0, 0]).any()
