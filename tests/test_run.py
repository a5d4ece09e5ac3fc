"""python -m coursekit.run: trains a folder's own Network and writes its figures, or says why not."""

import io
import shutil

import pytest
from grading import EXERCISES

from coursekit import ROOT, run


def quick(tmp_path, target, *extra):
    """Run `training` on `target` with a tiny subset and one epoch; returns the exit status."""
    return run.main(["training", "--target", str(target), "--epochs", "2", "--subset", "300",
                     "--out", str(tmp_path / "out"), *extra])


def test_training_the_reference_writes_both_figures_and_reports_once_on_test(tmp_path, capsys):
    assert quick(tmp_path, ROOT / "solutions") == 0
    out, err = capsys.readouterr()
    assert "epoch 1/2:" in err and "epoch 2/2:" in err and "validation" in err
    assert "test accuracy of the network after epoch" in out
    for name in ("learning_curves.png", "confusion_matrix.png"):
        path = tmp_path / "out" / name
        assert f"wrote {path}" in out
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    accuracy = float(out.split("test accuracy of the network after epoch")[1].split(":")[1].split("%")[0])
    assert 20 < accuracy <= 100  # 300 images and 2 epochs already do far better than chance (10 %)


def test_stubs_are_named_and_nothing_is_trained(tmp_path, capsys):
    assert quick(tmp_path, EXERCISES) == 1
    err = capsys.readouterr().err
    assert "not written yet" in err and "Network.forward" in err and "pytest grader --module network" in err
    assert not (tmp_path / "out").exists()


def test_an_error_in_the_students_train_names_its_line(tmp_path, capsys):
    folder = tmp_path / "student"
    folder.mkdir()
    shutil.copy(ROOT / "solutions" / "network.py", folder)
    source = (ROOT / "solutions" / "training.py").read_text(encoding="utf-8")
    old = "            network.backprop(t)\n"
    assert source.count(old) == 1
    (folder / "training.py").write_text(source.replace(old, old + "            raise ValueError('oops')\n"))
    assert quick(tmp_path, folder) == 1
    err = capsys.readouterr().err
    assert "training.py:" in err and "ValueError: oops" in err


def test_a_missing_module_is_reported(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    assert quick(tmp_path, tmp_path / "empty") == 1
    assert "network.py does not exist" in capsys.readouterr().err


def test_bad_numbers_are_refused(tmp_path, capsys):
    assert quick(tmp_path, ROOT / "solutions", "--batch-size", "0") == 1
    assert "--batch-size must be at least 1" in capsys.readouterr().err


def test_progress_is_one_line_per_epoch_off_a_terminal():
    stream = io.StringIO()
    progress = run.Progress(epochs=2, examples=100, stream=stream)
    progress.advance(60)
    progress.advance(40)
    progress.end_epoch("loss 1")
    assert stream.getvalue().startswith("epoch 1/2: loss 1 (") and stream.getvalue().count("\n") == 1
    assert "\r" not in stream.getvalue()


def test_progress_redraws_a_bar_on_a_terminal():
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    stream = Terminal()
    progress = run.Progress(epochs=1, examples=10, stream=stream)
    progress.advance(5)
    assert "\repoch 1/1 [" + "#" * 15 + "-" * 15 + "] 5/10 examples" in stream.getvalue()


def test_counting_passes_everything_through():
    class Net:
        loss = None

        def forward(self, features, targets):
            self.loss = len(features)

    stream = io.StringIO()
    progress = run.Progress(epochs=1, examples=10, stream=stream)
    net = Net()
    counted = run.Counting(net, progress)
    counted.forward([[1.0], [2.0], [3.0]], None)
    counted.extra = 7  # a member set by train() lands on the network
    assert progress.done == 3 and counted.loss == 3 and net.extra == 7


def test_the_registry_has_a_runner_per_command():
    assert set(run.RUNNERS) >= {"training"}
    for runner in run.RUNNERS.values():
        assert callable(runner.run) and callable(runner.add_arguments) and runner.help
    with pytest.raises(SystemExit):
        run.main(["no-such-command"])


def test_blas_is_pinned_to_one_thread_before_numpy_is_imported():
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")}
    done = subprocess.run([sys.executable, "-c", "import coursekit.run, os, sys; "
                           "print(os.environ['OPENBLAS_NUM_THREADS'], os.environ['OMP_NUM_THREADS'])"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert done.stdout.split() == ["1", "1"], done.stderr


def test_lesson_7s_run_shows_progress_inside_each_epoch_on_a_terminal(tmp_path, monkeypatch):
    import numpy as np

    from coursekit import runs_further

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    rng = np.random.default_rng(0)
    labels = rng.integers(0, 10, size=600)
    features, targets = rng.random((600, 784), dtype=np.float32), np.eye(10, dtype=np.float32)[labels]
    monkeypatch.setattr(runs_further, "mnist_split", lambda: (features[:400], targets[:400], features[400:500],
                                                              labels[400:500], features[500:], labels[500:]))
    stream = Terminal()
    monkeypatch.setattr("sys.stderr", stream)
    assert run.main(["further", "--target", str(ROOT / "solutions"), "--epochs", "2", "--out", str(tmp_path)]) == 0
    shown = stream.getvalue()
    assert "\repoch 1/2 [" in shown and "/400 examples" in shown  # the bar, inside the first epoch
    assert "\repoch 2/2 [" in shown and "epoch 2/2: mean loss" in shown
