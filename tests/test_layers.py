"""forecast.layers.LSTM / LSTMCell against the oracle keras.layers.LSTM.

Most tests copy one set of random weights (non-zero bias) into both layers and
compare outputs, final states and gradients. The code paths are covered: the
default compiled kernel with its compiled gradient (``use_xla=True``), the plain
``tf.while_loop`` with autodiff (``use_xla=False``), and that loop inside an
XLA compilation (a ``jit_compile=True`` model: ``test_gradient_parity_inside_xla``).
Shapes are kept small and shared so that XLA compiles few kernels.
"""

from __future__ import annotations

import numpy as np
import pytest

keras = pytest.importorskip("keras")
tf = pytest.importorskip("tensorflow")

from forecast.layers import LSTM, LSTMCell  # noqa: E402

F32, F64 = 1e-5, 1e-10  # forward tolerances
GRAD_RTOL = 1e-4


def make_pair(units=4, features=3, *, dtype="float32", wseed=0, batch=None, use_xla=True, **kw):
    """Ours and Keras' LSTM with the same random (non-zero) weights (seeded by wseed)."""
    theirs = keras.layers.LSTM(units, dtype=dtype, **kw)
    ours = LSTM(units, dtype=dtype, use_xla=use_xla, **kw)
    for layer in (theirs, ours):
        layer.build((batch, None, features))
    rng = np.random.default_rng(wseed)
    weights = [rng.uniform(-0.6, 0.6, w.shape).astype(dtype) for w in theirs.get_weights()]
    theirs.set_weights(weights)
    ours.set_weights(weights)
    return ours, theirs


def data(batch=3, time=7, features=3, dtype="float32", seed=1):
    return np.random.default_rng(seed).normal(size=(batch, time, features)).astype(dtype)


def right_padded_mask(batch, time):
    lengths = np.linspace(time, 1, batch).astype(int)  # the first row is full
    return np.arange(time)[None, :] < lengths[:, None]


def assert_all_close(ours, theirs, atol):
    ours, theirs = tf.nest.flatten(ours), tf.nest.flatten(theirs)
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=0, atol=atol)


def gradients(layer, x, *, mask=None, initial_state=None, training=False):
    """d(sum of squares of every output)/d(inputs, initial state, weights)."""
    x = tf.convert_to_tensor(x)
    state = None if initial_state is None else [tf.convert_to_tensor(s) for s in initial_state]
    with tf.GradientTape() as tape:
        tape.watch(x)
        if state is not None:
            tape.watch(state)
        out = layer(x, mask=mask, initial_state=state, training=training)
        loss = sum(tf.reduce_sum(o * o) for o in tf.nest.flatten(out))
    sources = [x] + (state or []) + list(layer.trainable_weights)
    return tape.gradient(loss, sources)


def assert_grads_close(ours, theirs):
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs, strict=True):
        a, b = np.asarray(a), np.asarray(b)
        assert np.max(np.abs(a - b)) <= GRAD_RTOL * np.max(np.abs(b)), np.max(np.abs(a - b))


# ---------------------------------------------------------------- parity

CONFIGS = {
    "default": {},
    "sequences": {"return_sequences": True},
    "state": {"return_state": True},
    "sequences+state": {"return_sequences": True, "return_state": True},
    "backwards": {"go_backwards": True, "return_sequences": True, "return_state": True},
    "no-bias": {"use_bias": False, "return_sequences": True},
    "no-unit-forget-bias": {"unit_forget_bias": False},
    "activations": {"activation": "relu", "recurrent_activation": "hard_sigmoid"},
    "softsign": {"activation": "softsign", "recurrent_activation": "tanh", "return_state": True},
}


@pytest.mark.parametrize("use_xla", [True, False], ids=["xla", "loop"])
@pytest.mark.parametrize("name", CONFIGS)
def test_forward_parity(name, use_xla):
    ours, theirs = make_pair(use_xla=use_xla, **CONFIGS[name])
    x = data()
    assert_all_close(ours(x), theirs(x), F32)


