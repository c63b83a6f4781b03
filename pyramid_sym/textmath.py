"""Plain math for the terminal: LaTeX fragments and SymPy's ``**``/``*`` spelled as readable text.

``plain(text)`` turns ``$\\alpha^2 + \\frac{1}{\\sqrt{\\gamma}}$`` into ``α^2 + (1)/(√(γ))`` and
``alpha**2*gamma`` into ``α^2·γ``; the command line's ASCII fallback (``pyramid_sym.cli._ascii``) spells the
Greek letters and signs out on terminals that cannot show them.
"""

from __future__ import annotations

import re

__all__ = ["plain"]

_GREEK = {
    "alpha": "\u03b1", "beta": "\u03b2", "gamma": "\u03b3", "delta": "\u03b4", "lambda": "\u03bb",
    "mu": "\u03bc", "rho": "\u03c1", "sigma": "\u03c3", "Sigma": "\u03a3", "pi": "\u03c0", "tau": "\u03c4",
}
_SYMBOLS = {
    "times": "\u00d7", "cdot": "\u00b7", "ge": "\u2265", "geq": "\u2265", "le": "\u2264", "leq": "\u2264",
    "ne": "\u2260", "neq": "\u2260", "in": "\u2208", "pm": "\u00b1", "sim": "~", "perp": "\u22a5",
    "dots": "\u2026", "ldots": "\u2026", "cdots": "\u2026", "to": "\u2192", "infty": "\u221e",
    "approx": "\u2248", "min": "min", "max": "max", "det": "det", "log": "log", "exp": "exp",
    "quad": "  ", "qquad": "    ", "iff": "\u21d4", "Rightarrow": "\u21d2", "mid": "|",
}
_ENV = re.compile(r"\\(?:begin|end)\{[^{}]*\}")
_MACRO = re.compile(r"\\([A-Za-z]+)")


_WRAP = {"mathrm", "mathbf", "mathcal", "text", "textrm", "operatorname", "mathit", "boldsymbol", "mathsf"}
_FRACS = {"frac", "tfrac", "dfrac"}
_HATS = {"hat", "widehat"}


def _arg(t: str, i: int):
    """The argument of a macro starting at ``t[i]`` (after spaces): a balanced {group} or one token."""
    while i < len(t) and t[i] == " ":
        i += 1
    if i >= len(t):
        return "", i
    if t[i] != "{":
        if t[i] == "\\":
            m = re.match(r"\\[A-Za-z]+", t[i:])
            if m:
                return m.group(0), i + m.end()
        return t[i], i + 1
    depth = 0
    for j in range(i, len(t)):
        depth += {"{": 1, "}": -1}.get(t[j], 0)
        if depth == 0:
            return t[i + 1:j], j + 1
    return t[i + 1:], len(t)


def _expand(t: str) -> str:
    """Macros with arguments (fractions, roots, hats, text wrappers), innermost arguments first."""
    out, i = [], 0
    while i < len(t):
        m = re.match(r"\\([A-Za-z]+)", t[i:])
        if not m or m.group(1) not in _WRAP | _FRACS | _HATS | {"sqrt"}:
            out.append(t[i])
            i += 1
            continue
        name, i = m.group(1), i + m.end()
        a, i = _arg(t, i)
        a = _expand(a)
        if name in _FRACS:
            b, i = _arg(t, i)
            out.append(f"{_group(a)}/{_group(_expand(b))}")
        elif name == "sqrt":
            out.append(f"\u221a({a})")
        elif name in _HATS:
            out.append(a + "\u0302")
        else:
            out.append(a)
    return "".join(out)


def _latex(fragment: str) -> str:
    t = _ENV.sub("", fragment).replace("&", ",")
    t = _expand(t)
    t = re.sub(r"\\(?:left|right|big|Big|bigg|Bigg)\s*([()\[\]|.])", lambda m: "" if m.group(1) == "." else m.group(1), t)
    t = t.replace("\\{", "{").replace("\\}", "}").replace("\\,", " ").replace("\\;", " ").replace("\\!", "")
    t = t.replace("\\ ", " ").replace("\\\\", "; ")
    t = _MACRO.sub(lambda m: _GREEK.get(m.group(1)) or _SYMBOLS.get(m.group(1)) or m.group(1), t)
    t = re.sub(r"\^\{(\w)\}", r"^\1", t)
    t = re.sub(r"\{([^{}_^]*)\}", lambda m: m.group(1) if not _is_subscript_group(t, m) else m.group(0), t)
    lead = len(t) - len(t.lstrip(" "))
    return t[:lead] + re.sub(r"[ ]{2,}", " ", t[lead:]).replace(" ,", ",")


def _is_subscript_group(text: str, m) -> bool:
    return m.start() > 0 and text[m.start() - 1] in "_^"


def _group(x: str) -> str:
    x = x.strip()
    return x if re.fullmatch(r"[\w.\u0370-\u03ff]+", x) else f"({x})"


def _sympy(text: str) -> str:
    t = text.replace("**", "^")
    t = re.sub(r"(?<=[\w)\]])\*(?=[\w(\u0370-\u03ff])", "\u00b7", t)
    t = re.sub(r"\bsqrt\(", "\u221a(", t)
    t = re.sub(r"\b(alpha|beta|gamma|lambda|mu|rho|sigma|Sigma)\b", lambda m: _GREEK[m.group(1)], t)
    return t


def plain(text: str) -> str:
    """``text`` with each ``$...$`` LaTeX fragment, and any SymPy-syntax math, as plain readable math."""
    parts = re.split(r"(\$[^$]*\$)", text)
    out = []
    for part in parts:
        if len(part) >= 2 and part.startswith("$") and part.endswith("$"):
            out.append(_latex(part[1:-1]))
        else:
            out.append(_sympy(_latex(part)) if "\\" in part else _sympy(part))
    return "".join(out)
