"""The Keras graphs of the neural models and the training choices around them."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

keras = pytest.importorskip("keras")

from forecast import networks, training  # noqa: E402
from forecast.data import validate_frame  # noqa: E402
from forecast.models import ModelSpec  # noqa: E402


def test_seasonal_naive_layer_against_hand_indexed_arange():
    x = np.arange(20.0).reshape(1, 10, 2)  # step t holds [2t, 2t + 1]
    one = networks.SeasonalNaive(width=1, season=3, horizon=5)(x)[0, :, 0].numpy()
    # the last 3 steps are 7, 8, 9: repeated -> 7 8 9 7 8, first feature = 2t
    np.testing.assert_array_equal(one, [14, 16, 18, 14, 16])
    two = networks.SeasonalNaive(width=2, seasons=[3, 6], horizon=2)(x)[0].numpy()
    # lag 3 gives steps 7, 8; lag 6 gives steps 4, 5; the base is their mean
    np.testing.assert_array_equal(two, [[11, 12], [13, 14]])


def test_seasonal_naive_config_round_trip():
    layer = networks.SeasonalNaive(width=2, seasons=[24, 168], horizon=24)
    again = networks.SeasonalNaive.from_config(layer.get_config())
    assert (again.width, again.seasons, again.horizon) == (2, [24, 168], 24)


def _hourly(values: np.ndarray) -> pd.DataFrame:
    index = pd.date_range("2024-01-01", periods=len(values), freq="h", name="time")
    return pd.DataFrame({"y": values}, index=index)


def _base_for(values, lookback=168, horizon=24):
    sd = validate_frame(_hourly(values), target="y")
    spec = ModelSpec(
        targets=("y",),
        covariates=(),
        freq="h",
        lookback=lookback,
        horizon=horizon,
        season_length=24,
        calendar=(),
        params={},
    )
    n = len(values)
    splits = {None: (list(range(lookback, n - 200)), "purged")}
    return training.choose_base(spec, sd.frames, splits)


def test_base_is_the_week_when_weekends_differ():
    t = np.arange(24 * 7 * 8)
    weekend = (t // 24) % 7 >= 5
    values = 100 + 10 * np.sin(2 * np.pi * t / 24) - 40 * weekend
    assert _base_for(values) == [168]


def test_base_is_the_day_when_the_level_wanders():
    rng = np.random.default_rng(0)
    t = np.arange(24 * 7 * 8)
    level = np.cumsum(rng.normal(0, 3, len(t)))  # a random walk: yesterday beats last week
    values = 500 + level + 10 * np.sin(2 * np.pi * t / 24)
    assert _base_for(values) == [24]


def test_base_averages_day_and_week_when_both_are_noisy_copies():
    rng = np.random.default_rng(1)
    t = np.arange(24 * 7 * 8)
    values = 100 + 10 * np.sin(2 * np.pi * t / 24) + rng.normal(0, 1, len(t))
    assert _base_for(values) == [24, 168]  # the mean of two lags halves one noise term


def test_base_without_a_week_in_the_lookback_is_the_season_or_naive():
    values = np.arange(24 * 7 * 8, dtype=float)
    assert _base_for(values, lookback=48) == [24]
    assert _base_for(values, lookback=12) == [1]


def _direct_model():
    return networks.build_direct(
        lookback=8, n_features=1, n_targets=1, n_calendar=0, horizon=3,
        units=4, layers=1, dropout=0.0, seed=0, seasons=[4],
    )  # fmt: skip


@pytest.mark.parametrize("shift, kept", [(0.0, [True, False]), (-0.5, [False, False])])
def test_a_member_keeps_its_head_only_if_it_beats_the_base(shift, kept):
    import tensorflow as tf

    rng = np.random.default_rng(0)
    x = rng.normal(size=(16, 8, 1)).astype("float32")
    seasonal_naive = x[:, [4, 5, 6], :]  # lag 4 from an 8-step window
    y = seasonal_naive + 0.5 + shift  # member 0 adds 0.5, member 1 adds 3.5
    members = [_direct_model(), _direct_model()]
    for member, bias in zip(members, (0.5, 3.5), strict=True):
        kernel, _ = member.get_layer("head").get_weights()
        member.get_layer("head").set_weights([np.zeros_like(kernel), np.full(3, bias, "float32")])
    network = networks.ensemble(members)
    data = tf.data.Dataset.from_tensor_slices((x, y[:, None])).batch(8)
    losses, base_loss, kept_now = training._gate_heads(network, data)
    assert base_loss == pytest.approx((0.5 + shift) ** 2, rel=1e-5)
    np.testing.assert_allclose(losses, [shift**2, (shift - 3) ** 2], rtol=1e-5, atol=1e-5)
    assert kept_now == kept
    out = network.predict(x, verbose=0)  # (16, members, 3, 1)
    for m, keep in enumerate(kept):
        expected = seasonal_naive + (0.5, 3.5)[m] if keep else seasonal_naive
        np.testing.assert_allclose(out[:, m], expected, atol=1e-5)


def test_a_window_shifted_by_a_constant_gets_the_forecast_shifted_by_it():
    # the encoder reads each window relative to its own level (Recentre) and the base is
    # seasonal naive, so on the log scale a series ten times larger gets a forecast ten
    # times larger: the same network serves every level of a panel
    model = networks.build_direct(
        lookback=8, n_features=3, n_targets=1, n_calendar=2, horizon=3,
        units=4, layers=1, dropout=0.0, seed=0, seasons=[4],
    )  # fmt: skip
    rng = np.random.default_rng(0)
    past = rng.normal(size=(5, 8, 3)).astype("float32")
    future = rng.normal(size=(5, 3, 2)).astype("float32")
    shifted = past.copy()
    shifted[:, :, 0] += 2.5  # the target only; the calendar stays
    before = model.predict([past, future], verbose=0)
    after = model.predict([shifted, future], verbose=0)
    np.testing.assert_allclose(after, before + 2.5, atol=1e-5)
    assert np.ptp(before[:, :, 0] - past[:, [4, 5, 6], 0]) > 0  # the head is not zero
