"""The CSV loader and validator: real series, formats, gaps policy and exact error messages.

Error-message tests run in a temporary directory holding ``data.csv``, so every expected
message is written out in full, starting with the file name as the user typed it.
"""

from __future__ import annotations

import gzip
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from forecast.data import SeriesData, check_length, load_csv, validate_frame
from forecast.errors import DataError

DATA = Path(__file__).resolve().parent / "data"


def assert_invariants(sd: SeriesData) -> None:
    """The SeriesData contract of DESIGN.md."""
    assert isinstance(sd.freq, str) and sd.frames
    for frame in sd.frames.values():
        index = frame.index
        assert isinstance(index, pd.DatetimeIndex)
        assert index.is_monotonic_increasing and index.is_unique
        assert index.freq is not None and index.freqstr == sd.freq
        assert index.name == sd.time_col
        assert pd.date_range(index[0], periods=len(index), freq=sd.freq).equals(index)
        assert list(frame.columns) == sd.targets + sd.covariates
        assert all(dtype == np.float64 for dtype in frame.dtypes)
        assert np.isfinite(frame.to_numpy()).all()


@pytest.fixture
def write(tmp_path, monkeypatch):
    """Write a file in a fresh working directory; returns its relative name."""
    monkeypatch.chdir(tmp_path)

    def _write(text: str, name: str = "data.csv", encoding: str = "utf-8") -> str:
        Path(name).write_text(text, encoding=encoding)
        return name

    return _write


def message(name: str, **kwargs) -> str:
    with pytest.raises(DataError) as info:
        load_csv(name, **kwargs)
    assert info.value.exit_code == 2
    return str(info.value)


# ----------------------------------------------------------------------------- real series

REAL = [
    # file, frequency, rows after the gaps policy, report
    ("airpassengers_monthly.csv", "MS", 144, []),
    ("wineind_monthly.csv", "MS", 176, []),
    ("ausbeer_quarterly.csv", "QS-JAN", 218, []),
    ("us_macro_quarterly.csv", "QS-JAN", 203, []),
    ("co2_maunaloa_weekly.csv", "W-SAT", 2284, ["filled 59 NaN values in 'co2_ppm'"]),
    ("sunspots_yearly.csv", "YS-JAN", 309, []),
    ("nile_yearly.csv", "YS-JAN", 100, []),
    ("lynx_yearly.csv", "YS-JAN", 114, []),
    ("seattle_weather_daily.csv", "D", 1461, []),
    ("taylor_halfhourly.csv", "30min", 4032, []),
    ("vic_elec_halfhourly_head3000.csv", "30min", 3000, []),
    ("bikeshare_dc_hourly_head3000.csv", "h", 3000, []),
    ("electricity321_mean_hourly_head3000.csv", "h", 3000, []),
    (
        "beijing_pm25_hourly_head3000.csv",
        "h",
        2976,
        [
            "dropped 24 leading rows (before 2010-01-02) where 'pm25' had no value yet",
            "filled 105 NaN values in 'pm25'",
        ],
    ),
    (
        "melbourne_pedestrians_hourly_head11000.csv.gz",
        "h",
        9874,
        [
            "dropped 1128 leading rows (before 2015-02-16 23:00:00) where "
            "'bourke_st_mall_north' had no value yet",
            "filled 2 missing timestamps, 1608 NaN values in 'birrarung_marr', "
            "24 NaN values in 'qv_market_elizabeth_st_west', "
            "3 NaN values in 'southern_cross_station'",
        ],
    ),
]


@pytest.mark.parametrize(("name", "freq", "rows", "report"), REAL, ids=[r[0] for r in REAL])
def test_real_series_load_with_their_frequency(name, freq, rows, report):
    sd = load_csv(DATA / name, target="all")
    assert sd.freq == freq
    assert len(sd.frames[None]) == rows
    assert sd.report == report
    assert sd.time_col == "date" and sd.id_col is None
    assert_invariants(sd)


def test_real_single_target_defaults():
    sd = load_csv(DATA / "airpassengers_monthly.csv")
    assert sd.targets == ["passengers"] and sd.covariates == []
    assert sd.frames[None]["passengers"].iloc[:3].tolist() == [112.0, 118.0, 132.0]
    assert sd.source == str(DATA / "airpassengers_monthly.csv")


def test_three_centuries_of_years_load_on_nanosecond_timestamps():
    """1700 .. 2008 spans more than a nanosecond Timedelta holds (pandas 2's default unit)."""
    dates = pd.date_range("1700-01-01", "2008-01-01", freq="YS").as_unit("ns")
    sd = validate_frame(pd.DataFrame({"date": dates, "sunspots": np.arange(309.0)}))
    assert sd.freq == "YS-JAN" and len(sd.frames[None]) == 309


