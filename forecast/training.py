"""Training the neural models: design matrices, the validation split and the Keras fit.

Used by :class:`forecast.Forecaster` for ``lstm`` and ``lstm-ar``; imports TensorFlow.

Validation: the last origins of every series (see ``Forecaster``) are held out. Their
labels must not leak into training, so training origins end ``horizon`` steps before the
first validation origin ("purged"). When that leaves too few training windows (a short
series with a long horizon, such as 36 months ahead on 9 years of monthly data) the
training windows go up to the first validation origin instead ("overlapping") and the
manifest says so: early stopping is then somewhat optimistic.
"""

from __future__ import annotations

import keras
import numpy as np
import pandas as pd
import tensorflow as tf

from forecast.errors import DataError, TrainingError
from forecast.features import calendar_features
from forecast.windowing import fit_scaler, make_windows

MIN_PURGED_WINDOWS = 16


def design(fc, frame: pd.DataFrame, origins, scaler=None, labels: bool = False):
    """The model inputs (and optionally labels) for forecasts made at ``origins``.

    Args:
        fc: the Forecaster (its fitted ``targets_``, ``covariates_``, ``lookback_``,
            ``horizon_``, ``calendar_``, ``freq_``).
        frame: one series, validated.
        origins: row positions of the first forecast step; inputs are the ``lookback_``
            rows before each origin.
        scaler: the fitted column scaler (default ``fc.scaler_``).
        labels: also return the ``horizon_`` rows from each origin as labels.

    Returns:
        ``(inputs, y)``: ``inputs`` is ``[past]`` or ``[past, future]`` with
        ``past (N, lookback, n_features)`` and ``future (N, horizon, n_calendar)``;
        ``y (N, horizon, n_outputs)`` scaled, or None.
    """
    scaler = fc.scaler_ if scaler is None else scaler
    values = scaler.transform(transformed(fc, frame)).astype("float32")  # (T, F0)
    # Pad with `horizon` rows after the end, so that the window of the last origin (T,
    # the forecast) exists: its labels are NaN, its calendar features are known.
    padded = np.concatenate([values, np.full((fc.horizon_, values.shape[1]), np.nan, "float32")])
    past = padded
    if fc.calendar_:
        index = frame.index.append(
            pd.date_range(frame.index[-1], periods=fc.horizon_ + 1, freq=frame.index.freq)[1:]
        )
        cal = calendar_features(index, fc.freq_).to_numpy("float32")  # (T + H, C)
        past = np.concatenate([padded, cal], axis=1)
    # Window i reads rows i .. i+lookback-1 and forecasts from origin i + lookback.
    rows = np.asarray(origins) - fc.lookback_
    x, y = make_windows(past, padded, fc.lookback_, fc.horizon_)
    inputs = [x[rows]]
    if fc.calendar_:
        _, future = make_windows(cal, cal, fc.lookback_, fc.horizon_)
        inputs.append(future[rows])
    if not labels:
        return inputs, None
    width = len(fc.targets_) if fc.model == "lstm" else values.shape[1]
    return inputs, y[rows][..., :width]


def choose_transform(transform: str, sd) -> str:
    """``"auto"`` becomes ``"log"`` when every target value is positive, else ``"none"``.

    A log scale turns multiplicative seasonality and exponential growth (sales,
    passengers, demand) into additive patterns that a small network learns from few
    windows; forecasts are transformed back with ``exp``.
    """
    if transform != "auto":
        return transform
    positive = all((frame[sd.targets].to_numpy() > 0).all() for frame in sd.frames.values())
    return "log" if positive else "none"


def transformed(fc, frame: pd.DataFrame) -> np.ndarray:
    """The columns ``targets + covariates`` of ``frame``, targets on the model's scale."""
    values = frame[fc.targets_ + fc.covariates_].to_numpy(dtype=float, copy=True)
    if fc.transform_ == "log":
        k = len(fc.targets_)
        if (values[:, :k] <= 0).any():
            raise DataError(
                f"the model was trained on a log scale, but the data has target values <= 0 in "
                f"{', '.join(fc.targets_)}; refit with --transform none"
            )
        values[:, :k] = np.log(values[:, :k])
    return values


def split_origins(fc, n: int, validation: list[int]) -> tuple[list[int], str]:
    """Training origins of a series of ``n`` rows, given its validation origins."""
    first_val = validation[0]
    purged = list(range(fc.lookback_, first_val - fc.horizon_ + 1))
    if len(purged) >= max(MIN_PURGED_WINDOWS, 2 * len(validation)):
        return purged, "purged"
    return list(range(fc.lookback_, first_val)), "overlapping"


