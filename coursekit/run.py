"""Train your own network on MNIST from the terminal, and see how it did.

    python -m coursekit.run training                       # your exercises/, 10 epochs
    python -m coursekit.run training --epochs 30 --learning-rate 0.5
    python -m coursekit.run training --target my_folder --hidden 100 --out my_plots

`training` builds YOUR `Network` (network.py, lesson 1) and trains it with YOUR `train`
(training.py, lesson 6), both imported from the target folder the way the grader imports them
(nothing they do at import can end or hang the run), on Nielsen's split of MNIST: 50,000
images to train on, 10,000 to validate. After every epoch it prints the loss and the training
and validation accuracy; at the end it keeps the epoch with the best validation accuracy, tests
those parameters once on the 10,000 test images, and writes two PNG files: the learning curves
and the confusion matrix. Progress goes to stderr, results to stdout.

Each command is an entry of RUNNERS: a `Runner` with its help, its own options and the function
that runs it. Another lesson adds its own entry beside "training" and reuses the helpers here
(`student_modules`, `Progress`, `Counting`, `write_figures`).
"""

from __future__ import annotations

import argparse
import os
import sys
import time

# One BLAS thread, as the grader, the benchmarks and the site's build use: on a small machine that
# other work shares, NumPy's threads fight each other and a run can take ten times as long. Set
# before NumPy is imported; an explicit setting of the student's own is kept.
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

from collections.abc import Callable  # noqa: E402  (after the threads are pinned)
from dataclasses import dataclass  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

from coursekit import course  # noqa: E402
from coursekit.stubs import find_stubs  # noqa: E402


class RunError(Exception):
    """Something the student can fix: the message says what (printed without a traceback)."""


# --- the student's code ----------------------------------------------------------------------


def student_modules(target, needs):
    """{name: module} imported from `target` for `needs` = {module name: [functions it must have written]}.

    Raises RunError when a file is missing or does not import (the grader's message), or when a
    function needed is still a stub.
    """
    from grader.loader import StudentCodeError, import_student_module

    folder = Path(target).resolve()
    modules = {}
    for name, functions in needs.items():
        path = folder / f"{name}.py"
        if path.exists():
            stubs = find_stubs(path.read_text(encoding="utf-8", errors="replace"))
            missing = [f for f in functions if f in stubs]
            if missing:
                raise RunError(f"{path}: {', '.join(missing)} {'is' if len(missing) == 1 else 'are'} not written "
                               f"yet (still a stub); check them first with: python -m pytest grader --module {name}")
        try:
            modules[name] = import_student_module(name, folder)
        except StudentCodeError as error:
            raise RunError(str(error)) from None
    return modules


def calling(what, function, *args, folder, **kwargs):
    """function(*args, **kwargs); an exception from the student's code becomes a RunError naming the line."""
    from grader.loader import where_in

    try:
        return function(*args, **kwargs)
    except (KeyboardInterrupt, RunError):
        raise
    except Exception as error:
        place = where_in(error.__traceback__, folder)
        raise RunError(f"{place or what}: {what} raised {type(error).__name__}: {error}") from None


# --- progress, on stderr ---------------------------------------------------------------------


