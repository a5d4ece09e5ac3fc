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


# --8<-- [start:initialize_model]
def initialize_model(dimensions, seed=None):
    """A new network with layer widths `dimensions = [n0, n1, ..., nL]`, as a dict:

    model['nlayers']  L, the number of weight layers (the input is not a layer)
    model['weights']  [W(1), ..., W(L)], W(l) of shape (nl, n(l-1))
    model['biases']   [b(1), ..., b(L)], b(l) a column of shape (nl, 1)

    The same `seed` gives the same network.
    """
    # BEGIN SOLUTION: draw W(l) with shape (nl, n(l-1)) and b(l) with shape (nl, 1) for l = 1..L
    rng = np.random.default_rng(seed)
    weights, biases = [], []
    for n_in, n_out in zip(dimensions[:-1], dimensions[1:]):
        # Variance 1/n_in keeps every z(l) of order one, where the sigmoid still has a slope.
        weights.append(rng.normal(0.0, 1 / np.sqrt(n_in), size=(n_out, n_in)))
        biases.append(np.zeros((n_out, 1)))
    return {"nlayers": len(dimensions) - 1, "weights": weights, "biases": biases}
    # END SOLUTION
# --8<-- [end:initialize_model]


# --8<-- [start:sigma]
def sigma(x):
    """The logistic function 1 / (1 + exp(-x)), element-wise, for an array of any shape.

    exp is only ever taken of -|x| <= 0, so it cannot overflow: sigma(1000) is exactly 1 and
    sigma(-1000) exactly 0, with no warning.
    """
    # BEGIN SOLUTION: with u = exp(-|x|), sigma is 1 / (1 + u) where x >= 0 and u / (1 + u) elsewhere
    e = np.exp(-np.abs(x))  # in (0, 1]: both branches below are safe for every x
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))
    # END SOLUTION
# --8<-- [end:sigma]


# --8<-- [start:sigma_prime]
def sigma_prime(x):
    """The derivative of the logistic function at x, element-wise: sigma(x) (1 - sigma(x))."""
    # BEGIN SOLUTION: use sigma itself
    s = sigma(x)
    return s * (1 - s)
    # END SOLUTION
# --8<-- [end:sigma_prime]


# --8<-- [start:loss]
def loss(yhat, y):
    """E = 0.5 * sum((yhat - y)**2) over every element: yhat and y are (nL, N)."""
    # BEGIN SOLUTION: half the sum of the squared differences
    return 0.5 * np.sum((yhat - y) ** 2)
    # END SOLUTION
# --8<-- [end:loss]


# --8<-- [start:loss_prime]
def loss_prime(yhat, y):
    """The gradient of `loss` with respect to yhat, shape (nL, N): the 0.5 cancels the 2."""
    # BEGIN SOLUTION: the difference
    return yhat - y
    # END SOLUTION
# --8<-- [end:loss_prime]


# --8<-- [start:forward]
def forward(x, model):
    """Forward propagation of the columns of x, shape (n0, N), through the network.

    Returns (a(L), model): the output, shape (nL, N), and the model with two new keys,
    model['activations'] = [a(0) = x, a(1), ..., a(L)] and model['z_inputs'] = [z(1), ..., z(L)],
    which backward() needs.
    """
    # BEGIN SOLUTION: for l = 1..L compute z(l) = W(l) a(l-1) + b(l) and a(l) = sigma(z(l)), keeping both
    a = x
    activations, z_inputs = [a], []
    for W, b in zip(model["weights"], model["biases"]):
        z = W @ a + b  # b is a column: broadcasting adds it to each of the N columns
        a = sigma(z)
        z_inputs.append(z)
        activations.append(a)
    model["activations"], model["z_inputs"] = activations, z_inputs
    return a, model
    # END SOLUTION
# --8<-- [end:forward]


# --8<-- [start:backward]
def backward(y, model):
    """Back-propagation after forward(): the gradients of loss(a(L), y), summed over the N columns.

    y has the output's shape (nL, N). Returns the model with two new keys, lists in layer order
    with the parameters' shapes: model['grad_weights'] = [dE/dW(1), ..., dE/dW(L)] and
    model['grad_biases'] = [dE/db(1), ..., dE/db(L)].
    """
    # BEGIN SOLUTION: delta(L) from loss_prime and sigma_prime(z(L)); for l = L..1 store both gradients and pass delta down through W(l)
    weights, z_inputs, activations = model["weights"], model["z_inputs"], model["activations"]
    L = model["nlayers"]
    grad_weights, grad_biases = [None] * L, [None] * L
    delta = loss_prime(activations[L], y) * sigma_prime(z_inputs[L - 1])  # delta(L), (nL, N)
    for l in range(L, 0, -1):
        # List index l - 1 holds W(l), b(l) and z(l); activations[l - 1] is a(l-1).
        grad_weights[l - 1] = delta @ activations[l - 1].T  # sum over columns of delta a(l-1)^T
        grad_biases[l - 1] = delta.sum(axis=1, keepdims=True)  # a column, like b(l)
        if l > 1:
            delta = (weights[l - 1].T @ delta) * sigma_prime(z_inputs[l - 2])  # delta(l-1)
    model["grad_weights"], model["grad_biases"] = grad_weights, grad_biases
    return model
    # END SOLUTION
# --8<-- [end:backward]


# --8<-- [start:update]
def update(eta, model):
    """One step of gradient descent, W(l) <- W(l) - eta dE/dW(l) and b(l) <- b(l) - eta dE/db(l).

    Returns the model without the keys that forward() and backward() added, so that stale
    activations or gradients can never be used twice: backward() right after update() raises
    KeyError.
    """
    # BEGIN SOLUTION: new parameter lists from the gradients, then delete the four keys forward and backward added
    model["weights"] = [W - eta * dW for W, dW in zip(model["weights"], model["grad_weights"])]
    model["biases"] = [b - eta * db for b, db in zip(model["biases"], model["grad_biases"])]
    for key in ("z_inputs", "activations", "grad_weights", "grad_biases"):
        del model[key]
    return model
    # END SOLUTION
# --8<-- [end:update]


# --8<-- [start:gradient_descent]
def gradient_descent(X, y, model, eta, n_epochs, every=1):
    """Full-batch steepest descent: n_epochs steps of forward, backward and update on all of X.

    X is (n0, N) and y (nL, N). Returns (model, epochs, losses): epochs = [0, every, 2*every, ...]
    up to n_epochs - 1, and losses[i] the loss of the model at the start of epoch epochs[i],
    before that epoch's step.
    """
    # BEGIN SOLUTION: each epoch: forward, record the loss when epoch % every == 0, backward, update
    epochs, losses = [], []
    for epoch in range(n_epochs):
        yhat, model = forward(X, model)
        if epoch % every == 0:
            epochs.append(epoch)
            losses.append(loss(yhat, y))
        model = backward(y, model)
        model = update(eta, model)
    return model, epochs, losses
    # END SOLUTION
# --8<-- [end:gradient_descent]
