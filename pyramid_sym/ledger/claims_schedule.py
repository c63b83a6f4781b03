"""Ledger claims about the whole reference scheduler (code convention), all expected "proved".

Source: the reference scheduler (``PyramidFlowMatchEulerDiscreteScheduler``: SD3 shift,
corrected stage starts, timestep ratios, stage-local sigmas) and the re-noising of
``generate_one_unit``, as modelled by :mod:`pyramid_sym.schedule`; the expressions below are
built with that module's own functions and with :mod:`pyramid_sym.formulas.code`, so the
ledger checks what the package computes.

**Convention: code.**  sigma is the noise level, gamma_c > 0, code stage indices.
"""

from __future__ import annotations

import sympy
from sympy import exp, log

from ..conventions import BLOCK_2X2, code_domain, gamma_c, gamma_of_gamma_c, sigma, sigma_end, t_of_sigma
from ..domain import Domain, Interval
from ..formulas.code import alpha_of, beta_of, block_covariance, corrected_start_of, start_sigma_of
from ..formulas.paper import e_next_of_s, s_of_e_next
from ..schedule import global_sigma_of, sd3_shift, stage_ratios
from ._claim import Claim

__all__ = ["ORDER", "claims"]

ORDER = 60

SRC_SCHED = "code: PyramidFlowMatchEulerDiscreteScheduler (scheduling_flow_matching.py)"
SRC_RENOISE = "code: generate_one_unit re-noising + sample_block_noise (pyramid_dit_for_video_gen_pipeline.py)"

shift = sympy.Symbol("shift", real=True)                # SD3 shift factor, > 0
sigma_local = sympy.Symbol("sigma_local", real=True)    # stage-local noise level, 1 -> 0 within a stage
sigma_start = sympy.Symbol("sigma_start", real=True)    # a stage's start noise level
sigma_stop = sympy.Symbol("sigma_stop", real=True)      # a stage's end noise level
sigma_local_next = sympy.Symbol("sigma_local_next", real=True)
# stand-ins for the (coupled) noise n, the upsampled coarser clean latent Up(x) and the clean latent
noise_n, up_x, clean_x = sympy.symbols("n U X", real=True)

_UNIT_OPEN = Interval.open(0, 1)
_UNIT_CLOSED = Interval.closed(0, 1)


def _shift_claims() -> list[Claim]:
    mu = log(shift)
    # diffusers' flow-matching time shift with exponent 1: e^mu / (e^mu + (1/sigma - 1)).
    # SymPy evaluates exp(log(shift)) to shift on construction (true for every shift != 0).
    time_shift = exp(mu) / (exp(mu) + (1 / sigma - 1))
    return [Claim(
        "schedule.shift.exponential_time_shift", SRC_SCHED,
        "the SD3 shift sigma' = shift sigma / (1 + (shift - 1) sigma) of the global table equals the "
        "exponential time shift e^mu / (e^mu + (1/sigma - 1)) with mu = ln(shift)",
        "identity", Domain([(sigma, Interval(0, 1, lo_open=True)), (shift, Interval(0, sympy.oo, True, True))]),
        lhs=sd3_shift(sigma, shift), rhs=time_shift,
        note="sigma in (0, 1] (the table never reaches 0), shift in (0, oo); e^{ln shift} = shift for shift > 0")]


def _corrected_start_claims() -> list[Claim]:
    d = code_domain()
    corrected = corrected_start_of(sigma_end, gamma_c)          # signal level, the paper's s_k
    paper_g = gamma_of_gamma_c(gamma_c)
    return [
        Claim(
            "schedule.start.forward_eq25_recovers_previous_end", SRC_SCHED + "; paper eq. 25",
            "the scheduler's corrected start, fed to the paper's eq. 25 (gamma = -gamma_c), returns the "
            "previous stage's end: e_{k+1}(s_k = corrected) = 1 - sigma_end",
            "identity", d, lhs=e_next_of_s(corrected, paper_g), rhs=t_of_sigma(sigma_end)),
        Claim(
            "schedule.start.is_inverse_eq25", SRC_SCHED + "; paper eq. 25 solved for s_k",
            "the corrected start equals the inverse of eq. 25: corrected(sigma_end) = s_k(e_{k+1} = 1 - sigma_end), "
            "gamma = -gamma_c",
            "identity", d, lhs=corrected, rhs=s_of_e_next(t_of_sigma(sigma_end), paper_g)),
        Claim(
            "schedule.start.rollback_positive", SRC_SCHED + "; paper: 'the timestep is rolled back a bit'",
            "the corrected start sigma lies above the previous end sigma (rolled back towards noise): "
            "start_sigma - sigma_end > 0",
            "sign", d, expr=start_sigma_of(sigma_end, gamma_c) - sigma_end, relation=">"),
        Claim(
            "schedule.start.below_pure_noise", SRC_SCHED,
            "the corrected start sigma stays below pure noise: 1 - start_sigma > 0",
            "sign", d, expr=1 - start_sigma_of(sigma_end, gamma_c), relation=">"),
    ]