def test_melbourne_missing_hours_are_interpolated():
    sd = load_csv(
        DATA / "melbourne_pedestrians_hourly_head11000.csv.gz", target="southern_cross_station"
    )
    assert sd.report == ["filled 2 missing timestamps, 3 NaN values in 'southern_cross_station'"]
    frame = sd.frames[None]
    for missing in ("2015-04-05 02:00", "2016-04-03 02:00"):
        t = pd.Timestamp(missing)
        step = pd.Timedelta(1, "h")
        before, value, after = frame.loc[[t - step, t, t + step], "southern_cross_station"]
        assert value == pytest.approx((before + after) / 2)  # linear in time
    assert_invariants(sd)


def test_wide_multi_target_with_covariates():
    sd = load_csv(
        DATA / "vic_elec_halfhourly_head3000.csv",
        target=["demand"],
        covariates=["temperature_c", "holiday"],
    )
    assert sd.targets == ["demand"] and sd.covariates == ["temperature_c", "holiday"]
    sd = load_csv(DATA / "us_macro_quarterly.csv", target=["realgdp", "realcons"], covariates="all")
    assert sd.targets == ["realgdp", "realcons"]
    assert sd.covariates[:2] == ["realinv", "realgovt"] and len(sd.covariates) == 10
    assert_invariants(sd)


# ----------------------------------------------------------------------------- long format

LONG = """unique_id,ds,y,price
b,2020-01-01,10,1.0
a,2020-01-01,1,2.0
a,2020-01-02,2,2.0
b,2020-01-02,20,1.5
a,2020-01-03,3,2.5
b,2020-01-04,40,1.0
a,2020-01-04,4,2.0
c,2020-01-02,200,3.0
c,2020-01-03,300,3.0
c,2020-01-04,400,3.0
"""


def test_long_format(write):
    sd = load_csv(write(LONG), id_col="unique_id", target="y", covariates=["price"])
    assert sd.ids == ["b", "a", "c"]  # order of first appearance
    assert sd.id_col == "unique_id" and sd.time_col == "ds" and sd.freq == "D"
    assert sd.frames["a"]["y"].tolist() == [1.0, 2.0, 3.0, 4.0]
    assert sd.frames["b"]["y"].tolist() == [10.0, 20.0, 30.0, 40.0]
    assert sd.frames["c"].index[0] == pd.Timestamp("2020-01-02")
    assert sd.report == ["series 'b': filled 1 missing timestamp"]
    assert sd.lengths == {"b": 4, "a": 4, "c": 3}
    assert_invariants(sd)
    # unique_id is found without id_col; the default target is the single numeric column
    text = "unique_id,ds,y\nb,2020-01-01,10\nb,2020-01-02,20\nb,2020-01-04,40\na,2020-01-03,3\n"
    sd = load_csv(write(text), gaps="ffill")
    assert sd.id_col == "unique_id" and sd.targets == ["y"]
    assert sd.frames["b"]["y"].tolist() == [10.0, 20.0, 20.0, 40.0]
    round_trip = sd.to_frame()
    assert list(round_trip.columns) == ["unique_id", "ds", "y"] and len(round_trip) == 5


def test_long_format_errors_name_the_series(write):
    """With ``strict=True``; without, such a series is left out (tests/test_data_lenient.py)."""
    text = "unique_id,ds,y\na,2020-01-01,1\na,2020-01-02,2\nb,2020-01-01,1\nb,2020-01-01,2\n"
    assert message(write(text), strict=True) == (
        "data.csv, series 'b', line 5: duplicate timestamp 2020-01-01 in column 'ds' "
        "(also on line 4); remove or aggregate the duplicates"
    )
    text = "unique_id,ds,y\na,2020-01-01,1\na,2020-01-02,\nb,2020-01-01,1\nb,2020-01-02,2\n"
    assert message(write(text), gaps="error", strict=True) == (
        "data.csv, series 'a', line 3: empty value in column 'y'; fill it in, "
        "or use gaps='interpolate' or gaps='ffill'"
    )
    text = (
        "id,ds,y\na,2020-01-01,1\na,2020-01-02,2\na,2020-01-03,2\n"
        "b,2020-01-01,1\nb,2020-02-01,2\nb,2020-03-01,2\n"
    )
    assert message(write(text), id_col="id", strict=True) == (
        "data.csv: series 'a' is daily ('D') but series 'b' is monthly ('MS'); "
        "give one freq= or split the file"
    )
    text = "id,ds,y\na,2020-01-01,1\n,2020-01-02,2\n"
    assert message(write(text), id_col="id") == (
        "data.csv, line 3: empty id in column 'id'; fill it in or delete the row"
    )


def test_long_format_short_series_takes_the_common_frequency(write):
    text = "unique_id,ds,y\na,2020-01-01,1\na,2020-02-01,2\na,2020-03-01,3\nb,2020-05-01,5\n"
    sd = load_csv(write(text))
    assert sd.freq == "MS" and sd.lengths == {"a": 3, "b": 1}


# ----------------------------------------------------------------------------- formats


