"""The ``forecast`` command line: parse, call one library function, echo.

Only Click is imported at start-up; pandas, TensorFlow and matplotlib are imported inside
the commands, so ``forecast --help`` and usage errors answer at once.

Exit codes: 0 ok, 1 failure, 2 bad usage or bad input, 130 interrupted.

Modules:
    app: the Click group ``main`` and its ``--config`` defaults.
    exits: ``as_flags``, ``Failure`` and ``Group`` (one ``Error:`` line, exit codes).
    options: options shared by commands; the model options, from ``forecast.params``.
    loading: lazy loads (TensorFlow, data files, model directories).
    summary: the fit summary printed by ``fit`` and ``inspect``.
    fitting, saved, evaluating: the commands (``fit``; ``predict``, ``plot``,
        ``inspect``; ``evaluate``).
"""

from forecast.cli.app import main, run
from forecast.cli.evaluating import evaluate
from forecast.cli.exits import Failure, Group, Terminated, as_flags
from forecast.cli.fitting import fit
from forecast.cli.options import DEFAULT_MODEL_DIR, GAPS, data_options, model_options
from forecast.cli.saved import MAX_PLOT_SERIES, inspect, plot, predict

__all__ = [
    "DEFAULT_MODEL_DIR",
    "GAPS",
    "MAX_PLOT_SERIES",
    "Failure",
    "Group",
    "Terminated",
    "as_flags",
    "data_options",
    "evaluate",
    "fit",
    "inspect",
    "main",
    "model_options",
    "plot",
    "predict",
    "run",
]
