"""One series at a time: splitting long format by id, then sorting and checking each series."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from forecast.data.container import _quote, _stamp, _Where
from forecast.errors import DataError
from forecast.pool import Part, part_of


@dataclass
class _Series:
    """A series between the checks and the gaps policy."""

    key: str | None
    where: _Where
    times: pd.DatetimeIndex
    values: np.ndarray
    offset: pd.DateOffset | None = None
    why: str = ""
    sorted_rows: bool = False


def _prepare_series(
    key: str | None,
    times: pd.DatetimeIndex,
    values: np.ndarray,
    where: _Where,
    time_col: str,
    columns: list[str],
    n_targets: int,
    hint_id: bool,
) -> _Series:
    """Sort, then check duplicates, empty and infinite columns of one series."""
    order = None
    if not times.is_monotonic_increasing:
        order = np.argsort(times.asi8, kind="stable")
        times, values = times[order], values[order]
        where = where.series(key, where.lines[order])
    dup = np.flatnonzero(times.duplicated(keep="first"))
    if len(dup):
        pos = int(dup[0])
        first = int(np.flatnonzero(times == times[pos])[0])
        hint = ""
        if hint_id:
            hint = "; if the file holds several series, name their id column with id_col="
        elif times.tz is None and times[pos] != times[pos].normalize():  # an hour twice
            hint = (
                "; if these are local times where daylight saving time ends, write them in "
                "UTC or with their UTC offsets (02:00+02:00, then 02:00+01:00)"
            )
        raise DataError(
            f"{where(pos)}: duplicate timestamp {_stamp(times[pos])} in column {_quote(time_col)} "
            f"(also on {where.line(first)}); remove or aggregate the duplicates{hint}"
        )
    with np.errstate(invalid="ignore"):
        inf = np.isinf(values)
    if inf.any():
        pos, col = (int(i) for i in np.argwhere(inf)[0])
        raise DataError(
            f"{where(pos)}: infinite value in column {_quote(columns[col])}; "
            "replace it with a number or leave the field empty for a gap"
        )
    empty = np.isnan(values).all(axis=0)
    if empty.any():
        col = int(np.flatnonzero(empty)[0])
        what = "choose another target=" if col < n_targets else "remove it from covariates="
        raise DataError(
            f"{where()}: column {_quote(columns[col])} has no values (all empty); {what}"
        )
    return _Series(key, where, times, values, sorted_rows=order is not None)


def _split_series(
    df: pd.DataFrame, id_col: str | None, where: _Where
) -> list[tuple[str | None, np.ndarray]]:
    """``(key, row positions)`` per series: one per id in long format, else ``(None, all)``."""
    if id_col is None:
        return [(None, np.arange(len(df)))]
    ids = df[id_col].reset_index(drop=True)
    if ids.isna().any():
        pos = int(np.flatnonzero(ids.isna().to_numpy())[0])
        raise DataError(
            f"{where(pos)}: empty id in column {_quote(id_col)}; fill it in or delete the row"
        )
    codes, uniques = pd.factorize(ids.astype(str), sort=False)  # as written: no stripping
    order = np.argsort(codes, kind="stable")
    bounds = np.cumsum(np.bincount(codes, minlength=len(uniques)))[:-1]
    return [(str(k), pos) for k, pos in zip(uniques, np.split(order, bounds), strict=True)]


def _series_of_rows(
    df: pd.DataFrame, id_col: str, rows: np.ndarray
) -> tuple[np.ndarray, list[tuple[str, int]]] | None:
    """The rows of ``df`` outside the series of ``rows`` (a mask), and for each of those
    series its id and the first of ``rows`` in it; None where one of ``rows`` has no id.

    Example:
        >>> df = pd.DataFrame({"id": ["a", "a", "b", "b", "c"]})
        >>> keep, out = _series_of_rows(df, "id", np.array([1, 2, 3]))
        >>> keep.tolist(), [(key, int(pos)) for key, pos in out]
        ([False, False, False, False, True], [('a', 1), ('b', 2)])
    """
    ids = df[id_col].reset_index(drop=True)
    if ids.iloc[rows].isna().any():
        return None
    text = ids.astype(str)  # as _split_series names the series
    first = text.iloc[rows].drop_duplicates()  # ``rows`` ascend: each series' first
    out = text.isin(first.to_numpy()).to_numpy() & ids.notna().to_numpy()
    return ~out, list(zip(first.to_numpy(), first.index, strict=True))


def _keep_part(
    df: pd.DataFrame, lines: np.ndarray, id_col: str | None, part, label: str
) -> tuple[pd.DataFrame, np.ndarray, Part]:
    """The rows of one worker's part of a panel (:func:`forecast.pool.part_of`).

    ``part`` is ``(index, workers)``, or a :class:`~forecast.pool.Part` when the reader
    has already kept only the part's rows (:func:`_part_mask`).
    """
    if isinstance(part, Part):
        return df, lines, part
    if id_col is None:
        raise DataError(
            f"{label}: sharding by series needs a panel in long format; name its id "
            "column with id_col= or shard by batch"
        )
    keep, found = _part_mask(df[id_col], part, label)
    return df.loc[keep], lines[keep], found


def _part_mask(ids: pd.Series, part: tuple[int, int], label: str) -> tuple[np.ndarray, Part]:
    """Which rows belong to worker ``index`` of ``workers`` (``part``), and the
    :class:`~forecast.pool.Part` with every id. Rows without an id stay in every part,
    so that every worker names the first of them as the whole panel would.

    ``ids`` may be categorical (what the readers give, to spare the memory of one
    string object per row); the keys are the ids as text, as :func:`_split_series`
    makes them.

    Example:
        >>> keep, found = _part_mask(pd.Series(["b", "a", None, "b", "c"]), (0, 2), "f")
        >>> keep.tolist(), found.ids
        ([False, True, True, False, True], ('b', 'a', 'c'))
    """
    index, workers = part
    codes, uniques = pd.factorize(ids)  # first appearance order; no id: -1
    text = [str(value) for value in uniques]
    keys = tuple(dict.fromkeys(text))  # two values with one text are one series
    if len(keys) < workers:
        raise DataError(
            f"{label}: {len(keys)} series for {workers} workers sharding by series; every "
            "worker needs at least one series: use fewer workers or shard by batch"
        )
    mine = set(part_of(keys, index, workers))
    kept = np.array([key in mine for key in text] + [True])  # the last: no id
    return kept[np.where(codes < 0, len(text), codes)], Part(index, workers, keys)
