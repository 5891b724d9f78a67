"""The kept history of a fitted Forecaster, and what is recorded of its training data.

``predict()`` without new data forecasts from the end of the history kept at ``fit``
(``history.csv`` in the model directory). The training data itself is not kept: its
description (source, columns, frequency, SHA-256, rows and range per series) is.

Example:
    >>> import pandas as pd
    >>> from forecast.data import validate_frame
    >>> sd = validate_frame(pd.DataFrame({"y": [1.0, 2.0]},
    ...                     index=pd.date_range("2024-01-01", periods=2, freq="D")))
    >>> describe(sd)["series"]
    {'None': {'rows': 2, 'start': '2024-01-01 00:00:00', 'end': '2024-01-02 00:00:00'}}
"""

from __future__ import annotations

import hashlib

import pandas as pd

from forecast.pool import merged


def series_digest(key, frame) -> str:
    """SHA-256 of one validated series (its key, index and values)."""
    digest = hashlib.sha256(str(key).encode())
    digest.update(pd.util.hash_pandas_object(frame, index=True).to_numpy().tobytes())
    return digest.hexdigest()


def data_hash(digests) -> str:
    """SHA-256 of the validated training data: of its series' digests, in data order."""
    return hashlib.sha256("".join(digests).encode()).hexdigest()


def describe(sd, pool=None) -> dict:
    """What the manifest records of the training data (the data itself is not kept).

    ``pool``: when ``sd`` is one worker's part of the panel (:mod:`forecast.pool`), the
    description is that of every worker's series, in the data's order.
    """
    first = next(iter(sd.frames.values()))
    series = {
        str(key): {"rows": len(f), "start": str(f.index[0]), "end": str(f.index[-1])}
        for key, f in sd.frames.items()
    }
    digests = {str(key): series_digest(key, f) for key, f in sd.frames.items()}
    if pool is not None and pool.workers > 1:
        parts = pool.share((series, digests))
        series = merged([part[0] for part in parts], sd.part.ids)
        digests = merged([part[1] for part in parts], sd.part.ids)
    return {
        "source": sd.source,
        "time_col": sd.time_col,
        "id_col": sd.id_col,
        "targets": list(sd.targets),
        "covariates": list(sd.covariates),
        "freq": sd.freq,
        "tz": None if first.index.tz is None else str(first.index.tz),
        "sha256": data_hash(digests.values()),
        "series": series,
    }


def history_frame(frames: dict, id_col: str | None) -> pd.DataFrame:
    """The kept history as one table (long format: indexed by ``(id_col, time)``)."""
    if id_col is None:
        return frames[None]
    return pd.concat(
        [f.assign(**{id_col: key}).set_index(id_col, append=True) for key, f in frames.items()]
    ).reorder_levels([1, 0])


def read_history(file, data: dict) -> dict:
    """``{key: frame}`` from the CSV of :func:`history_frame`, with the index and frequency of
    the data described by ``data`` (:func:`describe`)."""
    # round_trip: the floats read back are the ones written, so a re-save is identical;
    # ids are strings, kept as written ("NA" is an id, not a missing value)
    id_col = data["id_col"]
    exact = {} if int(pd.__version__.split(".")[0]) >= 3 else {"float_precision": "round_trip"}
    frame = pd.read_csv(
        file,
        **exact,  # pandas 3 reads floats exactly by default (and deprecates the option)
        keep_default_na=False,
        dtype=None if id_col is None else {id_col: str},
    )
    time = pd.to_datetime(frame[data["time_col"]], utc=data["tz"] is not None)
    if data["tz"] is not None:
        time = time.dt.tz_convert(data["tz"])
    frame[data["time_col"]] = time
    columns = data["targets"] + data["covariates"]
    groups = (
        [(None, frame)] if data["id_col"] is None else frame.groupby(data["id_col"], sort=False)
    )
    frames = {}
    for key, group in groups:
        f = group.set_index(data["time_col"])[columns].astype("float64")
        f.index = pd.DatetimeIndex(f.index, freq=data["freq"], name=data["time_col"])
        frames[None if key is None else str(key)] = f
    return frames
