"""Point and interval accuracy metrics for forecasts (numpy only).

Every metric takes array-likes of the same shape (no broadcasting) and returns
the overall value (``axis=None``) or one value per slice along ``axis``; for a
backtest stacked as ``(n_windows, horizon)`` arrays, ``axis=0`` gives the
metric per horizon step. Pairs in which the actual or the forecast is NaN are
ignored; a slice with no pair left gives NaN, an input with no pair at all
raises ``ValueError``. Percentages (MAPE, sMAPE, coverage) are in percent.

:func:`summarize` turns the long backtest table of
:func:`forecast.evaluation.backtest` into one row of metrics per model.

Example:
    >>> import numpy as np
    >>> y = np.array([[1.0, 2.0], [3.0, 4.0]])      # (n_windows, horizon)
    >>> yhat = np.array([[2.0, 2.0], [3.0, 6.0]])
    >>> float(mae(y, yhat))
    0.75
    >>> mae(y, yhat, axis=0).tolist()                # per horizon step
    [0.5, 1.0]

Modules:
    point: MAE, RMSE, MAPE, sMAPE.
    scaled: MASE and its scale (``seasonal_naive_mae``: the one MASE scale, ``mase_scale``).
    interval: coverage and mean width of prediction intervals.
    summary: :func:`summarize` of the long backtest table (columns :data:`METRICS`).
"""

from forecast.metrics.interval import coverage, mean_width
from forecast.metrics.point import mae, mape, rmse, smape
from forecast.metrics.scaled import mase, mase_scale, seasonal_naive_mae
from forecast.metrics.summary import METRICS, summarize  # noqa: F401 (METRICS: not in __all__)

__all__ = [
    "coverage",
    "mae",
    "mape",
    "mase",
    "mase_scale",
    "mean_width",
    "rmse",
    "seasonal_naive_mae",
    "smape",
    "summarize",
]
