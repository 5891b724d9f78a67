"""Fitting one panel in parts (issue #15: each worker reads only its series): reading a
part of a CSV or Parquet file, quantiles of errors spread over workers, and a fit by
workers (threads here, exchanging through a :class:`forecast.pool.Pool` of their own)
that saves what the fit of the whole panel on one process saves."""

from __future__ import annotations

import threading

import numpy as np
import pandas as pd
import pytest
from conftest import seasonal_frame

from forecast import Forecaster, cluster
from forecast import pool as pooling
from forecast.data import load_data, parquet, validate_frame
from forecast.errors import DataError, TrainingError
from forecast.intervals import (
    cross_fitted_coverage,
    forward_levels,
    pooled_quantiles,
    quantile_grid,
)


class ThreadPool(pooling.Pool):
    """Workers as threads: every exchange waits for all of them (like a collective)."""

    def __init__(self, index, workers, board):
        self.index, self.workers, self.board = index, workers, board

    def _all(self, value) -> list:
        board = self.board
        board["slots"][self.index] = value
        board["barrier"].wait()
        values = list(board["slots"])
        board["barrier"].wait()  # nobody writes the next value before all have read
        return values

    def share(self, value):
        return self._all(value)

    def collect(self, value):
        values = self._all(value)
        return values if self.index == 0 else None

    def total(self, values):
        return sum(np.asarray(v) for v in self._all(values))


def run_workers(workers: int, work) -> list:
    """``work(pool)`` on ``workers`` threads, each with its pool active; their results."""
    board = {"slots": [None] * workers, "barrier": threading.Barrier(workers, timeout=60)}
    results, errors = [None] * workers, []

    def run(i):
        try:
            with pooling.use(ThreadPool(i, workers, board)):
                results[i] = work(pooling.active())
        except BaseException as exc:  # reported below, after every thread has stopped
            errors.append(exc)
            board["barrier"].abort()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return results


def _panel(lengths=(60, 80, 40, 9, 70), ids=None) -> pd.DataFrame:
    ids = ids or [f"s{i}" for i in range(len(lengths))]
    frames = []
    for i, (key, n) in enumerate(zip(ids, lengths, strict=True)):
        frame = seasonal_frame(n=n, seed=i, noise=3.0)
        frames.append(frame.assign(y=frame["y"] * (1 + i), id=key))
    return pd.concat(frames, ignore_index=True)


# -- reading a part --------------------------------------------------------------------


@pytest.mark.parametrize("suffix", ["csv", "parquet", "indexed.parquet"])
def test_each_worker_reads_its_series_and_every_id_in_order(tmp_path, suffix):
    frame = _panel(ids=["d", "b", "e", "a", "c"]).sample(frac=1, random_state=1)
    path = tmp_path / f"panel.{suffix}"
    if suffix == "indexed.parquet":  # pandas' index (id, date) stored with the table
        frame.set_index(["id", "date"]).to_parquet(path)
    else:
        getattr(frame, f"to_{suffix}")(path, index=False)
    whole = load_data(path, id_col="id")
    parts = [load_data(path, id_col="id", part=(i, 2)) for i in range(2)]
    # sorted ids a..e dealt round robin: a, c, e to worker 0; b, d to worker 1
    assert [sorted(p.frames) for p in parts] == [["a", "c", "e"], ["b", "d"]]
    for p in parts:
        assert p.part.ids == tuple(whole.frames)  # every id, in the data's order
        for key, series in p.frames.items():
            pd.testing.assert_frame_equal(series, whole.frames[key])
    assert whole.part is None


def test_a_parquet_part_reads_the_ids_whole_then_cuts_each_batch(tmp_path, monkeypatch):
    import pyarrow.parquet as pq

    _panel().to_parquet(tmp_path / "panel.parquet", index=False)
    calls = []
    real = pq.read_table

    def spy(path, **kwargs):
        table = real(path, **kwargs)
        calls.append((sorted(kwargs), table.num_rows, table.num_columns))
        return table

    whole = load_data(tmp_path / "panel.parquet", id_col="id")
    monkeypatch.setattr(pq, "read_table", spy)
    monkeypatch.setattr(parquet, "_BATCH_ROWS", 37)  # batches that cut through series
    sd = load_data(tmp_path / "panel.parquet", id_col="id", part=(1, 2))
    assert sorted(sd.frames) == ["s1", "s3"]
    for key, series in sd.frames.items():
        pd.testing.assert_frame_equal(series, whole.frames[key])
    n_rows = len(_panel())
    assert calls == [(["columns", "read_dictionary"], n_rows, 1)]  # then batch by batch


