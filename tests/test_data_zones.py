"""Local times whose UTC offsets change (daylight saving time): read in UTC or as local
dates (forecast.data.zones), checked against pandas' own zone conversion."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forecast.data import load_csv
from forecast.errors import DataError


def _offsets(index: pd.DatetimeIndex, fmt: str = "%Y-%m-%d %H:%M%z") -> pd.Index:
    """``index`` (zone-aware) as local times with their offsets, ``+01:00`` style."""
    return index.strftime(fmt).str.replace(r"([+-]\d\d)(\d\d)$", r"\1:\2", regex=True)


@pytest.mark.parametrize(
    ("start", "end"), [("2020-10-20", "2020-10-30"), ("2020-03-25", "2020-04-02")]
)
def test_hourly_local_times_across_a_change_are_read_in_utc(tmp_path, start, end):
    # autumn repeats 02:00 local, spring skips it: in UTC both are regular hours
    local = pd.date_range(start, end, freq="h", tz="Europe/Berlin")
    values = np.arange(len(local), dtype=float)
    path = tmp_path / "load.csv"
    pd.DataFrame({"time": _offsets(local), "load": values}).to_csv(path, index=False)
    data = load_csv(path)
    frame = data.frames[None]
    expected = local.tz_convert("UTC")
    assert frame.index.equals(pd.DatetimeIndex(expected, freq="h", name="time"))
    np.testing.assert_array_equal(frame["load"].to_numpy(), values)  # nothing filled
    assert data.report == [
        "read column 'time' in UTC (its times carry several UTC offsets: "
        + ", ".join(pd.unique(_offsets(local, "%z").str[-6:]))
        + ")"
    ]


def test_daily_local_dates_keep_their_dates(tmp_path):
    # local midnight: in UTC the days around the change would be 23 and 25 hours long
    local = pd.date_range("2020-03-01", "2020-05-30", freq="D", tz="Europe/Berlin")
    path = tmp_path / "sales.csv"
    text = _offsets(local, "%Y-%m-%dT%H:%M:%S%z")
    pd.DataFrame({"date": text, "sales": np.arange(len(local)) % 7}).to_csv(path, index=False)
    data = load_csv(path)
    expected = pd.date_range("2020-03-01", "2020-05-30", freq="D", name="date")
    assert data.frames[None].index.equals(expected)
    assert data.report == [
        "read column 'date' as local dates (its times carry several UTC offsets: +01:00, +02:00)"
    ]


def test_a_panel_in_two_zones_is_read_in_utc(tmp_path):
    parts, expected = [], {}
    for name, zone in (("berlin", "Europe/Berlin"), ("london", "Europe/London")):
        local = pd.date_range("2020-10-20", "2020-10-30", freq="h", tz=zone)
        parts.append(pd.DataFrame({"unique_id": name, "time": _offsets(local), "y": 1.0}))
        expected[name] = local.tz_convert("UTC")
    path = tmp_path / "panel.csv"
    pd.concat(parts).to_csv(path, index=False)
    data = load_csv(path)
    for name, index in expected.items():
        assert data.frames[name].index.equals(pd.DatetimeIndex(index, freq="h", name="time"))
    assert data.report[0].startswith("read column 'time' in UTC (its times carry several")


def test_one_offset_is_kept_as_it_is(tmp_path):
    path = tmp_path / "data.csv"
    path.write_text("date,y\n2020-01-01 00:00+01:00,1\n2020-01-01 01:00+01:00,2\n")
    data = load_csv(path, freq="h")
    assert str(data.frames[None].index.tz) == "UTC+01:00"
    assert data.report == []


def test_local_times_without_offsets_name_the_repeated_hour(tmp_path):
    local = pd.date_range("2020-10-24", "2020-10-26", freq="h", tz="Europe/Berlin")
    path = tmp_path / "load.csv"
    times = local.tz_localize(None).strftime("%Y-%m-%d %H:%M")
    pd.DataFrame({"time": times, "load": 1.0}).to_csv(path, index=False)
    with pytest.raises(DataError) as info:
        load_csv(path)
    line = 2 + int(np.flatnonzero(times.duplicated())[0])
    assert str(info.value) == (
        f"{path}, line {line}: duplicate timestamp 2020-10-25 02:00:00 in column 'time' "
        f"(also on line {line - 1}); remove or aggregate the duplicates; if these are local "
        "times where daylight saving time ends, write them in UTC or with their UTC offsets "
        "(02:00+02:00, then 02:00+01:00)"
    )


def test_fit_and_predict_in_utc_from_the_command_line(tmp_path):
    from click.testing import CliRunner

    from forecast.cli import main

    local = pd.date_range("2020-10-20", "2020-10-30", freq="h", tz="Europe/Berlin")
    values = 10 + np.sin(np.arange(len(local)) * 2 * np.pi / 24)
    data = tmp_path / "load.csv"
    pd.DataFrame({"time": _offsets(local), "load": values}).to_csv(data, index=False)
    model, out = tmp_path / "model", tmp_path / "forecast.csv"
    runner = CliRunner()
    fit = runner.invoke(
        main, ["fit", str(data), "--model", "seasonal-naive", "--model-dir", str(model)]
    )
    assert fit.exit_code == 0, fit.output
    assert "Note: read column 'time' in UTC (its times carry several UTC offsets" in fit.output
    predicted = runner.invoke(main, ["predict", "--model-dir", str(model), "--output", str(out)])
    assert predicted.exit_code == 0, predicted.output
    times = pd.to_datetime(pd.read_csv(out)["time"])
    last = local[-1].tz_convert("UTC")
    expected = pd.date_range(last + pd.Timedelta(hours=1), periods=24, freq="h", name="time")
    assert pd.DatetimeIndex(times).equals(expected)
