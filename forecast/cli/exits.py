"""Error and exit handling of the command line: one ``Error:`` line and an exit code.

Library messages name Python parameters (``horizon=24``); :func:`as_flags` shows them as the
flags a user types (``--horizon 24``). :class:`Group` turns library errors, Ctrl-C and SIGTERM
into one line and the exit code: 1 failure, 2 bad usage or bad input, 130 interrupted,
143 terminated.
"""

from __future__ import annotations

import re

import click

from forecast import stopping
from forecast.params import PARAMETERS

# Library messages name Python parameters as ``name=`` or ``name=value``; the command
# line shows them as the flags a user types (``--name value``).
_DATA_FLAGS = ("time_col", "target", "id_col", "covariates", "freq", "gaps", "model_dir", "series")
_PARAMETER = re.compile(r"\b([a-z_]+)=('[^']*'|[\w.+-]+)?")


def as_flags(message: str) -> str:
    """``message`` with every known ``name=value`` written as ``--name value``.

    Example:
        >>> as_flags("refit with horizon=24 or use gaps='ffill'")
        'refit with --horizon 24 or use --gaps ffill'
    """

    def flag(match: re.Match) -> str:
        name, value = match.group(1), match.group(2)
        if name not in PARAMETERS and name not in _DATA_FLAGS:
            return match.group(0)
        if value and value.startswith("'") and re.fullmatch(r"'[\w.+-]+'", value):
            value = value[1:-1]
        option = "--" + name.replace("_", "-")
        return f"{option} {value}" if value else option

    return _PARAMETER.sub(flag, message)


def note(line: str) -> None:
    """Prints a library note as ``Note: …`` on stderr, its parameters written as flags."""
    click.echo(f"Note: {as_flags(line)}", err=True)


class Failure(click.ClickException):
    """A library error shown as ``Error: …`` with the library's exit code."""

    def __init__(self, message: str, exit_code: int = 1):
        super().__init__(message)
        self.exit_code = exit_code


class Terminated(BaseException):
    """SIGTERM, raised in the main thread like Ctrl-C's KeyboardInterrupt."""


def _terminate(signum, frame):
    stopping.request(Terminated)  # raised again by training if TensorFlow loses this one
    raise Terminated()


def _interrupt(signum, frame):
    stopping.request(KeyboardInterrupt)
    raise KeyboardInterrupt


def _stopped(ctx, kind: type[BaseException]) -> None:
    """One line and the exit code of a stop by Ctrl-C (130) or SIGTERM (143)."""
    what, code = ("terminated", 143) if kind is Terminated else ("interrupted", 130)
    kept = ctx.meta.get("forecast.on_interrupt", "nothing was written")
    click.echo(f"Error: {what}; {kept}", err=True)
    ctx.exit(code)


class Group(click.Group):
    """Turns library errors, Ctrl-C and SIGTERM into one ``Error:`` line and an exit code."""

    def invoke(self, ctx):
        import signal

        from forecast.errors import ForecastError

        # SIGTERM unwinds like Ctrl-C: temporary files are removed, the old model is kept
        previous = signal.signal(signal.SIGTERM, _terminate)
        previous_int = signal.signal(signal.SIGINT, _interrupt)
        try:
            return super().invoke(ctx)
        except ForecastError as exc:
            if ctx.meta.get("forecast.debug"):
                raise
            raise Failure(as_flags(str(exc)), exc.exit_code) from None
        except (KeyboardInterrupt, Terminated) as exc:
            _stopped(ctx, type(exc))
        except Exception:
            # The handler's exception can come back mangled from TensorFlow's C++ (pybind11:
            # "MISMATCH of original and normalized active exception types", a RuntimeError);
            # the request recorded with it says what happened.
            requested = stopping.pending()
            if requested is None or ctx.meta.get("forecast.debug"):
                raise
            _stopped(ctx, requested)
        finally:
            signal.signal(signal.SIGTERM, previous)
            signal.signal(signal.SIGINT, previous_int)
            stopping.clear()
