"""Grades autodiff.py, lesson 8: a Tensor whose operations record their local rules, backward() in
reverse topological order, cross_entropy, and a Model that is lesson 7's Classifier made of Tensors.

Every expression is built twice from the same arrays: with the reference's Tensors here, and with
the student's in the runner, where a `Live` stands for each of them (a proxy has no operators:
`a + b` on two Lives asks the runner to add the student's Tensors, grader/harness.py's
`operate`). Values and gradients are then compared, Tensor by Tensor; the mistakes are named by
running the reference's own graph under the wrong schedules (grader/diagnoses/autodiff.py). The
Model's loss and gradients are held to lesson 7's Classifier and its backprop on real MNIST
digits, from the same parameters; at the end the student's Model learns MNIST with their
sgd_step past 97 % on the test digits, at the epoch chosen on validation.
"""


import numpy as np
import pytest

from grader import remote
from grader.cases import every_combination, sample
from grader.checks import WrongAnswer, cpu_budget, expect, expect_array, expect_scalar, quietly, wrong_answer
from grader.diagnoses import autodiff as mistakes

SHAPES = {
    "784-30-10": (784, 30, 10),
    "784-16-16-10": (784, 16, 16, 10),  # two ReLU layers
    "784-10": (784, 10),  # no hidden layer
}
BATCHES = {"one example": 1, "batch of 32": 32}
EVERY_SHAPE_AND_BATCH = every_combination(definition=SHAPES, batch=BATCHES)
BACKWARD = ["Tensor.backward", "Tensor.sum", "Tensor.__mul__", "sum_to_shape"]  # J = (result * C).sum()
LAYERS = ["Tensor.__add__", "Tensor.__matmul__", "Tensor.relu", "sum_to_shape"]
MODEL = ["Model.__init__", "Model.logits", "Model.loss", "cross_entropy"] + LAYERS
PLAIN = {"NoneType", "bool", "int", "float", "str", "ndarray", "list", "tuple", "dict", "float64", "int64"}


# --- the student's Tensors, with operators -------------------------------------------------------

class Live:
    """A student's Tensor, which lives in the runner, with Python's operators: `a + b` on Lives (or
    a Live and an array or a number) asks the runner for the student's `a + b`. `label` is how the
    messages write the expression."""

    __array_ufunc__ = None  # array + Live: NumPy steps aside, so that Live.__radd__ answers

    def __init__(self, module, tensor, label):
        self.module, self.tensor, self.label = module, tensor, label

    @classmethod
    def made(cls, module, result, what, label=None):
        """`result` of the student's `what`, checked to be an object of theirs (a Tensor), not None
        or a plain value."""
        if not isinstance(result, remote.Remote) or type(result).__name__ in PLAIN:
            shown = "None" if type(result).__name__ == "NoneType" else f"a {type(result).__name__}"
            raise WrongAnswer(f"your {what} returned {shown}; expected a new Tensor (an operation returns the "
                              "Tensor it made, holding its value, its parents and its rule)")
        return cls(module, result, label or what)

    def _op(self, name, symbol, left, right=None):
        operands = [left] if right is None else [left, right]
        what = f"-{_label(left)}" if right is None else f"{_label(left)} {symbol} {_label(right)}"
        sent = [o.tensor if isinstance(o, Live) else o for o in operands]
        return Live.made(self.module, remote.build(self.module, "operate", name, *sent), what, f"({what})")

    def __add__(self, other):
        return self._op("add", "+", self, other)

    def __radd__(self, other):
        return self._op("add", "+", other, self)

    def __sub__(self, other):
        return self._op("sub", "-", self, other)

    def __rsub__(self, other):
        return self._op("sub", "-", other, self)

    def __mul__(self, other):
        return self._op("mul", "*", self, other)

    def __rmul__(self, other):
        return self._op("mul", "*", other, self)

    def __matmul__(self, other):
        return self._op("matmul", "@", self, other)

    def __rmatmul__(self, other):
        return self._op("matmul", "@", other, self)

    def __neg__(self):
        return self._op("neg", "-", self)

    def sum(self):
        return Live.made(self.module, self.tensor.sum(), f"{self.label}.sum()")

    def relu(self):
        return Live.made(self.module, self.tensor.relu(), f"{self.label}.relu()")

    def sigmoid(self):
        return Live.made(self.module, self.tensor.sigmoid(), f"{self.label}.sigmoid()")

    def backward(self):
        self.tensor.backward()

    @property
    def data(self):
        return self.tensor.data

    @property
    def grad(self):
        return self.tensor.grad


def _label(operand):
    if isinstance(operand, Live):
        return operand.label
    if np.ndim(operand) == 0:
        return f"{float(operand):g}"
    return f"an array {np.shape(operand)}"


class Reference:
    """Builds an expression from the reference's Tensors (real objects, with their own operators)."""

    def __init__(self, module):
        self.module = module

    def tensor(self, data, label):
        return self.module.Tensor(data)

    def cross_entropy(self, logits, targets):
        return self.module.cross_entropy(logits, targets)


