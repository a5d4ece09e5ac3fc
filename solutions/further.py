"""Past 98 % on MNIST: softmax with cross-entropy, ReLU, He initialisation, momentum, a schedule.

Lesson 7, "Going further". Row convention and notation as in network.py (lesson 1):

    h(0) = x                        features, shape (B, n0), or (n0,) for one example
    a(k) = b(k) + h(k-1) W(k)       pre-activation of layer k, shape (B, nk)
    h(k) = relu(a(k))               hidden layers, k < L
    y    = softmax(a(L))            the output, shape (B, nL): each row sums to 1
    J    = -sum(t * log(y))         the cross-entropy, summed over every element

`Classifier` keeps `Network`'s members and signatures, so lesson 6's `train` could drive it;
`Momentum` and `fit` replace `update` and `train` with the steps the lesson adds. Standalone:
this file imports no other exercise module.
"""

import math

import numpy as np


# --8<-- [start:relu]
def relu(x):
    """max(x, 0) element-wise, for any shape."""
    # BEGIN SOLUTION: the element-wise maximum of x and 0
    return np.maximum(x, 0)
    # END SOLUTION
# --8<-- [end:relu]


# --8<-- [start:relu_prime]
def relu_prime(x):
    """ReLU's slope at the pre-activation x: 1 where x > 0, 0 where x <= 0, x's shape."""
    # BEGIN SOLUTION: 1 where x is positive, else 0, as floats of x's precision
    x = np.asarray(x)
    return (x > 0).astype(np.result_type(x.dtype, np.float32))
    # END SOLUTION
# --8<-- [end:relu_prime]


# --8<-- [start:softmax]
def softmax(a):
    """exp(a) / sum(exp(a)) along the last axis of (n,) or (B, n): positive rows summing to 1.

    Exact, and without overflow, for entries as large as +-1000.
    """
    # BEGIN SOLUTION: subtract each row's largest entry, exponentiate, divide by the row's sum
    # The shift divides numerator and denominator by the same exp(max): no value changes,
    # but exp then never sees a positive number, so it cannot overflow.
    e = np.exp(a - np.max(a, axis=-1, keepdims=True))
    return e / np.sum(e, axis=-1, keepdims=True)
    # END SOLUTION
# --8<-- [end:softmax]


# --8<-- [start:cross_entropy]
def cross_entropy(y, t):
    """J = -sum(t * log(y)) over every element of y and t (same shape), as a float.

    Finite where an entry of y has underflowed to 0 and t is 0 there.
    """
    # BEGIN SOLUTION: sum t * log(y), with y clipped to the smallest positive float first, and negate
    # A y that underflowed to 0 would give log(0) = -inf, and 0 * -inf = nan where t = 0. Clipped
    # to the smallest positive float (about 1e-308, or 1e-38 in float32), its log is finite.
    y = np.asarray(y)
    tiny = np.finfo(np.result_type(y.dtype, np.float32)).tiny
    return float(-np.sum(t * np.log(np.maximum(y, tiny))))
    # END SOLUTION
# --8<-- [end:cross_entropy]


