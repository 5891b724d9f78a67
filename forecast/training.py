"""Training the neural models: scaling, the base choice and the Keras fit.

Used by the neural models of :mod:`forecast.models.neural`; imports TensorFlow. It reads
the problem from a :class:`~forecast.models.ModelSpec`, never from the estimator.

Validation: the last origins of every series (see ``Forecaster``) are held out. Their
labels must not leak into training, so training origins end ``horizon`` steps before the
first validation origin ("purged"). When that leaves too few training windows (a short
series with a long horizon, such as 36 months ahead on 9 years of monthly data) the
training windows go up to the first validation origin instead ("overlapping") and the
manifest says so: early stopping is then somewhat optimistic.

The windows are never materialised: the scaled rows of every series are kept once,
contiguous (:mod:`forecast.streaming`), and each batch gathers its windows from an index
of window starts (:func:`forecast.tfdata.window_dataset`), so memory grows with the rows.
"""

from __future__ import annotations

import keras
import numpy as np
import pandas as pd
import tensorflow as tf

from forecast import (
    _lstm_kernels,
    callbacks,
    distributed,
    losses,
    networks,
    optimizers,
    pool,
    sharding,
)
from forecast.errors import DataError, TrainingError
from forecast.streaming import windows
from forecast.tfdata import window_dataset, with_members_axis
from forecast.windowing import fit_scaler, training_origins


def scaled(spec, frame: pd.DataFrame, transform: str, seasonal, scaler) -> np.ndarray:
    """The columns ``targets + covariates`` of one series, transformed, seasonally
    adjusted and scaled: the values the network reads (:func:`forecast.streaming.stack_rows`
    keeps them as float32)."""
    return scaler.transform(adjusted(spec, frame, transform, seasonal))


def adjusted(spec, frame: pd.DataFrame, transform: str, seasonal) -> np.ndarray:
    """:func:`transformed`, less the targets' seasonal indices (``seasonal``: a
    :class:`forecast.seasonal.Seasonal`, or ``None`` for none)."""
    values = transformed(spec, frame, transform)
    if seasonal is not None:
        k = len(spec.targets)
        values[:, :k] -= seasonal.at(frame.index[0], np.arange(len(frame)))
    return values


def choose_transform(transform: str, frame: pd.DataFrame, targets) -> str:
    """The transform of one series: ``"auto"`` is ``"log"`` when every target value of
    ``frame`` is positive, else ``"none"``; ``"log"`` and ``"none"`` are kept as given.

    Each series decides for itself, so one series with a zero does not take the log
    scale away from the others. A log scale turns multiplicative seasonality and
    exponential growth (sales, passengers, demand) into additive patterns that a small
    network learns from few windows; forecasts are transformed back with ``exp``.
    """
    if transform != "auto":
        return transform
    return "log" if (frame[list(targets)].to_numpy() > 0).all() else "none"


def transformed(spec, frame: pd.DataFrame, transform: str) -> np.ndarray:
    """The columns ``targets + covariates`` of ``frame``, targets on the model's scale."""
    values = frame[[*spec.targets, *spec.covariates]].to_numpy(dtype=float, copy=True)
    if transform == "log":
        k = len(spec.targets)
        if (values[:, :k] <= 0).any():
            raise DataError(
                f"the model was trained on a log scale, but the data has target values <= 0 in "
                f"{', '.join(spec.targets)}; refit with transform='none'"
            )
        values[:, :k] = np.log(values[:, :k])
    return values


def splits(spec, frames: dict, validation: dict) -> dict:
    """``{key: (training origins, "purged" | "overlapping")}`` of every series."""
    return {
        key: training_origins(len(frame), spec.lookback, spec.horizon, validation[key])
        for key, frame in frames.items()
    }


def training_rows(spec, split) -> int:
    """How many leading rows of a series its training windows read (inputs and labels),
    given its ``(training origins, kind)`` of :func:`splits`."""
    return int(split[0][-1]) + spec.horizon


