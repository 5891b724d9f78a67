"""The validated result, :class:`SeriesData`, and the message helpers shared by the package."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from forecast.frequency import as_offset
from forecast.pool import Part


@dataclass(frozen=True)
class SeriesData:
    """Validated series, ready for windowing.

    Attributes:
        frames: One DataFrame per series: key ``None`` in wide format, the id (as
            ``str``) in long format. Index: sorted, unique, regular DatetimeIndex named
            ``time_col`` with ``.freq`` set; columns ``targets + covariates``, float64,
            finite, no NaN.
        time_col: Name of the time column in the input.
        id_col: Name of the id column (long format) or None.
        targets: Columns to forecast.
        covariates: Past covariates (known up to the forecast origin only).
        freq: Pandas offset alias, e.g. ``"MS"``, ``"h"``, ``"30min"``, ``"W-SAT"``.
        source: File path as given, or ``"<DataFrame>"``.
        report: Human sentences of what the gaps policy changed.
        part: Which part of a panel this is (:class:`forecast.pool.Part`), when it
            was loaded for one worker of several (``part=`` of the loaders); else None.

    Example:
        >>> import pandas as pd
        >>> from forecast.data import validate_frame
        >>> sd = validate_frame(pd.DataFrame(
        ...     {"ds": pd.date_range("2000", periods=4, freq="QS"), "y": [1, 2, 3, 4]}))
        >>> sd.freq, sd.ids, sd.lengths, sd.frames[None].index.freqstr
        ('QS-JAN', [None], {None: 4}, 'QS-JAN')
    """

    frames: dict[str | None, pd.DataFrame]
    time_col: str
    id_col: str | None
    targets: list[str]
    covariates: list[str]
    freq: str
    source: str
    report: list[str] = field(default_factory=list)
    part: Part | None = None

    @property
    def ids(self) -> list[str | None]:
        """Series keys in order (``[None]`` in wide format)."""
        return list(self.frames)

    @property
    def lengths(self) -> dict[str | None, int]:
        """Rows per series."""
        return {key: len(frame) for key, frame in self.frames.items()}

    @property
    def offset(self) -> pd.DateOffset:
        """``freq`` as a ``pandas.DateOffset``."""
        return as_offset(self.freq)

    @property
    def columns(self) -> list[str]:
        """``targets + covariates``: the columns of every frame."""
        return [*self.targets, *self.covariates]

    def future_index(self, key: str | None, horizon: int) -> pd.DatetimeIndex:
        """The ``horizon`` timestamps after the end of series ``key``.

        Example:
            >>> import pandas as pd
            >>> from forecast.data import validate_frame
            >>> sd = validate_frame(pd.DataFrame(
            ...     {"date": ["2020-01-01", "2020-02-01", "2020-03-01"], "y": [1, 2, 3]}))
            >>> [str(t.date()) for t in sd.future_index(None, 2)]
            ['2020-04-01', '2020-05-01']
        """
        index = self.frames[key].index
        return pd.date_range(
            index[-1] + self.offset, periods=horizon, freq=self.offset, name=index.name
        )

    def to_frame(self) -> pd.DataFrame:
        """All series in one DataFrame with the time (and id) as columns.

        Example:
            >>> import pandas as pd
            >>> from forecast.data import validate_frame
            >>> df = pd.DataFrame({"unique_id": ["a", "a", "b", "b"],
            ...                    "ds": ["2020-01-01", "2020-01-02"] * 2, "y": [1, 2, 3, 4]})
            >>> validate_frame(df, id_col="unique_id").to_frame().columns.tolist()
            ['unique_id', 'ds', 'y']
        """
        parts = []
        for key, frame in self.frames.items():
            part = frame.reset_index()
            if self.id_col is not None:
                part.insert(0, self.id_col, key)
            parts.append(part)
        return pd.concat(parts, ignore_index=True)


# --------------------------------------------------------------------------- helpers


class _Where:
    """Builds the ``source, series 'x', line N`` prefix of messages."""

    def __init__(self, source: str, lines: np.ndarray, word: str, key: str | None = None):
        self.source, self.lines, self.word, self.key = source, lines, word, key

    def series(self, key: str | None, lines: np.ndarray) -> _Where:
        return _Where(self.source, lines, self.word, key)

    def __call__(self, pos: int | None = None) -> str:
        parts = [self.source]
        if self.key is not None:
            parts.append(f"series {_quote(self.key)}")
        if pos is not None:
            parts.append(f"{self.word} {int(self.lines[pos])}")
        return ", ".join(parts)

    def line(self, pos: int) -> str:
        return f"{self.word} {int(self.lines[pos])}"


QUOTE_LIMIT = 100  # characters of user text a message quotes (then "…")
SOURCE_LIMIT = 200  # characters of a file name a message shows (its end)


def _quote(text: object, limit: int = QUOTE_LIMIT) -> str:
    """``repr`` of user text, cut after ``limit`` characters with ``…``; always one line.

    Example:
        >>> _quote("sales"), _quote("a" * 500, limit=5), _quote("two\\nlines")
        ("'sales'", "'aaaaa'…", "'two\\\\nlines'")
    """
    text = str(text)
    if len(text) <= limit:
        return repr(text)
    return repr(text[:limit]) + "…"


def _setting(name: str, value: object) -> str:
    """``name='value'``: a parameter as the message names it (single quotes, cut like _quote).

    Example:
        >>> _setting("freq", "xyz"), _setting("freq", "it's")
        ("freq='xyz'", "freq='it\\\\'s'")
    """
    quoted = _quote(value)
    if quoted.startswith('"'):  # repr chose double quotes: the text holds ' but no "
        head, _, tail = quoted.rpartition('"')
        quoted = "'" + head[1:].replace("'", "\\'") + "'" + tail
    return f"{name}={quoted}"


def _label(source: str, limit: int = SOURCE_LIMIT) -> str:
    """A file name as messages start with it: whole if short and printable, else its end.

    Example:
        >>> _label("data.csv"), _label("/x" * 200, limit=8), _label("new\\nline.csv")
        ('data.csv', '…/x/x/x/x', 'new\\\\nline.csv')
    """
    text = str(source)
    if not text.isprintable():
        text = repr(text)[1:-1]
    return text if len(text) <= limit else "…" + text[-limit:]


def _bare(name: object) -> str:
    """A name as lists show it: as is when short and printable, else ``_quote``."""
    text = str(name)
    return text if len(text) <= QUOTE_LIMIT and text.isprintable() else _quote(text)


def _names(columns: Sequence[object], limit: int = 12, show: Callable = _bare) -> str:
    """``a, b, c`` (the first ``limit`` names, each through ``show``, then how many more)."""
    shown = ", ".join(show(c) for c in columns[:limit])
    more = len(columns) - limit
    return f"{shown}, ... ({more} more)" if more > 0 else shown


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _stamp(ts: pd.Timestamp) -> str:
    """A timestamp as short as it can be written (also outside Python's years 1 to 9999).

    Example:
        >>> _stamp(pd.Timestamp("2020-01-31")), _stamp(pd.Timestamp("-5000-01-01 03:00"))
        ('2020-01-31', '-5000-01-01 03:00:00')
    """
    text = str(ts)
    return text.removesuffix(" 00:00:00") if ts.tz is None else text
