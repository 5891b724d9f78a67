"""Rolling-origin backtests: refit (or slide) a model over time and score it.

The folds follow scikit-learn's ``TimeSeriesSplit`` vocabulary: ``n_splits``
folds whose test windows are ``horizon`` rows long (``test_size``), ``step``
rows apart (default ``horizon``: the windows tile the end of the series, the
last one ends on the last observation), ``gap`` rows left out between the end
of training and the first scored step, and ``max_train_size`` for a sliding
rather than expanding training window. Nothing is ever shuffled. In long
format the folds are placed per series, counting from each series' end.

Example:
    >>> [(tr.start, tr.stop, te.start, te.stop)
    ...  for tr, te in rolling_origin_splits(10, horizon=2, n_splits=3)]
    [(0, 4, 4, 6), (0, 6, 6, 8), (0, 8, 8, 10)]

Modules:
    folds: the fold geometry (:func:`rolling_origin_splits`) and the MASE scale of every
        fold (:func:`fold_scales`).
    backtesting: :func:`backtest`, one model over the folds (the long table).
    comparison: :func:`evaluate`, several models on the same folds, summarized, and
        :func:`to_json`.
"""

from forecast.evaluation.backtesting import COLUMNS, backtest  # noqa: F401 (COLUMNS: not in __all__)
from forecast.evaluation.comparison import evaluate, to_json
from forecast.evaluation.folds import fold_scales, rolling_origin_splits

__all__ = ["backtest", "evaluate", "fold_scales", "rolling_origin_splits", "to_json"]
