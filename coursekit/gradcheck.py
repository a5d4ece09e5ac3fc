"""Finite-difference gradient checks, as lesson 4 ("Checking gradients") explains them.

    slope = numerical_gradient(lambda: net.eval_loss(x, y), net.w[1], (3, 7))
    relative_error(w_grad[1][3, 7], slope)   # ~1e-9 for a correct float64 backprop

`numerical_gradient` nudges one entry of a parameter array in place, calls `loss()` (which
must read that array) and puts the entry back exactly as it was.
"""

import numpy as np

# --8<-- [start:standard]
# The course's one standard for gradient checks, used by the lessons, the grader and the
# checker scripts alike: central differences with a step of STEP, in float64; an analytic
# gradient g and a numerical slope s agree when |g - s| <= TOLERANCE * max(1, |g|, |s|)
# (a relative error for entries larger than 1, an absolute one below). A correct float64
# backprop typically lands near 1e-9; the common mistakes are off by 1e-3 or far more.
STEP = 1e-6
TOLERANCE = 1e-5


def agrees(analytic, numerical):
    """Whether an analytic gradient agrees with a finite-difference slope, by the standard."""
    g, s = np.asarray(analytic, dtype=float), np.asarray(numerical, dtype=float)
    scale = np.maximum(1.0, np.maximum(np.abs(g), np.abs(s)))
    return bool(np.all(np.abs(g - s) <= TOLERANCE * scale))
# --8<-- [end:standard]


def tex(x, digits=0):
    """A number as the lessons write it in TeX: 1e-06 as 10^{-6}, 3e-07 as 3 \\times 10^{-7}.

    `digits` is the number of decimals of the mantissa: tex(2.22e-16, 1) is 2.2 \\times 10^{-16}.
    """
    mantissa, exponent = f"{x:.{digits}e}".split("e")
    power = f"10^{{{int(exponent)}}}"
    return power if mantissa == "1" else f"{mantissa} \\times {power}"


def standard_markdown(step=r"\epsilon"):
    """The standard in one sentence of Markdown with TeX, for a lesson page's exec block. The step is
    called `step` (\\epsilon, as lessons 1 to 3 call it, where h is an activation; lesson 4 says h)."""
    return (f"central differences in float64 with a step \\({step} = {tex(STEP)}\\), and an analytic "
            f"gradient \\(g\\) agrees with the finite-difference slope \\(s\\) when "
            f"\\(|g - s| \\le {tex(TOLERANCE)} \\cdot \\max(1, |g|, |s|)\\): a relative error of at "
            f"most \\({tex(TOLERANCE)}\\) for entries larger than 1, an absolute difference of at "
            f"most \\({tex(TOLERANCE)}\\) below")


# --8<-- [start:numerical_gradient]
def numerical_gradient(loss, param, index, h=STEP, method="central"):
    """The slope of `loss()` along `param[index]`, by finite differences.

    method "central": (loss(p + h) - loss(p - h)) / 2h, error O(h**2);
    method "forward": (loss(p + h) - loss(p)) / h, error O(h).
    The nudge is taken in `param`'s own dtype, so a float32 array is nudged in float32, and
    the step actually applied (p + h rounded, minus p) is the one divided by.
    """
    if method not in ("central", "forward"):
        raise ValueError(f"method must be 'central' or 'forward', not {method!r}")
    index = tuple(np.atleast_1d(index)) if np.ndim(index) else (index,)
    saved = param.dtype.type(param[index])
    try:
        param[index] = saved + param.dtype.type(h)
        up = float(loss())
        step_up = float(param[index]) - float(saved)
        if method == "forward":
            param[index] = saved
            return (up - float(loss())) / step_up if step_up else 0.0
        param[index] = saved - param.dtype.type(h)
        down = float(loss())
        step = step_up + (float(saved) - float(param[index]))
        return (up - down) / step if step else 0.0
    finally:
        param[index] = saved
# --8<-- [end:numerical_gradient]


# --8<-- [start:relative_error]
def relative_error(analytic, numerical):
    """|g - s| / max(|g|, |s|) for g = analytic, s = numerical, element-wise; 0 where both are 0."""
    g = np.asarray(analytic, dtype=float)
    s = np.asarray(numerical, dtype=float)
    scale = np.maximum(np.abs(g), np.abs(s))
    safe = np.where(scale > 0, scale, 1.0)
    out = np.where(scale > 0, np.abs(g - s) / safe, 0.0)
    return float(out) if out.ndim == 0 else out
# --8<-- [end:relative_error]


# --8<-- [start:check_layers]
def check_layers(net, x, y, picks=5, h=STEP, seed=0):
    """Largest relative error of net.backprop(x, y) per parameter array, last layer first.

    `net` is an nn.NN (lists `w`, `b`, methods `backprop` and `eval_loss`). For each array,
    `picks` entries are checked: half of them where the gradient is largest, the rest at
    random. Returns a list of (name, largest relative error), e.g. ("w[2]", 3.1e-10).
    """
    w_grad, b_grad = net.backprop(x, y)
    rng = np.random.default_rng(seed)
    report = []
    for i in reversed(range(len(net.w))):  # the last layer first: its gradient has the fewest factors
        for name, params, grads in (("w", net.w, w_grad), ("b", net.b, b_grad)):
            grad = np.asarray(grads[i])
            chosen = np.concatenate([np.argsort(-np.abs(grad), axis=None)[: picks - picks // 2],
                                     rng.choice(grad.size, size=picks // 2, replace=False)])
            errors = []
            for flat in chosen:
                index = np.unravel_index(flat, grad.shape)
                slope = numerical_gradient(lambda: net.eval_loss(x, y), params[i], index, h=h)
                errors.append(relative_error(grad[index], slope))
            report.append((f"{name}[{i}]", max(errors)))
    return report
# --8<-- [end:check_layers]
