"""Gate plots: an LSTM's gate activations and cell state over time."""

from __future__ import annotations

from collections.abc import Sequence
from numbers import Integral
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # pragma: no cover - typing only, never imported at run time
    from matplotlib.figure import Figure

from forecast.plotting._common import _as_datetime_index, _date_axis, _names, _x

_GATES = (
    ("forget", "forget gate $f_t$"),
    ("input", "input gate $i_t$"),
    ("output", "output gate $o_t$"),
)
_TRACE_KEYS = ("forget", "input", "candidate", "output", "cell", "hidden")

# ----------------------------------------------------------------------------- gates


def _trace_arrays(trace: Any) -> dict[str, np.ndarray]:
    if not isinstance(trace, dict):
        raise ValueError(
            f"trace must be the dict returned by LSTM.trace_gates, not {type(trace).__name__}"
        )
    needed = [name for name, _ in _GATES] + ["cell"]
    missing = [k for k in needed if k not in trace]
    if missing:
        raise ValueError(
            f"trace is missing key(s) {_names(missing)} "
            f"(LSTM.trace_gates returns {_names(_TRACE_KEYS)})"
        )
    arrays = {k: np.asarray(trace[k], dtype=float) for k in needed}
    shape = arrays["forget"].shape
    for k, a in arrays.items():
        if a.ndim != 3:
            raise ValueError(f"trace[{k!r}] must have shape (batch, time, units), not {a.shape}")
        if a.shape != shape:
            raise ValueError(f"trace[{k!r}] has shape {a.shape}, but trace['forget'] {shape}")
    if 0 in shape:
        raise ValueError(f"trace arrays are empty (shape {shape})")
    for name, _ in _GATES:
        a = arrays[name]
        if np.nanmin(a) < -1e-6 or np.nanmax(a) > 1 + 1e-6:
            raise ValueError(
                f"trace[{name!r}] has values outside [0, 1] "
                f"({np.nanmin(a):.3g} to {np.nanmax(a):.3g}); gates are sigmoids"
            )
    return arrays


def _gate_units(units: Any, n_units: int) -> list[int]:
    if units is None:
        return list(range(min(4, n_units)))
    if isinstance(units, Integral) and not isinstance(units, bool):
        units = [units]
    try:
        chosen = [int(u) for u in units]
    except (TypeError, ValueError):
        raise ValueError(f"units must be unit indices, not {units!r}") from None
    if not chosen:
        raise ValueError("units is empty")
    bad = [u for u in chosen if not 0 <= u < n_units]
    if bad:
        raise ValueError(f"unit(s) {bad} out of range: the layer has {n_units} units")
    return chosen


def _gate_series(series: Any, n_time: int, sample: int) -> tuple[np.ndarray, Any, list[str]]:
    """The input values ``(time, features)``, their index (or None) and their labels."""
    index = None
    if isinstance(series, pd.Series | pd.DataFrame):
        if isinstance(series.index, pd.DatetimeIndex | pd.PeriodIndex):
            index = _as_datetime_index(series.index, "series")
        frame = series.to_frame() if isinstance(series, pd.Series) else series
        labels = [str(c) for c in frame.columns]
        values = frame.to_numpy(dtype=float)
    else:
        try:
            values = np.asarray(series, dtype=float)
        except (TypeError, ValueError) as err:
            raise ValueError(f"series must be numeric: {err}") from None
        if values.ndim == 3:  # the model input x: (batch, time, features)
            values = values[sample]
        if values.ndim == 1:
            values = values[:, None]
        if values.ndim != 2:
            raise ValueError(f"series must be 1-D (time,) or (time, features), not {values.shape}")
        labels = ["input"] if values.shape[1] == 1 else [f"x{j}" for j in range(values.shape[1])]
    if values.shape[0] != n_time:
        raise ValueError(
            f"series has {values.shape[0]} time steps but the trace has {n_time}; "
            "pass the input the trace was computed from"
        )
    return values, index, labels


