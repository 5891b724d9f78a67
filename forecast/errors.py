"""The exceptions that ``forecast`` raises on purpose.

Every error a user can cause is a :class:`ForecastError`; its ``exit_code`` is
what the command line exits with (2: bad usage or bad input, 1: a failure).
The message is one line that names the file, column or row and what to do.

Example:
    >>> from forecast.errors import DataError
    >>> DataError("data.csv: column 'y' not found").exit_code
    2
"""

from __future__ import annotations


class ForecastError(Exception):
    """Base class of the errors ``forecast`` raises for the user to read."""

    exit_code = 1


class DataError(ForecastError, ValueError):
    """The input data breaks the data contract (bad CSV, column, dates, length).

    Where values in some rows are the problem (a value or date that does not parse),
    ``rows`` holds the 0-based positions of all of them in the data being validated and
    ``at(pos)`` is the message for any one of them: a panel's loader leaves those rows'
    series out, each named with its own first such row (:mod:`forecast.data`,
    ``strict=``).
    """

    exit_code = 2

    def __init__(self, message: str, *, rows=None, at=None):
        super().__init__(message)
        self.rows, self.at = rows, at


class ModelDirError(ForecastError):
    """A model directory is missing, incomplete, tampered with or too new."""

    exit_code = 2


class ParameterError(ForecastError, ValueError):
    """A hyperparameter or argument is out of its declared range (``forecast.params``)."""

    exit_code = 2


class MissingDependencyError(ForecastError, ImportError):
    """A model needs an optional package that is not installed (the message says how)."""

    exit_code = 2


class NotFittedError(ForecastError, ValueError, AttributeError):
    """An estimator was used before ``fit`` (mirrors scikit-learn's error)."""


class TrainingError(ForecastError):
    """Training failed (for example the loss became NaN)."""


class UnfittableError(TrainingError):
    """A statistical model cannot be fitted to, or forecast from, the user's series (too few
    rows, values out of its range): the data's problem (exit 2), and still a
    :class:`TrainingError`, so that a combination goes on without that partner."""

    exit_code = 2


class OutputError(ForecastError):
    """An output path cannot be written (missing directory, no permission, a directory)."""

    exit_code = 2


class WriteFailedError(OutputError):
    """Writing an output failed (disk full, the reader closed the pipe, I/O error)."""

    exit_code = 1
