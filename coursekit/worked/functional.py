"""Lesson 2's worked example: lesson 1's [3, 4, 2] network in the column convention, one step.

The parameters, inputs and targets are lesson 1's (coursekit/worked/network.py), transposed:
one example per column, W(l) of shape (nl, n(l-1)), b(l) a column. So a student can set the
two lessons side by side: every array here is the transpose of lesson 1's, and every gradient
is half of lesson 1's (this lesson's loss carries a 1/2).
"""

import numpy as np

from coursekit.worked import Value
from coursekit.worked import network as lesson1

TITLE = "lesson 1's [3, 4, 2] network, one example per column"
DIMENSIONS = [3, 4, 2]
ETA = 0.5
W = [lesson1.W1.T.copy(), lesson1.W2.T.copy()]  # (4, 3) and (2, 4)
B = [lesson1.B1.reshape(-1, 1), lesson1.B2.reshape(-1, 1)]  # columns (4, 1) and (2, 1)
X = lesson1.X.T.copy()  # (3, 2): two examples, one per column
Y = lesson1.T.T.copy()  # (2, 2): their targets, one per column
SIGMA_INPUTS = np.array([-1000.0, -2.0, 0.0, 2.0, 1000.0])
DESCENT = {"n_epochs": 5, "every": 2}  # a short gradient_descent from the same start


def given():
    """The parameters, the inputs and the targets, as the lesson prints them."""
    return [
        Value(None, "W(1)", W[0]), Value(None, "b(1)", B[0]),
        Value(None, "W(2)", W[1]), Value(None, "b(2)", B[1]),
        Value(None, "x", X), Value(None, "y", Y),
        Value(None, "eta", ETA),
    ]


def start(module):
    """module.initialize_model(DIMENSIONS) with the example's parameters put in place."""
    model = module.initialize_model(list(DIMENSIONS), seed=0)
    model["weights"] = [w.copy() for w in W]
    model["biases"] = [b.copy() for b in B]
    return model


def trace(module):
    """Every value lesson 2's functions compute on the example, in the lesson's order."""
    model = module.initialize_model(list(DIMENSIONS), seed=0)
    yield Value("initialize_model", "nlayers", model["nlayers"], "the-model-dictionary")
    for l in (1, 2):
        yield Value("initialize_model", f"shape of W({l})", np.shape(model["weights"][l - 1]),
                    "the-model-dictionary")
        yield Value("initialize_model", f"shape of b({l})", np.shape(model["biases"][l - 1]),
                    "the-model-dictionary")
    yield Value("sigma", "sigma([-1000, -2, 0, 2, 1000])", module.sigma(SIGMA_INPUTS.copy()),
                "a-sigmoid-that-never-overflows")
    yield Value("sigma_prime", "sigma_prime([-1000, -2, 0, 2, 1000])",
                module.sigma_prime(SIGMA_INPUTS.copy()), "a-sigmoid-that-never-overflows")
    model = start(module)
    yhat, model = module.forward(X.copy(), model)
    for l in (1, 2):
        yield Value("forward", f"z({l})", model["z_inputs"][l - 1], "forward-propagation")
        yield Value("forward", f"a({l})", model["activations"][l], "forward-propagation")
    yield Value("forward", "yhat = a(2)", yhat, "forward-propagation")
    yield Value("loss", "E(yhat, y)", module.loss(yhat, Y.copy()), "the-loss-and-its-one-half")
    yield Value("loss_prime", "loss_prime(yhat, y)", module.loss_prime(yhat, Y.copy()),
                "the-loss-and-its-one-half")
    model = module.backward(Y.copy(), model)
    for l in (2, 1):
        yield Value("backward", f"dE/dW({l})", model["grad_weights"][l - 1],
                    "backpropagation-in-four-equations")
        yield Value("backward", f"dE/db({l})", model["grad_biases"][l - 1],
                    "backpropagation-in-four-equations")
    model = module.update(ETA, model)
    for l in (1, 2):
        yield Value("update", f"W({l}) after update", model["weights"][l - 1], "the-update-step")
        yield Value("update", f"b({l}) after update", model["biases"][l - 1], "the-update-step")
    _, epochs, losses = module.gradient_descent(X.copy(), Y.copy(), start(module), ETA, **DESCENT)
    yield Value("gradient_descent", "epochs (n_epochs=5, every=2)", np.asarray(epochs),
                "steepest-descent-on-a-small-problem")
    yield Value("gradient_descent", "losses", np.asarray(losses, dtype=float),
                "steepest-descent-on-a-small-problem")
