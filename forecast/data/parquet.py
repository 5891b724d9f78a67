"""Parquet files (pyarrow), in which large panels in long format are stored, and
:func:`load_data`, which reads a CSV or a Parquet file by its suffix.

The file is read whole into a DataFrame (pyarrow's own reader, typed columns: no
sniffing, no text to numbers); the same validation as for a CSV follows. Messages
cite ``row N``, counting the first data row as row 1.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from forecast.data.container import SeriesData, _label
from forecast.data.gaps import _check_gaps
from forecast.data.reading import _text_column
from forecast.data.series import _part_mask
from forecast.data.validate import _validate, load_csv
from forecast.errors import DataError

PARQUET_SUFFIXES = (".parquet", ".pq")
_BATCH_ROWS = 65_536  # rows per batch when reading one worker's part


def is_parquet(path: str | Path) -> bool:
    """Whether ``path`` names a Parquet file (by its suffix, any case)."""
    return Path(path).suffix.lower() in PARQUET_SUFFIXES


def _read_parquet(
    path: Path, label: str, part=None, id_col: str | None = None, time_col: str | None = None
) -> tuple[pd.DataFrame, np.ndarray, object]:
    """The table, the row number (from 1) of each of its rows, and ``part``.

    With ``part`` (``(index, workers)``) and an id column known from the schema (``id_col``,
    else one named like ``unique_id``), only the id column is read whole; then only the
    rows of the part (:func:`_part_rows`), and ``part`` becomes the
    :class:`~forecast.pool.Part` found.
    """
    try:
        import pyarrow.parquet as pq
    except ImportError:  # pragma: no cover - pyarrow is a dependency
        raise DataError(f"{label}: reading Parquet needs pyarrow; pip install pyarrow") from None
    try:
        schema = None if part is None else pq.read_schema(path)
        name = None if schema is None else _text_column(schema.names, id_col, time_col)
        if name is None:
            df, numbers = pq.read_table(path).to_pandas(), None
        else:
            df, numbers, part = _part_rows(pq, path, schema.field(name).type, name, part, label)
    except FileNotFoundError:
        raise DataError(f"{label}: no such file") from None
    except DataError:  # from the part's ids: already one line for the user
        raise
    except (OSError, ValueError, TypeError, MemoryError) as exc:  # pyarrow.ArrowException too
        text = " ".join(str(exc).split())[:200]
        raise DataError(
            f"{label}: cannot read the file ({text}); check it is a Parquet file"
        ) from None
    # an index written by pandas (other than the time, which validation takes as a column)
    # becomes columns again: e.g. a table indexed by (id, time)
    if not isinstance(df.index, pd.RangeIndex | pd.DatetimeIndex | pd.PeriodIndex):
        df = df.reset_index()
    if numbers is None:
        numbers = np.arange(1, len(df) + 1)
    return df, numbers, part


def _part_rows(pq, path: Path, kind, name: str, part, label: str):
    """``(table, row numbers, Part)`` of one worker's series: the id column ``name`` (of
    Arrow type ``kind``) read whole, text as categories, then the file batch by batch,
    keeping the part's rows."""
    import pyarrow as pa

    text = pa.types.is_string(kind) or pa.types.is_large_string(kind)
    column = pq.read_table(path, columns=[name], read_dictionary=[name] if text else None)
    keep, found = _part_mask(column.column(name).to_pandas(), part, label)
    del column
    handle = pq.ParquetFile(path)
    batches, start = [], 0
    for batch in handle.iter_batches(batch_size=_BATCH_ROWS):
        mask = keep[start : start + batch.num_rows]
        start += batch.num_rows
        if mask.any():
            batches.append(batch.filter(pa.array(mask)))
    table = pa.Table.from_batches(batches, schema=handle.schema_arrow)
    return table.to_pandas(), np.flatnonzero(keep) + 1, found


def load_parquet(
    path: str | os.PathLike,
    *,
    time_col: str | None = None,
    target: str | Sequence[str] | None = None,
    covariates: str | Sequence[str] | None = None,
    id_col: str | None = None,
    freq: str | None = None,
    gaps: str = "interpolate",
    part: tuple[int, int] | None = None,
    strict: bool = False,
) -> SeriesData:
    """Read and validate a Parquet file (pyarrow): wide or long format, as a CSV.

    The columns keep their Parquet types (timestamps, numbers, text ids); then the
    validation of :func:`validate_frame` applies. Messages cite ``row N`` (the first data
    row is row 1). With ``part``, only the id column is read whole, then only the rows of
    that part's series (as for a CSV).

    Args:
        path: The file; messages start with it as given.
        time_col, target, covariates, id_col, freq, gaps, part, strict: as in
            :func:`validate_frame`.

    Returns:
        SeriesData.

    Raises:
        DataError: the file cannot be read as Parquet, or the data breaks the contract.
    """
    source = os.fspath(path)
    label = _label(source)
    _check_gaps(gaps, label)
    df, lines, part = _read_parquet(Path(path), label, part, id_col, time_col)
    return _validate(
        df,
        source=source,
        label=label,
        lines=lines,
        word="row",
        time_col=time_col,
        target=target,
        covariates=covariates,
        id_col=id_col,
        freq=freq,
        gaps=gaps,
        allow_decimal_comma=False,
        part=part,
        strict=strict,
    )


def load_data(path: str | os.PathLike, **options) -> SeriesData:
    """Read and validate a data file: :func:`load_parquet` for ``.parquet`` / ``.pq``,
    else :func:`load_csv` (plain or compressed CSV). ``options`` as in
    :func:`validate_frame`. This is what the CLI's ``DATA`` and ``--data`` read.
    """
    return (load_parquet if is_parquet(path) else load_csv)(path, **options)
