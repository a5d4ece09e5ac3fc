"""The mistakes of autodiff.py, a Tensor that differentiates itself (lesson 8): grader/test_autodiff.py's diagnoses.

Most of them are predicted by running the reference's own graph again, the graph the test built
with the reference's Tensors beside the student's, under another schedule: the same local rules,
but shares that overwrite instead of adding, rules run in an order that is not topological, the
accumulated gradient sent down again by a second backward(). The Tensors of the reference keep
`parents` and `rule` (solutions/autodiff.py), which is all a schedule needs.
"""

from collections import deque

import numpy as np

from grader.diagnoses import Case, Diagnose, mistakes_of, recognises

# --- the reference's graph, run under other schedules -------------------------------------------

def _topological(root, reverse_parents=False):
    """Every Tensor `root` depends on, each after its parents (a depth-first search, no recursion)."""
    order, seen, stack = [], {id(root)}, [(root, iter(_parents(root, reverse_parents)))]
    while stack:
        tensor, parents = stack[-1]
        parent = next(parents, None)
        if parent is None:
            stack.pop()
            order.append(tensor)
        elif id(parent) not in seen:
            seen.add(id(parent))
            stack.append((parent, iter(_parents(parent, reverse_parents))))
    return order


def _parents(tensor, reverse):
    return tuple(reversed(tensor.parents)) if reverse else tuple(tensor.parents)


def _kahn(root):
    """A topological order found the other way: a Tensor runs once every user of it has run."""
    nodes = _topological(root)
    users = {id(t): 0 for t in nodes}
    for t in nodes:
        for p in t.parents:
            users[id(p)] += 1
    ready, order = deque([root]), []
    while ready:
        t = ready.popleft()
        order.append(t)
        for p in t.parents:
            users[id(p)] -= 1
            if users[id(p)] == 0:
                ready.append(p)
    return order


def _breadth_first(root, reverse=False):
    """The Tensors in the order a search from the output first reaches them (not topological)."""
    order, seen, queue = [], {id(root)}, deque([root])
    while queue:
        t = queue.popleft()
        order.append(t)
        for p in _parents(t, reverse):
            if id(p) not in seen:
                seen.add(id(p))
                queue.append(p)
    return order


def _depth_first(root, reverse=False):
    """Preorder: a Tensor runs as soon as a search from the output reaches it, once."""
    order, seen = [], set()
    stack = [root]
    while stack:
        t = stack.pop()
        if id(t) in seen:
            continue
        seen.add(id(t))
        order.append(t)
        stack.extend(reversed(_parents(t, reverse)))
    return order


def _every_path(root, flipped=frozenset(), limit=10_000):
    """Naive recursion: a Tensor's rule runs every time the recursion reaches it (no visited set);
    the Tensors whose ids are in `flipped` visit their parents last first (a set's order)."""
    order, stack = [], [root]
    while stack and len(order) < limit:
        t = stack.pop()
        order.append(t)
        stack.extend(reversed(_parents(t, id(t) in flipped)))
    return order if len(order) < limit else None


def _schedule(root, order, g=None, overwrite=False, late=True):
    """Each Tensor's gradient when the rules run in `order` (users first, or not), each on the
    gradient its Tensor has gathered at that moment, its shares added to (or, `overwrite`, put in
    place of) what its parents have. `g`: what each Tensor holds at the start, {id: array}.
    `late=False`: a Tensor's gradient is what it had gathered when its turn came (a backward()
    that takes it out of its dict then); the shares that arrive after it are lost."""
    g = dict(g or {id(root): np.ones_like(root.data)})
    taken = {}
    for t in order:
        share = g.get(id(t), np.zeros_like(t.data))
        taken.setdefault(id(t), share)
        if t.rule is None:
            continue
        for parent, part in zip(t.parents, t.rule(share)):
            part = np.asarray(part, dtype=float)
            g[id(parent)] = part if overwrite or id(parent) not in g else g[id(parent)] + part
    return g if late else {**g, **taken}


