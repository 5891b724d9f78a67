"""The LSTM recurrence: the gate equations and the fast loop over time.

This module holds the math that :mod:`forecast.layers` wraps into Keras layers.
It is TensorFlow-specific on purpose: the loop is a ``tf.while_loop`` and, by
default, is compiled into one XLA kernel.

The equations, for one time step with input ``x_t`` (batch, features) and the
previous states ``h_{t-1}``, ``c_{t-1}`` (batch, units)::

    z_t  = x_t W + h_{t-1} U + b                   (batch, 4*units), columns i|f|c|o
    i_t  = recurrent_activation(z_t[:, 0u:1u])     input gate
    f_t  = recurrent_activation(z_t[:, 1u:2u])     forget gate
    c~_t = activation(z_t[:, 2u:3u])               candidate cell state
    o_t  = recurrent_activation(z_t[:, 3u:4u])     output gate
    c_t  = f_t * c_{t-1} + i_t * c~_t              cell state
    h_t  = o_t * activation(c_t)                   hidden state (the output)

``W`` is ``kernel`` (features, 4u), ``U`` is ``recurrent_kernel`` (units, 4u)
and ``b`` is ``bias`` (4u,), in Keras' gate order i, f, c, o.

They are written once, in :func:`lstm_step`, which the cell's step, the
layer's ``trace_gates`` and the loop of :func:`lstm_sequence` all call.

Why the loop looks the way it does (measured on a 2-core CPU; see
``benchmarks/lstm_speed.py`` and its results file):

* One matmul per step, ``[x_t, h_{t-1}] @ [W; U]``, instead of Keras' two.
  Hoisting ``x W`` for all steps out of the loop (one big matmul) was *not*
  faster here: the (time, batch, 4u) intermediate costs memory bandwidth, and
  under XLA, reading slices of it inside the loop made the loop 2-3x slower.
* In the TensorFlow graph executor a step is dominated by op dispatch and a
  slow small matmul; the same loop compiled by XLA runs 2-3x faster. So,
  unless the caller is already being XLA-compiled
  (``model.compile(jit_compile=True)``, detected at trace time), the loop runs
  inside a ``tf.function(jit_compile=True)``. TensorFlow cannot pass the loop's
  saved intermediates out of an XLA kernel, so the gradient is a second
  compiled kernel that re-runs the loop and differentiates it, attached with
  ``tf.custom_gradient``. The price is compilation: about 0.3 s of CPU for the
  forward kernel and 1-2 s for the gradient kernel, once per input shape.
* The gradient is TensorFlow's autodiff of the loop. A hand-written
  backpropagation through time that keeps one matmul per step in the backward
  loop (``dz_t U^T``) and computes ``dW``, ``dU`` and ``dX`` after it as three
  large matmuls was tried and measured slower under XLA (B=128, T=48, units=64:
  42 ms against 29 ms per forward + backward pass): at these sizes the CPU is
  bound by matmul throughput, the flops are the same, and the saved gates cost
  extra memory traffic.
* The kernels are traced without AutoGraph: the loop is an explicit
  ``tf.while_loop`` and every Python branch in it is on static flags, so
  rewriting their source (once per process) only cost time: the first epoch
  of a fit took 0.25 s less without it.
* Masks are applied with ``where`` on the states, as Keras does; the outputs
  of masked steps are fixed up after the loop (see :func:`lstm_sequence`).
"""

from __future__ import annotations

import functools
import gc
from collections.abc import Callable
from typing import NamedTuple

import tensorflow as tf
from keras import ops

try:  # private, but it is how tf.function itself knows it is being XLA-compiled
    from tensorflow.python.ops.control_flow_util import GraphOrParentsInXlaContext
except ImportError:  # pragma: no cover - a TensorFlow without it: never nest
    GraphOrParentsInXlaContext = None


