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
from collections.abc import Callable
from pathlib import Path

from forecast import __version__
from forecast.errors import ModelDirError

SCHEMA_VERSION = 3  # 2: the model's own state under "model" (forecast 0.2); 3: panels (per-series scalers, interval quantile grids)
MANIFEST = "forecast.json"
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


def save(path, config: dict, write_files: Callable[[Path], list[str]]) -> None:
    """Writes a model directory at ``path``, atomically replacing a previous model.

    Args:
        path: the directory.
        config: the estimator's JSON-ready state (``Forecaster.get_config``).
        write_files: writes the estimator's other files into the directory it is given
            and returns their names.

    Raises:
        ModelDirError: ``path`` exists but is not a model directory (nothing is touched).
    """
    path = Path(path).absolute()
    if path.exists() and not (path / MANIFEST).is_file() and any(path.iterdir()):
        raise ModelDirError(
            f"'{path}' exists and is not a forecast model directory; choose another model_dir="
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.tmp-", dir=path.parent))
    try:
        names = write_files(tmp)
        files = {name: _sha256(tmp / name) for name in names}
        manifest = {"schema_version": SCHEMA_VERSION, "versions": _versions(), **config}
        manifest["files"] = files
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2, allow_nan=False))
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
        ModelDirError: missing directory or manifest, corrupt JSON, a schema other than
            this version's, or a file whose checksum differs.
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
    if schema < SCHEMA_VERSION:
        raise ModelDirError(
            f"model directory '{path}' was written by an older forecast (schema {schema}, this "
            f"version reads {SCHEMA_VERSION}); refit the model"
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


def read(path) -> tuple[dict, dict[str, Path]]:
    """The checked manifest of ``path`` and ``{file name: path}`` of its other files."""
    manifest = read_manifest(path)
    return manifest, {name: Path(path) / name for name in manifest["files"]}


def load_keras(file: Path):
    """Loads a ``.keras`` archive safely: foreign classes refused, Keras' ``safe_mode`` on."""
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


def _versions() -> dict:
    return {
        "forecast": __version__,
        "python": platform.python_version(),
        **{pkg: _version(pkg) for pkg in ("tensorflow", "keras", "pandas", "numpy")},
    }


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