def _labelled(g, named):
    return {label: g.get(id(t), np.zeros_like(t.data)) for label, t in named.items()}


def _orders(root):
    """Three topological orders, users first, that can differ in which user adds its share last."""
    return [list(reversed(_topological(root))), list(reversed(_topological(root, reverse_parents=True))),
            _kahn(root)]


# What the student would have produced, row by row of the table below.

def _overwritten(case):
    """Shares put in place of the gradient gathered so far: the last user's share wins."""
    return [_labelled(_schedule(case.root, order, overwrite=True), case.named) for order in _orders(case.root)]


def _not_topological(case):
    root, found = case.root, []
    for reverse in (False, True):
        for order in (_breadth_first(root, reverse), _depth_first(root, reverse)):
            found += [_labelled(_schedule(root, order, late=late), case.named) for late in (True, False)]
    # Naive recursion over a set of parents: any order of each Tensor's parents (up to 2^6 of them).
    forks = [id(t) for t in _topological(root) if len({id(p) for p in t.parents}) > 1][:6]
    for mask in range(2 ** len(forks)):
        every_path = _every_path(root, frozenset(f for i, f in enumerate(forks) if mask >> i & 1))
        if every_path is not None:
            found.append(_labelled(_schedule(root, every_path), case.named))
    return found


def _twice_overwritten(case):
    """A second backward() that leaves every grad as the first one did (the grad set, not added to)."""
    return {label: np.asarray(value, dtype=float) / 2 for label, value in case.correct.items()}


def _twice_resent(case):
    """micrograd's backward run twice: the seed set to 1 (or added), then every rule sends down its
    Tensor's whole accumulated grad, the first call's included, instead of this call's share."""
    order = list(reversed(_topological(case.root)))
    first = _schedule(case.root, order)
    found = []
    for seed in (1.0, 2.0):
        g = {key: np.array(value, dtype=float) for key, value in first.items()}
        g[id(case.root)] = np.full_like(case.root.data, seed)
        for t in order:
            if t.rule is None:
                continue
            for parent, part in zip(t.parents, t.rule(g[id(t)])):
                g[id(parent)] = g[id(parent)] + np.asarray(part, dtype=float)
        found.append(_labelled(g, case.named))
    return found


def _not_summed_back(case):
    """The gradient of a broadcast operand left at the result's shape (or summed without keepdims)."""
    found = []
    for label, g in case.broadcast.items():
        right = np.asarray(case.correct[label], dtype=float)
        unsummed = {**case.correct, label: g}
        flat = {**case.correct, label: right.reshape(-1)}
        found += [unsummed] + ([flat] if right.shape != right.reshape(-1).shape else [])
    if len(case.broadcast) > 1:
        found.append({**case.correct, **case.broadcast})
    return found


@recognises
def _broadcast_error(case, got):
    message = str(got.get("error", ""))
    return "broadcast" in message or "non-broadcastable" in message


def _matmul_transposed(case):
    """Every way of transposing the shares of a @ b: g @ b or b @ g for a, a @ g or g @ a (and
    their transposes) for b, one or both wrong."""
    a, b, g = case.a, case.b, case.g
    for_a = [g @ b.T, g @ b, b @ g, b.T @ g, (g @ b.T).T, g.T @ b]
    for_b = [a.T @ g, a @ g, g @ a, g.T @ a, (a.T @ g).T, a @ g.T]
    found = []
    for i, da in enumerate(for_a):
        for j, db in enumerate(for_b):
            if (i or j) and da.shape == a.shape and db.shape == b.shape:
                found.append({case.labels[0]: da, case.labels[1]: db, **case.rest})
    return found


@recognises
def _matmul_shapes(case, got):
    message = str(got.get("error", ""))
    return any(word in message for word in ("matmul", "aligned", "mismatch", "broadcast"))


