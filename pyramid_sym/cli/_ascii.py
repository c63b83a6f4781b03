"""Output that never fails on a terminal that cannot show Unicode: degrade to ASCII.

``install()`` registers the codec error handler ``pyramid-sym-ascii`` and sets it on
stdout and stderr, so a character the stream's encoding (``PYTHONIOENCODING=ascii``,
``cp1252``, a C locale) cannot encode is written as an ASCII spelling (gamma for the Greek
letter, <= for the sign, -> for the arrow, ...) instead of ending in ``UnicodeEncodeError``.
Characters the encoding can show are written unchanged.
"""

from __future__ import annotations

import codecs
import sys
import unicodedata

__all__ = ["install", "to_ascii", "ERRORS", "can_encode"]

ERRORS = "pyramid-sym-ascii"

_SPELLING = {
    "\u03b1": "alpha", "\u03b2": "beta", "\u03b3": "gamma", "\u0393": "Gamma", "\u03b4": "delta",
    "\u0394": "Delta", "\u03b5": "eps", "\u03bb": "lambda", "\u03bc": "mu", "\u03c0": "pi", "\u03c3": "sigma",
    "\u03a3": "Sigma", "\u03c4": "tau", "\u03c6": "phi", "\u03c9": "omega",
    "\u2264": "<=", "\u2265": ">=", "\u2260": "!=", "\u2248": "~=", "\u2261": "==", "\u2192": "->",
    "\u2190": "<-", "\u21d2": "=>", "\u21d4": "<=>", "\u2208": " in ", "\u2209": " not in ", "\u221e": "inf",
    "\u221a": "sqrt", "\u2212": "-", "\u00b7": "*", "\u22c5": "*", "\u00d7": "x", "\u00b1": "+-",
    "\u2026": "...", "\u2013": "-", "\u2014": "--", "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"',
    "\u00b2": "^2", "\u00b3": "^3", "\u207b": "^-", "\u00b9": "^1", "\u2070": "^0", "\u2074": "^4",
    "\u2075": "^5", "\u2076": "^6", "\u2077": "^7", "\u2078": "^8", "\u2079": "^9",
    "\u2080": "_0", "\u2081": "_1", "\u2082": "_2", "\u2096": "_k", "\u00bd": "1/2", "\u2153": "1/3",
    "\u2032": "'", "\u00a0": " ", "\u2502": "|", "\u2500": "-", "\u2550": "=", "\u2713": "ok", "\u2717": "x",
    "\u2211": "sum", "\u220f": "prod", "\u2202": "d", "\u222b": "int", "\u230a": "floor(", "\u230b": ")",
    "\u27e8": "<", "\u27e9": ">",
}


def to_ascii(text: str) -> str:
    """``text`` with every non-ASCII character spelled in ASCII."""
    return "".join(_spell(c) if ord(c) > 127 else c for c in text)


def _spell(c: str) -> str:
    if c in _SPELLING:
        return _SPELLING[c]
    base = unicodedata.normalize("NFKD", c).encode("ascii", "ignore").decode("ascii")
    if base:
        return base
    return "?"


def _handler(exc: UnicodeError):
    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    return to_ascii(exc.object[exc.start:exc.end]), exc.end


def can_encode(stream, text: str) -> bool:
    """True if ``stream``'s encoding can write ``text`` as it is."""
    try:
        text.encode(getattr(stream, "encoding", None) or "ascii")
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def install() -> None:
    """Register the handler and set it on stdout and stderr (where they allow it)."""
    try:
        codecs.lookup_error(ERRORS)
    except LookupError:
        codecs.register_error(ERRORS, _handler)
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is None:
            continue
        try:
            reconfigure(errors=ERRORS)
        except (ValueError, OSError, TypeError):
            pass