@pytest.mark.parametrize("use_xla", [True, False], ids=["xla", "loop"])
@pytest.mark.parametrize("name", ["sequences+state", "backwards", "no-bias", "softsign"])
def test_gradient_parity(name, use_xla):
    ours, theirs = make_pair(use_xla=use_xla, **CONFIGS[name])
    x = data()
    assert_grads_close(gradients(ours, x, training=True), gradients(theirs, x, training=True))


@pytest.mark.parametrize("use_xla", [True, False], ids=["xla", "loop"])
@pytest.mark.parametrize(
    "kw",
    [
        {"return_sequences": True, "return_state": True},
        {"go_backwards": True, "return_sequences": True},
        {"return_state": True, "zero_output_for_mask": True},
        {"return_sequences": True, "zero_output_for_mask": True},
    ],
    ids=["sequences", "backwards", "zero-last", "zero-sequences"],
)
def test_mask_argument_parity(kw, use_xla):
    ours, theirs = make_pair(use_xla=use_xla, **kw)
    x, mask = data(batch=4), right_padded_mask(4, 7)
    assert_all_close(ours(x, mask=mask), theirs(x, mask=mask), F32)
    assert_grads_close(gradients(ours, x, mask=mask), gradients(theirs, x, mask=mask))


@pytest.mark.parametrize(
    "kw, masked, dtype",
    [
        ({"return_sequences": True, "return_state": True}, False, "float32"),
        ({"go_backwards": True, "return_state": True}, True, "float32"),
        ({"return_sequences": True, "zero_output_for_mask": True}, True, "float32"),
        (
            {"use_bias": False, "activation": "relu", "recurrent_activation": "hard_sigmoid"},
            False,
            "float32",
        ),
        ({"return_sequences": True, "return_state": True}, True, "float64"),
    ],
    ids=["sequences+state", "backwards-masked", "zero-sequences", "no-bias-relu", "float64"],
)
def test_gradient_parity_inside_xla(kw, masked, dtype):
    # Inside tf.function(jit_compile=True) our layer does not nest a kernel: the
    # loop is compiled as part of the caller and differentiated by autodiff.
    ours, theirs = make_pair(dtype=dtype, **kw)
    x = data(batch=4, dtype=dtype)
    mask = right_padded_mask(4, 7) if masked else None
    state = [data(1, 4, 4, dtype=dtype, seed=5)[0], data(1, 4, 4, dtype=dtype, seed=6)[0]]

    def run(layer):
        return tf.function(
            lambda: gradients(layer, x, mask=mask, initial_state=state), jit_compile=True
        )()

    got, want = run(ours), run(theirs)
    rtol = GRAD_RTOL if dtype == "float32" else 1e-9
    assert len(got) == len(want) == 3 + len(ours.trainable_weights)
    for a, b in zip(got, want, strict=True):
        assert np.max(np.abs(np.asarray(a) - np.asarray(b))) <= rtol * np.max(np.abs(b))


def test_mask_with_initial_state_and_left_padding():
    # A skipped first step outputs zeros although the state is the initial one.
    ours, theirs = make_pair(return_sequences=True, return_state=True)
    x, state = data(batch=2), [data(1, 2, 4)[0], data(1, 2, 4, seed=2)[0]]
    mask = np.array([[False, False, True, True, True, True, True], [True] * 6 + [False]])
    assert_all_close(
        ours(x, mask=mask, initial_state=state), theirs(x, mask=mask, initial_state=state), F32
    )


def test_masking_layer_in_front():
    x = data(batch=4, time=6)
    x[1, 4:] = 0.0  # right padding that Masking turns into a mask
    x[2, 2:] = 0.0
    models = []
    for layer in make_pair(return_sequences=True):
        inputs = keras.Input((6, 3))
        model = keras.Model(inputs, layer(keras.layers.Masking(0.0)(inputs)))
        models.append(model)
    ours, theirs = (m.predict(x, verbose=0) for m in models)
    np.testing.assert_allclose(ours, theirs, atol=F32)
    assert np.allclose(ours[2, 2:], ours[2, 1])  # outputs carried through masked steps


