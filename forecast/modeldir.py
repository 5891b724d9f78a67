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
import errno
import glob
import hashlib
import importlib.metadata
import json
import os
import platform
import re
import shutil
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

from forecast import __version__, schema
from forecast.errors import ModelDirError

SCHEMA_VERSION = 3  # 2: the model's own state under "model", the manifest's own checksum;
# 3: panels (per-series scalers, interval quantile grids)
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
    if path.is_symlink():  # write where the link points; the link stays a link
        path = path.resolve()
    if path.exists() and not (path / MANIFEST).is_file() and any(path.iterdir()):
        raise ModelDirError(
            f"'{path}' exists and is not a forecast model directory; choose another model_dir="
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale(path)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.tmp-{os.getpid()}-", dir=path.parent))
    try:
        names = write_files(tmp)
        files = {name: _sha256(tmp / name) for name in names}
        manifest = {"schema_version": SCHEMA_VERSION, "versions": _versions(), **config}
        manifest["files"] = files
        manifest["checksum"] = _manifest_checksum(manifest)
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2, allow_nan=False))
        for name in [*files, MANIFEST]:
            _fsync(tmp / name)
        _fsync(tmp)
        _put_in_place(tmp, path)
        _fsync(path.parent)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _put_in_place(tmp: Path, path: Path) -> None:
    """Moves the finished ``tmp`` to ``path``; an existing model there ends up in ``tmp``."""
    try:
        if not path.exists():
            os.rename(tmp, path)
            return
    except OSError as exc:
        # another fit created the directory since we looked: take its place like any old model
        if exc.errno not in (errno.ENOTEMPTY, errno.EEXIST) or not (path / MANIFEST).is_file():
            raise
    _replace_dir(tmp, path)


def _remove_stale(path: Path) -> None:
    """Removes temporary directories left beside ``path`` by fits that no longer run."""
    for stale in path.parent.glob(f".{glob.escape(path.name)}.tmp-*"):
        pid = stale.name[len(path.name) + 6 :].split("-", 1)[0]
        if not pid.isdigit() or not _running(int(pid)):
            shutil.rmtree(stale, ignore_errors=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


MAX_MANIFEST_BYTES = 64 * 2**20
MAX_FILE_BYTES = 8 * 2**30
MAX_DEPTH = 32
_FILE_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}")  # a plain name: no path, no dot file
_HEX64 = re.compile(r"[0-9a-f]{64}")


def read_manifest(path) -> dict:
    """The checked manifest of the model directory ``path``.

    Everything a directory from elsewhere could use to harm the reader is checked before
    anything else is read: the manifest is a regular file (not a link) of bounded size and
    nesting, its own checksum matches (so a hand edit or a partial copy is refused), every
    file it lists is a plain name inside the directory, a regular file of bounded size,
    whose SHA-256 (read in chunks) matches.

    Raises:
        ModelDirError: missing directory or manifest, corrupt or oversized JSON, a schema
            other than this version's, a listed file that is missing, outside the
            directory or modified.
    """
    path = Path(path)
    if not path.is_dir():
        raise ModelDirError(
            f"model directory '{path}' does not exist; train one with "
            f"'forecast fit DATA.csv --model-dir {path}'"
        )
    file = path / MANIFEST
    if not file.is_file() or file.is_symlink():
        raise ModelDirError(f"model directory '{path}' is incomplete: {MANIFEST} is missing; refit")
    if file.stat().st_size > MAX_MANIFEST_BYTES:
        raise ModelDirError(f"{file} is larger than {MAX_MANIFEST_BYTES >> 20} MB; refit the model")
    try:
        manifest = json.loads(file.read_bytes().decode("utf-8"), parse_constant=_no_constant)
        if schema.depth(manifest, MAX_DEPTH) > MAX_DEPTH:
            raise ValueError(f"nested deeper than {MAX_DEPTH} levels")
        version = manifest["schema_version"]
        files = manifest["files"]
        stamp = manifest["checksum"]
    except (ValueError, KeyError, TypeError, RecursionError) as exc:
        reason = str(exc)[:80] if not isinstance(exc, KeyError) else f"no key {exc}"
        raise ModelDirError(f"{file} is corrupt ({reason}); refit the model") from None
    if not isinstance(version, int) or isinstance(version, bool) or version > SCHEMA_VERSION:
        raise ModelDirError(
            f"model directory '{path}' was written by a newer forecast (schema "
            f"{str(version)[:20]}, this version reads up to {SCHEMA_VERSION}); upgrade forecast "
            "or refit"
        )
    if version < SCHEMA_VERSION:
        raise ModelDirError(
            f"model directory '{path}' was written by an older forecast (schema {version}, this "
            f"version reads {SCHEMA_VERSION}); refit the model"
        )
    if stamp != _manifest_checksum(manifest):
        raise ModelDirError(
            f"model directory '{path}' was modified: {MANIFEST} does not match its own "
            "checksum; refit the model"
        )
    if not isinstance(files, dict):
        raise ModelDirError(f"{file} is corrupt ('files' is not an object); refit the model")
    for name, digest in files.items():
        if not _FILE_NAME.fullmatch(name) or name == MANIFEST:
            raise ModelDirError(
                f"{file} lists {name[:60]!r}, which is not a file name inside the directory; "
                "refusing to load it"
            )
        member = path / name
        if not member.is_file() or member.is_symlink():
            raise ModelDirError(f"model directory '{path}' is incomplete: {name} is missing; refit")
        if member.stat().st_size > MAX_FILE_BYTES:
            raise ModelDirError(f"{member} is larger than {MAX_FILE_BYTES >> 30} GB; refit")
        if not isinstance(digest, str) or not _HEX64.fullmatch(digest) or _sha256(member) != digest:
            raise ModelDirError(
                f"model directory '{path}' was modified: {name} does not match the checksum "
                f"in {MANIFEST}; refit the model"
            )
    return manifest


def _no_constant(name: str):
    raise ValueError(f"{name} is not a JSON number")


def _manifest_checksum(manifest: dict) -> str:
    """SHA-256 of the manifest without its ``checksum`` key, in canonical JSON."""
    body = {k: v for k, v in manifest.items() if k != "checksum"}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), allow_nan=False)
    return hashlib.sha256(text.encode()).hexdigest()


def identity(path) -> tuple[int, int] | None:
    """``(device, inode)`` of the directory at ``path`` (None if absent): a save changes it."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino


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
    with open(file, "rb") as stream:  # in chunks: a big file costs no memory
        return hashlib.file_digest(stream, "sha256").hexdigest()


def _version(package: str) -> str | None:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return None
