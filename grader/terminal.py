r"""Lesson text (Markdown with TeX maths) as a terminal shows it: plain Unicode, no markers.

    plain(r"ReLU's slope is 1 where \(x \ge 0\), and **pre-activation** \(\delta^{(l)}\)")
    -> "ReLU's slope is 1 where x ≥ 0, and pre-activation δ⁽ˡ⁾"

Hints are written once, for the lesson page (Markdown, maths as \\( ... \\)), and shown by
`python -m grader.hint` in a terminal: this is the one place that turns the first into the second.
Only what the course's texts use is translated; an unknown command loses its backslash.
"""

import re
import textwrap

SYMBOLS = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "Delta": "Δ", "epsilon": "ε", "varepsilon": "ε",
    "eta": "η", "theta": "θ", "lambda": "λ", "mu": "μ", "pi": "π", "sigma": "σ", "Sigma": "Σ", "tau": "τ",
    "phi": "φ", "omega": "ω", "nabla": "∇", "partial": "∂", "sum": "Σ", "prod": "Π", "infty": "∞",
    "ge": "≥", "geq": "≥", "le": "≤", "leq": "≤", "ne": "≠", "neq": "≠", "approx": "≈", "in": "∈",
    "to": "→", "rightarrow": "→", "leftarrow": "←", "gets": "←", "times": "×", "cdot": "·", "odot": "⊙",
    "otimes": "⊗", "top": "ᵀ", "dots": "...", "ldots": "...", "cdots": "...", "pm": "±", "mid": "|",
    "lvert": "|", "rvert": "|", "log": "log", "exp": "exp", "max": "max", "min": "min", "cos": "cos",
    "sin": "sin", "tanh": "tanh", "quad": "  ", "qquad": "    ", "colon": ":", "ell": "ℓ",
}
# Relations and operators keep the spaces around them; after any other command TeX drops the space.
OPERATORS = {"ge", "geq", "le", "leq", "ne", "neq", "approx", "in", "to", "rightarrow", "leftarrow", "gets",
             "times", "cdot", "odot", "otimes", "pm", "mid", "quad", "qquad", "log", "exp", "max", "min",
             "cos", "sin", "tanh"}
SUPERSCRIPT = dict(zip("0123456789+-=()nilkLTjmhxyabcdefgoprstuvwz",
                       "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿⁱˡᵏᴸᵀʲᵐʰˣʸᵃᵇᶜᵈᵉᶠᵍᵒᵖʳˢᵗᵘᵛʷᶻ"))
SUBSCRIPT = dict(zip("0123456789+-=()aehijklmnoprstuvx", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ"))
WIDTH = 92


def _script(text, table, mark):
    """`text` in super- or subscript characters, or `mark(text)` when one has none."""
    text = text.strip()
    if text and all(c in table for c in text):
        return "".join(table[c] for c in text)
    return f"{mark}{text}" if len(text) == 1 else f"{mark}({text})"


def _group(text, start):
    """(the content of the {...} group or single token at `start`, the index after it)."""
    if start < len(text) and text[start] == "{":
        depth = 0
        for end in range(start, len(text)):
            depth += {"{": 1, "}": -1}.get(text[end], 0)
            if depth == 0:
                return text[start + 1:end], end + 1
        return text[start + 1:], len(text)
    if start < len(text) and text[start] == "\\":
        match = re.match(r"\\[A-Za-z]+", text[start:])
        if match:
            return text[start:start + match.end()], start + match.end()
    return text[start:start + 1], start + 1


def maths(tex):
    """One TeX formula as plain Unicode."""
    tex = re.sub(r"\\(?:left|right|big|Big|bigg|Bigg)(?![A-Za-z])", "", tex)
    tex = re.sub(r"\\(?:mathrm|mathbf|mathit|text|operatorname|boldsymbol|mathcal)\s*\{([^{}]*)\}", r"\1", tex)
    out, i = [], 0
    while i < len(tex):
        c = tex[i]
        if c == "\\":
            match = re.match(r"\\([A-Za-z]+)", tex[i:])
            if not match:  # \, \; \! \{ \}: a space or the character itself
                nxt = tex[i + 1:i + 2]
                out.append(" " if nxt in ",;: " else "" if nxt == "!" else nxt)
                i += 2
                continue
            name = match.group(1)
            i += match.end()
            if tex[i:i + 1] == " " and name not in OPERATORS:
                i += 1  # \\partial J is ∂J; an operator (\\ge, \\leftarrow) keeps its spaces
            if name == "frac":
                top, i = _group(tex, i)
                bottom, i = _group(tex, i)
                top, bottom = maths(top), maths(bottom)
                wrap = lambda s: f"({s})" if re.search(r"[ +\-=·×/]", s) else s  # noqa: E731
                out.append(f"{wrap(top)}/{wrap(bottom)}")
            elif name == "sqrt":
                inner, i = _group(tex, i)
                out.append(f"√({maths(inner)})")
            elif name in ("hat", "bar", "tilde", "vec"):
                inner, i = _group(tex, i)
                out.append(maths(inner) + {"hat": "\u0302", "bar": "\u0304", "tilde": "\u0303", "vec": "\u20d7"}[name])
            else:
                out.append(SYMBOLS.get(name, name))
        elif c in "^_":
            inner, i = _group(tex, i + 1)
            inner = maths(inner)
            out.append(_script(inner, SUPERSCRIPT if c == "^" else SUBSCRIPT, c))
        elif c in "{}":
            i += 1
        else:
            out.append(c)
            i += 1
    return re.sub(r"[ \t]{2,}", " ", "".join(out)).replace("ᵀ ", "ᵀ ").strip()


def inline(text):
    """Markdown and TeX of one paragraph, as plain text: no **, *, `...` or \\( \\) markers."""
    text = re.sub(r"\\\((.+?)\\\)", lambda m: maths(m.group(1)), text, flags=re.S)
    text = re.sub(r"\\\[(.+?)\\\]", lambda m: maths(m.group(1)), text, flags=re.S)
    text = re.sub(r"\$\$(.+?)\$\$", lambda m: maths(m.group(1)), text, flags=re.S)
    text = re.sub(r"\[([^\]]+)\]\((\S+?)\)", r"\1 (\2)", text)  # links: their text, then the address
    text = re.sub(r"\*\*(.+?)\*\*", r"\1", text, flags=re.S)
    text = re.sub(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])", r"\1", text, flags=re.S)
    text = re.sub(r"(?<!\w)_(?!\s)(.+?)(?<!\s)_(?!\w)", r"\1", text, flags=re.S)
    text = re.sub(r"`([^`]+)`", r"\1", text)
    return text


def plain(text, width=WIDTH):
    """A Markdown text for the terminal: maths in Unicode, no markers, paragraphs wrapped to `width`.

    Code spans are kept apart while the rest is translated, so `x_1 * y` in code stays as written."""
    codes = []

    def keep(match):
        codes.append(match.group(1))
        return f"\0{len(codes) - 1}\0"

    text = re.sub(r"`([^`]+)`", keep, text.strip())
    paragraphs = [" ".join(line.strip() for line in block.splitlines()) for block in re.split(r"\n\s*\n", text)]
    paragraphs = [re.sub(r"\0(\d+)\0", lambda m: codes[int(m.group(1))], inline(p)) for p in paragraphs]
    return "\n\n".join(textwrap.fill(p, width, break_long_words=False, break_on_hyphens=False)
                       for p in paragraphs)