def test_semicolon_and_decimal_comma(write):
    text = "month;sales;price\n2020-01;1,5;1.234,5\n2020-02;2,25;11\n2020-03;3;12\n"
    sd = load_csv(write(text), target="sales", covariates="price")
    assert sd.freq == "MS" and sd.time_col == "month"
    assert sd.frames[None]["sales"].tolist() == [1.5, 2.25, 3.0]
    assert sd.frames[None]["price"].tolist() == [1234.5, 11.0, 12.0]


def test_tab_and_pipe_delimiters(write):
    for sep in ("\t", "|"):
        sd = load_csv(write(f"date{sep}y\n2020-01-01{sep}1\n2020-01-02{sep}2\n2020-01-03{sep}3\n"))
        assert sd.frames[None]["y"].tolist() == [1.0, 2.0, 3.0]


def test_utf8_bom_and_latin1(write):
    sd = load_csv(write("\ufeffdate,y\n2020-01-01,1\n2020-01-02,2\n2020-01-03,3\n"))
    assert sd.time_col == "date"
    Path("latin.csv").write_bytes("date,caf\xe9\n2020-01-01,1\n2020-01-02,2\n".encode("latin-1"))
    assert load_csv("latin.csv").targets == ["caf\xe9"]


def test_quoted_numbers_and_thousands(write):
    text = 'date,y\n2020-01-01,"1,234"\n2020-01-02,"12.5"\n2020-01-03,7\n2020-01-04,"-2,000.5"\n'
    sd = load_csv(write(text))
    assert sd.frames[None]["y"].tolist() == [1234.0, 12.5, 7.0, -2000.5]


def test_gzip(write):
    with gzip.open("data.csv.gz", "wt", encoding="utf-8") as handle:
        handle.write("date;y\n2020-01-01;1\n2020-01-02;2\n2020-01-03;3\n")
    sd = load_csv("data.csv.gz")
    assert sd.frames[None]["y"].tolist() == [1.0, 2.0, 3.0] and sd.source == "data.csv.gz"


def test_time_zone_aware_timestamps(write):
    text = "date,y\n2020-01-01T00:00+01:00,1\n2020-01-01T01:00+01:00,2\n2020-01-01T02:00+01:00,3\n"
    sd = load_csv(write(text))
    index = sd.frames[None].index
    assert str(index.tz) == "UTC+01:00" and sd.freq == "h"
    assert index[0] == pd.Timestamp("2019-12-31 23:00", tz="UTC")
    sd = load_csv(write("date,y\n2020-01-01T00:00Z,1\n2020-01-01T01:00Z,2\n2020-01-01T02:00Z,3\n"))
    assert str(sd.frames[None].index.tz) == "UTC"


def test_two_thousand_columns(write):
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.normal(size=(300, 2000)), columns=[f"c{i}" for i in range(2000)])
    frame.insert(0, "date", pd.date_range("2020-01-01", periods=300, freq="D").strftime("%Y-%m-%d"))
    frame.to_csv("wide.csv", index=False)
    # CPU time of this process (about 0.3 s each), so that a busy machine does not fail it
    start = time.process_time()
    sd = load_csv("wide.csv", target="c0", covariates="all")
    assert time.process_time() - start < 3
    assert sd.frames[None].shape == (300, 2000) and len(sd.covariates) == 1999
    start = time.process_time()
    assert message("wide.csv").startswith("wide.csv: 2000 numeric columns (c0, c1, c2,")
    assert time.process_time() - start < 3


def test_time_column_detection(write):
    # a column named like a time, in any case, wins over one that merely holds dates
    sd = load_csv(
        write("value,Timestamp\n1,2020-01-01 00:00\n2,2020-01-01 01:00\n3,2020-01-01 02:00\n")
    )
    assert sd.time_col == "Timestamp" and sd.freq == "h"
    sd = load_csv(write("Fecha,valor\n1956 Q1,1\n1956 Q2,2\n1956 Q3,3\n"))  # holds dates
    assert sd.time_col == "Fecha" and sd.freq == "QS-JAN"
    sd = load_csv(write("year,flow\n1871,1\n1872,2\n1873,3\n"))
    assert sd.freq == "YS-JAN" and sd.frames[None].index[0] == pd.Timestamp("1871-01-01")
    sd = load_csv(write("t,when,y\n1,2020-01-01,5\n2,2020-01-02,6\n3,2020-01-03,7\n"), target="y")
    assert sd.time_col == "when"
    sd = load_csv(write("a,b,y\nx,2020-01-01,5\ny,2020-01-02,6\n"), time_col="b")
    assert sd.time_col == "b" and sd.targets == ["y"]


def test_blank_lines_unsorted_rows_and_trailing_delimiters(write):
    sd = load_csv(write("date,y,\n2020-01-03,3,\n\n2020-01-01,1,\n2020-01-02,2,\n\n"))
    assert sd.frames[None]["y"].tolist() == [1.0, 2.0, 3.0]
    assert sd.report == ["sorted the rows by 'date'"]
    assert message(write("date,y\n2020-01-01,1\n\n2020-01-02,x\n")) == (
        "data.csv, line 4: cannot parse 'x' as a number in column 'y'; "
        "fix the value or leave the field empty for a gap"
    )