def fit_seasonals(spec, frames: dict, parts: dict, transforms: dict) -> dict:
    """The seasonal indices of every series (:func:`forecast.seasonal.fit_seasonal`, on its
    training rows, on the model's scale; ``parts``: the series' :func:`splits`):
    ``{key: Seasonal or None}``; all ``None`` when ``spec.deseasonalize`` is ``"none"``."""
    from forecast.seasonal import fit_seasonal

    if spec.deseasonalize == "none":
        return dict.fromkeys(frames)
    out = {}
    for key, frame in frames.items():
        rows = training_rows(spec, parts[key])
        values = transformed(spec, frame, transforms[key])[:rows, : len(spec.targets)]
        out[key] = fit_seasonal(values, frame.index[:rows], spec.season_length, spec.freq)
    return out


def fit_train_scalers(spec, frames: dict, parts: dict, transforms: dict, seasonals: dict) -> dict:
    """One column scaler per series, fitted on the rows that its training windows read
    (inputs and labels; ``parts``: the series' :func:`splits`), seasonally adjusted:
    ``{key: StandardScaler}``.

    Each series is scaled on its own, so a series a thousand times larger than another
    does not dominate the loss; for one series this is the scaler of all training rows.
    """
    return {
        key: fit_scaler(
            adjusted(spec, frame, transforms[key], seasonals[key])[
                : training_rows(spec, parts[key])
            ]
        )
        for key, frame in frames.items()
    }


def scaler_from(mean, scale):
    """A fitted ``StandardScaler`` from its saved ``mean_`` and ``scale_``."""
    from sklearn.preprocessing import StandardScaler

    scaler = StandardScaler()
    scaler.mean_ = np.asarray(mean, dtype=float)
    scaler.scale_ = np.asarray(scale, dtype=float)
    scaler.var_ = scaler.scale_**2
    scaler.n_features_in_ = len(scaler.mean_)
    return scaler


def choose_base(spec, frames: dict, splits: dict) -> list[int]:
    """The seasons of the ``lstm`` model's naive base, chosen on the training origins.

    Candidates: the season (``season_length``); for sub-daily data also the week
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
        >>> spec = types.SimpleNamespace(season_length=12, lookback=24, freq="MS")
        >>> choose_base(spec, {}, {})
        [12]
    """
    from forecast.frequency import week_length

    season = spec.season_length if spec.season_length <= spec.lookback else 1
    week = week_length(spec.freq)
    if week is None or week <= season or week > spec.lookback:
        return [season]
    candidates = [[season], [week], [season, week]]
    errors = np.zeros(len(candidates))
    steps = np.arange(spec.horizon)
    for key, frame in frames.items():
        values = frame[list(spec.targets)].to_numpy(dtype=float)  # (T, k)
        train_origins = np.asarray(splits[key][0])
        recent = train_origins[train_origins > train_origins[-1] - 4 * week]
        actual = values[recent[:, None] + steps]  # (N, H, k)
        mae = []
        for seasons in candidates:
            base = np.mean([values[recent[:, None] - m + steps % m] for m in seasons], axis=0)
            mae.append(np.nanmean(np.abs(actual - base), axis=(0, 1)))  # (k,)
        errors += (np.asarray(mae) / np.maximum(mae[0], 1e-12)).sum(axis=1)
    errors = pool.active().total(errors)  # sharded by series: every worker's series count
    return candidates[int(np.argmin(errors))]


