"""Stable rewrites, emitted kernels and the exact block sampler: each proved equal to what it replaces.

* ``rewrite.<name>``: every rule of :mod:`pyramid_sym.rewriting` (``before = after``
  on the rule's domain, the ends of sigma_end / s_k included);
* ``kernel.<name>``: the expression each emitted kernel prints equals the proved
  paper/code formula it is generated from (:mod:`pyramid_sym.kernels.registry`);
* ``sampler.covariance.n<n>``: the closed-form sampler x = a (z + k mean z) has
  covariance M M^T = (1 + gamma_c) I - gamma_c J for blocks of n = 2, 4, 8 entries,
  gamma_c in (0, 1/(n-1)], the singular bound included;
* ``sampler.bound.n<n>``: at gamma_c = 1/(n-1), 1 + k = 0, so M 1 = 0 and every block
  of the noise sums to 0.
"""

from __future__ import annotations

import sympy

from ..conventions import gamma_c, gamma_c_interval
from ..domain import Domain, Interval
from ._claim import Claim

ORDER = 40

SAMPLER_BLOCKS = (2, 4, 8)


def _on_closed_level(claim_id: str, source: str, statement: str, domain: Domain, lhs, rhs) -> Claim:
    """``lhs = rhs`` for the level (first variable) in [0, 1]: the open interval and each end, as three parts.

    At the ends the level is substituted (``level -> 0``, ``level -> 1``) and the
    remaining identity in gamma is proved on gamma's interval: a denominator such as
    s sqrt(1 - gamma) + sqrt(-gamma)(1 - s) has one term vanish there, which the sign
    certificate of the open interval does not cover.  Together the parts cover the
    closed interval that the kernels accept.
    """
    (level, iv), *rest = domain.intervals
    if (iv.lo, iv.hi) != (0, 1):
        raise ValueError(f"claim {claim_id}: the level must range over [0, 1], got {iv}.")
    parts = [Claim(f"{claim_id}.interior", source, f"{statement} ({level} in (0, 1))", "identity",
                   Domain([(level, Interval.open(0, 1)), *rest]), lhs=lhs, rhs=rhs)]
    for end in (0, 1):
        at = {level: sympy.Integer(end)}
        parts.append(Claim(f"{claim_id}.at-{end}", source, f"{statement} ({level} = {end})", "identity",
                           Domain(rest), lhs=lhs.xreplace(at), rhs=rhs.xreplace(at)))
    return Claim(claim_id, source, f"{statement}, {level} in [0, 1]", "all", domain, parts=tuple(parts))


def _rewrite_claims() -> list[Claim]:
    from ..rewriting import CANDIDATES, RULES

    return [
        _on_closed_level(r.claim_id, f"pyramid_sym.rewriting ({r.formula_id})",
                         f"stable rewrite {r.name}: {r.before} = {r.after_expr}", r.domain, r.before, r.after_expr)
        for r in RULES + CANDIDATES
    ]


def _kernel_claims() -> list[Claim]:
    from ..kernels.registry import KERNELS

    return [
        _on_closed_level(k.claim_id, f"emitted kernel {k.name} ({k.formula_id}, {k.source})",
                         f"{k.name} ({k.convention} convention) prints {k.emitted_expr}, equal to formula "
                         f"{k.formula_id}", k.domain, k.emitted_expr, k.formula_expr)
        for k in KERNELS
    ]


def _sampler_claims() -> list[Claim]:
    from ..kernels.sampler import block_covariance_target, sampler_matrix, sampler_shift

    out = []
    for n in SAMPLER_BLOCKS:
        M = sampler_matrix(n, gamma_c)
        dom = Domain([(gamma_c, gamma_c_interval(n))])
        out.append(Claim(
            f"sampler.covariance.n{n}", "pyramid_sym.kernels.sampler (code: sample_block_noise covariance)",
            f"closed-form block sampler, blocks of {n}: M M^T = (1 + gamma_c) I - gamma_c J with "
            "M = a (I + (k/n) J), a = sqrt(1 + gamma_c), k = -n gamma_c/((1 + gamma_c) + sqrt((1 + gamma_c)(1 - (n-1) gamma_c)))",
            "identity", dom, lhs=(M * M.T).applyfunc(sympy.expand), rhs=block_covariance_target(n, gamma_c)))
        bound = sympy.Rational(1, n - 1)
        out.append(Claim(
            f"sampler.bound.n{n}", "pyramid_sym.kernels.sampler",
            f"at the singular bound gamma_c = 1/{n - 1} the block-mean weight is k = -1: every block sum vanishes",
            "identity", Domain([(gamma_c, Interval.point(bound))]),
            lhs=1 + sampler_shift(gamma_c, n), rhs=sympy.Integer(0)))
    return out


def claims() -> list[Claim]:
    return _rewrite_claims() + _kernel_claims() + _sampler_claims()
