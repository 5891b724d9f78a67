"""Windows, forecast origins (validation and training), scaling and the tf.data pipeline.

The property tests feed ``np.arange`` series, so every value *is* its row index and
alignment can be read off the windows directly.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forecast.windowing import (
    fit_scaler,
    make_windows,
    training_origins,
    validation_origins,
    window_count,
)

sizes = st.integers(min_value=1, max_value=12)


# ----------------------------------------------------------------------------- by hand


def test_hand_checked_windows():
    t = np.arange(8)
    X, Y = make_windows(t, t * 10, lookback=3, horizon=2)
    assert X[..., 0].tolist() == [
        [0, 1, 2],
        [1, 2, 3],
        [2, 3, 4],
        [3, 4, 5],
    ]
    assert Y[..., 0].tolist() == [
        [30, 40],
        [40, 50],
        [50, 60],
        [60, 70],
    ]
    X2, Y2 = make_windows(t, t * 10, lookback=3, horizon=2, stride=2)
    assert X2[..., 0].tolist() == [[0, 1, 2], [2, 3, 4]]
    assert Y2[..., 0].tolist() == [[30, 40], [50, 60]]
    assert window_count(8, 3, 2) == 4 and window_count(8, 3, 2, stride=2) == 2


def test_multicolumn_shapes_and_views():
    inputs = np.arange(20.0).reshape(10, 2)  # row r holds (2r, 2r + 1)
    targets = np.arange(10.0)[:, None] * 100
    X, Y = make_windows(inputs, targets, lookback=4, horizon=3)
    assert X.shape == (4, 4, 2) and Y.shape == (4, 3, 1)
    assert X[1].tolist() == [[2, 3], [4, 5], [6, 7], [8, 9]]
    assert Y[1, :, 0].tolist() == [500, 600, 700]
    assert np.shares_memory(X, inputs) and np.shares_memory(Y, targets)
    assert not X.flags.writeable and not Y.flags.writeable
    with pytest.raises(ValueError):
        X[0, 0, 0] = 1.0


def test_too_short_gives_empty_windows():
    X, Y = make_windows(np.zeros((4, 3)), np.zeros((4, 2)), lookback=3, horizon=2)
    assert X.shape == (0, 3, 3) and Y.shape == (0, 2, 2)
    assert window_count(4, 3, 2) == 0


def test_bad_arguments():
    with pytest.raises(ValueError, match="inputs have 5 rows but targets have 4"):
        make_windows(np.zeros(5), np.zeros(4), 2, 1)
    with pytest.raises(ValueError, match="lookback must be a positive integer"):
        window_count(10, 0, 1)
    with pytest.raises(ValueError, match="stride must be a positive integer"):
        make_windows(np.zeros(5), np.zeros(5), 2, 1, stride=0)


# ----------------------------------------------------------------------------- properties


@settings(max_examples=200, deadline=None)
@given(
    n=st.integers(min_value=0, max_value=120),
    lookback=sizes,
    horizon=sizes,
    stride=st.integers(min_value=1, max_value=5),
    n_inputs=st.integers(min_value=1, max_value=3),
)
def test_window_alignment(n, lookback, horizon, stride, n_inputs):
    rows = np.arange(n)
    inputs = rows[:, None] + 1000 * np.arange(n_inputs)  # column j holds row + 1000 j
    targets = np.stack([rows, -rows], axis=1)
    X, Y = make_windows(inputs, targets, lookback, horizon, stride)
    count = window_count(n, lookback, horizon, stride)
    starts = np.arange(count) * stride
    assert X.shape == (count, lookback, n_inputs) and Y.shape == (count, horizon, 2)
    assert len(starts) == count
    # brute force: every start s with s % stride == 0 whose labels fit in the series
    assert count == len([s for s in range(0, n, stride) if s + lookback + horizon <= n])
    for i, s in enumerate(starts):
        assert s == i * stride
        assert X[i, :, 0].tolist() == list(range(s, s + lookback))
        assert (X[i] - X[i, :, :1]).tolist() == [list(1000 * np.arange(n_inputs))] * lookback
        # labels are the horizon rows right after the last input row
        assert Y[i, :, 0].tolist() == list(X[i, -1, 0] + 1 + np.arange(horizon))
        assert Y[i, :, 1].tolist() == [-v for v in Y[i, :, 0]]
    if count:
        # the last window ends inside the series and one more would not fit
        assert Y[-1, -1, 0] <= n - 1
        assert starts[-1] + stride + lookback + horizon > n


def test_validation_origins_by_hand():
    # 20 rows, lookback 4, horizon 3: origins 4 .. 17 (14 of them); 20 % of 14 rounds to 3
    assert validation_origins(20, 4, 3, 0.2) == [15, 16, 17]
    assert validation_origins(20, 4, 3, 0.01) == [17]  # at least one
    assert validation_origins(8, 4, 3, 0.5) == [5]  # 2 origins (4, 5): half is 1


@pytest.mark.parametrize("n", [20_000, 1_700])
def test_a_long_series_validates_on_at_most_256_origins_spanning_the_same_rows(n):
    # 20,000 hourly rows: 3,962 origins would be the last 20 %; 1,700 rows: 302
    whole = list(range(n - 24 - round(0.2 * (n - 24 - 168 + 1)) + 1, n - 24 + 1))
    thinned = validation_origins(n, 168, 24, 0.2)
    assert len(whole) > 256 and len(thinned) == 256
    assert thinned[0] == whole[0] and thinned[-1] == whole[-1] == n - 24
    assert set(thinned) <= set(whole) and thinned == sorted(set(thinned))
    steps = np.diff(thinned)  # evenly spaced: the gaps differ by at most one row
    assert steps.max() - steps.min() <= 1
    assert validation_origins(n, 168, 24, 0.2, most=len(whole)) == whole


@settings(max_examples=100, deadline=None)
@given(
    n=st.integers(min_value=20, max_value=300),
    lookback=sizes,
    horizon=sizes,
    fraction=st.floats(min_value=0.05, max_value=0.5),
)
def test_training_labels_never_reach_the_validation_period(n, lookback, horizon, fraction):
    rows = np.arange(n)
    validation = validation_origins(n, lookback, horizon, fraction)
    assert validation[-1] == n - horizon  # the last origin whose labels exist
    assert validation == list(range(validation[0], n - horizon + 1))
    origins, kind = training_origins(n, lookback, horizon, validation)
    if not origins:
        return
    X, Y = make_windows(rows, rows, lookback, horizon)
    labels = Y[np.asarray(origins) - lookback]
    inputs = X[np.asarray(origins) - lookback]
    assert inputs.min() >= 0 and origins[0] == lookback
    if kind == "purged":
        assert labels.max() < validation[0]  # no training label in the validation period
    else:
        assert origins[-1] == validation[0] - 1


def test_training_origins_purged_or_overlapping_by_hand():
    origins, kind = training_origins(40, 4, 3, [34, 35, 36, 37])
    assert (origins[0], origins[-1], kind) == (4, 31, "purged")  # 31 + 3 = 34: labels end at 33
    origins, kind = training_origins(20, 4, 3, [15, 16, 17])  # 9 purged < 16: overlap
    assert (origins[0], origins[-1], kind) == (4, 14, "overlapping")


# ----------------------------------------------------------------------------- scaling

values_strategy = st.integers(min_value=4, max_value=60).flatmap(
    lambda n: st.tuples(
        st.just(n),
        st.lists(
            st.floats(min_value=-1e6, max_value=1e6, allow_nan=False),
            min_size=2 * n,
            max_size=2 * n,
        ),
    )
)


@settings(max_examples=100, deadline=None)
@given(data=values_strategy, seed=st.integers(0, 2**32 - 1))
def test_scaler_statistics_come_from_training_rows_only(data, seed):
    n, flat = data
    values = np.array(flat).reshape(n, 2)
    train, val = slice(0, n // 2), slice(n // 2, n)
    scaler = fit_scaler(values[train])
    part = values[train]
    tol = 1e-9 * max(1.0, np.abs(part).max())
    np.testing.assert_allclose(scaler.mean_, part.mean(axis=0), rtol=1e-12, atol=tol)
    np.testing.assert_allclose(scaler.var_, part.var(axis=0), rtol=1e-9, atol=tol**2)
    # scale_ is the training std, or 1 where sklearn finds the column constant
    is_std = np.isclose(scaler.scale_, np.sqrt(scaler.var_), rtol=1e-12)
    assert np.all(is_std | (scaler.scale_ == 1.0))

    # anything in the validation and test rows leaves the scaler unchanged
    changed = values.copy()
    rng = np.random.default_rng(seed)
    changed[val.start :] = rng.normal(1e9, 1e8, size=changed[val.start :].shape)
    again = fit_scaler(changed[train])
    assert np.array_equal(again.mean_, scaler.mean_) and np.array_equal(again.scale_, scaler.scale_)


def test_scaler_zero_variance_and_round_trip():
    train = np.array([[1.0, 7.0], [3.0, 7.0], [5.0, 7.0]])
    scaler = fit_scaler(train)
    assert scaler.scale_[1] == 1.0  # constant column: no division by zero
    windows = np.arange(24.0).reshape(3, 4, 2)
    scaled = scaler.transform(windows.reshape(-1, 2)).reshape(windows.shape)
    np.testing.assert_allclose(scaled[..., 0], (windows[..., 0] - 3.0) / np.sqrt(8 / 3))
    np.testing.assert_allclose(scaler.inverse_transform(scaler.transform(train)), train)
    with pytest.raises(ValueError, match="NaN or infinite"):
        fit_scaler(np.array([[1.0], [np.nan]]))
    with pytest.raises(ValueError, match="at least one training row"):
        fit_scaler(np.empty((0, 2)))


# ----------------------------------------------------------------------------- tf.data


def _batches(ds):
    return [(x, y) for x, y in ds.as_numpy_iterator()]


def test_make_dataset_batches_in_order():
    pytest.importorskip("tensorflow")
    from forecast.tfdata import make_dataset

    t = np.arange(30.0)
    X, Y = make_windows(t, t, lookback=4, horizon=2)
    batches = _batches(make_dataset(X, Y, batch_size=8))
    assert [len(x) for x, _ in batches] == [8, 8, 8, 1]
    assert np.array_equal(np.concatenate([x for x, _ in batches]), X.astype(np.float32))
    assert np.array_equal(np.concatenate([y for _, y in batches]), Y.astype(np.float32))
    assert batches[0][0].dtype == np.float32


def test_make_dataset_shuffle_is_seeded_and_keeps_pairs():
    pytest.importorskip("tensorflow")
    from forecast.tfdata import make_dataset

    t = np.arange(60.0)
    X, Y = make_windows(t, t, lookback=3, horizon=2)

    def epochs(seed):
        ds = make_dataset(X, Y, batch_size=16, shuffle=True, seed=seed)
        return [np.concatenate([x[:, 0, 0] for x, _ in _batches(ds)]) for _ in range(2)]

    first, second = epochs(7)
    again_first, again_second = epochs(7)
    assert np.array_equal(first, again_first) and np.array_equal(second, again_second)
    assert not np.array_equal(first, second)  # a new order each epoch
    assert sorted(first.tolist()) == X[:, 0, 0].tolist()  # every window exactly once
    for x, y in _batches(make_dataset(X, Y, batch_size=16, shuffle=True, seed=7)):
        assert np.array_equal(y[:, 0, 0], x[:, -1, 0] + 1)  # inputs and labels stay paired


def test_make_dataset_several_inputs():
    pytest.importorskip("tensorflow")
    from forecast.tfdata import make_dataset

    past, future, y = np.zeros((5, 3, 2)), np.ones((5, 2, 4)), np.ones((5, 2, 1))
    (x, yb) = next(iter(make_dataset((past, future), y, batch_size=5)))
    assert [tuple(t.shape) for t in x] == [(5, 3, 2), (5, 2, 4)]
    (x, _) = next(iter(make_dataset((past,), y, batch_size=5)))
    assert tuple(x.shape) == (5, 3, 2)  # a 1-tuple is the array itself
    (x, _) = next(iter(make_dataset(past, y, batch_size=5, extra_inputs=future)))
    assert [tuple(t.shape) for t in x] == [(5, 3, 2), (5, 2, 4)]
    (x, _) = next(iter(make_dataset({"past": past}, y, batch_size=2, extra_inputs={"f": future})))
    assert sorted(x) == ["f", "past"] and tuple(x["f"].shape) == (2, 2, 4)
    with pytest.raises(ValueError, match="inputs have 4 windows but labels have 5"):
        make_dataset(past[:4], y, batch_size=2)
