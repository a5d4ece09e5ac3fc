"""Columns with np.einsum; sigma by masks."""

import numpy as np


def initialize_model(dimensions, seed=None):
    rng = np.random.default_rng(seed)
    return {
        "nlayers": len(dimensions) - 1,
        "weights": [rng.uniform(-1, 1, (n, m)) * np.sqrt(3 / m) for m, n in zip(dimensions, dimensions[1:])],
        "biases": [np.zeros((n, 1)) for n in dimensions[1:]],
    }


def sigma(x):
    x = np.asarray(x, dtype=float)
    out = np.empty_like(x)
    pos = x >= 0
    out[pos] = 1 / (1 + np.exp(-x[pos]))
    e = np.exp(x[~pos])
    out[~pos] = e / (1 + e)
    return out


def sigma_prime(x):
    s = sigma(x)
    return np.einsum("...,...->...", s, 1 - s)


def loss(yhat, y):
    d = yhat - y
    return 0.5 * np.einsum("ij,ij->", d, d)


def loss_prime(yhat, y):
    return yhat - y


def forward(x, model):
    acts, zs = [x], []
    for W, b in zip(model["weights"], model["biases"]):
        zs.append(np.einsum("ij,jn->in", W, acts[-1]) + b)
        acts.append(sigma(zs[-1]))
    model.update(activations=acts, z_inputs=zs)
    return acts[-1], model


def backward(y, model):
    acts, zs, Ws = model["activations"], model["z_inputs"], model["weights"]
    delta = loss_prime(acts[-1], y) * sigma_prime(zs[-1])
    gw, gb = [], []
    for l in range(model["nlayers"] - 1, -1, -1):
        gw.append(np.einsum("in,jn->ij", delta, acts[l]))
        gb.append(np.einsum("in->i", delta)[:, None])
        if l > 0:
            delta = np.einsum("ji,jn->in", Ws[l], delta) * sigma_prime(zs[l - 1])
    model["grad_weights"], model["grad_biases"] = gw[::-1], gb[::-1]
    return model


def update(eta, model):
    for key in ("weights", "biases"):
        model[key] = [p - eta * g for p, g in zip(model[key], model["grad_" + key])]
    for key in ("z_inputs", "activations", "grad_weights", "grad_biases"):
        del model[key]
    return model


def gradient_descent(X, y, model, eta, n_epochs, every=1):
    epochs, losses = [], []
    for epoch in range(n_epochs):
        out, model = forward(X, model)
        if not epoch % every:
            epochs.append(epoch)
            losses.append(float(loss(out, y)))
        backward(y, model)
        model = update(eta, model)
    return model, epochs, losses
