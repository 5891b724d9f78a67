"""A problem of one series of a panel is that series' problem: it is left out and named,
the others load as if it had not been there; ``strict=True`` makes it the panel's error.

The oracle for the series kept is the same file without the bad series' rows.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from forecast.data import load_csv
from forecast.errors import DataError


def panel_rows(ids="abc", periods=30) -> list[list[str]]:
    days = pd.date_range("2020-01-01", periods=periods, freq="D").strftime("%Y-%m-%d")
    return [[i, d, f"{10 * n + k}"] for n, i in enumerate(ids) for k, d in enumerate(days)]


def write(path: Path, rows: list[list[str]]) -> str:
    path.write_text("unique_id,ds,y\n" + "".join(",".join(r) + "\n" for r in rows))
    return str(path)


def spoil_value(rows, value):
    rows[70][2] = value  # series 'c', line 72
    return rows


def spoil_date(rows, value):
    rows[70][1] = value
    return rows


def duplicate(rows):
    rows[70][1] = rows[69][1]
    return rows


def empty_target(rows):
    for r in rows[60:]:
        r[2] = ""
    return rows


def monthly(rows):
    months = pd.date_range("2020-01-01", periods=30, freq="MS").strftime("%Y-%m-%d")
    for r, m in zip(rows[60:], months, strict=True):
        r[1] = m
    return rows


def gap(rows):
    del rows[70]
    return rows


CASES = {
    "number": (
        lambda rows: spoil_value(rows, "abc"),
        {},
        "line 72: cannot parse 'abc' as a number in column 'y'; fix the value or leave the "
        "field empty for a gap",
    ),
    "date": (
        lambda rows: spoil_date(rows, "2020-13-45"),
        {},
        "line 72: cannot parse '2020-13-45' as a date in column 'ds'; fix the value or use one "
        "date format (e.g. 2020-01-31 or 2020-01-31 13:00)",
    ),
    "empty date": (
        lambda rows: spoil_date(rows, ""),
        {},
        "line 72: empty date in column 'ds'; fill it in or delete the row",
    ),
    "infinite": (
        lambda rows: spoil_value(rows, "inf"),
        {},
        "series 'c', line 72: infinite value in column 'y'; replace it with a number or leave "
        "the field empty for a gap",
    ),
    "duplicate": (
        duplicate,
        {},
        "series 'c', line 72: duplicate timestamp 2020-01-10 in column 'ds' (also on line 71); "
        "remove or aggregate the duplicates",
    ),
    "no values": (
        empty_target,
        {},
        "series 'c': column 'y' has no values (all empty); choose another target=",
    ),
    "frequency": (
        monthly,
        {},
        "series 'c': monthly ('MS') unlike 2 of 3 series, which are daily ('D'); give one "
        "freq= or split the file",
    ),
    "gap": (
        gap,
        {"gaps": "error"},
        "series 'c': 1 missing timestamp in column 'ds' (first 2020-01-11, after line 71); "
        "fill them with gaps='interpolate' or gaps='ffill'",
    ),
}


STRICT = {  # where the panel's error is not the series' own
    "frequency": "panel.csv: series 'a' is daily ('D') but series 'c' is monthly ('MS'); give "
    "one freq= or split the file",
}


@pytest.mark.parametrize("case", CASES)
def test_one_bad_series_is_left_out(tmp_path, monkeypatch, case):
    monkeypatch.chdir(tmp_path)
    spoil, options, why = CASES[case]
    bad = write(Path("panel.csv"), spoil(panel_rows()))
    sd = load_csv(bad, id_col="unique_id", **options)
    good = load_csv(write(Path("good.csv"), panel_rows("ab")), id_col="unique_id", **options)
    assert list(sd.frames) == ["a", "b"] and sd.freq == good.freq == "D"
    for key in "ab":
        pd.testing.assert_frame_equal(sd.frames[key], good.frames[key])
    assert sd.report == [f"left out series 'c': panel.csv, {why}"]
    with pytest.raises(DataError) as info:
        load_csv(bad, id_col="unique_id", strict=True, **options)
    assert str(info.value) == STRICT.get(case, f"panel.csv, {why}")


def test_several_bad_series_each_named(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    rows = panel_rows("abcd")
    rows[5][2] = "x"  # 'a', line 7
    rows[95][1] = "?"  # 'd', line 97
    sd = load_csv(write(Path("panel.csv"), rows), id_col="unique_id")
    assert list(sd.frames) == ["b", "c"]
    assert sd.report == [  # in the order found: the dates are read before the values
        "left out series 'd': panel.csv, line 97: cannot parse '?' as a date in column 'ds'; "
        "fix the value or use one date format (e.g. 2020-01-31 or 2020-01-31 13:00)",
        "left out series 'a': panel.csv, line 7: cannot parse 'x' as a number in column 'y'; "
        "fix the value or leave the field empty for a gap",
    ]


def test_what_is_not_one_series_problem_stays_an_error(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    rows = panel_rows("ab")
    rows[5][2], rows[35][2] = "x", "y"  # every series
    with pytest.raises(DataError, match="^panel.csv, line 7: cannot parse 'x'"):
        load_csv(write(Path("panel.csv"), rows), id_col="unique_id")
    with pytest.raises(DataError, match="^panel.csv: target column 'z' not found"):
        load_csv(write(Path("panel.csv"), panel_rows()), id_col="unique_id", target="z")
    rows = panel_rows("a")
    rows[5][2] = "x"  # one series, wide format: its problem is the file's
    text = "ds,y\n" + "".join(f"{d},{v}\n" for _, d, v in rows)
    Path("one.csv").write_text(text)
    with pytest.raises(DataError, match="^one.csv, line 7: cannot parse 'x'"):
        load_csv("one.csv")


def test_the_estimator_passes_strict_through():
    from forecast import Forecaster

    frame = pd.DataFrame(panel_rows(), columns=["unique_id", "ds", "y"])
    frame.loc[70, "y"] = "abc"  # series 'c', row 70 of the DataFrame
    fc = Forecaster(model="naive", horizon=2).fit(frame)
    assert list(fc.history_) == ["a", "b"]
    with pytest.raises(DataError, match="^<DataFrame>, row 70: cannot parse 'abc' as a number"):
        Forecaster(model="naive", horizon=2).fit(frame, strict=True)


def test_a_line_with_nothing_but_an_id_is_a_blank_line(tmp_path, monkeypatch):
    # a sheet's ids filled down onto blank lines: no row, and no problem of that series
    monkeypatch.chdir(tmp_path)
    rows = panel_rows()
    spoiled = rows[:40] + [["b", "", ""]] + rows[40:] + [["c", "", ""], ["d", "", ""]]
    sd = load_csv(write(Path("panel.csv"), spoiled), id_col="unique_id", strict=True)
    good = load_csv(write(Path("good.csv"), rows), id_col="unique_id")
    assert list(sd.frames) == ["a", "b", "c"] and sd.report == good.report == []
    for key in "abc":
        pd.testing.assert_frame_equal(sd.frames[key], good.frames[key])
    # an id with a date but no value is a gap of that series, as before (not a blank line)
    rows[45][2] = ""
    sd = load_csv(write(Path("gap.csv"), rows), id_col="unique_id")
    assert sd.report == ["series 'b': filled 1 NaN value in 'y'"]