def test_business_days_and_month_ends(write):
    days = [d for d in pd.bdate_range("2024-01-01", periods=30) if d.day != 10]
    sd = load_csv(write("date,y\n" + "".join(f"{d.date()},1\n" for d in days)))
    assert sd.freq == "B" and sd.report == ["filled 1 missing timestamp"]
    sd = load_csv(write("date,y\n2020-01-31,1\n2020-02-29,2\n2020-04-30,4\n2020-05-31,5\n"))
    assert sd.frames[None].index.freqstr == sd.freq and sd.frames[None].index[2].day == 31


# ----------------------------------------------------------------------------- gaps policy

GAPPY = "date,y,x\n2020-01-01,,1\n2020-01-02,1,2\n2020-01-03,,3\n2020-01-05,4,5\n2020-01-06,,6\n"


def test_gaps_interpolate(write):
    sd = load_csv(write(GAPPY), target="y", covariates=["x"])
    frame = sd.frames[None]
    assert frame.index[0] == pd.Timestamp("2020-01-02")  # leading NaN row dropped
    assert frame.index[-1] == pd.Timestamp("2020-01-05")  # and the trailing one: no target
    assert frame["y"].tolist() == [1.0, 2.0, 3.0, 4.0]  # inside: linear in time
    assert frame["x"].tolist() == [2.0, 3.0, 4.0, 5.0]
    assert sd.report == [
        "dropped 1 leading row (before 2020-01-02) where 'y' had no value yet",
        "dropped 1 trailing row (after 2020-01-05) where 'y' had no value",
        "filled 1 missing timestamp, 1 NaN value in 'y'",
    ]
    assert_invariants(sd)


def test_gaps_trailing_edge(write):
    """Rows after the last target value (a sheet's future rows) are dropped, whatever the
    covariates hold there; a column that ends before the others carries its last value."""
    text = "date,y,x\n2020-01-01,1,5\n2020-01-02,2,6\n2020-01-03,3,\n2020-01-04,,8\n2020-01-05,,\n"
    sd = load_csv(write(text), target="y", covariates=["x"])
    assert sd.frames[None]["y"].tolist() == [1.0, 2.0, 3.0]
    assert sd.frames[None]["x"].tolist() == [5.0, 6.0, 6.0]
    assert sd.report == [
        "dropped 2 trailing rows (after 2020-01-03) where 'y' had no value",
        "filled 1 NaN value in 'x'",
        "carried the last value of 'x' forward over 1 trailing row",
    ]
    text = "date,a,b\n2020-01-01,1,5\n2020-01-02,2,6\n2020-01-03,3,\n2020-01-04,,\n"
    sd = load_csv(write(text), target=["a", "b"])
    assert sd.frames[None].to_numpy().tolist() == [[1.0, 5.0], [2.0, 6.0], [3.0, 6.0]]
    assert sd.report == [
        "dropped 1 trailing row (after 2020-01-03) where 'a', 'b' had no value",
        "filled 1 NaN value in 'b'",
        "carried the last value of 'b' forward over 1 trailing row",
    ]
    assert message(write(text), target=["a", "b"], gaps="error") == (
        "data.csv, line 4: empty value in column 'b'; fill it in, or use gaps='interpolate' "
        "or gaps='ffill'"
    )


def test_gaps_interpolate_uses_time_not_rows():
    df = pd.DataFrame({"date": ["2020-01-01", "2020-02-01", "2020-03-01"], "y": [0.0, None, 60.0]})
    sd = validate_frame(df)
    assert sd.frames[None]["y"].iloc[1] == pytest.approx(60 * 31 / 60)  # Jan has 31 of 60 days


def test_gaps_ffill(write):
    sd = load_csv(write(GAPPY), target="y", covariates=["x"], gaps="ffill")
    assert sd.frames[None]["y"].tolist() == [1.0, 1.0, 1.0, 4.0]
    assert sd.frames[None]["x"].tolist() == [2.0, 3.0, 3.0, 5.0]
    assert sd.report == [
        "dropped 1 leading row (before 2020-01-02) where 'y' had no value yet",
        "dropped 1 trailing row (after 2020-01-05) where 'y' had no value",
        "filled 1 missing timestamp, 1 NaN value in 'y'",
    ]


def test_gaps_error(write):
    assert message(write(GAPPY), target="y", gaps="error") == (
        "data.csv: 1 missing timestamp in column 'date' (first 2020-01-04, after line 4); "
        "fill them with gaps='interpolate' or gaps='ffill'"
    )
    text = "date,y\n2020-01-01,1\n2020-01-02,\n2020-01-03,3\n"
    assert message(write(text), gaps="error") == (
        "data.csv, line 3: empty value in column 'y'; fill it in, "
        "or use gaps='interpolate' or gaps='ffill'"
    )
    assert message(write(text), gaps="zero") == (
        "data.csv: gaps='zero' is not one of error, interpolate, ffill"
    )