def plot_gates(
    trace: dict[str, Any],
    series: Any = None,
    units: Sequence[int] | int | None = None,
    fig: Figure | None = None,
    sample: int = 0,
) -> Figure:
    """Plot an LSTM's forget, input and output gates and cell state over time.

    Stacked panels share the x axis: the input ``series`` (when given) on
    top, then ``f_t``, ``i_t``, ``o_t`` (y range [0, 1]) and ``c_t``, one line
    per chosen unit with the same colour for a unit in every panel. The x axis
    shows dates when ``series`` has a DatetimeIndex, time steps otherwise.

    Args:
        trace: the dict returned by ``forecast.layers.LSTM.trace_gates(x)``:
            arrays of shape ``(batch, time, units)`` under ``forget``,
            ``input``, ``candidate``, ``output``, ``cell`` and ``hidden``
            (``candidate`` and ``hidden`` are not drawn and may be absent).
        series: the input, shape ``(time,)``, ``(time, features)`` or the
            model input ``(batch, time, features)`` (element ``sample`` is
            drawn); a numpy array or a pandas Series/DataFrame, whose
            DatetimeIndex then labels the x axis. No input panel when None.
        units: indices of the units to draw; the first 4 when None.
        fig: an empty Figure to draw on; a new figure when None.
        sample: which batch element to draw (default the first).

    Returns:
        The Figure, whose ``axes`` are the panels from top to bottom (4, or
        5 with ``series``).

    Raises:
        ValueError: when ``trace`` lacks a key or has inconsistent shapes,
            gate values outside [0, 1], ``series`` has another length,
            ``units``/``sample`` are out of range, or ``fig`` has axes.

    Example:
        >>> import numpy as np
        >>> rng = np.random.default_rng(0)
        >>> shape = (2, 10, 8)  # (batch, time, units)
        >>> trace = {k: rng.uniform(size=shape) for k in ("forget", "input", "output")}
        >>> trace["cell"] = rng.normal(size=shape)
        >>> fig = plot_gates(trace, series=np.sin(np.arange(10.0)))
        >>> len(fig.axes)
        5
        >>> [len(ax.get_lines()) for ax in fig.axes]
        [1, 4, 4, 4, 4]
    """
    arrays = _trace_arrays(trace)
    n_batch, n_time, n_units = arrays["forget"].shape
    if isinstance(sample, bool) or not isinstance(sample, Integral) or not 0 <= sample < n_batch:
        raise ValueError(f"sample must be a batch index in [0, {n_batch}), not {sample!r}")
    chosen = _gate_units(units, n_units)
    inputs = None if series is None else _gate_series(series, n_time, sample)

    from matplotlib.figure import Figure

    n_panels = len(_GATES) + 1 + (inputs is not None)
    if fig is None:
        from matplotlib import pyplot as plt

        fig = plt.figure(figsize=(9.0, 1.7 * n_panels + 0.6), layout="constrained")
    elif not isinstance(fig, Figure):
        raise ValueError(f"fig must be a matplotlib Figure or None, not {type(fig).__name__}")
    elif fig.axes:
        raise ValueError("fig already has axes; pass an empty Figure")
    axes = list(fig.subplots(n_panels, 1, sharex=True, squeeze=False)[:, 0])

    index = inputs[1] if inputs is not None else None
    x = _x(index) if index is not None else np.arange(n_time)
    if inputs is not None:
        values, _, labels = inputs
        ax = axes.pop(0)
        for j, label in enumerate(labels):
            ax.plot(x, values[:, j], color="k" if len(labels) == 1 else f"C{j}", label=label)
        ax.set_ylabel("input")
        if len(labels) > 1:
            ax.legend(loc="upper right", fontsize="small", ncols=min(len(labels), 6))

    panels = [*_GATES, ("cell", "cell state $c_t$")]
    for ax, (name, label) in zip(axes, panels, strict=True):
        data = arrays[name][sample]
        for k, u in enumerate(chosen):
            ax.plot(x, data[:, u], color=f"C{k % 10}", label=f"unit {u}")
        ax.set_ylabel(label)
        if name != "cell":
            ax.set_ylim(0.0, 1.0)
    axes[0].legend(loc="upper right", fontsize="small", ncols=min(len(chosen), 6))

    bottom = fig.axes[-1]
    if index is not None:
        _date_axis(bottom, index.tz)
        bottom.set_xlabel(index.name or "time")
    else:
        bottom.set_xlabel("time step")
    fig.suptitle(f"LSTM gates (sample {sample})")
    return fig