class Student:
    """Builds the same expression from the student's Tensors, in the runner."""

    def __init__(self, module):
        self.module = module

    def tensor(self, data, label):
        return Live.made(self.module, self.module.Tensor(np.array(data, dtype=float)), f"Tensor({label})", label)

    def cross_entropy(self, logits, targets):
        return Live.made(self.module, self.module.cross_entropy(logits.tensor, targets),
                         f"cross_entropy({logits.label}, targets)")


def both(student, reference, build):
    """build(side) -> {label: node}, once with the reference's Tensors and once with the student's."""
    return build(Reference(reference("autodiff"))), build(Student(student))


def grads_of(theirs, labels):
    """The student's grad of every Tensor `labels` names, read once each."""
    found = {}
    for label in labels:
        try:
            found[label] = theirs[label].grad
        except AttributeError:
            found[label] = None
    return found


def expect_gradients(ours, theirs, labels, what, diagnose_with=mistakes.gradients, twice=False):
    """The student's grads of the Tensors `labels`, after backward() from "J", agree with the
    reference's (twice them after two calls, `twice`)."""
    got = grads_of(theirs, labels)
    named = {label: ours[label] for label in labels}
    diagnose = diagnose_with(ours["J"], named, lambda: got)
    factor = 2 if twice else 1
    calls = "two calls of J.backward()" if twice else "J.backward()"
    for label in labels:
        expect_array(got[label], factor * np.asarray(ours[label].grad), f"{label}.grad after {calls}, "
                                                                         f"where {what}", diagnose=diagnose)


def fixed(seed, *shapes):
    rng = np.random.default_rng(seed)
    return [rng.normal(size=shape) for shape in shapes]


def weighted(node, C):
    """(node * C).sum(): a number whose gradient with respect to node is C, different everywhere."""
    return (node * C).sum()


# --- operations: values ----------------------------------------------------------------------------

X, W, B, C = fixed(8, (4, 3), (3,), (1, 3), (4, 3))


def expect_value(ours, theirs, what):
    expect_array(theirs.data, np.asarray(ours.data), f"({what}).data")


def value_cases(student, reference, cases):
    for what, build in cases.items():
        ours, theirs = both(student, reference,
                            lambda side, build=build: build(side, side.tensor(X, "x"), side.tensor(W, "w")))
        expect_value(ours, theirs, what)


@pytest.mark.grade(uses=["Tensor.__add__"], section="operations")
def test_add_values(student, reference):
    value_cases(student, reference, {
        "x + w, shapes (4, 3) and (3,)": lambda side, x, w: x + w,
        "x + 2.5": lambda side, x, w: x + 2.5,
        "an array (4, 3) + w": lambda side, x, w: C + w,
        "x + x": lambda side, x, w: x + x,
    })


@pytest.mark.grade(uses=["Tensor.__mul__"], section="operations")
def test_mul_values(student, reference):
    value_cases(student, reference, {
        "x * w, shapes (4, 3) and (3,)": lambda side, x, w: x * w,
        "x * -1.5": lambda side, x, w: x * -1.5,
        "an array (4, 3) * w": lambda side, x, w: C * w,
    })


@pytest.mark.grade(uses=["Tensor.__matmul__"], section="operations")
def test_matmul_values(student, reference):
    V, M = fixed(9, (3,), (3, 5))
    value_cases(student, reference, {
        "x @ a Tensor (3, 5)": lambda side, x, w: x @ side.tensor(M, "M"),
        "x @ w, shapes (4, 3) and (3,)": lambda side, x, w: x @ w,
        "w @ a Tensor (3, 5), shapes (3,) and (3, 5)": lambda side, x, w: w @ side.tensor(M, "M"),
        "an array (4, 3) @ a Tensor (3, 5)": lambda side, x, w: C @ side.tensor(M, "M"),
        "w @ an array (3,)": lambda side, x, w: w @ V,
    })


@pytest.mark.grade(uses=["Tensor.__neg__", "Tensor.__sub__", "Tensor.__add__"], section="operations")
def test_neg_and_sub_values(student, reference):
    value_cases(student, reference, {
        "-x": lambda side, x, w: -x,
        "x - w, shapes (4, 3) and (3,)": lambda side, x, w: x - w,
        "1 - x": lambda side, x, w: 1 - x,
    })


@pytest.mark.grade(uses=["Tensor.sum"], section="operations")
def test_sum_values(student, reference):
    value_cases(student, reference, {"x.sum()": lambda side, x, w: x.sum(), "w.sum()": lambda side, x, w: w.sum()})
    theirs = Student(student).tensor(X, "x").sum()
    expect(np.shape(theirs.data) == (), f"x.sum().data has shape {np.shape(theirs.data)}; expected a 0-d array, "
                                        "shape () (np.sum gives one)")


RELU_X = np.array([[-2.0, 0.0, 0.5], [3.0, -1e-9, 0.0], [1e-9, -0.25, 4.0], [0.0, 2.0, -3.0]])


@pytest.mark.grade(uses=["Tensor.relu"], section="operations")
def test_relu_values(student, reference):
    ours, theirs = both(student, reference, lambda side: side.tensor(RELU_X, "x").relu())
    expect_value(ours, theirs, f"x.relu() with x = {RELU_X.tolist()}")


