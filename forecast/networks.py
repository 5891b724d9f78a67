"""The two Keras graphs built on our LSTM: ``lstm`` (direct) and ``lstm-ar`` (feedback).

Every neural model reads the same inputs, built by :mod:`forecast.forecaster`:

* ``past``   ``(batch, lookback, n_features)``: the scaled targets first, then the scaled
  covariates, then the calendar features of the lookback window;
* ``future`` ``(batch, horizon, n_calendar)``: the calendar features of the steps to forecast
  (known in advance), present only when there are calendar features.

Both graphs forecast the *change* from a naive forecast (a residual connection): ``lstm``
from the seasonal naive forecast (one season, or the mean of a day and a week for
sub-daily data, see :func:`forecast.training.choose_base`), ``lstm-ar`` from the last
value. A small network then follows trends and levels it never saw in training, and one
with a zero head (what training leaves when the network does not beat its base on
validation) forecasts exactly that base.
"""

from __future__ import annotations

import weakref

import keras
import tensorflow as tf

from forecast.layers import LSTM, LSTMCell


@keras.saving.register_keras_serializable(package="forecast")
class SeasonalNaive(keras.layers.Layer):
    """The seasonal naive forecast inside the graph: the last ``season`` steps, repeated.

    ``(B, T, F) -> (B, horizon, width)``: step ``h`` of the output is input step
    ``T - season + (h mod season)`` of the first ``width`` features. With ``season=1`` it is
    the last observed value, repeated (the naive forecast). With several ``seasons`` (for
    example a day and a week of hourly steps) it is the mean of their forecasts.

    Example:
        >>> import numpy as np
        >>> x = np.arange(6.0).reshape(1, 6, 1)
        >>> SeasonalNaive(width=1, season=2, horizon=3)(x)[0, :, 0].numpy().tolist()
        [4.0, 5.0, 4.0]
        >>> SeasonalNaive(width=1, seasons=[2, 4], horizon=3)(x)[0, :, 0].numpy().tolist()
        [3.0, 4.0, 4.0]
    """

    def __init__(self, width: int, season: int = 1, horizon: int = 1, seasons=None, **kwargs):
        super().__init__(**kwargs)
        self.width = int(width)
        self.seasons = [int(m) for m in seasons] if seasons else [int(season)]
        self.horizon = int(horizon)

    def call(self, inputs):
        values = inputs[:, :, : self.width]
        forecasts = [
            keras.ops.take(values, [inputs.shape[1] - m + h % m for h in range(self.horizon)], 1)
            for m in self.seasons
        ]
        return forecasts[0] if len(forecasts) == 1 else sum(forecasts) / len(forecasts)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.horizon, self.width)

    def get_config(self):
        return {
            **super().get_config(),
            "width": self.width,
            "seasons": self.seasons,
            "horizon": self.horizon,
        }


@keras.saving.register_keras_serializable(package="forecast")
class Recentre(keras.layers.Layer):
    """Each window's targets minus their own level: the mean of their last ``season`` steps.

    ``(B, T, F) -> (B, T, F)``: the first ``width`` features of every window are shifted
    by that window's level; the others (covariates, calendar) pass unchanged. The encoder
    then reads the shape of the recent past (on a log scale: ratios to the level), the
    same for a series at 10 and at 10,000 or for one that has grown since training: the
    window normalisation of N-BEATS and ES-RNN.

    Example:
        >>> import numpy as np
        >>> x = np.array([[[1.0, 7.0], [2.0, 7.0], [4.0, 7.0]]])
        >>> Recentre(width=1, season=2)(x)[0].numpy().tolist()
        [[-2.0, 7.0], [-1.0, 7.0], [1.0, 7.0]]
    """

    def __init__(self, width: int, season: int, **kwargs):
        super().__init__(**kwargs)
        self.width, self.season = int(width), int(season)

    def call(self, inputs):
        values = inputs[:, :, : self.width]
        level = keras.ops.mean(values[:, -self.season :, :], axis=1, keepdims=True)
        return keras.ops.concatenate([values - level, inputs[:, :, self.width :]], axis=-1)

    def get_config(self):
        return {**super().get_config(), "width": self.width, "season": self.season}


