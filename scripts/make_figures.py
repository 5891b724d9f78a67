"""Regenerates the figures the README shows, in ``docs/img/``.

* ``forecast.png``: the default forecaster on ``data/airline.csv``, a 12-month forecast
  with its 80% prediction interval (:func:`forecast.plotting.plot_forecast`);
* ``gates.png``: the gates of that forecaster's first LSTM layer (``lstm_0`` of the first
  ensemble member) over the window its forecast reads: the last ``lookback`` months,
  recentred as the member's ``recentre`` layer passes them on
  (:func:`forecast.plotting.plot_gates`), for the four units whose forget gate varies most.

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


def last_window(fc):
    """What ``lstm_0`` of the first member reads for the forecast, and that layer:
    ``((1, lookback, features), layer)``.

    The model input ``past`` of the last window (targets on the model's scale, calendar
    features), recentred by the member's ``recentre`` layer; checked against the member's own
    encoder output, so the figure shows what the forecaster computes.
    """
    import keras

    frame = fc.history_[None]
    (past, *_), _ = fc.model_.inputs(frame, origins=[len(frame)])
    past = np.asarray(past, dtype="float32")
    member = fc.network_.get_layer("member_0")
    layer = member.get_layer("lstm_0")
    seen = np.asarray(member.get_layer("recentre")(past))
    inside = np.asarray(keras.Model(member.inputs[0], layer.output)(past))
    if not np.allclose(layer.trace_gates(seen)["hidden"][:, -1], inside, atol=1e-5):
        raise RuntimeError("the traced window does not give lstm_0's output in the model")
    return seen, layer


def gates_figure(fc) -> Figure:
    """The last window, forget/input/output gates and cell state of ``lstm_0``."""
    from forecast.plotting import plot_gates

    seen, layer = last_window(fc)
    trace = layer.trace_gates(seen)
    busiest = np.argsort(trace["forget"][0].std(axis=0))[::-1][:4]
    series = fc.history_[None][fc.targets_[0]].iloc[-fc.lookback_ :]
    fig = Figure(figsize=(9.0, 8.0), layout="constrained")
    plot_gates(trace, series=series, units=busiest, fig=fig)
    fig.suptitle(f"Gates of the forecaster's LSTM over the last {fc.lookback_} months it reads")
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
