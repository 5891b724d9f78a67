"""Opening a CSV file: encoding, compression, delimiter sniffing, the file line of each row.

The work is linear in the size of the file: pandas parses the rows; the header is split
and named by :mod:`forecast.data.records` (pandas' own naming of repeated names is
quadratic), and a file whose header is its only line stops there.
"""

from __future__ import annotations

import bz2
import csv
import functools
import gzip
import io
import lzma
import re
import zipfile
import zlib
from pathlib import Path

import numpy as np
import pandas as pd

from forecast.data.inference import _norm
from forecast.data.records import (
    _column_names,
    _count_lines,
    _Header,
    _read_header,
    _record_starts,
)
from forecast.data.series import _part_mask
from forecast.errors import DataError

_SEPARATORS = ",;\t|"
_SNIFF_CHARS = 65_536
_MANY_COLUMNS = 64
# pandas' default missing-value strings (pandas._libs.parsers.STR_NA_VALUES), listed so
# that every column but the id column keeps them when the id column reads them as ids.
_NA_STRINGS = (
    "",
    "#N/A",
    "#N/A N/A",
    "#NA",
    "-1.#IND",
    "-1.#QNAN",
    "-NaN",
    "-nan",
    "1.#IND",
    "1.#QNAN",
    "<NA>",
    "N/A",
    "NA",
    "NULL",
    "NaN",
    "None",
    "n/a",
    "nan",
    "null",
)
# what reading a damaged, compressed or odd file can raise (besides pandas' own errors)
_READ_ERRORS = (
    OSError,
    EOFError,
    ValueError,
    ImportError,
    RuntimeError,
    MemoryError,
    OverflowError,
    zipfile.BadZipFile,
    lzma.LZMAError,
    zlib.error,
    csv.Error,
)


def _open_binary(path: Path):
    """Open a possibly compressed file as bytes (a zip archive: its first member)."""
    name = path.name.lower()
    if name.endswith(".gz"):
        return gzip.open(path, "rb")
    if name.endswith(".bz2"):
        return bz2.open(path, "rb")
    if name.endswith(".xz"):
        return lzma.open(path, "rb")
    if name.endswith(".zip"):
        with zipfile.ZipFile(path) as archive:
            members = archive.namelist()
            if not members:
                raise zipfile.BadZipFile("the archive holds no file")
            return archive.open(members[0])  # stays readable after the archive closes
    return open(path, "rb")


def _open_text(path: Path, encoding: str) -> io.TextIOWrapper:
    """Open a possibly compressed file as text, line endings untouched."""
    return io.TextIOWrapper(_open_binary(path), encoding=encoding, newline="")


def _oneline(text: str, limit: int = 200) -> str:
    """A library's message on one line, cut after ``limit`` characters."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit] + "…"


def _cannot_read(source: str, exc: BaseException) -> DataError:
    return DataError(f"{source}: cannot read the file ({_oneline(exc)}); check it is a CSV file")


def _sample(path: Path, source: str) -> tuple[str, str]:
    """First 64 KB of text and the encoding that decodes it."""
    for encoding in ("utf-8-sig", "latin-1"):
        try:
            with _open_text(path, encoding) as handle:
                return handle.read(_SNIFF_CHARS), encoding
        except UnicodeDecodeError:
            continue
        except _READ_ERRORS as exc:
            raise _cannot_read(source, exc) from None
    raise AssertionError("latin-1 decodes every byte")  # pragma: no cover


def _not_a_csv(path: Path, source: str) -> None:
    """Refuses, by their first bytes, the files that spreadsheets save beside CSV: a
    workbook (a zip archive) and UTF-16 text ("Unicode Text"), with what to do instead."""
    try:
        with _open_binary(path) as handle:
            start = handle.read(4)
    except _READ_ERRORS:
        return  # the reading itself reports it
    if start.startswith(b"PK\x03\x04"):
        raise DataError(
            f"{source}: is a zip archive (an Excel workbook?), not a CSV file; save the sheet "
            "as CSV (UTF-8)"
        )
    if start.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise DataError(
            f"{source}: is UTF-16 text (a spreadsheet's 'Unicode Text'); save it as CSV (UTF-8)"
        )


def _sniff_sep(sample: str) -> str:
    """The delimiter: csv.Sniffer on the first lines, else the header's most common."""
    lines = [line for line in sample.splitlines() if line.strip()]
    if len(sample) >= _SNIFF_CHARS:
        lines = lines[:-1]  # the last line may be cut
    lines = lines[:100]
    if not lines:
        return ","
    header = lines[0]
    try:
        sep = csv.Sniffer().sniff("\n".join(lines), delimiters=_SEPARATORS).delimiter
        if sep in header:
            return sep
    except csv.Error:
        pass
    counts = {sep: header.count(sep) for sep in _SEPARATORS}
    best = max(counts, key=counts.__getitem__)
    return best if counts[best] else ","