def choose_base(fc, sd, splits: dict) -> list[int]:
    """The seasons of the ``lstm`` model's naive base, chosen on the training origins.

    Candidates: the season (``season_length_``); for sub-daily data also the week
    (:func:`forecast.frequency.week_length`) and the mean of the two forecasts, when the
    week fits in the lookback. Each candidate forecasts every training origin of the
    last four weeks before validation (in data units); the one with the lowest mean
    absolute error, relative to the season's and summed over targets, wins. Without a
    week: ``[season]``, or ``[1]`` (the naive forecast) when the season is longer than
    the lookback.

    Returns:
        The seasons, for :class:`forecast.networks.SeasonalNaive`.

    Example:
        >>> import types
        >>> fc = types.SimpleNamespace(season_length_=12, lookback_=24, freq_="MS")
        >>> choose_base(fc, None, {})
        [12]
    """
    from forecast.frequency import week_length

    season = fc.season_length_ if fc.season_length_ <= fc.lookback_ else 1
    week = week_length(fc.freq_)
    if week is None or week <= season or week > fc.lookback_:
        return [season]
    candidates = [[season], [week], [season, week]]
    errors = np.zeros(len(candidates))
    steps = np.arange(fc.horizon_)
    for key, frame in sd.frames.items():
        values = frame[fc.targets_].to_numpy(dtype=float)  # (T, k)
        train_origins = np.asarray(splits[key][0])
        recent = train_origins[train_origins > train_origins[-1] - 4 * week]
        actual = values[recent[:, None] + steps]  # (N, H, k)
        mae = []
        for seasons in candidates:
            base = np.mean([values[recent[:, None] - m + steps % m] for m in seasons], axis=0)
            mae.append(np.nanmean(np.abs(actual - base), axis=(0, 1)))  # (k,)
        errors += (np.asarray(mae) / np.maximum(mae[0], 1e-12)).sum(axis=1)
    return candidates[int(np.argmin(errors))]


def train(fc, sd, origins: dict):
    """Fits the scaler on the training rows and trains the network.

    Returns:
        ``(network, scaler, info)``: the trained ``keras.Model``, the fitted scaler and a
        dict for the manifest (epochs run, best epoch, losses, windows, split kind).
    """
    from forecast import networks

    tf.config.experimental.enable_op_determinism()

    splits = {key: split_origins(fc, len(frame), origins[key]) for key, frame in sd.frames.items()}
    train_rows = [
        transformed(fc, frame)[: splits[key][0][-1] + fc.horizon_]
        for key, frame in sd.frames.items()
    ]
    scaler = fit_scaler(np.concatenate(train_rows))

    def stack(which):
        parts = [
            design(fc, frame, which(key), scaler=scaler, labels=True)
            for key, frame in sd.frames.items()
        ]
        inputs = [np.concatenate(p) for p in zip(*[x for x, _ in parts], strict=True)]
        return inputs, np.concatenate([y for _, y in parts])

    x_train, y_train = stack(lambda key: splits[key][0])
    x_val, y_val = stack(lambda key: origins[key])

    base = choose_base(fc, sd, splits) if fc.model == "lstm" else None
    build = _builder(fc, n_features=x_train[0].shape[-1], base=base)
    train_data = (tuple(x_train), y_train)
    val_data = (tuple(x_val), y_val)
    members, runs = [], []
    for m in range(fc.ensemble):
        seed = fc.seed + 1000 * m
        keras.utils.set_random_seed(seed)
        network = build(seed)
        runs.append(_fit_one(fc, network, train_data, val_data, seed, member=m))
        members.append(network)
    best = [int(np.nanargmin(run["val_loss"])) for run in runs]
    info = {
        "members": fc.ensemble,
        "epochs": max(len(run["loss"]) for run in runs),
        # 0: the network did not beat its naive base on validation; its head was zeroed
        "best_epoch": [0 if r["head_zeroed"] else b + 1 for r, b in zip(runs, best, strict=True)],
        "loss": float(np.mean([run["loss"][b] for run, b in zip(runs, best, strict=True)])),
        "val_loss": float(
            np.mean(
                [min(r["val_loss"][b], r["base_val_loss"]) for r, b in zip(runs, best, strict=True)]
            )
        ),
        "train_windows": int(len(y_train)),
        "val_windows": int(len(y_val)),
        "validation": "purged" if all(s[1] == "purged" for s in splits.values()) else "overlapping",
    }
    if base is not None:
        info["base_seasons"] = base
    return networks.ensemble(members), scaler, info


