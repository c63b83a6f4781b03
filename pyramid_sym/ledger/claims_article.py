"""A verdict on every claim of the article (A1-A12), and for each wrong one the relabelling under which it holds.

The article states its claims with the paper's symbols and a negative gamma (A7).
A1-A5 are about the paper: they are decided with the paper's model
(e_{k+1} and alpha of eq. 25 as functions of s_k).  A8-A10 are about the code:
they are decided with the code's model (the corrected start s_k and the re-noising
alpha/beta as functions of the previous end e_{k+1} = 1 - sigma_end, gamma_c = -gamma).
Each is decided literally; when it is refuted, the re-readings below are tried and
those that are proved are reported: that names the article's error.
"""

from __future__ import annotations

import sympy

from ..conventions import (GAMMA_2X2, GAMMA_C_2X2, alpha, code_to_paper, e_next, gamma, gamma_c, paper_domain,
                           s_k, sigma_end)
from ..domain import Domain
from ..formulas import article as AR
from ..formulas import code as C
from ..formulas import paper as P
from . import claims_code
from ._claim import Claim, Relabelling

ORDER = 50

s, e, g = s_k, e_next, gamma
c_up, c_noise = AR.c_up, AR.c_noise

SWAP_E_S = "swap e_{k+1} and s_k"
FLIP_GAMMA = "flip the sign of gamma"
SWAP_AND_FLIP = "swap e_{k+1} and s_k, and flip the sign of gamma"
INVERT_RATIO = "invert the ratio e/s_k"

_RELABEL = {
    SWAP_E_S: lambda x: x.xreplace({e: s, s: e}),
    FLIP_GAMMA: lambda x: x.xreplace({g: -g}),
    SWAP_AND_FLIP: lambda x: x.xreplace({e: s, s: e, g: -g}),
}


def _to_paper(expr):
    return code_to_paper(expr, sigma_symbol=sigma_end, t_symbol=e)


def _paper_model():
    E, A = P.e_next_of_s(s, g), P.alpha_of_s(s, g)
    return {e: E, alpha: A, c_up: s / E, c_noise: A}


def _code_model():
    S = _to_paper(C.corrected_start_of())
    beta = _to_paper(C.beta_of())
    return {s: S, alpha: beta, c_up: _to_paper(C.alpha_of()), c_noise: beta}


def _claim(cid, eq, model, domain, expected, relabellings=(), note=""):
    lhs, rhs = eq.lhs.xreplace(model), eq.rhs.xreplace(model)
    rel = tuple(
        Relabelling(name, Claim(f"{cid}~{i}", eq.source, f"{eq.statement} [{name}]", "identity", domain,
                                lhs=eqlhs.xreplace(model), rhs=eqrhs.xreplace(model)))
        for i, (name, eqlhs, eqrhs) in enumerate(relabellings, 1)
    )
    return Claim(cid, eq.source, eq.statement, "identity", domain, expected=expected,
                 lhs=lhs, rhs=rhs, relabellings=rel, note=note)


def _standard_relabellings(eq):
    """The standard re-readings that change the equation (one that leaves it unchanged tells nothing)."""
    out = []
    for name, f in _RELABEL.items():
        lhs, rhs = f(eq.lhs), f(eq.rhs)
        if (lhs, rhs) != (eq.lhs, eq.rhs) and all((lhs, rhs) != (o[1], o[2]) for o in out):
            out.append((name, lhs, rhs))
    return out