class Classifier:
    """A network with layer widths `definition = (n0, ..., nL)`: ReLU hidden layers, softmax output.

    Members as in `Network`: `weights[k]` is W(k), shape (n(k-1), nk), `biases[k]` is b(k),
    shape (nk,), for k = 1 ... L; `weights_grad`, `biases_grad` the same shapes; `layers`,
    `activations`, `output` and `loss` are filled in by forward().
    """

    # --8<-- [start:init]
    def __init__(self, definition, seed=None, dtype=np.float64):
        """He initialisation: W(k) ~ normal(0, variance 2 / n(k-1)), b(k) = 0; gradients zero.

        The same seed gives the same network. dtype: float64 by default; float32 trains faster.
        """
        # BEGIN SOLUTION: store the definition, draw every W(k) with standard deviation sqrt(2 / n(k-1)), zero biases and gradients
        self.definition = n = tuple(definition)  # n[k] is the lesson's nk, the width of layer k
        self.n_layers = L = len(n) - 1
        rng = np.random.default_rng(seed)
        self.weights, self.biases, self.weights_grad, self.biases_grad = {}, {}, {}, {}
        for k in range(1, L + 1):
            # A ReLU zeroes half of a symmetric a(k): twice lesson 1's variance 1 / n(k-1) keeps
            # the next layer's pre-activations of the same size as this one's.
            self.weights[k] = rng.normal(0.0, np.sqrt(2 / n[k - 1]), size=(n[k - 1], n[k])).astype(dtype)
            self.biases[k] = np.zeros(n[k], dtype=dtype)
            self.weights_grad[k] = np.zeros_like(self.weights[k])
            self.biases_grad[k] = np.zeros_like(self.biases[k])
        self.layers, self.activations = {}, {}
        self.output, self.loss = None, None
        # END SOLUTION
    # --8<-- [end:init]

    # --8<-- [start:forward]
    def forward(self, features, targets):
        """The forward pass and the cross-entropy, as Network.forward with ReLU and softmax.

        features: (n0,) or (B, n0); targets: the output's shape, (nL,) or (B, nL), else
        ValueError naming both shapes. Stores layers[k] = a(k), activations[k] = h(k)
        (activations[0] = features), output = softmax(a(L)) and loss = J.
        """
        # BEGIN SOLUTION: check the targets' shape; relu after every hidden layer, softmax after the last; store everything and the cross-entropy
        L = self.n_layers
        # One row of n(L) outputs for every row of features: (nL,) for one example, (B, nL) for a batch.
        output_shape = (*np.shape(features)[:-1], self.definition[L])
        if np.shape(targets) != output_shape:
            raise ValueError(f"targets have shape {np.shape(targets)}, but the output for features of shape "
                             f"{np.shape(features)} has shape {output_shape}")
        h = features
        self.activations, self.layers = {0: h}, {}
        for k in range(1, L + 1):
            a = self.biases[k] + h @ self.weights[k]
            h = relu(a) if k < L else softmax(a)
            self.layers[k], self.activations[k] = a, h
        self.output = h
        self.loss = cross_entropy(self.output, targets)
        # END SOLUTION
    # --8<-- [end:forward]

    # --8<-- [start:backprop]
    def backprop(self, targets):
        """dJ/dW(k) and dJ/db(k) into weights_grad[k] and biases_grad[k], after forward().

        Summed over the rows of a batch and overwritten on every call. At the output,
        dJ/da(L) = output - targets (the softmax's Jacobian and the cross-entropy's 1/y cancel);
        below it, g passes back through W(k) and ReLU's slope at a(k-1).
        """
        # BEGIN SOLUTION: g = output - targets; for k = L..1 store both gradients, then pass g down through W(k) and relu_prime(a(k-1))
        g = self.output - targets  # dJ/da(L): the lesson derives it through the softmax's Jacobian
        for k in range(self.n_layers, 0, -1):
            # One example is a batch of one row: the same two lines then serve both cases.
            g_rows = np.atleast_2d(g)
            h_rows = np.atleast_2d(self.activations[k - 1])
            self.biases_grad[k] = g_rows.sum(axis=0)
            self.weights_grad[k] = h_rows.T @ g_rows
            if k > 1:  # dJ/da(k-1) = (dJ/dh(k-1)) * relu'(a(k-1)); nothing needs dJ/dx
                g = (g @ self.weights[k].T) * relu_prime(self.layers[k - 1])
        # END SOLUTION
    # --8<-- [end:backprop]

    # --8<-- [start:predict]
    def predict(self, features):
        """The most probable digit: an int for (n0,), an int array (B,) for (B, n0).

        Stores nothing: the members forward() stored are left alone.
        """
        # BEGIN SOLUTION: run the layers without storing anything; the largest pre-activation of the last layer is the largest probability
        h = features
        for k in range(1, self.n_layers + 1):
            a = self.biases[k] + h @ self.weights[k]
            h = relu(a)
        return np.argmax(a, axis=-1)  # softmax keeps the order of a(L): no need to compute it
        # END SOLUTION
    # --8<-- [end:predict]