def _builder(fc, n_features: int, base=None):
    """``build(seed) -> keras.Model``: one uncompiled member network of ``fc.model``.

    ``base``: the seasons of the ``lstm`` model's naive base (:func:`choose_base`).
    """
    from forecast import networks

    common = dict(
        lookback=fc.lookback_,
        n_features=n_features,
        n_calendar=len(fc.calendar_),
        horizon=fc.horizon_,
        units=fc.units,
        dropout=fc.dropout,
    )
    if fc.model == "lstm":
        return lambda seed: networks.build_direct(
            n_targets=len(fc.targets_), layers=fc.layers, seasons=base, seed=seed, **common
        )
    return lambda seed: networks.build_feedback(seed=seed, **common)


def _fit_one(fc, network, train_data, val_data, seed: int, member: int) -> dict:
    """Trains one member with early stopping; returns its Keras history."""
    from forecast.tfdata import make_dataset

    network.compile(optimizer=keras.optimizers.Adam(fc.learning_rate), loss="mse")
    train_set = make_dataset(*train_data, batch_size=fc.batch_size, shuffle=True, seed=seed)
    val_set = make_dataset(*val_data, batch_size=fc.batch_size)
    callbacks = [
        keras.callbacks.EarlyStopping(patience=fc.patience, restore_best_weights=True),
        keras.callbacks.ReduceLROnPlateau(factor=0.5, patience=max(1, fc.patience // 3)),
        keras.callbacks.TerminateOnNaN(),
    ]
    if fc.verbose:
        callbacks.append(EpochProgress(fc.epochs, member, fc.ensemble))
    history = network.fit(
        train_set,
        validation_data=val_set,
        epochs=fc.epochs,
        verbose=0,
        shuffle=False,  # the dataset shuffles itself, reproducibly
        callbacks=callbacks,
    ).history
    if not np.isfinite(history["loss"][-1]):
        raise TrainingError(
            f"training diverged: the loss became NaN at epoch {len(history['loss'])}; "
            "try a smaller --learning-rate or check the data for extreme values"
        )
    history["base_val_loss"], history["head_zeroed"] = _keep_head_if_better(
        network, val_set, np.nanmin(history["val_loss"])
    )
    return history


def _keep_head_if_better(network, val_set, val_loss: float) -> tuple[float, bool]:
    """Zeroes the network's head unless the network beats its naive base on validation.

    Both models (``lstm``, ``lstm-ar``) add the output of their layer ``head`` to a naive
    forecast (seasonal naive; the last value), so with a zero head they forecast exactly
    that base.

    Returns:
        ``(base_val_loss, zeroed)``: the validation loss of the bare base, and whether the
        head was left zeroed.
    """
    head = network.get_layer("head")
    trained = head.get_weights()
    head.set_weights([np.zeros_like(w) for w in trained])
    base_val_loss = float(network.evaluate(val_set, verbose=0))
    zeroed = not val_loss < base_val_loss
    if not zeroed:
        head.set_weights(trained)
    return base_val_loss, zeroed


def predict_scaled(network, inputs) -> np.ndarray:
    """Runs the network: ``(N, members, horizon, n_outputs)`` in scaled units."""
    return np.asarray(network.predict(inputs, batch_size=256, verbose=0), dtype=float)


def unscale_targets(fc, scaled: np.ndarray) -> np.ndarray:
    """Scaled member outputs ``(N, members, horizon, n_outputs)`` → the ensemble forecast
    ``(N, horizon, targets)`` in data units: each member is transformed back, then averaged.
    """
    k = len(fc.targets_)
    values = scaled[..., :k] * fc.scaler_.scale_[:k] + fc.scaler_.mean_[:k]
    if fc.transform_ == "log":
        values = np.exp(values)
    return values.mean(axis=1)


class EpochProgress(keras.callbacks.Callback):
    """One Keras progress bar over the epochs of one member (not one bar per epoch)."""

    def __init__(self, epochs: int, member: int = 0, members: int = 1):
        super().__init__()
        if members > 1:
            keras.utils.io_utils.print_msg(f"Network {member + 1}/{members}")
        self.bar = keras.utils.Progbar(epochs, unit_name="epoch")
        self.seen = 0

    def on_epoch_end(self, epoch, logs=None):
        self.seen = epoch + 1
        self.bar.update(self.seen, [(k, v) for k, v in (logs or {}).items() if "loss" in k])

    def on_train_end(self, logs=None):
        if self.seen < self.bar.target:  # stopped early: close the bar's line
            self.bar.update(self.seen, finalize=True)
