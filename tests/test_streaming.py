"""Streaming windows (forecast.streaming, forecast.tfdata.window_dataset) and Parquet input.

The streamed batches must be exactly those of the materialised path (window arrays cut
with ``make_windows``, stacked over series, batched and shuffled by ``make_dataset``):
the networks then train on the same numbers in the same order.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from forecast.data import load_csv, load_data, load_parquet
from forecast.errors import DataError
from forecast.streaming import stack_rows, windows
from forecast.windowing import make_windows

LOOKBACK, HORIZON, COLUMNS, CALENDAR = 4, 3, 2, 2


def _panel():
    """Three series of different lengths whose values are their global row numbers."""
    frames, start = {}, 0
    for key, n in (("a", 20), ("b", 13), ("c", 31)):
        values = np.arange(start, start + n * COLUMNS, dtype=float).reshape(n, COLUMNS)
        index = pd.date_range("2024-01-01", periods=n, freq="D")
        frames[key] = pd.DataFrame(values, index=index, columns=["y", "x"])
        start += 1000
    return frames


def _calendar(frame):
    """A fake calendar of two columns ``(T + horizon, 2)``: -row and -row/2."""
    t = np.arange(len(frame) + HORIZON, dtype=float)
    return np.stack([-t, -t / 2], axis=1)


def _rows(frames):
    rows = stack_rows(frames, lambda key, f: f.to_numpy(), lookback=LOOKBACK, horizon=HORIZON)
    # put the fake calendar in: the layout is [values | calendar] per row
    cal = np.concatenate([_calendar(f) for f in frames.values()]).astype("float32")
    values = np.concatenate([rows.values, cal], axis=1)
    return type(rows)(values, rows.offsets, rows.lengths, COLUMNS, LOOKBACK, HORIZON)


def _materialised(frames, origins, label_width):
    """The windows cut by hand with make_windows (the former path): past, future, labels."""
    past, future, labels = [], [], []
    for key, frame in frames.items():
        values = frame.to_numpy().astype("float32")
        padded = np.concatenate([values, np.full((HORIZON, COLUMNS), np.nan, "float32")])
        cal = _calendar(frame).astype("float32")
        x, y = make_windows(np.concatenate([padded, cal], axis=1), padded, LOOKBACK, HORIZON)
        _, f = make_windows(cal, cal, LOOKBACK, HORIZON)
        rows = np.asarray(origins[key]) - LOOKBACK
        past.append(x[rows])
        future.append(f[rows])
        labels.append(y[rows][..., :label_width])
    return [np.concatenate(p) for p in (past, future, labels)]


def _origins(frames):
    return {key: list(range(LOOKBACK, len(f) - HORIZON + 1)) for key, f in frames.items()}


def test_rows_are_contiguous_and_padded():
    frames = _panel()
    rows = stack_rows(frames, lambda key, f: f.to_numpy(), lookback=LOOKBACK, horizon=HORIZON)
    assert rows.values.dtype == np.float32 and rows.values.flags.c_contiguous
    assert rows.values.shape == (20 + 13 + 31 + 3 * HORIZON, COLUMNS)
    assert rows.offsets == {"a": 0, "b": 23, "c": 39}
    assert np.isnan(rows.values[20:23]).all() and rows.values[23, 0] == 1000


def test_windows_are_those_of_make_windows():
    frames = _panel()
    rows, origins = _rows(frames), _origins(frames)
    past, future, labels = _materialised(frames, origins, label_width=1)
    (got_past, got_future), got_labels = windows(rows, rows.starts(origins), label_width=1)
    np.testing.assert_array_equal(got_past, past)
    np.testing.assert_array_equal(got_future, future)
    np.testing.assert_array_equal(got_labels, labels)
    assert got_past[0, :, 0].tolist() == [0, 2, 4, 6]
    assert got_labels[0, :, 0].tolist() == [8, 10, 12]


def test_the_forecast_window_reads_the_padding():
    frames = _panel()
    rows = _rows(frames)
    (past, future), labels = windows(rows, rows.starts({"b": [13]}), label_width=2)
    assert past[0, :, 0].tolist() == [1000 + 2 * r for r in range(9, 13)]
    assert np.isnan(labels).all() and future[0, :, 0].tolist() == [-13, -14, -15]


@pytest.mark.parametrize("shuffle", [False, True])
def test_streamed_batches_are_the_materialised_ones(shuffle):
    pytest.importorskip("tensorflow")
    from forecast.tfdata import make_dataset, window_dataset

    frames = _panel()
    rows, origins = _rows(frames), _origins(frames)
    past, future, labels = _materialised(frames, origins, label_width=COLUMNS)
    before = make_dataset((past, future), labels, batch_size=8, shuffle=shuffle, seed=3)
    now = window_dataset(
        rows, rows.starts(origins), batch_size=8, label_width=COLUMNS, shuffle=shuffle, seed=3
    )
    for _ in range(2):  # two epochs: each draws a new order, the same in both
        a, b = list(before.as_numpy_iterator()), list(now.as_numpy_iterator())
        assert len(a) == len(b) == -(-len(labels) // 8)
        for (xa, ya), (xb, yb) in zip(a, b, strict=True):
            np.testing.assert_array_equal(xa[0], xb[0])
            np.testing.assert_array_equal(xa[1], xb[1])
            np.testing.assert_array_equal(ya, yb)


def test_prediction_elements_are_inputs_only():
    pytest.importorskip("tensorflow")
    from forecast.tfdata import window_dataset

    frames = _panel()
    rows = stack_rows(frames, lambda key, f: f.to_numpy(), lookback=LOOKBACK, horizon=HORIZON)
    ds = window_dataset(rows, rows.starts({k: [len(f)] for k, f in frames.items()}), batch_size=2)
    batches = list(ds.as_numpy_iterator())
    assert [len(b) for b in batches] == [1, 1] and batches[0][0].shape == (2, LOOKBACK, COLUMNS)


def test_origins_outside_the_series_are_refused():
    rows = stack_rows(_panel(), lambda key, f: f.to_numpy(), lookback=LOOKBACK, horizon=HORIZON)
    with pytest.raises(ValueError, match=r"series 'b': origins must lie in 4..13"):
        rows.starts({"b": [3]})
    with pytest.raises(ValueError, match="origins must lie"):
        rows.starts({"a": [21]})


def test_the_network_trains_on_the_stream(monthly):
    """The neural model's own rows: its inputs are the streamed windows of its series."""
    pytest.importorskip("tensorflow")
    from forecast import Forecaster

    fc = Forecaster(model="lstm", horizon=3, lookback=12, units=4, epochs=1, ensemble=1)
    fc.fit(monthly)
    frame = fc.history_[None]
    rows = fc.model_.rows({None: frame})
    assert rows.values.shape == (len(frame) + 3, 1 + len(fc.calendar_))
    (past, future), _ = fc.model_.inputs(frame, origins=[len(frame)])
    assert past.shape == (1, 12, 1 + len(fc.calendar_)) and future.shape == (1, 3, 2)
    assert fc.training_["train_windows"] + fc.training_["val_windows"] < len(frame)


