"""Why the paper picks gamma at the bound: alpha (the fresh noise) is smallest there.

Paper convention: t is the signal level, gamma < 0.  alpha(s_k, gamma) and
e_{k+1}(s_k, gamma) are the solutions derived in :mod:`.jump_point`.
"""

from __future__ import annotations

import functools

import sympy
from sympy import sqrt

from ..conventions import alpha, e_next, gamma, n as n_symbol, s_k
from ._algebra import BLOCKS, block_label, is_zero_radical, parse_block
from ._base import Derivation, DerivationError, Display, Step, tex
from .jump_point import PAPER_CONVENTION, derive_jump_point

__all__ = ["derive_alpha_minimal", "DALPHA_DGAMMA"]

s, e = s_k, e_next
_rho = sympy.Symbol("rho", nonnegative=True)  # rho = sqrt(-gamma / (1 - gamma))
DALPHA_DGAMMA = (1 - s) / (2 * (1 - gamma)**sympy.Rational(3, 2))  # d alpha / d gamma, paper convention


def derive_alpha_minimal(block="general") -> Derivation:
    """Paper convention (gamma < 0): alpha increases with gamma, so it is minimal at gamma = -1/(n-1)
    (``block`` an int 2..16, or ``"general"``)."""
    return _derive(parse_block(block))


@functools.lru_cache(maxsize=None)
def _derive(block) -> Derivation:
    general = block == n_symbol
    jp = derive_jump_point(block)
    a, e_sol, bound = jp.results["alpha"], jp.results["e_next"], jp.results["gamma_bound"]
    steps: list[Step] = []

    target = DALPHA_DGAMMA
    if not is_zero_radical(sympy.diff(a, gamma) - target):
        raise DerivationError(f"d alpha / d gamma is not {target}.")
    steps.append(Step(
        "alpha increases with gamma",
        "From the jump-point derivation, $\\alpha = (1-s_k)/\\sqrt{1-\\gamma}$. Its derivative in $\\gamma$ is positive "
        "for $s_k < 1$ and $\\gamma < 1$, so $\\alpha$ increases on the whole admissible range:",
        (Display.rel(alpha, a), Display(r"\frac{\partial \alpha}{\partial \gamma} = " + tex(target) + r" > 0",
                                        f"d alpha/d gamma = {target} > 0")),
        {"dalpha_dgamma": target},
        claims=("derive.alpha-increasing", "derive.alpha-derivative"),
    ))

    a_min = jp.results["alpha_bound"]
    rows = []
    for k in BLOCKS:
        ak = derive_jump_point(k).results["alpha_bound"]
        rows.append(Display.labelled(f"n = {k}:", f"n = {k}", Display.rel(r"\alpha_{\min}", ak)))
    steps.append(Step(
        "Minimal at the bound",
        f"On $[{tex(bound)}, 0)$ the smallest $\\alpha$ is therefore at the lower end, $\\gamma = {tex(bound)}$"
        + (": the least fresh noise, the most of stage $k+1$'s sample kept. This is the paper's reason for $\\gamma = -1/3$ "
           "with $2\\times2$ blocks. For the usual block sizes:" if general else
           ": the least fresh noise, the most of stage $k+1$'s sample kept. For the usual block sizes:"),
        (Display.rel(r"\alpha_{\min}", a_min), *rows),
        {"alpha_min": a_min},
        claims=("derive.alpha-min-at-bound",),
    ))

    frac_fresh = 1 / (1 - gamma)
    frac_inh = -gamma / (1 - gamma)
    if sympy.cancel(a**2 / (1 - s)**2 - frac_fresh) != 0 or sympy.cancel(1 - frac_fresh - frac_inh) != 0:
        raise DerivationError("variance shares.")
    at_bound = sympy.cancel(frac_inh.xreplace({gamma: bound}))
    steps.append(Step(
        "What is kept",
        "Per entry, the target variance $(1-s_k)^2$ splits into fresh noise $\\alpha^2$ and noise inherited from stage "
        "$k+1$; the inherited share grows as $\\gamma$ decreases and reaches $1/n$ at the bound, the most any "
        "admissible correlation allows:",
        (Display.rel(r"\alpha^2 / (1-s_k)^2", frac_fresh),
         Display.rel(r"1 - \alpha^2 / (1-s_k)^2", frac_inh),
         Display.chain(r"\left.1 - \alpha^2 / (1-s_k)^2\right|_{\gamma=" + tex(bound) + "}", "=", at_bound)),
        {"inherited_share": frac_inh, "inherited_share_bound": at_bound},
    ))

    # e_{k+1} also increases with gamma: the bound rolls back the least
    e_rho = s / (s + (1 - s) * _rho)
    if not is_zero_radical(e_rho.xreplace({_rho: sqrt(-gamma) / sqrt(1 - gamma)}) - e_sol):
        raise DerivationError("e_{k+1} is not s / (s + (1 - s) rho).")
    de_drho = -s * (1 - s) / (s + (1 - s) * _rho)**2
    drho2 = -1 / (1 - gamma)**2
    if (sympy.cancel(sympy.diff(e_rho, _rho) - de_drho) != 0
            or sympy.cancel(sympy.diff(-gamma / (1 - gamma), gamma) - drho2) != 0):
        raise DerivationError("derivatives in rho.")
    gap = sympy.factor(e_sol - s)
    gap_form = s * (1 - s) * (sqrt(1 - gamma) - sqrt(-gamma)) / (s * sqrt(1 - gamma) + (1 - s) * sqrt(-gamma))
    if not is_zero_radical(gap - gap_form):
        raise DerivationError("e - s has an unexpected form.")
    steps.append(Step(
        "The roll-back is smallest there too",
        "Write $e_{k+1} = s_k/(s_k + (1-s_k)\\rho)$ with $\\rho = \\sqrt{-\\gamma/(1-\\gamma)} \\ge 0$. $e_{k+1}$ decreases in "
        "$\\rho$, and $\\rho^2$ decreases in $\\gamma$, so $e_{k+1}$ increases with $\\gamma$. Since $\\sqrt{1-\\gamma} > "
        "\\sqrt{-\\gamma}$, $e_{k+1} > s_k$ (the time is rolled back at the jump), and the roll-back $e_{k+1} - s_k$ is "
        "smallest at the bound as well.",
        (Display.rel(e, e_rho), Display(r"\frac{\partial e_{k+1}}{\partial \rho} = " + tex(de_drho) + r" < 0",
                                        f"d e/d rho = {de_drho} < 0"),
         Display(r"\frac{\partial \rho^2}{\partial \gamma} = " + tex(drho2) + r" < 0", f"d rho^2/d gamma = {drho2} < 0"),
         Display.chain(e - s, "=", gap_form, ">", 0)),
        {"de_drho": de_drho, "drho2_dgamma": drho2, "rollback": gap_form},
        claims=("derive.e-increasing", "paper.rollback"),
    ))

    title = f"Why gamma sits at the bound: alpha is minimal there, {block_label(block)}"
    summary = ("The noise weight $\\alpha$ of the jump increases with $\\gamma$; the paper's choice $\\gamma = -1/(n-1)$ "
               "(= $-1/3$ for $2\\times2$ blocks) adds the least fresh noise and rolls the time back the least.")
    doc_id = "alpha_minimal_general_n" if general else f"alpha_minimal_n{block}"
    return Derivation(doc_id, title, summary, PAPER_CONVENTION, block, tuple(steps),
                      {"dalpha_dgamma": target, "alpha_min": a_min, "inherited_share": frac_inh,
                       "inherited_share_bound": at_bound, "rollback": gap_form})
