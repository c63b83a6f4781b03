"""After up-sampling and re-noising, x_hat_{s_k} has exactly the training marginal of paper eq. 8.

Paper convention: t is the signal level, gamma < 0.  The check runs the jump forward
with e_{k+1}, alpha and c_up = s_k/e_{k+1} of eq. 25 (general gamma), on the actual
n x n matrices for a concrete n, and in the block algebra for the symbol n.
"""

from __future__ import annotations

import functools

import sympy
from sympy import Rational

from ..conventions import alpha, e_next, gamma, n as n_symbol, s_k
from ..formulas import paper
from ..formulas.article import c_up
from ._algebra import IJ, block_label, parse_block, reduce_radicals
from ._base import Derivation, DerivationError, Display, Step
from .jump_point import PAPER_CONVENTION

__all__ = ["derive_training_marginal"]

s, e = s_k, e_next
_mu = sympy.Symbol("mu")  # one coarse entry of Down(x1, 2^{k+1}); Up copies it into the block
_z = sympy.Symbol("z")    # the coarse standard normal that Up copies into the block


def derive_training_marginal(block="general") -> Derivation:
    """Paper convention (t signal level, gamma < 0): the re-noised jump reproduces eq. 8 for blocks of ``block``
    entries (an int 2..16, or ``"general"``)."""
    return _derive(parse_block(block))


