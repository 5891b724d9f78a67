"""forecast.optimizers.Adam against its oracle, keras.optimizers.Adam: the same weights to
the bit, with fewer operations in a step's graph."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from forecast.optimizers import Adam

SHAPES = [(3, 8), (8,), (8, 4), (4,), (2, 3, 5)]


def _variables():
    rng = np.random.default_rng(0)
    return [keras.Variable(rng.normal(size=s).astype("float32")) for s in SHAPES]


def _gradients(step):
    rng = np.random.default_rng(100 + step)
    return [rng.normal(size=s).astype("float32") for s in SHAPES]


@pytest.mark.parametrize("amsgrad", [False, True])
def test_updates_equal_keras_adam_bitwise(amsgrad):
    ours, theirs = _variables(), _variables()
    opt = Adam(learning_rate=0.05, amsgrad=amsgrad)
    ref = keras.optimizers.Adam(learning_rate=0.05, amsgrad=amsgrad)
    for step in range(6):
        if step == 3:  # a schedule's change of the rate (ReduceLROnPlateau) is read each step
            opt.learning_rate = ref.learning_rate = 0.01
        grads = _gradients(step)
        opt.apply_gradients(zip(grads, ours, strict=True))
        ref.apply_gradients(zip(grads, theirs, strict=True))
    for a, b, start in zip(ours, theirs, _variables(), strict=True):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
        assert not np.array_equal(a.numpy(), start.numpy())  # it did train


def _fit(optimizer):
    keras.utils.set_random_seed(3)
    model = keras.Sequential(
        [keras.Input((6,)), keras.layers.Dense(5, activation="tanh"), keras.layers.Dense(2)]
    )
    model.compile(optimizer=optimizer, loss="mse")
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(64, 6)), rng.normal(size=(64, 2))
    model.fit(x, y, batch_size=16, epochs=3, shuffle=False, verbose=0)
    return model.get_weights()


def test_model_fit_equals_keras_adam_bitwise():
    ours, theirs = _fit(Adam(0.01)), _fit(keras.optimizers.Adam(0.01))
    for a, b in zip(ours, theirs, strict=True):
        np.testing.assert_array_equal(a, b)


def _ops_of_a_step(optimizer) -> dict:
    variables = _variables()
    optimizer.build(variables)
    grads = [tf.constant(g) for g in _gradients(0)]
    graph = (
        tf.function(lambda: optimizer.apply_gradients(zip(grads, variables, strict=True)))
        .get_concrete_function()
        .graph
    )
    types = [op.type for op in graph.get_operations()]
    return {t: types.count(t) for t in ("Pow", "Sqrt", "Const")}


def test_step_scalars_are_made_once_per_step():
    ours, theirs = _ops_of_a_step(Adam(0.01)), _ops_of_a_step(keras.optimizers.Adam(0.01))
    n = len(SHAPES)
    assert (ours["Pow"], theirs["Pow"]) == (2, 2 * n)  # beta_1**t and beta_2**t
    assert (ours["Sqrt"], theirs["Sqrt"]) == (1 + n, 2 * n)  # alpha's, and one per variable
    assert ours["Const"] < theirs["Const"] - 3 * n


def test_serialises_under_the_forecast_package():
    opt = Adam(learning_rate=0.02, beta_1=0.8)
    config = keras.optimizers.serialize(opt)
    again = keras.optimizers.deserialize(config)
    assert type(again) is Adam
    assert again.get_config() == opt.get_config()
    assert config["registered_name"] == "forecast>Adam"
