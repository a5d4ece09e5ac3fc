"""`python -m coursekit.run further`: the student's own further.py trained on MNIST, lesson 7's recipe.

    python -m coursekit.run further [--target DIR] [--epochs N] [--seed S]

Trains the student's Classifier((784, 100, 10)) with their Momentum, fit and cosine_schedule
exactly as the last row of lesson 7's table trains the reference (coursekit/runs_further.py: the
same split, settings and epochs), prints a line per epoch, keeps the parameters of the epoch
with the best validation accuracy, reads the test set once with them, and writes the learning
curves and the confusion matrix as PNG files. Registered in coursekit/run.py's RUNNERS, which
imports the student's module safely.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from coursekit import runs_further as further


def curves_figure(validation, loss, chosen_epoch):
    """Validation accuracy (left) and mean training loss (right) per epoch, the epoch kept marked."""
    import matplotlib.pyplot as plt

    epochs = np.arange(1, len(validation) + 1)
    fig, (left, right) = plt.subplots(1, 2, figsize=(7.0, 2.9), layout="constrained")
    left.plot(epochs, 100 * np.asarray(validation), marker=".")
    left.set(xlabel="epoch", ylabel="validation accuracy (%)")
    right.plot(epochs, loss, marker=".")
    right.set(xlabel="epoch", ylabel="mean training loss")
    for axes in (left, right):
        axes.axvline(chosen_epoch, color="grey", linestyle=":")
    return fig


def run_further_student(student, out="output/further", epochs=further.EPOCHS, seed=0, echo=print, wrap=None):
    """Train the student's further module (`student`); write PNGs into `out`; return the numbers.

    `wrap(net, examples)` may return the network as fit() sees it: coursekit.run's Counting, whose
    progress bar shows how far each epoch has got."""
    name, recipe = further.STEPS[-1]
    x, t, val_x, val_labels, test_x, test_labels = further.mnist_split()
    net = student.Classifier((784, recipe.hidden, 10), seed=seed)
    if wrap is not None:
        net = wrap(net, len(x))
    progress = getattr(net, "_progress", None)
    best = {"accuracy": -1.0}
    started = time.perf_counter()

    def after_epoch(epoch, net, run):
        accuracy = run["validation"][-1]
        if accuracy > best["accuracy"]:  # keep the best epoch's parameters: the test set sees only those
            best.update(accuracy=accuracy, epoch=epoch + 1, weights={k: np.array(W) for k, W in net.weights.items()},
                        biases={k: np.array(b) for k, b in net.biases.items()})
        bar = "#" * (epoch + 1) + "." * (epochs - epoch - 1)
        if progress is not None:
            progress.clear()
        echo(f"[{bar}] epoch {epoch + 1}/{epochs}: mean loss {run['loss'][-1]:.4f}, validation accuracy "
             f"{accuracy:.2%} ({time.perf_counter() - started:.0f} s)")

    echo(f"training your further.py: Classifier((784, {recipe.hidden}, 10)), {recipe.batch_size} per "
         f"batch, momentum {recipe.momentum}, cosine schedule from {recipe.learning_rate}, weight decay "
         f"{recipe.weight_decay}, {epochs} epochs on 50,000 images")
    run = further.train(recipe, seed, (x, t, val_x, val_labels, None, None), epochs=epochs, module=student,
                        net=net, after_epoch=after_epoch)
    net.weights, net.biases = best["weights"], best["biases"]
    return report(np.asarray(net.predict(test_x)), test_labels, run, best, out, echo,
                  "the reference: about 98 %, lesson 7's table")


def report(predictions, test_labels, run, best, out, echo=print, note="the test set, used once"):
    """The test accuracy of the best validation epoch's parameters, the learning curves and the
    confusion matrix written into `out`: the end of lessons 7's and 8's runs. Returns the numbers."""
    from coursekit import figures_training as figures
    from coursekit.plots import save_png

    test = float(np.mean(predictions == test_labels))
    echo(f"best validation accuracy {best['accuracy']:.2%} at epoch {best['epoch']}; with those parameters, "
         f"{test:.2%} of the 10,000 test digits ({note})")
    paths = [save_png(curves_figure(run["validation"], run["loss"], best["epoch"]), Path(out) / "learning_curves.png"),
             save_png(figures.confusion_figure(figures.confusion_matrix(predictions, test_labels)),
                      Path(out) / "confusion_matrix.png")]
    for path in paths:
        echo(f"wrote {path}")
    return {"validation": run["validation"], "loss": run["loss"], "epoch": best["epoch"], "test": test,
            "seconds": float(np.sum(run["seconds"]))}
