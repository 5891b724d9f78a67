"""The Keras callbacks of every training path (``model.fit`` and the custom loops).

:func:`training_callbacks` lists them in the order :class:`forecast.checkpoint.Checkpoint`
relies on (early stopping, then the learning-rate schedule). The custom loops of
:mod:`forecast.distributed` and :mod:`forecast.sharding` call the very same objects with
the logs ``model.fit`` gives them, so that every path stops at the same epoch. (Early
stopping is Keras' own, an improvement being any decrease: a relative threshold of 1 % was
measured and not adopted, see the README.)

Example:
    >>> from types import SimpleNamespace
    >>> spec = SimpleNamespace(patience=10, verbose=0)
    >>> [type(c).__name__ for c in training_callbacks(spec)]
    ['EarlyStopping', 'ReduceLROnPlateau', 'TerminateOnNaN']
"""

from __future__ import annotations

import keras
import tensorflow as tf

from forecast import stopping


class StopOnRequest(keras.callbacks.Callback):
    """Raises a stop requested by a signal (:mod:`forecast.stopping`) after each batch.

    Ctrl-C's ``KeyboardInterrupt`` can be lost inside a TensorFlow step; this raises it
    again between steps, so that an interrupted fit ends within one batch.
    """

    def on_train_batch_end(self, batch, logs=None):
        stopping.check()

    def on_test_batch_end(self, batch, logs=None):
        stopping.check()

    def on_epoch_end(self, epoch, logs=None):
        stopping.check()


class ValidationLoss(keras.callbacks.Callback):
    """Puts ``val_loss`` (``loss()``, :func:`forecast.losses.validation_loss`) in the logs
    at the end of each epoch, in place of ``model.fit``'s ``validation_data``.

    It must come before the callbacks that read it (early stopping, the learning-rate
    schedule); Keras' ``History`` comes last and records it.
    """

    def __init__(self, loss):
        super().__init__()
        self.loss = loss

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["val_loss"] = self.loss()


class EarlyStopping(keras.callbacks.EarlyStopping):
    """Keras' early stopping with the best weights restored, its copy of them read at once.

    Keras copies the weights after every epoch that improves with ``get_weights()``, one
    read per variable: 4 ms for an ensemble of five small networks, 0.4 s of a 100-epoch
    fit of AirPassengers. Here Keras' rule runs unchanged and the same arrays come from one
    traced function reading every variable (0.8 ms). ``best_weights`` is, as in Keras, the
    list of arrays that :class:`forecast.checkpoint.Checkpoint` saves and restores.

    Example:
        >>> stop = EarlyStopping(patience=3)
        >>> stop.patience, stop.restore_best_weights
        (3, True)
    """

    def __init__(self, patience: int):
        super().__init__(patience=patience, restore_best_weights=True)
        self._reader = None  # (model, its traced read of every weight)

    def on_epoch_end(self, epoch, logs=None):
        self.restore_best_weights = False  # Keras' rule without its copy: taken below
        try:
            super().on_epoch_end(epoch, logs)
        finally:
            self.restore_best_weights = True
        # Keras sets best_epoch to this epoch exactly where it copies the weights (the
        # first epoch with a value, and every improvement)
        if self.best_epoch == epoch and self.best is not None:
            self.best_weights = self._read_weights()

    def _read_weights(self) -> list:
        """``self.model.get_weights()``, read by one traced function."""
        model = self.model
        if self._reader is None or self._reader[0] is not model:
            weights = model.weights  # get_weights' order
            read = tf.function(lambda: [tf.identity(w.value) for w in weights])
            self._reader = (model, read)
        return [value.numpy() for value in self._reader[1]()]


class EpochProgress(keras.callbacks.Callback):
    """One Keras progress bar over the epochs (not one bar per epoch)."""

    def __init__(self, epochs: int):
        super().__init__()
        self.bar = keras.utils.Progbar(epochs, unit_name="epoch")
        self.seen = 0

    def on_epoch_end(self, epoch, logs=None):
        self.seen = epoch + 1
        self.bar.update(self.seen, [(k, v) for k, v in (logs or {}).items() if "loss" in k])

    def on_train_end(self, logs=None):
        if self.seen < self.bar.target:  # stopped early: close the bar's line
            self.bar.update(self.seen, finalize=True)


def training_callbacks(spec, extra=()) -> list:
    """Early stopping with the best weights restored, learning-rate halving on plateaus, a
    stop on NaN, then ``extra``; a stop on a signal and, with ``spec.verbose``, a progress
    bar are the caller's ``extra``. The first two are what
    :class:`forecast.checkpoint.Checkpoint` saves and restores."""
    return [
        EarlyStopping(patience=spec.patience),
        keras.callbacks.ReduceLROnPlateau(factor=0.5, patience=max(1, spec.patience // 3)),
        keras.callbacks.TerminateOnNaN(),
        *extra,
    ]