def test_a_csv_part_parses_the_ids_whole_and_only_its_records(tmp_path, monkeypatch):
    path = tmp_path / "panel.csv"
    # a quoted line break and a blank line: records and file lines differ
    path.write_text(
        'id,date,y,note\na,2020-01-01,1,"x\ny"\nb,2020-01-01,5,\n\na,2020-01-02,2,\n'
        "b,2020-01-02,oops,\nc,2020-01-01,3,\nc,2020-01-02,4,\n"
    )
    shapes = []
    real = pd.read_csv

    def spy(*args, **kwargs):
        frame = real(*args, **kwargs)
        shapes.append(frame.shape)
        return frame

    monkeypatch.setattr(pd, "read_csv", spy)
    sd = load_data(path, id_col="id", target="y", part=(0, 2))
    assert {k: f["y"].tolist() for k, f in sd.frames.items()} == {"a": [1, 2], "c": [3, 4]}
    assert shapes == [(7, 1), (5, 4)]  # the ids; then a's, c's and the blank record
    message = f"{path}, line 7: cannot parse 'oops' as a number in column 'y'"
    with pytest.raises(DataError, match=message):
        load_data(path, id_col="id", target="y", part=(1, 2))


@pytest.mark.parametrize("suffix", ["csv", "parquet"])
def test_an_error_in_a_part_names_its_line_in_the_file(tmp_path, suffix):
    frame = _panel(lengths=(5, 5, 5))
    frame.loc[12, "y"] = np.inf  # row 13 of the data (series s2: worker 0 of 2)
    path = tmp_path / f"panel.{suffix}"
    getattr(frame, f"to_{suffix}")(path, index=False)
    where = "line 14" if suffix == "csv" else "row 13"  # a CSV's header is line 1
    with pytest.raises(DataError, match=f"series 's2', {where}"):
        load_data(path, id_col="id", strict=True)
    whole = load_data(path, id_col="id")  # not sharded: s2 is left out, the others load
    assert "s2" not in whole.frames and whole.report[0].startswith("left out series 's2'")
    with pytest.raises(DataError, match=f"series 's2', {where}"):  # sharded: strict
        load_data(path, id_col="id", part=(0, 2))
    assert list(load_data(path, id_col="id", part=(1, 2)).frames) == ["s1"]


def test_a_part_needs_a_panel_with_a_series_for_every_worker(tmp_path):
    path = tmp_path / "panel.csv"
    _panel(lengths=(5, 5)).to_csv(path, index=False)
    with pytest.raises(DataError) as info:
        load_data(path, id_col="id", part=(0, 3))
    assert str(info.value) == (
        f"{path}: 2 series for 3 workers sharding by series; every worker needs at least "
        "one series: use fewer workers or shard by batch"
    )
    with pytest.raises(DataError, match="needs a panel in long format"):
        load_data(path, target="y", time_col="date", part=(0, 2))


# -- quantiles of errors spread over workers -------------------------------------------


def test_pooled_quantiles_are_those_of_all_errors_together():
    rng = np.random.default_rng(0)
    for trial in range(10):
        parts = [
            np.abs(rng.standard_normal((int(rng.integers(1, 30)), 3, 2))) * 10.0 ** (trial - 5)
            for _ in range(3)
        ]
        parts[0][0, 1, 1] = 0.0  # a zero error (bits 0) and ties
        parts[1][-1] = parts[2][0]
        whole = np.concatenate(parts)
        grids = run_workers(
            3, lambda pool, parts=parts: quantile_grid(parts[pool.index], pool.total)
        )
        for grid in grids:
            np.testing.assert_array_equal(grid, quantile_grid(whole))  # np.quantile's values
    one = np.arange(1.0, 6.0).reshape(-1, 1, 1)
    assert pooled_quantiles(one, [50, 100], total=lambda v: v)[:, 0, 0].tolist() == [4.0, 5.0]


def test_pooled_cross_fitted_coverage_uses_the_halves_in_worker_order():
    rng = np.random.default_rng(1)
    parts = [np.abs(rng.standard_normal((n, 2, 1))) for n in (7, 4, 9)]
    offsets = np.cumsum([0, 7, 4])

    def coverage(pool):
        return cross_fitted_coverage(parts[pool.index], 80, pool.total, offsets[pool.index])

    assert run_workers(3, coverage) == [cross_fitted_coverage(np.concatenate(parts), 80)] * 3