def lstm_step(
    x,
    h_prev,
    c_prev,
    kernel,
    recurrent_kernel,
    bias=None,
    *,
    activation,
    recurrent_activation,
    x_masks=None,
    h_masks=None,
):
    """One LSTM time step: the equations above, the only place they are written.

    :class:`forecast.layers.LSTMCell`, ``LSTM.trace_gates`` and the fast loop
    of :func:`lstm_sequence` all call it.

    Args:
        x: Inputs ``x_t``, shape (batch, features).
        h_prev: Previous hidden state ``h_{t-1}``, shape (batch, units).
        c_prev: Previous cell state ``c_{t-1}``, shape (batch, units).
        kernel: ``W``, (features, 4*units), columns i|f|c|o; or, when
            ``recurrent_kernel`` is None, ``[W; U]`` stacked, (features +
            units, 4*units): then ``z_t = [x_t, h_{t-1}] [W; U] + b``, the same
            sum in one matmul (the fast loop stacks the weights once).
        recurrent_kernel: ``U``, (units, 4*units), or None (see ``kernel``).
        bias: ``b``, (4*units,), or None.
        activation: The activation of the candidate and of the cell (tanh).
        recurrent_activation: The activation of the three gates (sigmoid).
        x_masks: Dropout mask(s) on ``x_t``, already scaled by ``1 / (1 -
            rate)``: one (batch, features) tensor for every gate, or a list of
            4, one per gate (Keras does that with recurrent dropout).
        h_masks: None, or a list of 4 (batch, units) masks on ``h_{t-1}``, one
            per gate. Per-gate masks need ``W`` and ``U`` apart (one matmul
            per gate and weight).

    Returns:
        A tuple ``(i, f, c_tilde, o, c, h)`` of (batch, units) tensors.

    Example:
        >>> import numpy as np
        >>> from keras import activations
        >>> x, h_prev = np.zeros((1, 3), "float32"), np.zeros((1, 2), "float32")
        >>> c_prev = np.ones((1, 2), "float32")
        >>> W, U = np.zeros((3, 8), "float32"), np.zeros((2, 8), "float32")
        >>> i, f, g, o, c, h = lstm_step(  # z = 0: all gates half open
        ...     x, h_prev, c_prev, W, U, activation=activations.tanh,
        ...     recurrent_activation=activations.sigmoid)
        >>> np.asarray(c).round(3).tolist()  # 0.5 * 1 + 0.5 * tanh(0)
        [[0.5, 0.5]]
    """
    if x_masks is not None and not isinstance(x_masks, (list, tuple)):
        x, x_masks = x * x_masks, None  # one mask for every gate
    if x_masks is None and h_masks is None:
        if recurrent_kernel is None:  # [x_t, h_{t-1}] @ [W; U]
            z = ops.matmul(ops.concatenate([x, h_prev], axis=-1), kernel)
        else:
            z = ops.matmul(x, kernel) + ops.matmul(h_prev, recurrent_kernel)
    else:  # a different mask per gate: each gate's quarter of z from its own masked copies
        w_gates = ops.split(kernel, 4, axis=-1)
        u_gates = ops.split(recurrent_kernel, 4, axis=-1)
        z = ops.concatenate(
            [
                ops.matmul(x if x_masks is None else x * x_masks[k], w_gates[k])
                + ops.matmul(h_prev if h_masks is None else h_prev * h_masks[k], u_gates[k])
                for k in range(4)
            ],
            axis=-1,
        )
    if bias is not None:
        z = z + bias
    z_i, z_f, z_c, z_o = ops.split(z, 4, axis=-1)
    i = recurrent_activation(z_i)  # input gate: how much of the candidate to write
    f = recurrent_activation(z_f)  # forget gate: how much of the old cell to keep
    c_tilde = activation(z_c)  # candidate: what could be written into the cell
    o = recurrent_activation(z_o)  # output gate: how much of the cell to show
    c = f * c_prev + i * c_tilde  # new cell state: keep some, write some
    h = o * activation(c)  # new hidden state: a squashed, gated view of the cell
    return i, f, c_tilde, o, c, h


class _Static(NamedTuple):
    """What the compiled loop is specialised on (hashable, part of the cache key)."""

    activation: Callable
    recurrent_activation: Callable
    return_sequences: bool
    has_bias: bool
    has_mask: bool
    has_input_masks: bool  # per-gate input dropout masks (4, batch, features)
    has_recurrent_masks: bool  # per-gate recurrent dropout masks (4, batch, units)


def _recurrence(static, xs, h0, c0, kernel, recurrent_kernel, bias, mask, in_masks, rec_masks):
    """The loop over time (time-major). Returns ``(hs or None, h_T, c_T)``.

    ``xs`` (T, B, F); ``mask`` (T, B, 1) bool or None; ``hs`` (T, B, units).
    """
    steps = tf.shape(xs)[0]
    x_ta = tf.TensorArray(xs.dtype, size=steps).unstack(xs)
    m_ta = tf.TensorArray(tf.bool, size=steps).unstack(mask) if static.has_mask else None
    h_ta = tf.TensorArray(xs.dtype, size=steps) if static.return_sequences else None
    per_gate = static.has_input_masks or static.has_recurrent_masks
    if per_gate:  # dropout with a different mask per gate: one matmul per gate and weight
        weights = (kernel, recurrent_kernel)
        x_masks = tf.unstack(in_masks) if static.has_input_masks else None
        h_masks = tf.unstack(rec_masks) if static.has_recurrent_masks else None
    else:  # [x_t, h] @ [W; U]: one matmul per step
        weights = (tf.concat([kernel, recurrent_kernel], axis=0), None)
        x_masks = h_masks = None

    def body(t, h, c, h_ta):
        *_, c_new, h_new = lstm_step(
            x_ta.read(t),
            h,
            c,
            *weights,
            bias,
            activation=static.activation,
            recurrent_activation=static.recurrent_activation,
            x_masks=x_masks,
            h_masks=h_masks,
        )
        if static.has_mask:  # a masked step leaves the states as they were
            m = m_ta.read(t)
            h_new = tf.where(m, h_new, h)
            c_new = tf.where(m, c_new, c)
        if static.return_sequences:
            h_ta = h_ta.write(t, h_new)
        return t + 1, h_new, c_new, h_ta

    loop_vars = (tf.constant(0), h0, c0, h_ta if static.return_sequences else ())
    _, h, c, h_ta = tf.while_loop(
        lambda t, *_: t < steps, body, loop_vars, maximum_iterations=steps
    )
    return (h_ta.stack() if static.return_sequences else None), h, c