def claims() -> list[Claim]:
    eqs = AR.ARTICLE_EQUATIONS
    pm, cm = _paper_model(), _code_model()
    Ds, De = paper_domain(), paper_domain(over=e)
    D3 = paper_domain(gamma_value=sympy.Rational(-1, 3))
    code = {c.id: c for c in claims_code.claims()}
    Dgc, Dg = Domain([(gamma_c, GAMMA_C_2X2)]), Domain([(g, GAMMA_2X2)])
    out = [
        _claim("article.A1", eqs["A1"], pm, Ds, "proved"),
        _claim("article.A2", eqs["A2"], pm, Ds, "proved"),
        _claim("article.A3", eqs["A3"], pm, D3, "proved"),
        _claim("article.A4", eqs["A4"], pm, D3, "proved"),
        _claim("article.A5", eqs["A5"], pm, D3, "proved"),
        Claim("article.A6", "article A6", AR.PROSE["A6"], "all",
              parts=(code["code.corrected-start-is-inverse-of-25"], code["code.round-trip-s"],
                     code["code.round-trip-e"]),
              note="made precise as: the code's corrected start is the inverse of eq. 25, both round trips"),
        Claim("article.A7", "article A7", AR.PROSE["A7"], "all",
              parts=(code["code.block-covariance-is-sigma-prime"],
                     Claim("article.A7.default", "article A7",
                           "the code's default gamma_c = 1/3 is the paper's gamma = -1/3",
                           "identity", lhs=C.block_covariance(4, sympy.Rational(1, 3)),
                           rhs=P.sigma_prime(4, sympy.Rational(-1, 3)))),
              note="gamma_c = -gamma: the code's covariance equals Sigma' for every gamma, defaults included"),
        _claim("article.A8", eqs["A8"], cm, De, "refuted", _standard_relabellings(eqs["A8"]),
               note="the code computes s_k from e_{k+1}; the article writes e_{k+1} from s_k"),
        _claim("article.A9", eqs["A9"], cm, De, "refuted", _standard_relabellings(eqs["A9"]),
               note="the code's beta is written with s_k where the code uses e_{k+1}"),
        _claim("article.A10", eqs["A10"], cm, De, "refuted",
               [(INVERT_RATIO, eqs["A10"].lhs, sympy.ImmutableMatrix([s / e, alpha]))]
               + _standard_relabellings(eqs["A10"]),
               note="the code multiplies Up(x_e) by s_k/e_{k+1} (< 1), not e_{k+1}/s_k"),
        Claim("article.A11", "article A11", AR.PROSE["A11"], "all",
              parts=tuple(
                  Claim(f"article.A11.{name}", src, f"radicand {text} > 0 on {dom_text}", "sign", dom,
                        expr=rad, relation=">")
                  for name, src, text, rad, dom, dom_text in (
                      ("code-1", "code: corrected start, re-noising", "1 + 1/gamma_c", 1 + 1 / gamma_c, Dgc,
                       "(0, 1/3]"),
                      ("code-2", "code: re-noising beta", "gamma_c", gamma_c, Dgc, "(0, 1/3]"),
                      ("paper-1", "paper eq. 25", "-gamma", -g, Dg, "[-1/3, 0)"),
                      ("paper-2", "paper eq. 25", "1 - gamma", 1 - g, Dg, "[-1/3, 0)"),
                  )),
              note="true, but not a distinction: the paper's form is real on its own domain as well; complex "
                   "values arise only when a formula is used with the other convention's sign of gamma "
                   "(e.g. A8 read with gamma_c = 1/3 > 0 has sqrt(1 - 3))"),
        Claim("article.A12", "article A12", AR.PROSE["A12"], "all",
              parts=(code["code.corrected-start-is-inverse-of-25"], code["code.alpha-is-scale"],
                     code["code.beta-is-alpha-25"], code["code.block-covariance-is-sigma-prime"]),
              note="equivalence proved; the reuse is structural (beta is computed from alpha, the corrected "
                   "start from the stored ori_start_sigma) and needs no proof"),
    ]
    return out


_CODE_MODEL_CLAIMS = ("article.A8", "article.A9", "article.A10")


def counterexample_context(claim_id: str, point: dict) -> dict[str, str]:
    """The letters of the statement that the code's model computes, at a counterexample ``point``.

    A8-A10 are written in s_k and e_{k+1}, but decided with the code's model, where s_k is the
    corrected start computed from e_{k+1}: a counterexample point names e_{k+1} and gamma,
    and this gives the s_k that goes with them (exact, with a decimal), so the point can be
    checked against the statement as written.  Empty for other claims.
    """
    if claim_id not in _CODE_MODEL_CLAIMS or not point:
        return {}
    names = {str(sym): sym for sym in (e, g, s)}
    try:
        values = {names[k]: sympy.Rational(str(v)) for k, v in point.items() if k in names}
    except (TypeError, ValueError):
        return {}
    if e not in values or g not in values:
        return {}
    value = sympy.radsimp(_code_model()[s].xreplace(values))
    return {str(s): f"{value} (= {sympy.N(value, 12)})"}