class Momentum:
    """Gradient descent with momentum and weight decay on a network's `weights` and `biases`.

    `step(n)`, after backprop() on a batch of n examples, for every layer k:

        v_W(k) = momentum * v_W(k) - learning_rate * (weights_grad[k] / n + weight_decay * W(k))
        W(k)  += v_W(k)
        v_b(k) = momentum * v_b(k) - learning_rate * biases_grad[k] / n     (no weight decay)
        b(k)  += v_b(k)

    The velocities start at zero and belong to the optimizer; `learning_rate` may be changed
    between steps (a schedule does).
    """

    # --8<-- [start:momentum_init]
    def __init__(self, network, learning_rate, momentum=0.9, weight_decay=0.0):
        """Keep the network and the settings; one zero velocity per parameter array, its shape."""
        # BEGIN SOLUTION: store the four arguments, and zero velocities shaped like every W(k) and b(k)
        self.network = network
        self.learning_rate = learning_rate
        self.momentum = momentum
        self.weight_decay = weight_decay
        self.weights_velocity = {k: np.zeros_like(W) for k, W in network.weights.items()}
        self.biases_velocity = {k: np.zeros_like(b) for k, b in network.biases.items()}
        # END SOLUTION
    # --8<-- [end:momentum_init]

    # --8<-- [start:step]
    def step(self, n):
        """One update from the gradients backprop() stored for a batch of `n` examples."""
        # BEGIN SOLUTION: per layer, the new velocity from the old one and the mean gradient (plus weight decay on W only), then add it to the parameter in place
        net = self.network
        for k in net.weights:
            # backprop() sums over the batch: dividing by n makes it the mean per example.
            self.weights_velocity[k] = self.momentum * self.weights_velocity[k] - self.learning_rate * (
                net.weights_grad[k] / n + self.weight_decay * net.weights[k])
            self.biases_velocity[k] = (self.momentum * self.biases_velocity[k]
                                       - self.learning_rate * net.biases_grad[k] / n)
            net.weights[k] += self.weights_velocity[k]
            net.biases[k] += self.biases_velocity[k]
        # END SOLUTION
    # --8<-- [end:step]


# --8<-- [start:cosine_schedule]
def cosine_schedule(step, total_steps, peak):
    """The learning rate at `step` of `total_steps`: peak * (1 + cos(pi * step / total_steps)) / 2.

    A float: peak at step 0, peak / 2 half-way, 0 at total_steps.
    """
    # BEGIN SOLUTION: the half cosine from peak down to 0, as a Python float
    # math.cos, not np.cos: a NumPy float64 scalar would turn float32 parameters into float64.
    return float(peak * (1 + math.cos(math.pi * step / total_steps)) / 2)
    # END SOLUTION
# --8<-- [end:cosine_schedule]


# --8<-- [start:fit]
def fit(network, optimizer, features, targets, epochs, batch_size, seed=None, schedule=None):
    """Train `network` with `optimizer`; returns the mean per-example loss of every epoch.

    features (N, n0), targets (N, nL). Mini-batches as lesson 6's train: a fresh random order
    every epoch from default_rng(seed), the last batch keeping the N % batch_size left over.
    Per batch: forward, backprop, optimizer.step(n), n the batch's own size. With a
    `schedule`, optimizer.learning_rate = schedule(j) before step j = 0, 1, ... of the run.
    """
    # BEGIN SOLUTION: as train: shuffle every epoch, then per batch set the scheduled rate, forward, backprop, optimizer.step(len(batch)); record the mean loss
    rng = np.random.default_rng(seed)
    n = len(features)
    losses, j = [], 0
    for epoch in range(epochs):
        order = rng.permutation(n)  # a new order every epoch
        shuffled_features, shuffled_targets = features[order], targets[order]
        total = 0.0
        for start in range(0, n, batch_size):
            x = shuffled_features[start:start + batch_size]  # the last slice may be shorter
            t = shuffled_targets[start:start + batch_size]
            if schedule is not None:
                optimizer.learning_rate = schedule(j)
            network.forward(x, t)
            network.backprop(t)
            optimizer.step(len(x))  # its own size: the last batch's mean is over fewer examples
            total += float(network.loss)
            j += 1
        losses.append(total / n)
    return losses
    # END SOLUTION
# --8<-- [end:fit]
