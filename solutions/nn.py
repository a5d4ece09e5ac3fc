"""A network whose activation and loss are objects you plug in.

Lesson 3, "Backprop as a computational graph". Row convention, as in network.py: one example
per row, and every layer i = 0 ... L-1 is two nodes of the graph,

    h(0) = x                         the input, shape (N, n0); a 1-D x is one row, (1, n0)
    z(i) = h(i) w[i] + b[i]          a linear node, shape (N, n(i+1))
    h(i+1) = activation.fn(z(i))     an activation node, same shape
    yhat = h(L)                      the output, shape (N, nL)
    loss = loss.fn(yhat, y)          the last node: one number

Each node knows only its own derivative. An activation or a loss is any object with two
methods, `fn` and `deriv`, so swapping sigmoid for ReLU changes no line of NN.
"""

import numpy as np


# --8<-- [start:activations]
# --8<-- [start:sigmoid]
class Sigmoid:
    """The logistic function 1 / (1 + exp(-x)), element-wise."""

    def fn(self, x):
        """sigma(x) for an array x of any shape, without overflow for large |x|."""
        # BEGIN SOLUTION: 1 / (1 + exp(-x)), taking exp only of non-positive numbers
        e = np.exp(-np.abs(x))
        return np.where(x >= 0, 1 / (1 + e), e / (1 + e))
        # END SOLUTION

    def deriv(self, x):
        """sigma'(x) at the pre-activation x: sigma(x) (1 - sigma(x))."""
        # BEGIN SOLUTION: sigma(x) (1 - sigma(x)), with x the pre-activation, not the output
        s = self.fn(x)
        return s * (1 - s)
        # END SOLUTION
# --8<-- [end:sigmoid]


# --8<-- [start:tanh]
class Tanh:
    """The hyperbolic tangent, element-wise."""

    def fn(self, x):
        """tanh(x) for an array x of any shape."""
        # BEGIN SOLUTION: NumPy has it
        return np.tanh(x)
        # END SOLUTION

    def deriv(self, x):
        """tanh'(x) at the pre-activation x: 1 - tanh(x)**2."""
        # BEGIN SOLUTION: 1 - tanh(x)**2
        return 1 - np.tanh(x) ** 2
        # END SOLUTION
# --8<-- [end:tanh]


# --8<-- [start:relu]
class ReLU:
    """The rectified linear unit max(x, 0), element-wise."""

    def fn(self, x):
        """max(x, 0) for an array x of any shape."""
        # BEGIN SOLUTION: the larger of x and 0, element by element
        return np.maximum(x, 0.0)
        # END SOLUTION

    def deriv(self, x):
        """1 where x > 0 and 0 where x <= 0 (the kink at 0 gets 0, by convention)."""
        # BEGIN SOLUTION: 1.0 where x > 0, else 0.0
        return np.where(x > 0, 1.0, 0.0)
        # END SOLUTION
# --8<-- [end:relu]
# --8<-- [end:activations]


# --8<-- [start:loss]
class L2:
    """The squared error, summed over every element (every output of every row)."""

    def fn(self, yhat, y):
        """sum((yhat - y)**2), one number for the whole batch."""
        # BEGIN SOLUTION: the sum of the squared differences
        return np.sum((yhat - y) ** 2)
        # END SOLUTION

    def deriv(self, yhat, y):
        """d fn / d yhat = 2 (yhat - y), the shape of yhat."""
        # BEGIN SOLUTION: 2 (yhat - y)
        return 2 * (yhat - y)
        # END SOLUTION
# --8<-- [end:loss]


class NN:
    """A fully connected network with layer widths `sizes = [n0, n1, ..., nL]`.

    `w[i]` has shape (sizes[i], sizes[i+1]) and `b[i]` shape (1, sizes[i+1]), i = 0 ... L-1.
    `activation` follows every layer, output included; `loss` compares the output with targets.
    """

    # --8<-- [start:init]
    def __init__(self, sizes, activation, loss, seed=None):
        self.sizes = list(sizes)
        self.num_layers = len(self.sizes) - 1  # L, the number of weight layers
        self.activation = activation
        self.loss = loss
        rng = np.random.default_rng(seed)
        # Standard deviation 1/sqrt(n_in) keeps every z(i) of order one at the start.
        self.w = [rng.normal(0.0, 1 / np.sqrt(n_in), size=(n_in, n_out))
                  for n_in, n_out in zip(self.sizes[:-1], self.sizes[1:])]
        self.b = [np.zeros((1, n_out)) for n_out in self.sizes[1:]]
    # --8<-- [end:init]

    # --8<-- [start:forward_pass]
    def forward_pass(self, x):
        """The output h(L), shape (N, nL), for x of shape (N, n0); a 1-D x (n0,) is one row."""
        # BEGIN SOLUTION: make x a (N, n0) matrix, then apply each linear node and the activation
        h = x.reshape(1, -1) if x.ndim == 1 else x
        for w, b in zip(self.w, self.b):
            h = self.activation.fn(h @ w + b)
        return h
        # END SOLUTION
    # --8<-- [end:forward_pass]

    # --8<-- [start:eval_loss]
    def eval_loss(self, x, y):
        """The loss of the network's output for x against the targets y, as a float."""
        # BEGIN SOLUTION: the loss object's fn of the forward pass and the targets
        return float(self.loss.fn(self.forward_pass(x), y))
        # END SOLUTION
    # --8<-- [end:eval_loss]

    # --8<-- [start:backprop]
    def backprop(self, x, y):
        """The gradients of eval_loss(x, y): (w_grad, b_grad), lists shaped like w and b.

        x is (N, n0) with y (N, nL), or one row: x (n0,) with y (nL,) or (1, nL).
        Gradients are summed over the rows, as the loss is.
        """
        # BEGIN SOLUTION: a forward pass keeping every z(i) and h(i), then walk the graph backwards
        # Forward, keeping the value at every node: zs[i] = z(i), hs[i] = h(i).
        h = x.reshape(1, -1) if x.ndim == 1 else x
        zs, hs = [], [h]
        for w, b in zip(self.w, self.b):
            z = h @ w + b
            h = self.activation.fn(z)
            zs.append(z)
            hs.append(h)
        # Backward: g is always dloss/d(the node named in the comment), shape (N, width).
        g = self.loss.deriv(h, y)  # dloss/dyhat; a (nL,) target broadcasts against (1, nL)
        w_grad, b_grad = [None] * self.num_layers, [None] * self.num_layers
        for i in reversed(range(self.num_layers)):
            g = g * self.activation.deriv(zs[i])  # dloss/dz(i): the activation node's local slope
            w_grad[i] = hs[i].T @ g  # dloss/dw[i]: h(i) is what w[i] multiplied, summed over rows
            b_grad[i] = g.sum(axis=0, keepdims=True)  # dloss/db[i]: b[i] was added to every row
            g = g @ self.w[i].T  # dloss/dh(i): back through the linear node
        return w_grad, b_grad
        # END SOLUTION
    # --8<-- [end:backprop]
