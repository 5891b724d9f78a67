"""The Keras callbacks of every training path (``model.fit`` and the custom loops).

:func:`training_callbacks` lists them in the order :class:`forecast.checkpoint.Checkpoint`
relies on (early stopping, then the learning-rate schedule). The custom loops of
:mod:`forecast.distributed` and :mod:`forecast.sharding` call the very same objects with
the logs ``model.fit`` gives them, so that every path stops at the same epoch.

Example:
    >>> from types import SimpleNamespace
    >>> spec = SimpleNamespace(patience=10, verbose=0)
    >>> [type(c).__name__ for c in training_callbacks(spec)]
    ['EarlyStopping', 'ReduceLROnPlateau', 'TerminateOnNaN']
"""

from __future__ import annotations

import keras

from forecast import stopping

# An epoch improves on the best validation loss only by more than this share of it: a
# creep of 0.1 % per epoch would otherwise hold a fit to the epoch cap for no visible gain
# (chosen on the protocol's tuning half: 0.01 against 0 and 0.02, see the README).
RELATIVE_DELTA = 0.01


class EarlyStopping(keras.callbacks.EarlyStopping):
    """Keras' early stopping, an improvement measured relative to the best loss.

    Validation losses of standardised series span orders of magnitude between data sets,
    so Keras' absolute ``min_delta`` cannot fit them all: here an epoch counts as an
    improvement (its weights become the best, patience restarts) when its loss is below
    ``best × (1 − relative_delta)``. With ``relative_delta=0`` it is Keras' own.

    Example:
        >>> stop = EarlyStopping(patience=2, relative_delta=0.01)
        >>> stop._is_improvement(0.995, 1.0), stop._is_improvement(0.98, 1.0)
        (False, True)
    """

    def __init__(self, patience: int, relative_delta: float):
        super().__init__(patience=patience, restore_best_weights=True)
        self.relative_delta = float(relative_delta)

    def _is_improvement(self, monitor_value, reference_value):
        if reference_value is None:
            return True
        return monitor_value < reference_value * (1.0 - self.relative_delta)


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
        EarlyStopping(spec.patience, RELATIVE_DELTA),
        keras.callbacks.ReduceLROnPlateau(factor=0.5, patience=max(1, spec.patience // 3)),
        keras.callbacks.TerminateOnNaN(),
        *extra,
    ]
