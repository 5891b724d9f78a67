"""The entry points: :func:`load_csv`, :func:`validate_frame` and :func:`check_length`
(:func:`~forecast.data.parquet.load_parquet` and ``load_data`` are in ``parquet``).

``_validate`` runs the stages in order; each stage is one function below it.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from forecast.data.container import SeriesData, _label, _names, _plural, _quote, _setting, _Where
from forecast.data.gaps import _check_gaps, _common_offset, _fill, _month_starts
from forecast.data.inference import _find_time_col, _norm, _parse_times, _select_columns
from forecast.data.numbers import _kinds, _values
from forecast.data.reading import _read_csv
from forecast.data.series import (
    _keep_part,
    _prepare_series,
    _series_of_rows,
    _split_series,
)
from forecast.errors import DataError
from forecast.frequency import as_offset


def _validate(
    df: pd.DataFrame,
    *,
    source: str,
    label: str,
    lines: np.ndarray,
    word: str,
    time_col: str | None,
    target: str | Sequence[str] | None,
    covariates: str | Sequence[str] | None,
    id_col: str | None,
    freq: str | None,
    gaps: str,
    allow_decimal_comma: bool,
    part=None,
    strict: bool = False,
) -> SeriesData:
    """Check and convert ``df``: settings, columns, roles, values, series, frequency, gaps.

    ``source`` is kept in the result; messages start with ``label`` (its printable form).
    ``part``: ``(index, workers)``: keep only that worker's series (see :mod:`forecast.pool`).
    Unless ``strict`` (or sharded by ``part``), a long-format panel leaves out a series with
    a problem of its own and says so in the report; the other series go on.
    """
    _check_gaps(gaps, label)
    where = _Where(label, lines, word)
    offset = _parse_freq(freq, label)
    df = _tidy_columns(df, label)
    df, time_col = _index_as_time_col(df, time_col)
    if len(df) == 0:
        raise DataError(f"{label}: no data rows; add rows")
    time_col, id_col = _find_roles(df, label, time_col, id_col)
    if part is not None:
        df, lines, part = _keep_part(df, lines, id_col, part, label)
        where = _Where(label, lines, word)

    lenient = id_col is not None and part is None and not strict
    skipped: list[tuple[str, DataError]] | None = [] if lenient else None
    while True:  # values that do not parse leave their series out; then the others again
        try:
            times, notes = _parse_times(df[time_col].reset_index(drop=True), time_col, where)
            targets, covs = _select_columns(
                df, where, time_col, id_col, target, covariates, allow_decimal_comma
            )
            columns = [*targets, *covs]
            values = _values(df, columns, where, allow_decimal_comma)
            break
        except DataError as error:
            if skipped is None or error.rows is None:
                raise
            found = _series_of_rows(df, id_col, error.rows)
            if found is None or not found[0].any():  # a row without an id, or every series
                raise
            keep, out = found
            skipped.extend((key, DataError(error.at(pos))) for key, pos in out)
            df, lines = df[keep], lines[keep]
            where = _Where(label, lines, word)
    chosen = {time_col, id_col, *columns}
    kinds = _kinds(df, list(df.columns))
    text_cols = any(kind != "number" and c not in chosen for c, kind in kinds.items())

    series = []
    for key, pos in _split_series(df, id_col, where):
        try:
            series.append(
                _prepare_series(
                    key,
                    times[pos],
                    values[pos],
                    where.series(key, lines[pos]),
                    time_col,
                    columns,
                    len(targets),
                    hint_id=id_col is None and text_cols,
                )
            )
        except DataError as error:
            if skipped is None:
                raise
            skipped.append((key, error))
    if not series:
        raise skipped[0][1]
    notes = notes + _month_starts(series, offset, time_col)
    if offset is None:
        offset, series = _common_offset(series, label, time_col, skipped)
    frames, report = _fill(series, offset, gaps, time_col, columns, len(targets), skipped)
    if not frames:
        raise skipped[0][1]
    if skipped:
        report = [f"left out series {_quote(key)}: {error}" for key, error in skipped] + report
    report = notes + report
    return SeriesData(
        frames=frames,
        time_col=time_col,
        id_col=id_col,
        targets=targets,
        covariates=covs,
        freq=offset.freqstr,
        source=source,
        report=report,
        part=part,
    )


def _parse_freq(freq: str | None, source: str) -> pd.DateOffset | None:
    """``freq`` as an offset (None when not given)."""
    if freq is None:
        return None
    try:
        offset = as_offset(freq)
        pd.date_range("2000-01-01", periods=2, freq=offset)
    except (DataError, ValueError, TypeError):
        raise DataError(
            f"{source}: {_setting('freq', freq)} is not a pandas frequency alias "
            "(e.g. 'h', '30min', 'D', 'B', 'W-SAT', 'MS', 'QS', 'YS')"
        ) from None
    return offset


def _tidy_columns(df: pd.DataFrame, source: str) -> pd.DataFrame:
    """Column names as ``str``, none twice; empty ``Unnamed: N`` columns dropped."""
    df = df.copy(deep=False)
    df.columns = [str(c) for c in df.columns]
    if df.columns.duplicated().any():
        dup = df.columns[df.columns.duplicated()][0]
        raise DataError(
            f"{source}: column {_quote(dup)} appears twice; give each column its own name"
        )
    unnamed = [c for c in df.columns if c.startswith("Unnamed: ")]
    if unnamed:  # one count for all of them: a header may have a million empty names
        counts = df[unnamed].count()
        unnamed = [c for c, n in zip(unnamed, counts, strict=True) if n == 0]
    if unnamed:
        df = df.drop(columns=unnamed)
    return df


def _index_as_time_col(df: pd.DataFrame, time_col: str | None) -> tuple[pd.DataFrame, str | None]:
    """A DatetimeIndex/PeriodIndex that holds the time becomes a column."""
    index = df.index
    if isinstance(index, pd.DatetimeIndex | pd.PeriodIndex) and (
        time_col is None or (time_col == index.name and time_col not in df.columns)
    ):
        name = str(index.name) if index.name is not None else "time"
        while name in df.columns:
            name += "_"
        df = df.reset_index(names=name)
        time_col = name
    return df, time_col


def _find_roles(
    df: pd.DataFrame, source: str, time_col: str | None, id_col: str | None
) -> tuple[str, str | None]:
    """The time column and the id column (given, or guessed)."""
    if id_col is not None and id_col not in df.columns:
        raise DataError(
            f"{source}: id column {_quote(id_col)} not found; "
            f"available columns: {_names(list(df.columns))}"
        )
    if time_col is None:
        time_col = _find_time_col(df, {id_col} if id_col else set())
        if time_col is None and id_col is not None and _find_time_col(df, set()) == id_col:
            raise DataError(
                f"{source}: id column {_quote(id_col)} holds the dates: it is the time column; "
                "give id_col= the column of series ids (or none for one series)"
            )
        if time_col is None:
            raise DataError(
                f"{source}: no time column found (none of {_names(list(df.columns))} is named "
                "like a date or holds dates); name it with time_col="
            )
    elif time_col not in df.columns:
        raise DataError(
            f"{source}: time column {_quote(time_col)} not found; "
            f"available columns: {_names(list(df.columns))}"
        )
    if id_col is None:
        auto = [c for c in df.columns if _norm(c) == "unique_id" and c != time_col]
        id_col = auto[0] if auto else None
    if id_col == time_col:
        raise DataError(
            f"{source}: column {_quote(id_col)} cannot be both the time and the id column"
        )
    return time_col, id_col


def validate_frame(
    df: pd.DataFrame,
    *,
    source: str = "<DataFrame>",
    time_col: str | None = None,
    target: str | Sequence[str] | None = None,
    covariates: str | Sequence[str] | None = None,
    id_col: str | None = None,
    freq: str | None = None,
    gaps: str = "interpolate",
    part: tuple[int, int] | None = None,
    strict: bool = False,
) -> SeriesData:
    """Validate a DataFrame (time as a column or as its DatetimeIndex).

    Args:
        df: The data; not modified.
        source: Name used at the start of error messages.
        time_col: Time column; guessed when None (see the :mod:`forecast.data` docstring).
        target: Column(s) to forecast; default the single numeric column that is not
            the time, id or a covariate; ``"all"``: every such numeric column.
        covariates: Past covariate column(s), or ``"all"`` (every other numeric column).
        id_col: Column naming the series in long format (``unique_id, ds, y``).
        freq: Pandas offset alias; inferred when None.
        gaps: ``"interpolate"`` (default), ``"ffill"`` or ``"error"``.
        part: ``(index, workers)``: keep only the series of worker ``index`` of
            ``workers`` (:func:`forecast.pool.part_of`; long format only); the result's
            ``part`` records it with every id of the data.
        strict: in long format, whether a problem of one series (a value or date that
            does not parse, a duplicate timestamp, another frequency, a gap with
            ``gaps="error"``…) fails the whole panel. Default: that series is left out
            and named in ``report`` (``"left out series 'c': …"``); the others go on.
            A problem of the file or of every series is an error either way, and so is
            any problem when sharded by ``part``.

    Returns:
        SeriesData: frames of shape ``(n_rows, len(targets) + len(covariates))``.

    Raises:
        DataError: one line naming ``source``, the row/column and what to do.

    Example:
        >>> import pandas as pd
        >>> df = pd.DataFrame({"y": [1.0, 2.0, 3.0]},
        ...                   index=pd.date_range("2024-01-01", periods=3, freq="h"))
        >>> sd = validate_frame(df)
        >>> sd.time_col, sd.freq, sd.frames[None].shape
        ('time', 'h', (3, 1))
    """
    label = _label(source)
    if not isinstance(df, pd.DataFrame):
        raise DataError(f"{label}: expected a pandas DataFrame, got {type(df).__name__}")
    return _validate(
        df,
        source=source,
        label=label,
        lines=np.arange(len(df)),
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


def load_csv(
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
    """Read and validate a CSV file (optionally compressed).

    Args:
        path: The file; messages start with it as given.
        time_col, target, covariates, id_col, freq, gaps, part, strict: as in
            :func:`validate_frame`.

    Returns:
        SeriesData.

    Raises:
        DataError: one line ``<path>, line N: ...`` (header = line 1) saying what to do.

    Example:
        >>> import tempfile, pathlib
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "sales.csv"
        >>> _ = path.write_text("month;sales\\n2020-01;1,5\\n2020-02;2,5\\n2020-03;3\\n")
        >>> sd = load_csv(path)
        >>> sd.freq, sd.time_col, sd.frames[None]["sales"].tolist()
        ('MS', 'month', [1.5, 2.5, 3.0])
    """
    source = os.fspath(path)
    label = _label(source)
    _check_gaps(gaps, label)
    df, lines, sep, part = _read_csv(Path(path), label, id_col, time_col, part)
    return _validate(
        df,
        source=source,
        label=label,
        lines=lines,
        word="line",
        time_col=time_col,
        target=target,
        covariates=covariates,
        id_col=id_col,
        freq=freq,
        gaps=gaps,
        allow_decimal_comma=sep != ",",
        part=part,
        strict=strict,
    )


def check_length(
    sd_or_n: SeriesData | int,
    lookback: int,
    horizon: int,
    extra: int = 0,
    *,
    source: str = "<data>",
    extra_label: str = "held-out row",
) -> int:
    """Raise if a series is too short for ``lookback + horizon (+ extra)`` rows.

    Args:
        sd_or_n: Validated data (every series is checked) or a row count.
        lookback: Past steps per window (>= 1).
        horizon: Steps to forecast (>= 1).
        extra: More rows needed (e.g. validation rows), named by ``extra_label``.
        source: Message prefix when ``sd_or_n`` is a count.
        extra_label: What ``extra`` counts, singular (pluralised as needed).

    Returns:
        The length of the shortest series.

    Raises:
        DataError: e.g. ``data.csv: series 'x' has 20 rows but lookback 24 + horizon 12
            needs at least 36; use a shorter lookback= or horizon=``.

    Example:
        >>> check_length(100, 24, 12)
        100
        >>> check_length(20, 24, 12, source="data.csv")
        Traceback (most recent call last):
        ...
        forecast.errors.DataError: data.csv: the series has 20 rows but lookback 24 + horizon 12 needs at least 36; use a shorter lookback= or horizon=
    """
    for name, value in (("lookback", lookback), ("horizon", horizon)):
        if int(value) < 1:
            raise DataError(
                f"{_label(source)}: {name} must be at least 1, got {value}; use {name}=1 or more"
            )
    if isinstance(sd_or_n, SeriesData):
        source = sd_or_n.source
        lengths = sd_or_n.lengths
    else:
        lengths = {None: int(sd_or_n)}
    need = int(lookback) + int(horizon) + int(extra)
    what = f"lookback {lookback} + horizon {horizon}"
    if extra:
        what += f" + {_plural(int(extra), extra_label)}"
    for key, n in lengths.items():
        if n < need:
            who = "the series" if key is None else f"series {_quote(key)}"
            fix = "use a shorter lookback= or horizon="
            raise DataError(
                f"{_label(source)}: {who} has {_plural(n, 'row')} but {what} needs at least {need}; {fix}"
            )
    return min(lengths.values())
