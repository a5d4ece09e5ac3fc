"""Lesson 1's worked example: a [3, 4, 2] Network, a batch of two examples, one step.

The parameters are small round numbers rather than a seeded draw, so that a student can
follow the first products by hand.
"""

import numpy as np

from coursekit.worked import Value

TITLE = "a [3, 4, 2] network and a batch of two examples"
DEFINITION = (3, 4, 2)
LEARNING_RATE = 0.5

W1 = np.array([[0.1, -0.2, 0.3, 0.0],
               [0.4, 0.1, -0.3, 0.2],
               [-0.1, 0.2, 0.1, 0.5]])
B1 = np.array([0.1, 0.0, -0.1, 0.2])
W2 = np.array([[0.3, -0.4],
               [0.2, 0.1],
               [-0.5, 0.3],
               [0.1, 0.2]])
B2 = np.array([0.0, 0.1])
X = np.array([[1.0, 0.5, -1.0],
              [0.0, 2.0, 1.0]])
T = np.array([[1.0, 0.0],
              [0.0, 1.0]])
WEIGHTS, BIASES = {1: W1, 2: W2}, {1: B1, 2: B2}


def parameters(weights, biases):
    """The given W(k) and b(k), layer by layer: lesson 7's example prints its own the same way."""
    return [Value(None, f"{name}({k})", values[k])
            for k in weights for name, values in (("W", weights), ("b", biases))]


def given():
    """The parameters, the input and the targets, as the lesson prints them."""
    return [*parameters(WEIGHTS, BIASES), Value(None, "x", X), Value(None, "t", T),
            Value(None, "learning_rate", LEARNING_RATE)]


def holding(net, weights, biases):
    """`net` (a student's or the reference's) with copies of `weights` and `biases` as its W(k), b(k)."""
    net.weights = {k: W.copy() for k, W in weights.items()}
    net.biases = {k: b.copy() for k, b in biases.items()}
    return net


def network(module):
    """module.Network(DEFINITION) with the example's parameters put in place."""
    return holding(module.Network(DEFINITION, seed=0), WEIGHTS, BIASES)


def layer_values(net, method, section):
    """a(k) and h(k), k = 1, 2, as `method` (a forward pass) stored them in `net`: lesson 7's
    example has two layers too."""
    for k in (1, 2):
        yield Value(method, f"a({k})", net.layers[k], section)
        yield Value(method, f"h({k})", net.activations[k], section)


def sigmoid_slope(h):
    """f'(a) from h = f(a): the lesson's h (1 - h)."""
    return h * (1 - h)


def trace(module):
    """Every value lesson 1's methods compute on the example, in the lesson's order.

    Backprop's g is not stored by the method: its values are worked out here from what forward
    stored, as the pseudocode computes them, and marked `compared=False`.
    """
    net = network(module)
    net.forward(X.copy(), T.copy())
    yield from layer_values(net, "Network.forward", "the-forward-pass")
    yield Value("Network.forward", "output", net.output, "the-forward-pass")
    yield Value("Network.forward", "loss", net.loss, "the-loss")
    yield Value("Network.compute_loss", "compute_loss(t)", net.compute_loss(T.copy()), "the-loss")
    weights = {k: net.weights[k].copy() for k in (1, 2)}  # before update() changes them
    net.backprop(T.copy())
    g = 2 * (np.asarray(net.output) - T)
    yield Value("Network.backprop", "g = dJ/dy", g, "backpropagation", compared=False)
    for k in (2, 1):
        g = g * sigmoid_slope(np.asarray(net.activations[k]))
        yield Value("Network.backprop", f"g = dJ/da({k})", g, "backpropagation", compared=False)
        yield Value("Network.backprop", f"weights_grad[{k}]", net.weights_grad[k], "backpropagation")
        yield Value("Network.backprop", f"biases_grad[{k}]", net.biases_grad[k], "backpropagation")
        if k > 1:
            g = g @ weights[k].T
            yield Value("Network.backprop", f"g = dJ/dh({k - 1})", g, "backpropagation", compared=False)
    net.update(LEARNING_RATE)
    for k in (1, 2):
        yield Value("Network.update", f"W({k}) after update", net.weights[k], "one-step-of-gradient-descent")
        yield Value("Network.update", f"b({k}) after update", net.biases[k], "one-step-of-gradient-descent")
    yield Value("Network.predict", "predict(x)", net.predict(X.copy()), "predicting-a-digit")
    yield Value("Network.predict", "predict(x[0])", net.predict(X[0].copy()), "predicting-a-digit")
