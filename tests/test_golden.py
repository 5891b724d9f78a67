"""Golden regression: the forecast of every model on bundled series, recorded before a refactor.

The CSVs in ``tests/golden/`` were written by this module (``python tests/test_golden.py``)
on the code *before* the redesign of the model interface; a behaviour-preserving change must
reproduce them: the baselines exactly, the networks within 1e-6 relative. A change that is
meant to alter forecasts re-records them in the same commit and says why.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = Path(__file__).with_name("golden")
NEURAL = ("lstm", "lstm-ar")
MODELS = (*NEURAL, "naive", "seasonal-naive", "drift")
# Small networks trained long enough to beat their naive base (a zeroed head would forecast
# the base and test nothing of the network): the point is identical arithmetic, not accuracy.
SMALL = dict(units=8, epochs=15, patience=15, learning_rate=0.01, ensemble=2, batch_size=32, seed=0)


def _airline() -> pd.DataFrame:
    return pd.read_csv(ROOT / "data" / "airline.csv")


def _electricity() -> pd.DataFrame:
    return pd.read_csv(ROOT / "data" / "electricity_hourly.csv")


def _panel() -> pd.DataFrame:
    """Two monthly series of different levels in long format (ids ``air``, ``wine``)."""
    air = _airline().rename(columns={"passengers": "y"}).assign(id="air")
    wine = pd.read_csv(ROOT / "tests" / "data" / "wineind_monthly.csv")
    wine = wine.rename(columns={"wine_litres": "y"}).assign(id="wine").iloc[-120:]
    return pd.concat([air, wine], ignore_index=True)[["id", "date", "y"]]


SERIES = {
    "airline": (_airline, {}, 12),
    "electricity": (_electricity, {}, 24),
    "panel": (_panel, {"id_col": "id"}, 6),
}
CASES = [(series, model) for series in SERIES for model in MODELS]


def golden_forecast(series: str, model: str) -> pd.DataFrame:
    """Fits ``model`` on ``series`` with fixed settings and returns ``predict()`` as a table."""
    from forecast import Forecaster

    load, options, horizon = SERIES[series]
    params = dict(model=model, horizon=horizon, **(SMALL if model in NEURAL else {}))
    fc = Forecaster(**params).fit(load(), **options)
    return fc.predict().reset_index()


def _path(series: str, model: str) -> Path:
    return GOLDEN / f"{series}_{model}.csv"


@pytest.mark.parametrize("series, model", CASES)
def test_forecast_matches_the_recorded_one(series, model):
    expected = pd.read_csv(_path(series, model))
    got = golden_forecast(series, model)
    got = pd.read_csv(__import__("io").StringIO(got.to_csv(index=False)))
    assert list(got.columns) == list(expected.columns)
    numeric = got.select_dtypes("number").columns
    for column in got.columns.difference(numeric):
        assert got[column].astype(str).tolist() == expected[column].astype(str).tolist()
    if model in NEURAL:
        np.testing.assert_allclose(got[numeric], expected[numeric], rtol=1e-6)
    else:
        # point forecasts exactly; the bounds within float rounding (the per-series interval
        # divides by the series' scale and multiplies back: the last ulp may differ between
        # numpy/pandas builds)
        bounds = [c for c in numeric if c.endswith(("_lower", "_upper"))]
        points = [c for c in numeric if c not in bounds]
        np.testing.assert_array_equal(got[points].to_numpy(), expected[points].to_numpy())
        np.testing.assert_allclose(got[bounds], expected[bounds], rtol=1e-12)


if __name__ == "__main__":  # re-record: python tests/test_golden.py [series_model …]
    GOLDEN.mkdir(exist_ok=True)
    wanted = set(sys.argv[1:])
    for series, model in CASES:
        if wanted and f"{series}_{model}" not in wanted:
            continue
        golden_forecast(series, model).to_csv(_path(series, model), index=False)
        print("recorded", _path(series, model).name)