@recognises
def _unstable(case, got):
    """Warnings on the way, or inf or nan, where the right answer is finite."""
    values = [np.asarray(v, dtype=float) for v in got.values() if _numbers(v)]
    return bool(case.warnings) or any(not np.all(np.isfinite(v)) for v in values)


def _numbers(value):
    try:
        return np.asarray(value, dtype=float).dtype.kind == "f"
    except (TypeError, ValueError):
        return False


def _loss_averaged(case):
    rows = len(case.t) if np.ndim(case.t) == 2 else 1
    return None if rows == 1 else {label: np.asarray(v, dtype=float) / rows for label, v in case.correct.items()}


def _softmax_wrong_axis(case):
    z, t = np.asarray(case.z, dtype=float), np.asarray(case.t, dtype=float)
    if z.ndim < 2:
        return None
    found = []
    for axis in (0, None):
        shifted = z - np.max(z, axis=axis, keepdims=True)
        log_softmax = shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))
        found.append({"loss": np.float64(-np.sum(t * log_softmax))})
    return found


def _not_zeroed(case):
    """sgd_step without zero_grad: the next backward() adds to the last batch's gradients."""
    return case.replay(zeroed=False)


def _not_divided(case):
    return case.replay(divide=False)


# {checks: [(name, anchor, what the student's result would be, why)]}
MISTAKES = mistakes_of("autodiff", {
    "gradients": [
        ("a gradient overwritten instead of added",
         "gradient-overwritten", _overwritten,
         "where a Tensor is used more than once, only one of its users' shares reached its grad: each "
         "share must be ADDED (grad += share, or g[parent] = g[parent] + share), since J depends on the "
         "Tensor along every path, and the chain rule sums over the paths."),
        ("no topological order",
         "no-topological-order", _not_topological,
         "a Tensor's rule ran before every Tensor made from it had added its share, so it passed on part "
         "of its gradient (or ran again, passing on some twice). Order the graph first (a depth-first "
         "search that appends a Tensor after its parents), then run the rules in the reverse of that order."),
    ],
    "broadcast": [
        ("the broadcast gradient not summed back",
         "broadcast-not-summed", _not_summed_back,
         "an operand that broadcasting stretched was used once along each stretched axis: its gradient is "
         "the result's gradient SUMMED over those axes (and over the leading axes broadcasting added), "
         "back to the operand's own shape, with keepdims where the operand's axis has length 1."),
        ("the broadcast gradient not summed back",
         "broadcast-not-summed", _broadcast_error,
         "NumPy could not add a gradient of the result's shape to the grad of an operand that broadcasting "
         "stretched: sum it over the added and stretched axes first, back to the operand's shape."),
    ],
    "matmul": [
        ("matmul's gradient transposed",
         "matmul-transposed", _matmul_transposed,
         "for c = a @ b, dJ/da = g @ b.T (the shape of a) and dJ/db = a.T @ g (the shape of b). Checking the "
         "shapes finds the order: a is (B, n), b is (n, m), g is (B, m)."),
        ("matmul's gradient transposed",
         "matmul-transposed", _matmul_shapes,
         "a share of a @ b had a shape NumPy could not use: dJ/da = g @ b.T has a's shape (B, n) and "
         "dJ/db = a.T @ g has b's shape (n, m); the other orders do not fit."),
    ],
    "twice": [
        ("a gradient overwritten instead of added",
         "gradient-overwritten", _twice_overwritten,
         "after two calls of backward() the grads are those of one: backward() must ADD to grad "
         "(tensor.grad = tensor.grad + share), so that gradients accumulate until zero_grad clears them."),
        ("backward() sends down the accumulated grad",
         "backward-not-idempotent", _twice_resent,
         "the second backward() passed each Tensor's whole grad, the first call's share included, to its "
         "parents (micrograd's habit: its backward() is not meant to run twice). Keep this call's gradients "
         "apart (a dict of g per Tensor) and add each to grad as it is passed on."),
    ],
    "sgd": [
        ("backward twice without zero_grad",
         "backward-twice-without-zero-grad", _not_zeroed,
         "the second step moved by the first batch's gradient as well: backward() adds to grad, so "
         "sgd_step must set every grad back to zeros after stepping (zero_grad), or the next batch's "
         "gradient piles onto this one's."),
        ("the gradient not divided by the batch size",
         "gradient-not-divided", _not_divided,
         "the loss sums over the batch, so grad is the sum of n examples' gradients: step by "
         "learning_rate * grad / n to follow the mean."),
    ],
    "cross entropy": [
        ("the cross-entropy averaged over the batch",
         "loss-averaged", _loss_averaged,
         "the loss sums over every element, as the course's other losses do; the mean belongs to the "
         "step's / n."),
        ("the log-softmax along the wrong axis",
         "log-softmax-axis", _softmax_wrong_axis,
         "each row's softmax runs along that row: the maximum and the sum take axis=-1 with keepdims=True."),
    ],
    "stable": [
        ("cross-entropy unstable",
         "cross-entropy-unstable", _unstable,
         "exp(1000) overflows to inf, and the log of a softmax that underflowed to 0 is -inf. Compute the "
         "log-softmax directly from logits shifted by each row's maximum: z - max - log(sum(exp(z - max))), "
         "where exp never sees a positive number and the sum is at least 1."),
    ],
})


