"""The LSTM over a sequence (:class:`LSTM`): a ``keras.layers.RNN`` over
:class:`~forecast.layers.cell.LSTMCell` whose ``inner_loop`` runs the fused, XLA-compiled
recurrence of :func:`forecast._lstm_kernels.lstm_sequence`; ``trace_gates`` shows every gate.
"""

from __future__ import annotations

import keras
import numpy as np
from keras import ops, regularizers

from forecast._lstm_kernels import lstm_sequence, lstm_step
from forecast.layers.cell import LSTMCell, _check_bool

__all__ = ["LSTM"]

_CELL_ARGS = (
    "activation",
    "recurrent_activation",
    "use_bias",
    "unit_forget_bias",
    "kernel_initializer",
    "recurrent_initializer",
    "bias_initializer",
    "kernel_regularizer",
    "recurrent_regularizer",
    "bias_regularizer",
    "kernel_constraint",
    "recurrent_constraint",
    "bias_constraint",
    "dropout",
    "recurrent_dropout",
)


@keras.saving.register_keras_serializable(package="forecast")
class LSTM(keras.layers.RNN):
    """Long short-term memory over a sequence; a drop-in for ``keras.layers.LSTM``.

    Takes the arguments of :class:`LSTMCell` plus the ones below, and gives
    the results of ``keras.layers.LSTM`` with the same weights (which live in
    ``self.cell``); it is a ``keras.layers.RNN`` over :class:`LSTMCell`
    whose ``inner_loop`` runs :func:`forecast._lstm_kernels.lstm_sequence`.
    On a 2-core CPU, in a model compiled with
    ``jit_compile=False`` (Keras' default there), it trained 1.2-3.1x and
    predicted 1.4-3.6x faster than ``keras.layers.LSTM``, because its loop is
    compiled by XLA; in a ``jit_compile=True`` model, where both loops are
    compiled, 1.1-1.7x in training and 1.05-1.2x in prediction (one matmul per
    step instead of two). See ``benchmarks/results/lstm_speed.md`` and
    :mod:`forecast._lstm_kernels`.

    Args:
        units: Size of the hidden and cell states (positive integer).
        activity_regularizer: Regularizer applied to the layer's outputs.
        return_sequences: Return the output of every step, (batch, time, units),
            instead of the last one, (batch, units).
        return_state: Also return the final states: ``(output, h, c)``.
        go_backwards: Read the sequence from its end; a returned sequence is
            then in that (reversed) order, as in Keras.
        stateful: Start each call from the states the previous call ended in
            (batch size must be fixed); :meth:`reset_state` zeroes them.
        zero_output_for_mask: Masked steps output zeros instead of the
            previous step's output (Keras' ``RNN`` argument of that name).
        use_xla: Compile the recurrence (and its gradient) into XLA kernels
            even when the model itself is not jit-compiled. This costs a
            one-off compilation per input shape (on a 2-core CPU about 0.3 s
            for predicting, 1-3 s more for training). ``False`` runs a plain
            ``tf.while_loop``: no compilation, same results, slower.
        **kwargs: Base layer arguments (``name``, ``dtype``, ``trainable``).

    Call arguments:
        sequences: (batch, time, features).
        initial_state: Optional ``[h0, c0]``, each (batch, units).
        mask: Optional (batch, time) booleans; False steps are skipped (their
            states carry over). Set automatically after a ``Masking`` layer.
        training: Whether dropout is active.

    Example:
        >>> import numpy as np, keras
        >>> x = np.ones((2, 7, 3), "float32")
        >>> ours = LSTM(5, return_state=True)
        >>> out, h, c = ours(x)
        >>> tuple(out.shape), tuple(c.shape)
        ((2, 5), (2, 5))
        >>> theirs = keras.layers.LSTM(5)
        >>> _ = theirs(x)
        >>> theirs.set_weights(ours.get_weights())
        >>> bool(np.allclose(theirs(x), out, atol=1e-6))
        True
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
        activity_regularizer=None,
        kernel_constraint=None,
        recurrent_constraint=None,
        bias_constraint=None,
        dropout=0.0,
        recurrent_dropout=0.0,
        seed=None,
        return_sequences=False,
        return_state=False,
        go_backwards=False,
        stateful=False,
        zero_output_for_mask=False,
        use_xla=True,
        **kwargs,
    ):
        flags = {
            "return_sequences": return_sequences,
            "return_state": return_state,
            "go_backwards": go_backwards,
            "stateful": stateful,
            "zero_output_for_mask": zero_output_for_mask,
            "use_xla": use_xla,
        }
        flags = {name: _check_bool(name, value) for name, value in flags.items()}
        cell = LSTMCell(
            units,
            activation=activation,
            recurrent_activation=recurrent_activation,
            use_bias=use_bias,
            kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer,
            unit_forget_bias=unit_forget_bias,
            kernel_regularizer=kernel_regularizer,
            recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer,
            kernel_constraint=kernel_constraint,
            recurrent_constraint=recurrent_constraint,
            bias_constraint=bias_constraint,
            dropout=dropout,
            recurrent_dropout=recurrent_dropout,
            seed=seed,
            dtype=kwargs.get("dtype"),
            trainable=kwargs.get("trainable", True),
            name="lstm_cell",
        )
        super().__init__(
            cell,
            return_sequences=flags["return_sequences"],
            return_state=flags["return_state"],
            go_backwards=flags["go_backwards"],
            stateful=flags["stateful"],
            zero_output_for_mask=flags["zero_output_for_mask"],
            activity_regularizer=activity_regularizer,
            **kwargs,
        )
        self.use_xla = flags["use_xla"]
        self.input_spec = keras.layers.InputSpec(ndim=3)

    # The cell's weights and hyper-parameters, readable on the layer as in Keras.
    units = property(lambda self: self.cell.units)
    kernel = property(lambda self: self.cell.kernel)
    recurrent_kernel = property(lambda self: self.cell.recurrent_kernel)
    bias = property(lambda self: self.cell.bias)
    seed = property(lambda self: self.cell.seed)

    def build(self, sequences_shape, initial_state_shape=None):
        if self.stateful and sequences_shape[0] is None:
            raise ValueError(
                "stateful=True needs a fixed batch size, got input shape "
                f"{tuple(sequences_shape)}; pass batch_size= to keras.Input"
            )
        super().build(sequences_shape, initial_state_shape)

    def inner_loop(self, sequences, initial_state, mask, training=False):
        """The whole sequence in :func:`~forecast._lstm_kernels.lstm_sequence`.

        ``keras.layers.RNN.call`` has prepared everything else: the initial
        states (zeros, given, or the stateful ones, which it updates after),
        and this call's dropout masks, drawn once per call and cached on the
        cell (even when not training, as Keras does, so that a seeded layer
        draws exactly Keras' masks).
        """
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        cell = self.cell
        input_masks = recurrent_masks = None
        if training and cell.dropout > 0:
            input_masks = cell.get_dropout_mask(sequences[:, 0, :])
        if training and cell.recurrent_dropout > 0:
            recurrent_masks = cell.get_recurrent_dropout_mask(initial_state[0])
        last_output, outputs, h, c = lstm_sequence(
            sequences,
            initial_state[0],
            initial_state[1],
            cell.kernel,
            cell.recurrent_kernel,
            cell.bias,
            activation=cell.activation,
            recurrent_activation=cell.recurrent_activation,
            mask=mask,
            go_backwards=self.go_backwards,
            return_sequences=self.return_sequences,
            zero_output_for_mask=self.zero_output_for_mask,
            input_masks=input_masks,
            recurrent_masks=recurrent_masks,
            use_xla=self.use_xla,
        )
        return last_output, (last_output if outputs is None else outputs), [h, c]

    def trace_gates(self, inputs, initial_state=None):
        """Every gate and state at every step, for looking inside the LSTM.

        Runs the equations step by step in inference mode (no dropout, no
        mask), independently of the fast loop, from ``initial_state`` (default:
        zeros, or the current states of a stateful layer, which it leaves
        unchanged).

        Args:
            inputs: (batch, time, features) array.
            initial_state: Optional ``[h0, c0]``, each (batch, units).

        Returns:
            A dict of numpy arrays, each (batch, time, units): ``forget`` f_t,
            ``input`` i_t, ``candidate`` c~_t, ``output`` o_t, ``cell`` c_t and
            ``hidden`` h_t. Axis 1 is the order in which the layer processes
            the steps: with ``go_backwards=True``, index t holds the step that
            read ``inputs[:, T - 1 - t]`` (the order of the layer's
            ``return_sequences`` output). ``hidden[:, -1]`` is the layer's
            (non-sequence) output.

        Example:
            >>> import numpy as np
            >>> lstm = LSTM(3)
            >>> x = np.ones((2, 4, 1), "float32")
            >>> gates = lstm.trace_gates(x)
            >>> gates["forget"].shape
            (2, 4, 3)
            >>> bool(np.allclose(gates["hidden"][:, -1], lstm(x), atol=1e-6))
            True
        """
        x = ops.convert_to_tensor(inputs, dtype=self.compute_dtype)
        if not self.built:
            self.build(tuple(x.shape))
        if initial_state is None:
            initial_state = self.states or self.get_initial_state(ops.shape(x)[0])
        h, c = (ops.convert_to_tensor(s, dtype=self.compute_dtype) for s in initial_state)
        cell = self.cell
        order = range(x.shape[1])
        trace = {name: [] for name in ("input", "forget", "candidate", "output", "cell", "hidden")}
        for t in reversed(order) if self.go_backwards else order:
            step = lstm_step(
                x[:, t],
                h,
                c,
                cell.kernel,
                cell.recurrent_kernel,
                cell.bias,
                activation=cell.activation,
                recurrent_activation=cell.recurrent_activation,
            )
            for name, value in zip(trace, step, strict=True):
                trace[name].append(ops.convert_to_numpy(value))
            c, h = step[4], step[5]
        return {name: np.stack(values, axis=1) for name, values in trace.items()}

    def get_config(self):
        cell_config = self.cell.get_config()
        config = {"units": self.units}
        config.update({name: cell_config[name] for name in _CELL_ARGS})
        config.update(
            {
                "seed": self.seed,
                "activity_regularizer": regularizers.serialize(self.activity_regularizer),
                "return_sequences": self.return_sequences,
                "return_state": self.return_state,
                "go_backwards": self.go_backwards,
                "stateful": self.stateful,
                "zero_output_for_mask": self.zero_output_for_mask,
                "use_xla": self.use_xla,
            }
        )
        base = super().get_config()
        del base["cell"], base["unroll"]  # the cell is built from the config; no unrolling
        return {**base, **config}

    @classmethod
    def from_config(cls, config):  # Layer's: RNN's expects a serialized cell
        return super(keras.layers.RNN, cls).from_config(config)


for _name in _CELL_ARGS:  # the cell's hyper-parameters, readable on the layer as in Keras
    setattr(LSTM, _name, property(lambda self, _n=_name: getattr(self.cell, _n)))
del _name
