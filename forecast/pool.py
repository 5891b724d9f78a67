"""Several processes that fit one panel together, each holding a part of its series.

Sharded by series (``forecast fit --shard series`` on a cluster), worker *i* of *n* reads,
validates, scales, windows and calibrates only its *part*: the series whose position in
the sorted ids is *i* modulo *n* (:func:`part_of`). What the fit decides for the whole
panel (the default lookback from the median length, the naive base, the interval
quantiles, the validation metrics) and what the chief saves (every series' scaler,
scale and history) pass between the workers through the active :class:`Pool`:

- :meth:`Pool.share`: every worker's value, on every worker (small things: lengths,
  per-series scalers and scales, sums);
- :meth:`Pool.collect`: every worker's value on the chief only (the kept history);
- :meth:`Pool.total`: the element-wise sum over the workers of a numeric array.

The default pool is one process holding every series: ``share`` and ``collect`` return
``[value]``, ``total`` the value itself, so a fit without a cluster runs the same code.
The cluster's pool (:class:`forecast.sharding.WorkerPool`) exchanges through
TensorFlow's collectives; this module imports neither TensorFlow nor pandas.

Example:
    >>> part_of(["b", "a", "d", "c", "e"], 1, 2)
    ['b', 'd']
    >>> active().share(3), active().total(3)
    ([3], 3)
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterable, Iterator
from dataclasses import dataclass


def part_of(keys: Iterable, index: int, workers: int) -> list:
    """The series of worker ``index`` of ``workers``, in their given order: those whose
    position in the keys sorted as text is ``index`` modulo ``workers``.

    Example:
        >>> part_of(["s3", "s1", "s2"], 0, 2)
        ['s3', 's1']
    """
    keys = list(keys)
    ordered = sorted(keys, key=str)
    mine = {key for position, key in enumerate(ordered) if position % workers == index}
    return [key for key in keys if key in mine]


@dataclass(frozen=True)
class Part:
    """Which part of a panel a :class:`~forecast.data.SeriesData` holds.

    Attributes:
        index: this worker's index (0: the chief).
        workers: how many workers share the panel.
        ids: every series id of the data (as text), in the data's order: the order in
            which the chief saves what it gathers.
    """

    index: int
    workers: int
    ids: tuple


class Pool:
    """One process holding every series (the default); see the module docstring."""

    index = 0
    workers = 1

    def share(self, value) -> list:
        """Every worker's ``value`` (picklable), in worker order, on every worker."""
        return [value]

    def collect(self, value) -> list | None:
        """Every worker's ``value`` on the chief (in worker order); ``None`` elsewhere."""
        return [value]

    def total(self, values):
        """The element-wise sum over the workers of ``values`` (a number or numeric array)."""
        return values


_ONE = Pool()
# a context variable: each thread has its own (tests run workers as threads)
_ACTIVE: contextvars.ContextVar[Pool | None] = contextvars.ContextVar("forecast_pool", default=None)


def active() -> Pool:
    """The pool of the fit in progress (the one-process pool outside :func:`use`)."""
    return _ACTIVE.get() or _ONE


@contextlib.contextmanager
def use(pool: Pool) -> Iterator[Pool]:
    """Makes ``pool`` the active pool inside the ``with`` block (in this thread)."""
    token = _ACTIVE.set(pool)
    try:
        yield pool
    finally:
        _ACTIVE.reset(token)


def merged(parts: list[dict] | None, order: Iterable | None = None) -> dict | None:
    """One dict from the dicts of every worker, keyed in ``order`` (keys as text) where
    given, else in worker order; ``None`` when ``parts`` is (not the chief).

    Example:
        >>> merged([{"a": 1, "c": 3}, {"b": 2}], order=["a", "b", "c"])
        {'a': 1, 'b': 2, 'c': 3}
    """
    if parts is None:
        return None
    out = {key: value for part in parts for key, value in part.items()}
    if order is None:
        return out
    position = {str(key): i for i, key in enumerate(order)}
    return dict(sorted(out.items(), key=lambda item: position.get(str(item[0]), len(position))))
