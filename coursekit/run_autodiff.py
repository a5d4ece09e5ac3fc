"""`python -m coursekit.run autodiff`: the student's own autodiff.py Model trained on MNIST (lesson 8).

    python -m coursekit.run autodiff [--target DIR] [--epochs N] [--seed S]

Trains the student's Model((784, 100, 10)) with their sgd_step, plain mini-batch gradient descent
with a cosine schedule, on the course's split (50,000 training images, the next 10,000 for
validation); prints a line per epoch, keeps the parameters of the epoch with the best validation
accuracy, reads the 10,000 test digits once with them, and writes the learning curves and the
confusion matrix as PNG files. Registered in coursekit/run.py's RUNNERS, which imports the
student's module safely.
"""

from __future__ import annotations

import math
import time

import numpy as np

EPOCHS, BATCH_SIZE, LEARNING_RATE, HIDDEN = 6, 32, 0.3, 100


def train(module, split, epochs=EPOCHS, seed=0, batch_size=BATCH_SIZE, peak=LEARNING_RATE, echo=print,
          after_epoch=None):
    """Train module.Model on `split` (x, t, val_x, val_labels): the loop of the lesson, a cosine
    schedule from `peak`. Returns (model, {"validation", "loss", "seconds"} per epoch, best epoch's
    parameters)."""
    x, t, val_x, val_labels = split
    model = module.Model((x.shape[1], HIDDEN, t.shape[1]), seed=seed)
    rng = np.random.default_rng(seed)
    steps = -(-len(x) // batch_size)
    total, j = epochs * steps, 0
    out = {"validation": [], "loss": [], "seconds": []}
    best = None
    for epoch in range(epochs):
        start, summed = time.process_time(), 0.0
        order = rng.permutation(len(x))
        for first in range(0, len(x), batch_size):
            batch = order[first:first + batch_size]
            loss = model.loss(x[batch], t[batch])
            loss.backward()
            module.sgd_step(model.parameters(), peak * (1 + math.cos(math.pi * j / total)) / 2, len(batch))
            summed += float(np.asarray(loss.data).reshape(-1)[0])
            j += 1
        out["seconds"].append(time.process_time() - start)
        out["loss"].append(summed / len(x))
        out["validation"].append(float(np.mean(np.asarray(model.predict(val_x)) == val_labels)))
        if best is None or out["validation"][-1] > best["accuracy"]:  # the test set sees only this epoch
            best = {"accuracy": out["validation"][-1], "epoch": epoch + 1,
                    "weights": {k: np.array(W.data) for k, W in model.weights.items()},
                    "biases": {k: np.array(b.data) for k, b in model.biases.items()}}
        echo(f"epoch {epoch + 1}/{epochs}: mean loss {out['loss'][-1]:.4f}, validation accuracy "
             f"{out['validation'][-1]:.2%} ({out['seconds'][-1]:.1f} s of CPU)")
        if after_epoch is not None:
            after_epoch(epoch, model, out)
    return model, out, best


def run_autodiff_student(student, out="output/autodiff", epochs=EPOCHS, seed=0, echo=print):
    """Train the student's autodiff module; write PNGs into `out`; return the numbers."""
    from coursekit import runs_further
    from coursekit.run_further import report

    x, t, val_x, val_labels, test_x, test_labels = runs_further.mnist_split()
    echo(f"training your autodiff.py: Model((784, {HIDDEN}, 10)), batches of {BATCH_SIZE}, sgd_step with a "
         f"cosine schedule from {LEARNING_RATE}, {epochs} epochs on {len(x):,} images")
    model, run, best = train(student, (x, t, val_x, val_labels), epochs=epochs, seed=seed, echo=echo)
    for k in best["weights"]:
        model.weights[k].data, model.biases[k].data = best["weights"][k], best["biases"][k]
    return report(np.asarray(model.predict(test_x)), test_labels, run, best, out, echo)
