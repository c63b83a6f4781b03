"""Reference-code formulas, code convention: sigma = 1 - t (noise level), gamma_c = -gamma > 0.

Each formula of the reference implementation is written here once, in the reference's
own order of operations, as a function of its inputs and of an arithmetic *context*
``ctx``: any namespace with a ``sqrt`` (the way mpmath writes a function once against
a context).  The same definition then gives

* the exact SymPy expression (``ctx=sympy``, the default): the registered formulas below;
* the value in a float dtype, every operation rounded in the reference's order
  (``ctx=numpy`` or ``ctx=torch`` on arrays of that dtype; ``ctx=math`` on Python floats,
  as the reference scheduler computes it);
* an mpmath value or a certified interval (``ctx=mpmath.mp``, ``ctx=mpmath.iv``).

Python integer constants stay weak in NumPy 2 and torch promotion, so a float32 input
is computed in float32 throughout, ``1/gamma_c`` included.

Sources (the reference repository, cited by file and function):

* ``diffusion_schedulers/scheduling_flow_matching.py``, ``init_sigmas_for_each_stage``:
  for every stage but the first, ``ori_sigma = 1 - start_sigma`` (a signal level despite
  its name), ``corrected_sigma = (1 / (sqrt(1 + (1 / gamma)) * (1 - ori_sigma) + ori_sigma)) * ori_sigma``
  and the stage starts at ``1 - corrected_sigma``;
* ``pyramid_dit/pyramid_dit_for_video_gen_pipeline.py``, ``generate_one_unit``: at a jump,
  ``ori_sigma = 1 - ori_start_sigma``, ``alpha = 1 / (sqrt(1 + (1 / gamma)) * (1 - ori_sigma) + ori_sigma)``,
  ``beta = alpha * (1 - ori_sigma) / sqrt(gamma)``;
* the same file, ``sample_block_noise``: every 2x2 block ~ N(0, eye * (1 + gamma) - ones * gamma).

The input of the jump is the previous stage's end noise level ``sigma_end`` (the
scheduler's ``ori_start_sigmas`` of the next stage).
"""

from __future__ import annotations

import sympy
from sympy import Rational

from ..conventions import BLOCK_2X2, GAMMA_C_2X2, code_domain, gamma_c, sigma_end
from ..domain import Domain
from ._base import Formula, register

__all__ = [
    "jump_alpha", "corrected_signal", "block_covariance", "corrected_start_of", "start_sigma_of", "alpha_of",
    "beta_of", "CORRECTED_START", "START_SIGMA", "CORRECTED_START_ONE_THIRD", "RENOISE_ALPHA", "RENOISE_BETA",
    "BLOCK_COVARIANCE",
]

_D = code_domain()


def jump_alpha(ori_sigma, gamma, ctx=sympy):
    """``1 / (sqrt(1 + (1 / gamma)) * (1 - ori_sigma) + ori_sigma)``, ori_sigma a signal level.

    The common factor of ``init_sigmas_for_each_stage`` (scheduling_flow_matching.py) and
    ``generate_one_unit`` (pyramid_dit_for_video_gen_pipeline.py), in their order.
    """
    return 1 / (ctx.sqrt(1 + (1 / gamma)) * (1 - ori_sigma) + ori_sigma)


def corrected_signal(ori_sigma, gamma, ctx=sympy):
    """``corrected_sigma`` of ``init_sigmas_for_each_stage``: ``(1 / (...)) * ori_sigma`` (= paper s_k)."""
    return jump_alpha(ori_sigma, gamma, ctx) * ori_sigma


def corrected_start_of(sigma_value=sigma_end, gc=gamma_c, ctx=sympy):
    """The corrected start as a signal level: ``ori_sigma = 1 - sigma_end``, then :func:`corrected_signal`."""
    return corrected_signal(1 - sigma_value, gc, ctx)


def start_sigma_of(sigma_value=sigma_end, gc=gamma_c, ctx=sympy):
    """``init_sigmas_for_each_stage``: the next stage's start noise level ``1 - corrected_sigma``."""
    return 1 - corrected_start_of(sigma_value, gc, ctx)


def alpha_of(sigma_value=sigma_end, gc=gamma_c, ctx=sympy):
    """``generate_one_unit``: alpha, the weight of the up-sampled latent, with ``ori_sigma = 1 - sigma_end``."""
    return jump_alpha(1 - sigma_value, gc, ctx)


def beta_of(sigma_value=sigma_end, gc=gamma_c, ctx=sympy):
    """``generate_one_unit``: ``beta = alpha * (1 - ori_sigma) / sqrt(gamma)``, the weight of the block noise."""
    ori_sigma = 1 - sigma_value
    return jump_alpha(ori_sigma, gc, ctx) * (1 - ori_sigma) / ctx.sqrt(gc)


def block_covariance(n: int = BLOCK_2X2, gc=gamma_c, ctx=sympy):
    """``sample_block_noise``: the covariance ``eye(n) * (1 + gamma) - ones(n, n) * gamma`` of one block."""
    cov = ctx.eye(n) * (1 + gc) - ctx.ones(n, n) * gc
    return sympy.ImmutableMatrix(cov) if ctx is sympy else cov


_SCHEDULER = "code: scheduler corrected start (scheduling_flow_matching.py, init_sigmas_for_each_stage)"
_PIPELINE = "pyramid_dit_for_video_gen_pipeline.py"


def _code(formula_id: str, source: str, quantity: str, expr, domain: Domain = _D, note: str = "") -> Formula:
    return register(Formula(formula_id, source, "code", quantity, expr, domain, note=note))


CORRECTED_START = _code(
    "code.corrected_start", _SCHEDULER, "corrected start of stage i > 0 as a signal level (= paper s_k), from "
    "sigma_end = ori_start_sigma", corrected_start_of(), note="the scheduler stores 1 - corrected as the stage's start sigma")
START_SIGMA = _code("code.start_sigma", _SCHEDULER, "start sigma of stage i > 0 (noise level): 1 - corrected",
                    start_sigma_of())
CORRECTED_START_ONE_THIRD = _code(
    "code.corrected_start_one_third", f"{_SCHEDULER}, commented-out gamma_c = 1/3 line",
    "corrected start at gamma_c = 1/3: e / (2 - e), e = 1 - sigma_end", (1 - sigma_end) / (2 - (1 - sigma_end)),
    Domain([(sigma_end, code_domain()[sigma_end])]))
RENOISE_ALPHA = _code("code.renoise_alpha", f"code: generate_one_unit re-noising alpha ({_PIPELINE})",
                      "alpha, multiplies the nearest-upsampled latent at a jump (noise-level input sigma_end)", alpha_of())
RENOISE_BETA = _code("code.renoise_beta", f"code: generate_one_unit re-noising beta ({_PIPELINE})",
                     "beta, multiplies the block noise at a jump", beta_of())
BLOCK_COVARIANCE = _code(
    "code.block_covariance", f"code: sample_block_noise covariance ({_PIPELINE})",
    "covariance of one 2x2 block of the corrective noise: (1 + gamma_c) I - gamma_c J", block_covariance(),
    Domain([(gamma_c, GAMMA_C_2X2)]))

DEFAULT_GAMMA_C = Rational(1, 3)
