"""Grades training.py, lesson 6: accuracy, and mini-batch SGD on any object shaped like a Network.

`train` is first run on a stand-in network that learns nothing but lets every step be read off
its parameters: example i's gradient is 1 in row i of W and 1 in every bias, so a step -r * (the
summed gradient of a batch) shows, in the change of W, which examples it used (and how often)
and the rate r it took. The stand-in lives in the runner with the student's code (grader/harness.py,
TrainingRecorder) and only records every call with the parameters it found; `Replay` checks that
record here, call by call. Steps are observed from the parameters, never counted from calls, so
that forward() and backprop() once per batch, or once per example with the gradients summed
before one update (Nielsen's update_mini_batch), grade alike; and update() or a step written by
hand on the parameter dicts alike. Then the student's train() drives the student's own Network on
real MNIST digits, which must learn.
"""

import numpy as np
import pytest

from grader import remote
from grader.checks import WrongAnswer, cpu_budget, expect, expect_scalar, wrong_answer
from grader.diagnoses import training as mistakes

N, BATCH, EPOCHS, RATE = 23, 5, 3, 0.6  # 23 = 4 full batches of 5 and a last one of 3


def examples(n=N):
    """Features (n, 3) and targets (n, 2) whose column 0 is the example's index.

    Column 1 of the features is the example's loss in the Recorder: 1, 2, ..., 7, 1, ...
    """
    index = np.arange(n, dtype=float)
    features = np.column_stack([index, index % 7 + 1, np.ones(n)])
    targets = np.column_stack([index, -index])
    return features, targets


def example_losses(n=N):
    return examples(n)[0][:, 1]


