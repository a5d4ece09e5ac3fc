"""Lesson 7's worked example: a [3, 4, 3] Classifier, a batch of two examples, two momentum steps.

Lesson 1's example with a third output (a softmax over two outputs would hide the axis it runs
along). The parameters are small round numbers, so that the first products can be followed by
hand; a(1) has negative entries, so that ReLU and its slope have zeros to show.
"""

import numpy as np

from coursekit.worked import Value
from coursekit.worked import network as lesson1

TITLE = "a [3, 4, 3] classifier and a batch of two examples"
DEFINITION = (3, 4, 3)
LEARNING_RATES = (0.5, 0.1)  # the first momentum step, then the second: a schedule's change
MOMENTUM, WEIGHT_DECAY = 0.9, 0.01
SCHEDULE = (0, 250, 500, 1000)  # steps of a 1,000-step cosine schedule from peak 0.1

W1, B1, X = lesson1.W1, lesson1.B1, lesson1.X
W2 = np.column_stack([lesson1.W2, [0.1, -0.3, 0.2, 0.4]])  # lesson 1's W(2), and a third output's column
B2 = np.append(lesson1.B2, -0.1)
T = np.array([[1.0, 0.0, 0.0],
              [0.0, 0.0, 1.0]])
WEIGHTS, BIASES = {1: W1, 2: W2}, {1: B1, 2: B2}


def given():
    """The parameters, the input, the targets and the optimizer's settings."""
    return [*lesson1.parameters(WEIGHTS, BIASES), Value(None, "x", X), Value(None, "t", T),
            Value(None, "momentum", MOMENTUM), Value(None, "weight_decay", WEIGHT_DECAY),
            Value(None, "learning_rate (step 1, then step 2)", np.array(LEARNING_RATES))]


def classifier(module):
    """module.Classifier(DEFINITION) with the example's parameters put in place."""
    return lesson1.holding(module.Classifier(DEFINITION, seed=0), WEIGHTS, BIASES)


def trace(module):
    """Every value lesson 7's functions and methods compute on the example, in the lesson's order."""
    a1 = B1 + X @ W1
    yield Value("relu", "relu(a(1))", module.relu(a1.copy()), "relu")
    yield Value("relu_prime", "relu_prime(a(1))", module.relu_prime(a1.copy()), "relu")
    a2 = B2 + np.maximum(a1, 0) @ W2
    y = module.softmax(a2.copy())
    yield Value("softmax", "softmax(a(2))", y, "softmax")
    yield Value("cross_entropy", "cross_entropy(y, t)", module.cross_entropy(np.asarray(y).copy(), T.copy()),
                "cross-entropy")
    fresh = module.Classifier(DEFINITION, seed=0)  # its draws depend on how the RNG is called: shapes only
    for k in (1, 2):
        yield Value("Classifier.__init__", f"weights[{k}].shape", np.shape(fresh.weights[k]), "he-initialisation")
        yield Value("Classifier.__init__", f"biases[{k}]", fresh.biases[k], "he-initialisation")
    net = classifier(module)
    net.forward(X.copy(), T.copy())
    yield from lesson1.layer_values(net, "Classifier.forward", "forward")
    yield Value("Classifier.forward", "loss", net.loss, "forward")
    net.backprop(T.copy())
    yield Value("Classifier.backprop", "dJ/da(2) = output - t",
                np.asarray(net.output) - T, "backprop")
    for k in (2, 1):
        yield Value("Classifier.backprop", f"weights_grad[{k}]", net.weights_grad[k], "backprop")
        yield Value("Classifier.backprop", f"biases_grad[{k}]", net.biases_grad[k], "backprop")
    yield Value("Classifier.predict", "predict(x)", net.predict(X.copy()), "predict")
    optimizer = module.Momentum(net, LEARNING_RATES[0], momentum=MOMENTUM, weight_decay=WEIGHT_DECAY)
    yield Value("Momentum.__init__", "optimizer.learning_rate", optimizer.learning_rate, "momentum")
    for s, rate in enumerate(LEARNING_RATES, start=1):
        optimizer.learning_rate = rate
        optimizer.step(len(X))  # the same gradients both times: only the velocity changes them
        yield Value("Momentum.step", f"W(2) after step {s} (learning_rate {rate})", np.array(net.weights[2]),
                    "momentum")
        yield Value("Momentum.step", f"b(2) after step {s} (learning_rate {rate})", np.array(net.biases[2]),
                    "momentum")
    for step in SCHEDULE:
        yield Value("cosine_schedule", f"cosine_schedule({step}, 1000, 0.1)",
                    module.cosine_schedule(step, 1000, 0.1), "cosine-schedule")
    # One batch holding both examples: the order fit() draws cannot change the numbers.
    net = classifier(module)
    losses = module.fit(net, module.Momentum(net, 0.5, momentum=MOMENTUM), X.copy(), T.copy(),
                        epochs=3, batch_size=2, seed=0)
    yield Value("fit", "fit(..., epochs=3, batch_size=2): mean loss per epoch", np.asarray(losses, dtype=float), "fit")
