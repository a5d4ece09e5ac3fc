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


class Sigmoid:
    """The logistic function 1 / (1 + exp(-x)), element-wise."""

    def fn(self, x):
        """sigma(x) for an array x of any shape, without overflow for large |x|."""
        # TODO: 1 / (1 + exp(-x)), taking exp only of non-positive numbers
        ...

    def deriv(self, x):
        """sigma'(x) at the pre-activation x: sigma(x) (1 - sigma(x))."""
        # TODO: sigma(x) (1 - sigma(x)), with x the pre-activation, not the output
        ...


class Tanh:
    """The hyperbolic tangent, element-wise."""

    def fn(self, x):
        """tanh(x) for an array x of any shape."""
        # TODO: NumPy has it
        ...

    def deriv(self, x):
        """tanh'(x) at the pre-activation x: 1 - tanh(x)**2."""
        # TODO: 1 - tanh(x)**2
        ...


class ReLU:
    """The rectified linear unit max(x, 0), element-wise."""

    def fn(self, x):
        """max(x, 0) for an array x of any shape."""
        # TODO: the larger of x and 0, element by element
        ...

    def deriv(self, x):
        """1 where x > 0 and 0 where x <= 0 (the kink at 0 gets 0, by convention)."""
        # TODO: 1.0 where x > 0, else 0.0
        ...


class L2:
    """The squared error, summed over every element (every output of every row)."""

    def fn(self, yhat, y):
        """sum((yhat - y)**2), one number for the whole batch."""
        # TODO: the sum of the squared differences
        ...

    def deriv(self, yhat, y):
        """d fn / d yhat = 2 (yhat - y), the shape of yhat."""
        # TODO: 2 (yhat - y)
        ...


class NN:
    """A fully connected network with layer widths `sizes = [n0, n1, ..., nL]`.

    `w[i]` has shape (sizes[i], sizes[i+1]) and `b[i]` shape (1, sizes[i+1]), i = 0 ... L-1.
    `activation` follows every layer, output included; `loss` compares the output with targets.
    """

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

    def forward_pass(self, x):
        """The output h(L), shape (N, nL), for x of shape (N, n0); a 1-D x (n0,) is one row."""
        # TODO: make x a (N, n0) matrix, then apply each linear node and the activation
        ...

    def eval_loss(self, x, y):
        """The loss of the network's output for x against the targets y, as a float."""
        # TODO: the loss object's fn of the forward pass and the targets
        ...

    def backprop(self, x, y):
        """The gradients of eval_loss(x, y): (w_grad, b_grad), lists shaped like w and b.

        x is (N, n0) with y (N, nL), or one row: x (n0,) with y (nL,) or (1, nL).
        Gradients are summed over the rows, as the loss is.
        """
        # TODO: a forward pass keeping every z(i) and h(i), then walk the graph backwards
        ...
