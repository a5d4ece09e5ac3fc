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


def test_the_untrained_loss_is_near_what_chance_predicts():
    features, labels = figures_network.digit_features(64)
    per_example, expected = figures_network.untrained_loss(features, figures_network.one_hot(labels))
    assert expected == 2.5 and abs(per_example - expected) < 0.25


def test_finite_differences_agree_with_the_reference_by_the_standard():
    from coursekit.gradcheck import agrees

    features, labels = figures_network.digit_features(16)
    rows = figures_network.finite_difference_rows(features, figures_network.one_hot(labels))
    assert len(rows) == 9 and all(agrees(exact, estimate) for _, _, exact, estimate in rows)


def test_the_worked_example_has_every_value_the_lesson_prints():
    from coursekit import worked

    labels = [v.label for v in worked.reference_values("network")]
    for k in (1, 2):
        assert {f"a({k})", f"h({k})", f"weights_grad[{k}]", f"biases_grad[{k}]", f"W({k}) after update",
                f"b({k}) after update", f"g = dJ/da({k})"} <= set(labels)
    assert {"output", "loss", "g = dJ/dy", "g = dJ/dh(1)", "predict(x)", "predict(x[0])"} <= set(labels)
    inside = [v.label for v in worked.reference_values("network") if not v.compared]
    assert inside == ["g = dJ/dy", "g = dJ/da(2)", "g = dJ/dh(1)", "g = dJ/da(1)"]