# --- the builders grader/test_autodiff.py calls ----------------------------------------------------

def gradients(root, named, got):
    """Diagnose the student's grads (`got()`, by label) of the Tensors `named` (the reference's, by
    label) after backward() from `root` (the reference's)."""
    correct = {label: np.array(t.grad, dtype=float) for label, t in named.items()}
    case = Case(correct, data={"root": root, "named": named})
    return Diagnose("gradients", case, got, MISTAKES)


def twice(root, named, got):
    """Diagnose the grads after two backward() from `root`, against twice the single call's (the
    reference's Tensors `named` ran backward() once)."""
    correct = {label: 2 * np.array(t.grad, dtype=float) for label, t in named.items()}
    case = Case(correct, data={"root": root, "named": named})
    return Diagnose("twice", case, got, MISTAKES)


def broadcast(named, unsummed, got):
    """Diagnose the grads of broadcast operands; `unsummed` {label: the result's gradient before the sum}."""
    correct = {label: np.array(t.grad, dtype=float) for label, t in named.items()}
    return Diagnose("broadcast", Case(correct, data={"broadcast": unsummed}), got, MISTAKES)


def broadcast_error(message):
    return Diagnose("broadcast", Case({}, data={}), lambda: {"error": message}, MISTAKES)


def matmul(a, b, g, labels, named, got):
    """Diagnose the grads of c = a @ b (a, b, g = dJ/dc as arrays; labels of a and b)."""
    correct = {label: np.array(t.grad, dtype=float) for label, t in named.items()}
    rest = {label: value for label, value in correct.items() if label not in labels}
    case = Case(correct, data={"a": np.atleast_2d(a), "b": np.asarray(b), "g": np.atleast_2d(g),
                               "labels": labels, "rest": rest})
    return Diagnose("matmul", case, got, MISTAKES)


def matmul_error(message):
    return Diagnose("matmul", Case({}, data={}), lambda: {"error": message}, MISTAKES)


def cross_entropy(z, t, correct, got):
    """Diagnose the cross-entropy's value (`correct`, {"loss": ...}) of logits z against targets t."""
    return Diagnose("cross entropy", Case(correct, data={"z": z, "t": t}), got, MISTAKES)


def unstable(caught, got):
    """Diagnose a cross-entropy (or sigmoid) that warned, or is not finite, on entries of +-1000."""
    return Diagnose("stable", Case({}, data={"warnings": list(caught)}), got, MISTAKES)


def sgd(expected, replay, got):
    """Diagnose the parameters after every sgd_step (`got()`, by label); `replay(zeroed=, divide=)`
    redoes the steps under a mistake."""
    return Diagnose("sgd", Case(expected, data={"replay": replay}), got, MISTAKES)
