"""Code == paper for every admissible gamma, with the sign flip gamma_c = -gamma and the time flip sigma = 1 - t.

Each code formula (code convention: noise level ``sigma_end``, positive ``gamma_c``)
is rewritten in paper symbols by :func:`pyramid_sym.conventions.code_to_paper`
(``sigma_end -> 1 - e_{k+1}``, ``gamma_c -> -gamma``) before it is compared.
"""

from __future__ import annotations

import sympy
from sympy import Rational

from ..conventions import (GAMMA_C_2X2, SIGMA_CLOSED, SIGMA_OPEN, code_to_paper, gamma, gamma_c,
                           paper_domain, s_k, e_next, sigma_end, sigma_of_t)
from ..domain import Domain
from ..formulas import code as C
from ..formulas import paper as P
from ._claim import Claim

ORDER = 30

s, e, g = s_k, e_next, gamma


def _to_paper(expr):
    return code_to_paper(expr, sigma_symbol=sigma_end, t_symbol=e)


def claims() -> list[Claim]:
    De = paper_domain(over=e)           # e_{k+1} in (0, 1), gamma in [-1/3, 0)
    Ds = paper_domain()                 # s_k in (0, 1), gamma in [-1/3, 0)
    Dc = Domain([(sigma_end, SIGMA_OPEN), (gamma_c, GAMMA_C_2X2)])
    S_e = P.s_of_e_next(e, g)           # paper s_k as a function of e_{k+1}
    E_s = P.e_next_of_s(s, g)
    corrected = _to_paper(C.corrected_start_of())
    third = Rational(1, 3)
    cov = C.block_covariance(4, gamma_c)
    J = sympy.ImmutableMatrix.ones(4, 4)
    I4 = sympy.ImmutableMatrix.eye(4)
    return [
        Claim("code.corrected-start-is-inverse-of-25", "code: scheduler corrected start; paper eq. 25",
              "corrected start (sigma_end = 1 - e_{k+1}, gamma_c = -gamma) = s_k(e_{k+1}), the inverse of eq. 25",
              "identity", De, lhs=corrected, rhs=S_e),
        Claim("code.start-sigma-is-time-flip", "code: scheduler corrected start",
              "the stored start sigma 1 - corrected is the noise level sigma = 1 - s_k of the paper's s_k",
              "identity", De, lhs=_to_paper(C.start_sigma_of()), rhs=sigma_of_t(S_e)),
        Claim("code.round-trip-s", "code: scheduler corrected start; paper eq. 25",
              "s_k -> e_{k+1} (eq. 25) -> corrected start (code) gives back s_k",
              "identity", Ds, lhs=corrected.xreplace({e: E_s}), rhs=s),
        Claim("code.round-trip-e", "code: scheduler corrected start; paper eq. 25",
              "e_{k+1} -> corrected start (code) -> e_{k+1} (eq. 25) gives back e_{k+1}",
              "identity", De, lhs=P.e_next_of_s(corrected, g), rhs=e),
        Claim("code.alpha-is-scale", "code: re-noising alpha; paper eq. 20",
              "the code's alpha equals s_k / e_{k+1} (the up-sampling scale of eq. 20)",
              "identity", De, lhs=_to_paper(C.alpha_of()), rhs=S_e / e),
        Claim("code.beta-is-alpha-25", "code: re-noising beta; paper eq. 25",
              "the code's beta equals alpha = (1 - s_k)/sqrt(1 - gamma) of eq. 25",
              "identity", De, lhs=_to_paper(C.beta_of()), rhs=P.alpha_of_s(S_e, g)),
        Claim("code.block-covariance-is-sigma-prime", "code: sample_block_noise; paper eq. 22",
              "the block covariance (1 + gamma_c) I - gamma_c J equals Sigma' = (1 - gamma) I + gamma J",
              "identity", Domain([(g, paper_domain()[g])]), lhs=_to_paper(cov), rhs=P.sigma_prime(4, g)),
        Claim("code.one-third-form", "code: commented-out gamma_c = 1/3 line",
              "at gamma_c = 1/3 the commented form e/(2 - e) equals the general corrected start",
              "identity", Domain([(sigma_end, SIGMA_CLOSED)]),
              lhs=C.CORRECTED_START_ONE_THIRD.expr, rhs=C.corrected_start_of(sigma_end, third)),
        Claim("code.renoise-keeps-marginal", "code: generate_one_unit re-noising; paper eq. 8",
              "alpha^2 sigma_end^2 J + beta^2 ((1 + gamma_c) I - gamma_c J) = (start sigma)^2 I and "
              "alpha (1 - sigma_end) = 1 - start sigma: the re-noised state has the training marginal",
              "identity", Dc,
              lhs=sympy.ImmutableMatrix.vstack(
                  C.alpha_of() ** 2 * sigma_end ** 2 * J + C.beta_of() ** 2 * cov,
                  sympy.ImmutableMatrix([[C.alpha_of() * (1 - sigma_end), 0, 0, 0]])),
              rhs=sympy.ImmutableMatrix.vstack(
                  C.start_sigma_of() ** 2 * I4,
                  sympy.ImmutableMatrix([[1 - C.start_sigma_of(), 0, 0, 0]]))),
        Claim("code.block-covariance-psd", "code: sample_block_noise",
              "(1 + gamma_c) I - gamma_c J is positive semidefinite for gamma_c in (0, 1/3]",
              "psd", Domain([(gamma_c, GAMMA_C_2X2)]), matrix=cov),
        Claim("code.block-covariance-singular-at-default", "code: sample_block_noise default gamma_c = 1/3",
              "at the default gamma_c = 1/3 the block covariance is singular (det = 0, eigenvalue 1 - 3 gamma_c)",
              "identity", Domain([]), lhs=C.block_covariance(4, third).det(), rhs=sympy.Integer(0),
              note="why a Cholesky-based multivariate normal fails at the default"),
    ]
