"""Numerically stable rewrites: each a named rule with its exact SymPy before/after forms, proved by the ledger.

A rule replaces the proved formula ``before`` (taken from the formula registry, never
retyped) by an algebraically equal ``after`` that loses no accuracy in floating
point on the rule's domain.  :meth:`StableRewrite.apply` refuses any expression other
than ``before`` itself, so a change of the formula is noticed at emission time instead
of being silently replaced by a stale stable form.  The ledger (claims
``rewrite.<name>``, :mod:`pyramid_sym.ledger.claims_rewriting`) proves
``before = after`` on ``domain`` for every rule.

Most stable forms go through one quantity,

* code (noise level sigma, gamma_c > 0):  q_c = sqrt(gamma_c / (1 + gamma_c)) = 1 / sqrt(1 + 1/gamma_c),
* paper (signal level, gamma < 0):        q_p = sqrt(-gamma / (1 - gamma)),

which never forms 1/gamma (no overflow as gamma -> 0, the float16 trap) and is a
single square root of a ratio in (0, 1/2], computed as :data:`q_code` and :data:`q_paper`:
gamma_c - gamma_c^2/(1 + gamma_c) and -gamma - gamma^2/(1 - gamma) under the root, one exact
input minus a correction |gamma| times smaller, so that one rounding of the radicand
matters instead of two; beta uses sqrt(gamma_c) and sqrt(1 + gamma_c),
roots of exact inputs.  Every denominator is a sum of non-negative terms (no
cancellation) and stays positive at the ends of [0, 1], where the forms give the
finite limits.

Each formula has at most one rule (:func:`rule_for`); :data:`RULES` lists them in the
order the kernels are emitted.  The reasons say what goes wrong and why the new form
avoids it; how accurate the emitted kernels must be is data,
:data:`pyramid_sym.kernels.acceptance.ACCEPTANCE`, which ``pyramid-sym probe`` asserts.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy
from sympy import sqrt

from .conventions import (
    BLOCK_2X2, S_CLOSED, SIGMA_CLOSED, gamma, gamma_c, gamma_c_interval, gamma_interval, s_k, sigma_end, e_next,
)
from .domain import Domain
from .errors import UsageError
from .formulas import get
from .kernels.runtime._shared import RUNTIME_CONSTANT_NAMES

__all__ = ["StableRewrite", "RULES", "CANDIDATES", "rule", "rule_for", "q_code", "q_paper", "RewriteError",
           "upsample_scale_composite", "RUNTIME_CONSTANTS", "veltkamp", "dekker_scale", "dekker_floor"]


class RewriteError(UsageError):
    """A rewrite rule applied to an expression that is not the formula it was written for."""


@dataclass(frozen=True)
class StableRewrite:
    """Replace the proved formula ``before`` by the algebraically equal, numerically stable ``after``.

    ``formula_id`` names the formula (or derived composite) that ``before`` is,
    ``domain`` is where the ledger proves ``before = after``, and ``reason`` says
    what goes wrong with ``before`` in floating point and why ``after`` avoids it.
    """

    name: str
    formula_id: str
    after: sympy.Expr
    domain: Domain
    reason: str
    steps: tuple[tuple[sympy.Symbol, sympy.Expr], ...] = ()
    before: sympy.Expr | None = None  # default: the registered formula ``formula_id`` itself

    def __post_init__(self):
        if self.before is None:
            object.__setattr__(self, "before", get(self.formula_id).expr)
        free = (self.before.free_symbols | self.after_expr.free_symbols) - set(self.domain.symbols)
        if free:
            raise RewriteError(f"rewrite {self.name} uses {sorted(map(str, free))} outside its domain.")

    @property
    def after_expr(self) -> sympy.Expr:
        """``after`` with its named steps substituted: the expression the ledger proves equal to ``before``.

        A step (``t = 1 - e``) is a subexpression the kernel computes as a unit (on its own
        line when used more than once, in parentheses where it is used otherwise) so that
        SymPy's automatic flattening (``e q + (1 - e)`` -> ``e q - e + 1``) cannot change the
        order of the floating-point operations; a step may use the steps listed before it.
        """
        expr = self.after
        for sym, val in reversed(self.steps):
            expr = expr.xreplace({sym: val})
        return expr

    @property
    def claim_id(self) -> str:
        """The ledger claim that proves this rewrite."""
        return f"rewrite.{self.name}"

    def apply(self, expr: sympy.Expr) -> sympy.Expr:
        """Return ``after`` if ``expr`` is exactly ``before`` (structurally); otherwise raise RewriteError."""
        if sympy.sympify(expr) != self.before:
            raise RewriteError(
                f"rewrite {self.name} is written for {self.before}, not for {expr}; "
                "update the rule (and its ledger claim) to the new formula."
            )
        return self.after_expr


# q_c = sqrt(gamma_c / (1 + gamma_c)) and q_p = sqrt(-gamma / (1 - gamma)), each with the roundings of 1 -+ gamma and
# of the quotient moved into a term |gamma| times smaller: the radicand is one exact input minus a small correction
q_code = sqrt(gamma_c - gamma_c**2 / (1 + gamma_c))   # code: 1/sqrt(1 + 1/gamma_c), gamma_c in (0, 1/3]
q_paper = sqrt(-gamma - gamma**2 / (1 - gamma))      # paper: sqrt(-gamma)/sqrt(1 - gamma), gamma in [-1/3, 0)

# Values a kernel reads from its working dtype at run time, not formulas: the emitted kernel binds each to
# ``_constant("<name>", <first argument>)`` (values: ``kernels.runtime._shared.runtime_constant``).  In exact
# arithmetic each cancels out of the rule that uses it, so the ledger's proof does not depend on it.
RUNTIME_CONSTANTS: tuple[sympy.Symbol, ...] = tuple(sympy.Symbol(n) for n in RUNTIME_CONSTANT_NAMES)
veltkamp = sympy.Symbol("veltkamp")            # Veltkamp's splitting constant 2^ceil(p/2) + 1
dekker_scale = sympy.Symbol("dekker_scale")    # 2^floor((emax - 2)/2): scales a Dekker product's factors, exactly
dekker_floor = sympy.Symbol("dekker_floor")    # 2^emin: keeps a quotient by a scaled product finite where it is 0
assert {veltkamp, dekker_scale, dekker_floor} <= set(RUNTIME_CONSTANTS)

# steps of jump_start_time (see its rule): each a unit of the printed kernel
(_q, _e_big, _q_big, _p_big, _e_split, _e_gap, _e_hi, _e_lo, _q_split, _q_gap, _q_hi, _q_lo, _t_hh, _t_hl, _t_lh,
 _p_err, _e_q, _one_minus_e, _e_back, _e_err, _e_q_plus_err, _rel_err, _small) = sympy.symbols(
    "q e_big q_big p_big e_split e_gap e_hi e_lo q_split q_gap q_hi q_lo t_hh t_hl t_lh p_err e_q "
    "one_minus_e e_back e_err e_q_plus_err rel_err small")


_CODE = Domain([(sigma_end, SIGMA_CLOSED), (gamma_c, gamma_c_interval(BLOCK_2X2))])
_PAPER_S = Domain([(s_k, S_CLOSED), (gamma, gamma_interval(BLOCK_2X2))])


def upsample_scale_composite() -> sympy.Expr:
    """Paper eq. 20's coefficient s_k / e_{k+1} with e_{k+1} from eq. 25 (SymPy cancels the common s_k)."""
    return get("paper.eq20.scale").expr.xreplace({e_next: get("paper.eq25.e_next").expr})