def test_no_complete_row(write):
    text = "date,a,b\n2020-01-01,1,\n2020-01-02,2,\n2020-01-03,,3\n2020-01-04,,4\n"
    assert message(write(text), target="all") == (
        "data.csv: no row has a value in every column (a, b); choose fewer columns"
    )


# ----------------------------------------------------------------------------- frequency


def test_given_frequency(write):
    text = "date,y\n2020-01-02,2\n2020-01-03,3\n2020-01-06,6\n"  # Thu, Fri, Mon
    sd = load_csv(write(text), freq="D")
    assert sd.freq == "D" and len(sd.frames[None]) == 5
    assert sd.report == ["filled 2 missing timestamps"]
    sd = load_csv(write(text), freq="B")
    assert sd.freq == "B" and len(sd.frames[None]) == 3 and sd.report == []
    assert message(write(text), freq="MS") == (
        "data.csv, line 2: timestamp 2020-01-02 in column 'date' is not on the monthly grid "
        "'MS'; check freq= or the dates"
    )
    assert message(write(text), freq="fortnightly") == (
        "data.csv: freq='fortnightly' is not a pandas frequency alias "
        "(e.g. 'h', '30min', 'D', 'B', 'W-SAT', 'MS', 'QS', 'YS')"
    )
    assert message(write(text), freq="s") == (
        "data.csv: frequency 's' would make more than 100 times as many rows as the 3 given; "
        "check freq="
    )


def test_inferred_frequency_with_gaps(write):
    text = "date,y\n2020-01-01,1\n2020-03-01,3\n2020-04-01,4\n2020-06-01,6\n2020-07-01,7\n"
    sd = load_csv(write(text))
    assert sd.freq == "MS" and sd.report == ["filled 2 missing timestamps"]
    text = "date,y\n2021-01-01,1\n2021-04-01,2\n2021-10-01,4\n2022-01-01,5\n"
    assert load_csv(write(text)).freq == "QS-JAN"
    text = "date,y\n2021-04-01,1\n2021-07-01,2\n2022-01-01,4\n2022-04-01,5\n"
    assert load_csv(write(text)).freq == "QS-JAN"  # QS-APR is the same grid


@pytest.mark.parametrize(
    ("day", "freq", "oracle"),
    [(15, "MS", "MS"), (10, "QS", "QS-JAN"), (28, "YS", "YS-JAN"), (15, "2MS", "2MS")],
)
def test_dates_on_one_day_of_the_month_are_read_as_their_months(write, day, freq, oracle):
    starts = pd.date_range("2019-01-01", periods=9, freq=freq)
    dated = starts + pd.Timedelta(day - 1, "D")  # the oracle: the same day of each period
    text = "date,y\n" + "".join(f"{d:%Y-%m-%d},{i}\n" for i, d in enumerate(dated))
    sd = load_csv(write(text))
    assert sd.freq == oracle
    pd.testing.assert_index_equal(
        sd.frames[None].index, pd.DatetimeIndex(starts, name="date", freq=oracle)
    )
    assert sd.frames[None]["y"].tolist() == list(range(9))
    assert sd.report == [
        f"moved the dates in 'date', on day {day} of their month, to the 1st (pandas has no "
        "frequency for mid-month dates); forecasts are dated the 1st too"
    ]
    assert load_csv(write(text), freq=freq).freq == oracle  # given, the same


def test_mid_month_dates_in_a_panel_with_gaps_and_day_one_series(write):
    rows = ["id,date,y"]
    rows += [f"a,2020-{m:02d}-15,{m}" for m in (1, 2, 4, 5, 6)]  # March missing
    rows += [f"b,2020-{m:02d}-01,{m}" for m in range(1, 7)]
    sd = load_csv(write("\n".join(rows) + "\n"), id_col="id", gaps="ffill")
    assert sd.freq == "MS"
    assert sd.frames["a"]["y"].tolist() == [1, 2, 2, 4, 5, 6]
    assert sd.frames["a"].index.equals(sd.frames["b"].index)
    assert sd.report[0] == (
        "moved the dates in 'date' of 1 series, on day 15 of their month, to the 1st (pandas "
        "has no frequency for mid-month dates); forecasts are dated the 1st too"
    )


def test_dates_on_changing_days_stay_irregular(write):
    text = "date,y\n2020-01-15,1\n2020-02-14,2\n2020-03-15,3\n2020-04-15,4\n"
    assert message(write(text)).startswith(
        "data.csv: cannot infer the frequency of column 'date' (irregular steps"
    )
    text = "date,y\n2020-01-15 10:00,1\n2020-02-15 10:00,2\n2020-03-15 10:00,3\n"
    assert "cannot infer the frequency" in message(write(text))


# ----------------------------------------------------------------------------- bad input


def test_missing_file(write):
    assert message("nope.csv") == "nope.csv: file not found; check the path"


def test_empty_file(write):
    assert message(write("")) == (
        "data.csv: the file is empty; expected a header line and data rows"
    )
    assert message(write("\n\n")) == (
        "data.csv: the file is empty; expected a header line and data rows"
    )