class Replay:
    """train()'s calls on the runner's TrainingRecorder (grader/harness.py), replayed here in order
    with the checks the stand-in network would make, and the steps read off its parameters.

    W = weights[1] has one row per example (n, 2); b = biases[1] is (2,). backprop() after a
    forward() of examples I stores dJ/dW with 1 in the rows I (a count, for an example given
    twice) and dJ/db = |I| in every entry, so a step W -= r dJ/dW, b -= r dJ/db, made by update()
    or by hand, moves row i of W by -r times the number of times example i was in the step.
    Each entry of the record holds the parameters the call found, so a step is seen at the first
    call after it, as the network itself would have seen it.
    """

    def __init__(self, n):
        self.n = n
        self._seen = []  # the examples forward() saw since the last step
        self._forwarded = None  # the examples of the last forward()
        self.steps_taken = []  # [(indices, rate)]
        self._parameters = (np.zeros((n, 2)), np.zeros(2))

    def replay(self, record, finished=True):
        """[(indices of the examples, rate)] for every step, in order, after checking every call;
        `finished=False` for a train() that raised: the calls are checked, not the end."""
        for call, weights, biases, indices, target_indices in record:
            if call == "end" and not finished:
                break
            self._look(weights, biases)
            if call == "forward":
                self.forward(indices, target_indices)
            elif call == "backprop":
                self.backprop(indices)
            elif call == "end":
                return self.steps()
        return self.steps_taken

    def _look(self, weights, biases):
        """Record a step if the parameters moved since the last look."""
        expect(not isinstance(weights, str),
               f"train() replaced the network's weights[1] or biases[1] by something that is not an array of "
               f"numbers ({weights}): a step changes their values only")
        before_w, before_b = self._parameters
        expect(weights.shape == before_w.shape and biases.shape == before_b.shape,
               f"train() changed the shapes of the network's parameters (weights[1] {before_w.shape} became "
               f"{weights.shape}): a step changes their values only")
        if np.array_equal(weights, before_w) and np.array_equal(biases, before_b):
            return
        self._parameters = (weights, biases)
        moved = before_w - weights  # r times each example's count, in both columns
        expect(np.allclose(moved[:, 0], moved[:, 1], rtol=1e-9, atol=1e-12),
               "train() changed the weights in one step by amounts that are not a multiple of the gradient: "
               "every W(k) and b(k) takes the step -(learning_rate / batch_size) * its gradient (or call update())")
        used = np.flatnonzero(np.abs(moved[:, 0]) > 1e-12)
        expect(used.size > 0, "train() changed the biases but not the weights in one step: every W(k) and "
                              "b(k) takes the step -(learning_rate / batch_size) * its gradient (or call update())")
        rate = float(np.min(np.abs(moved[used, 0]))) * float(np.sign(moved[used[0], 0]))
        counts = moved[used, 0] / rate
        expect(np.allclose(counts, np.rint(counts), rtol=0, atol=1e-6),
               "train() changed the weights in one step by amounts that are not a multiple of the gradient: "
               "every W(k) and b(k) takes the step -(learning_rate / batch_size) * its gradient (or call update())")
        indices = [int(i) for i, c in zip(used, np.rint(counts).astype(int)) for _ in range(c)]
        expect(np.allclose(before_b - biases, rate * len(indices), rtol=1e-9, atol=1e-12),
               "train() changed the weights and biases by different amounts in one step: every W(k) and b(k) "
               "takes the step -(learning_rate / batch_size) * its gradient (or call update())")
        expect(sorted(indices) == sorted(self._seen),
               f"step {len(self.steps_taken) + 1} of train() used the gradient of examples {sorted(indices)}, "
               f"but forward() and backprop() since the step before saw examples {sorted(self._seen)}: each "
               "step applies the gradient of its own mini-batch, after forward() and backprop() on it")
        self.steps_taken.append((indices, rate))
        self._seen = []

    def forward(self, indices, target_indices):
        """forward() of the examples `indices`, with the targets of `target_indices`."""
        if target_indices != indices:
            raise WrongAnswer(f"forward() received features of examples {indices} but targets of "
                              f"examples {target_indices}: the examples and their targets were shuffled "
                              "with different orders (or only the features were shuffled); a target must "
                              "stay with its own example: shuffle features and targets with the same order, "
                              "features[order] and targets[order]")
        self._forwarded = indices

    def backprop(self, indices):
        """backprop() with the targets of the examples `indices`."""
        expect(self._forwarded == indices,
               "backprop() was given other targets than the forward() just before it" if self._forwarded is not None
               else "backprop() was called before any forward()")
        self._seen.extend(indices)

    def steps(self):
        """[(indices of the examples, rate)] for every step, in order, once train() has returned."""
        expect(not self._seen, f"the examples {sorted(self._seen)} went through forward() and backprop() "
                               "after the last step and were never stepped on")
        return self.steps_taken


def run(student, n=N, batch_size=BATCH, epochs=EPOCHS, learning_rate=RATE, seed=0):
    """(steps, returned losses) of the student's train() on the runner's TrainingRecorder."""
    recorder = remote.build(student, "TrainingRecorder", n)
    features, targets = examples(n)
    try:
        losses = student.train(recorder, features, targets, epochs=epochs, batch_size=batch_size,
                               learning_rate=learning_rate, seed=seed)
    except remote.StudentRaised:
        # A wrong call before the error is what went wrong first: the stand-in network would
        # have stopped train() there.
        Replay(n).replay(recorder.record(), finished=False)
        raise
    return Replay(n).replay(recorder.record()), losses


def diagnose(steps, n=N, batch_size=BATCH, epochs=EPOCHS, learning_rate=RATE):
    """The common mistake the steps show, if any (grader/diagnoses/training.py), for a failure message."""
    return mistakes.train(steps, n, batch_size, epochs, learning_rate)


