"""Reference-code formulas, code convention: sigma = 1 - t (noise level), gamma_c = -gamma > 0.

Written as mathematics from the reference implementation (scheduler corrected
start; re-noising alpha/beta; block covariance of the block sampler).  The input of
the jump is the previous stage's end noise level ``sigma_end`` (the scheduler's
``ori_start_sigma`` of the next stage); the code names ``e = 1 - sigma_end``, a
signal level despite the variable name ``ori_sigma``.
"""

from __future__ import annotations

import sympy
from sympy import Rational, sqrt

from ..conventions import BLOCK_2X2, GAMMA_C_2X2, code_domain, gamma_c, sigma_end
from ..domain import Domain
from ._base import Formula, register

__all__ = [
    "block_covariance", "corrected_start_of", "start_sigma_of", "alpha_of", "beta_of",
    "CORRECTED_START", "START_SIGMA", "CORRECTED_START_ONE_THIRD", "RENOISE_ALPHA", "RENOISE_BETA",
    "BLOCK_COVARIANCE",
]

_D = code_domain()


def _r(gc=gamma_c):
    return sqrt(1 + 1 / gc)


def corrected_start_of(sigma_value=sigma_end, gc=gamma_c):
    """Code: corrected = e / (sqrt(1 + 1/gamma_c)(1 - e) + e), e = 1 - sigma_end (a signal level, = paper s_k)."""
    e = 1 - sigma_value
    return e / (_r(gc) * (1 - e) + e)


def start_sigma_of(sigma_value=sigma_end, gc=gamma_c):
    """Code: start sigma of the next stage = 1 - corrected (noise level)."""
    return 1 - corrected_start_of(sigma_value, gc)


def alpha_of(sigma_value=sigma_end, gc=gamma_c):
    """Code re-noising: alpha = 1 / (r (1 - e) + e), r = sqrt(1 + 1/gamma_c), multiplies Up(latent)."""
    e = 1 - sigma_value
    return 1 / (_r(gc) * (1 - e) + e)


def beta_of(sigma_value=sigma_end, gc=gamma_c):
    """Code re-noising: beta = alpha (1 - e) / sqrt(gamma_c), multiplies the block noise."""
    e = 1 - sigma_value
    return alpha_of(sigma_value, gc) * (1 - e) / sqrt(gc)


def block_covariance(n: int = BLOCK_2X2, gc=gamma_c) -> sympy.ImmutableMatrix:
    """Code block sampler: each block of n entries ~ N(0, (1 + gamma_c) I - gamma_c J)."""
    return sympy.ImmutableMatrix(n, n, lambda i, j: 1 if i == j else -gc)


CORRECTED_START = register(Formula(
    "code.corrected_start", "code: scheduler corrected start", "code",
    "corrected start of stage i > 0 as a signal level (= paper s_k), from sigma_end = ori_start_sigma",
    corrected_start_of(), _D,
    note="the scheduler stores 1 - corrected as the stage's start sigma"))

START_SIGMA = register(Formula(
    "code.start_sigma", "code: scheduler corrected start", "code",
    "start sigma of stage i > 0 (noise level): 1 - corrected", start_sigma_of(), _D))

CORRECTED_START_ONE_THIRD = register(Formula(
    "code.corrected_start_one_third", "code: scheduler corrected start, commented-out gamma_c = 1/3 line", "code",
    "corrected start at gamma_c = 1/3: e / (2 - e), e = 1 - sigma_end",
    (1 - sigma_end) / (2 - (1 - sigma_end)), Domain([(sigma_end, code_domain()[sigma_end])])))

RENOISE_ALPHA = register(Formula(
    "code.renoise_alpha", "code: generate_one_unit re-noising alpha", "code",
    "alpha, multiplies the nearest-upsampled latent at a jump (noise-level input sigma_end)",
    alpha_of(), _D))

RENOISE_BETA = register(Formula(
    "code.renoise_beta", "code: generate_one_unit re-noising beta", "code",
    "beta, multiplies the block noise at a jump", beta_of(), _D))

BLOCK_COVARIANCE = register(Formula(
    "code.block_covariance", "code: sample_block_noise covariance", "code",
    "covariance of one 2x2 block of the corrective noise: (1 + gamma_c) I - gamma_c J",
    block_covariance(), Domain([(gamma_c, GAMMA_C_2X2)])))

DEFAULT_GAMMA_C = Rational(1, 3)