def _rules() -> tuple[StableRewrite, ...]:
    sigma = sigma_end
    return (
        StableRewrite(
            name="start_sigma_without_cancellation",
            formula_id="code.start_sigma",
            after=sigma / (q_code + sigma * (1 - q_code)),
            domain=_CODE,
            reason=(
                "1 - corrected subtracts two numbers close to 1 when sigma_end -> 0, so every digit of a small "
                "start sigma is lost; over the common denominator the numerator is exactly sigma_end, and dividing "
                "through by sqrt(1 + 1/gamma_c) leaves sigma_end / (q_c + sigma_end (1 - q_c)), a quotient of "
                "non-negative terms with one square root and no 1/gamma_c.  Where sigma_end is small the result "
                "carries q_c's error with weight 1, so q_c is computed as sqrt(gamma_c - gamma_c^2/(1 + gamma_c)): "
                "one rounding of the radicand that matters instead of two."
            ),
        ),
        StableRewrite(
            name="renoise_alpha_without_reciprocal_gamma",
            formula_id="code.renoise_alpha",
            after=q_code / (sigma + q_code * (1 - sigma)),
            domain=_CODE,
            reason=(
                "sqrt(1 + 1/gamma_c) overflows once 1/gamma_c does (gamma_c < 1/65504 in float16, subnormal "
                "gamma_c in float32), and then sigma_end = 0 gives inf * 0 = NaN; multiplying numerator and "
                "denominator by q_c = 1/sqrt(1 + 1/gamma_c) gives q_c / (sigma_end + q_c (1 - sigma_end)), finite "
                "for every gamma_c > 0.  The denominator is summed sigma_end first: the error of q_c then reaches "
                "the result with weight sigma_end / D and the roundings of 1 - sigma_end (exact from 1/2 on, "
                "Sterbenz) and of the product with weight q_c (1 - sigma_end) / D, two weights that add up to 1 "
                "(summed q_c first, the error of q_c and those two roundings can all reach it with weight 1 where "
                "sigma_end >> q_c); q_c as in start_sigma_without_cancellation."
            ),
        ),
        StableRewrite(
            name="renoise_beta_without_reciprocal_gamma",
            formula_id="code.renoise_beta",
            after=sigma / (sqrt(gamma_c) + sigma * (1 - sqrt(gamma_c) * (1 - sqrt(gamma_c) / (1 + sqrt(1 + gamma_c))))),
            domain=_CODE,
            reason=(
                "beta = alpha sigma_end / sqrt(gamma_c) inherits alpha's overflow, and for tiny gamma_c the "
                "rounded alpha = 0 times 1/sqrt(gamma_c) gives 0 instead of about 1; multiplying through by "
                "sqrt(gamma_c) gives sigma_end / (sqrt(gamma_c) + sigma_end (sqrt(1 + gamma_c) - sqrt(gamma_c))), "
                "two square roots of exact inputs and positive terms.  The weight of sigma_end, "
                "d = sqrt(1 + gamma_c) - sqrt(gamma_c) in [0.57, 1), is taken as 1 - sqrt(gamma_c) (1 - "
                "sqrt(gamma_c) / (1 + sqrt(1 + gamma_c))): a difference of two rounded roots carries both their "
                "errors into d, while here the rounding of 1 + gamma_c only enters the small correction."
            ),
        ),
        StableRewrite(
            name="upsample_scale_without_removable_singularity",
            formula_id="paper.eq20.scale",
            before=upsample_scale_composite(),
            after=q_paper + s_k * (1 - q_paper),
            domain=_PAPER_S,
            reason=(
                "s_k / e_{k+1} with e_{k+1} from eq. 25 is 0/0 at s_k = 0 when evaluated as a quotient, and "
                "after SymPy cancels s_k it is (s_k sqrt(1 - gamma) + sqrt(-gamma)(1 - s_k)) / sqrt(1 - gamma), "
                "two rounded square roots; q_p + s_k (1 - q_p) is one square root, a sum of "
                "non-negative terms, finite at both ends (q_p at s_k = 0, 1 at s_k = 1).  Summed this way the "
                "error of q_p reaches the result with weight q_p (1 - s_k) / y and the roundings of 1 - q_p and of "
                "the product with weight s_k (1 - q_p) / y, weights that add up to at most 1 (as s_k + q_p (1 - s_k), "
                "the error of q_p, 1 - s_k and the product all reach it with weight 1 as s_k -> 0); q_p is computed "
                "as sqrt(-gamma - gamma^2/(1 - gamma)), one rounding of the radicand that matters instead of two."
            ),
        ),
        StableRewrite(
            name="jump_end_time_one_root",
            formula_id="paper.eq25.e_next",
            after=s_k / (q_paper + s_k * (1 - q_paper)),
            domain=_PAPER_S,
            reason=(
                "eq. 25 as printed takes two square roots and rounds sqrt(1 - gamma) into both numerator and "
                "denominator; dividing through by sqrt(1 - gamma) leaves s_k / (q_p + s_k (1 - q_p)), one root "
                "and non-negative terms (the denominator is upsample_scale's value).  Where s_k is small the "
                "result carries q_p's error with weight 1, so q_p is computed as sqrt(-gamma - gamma^2/(1 - gamma))."
            ),
        ),
        StableRewrite(
            name="jump_start_time_one_root",
            formula_id="paper.eq25.s_k",
            after=_e_q / (_one_minus_e + _small),
            steps=((_q, q_paper),
                   # Dekker's product of the scaled factors (scaling by a power of 2 is exact):
                   # p_err = e_big q_big - p_big exactly (Veltkamp's split of each factor into halves whose
                   # products are exact), 0 in exact arithmetic
                   (_e_big, e_next * dekker_scale), (_q_big, _q * dekker_scale), (_p_big, _e_big * _q_big),
                   (_e_split, veltkamp * _e_big), (_e_gap, _e_split - _e_big), (_e_hi, _e_split - _e_gap),
                   (_e_lo, _e_big - _e_hi),
                   (_q_split, veltkamp * _q_big), (_q_gap, _q_split - _q_big), (_q_hi, _q_split - _q_gap),
                   (_q_lo, _q_big - _q_hi),
                   (_t_hh, _e_hi * _q_hi - _p_big), (_t_hl, _t_hh + _e_hi * _q_lo), (_t_lh, _t_hl + _e_lo * _q_hi),
                   (_p_err, _t_lh + _e_lo * _q_lo),
                   (_e_q, _p_big / dekker_scale**2),
                   (_one_minus_e, 1 - e_next),
                   (_e_back, 1 - _one_minus_e),
                   (_e_err, _e_back - e_next),
                   (_e_q_plus_err, _e_q + _e_err),
                   (_rel_err, _p_err / (_p_big + dekker_floor)),
                   (_small, _e_q_plus_err - _one_minus_e * _rel_err)),
            domain=Domain([(e_next, S_CLOSED), (gamma, gamma_interval(BLOCK_2X2))]),
            reason=(
                "the inverse of eq. 25 as derived takes sqrt(-gamma) and sqrt(1 - gamma) separately; "
                "dividing through by sqrt(1 - gamma) leaves e q_p / (e q_p + (1 - e)), one root and "
                "non-negative terms, but where 1 - e dominates (the result small) the roundings of q_p, of the "
                "product e q_p and of the last sum all reach the result with weight 1, 3.5 u in all (4.5 ULP with "
                "the last rounding, where it may cross a binade).  Two are taken out.  q_p is computed as "
                "sqrt(-gamma - gamma^2/(1 - gamma)), where the roundings of 1 - gamma and of the quotient only "
                "enter a term |gamma| times smaller.  The rounding of 1 - e is added back exactly "
                "(e_err = (1 - (1 - e)) - e, two subtractions exact by Sterbenz's lemma: Fast2Sum).  The rounding "
                "of the product is found exactly by Dekker's product (Veltkamp's split with the working dtype's "
                "constant; no FMA is needed) and moved into the denominator: with P the computed product and "
                "E = e q_p - P, e q / (e q + B) = P / (P + B P / (e q)) and P / (e q) = 1 - E / P to first "
                "order, so the denominator is (1 - e) + ((P + e_err) - (1 - e) E / P).  Dekker's E is exact "
                "only for a product of at least 2^(emin + p) (Boldo 2006, with underflow), which e q_p is not "
                "near e = 0 or gamma = 0: both factors are scaled by the power of 2 dekker_scale first (exact) "
                "and P is the scaled product scaled back (exact wherever it is normal), so the relative error "
                "E / P is the same and exact on the whole domain; the floor 2^emin keeps the quotient 0, not "
                "0/0, at e = 0.  In exact arithmetic e_err and p_err are 0 and the form is "
                "e q_p / ((1 - e) + e q_p)."
            ),
        ),
    )


RULES: tuple[StableRewrite, ...] = _rules()


def _candidates() -> tuple[StableRewrite, ...]:
    """Proved rewrites not (yet) emitted: forms under study whose certified rounding-error bound
    (``pyramid_sym.bound.certify(..., text=...)``) is to be compared with the emitted one's.  Each is proved
    by its ``rewrite.<name>`` ledger claim like the rules above.  None at present: the last one
    (renoise_alpha summed sigma_end first) is now the rule."""
    return ()


CANDIDATES: tuple[StableRewrite, ...] = _candidates()
_BY_NAME = {r.name: r for r in RULES}
_BY_FORMULA = {r.formula_id: r for r in RULES}


def rule(name: str) -> StableRewrite:
    """The rewrite rule called ``name``."""
    try:
        return _BY_NAME[name]
    except KeyError:
        raise RewriteError(f"no rewrite rule named {name!r}; the rules are {sorted(_BY_NAME)}.") from None


def rule_for(formula_id: str) -> StableRewrite | None:
    """The rewrite rule that replaces formula ``formula_id``, or None when the formula is emitted as it is."""
    return _BY_FORMULA.get(formula_id)
