"""The network as a dict, one example per column, backward as a loop over the columns."""

import numpy as np


def initialize_model(dimensions, seed=None):
    rng = np.random.default_rng(seed)
    weights = [rng.normal(0, 1 / np.sqrt(m), (n, m)) for m, n in zip(dimensions[:-1], dimensions[1:])]
    biases = [np.zeros((n, 1)) for n in dimensions[1:]]
    return {"nlayers": len(dimensions) - 1, "weights": weights, "biases": biases}


def sigma(x):
    x = np.asarray(x, dtype=float)
    return np.exp(np.minimum(x, 0)) / (1 + np.exp(-np.abs(x)))


def sigma_prime(x):
    s = sigma(x)
    return s * (1 - s)


def loss(yhat, y):
    return 0.5 * float(np.sum(np.square(yhat - y)))


def loss_prime(yhat, y):
    return yhat - y


def forward(x, model):
    activations, z_inputs = [x], []
    for l in range(model["nlayers"]):
        z = model["weights"][l] @ activations[-1] + model["biases"][l]
        z_inputs.append(z)
        activations.append(sigma(z))
    model["activations"], model["z_inputs"] = activations, z_inputs
    return activations[-1], model


def backward(y, model):
    """Nielsen's backprop for each column in turn, the gradients summed."""
    L = model["nlayers"]
    grad_w = [np.zeros_like(W) for W in model["weights"]]
    grad_b = [np.zeros_like(b) for b in model["biases"]]
    for j in range(y.shape[1]):
        a = [act[:, j:j + 1] for act in model["activations"]]
        z = [zl[:, j:j + 1] for zl in model["z_inputs"]]
        delta = loss_prime(a[-1], y[:, j:j + 1]) * sigma_prime(z[-1])
        for l in range(L - 1, -1, -1):
            grad_b[l] += delta
            grad_w[l] += delta @ a[l].T
            if l > 0:
                delta = (model["weights"][l].T @ delta) * sigma_prime(z[l - 1])
    model["grad_weights"], model["grad_biases"] = grad_w, grad_b
    return model


def update(eta, model):
    for l in range(model["nlayers"]):
        model["weights"][l] = model["weights"][l] - eta * model["grad_weights"][l]
        model["biases"][l] = model["biases"][l] - eta * model["grad_biases"][l]
    for key in ["z_inputs", "activations", "grad_weights", "grad_biases"]:
        model.pop(key)
    return model


def gradient_descent(X, y, model, eta, n_epochs, every=1):
    epochs = list(range(0, n_epochs, every))
    losses = []
    for epoch in range(n_epochs):
        output, model = forward(X, model)
        if epoch in epochs:
            losses.append(loss(output, y))
        model = update(eta, backward(y, model))
    return model, epochs, losses