def test_header_only(write):
    assert message(write("date,y\n")) == (
        "data.csv: no data rows after the header (line 1); add rows below it"
    )


def test_the_dates_named_as_the_id_column(write):
    text = "date,store,y\n2020-01-01,a,1\n2020-02-01,a,2\n"
    assert message(write(text), id_col="date") == (
        "data.csv: id column 'date' holds the dates: it is the time column; give id_col= the "
        "column of series ids (or none for one series)"
    )
    assert load_csv(write(text), id_col="store").id_col == "store"


def test_no_time_column(write):
    assert message(write("a,b\n1,2\n3,4\n")) == (
        "data.csv: no time column found (none of a, b is named like a date or holds dates); "
        "name it with time_col="
    )
    assert message(write("a,b\n1,2\n3,4\n"), time_col="date") == (
        "data.csv: time column 'date' not found; available columns: a, b"
    )
    assert message(write("t,y\n1,2\n3,4\n"), time_col="t") == (
        "data.csv, line 2: column 't' holds numbers (1), not dates; write dates such as "
        "2020-01-31, or name the time column with time_col="
    )


def test_unparseable_date(write):
    text = "date,y\n2020-01-01,1\n2020-01-02,2\n2020-01-03,3\nfoo,4\n"
    assert message(write(text)) == (
        "data.csv, line 5: cannot parse 'foo' as a date in column 'date'; fix the value or "
        "use one date format (e.g. 2020-01-31 or 2020-01-31 13:00)"
    )
    text = "date,y\n2020-01-01,1\n,2\n2020-01-03,3\n"
    assert message(write(text)) == (
        "data.csv, line 3: empty date in column 'date'; fill it in or delete the row"
    )


@pytest.mark.parametrize(
    "start, periods, freq, fmt",
    [
        ("2015-01-01", 48, "MS", "%d/%m/%Y"),  # monthly, day first: every day field 01
        ("2015-01-01", 48, "MS", "%m/%d/%Y"),  # the same, month first
        ("2015-01-01", 100, "D", "%d.%m.%Y"),
        ("2015-01-01", 100, "D", "%m/%d/%Y"),
        ("2015-01-02", 72, "h", "%d/%m/%Y %H:%M"),  # three days: both fields within 12
        ("2015-01-02", 72, "h", "%m/%d/%Y %H:%M"),
        ("2015-03-01", 30, "MS", "%d-%m-%y"),
        ("2015-01-01", 12, "YS", "%d/%m/%Y"),  # 01/01/…: the same either way
    ],
)
def test_numeric_dates_in_either_order(write, start, periods, freq, fmt):
    """Day/month or month/day: the order whose dates lie on the smaller grid (or the only one
    that parses), never a day-first monthly file read as a gappy daily series."""
    index = pd.date_range(start, periods=periods, freq=freq, name="date")
    frame = pd.DataFrame({"date": index.strftime(fmt), "y": np.arange(periods, dtype=float)})
    sd = load_csv(write(frame.to_csv(index=False)))
    assert_invariants(sd)
    assert sd.frames[None].index.equals(index) and sd.report == []


@pytest.mark.parametrize("fmt", ["%b-%y", "%b %y", "%b %Y", "%Y-%m", "%m/%Y"])
def test_month_formats(write, fmt):
    """Spreadsheets' month labels (Excel's mmm-yy: Jan-18) are months, not days of this year."""
    index = pd.date_range("2018-11-01", periods=30, freq="MS", name="month")
    frame = pd.DataFrame({"month": index.strftime(fmt), "y": np.arange(30.0)})
    sd = load_csv(write(frame.to_csv(index=False)))
    assert sd.frames[None].index.equals(index) and sd.freq == "MS"


def test_numeric_dates_day_first_with_a_bad_value(write):
    text = "date,y\n12/01/2020,1\n13/01/2020,2\nfoo,3\n15/01/2020,4\n"
    assert message(write(text)) == (
        "data.csv, line 4: cannot parse 'foo' as a date in column 'date'; fix the value or "
        "use one date format (e.g. 2020-01-31 or 2020-01-31 13:00)"
    )
    text = "date,y\n12/01/2020,1\n13/01/2020,2\n01/14/2020,3\n"  # both orders: read month first
    assert message(write(text)) == (
        "data.csv, line 3: cannot parse '13/01/2020' as a date in column 'date'; fix the value "
        "or use one date format (e.g. 2020-01-31 or 2020-01-31 13:00)"
    )


def test_duplicate_timestamps(write):
    text = "date,y\n2020-01-01,1\n2020-01-02,2\n2020-01-02,3\n2020-01-03,4\n"
    assert message(write(text)) == (
        "data.csv, line 4: duplicate timestamp 2020-01-02 in column 'date' (also on line 3); "
        "remove or aggregate the duplicates"
    )
    text = "date,store,y\n2020-01-01,a,1\n2020-01-01,b,2\n"
    assert message(write(text)) == (
        "data.csv, line 3: duplicate timestamp 2020-01-01 in column 'date' (also on line 2); "
        "remove or aggregate the duplicates; "
        "if the file holds several series, name their id column with id_col="
    )


