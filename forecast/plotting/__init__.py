"""Plots of forecasts, backtests and LSTM gates: data in, Axes (or Figure) out.

Each function takes plain numpy/pandas data, draws on the Axes (or Figure) it
is given or on a new one, and returns it; none calls ``plt.show()``. Matplotlib
is imported only when a function is called, so ``import forecast.plotting``
stays cheap and needs no display.

When no ``ax``/``fig`` is passed, a new figure is made with pyplot (so that it
shows up in a notebook); pyplot falls back to the non-interactive Agg backend
on a machine without a display. Code that must not touch pyplot at all (a
server, the command line) can pass its own Axes::

    from matplotlib.figure import Figure

    ax = plot_forecast(history, forecast, ax=Figure(layout="constrained").subplots())
    ax.figure.savefig("forecast.png")

Functions:
    plot_forecast: history, point forecast and its interval band.
    plot_forecast_grid: plot_forecast for several series of a panel, one panel each.
    plot_backtest: actuals and each fold's forecasts of a rolling-origin backtest.
    plot_gates: an LSTM's gate activations and cell state over time.
"""

from forecast.plotting.backtest import plot_backtest
from forecast.plotting.forecast import plot_forecast, plot_forecast_grid
from forecast.plotting.gates import plot_gates

__all__ = ["plot_backtest", "plot_forecast", "plot_forecast_grid", "plot_gates"]