@pytest.mark.grade(uses=["Tensor.sigmoid"], section="operations")
def test_sigmoid_values(student, reference):
    ours, theirs = both(student, reference, lambda side: side.tensor(X, "x").sigmoid())
    expect_value(ours, theirs, "x.sigmoid()")
    large = np.array([[1000.0, -1000.0, 0.0], [710.0, -710.0, 30.0]])
    ours, theirs = both(student, reference, lambda side: side.tensor(large, "x"))
    got, caught = quietly(lambda: Live.made(student, theirs.tensor.sigmoid(), "x.sigmoid()").data)
    expect(not caught, f"x.sigmoid() with x = {large.tolist()} warned: {'; '.join(sorted(set(caught)))}: "
                       "exp(-x) overflows for x = -1000; the lesson shows a form that never forms it")
    expect_array(got, ours.sigmoid().data, f"x.sigmoid().data with x = {large.tolist()}")


# --- operations: gradients ------------------------------------------------------------------------

def gradient_case(student, reference, build, labels, what, diagnose_with=mistakes.gradients):
    ours, theirs = both(student, reference, build)
    ours["J"].backward()
    theirs["J"].backward()
    expect_gradients(ours, theirs, labels, what, diagnose_with)


def broadcast_case(student, reference, build, labels, what, unsummed):
    """As gradient_case, for operands that broadcasting stretched; an error NumPy raised in the
    student's backward() because a gradient had the wrong shape is named too."""
    ours, theirs = both(student, reference, build)
    ours["J"].backward()
    try:
        theirs["J"].backward()
    except remote.StudentRaised as error:
        diagnose = mistakes.broadcast_error(error.message)
        raise wrong_answer(f"J.backward(), where {what}, raised {error.type_name}: {error.message}"
                           + (f"\n    at {error.place}" if error.place else ""), diagnose) from None
    got = grads_of(theirs, labels)
    named = {label: ours[label] for label in labels}
    diagnose = mistakes.broadcast(named, unsummed, lambda: got)
    for label in labels:
        expect_array(got[label], np.asarray(ours[label].grad), f"{label}.grad after J.backward(), where {what}",
                     diagnose=diagnose)


@pytest.mark.grade(uses=["Tensor.__add__"] + BACKWARD, section="broadcasting",
                   about="Tensor.__add__")
@pytest.mark.parametrize("shape", [(3,), (1, 3), (4, 1), ()], ids=["(3,)", "(1, 3)", "(4, 1)", "0-d"])
def test_add_gradients_summed_back_to_the_operands_shape(student, reference, shape):
    b = np.arange(1.0, 1.0 + np.prod(shape, dtype=int)).reshape(shape) / 4

    def build(side):
        x, bb = side.tensor(X, "x"), side.tensor(b, "b")
        s = x + bb
        return {"x": x, "b": bb, "s": s, "J": weighted(s, C)}

    broadcast_case(student, reference, build, ["s", "x", "b"],
                   f"s = x + b, x of shape (4, 3), b of shape {shape}, and J = (s * C).sum()", {"b": C})


@pytest.mark.grade(uses=["Tensor.__mul__"] + BACKWARD, section="broadcasting",
                   about="Tensor.__mul__")
@pytest.mark.parametrize("shape", [(4, 3), (3,), (4, 1)], ids=["same shape", "(3,)", "(4, 1)"])
def test_mul_gradients(student, reference, shape):
    w = fixed(10, shape)[0]

    def build(side):
        x, ww = side.tensor(X, "x"), side.tensor(w, "w")
        p = x * ww
        return {"x": x, "w": ww, "p": p, "J": weighted(p, C)}

    broadcast_case(student, reference, build, ["p", "x", "w"],
                   f"p = x * w, x of shape (4, 3), w of shape {shape}, and J = (p * C).sum()",
                   {"w": C * X} if shape != (4, 3) else {})


MATMUL_SHAPES = {"(4, 4) @ (4, 4), square": ((4, 4), (4, 4)), "(5, 4) @ (4, 3)": ((5, 4), (4, 3)),
                 "(4,) @ (4, 3)": ((4,), (4, 3)), "(5, 4) @ (4,)": ((5, 4), (4,))}


@pytest.mark.grade(uses=["Tensor.__matmul__"] + BACKWARD, section="matmul",
                   about="Tensor.__matmul__")
@pytest.mark.parametrize("shapes", MATMUL_SHAPES.values(), ids=MATMUL_SHAPES.keys())
def test_matmul_gradients(student, reference, shapes):
    a, b = fixed(11, *shapes)
    c_shape = np.shape(a @ b)
    G = fixed(12, c_shape)[0]

    def build(side):
        aa, bb = side.tensor(a, "a"), side.tensor(b, "b")
        c = aa @ bb
        return {"a": aa, "b": bb, "c": c, "J": weighted(c, G)}

    what = f"c = a @ b, a of shape {np.shape(a)}, b of shape {np.shape(b)}, and J = (c * G).sum()"
    ours, theirs = both(student, reference, build)
    ours["J"].backward()
    try:
        theirs["J"].backward()
    except remote.StudentRaised as error:
        raise WrongAnswer(f"J.backward(), where {what}, raised {error.type_name}: {error.message}"
                          + (f"\n    at {error.place}" if error.place else "") + "\n    "
                          + mistakes.matmul_error(error.message)()) from None
    labels = ["c", "a", "b"]
    got = grads_of(theirs, labels)
    named = {label: ours[label] for label in labels}
    diagnose = mistakes.matmul(a, b, G, ("a", "b"), named, lambda: got)
    for label in labels:
        expect_array(got[label], np.asarray(ours[label].grad), f"{label}.grad after J.backward(), where {what}",
                     diagnose=diagnose)


