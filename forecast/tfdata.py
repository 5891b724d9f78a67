"""``tf.data`` pipelines on top of the windows (the only data module importing TensorFlow).

Two sources: :func:`window_dataset` reads the contiguous rows of a whole panel
(:class:`forecast.streaming.Rows`) and an index of window starts, which is what training
and prediction use; :func:`make_dataset` reads window arrays (or views) already cut.

Nothing is copied up front: the dataset holds references to the window arrays (the
read-only views of :func:`forecast.windowing.make_windows` work as they are) and each
batch is gathered from them in numpy (``X[indices]``, a ``tf.numpy_function``) from a
list of window indices that tf.data batches and, for training, shuffles. So shuffling
moves 8-byte indices, never whole windows, and memory stays that of the series. Batches
keep the window order unless ``shuffle=True``; with a ``seed`` the order of every epoch
is reproducible (each epoch draws a new order). Values are delivered as float32.

Example:
    >>> import numpy as np
    >>> from forecast.windowing import make_windows
    >>> t = np.arange(10.0)
    >>> X, Y = make_windows(t, t, lookback=3, horizon=2)
    >>> ds = make_dataset(X, Y, batch_size=4)
    >>> [(x.shape, y.shape) for x, y in ds.as_numpy_iterator()]
    [((4, 3, 1), (4, 2, 1)), ((2, 3, 1), (2, 2, 1))]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import tensorflow as tf

__all__ = ["make_dataset", "window_dataset", "with_members_axis"]


def _array(values) -> np.ndarray:
    """An array-like as a numpy array, without copying numpy input."""
    array = np.asarray(values)
    if array.ndim == 0:
        raise ValueError("inputs and labels need a first axis of windows")
    return array


def _structure(X, extra_inputs):
    """X and the extra inputs as one nest of numpy arrays (tuple, dict or one array)."""
    if isinstance(X, Mapping):
        inputs = {str(k): _array(v) for k, v in X.items()}
    elif isinstance(X, Sequence) and not isinstance(X, str | bytes):
        inputs = tuple(_array(v) for v in X)
        inputs = inputs[0] if len(inputs) == 1 else inputs
    else:
        inputs = _array(X)
    if extra_inputs is None:
        return inputs
    if isinstance(inputs, dict):
        if not isinstance(extra_inputs, Mapping):
            raise TypeError("with a dict X, extra_inputs must be a dict too")
        return {**inputs, **{str(k): _array(v) for k, v in extra_inputs.items()}}
    if isinstance(extra_inputs, Mapping):
        raise TypeError("a dict extra_inputs needs a dict X")
    if isinstance(extra_inputs, Sequence):
        extra = tuple(_array(v) for v in extra_inputs)
    else:
        extra = (_array(extra_inputs),)
    return (*(inputs if isinstance(inputs, tuple) else (inputs,)), *extra)


def make_dataset(
    X,
    Y,
    *,
    batch_size: int,
    shuffle: bool = False,
    seed: int | None = None,
    extra_inputs=None,
    shard: tuple[int, int] | None = None,
) -> tf.data.Dataset:
    """Batches of ``(inputs, labels)`` windows for ``keras.Model.fit``.

    Args:
        X: Input windows ``(N, lookback, F)``; or a tuple/list of arrays with ``N``
            rows each (several model inputs; a 1-tuple is the array itself); or a
            dict name -> array (for inputs named in the model).
        Y: Labels ``(N, horizon, K)``.
        batch_size: Windows per batch (the last batch may be smaller).
        shuffle: Draw a new random order of the windows every epoch (use for
            training windows only).
        seed: Makes the shuffled orders reproducible.
        extra_inputs: More inputs with ``N`` rows (e.g. known-future calendar features
            ``(N, horizon, C)``): an array or a tuple, appended to the input tuple, or a
            dict merged into a dict ``X``.
        shard: ``(index, count)``: this reader's part of every batch. The batches are
            drawn as without ``shard`` (the same windows in the same shuffled order);
            each is cut into ``count`` contiguous parts of nearly equal size (the first
            ``batch % count`` parts one window longer) and only part ``index`` is read.
            The ``count`` readers of one data-parallel job together read every global
            batch exactly once (see :mod:`forecast.distributed`).

    Returns:
        A ``tf.data.Dataset`` of float32 ``(inputs, labels)`` batches, prefetched with
        ``tf.data.AUTOTUNE``.

    Raises:
        ValueError: the arrays do not all have ``N`` rows, or ``batch_size < 1``.

    Example:
        >>> import numpy as np
        >>> X, Y = np.zeros((5, 3, 2)), np.ones((5, 2, 1))
        >>> ds = make_dataset(X, Y, batch_size=2, shuffle=True, seed=0, extra_inputs=np.zeros((5, 2, 4)))
        >>> [tuple(t.shape) for t in next(iter(ds))[0]]
        [(2, 3, 2), (2, 2, 4)]
    """
    if int(batch_size) < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    if shard is not None and not 0 <= shard[0] < shard[1]:
        raise ValueError(f"shard must be (index, count) with 0 <= index < count, got {shard}")
    inputs = _structure(X, extra_inputs)
    arrays = [*tf.nest.flatten(inputs), _array(Y)]
    n = len(arrays[-1])
    for array in arrays[:-1]:
        if len(array) != n:
            raise ValueError(f"inputs have {len(array)} windows but labels have {n}")

    def take(idx: np.ndarray) -> list[np.ndarray]:
        return [np.asarray(array[idx], dtype=np.float32) for array in arrays]

    def gather(idx):
        out = tf.numpy_function(take, [idx], [tf.float32] * len(arrays), stateful=False)
        for tensor, array in zip(out, arrays, strict=True):
            tensor.set_shape((None, *array.shape[1:]))
        return tf.nest.pack_sequence_as(inputs, out[:-1]), out[-1]

    indices = tf.data.Dataset.range(n)
    if shuffle:
        indices = indices.shuffle(max(n, 1), seed=seed, reshuffle_each_iteration=True)
    batches = indices.batch(int(batch_size))
    if shard is not None and shard[1] > 1:
        index, count = (tf.constant(int(v), tf.int64) for v in shard)

        def part(idx):
            size = tf.shape(idx, out_type=tf.int64)[0]
            # np.array_split's bounds: part i starts at i * size // count (+ the remainder)
            start = index * (size // count) + tf.minimum(index, size % count)
            stop = (index + 1) * (size // count) + tf.minimum(index + 1, size % count)
            return idx[start:stop]

        batches = batches.map(part)
    return batches.map(gather, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True).prefetch(
        tf.data.AUTOTUNE
    )


def window_dataset(
    rows,
    starts,
    *,
    batch_size: int,
    label_width: int | None = None,
    shuffle: bool = False,
    seed: int | None = None,
    repeat: bool = False,
    skip: int = 0,
) -> tf.data.Dataset:
    """Batches of the windows of ``rows`` at ``starts``, gathered batch by batch.

    The positions ``0 .. N-1`` of ``starts`` are batched (and, for training, shuffled)
    exactly as :func:`make_dataset` batches its windows; each batch then gathers its
    windows from the rows in numpy (``values[start + arange(lookback)]``, a
    ``tf.numpy_function``). Nothing is copied up front; memory is that of the rows.

    Args:
        rows: :class:`forecast.streaming.Rows`.
        starts: window start rows ``(N,)`` (:meth:`~forecast.streaming.Rows.starts`).
        batch_size: windows per batch (the last batch may be smaller).
        label_width: the labels are the first ``label_width`` scaled columns; None: no
            labels, each element is the 1-tuple ``(inputs,)`` that ``Model.predict`` reads.
        shuffle, seed: as in :func:`make_dataset`.
        repeat: an endless stream of full batches (the passes over the windows follow
            each other, each in a new shuffled order when ``shuffle``; a batch may span
            two passes): the per-worker stream of :mod:`forecast.sharding`.
        skip: leave out the first ``skip`` batches (only their indices are drawn).

    Returns:
        A dataset of float32 ``(inputs, labels)`` (or ``(inputs,)``); ``inputs`` is
        ``past (B, lookback, F)``, or ``(past, future)`` with the calendar
        ``future (B, horizon, n_calendar)``: the structure of :func:`make_dataset` given
        ``(past,)`` or ``(past, future)``.

    Example:
        >>> import numpy as np, pandas as pd
        >>> from forecast.streaming import stack_rows
        >>> frame = pd.DataFrame({"y": np.arange(9.0)}, index=pd.date_range("2024-01-01", periods=9))
        >>> rows = stack_rows({0: frame}, lambda k, f: f.to_numpy(), lookback=3, horizon=2)
        >>> ds = window_dataset(rows, rows.starts({0: [3, 4, 5, 6, 7]}), batch_size=4, label_width=1)
        >>> [(x.shape, y.shape) for x, y in ds.as_numpy_iterator()]
        [((4, 3, 1), (4, 2, 1)), ((1, 3, 1), (1, 2, 1))]
    """
    from forecast.streaming import windows

    if int(batch_size) < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    starts = np.asarray(starts, dtype=np.int64)
    n = len(starts)
    shapes = [(None, rows.lookback, rows.values.shape[1])]
    if rows.n_calendar:
        shapes.append((None, rows.horizon, rows.n_calendar))
    if label_width is not None:
        shapes.append((None, rows.horizon, int(label_width)))

    def take(idx: np.ndarray) -> list[np.ndarray]:
        inputs, labels = windows(rows, starts[idx], label_width)
        return [*inputs, *([] if labels is None else [labels])]

    def gather(idx):
        out = tf.numpy_function(take, [idx], [tf.float32] * len(shapes), stateful=False)
        for tensor, shape in zip(out, shapes, strict=True):
            tensor.set_shape(shape)
        k = 2 if rows.n_calendar else 1
        inputs = tuple(out[:k]) if k > 1 else out[0]
        return (inputs,) if label_width is None else (inputs, out[k])

    indices = tf.data.Dataset.range(n)
    if shuffle:
        indices = indices.shuffle(max(n, 1), seed=seed, reshuffle_each_iteration=True)
    if repeat:
        batches = indices.repeat().batch(int(batch_size), drop_remainder=True)
    else:
        batches = indices.batch(int(batch_size))
    if skip:
        batches = batches.skip(int(skip))
    if repeat:
        # An endless stream with tf.data's autotuning ran at half speed on one core, and
        # deleting its iterator took about a second per epoch trained (measured: 3,560
        # against 6,650 windows/s): fixed parallelism and prefetch instead.
        options = tf.data.Options()
        options.autotune.enabled = False
        batches = batches.with_options(options)
    parallel = 2 if repeat else tf.data.AUTOTUNE
    return batches.map(gather, num_parallel_calls=parallel, deterministic=True).prefetch(parallel)


def with_members_axis(dataset: tf.data.Dataset) -> tf.data.Dataset:
    """Labels ``(B, H, k)`` as ``(B, 1, H, k)``: they broadcast against the members axis of an
    ensemble's output ``(B, members, H, k)`` (:func:`forecast.networks.ensemble`) in Keras'
    mean squared error.

    Example:
        >>> import numpy as np
        >>> ds = make_dataset(np.zeros((3, 4, 1)), np.zeros((3, 2, 1)), batch_size=3)
        >>> tuple(next(iter(with_members_axis(ds)))[1].shape)
        (3, 1, 2, 1)
    """
    return dataset.map(lambda x, y: (x, y[:, None]))