def _differentiable(a):
    return a is not None and a.dtype.is_floating


_KERNELS: dict = {}  # (static, shapes) -> (forward, vjp)
_ASKED: set = set()  # the keys asked for since new_model()


def new_model() -> None:
    """Marks the start of another model's training: on its first kernel of new shapes,
    every kernel it has not asked for is let go (see :func:`_compiled`).

    Kernels of other models, kept alive beside the new ones, made the new model's training
    loop run about half as fast on two cores (3,000 hourly rows fitted after the tourism
    panel in one process: 93 s, against 48 s with them let go and collected; the same
    numbers either way). A model of the same shapes (the folds of a backtest) keeps them.
    """
    _ASKED.clear()


def _compiled(static, shapes):
    """The loop and its vector-Jacobian product, each compiled into one XLA kernel.

    One pair per layer configuration (``static``) and shapes of the sequence and weights
    (``shapes``: steps, features, units; not the batch, which varies within a fit and which
    ``reduce_retracing`` relaxes).
    """
    key = (static, shapes)
    _ASKED.add(key)
    if key not in _KERNELS:
        others = [k for k in _KERNELS if k not in _ASKED]
        for other in others:
            del _KERNELS[other]
        if others:
            # collected now: left to the collector, they slowed the new model as much as
            # kept alive (92 s; 48 s collected here)
            gc.collect()
        _KERNELS[key] = _kernels(static)
    return _KERNELS[key]


def _kernels(static):
    """:func:`_compiled`'s pair, made."""

    def forward(*args):
        return _recurrence(static, *args)

    def vjp(args, upstream):
        watched = [a for a in args if _differentiable(a)]
        with tf.GradientTape() as tape:  # re-runs the loop, then differentiates it
            tape.watch(watched)
            outputs = [o for o in _recurrence(static, *args) if o is not None]
        grads = iter(
            tape.gradient(
                outputs,
                watched,
                output_gradients=upstream,
                unconnected_gradients=tf.UnconnectedGradients.ZERO,
            )
        )
        return [next(grads) if _differentiable(a) else None for a in args]

    # no AutoGraph: explicit while_loop, Python branches on static flags only
    compile_ = functools.partial(
        tf.function, jit_compile=True, reduce_retracing=True, autograph=False
    )
    return compile_(forward), compile_(vjp)


def _fused_recurrence(static, *args):
    """`_recurrence` run as a compiled kernel, with a compiled gradient."""
    xs, _, _, kernel, recurrent_kernel = args[:5]
    forward, vjp = _compiled(
        static, (xs.shape[0], tuple(kernel.shape), tuple(recurrent_kernel.shape))
    )
    slots = [a is not None for a in args]

    def refill(tensors):  # the tensors back in their places among the Nones
        it = iter(tensors)
        return [next(it) if present else None for present in slots]

    @tf.custom_gradient
    def run(*tensors):
        # The kernel gets stopped tensors: no tape may record inside it (its
        # saved intermediates cannot leave XLA); `grad` is its gradient.
        stopped = [tf.stop_gradient(t) for t in tensors]
        outputs = [o for o in forward(*refill(stopped)) if o is not None]

        def grad(*upstream):
            upstream = [
                tf.zeros_like(o) if g is None else g for g, o in zip(upstream, outputs, strict=True)
            ]
            grads = vjp(refill(tensors), upstream)
            return [g for g, present in zip(grads, slots, strict=True) if present]

        return outputs, grad

    outputs = run(*[a for a in args if a is not None])
    return ([] if static.return_sequences else [None]) + list(outputs)


def _in_xla_context():
    if GraphOrParentsInXlaContext is None:
        return False
    return GraphOrParentsInXlaContext(tf.compat.v1.get_default_graph())


