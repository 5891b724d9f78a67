"""Where every output file of ``forecast`` is written: atomically, or in place.

Rules of :func:`write_text` and :func:`write_with`:

* A regular file, or a path that does not exist yet, is replaced atomically: the
  bytes go to a hidden sibling ``.NAME.XXXXXXXX.tmp``, are fsync'ed, and
  ``os.replace`` puts it over the target. On any failure (KeyboardInterrupt too)
  the temporary file is removed and the old file is left as it was.
* Anything else (``-`` for stdout, a device such as ``/dev/null``, ``/dev/full``
  or ``/dev/stdout``, a FIFO) is written in place, never replaced; so is a file
  named through ``/proc/PID/fd`` (``/dev/stdout`` with ``> file``), appended to.
* A symlink's target is written (replaced if regular); the link stays a link.
* An existing file keeps its permission bits (not its owner or hard links). A
  file without any write bit (mode 0444) is refused, even for root, rather than
  replaced behind the user's back; so is a file the user may not write.
* Errors are one line naming the path and what to do: :class:`OutputError`
  (exit 2) when the path cannot be written (missing directory, permission, a
  directory, a read-only file), :class:`WriteFailedError` (exit 1) when writing
  fails (no space left on device, closed pipe, I/O error).

:func:`to_csv` and :func:`to_json` render a table for these files: CSV with
spreadsheet formulas defused, JSON with floats at full precision.

Example:
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "forecast.csv")
    >>> write_text(path, "date,y\\n2024-01-01,1.5\\n")
    >>> open(path).read()
    'date,y\\n2024-01-01,1.5\\n'
"""

from __future__ import annotations

import contextlib
import errno
import json
import math
import os
import re
import secrets
import stat
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from forecast.errors import OutputError, WriteFailedError

__all__ = ["to_csv", "to_json", "write_text", "write_with"]

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\Z")
"""Text cells starting with one of these get a leading ``'`` in :func:`to_csv` (OWASP)."""


def write_text(path: str | os.PathLike, text: str) -> None:
    """Writes ``text`` (UTF-8) to ``path``, or to stdout when ``path`` is ``"-"``.

    Args:
        path: The output file, ``"-"`` for stdout, or a device or FIFO.
        text: What to write.

    Raises:
        OutputError: The path cannot be written (exit 2).
        WriteFailedError: Writing failed, e.g. no space left on device (exit 1).

    Example:
        >>> write_text("/dev/null", "discarded\\n")
        >>> write_text("-", "to stdout\\n")
        to stdout
    """
    _write(os.fspath(path), None, "", text)


def write_with(path: str | os.PathLike, write: Callable[[Path], None], suffix: str = "") -> None:
    """Lets ``write`` create the file at a temporary path, then puts it at ``path``.

    For writers that need a file name, such as matplotlib's ``savefig``: a
    regular target is replaced by the temporary file, a non-regular one gets its
    bytes copied in. Exceptions of ``write`` pass through, except OSErrors about
    the temporary file (disk full), which become the errors below.

    Args:
        path: The output file, ``"-"`` for stdout, or a device or FIFO.
        write: Called once with the temporary path; creates that file.
        suffix: Suffix of the temporary path, e.g. ``".png"`` to pick the format.

    Raises:
        OutputError: The path cannot be written (exit 2).
        WriteFailedError: Writing failed, e.g. no space left on device (exit 1).

    Example:
        >>> write_with("/dev/null", lambda tmp: tmp.write_bytes(b"\\x89PNG"), ".png")
    """
    _write(os.fspath(path), write, suffix, None)