@pytest.mark.parametrize("use_xla", [True, False], ids=["xla", "loop"])
def test_initial_state_parity(use_xla):
    ours, theirs = make_pair(return_state=True, use_xla=use_xla)
    x = data()
    state = [data(1, 3, 4, seed=5)[0], data(1, 3, 4, seed=6)[0]]
    assert_all_close(ours(x, initial_state=state), theirs(x, initial_state=state), F32)
    got = gradients(ours, x, initial_state=state)
    assert_grads_close(got, gradients(theirs, x, initial_state=state))


def test_stacked_layers_parity():
    first, first_k = make_pair(return_sequences=True, wseed=3)
    second, second_k = make_pair(units=5, features=4, wseed=4)
    x = tf.constant(data())
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        ours = second(first(x, training=True), training=True)
        theirs = second_k(first_k(x))
        losses = [tf.reduce_sum(ours**2), tf.reduce_sum(theirs**2)]
    np.testing.assert_allclose(ours, theirs, atol=F32)
    ours_w = [x, *first.trainable_weights, *second.trainable_weights]
    theirs_w = [x, *first_k.trainable_weights, *second_k.trainable_weights]
    assert_grads_close(tape.gradient(losses[0], ours_w), tape.gradient(losses[1], theirs_w))


@pytest.mark.parametrize(
    "units, features, time", [(8, 2, 200), (128, 6, 5)], ids=["long-T200", "wide-u128"]
)
def test_long_and_wide_parity(units, features, time):
    ours, theirs = make_pair(units, features, return_sequences=True)
    x = data(batch=2, time=time, features=features)
    assert_all_close(ours(x), theirs(x), F32)
    want = tf.function(lambda: gradients(theirs, x))()  # a graph: Keras' loop is slow eagerly
    assert_grads_close(gradients(ours, x), want)


@pytest.mark.parametrize("use_xla", [True, False], ids=["xla", "loop"])
def test_float64_parity(use_xla):
    kw = {"return_sequences": True, "return_state": True, "go_backwards": True}
    ours, theirs = make_pair(dtype="float64", use_xla=use_xla, **kw)
    x, mask = data(batch=4, dtype="float64"), right_padded_mask(4, 7)
    out = ours(x, mask=mask)
    assert all(o.dtype == tf.float64 for o in out)
    assert all(w.dtype == "float64" for w in ours.weights)
    assert_all_close(out, theirs(x, mask=mask), F64)
    got, want = gradients(ours, x, mask=mask), gradients(theirs, x, mask=mask)
    for a, b in zip(got, want, strict=True):
        assert np.max(np.abs(np.asarray(a) - np.asarray(b))) <= 1e-9 * np.max(np.abs(b))


def test_cell_inside_keras_rnn_matches_keras_lstm():
    ours_lstm, theirs = make_pair(return_sequences=True)
    rnn = keras.layers.RNN(LSTMCell(4), return_sequences=True)
    rnn.build((None, None, 3))
    rnn.set_weights(theirs.get_weights())
    x = data()
    np.testing.assert_allclose(rnn(x), theirs(x), atol=F32)


def test_weights_layout_names_and_copy_both_ways():
    ours, theirs = make_pair(units=4, features=3)
    assert [w.shape for w in ours.weights] == [(3, 16), (4, 16), (16,)]
    assert [w.name for w in ours.weights] == ["kernel", "recurrent_kernel", "bias"]
    fresh = keras.layers.LSTM(4)
    fresh.build((None, None, 3))
    fresh.set_weights(ours.get_weights())  # ours -> keras
    x = data()
    np.testing.assert_allclose(fresh(x), ours(x), atol=F32)


# ------------------------------------------------ Keras' own golden values
# The cases and expected numbers below are copied from Keras' test suite,
# keras/src/layers/rnn/lstm_test.py (Keras 3.15.1): test_correctness,
# test_statefulness, test_pass_initial_state and test_masking.


def constant_lstm(units, **kw):
    return LSTM(
        units,
        kernel_initializer=keras.initializers.Constant(0.01),
        recurrent_initializer=keras.initializers.Constant(0.02),
        bias_initializer=keras.initializers.Constant(0.03),
        **kw,
    )


