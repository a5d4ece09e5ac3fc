"""The lessons' try-it panels: each exercise edited, checked, traced and hinted in the browser, offline.

A build hook (mkdocs.yml `hooks:`) and a command:

    python -m coursekit.tryit fetch     # fill the cache (also done by the first build)
    python -m coursekit.tryit info      # what the cache holds, and the size it adds to a site

What a panel runs is the course's own grader, in a Web Worker with Pyodide 0.27.7 (Python 3.12,
numpy 2.0.2): tryit/py/tryit_grade.py says how. Everything it needs is served by the site
itself, under `tryit/`: no request leaves it. At build time this module

1. fetches the Pyodide core from npm (`npm pack pyodide@0.27.7`, checked against the package's
   sha512), the numpy wheel from Pyodide's release or, where only the package registries are
   reachable, from the PyPI package that carries it, and pytest's pure-Python wheels from PyPI
   (`pip download`); every file is checked against its sha256 in tryit/assets.lock.json, and the
   numpy wheel against pyodide-lock.json's own;
2. bundles the editor (CodeMirror 6, Python mode) and the panels' script with esbuild, from the
   versions locked in tryit/package-lock.json (`npm ci`);
3. writes course.zip: the grader, what it needs of coursekit, the reference solutions (the
   pages show them already, at their end), the stubs as the generator writes them, and a sample
   of MNIST. (Compiling it and pytest to bytecode at build time, in Pyodide under node, saved
   about 0.5 s of a cold start's 3.5 s of Python CPU and cost 0.9 MB: not done.)

Downloads and bundles are cached in NNCOURSE_CACHE (default ~/.cache/nncourse), outside the
repository; nothing of it is committed. When any step fails (no network, no npm) the build
goes on without the panels and says why in one INFO line: the pages then read as they do
without JavaScript. `TRYIT=off` leaves them out on purpose; the instructors' build
(COURSE_SOLUTIONS=hidden) always does, since the checks need the reference solutions.
"""

from __future__ import annotations

import argparse
import ast
import base64
import hashlib
import html
import io
import json
import logging
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import urllib.request
import zipfile
from pathlib import Path

from coursekit import ROOT

log = logging.getLogger("mkdocs.hooks.tryit")

SOURCE = ROOT / "tryit"
LOCK = SOURCE / "assets.lock.json"
SITE_FOLDER = "tryit"  # in the built site
NPM_TIMEOUT = 300
RELEASE_SECONDS = 20


class Unavailable(Exception):
    """The panels cannot be built here; the message says why."""


def cache_root() -> Path:
    return Path(os.environ.get("NNCOURSE_CACHE") or Path.home() / ".cache" / "nncourse").expanduser() / "tryit"


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _verified(path: Path, expected: str) -> bool:
    return path.is_file() and sha256(path) == expected


def _run(command, cwd=None, timeout=NPM_TIMEOUT):
    try:
        done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    except FileNotFoundError:
        raise Unavailable(f"{command[0]} is not installed") from None
    except subprocess.TimeoutExpired:
        raise Unavailable(f"`{' '.join(map(str, command[:3]))}` did not finish in {timeout} s") from None
    if done.returncode != 0:
        lines = [line.strip() for line in (done.stderr.strip() or done.stdout.strip()).splitlines() if line.strip()]
        # npm's and pip's own one-line reasons ("npm error FetchError: ...", "ERROR: ..."), else the last lines
        said = [line for line in lines if re.search(r"FetchError|ERROR:|error: ", line)][:2] or lines[-3:]
        raise Unavailable(f"`{' '.join(map(str, command[:3]))} ...` failed: {' / '.join(said) or 'no message'}")
    return done.stdout


# --- the Python runtime ----------------------------------------------------------------------


def fetch_pyodide(lock, folder: Path) -> None:
    """pyodide.js, pyodide.asm.js, pyodide.asm.wasm, python_stdlib.zip, pyodide-lock.json into `folder`."""
    files = lock["pyodide"]["files"]
    if all(_verified(folder / name, digest) for name, digest in files.items()):
        return
    with tempfile.TemporaryDirectory(prefix="nncourse-pyodide-") as scratch:
        _run(["npm", "pack", lock["pyodide"]["package"], "--pack-destination", scratch, "--loglevel=error",
              "--fetch-retries=1", "--no-audit", "--no-fund"], cwd=scratch)
        tarballs = list(Path(scratch).glob("*.tgz"))
        if len(tarballs) != 1:
            raise Unavailable("npm pack gave no tarball")
        algorithm, _, expected = lock["pyodide"]["integrity"].partition("-")
        got = base64.b64encode(hashlib.new(algorithm, tarballs[0].read_bytes()).digest()).decode()
        if got != expected:
            raise Unavailable(f"{tarballs[0].name}: its {algorithm} is not the locked one")
        folder.mkdir(parents=True, exist_ok=True)
        with tarfile.open(tarballs[0]) as archive:
            for name, digest in files.items():
                member = archive.extractfile(f"package/{name}")
                if member is None:
                    raise Unavailable(f"{name} is missing from {lock['pyodide']['package']}")
                part = folder / f"{name}.part"
                part.write_bytes(member.read())
                if sha256(part) != digest:
                    part.unlink()
                    raise Unavailable(f"{name}: sha256 differs from tryit/assets.lock.json")
                part.replace(folder / name)


