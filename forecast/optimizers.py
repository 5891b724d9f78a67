"""Keras' Adam, with its per-step scalars made once per step rather than once per variable.

Keras' ``Adam.update_step`` computes the step size ``lr * sqrt(1 - beta_2**t) / (1 - beta_1**t)``
and turns ``1 - beta_1``, ``1 - beta_2`` and ``epsilon`` into constants again for every
variable. An ensemble of five members has 25 variables, so those scalars were about 400 of
the 1,660 operations in the graph of one training step: operations that TensorFlow traces
in Python and optimises before the first step runs (most of a small fit's first second),
and that run again at every step. :class:`Adam` makes them once per step, dtype and device,
with the same operations on the same values, so every update is Keras' to the bit
(``tests/test_optimizers.py`` trains with both and compares the weights).

Example:
    >>> import keras, numpy as np
    >>> w = keras.Variable(np.ones(3, dtype="float32"))
    >>> opt = Adam(learning_rate=0.1)
    >>> _ = opt.apply_gradients([(np.ones(3, dtype="float32"), w)])
    >>> np.round(keras.ops.convert_to_numpy(w).astype(float), 4).tolist()
    [0.9, 0.9, 0.9]
"""

from __future__ import annotations

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="forecast")
class Adam(keras.optimizers.Adam):
    """``keras.optimizers.Adam`` (same arguments and results) whose step size and
    constants are shared by the variables of one step (not ``amsgrad``: Keras' own then)."""

    _shared = None  # {(dtype, device): (alpha, 1 - beta_1, 1 - beta_2, epsilon)} in a step

    def _backend_update_step(self, grads, trainable_variables, learning_rate):
        self._shared = {}
        try:
            super()._backend_update_step(grads, trainable_variables, learning_rate)
        finally:
            self._shared = None

    def update_step(self, gradient, variable, learning_rate):
        if self._shared is None or self.amsgrad:
            return super().update_step(gradient, variable, learning_rate)
        dtype = variable.dtype
        # per device too: a strategy with several replicas updates each copy on its device
        key = (dtype, getattr(variable, "device", None))
        if key not in self._shared:
            self._shared[key] = self._scalars(learning_rate, dtype)
        alpha, one_minus_beta_1, one_minus_beta_2, epsilon = self._shared[key]
        # Keras' update_step from here, its operations in its order
        gradient = ops.cast(gradient, dtype)
        m = self._momentums[self._get_variable_index(variable)]
        v = self._velocities[self._get_variable_index(variable)]
        self.assign_add(m, ops.multiply(ops.subtract(gradient, m), one_minus_beta_1))
        self.assign_add(v, ops.multiply(ops.subtract(ops.square(gradient), v), one_minus_beta_2))
        self.assign_sub(variable, ops.divide(ops.multiply(m, alpha), ops.add(ops.sqrt(v), epsilon)))

    def _scalars(self, learning_rate, dtype) -> tuple:
        """Keras' per-variable scalars of this step, as tensors of ``dtype``."""
        lr = ops.cast(learning_rate, dtype)
        local_step = ops.cast(self.iterations + 1, dtype)
        beta_1_power = ops.power(ops.cast(self.beta_1, dtype), local_step)
        beta_2_power = ops.power(ops.cast(self.beta_2, dtype), local_step)
        alpha = lr * ops.sqrt(1 - beta_2_power) / (1 - beta_1_power)
        constants = (1 - self.beta_1, 1 - self.beta_2, self.epsilon)
        return (alpha, *(ops.convert_to_tensor(c, dtype) for c in constants))