def _read_csv(
    path: Path,
    source: str,
    id_col: str | None = None,
    time_col: str | None = None,
    part: tuple[int, int] | None = None,
) -> tuple[pd.DataFrame, np.ndarray, str, object]:
    """Read the file; returns the frame, the file line of each row, the delimiter and
    ``part`` (a :class:`~forecast.pool.Part` when only that part's rows were read).

    The id column (``id_col``, else a column named like ``unique_id`` that is not
    ``time_col``) is read as text without missing-value words: ``NA`` is an id. With
    ``part`` (``(index, workers)``) and an id column, the id column is read first, then
    only the rows of the part's series (:func:`_read_part`).
    """
    if not path.exists():
        raise DataError(f"{source}: file not found; check the path")
    if path.is_dir():
        raise DataError(f"{source}: is a directory, not a CSV file")
    _not_a_csv(path, source)
    sample, encoding = _sample(path, source)
    if not sample.strip():
        raise DataError(f"{source}: the file is empty; expected a header line and data rows")
    if re.match(r"sep=.\s*(?:\n|$)", sample):
        raise DataError(
            f"{source}, line 1: {_oneline(sample.splitlines()[0])!r} is a spreadsheet's hint "
            "line, not the header; delete that line"
        )
    sep = _sniff_sep(sample)
    try:
        return _read(path, source, sep, encoding, id_col, time_col, part)
    except UnicodeDecodeError:  # UTF-8 at the start only: the file is Latin-1
        return _read(path, source, sep, "latin-1", id_col, time_col, part)


def _read(
    path: Path,
    source: str,
    sep: str,
    encoding: str,
    id_col: str | None,
    time_col: str | None,
    part=None,
) -> tuple[pd.DataFrame, np.ndarray, str, object]:
    header = _header(path, source, sep, encoding)
    names = _column_names(header.fields)
    text_col = _text_column(names, id_col, time_col)
    options = {}
    if text_col is not None:
        na = list(_NA_STRINGS)
        options = {
            "keep_default_na": False,
            "na_values": {name: na for name in names if name != text_col},
            "dtype": {text_col: object},
        }
    read = functools.partial(
        pd.read_csv,
        path,
        sep=sep,
        encoding=encoding,
        compression="infer",
        header=None,
        names=names,
        skip_blank_lines=False,
        skipinitialspace=True,
        low_memory=False,
        **options,
    )
    try:
        if part is not None and text_col is not None:
            df, positions, records, part = _read_part(read, text_col, part, source)
        else:
            df = read(skiprows=1)
            positions, records = np.arange(len(df)), len(df)
    except pd.errors.EmptyDataError:
        raise DataError(
            f"{source}: the file is empty; expected a header line and data rows"
        ) from None
    except pd.errors.ParserError as exc:
        raise _parser_error(exc, path, source, sep, encoding) from None
    except (UnicodeDecodeError, DataError):
        raise
    except _READ_ERRORS as exc:
        raise _cannot_read(source, exc) from None
    if df.shape[1] > _MANY_COLUMNS:  # one block per dtype: later steps work per block
        df = df.copy()
    if text_col is not None and text_col in df.columns:  # an empty field is still no id
        df[text_col] = _no_empty(df[text_col])
    lines = _row_lines(path, sep, encoding, header.span, records)[positions]
    # a blank row: empty in every column, the ids aside (a sheet's ids filled down past
    # its data, or onto a blank line, make no row)
    others = df.columns
    if text_col is not None and text_col in others:
        others = others.drop(text_col)
    blank = np.zeros(len(df), dtype=bool)
    if len(others):
        blank = df[others[0]].isna().to_numpy().copy()  # empty in the first column...
    if blank.any():  # ... and in all the others
        blank[blank] = df.loc[blank, others].isna().all(axis=1).to_numpy()
    if blank.any():
        df, lines = df.loc[~blank], lines[~blank]
    if len(df) == 0:
        raise DataError(f"{source}: no data rows after the header (line 1); add rows below it")
    return df, lines, sep, part


