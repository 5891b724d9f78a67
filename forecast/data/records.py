"""The records of a CSV file: its header (named as pandas names it) and where each record starts.

pandas tokenizes the data; this module reads what pandas does not tell, in time linear in
the file: the header fields (with :mod:`csv`, which splits a record as pandas' C parser
does), the column names pandas would give them (``Unnamed: N``, ``x.1`` for a second
``x``) and the file line on which each record starts when a quoted field holds line breaks.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np

_CHUNK = 1 << 20
_FIELD_LIMIT = 2**31 - 1  # csv's default (131072 characters) is smaller than some headers


@contextmanager
def _no_field_limit() -> Iterator[None]:
    """Lift :mod:`csv`'s field size limit for the duration (a header may be megabytes)."""
    old = csv.field_size_limit(_FIELD_LIMIT)
    try:
        yield
    finally:
        csv.field_size_limit(old)


def _reader(handle: io.TextIOBase, sep: str, strict: bool = False):
    return csv.reader(handle, delimiter=sep, quotechar='"', skipinitialspace=True, strict=strict)


@dataclass(frozen=True)
class _Header:
    """The first record of a file.

    Attributes:
        fields: Its fields as written (quotes removed); ``[]`` for a blank first line.
        span: How many file lines it covers (more than 1 when a quoted name holds a break).
        more: Whether a record that is not a blank line follows.
        unclosed: Whether a quote opened in it is still open at the end of the file.
    """

    fields: list[str]
    span: int
    more: bool
    unclosed: bool = False


def _read_header(handle: io.TextIOBase, sep: str) -> _Header | None:
    """The header of the text in ``handle`` (None for an empty file).

    Example:
        >>> _read_header(io.StringIO('date, "y"\\n\\n2020,1\\n'), ",")
        _Header(fields=['date', 'y'], span=1, more=True, unclosed=False)
    """
    reader = _reader(handle, sep)
    with _no_field_limit():
        fields = next(reader, None)
        if fields is None:
            return None
        span = reader.line_num
        more = any(row for row in reader)
    unclosed = False
    if not more and span > 1:  # the rest of the file may be one unclosed quoted field
        handle.seek(0)
        try:
            with _no_field_limit():
                next(_reader(handle, sep, strict=True), None)
        except csv.Error as exc:
            unclosed = "end of data" in str(exc)
    return _Header(fields, span, more, unclosed)


def _column_names(fields: list[str]) -> list[str]:
    """The names pandas gives header fields, found in linear time.

    Empty fields become ``Unnamed: <position>``; a name seen before gets the first free
    suffix ``.1``, ``.2``... (named columns first, then the unnamed ones), as
    ``pandas.read_csv`` does, whose own loop is quadratic in the number of duplicates.

    Example:
        >>> _column_names(["x", "x", "x.1", "", "y", "y"])
        ['x', 'x.2', 'x.1', 'Unnamed: 3', 'y', 'y.1']
    """
    names = [name if name != "" else f"Unnamed: {i}" for i, name in enumerate(fields)]
    unnamed = [i for i, name in enumerate(fields) if name == ""]
    skip = set(unnamed)
    present = Counter(names)  # the names as they stand, for pandas' ``col in names``
    counts: dict[str, int] = {}
    for i in [*(i for i in range(len(names)) if i not in skip), *unnamed]:
        col = old = names[i]
        count = counts.get(col, 0)
        while count > 0:
            counts[old] = count + 1
            col = f"{old}.{count}"
            count = count + 1 if present[col] else counts.get(col, 0)
        present[old] -= 1
        present[col] += 1
        names[i] = col
        counts[col] = count + 1
    return names


def _count_lines(handle: io.BufferedIOBase) -> int:
    """File lines in a binary stream: ``\\n``, ``\\r\\n`` and ``\\r`` end one (as editors count).

    Example:
        >>> _count_lines(io.BytesIO(b"a\\r\\nb\\rc\\n\\nd"))
        5
    """
    lines, last, cr = 0, b"", False
    for chunk in iter(lambda: handle.read(_CHUNK), b""):
        lines += chunk.count(b"\n") + chunk.count(b"\r") - chunk.count(b"\r\n")
        if cr and chunk[:1] == b"\n":
            lines -= 1
        cr, last = chunk[-1:] == b"\r", chunk[-1:]
    return lines + (last not in (b"", b"\n", b"\r"))


def _record_starts(handle: io.TextIOBase, sep: str, stop: int | None = None) -> np.ndarray:
    """The file line (1-based) on which each record starts, header included.

    Example:
        >>> _record_starts(io.StringIO('a,b\\n"x\\ny",1\\n\\nz,2\\n', newline=""), ",")
        array([1, 2, 4, 5])
    """
    starts: list[int] = []
    reader = _reader(handle, sep)
    end = 0
    with _no_field_limit():
        for _ in reader:
            starts.append(end + 1)
            end = reader.line_num
            if stop is not None and len(starts) >= stop:
                break
    return np.asarray(starts, dtype=np.int64)
