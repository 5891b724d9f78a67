"""Regenerates the figures the README shows, in ``docs/img/``.

* ``forecast.png``: the default forecaster on ``data/airline.csv``, a 12-month forecast
  with its 80% prediction interval (:func:`forecast.plotting.plot_forecast`);
* ``gates.png``: the gates of that forecaster's first LSTM layer (``lstm_0`` of the first
  ensemble member) read over the whole airline series (:func:`forecast.plotting.plot_gates`),
  for the four units whose forget gate varies most.

Deterministic: a fixed seed (the forecaster enables TensorFlow's op determinism), and
PNGs written without a software-version stamp, so that re-running on the same machine
rewrites the same bytes. ``make figures`` runs it; it takes about a minute on a CPU.

Usage:
    python scripts/make_figures.py [--out docs/img]
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("MPLBACKEND", "Agg")

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data" / "airline.csv"
SEED = 0
HORIZON = 12
LEVEL = 80
DPI = 90
PNG_METADATA = {"Software": None}  # no matplotlib version in the file


def fit_forecaster(df: pd.DataFrame):
    """The default ``lstm`` forecaster, 12 months ahead, fitted on the airline data."""
    from forecast import Forecaster

    return Forecaster(horizon=HORIZON, level=LEVEL, seed=SEED).fit(df)


def forecast_figure(fc, df: pd.DataFrame) -> Figure:
    """History, 12-month forecast and its 80% interval."""
    from forecast.plotting import plot_forecast

    fig = Figure(figsize=(8.0, 3.6), layout="constrained")
    ax = plot_forecast(
        df.set_index("date"), fc.predict(level=LEVEL), ax=fig.subplots(), level=LEVEL
    )
    ax.set_title(f"Airline passengers: {HORIZON}-month LSTM forecast, {LEVEL}% interval")
    return fig


def first_lstm(model):
    """The first :class:`forecast.layers.LSTM` of ``model``, looking inside nested models
    (the members of an ensemble); None if there is none."""
    from forecast.layers import LSTM

    for layer in model.layers:
        if isinstance(layer, LSTM):
            return layer
        if hasattr(layer, "layers") and (found := first_lstm(layer)) is not None:
            return found
    return None


def series_input(fc) -> np.ndarray:
    """The LSTM's input over the whole training series: ``(1, time, features)``.

    The same columns as the model input ``past`` (targets on the model's scale, then the
    calendar features), for every row instead of a ``lookback`` window.
    """
    from forecast.features import calendar_features
    from forecast.training import transformed

    frame = fc.history_[None]
    parts = [fc.scaler_.transform(transformed(fc.model_.spec, frame, fc.transform_))]
    if fc.calendar_:
        parts.append(calendar_features(frame.index, fc.freq_).to_numpy())
    x = np.concatenate(parts, axis=1)[None].astype("float32")
    (window, *_), _ = fc.model_.inputs(frame, origins=[len(frame)])
    if not np.allclose(x[:, -fc.lookback_ :], window):  # the windows are cut from these rows
        raise RuntimeError("the series input does not match the model's input windows")
    return x


def gates_figure(fc) -> Figure:
    """Input series, forget/input/output gates and cell state of ``lstm_0``."""
    from forecast.plotting import plot_gates

    layer = first_lstm(fc.network_)
    if layer is None:
        raise RuntimeError(f"the {fc.model!r} network has no forecast.layers.LSTM layer")
    trace = layer.trace_gates(series_input(fc))
    forget = trace["forget"][0, fc.lookback_ :]  # after a warm-up of one lookback
    busiest = np.argsort(forget.std(axis=0))[::-1][:4]
    series = fc.history_[None][fc.targets_[0]]
    fig = Figure(figsize=(9.0, 8.0), layout="constrained")
    plot_gates(trace, series=series, units=busiest, fig=fig)
    fig.suptitle("Gates of the forecaster's LSTM read over the airline series")
    return fig


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "img", help="output folder")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)

    df = pd.read_csv(DATA, parse_dates=["date"])
    fc = fit_forecaster(df)
    for name, fig in (("forecast.png", forecast_figure(fc, df)), ("gates.png", gates_figure(fc))):
        path = args.out / name
        fig.savefig(path, dpi=DPI, metadata=PNG_METADATA)
        print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
