"""The build-time figures of lessons 3 and 4 run, return figures, and show what the text says."""

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure

from coursekit import figures_nn as figures


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_graph_figure_names_every_node():
    fig = figures.graph_figure()
    assert isinstance(fig, Figure)
    texts = " ".join(t.get_text() for t in fig.axes[0].texts)
    for node in range(6):
        assert f"v_{node} =" in texts


def test_activation_shapes_figure():
    fig = figures.activation_shapes_figure()
    assert isinstance(fig, Figure)
    assert [ax.get_title() for ax in fig.axes] == ["Sigmoid", "Tanh", "ReLU"]


def test_train_activation_learns_and_reports():
    result = figures.train_activation("Tanh", 0.05, epochs=2)
    assert len(result["losses"]) == 3
    assert result["losses"][-1] < result["losses"][0]
    assert 0.1 < result["accuracy"] <= 1.0  # better than guessing after two epochs
    assert result["dead_outputs"] == 0


def test_activation_comparison_figure_has_one_curve_per_activation():
    results = figures.activation_comparison(epochs=1)
    assert set(results) == {"Sigmoid", "Tanh", "ReLU"}
    assert all(r["rate"] == figures.ACTIVATION_RATES[name] for name, r in results.items())
    fig = figures.activation_comparison_figure(results)
    assert isinstance(fig, Figure) and len(fig.axes[0].lines) == 3


def test_gradient_check_errors_show_the_v():
    hs, curves = figures.gradient_check_errors(hs=np.logspace(-10, 0, 11))
    central, forward, single = curves["float64, central"], curves["float64, forward"], curves["float32, central"]
    assert central.min() < 1e-8  # a good h gives a tiny error in float64
    assert central[-1] > 100 * central.min() and central[0] > 100 * central.min()  # both arms of the V
    assert forward.min() > central.min()  # O(h) against O(h**2)
    assert 1e-6 < single.min() < 1e-2  # float32 cannot get below ~1e-4..1e-3
    assert hs[np.argmin(single)] > hs[np.argmin(central)]  # ... and wants a larger h
    assert isinstance(figures.gradient_check_figure(hs, curves), Figure)


def test_layer_check_table_blames_the_lower_layers_only():
    rows = figures.layer_check_table()
    assert [name for name, _, _ in rows] == ["w[2]", "b[2]", "w[1]", "b[1]", "w[0]", "b[0]"]
    assert all(good < 1e-6 for _, good, _ in rows)
    assert rows[0][2] < 1e-6 and rows[1][2] < 1e-6
    assert all(bad > 1e-2 for _, _, bad in rows[2:])


def test_shared_value_gradients_add_and_match_the_slope():
    example = figures.shared_value_example(p=3.0, q=-2.0)
    value, grad = example["nodes"]["p"]
    via_c, via_d = example["shares"]
    assert grad == via_c + via_d == example["exact"] == 2 * 3.0 * (-2.0 + 1) ** 2
    assert example["slope"] == pytest.approx(grad, rel=1e-8)
    assert example["overwritten"] != grad  # assigning instead of adding loses a path


def test_shared_value_figure_labels_both_shares_of_p():
    fig = figures.shared_value_figure()
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "grad 6 = 12 + (-6)" in texts
    assert "share 12" in texts and "share -6" in texts


def test_backward_starts_from_zero_on_every_call():
    example_nodes = [figures.Node("p", 2.0)]
    example_nodes.append(figures.Node("loss", 4.0, [(example_nodes[0], 4.0)]))
    for _ in range(2):
        figures.backward(example_nodes[1], example_nodes)
        assert example_nodes[0].grad == 4.0  # not 8.0 on the second call


def test_float32_loss_cannot_register_a_small_nudge():
    r = figures.float32_resolution()
    assert r["weight_spacing"] < 1e-7 < r["h_blind"]  # p + h differs from p, the loss does not move
    hs, curves = figures.gradient_check_errors(hs=[r["h_blind"] / 4, r["h_blind"] * 20])
    assert curves["float32, central"][0] == 1.0  # slope 0
    assert curves["float32, central"][1] < 1.0


def test_nn_variant_rejects_an_edit_that_does_not_apply():
    with pytest.raises(ValueError):
        figures.nn_variant("no such line", "")