@pytest.mark.parametrize(
    "kw, expected",
    [
        ({}, [0.6288687, 0.86899155, 0.9460773]),
        ({"go_backwards": True}, [0.35622165, 0.74789524, 0.8872726]),
        ({"unit_forget_bias": False}, [0.57019705, 0.8661914, 0.9459622]),
        ({"use_bias": False}, [0.54986924, 0.86226785, 0.9443936]),
    ],
)
def test_keras_golden_correctness(kw, expected):
    sequence = np.arange(72).reshape((3, 6, 4)).astype("float32")
    output = constant_lstm(3, **kw)(sequence)
    np.testing.assert_allclose(output, np.repeat(np.array(expected)[:, None], 3, 1), atol=1e-5)


def test_keras_golden_statefulness():
    sequence = np.arange(24).reshape((2, 3, 4)).astype("float32")
    layer = constant_lstm(4, stateful=True)
    expected = np.repeat(np.array([[0.3124785], [0.6863672]]), 4, axis=1)
    layer(sequence)
    np.testing.assert_allclose(layer(sequence), expected, atol=1e-5)
    layer.reset_state()
    layer(sequence)
    np.testing.assert_allclose(layer(sequence), expected, atol=1e-5)


@pytest.mark.parametrize(
    "kw, expected",
    [
        ({}, [[0.20574439, 0.3558822], [0.64930826, 0.66276]]),
        ({"go_backwards": True}, [[0.13281618, 0.2790356], [0.5839337, 0.5992567]]),
    ],
)
def test_keras_golden_initial_state(kw, expected):
    sequence = np.arange(24).reshape((2, 4, 3)).astype("float32")
    initial_state = [np.arange(4).reshape((2, 2)).astype("float32")] * 2
    output = constant_lstm(2, **kw)(sequence, initial_state=initial_state)
    np.testing.assert_allclose(output, expected, atol=1e-5)


def test_keras_golden_masking():
    sequence = np.arange(24).reshape((2, 4, 3)).astype("float32")
    mask = np.array([[True, True, True, False], [True, True, False, False]])
    a, b, c, d = 0.01588910, 0.05552048, 0.11755939, 0.14185596
    e = 0.28556206
    output = constant_lstm(2)(sequence, mask=mask)
    np.testing.assert_allclose(output, [[c, c], [e, e]], atol=1e-5)
    output = constant_lstm(2, return_sequences=True)(sequence, mask=mask)
    want = np.array([[a, b, c, c], [d, e, e, e]])
    np.testing.assert_allclose(output, np.repeat(want[..., None], 2, -1), atol=1e-5)
    output = constant_lstm(2, return_sequences=True, zero_output_for_mask=True)(sequence, mask=mask)
    want = np.array([[a, b, c, 0.0], [d, e, 0.0, 0.0]])
    np.testing.assert_allclose(output, np.repeat(want[..., None], 2, -1), atol=1e-5)
    backwards_mask = np.array([[False, True, True, True], [False, False, True, True]])
    output = constant_lstm(2, go_backwards=True)(sequence, mask=backwards_mask)
    np.testing.assert_allclose(output, [[0.15341201] * 2, [0.3844719] * 2], atol=1e-5)


# ------------------------------------------------------------ state, dropout


def test_stateful_matches_keras_and_resets():
    ours, theirs = make_pair(batch=2, stateful=True, return_sequences=True)
    chunks = [data(batch=2, time=5, seed=s) for s in range(3)]
    for chunk in chunks:
        np.testing.assert_allclose(ours(chunk), theirs(chunk), atol=F32)
    assert not np.allclose(ours.states[0], 0.0)
    assert_all_close(ours.states, theirs.states, F32)
    traced = ours.trace_gates(chunks[0])["hidden"]  # starts from, and keeps, the states
    np.testing.assert_allclose(traced, ours(chunks[0]), atol=F32)
    np.testing.assert_allclose(traced, theirs(chunks[0]), atol=F32)
    ours.reset_states()
    theirs.reset_states()
    assert np.allclose(ours.states[0], 0.0) and np.allclose(ours.states[1], 0.0)
    np.testing.assert_allclose(ours(chunks[0]), theirs(chunks[0]), atol=F32)
    assert len(ours.get_weights()) == len(theirs.get_weights()) == 3  # states are no weights


