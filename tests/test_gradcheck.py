"""coursekit.gradcheck: finite differences and the relative error."""

import numpy as np
import pytest

from coursekit.gradcheck import numerical_gradient, relative_error


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
