"""The training callbacks every path shares (forecast.callbacks)."""

from types import SimpleNamespace

import keras
import numpy as np
import pytest
import tensorflow as tf

from forecast import callbacks, losses, networks


@pytest.mark.parametrize("patience, lr_patience", [(10, 3), (9, 3), (2, 1)])
def test_every_training_path_gets_the_callbacks_in_the_checkpointed_order(patience, lr_patience):
    spec = SimpleNamespace(patience=patience, verbose=0)
    extra = [callbacks.StopOnRequest()]
    made = callbacks.training_callbacks(spec, extra)
    # forecast.checkpoint saves made[0] as the early stopping and made[1] as the schedule
    assert [type(c) for c in made[:3]] == [
        callbacks.EarlyStopping,  # Keras' own, its copy of the best weights read at once
        keras.callbacks.ReduceLROnPlateau,
        keras.callbacks.TerminateOnNaN,
    ]
    assert isinstance(made[0], keras.callbacks.EarlyStopping)
    assert made[3:] == extra
    assert made[0].patience == patience and made[0].restore_best_weights
    assert made[1].patience == lr_patience and made[1].factor == 0.5


def test_the_progress_bar_counts_epochs_and_closes_when_stopped_early(capsys):
    bar = callbacks.EpochProgress(epochs=5)
    for epoch in range(2):
        bar.on_epoch_end(epoch, {"loss": 0.5, "val_loss": 0.25, "learning_rate": 0.1})
    bar.on_train_end()
    out = capsys.readouterr().out
    assert "2/5" in out and "val_loss" in out and "learning_rate" not in out
    assert out.endswith("\n")


def _ensemble_fit(x, y, val, validation_data: bool, stop=None, epochs=30):
    """A tiny two-member 'ensemble' (output (B, 2, H, 1)) fitted with early stopping, its
    validation loss from Keras' ``validation_data`` or from our callback: ``(history,
    final weights)``."""
    keras.utils.set_random_seed(0)
    net = keras.Sequential(
        [keras.Input((4,)), keras.layers.Dense(6), keras.layers.Reshape((2, 3, 1))]
    )
    net.compile(optimizer=keras.optimizers.SGD(0.05), loss="mse")
    stop = stop or keras.callbacks.EarlyStopping(patience=2, restore_best_weights=True)
    data = tf.data.Dataset.from_tensor_slices((x, y)).batch(8)
    if validation_data:
        fit = dict(validation_data=val, callbacks=[stop])
    else:
        batches = losses.held(val, 10**6)
        loss = callbacks.ValidationLoss(lambda: losses.validation_loss(net, batches))
        fit = dict(callbacks=[loss, stop])
    history = net.fit(data, epochs=epochs, verbose=0, shuffle=False, **fit)
    return history.history, net.get_weights()


def test_the_validation_loss_is_the_one_keras_computes_and_early_stopping_reads_it():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 4)).astype("float32")
    y = (x[:, :3, None] + rng.normal(scale=2.0, size=(40, 3, 1)))[:, None].astype("float32")
    vx = rng.normal(size=(13, 4)).astype("float32")  # two batches, the last one short
    vy = (vx[:, :3, None] + rng.normal(scale=2.0, size=(13, 3, 1)))[:, None].astype("float32")
    val = tf.data.Dataset.from_tensor_slices((vx, vy)).batch(8)
    keras_history, _ = _ensemble_fit(x, y, val, validation_data=True)
    ours, _ = _ensemble_fit(x, y, val, validation_data=False)
    assert len(ours["val_loss"]) == len(keras_history["val_loss"]) < 30  # stopped alike, early
    np.testing.assert_allclose(ours["val_loss"], keras_history["val_loss"], rtol=1e-5)
    np.testing.assert_allclose(ours["loss"], keras_history["loss"], rtol=1e-6)


def test_small_validation_sets_are_held_in_memory_and_large_ones_streamed():
    data = tf.data.Dataset.range(5).batch(2)
    assert [b.numpy().tolist() for b in losses.held(data, losses.HELD_BYTES)] == [
        [0, 1],
        [2, 3],
        [4],
    ]
    assert losses.held(data, losses.HELD_BYTES + 1) is data


@pytest.mark.parametrize("patience, epochs", [(2, 30), (40, 30)])  # stops early; runs out
def test_early_stopping_copies_and_restores_the_weights_keras_does(patience, epochs):
    rng = np.random.default_rng(1)
    x = rng.normal(size=(40, 4)).astype("float32")
    y = (x[:, :3, None] + rng.normal(scale=2.0, size=(40, 3, 1)))[:, None].astype("float32")
    vx = rng.normal(size=(13, 4)).astype("float32")
    vy = (vx[:, :3, None] + rng.normal(scale=2.0, size=(13, 3, 1)))[:, None].astype("float32")
    val = tf.data.Dataset.from_tensor_slices((vx, vy)).batch(8)
    theirs = keras.callbacks.EarlyStopping(patience=patience, restore_best_weights=True)
    ours = callbacks.EarlyStopping(patience=patience)
    keras_history, keras_weights = _ensemble_fit(x, y, val, False, stop=theirs, epochs=epochs)
    history, weights = _ensemble_fit(x, y, val, False, stop=ours, epochs=epochs)
    assert history == keras_history
    for name in ("best", "best_epoch", "stopped_epoch", "wait"):
        assert getattr(ours, name) == getattr(theirs, name), name
    assert 0 < ours.best_epoch < len(history["loss"]) - 1  # a copy taken, and then restored
    assert len(ours.best_weights) == len(theirs.best_weights)
    for a, b in zip(ours.best_weights + weights, theirs.best_weights + keras_weights, strict=True):
        np.testing.assert_array_equal(a, b)


def test_the_inference_function_is_the_networks_and_does_not_keep_it_alive():
    import gc
    import weakref

    net = keras.Sequential([keras.Input((2,)), keras.layers.Dense(3)])
    x = np.arange(8, dtype="float32").reshape(4, 2)
    run = networks.inference(net)
    assert networks.inference(net) is run  # traced once per network
    np.testing.assert_array_equal(run(x), net.predict_on_batch(x))
    np.testing.assert_array_equal(run(x[:3]), net.predict_on_batch(x[:3]))  # a shorter batch
    alive = weakref.ref(net)
    del net, run
    gc.collect()
    assert alive() is None  # a fit's network is freed with its inference function