def test_pooled_forward_levels_are_those_of_all_errors_together():
    rng = np.random.default_rng(2)
    parts = [
        np.abs(rng.standard_normal((n, 2, 1))) * (1 + np.arange(n))[:, None, None]
        for n in (6, 3, 8)
    ]
    early = [np.arange(n) < n // 2 for n in (6, 3, 8)]

    def levels(pool):
        return forward_levels(parts[pool.index], early[pool.index], pool.total).tolist()

    expected = forward_levels(np.concatenate(parts), np.concatenate(early)).tolist()
    assert expected != list(range(len(expected)))  # the growing errors raise some levels
    assert run_workers(3, levels) == [expected] * 3


# -- a fit in parts ---------------------------------------------------------------------


@pytest.mark.parametrize("workers", [2, 3])
def test_a_fit_in_parts_saves_what_one_process_saves(workers):
    frame = _panel()
    sd = validate_frame(frame, id_col="id")
    params = dict(model="seasonal-naive", horizon=6, lookback=24)
    whole = Forecaster(**params).fit(sd)
    fitted = run_workers(
        workers,
        lambda pool: Forecaster(**params).fit(cluster._part_of(sd, pool.index, workers)),
    )
    chief = fitted[0]
    assert chief.notes_ == whole.notes_ and chief.base_series_ == whole.base_series_ == ["s3"]
    assert chief.data_info_ == whole.data_info_  # the panel's digest too
    assert list(chief.history_) == list(whole.history_)
    for key, series in whole.history_.items():
        pd.testing.assert_frame_equal(chief.history_[key], series)
    assert sorted(chief.scales_) == sorted(whole.scales_)
    for key, scale in whole.scales_.items():
        np.testing.assert_array_equal(chief.scales_[key], scale)
    for f in fitted:  # the panel's decisions, the same on every worker
        np.testing.assert_array_equal(f.quantiles_, whole.quantiles_)
        np.testing.assert_array_equal(f.base_quantiles_, whole.base_quantiles_)
        assert f.lookback_ == whole.lookback_
        for key in ("origins", "series"):
            assert f.metrics_[key] == whole.metrics_[key]
        for key in ("mae", "mase", "seasonal_naive_mase"):
            assert f.metrics_[key] == pytest.approx(whole.metrics_[key], rel=1e-12)
    assert len(fitted[1].history_) < len(whole.history_)  # only the chief gathers them
    pd.testing.assert_frame_equal(chief.predict(), whole.predict())


def test_the_default_lookback_is_that_of_the_whole_panel():
    # the median length of all series (200: lookback 12, a season); worker 1's series
    # alone (18 rows) would cap it at 8
    sd = validate_frame(_panel(lengths=(200, 18, 200, 18, 200)), id_col="id")
    whole = Forecaster(model="naive", horizon=3).fit(sd)
    alone = Forecaster(model="naive", horizon=3).fit(cluster._part_of(sd, 1, 2))
    assert (whole.lookback_, alone.lookback_) == (12, 8)
    fitted = run_workers(
        2,
        lambda pool: Forecaster(model="naive", horizon=3).fit(cluster._part_of(sd, pool.index, 2)),
    )
    assert [f.lookback_ for f in fitted] == [whole.lookback_] * 2


def test_a_worker_whose_series_are_all_too_short_stops_every_worker():
    sd = validate_frame(_panel(lengths=(60, 8, 60, 8)), id_col="id")
    with pytest.raises(TrainingError, match="the series of worker 1 of 2 are all too short"):
        run_workers(
            2,
            lambda pool: Forecaster(model="naive", horizon=6, lookback=12).fit(
                cluster._part_of(sd, pool.index, 2)
            ),
        )


def test_workers_that_read_different_columns_are_told_so():
    sd = validate_frame(_panel(lengths=(30, 30)), id_col="id")
    parts = [cluster._part_of(sd, i, 2) for i in range(2)]
    odd = parts[1].frames["s1"].asfreq("2MS")
    parts[1] = type(sd)(**{**parts[1].__dict__, "frames": {"s1": odd}, "freq": "2MS"})
    with pytest.raises(DataError, match="the workers found different frequency"):
        run_workers(2, lambda pool: Forecaster(model="naive", horizon=3).fit(parts[pool.index]))


def test_the_naive_base_is_chosen_on_every_workers_series():
    import types

    from forecast import training

    hours = np.arange(24 * 7 * 6)
    rng = np.random.default_rng(0)
    # a daily pattern on a random walk: the week-old value is further off than the day-old
    walk = np.cumsum(0.2 * rng.standard_normal(len(hours)))
    daily = 10 + np.sin(2 * np.pi * hours / 24) + walk
    weekly = 10 + np.sin(2 * np.pi * hours / 168) + 0.05 * rng.standard_normal(len(hours))
    frames = {
        key: pd.DataFrame({"y": y}, index=pd.date_range("2024-01-01", periods=len(y), freq="h"))
        for key, y in (("d1", daily), ("d2", daily + 5), ("w", weekly))
    }
    splits = {key: (list(range(200, len(f) - 48)), "purged") for key, f in frames.items()}
    spec = types.SimpleNamespace(
        season_length=24, lookback=200, freq="h", horizon=24, targets=["y"]
    )
    parts = [["d1", "d2"], ["w"]]  # the weekly series alone would choose the week

    def choose(keys):
        return training.choose_base(spec, {k: frames[k] for k in keys}, splits)

    whole, alone = choose(["d1", "d2", "w"]), choose(["w"])
    assert whole != alone
    assert run_workers(2, lambda pool: choose(parts[pool.index])) == [whole, whole]
