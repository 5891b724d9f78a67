"""The Forecaster's hyperparameters, declared once: default, type, range and help.

:class:`forecast.Forecaster` takes its defaults from :data:`PARAMETERS` and checks its
arguments with :func:`check`; the command line generates its model options from the same
table (``forecast.cli``), so a default or a range lives in one place. This module imports
nothing heavy: ``forecast --help`` reads it without pandas or TensorFlow.

Example:
    >>> PARAMETERS["units"].default
    32
    >>> check({"units": 0})
    Traceback (most recent call last):
    ...
    forecast.errors.ParameterError: units must be a positive integer, got 0
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

from forecast import models
from forecast.errors import ParameterError


@dataclass(frozen=True)
class Param:
    """One hyperparameter.

    Attributes:
        default: its default (``None``: chosen from the data at ``fit``).
        kind: ``int``, ``float``, ``str`` or ``bool``.
        help: one line for ``--help`` and the docs.
        low, high: bounds of a number (``None``: unbounded); ``low_open``/``high_open``
            exclude the bound itself.
        choices: the allowed strings.
        rule: how the error message words the constraint, when the generated words
            would read badly.
        cli: whether the command line has an option for it.
    """

    default: object
    kind: type
    help: str
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False
    choices: tuple[str, ...] | None = None
    rule: str | None = None
    cli: bool = True

    @property
    def optional(self) -> bool:
        return self.default is None

    def describe(self) -> str:
        """The constraint in words, e.g. ``a positive integer`` or ``in [0, 1)``."""
        if self.rule:
            return self.rule
        if self.choices:
            return f"one of {', '.join(self.choices)}"
        if self.kind is int and self.low == 1 and self.high is None:
            return "a positive integer"
        if self.kind is bool:
            return "True or False"
        if self.low is not None and self.high is not None:
            left, right = "(" if self.low_open else "[", ")" if self.high_open else "]"
            return f"in {left}{self.low:g}, {self.high:g}{right}"
        if self.low == 0 and self.low_open:
            return "positive"
        return f"a {self.kind.__name__}"

    def accepts(self, value) -> bool:
        if value is None:
            return self.optional
        if self.kind is bool:
            return isinstance(value, bool)
        if self.kind is str:
            return isinstance(value, str) and (self.choices is None or value in self.choices)
        wanted = numbers.Integral if self.kind is int else numbers.Real
        if isinstance(value, bool) or not isinstance(value, wanted):
            return False
        if self.low is not None and (value < self.low or (self.low_open and value == self.low)):
            return False
        return self.high is None or (
            value < self.high or (not self.high_open and value == self.high)
        )


PARAMETERS: dict[str, Param] = {
    "model": Param("lstm", str, "Model architecture or baseline.", choices=models.names()),
    "horizon": Param(None, int, "Steps to forecast (default: one season of the frequency).", low=1),
    "lookback": Param(
        None, int, "Input window (default: two seasons where the data allows).", low=1
    ),
    "units": Param(32, int, "LSTM units per layer.", low=1),
    "layers": Param(1, int, "Stacked LSTM layers.", low=1),
    "dropout": Param(0.0, float, "Dropout rate.", low=0, high=1, high_open=True),
    "epochs": Param(100, int, "Most training epochs (early stopping ends sooner).", low=1),
    "batch_size": Param(256, int, "Windows per batch.", low=1),
    "learning_rate": Param(3e-3, float, "Adam learning rate.", low=0, low_open=True),
    "patience": Param(
        10, int, "Epochs without validation improvement before early stopping.", low=1
    ),
    "ensemble": Param(5, int, "Networks trained from different seeds and averaged.", low=1),
    "transform": Param(
        "auto",
        str,
        "Target scale inside the LSTM (auto: log when all values are positive).",
        choices=("auto", "log", "none"),
    ),
    "deseasonalize": Param(
        "auto",
        str,
        "Seasonal adjustment inside the LSTM (auto: per series, where a test finds the season).",
        choices=("auto", "none"),
    ),
    "combine": Param(
        "auto",
        str,
        "Combine the LSTM with theta and, for at most 10 series with a season of at most 12, "
        "arima, weights chosen on validation (auto); with theta alone (theta); or not (none).",
        choices=("auto", "theta", "none"),
    ),
    "season_length": Param(
        None, int, "Season of seasonal-naive and MASE (default: from the frequency).", low=1
    ),
    "seed": Param(0, int, "Random seed: same seed and data give the same forecast."),
    "level": Param(
        80.0,
        float,
        "Prediction interval level, percent.",
        low=0,
        high=100,
        low_open=True,
        high_open=True,
        rule="a percentage between 0 and 100 (exclusive)",
    ),
    "val_fraction": Param(
        0.2,
        float,
        "Share of the forecast origins held out for validation.",
        low=0,
        high=1,
        low_open=True,
        high_open=True,
        cli=False,
    ),
    "calendar": Param(True, bool, "Calendar features as inputs of the networks.", cli=False),
    "verbose": Param(0, int, "1: a progress bar over the epochs; 0: silent.", low=0, cli=False),
}
"""Every hyperparameter of :class:`forecast.Forecaster`, in the order of its signature."""

DEFAULTS = {name: p.default for name, p in PARAMETERS.items()}


def check(params: dict) -> None:
    """Raises :class:`~forecast.errors.ParameterError` (a ``ValueError``) naming the first parameter whose value is not allowed.

    Example:
        >>> check({"dropout": 1.0})
        Traceback (most recent call last):
        ...
        forecast.errors.ParameterError: dropout must be in [0, 1), got 1.0
    """
    for name, value in params.items():
        param = PARAMETERS[name]
        if not param.accepts(value):
            raise ParameterError(f"{name} must be {param.describe()}, got {value!r}")