@pytest.mark.grade(uses=["Tensor.__neg__", "Tensor.__sub__", "Tensor.__add__"] + BACKWARD, section="operations",
                   about="Tensor.__sub__")
def test_neg_and_sub_gradients(student, reference):
    def build(side):
        x, w = side.tensor(X, "x"), side.tensor(W, "w")
        d = x - w
        e = 2.0 - x
        n = -w
        return {"x": x, "w": w, "d": d, "e": e, "n": n, "J": weighted(d, C) + weighted(e, X) + weighted(n, C)}

    gradient_case(student, reference, build, ["d", "e", "n", "x", "w"],
                  "d = x - w, e = 2 - x, n = -w and J = (d * C).sum() + (e * X).sum() + (n * C).sum()")


@pytest.mark.grade(uses=["Tensor.sum"] + BACKWARD, section="operations",
                   about="Tensor.sum")
def test_sum_gradients(student, reference):
    def build(side):
        x, w = side.tensor(X, "x"), side.tensor(W, "w")
        return {"x": x, "w": w, "J": x.sum() * w.sum()}

    gradient_case(student, reference, build, ["x", "w"], "J = x.sum() * w.sum()")


@pytest.mark.grade(uses=["Tensor.relu"] + BACKWARD, section="operations",
                   about="Tensor.relu")
def test_relu_gradients(student, reference):
    def build(side):
        x = side.tensor(RELU_X, "x")
        return {"x": x, "J": weighted(x.relu(), C)}

    gradient_case(student, reference, build, ["x"], f"J = (x.relu() * C).sum() and x = {RELU_X.tolist()} "
                                                    "(ReLU's slope is 0 at 0)")


@pytest.mark.grade(uses=["Tensor.sigmoid"] + BACKWARD, section="operations",
                   about="Tensor.sigmoid")
def test_sigmoid_gradients(student, reference):
    def build(side):
        x = side.tensor(X * 2, "x")
        return {"x": x, "J": weighted(x.sigmoid(), C)}

    gradient_case(student, reference, build, ["x"], "J = (x.sigmoid() * C).sum()")


# --- backward ----------------------------------------------------------------------------------

def small_graph(side):
    """The lesson's graph: a = x * y, b = a + x, J = b * a, from x = 2 and y = -3."""
    x, y = side.tensor(2.0, "x"), side.tensor(-3.0, "y")
    a = x * y
    b = a + x
    return {"x": x, "y": y, "a": a, "b": b, "J": b * a}


def layer_graph(side):
    """A layer whose output is used twice: h = relu(x @ M + w), J = (h * h * C).sum() + (h * C).sum()."""
    x, M = side.tensor(X, "x"), side.tensor(fixed(13, (3, 3))[0], "M")
    w = side.tensor(W, "w")
    h = (x @ M + w).relu()
    return {"x": x, "M": M, "w": w, "h": h, "J": weighted(h * h, C) + weighted(h, C)}


def order_graph(side):
    """A graph where a Tensor is used at two depths: a = x * y; s = a.sigmoid(); p = a * s; q = p + a;
    J = (q * s * C).sum(): a and s each have users on two levels, so an order that is not
    topological runs their rules too early."""
    x, y = side.tensor(X, "x"), side.tensor(fixed(14, (4, 3))[0], "y")
    a = x * y
    s = a.sigmoid()
    p = a * s
    q = p + a
    return {"x": x, "y": y, "a": a, "s": s, "p": p, "q": q, "J": weighted(q * s, C)}


SMALL = "a = x * y, b = a + x, J = b * a, from x = 2 and y = -3 (the lesson's graph)"
LAYER = "h = (x @ M + w).relu() and J = (h * h * C).sum() + (h * C).sum()"
ORDER = "a = x * y, s = a.sigmoid(), p = a * s, q = p + a and J = (q * s * C).sum()"


@pytest.mark.grade(uses=["Tensor.backward", "Tensor.__mul__", "Tensor.__add__", "sum_to_shape"],
                   section="fan-out")
def test_gradients_add_up_where_a_tensor_is_used_twice(student, reference):
    gradient_case(student, reference, small_graph, ["J", "b", "a", "y", "x"], SMALL)

    def square(side):
        x = side.tensor(X, "x")
        return {"x": x, "J": (x * x).sum()}

    gradient_case(student, reference, square, ["x"], "J = (x * x).sum()")


@pytest.mark.grade(uses=["Tensor.backward", "Tensor.relu", "Tensor.__matmul__"] + BACKWARD + ["Tensor.__add__"],
                   section="fan-out")
