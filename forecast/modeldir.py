"""The model directory: what ``forecast fit`` writes and ``forecast predict`` reads.

Layout::

    forecast-model/
        forecast.json   the manifest: schema version, versions, columns, frequency, lookback,
                        horizon, scaler, seed, data hash and range, validation metrics,
                        interval calibration, and the SHA-256 of every other file
        model.keras     the Keras network (native format; absent for the baselines)
        history.csv     the end of the training history, which predict() starts from

Saving is atomic: everything is written and fsync'ed in a temporary sibling directory,
which then takes the place of the old one in one ``renameat2(RENAME_EXCHANGE)`` system
call (on Linux; elsewhere two renames). A fit killed at any moment, even by ``kill -9``,
leaves the previous model directory complete and working.

Loading trusts nothing: the manifest's schema, every file's checksum and the class of
every layer in ``model.keras`` are checked before Keras deserializes anything, and Keras
loads with ``safe_mode=True``, so no code from the directory runs.
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import importlib.metadata
import json
import os
import platform
import shutil
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from forecast import __version__
from forecast.errors import ModelDirError

SCHEMA_VERSION = 1
MANIFEST = "forecast.json"
NETWORK = "model.keras"
HISTORY = "history.csv"
# Values, not classes, in a Keras config (keras/src/saving/serialization_lib.py).
# "__lambda__" is deliberately absent: it carries code.
_VALUE_MARKERS = {
    "__bytes__",
    "__ellipsis__",
    "__keras_tensor__",
    "__numpy__",
    "__slice__",
    "__tensor__",
    "__typespec__",
}


def save(fc, path) -> None:
    """Writes ``fc`` to the directory ``path``, atomically replacing a previous model.

    Raises:
        ModelDirError: ``path`` exists but is not a model directory (nothing is touched).
    """
    path = Path(path).absolute()
    if path.exists() and not (path / MANIFEST).is_file() and any(path.iterdir()):
        raise ModelDirError(
            f"'{path}' exists and is not a forecast model directory; choose another --model-dir"
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.tmp-", dir=path.parent))
    try:
        files = {}
        if fc.network_ is not None:
            fc.network_.save(tmp / NETWORK)
            files[NETWORK] = _sha256(tmp / NETWORK)
        _history_frame(fc).to_csv(tmp / HISTORY)
        files[HISTORY] = _sha256(tmp / HISTORY)
        (tmp / MANIFEST).write_text(json.dumps(_manifest(fc, files), indent=2, allow_nan=False))
        for name in [*files, MANIFEST]:
            _fsync(tmp / name)
        _fsync(tmp)
        if path.exists():
            _replace_dir(tmp, path)  # tmp now holds the old model
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            os.rename(tmp, path)
        _fsync(path.parent)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def read_manifest(path) -> dict:
    """The checked manifest of the model directory ``path``.

    Raises:
        ModelDirError: missing directory or manifest, corrupt JSON, newer schema, or a
            file whose checksum differs.
    """
    path = Path(path)
    if not path.is_dir():
        raise ModelDirError(
            f"model directory '{path}' does not exist; train one with "
            f"'forecast fit DATA.csv --model-dir {path}'"
        )
    if not (path / MANIFEST).is_file():
        raise ModelDirError(f"model directory '{path}' is incomplete: {MANIFEST} is missing; refit")
    try:
        manifest = json.loads((path / MANIFEST).read_text())
        schema = manifest["schema_version"]
        files = manifest["files"]
    except (ValueError, KeyError, TypeError) as exc:
        raise ModelDirError(f"{path / MANIFEST} is corrupt ({exc}); refit the model") from None
    if not isinstance(schema, int) or schema > SCHEMA_VERSION:
        raise ModelDirError(
            f"model directory '{path}' was written by a newer forecast (schema {schema}, this "
            f"version reads up to {SCHEMA_VERSION}); upgrade forecast or refit"
        )
    for name, digest in files.items():
        if not (path / name).is_file():
            raise ModelDirError(f"model directory '{path}' is incomplete: {name} is missing; refit")
        if _sha256(path / name) != digest:
            raise ModelDirError(
                f"model directory '{path}' was modified: {name} does not match the checksum "
                f"in {MANIFEST}; refit the model"
            )
    return manifest


def load(path):
    """Loads a :class:`~forecast.Forecaster` from ``path`` after checking everything."""
    from forecast.data import SeriesData
    from forecast.forecaster import Forecaster

    path = Path(path)
    m = read_manifest(path)
    try:
        fc = Forecaster(**m["params"])
        data = m["data"]
        frames = _read_history(path / HISTORY, data)
        fc.data_ = SeriesData(
            frames=frames,
            time_col=data["time_col"],
            id_col=data["id_col"],
            targets=data["targets"],
            covariates=data["covariates"],
            freq=data["freq"],
            source=data["source"],
            report=[],
        )
        fc.history_ = frames
        fc.freq_, fc.targets_, fc.covariates_ = data["freq"], data["targets"], data["covariates"]
        fc.lookback_, fc.horizon_ = m["lookback"], m["horizon"]
        fc.season_length_, fc.calendar_ = m["season_length"], m["calendar"]
        fc.metrics_, fc.training_ = m["validation"], m["training"]
        fc.interval_ = {k: v for k, v in m["interval"].items() if k != "abs_residuals"}
        fc.abs_residuals_ = np.asarray(m["interval"]["abs_residuals"], dtype=float)
        fc.scaler_ = _scaler(m["scaler"])
        fc.transform_ = m["transform"]
    except (KeyError, TypeError, ValueError) as exc:
        raise ModelDirError(f"{path / MANIFEST} is incomplete or corrupt ({exc}); refit") from None
    fc.network_ = _load_network(path / NETWORK) if NETWORK in m["files"] else None
    return fc


def _load_network(file: Path):
    foreign = _foreign_classes(file)
    if foreign:
        raise ModelDirError(
            f"{file} holds layers from outside Keras and forecast ({', '.join(sorted(foreign))}); "
            "refusing to load it"
        )
    import keras

    import forecast.networks  # noqa: F401  (registers the forecast layers)

    try:
        return keras.saving.load_model(file, compile=False, safe_mode=True)
    except Exception as exc:  # Keras raises many types for a corrupt archive
        raise ModelDirError(
            f"{file} cannot be loaded ({type(exc).__name__}: {exc}); refit"
        ) from None


def _foreign_classes(file: Path) -> set[str]:
    """Classes in a ``.keras`` archive's config that are neither Keras' nor ours."""
    try:
        with zipfile.ZipFile(file) as archive:
            config = json.loads(archive.read("config.json"))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ModelDirError(f"{file} is not a valid .keras archive ({exc}); refit") from None
    foreign = set()

    def walk(node):
        if isinstance(node, dict):
            if "class_name" in node and node["class_name"] not in _VALUE_MARKERS:
                module = str(node.get("module") or "")
                registered = str(node.get("registered_name") or "")
                if not (module.startswith("keras") or registered.startswith("forecast>")):
                    foreign.add(registered or f"{module}.{node['class_name']}")
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(config)
    return foreign


def _manifest(fc, files: dict) -> dict:
    sd = fc.data_
    return {
        "schema_version": SCHEMA_VERSION,
        "versions": {
            "forecast": __version__,
            "python": platform.python_version(),
            **{pkg: _version(pkg) for pkg in ("tensorflow", "keras", "pandas", "numpy")},
        },
        "params": fc.get_params(),
        "data": {
            "source": sd.source,
            "time_col": sd.time_col,
            "id_col": sd.id_col,
            "targets": fc.targets_,
            "covariates": fc.covariates_,
            "freq": fc.freq_,
            "tz": None if (tz := _first(sd.frames).index.tz) is None else str(tz),
            "sha256": data_hash(sd),
            "series": {
                str(key): {"rows": len(f), "start": str(f.index[0]), "end": str(f.index[-1])}
                for key, f in sd.frames.items()
            },
        },
        "lookback": fc.lookback_,
        "horizon": fc.horizon_,
        "season_length": fc.season_length_,
        "calendar": fc.calendar_,
        "seed": fc.seed,
        "transform": fc.transform_,
        "scaler": None
        if fc.scaler_ is None
        else {
            "kind": "StandardScaler",
            "columns": fc.targets_ + fc.covariates_,
            "mean": fc.scaler_.mean_.tolist(),
            "scale": fc.scaler_.scale_.tolist(),
        },
        "training": fc.training_,
        "validation": _finite(fc.metrics_),
        "interval": {**_finite(fc.interval_), "abs_residuals": fc.abs_residuals_.tolist()},
        "files": files,
    }


def data_hash(sd) -> str:
    """SHA-256 of the validated training data (index and values of every series)."""
    digest = hashlib.sha256()
    for key, frame in sd.frames.items():
        digest.update(str(key).encode())
        digest.update(pd.util.hash_pandas_object(frame, index=True).to_numpy().tobytes())
    return digest.hexdigest()


def _history_frame(fc) -> pd.DataFrame:
    frames = fc.history_
    if fc.data_.id_col is None:
        return frames[None]
    return pd.concat(
        [
            f.assign(**{fc.data_.id_col: key}).set_index(fc.data_.id_col, append=True)
            for key, f in frames.items()
        ]
    ).reorder_levels([1, 0])


def _read_history(file: Path, data: dict) -> dict:
    frame = pd.read_csv(file)
    time = pd.to_datetime(frame[data["time_col"]], utc=data["tz"] is not None)
    if data["tz"] is not None:
        time = time.dt.tz_convert(data["tz"])
    frame[data["time_col"]] = time
    columns = data["targets"] + data["covariates"]
    groups = (
        [(None, frame)] if data["id_col"] is None else frame.groupby(data["id_col"], sort=False)
    )
    frames = {}
    for key, group in groups:
        f = group.set_index(data["time_col"])[columns].astype("float64")
        f.index = pd.DatetimeIndex(f.index, freq=data["freq"], name=data["time_col"])
        frames[None if key is None else str(key)] = f
    return frames


def _scaler(spec):
    if spec is None:
        return None
    from sklearn.preprocessing import StandardScaler

    scaler = StandardScaler()
    scaler.mean_ = np.asarray(spec["mean"], dtype=float)
    scaler.scale_ = np.asarray(spec["scale"], dtype=float)
    scaler.var_ = scaler.scale_**2
    scaler.n_features_in_ = len(scaler.mean_)
    return scaler


def _replace_dir(new: Path, old: Path) -> None:
    """Puts ``new`` in the place of ``old`` and ``old`` in the place of ``new``."""
    with contextlib.suppress(AttributeError, OSError):
        libc = ctypes.CDLL(None, use_errno=True)
        at_fdcwd, rename_exchange = -100, 2
        if (
            libc.renameat2(at_fdcwd, os.fsencode(new), at_fdcwd, os.fsencode(old), rename_exchange)
            == 0
        ):
            return
    backup = new.with_name(new.name + ".old")
    os.rename(old, backup)
    os.rename(new, old)
    os.rename(backup, new)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _sha256(file: Path) -> str:
    return hashlib.sha256(file.read_bytes()).hexdigest()


def _version(package: str) -> str | None:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return None


def _first(frames: dict) -> pd.DataFrame:
    return next(iter(frames.values()))


def _finite(d: dict) -> dict:
    """JSON has no NaN: NaN and infinities become null."""
    return {k: None if isinstance(v, float) and not np.isfinite(v) else v for k, v in d.items()}
