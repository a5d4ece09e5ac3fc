"""Columns, with a math-module sigmoid vectorised, extra keys in the model, and a He-normal start."""

import math

import numpy as np


def _logistic(v):
    if v >= 0:
        return 1.0 / (1.0 + math.exp(-v))
    e = math.exp(v)
    return e / (1.0 + e)


_vector_logistic = np.vectorize(_logistic, otypes=[float])


def initialize_model(dimensions, seed=None):
    rng = np.random.default_rng(seed)
    weights = [rng.normal(0.0, math.sqrt(2.0 / m), size=(n, m)) for m, n in zip(dimensions[:-1], dimensions[1:])]
    return {"nlayers": len(dimensions) - 1, "weights": weights, "biases": [np.zeros((n, 1)) for n in dimensions[1:]],
            "dimensions": list(dimensions), "name": "extras"}


def sigma(x):
    return _vector_logistic(x)


def sigma_prime(x):
    s = sigma(x)
    return s * (1.0 - s)


def loss(yhat, y):
    return float(np.sum((yhat - y) ** 2) * 0.5)


def loss_prime(yhat, y):
    return yhat - y


def forward(x, model):
    model["activations"], model["z_inputs"] = [x], []
    for W, b in zip(model["weights"], model["biases"]):
        model["z_inputs"].append(W.dot(model["activations"][-1]) + b)
        model["activations"].append(sigma(model["z_inputs"][-1]))
    model["steps_forward"] = model.get("steps_forward", 0) + 1
    return model["activations"][-1], model


def backward(y, model):
    a, z = model["activations"], model["z_inputs"]
    deltas = [loss_prime(a[-1], y) * sigma_prime(z[-1])]
    for l in range(model["nlayers"] - 1, 0, -1):
        deltas.insert(0, model["weights"][l].T.dot(deltas[0]) * sigma_prime(z[l - 1]))
    model["grad_weights"] = [d.dot(a[l].T) for l, d in enumerate(deltas)]
    model["grad_biases"] = [d.sum(axis=1, keepdims=True) for d in deltas]
    return model


def update(eta, model):
    model["weights"] = [W - eta * g for W, g in zip(model["weights"], model.pop("grad_weights"))]
    model["biases"] = [b - eta * g for b, g in zip(model["biases"], model.pop("grad_biases"))]
    model.pop("z_inputs")
    model.pop("activations")
    return model


def gradient_descent(X, y, model, eta, n_epochs, every=1):
    record = {}
    for epoch in range(n_epochs):
        yhat, model = forward(X, model)
        if epoch % every == 0:
            record[epoch] = loss(yhat, y)
        model = update(eta, backward(y, model))
    return model, list(record), list(record.values())