def lstm_sequence(
    inputs,
    h0,
    c0,
    kernel,
    recurrent_kernel,
    bias=None,
    *,
    activation,
    recurrent_activation,
    mask=None,
    go_backwards=False,
    return_sequences=False,
    zero_output_for_mask=False,
    input_masks=None,
    recurrent_masks=None,
    use_xla=True,
):
    """Runs the LSTM over a batch of sequences, exactly as ``keras.layers.LSTM``.

    Args:
        inputs: (batch, time, features).
        h0: Initial hidden state, (batch, units).
        c0: Initial cell state, (batch, units).
        kernel: ``W``, (features, 4*units).
        recurrent_kernel: ``U``, (units, 4*units).
        bias: ``b``, (4*units,), or None.
        activation: Candidate/cell activation (tanh).
        recurrent_activation: Gate activation (sigmoid).
        mask: Optional (batch, time) booleans, False for steps to skip. A
            skipped step carries the states over; its output is the previous
            output (zeros before the first kept step), or zeros when
            ``zero_output_for_mask``.
        go_backwards: Process the time steps in reverse order; the returned
            sequence is in processing order (reversed), as in Keras.
        return_sequences: Also return the output of every step.
        zero_output_for_mask: See ``mask``.
        input_masks: Dropout masks already scaled by ``1 / (1 - rate)``:
            (batch, features) applied to every gate's input, or a sequence of
            4 of them, one per gate (Keras does that with recurrent dropout).
        recurrent_masks: None, or 4 (batch, units) masks applied to
            ``h_{t-1}`` before each gate's recurrent matmul.
        use_xla: Compile the loop into one XLA kernel when not already inside
            an XLA compilation.

    Returns:
        ``(last_output, outputs, h, c)``: last_output (batch, units); outputs
        (batch, time, units) or None; the final states h and c (batch, units).

    Example:
        >>> import numpy as np
        >>> from keras import activations
        >>> x = np.ones((2, 5, 3), "float32")
        >>> h0 = c0 = np.zeros((2, 4), "float32")
        >>> W, U = np.full((3, 16), 0.1, "float32"), np.zeros((4, 16), "float32")
        >>> last, seq, h, c = lstm_sequence(
        ...     x, h0, c0, W, U, activation=activations.tanh,
        ...     recurrent_activation=activations.sigmoid, return_sequences=True)
        >>> tuple(seq.shape), bool(np.allclose(last, seq[:, -1]))
        ((2, 5, 4), True)
    """
    xs = tf.transpose(tf.convert_to_tensor(inputs), [1, 0, 2])  # time-major (T, B, F)
    h0, c0, kernel, recurrent_kernel = (
        tf.convert_to_tensor(v, xs.dtype) for v in (h0, c0, kernel, recurrent_kernel)
    )
    bias = None if bias is None else tf.convert_to_tensor(bias, xs.dtype)
    if mask is not None:
        mask = tf.transpose(tf.cast(mask, tf.bool))[:, :, None]  # (T, B, 1)
    if go_backwards:
        xs = tf.reverse(xs, [0])
        mask = None if mask is None else tf.reverse(mask, [0])
    per_gate_inputs = isinstance(input_masks, (list, tuple))
    if input_masks is not None and not per_gate_inputs:
        xs = xs * tf.cast(input_masks, xs.dtype)  # same mask on every step and gate
    in_masks = tf.stack(input_masks) if per_gate_inputs else None
    rec_masks = None if recurrent_masks is None else tf.stack(recurrent_masks)

    static = _Static(
        activation,
        recurrent_activation,
        bool(return_sequences),
        bias is not None,
        mask is not None,
        in_masks is not None,
        rec_masks is not None,
    )
    args = (xs, h0, c0, kernel, recurrent_kernel, bias, mask, in_masks, rec_masks)
    if use_xla and not _in_xla_context():
        hs, h, c = _fused_recurrence(static, *args)
    else:
        hs, h, c = _recurrence(static, *args)

    # Outputs of masked steps. Keras returns, for a skipped step, the output of
    # the previous step (zeros if no step was kept yet), i.e. h_t once some step
    # was kept and 0 before; with zero_output_for_mask, 0 for every skipped step.
    if mask is None:
        last_output = h
    elif zero_output_for_mask:
        last_output = tf.where(mask[-1], h, tf.zeros_like(h))
    else:
        last_output = tf.where(tf.reduce_any(mask, axis=0), h, tf.zeros_like(h))
    outputs = None
    if return_sequences:
        if mask is not None:
            keep = mask if zero_output_for_mask else tf.cumsum(tf.cast(mask, tf.int32), 0) > 0
            hs = tf.where(keep, hs, tf.zeros_like(hs))
        outputs = tf.transpose(hs, [1, 0, 2])
    return last_output, outputs, h, c