@functools.lru_cache(maxsize=None)
def _derive(block) -> Derivation:
    general = block == n_symbol
    steps: list[Step] = []
    e25, a25 = paper.e_next_of_s(), paper.alpha_of_s()
    c25 = s / e25

    if general:
        cov_up = IJ(0, (1 - e)**2, n_symbol)
        up_disp = (Display(r"\mathrm{Up}(\hat x_{e_{k+1}}) = e_{k+1}\,\mu\,\mathbf 1 + (1-e_{k+1})\, z\,\mathbf 1, \qquad "
                           r"\mathrm{Cov} = (1-e_{k+1})^2\,\mathbf 1 \mathbf 1^T = " + cov_up.latex(),
                           f"Up(x_e) = e mu 1 + (1-e) z 1, Cov = {cov_up.text()}"),)
    else:
        ones = sympy.ImmutableMatrix([1] * block)
        cov_up = (1 - e)**2 * ones * ones.T
        if cov_up != (1 - e)**2 * paper.block_ones(block):
            raise DerivationError("the up-sampled covariance is not (1-e)^2 J.")
        up_disp = (Display.rel(r"\mathrm{Up}(\hat x_{e_{k+1}})", e * _mu * ones + (1 - e) * _z * ones),
                   Display.rel(r"\mathrm{Cov}\,\mathrm{Up}(\hat x_{e_{k+1}})", cov_up))
    steps.append(Step(
        "The up-sampled end of stage k+1",
        "On one block, $\\mathrm{Down}(x_1, 2^{k+1})$ is one value $\\mu$ and the noise of $\\hat x_{e_{k+1}}$ one standard "
        "normal $z$ (eq. 9 at stage $k+1$); nearest up-sampling copies both into every entry of the block:",
        up_disp, {"cov_up": cov_up},
    ))

    mean = sympy.cancel(c25 * e25)
    if mean != s:
        raise DerivationError("mean of the jump is not s.")
    steps.append(Step(
        "Mean after the jump",
        "The jump multiplies by $c_{up} = s_k/e_{k+1}$ and adds zero-mean noise, so the mean becomes "
        "$s_k\\,\\mu\\,\\mathbf 1 = s_k\\,\\mathrm{Up}(\\mathrm{Down}(x_1, 2^{k+1}))$, the mean of eq. 8:",
        (Display.chain(c_up * e, "=", sympy.Mul(c25, e25, evaluate=False), "=", mean),),
        {"mean_scale": mean},
    ))

    inh = sympy.factor(reduce_radicals((c25 * (1 - e25))**2))     # inherited variance c_up^2 (1 - e)^2
    fresh = sympy.factor(reduce_radicals(a25**2))                  # fresh variance alpha^2
    if sympy.cancel(inh + gamma * (1 - s)**2 / (1 - gamma)) != 0 or sympy.cancel(fresh - (1 - s)**2 / (1 - gamma)) != 0:
        raise DerivationError(f"variances at eq. 25: {inh}, {fresh}.")
    inh, fresh = -gamma * (1 - s)**2 / (1 - gamma), (1 - s)**2 / (1 - gamma)
    var_disp = (Display.rel(c_up**2 * (1 - e)**2, sympy.Mul(c25**2, (1 - e25)**2, evaluate=False), inh),
                Display.rel(alpha**2, fresh))
    if general:
        cov = cov_up.scale(c_up**2) + IJ(1 - gamma, gamma, n_symbol).scale(alpha**2)
        cov_sub = IJ(0, inh, n_symbol) + IJ(1 - gamma, gamma, n_symbol).scale(fresh)
        cov_sub = IJ(sympy.factor(sympy.cancel(cov_sub.a)), sympy.cancel(cov_sub.b), n_symbol)
        if sympy.cancel(cov_sub.a - (1 - s)**2) != 0 or cov_sub.b != 0:
            raise DerivationError(f"covariance after the jump is {cov_sub.text()}.")
        cov_sub = IJ((1 - s)**2, sympy.Integer(0), n_symbol)
        cov_disp = (Display(r"\mathrm{Cov}\,\hat x_{s_k} = " + cov.latex(), "Cov x_s = " + cov.text()), *var_disp,
                    Display(r"\mathrm{Cov}\,\hat x_{s_k}\big|_{\text{eq. 25}} = " + cov_sub.latex(),
                            "Cov x_s at eq. 25 = " + cov_sub.text()))
        objs = {"covariance": cov, "covariance_eq25": cov_sub}
    else:
        Sp = paper.sigma_prime(block)
        cov = c_up**2 * cov_up + alpha**2 * Sp
        cov_sub = sympy.ImmutableMatrix((inh * paper.block_ones(block) + fresh * Sp).applyfunc(sympy.cancel))
        if any(sympy.cancel(x) != 0 for x in cov_sub - (1 - s)**2 * sympy.eye(block)):
            raise DerivationError(f"covariance after the jump is {cov_sub}.")
        cov_sub = sympy.ImmutableMatrix((1 - s)**2 * sympy.eye(block))
        cov_disp = (Display.rel(r"\mathrm{Cov}\,\hat x_{s_k}", cov), *var_disp,
                    Display.rel(r"\mathrm{Cov}\,\hat x_{s_k}\big|_{\text{eq. 25}}", cov_sub))
        objs = {"covariance": cov, "covariance_eq25": cov_sub}
    steps.append(Step(
        "Covariance after the jump",
        "The inherited and the fresh noise are independent, so the covariances add. Substituting $e_{k+1}$, $\\alpha$ of "
        "eq. 25 (any admissible $\\gamma$) and reducing the square roots ($\\sqrt{1-\\gamma}^2 = 1-\\gamma$, "
        "$\\sqrt{-\\gamma}^2 = -\\gamma$) gives the two variances; on the diagonal they add up to $(1-s_k)^2$, off it "
        "they cancel, leaving exactly $(1-s_k)^2 I$:",
        cov_disp, objs,
        claims=("derive.marginal", "paper.25-solves-21"),
    ))

    # at the paper's values
    g = Rational(-1, 3)
    k4 = 4 if general else block
    e_p, a_p, c_p = paper.E_NEXT_MINUS_THIRD.expr, paper.ALPHA_MINUS_THIRD.expr, paper.SCALE_EQ27.expr
    inh = sympy.factor(sympy.cancel(c_p**2 * (1 - e_p)**2))
    fresh = sympy.factor(a_p**2)
    inh, fresh = (1 - s)**2 / 4, 3 * (1 - s)**2 / 4
    if (sympy.cancel(c_p**2 * (1 - e_p)**2 - inh) != 0) or (sympy.cancel(a_p**2 - fresh) != 0):
        raise DerivationError("eq. 26-27 variances.")
    if k4 == 4:
        vals = (Display.rel(c_up**2 * (1 - e)**2, inh), Display.rel(alpha**2, fresh),
                Display.rel(r"\text{diagonal}", sympy.Add(inh, fresh, evaluate=False), (1 - s)**2),
                Display.rel(r"\text{off-diagonal}", sympy.Add(inh, fresh * g, evaluate=False), 0))
        if sympy.factor(inh + fresh - (1 - s)**2) != 0 or sympy.cancel(inh + fresh * g) != 0:
            raise DerivationError("eq. 27 does not give eq. 8.")
        steps.append(Step(
            "At the paper's values (2x2 blocks, gamma = -1/3)",
            "With eqs. 26-27 ($e_{k+1} = 2s_k/(1+s_k)$, $c_{up} = (1+s_k)/2$, $\\alpha = \\sqrt3(1-s_k)/2$) the inherited "
            "variance is a quarter and the fresh one three quarters of $(1-s_k)^2$; off the diagonal they cancel:",
            vals, {"inherited": inh, "fresh": fresh},
        ))

    title = f"The jump reproduces the training marginal (eq. 8), {block_label(block)}"
    summary = ("Running the jump forward with the derived $e_{k+1}$, $\\alpha$ and $c_{up}$ gives $\\hat x_{s_k}$ the "
               "distribution stage $k$ was trained on: mean $s_k\\,\\mathrm{Up}(\\mathrm{Down}(x_1, 2^{k+1}))$ and covariance "
               "$(1-s_k)^2 I$, for every admissible $\\gamma$.")
    doc_id = "training_marginal_general_n" if general else f"training_marginal_n{block}"
    return Derivation(doc_id, title, summary, PAPER_CONVENTION, block, tuple(steps),
                      {"mean_scale": mean, "covariance_eq25": cov_sub})
