"""Columns; forward and backward recurse over the layers."""

import numpy as np


def initialize_model(dimensions, seed=None):
    rng = np.random.default_rng(seed)
    pairs = list(zip(dimensions[:-1], dimensions[1:]))
    return {"nlayers": len(pairs),
            "weights": [rng.normal(0, 1, (n, m)) / np.sqrt(m) for m, n in pairs],
            "biases": [rng.normal(0, 0.01, (n, 1)) for _, n in pairs]}


def sigma(x):
    return np.exp(np.minimum(x, 0)) / (1 + np.exp(-np.abs(x)))


def sigma_prime(x):
    return sigma(x) * (1 - sigma(x))


def loss(yhat, y):
    return np.sum((yhat - y) ** 2) / 2


def loss_prime(yhat, y):
    return yhat - y


def _forward(l, a, model):
    if l == model["nlayers"]:
        return a
    z = model["weights"][l] @ a + model["biases"][l]
    model["z_inputs"].append(z)
    model["activations"].append(sigma(z))
    return _forward(l + 1, model["activations"][-1], model)


def forward(x, model):
    model["activations"], model["z_inputs"] = [x], []
    return _forward(0, x, model), model


def _backward(l, delta, model):
    """delta = dE/dz for list index l; fills the gradients of l and below."""
    model["grad_weights"][l] = delta @ model["activations"][l].T
    model["grad_biases"][l] = np.sum(delta, axis=1, keepdims=True)
    if l > 0:
        _backward(l - 1, (model["weights"][l].T @ delta) * sigma_prime(model["z_inputs"][l - 1]), model)


def backward(y, model):
    L = model["nlayers"]
    model["grad_weights"], model["grad_biases"] = [None] * L, [None] * L
    _backward(L - 1, loss_prime(model["activations"][L], y) * sigma_prime(model["z_inputs"][L - 1]), model)
    return model


def update(eta, model):
    return {"nlayers": model["nlayers"],
            "weights": [W - eta * dW for W, dW in zip(model["weights"], model["grad_weights"])],
            "biases": [b - eta * db for b, db in zip(model["biases"], model["grad_biases"])]}


def gradient_descent(X, y, model, eta, n_epochs, every=1, epoch=0):
    """Recursive over the epochs too: one step, then the remaining epochs."""
    if epoch == n_epochs:
        return model, [], []
    yhat, model = forward(X, model)
    model = update(eta, backward(y, model))
    model, epochs, losses = gradient_descent(X, y, model, eta, n_epochs, every, epoch + 1)
    if epoch % every == 0:
        epochs, losses = [epoch] + epochs, [loss(yhat, y)] + losses
    return model, epochs, losses