def test_the_network_forecasts_what_keras_predict_gives(monthly, monkeypatch):
    """``predict_scaled`` runs the network outside ``model.predict`` (its set-up costs a
    fit's validation forecasts time): the same numbers to the bit, a short last batch too."""
    pytest.importorskip("tensorflow")
    from forecast import Forecaster, training
    from forecast.tfdata import window_dataset

    fc = Forecaster(
        model="lstm", horizon=3, lookback=12, units=4, epochs=2, ensemble=2, seed=3, combine="none"
    ).fit(monthly)
    frame, network = fc.history_[None], fc.model_.network_
    rows = fc.model_.rows({None: frame})
    starts = rows.starts({None: list(range(12, len(frame) + 1))})
    monkeypatch.setattr(training, "PREDICT_BATCH", 8)
    assert len(starts) % 8  # the last batch is short
    ours = training.predict_scaled(network, rows, starts)
    theirs = network.predict(window_dataset(rows, starts, batch_size=8), verbose=0)
    assert ours.shape == (len(starts), 2, 3, 1)
    np.testing.assert_array_equal(ours, theirs)


# ----------------------------------------------------------------------------- Parquet


def _long_panel() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    parts = []
    for i, level in enumerate((1.0, 100.0, 10_000.0)):
        n = 40 + 5 * i
        dates = pd.date_range("2023-01-01", periods=n, freq="D")
        y = level * (1 + 0.1 * rng.standard_normal(n).cumsum() / 10)
        parts.append(pd.DataFrame({"unique_id": f"s{i}", "ds": dates, "y": y}))
    return pd.concat(parts, ignore_index=True)


