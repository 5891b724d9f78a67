"""What the commands load, lazily: TensorFlow (quietly), data files, model directories,
Forecasters built from the model options."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from forecast.cli.exits import note


def _import_tensorflow_quietly() -> None:
    """Imports TensorFlow without its start-up noise on stderr, and quiets its Python logger.

    TF_CPP_MIN_LOG_LEVEL silences its later C++ logs; the start-up lines (absl's "All
    log messages before ...", the CUDA probe on a machine without a GPU) ignore it, so
    file descriptor 2 points to /dev/null during the import. A failed import still
    raises a Python exception, shown once stderr is back.
    """
    if "tensorflow" in sys.modules:
        return
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    sys.stderr.flush()
    saved, devnull = os.dup(2), os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        import tensorflow
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)
    # Python-side warnings meant for developers (e.g. "triggered tf.function retracing" when
    # a backtest fits and predicts many small models) are not the user's business.
    tensorflow.get_logger().setLevel("ERROR")


def _forecaster(quiet: bool, **params):
    """A Forecaster from the model options (their names are the Forecaster's arguments)."""
    from forecast.forecaster import Forecaster

    return Forecaster(**params, verbose=int(not quiet and sys.stdout.isatty()))


def _load(data, time_col, targets, id_col, covariates, freq, gaps, strict=False, part=None):
    from forecast.data import load_data

    return load_data(
        data,
        time_col=time_col,
        target=list(targets) or None,
        covariates=[c.strip() for c in covariates.split(",") if c.strip()] if covariates else None,
        id_col=id_col,
        freq=freq,
        gaps=gaps,
        strict=strict,
        part=part,
    )


def _with_model(fc, name: str):
    """An unfitted copy of ``fc`` with ``model=name``."""
    from sklearn.base import clone

    return clone(fc).set_params(model=name)


def _load_model(model_dir):
    """The Forecaster in ``model_dir``; TensorFlow is imported only if it holds a network."""
    from forecast.forecaster import Forecaster
    from forecast.models.neural import NETWORK

    # a look at the file name, not a second checked read of the manifest (which hashes
    # every file): Forecaster.load does that once
    if (Path(model_dir) / NETWORK).is_file():
        _import_tensorflow_quietly()
    return Forecaster.load(model_dir)


def _new_data(fc, data):
    """``--data NEW.csv`` (or ``.parquet``) read with the trained data contract."""
    if data is None:
        return None
    from forecast.prediction import new_data

    sd = new_data(fc, data)
    for line in sd.report:
        note(line)
    return sd