def train(model, frames: dict, validation: dict):
    """Trains the ensemble of ``model`` (a neural :class:`~forecast.models.Model`).

    The model's scalers, transforms and base are already fitted. The members, each built
    by ``model.build`` from its own seed, train together as one Keras model whose output
    has a members axis (:func:`forecast.networks.ensemble`): one pass over a batch runs
    every member, and the loss is the mean of the members' squared errors, so each
    member's weights get the gradient of its own loss (divided by the number of members,
    which Adam's step does not see). They share the shuffled batches and the early
    stopping on their mean validation loss; the head gate then acts per member.

    Returns:
        ``(network, info)``: the trained ensemble ``keras.Model`` and a dict for the
        manifest (epochs run, best epoch per member, losses, windows, split kind).
    """
    tf.config.experimental.enable_op_determinism()
    _lstm_kernels.new_model()  # another model's compiled loops slow this one's: let go
    spec = model.spec
    parts = splits(spec, frames, validation)
    setup = distributed.active()
    # sharded by series, ``frames`` are this worker's part (forecast.pool) and it windows
    # them only (forecast.sharding)
    by_series = setup is not None and setup.shard == "series"
    # one window index over all series (series in order, then their origins): shuffling
    # its positions gives the order that shuffling the stacked windows gave
    rows = model.rows(frames)
    train_starts = rows.starts({key: parts[key][0] for key in frames})
    val_starts = rows.starts({key: validation[key] for key in frames})
    width = model.label_width(rows.n_values)
    n_windows = (len(train_starts), len(val_starts))
    keras.utils.set_random_seed(spec.seed)

    def build():
        seeds = [spec.seed + 1000 * m for m in range(spec.ensemble)]
        n_features = rows.values.shape[1]
        return networks.ensemble([model.build(n_features=n_features, seed=s) for s in seeds])

    # callbacks besides early stopping: the stop on a signal, and a progress bar
    progress = [
        callbacks.StopOnRequest(),
        *([callbacks.EpochProgress(spec.epochs)] if spec.verbose else []),
    ]
    if setup is None:
        network = build()
        history = _fit(
            spec, network, (rows, train_starts, width), (rows, val_starts, width), progress
        )
    elif by_series:
        network, history, n_windows = sharding.fit_series(
            spec, build, rows, train_starts, val_starts, width,
            seed=spec.seed, setup=setup, progress=progress,
        )  # fmt: skip
    else:  # data-parallel (or resumable): the custom loop, same semantics
        # sharding by batch: every worker gathers every window, as numpy arrays
        # (--shard series spreads the series instead: forecast.sharding)
        x_train, y_train = windows(rows, train_starts, width)
        x_val, y_val = windows(rows, val_starts, width)
        arrays = ((tuple(x_train), y_train[:, None]), (tuple(x_val), y_val[:, None]))
        network, history = distributed.fit_one(
            spec, build, *arrays, seed=spec.seed, setup=setup, progress=progress
        )
    _check_finite(history)
    val_set = with_members_axis(
        window_dataset(rows, val_starts, batch_size=PREDICT_BATCH, label_width=width)
    )
    total = (lambda sums: sharding.all_sum(setup, sums)) if by_series else None
    member_loss, base_loss, kept = _gate_heads(network, val_set, total)
    best = int(np.nanargmin(history["val_loss"]))
    info = {
        "members": spec.ensemble,
        "epochs": len(history["loss"]),
        # 0: the member did not beat its naive base on validation; its head was zeroed
        "best_epoch": [best + 1 if k else 0 for k in kept],
        "loss": float(history["loss"][best]),
        "val_loss": float(np.mean(np.where(kept, member_loss, base_loss))),
        "train_windows": int(n_windows[0]),
        "val_windows": int(n_windows[1]),
        "validation": "purged" if all(s[1] == "purged" for s in parts.values()) else "overlapping",
    }
    return network, info


