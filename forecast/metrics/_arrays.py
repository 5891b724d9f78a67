"""Checks and NaN-aware means shared by the metrics (numpy only)."""

from __future__ import annotations

import numpy as np


def _arrays(names, arrays):
    """Float arrays of one shape, non-empty; raises ``ValueError`` otherwise."""
    out = [np.asarray(a, dtype=float) for a in arrays]
    for name, a in zip(names[1:], out[1:], strict=True):
        if a.shape != out[0].shape:
            raise ValueError(
                f"{names[0]} and {name} must have the same shape, got {out[0].shape} and {a.shape}"
            )
    if out[0].size == 0:
        raise ValueError(f"{names[0]} is empty: need at least one value")
    return out


def _valid(names, arrays):
    """Mask of the positions where no array is NaN; raises if there is none."""
    valid = np.ones(arrays[0].shape, dtype=bool)
    for a in arrays:
        valid &= ~np.isnan(a)
    if not valid.any():
        raise ValueError(f"{' and '.join(names)} have no position where all are non-NaN")
    return valid


def _masked_mean(terms, valid, axis):
    """Mean of ``terms`` over the ``valid`` positions (NaN for an empty slice)."""
    total = np.where(valid, terms, 0.0).sum(axis=axis)
    count = valid.sum(axis=axis)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / np.maximum(count, 1), np.nan)[()]


def _errors(y, yhat):
    """``(y, yhat, valid)`` as checked float arrays and the non-NaN mask."""
    y, yhat = _arrays(("y", "yhat"), (y, yhat))
    return y, yhat, _valid(("y", "yhat"), (y, yhat))