def test_gradients_of_a_layer_used_twice(student, reference):
    gradient_case(student, reference, layer_graph, ["h", "w", "M", "x"], LAYER)


@pytest.mark.grade(uses=["Tensor.backward", "Tensor.sigmoid", "Tensor.__add__"] + BACKWARD,
                   section="topological-order")
def test_rules_run_in_reverse_topological_order(student, reference):
    gradient_case(student, reference, order_graph, ["q", "p", "s", "a", "y", "x"], ORDER)


@pytest.mark.grade(uses=["Tensor.backward", "Tensor.__mul__", "Tensor.__add__", "sum_to_shape"],
                   section="topological-order")
def test_a_long_chain(student, reference):
    """300 operations one after another: the order must be found without passing Python's limits."""
    def chain(side):
        x = side.tensor(0.5, "x")
        h = x
        for _ in range(150):
            h = h * 0.99 + 0.01
        return {"x": x, "J": h * h}

    gradient_case(student, reference, chain, ["x"], "h = x, then 150 times h = h * 0.99 + 0.01, and J = h * h")


@pytest.mark.grade(uses=["Tensor.backward", "Tensor.sum", "Tensor.__matmul__"], section="backward")
def test_backward_adds_one_to_its_own_grad(student, reference):
    def scalar(side):
        x = side.tensor(X, "x")
        return {"x": x, "J": x.sum()}

    def one_by_one(side):
        row, column = side.tensor(X[:1], "row"), side.tensor(X[1:2].T, "column")
        return {"row": row, "column": column, "J": row @ column}

    gradient_case(student, reference, scalar, ["J", "x"], "J = x.sum()")
    gradient_case(student, reference, one_by_one, ["J", "row", "column"],
                  "J = row @ column, of shape (1, 1): one number")


@pytest.mark.grade(uses=["Tensor.backward", "Tensor.__mul__", "Tensor.__add__", "sum_to_shape"], section="backward")
def test_backward_twice_adds_twice(student, reference):
    for build, labels, what in ((small_graph, ["J", "b", "a", "y", "x"], SMALL),
                                (order_graph, ["J", "q", "s", "a", "x"], ORDER)):
        ours, theirs = both(student, reference, build)
        ours["J"].backward()
        theirs["J"].backward()
        theirs["J"].backward()
        expect_gradients(ours, theirs, labels, what, mistakes.twice, twice=True)


@pytest.mark.grade(uses=["zero_grad", "Tensor.backward", "Tensor.__mul__", "Tensor.__add__", "sum_to_shape"],
                   section="zero-grad")
def test_zero_grad(student, reference):
    ours, theirs = both(student, reference, small_graph)
    theirs["J"].backward()
    before = grads_of(theirs, ["x", "y", "a"])
    expect(all(np.any(np.asarray(g, dtype=float) != 0) for g in before.values() if g is not None)
           and None not in before.values(),
           f"after J.backward(), where {SMALL}, the grads of x, y and a are {before}: zero_grad needs gradients "
           "to clear")
    student.zero_grad([theirs["x"].tensor, theirs["a"].tensor])
    expect_array(theirs["x"].grad, np.zeros(()), "x.grad after zero_grad([x, a])")
    expect_array(theirs["a"].grad, np.zeros(()), "a.grad after zero_grad([x, a])")
    ours["J"].backward()
    expect_array(theirs["y"].grad, ours["y"].grad, "y.grad after zero_grad([x, a]) (y is not in the list: it keeps "
                                                   "its gradient)")


# --- cross_entropy -------------------------------------------------------------------------------

def logits_of(reference, digits, batch):
    """Real pre-activations a(L) of a reference Model on `batch` digits, times 3 (rows that differ more)."""
    model = reference("autodiff").Model((784, 30, 10), seed=5)
    x, t = sample(digits, batch)
    return 3 * np.array(model.logits(x).data), t


@pytest.mark.grade(uses=["cross_entropy"], section="cross-entropy")
@pytest.mark.parametrize("batch", [1, 10, 32], ids=["one example (10,)", "batch of 10 (square)", "batch of 32"])
def test_cross_entropy_values(student, reference, digits, batch):
    z, t = logits_of(reference, digits, batch)
    ours, theirs = both(student, reference, lambda side: side.cross_entropy(side.tensor(z, "z"), t.copy()))
    got = theirs.data
    diagnose = mistakes.cross_entropy(z, t, {"loss": np.float64(ours.data)}, lambda: {"loss": got})
    expect(np.size(got) == 1, f"cross_entropy(z, t).data for z of shape {z.shape} has shape {np.shape(got)}; "
                              "expected one number (0-d), the sum over every element", diagnose)
    expect_scalar(np.asarray(got, dtype=float).reshape(-1)[0], float(ours.data),
                  f"cross_entropy(z, t).data for z of shape {z.shape} (summed over every element)", diagnose=diagnose)


