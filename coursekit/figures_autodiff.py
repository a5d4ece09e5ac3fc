"""Lesson 8's figure: the worked example's graph, each Tensor with its value and its gradient.

The numbers are the reference's (solutions/autodiff.py run on coursekit/worked/autodiff.py's
graph when the page is built): nothing on the figure is typed by hand.
"""

from coursekit.plots import new_figure

# Where each Tensor of a = x * y, b = a + x, J = b * a is drawn (x, y in axes units), inputs on the left.
POSITIONS = {"x": (0.08, 0.72), "y": (0.08, 0.22), "a": (0.40, 0.30), "b": (0.66, 0.72), "J": (0.92, 0.40)}
OPERATIONS = {"a": "x * y", "b": "a + x", "J": "b * a"}


def graph_values(module=None):
    """{name: (value, grad)} of the worked example's graph after one J.backward(), and its edges."""
    from coursekit.solutions import load
    from coursekit.worked import autodiff as worked

    module = module or load("autodiff")
    g = worked.graph(module)
    g["J"].backward()
    values = {name: (float(t.data), float(t.grad)) for name, t in g.items()}
    edges = [(id_, name) for name, t in g.items() for id_ in _names(g, t.parents)]
    return values, edges


def _names(g, parents):
    by_id = {id(t): name for name, t in g.items()}
    return [by_id[id(p)] for p in parents if id(p) in by_id]


def graph_figure(values, edges):
    """The graph: a box per Tensor (name, operation, value, grad), an arrow per use, drawn from
    each parent to the Tensor made from it; a Tensor used twice has two arrows leaving it."""
    fig, ax = new_figure(6.4, 3.2)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.axis("off")
    for parent, child in edges:
        (x0, y0), (x1, y1) = POSITIONS[parent], POSITIONS[child]
        ax.annotate("", xy=(x1 - 0.07, y1), xytext=(x0 + 0.07, y0),
                    arrowprops=dict(arrowstyle="->", color="#555555", lw=1.2, shrinkA=4, shrinkB=4))
    for name, (value, grad) in values.items():
        x, y = POSITIONS[name]
        title = f"{name} = {OPERATIONS[name]}" if name in OPERATIONS else name
        ax.text(x, y, f"{title}\nvalue {value:g}\ngrad {grad:g}", ha="center", va="center", fontsize=9,
                bbox=dict(boxstyle="round,pad=0.4", facecolor="#eef3fb" if name in OPERATIONS else "#f6f6f6",
                          edgecolor="#3a5f95" if name in OPERATIONS else "#777777"))
    return fig
