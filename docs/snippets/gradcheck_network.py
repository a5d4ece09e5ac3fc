# Check your own Network (lesson 1) against finite differences of its own loss (lesson 4).
# Run it from the repository's root folder, `python docs/snippets/gradcheck_network.py`, or
# paste it into a Python shell started there.
import sys

import numpy as np

sys.path.insert(0, "exercises")  # your network.py ("solutions" for the reference)
from network import Network  # noqa: E402

from coursekit.gradcheck import agrees, numerical_gradient, relative_error  # noqa: E402

rng = np.random.default_rng(0)
net = Network([6, 5, 4, 3], seed=0)  # small: a check needs correctness, not scale
x = rng.uniform(0, 1, size=(4, 6))   # a batch of 4 examples, one per row
t = np.eye(3)[[0, 2, 1, 0]]          # their one-hot targets
for k in net.biases:                 # non-zero biases: with zeros, some mistakes cancel out
    net.biases[k] += rng.normal(0, 0.5, size=net.biases[k].shape)


def loss():
    net.forward(x, t)
    return net.compute_loss(t)


loss()
net.backprop(t)
all_agree = True
for k in sorted(net.weights, reverse=True):  # the last layer first
    for name in ("weights", "biases"):
        params = getattr(net, name)[k]
        grad = getattr(net, f"{name}_grad")[k].copy()  # before the nudges run forward again
        slopes = np.array([numerical_gradient(loss, params, i) for i in np.ndindex(grad.shape)])
        ok = agrees(grad.ravel(), slopes)  # the course's standard, coursekit/gradcheck.py
        all_agree = all_agree and ok
        print(f"{name}[{k}]: largest relative error {np.max(relative_error(grad.ravel(), slopes)):.1e}, "
              f"{'agrees' if ok else 'DISAGREES'}")
print("gradients look right" if all_agree else "wrong: start with the first array that DISAGREES")