def _no_empty(ids: pd.Series) -> pd.Series:
    """The ids with empty fields as missing (categorical ids stay categorical)."""
    if isinstance(ids.dtype, pd.CategoricalDtype):
        return ids.cat.remove_categories([""]) if "" in ids.cat.categories else ids
    return ids.where(ids.astype(str) != "", np.nan)


def _read_part(read, text_col: str, part, source: str):
    """``(frame, row positions, rows in the file, Part)``: the id column read whole (as
    categories: one code per row, not one string), then only the records of the part's
    series and those without an id. pandas infers each column's type from the part's
    rows: the same values as a whole read unless the column holds text in another part's
    rows (then it is text, converted later)."""
    # low_memory: the tokenizer works in chunks (one column of one type: no mixed types)
    first = read(skiprows=1, usecols=[text_col], dtype={text_col: "category"}, low_memory=True)
    keep, found = _part_mask(_no_empty(first[text_col]), part, source)
    records = len(first)
    del first
    by_record = np.concatenate([[False], keep])  # record 0 is the header
    df = read(skiprows=lambda record: record >= len(by_record) or not by_record[record])
    return df, np.flatnonzero(keep), records, found


def _header(path: Path, source: str, sep: str, encoding: str) -> _Header:
    """The header record; raises when the file has nothing else (or nothing at all)."""
    try:
        with _open_text(path, encoding) as handle:
            header = _read_header(handle, sep)
    except UnicodeDecodeError:
        raise
    except _READ_ERRORS as exc:
        raise _cannot_read(source, exc) from None
    if header is None:
        raise DataError(f"{source}: the file is empty; expected a header line and data rows")
    if not header.fields:
        raise DataError(
            f"{source}, line 1: the first line is blank; put the column names (the header) on it"
        )
    if header.unclosed:
        raise DataError(
            f"{source}, line 1: a quoted field is not closed before the end of the file; "
            'close its quote (") or remove it'
        )
    if not header.more:
        raise DataError(f"{source}: no data rows after the header (line 1); add rows below it")
    return header


def _text_column(names: list[str], id_col: str | None, time_col: str | None) -> str | None:
    """The column read as text ids: ``id_col``, else the first named like ``unique_id``."""
    if id_col is not None:
        return id_col if id_col in names else None
    return next((n for n in names if _norm(n) == "unique_id" and n != time_col), None)


def _row_lines(path: Path, sep: str, encoding: str, span: int, n_rows: int) -> np.ndarray:
    """The file line of each row: consecutive unless a quoted field holds line breaks."""
    simple = np.arange(span + 1, span + 1 + n_rows)
    try:
        with _open_binary(path) as handle:
            if _count_lines(handle) == span + n_rows:
                return simple
        with _open_text(path, encoding) as handle:
            starts = _record_starts(handle, sep)
    except _READ_ERRORS:  # pragma: no cover - pandas has just read the same file
        return simple
    return starts[1:] if len(starts) == n_rows + 1 else simple


def _record_line(path: Path, sep: str, encoding: str, record: int) -> int:
    """The file line on which record ``record`` (1-based, the header is 1) starts."""
    try:
        with _open_text(path, encoding) as handle:
            starts = _record_starts(handle, sep, stop=record)
    except (UnicodeDecodeError, *_READ_ERRORS):
        return record
    return int(starts[record - 1]) if len(starts) >= record else record


def _parser_error(
    exc: pd.errors.ParserError, path: Path, source: str, sep: str, encoding: str
) -> DataError:
    """pandas' tokenizer error as a message naming the file line."""
    text = str(exc)
    match = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", text)
    if match:
        want, record, saw = (int(g) for g in match.groups())
        line = _record_line(path, sep, encoding, record)
        return DataError(
            f"{source}, line {line}: expected {want} fields, saw {saw}; "
            f"quote values that contain the delimiter {sep!r}"
        )
    match = re.search(r"EOF inside string starting at row (\d+)", text)
    if match:
        line = _record_line(path, sep, encoding, int(match.group(1)) + 1)
        return DataError(
            f"{source}, line {line}: a quoted field is not closed before the end of the file; "
            'close its quote (") or remove it'
        )
    return DataError(f"{source}: cannot parse the CSV ({_oneline(text)})")
