"""The article's claims A1-A12 (2025-06-27), transcribed with the article's own labels and sign convention.

The article writes everything with the paper's symbols: ``s`` = s_k, ``e`` = e_{k+1},
``alpha`` the noise weight, ``c_up`` the coefficient of Up(x_e) in the jump, and a
*negative* gamma (the paper's), also in A8-A10 where it describes the code (A7).
A1-A5 and A8-A10 are equations between those quantities; A6, A7, A11 and A12 are
sentences, kept verbatim in :data:`PROSE` and decided by the ledger through the
claims that make them precise.
"""

from __future__ import annotations

import sympy
from sympy import Rational, sqrt

from ..conventions import GAMMA_2X2, S_OPEN, alpha, e_next, gamma, s_k
from ..domain import Domain, Interval
from ._base import Equation, register

__all__ = ["c_up", "c_noise", "ARTICLE_EQUATIONS", "PROSE"]

s, e = s_k, e_next
c_up = sympy.Symbol("c_up", real=True)        # coefficient of Up(x_{e_{k+1}}) in the jump
c_noise = sympy.Symbol("c_noise", real=True)  # coefficient of n' in the jump

_POS = Interval.open(0, sympy.oo)
_D = Domain([(s, S_OPEN), (e, S_OPEN), (alpha, _POS), (c_up, _POS), (c_noise, _POS), (gamma, GAMMA_2X2)])
_D3 = _D.with_(gamma, Interval.point(Rational(-1, 3)))


def _eq(cid, statement, lhs, rhs, domain=_D, note=""):
    return register(Equation(f"article.{cid}", f"article {cid}", "article", statement, lhs, rhs, domain, note))


def _v(*items):
    return sympy.ImmutableMatrix(items)


ARTICLE_EQUATIONS = {
    "A1": _eq("A1", "e_{k+1} = s_k sqrt(1-gamma) / ((1-s_k) sqrt(-gamma) + s_k sqrt(1-gamma))  (paper, gamma < 0)",
              e, s * sqrt(1 - gamma) / ((1 - s) * sqrt(-gamma) + s * sqrt(1 - gamma))),
    "A2": _eq("A2", "alpha = (1 - s_k) / sqrt(1 - gamma)", alpha, (1 - s) / sqrt(1 - gamma)),
    "A3": _eq("A3", "at gamma = -1/3: e_{k+1} = 2 s_k / (1 + s_k)", e, 2 * s / (1 + s), _D3),
    "A4": _eq("A4", "at gamma = -1/3: alpha = sqrt(3)(1 - s_k)/2", alpha, sqrt(3) * (1 - s) / 2, _D3),
    "A5": _eq("A5", "x_{s_k} = ((1 + s_k)/2) Up(x_e) + (sqrt(3)(1 - s_k)/2) n'",
              _v(c_up, c_noise), _v((1 + s) / 2, sqrt(3) * (1 - s) / 2), _D3),
    "A8": _eq("A8", "code: e_{k+1} = s_k / (sqrt(1 - 1/gamma)(1 - s_k) + s_k)",
              e, s / (sqrt(1 - 1 / gamma) * (1 - s) + s)),
    "A9": _eq("A9", "code: alpha = (1 - s_k) / (sqrt(-gamma) (sqrt(1 - 1/gamma)(1 - s_k) + s_k))",
              alpha, (1 - s) / (sqrt(-gamma) * (sqrt(1 - 1 / gamma) * (1 - s) + s))),
    "A10": _eq("A10", "code: x_{s_k} = (e / s_k) Up(x_e) + alpha n'",
               _v(c_up, c_noise), _v(e / s, alpha)),
}

PROSE = {
    "A6": "the paper derives e_{k+1} from s_k; the code derives s_k back from e_{k+1}",
    "A7": "the code takes gamma positive (1/3); the paper's derivation uses gamma negative (-1/3)",
    "A11": "the code's order and sign choices avoid complex arithmetic",
    "A12": "the code reuses intermediate results and keeps mathematical equivalence with the derivation",
}
