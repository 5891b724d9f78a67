"""Frequency rules and calendar features."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from forecast.errors import DataError
from forecast.features import calendar_feature_names, calendar_features
from forecast.frequency import (
    as_offset,
    default_horizon,
    default_lookback,
    freq_kind,
    freq_name,
    season_length,
    week_length,
)

TABLE = [
    # alias, season, horizon, name
    ("YS", 1, 5, "yearly"),
    ("YS-JAN", 1, 5, "yearly"),
    ("QS", 4, 8, "quarterly"),
    ("QS-OCT", 4, 8, "quarterly"),
    ("MS", 12, 12, "monthly"),
    ("W-SAT", 52, 13, "weekly"),
    ("D", 7, 7, "daily"),
    ("B", 5, 5, "business-daily"),
    ("h", 24, 24, "hourly"),
    ("30min", 48, 48, "half-hourly"),
    ("15min", 96, 96, "every 15 minutes"),
    ("min", 1440, 288, "every minute"),
    ("2h", 12, 12, "every 2 hours"),
    ("24h", 7, 7, "daily"),
    ("5h", 1, 10, "every 5 hours"),
]


@pytest.mark.parametrize(("alias", "season", "horizon", "name"), TABLE)
def test_frequency_table(alias, season, horizon, name):
    assert season_length(alias) == season
    assert season_length(as_offset(alias)) == season
    assert default_horizon(alias) == horizon
    assert freq_name(alias) == name


def test_freq_kind_and_bad_alias():
    assert freq_kind("2MS") == ("monthly", 2)
    assert freq_kind("30min") == ("sub-daily", 1800)
    with pytest.raises(DataError) as info:
        as_offset("fortnightly")
    assert str(info.value) == (
        "freq='fortnightly' is not a pandas frequency alias "
        "(e.g. 'h', '30min', 'D', 'B', 'W-SAT', 'MS', 'QS', 'YS')"
    )
    # pandas' deprecated 'M' (for 'ME') is the same offset: no warning printed before it
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert as_offset("M") == as_offset("ME")


def test_default_lookback_rule():
    assert default_lookback("MS", 144, 12) == 24  # two seasons
    assert default_lookback("YS", 100, 5) == 5  # the horizon when two seasons are shorter
    assert default_lookback("h", 10_000, 24) == 168  # a week of hours
    assert default_lookback("30min", 10_000, 48) == 336
    assert default_lookback("h", 250, 24) == 165  # capped: 250 - 24 + 1 - 62 windows
    assert default_lookback("MS", 30, 12) == 11  # capped: 30 - 12 + 1 - 8 windows
    assert default_lookback("MS", 10, 12) == 1  # never below 1
    for n in range(40, 400, 7):
        lookback = default_lookback("MS", n, 12)
        windows = n - lookback - 12 + 1
        assert lookback == 24 or windows == max(8, n // 4)
        assert windows >= max(8, n // 4)


@pytest.mark.parametrize(
    ("freq", "names"),
    [
        ("h", ["hour_of_day", "day_of_week", "day_of_year"]),
        ("30min", ["hour_of_day", "day_of_week", "day_of_year"]),
        ("D", ["day_of_week", "day_of_year"]),
        ("B", ["day_of_week", "day_of_year"]),
        ("W-SAT", ["day_of_year", "month_of_year"]),
        ("MS", ["month_of_year"]),
        ("QS", ["quarter_of_year"]),
        ("YS", []),
    ],
)
def test_calendar_features_by_frequency(freq, names):
    expected = [f"cal_{n}_{f}" for n in names for f in ("sin", "cos")]
    assert calendar_feature_names(freq) == expected
    index = pd.date_range("2023-12-30", periods=50, freq=freq)
    frame = calendar_features(index, freq)
    assert list(frame.columns) == expected and frame.index.equals(index)
    assert all(dtype == np.float64 for dtype in frame.dtypes)
    assert np.all(np.abs(frame.to_numpy()) <= 1.0)
    for n in names:  # every cycle lies on the unit circle
        np.testing.assert_allclose(frame[f"cal_{n}_sin"] ** 2 + frame[f"cal_{n}_cos"] ** 2, 1.0)


def test_calendar_features_values_and_determinism():
    index = pd.DatetimeIndex(["2024-01-01 00:00", "2024-01-01 06:00", "2024-07-01 12:30"])
    frame = calendar_features(index, "30min")
    np.testing.assert_allclose(
        frame["cal_hour_of_day_sin"], [0.0, 1.0, np.sin(2 * np.pi * 12.5 / 24)], atol=1e-12
    )
    np.testing.assert_allclose(frame["cal_day_of_week_cos"][:2], [1.0, 1.0])  # Monday
    # day of year: July 1st 2024 (leap year) is day 183 -> phase 182/366
    np.testing.assert_allclose(frame["cal_day_of_year_sin"].iloc[2], np.sin(2 * np.pi * 182 / 366))
    # same timestamps, same features: usable for future timestamps
    future = pd.date_range("2030-01-01", periods=10, freq="MS")
    pd.testing.assert_frame_equal(calendar_features(future, "MS"), calendar_features(future, "MS"))
    months = calendar_features(pd.date_range("2000-01-01", periods=24, freq="MS"), "MS")
    np.testing.assert_allclose(months.iloc[:12].to_numpy(), months.iloc[12:].to_numpy())


def test_week_length_only_for_sub_daily_data_up_to_15_minutes():
    assert [week_length(f) for f in ("h", "2h", "30min", "15min")] == [168, 84, 336, 672]
    assert [week_length(f) for f in ("10min", "min", "D", "B", "W-SAT", "MS", "YS")] == [None] * 7
