"""Paper formulas (Jin et al., ICLR 2025), paper convention: t = signal level, gamma < 0.

Equation numbers follow the paper's display order.  ``s`` is s_k (start of stage k),
``e`` is e_{k+1} (end of stage k+1), both signal levels in (0, 1); gamma is the
paper's negative correlation, gamma in [-1/3, 0) for 2x2 blocks.
"""

from __future__ import annotations

import sympy
from sympy import Rational, sqrt

from ..conventions import (
    BLOCK_2X2, GAMMA_2X2, S_OPEN, alpha, e_next, gamma, s_k, paper_domain,
)
from ..domain import Domain, Interval
from ._base import Equation, Formula, register

__all__ = [
    "block_ones", "sigma_prime", "e_next_of_s", "alpha_of_s", "s_of_e_next",
    "E_NEXT", "ALPHA", "S_OF_E", "E_NEXT_MINUS_THIRD", "ALPHA_MINUS_THIRD",
    "SCALE_EQ20", "SCALE_EQ27", "NOISE_EQ27", "SIGMA_EQ22", "SIGMA_PRIME_EQ22",
    "EQ21", "EQ23", "EQ24",
]

s, e = s_k, e_next
_ALL = Domain([(s, S_OPEN), (e, S_OPEN), (alpha, Interval.open(0, sympy.oo)), (gamma, GAMMA_2X2)])


def block_ones(n: int = BLOCK_2X2) -> sympy.ImmutableMatrix:
    """Sigma of eq. 14/22 for one block: nearest up-sampling copies one value into n entries (all-ones n x n)."""
    return sympy.ImmutableMatrix.ones(n, n)


def sigma_prime(n: int = BLOCK_2X2, g=gamma) -> sympy.ImmutableMatrix:
    """Sigma' of eq. 14/22 for one block: 1 on the diagonal, gamma elsewhere, i.e. (1 - gamma) I + gamma J."""
    return sympy.ImmutableMatrix(n, n, lambda i, j: 1 if i == j else g)


def e_next_of_s(s_value=s, g=gamma, ctx=sympy):
    """Paper eq. 25: e_{k+1} = s_k sqrt(1-gamma) / ((1-s_k) sqrt(-gamma) + s_k sqrt(1-gamma)).

    Written once against an arithmetic context ``ctx`` (a namespace with ``sqrt``): SymPy
    by default, ``numpy``/``torch`` to evaluate as printed in a float dtype, ``mpmath.mp``.
    """
    return s_value * ctx.sqrt(1 - g) / ((1 - s_value) * ctx.sqrt(-g) + s_value * ctx.sqrt(1 - g))


def alpha_of_s(s_value=s, g=gamma, ctx=sympy):
    """Paper eq. 25: alpha = (1 - s_k) / sqrt(1 - gamma) (``ctx`` as in :func:`e_next_of_s`)."""
    return (1 - s_value) / ctx.sqrt(1 - g)


def s_of_e_next(e_value=e, g=gamma, ctx=sympy):
    """Eq. 25 solved for s_k: s_k = e sqrt(-gamma) / ((1 - e) sqrt(1 - gamma) + e sqrt(-gamma)) (``ctx`` likewise)."""
    return e_value * ctx.sqrt(-g) / ((1 - e_value) * ctx.sqrt(1 - g) + e_value * ctx.sqrt(-g))


_D = paper_domain()
_D_THIRD = paper_domain(gamma_value=Rational(-1, 3))
_D_S = Domain([(s, S_OPEN)])

SCALE_EQ20 = register(Formula(
    "paper.eq20.scale", "paper eq. 20 (= eq. 13)", "paper",
    "coefficient of Up(x_{e_{k+1}}) in the jump x_{s_k} = (s_k/e_{k+1}) Up(x_{e_{k+1}}) + alpha n'",
    s / e, Domain([(s, S_OPEN), (e, S_OPEN)])))

EQ21 = register(Equation(
    "paper.eq21", "paper eq. 21", "paper",
    "covariance matching of the jump, one 2x2 block: (s^2/e^2)(1-e)^2 Sigma + alpha^2 Sigma' = (1-s)^2 I",
    (s**2 / e**2) * (1 - e)**2 * block_ones() + alpha**2 * sigma_prime(),
    (1 - s)**2 * sympy.ImmutableMatrix.eye(BLOCK_2X2), _ALL))

SIGMA_EQ22 = register(Formula(
    "paper.eq22.Sigma", "paper eq. 22 (= eq. 14)", "paper",
    "covariance of Up(noise) within one 2x2 block (all ones: nearest up-sampling copies one value)",
    block_ones(), Domain([])))

SIGMA_PRIME_EQ22 = register(Formula(
    "paper.eq22.Sigma_prime", "paper eq. 22 (= eq. 14)", "paper",
    "covariance of the corrective noise n' within one 2x2 block: 1 on the diagonal, gamma elsewhere",
    sigma_prime(), Domain([(gamma, GAMMA_2X2)])))

EQ23 = register(Equation(
    "paper.eq23", "paper eq. 23", "paper",
    "diagonal of eq. 21: (s^2/e^2)(1-e)^2 + alpha^2 = (1-s)^2",
    (s**2 / e**2) * (1 - e)**2 + alpha**2, (1 - s)**2, _ALL))

EQ24 = register(Equation(
    "paper.eq24", "paper eq. 24", "paper",
    "off-diagonal of eq. 21: (s^2/e^2)(1-e)^2 + alpha^2 gamma = 0",
    (s**2 / e**2) * (1 - e)**2 + alpha**2 * gamma, sympy.Integer(0), _ALL))

E_NEXT = register(Formula(
    "paper.eq25.e_next", "paper eq. 25", "paper",
    "e_{k+1}, end of stage k+1 (signal level), from the start s_k of stage k, general gamma",
    e_next_of_s(), _D))

ALPHA = register(Formula(
    "paper.eq25.alpha", "paper eq. 25", "paper",
    "alpha, weight of the corrective noise n' at the jump, general gamma",
    alpha_of_s(), _D))

S_OF_E = register(Formula(
    "paper.eq25.s_k", "derived: paper eq. 25 solved for s_k", "derived",
    "s_k, start of stage k (signal level), from the end e_{k+1} of stage k+1: the inverse of eq. 25",
    s_of_e_next(), paper_domain(over=e)))

E_NEXT_MINUS_THIRD = register(Formula(
    "paper.eq26.e_next", "paper eq. 26", "paper",
    "e_{k+1} at gamma = -1/3", 2 * s / (1 + s), _D_S))

ALPHA_MINUS_THIRD = register(Formula(
    "paper.eq26.alpha", "paper eq. 26", "paper",
    "alpha at gamma = -1/3", sqrt(3) * (1 - s) / 2, _D_S))

SCALE_EQ27 = register(Formula(
    "paper.eq27.scale", "paper eq. 27 (= eq. 15)", "paper",
    "coefficient of Up(x_{e_{k+1}}) in the jump at gamma = -1/3", (1 + s) / 2, _D_S))

NOISE_EQ27 = register(Formula(
    "paper.eq27.noise", "paper eq. 27 (= eq. 15)", "paper",
    "coefficient of n' in the jump at gamma = -1/3", sqrt(3) * (1 - s) / 2, _D_S))