def build_direct(
    *,
    lookback: int,
    n_features: int,
    n_targets: int,
    n_calendar: int,
    horizon: int,
    units: int,
    layers: int,
    dropout: float,
    seed: int,
    seasons=(1,),
):
    """The ``lstm`` model: an LSTM encoder and a dense head that emits the whole horizon.

    The head forecasts the change from the seasonal naive forecast (the last ``season``
    steps of the lookback, repeated; the mean over ``seasons``), so a network with a zero
    head is exactly seasonal naive, and one that learns the trend and the changes of the
    seasonal pattern is better. The encoder reads the targets of each window minus their
    level over the last season (:class:`Recentre`), so that what it learns on one series
    and period carries over to others at other levels. The head sees the encoder's state and the calendar
    features of the first forecast step (on a regular index they fix the later steps').

    Args:
        lookback: input window length.
        n_features: features per input step (targets, covariates, calendar).
        n_targets: the first ``n_targets`` features are the targets to forecast.
        n_calendar: calendar features per step (0: no ``future`` input).
        horizon: steps forecast at once.
        units: LSTM units per layer.
        layers: stacked LSTM layers.
        dropout: dropout rate on the encoder's output.
        seed: seed of the weight initialisers and dropout.
        seasons: season lengths of the seasonal naive base (each at most ``lookback``;
            several: the mean of their forecasts).

    Returns:
        An uncompiled ``keras.Model`` mapping ``[past]`` or ``[past, future]`` to
        ``(batch, horizon, n_targets)`` scaled forecasts.

    Example:
        >>> m = build_direct(lookback=24, n_features=3, n_targets=1, n_calendar=2, horizon=12,
        ...                  units=8, layers=1, dropout=0.0, seed=0)
        >>> m.output_shape
        (None, 12, 1)
    """
    past, future = _inputs(lookback, n_features, n_calendar, horizon)
    # the encoder reads each window relative to its own level (the base reads it as it is)
    x = Recentre(n_targets, max(seasons), name="recentre")(past)
    for i in range(layers):
        x = LSTM(
            units,
            return_sequences=i < layers - 1,
            kernel_initializer=keras.initializers.GlorotUniform(seed=seed + i),
            recurrent_initializer=keras.initializers.Orthogonal(seed=seed + i),
            name=f"lstm_{i}",
        )(x)
    if dropout:
        x = keras.layers.Dropout(dropout, seed=seed)(x)
    if future is not None:
        # The calendar of the first step to forecast: on a regular index it fixes the
        # calendar of every later step, so the other steps would only add weights.
        x = keras.layers.Concatenate()([x, future[:, 0, :]])
    change = keras.layers.Dense(
        horizon * n_targets,
        kernel_initializer=keras.initializers.GlorotUniform(seed=seed + 100),
        name="head",  # zeroed by training when the network does not beat its base
    )(x)
    change = keras.layers.Reshape((horizon, n_targets))(change)
    base = SeasonalNaive(width=n_targets, seasons=seasons, horizon=horizon)(past)
    output = keras.layers.Add(name="forecast")([base, change])
    return keras.Model(_list(past, future), output, name="lstm")


@keras.saving.register_keras_serializable(package="forecast")
class Feedback(keras.layers.Layer):
    """Warms one LSTM cell up on the lookback, then feeds each prediction back as its input.

    ``(past (B, T, F), future (B, H, C) or None) -> (B, H, n_observed)``. The first step is
    the last observed value plus ``head(h_T)``; step ``i`` reads the prediction of step
    ``i - 1`` with the calendar features of its time, and adds ``head(h)`` to it. With a zero
    ``head`` every step is the last value (the naive forecast).

    One layer owns the cell, the warm-up ``keras.layers.RNN`` around that same cell and the
    head: a functional graph that used the cell both inside ``RNN`` and on its own could be
    saved but not loaded again (Keras serialises the shared cell twice and restores its
    weights once).

    Example:
        >>> import numpy as np
        >>> layer = Feedback(units=4, n_observed=1, horizon=3, seed=0)
        >>> tuple(layer(np.ones((2, 6, 1), "float32")).shape)
        (2, 3, 1)
    """

    def __init__(self, units, n_observed, horizon, dropout=0.0, seed=0, **kwargs):
        super().__init__(**kwargs)
        self.units, self.n_observed, self.horizon = int(units), int(n_observed), int(horizon)
        self.dropout, self.seed = float(dropout), int(seed)
        self.cell = LSTMCell(
            units,
            kernel_initializer=keras.initializers.GlorotUniform(seed=seed),
            recurrent_initializer=keras.initializers.Orthogonal(seed=seed),
            name="cell",
        )
        self.warmup = keras.layers.RNN(self.cell, return_state=True, name="warmup")
        self.head = keras.layers.Dense(
            n_observed,
            kernel_initializer=keras.initializers.GlorotUniform(seed=seed + 100),
            name="head",  # zeroed by training when the network does not beat its base
        )
        self.drop = keras.layers.Dropout(dropout, seed=seed) if dropout else None

    def build(self, past_shape, future_shape=None):
        self.warmup.build(past_shape)
        self.head.build((None, self.units))

    def call(self, past, future=None, training=None):
        def change(h):
            return self.head(self.drop(h, training=training) if self.drop else h)

        h, *state = self.warmup(past, training=training)
        prediction = past[:, -1, : self.n_observed] + change(h)
        steps = [prediction]
        for i in range(1, self.horizon):
            x = prediction
            if future is not None:
                x = keras.ops.concatenate([prediction, future[:, i - 1, :]], axis=-1)
            h, state = self.cell(x, state, training=training)
            prediction = prediction + change(h)
            steps.append(prediction)
        return keras.ops.stack(steps, axis=1)

    def compute_output_shape(self, past_shape, future_shape=None):
        return (past_shape[0], self.horizon, self.n_observed)

    def get_config(self):
        return {
            **super().get_config(),
            "units": self.units,
            "n_observed": self.n_observed,
            "horizon": self.horizon,
            "dropout": self.dropout,
            "seed": self.seed,
        }


