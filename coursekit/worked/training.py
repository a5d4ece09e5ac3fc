"""Lesson 6's worked example: lesson 1's [3, 4, 2] network, six examples, batches of 4, two epochs.

Six examples in batches of 4 make two steps per epoch, the second on the 2 examples left
over. `train` runs the course's reference Network (lesson 1's worked parameters), wrapped in a
`Watcher` that writes down which examples each step used and the parameters after it, so that
the values shown are the student's `train` at work whatever style it is written in (update()
or a step by hand; one forward per batch or one per example).
"""

import numpy as np

from coursekit.worked import Value
from coursekit.worked import network as lesson1

TITLE = "a [3, 4, 2] network, six examples, batches of 4, two epochs"
X = np.array([[1.0, 0.5, -1.0],
              [0.0, 2.0, 1.0],
              [-1.0, 0.0, 0.5],
              [0.5, -0.5, 0.0],
              [2.0, 1.0, 1.0],
              [0.0, -1.0, -2.0]])
T = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0], [0.0, 1.0], [1.0, 0.0], [0.0, 1.0]])
EPOCHS, BATCH_SIZE, LEARNING_RATE, SEED = 2, 4, 2.0, 0
PREDICTIONS = np.array([3, 1, 4, 1, 5])
LABELS = np.array([3, 1, 4, 2, 5])


SHUFFLED_APART = ("the examples and their targets were shuffled with different orders (or only the features "
                  "were shuffled): a target must stay with its own example; draw one permutation per epoch "
                  "and index both with it, features[order] and targets[order]")


def given():
    """The arguments of train() (the network is lesson 1's example) and of accuracy()."""
    return [
        Value(None, "x (the features: example i is row i)", X), Value(None, "t (the targets)", T),
        Value(None, "epochs", EPOCHS), Value(None, "batch_size", BATCH_SIZE),
        Value(None, "learning_rate", LEARNING_RATE), Value(None, "seed", SEED),
        Value(None, "predictions", PREDICTIONS), Value(None, "labels", LABELS),
    ]


class Watcher:
    """A Network for train() that records each step: the examples it used, the parameters after it.

    A step is seen as a change of the parameters, checked before every forward() and at the end,
    so it is found whether train() calls update() or changes W(k) itself.
    """

    def __init__(self, net):
        object.__setattr__(self, "_net", net)
        object.__setattr__(self, "seen", [])  # example indices, in the order forward() saw them
        object.__setattr__(self, "classes", [])  # the class of the target forward() got with each
        object.__setattr__(self, "steps", [])  # (examples used, batch loss, {name: parameter})
        object.__setattr__(self, "_since", [])
        object.__setattr__(self, "_loss", 0.0)
        object.__setattr__(self, "_last", self._parameters())

    def __getattr__(self, name):
        return getattr(self._net, name)

    def __setattr__(self, name, value):
        setattr(self._net, name, value)

    def _parameters(self):
        net = self._net
        return {f"{kind}({k})": np.array(params[k], dtype=float)
                for k in sorted(net.weights) for kind, params in (("W", net.weights), ("b", net.biases))}

    def check(self):
        """Record a step if the parameters changed since the last look."""
        now = self._parameters()
        if any(not np.array_equal(now[name], self._last[name]) for name in now):
            self.steps.append((list(self._since), self._loss, now))
            object.__setattr__(self, "_since", [])
            object.__setattr__(self, "_loss", 0.0)
            object.__setattr__(self, "_last", now)

    def forward(self, features, targets):
        self.check()
        rows = np.atleast_2d(np.asarray(features, dtype=float))
        # Which example each row is: its index in X (the six rows are all different).
        indices = [int(np.argmin(np.abs(X - row).sum(axis=1))) for row in rows]
        self.seen.extend(indices)
        self.classes.extend(int(np.argmax(row)) for row in np.atleast_2d(np.asarray(targets, dtype=float)))
        self._since.extend(indices)
        self._net.forward(features, targets)
        object.__setattr__(self, "_loss", self._loss + float(self._net.loss))


def trace(module):
    """Every value lesson 6's functions compute on the example, in the lesson's order."""
    from coursekit.solutions import load

    yield Value("accuracy", "accuracy(predictions, labels)", module.accuracy(PREDICTIONS.copy(), LABELS.copy()),
                "measuring-accuracy")
    watcher = Watcher(lesson1.network(load("network")))
    losses = module.train(watcher, X.copy(), T.copy(), EPOCHS, BATCH_SIZE, LEARNING_RATE, seed=SEED)
    watcher.check()
    n = len(X)
    for epoch in range(EPOCHS):
        yield Value("train", f"epoch {epoch + 1}: the order of the examples",
                    np.array(watcher.seen[epoch * n:(epoch + 1) * n]), "epochs-and-shuffling")
        # Example i's target is of class i % 2: a target of another class came with another example.
        yield Value("train", f"epoch {epoch + 1}: the class of the target given with each example",
                    np.array(watcher.classes[epoch * n:(epoch + 1) * n]), "epochs-and-shuffling",
                    note=SHUFFLED_APART)
    for number, (examples, loss, parameters) in enumerate(watcher.steps, start=1):
        yield Value("train", f"step {number}: examples", np.array(examples), "mini-batch-stochastic-gradient-descent")
        yield Value("train", f"step {number}: batch loss J (summed)", loss, "the-loss-of-an-epoch")
        for name, value in parameters.items():
            yield Value("train", f"step {number}: {name} after the step", value, "the-step-size")
    yield Value("train", "train(...) returns", np.array(losses, dtype=float), "the-loss-of-an-epoch")