class Progress:
    """A plain-text progress bar on stderr: redrawn in place on a terminal, one line per epoch otherwise."""

    WIDTH = 30

    def __init__(self, epochs, examples, stream=None):
        self.epochs, self.examples = epochs, examples
        self.stream = stream or sys.stderr
        self.live = getattr(self.stream, "isatty", lambda: False)()
        self.epoch, self.done, self.start, self.drawn = 1, 0, time.perf_counter(), 0.0

    def advance(self, n):
        self.done += n
        now = time.perf_counter()
        if self.live and now - self.drawn >= 0.1:  # ten redraws a second are plenty
            self.drawn = now
            filled = min(self.WIDTH, self.WIDTH * self.done // max(self.examples, 1))
            bar = "#" * filled + "-" * (self.WIDTH - filled)
            self.stream.write(f"\repoch {self.epoch}/{self.epochs} [{bar}] "
                              f"{min(self.done, self.examples):,}/{self.examples:,} examples")
            self.stream.flush()

    def clear(self):
        """Start the next epoch's bar, the current one's line rubbed out (for a caller that prints its own)."""
        if self.live:
            self.stream.write("\r\033[K")
            self.stream.flush()
        self.epoch, self.done, self.start, self.drawn = self.epoch + 1, 0, time.perf_counter(), 0.0

    def end_epoch(self, summary):
        seconds = time.perf_counter() - self.start
        clear = "\r\033[K" if self.live else ""
        self.stream.write(f"{clear}epoch {self.epoch}/{self.epochs}: {summary} ({seconds:.1f} s)\n")
        self.stream.flush()
        self.epoch, self.done, self.start = self.epoch + 1, 0, time.perf_counter()


class Counting:
    """The student's network as train() sees it, counting the examples each forward() is given."""

    def __init__(self, net, progress):
        object.__setattr__(self, "_net", net)
        object.__setattr__(self, "_progress", progress)

    def __getattr__(self, name):
        return getattr(self._net, name)

    def __setattr__(self, name, value):  # train() may set members: they belong to the network
        setattr(self._net, name, value)

    def forward(self, features, targets):
        result = self._net.forward(features, targets)
        self._progress.advance(len(np.atleast_2d(np.asarray(features))))
        return result


# --- results ---------------------------------------------------------------------------------


def write_figures(out, figures):
    """Save {file name: matplotlib figure} as PNG files in `out`; returns their paths."""
    from coursekit.plots import save_png

    return [save_png(fig, Path(out) / name) for name, fig in figures.items()]


def percent(x):
    return f"{100 * x:.2f} %"


# --- python -m coursekit.run training --------------------------------------------------------


def training_arguments(parser):
    parser.add_argument("--epochs", type=int, default=10, help="passes over the training images (default 10)")
    parser.add_argument("--learning-rate", type=float, default=1.5, help="train()'s learning_rate (default 1.5)")
    parser.add_argument("--batch-size", type=int, default=10, help="examples per step (default 10)")
    parser.add_argument("--hidden", type=int, nargs="+", default=[30], metavar="WIDTH",
                        help="widths of the hidden layers (default 30: the network [784, 30, 10])")
    parser.add_argument("--seed", type=int, default=0, help="seeds the initial weights and the orders (default 0)")
    parser.add_argument("--subset", type=int, default=None, metavar="N",
                        help="train on the first N training images only (a quick try)")


def run_training(args):
    from coursekit import figures_training as figures
    from coursekit import runs

    for name in ("epochs", "batch_size", "subset"):
        value = getattr(args, name)
        if value is not None and value < 1:
            raise RunError(f"--{name.replace('_', '-')} must be at least 1, not {value}")
    folder = Path(args.target).resolve()
    modules = student_modules(folder, {"network": ["Network.forward", "Network.backprop", "Network.update",
                                                   "Network.predict"],
                                       "training": ["train", "accuracy"]})
    split = runs.mnist_split()
    if args.subset:
        split["train"] = tuple(a[:args.subset] for a in split["train"])
    n = len(split["train"][0])
    p = dict(definition=(784, *args.hidden, 10), epochs=args.epochs, batch_size=args.batch_size, seed=args.seed)
    print(f"training your Network{list(p['definition'])} from {folder} on {n:,} images: {args.epochs} epochs, "
          f"batches of {args.batch_size}, learning_rate {args.learning_rate:g}", file=sys.stderr)
    progress = Progress(args.epochs, n)

    def on_epoch(epoch, out):
        progress.end_epoch(f"loss {out['loss'][-1]:.4f}, training {percent(out['train_accuracy'][-1])}, "
                           f"validation {percent(out['validation_accuracy'][-1])}")

    curves, net, best = calling("training", runs.fit_one, args.learning_rate, split, p,
                                network=modules["network"], training=modules["training"],
                                wrap=lambda net: Counting(net, progress), on_epoch=on_epoch, folder=folder)
    epoch = int(np.argmax(curves["validation_accuracy"])) + 1
    runs.restore(net, best)
    test_x, _, test_labels = split["test"]
    predictions = calling("predict()", net.predict, test_x, folder=folder)  # the test set, used once
    test = calling("accuracy()", modules["training"].accuracy, predictions, test_labels, folder=folder)
    paths = write_figures(args.out, {
        "learning_curves.png": figures.learning_curves(curves["train_accuracy"], curves["validation_accuracy"],
                                                       curves["loss"], chosen_epoch=epoch),
        "confusion_matrix.png": figures.confusion_figure(figures.confusion_matrix(predictions, test_labels)),
    })
    print(f"best validation accuracy: {percent(curves['validation_accuracy'][epoch - 1])} after epoch {epoch} "
          f"of {args.epochs}")
    print(f"test accuracy of the network after epoch {epoch}: {percent(test)} (the test set, used once)")
    for path in paths:
        print(f"wrote {path}")
    return 0


# --- the registry ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Runner:
    """One command of `python -m coursekit.run`: its help, its own options, what it does."""

    help: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]  # returns the exit status; raises RunError for the student