def _ratio_claims(K: int = 3) -> list[Claim]:
    d = sympy.symbols(f"d_0:{K}", real=True)   # flow lengths d_i = start_i - end_i of the K stages
    dom = Domain([(di, Interval(0, 1, lo_open=True)) for di in d])
    ratios = stage_ratios(list(d))
    total = sum(d)
    parts = []
    for i in range(K):
        lo, hi = ratios[i]
        parts.append(Claim(
            f"schedule.ratios.width_{i}", SRC_SCHED,
            f"the timestep ratio window of stage {i} has width d_{i} / sum_j d_j",
            "identity", dom, lhs=hi - lo, rhs=d[i] / total))
        if i + 1 < K:
            parts.append(Claim(
                f"schedule.ratios.contiguous_{i}", SRC_SCHED,
                f"the ratio window of stage {i + 1} starts where stage {i}'s ends",
                "identity", dom, lhs=ratios[i + 1][0], rhs=hi))
    # widths proportional to lengths, stated as a ratio for the first pair
    parts.append(Claim(
        "schedule.ratios.proportional_0_1", SRC_SCHED,
        "width_1 / width_0 = d_1 / d_0",
        "identity", dom, lhs=(ratios[1][1] - ratios[1][0]) / (ratios[0][1] - ratios[0][0]), rhs=d[1] / d[0]))
    return [Claim(
        "schedule.ratios.proportional_to_flow_length", SRC_SCHED,
        f"timestep ratios are proportional to the stage flow lengths d_i = start_i - end_i: the K = {K} windows "
        "start at 0, end at 1, are contiguous and the width of window i is d_i / sum_j d_j",
        "all", dom, parts=tuple(parts))]


def _stage_local_claims() -> list[Claim]:
    dom = Domain([(sigma_local, _UNIT_CLOSED), (sigma_start, _UNIT_OPEN), (sigma_stop, _UNIT_OPEN)])
    glob = global_sigma_of(sigma_local, sigma_start, sigma_stop)
    # training end points of one stage, coupled through the same noise n (code convention)
    x_start = sigma_start * noise_n + (1 - sigma_start) * up_x
    x_end = sigma_stop * noise_n + (1 - sigma_stop) * clean_x
    x_at = lambda s_l: s_l * x_start + (1 - s_l) * x_end  # noqa: E731 - the stage's straight path
    dom_pt = Domain([(sigma_local, _UNIT_CLOSED), (sigma_local_next, _UNIT_CLOSED), (sigma_start, _UNIT_OPEN),
                     (sigma_stop, _UNIT_OPEN), (noise_n, Interval(-10, 10)), (up_x, Interval(-10, 10)),
                     (clean_x, Interval(-10, 10))])
    parts = (
        Claim("schedule.local.one_is_start", SRC_SCHED, "sigma_local = 1 maps to the stage's start sigma",
              "identity", dom, lhs=glob.subs(sigma_local, 1), rhs=sigma_start),
        Claim("schedule.local.zero_is_end", SRC_SCHED,
              "sigma_local = 0 maps to the stage's end sigma: the global noise level at the end of stage i is its end sigma",
              "identity", dom, lhs=glob.subs(sigma_local, 0), rhs=sigma_stop),
        Claim("schedule.local.noise_weight", SRC_SCHED + "; training end points",
              "on the stage's path sigma_local x_start + (1 - sigma_local) x_end between the training end points "
              "(same noise n), the weight of n is the global sigma end + (start - end) sigma_local",
              "identity", dom_pt, lhs=sympy.expand(x_at(sigma_local)).coeff(noise_n), rhs=glob),
        Claim("schedule.local.euler_step_exact", SRC_SCHED + ": step x + (sigma_next - sigma) v",
              "an Euler step in stage-local sigmas with the constant velocity v = x_start - x_end lands on the path: "
              "x(s) + (s' - s) v = x(s')",
              "identity", dom_pt,
              lhs=x_at(sigma_local) + (sigma_local_next - sigma_local) * (x_start - x_end), rhs=x_at(sigma_local_next)),
    )
    return [Claim(
        "schedule.local.sigmas_are_stage_local", SRC_SCHED,
        "each stage's sigmas run 1 -> 0 and are stage-local: global sigma = end + (start - end) sigma_local, "
        "which is the stage's start at 1 and its end (the global noise level at the end of stage i) at 0",
        "all", dom_pt, parts=parts)]


def _marginal_claims() -> list[Claim]:
    parts = []
    for n_block in (BLOCK_2X2, 8):
        dom = code_domain(block=n_block)
        start = start_sigma_of(sigma_end, gamma_c)
        alpha, beta = alpha_of(sigma_end, gamma_c), beta_of(sigma_end, gamma_c)
        J = sympy.ImmutableMatrix.ones(n_block, n_block)
        I = sympy.ImmutableMatrix.eye(n_block)
        tag = "2x2" if n_block == 4 else f"n{n_block}"
        parts.append(Claim(
            f"schedule.marginal.mean_{tag}", SRC_RENOISE,
            "mean: alpha (1 - sigma_end) = 1 - start_sigma, so alpha Up(x_end) has the mean (1 - start) Up(x) "
            "of the training start point",
            "identity", dom, lhs=alpha * (1 - sigma_end), rhs=1 - start))
        parts.append(Claim(
            f"schedule.marginal.covariance_{tag}", SRC_RENOISE,
            f"covariance, one block of {n_block} entries: alpha^2 sigma_end^2 J + beta^2 ((1 + gamma_c) I - gamma_c J) "
            "= start_sigma^2 I, the training start point's",
            "identity", dom, lhs=alpha**2 * sigma_end**2 * J + beta**2 * block_covariance(n_block, gamma_c),
            rhs=start**2 * I))
    return [Claim(
        "schedule.marginal.jump_matches_training_start", SRC_SCHED + "; " + SRC_RENOISE,
        "the re-noised inference state alpha Up(x_end) + beta n', x_end ~ N((1 - sigma_end) x, sigma_end^2 I), has the "
        "marginal of the training start point start_sigma n + (1 - start_sigma) Up(x): same mean, same covariance",
        "all", code_domain(), parts=tuple(parts))]


def claims() -> list[Claim]:
    """The scheduler's claims, each expected "proved"."""
    return [*_shift_claims(), *_corrected_start_claims(), *_ratio_claims(), *_stage_local_claims(),
            *_marginal_claims()]
