"""A target whose history never went below 0 (sales, counts, rain) is never forecast below
0: point and bounds clipped at 0 (forecast.prediction.piece), checked against
statsforecast's own forecast of the same history."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forecast import Forecaster

pytest.importorskip("statsforecast")


def _theta(values: np.ndarray, horizon: int) -> np.ndarray:
    from statsforecast.models import AutoTheta

    return AutoTheta(season_length=1).fit(values).predict(horizon)["mean"]


def _frame(values, **columns) -> pd.DataFrame:
    index = pd.date_range("2020-01-01", periods=len(values), freq="D", name="date")
    return pd.DataFrame({"y": values, **columns}, index=index)


def test_a_series_that_never_went_below_zero_is_not_forecast_below_it():
    falling = np.r_[np.linspace(40.0, 6.0, 30), [4.0, 3.0, 3.0]]  # a product being retired
    raw = _theta(falling, 6)
    assert (raw < 0).any() and (raw > 0).any()  # statsforecast goes below 0
    table = Forecaster(model="theta", horizon=6, season_length=1).fit(_frame(falling)).predict()
    np.testing.assert_allclose(table["y"], np.maximum(raw, 0.0), rtol=1e-9, atol=1e-12)
    assert (table["y_lower"] >= 0).all()
    assert (table["y_lower"] <= table["y"]).all() and (table["y"] <= table["y_upper"]).all()


def test_a_series_that_went_below_zero_once_is_forecast_as_it_comes():
    falling = np.r_[np.linspace(40.0, 6.0, 30), [4.0, -0.5, 3.0]]
    table = Forecaster(model="theta", horizon=6, season_length=1).fit(_frame(falling)).predict()
    np.testing.assert_allclose(table["y"], _theta(falling, 6), rtol=1e-9)
    assert (table["y_lower"] < 0).any()


def test_each_series_and_target_by_its_own_history():
    falling = np.r_[np.linspace(40.0, 6.0, 30), [4.0, 3.0, 0.0]]
    shifted = falling - 1.0  # went below 0: not clipped
    panel = pd.concat(
        [
            _frame(falling, z=shifted).assign(unique_id="never"),
            _frame(shifted, z=falling).assign(unique_id="below"),
        ]
    ).reset_index()
    fc = Forecaster(model="theta", horizon=6, season_length=1)
    table = fc.fit(panel, id_col="unique_id", target=["y", "z"]).predict()
    for key, clipped, raw in (("never", "y", "z"), ("below", "z", "y")):
        part = table.loc[key]
        np.testing.assert_allclose(part[clipped], np.maximum(_theta(falling, 6), 0), rtol=1e-9)
        np.testing.assert_allclose(part[raw], _theta(shifted, 6), rtol=1e-9)
        assert (part[f"{clipped}_lower"] >= 0).all() and (part[f"{raw}_lower"] < 0).any()