def test_stateful_needs_a_fixed_batch_size():
    with pytest.raises(ValueError, match="stateful=True needs a fixed batch size"):
        LSTM(3, stateful=True).build((None, 5, 2))


@pytest.mark.parametrize(
    "rates",
    [{"dropout": 0.3}, {"recurrent_dropout": 0.3}, {"dropout": 0.4, "recurrent_dropout": 0.2}],
    ids=["input", "recurrent", "both"],
)
def test_dropout_behaviour(rates):
    x = data(batch=6)
    ours, theirs = make_pair(return_sequences=True, **rates)
    plain, _ = make_pair(return_sequences=True)
    inference = ours(x, training=False)
    np.testing.assert_allclose(inference, plain(x), atol=F32)  # no dropout at inference
    np.testing.assert_allclose(inference, theirs(x, training=False), atol=F32)
    first = make_pair(return_sequences=True, seed=7, **rates)[0]
    second = make_pair(return_sequences=True, seed=7, **rates)[0]
    dropped = first(x, training=True)
    assert np.max(np.abs(dropped - inference)) > 1e-3  # dropout changes the result
    np.testing.assert_array_equal(dropped, second(x, training=True))  # fixed seed: same draw
    assert np.max(np.abs(first(x, training=True) - dropped)) > 1e-3  # a new draw per call


@pytest.mark.parametrize("use_xla", [True, False], ids=["xla", "loop"])
def test_dropout_masks_are_keras_masks(use_xla):
    # Same seed, same draws, in the same order: exactly Keras' result and gradient.
    kw = {"dropout": 0.3, "recurrent_dropout": 0.2, "seed": 11, "return_sequences": True}
    x = data(batch=5)
    ours, theirs = make_pair(use_xla=use_xla, **kw)
    np.testing.assert_allclose(ours(x, training=True), theirs(x, training=True), atol=F32)
    ours, theirs = make_pair(use_xla=use_xla, **kw)
    assert_grads_close(gradients(ours, x, training=True), gradients(theirs, x, training=True))
    ours, theirs = make_pair(use_xla=use_xla, dropout=0.5, seed=3)  # one mask for all gates
    np.testing.assert_allclose(ours(x, training=True), theirs(x, training=True), atol=F32)


# ------------------------------------------------------ models and training


def twin_models(optimizer, jit_compile, **kw):
    models = []
    for layer in make_pair(units=6, features=2, wseed=9, **kw):
        inputs = keras.Input((10, 2))
        model = keras.Model(inputs, keras.layers.Dense(1)(layer(inputs)))
        models.append(model)
    models[1].layers[-1].set_weights(models[0].layers[-1].get_weights())
    for model in models:
        opt = keras.optimizers.get({"class_name": optimizer, "config": {"learning_rate": 0.05}})
        model.compile(optimizer=opt, loss="mse", jit_compile=jit_compile)
    return models


@pytest.fixture
def xla_allowed():
    """Keras silently drops ``jit_compile=True`` while TensorFlow's op determinism is on (the
    forecaster turns it on), so a test of XLA training turns it off for its duration."""
    from tensorflow.python.framework import config  # private: no public switch-off

    was_on = config.is_op_determinism_enabled()
    config.disable_op_determinism()
    yield
    if was_on:
        config.enable_op_determinism()


