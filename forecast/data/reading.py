"""Opening a CSV file: encoding, compression, delimiter sniffing, the file line of each row."""

from __future__ import annotations

import bz2
import csv
import gzip
import io
import lzma
import re
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from forecast.errors import DataError

_SEPARATORS = ",;\t|"
_SNIFF_CHARS = 65_536


def _open_text(path: Path, encoding: str):
    """Open a possibly compressed file as text (for sniffing only)."""
    name = path.name.lower()
    if name.endswith(".gz"):
        return gzip.open(path, "rt", encoding=encoding, newline="")
    if name.endswith(".bz2"):
        return bz2.open(path, "rt", encoding=encoding, newline="")
    if name.endswith(".xz"):
        return lzma.open(path, "rt", encoding=encoding, newline="")
    if name.endswith(".zip"):
        with zipfile.ZipFile(path) as archive:
            member = archive.read(archive.namelist()[0])[: 4 * _SNIFF_CHARS]
        return io.StringIO(
            member.decode(encoding, errors="strict" if encoding != "latin-1" else "replace"),
            newline="",
        )
    return open(path, encoding=encoding, newline="")


def _sample(path: Path, source: str) -> tuple[str, str]:
    """First 64 KB of text and the encoding that decodes it."""
    for encoding in ("utf-8-sig", "latin-1"):
        try:
            with _open_text(path, encoding) as handle:
                return handle.read(_SNIFF_CHARS), encoding
        except UnicodeDecodeError:
            continue
        except (OSError, EOFError, zipfile.BadZipFile, lzma.LZMAError) as exc:
            raise DataError(
                f"{source}: cannot read the file ({exc}); check it is a CSV file"
            ) from None
    raise AssertionError("latin-1 decodes every byte")  # pragma: no cover


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


def _read_csv(path: Path, source: str) -> tuple[pd.DataFrame, np.ndarray, str]:
    """Read the file; returns the frame, the file line of each row, the delimiter."""
    if not path.exists():
        raise DataError(f"{source}: file not found; check the path")
    if path.is_dir():
        raise DataError(f"{source}: is a directory, not a CSV file")
    sample, encoding = _sample(path, source)
    if not sample.strip():
        raise DataError(f"{source}: the file is empty; expected a header line and data rows")
    sep = _sniff_sep(sample)
    try:
        df = pd.read_csv(
            path,
            sep=sep,
            encoding=encoding,
            compression="infer",
            skip_blank_lines=False,
            skipinitialspace=True,
            low_memory=False,
        )
    except pd.errors.EmptyDataError:
        raise DataError(
            f"{source}: the file is empty; expected a header line and data rows"
        ) from None
    except pd.errors.ParserError as exc:
        match = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(exc))
        if match:
            want, line, saw = match.groups()
            raise DataError(
                f"{source}, line {line}: expected {want} fields, saw {saw}; "
                f"quote values that contain the delimiter {sep!r}"
            ) from None
        raise DataError(f"{source}: cannot parse the CSV ({str(exc).strip()})") from None
    lines = np.arange(2, len(df) + 2)
    blank = df.isna().all(axis=1).to_numpy()
    if blank.any():
        df, lines = df.loc[~blank], lines[~blank]
    if len(df) == 0:
        raise DataError(f"{source}: no data rows after the header (line 1); add rows below it")
    return df, lines, sep