def fetch_numpy(lock, folder: Path) -> Path:
    """The numpy wheel of Pyodide 0.27.7, checked against pyodide-lock.json's sha256 too."""
    entry = lock["numpy"]
    listed = json.loads((folder / "pyodide-lock.json").read_text(encoding="utf-8"))["packages"]["numpy"]
    if listed["file_name"] != entry["file"] or listed["sha256"] != entry["sha256"]:
        raise Unavailable("tryit/assets.lock.json's numpy wheel is not the one pyodide-lock.json lists")
    target = folder / entry["file"]
    if _verified(target, entry["sha256"]):
        return target
    part = folder / f"{entry['file']}.part"
    try:  # Pyodide's own release, where the network reaches it
        with urllib.request.urlopen(entry["release"] + entry["file"], timeout=RELEASE_SECONDS) as response:
            part.write_bytes(response.read())
    except OSError:
        with tempfile.TemporaryDirectory(prefix="nncourse-numpy-") as scratch:
            _run([sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "--retries", "1",
                  "--timeout", "30", "--dest", scratch, entry["carrier"]])
            carriers = list(Path(scratch).glob("*.whl"))
            if len(carriers) != 1:
                raise Unavailable(f"pip download {entry['carrier']} gave no wheel") from None
            with zipfile.ZipFile(carriers[0]) as archive:
                try:
                    part.write_bytes(archive.read(entry["member"]))
                except KeyError:
                    raise Unavailable(f"{entry['carrier']} does not hold {entry['file']}") from None
    if sha256(part) != entry["sha256"]:
        part.unlink()
        raise Unavailable(f"{entry['file']}: sha256 differs from pyodide-lock.json's")
    part.replace(target)
    return target


def fetch_wheels(lock, folder: Path) -> list[Path]:
    """pytest and what it imports, pure-Python wheels from PyPI, checked against the lock."""
    wanted = lock["wheels"]
    folder.mkdir(parents=True, exist_ok=True)
    missing = [name for name, digest in wanted.items() if not _verified(folder / name, digest)]
    if missing:
        with tempfile.TemporaryDirectory(prefix="nncourse-wheels-") as scratch:
            requirements = ["{}=={}".format(*name.split("-")[:2]) for name in missing]
            _run([sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "--quiet",
                  "--python-version", "3.12", "--retries", "1", "--timeout", "30", "--dest", scratch,
                  *requirements])
            for name in missing:
                got = Path(scratch) / name
                if not _verified(got, wanted[name]):
                    raise Unavailable(f"{name}: missing from pip's download, or its sha256 is not the locked one")
                shutil.copyfile(got, folder / name)
    return [folder / name for name in wanted]


# pytest imports these of Pygments at start (for colour it does not use here): the other 4 MB of
# lexers and styles are left out of the site (`python -c "import pytest, sys; print(sys.modules)"`).
PYGMENTS_KEEP = ["__init__", "console", "filter", "filters/__init__", "formatter", "formatters/__init__",
                 "formatters/_mapping", "formatters/terminal", "lexer", "lexers/__init__", "lexers/_mapping",
                 "lexers/diff", "lexers/python", "modeline", "plugin", "regexopt", "styles/__init__",
                 "styles/_mapping", "token", "unistring", "util"]


def trimmed(wheel: Path) -> bytes:
    """A zip of the wheel's files that pytest imports, and its .dist-info (Pygments only)."""
    keep = {f"pygments/{name}.py" for name in PYGMENTS_KEEP}
    buffer = io.BytesIO()
    with zipfile.ZipFile(wheel) as source, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            if info.filename in keep or ".dist-info/" in info.filename:
                out.writestr(info.filename, source.read(info))
    return buffer.getvalue()


# --- the editor and the panels' script -------------------------------------------------------


