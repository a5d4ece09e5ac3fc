# Your Network on the lesson's worked example, to print any value you like.
# From the course's root folder: python docs/snippets/try_worked_example.py (or paste it
# into a Python shell started there).
import sys

sys.path.insert(0, "exercises")  # your network.py ("solutions" for the reference)
import network  # noqa: E402

from coursekit.worked import network as example  # noqa: E402

net = example.network(network)  # your Network([3, 4, 2]) holding the example's W(k), b(k)
net.forward(example.X, example.T)  # x and t: two examples, one per row
print("a(1) =", net.layers[1])
print("loss =", net.loss)
