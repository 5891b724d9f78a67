"""The windows of many series, never materialised: contiguous rows and an index of starts.

Pure numpy (no TensorFlow, no files). All series live in one float32 array of rows
``values (R, F)``: for each series, in the order of its keys, its scaled columns
(targets + covariates, ``n_values`` of them) followed by its calendar columns, then
``horizon`` padding rows (values NaN, calendar known) so that the window of the last
origin (the forecast made at the end of the series) exists. ``offsets[key]`` is the
first row of a series.

A window is named by one integer, its start row ``offsets[key] + origin - lookback``:
its inputs are rows ``start .. start + lookback - 1`` (every column), its labels and its
known-future calendar rows ``start + lookback .. start + lookback + horizon - 1``. An
index of starts costs 8 bytes a window, so memory grows with the rows of the panel, not
with windows × lookback × features; :func:`forecast.tfdata.window_dataset` gathers the
windows of each batch as it is needed, :func:`windows` gathers some at once (numpy).

Example:
    >>> import numpy as np, pandas as pd
    >>> frame = pd.DataFrame({"y": np.arange(6.0)}, index=pd.date_range("2024-01-01", periods=6))
    >>> rows = stack_rows({"a": frame}, lambda key, f: f.to_numpy(), lookback=3, horizon=2)
    >>> rows.values.shape, rows.offsets
    ((8, 1), {'a': 0})
    >>> (past,), labels = windows(rows, rows.starts({"a": [3, 4]}), label_width=1)
    >>> past[:, :, 0].tolist(), labels[:, :, 0].tolist()
    ([[0.0, 1.0, 2.0], [1.0, 2.0, 3.0]], [[3.0, 4.0], [4.0, 5.0]])
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from forecast.features import calendar_features
from forecast.frequency import future_index

__all__ = ["Rows", "stack_rows", "windows"]


@dataclass(frozen=True)
class Rows:
    """The rows of every series, one after another (see the module docstring)."""

    values: np.ndarray  # (R, n_values + n_calendar) float32
    offsets: dict  # {key: first row}
    lengths: dict  # {key: rows of the series, padding excluded}
    n_values: int  # scaled columns (targets + covariates); the calendar columns follow
    lookback: int
    horizon: int

    @property
    def n_calendar(self) -> int:
        return self.values.shape[1] - self.n_values

    def starts(self, origins: dict) -> np.ndarray:
        """The start rows (int64) of the windows of ``{key: [origin, …]}``: series in the
        order of ``origins``, then its origins in the order given. An origin is the
        first forecast row; ``lookback <= origin <= len(series)``."""
        parts = []
        for key, some in origins.items():
            some = np.asarray(some, dtype=np.int64).reshape(-1)
            if len(some) and (some.min() < self.lookback or some.max() > self.lengths[key]):
                raise ValueError(
                    f"series {key!r}: origins must lie in {self.lookback}..{self.lengths[key]} "
                    f"(lookback..rows), got {some.min()}..{some.max()}"
                )
            parts.append(self.offsets[key] + some - self.lookback)
        return np.concatenate(parts) if parts else np.empty(0, dtype=np.int64)


def stack_rows(
    frames: dict,
    scaled: Callable[[object, pd.DataFrame], np.ndarray],
    *,
    lookback: int,
    horizon: int,
    freq: str | None = None,
) -> Rows:
    """One array of the rows of every series (filled in place: no per-series copies kept).

    Args:
        frames: ``{key: frame}`` validated series (regular ``DatetimeIndex``).
        scaled: ``scaled(key, frame) -> (T, n_values)``: the series' columns on the
            model's scale (cast to float32 here).
        lookback, horizon: the window sizes.
        freq: the frequency for calendar features; None: no calendar columns.

    Returns:
        :class:`Rows`.
    """
    keys = list(frames)
    lengths = {key: len(frames[key]) for key in keys}
    starts = np.cumsum([0, *(lengths[key] + horizon for key in keys)])
    calendars: dict = {}  # the same span of timestamps → the same features (computed once)
    values = None
    for key, first in zip(keys, starts[:-1], strict=True):
        frame = frames[key]
        part = np.asarray(scaled(key, frame))
        n = len(frame)
        cal = _calendar(frame.index, horizon, freq, calendars) if freq is not None else None
        if values is None:
            width = part.shape[1] + (0 if cal is None else cal.shape[1])
            values = np.empty((starts[-1], width), dtype=np.float32)
        k = part.shape[1]
        values[first : first + n, :k] = part
        values[first + n : first + n + horizon, :k] = np.nan
        if cal is not None:
            values[first : first + n + horizon, k:] = cal
    if values is None:
        raise ValueError("stack_rows needs at least one series")
    return Rows(
        values=values,
        offsets={key: int(s) for key, s in zip(keys, starts[:-1], strict=True)},
        lengths=lengths,
        n_values=k,
        lookback=int(lookback),
        horizon=int(horizon),
    )


def _calendar(index: pd.DatetimeIndex, horizon: int, freq, cache: dict) -> np.ndarray:
    """Calendar features ``(T + horizon, C)`` float32 of ``index`` and the ``horizon``
    timestamps after it; cached by span (the index is regular)."""
    span = (index[0], index[-1], len(index))
    if span not in cache:
        full = index.append(future_index(index, horizon))
        cache[span] = calendar_features(full, freq).to_numpy("float32")
    return cache[span]


def windows(rows: Rows, starts, label_width: int | None = None):
    """The windows at ``starts`` gathered at once (numpy): what a batch of
    :func:`forecast.tfdata.window_dataset` holds.

    Returns:
        ``(inputs, labels)``: ``inputs`` is ``[past]`` or, with calendar columns,
        ``[past, future]``: ``past (N, lookback, F)`` every column,
        ``future (N, horizon, n_calendar)``; ``labels (N, horizon, label_width)`` (the
        first scaled columns) or None.
    """
    starts = np.asarray(starts, dtype=np.int64)
    past = rows.values[starts[:, None] + np.arange(rows.lookback)]
    inputs = [past]
    if rows.n_calendar or label_width is not None:
        ahead = rows.values[starts[:, None] + rows.lookback + np.arange(rows.horizon)]
        if rows.n_calendar:
            inputs.append(ahead[..., rows.n_values :])
    if label_width is None:
        return inputs, None
    return inputs, ahead[..., :label_width]
