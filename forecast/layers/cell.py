"""One LSTM time step as a Keras layer (:class:`LSTMCell`), and the argument checks.

:class:`LSTMCell` uses Keras' weight layout (``kernel`` (features, 4u),
``recurrent_kernel`` (units, 4u), ``bias`` (4u,), gate order i, f, c, o) and computes what
``keras.layers.LSTMCell`` computes (to float rounding); the equations live in
:func:`forecast._lstm_kernels.lstm_step`.
"""

from __future__ import annotations

import numbers

import keras
import numpy as np
from keras import activations, constraints, initializers, ops, regularizers
from keras.src.layers.rnn.dropout_rnn_cell import DropoutRNNCell  # private: see LSTMCell

from forecast._lstm_kernels import lstm_step

__all__ = ["LSTMCell"]


def _check_units(units):
    if isinstance(units, bool) or not isinstance(units, numbers.Integral) or units <= 0:
        raise ValueError(f"units must be a positive integer, got {units!r}")
    return int(units)


def _check_rate(name, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0 <= value < 1:
        raise ValueError(f"{name} must be a float in [0, 1), got {value!r}")
    return float(value)


def _check_seed(seed):
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, numbers.Integral)):
        raise ValueError(f"seed must be an integer or None, got {seed!r}")
    return seed


def _check_bool(name, value):
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be True or False, got {value!r}")
    return bool(value)


