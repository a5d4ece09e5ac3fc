"""coursekit.gradcheck: finite differences and the relative error."""

import numpy as np
import pytest

from coursekit.gradcheck import STEP, TOLERANCE, agrees, check_layers, numerical_gradient, relative_error


def cubic(p):
    return lambda: float(np.sum(p ** 3))  # slope 3 p**2


def test_central_difference_is_accurate_and_restores_the_parameter():
    p = np.array([[0.5, -1.5], [2.0, 0.25]])
    before = p.copy()
    slope = numerical_gradient(cubic(p), p, (1, 0), h=1e-5)
    assert slope == pytest.approx(12.0, rel=1e-8)
    assert np.array_equal(p, before)


def test_forward_error_is_order_h_and_central_order_h_squared():
    p = np.array([1.0])
    errors = {m: [abs(numerical_gradient(cubic(p), p, 0, h=h, method=m) - 3.0) for h in (1e-2, 1e-3)]
              for m in ("forward", "central")}
    assert errors["forward"][0] / errors["forward"][1] == pytest.approx(10, rel=0.05)
    assert errors["central"][0] / errors["central"][1] == pytest.approx(100, rel=0.05)


def test_float32_parameter_is_nudged_in_float32():
    p = np.array([1.0], dtype=np.float32)
    assert numerical_gradient(cubic(p), p, 0, h=1e-9) == 0.0  # 1 + 1e-9 rounds back to 1
    assert p.dtype == np.float32 and p[0] == 1.0


def test_parameter_restored_when_the_loss_raises():
    p = np.array([1.0, 2.0])

    def broken():
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        numerical_gradient(broken, p, 1)
    assert p.tolist() == [1.0, 2.0]


def test_unknown_method():
    with pytest.raises(ValueError):
        numerical_gradient(cubic(np.ones(1)), np.ones(1), 0, method="backward")


def test_relative_error():
    assert relative_error(1.0, 1.0) == 0.0
    assert relative_error(0.0, 0.0) == 0.0
    assert relative_error(2.0, 1.0) == pytest.approx(0.5)
    assert relative_error(1.0, 2.0) == relative_error(2.0, 1.0)
    assert relative_error(1e-3, -1e-3) == pytest.approx(2.0)
    assert np.allclose(relative_error([1.0, 0.0], [1.1, 0.0]), [0.1 / 1.1, 0.0])


def _tiny_network(broken=False):
    """A two-layer tanh network written out by hand, optionally with a bug in the lower layer."""

    class Net:
        def __init__(self):
            rng = np.random.default_rng(0)
            self.w = [rng.normal(size=(4, 3)), rng.normal(size=(3, 2))]
            self.b = [rng.normal(size=(1, 3)), rng.normal(size=(1, 2))]

        def eval_loss(self, x, y):
            h = np.tanh(np.tanh(x @ self.w[0] + self.b[0]) @ self.w[1] + self.b[1])
            return float(np.sum((h - y) ** 2))

        def backprop(self, x, y):
            z0 = x @ self.w[0] + self.b[0]
            h1 = np.tanh(z0)
            h2 = np.tanh(h1 @ self.w[1] + self.b[1])
            d1 = 2 * (h2 - y) * (1 - h2 ** 2)
            d0 = d1 @ self.w[1].T * (1 if broken else 1 - h1 ** 2)
            return [x.T @ d0, h1.T @ d1], [d0.sum(0, keepdims=True), d1.sum(0, keepdims=True)]

    return Net()


def test_check_layers_last_layer_first_and_finds_the_broken_layer():
    x, y = np.random.default_rng(1).normal(size=(5, 4)), np.random.default_rng(2).normal(size=(5, 2))
    good = check_layers(_tiny_network(), x, y, picks=4)
    assert [name for name, _ in good] == ["w[1]", "b[1]", "w[0]", "b[0]"]
    assert max(error for _, error in good) < 1e-6
    bad = dict(check_layers(_tiny_network(broken=True), x, y, picks=4))
    assert bad["w[1]"] < 1e-6 and bad["b[1]"] < 1e-6
    assert bad["w[0]"] > 1e-3 and bad["b[0]"] > 1e-3


def test_agrees_is_relative_above_one_and_absolute_below():
    assert agrees(100.0, 100.0 * (1 + 0.9 * TOLERANCE))
    assert not agrees(100.0, 100.0 * (1 + 1.1 * TOLERANCE))
    assert agrees(1e-9, 1e-9 + 0.9 * TOLERANCE)  # tiny entries: an absolute difference
    assert not agrees(1e-9, 1e-9 + 1.1 * TOLERANCE)
    assert agrees([1.0, 2.0], [1.0, 2.0]) and not agrees([1.0, 2.0], [1.0, -2.0])


def test_the_default_step_is_the_standard_and_a_correct_gradient_agrees():
    p = np.array([0.7, -1.3])
    slopes = [numerical_gradient(cubic(p), p, i) for i in range(2)]  # h = STEP by default
    assert agrees(3 * p ** 2, slopes)
    assert not agrees(2 * p ** 2, slopes)  # a wrong factor is far outside
    assert STEP == 1e-6 and TOLERANCE == 1e-5  # the numbers the lessons print


def test_tex_and_the_standard_sentence():
    from coursekit.gradcheck import standard_markdown, tex

    assert tex(1e-6) == "10^{-6}" and tex(3e-7) == r"3 \times 10^{-7}"
    assert tex(2.22e-16, 1) == r"2.2 \times 10^{-16}"
    sentence = standard_markdown()
    assert tex(STEP) in sentence and tex(TOLERANCE) in sentence and "max(1" in sentence
