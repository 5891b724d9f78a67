"""The names of a forecast table's columns: per target ``T``, ``T``, ``T_lower``, ``T_upper``.

:meth:`forecast.Forecaster.predict` writes them; evaluation and plotting read them back
through these functions, so the convention lives here alone.

Example:
    >>> interval_columns("sales")
    ('sales', 'sales_lower', 'sales_upper')
    >>> forecast_targets(["sales", "sales_lower", "sales_upper", "note"])
    ['sales']
"""

from __future__ import annotations

LOWER = "_lower"
UPPER = "_upper"


def interval_columns(target: str) -> tuple[str, str, str]:
    """``(point, lower, upper)`` column names of ``target``."""
    return target, f"{target}{LOWER}", f"{target}{UPPER}"


def is_bound(column) -> bool:
    """Whether ``column`` names an interval bound (``T_lower`` or ``T_upper``)."""
    return str(column).endswith((LOWER, UPPER))


def forecast_targets(columns) -> list[str]:
    """The targets ``T`` whose three columns ``T``, ``T_lower``, ``T_upper`` are all present."""
    present = set(columns)
    return [
        c
        for c in columns
        if isinstance(c, str) and all(name in present for name in interval_columns(c))
    ]