# DropoutRNNCell is Keras' (private) mixin that caches one dropout mask per
# sequence; inheriting it makes keras.layers.RNN draw our cell's masks once per
# sequence, exactly as it does for keras.layers.LSTMCell.
@keras.saving.register_keras_serializable(package="forecast")
class LSTMCell(keras.layers.Layer, DropoutRNNCell):
    """One LSTM time step, usable on its own or inside ``keras.layers.RNN``.

    Same arguments, weights and results as ``keras.layers.LSTMCell``.

    Args:
        units: Size of the hidden and cell states (positive integer).
        activation: Activation of the candidate and of the cell (default tanh).
        recurrent_activation: Activation of the input, forget and output gates
            (default sigmoid).
        use_bias: Whether to add ``bias``.
        kernel_initializer: Initializer of ``kernel`` (features, 4*units).
        recurrent_initializer: Initializer of ``recurrent_kernel`` (units, 4*units).
        bias_initializer: Initializer of ``bias`` (4*units,).
        unit_forget_bias: Start the forget slice ``bias[units:2*units]`` at 1
            (and the rest from ``bias_initializer``), as Keras does.
        kernel_regularizer, recurrent_regularizer, bias_regularizer: Weight
            regularizers.
        kernel_constraint, recurrent_constraint, bias_constraint: Weight
            constraints.
        dropout: Fraction of the inputs to drop, in [0, 1).
        recurrent_dropout: Fraction of ``h_{t-1}`` to drop, in [0, 1). With it,
            each gate gets its own masks (Keras' ``implementation=1``).
        seed: Seed of the dropout masks.
        **kwargs: Base layer arguments (``name``, ``dtype``, ``trainable``).

    Call arguments:
        inputs: (batch, features).
        states: ``[h_{t-1}, c_{t-1}]``, each (batch, units).
        training: Whether dropout is active.

    Returns:
        ``(h_t, [h_t, c_t])``.

    Example:
        >>> import numpy as np, keras
        >>> cell = LSTMCell(4)
        >>> h, (h_again, c) = cell(np.ones((2, 3)), [np.zeros((2, 4))] * 2)
        >>> tuple(h.shape), tuple(c.shape)
        ((2, 4), (2, 4))
        >>> rnn = keras.layers.RNN(LSTMCell(4))
        >>> tuple(rnn(np.ones((2, 5, 3))).shape)
        (2, 4)
    """

    def __init__(
        self,
        units,
        activation="tanh",
        recurrent_activation="sigmoid",
        use_bias=True,
        kernel_initializer="glorot_uniform",
        recurrent_initializer="orthogonal",
        bias_initializer="zeros",
        unit_forget_bias=True,
        kernel_regularizer=None,
        recurrent_regularizer=None,
        bias_regularizer=None,
        kernel_constraint=None,
        recurrent_constraint=None,
        bias_constraint=None,
        dropout=0.0,
        recurrent_dropout=0.0,
        seed=None,
        **kwargs,
    ):
        units = _check_units(units)
        dropout = _check_rate("dropout", dropout)
        recurrent_dropout = _check_rate("recurrent_dropout", recurrent_dropout)
        seed = _check_seed(seed)
        use_bias = _check_bool("use_bias", use_bias)
        unit_forget_bias = _check_bool("unit_forget_bias", unit_forget_bias)
        super().__init__(**kwargs)
        self.units = units
        self.activation = activations.get(activation)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.use_bias = use_bias
        self.unit_forget_bias = unit_forget_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = regularizers.get(recurrent_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.recurrent_constraint = constraints.get(recurrent_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.dropout = dropout
        self.recurrent_dropout = recurrent_dropout
        if recurrent_dropout > 0:  # Keras then masks each gate separately
            self.dropout_mask_count = 4
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed=seed)
        self.state_size = [units, units]
        self.output_size = units

    def build(self, input_shape):
        u = self.units
        self.kernel = self.add_weight(
            shape=(input_shape[-1], 4 * u),
            name="kernel",
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
        )
        self.recurrent_kernel = self.add_weight(
            shape=(u, 4 * u),
            name="recurrent_kernel",
            initializer=self.recurrent_initializer,
            regularizer=self.recurrent_regularizer,
            constraint=self.recurrent_constraint,
        )
        self.bias = None
        if self.use_bias:
            bias_initializer = self.bias_initializer
            if self.unit_forget_bias:  # i | f = 1 | c | o, as Keras builds it

                def bias_initializer(shape, dtype=None):
                    init, ones = self.bias_initializer, initializers.Ones()
                    parts = [init((u,), dtype), ones((u,), dtype), init((2 * u,), dtype)]
                    return ops.concatenate(parts)

            self.bias = self.add_weight(
                shape=(4 * u,),
                name="bias",
                initializer=bias_initializer,
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
            )

    def call(self, inputs, states, training=False):
        h_prev, c_prev = states[0], states[1]
        # Dropout masks are drawn once per sequence (cached by the mixin).
        x_masks = self.get_dropout_mask(inputs) if training else None
        h_masks = self.get_recurrent_dropout_mask(h_prev) if training else None
        *_, c, h = lstm_step(
            inputs,
            h_prev,
            c_prev,
            self.kernel,
            self.recurrent_kernel,
            self.bias,
            activation=self.activation,
            recurrent_activation=self.recurrent_activation,
            x_masks=x_masks,
            h_masks=h_masks,
        )
        return h, [h, c]

    def get_initial_state(self, batch_size=None):
        """Zero ``[h, c]``, each (batch_size, units)."""
        return [ops.zeros((batch_size, d), dtype=self.compute_dtype) for d in self.state_size]

    def get_config(self):
        config = {
            "units": self.units,
            "activation": activations.serialize(self.activation),
            "recurrent_activation": activations.serialize(self.recurrent_activation),
            "use_bias": self.use_bias,
            "unit_forget_bias": self.unit_forget_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "recurrent_initializer": initializers.serialize(self.recurrent_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "recurrent_regularizer": regularizers.serialize(self.recurrent_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "kernel_constraint": constraints.serialize(self.kernel_constraint),
            "recurrent_constraint": constraints.serialize(self.recurrent_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
            "dropout": self.dropout,
            "recurrent_dropout": self.recurrent_dropout,
            "seed": self.seed,
        }
        return {**super().get_config(), **config}
