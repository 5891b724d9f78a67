"""Numbers in text columns: as pandas reads them, ``"1,234"`` thousands, ``1.234,5`` decimal commas.

A text column is converted by the first reading under which its values are numbers (or
missing-value words): as ``pandas.to_numeric`` reads them; without thousands separators,
when every value that fails is written like ``1,234``; with a decimal comma, when the
delimiter is not a comma and every value is written like ``1.234,5``.

The functions take a block of columns and run each string operation once over all of its
cells, so that a file with many text columns costs time linear in its cells (one pandas
call per column costs about a millisecond).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
from pandas.api.types import is_bool_dtype, is_datetime64_any_dtype, is_numeric_dtype

from forecast.data.container import _quote, _Where
from forecast.errors import DataError

_NA_WORDS = {"", "nan", "na", "n/a", "n.a.", "#n/a", "null", "none", "<na>", "nat"}
_GROUPED = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_EURO = re.compile(r"[+-]?(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d+)?")
_STRANGE_COMMA = r",(?:\d{1,2}|\d{4,})(?:$|\D)"  # a comma that is no thousands separator


def _dtypes(df: pd.DataFrame) -> dict[str, object]:
    """Column -> dtype, without touching each column (fast for thousands of columns)."""
    return dict(zip(df.columns, df.dtypes, strict=True))


def _is_number_dtype(dtype) -> bool:
    return is_bool_dtype(dtype) or is_numeric_dtype(dtype)


def _stripped_text(values: pd.Series) -> pd.Series:
    """Values as stripped ``str`` (object dtype, positional index); missing -> ``""``."""
    missing = values.isna().to_numpy()
    text = pd.Series(values.to_numpy(dtype=object), dtype=object)
    text[missing] = ""
    return text.astype(str).str.strip()


def _text_cells(df: pd.DataFrame, columns: list[str]) -> pd.Series:
    """The stripped text of ``columns``, one column after the other (missing -> ``""``)."""
    n = len(df)
    if len(columns) < 32:
        cells = np.empty(n * len(columns), dtype=object)
        for j, name in enumerate(columns):
            cells[j * n : (j + 1) * n] = df[name].to_numpy(dtype=object)
    else:  # one conversion of the block instead of one per column
        cells = df[columns].to_numpy(dtype=object).ravel(order="F")
    text = pd.Series(cells, dtype=object)
    text[pd.isna(cells)] = ""
    return text.astype(str).str.strip()


def _grid(flat, n: int, k: int) -> np.ndarray:
    """Cells stored column after column as an ``(n, k)`` array."""
    return np.asarray(flat).reshape((k, n)).T


def _to_float(text: pd.Series) -> np.ndarray:
    return pd.to_numeric(text, errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def _parse(text: pd.Series, n: int, allow_decimal_comma: bool) -> tuple[np.ndarray, np.ndarray]:
    """Convert the cells of ``k`` text columns (from _text_cells); returns values, bad (n, k).

    Example:
        >>> text = pd.Series(["1,234", "5", "x", "1", "na", "2"])
        >>> values, bad = _parse(text, 2, allow_decimal_comma=False)
        >>> values.tolist(), bad.tolist()
        ([[1234.0, nan, nan], [5.0, 1.0, 2.0]], [[False, True, False], [False, False, False]])
    """
    k = len(text) // n if n else 0
    values = _grid(_to_float(text), n, k).copy()
    na_word = _grid(text.str.lower().isin(_NA_WORDS).to_numpy(dtype=bool), n, k)
    bad = np.isnan(values) & ~na_word
    todo = np.flatnonzero(bad.any(axis=0))
    if not len(todo):
        return values, bad
    m = len(todo)  # only the columns with a failing value need another reading
    sub = text.iloc[(todo[:, None] * n + np.arange(n)).ravel()].reset_index(drop=True)
    sub_bad, sub_na = bad[:, todo], na_word[:, todo]
    grouped = _grid(sub.str.fullmatch(_GROUPED).to_numpy(dtype=bool), n, m)
    strange = _grid(sub.str.contains(_STRANGE_COMMA, regex=True).to_numpy(dtype=bool), n, m)
    use_grouped = (grouped | ~sub_bad).all(axis=0) & ~(allow_decimal_comma & strange.any(axis=0))
    use_euro = np.zeros(m, dtype=bool)
    if allow_decimal_comma:
        euro = _grid(sub.str.fullmatch(_EURO).to_numpy(dtype=bool), n, m) | sub_na
        use_euro = ~use_grouped & euro.all(axis=0)
    new = values[:, todo]
    if use_grouped.any():
        fixed = _grid(_to_float(sub.str.replace(",", "", regex=False)), n, m)
        new[:, use_grouped] = fixed[:, use_grouped]
    if use_euro.any():
        dotless = sub.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
        new[:, use_euro] = _grid(_to_float(dotless), n, m)[:, use_euro]
    changed = use_grouped | use_euro
    values[:, todo] = new
    bad[:, todo[changed]] = np.isnan(new[:, changed]) & ~sub_na[:, changed]
    return values, bad


def _kind(dtype) -> str:
    if _is_number_dtype(dtype):
        return "number"
    if is_datetime64_any_dtype(dtype):
        return "dates"
    return "period" if isinstance(dtype, pd.PeriodDtype) else "text"


def _kinds(df: pd.DataFrame, columns: list[str]) -> dict[str, str]:
    """``"number"``, ``"dates"``, ``"period"`` or ``"text"`` per column (once per dtype)."""
    dtypes = _dtypes(df)
    memo: dict[object, str] = {}
    kinds = {}
    for c in columns:
        dtype = dtypes[c]
        if dtype not in memo:
            memo[dtype] = _kind(dtype)
        kinds[c] = memo[dtype]
    return kinds


def _numberlike(df: pd.DataFrame, columns: list[str], allow_decimal_comma: bool) -> list[bool]:
    """Per column: numeric, or text that converts cleanly and holds at least one value."""
    kinds = _kinds(df, columns)
    ok = {c: kinds[c] == "number" for c in columns}
    text = [c for c in columns if kinds[c] == "text"]
    if text:
        values, bad = _parse(_text_cells(df, text), len(df), allow_decimal_comma)
        clean = ~bad.any(axis=0) & (~np.isnan(values)).any(axis=0)
        ok.update(zip(text, clean.tolist(), strict=True))
    return [ok[c] for c in columns]


def _has_numbers(
    df: pd.DataFrame, columns: list[str], allow_decimal_comma: bool, most: bool = False
) -> list[bool]:
    """Per column: a text column that holds at least one number (it may hold typos too);
    with ``most``, one whose filled cells are mostly numbers (a column of numbers with a
    few typos, not a column of labels)."""
    kinds = _kinds(df, columns)
    text = [c for c in columns if kinds[c] in ("text", "period")]
    found = dict.fromkeys(columns, False)
    if text:
        cells = _text_cells(df, text)
        values, _ = _parse(cells, len(df), allow_decimal_comma)
        numbers = (~np.isnan(values)).sum(axis=0)
        if most:
            filled = (cells != "").to_numpy(dtype=bool).reshape((len(text), len(df))).sum(axis=1)
            found.update(zip(text, (numbers > filled / 2).tolist(), strict=True))
        else:
            found.update(zip(text, (numbers > 0).tolist(), strict=True))
    return [found[c] for c in columns]


def _values(
    df: pd.DataFrame, columns: list[str], where: _Where, allow_decimal_comma: bool
) -> np.ndarray:
    """The chosen columns as one float64 array (n, k); raises at the first bad column.

    Numeric columns are copied in one block, text columns converted in another; the error
    names the first column (in ``columns`` order) holding dates or a value that is not a
    number, and its first such value.
    """
    n = len(df)
    out = np.empty((n, len(columns)), dtype=np.float64)
    kinds = _kinds(df, columns)
    block = [i for i, c in enumerate(columns) if kinds[c] == "number"]
    if block:
        sub = df[[columns[i] for i in block]]
        out[:, block] = sub.to_numpy(dtype=np.float64, na_value=np.nan)
    rest = [i for i, c in enumerate(columns) if kinds[c] != "number"]
    text = [columns[i] for i in rest if kinds[columns[i]] != "dates"]
    if text:
        cells = _text_cells(df, text)
        values, bad = _parse(cells, n, allow_decimal_comma)
    j = 0
    for i in rest:
        col = columns[i]
        if kinds[col] == "dates":
            raise DataError(
                f"{where()}: column {_quote(col)} holds dates, not numbers; choose another column"
            )
        if bad[:, j].any():

            def at(pos: int, j=j, col=col) -> str:
                return (
                    f"{where(pos)}: cannot parse {_quote(cells.iloc[j * n + pos])} as a number "
                    f"in column {_quote(col)}; fix the value or leave the field empty for a gap"
                )

            rows = np.flatnonzero(bad[:, j])
            raise DataError(at(int(rows[0])), rows=rows, at=at)
        out[:, i] = values[:, j]
        j += 1
    return out