def _digest_of(paths) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def bundle_script(cache: Path) -> Path:
    """tryit.js: tryit/js/page.js with CodeMirror, bundled by esbuild (`npm ci` from the lock)."""
    sources = sorted((SOURCE / "js").glob("*.js"))
    locks = [SOURCE / "package.json", SOURCE / "package-lock.json"]
    out = cache / f"bundle-{_digest_of(locks + sources)}" / "tryit.js"
    if out.is_file():
        return out
    work = cache / f"npm-{_digest_of(locks)}"
    if not (work / "node_modules" / ".bin" / "esbuild").exists():
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        for path in locks:
            shutil.copyfile(path, work / path.name)
        # --ignore-scripts: esbuild's postinstall only checks the binary its platform package holds.
        _run(["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error", "--fetch-retries=1"],
             cwd=work)
    source = work / "src"
    shutil.rmtree(source, ignore_errors=True)
    source.mkdir()
    for path in sources:
        shutil.copyfile(path, source / path.name)
    out.parent.mkdir(parents=True, exist_ok=True)
    _run([str(work / "node_modules" / ".bin" / "esbuild"), str(source / "page.js"), "--bundle", "--minify",
          "--format=iife", "--target=es2020", "--legal-comments=none", f"--outfile={out}.part"], cwd=work)
    Path(f"{out}.part").replace(out)
    return out


def prepare() -> dict:
    """Fetch, check and bundle what every build copies: {"pyodide": folder, "wheels": [...], "script": path}."""
    if shutil.which("npm") is None or shutil.which("node") is None:
        raise Unavailable("node and npm are needed to fetch Pyodide and bundle the editor")
    lock = json.loads(LOCK.read_text(encoding="utf-8"))
    cache = cache_root()
    pyodide = cache / lock["pyodide"]["package"].replace("@", "-")
    fetch_pyodide(lock, pyodide)
    fetch_numpy(lock, pyodide)
    wheels = fetch_wheels(lock, cache / "wheels")
    return {"pyodide": pyodide, "numpy": lock["numpy"]["file"], "files": list(lock["pyodide"]["files"]),
            "wheels": wheels, "script": bundle_script(cache)}


# --- what the worker grades with ---------------------------------------------------------------


def _entry(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))  # the same bytes for the same files
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


# What a check, a trace and a hint import of coursekit (no figures, runs, notebooks or site hooks),
# and the grader's tools for classes and hand-ins, which they never import (grader.gradescope they
# do: the plugin writes the results, records and all, with it).
COURSEKIT = ["__init__", "course", "gradcheck", "hints", "mnist", "solutions", "stubs"]
GRADER_TOOLS = {"classroom", "classroom50", "reset", "submit", "watch"}  # gradescope writes results.json


def course_sources() -> bytes:
    """The grader, coursekit, solutions, the stubs and tryit_grade.py, as a zip (the same files, the same bytes)."""
    from coursekit import course
    from coursekit.exercise_source import stub_file

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for folder, patterns in (("grader", ("*.py", "hints/*.toml", "diagnoses/*.py")),
                                 ("coursekit", [f"{name}.py" for name in COURSEKIT] + ["worked/*.py"]),
                                 ("solutions", ("*.py",))):
            for pattern in patterns:
                for path in sorted((ROOT / folder).glob(pattern)):
                    if folder == "grader" and path.stem in GRADER_TOOLS:
                        continue
                    archive.writestr(_entry(path.relative_to(ROOT).as_posix()), path.read_bytes())
        archive.writestr(_entry("tryit/py/tryit_grade.py"), (SOURCE / "py" / "tryit_grade.py").read_bytes())
        archive.writestr(_entry("course.toml"), (ROOT / "course.toml").read_bytes())
        for module in course.MODULES:
            archive.writestr(_entry(f"stubs/{module}.py"), stub_file(module))
    return buffer.getvalue()


def course_data(site_url: str) -> dict[str, bytes]:
    """What the checks read besides code: the MNIST sample, pytest's configuration, the site's address."""
    import numpy as np

    from coursekit.mnist import MNISTError, load_mnist

    try:
        data = load_mnist()
    except MNISTError as error:
        raise Unavailable(f"no MNIST for the checks' sample: {error}") from None
    # The `digits` fixture's 64 test digits (grader/conftest.py), and grader/test_data.py's 500.
    index = np.random.default_rng(2024).choice(len(data.test_labels), size=64, replace=False)
    sample = io.BytesIO()
    np.savez_compressed(sample, train_images=data.train_images[:500], train_labels=data.train_labels[:500],
                        test_index=index, test_images=data.test_images[index], test_labels=data.test_labels[index])
    return {"mnist_sample.npz": sample.getvalue(), "pyproject.toml": (ROOT / "pyproject.toml").read_bytes(),
            # coursekit.course.site_url() reads it: the reread links are those of this build's site.
            "mkdocs.yml": f"site_url: {json.dumps(site_url)}\n".encode()}


