"""coursekit.figures_autodiff (lesson 8): the graph's numbers are the reference's, and it draws them."""

import matplotlib

matplotlib.use("Agg")

from coursekit import figures_autodiff as figures  # noqa: E402


def test_the_graph_holds_the_worked_values_and_one_arrow_per_use():
    values, edges = figures.graph_values()
    assert values == {"x": (2.0, 24.0), "y": (-3.0, -20.0), "a": (-6.0, -10.0), "b": (-4.0, -6.0), "J": (24.0, 1.0)}
    assert sorted(edges) == sorted([("x", "a"), ("y", "a"), ("a", "b"), ("x", "b"), ("b", "J"), ("a", "J")])


def test_the_figure_writes_every_value_and_gradient():
    values, edges = figures.graph_values()
    fig = figures.graph_figure(values, edges)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert any("a = x * y" in t and "value -6" in t and "grad -10" in t for t in texts)
    assert any(t.startswith("x\n") and "grad 24" in t for t in texts)
    assert len([c for c in fig.axes[0].get_children() if type(c).__name__ == "Annotation"]) >= 6
