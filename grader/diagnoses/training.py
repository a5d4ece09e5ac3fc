"""The mistakes of training.py, mini-batch SGD (lesson 6): grader/test_training.py's diagnoses.

The result is the record of train()'s calls on a stand-in network: steps [(indices of the
batch's examples, learning rate given to update)]. Which examples a shuffle picks cannot be
recomputed (any generator is right), so each mistake is simulated as far as the record can be
predicted: how many steps, the size of each, the rate of each, and what the orders must look
like (stored order, one order for every epoch, or a fresh one each epoch). A set of mistakes
explains the record only when train() with exactly those mistakes would have made it, the step
count included: a mistake is never named for numbers it cannot give (`explains`).
"""

import numpy as np

from grader.diagnoses import Case, Diagnose, mistakes_of, recognises

UNSHUFFLED, ONCE, NOT_DIVIDED, DROPPED, PER_EXAMPLE = (
    "never shuffled", "shuffled once", "rate not divided", "last batch dropped", "a step per example")


def consistent(case, steps, made):
    """Whether train() with the mistakes `made` (a set of the names above) and nothing else wrong
    could have made `steps`: their number, sizes, rates and orders."""
    if {UNSHUFFLED, ONCE} <= made:
        return False
    n, size, epochs, rate = case.n, case.batch_size, case.epochs, case.learning_rate
    batches = [size] * (n // size) + ([n % size] if n % size and DROPPED not in made else [])
    if PER_EXAMPLE in made:  # every example of a batch a step of its own, at the batch's rate
        batches = [(1, b) for b in batches for _ in range(b)]
    else:
        batches = [(b, b) for b in batches]
    if not steps or len(steps) != epochs * len(batches):
        return False
    orders = []
    for e in range(epochs):
        epoch = steps[e * len(batches):(e + 1) * len(batches)]
        for (indices, got), (length, batch) in zip(epoch, batches):
            if len(indices) != length:
                return False
            allowed = [rate] if NOT_DIVIDED in made else [rate / size] + ([rate / batch] if batch != size else [])
            if not any(np.isclose(got, a, rtol=1e-9, atol=0) for a in allowed):
                return False
        order = [i for indices, _ in epoch for i in indices]
        if len(set(order)) != len(order) or not set(order) <= set(range(n)):
            return False
        orders.append(order)
    stored = list(range(len(orders[0])))
    if UNSHUFFLED in made:
        return all(order == stored for order in orders)
    if ONCE in made:
        return epochs > 1 and orders[0] != stored and all(order == orders[0] for order in orders)
    return orders[0] != stored and all(a != b for a, b in zip(orders, orders[1:]))


def _made(name):
    """The row's `recognise`: its mistake alone explains the steps, and the right train() does not."""
    @recognises
    def recognise(case, got):
        return consistent(case, got["steps"], {name}) and not consistent(case, got["steps"], set())
    recognise.made = name
    return recognise


def together(case, got, combo):
    """Diagnose's `explains_together`: these mistakes at once, and only they, explain the steps."""
    return (consistent(case, got["steps"], {m.recognise.made for m in combo})
            and not consistent(case, got["steps"], set()))


# {checks: [(name, anchor, what shows the mistake in the steps, why)]}
MISTAKES = mistakes_of("training", {
    "train": [
        ("the examples are never shuffled",
         "no-shuffle", _made(UNSHUFFLED),
         "every epoch visits the examples in their stored order 0, 1, 2, ... Stochastic gradient "
         "descent draws a random order (rng.permutation(n)) before cutting the batches, so that "
         "the batches differ from one epoch to the next."),
        ("the examples are shuffled once, not every epoch",
         "shuffled-once", _made(ONCE),
         "every epoch visits the examples in the same random order: the permutation is drawn "
         "once before the loop over epochs, or by a generator re-made from the seed inside it. "
         "Make the generator once, np.random.default_rng(seed), and draw a fresh permutation at "
         "the start of every epoch."),
        ("the learning rate is not divided by the batch size",
         "learning-rate-not-divided", _made(NOT_DIVIDED),
         "update() received learning_rate itself. backprop() gives the gradient of the batch's "
         "summed loss, so the step along the mean per-example gradient is "
         "update(learning_rate / batch_size)."),
        ("the last, partial mini-batch is dropped",
         "last-batch-dropped", _made(DROPPED),
         "every batch holds batch_size examples and the n % batch_size left over are never seen. "
         "range(0, n, batch_size) and the slice [start:start + batch_size] give the last, shorter "
         "batch by themselves."),
        ("a step for every example instead of every batch",
         "a-step-per-example", _made(PER_EXAMPLE),
         "your train() updates the parameters after each example of a batch: a mini-batch takes "
         "ONE step, after forward() and backprop() on the whole batch (or on each of its examples, "
         "with the gradients summed before the one update)."),
    ],
})


def train(steps, n, batch_size, epochs, learning_rate):
    """Diagnose the steps [(indices, learning rate)] train() made on n examples."""
    case = Case(data={"n": n, "batch_size": batch_size, "epochs": epochs, "learning_rate": learning_rate})
    return Diagnose("train", case, lambda: {"steps": steps}, MISTAKES, explains_together=together)
