"""A stop that a signal requests and the training loop honours at its next batch.

Ctrl-C raises ``KeyboardInterrupt`` wherever the main thread happens to be. While
TensorFlow runs a training or validation step that exception can be lost: a ``forecast fit``
was seen to go on training after SIGINT (the signal landed while ``model.fit`` executed a
step, and Keras started the next one). So the command line's handlers for SIGINT and SIGTERM
also *record* the request here, and training checks it after every batch and epoch
(:class:`forecast.callbacks.StopOnRequest`) and raises it again from plain Python, where
nothing swallows it. This module imports nothing heavy.

Example:
    >>> request(RuntimeError)  # the CLI requests KeyboardInterrupt or its Terminated
    >>> check()
    Traceback (most recent call last):
    ...
    RuntimeError
    >>> clear(); check()  # nothing pending: returns
"""

from __future__ import annotations

_pending: type[BaseException] | None = None


def request(exception: type[BaseException]) -> None:
    """Records that the process should stop by raising ``exception`` at the next check."""
    global _pending
    _pending = exception


def clear() -> None:
    """Forgets a request (the command that honoured it has ended)."""
    global _pending
    _pending = None


def pending() -> type[BaseException] | None:
    """The requested exception, or None."""
    return _pending


def check() -> None:
    """Raises the requested exception, if a stop was requested."""
    if _pending is not None:
        raise _pending()
