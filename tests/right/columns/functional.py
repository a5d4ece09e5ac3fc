"""Columns, written with np.dot and explicit .T everywhere."""

import numpy as np


def initialize_model(dimensions, seed=None):
    rng = np.random.default_rng(seed)
    model = {"nlayers": len(dimensions) - 1, "weights": [], "biases": []}
    for l in range(1, len(dimensions)):
        model["weights"].append(rng.standard_normal((dimensions[l], dimensions[l - 1])) * np.sqrt(1.0 / dimensions[l - 1]))
        model["biases"].append(np.zeros(dimensions[l])[:, np.newaxis])
    return model


def sigma(x):
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(x, dtype=float)))


def sigma_prime(x):
    return sigma(x) * sigma(-np.asarray(x, dtype=float))


def loss(yhat, y):
    d = (yhat - y).reshape(-1)
    return 0.5 * float(np.dot(d, d))


def loss_prime(yhat, y):
    return np.subtract(yhat, y)


def forward(x, model):
    model["activations"], model["z_inputs"] = [x], []
    for W, b in zip(model["weights"], model["biases"]):
        z = np.dot(W, model["activations"][-1]) + b
        model["z_inputs"].append(z)
        model["activations"].append(sigma(z))
    return model["activations"][-1], model


def backward(y, model):
    W, Z, A = model["weights"], model["z_inputs"], model["activations"]
    L = model["nlayers"]
    gw, gb = [None] * L, [None] * L
    delta = loss_prime(A[L], y) * sigma_prime(Z[L - 1])
    for l in reversed(range(L)):
        gw[l] = np.dot(delta, A[l].T)
        gb[l] = np.dot(delta, np.ones((delta.shape[1], 1)))
        if l:
            delta = np.dot(W[l].T, delta) * sigma_prime(Z[l - 1])
    model["grad_weights"], model["grad_biases"] = gw, gb
    return model


def update(eta, model):
    new = {"nlayers": model["nlayers"]}
    new["weights"] = [W - eta * g for W, g in zip(model["weights"], model["grad_weights"])]
    new["biases"] = [b - eta * g for b, g in zip(model["biases"], model["grad_biases"])]
    return new


def gradient_descent(X, y, model, eta, n_epochs, every=1):
    epochs = np.arange(0, n_epochs, every)
    losses = np.zeros(len(epochs))
    for epoch in range(n_epochs):
        yhat, model = forward(X, model)
        if epoch % every == 0:
            losses[epoch // every] = loss(yhat, y)
        model = update(eta, backward(y, model))
    return model, epochs, losses