@pytest.mark.grade(uses=["cross_entropy", "Tensor.backward"], section="cross-entropy")
@pytest.mark.parametrize("batch", [1, 32], ids=["one example", "batch of 32"])
def test_cross_entropy_gradient(student, reference, digits, batch):
    z, t = logits_of(reference, digits, batch)

    def build(side):
        logits = side.tensor(z, "z")
        return {"z": logits, "J": side.cross_entropy(logits, t.copy())}

    gradient_case(student, reference, build, ["z"], f"J = cross_entropy(z, t), z of shape {z.shape} "
                                                    "(dJ/dz = softmax(z) - t)")


@pytest.mark.grade(uses=["cross_entropy", "Tensor.backward"], section="cross-entropy")
def test_cross_entropy_of_large_entries(student, reference):
    """Exact for entries of +-1000, without a warning: exp(1000) is inf, and log(0) is -inf."""
    z = np.array([[1000.0, 0.0, -1000.0], [-1000.0, -1000.0, -999.0], [1000.0, 1000.0, 0.0]])
    t = np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [1.0, 0.0, 0.0]])

    def build(side):
        logits = side.tensor(z, "z")
        return {"z": logits, "J": side.cross_entropy(logits, t.copy())}

    ours = build(Reference(reference("autodiff")))
    ours["J"].backward()

    def run():
        theirs = build(Student(student))
        theirs["J"].backward()
        return theirs["J"].data, theirs["z"].grad

    (value, grad), caught = quietly(run)
    diagnose = mistakes.unstable(caught, lambda: {"loss": value, "grad": grad})
    what = f"cross_entropy(z, t) with z = {z.tolist()} and t = {t.tolist()}"
    expect(not caught, f"{what} warned: {'; '.join(sorted(set(caught)))}", diagnose)
    expect(np.size(value) == 1 and np.all(np.isfinite(np.asarray(value, dtype=float))),
           f"{what} is {value!r}; expected {float(ours['J'].data):.6g}", diagnose)
    expect_scalar(np.asarray(value, dtype=float).reshape(-1)[0], float(ours["J"].data), what, diagnose=diagnose)
    expect_array(grad, ours["z"].grad, f"z.grad after backward() of {what}", diagnose=diagnose)


# --- Model -------------------------------------------------------------------------------------

def data_of(members, k, what):
    """members[k].data, read from a dict of the student's Tensors, or a WrongAnswer saying what is there."""
    expect(isinstance(members, dict) and k in members, f"{what} is {members!r}; expected a dict of Tensors keyed "
                                                       "by layer 1 ... L")
    try:
        return members[k].data
    except AttributeError:
        raise WrongAnswer(f"{what}[{k}] has no .data: expected a Tensor") from None


@pytest.mark.grade(uses=["Model.__init__"], section="model")
def test_model_init_is_he(student):
    definition = (784, 100, 10)
    model = student.Model(definition, seed=0)
    weights, biases = model.weights, model.biases
    for k, (n_in, n_out) in enumerate(zip(definition[:-1], definition[1:]), start=1):
        Wk = np.asarray(data_of(weights, k, "model.weights"), dtype=float)
        bk = data_of(biases, k, "model.biases")
        expect(Wk.shape == (n_in, n_out), f"weights[{k}].data of Model{definition} has shape {Wk.shape}, "
                                          f"expected {(n_in, n_out)}")
        expect_array(bk, np.zeros(n_out), f"biases[{k}].data of a new Model (zero)")
        std, wanted = float(Wk.std()), float(np.sqrt(2 / n_in))
        expect(abs(std - wanted) <= 0.05 * wanted and abs(float(Wk.mean())) <= 0.1 * wanted,
               f"weights[{k}].data of Model{definition} has mean {Wk.mean():.4g} and standard deviation {std:.4g}; "
               f"He initialisation draws mean 0 and standard deviation sqrt(2 / {n_in}) = {wanted:.4g}")
    again = student.Model(definition, seed=0).weights
    for k in weights:
        expect_array(data_of(again, k, "model.weights"), data_of(weights, k, "model.weights"),
                     f"weights[{k}].data of a second Model{definition} with seed=0 (the same seed, the same model)")


@pytest.mark.grade(uses=["Model.__init__", "Model.parameters"], section="model")
def test_model_parameters(student):
    definition = (784, 16, 16, 10)
    model = student.Model(definition, seed=0)
    params = model.parameters()
    expect(isinstance(params, (list, tuple)) and len(params) == 6,
           f"Model{definition}.parameters() returned {params!r}; expected a list of 6 Tensors, "
           "[weights[1], biases[1], weights[2], biases[2], weights[3], biases[3]]")
    weights, biases = model.weights, model.biases
    rng = np.random.default_rng(3)
    for i, k in enumerate((1, 2, 3)):
        for j, (members, name) in enumerate(((weights, "weights"), (biases, "biases"))):
            found = params[2 * i + j]
            expect(isinstance(found, remote.Remote) and type(found).__name__ not in PLAIN,
                   f"parameters()[{2 * i + j}] is {found!r}; expected the Tensor {name}[{k}] itself")
            marker = rng.normal(size=np.shape(data_of(members, k, f"model.{name}")))
            members[k].data = marker  # set through the model's own Tensor: the same object shows it
            expect_array(found.data, marker, f"parameters()[{2 * i + j}].data after setting {name}[{k}].data (the "
                                             f"list holds {name}[{k}] itself, not a copy)")