def test_target_missing(write):
    text = "date,a,b,c\n2020-01-01,1,2,3\n2020-01-02,1,2,3\n"
    assert message(write(text), target="z") == (
        "data.csv: target column 'z' not found; available columns: date, a, b, c"
    )
    assert message(write(text), target="a", covariates=["q"]) == (
        "data.csv: covariate column 'q' not found; available columns: date, a, b, c"
    )
    assert message(write(text)) == (
        "data.csv: 3 numeric columns (a, b, c); choose the target with target="
    )
    assert message(write(text), target="a", covariates=["a"]) == (
        "data.csv: column 'a' is both a target and a covariate; remove it from covariates="
    )
    assert message(write(text), target="date") == (
        "data.csv: column 'date' is the time column; choose another target="
    )


def test_target_not_numeric(write):
    text = "date,y\n2020-01-01,1\n2020-01-02,abc\n2020-01-03,3\n"
    expected = (
        "data.csv, line 3: cannot parse 'abc' as a number in column 'y'; "
        "fix the value or leave the field empty for a gap"
    )
    assert message(write(text)) == expected
    assert message(write(text), target="y") == expected
    assert message(write("date,label\n2020-01-01,sun\n2020-01-02,rain\n")) == (
        "data.csv: no numeric column to forecast (other columns: label); "
        "check the delimiter or choose the target with target="
    )


def test_all_nan_target(write):
    assert message(write("date,y\n2020-01-01,\n2020-01-02,\n2020-01-03,\n")) == (
        "data.csv: column 'y' has no values (all empty); choose another target="
    )
    text = "date,y,x\n2020-01-01,1,\n2020-01-02,2,\n"
    assert message(write(text), target="y", covariates="x") == (
        "data.csv: column 'x' has no values (all empty); remove it from covariates="
    )


def test_infinite_values(write):
    for token in ("inf", "-Infinity"):
        text = f"date,y\n2020-01-01,1\n2020-01-02,{token}\n2020-01-03,3\n"
        assert message(write(text)) == (
            "data.csv, line 3: infinite value in column 'y'; "
            "replace it with a number or leave the field empty for a gap"
        )


def test_frequency_cannot_be_inferred(write):
    text = (
        "date,y\n2020-01-01 00:00,1\n2020-01-01 00:07,2\n2020-01-01 00:19,3\n2020-01-01 01:02,4\n"
    )
    assert message(write(text)) == (
        "data.csv: cannot infer the frequency of column 'date' (irregular steps; most common: "
        "00:07:00, 00:12:00, 00:43:00); give it with freq= (e.g. 'h', 'D', 'W-SAT', 'MS', "
        "'QS', 'YS')"
    )
    assert message(write("date,y\n2020-01-01,1\n")) == (
        "data.csv: cannot infer the frequency of column 'date' from 1 row; give it with "
        "freq= (e.g. 'h', 'D', 'W-SAT', 'MS', 'QS', 'YS')"
    )


def test_mixed_time_zones(write):
    # offsets that change within an hour of each other: in UTC the same instant twice
    text = "date,y\n2020-01-01 00:00+01:00,1\n2020-01-01 01:00+01:00,2\n2020-01-01 02:00+02:00,3\n"
    assert message(write(text)) == (
        "data.csv, line 4: duplicate timestamp 2020-01-01 00:00:00+00:00 in column 'date' "
        "(also on line 3); remove or aggregate the duplicates"
    )
    # some values with an offset, some without: which zone the others are in is a guess
    text = "date,y\n2020-01-01 00:00+01:00,1\n2020-01-01 01:00,2\n2020-01-01 02:00+01:00,3\n"
    assert message(write(text)) == (
        "data.csv, line 3: mixed time zones in column 'date' ('2020-01-01 01:00' has "
        "another UTC offset than '2020-01-01 00:00+01:00' on line 2); "
        "convert them to one zone (e.g. UTC) first"
    )


def test_ragged_row(write):
    text = "date,y\n2020-01-01,1\n2020-01-02,1,234\n2020-01-03,3\n"
    assert message(write(text)) == (
        "data.csv, line 3: expected 2 fields, saw 3; quote values that contain the delimiter ','"
    )


def test_too_short_series(write):
    sd = load_csv(write("date,y\n" + "".join(f"2020-{m:02d}-01,{m}\n" for m in range(1, 13))))
    assert check_length(sd, 6, 3) == 12
    with pytest.raises(DataError) as info:
        check_length(sd, 12, 6)
    assert str(info.value) == (
        "data.csv: the series has 12 rows but lookback 12 + horizon 6 needs at least 18; "
        "use a shorter lookback= or horizon="
    )
    long = load_csv(write(LONG), id_col="unique_id", target="y")
    with pytest.raises(DataError) as info:
        check_length(long, 2, 1, extra=1)
    assert str(info.value) == (
        "data.csv: series 'c' has 3 rows but lookback 2 + horizon 1 + 1 held-out row needs at "
        "least 4; use a shorter lookback= or horizon="
    )
    with pytest.raises(DataError) as info:
        check_length(20, 24, 12, source="x.csv")
    assert str(info.value) == (
        "x.csv: the series has 20 rows but lookback 24 + horizon 12 needs at least 36; "
        "use a shorter lookback= or horizon="
    )


