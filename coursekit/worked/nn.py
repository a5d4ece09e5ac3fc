"""Lesson 3's worked example: lesson 1's [3, 4, 2] network and batch, with tanh activations.

The parameters, inputs and targets are lesson 1's (coursekit/worked/network.py), in the same
row convention (`w[0]` is lesson 1's W(1)). The activation is `Tanh`, so that the numbers
differ from lesson 1's where the activation matters and agree where it does not. The network
runs with the reference's `Tanh` and `L2`, as the grader's network tests do, so a slip in the
student's activations shows in their own values and not in every value of `NN`.
"""

import numpy as np

from coursekit import solutions
from coursekit.worked import Value
from coursekit.worked import network as lesson1

TITLE = "lesson 1's [3, 4, 2] network and batch, with tanh"
SIZES = [3, 4, 2]
W = [lesson1.W1.copy(), lesson1.W2.copy()]  # w[0] (3, 4), w[1] (4, 2)
B = [lesson1.B1.reshape(1, -1), lesson1.B2.reshape(1, -1)]  # rows (1, 4) and (1, 2)
X = lesson1.X.copy()  # (2, 3): two examples, one per row
Y = lesson1.T.copy()  # (2, 2): their targets
Z = np.array([-2.0, -0.5, 0.0, 0.5, 2.0])  # where the activations are evaluated
YHAT_L2 = np.array([[0.5, -0.25], [0.0, 1.5]])  # a made-up output for the L2 example, against Y
ACTIVATIONS = ("Sigmoid", "Tanh", "ReLU")


def given():
    """The parameters, the inputs and the targets, as the lesson prints them."""
    return [
        Value(None, "w[0]", W[0]), Value(None, "b[0]", B[0]),
        Value(None, "w[1]", W[1]), Value(None, "b[1]", B[1]),
        Value(None, "x", X), Value(None, "y", Y),
    ]


def network(module):
    """module.NN(SIZES) with the reference's Tanh and L2 and the example's parameters."""
    reference = solutions.load("nn")
    net = module.NN(list(SIZES), reference.Tanh(), reference.L2(), seed=0)
    net.w = [w.copy() for w in W]
    net.b = [b.copy() for b in B]
    return net


def trace(module):
    """Every value lesson 3's methods compute on the example, in the lesson's order."""
    for name in ACTIVATIONS:
        unit = getattr(module, name)()
        yield Value(f"{name}.fn", f"{name}().fn(z)", unit.fn(Z.copy()), "activations-and-losses-as-objects")
        yield Value(f"{name}.deriv", f"{name}().deriv(z)", unit.deriv(Z.copy()),
                    "activations-and-losses-as-objects")
    net = network(module)
    yield Value("NN.forward_pass", "forward_pass(x)", net.forward_pass(X.copy()), "the-forward-pass")
    yield Value("NN.forward_pass", "forward_pass(x[0]), one row", net.forward_pass(X[0].copy()),
                "the-forward-pass")
    loss = module.L2()
    yield Value("L2.fn", "L2().fn(yhat, y)", loss.fn(YHAT_L2.copy(), Y.copy()), "the-loss")
    yield Value("L2.deriv", "L2().deriv(yhat, y)", loss.deriv(YHAT_L2.copy(), Y.copy()), "the-loss")
    yield Value("NN.eval_loss", "eval_loss(x, y)", net.eval_loss(X.copy(), Y.copy()), "the-loss")
    w_grad, b_grad = net.backprop(X.copy(), Y.copy())
    for i in (1, 0):
        yield Value("NN.backprop", f"w_grad[{i}]", w_grad[i], "backprop-in-code")
        yield Value("NN.backprop", f"b_grad[{i}]", b_grad[i], "backprop-in-code")

