"""Wrong code written in other people's styles, shared by tests/test_messages.py and tests/test_agreement.py."""

# Lesson 3's backprop as a blog post writes it: lists grown from the output layer down, bias
# gradients summed without keepdims, and a 1-D x used as it is. Three mistakes at once.
SEED_STYLE_BACKPROP = (
    "        zs, outs = [], [x]\n"
    "        for w, b in zip(self.w, self.b):\n"
    "            x = np.dot(x, w) + b\n"
    "            zs.append(x)\n"
    "            x = self.activation.fn(x)\n"
    "            outs.append(x)\n"
    "        grads_w, grads_b, errors = [], [], []\n"
    "        for j in range(len(zs)):\n"
    "            if j == 0:\n"
    "                errors.append(self.loss.deriv(outs[-1], y) * self.activation.deriv(zs[-1]))\n"
    "            else:\n"
    "                errors.append(np.dot(errors[j - 1], self.w[-j].T) * self.activation.deriv(zs[-j - 1]))\n"
    "            grads_b.append(np.sum(errors[j], axis=0))\n"
    "            grads_w.append(np.dot(outs[-2 - j].T, errors[j]))\n"
    "        return grads_w, grads_b\n")
NN_BACKPROP = (
    "        h = x.reshape(1, -1) if x.ndim == 1 else x\n"
    "        zs, hs = [], [h]\n"
    "        for w, b in zip(self.w, self.b):\n"
    "            z = h @ w + b\n"
    "            h = self.activation.fn(z)\n"
    "            zs.append(z)\n"
    "            hs.append(h)\n"
    "        # Backward: g is always dloss/d(the node named in the comment), shape (N, width).\n"
    "        g = self.loss.deriv(h, y)  # dloss/dyhat; a (nL,) target broadcasts against (1, nL)\n"
    "        w_grad, b_grad = [None] * self.num_layers, [None] * self.num_layers\n"
    "        for i in reversed(range(self.num_layers)):\n"
    "            g = g * self.activation.deriv(zs[i])  # dloss/dz(i): the activation node's local slope\n"
    "            w_grad[i] = hs[i].T @ g  # dloss/dw[i]: h(i) is what w[i] multiplied, summed over rows\n"
    "            b_grad[i] = g.sum(axis=0, keepdims=True)  # dloss/db[i]: b[i] was added to every row\n"
    "            g = g @ self.w[i].T  # dloss/dh(i): back through the linear node\n"
    "        return w_grad, b_grad\n")
