"""Lesson 8's worked example: the graph a = x * y, b = a + x, J = b * a, and lesson 7's classifier.

x = 2 and y = -3 are small enough to follow by hand, and the graph has the two things a hand
derivation gets wrong: x is used twice (by a and by b) and a is used twice (by b and by J), so
their gradients are sums of two shares. Then the [3, 4, 3] classifier of lesson 7's worked
example, rebuilt as a Model from the same parameters: its loss and gradients are lesson 7's.
"""

import numpy as np

from coursekit.worked import Value
from coursekit.worked import further as lesson7
from coursekit.worked import network as lesson1

TITLE = "the graph a = x * y, b = a + x, J = b * a, from x = 2 and y = -3, and lesson 7's [3, 4, 3] classifier"
X, Y = 2.0, -3.0
U = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])  # broadcasting: (2, 3) + (3,)
V = np.array([10.0, 20.0, 30.0])
Z = np.array([-2.0, 0.0, 1.5])  # relu and sigmoid, 0 included
LEARNING_RATE = 0.5
# The reference's code standing in for a stub (grader/trace.py) uses the student's Tensor: a
# reference __add__ must make the student's Tensors, which the student's backward() knows.
REBIND_STAND_INS = True
DEFINITION = lesson7.DEFINITION
WEIGHTS, BIASES, FEATURES, TARGETS = lesson7.WEIGHTS, lesson7.BIASES, lesson7.X, lesson7.T


def given():
    """The graph's two inputs, the arrays of the operations, and lesson 7's classifier."""
    return [Value(None, "x", X), Value(None, "y", Y), Value(None, "u", U), Value(None, "v", V), Value(None, "z", Z),
            *lesson1.parameters(WEIGHTS, BIASES), Value(None, "features", FEATURES), Value(None, "targets", TARGETS),
            Value(None, "learning_rate", LEARNING_RATE)]


def graph(module):
    """The small graph, from the module's Tensors: {name: Tensor}."""
    x, y = module.Tensor(X), module.Tensor(Y)
    a = x * y
    b = a + x
    return {"x": x, "y": y, "a": a, "b": b, "J": b * a}


def model(module):
    """module.Model(DEFINITION) holding lesson 7's example parameters."""
    net = module.Model(DEFINITION, seed=0)
    for k in WEIGHTS:
        net.weights[k].data = WEIGHTS[k].copy()
        net.biases[k].data = BIASES[k].copy()
    return net


def trace(module):
    """Every value lesson 8's functions and methods compute on the example, in the lesson's order."""
    T = module.Tensor
    yield Value("Tensor.__add__", "(u + v).data", (T(U) + T(V)).data, "operations")
    yield Value("Tensor.__mul__", "(u * v).data", (T(U) * T(V)).data, "operations")
    yield Value("Tensor.__matmul__", "(u @ v).data", (T(U) @ T(V)).data, "operations")
    yield Value("Tensor.__neg__", "(-v).data", (-T(V)).data, "operations")
    yield Value("Tensor.__sub__", "(v - u).data", (T(V) - T(U)).data, "operations")
    yield Value("Tensor.sum", "u.sum().data", T(U).sum().data, "operations")
    yield Value("Tensor.relu", "z.relu().data", T(Z).relu().data, "operations")
    yield Value("Tensor.sigmoid", "z.sigmoid().data", T(Z).sigmoid().data, "operations")
    yield Value("sum_to_shape", "sum_to_shape(u, (3,))", module.sum_to_shape(U.copy(), (3,)), "broadcasting")
    yield Value("sum_to_shape", "sum_to_shape(u, (2, 1))", module.sum_to_shape(U.copy(), (2, 1)), "broadcasting")
    g = graph(module)
    for name in ("a", "b", "J"):
        yield Value("Tensor.__mul__" if name != "b" else "Tensor.__add__", f"{name}.data", g[name].data, "backward")
    g["J"].backward()
    for name in ("J", "b", "a", "y", "x"):
        yield Value("Tensor.backward", f"{name}.grad", g[name].grad, "backward")
    g["J"].backward()
    yield Value("Tensor.backward", "x.grad after a second J.backward()", g["x"].grad, "backward")
    module.zero_grad([g["x"], g["y"]])
    yield Value("zero_grad", "x.grad after zero_grad([x, y])", g["x"].grad, "zero-grad")
    yield Value("zero_grad", "a.grad after zero_grad([x, y])", g["a"].grad, "zero-grad")
    fresh = module.Model(DEFINITION, seed=0)  # its draws depend on how the RNG is called: shapes only
    for k in (1, 2):
        yield Value("Model.__init__", f"weights[{k}].data.shape", np.shape(fresh.weights[k].data), "model")
        yield Value("Model.__init__", f"biases[{k}].data", fresh.biases[k].data, "model")
    net = model(module)
    logits = net.logits(FEATURES.copy())
    yield Value("Model.logits", "a(2) = model.logits(features).data", logits.data, "model")
    J = module.cross_entropy(logits, TARGETS.copy())
    yield Value("cross_entropy", "cross_entropy(a(2), targets).data", J.data, "cross-entropy")
    J.backward()
    yield Value("cross_entropy", "a(2).grad = softmax(a(2)) - targets", logits.grad, "cross-entropy")
    net = model(module)
    loss = net.loss(FEATURES.copy(), TARGETS.copy())
    yield Value("Model.loss", "model.loss(features, targets).data", loss.data, "model")
    loss.backward()
    for k in (2, 1):
        yield Value("Model.loss", f"weights[{k}].grad", net.weights[k].grad, "model")
        yield Value("Model.loss", f"biases[{k}].grad", net.biases[k].grad, "model")
    yield Value("Model.parameters", "[p.data.size for p in model.parameters()]",
                np.array([np.size(p.data) for p in net.parameters()]), "model")
    yield Value("Model.predict", "model.predict(features)", net.predict(FEATURES.copy()), "model")
    module.sgd_step(net.parameters(), LEARNING_RATE, len(FEATURES))
    yield Value("sgd_step", "weights[2].data after sgd_step(parameters, 0.5, 2)", net.weights[2].data, "sgd-step")
    yield Value("sgd_step", "weights[2].grad after sgd_step", net.weights[2].grad, "sgd-step")
