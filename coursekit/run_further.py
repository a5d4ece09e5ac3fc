"""`python -m coursekit.run further`: the student's own further.py trained on MNIST, lesson 7's recipe.

    run_further_student("exercises")     # -> {"validation": [...], "epoch": 9, "test": 0.981, ...}

Trains the student's Classifier((784, 100, 10)) with their Momentum, fit and cosine_schedule
exactly as the last row of lesson 7's table trains the reference (coursekit/further.py: the
same split, settings and epochs), prints a line per epoch, keeps the parameters of the epoch
with the best validation accuracy, reads the test set once with them, and writes the learning
curves and the confusion matrix as PNG files. Registered in coursekit/run.py's RUNNERS.
"""

from __future__ import annotations

import importlib.util
import sys
import time
from pathlib import Path

import numpy as np

from coursekit import further


def load_student(target):
    """The student's further.py from the folder `target`, under a name of its own."""
    path = Path(target) / "further.py"
    if not path.exists():
        raise FileNotFoundError(f"{path} does not exist: run from the course's folder, or give --target")
    spec = importlib.util.spec_from_file_location("student_further", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_further_student(target="exercises", out="further-run", epochs=further.EPOCHS, seed=0, echo=print):
    """Train the student's further.py in `target`; write PNGs into `out`; return the numbers."""
    from coursekit import figures_training as figures
    from coursekit.plots import new_figure  # noqa: F401  (matplotlib set up the course's way)

    student = load_student(target)
    name, recipe = further.STEPS[-1]
    x, t, val_x, val_labels, test_x, test_labels = further.mnist_split()
    net = student.Classifier((784, recipe.hidden, 10), seed=seed)
    best = {"accuracy": -1.0}
    started = time.perf_counter()

    def after_epoch(epoch, net, run):
        accuracy = run["validation"][-1]
        if accuracy > best["accuracy"]:  # keep the best epoch's parameters: the test set sees only those
            best.update(accuracy=accuracy, epoch=epoch + 1, weights={k: np.array(W) for k, W in net.weights.items()},
                        biases={k: np.array(b) for k, b in net.biases.items()})
        bar = "#" * (epoch + 1) + "." * (epochs - epoch - 1)
        echo(f"[{bar}] epoch {epoch + 1}/{epochs}: mean loss {run['loss'][-1]:.4f}, validation accuracy "
             f"{accuracy:.2%} ({time.perf_counter() - started:.0f} s)")

    echo(f"training {Path(target) / 'further.py'}: Classifier((784, {recipe.hidden}, 10)), {recipe.batch_size} per "
         f"batch, momentum {recipe.momentum}, cosine schedule from {recipe.learning_rate}, weight decay "
         f"{recipe.weight_decay}, {epochs} epochs on 50,000 images")
    run = further.train(recipe, seed, (x, t, val_x, val_labels, None, None), epochs=epochs, module=student,
                        net=net, after_epoch=after_epoch)
    net.weights, net.biases = best["weights"], best["biases"]
    predictions = np.asarray(net.predict(test_x))
    test = float(np.mean(predictions == test_labels))
    echo(f"best validation accuracy {best['accuracy']:.2%} at epoch {best['epoch']}; with those parameters, "
         f"{test:.2%} of the 10,000 test digits (the reference: about 98 %, lesson 7's table)")
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    curves = figures.learning_curves(run["validation"], run["loss"])
    curves.axes[0].set_ylabel("validation accuracy (%)")  # the test set is read once, not per epoch
    curves.savefig(folder / "learning-curves.png", dpi=120)
    figures.confusion_figure(figures.confusion_matrix(predictions, test_labels)).savefig(folder / "confusion.png",
                                                                                         dpi=120)
    echo(f"wrote {folder / 'learning-curves.png'} (validation accuracy and loss per epoch) and "
         f"{folder / 'confusion.png'} (the test digits' confusion matrix)")
    return {"validation": run["validation"], "loss": run["loss"], "epoch": best["epoch"], "test": test,
            "seconds": float(np.sum(run["seconds"]))}


if __name__ == "__main__":
    run_further_student(*sys.argv[1:2])