def to_csv(table: pd.DataFrame, *, escape_formulas: bool = True) -> str:
    """Renders ``table`` as CSV (no index) with spreadsheet formulas defused.

    Text cells and column names starting with ``=``, ``+``, ``-``, ``@``, tab or
    carriage return get a leading ``'``, so that a spreadsheet shows them as
    text instead of running them; a signed number written as text (an id ``-1``) is
    no formula and is left alone, as are numeric columns.

    Args:
        table: The table; reset the index first if it should be written.
        escape_formulas: Prefix formula-like text cells with ``'``.

    Returns:
        The CSV text, one line per row, ``\\n`` line ends.

    Example:
        >>> t = pd.DataFrame({"id": ["=1+2", "-1"], "y": [-1.5, 2.0]})
        >>> print(to_csv(t), end="")
        id,y
        '=1+2,-1.5
        -1,2.0
    """
    if escape_formulas:
        table = table.copy()
        for i in range(table.shape[1]):
            cells = table.iloc[:, i]
            if pd.api.types.is_object_dtype(cells) or pd.api.types.is_string_dtype(cells):
                table.isetitem(i, cells.map(_escape, na_action="ignore").astype(object))
        table.columns = [_escape(c) for c in table.columns]
    return table.to_csv(index=False, lineterminator="\n")


def to_json(table: pd.DataFrame) -> str:
    """Renders ``table`` as a JSON list of records with floats at full precision.

    Floats are Python's ``repr`` (they read back exactly); NaN, infinities and
    missing values are ``null``; timestamps are ISO 8601 with milliseconds (or
    finer parts, when they have them). Indent 2, ASCII, a final newline.

    Args:
        table: The table; reset the index first if it should be written.

    Returns:
        The JSON text.

    Example:
        >>> t = pd.DataFrame({"date": pd.to_datetime(["2024-01-01"]), "y": [1e-12]})
        >>> print(to_json(t), end="")
        [
          {
            "date": "2024-01-01T00:00:00.000",
            "y": 1e-12
          }
        ]
    """
    names = [str(c) for c in table.columns]
    records = [
        dict(zip(names, map(_json_value, row), strict=True))
        for row in table.itertuples(index=False, name=None)
    ]
    return json.dumps(records, indent=2, allow_nan=False, default=str) + "\n"


def _escape(value):
    # a signed number (an id "-1") is a number to a spreadsheet, not a formula: kept as written
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES) and not _NUMBER.match(value):
        return "'" + value
    return value


def _json_value(value):
    if isinstance(value, float):  # numpy floats are floats too
        return float(value) if math.isfinite(value) else None
    if value is None or value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, pd.Timestamp):
        fine = value.microsecond % 1000 or value.nanosecond
        return value.isoformat() if fine else value.isoformat(timespec="milliseconds")
    if hasattr(value, "item"):  # numpy integers, booleans, floats
        return _json_value(value.item())
    return value


def _write(name: str, write, suffix: str, text: str | None) -> None:
    """Writes ``name`` atomically or in place, following the module's rules."""
    try:
        st = None if name == "-" else os.stat(name)  # follows symlinks
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise _error(name, exc) from None
    if name.endswith(os.sep) or st is not None and stat.S_ISDIR(st.st_mode):
        raise OutputError(f"cannot write {name!r}: it is a directory; give a file name")
    if name == "-" or st is not None and (not stat.S_ISREG(st.st_mode) or _is_descriptor(name)):
        return _in_place(name, write, suffix, text)
    target = os.path.realpath(name)
    if st is not None and not (st.st_mode & 0o222 and os.access(target, os.W_OK)):
        why = "read-only" if not st.st_mode & 0o222 else "not writable by you"
        raise OutputError(
            f"cannot write {name!r}: the file is {why}; make it writable or choose another name"
        )
    directory, base = os.path.split(target)
    tmp = os.path.join(directory, f".{base}.{secrets.token_hex(4)}.tmp{suffix}")
    parent = directory if os.path.islink(name) else None
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC
    try:
        _os(name, os.close, _os(name, os.open, tmp, flags, 0o666, parent=parent))
        if text is not None:
            _os(name, Path(tmp).write_text, text, "utf-8")
        else:
            _os(name, write, Path(tmp), writer=True)
        fd = _os(name, os.open, tmp, os.O_RDONLY | os.O_CLOEXEC)
        try:
            if st is not None:  # the old file's bits, whatever the umask
                _os(name, os.fchmod, fd, stat.S_IMODE(st.st_mode))
            _os(name, os.fsync, fd)
        finally:
            os.close(fd)
        _os(name, os.replace, tmp, target)
    finally:
        if os.path.lexists(tmp):
            os.unlink(tmp)
    with contextlib.suppress(OSError):  # make the rename durable, where possible
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _in_place(name: str, write, suffix: str, text: str | None) -> None:
    """Writes into ``name`` without replacing it (stdout, a device, a FIFO)."""
    data = text.encode("utf-8") if text is not None else None
    if data is None:
        with tempfile.TemporaryDirectory(prefix="forecast-") as scratch:
            tmp = Path(scratch, "output" + suffix)
            _os(name, write, tmp, writer=True)
            data = _os(name, tmp.read_bytes)
    if name == "-":
        try:
            if text is not None:
                sys.stdout.write(text)
            else:
                sys.stdout.flush()
                sys.stdout.buffer.write(data)
                sys.stdout.buffer.flush()
            sys.stdout.flush()
        except OSError as exc:
            _silence_stdout()
            raise _error(name, exc) from None
        return
    # no O_CREAT (it exists), no O_TRUNC; O_APPEND keeps a `>> log` behind /dev/stdout
    fd = _os(name, os.open, name, os.O_WRONLY | os.O_APPEND | os.O_CLOEXEC)
    try:
        view = memoryview(data)
        while view:
            view = view[_os(name, os.write, fd, view) :]
    finally:
        os.close(fd)


