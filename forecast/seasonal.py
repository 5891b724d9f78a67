"""Seasonal adjustment of one series: a test, the seasonal indices, their phase in time.

The neural models read each series with its seasonal pattern taken out (``deseasonalize=
"auto"``): the indices of a classical decomposition (centred moving average, the mean
deviation from it at each phase of the season), fitted on the series' training rows on the
model's scale (a log scale: multiplicative seasonality), applied only where a test finds the
season — as the theta method and the M4 winner ES-RNN deseasonalise before they model the
level and trend. The network then reads the level and trend of the whole history without
a year's noise in every seasonal step; its forecasts get the indices back.

An index belongs to a *time*, not to a row: :class:`Seasonal` keeps the timestamp of phase 0
(``anchor``), so a history that starts elsewhere (``predict(data=...)``) lines up.

Pure numpy/pandas; imports nothing heavy.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from forecast.frequency import as_offset

# the 95 % normal quantile: statsforecast's and R forecast's theta decide so to deseasonalise
CRITICAL = 1.645


def is_seasonal(values: np.ndarray, season: int) -> bool:
    """Whether ``values (n,)`` show a season of ``season`` steps: the autocorrelation at
    that lag beyond the 90 % bound in absolute value (Bartlett's variance of the lower
    lags), the test of statsforecast's theta.

    As statsforecast's theta: only seasons of at least 4 steps, with two seasons of data.

    Example:
        >>> t = np.arange(48)
        >>> is_seasonal(np.sin(2 * np.pi * t / 12), 12), is_seasonal(t * 1.0, 12)
        (True, False)
    """
    n = len(values)
    if season < 4 or n < 2 * season:
        return False
    x = values - values.mean()
    power = float(x @ x)
    if power == 0:
        return False
    acf = np.array([x[k:] @ x[:-k] for k in range(1, season + 1)]) / power
    bound = CRITICAL * np.sqrt((1 + 2 * np.sum(acf[:-1] ** 2)) / n)
    return bool(abs(acf[-1]) > bound)


def seasonal_indices(values: np.ndarray, season: int) -> np.ndarray:
    """The additive seasonal indices of ``values (n,)`` by phase (row ``i`` has phase
    ``i % season``), centred on zero: the mean deviation from a centred moving average of
    one season (a 2×m average for an even ``season``). Needs two seasons of data.

    Example:
        >>> pattern = np.array([1.0, -2.0, 0.0, 1.0])
        >>> seasonal_indices(np.tile(pattern, 6) + np.arange(24), 4).round(6).tolist()
        [1.0, -2.0, 0.0, 1.0]
    """
    if season % 2 == 0:
        weights = np.r_[0.5, np.ones(season - 1), 0.5] / season
    else:
        weights = np.ones(season) / season
    trend = np.convolve(values, weights, mode="valid")
    half = (len(weights) - 1) // 2
    deviation = np.full(len(values), np.nan)
    deviation[half : half + len(trend)] = values[half : half + len(trend)] - trend
    indices = np.array([np.nanmean(deviation[p::season]) for p in range(season)])
    return indices - indices.mean()


@dataclass(frozen=True)
class Seasonal:
    """The seasonal indices of one series' targets, tied to time.

    Attributes:
        indices: ``(season, targets)``, on the model's scale; zeros for a target where no
            season was found.
        anchor: the timestamp whose phase is 0 (the first training row).
        freq: the series' pandas frequency.
    """

    indices: np.ndarray
    anchor: pd.Timestamp
    freq: str

    def at(self, start: pd.Timestamp, rows) -> np.ndarray:
        """The indices of rows ``rows`` (any shape, may pass the end) of a series whose
        first row is at ``start``: shape ``(*rows.shape, targets)``.

        Example:
            >>> s = Seasonal(np.array([[1.0], [2.0], [3.0]]), pd.Timestamp("2020-01-01"), "MS")
            >>> s.at(pd.Timestamp("2020-02-01"), np.arange(4))[:, 0].tolist()
            [2.0, 3.0, 1.0, 2.0]
        """
        phase = steps_between(self.anchor, start, self.freq)
        return self.indices[(phase + np.asarray(rows)) % len(self.indices)]

    def to_config(self) -> dict:
        return {"anchor": self.anchor.isoformat(), "indices": self.indices.tolist()}

    @classmethod
    def from_config(cls, config: dict, freq: str) -> Seasonal:
        return cls(np.asarray(config["indices"], dtype=float), pd.Timestamp(config["anchor"]), freq)


def fit_seasonal(values: np.ndarray, index: pd.DatetimeIndex, season: int, freq: str):
    """The :class:`Seasonal` of ``values (n, targets)`` (a series' training rows on the
    model's scale, at ``index``), or ``None`` when no target shows the season
    (:func:`is_seasonal`).

    Example:
        >>> index = pd.date_range("2020-01-01", periods=48, freq="MS")
        >>> y = np.sin(2 * np.pi * np.arange(48) / 12)[:, None]
        >>> fit_seasonal(y, index, 12, "MS").indices.shape, fit_seasonal(y, index, 1, "MS")
        ((12, 1), None)
    """
    found = [is_seasonal(values[:, k], season) for k in range(values.shape[1])]
    if not any(found):
        return None
    indices = np.zeros((season, values.shape[1]))
    for k in np.flatnonzero(found):
        indices[:, k] = seasonal_indices(values[:, k], season)
    return Seasonal(indices, index[0], freq)


def steps_between(start: pd.Timestamp, end: pd.Timestamp, freq: str) -> int:
    """How many steps of ``freq`` lead from ``start`` to ``end`` (negative when ``end``
    is earlier); both lie on the frequency's grid.

    Example:
        >>> steps_between(pd.Timestamp("2020-03-01"), pd.Timestamp("2019-12-01"), "MS")
        -3
    """
    if end < start:
        return -steps_between(end, start, freq)
    offset = as_offset(freq)
    if isinstance(offset, pd.offsets.Tick):  # fixed length: exact arithmetic
        return int((end - start) // pd.Timedelta(offset))
    return len(pd.date_range(start, end, freq=offset)) - 1