def by_epoch(steps, n=N, batch_size=BATCH, epochs=EPOCHS):
    """The steps cut into epochs, after checking their number."""
    per_epoch = -(-n // batch_size)
    expect(len(steps) == epochs * per_epoch,
           f"your train() on {n} examples with batch_size={batch_size} for {epochs} epochs made "
           f"{len(steps)} steps (changes of the parameters); expected {epochs} x {per_epoch} = "
           f"{epochs * per_epoch}: {n // batch_size} full batches and a last one of {n % batch_size} "
           "in every epoch", diagnose(steps, n, batch_size, epochs))
    return [steps[e * per_epoch:(e + 1) * per_epoch] for e in range(epochs)]


def are_losses(losses, epochs):
    """`losses` is a list (tuple, array) of `epochs` numbers."""
    return (isinstance(losses, (list, tuple, np.ndarray)) and len(losses) == epochs
            and all(isinstance(loss, (int, float, np.number)) and not isinstance(loss, bool) for loss in losses))


def order_of(epoch):
    return [i for indices, _ in epoch for i in indices]


@pytest.mark.grade(uses=["accuracy"], section="measuring-accuracy")
def test_accuracy(student):
    cases = [
        (np.array([3, 1, 4, 1]), np.array([3, 1, 4, 1]), 1.0),
        (np.array([3, 1, 4, 1]), np.array([0, 0, 0, 0]), 0.0),
        (np.array([7, 2, 1, 0, 4, 1, 4, 9]), np.array([7, 2, 1, 0, 4, 1, 9, 5]), 0.75),
        (np.array([5]), np.array([3]), 0.0),
    ]
    for predictions, labels, expected in cases:
        got = student.accuracy(predictions, labels)
        hint = ""
        if isinstance(got, (int, float, np.number)) and not isinstance(got, bool) and \
                float(got) == expected * len(labels) != expected:
            hint = " (that is the count of correct predictions: divide by how many there are)"
        try:
            expect_scalar(got, expected, f"accuracy({predictions.tolist()}, {labels.tolist()})")
        except WrongAnswer as error:
            raise WrongAnswer(f"{error}{hint}") from None


@pytest.mark.grade(uses=["train"], section="epochs-and-shuffling")
def test_train_visits_every_example_once_per_epoch(student):
    steps, _ = run(student)
    for e, epoch in enumerate(by_epoch(steps), start=1):
        order = order_of(epoch)
        missing = sorted(set(range(N)) - set(order))
        repeated = sorted({i for i in order if order.count(i) > 1})
        expect(not missing and not repeated,
               f"epoch {e} of your train() saw {len(order)} examples: missing {missing}, more than once "
               f"{repeated}; every epoch must visit each of the {N} examples exactly once", diagnose(steps))


@pytest.mark.grade(uses=["train"], section="mini-batch-stochastic-gradient-descent")
def test_train_keeps_the_last_partial_batch(student):
    steps, _ = run(student)
    for e, epoch in enumerate(by_epoch(steps), start=1):
        sizes = [len(indices) for indices, _ in epoch]
        expect(sizes == [BATCH] * (N // BATCH) + [N % BATCH],
               f"epoch {e} of your train() with {N} examples and batch_size={BATCH} used batches of "
               f"{sizes}; expected {[BATCH] * (N // BATCH) + [N % BATCH]}: full batches in "
               "order, then the remainder (never dropped)", diagnose(steps))


@pytest.mark.grade(uses=["train"], section="epochs-and-shuffling")
def test_train_shuffles_every_epoch(student):
    n = 40
    steps, _ = run(student, n=n, batch_size=8, epochs=4)
    orders = [order_of(epoch) for epoch in by_epoch(steps, n=n, batch_size=8, epochs=4)]
    expect(orders[0] != list(range(n)),
           "the first epoch of train() visited the examples in their stored order 0, 1, 2, ...: "
           "shuffle them (rng.permutation) before cutting batches", diagnose(steps, n, 8, 4))
    for e in range(1, len(orders)):
        expect(orders[e] != orders[e - 1],
               f"epochs {e} and {e + 1} of train() visited the examples in the same order: draw a "
               "fresh permutation every epoch, from one generator made once before the loop",
               diagnose(steps, n, 8, 4))


@pytest.mark.grade(uses=["train"], section="epochs-and-shuffling")
def test_train_same_seed_same_run(student):
    first, first_losses = run(student, seed=42)
    # Two runs that change nothing, or return nothing, are alike too: no run, nothing to compare.
    expect(first, "your train() with seed=42 made no step (the network's parameters never changed): every "
                  "mini-batch takes forward(), backprop() and a step of -(learning_rate / batch_size) * its "
                  "gradient (update())")
    expect(are_losses(first_losses, EPOCHS), f"your train() for {EPOCHS} epochs returned {first_losses!r}; "
                                             f"expected a list of {EPOCHS} floats, one per epoch")
    second, second_losses = run(student, seed=42)
    expect(first == second, "two calls of train() with seed=42 visited the examples in different "
                            "orders: make the generator with np.random.default_rng(seed)")
    expect(are_losses(second_losses, EPOCHS) and list(map(float, first_losses)) == list(map(float, second_losses)),
           f"two calls of train() with seed=42 returned different losses: {first_losses} and "
           f"{second_losses}")
    other, _ = run(student, seed=43)
    expect(order_of(other) != order_of(first),
           "train() with seed=42 and seed=43 visited the examples in the same order: the seed "
           "must choose the order (np.random.default_rng(seed))", diagnose(first))


@pytest.mark.grade(uses=["train"], section="the-step-size")
def test_train_step_is_learning_rate_over_batch_size(student):
    steps, _ = run(student)
    step = RATE / BATCH
    for e, epoch in enumerate(by_epoch(steps), start=1):
        for number, (indices, rate) in enumerate(epoch, start=1):
            allowed = [step] if len(indices) == BATCH else [step, RATE / len(indices)]
            if not any(np.isclose(rate, a, rtol=1e-9) for a in allowed):
                hint = ""
                if np.isclose(rate, RATE):
                    hint = (": yours is the learning rate itself, but backprop() sums the gradient "
                            "over the batch, so divide by batch_size to step along the mean")
                raise wrong_answer(
                    f"step {number} of epoch {e} (a batch of {len(indices)}) of your train() moved the "
                    f"parameters by -{rate:.6g} x the gradient, with learning_rate={RATE} and "
                    f"batch_size={BATCH}; the step is -{step:.6g} x the gradient, learning_rate / batch_size" +
                    (f" (or {RATE / len(indices):.6g} for the last, shorter batch)" if len(indices) != BATCH
                     else "") + hint, diagnose(steps))


@pytest.mark.grade(uses=["train"], section="the-loss-of-an-epoch")
@pytest.mark.parametrize("n, batch_size", [(23, 5), (20, 5)], ids=["last batch shorter", "equal batches"])
def test_train_returns_mean_loss_per_example(student, n, batch_size):
    epochs = 2
    steps, losses = run(student, n=n, batch_size=batch_size, epochs=epochs)
    expect(isinstance(losses, (list, tuple, np.ndarray)) and len(losses) == epochs,
           f"your train() for {epochs} epochs returned {losses!r}; expected a list of {epochs} floats, "
           "one per epoch")
    example_loss = example_losses(n)
    expected = float(np.sum(example_loss)) / n  # every example once, each with its own loss
    for e, (loss, epoch) in enumerate(zip(losses, by_epoch(steps, n, batch_size, epochs)), start=1):
        # Also right (CONTRACT.md): the mean over the batches of (batch loss / batch size), which
        # differs from the sum over N only when the last batch is shorter.
        per_batch = float(np.mean([np.sum(example_loss[indices]) / len(indices) for indices, _ in epoch]))
        if isinstance(loss, (int, float, np.number)) and not isinstance(loss, bool) and \
                any(np.isclose(float(loss), right, rtol=1e-5) for right in (expected, per_batch)):
            continue
        hint = ""
        if isinstance(loss, (int, float, np.number)) and np.isclose(float(loss), expected * n):
            hint = " (yours is the sum of the batch losses: divide by the number of examples)"
        elif isinstance(loss, (int, float, np.number)) and np.isclose(float(loss), expected * n / len(epoch)):
            hint = " (yours is the mean loss per batch: divide the sum by the number of examples)"
        try:
            expect_scalar(loss, expected, f"the loss your train() returned for epoch {e} ({n} examples, "
                                          f"batch_size={batch_size})")
        except WrongAnswer:
            shown = f"{float(loss):.6g}" if isinstance(loss, (int, float, np.number)) else repr(loss)
            also = f" (or {per_batch:.6g}, the mean over the batches of batch loss / batch size)" \
                if not np.isclose(per_batch, expected) else ""
            raise WrongAnswer(f"your train() returned {shown} for epoch {e} ({n} examples, batch_size="
                              f"{batch_size}); the mean per-example loss is {expected:.6g}{also}{hint}") from None


# Large enough that a correct solution is well above the bar (about 92 %), small enough for the
# time limit: 20,000 images, 3 epochs of batches of 10, learning_rate 1.5 (Nielsen's eta = 3.0).
E2E_TRAIN, E2E_TEST, E2E_EPOCHS, E2E_BATCH, E2E_RATE, E2E_BAR = 20_000, 5_000, 3, 10, 1.5, 0.90
# The limit is CPU time, which other programs on a busy machine do not inflate: the reference
# needs about 1.5 s, Nielsen's example-by-example loop about 12 s. The wall-clock timeout only
# stops a run that hangs.
E2E_CPU_SECONDS, E2E_WALL_SECONDS = 60, 300


def mnist_run(student, network, mnist):
    """(test accuracy, losses) of the student's train() driving `network` on the end-to-end problem.

    The features and targets are made in the runner from the images and labels (a quarter of the
    bytes cross), exactly as `images.reshape(-1, 784).astype(np.float32) / 255` would make them here.
    """
    features = remote.build(student, "pixels", mnist.train_images[:E2E_TRAIN])
    targets = remote.build(student, "one_hot", mnist.train_labels[:E2E_TRAIN], 10)
    losses = student.train(network, features, targets, epochs=E2E_EPOCHS, batch_size=E2E_BATCH,
                           learning_rate=E2E_RATE, seed=0)
    test_features = remote.build(student, "pixels", mnist.test_images[:E2E_TEST])
    predictions = np.asarray(network.predict(test_features))
    expect(predictions.shape == (E2E_TEST,),
           f"your Network's predict() of {E2E_TEST:,} test digits, shape {(E2E_TEST, 784)}, returned "
           f"shape {predictions.shape}; expected ({E2E_TEST},), one class index per row (see network.py)")
    return float(np.mean(predictions == mnist.test_labels[:E2E_TEST])), losses


@pytest.mark.grade(uses=["train", "network:Network.forward", "network:Network.backprop",
                         "network:Network.update", "network:Network.predict"],
                   section="your-network-on-mnist", end_to_end=True)
@pytest.mark.timeout(E2E_WALL_SECONDS, method="signal")
def test_train_your_network_on_mnist(student, student_module, mnist):
    """The only training test that uses the student's own network.py: the others drive a stand-in,
    so a wrong network.py costs training.py this test alone, and its message says so."""
    network = student_module("network").Network((784, 30, 10), seed=0)
    with cpu_budget(E2E_CPU_SECONDS, reference_seconds=1.5, example_by_example_seconds=12):
        reached, losses = mnist_run(student, network, mnist)
    expect(reached >= E2E_BAR,
           f"your train() with your Network((784, 30, 10)) from network.py on {E2E_TRAIN:,} MNIST images "
           f"({E2E_EPOCHS} epochs, batch_size={E2E_BATCH}, learning_rate={E2E_RATE}) reached {reached:.1%} on "
           f"{E2E_TEST:,} test digits; expected at least {E2E_BAR:.0%} (the reference reaches about 92%). Your "
           f"losses per epoch: {rounded(losses)}. This is the one training test that uses your network.py (the "
           "others drive a stand-in network): if network.py's own tests fail, fix those first; if they pass, "
           "look at train()")


def rounded(losses):
    try:
        return "[" + ", ".join(f"{float(loss):.4g}" for loss in losses) + "]"
    except (TypeError, ValueError):
        return repr(losses)