def _is_descriptor(name: str) -> bool:
    """Whether ``name``, or a link on its way, is /proc/PID/fd/N (as /dev/stdout is)."""
    path = os.path.abspath(name)
    with contextlib.suppress(OSError):
        for _ in range(40):  # the kernel's limit of links in a row
            if re.fullmatch(r"/proc/[^/]+/fd", os.path.realpath(os.path.dirname(path))):
                return True
            if not os.path.islink(path):
                return False
            path = os.path.join(os.path.dirname(path), os.readlink(path))
    return False


def _os(name: str, function, *args, parent: str | None = None, writer: bool = False):
    """Calls ``function(*args)``; an OSError (of a writer: about its file) becomes ours."""
    try:
        return function(*args)
    except OSError as exc:
        if writer and exc.filename not in (None, os.fspath(args[0])):
            raise
        raise _error(name, exc, parent) from None


def _silence_stdout() -> None:
    """After a failed write to stdout, points fd 1 at /dev/null so exit does not fail again."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


def _error(name: str, exc: OSError, parent: str | None = None) -> OutputError:
    """The one-line error for ``exc`` raised while writing ``name``."""
    what = "to stdout" if name == "-" else repr(name)
    parent = parent or os.path.dirname(name) or "."
    code = exc.errno
    if code == errno.ENOENT and os.path.isdir(parent):  # e.g. /proc takes no new files
        return OutputError(
            f"cannot write {what}: cannot create files in {parent!r}; choose another path"
        )
    if code in _REASONS:
        cls, reason = _REASONS[code]
        return cls(f"cannot write {what}: " + reason.replace("{parent}", repr(parent)))
    cls = OutputError if code in _PATH_ERRNOS else WriteFailedError
    reason = os.strerror(code).lower() if code else str(exc)
    return cls(f"cannot write {what}: {reason}; choose another path")


_SPACE, _ELSEWHERE = "; free some space or write elsewhere", " or choose another path"
_REASONS = {
    errno.ENOSPC: (WriteFailedError, "no space left on device" + _SPACE),
    errno.EDQUOT: (WriteFailedError, "disk quota exceeded" + _SPACE),
    errno.EPIPE: (WriteFailedError, "the reader closed the pipe"),
    errno.ENOENT: (OutputError, "directory {parent} does not exist; create it" + _ELSEWHERE),
    errno.ENOTDIR: (OutputError, "{parent} is not a directory; choose another path"),
    errno.EACCES: (OutputError, "permission denied; choose a path you can write to"),
    errno.EPERM: (OutputError, "permission denied; choose a path you can write to"),
    errno.EROFS: (OutputError, "read-only file system; choose another path"),
}
_PATH_ERRNOS = {errno.EISDIR, errno.ENAMETOOLONG, errno.ELOOP, errno.ENXIO}
