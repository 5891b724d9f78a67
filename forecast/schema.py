"""A small, strict checker for JSON read from a model directory.

A model directory may come from elsewhere and be crafted consistently (checksums and all),
so the estimator's config is checked against a schema before anything in it is used:
types, ranges, lengths and shapes. A violation is one :class:`~forecast.errors.ModelDirError`
naming the key path, never a traceback and never a huge allocation (sizes are bounded
before anything is built from them).

Example:
    >>> check({"lookback": "12"}, {"lookback": Int(1, 100)})
    Traceback (most recent call last):
    ...
    forecast.errors.ModelDirError: 'lookback' must be an integer in [1, 100], got '12'
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from forecast.errors import ModelDirError

MAX_LIST = 10_000_000  # items in one list (residual tables of big panels stay far below)


def _fail(where: str, what: str, value) -> None:
    shown = repr(value)
    shown = shown if len(shown) <= 60 else shown[:57] + "..."
    raise ModelDirError(f"'{where}' must be {what}, got {shown}")


@dataclass(frozen=True)
class Int:
    low: int
    high: int

    def __call__(self, value, where):
        if (
            isinstance(value, bool)
            or not isinstance(value, int)
            or not self.low <= value <= self.high
        ):
            _fail(where, f"an integer in [{self.low}, {self.high}]", value)


@dataclass(frozen=True)
class Num:
    low: float = -math.inf
    high: float = math.inf
    optional: bool = False

    def __call__(self, value, where):
        if value is None and self.optional:
            return
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        if not ok or not math.isfinite(value) or not self.low <= value <= self.high:
            _fail(where, f"a finite number in [{self.low:g}, {self.high:g}]", value)


@dataclass(frozen=True)
class Str:
    max_len: int = 4096
    optional: bool = False
    pattern: str | None = None
    choices: tuple[str, ...] | None = None

    def __call__(self, value, where):
        if value is None and self.optional:
            return
        if not isinstance(value, str) or len(value) > self.max_len:
            _fail(where, f"a string of at most {self.max_len} characters", value)
        if self.choices is not None and value not in self.choices:
            _fail(where, f"one of {', '.join(self.choices)}", value)
        if self.pattern is not None and not re.fullmatch(self.pattern, value):
            _fail(where, f"a string matching {self.pattern}", value)


@dataclass(frozen=True)
class List:
    item: object
    min_len: int = 0
    max_len: int = MAX_LIST
    optional: bool = False

    def __call__(self, value, where):
        if value is None and self.optional:
            return
        if not isinstance(value, list) or not self.min_len <= len(value) <= self.max_len:
            _fail(where, f"a list of {self.min_len} to {self.max_len} items", value)
        for i, item in enumerate(value):
            check(item, self.item, f"{where}[{i}]")


@dataclass(frozen=True)
class Map:
    """A dict with any string keys and values of one schema."""

    value: object
    max_len: int = 1_000_000

    def __call__(self, value, where):
        if not isinstance(value, dict) or len(value) > self.max_len:
            _fail(where, f"an object of at most {self.max_len} entries", value)
        for key, item in value.items():
            check(item, self.value, f"{where}.{key}")


class Any:
    """Any JSON value (already bounded by the manifest's size and depth)."""

    def __call__(self, value, where):
        return None


def check(value, schema, where: str = "") -> None:
    """Checks ``value`` against ``schema``: a dict of exact keys, or a checker.

    A dict schema requires exactly its keys (``None`` values in the schema mark keys that
    may hold anything JSON).

    Raises:
        ModelDirError: naming the first key path that does not fit.
    """
    if isinstance(schema, dict):
        if not isinstance(value, dict):
            _fail(where or "manifest", "an object", value)
        missing = [k for k in schema if k not in value]
        extra = [k for k in value if k not in schema]
        if missing or extra:
            what = f"missing {missing[0]!r}" if missing else f"unexpected {extra[0]!r}"
            raise ModelDirError(f"'{where or 'manifest'}' is {what}")
        for key, sub in schema.items():
            if sub is not None:
                check(value[key], sub, f"{where}.{key}" if where else key)
        return
    schema(value, where)


def depth(value, limit: int = 32) -> int:
    """The nesting depth of a JSON value; stops counting past ``limit``."""
    stack, deepest = [(value, 1)], 0
    while stack:
        node, level = stack.pop()
        deepest = max(deepest, level)
        if deepest > limit:
            return deepest
        if isinstance(node, dict):
            stack.extend((v, level + 1) for v in node.values())
        elif isinstance(node, list):
            stack.extend((v, level + 1) for v in node)
    return deepest
