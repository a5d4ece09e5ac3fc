# Check your backprop against finite differences of your own loss, with the course's standard
# (coursekit/gradcheck.py). From the course's root folder: python docs/snippets/check_my_gradients.py
# It needs forward and backprop; it reads exercises/network.py ("solutions" to try the reference).
import sys

import numpy as np

sys.path.insert(0, "exercises")
from network import Network  # noqa: E402

from coursekit.gradcheck import STEP, TOLERANCE, agrees, numerical_gradient  # noqa: E402

rng = np.random.default_rng(1)
net = Network([5, 4, 3], seed=1)  # small, so that every entry can be checked
for k in net.biases:  # non-zero biases: with zeros, some mistakes cancel out
    net.biases[k] = rng.normal(0, 0.5, size=net.biases[k].shape)
x = rng.uniform(0, 1, size=(3, 5))  # a batch of 3 examples, one per row
t = np.eye(3)[[0, 2, 1]]  # their one-hot targets


def loss():
    net.forward(x, t)
    return net.loss


loss()
net.backprop(t)
print(f"central differences with a step of {STEP:g}; they agree within {TOLERANCE:g} x max(1, |value|)")
wrong = []
for k in sorted(net.weights, reverse=True):  # the last layer first, as backprop computes them
    for name in ("weights", "biases"):
        grad = getattr(net, f"{name}_grad")[k].copy()  # copied: every nudge runs forward again
        slope = np.zeros(grad.shape)
        for i in np.ndindex(grad.shape):
            slope[i] = numerical_gradient(loss, getattr(net, name)[k], i)
        largest = np.max(np.abs(grad - slope))
        print(f"{name}_grad[{k}]: {'agrees' if agrees(grad, slope) else 'DIFFERS'} (largest difference {largest:.1e})")
        if not agrees(grad, slope):
            wrong.append(f"{name}_grad[{k}]")
print("backprop agrees with the finite differences" if not wrong else f"wrong: start with {wrong[0]}")
sys.exit(1 if wrong else 0)