def _same(a, b):
    assert list(a.frames) == list(b.frames)
    for key in a.frames:
        pd.testing.assert_frame_equal(a.frames[key], b.frames[key])
    assert (a.time_col, a.id_col, a.targets, a.covariates, a.freq, a.report) == (
        b.time_col,
        b.id_col,
        b.targets,
        b.covariates,
        b.freq,
        b.report,
    )


def test_a_parquet_panel_loads_as_its_csv(tmp_path):
    df = _long_panel()
    df.to_csv(tmp_path / "panel.csv", index=False)
    df.to_parquet(tmp_path / "panel.parquet", index=False)
    from_csv = load_csv(tmp_path / "panel.csv")
    from_parquet = load_parquet(tmp_path / "panel.parquet")
    _same(from_csv, from_parquet)
    assert from_parquet.id_col == "unique_id" and list(from_parquet.frames) == ["s0", "s1", "s2"]
    _same(load_data(tmp_path / "panel.parquet"), from_csv)
    _same(load_data(tmp_path / "panel.csv"), from_csv)


def test_parquet_with_an_index_and_integer_ids(tmp_path):
    df = _long_panel().assign(unique_id=lambda d: d["unique_id"].str[1:].astype(int))
    df.set_index(["unique_id", "ds"]).to_parquet(tmp_path / "indexed.pq")
    sd = load_data(tmp_path / "indexed.pq")
    assert list(sd.frames) == ["0", "1", "2"] and sd.freq == "D"
    wide = _long_panel().query("unique_id == 's0'").set_index("ds")[["y"]]
    wide.to_parquet(tmp_path / "wide.parquet")
    assert load_data(tmp_path / "wide.parquet").frames[None].index.name == "ds"


def test_parquet_gets_the_same_validation(tmp_path):
    df = _long_panel()
    df.loc[3, "ds"] = df.loc[2, "ds"]
    df.to_parquet(tmp_path / "dup.parquet", index=False)
    with pytest.raises(DataError, match=r"^.*dup\.parquet, series 's0', row 4: .*"):
        load_data(tmp_path / "dup.parquet", strict=True)
    lenient = load_data(tmp_path / "dup.parquet")
    assert "s0" not in lenient.frames and "s0', row 4: duplicate" in lenient.report[0]
    (tmp_path / "bad.parquet").write_text("date,y\n2020-01-01,1\n")
    with pytest.raises(DataError, match=r"bad\.parquet: cannot read the file .*Parquet file"):
        load_data(tmp_path / "bad.parquet")


def test_the_cli_fits_and_predicts_from_parquet(tmp_path):
    from forecast.cli import main

    _long_panel().to_parquet(tmp_path / "panel.parquet", index=False)
    args = ["--model", "seasonal-naive", "--horizon", "3", "--quiet"]
    fit = ["fit", str(tmp_path / "panel.parquet"), "--model-dir", str(tmp_path / "m"), *args]
    result = CliRunner().invoke(main, fit, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    predict = ["predict", "--model-dir", str(tmp_path / "m")]
    result = CliRunner().invoke(main, [*predict, "--data", str(tmp_path / "panel.parquet")])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(pd.io.common.StringIO(result.stdout))
    assert len(table) == 9 and set(table["unique_id"]) == {"s0", "s1", "s2"}
