"""Small seeded fixtures shared by the test modules."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
AIRLINE = ROOT / "data" / "airline.csv"


def seasonal_frame(
    n: int = 96, freq: str = "MS", seed: int = 0, noise: float = 1.0
) -> pd.DataFrame:
    """A trending seasonal series with Gaussian noise: columns ``date``, ``y``.

    Example:
        >>> seasonal_frame(24).shape
        (24, 2)
    """
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    y = 50 + 0.5 * t + 10 * np.sin(2 * np.pi * t / 12) + noise * rng.standard_normal(n)
    return pd.DataFrame({"date": pd.date_range("2000-01-01", periods=n, freq=freq), "y": y})


@pytest.fixture
def monthly() -> pd.DataFrame:
    return seasonal_frame()


@pytest.fixture
def airline() -> pd.DataFrame:
    return pd.read_csv(AIRLINE, parse_dates=["date"])


@pytest.fixture
def airline_csv(tmp_path) -> Path:
    path = tmp_path / "airline.csv"
    shutil.copy(AIRLINE, path)
    return path


@pytest.fixture
def forecast_bin() -> str:
    """The installed console script (the one next to this interpreter)."""
    import sys

    script = Path(sys.executable).with_name("forecast")
    if not script.exists():
        pytest.fail(f"console script {script} is not installed; run 'make test'")
    return str(script)
