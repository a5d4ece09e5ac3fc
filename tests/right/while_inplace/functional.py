"""Columns with while loops; update changes the given dict's arrays in place."""

import numpy as np


def initialize_model(dimensions, seed=None):
    rng = np.random.default_rng(seed)
    model = {"nlayers": len(dimensions) - 1, "weights": [], "biases": []}
    l = 1
    while l < len(dimensions):
        model["weights"].append(rng.normal(0, dimensions[l - 1] ** -0.5, (dimensions[l], dimensions[l - 1])))
        model["biases"].append(np.zeros((dimensions[l], 1)))
        l += 1
    return model


def sigma(x):
    s = 1 / (1 + np.exp(-np.abs(x)))  # sigma(|x|), in [1/2, 1]
    return np.where(x >= 0, s, 1 - s)


def sigma_prime(x):
    s = 1 / (1 + np.exp(-np.abs(x)))
    return s * (1 - s)  # sigma'(x) = sigma'(-x)


def loss(yhat, y):
    return 0.5 * ((yhat - y) ** 2).sum()


def loss_prime(yhat, y):
    return yhat - y


def forward(x, model):
    activations, z_inputs = [x], []
    l = 0
    while l < model["nlayers"]:
        z = model["weights"][l] @ activations[l]
        z += model["biases"][l]
        z_inputs.append(z)
        activations.append(sigma(z))
        l += 1
    model["activations"], model["z_inputs"] = activations, z_inputs
    return activations[-1], model


def backward(y, model):
    L = model["nlayers"]
    gw, gb = [None] * L, [None] * L
    l = L - 1
    delta = loss_prime(model["activations"][L], y)
    delta *= sigma_prime(model["z_inputs"][l])
    while l >= 0:
        gw[l] = delta @ model["activations"][l].T
        gb[l] = delta.sum(axis=1).reshape(-1, 1)
        if l > 0:
            delta = model["weights"][l].T @ delta
            delta *= sigma_prime(model["z_inputs"][l - 1])
        l -= 1
    model["grad_weights"], model["grad_biases"] = gw, gb
    return model


def update(eta, model):
    l = 0
    while l < model["nlayers"]:
        model["weights"][l] -= eta * model["grad_weights"][l]
        model["biases"][l] -= eta * model["grad_biases"][l]
        l += 1
    del model["z_inputs"], model["activations"], model["grad_weights"], model["grad_biases"]
    return model


def gradient_descent(X, y, model, eta, n_epochs, every=1):
    epochs, losses = [], []
    epoch = 0
    while epoch < n_epochs:
        prediction, model = forward(X, model)
        if not epoch % every:
            epochs += [epoch]
            losses += [loss(prediction, y)]
        model = update(eta, backward(y, model))
        epoch += 1
    return model, epochs, losses