def _fit(spec, network, train_data, val_data, extra) -> dict:
    """Trains the ensemble with ``model.fit`` and early stopping (``extra``: more Keras
    callbacks); returns its history."""
    network.compile(optimizer=optimizers.Adam(spec.learning_rate), loss="mse")
    # Adam's slots made now, not in the first step: a step that creates variables is
    # traced twice by tf.function (about 1.5 s of every fit)
    network.optimizer.build(network.trainable_variables)
    rows, starts, width = train_data
    train_set = window_dataset(
        rows, starts, batch_size=spec.batch_size, label_width=width, shuffle=True, seed=spec.seed
    )
    rows, starts, width = val_data
    val_set = with_members_axis(
        window_dataset(rows, starts, batch_size=spec.batch_size, label_width=width)
    )
    per_window = rows.lookback * rows.values.shape[1] + rows.horizon * (rows.n_calendar + width)
    val_batches = losses.held(val_set, 4 * per_window * len(starts))
    validation = callbacks.ValidationLoss(lambda: losses.validation_loss(network, val_batches))
    # The training stream repeated, with its number of batches given: Keras then keeps one
    # iterator over the whole fit instead of making two every epoch (about 27 ms per epoch:
    # a quarter of a small fit). Each epoch reads the next shuffled pass.
    return network.fit(
        with_members_axis(train_set.repeat()),
        epochs=spec.epochs,
        steps_per_epoch=-(-len(train_data[1]) // spec.batch_size),
        verbose=0,
        shuffle=False,  # the dataset shuffles itself, reproducibly
        callbacks=[validation, *callbacks.training_callbacks(spec, extra)],
    ).history


def _check_finite(history: dict) -> None:
    """Refuses a diverged fit."""
    if not np.isfinite(history["loss"][-1]):
        raise TrainingError(
            f"training diverged: the loss became NaN at epoch {len(history['loss'])}; "
            "try a smaller learning_rate or check the data for extreme values"
        )


def _gate_heads(network, val_set, total=None) -> tuple[np.ndarray, float, list[bool]]:
    """Zeroes the head of every member that does not beat its naive base on validation.

    Both models (``lstm``, ``lstm-ar``) add the output of their layer ``head`` to a naive
    forecast (seasonal naive; the last value), so a member with a zero head forecasts
    exactly that base, which is the same for every member. ``total``: as in
    :func:`forecast.losses.member_losses`.

    Returns:
        ``(member_loss (members,), base_loss, kept)``: the trained members' validation
        losses, that of the bare base, and for each member whether its head was kept.
    """
    heads = [_head(member) for member in members_of(network)]
    trained = [head.get_weights() for head in heads]
    member_loss = losses.member_losses(network, val_set, total)
    for head, weights in zip(heads, trained, strict=True):
        head.set_weights([np.zeros_like(w) for w in weights])
    base_loss = float(losses.member_losses(network, val_set, total)[0])
    kept = [bool(loss < base_loss) for loss in member_loss]
    for head, weights, keep in zip(heads, trained, kept, strict=True):
        if keep:
            head.set_weights(weights)
    return member_loss, base_loss, kept


def members_of(network) -> list:
    """The member networks of an ensemble (:func:`forecast.networks.ensemble`), in order."""
    return [layer for layer in network.layers if layer.name.startswith("member_")]


def _head(network):
    """The layer ``head`` of a member network (``lstm``: top level; ``lstm-ar``: in ``feedback``)."""
    try:
        return network.get_layer("head")
    except ValueError:
        return network.get_layer("feedback").head


PREDICT_BATCH = 256


def predict_scaled(network, rows, starts) -> np.ndarray:
    """Runs the network on the windows at ``starts`` of ``rows``, gathered batch by batch:
    ``(N, members, horizon, n_outputs)`` in scaled units."""
    if len(starts) == 0:
        return np.empty((0, *network.output_shape[1:]))
    run = networks.inference(network)  # Keras' predict, to the bit, without its set-up per call
    batches = window_dataset(rows, starts, batch_size=PREDICT_BATCH)
    return np.concatenate([np.asarray(run(x), dtype=float) for (x,) in batches])


def unscale_targets(
    scaled: np.ndarray, scaler, transform: str, n_targets: int, seasonal=None
) -> np.ndarray:
    """Scaled member outputs ``(N, members, horizon, n_outputs)`` → the ensemble forecast
    ``(N, horizon, targets)`` in data units: each member gets the seasonal indices of the
    forecast steps back (``seasonal``: ``(N, horizon, targets)`` or ``None``), is
    transformed back, then averaged.
    """
    k = n_targets
    values = scaled[..., :k] * scaler.scale_[:k] + scaler.mean_[:k]
    if seasonal is not None:
        values = values + seasonal[:, None]
    if transform == "log":
        values = np.exp(values)
    return values.mean(axis=1)