def twin_models(student, reference, definition):
    """The student's Model and a reference Classifier (lesson 7's), with the same non-zero parameters."""
    ours = reference("further").Classifier(definition, seed=0)
    rng = np.random.default_rng(1)
    for k in ours.biases:
        ours.biases[k] = rng.normal(0, 0.5, size=ours.biases[k].shape)  # zero biases would hide mistakes
    theirs = student.Model(definition, seed=0)
    weights, biases = theirs.weights, theirs.biases
    for k in ours.weights:
        data_of(weights, k, "model.weights")
        weights[k].data = ours.weights[k].copy()
        biases[k].data = ours.biases[k].copy()
    return ours, theirs


@pytest.mark.grade(uses=MODEL, section="model")
@EVERY_SHAPE_AND_BATCH
def test_model_loss_equals_the_classifiers(student, reference, digits, definition, batch):
    ours, theirs = twin_models(student, reference, definition)
    x, t = sample(digits, batch)
    ours.forward(x, t)
    loss = Live.made(student, theirs.loss(x, t), "Model.loss(features, targets)")
    got = loss.data
    expect(np.size(got) == 1, f"Model.loss(features, targets).data has shape {np.shape(got)}; expected one number")
    expect_scalar(np.asarray(got, dtype=float).reshape(-1)[0], ours.loss,
                  f"Model{definition}.loss(features, targets).data for features of shape {np.shape(x)}: lesson 7's "
                  "Classifier.loss from the same parameters (the cross-entropy, summed over the batch)")


@pytest.mark.grade(uses=MODEL + ["Tensor.backward"], section="model")
@EVERY_SHAPE_AND_BATCH
def test_model_gradients_equal_backprop(student, reference, digits, definition, batch):
    ours, theirs = twin_models(student, reference, definition)
    x, t = sample(digits, batch)
    ours.forward(x, t)
    ours.backprop(t)
    Live.made(student, theirs.loss(x, t), "Model.loss(features, targets)").backward()
    weights, biases = theirs.weights, theirs.biases
    for k in range(len(ours.weights), 0, -1):  # from the output down: the first wrong layer is the one to fix
        expect_array(biases[k].grad, ours.biases_grad[k], f"biases[{k}].grad after Model{definition}.loss(features, "
                     f"targets).backward(), features of shape {np.shape(x)}: lesson 7's backprop gives "
                     f"biases_grad[{k}]")
        expect_array(weights[k].grad, ours.weights_grad[k], f"weights[{k}].grad after Model{definition}.loss("
                     f"features, targets).backward(): lesson 7's backprop gives weights_grad[{k}]")


@pytest.mark.grade(uses=["Model.__init__", "Model.logits", "Model.predict"] + LAYERS, section="model")
def test_model_predict(student, reference, digits):
    ours, theirs = twin_models(student, reference, SHAPES["784-16-16-10"])
    x, _ = sample(digits, 64)
    expect_array(theirs.predict(x), ours.predict(x), "Model.predict() of 64 digits (one class index per row)",
                 rtol=0, atol=0)
    one = theirs.predict(x[0])
    expect(np.ndim(one) == 0 and int(np.asarray(one)) == int(ours.predict(x[0])),
           f"Model.predict() of one digit, features of shape (784,), returned {one!r}; expected the int "
           f"{int(ours.predict(x[0]))}")


# --- sgd_step ----------------------------------------------------------------------------------

SGD_SHAPES = [(5, 3), (3,)]
SGD_RATE, SGD_BATCH = 0.5, 4


def sgd_replay(start, gradients, zeroed=True, divide=True):
    """The parameters after each step of sgd_step on `gradients` (one list per step, the grads
    backward() adds for that step), as {label: array}; `zeroed=False` leaves the last step's grads
    in place, `divide=False` leaves out the / n."""
    data = [p.copy() for p in start]
    grads = [np.zeros_like(p) for p in start]
    after = {}
    for s, step in enumerate(gradients, start=1):
        grads = [g + d for g, d in zip(grads, step)]
        for i, g in enumerate(grads):
            data[i] = data[i] - SGD_RATE * g / (SGD_BATCH if divide else 1)
            after[f"parameter {i}'s data after step {s}"] = data[i].copy()
        if zeroed:
            grads = [np.zeros_like(g) for g in grads]
    return after