@pytest.mark.parametrize("optimizer, jit_compile", [("SGD", False), ("Adam", True)])
def test_training_gives_the_same_loss_curve(optimizer, jit_compile, xla_allowed):
    ours, theirs = twin_models(optimizer, jit_compile)
    assert ours.jit_compile is theirs.jit_compile is jit_compile  # really compiled by XLA
    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 10, 2)).astype("float32")
    y = x[:, -3:, :1].sum(axis=1)
    curves = [[], []]
    for step in range(6):
        batch = slice(8 * (step % 5), 8 * (step % 5) + 8)
        for curve, model in zip(curves, (ours, theirs), strict=True):
            curve.append(model.train_on_batch(x[batch], y[batch]))
    np.testing.assert_allclose(curves[0], curves[1], rtol=1e-4)
    assert curves[0][-1] < curves[0][0]  # it did learn
    for ours_w, theirs_w in zip(ours.get_weights(), theirs.get_weights(), strict=True):
        np.testing.assert_allclose(ours_w, theirs_w, atol=1e-4)


def test_save_and_load_keras_file(tmp_path):
    inputs = keras.Input((5, 3))
    hidden = LSTM(4, return_sequences=True, dropout=0.1, seed=1)(inputs)
    outputs = keras.layers.Dense(2)(LSTM(3, go_backwards=True, unit_forget_bias=False)(hidden))
    model = keras.Model(inputs, outputs)
    path = tmp_path / "model.keras"
    model.save(path)
    loaded = keras.saving.load_model(path, safe_mode=True)
    assert isinstance(loaded.layers[1], LSTM) and loaded.layers[2].go_backwards
    x = data(batch=4, time=5)
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))


def test_config_round_trip():
    layer = LSTM(
        7,
        activation="relu",
        recurrent_activation="hard_sigmoid",
        use_bias=False,
        unit_forget_bias=False,
        kernel_initializer="he_normal",
        kernel_regularizer="l2",
        activity_regularizer="l1",
        recurrent_constraint="non_neg",
        dropout=0.25,
        recurrent_dropout=0.5,
        seed=3,
        return_sequences=True,
        return_state=True,
        go_backwards=True,
        stateful=True,
        zero_output_for_mask=True,
        use_xla=False,
        name="gates",
    )
    config = layer.get_config()
    clone = LSTM.from_config(config)
    assert clone.get_config() == config
    assert config["units"] == 7 and config["seed"] == 3 and config["name"] == "gates"
    again = keras.layers.deserialize(keras.layers.serialize(layer))
    assert type(again) is LSTM and again.get_config() == config
    cell = LSTMCell(5, dropout=0.1, recurrent_activation="tanh")
    assert LSTMCell.from_config(cell.get_config()).get_config() == cell.get_config()


def test_layer_reports_shapes_and_masks():
    layer = LSTM(4, return_sequences=True, return_state=True)
    assert layer.compute_output_shape((2, 5, 3)) == ((2, 5, 4), (2, 4), (2, 4))
    inputs = keras.Input((5, 3))
    out, h, c = layer(keras.layers.Masking()(inputs))
    assert out.shape == (None, 5, 4) and h.shape == (None, 4)
    assert LSTM(4).compute_mask(None, np.ones((2, 5), bool)) is None


# ---------------------------------------------------------------- trace_gates

KEYS = {"forget", "input", "candidate", "output", "cell", "hidden"}


def sigmoid(v):
    return 1.0 / (1.0 + np.exp(-v))


@pytest.mark.parametrize("go_backwards", [False, True])
def test_trace_gates_follow_the_equations(go_backwards):
    layer = make_pair(units=4, features=3, go_backwards=go_backwards)[0]
    x = data(batch=2, time=6).astype("float64")
    h0, c0 = data(1, 2, 4, seed=3)[0], data(1, 2, 4, seed=4)[0]
    g = layer.trace_gates(x, initial_state=[h0, c0])
    assert set(g) == KEYS
    assert all(v.shape == (2, 6, 4) for v in g.values())
    W, U, b = (w.astype("float64") for w in layer.get_weights())
    xs = x[:, ::-1] if go_backwards else x
    h, c = h0, c0
    for t in range(6):
        z = xs[:, t] @ W + h @ U + b
        i, f, cand, o = (
            sigmoid(z[:, :4]),
            sigmoid(z[:, 4:8]),
            np.tanh(z[:, 8:12]),
            sigmoid(z[:, 12:]),
        )
        for name, want in zip(
            ["input", "forget", "candidate", "output"], [i, f, cand, o], strict=True
        ):
            np.testing.assert_allclose(g[name][:, t], want, atol=1e-5)
        c = g["forget"][:, t] * c + g["input"][:, t] * g["candidate"][:, t]  # from the trace
        h = g["output"][:, t] * np.tanh(c)
        np.testing.assert_allclose(g["cell"][:, t], c, atol=1e-5)
        np.testing.assert_allclose(g["hidden"][:, t], h, atol=1e-5)
        h, c = g["hidden"][:, t], g["cell"][:, t]
    out = layer(x.astype("float32"), initial_state=[h0, c0])
    np.testing.assert_allclose(g["hidden"][:, -1], out, atol=1e-5)


