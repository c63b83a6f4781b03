"""The paper's internal steps (paper convention: t = signal level, gamma < 0)."""

from __future__ import annotations

import sympy
from sympy import Rational

from ..conventions import GAMMA_2X2, S_OPEN, e_next, gamma, paper_domain, s_k
from ..domain import Domain, Interval
from ..formulas import paper as P
from ._claim import Claim

ORDER = 10

s, e, g = s_k, e_next, gamma


def claims() -> list[Claim]:
    E, A = P.e_next_of_s(), P.alpha_of_s()
    D = paper_domain()
    D3 = paper_domain(gamma_value=Rational(-1, 3))
    E26 = P.E_NEXT_MINUS_THIRD.expr
    return [
        Claim("paper.25-solves-23", "paper eqs. 23, 25",
              "e_{k+1} and alpha of eq. 25 satisfy the diagonal condition (23)",
              "identity", D, lhs=(s**2 / E**2) * (1 - E) ** 2 + A**2, rhs=(1 - s) ** 2),
        Claim("paper.25-solves-24", "paper eqs. 24, 25",
              "e_{k+1} and alpha of eq. 25 satisfy the off-diagonal condition (24)",
              "identity", D, lhs=(s**2 / E**2) * (1 - E) ** 2 + A**2 * g, rhs=sympy.Integer(0)),
        Claim("paper.25-solves-21", "paper eqs. 21, 22, 25",
              "eq. 25 solves the block covariance equation (21) with the 4x4 matrices of (22)",
              "identity", D, lhs=P.EQ21.lhs.xreplace({e: E, P.alpha: A}), rhs=P.EQ21.rhs),
        Claim("paper.26-is-25-at-minus-third", "paper eqs. 25, 26",
              "eq. 26 is eq. 25 at gamma = -1/3: e_{k+1} = 2 s_k/(1 + s_k), alpha = sqrt(3)(1 - s_k)/2",
              "identity", D3, lhs=sympy.ImmutableMatrix([E, A]),
              rhs=sympy.ImmutableMatrix([E26, P.ALPHA_MINUS_THIRD.expr])),
        Claim("paper.27-is-20-with-26", "paper eqs. 20, 26, 27",
              "eq. 27 is eq. 20 with eq. 26: s_k/e_{k+1} = (1 + s_k)/2, noise weight sqrt(3)(1 - s_k)/2",
              "identity", Domain([(s, S_OPEN)]),
              lhs=sympy.ImmutableMatrix([P.SCALE_EQ20.expr.xreplace({e: E26}), P.ALPHA_MINUS_THIRD.expr]),
              rhs=sympy.ImmutableMatrix([P.SCALE_EQ27.expr, P.NOISE_EQ27.expr])),
        Claim("paper.rollback", "paper section 3 (after eq. 15)",
              "e_{k+1} > s_k on the open domain: the timestep is rolled back a bit",
              "sign", D, expr=E - s, relation=">"),
        Claim("paper.e-next-below-one", "paper eq. 25",
              "e_{k+1} < 1 for gamma < 0: the end of stage k+1 is a valid signal level",
              "sign", D, expr=1 - E, relation=">"),
        Claim("paper.25-inverse", "derived: paper eq. 25 solved for s_k",
              "s_k(e) = e sqrt(-gamma)/((1 - e) sqrt(1 - gamma) + e sqrt(-gamma)) inverts eq. 25",
              "identity", D, lhs=P.s_of_e_next(E, g), rhs=s),
        Claim("paper.sigma-prime-psd", "paper section 3 (gamma range) and eq. 22",
              "Sigma' = (1 - gamma) I + gamma J (4x4) is positive semidefinite for gamma in [-1/3, 0)",
              "psd", Domain([(g, GAMMA_2X2)]), matrix=P.sigma_prime(4, g)),
        Claim("paper.sigma-prime-not-psd-below-bound", "paper section 3 (gamma range)",
              "Sigma' would be PSD below the bound, gamma in [-1/2, -1/3): refuted, -1/3 is the lower bound",
              "psd", Domain([(g, Interval(Rational(-1, 2), Rational(-1, 3), False, True))]),
              matrix=P.sigma_prime(4, g), expected="refuted"),
    ]
