"""The build-time evidence of lesson 1 (coursekit/figures_network.py, coursekit/grader_demo.py)."""

import numpy as np

from coursekit import figures_network, grader_demo


def test_uniform_weights_saturate_and_scaled_normal_weights_do_not():
    features, _ = figures_network.digit_features(64)
    table = figures_network.saturation_table(figures_network.first_layer_preactivations(features))
    uniform, normal = table["uniform [0, 1)"], table["normal N(0, 1/n_in)"]
    assert uniform["min a"] > 5 and uniform["median slope"] < 1e-6
    assert abs(normal["median a"]) < 1 and normal["median slope"] > 0.2


def test_sigmoid_prime_keeps_tiny_slopes():
    a = np.array([-50.0, 0.0, 50.0])
    assert np.allclose(figures_network.sigmoid_prime(a)[1], 0.25)
    assert 0 < figures_network.sigmoid_prime(a)[2] < 1e-20


def test_grader_demo_shows_not_attempted_then_failed():
    runs = grader_demo.run_grader()
    untouched, status = runs["untouched"]
    assert status == 1 and "NOT ATTEMPTED" in untouched and "FAILED" not in untouched
    wrong, status = runs["sign error"]
    assert status == 1 and "FAILED" in wrong and "reread:" in wrong
    assert "#backpropagation" in wrong
    assert str(grader_demo.ROOT) not in untouched + wrong