def test_trace_gates_match_the_returned_sequence():
    layer = LSTM(5, return_sequences=True, go_backwards=True, return_state=True)
    x = data(batch=3, time=8)
    seq, h, c = layer(x)
    g = layer.trace_gates(x)
    np.testing.assert_allclose(g["hidden"], seq, atol=1e-5)  # processing order
    np.testing.assert_allclose(g["cell"][:, -1], c, atol=1e-5)
    assert all(isinstance(v, np.ndarray) and v.dtype == np.float32 for v in g.values())


# -------------------------------------------------------------- construction


def test_unit_forget_bias_initialisation():
    layer = LSTM(4)
    layer.build((None, None, 2))
    bias = layer.bias.numpy()
    np.testing.assert_array_equal(bias[4:8], 1.0)
    np.testing.assert_array_equal(np.r_[bias[:4], bias[8:]], 0.0)
    layer = LSTM(4, unit_forget_bias=False)
    layer.build((None, None, 2))
    np.testing.assert_array_equal(layer.bias.numpy(), 0.0)
    layer = LSTM(3, bias_initializer=keras.initializers.Constant(0.5))
    layer.build((None, None, 2))
    np.testing.assert_array_equal(layer.bias.numpy(), [0.5] * 3 + [1.0] * 3 + [0.5] * 6)


@pytest.mark.parametrize("cls", [LSTM, LSTMCell])
@pytest.mark.parametrize(
    "kw, message",
    [
        ({"units": 0}, "units must be a positive integer, got 0"),
        ({"units": -3}, "units must be a positive integer, got -3"),
        ({"units": 2.5}, "units must be a positive integer, got 2.5"),
        ({"units": "8"}, "units must be a positive integer, got '8'"),
        ({"units": 4, "dropout": 1.0}, "dropout must be a float in [0, 1), got 1.0"),
        ({"units": 4, "dropout": -0.1}, "dropout must be a float in [0, 1), got -0.1"),
        (
            {"units": 4, "recurrent_dropout": 1.5},
            "recurrent_dropout must be a float in [0, 1), got 1.5",
        ),
        ({"units": 4, "seed": "abc"}, "seed must be an integer or None, got 'abc'"),
        ({"units": 4, "use_bias": "yes"}, "use_bias must be True or False, got 'yes'"),
    ],
)
def test_argument_validation_messages(cls, kw, message):
    with pytest.raises(ValueError) as info:
        cls(**kw)
    assert str(info.value) == message


def test_layer_flag_validation_message():
    with pytest.raises(ValueError) as info:
        LSTM(4, return_sequences=1)
    assert str(info.value) == "return_sequences must be True or False, got 1"


def test_a_new_model_lets_go_of_the_kernels_of_other_shapes():
    from forecast import _lstm_kernels as kernels

    x = np.ones((2, 5, 3), dtype="float32")
    kernels.new_model()
    LSTM(4)(x)
    first = dict(kernels._KERNELS)
    assert len(first) == 1
    kernels.new_model()
    LSTM(4)(x)  # a model of the same shapes reuses the compiled pair
    assert kernels._KERNELS == first
    assert all(kernels._KERNELS[k] is pair for k, pair in first.items())
    kernels.new_model()
    LSTM(8)(x)
    assert len(kernels._KERNELS) == 1 and set(kernels._KERNELS).isdisjoint(first)
    LSTM(4)(x)  # within one model both are kept
    assert len(kernels._KERNELS) == 2
