"""Plain math for the terminal: LaTeX fragments and SymPy's ``**``/``*`` spelled as readable text.

``plain(text)`` turns ``$\\alpha^2 + \\frac{1}{\\sqrt{\\gamma}}$`` into ``α^2 + (1)/(√(γ))`` and
``alpha**2*gamma`` into ``α^2·γ``; the command line's ASCII fallback (see ``_ascii``) spells the
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
_ONE_ARG = re.compile(r"\\(?:mathrm|mathbf|mathcal|text|textrm|operatorname|mathit|boldsymbol)\s*\{([^{}]*)\}")
_ONE_TOKEN = re.compile(r"\\(?:mathrm|mathbf|mathcal|mathit)\s+(\w)")
_FRAC = re.compile(r"\\[td]?frac\s*\{([^{}]*)\}\s*\{([^{}]*)\}")
_SQRT = re.compile(r"\\sqrt\s*\{([^{}]*)\}")
_HAT = re.compile(r"\\(?:hat|widehat)\s*\{?(\w)\}?")
_ENV = re.compile(r"\\(?:begin|end)\{[^{}]*\}")
_MACRO = re.compile(r"\\([A-Za-z]+)")


def _latex(fragment: str) -> str:
    t = fragment
    t = _ENV.sub("", t).replace("&", ",")
    t = re.sub(r"\\tfrac\s*(\w)(\w)", r"\1/\2", t)
    for _ in range(6):  # innermost first, a few levels of nesting
        new = _ONE_ARG.sub(r"\1", t)
        new = _ONE_TOKEN.sub(r"\1", new)
        new = _FRAC.sub(lambda m: f"{_group(m.group(1))}/{_group(m.group(2))}", new)
        new = _SQRT.sub(lambda m: "\u221a(" + m.group(1) + ")", new)
        if new == t:
            break
        t = new
    t = _HAT.sub(lambda m: m.group(1) + "\u0302", t)
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
