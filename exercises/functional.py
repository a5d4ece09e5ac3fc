"""The network as a dictionary and functions, one example per column.

Lesson 2, "The network as a dictionary and functions". Notation (column convention, after
Nielsen's book; one example per column):

    a(0) = x                        inputs, shape (n0, N)
    z(l) = W(l) a(l-1) + b(l)       weighted inputs of layer l, shape (nl, N)
    a(l) = sigma(z(l))              activations of layer l, sigma the logistic sigmoid
    E    = 0.5 * sum((a(L) - y)**2) the loss, summed over every element

W(l) has shape (nl, n(l-1)) and b(l) shape (nl, 1): the transpose of lesson 1's matrices.
Everything the network is lives in one dict, `model`, which every function takes and returns.
Python lists count from 0, so `model['weights'][l - 1]` is W(l): the comments use l, the code
uses the list index.
"""

import numpy as np


def initialize_model(dimensions, seed=None):
    """A new network with layer widths `dimensions = [n0, n1, ..., nL]`, as a dict:

    model['nlayers']  L, the number of weight layers (the input is not a layer)
    model['weights']  [W(1), ..., W(L)], W(l) of shape (nl, n(l-1))
    model['biases']   [b(1), ..., b(L)], b(l) a column of shape (nl, 1)

    The same `seed` gives the same network.
    """
    # TODO: draw W(l) with shape (nl, n(l-1)) and b(l) with shape (nl, 1) for l = 1..L
    ...


def sigma(x):
    """The logistic function 1 / (1 + exp(-x)), element-wise, for an array of any shape.

    exp is only ever taken of -|x| <= 0, so it cannot overflow: sigma(1000) is exactly 1 and
    sigma(-1000) exactly 0, with no warning.
    """
    # TODO: with u = exp(-|x|), sigma is 1 / (1 + u) where x >= 0 and u / (1 + u) elsewhere
    ...


def sigma_prime(x):
    """The derivative of the logistic function at x, element-wise: sigma(x) (1 - sigma(x))."""
    # TODO: use sigma itself
    ...


def loss(yhat, y):
    """E = 0.5 * sum((yhat - y)**2) over every element: yhat and y are (nL, N)."""
    # TODO: half the sum of the squared differences
    ...


def loss_prime(yhat, y):
    """The gradient of `loss` with respect to yhat, shape (nL, N): the 0.5 cancels the 2."""
    # TODO: the difference
    ...


def forward(x, model):
    """Forward propagation of the columns of x, shape (n0, N), through the network.

    Returns (a(L), model): the output, shape (nL, N), and the model with two new keys,
    model['activations'] = [a(0) = x, a(1), ..., a(L)] and model['z_inputs'] = [z(1), ..., z(L)],
    which backward() needs.
    """
    # TODO: for l = 1..L compute z(l) = W(l) a(l-1) + b(l) and a(l) = sigma(z(l)), keeping both
    ...


def backward(y, model):
    """Back-propagation after forward(): the gradients of loss(a(L), y), summed over the N columns.

    y has the output's shape (nL, N). Returns the model with two new keys, lists in layer order
    with the parameters' shapes: model['grad_weights'] = [dE/dW(1), ..., dE/dW(L)] and
    model['grad_biases'] = [dE/db(1), ..., dE/db(L)].
    """
    # TODO: delta(L) from loss_prime and sigma_prime(z(L)); for l = L..1 store both gradients and
    # pass delta down through W(l)
    ...


def update(eta, model):
    """One step of gradient descent, W(l) <- W(l) - eta dE/dW(l) and b(l) <- b(l) - eta dE/db(l).

    Returns the model without the keys that forward() and backward() added, so that stale
    activations or gradients can never be used twice: backward() right after update() raises
    KeyError.
    """
    # TODO: new parameter lists from the gradients, then delete the four keys forward and backward
    # added
    ...


def gradient_descent(X, y, model, eta, n_epochs, every=1):
    """Full-batch steepest descent: n_epochs steps of forward, backward and update on all of X.

    X is (n0, N) and y (nL, N). Returns (model, epochs, losses): epochs = [0, every, 2*every, ...]
    up to n_epochs - 1, and losses[i] the loss of the model at the start of epoch epochs[i],
    before that epoch's step.
    """
    # TODO: each epoch: forward, record the loss when epoch % every == 0, backward, update
    ...
