"""An LSTM built from its gates, as Keras 3 layers that match ``keras.layers.LSTM``.

:class:`LSTMCell` computes one time step; :class:`LSTM` runs the whole
sequence. They use Keras' weight layout (``kernel`` (features, 4u),
``recurrent_kernel`` (units, 4u), ``bias`` (4u,), gate order i, f, c, o), so
weights copy both ways with ``set_weights(other.get_weights())``, and they
compute what ``keras.layers.LSTM`` computes (to float rounding). The equations
and the fast loop live in :mod:`forecast._lstm_kernels`.

As ``keras.layers.LSTM`` does, :class:`LSTM` subclasses ``keras.layers.RNN``
over its cell: RNN handles the initial and the stateful states, masks,
``go_backwards``, the return options and the per-call dropout masks, and
:class:`LSTM` only overrides ``inner_loop``, to run the whole sequence in the
fused, XLA-compiled loop instead of calling the cell step by step. Moving onto
RNN (it used to re-implement that plumbing) changed neither the results nor the
speed. Without recurrent dropout and with the default ``use_xla=True``, the
compiled loop, its gradient and an XLA-compiled forward + backward pass of the
layer are the same XLA programs as before (instruction for instruction, but for
one reduction that starts from ``0`` instead of ``-0``), outputs and gradients
are bit-equal, and the graph around the loop has the same ops (input dropout
adds one slice). With recurrent dropout the loop now slices the weights per
gate inside the step and adds the bias once (within rounding of Keras, as
before; the kernel's speed ratio old/new measured 0.97-1.02). Timed in one
process on a shared 2-core CPU, the paired CPU-time ratio old/new layer in
``model.fit`` and ``model.predict`` was 0.97-1.02 on every shape and
``jit_compile`` setting (see ``benchmarks/results/lstm_speed.md``).

Example:
    >>> import numpy as np
    >>> from forecast.layers import LSTM
    >>> x = np.random.default_rng(0).normal(size=(4, 10, 3)).astype("float32")
    >>> lstm = LSTM(8, return_sequences=True)
    >>> tuple(lstm(x).shape)
    (4, 10, 8)
    >>> sorted(lstm.trace_gates(x))
    ['candidate', 'cell', 'forget', 'hidden', 'input', 'output']

Modules:
    cell: :class:`LSTMCell` (one step) and the argument checks the layers share.
    recurrent: :class:`LSTM` (the ``keras.layers.RNN`` whose ``inner_loop`` is the
        fused loop) and its ``trace_gates``.

Both classes are registered with Keras as ``forecast>LSTMCell`` and ``forecast>LSTM``
(``register_keras_serializable(package="forecast")``), the names saved ``.keras`` files
refer to.
"""

from forecast.layers.cell import LSTMCell
from forecast.layers.recurrent import LSTM

__all__ = ["LSTM", "LSTMCell"]