# ----------------------------------------------------------------------------- DataFrames


def test_validate_frame_with_datetime_index_does_not_modify_input():
    index = pd.date_range("2024-03-30", periods=48, freq="h", tz="Europe/Berlin", name="ts")
    df = pd.DataFrame({"y": np.arange(48.0), "x": np.ones(48)}, index=index)
    before = df.copy()
    sd = validate_frame(df, target="y", covariates="x")
    pd.testing.assert_frame_equal(df, before)
    assert sd.time_col == "ts" and sd.freq == "h" and sd.source == "<DataFrame>"
    assert sd.frames[None].index.tz is not None
    assert_invariants(sd)


def test_validate_frame_messages_use_rows():
    df = pd.DataFrame({"date": pd.date_range("2020", periods=3, freq="D"), "y": [1, "x", 3]})
    with pytest.raises(DataError) as info:
        validate_frame(df, source="sales")
    assert str(info.value) == (
        "sales, row 1: cannot parse 'x' as a number in column 'y'; "
        "fix the value or leave the field empty for a gap"
    )


def test_validate_frame_period_index_and_future_index():
    df = pd.DataFrame({"y": [1.0, 2.0, 3.0]}, index=pd.period_range("2000Q1", periods=3, freq="Q"))
    sd = validate_frame(df)
    assert sd.freq == "QS-JAN" and sd.time_col == "time"
    assert sd.future_index(None, 2).tolist() == [
        pd.Timestamp("2000-10-01"),
        pd.Timestamp("2001-01-01"),
    ]


def test_copies_match_the_shared_data_if_present():
    shared = DATA.parents[2] / "shared" / "data"
    if not shared.is_dir():
        pytest.skip("shared/data is not beside the repository")
    for copy in sorted(DATA.glob("*.csv*")):
        name = copy.name.split("_head")[0].removesuffix(".csv") + ".csv"
        original = (shared / name).read_bytes()
        data = gzip.decompress(copy.read_bytes()) if copy.suffix == ".gz" else copy.read_bytes()
        if "_head" in copy.name:  # the first rows, byte for byte
            assert original.startswith(data) and data.endswith(b"\n"), copy.name
        else:
            assert data == original, copy.name


def test_a_column_of_numbers_with_a_typo_is_not_passed_over_for_the_target(write):
    rows = "".join(f"2020-{m:02d}-01,{100 + m},{20 - m}\n" for m in range(1, 13))
    typo = rows.replace(",105,", ",1o5,")
    # the other numeric column was taken silently: temperature forecast instead of sales
    assert message(write("date,sales,temp\n" + typo)) == (
        "data.csv: 2 numeric columns (sales, temp); choose the target with target="
    )
    assert message(write("date,sales,temp\n" + typo), target="sales") == (
        "data.csv, line 6: cannot parse '1o5' as a number in column 'sales'; fix the value "
        "or leave the field empty for a gap"
    )
    # a column of labels with a number among them is not a column of numbers
    labels = "".join(
        f"2020-{m:02d}-01,{'12' if m == 3 else 'north'},{100 + m}\n" for m in range(1, 13)
    )
    assert load_csv(write("date,region,y\n" + labels)).targets == ["y"]


@pytest.mark.parametrize("word", ["n.a.", "#N/A"])
def test_spreadsheet_words_for_missing_are_gaps(write, word):
    rows = "".join(f"2020-{m:02d}-01,{100 + m}\n" for m in range(1, 13))
    sd = load_csv(write("date,y\n" + rows.replace(",105", f",{word}")))
    assert 104 < sd.frames[None]["y"].iloc[4] < 106  # interpolated between its neighbours
    assert sd.report == ["filled 1 NaN value in 'y'"]


@pytest.mark.parametrize("fmt", ["%b-%y", "%m/%d/%y", "%d.%m.%y"])
@pytest.mark.parametrize("start", ["1965-01-01", "1990-01-01", "2015-01-01"])
def test_two_digit_years_are_read_in_the_past(write, fmt, start):
    # 70 was read as 2070 (pandas: within 50 years of today); a history lies in the past
    expected = pd.date_range(start, periods=240 if start == "1965-01-01" else 60, freq="MS")
    text = "".join(f"{t.strftime(fmt)},{k}\n" for k, t in enumerate(expected))
    sd = load_csv(write("date,y\n" + text))
    assert sd.frames[None].index.equals(pd.DatetimeIndex(expected, freq="MS", name="date"))
    moved = start == "1965-01-01"  # 65-76 were read in the 2060s and 2070s
    last = expected[-1].year
    assert sd.report == (
        [f"read the two-digit years of column 'date' as {expected[0].year}–{last}"] if moved else []
    )