def build_feedback(
    *,
    lookback: int,
    n_features: int,
    n_calendar: int,
    horizon: int,
    units: int,
    dropout: float,
    seed: int,
):
    """The ``lstm-ar`` model: warm up on the lookback, then feed each prediction back.

    As the TensorFlow tutorial's ``FeedBack`` model: one :class:`forecast.layers.LSTMCell`
    reads the lookback window, predicts the next step of *every* observed column
    (targets and covariates), and that prediction, with the calendar features of its
    time step, is the cell's next input; the loop is unrolled ``horizon`` times and
    trained end to end on the whole horizon (the layer :class:`Feedback`).

    Args:
        lookback: input window length.
        n_features: features per step; the last ``n_calendar`` are calendar features,
            the others are observed columns that the model predicts.
        n_calendar: calendar features per step.
        horizon: steps to forecast.
        units: LSTM units.
        dropout: dropout rate on the cell's output.
        seed: seed of the initialisers and dropout.

    Returns:
        An uncompiled ``keras.Model`` mapping ``[past]`` or ``[past, future]`` to
        ``(batch, horizon, n_features - n_calendar)`` scaled forecasts.

    Example:
        >>> m = build_feedback(lookback=12, n_features=3, n_calendar=2, horizon=4,
        ...                    units=8, dropout=0.0, seed=0)
        >>> m.output_shape
        (None, 4, 1)
    """
    past, future = _inputs(lookback, n_features, n_calendar, horizon)
    layer = Feedback(units, n_features - n_calendar, horizon, dropout, seed, name="feedback")
    output = layer(past, future) if future is not None else layer(past)
    return keras.Model(_list(past, future), output, name="lstm_ar")


def ensemble(members: list):
    """Trained networks side by side in one model, their outputs stacked on axis 1.

    Each member is built from its own seed; they train together as this one model (its
    output has a members axis, see :func:`forecast.training.train`), and the forecast is
    their average, which cancels much of the variance that one small network trained on
    few windows has. The members stay whole inside the ensemble
    (``ensemble.get_layer("member_0")`` is the first network).

    Args:
        members: Keras models with the same inputs, each ``-> (batch, horizon, width)``.

    Returns:
        A ``keras.Model`` with the same inputs ``-> (batch, members, horizon, width)``.

    Example:
        >>> nets = [build_direct(lookback=4, n_features=1, n_targets=1, n_calendar=0, horizon=2,
        ...                      units=2, layers=1, dropout=0.0, seed=s) for s in (0, 1)]
        >>> ensemble(nets).output_shape
        (None, 2, 2, 1)
    """
    first = members[0]
    name = f"{first.name}_ensemble"
    inputs = [keras.Input(t.shape[1:], name=t.name.split(":")[0]) for t in first.inputs]
    outputs = []
    for m, net in enumerate(members):
        net.name = f"member_{m}"
        out = net(inputs if len(inputs) > 1 else inputs[0])
        outputs.append(keras.layers.Reshape((1, *out.shape[1:]))(out))
    stacked = keras.layers.Concatenate(axis=1)(outputs) if len(outputs) > 1 else outputs[0]
    return keras.Model(inputs, stacked, name=name)


def _inputs(lookback: int, n_features: int, n_calendar: int, horizon: int):
    past = keras.Input((lookback, n_features), name="past")
    future = keras.Input((horizon, n_calendar), name="future") if n_calendar else None
    return past, future


def _list(past, future) -> list:
    return [past] if future is None else [past, future]


_INFERENCE = weakref.WeakKeyDictionary()  # network -> its traced inference function


def inference(network):
    """``network(x, training=False)`` as one traced function per network (kept while the
    network lives): what ``predict_on_batch`` runs, to the bit, without its per-call cost.

    Args:
        network: a Keras model.

    Returns:
        A function of a batch of inputs ``x`` returning the outputs as a ``tf.Tensor``.

    Example:
        >>> import numpy as np
        >>> net = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1, use_bias=False)])
        >>> x = np.ones((3, 2), dtype="float32")
        >>> bool(np.array_equal(inference(net)(x), net.predict_on_batch(x)))
        True
    """
    run = _INFERENCE.get(network)
    if run is None:
        model = weakref.ref(network)  # a strong one would keep the network (the key) alive
        # reduce_retracing: a batch of another size (the last, shorter one) reuses the trace
        run = tf.function(lambda x: model()(x, training=False), reduce_retracing=True)
        _INFERENCE[network] = run
    return run
