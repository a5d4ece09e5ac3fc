"""The mistakes of training.py, mini-batch SGD (lesson 6): grader/test_training.py's diagnoses.

The result is the record of train()'s calls on a stand-in network: steps [(indices of the
batch's examples, learning rate given to update)]. Which examples a shuffle picks cannot be
recomputed (any generator is right), so these mistakes are recognised from properties of the
record instead of recomputed numbers.
"""

from grader.diagnoses import Case, Diagnose, mistakes_of, recognises


def _epoch_orders(case, steps):
    """The order of the examples in each epoch, if the steps split into `epochs` equal runs."""
    if not steps or len(steps) % case.epochs:
        return None
    per_epoch = len(steps) // case.epochs
    return [[i for indices, _ in steps[e * per_epoch:(e + 1) * per_epoch] for i in indices]
            for e in range(case.epochs)]


@recognises
def _unshuffled(case, got):
    orders = _epoch_orders(case, got["steps"])
    return orders is not None and all(order == list(range(len(order))) for order in orders)


@recognises
def _shuffled_once(case, got):
    orders = _epoch_orders(case, got["steps"])
    return (orders is not None and case.epochs > 1 and orders[0] != list(range(len(orders[0])))
            and all(order == orders[0] for order in orders))


@recognises
def _rate_not_divided(case, got):
    full = [rate for indices, rate in got["steps"] if len(indices) == case.batch_size]
    return (case.batch_size > 1 and bool(full)
            and all(abs(rate - case.learning_rate) <= 1e-9 * case.learning_rate for rate in full))


@recognises
def _last_batch_dropped(case, got):
    steps = got["steps"]
    return (case.n % case.batch_size != 0 and len(steps) == case.epochs * (case.n // case.batch_size)
            and all(len(indices) == case.batch_size for indices, _ in steps))


# {checks: [(name, anchor, what shows the mistake in the steps, why)]}
MISTAKES = mistakes_of("training", {
    "train": [
        ("the examples are never shuffled",
         "no-shuffle", _unshuffled,
         "every epoch visits the examples in their stored order 0, 1, 2, ... Stochastic gradient "
         "descent draws a random order (rng.permutation(n)) before cutting the batches, so that "
         "the batches differ from one epoch to the next."),
        ("the examples are shuffled once, not every epoch",
         "shuffled-once", _shuffled_once,
         "every epoch visits the examples in the same random order: the permutation is drawn "
         "once before the loop over epochs, or by a generator re-made from the seed inside it. "
         "Make the generator once, np.random.default_rng(seed), and draw a fresh permutation at "
         "the start of every epoch."),
        ("the learning rate is not divided by the batch size",
         "learning-rate-not-divided", _rate_not_divided,
         "update() received learning_rate itself. backprop() gives the gradient of the batch's "
         "summed loss, so the step along the mean per-example gradient is "
         "update(learning_rate / batch_size)."),
        ("the last, partial mini-batch is dropped",
         "last-batch-dropped", _last_batch_dropped,
         "every batch holds batch_size examples and the n % batch_size left over are never seen. "
         "range(0, n, batch_size) and the slice [start:start + batch_size] give the last, shorter "
         "batch by themselves."),
    ],
})


def train(steps, n, batch_size, epochs, learning_rate):
    """Diagnose the steps [(indices, learning rate)] train() made on n examples."""
    case = Case(data={"n": n, "batch_size": batch_size, "epochs": epochs, "learning_rate": learning_rate})
    return Diagnose("train", case, lambda: {"steps": steps}, MISTAKES)
