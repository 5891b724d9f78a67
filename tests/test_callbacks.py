"""The training callbacks: early stopping on a relative improvement (forecast.callbacks)."""

from types import SimpleNamespace

import keras
import numpy as np
import pytest

from forecast import callbacks


def _run(stop, losses):
    """Feeds ``losses`` as validation losses, the model's weight set to the epoch number;
    returns ``(epochs run, the weight restored)``."""
    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1, use_bias=False)])
    model.stop_training = False
    stop.set_model(model)
    stop.on_train_begin()
    for epoch, loss in enumerate(losses):
        model.set_weights([np.full((1, 1), float(epoch))])
        stop.on_epoch_end(epoch, {"val_loss": loss})
        if model.stop_training:
            break
    stop.on_train_end()
    return epoch + 1, float(model.get_weights()[0][0, 0])


def test_a_slow_creep_stops_after_patience_and_restores_the_last_real_improvement():
    # 0.5 % better every epoch: never 1 % better than the best within 2 epochs
    losses = [1.0, 0.5, *(0.5 * 0.995 ** np.arange(1, 30))]
    assert _run(callbacks.EarlyStopping(patience=2, relative_delta=0.01), losses) == (4, 1.0)
    # Keras' absolute rule (and ours at 0) follows the creep to the end
    assert _run(callbacks.EarlyStopping(patience=2, relative_delta=0.0), losses) == (31, 30.0)
    keras_stop = keras.callbacks.EarlyStopping(patience=2, restore_best_weights=True)
    assert _run(keras_stop, losses) == (31, 30.0)


def test_an_improvement_larger_than_the_share_restarts_patience():
    # 2 % better every second epoch, flat in between: the fit runs to the end
    losses = [0.98 ** (k // 2) for k in range(12)]
    assert _run(callbacks.EarlyStopping(patience=2, relative_delta=0.01), losses) == (12, 10.0)


@pytest.mark.parametrize("verbose", [0, 1])
def test_every_training_path_gets_the_same_callbacks_in_the_checkpointed_order(verbose):
    spec = SimpleNamespace(patience=9, verbose=verbose)
    extra = [callbacks.StopOnRequest()]
    made = callbacks.training_callbacks(spec, extra)
    assert [type(c) for c in made[:3]] == [
        callbacks.EarlyStopping,
        keras.callbacks.ReduceLROnPlateau,
        keras.callbacks.TerminateOnNaN,
    ]
    assert made[3:] == extra
    assert made[0].patience == 9 and made[0].relative_delta == callbacks.RELATIVE_DELTA
    assert made[1].patience == 3