def further_arguments(command):
    from coursekit import runs_further as further

    command.add_argument("--epochs", type=int, default=further.EPOCHS, help=f"default {further.EPOCHS}")
    command.add_argument("--seed", type=int, default=0)


def run_further(args):
    """Lesson 7: the student's Classifier, Momentum, fit and cosine_schedule, the recipe's last row."""
    from coursekit.run_further import run_further_student

    needs = ["relu", "relu_prime", "softmax", "cross_entropy", "Classifier.__init__", "Classifier.forward",
             "Classifier.backprop", "Momentum.__init__",
             "Classifier.predict", "Momentum.step", "cosine_schedule", "fit"]
    student = student_modules(args.target, {"further": needs})["further"]
    folder = Path(args.target).resolve()
    calling("your further.py", run_further_student, student, out=args.out, epochs=args.epochs, seed=args.seed,
            echo=lambda line: print(line, file=sys.stderr), folder=folder,
            wrap=lambda net, examples: Counting(net, Progress(args.epochs, examples)))
    return 0


def autodiff_arguments(command):
    from coursekit import run_autodiff

    command.add_argument("--epochs", type=int, default=run_autodiff.EPOCHS, help=f"default {run_autodiff.EPOCHS}")
    command.add_argument("--seed", type=int, default=0)


def run_autodiff(args):
    """Lesson 8: the student's Model trained with their sgd_step; the epoch chosen on validation."""
    from coursekit.run_autodiff import run_autodiff_student

    if args.epochs < 1:
        raise RunError(f"--epochs must be at least 1, not {args.epochs}")
    needs = ["sum_to_shape", "Tensor.__add__", "Tensor.__matmul__", "Tensor.relu", "Tensor.backward",
             "cross_entropy", "zero_grad", "Model.__init__", "Model.parameters", "Model.logits", "Model.loss",
             "Model.predict", "sgd_step"]
    student = student_modules(args.target, {"autodiff": needs})["autodiff"]
    folder = Path(args.target).resolve()
    calling("your autodiff.py", run_autodiff_student, student, out=args.out, epochs=args.epochs, seed=args.seed,
            echo=lambda line: print(line, file=sys.stderr), folder=folder)
    return 0


def lesson(module):
    """"lesson 6" for the module's lesson, numbered by the course's table."""
    return f"lesson {course.MODULES[module].number}"


# A run per lesson that trains on MNIST, named by the lesson's module.
RUNNERS = {
    "training": Runner(f"{lesson('training')}: train your Network with your train() on MNIST", training_arguments,
                       run_training),
    "further": Runner(f"{lesson('further')}: train your Classifier with your Momentum and fit() on MNIST",
                      further_arguments, run_further),
    "autodiff": Runner(f"{lesson('autodiff')}: train your autodiff Model with your sgd_step on MNIST",
                       autodiff_arguments, run_autodiff),
}


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m coursekit.run", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, runner in RUNNERS.items():
        command = commands.add_parser(name, help=runner.help, description=runner.help)
        command.add_argument("--target", default=None,
                             help="the folder that holds your modules (default: $COURSE_TARGET, else the course's "
                                  "exercises/)")
        command.add_argument("--out", default=str(Path("output") / name),
                             help=f"where to write the PNG files (default output/{name})")
        runner.add_arguments(command)
    args = parser.parse_args(argv)
    from coursekit.mnist import MNISTError

    args.target = course.target(args.target)  # the one rule of every command
    try:
        return RUNNERS[args.command].run(args)
    except (RunError, MNISTError) as error:
        print(f"\nerror: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\ninterrupted: nothing written", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