def course_zip(site_url: str) -> bytes:
    """What the worker unpacks into /course: the course's sources and its data."""
    buffer = io.BytesIO(course_sources())
    with zipfile.ZipFile(buffer, "a") as archive:
        for name, data in course_data(site_url).items():
            archive.writestr(_entry(name), data)
    return buffer.getvalue()


# --- the hook -----------------------------------------------------------------------------------

STATE: dict = {}
BLOCK = re.compile(r'<div class="highlight"><span class="filename">exercises/(\w+)\.py</span>.*?</pre></div>', re.S)


def on_config(config):
    STATE.clear()
    from coursekit.mkdocs_hooks import HIDDEN, solutions_mode

    if os.environ.get("TRYIT", "").strip().lower() in ("0", "off", "no", "false"):
        log.info("try-it panels left out: TRYIT=%s", os.environ["TRYIT"])
        return config
    if solutions_mode() == HIDDEN:
        log.info("try-it panels left out: the instructors' build (their checks need the reference solutions)")
        return config
    try:
        STATE.update(prepare())
        STATE["zip"] = course_zip(config.site_url or "")
    except Unavailable as error:
        STATE.clear()
        log.info("try-it panels left out (the pages read as without JavaScript): %s", error)
    return config


def _qualnames(code: str) -> list[str]:
    names = []
    for node in ast.parse(code).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            names.append(node.name)
        elif isinstance(node, ast.ClassDef):
            names += [f"{node.name}.{child.name}" for child in node.body
                      if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef))]
    return names


def panels(page_html: str) -> str:
    """`page_html` with an (empty, hidden) try-it panel after each exercise block; the page's script fills it."""
    def add(match):
        code = html.unescape(re.sub(r"<[^>]+>", "", match.group(0).split("<pre>", 1)[1]))
        try:
            names = _qualnames(code)
        except SyntaxError:
            return match.group(0)
        if not names:
            return match.group(0)
        return (match.group(0) + f'\n<div class="tryit" data-module="{match.group(1)}" '
                f'data-functions="{html.escape(" ".join(names))}" '
                f'data-stub="{html.escape(code.rstrip())}" hidden></div>')
    return BLOCK.sub(add, page_html)


def on_page_content(page_html, page, config, files):
    if not STATE:
        return page_html
    return panels(page_html)


def on_post_page(output, page, config):
    if not STATE or 'class="tryit"' not in output:
        return output
    up = "../" * page.url.count("/") if page.url else ""
    tags = (f'<link rel="stylesheet" href="{up}{SITE_FOLDER}/tryit.css">\n'
            f'<script src="{up}{SITE_FOLDER}/tryit.js" defer></script>\n')
    return output.replace("</head>", tags + "</head>", 1)


def on_post_build(config):
    if not STATE:
        return
    site = Path(config.site_dir) / SITE_FOLDER
    shutil.rmtree(site, ignore_errors=True)
    (site / "pyodide").mkdir(parents=True)
    for name in [*STATE["files"], STATE["numpy"]]:
        shutil.copyfile(STATE["pyodide"] / name, site / "pyodide" / name)
    (site / "wheels").mkdir()
    listed = []
    for path in STATE["wheels"]:
        if path.name.startswith("pygments-"):
            name = path.name.replace("-py3-none-any.whl", "-trimmed.zip")
            (site / "wheels" / name).write_bytes(trimmed(path))
            listed.append({"name": name, "format": "zip"})
        else:
            shutil.copyfile(path, site / "wheels" / path.name)
            listed.append({"name": path.name, "format": "wheel"})
    (site / "wheels.json").write_text(json.dumps(listed), encoding="utf-8")
    shutil.copyfile(STATE["script"], site / "tryit.js")
    shutil.copyfile(SOURCE / "js" / "worker.js", site / "worker.js")
    shutil.copyfile(SOURCE / "tryit.css", site / "tryit.css")
    (site / "course.zip").write_bytes(STATE["zip"])
    size = sum(path.stat().st_size for path in site.rglob("*") if path.is_file())
    log.info("try-it panels: %s (%.1f MB)", site, size / 1e6)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m coursekit.tryit", description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["fetch", "info"])
    parser.parse_args(argv)  # fetch and info alike: fill the cache if need be, then describe it
    try:
        found = prepare()
    except Unavailable as error:
        print(f"try-it panels unavailable: {error}")
        return 1
    paths = [found["pyodide"] / name for name in [*found["files"], found["numpy"]]] + found["wheels"]
    paths.append(found["script"])
    for path in paths:
        print(f"{path.stat().st_size / 1e6:8.2f} MB  {path}")
    print(f"{sum(path.stat().st_size for path in paths) / 1e6:8.2f} MB  in all (before course.zip), cached in "
          f"{cache_root()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
