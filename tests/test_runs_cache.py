"""The training runs lessons 6 and 7 quote (coursekit/runs.py) are committed for the committed code,
so that a fresh clone, CI and a first `make serve` read them instead of training for minutes."""

import numpy as np

from coursekit import ROOT, runs

REFRESH = "python -m coursekit.runs --commit"


def test_the_committed_results_are_for_the_current_code():
    for name in runs.RUNS:
        committed = runs.path(name, runs.COMMITTED)
        assert committed.exists(), (
            f"{runs.COMMITTED.relative_to(ROOT)}/ has no {name} result for the current code (key {runs.key()}): "
            f"the code that trains it changed. Run `{REFRESH}` (it trains, or copies a result of .cache/runs/) "
            f"and commit {runs.COMMITTED.relative_to(ROOT)}/")
        stale = sorted(p.name for p in runs.COMMITTED.glob(f"{name}-*.npz") if p != committed)
        assert not stale, f"results of older code: {stale}; `{REFRESH}` removes them"


def test_the_committed_result_is_the_one_read():
    for name in runs.RUNS:
        assert runs.find(name) == runs.path(name, runs.COMMITTED)


def test_the_cache_section_is_not_in_the_key_and_the_rest_is(tmp_path, monkeypatch):
    source = (ROOT / "coursekit" / "runs.py").read_text(encoding="utf-8")
    assert source.count(runs.CACHE_SECTION) == 1 and source.index(runs.CACHE_SECTION) > source.index("RUNS = {")
    before = runs.key()
    copy = tmp_path / "coursekit"
    copy.mkdir()
    for name in runs.SOURCES:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes((ROOT / name).read_bytes())
    monkeypatch.setattr(runs, "ROOT", tmp_path)
    assert runs.key() == before
    (copy / "runs.py").write_text(source + "\n# a change to the cache section\n", encoding="utf-8")
    assert runs.key() == before
    (copy / "runs.py").write_text(source.replace("LEARNING_RATES = (", "LEARNING_RATES = (0.1, ", 1), encoding="utf-8")
    assert runs.key() != before


def test_a_missing_result_is_trained_with_a_progress_line(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(runs, "COMMITTED", tmp_path / "committed")
    monkeypatch.setattr(runs, "CACHE", tmp_path / "cache")
    started = []

    def train(command, **kwargs):  # stands in for the training subprocess
        started.append(command)
        runs.CACHE.mkdir()
        np.savez_compressed(runs.path("nielsen"), test_accuracy=np.array(0.95))

    monkeypatch.setattr(runs.subprocess, "run", train)
    assert float(runs.load("nielsen")["test_accuracy"]) == 0.95
    assert started and started[0][-2:] == ["coursekit.runs", "nielsen"]
    assert "training it now" in capsys.readouterr().err
    started.clear()
    runs.load("nielsen")  # now cached: no training
    assert not started


def test_an_unknown_run_is_named_and_nothing_is_deleted(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(runs, "CACHE", tmp_path)
    (tmp_path / "bogus-0123.npz").write_bytes(b"kept")
    assert runs.main(["bogus"]) == 2
    assert "bogus: no such run; the runs are nielsen, further" in capsys.readouterr().err
    assert (tmp_path / "bogus-0123.npz").read_bytes() == b"kept"
    assert runs.main(["--help"]) == 0 and "usage: python -m coursekit.runs" in capsys.readouterr().out