@pytest.mark.grade(uses=["sgd_step", "zero_grad"], section="sgd-step")
def test_sgd_step(student):
    start = fixed(20, *SGD_SHAPES)
    gradients = [fixed(21, *SGD_SHAPES), fixed(22, *SGD_SHAPES)]
    params = [Student(student).tensor(p, f"p{i}") for i, p in enumerate(start)]
    got = {}
    for s, step in enumerate(gradients, start=1):
        for p, d in zip(params, step):  # what backward() does: add this batch's gradient to grad
            p.tensor.grad = np.asarray(p.grad, dtype=float) + d
        student.sgd_step([p.tensor for p in params], SGD_RATE, SGD_BATCH)
        for i, p in enumerate(params):
            got[f"parameter {i}'s data after step {s}"] = p.data
            got[f"parameter {i}'s grad after step {s}"] = p.grad
    expected = sgd_replay(start, gradients)
    data_only = {label: value for label, value in got.items() if "data" in label}
    diagnose = mistakes.sgd(expected, lambda zeroed=True, divide=True: sgd_replay(start, gradients, zeroed, divide),
                            lambda: data_only)
    setting = f"sgd_step(parameters, learning_rate={SGD_RATE}, n={SGD_BATCH}), twice, each after a backward()"
    for s in (1, 2):
        for i in range(len(start)):
            expect_array(got[f"parameter {i}'s data after step {s}"], expected[f"parameter {i}'s data after step {s}"],
                         f"parameter {i}'s data after step {s} of {setting}", diagnose=diagnose)
            expect_array(got[f"parameter {i}'s grad after step {s}"], np.zeros(SGD_SHAPES[i]),
                         f"parameter {i}'s grad after step {s} of {setting} (set to zeros: the next backward() adds)",
                         diagnose=diagnose)


# --- the student's own Model on MNIST --------------------------------------------------------------

# The reference reaches about 97.8 % (validation-chosen epoch) in about 8 s of CPU: 50,000 training
# images, 5 epochs of batches of 32, plain gradient descent with a cosine schedule from 0.3; the
# epoch is chosen on the 10,000 validation images after them, and the test digits are read once.
E2E_TRAIN, E2E_VALIDATION, E2E_EPOCHS, E2E_BATCH, E2E_RATE, E2E_BAR = 50_000, 10_000, 5, 32, 0.3, 0.97
# CPU time, which other programs on a busy machine do not inflate; the wall clock only stops a hang.
E2E_CPU_SECONDS, E2E_WALL_SECONDS = 90, 400


def cosine_rates(epoch, steps_per_epoch, total, peak):
    """The learning rate of every step of `epoch`: peak * (1 + cos(pi * j / total)) / 2."""
    j = epoch * steps_per_epoch + np.arange(steps_per_epoch)
    return peak * (1 + np.cos(np.pi * j / total)) / 2


@pytest.mark.grade(uses=MODEL + ["Tensor.backward", "Model.parameters", "Model.predict", "sgd_step", "zero_grad"],
                   section="your-model-on-mnist", end_to_end=True)
@pytest.mark.timeout(E2E_WALL_SECONDS, method="signal")
def test_your_classifier_on_mnist(student, mnist):
    end = E2E_TRAIN + E2E_VALIDATION
    features = remote.build(student, "pixels", mnist.train_images[:E2E_TRAIN])
    targets = remote.build(student, "one_hot", mnist.train_labels[:E2E_TRAIN], 10)
    validation = remote.build(student, "pixels", mnist.train_images[E2E_TRAIN:end])
    validation_labels = np.asarray(mnist.train_labels[E2E_TRAIN:end])
    per_epoch = -(-E2E_TRAIN // E2E_BATCH)
    best, losses, accuracies = None, [], []
    with cpu_budget(E2E_CPU_SECONDS, reference_seconds=8, example_by_example_seconds=30):
        model = student.Model((784, 100, 10), seed=0)
        trainer = remote.build(student, "ModelTrainer", model, student.sgd_step)
        for epoch in range(E2E_EPOCHS):
            rates = cosine_rates(epoch, per_epoch, E2E_EPOCHS * per_epoch, E2E_RATE)
            losses.append(trainer.epoch(features, targets, E2E_BATCH, rates, epoch))
            predicted = np.asarray(model.predict(validation))
            expect(predicted.shape == validation_labels.shape,
                   f"your Model's predict() of {len(validation_labels):,} validation digits returned shape "
                   f"{predicted.shape}; expected ({len(validation_labels)},)")
            accuracies.append(float(np.mean(predicted == validation_labels)))
            if best is None or accuracies[-1] > best[0]:  # the epoch is chosen on validation, never on test
                weights, biases = model.weights, model.biases
                best = (accuracies[-1], epoch + 1, {k: np.array(weights[k].data) for k in weights},
                        {k: np.array(biases[k].data) for k in biases})
    _, chosen, best_weights, best_biases = best
    weights, biases = model.weights, model.biases
    for k in best_weights:
        weights[k].data, biases[k].data = best_weights[k], best_biases[k]
    tests = len(mnist.test_labels)
    predictions = np.asarray(model.predict(remote.build(student, "pixels", mnist.test_images)))  # read once
    expect(predictions.shape == (tests,), f"your Model's predict() of {tests:,} test digits returned shape "
                                          f"{predictions.shape}; expected ({tests},)")
    reached = float(np.mean(predictions == mnist.test_labels))
    shown = ", ".join(f"{a:.2%}" for a in accuracies)
    expect(reached >= E2E_BAR,
           f"your Model((784, 100, 10)) trained with your sgd_step on {E2E_TRAIN:,} MNIST images ({E2E_EPOCHS} epochs, "
           f"batches of {E2E_BATCH}, a cosine schedule from {E2E_RATE}) reached {reached:.2%} on {tests:,} test digits "
           f"at epoch {chosen}, the best on validation ({shown}); expected at least {E2E_BAR:.0%} (the reference "
           f"reaches about 97.8 %). Mean losses per epoch: {losses}")
