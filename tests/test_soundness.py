"""Soundness: mutated formulas (a flipped sign, a dropped square root, e and s swapped, gamma's sign flipped,
a constant nudged by 1e-9) are refuted or unknown, never proved."""

import pytest
from sympy import Rational, sqrt

from pyramid_sym.conventions import e_next, gamma, gamma_c, paper_domain, s_k, sigma_end, code_domain
from pyramid_sym.formulas import code, paper
from pyramid_sym.prover import prove_identity

s, e, g = s_k, e_next, gamma
NUDGE = Rational(1, 10**9)


def _mutants():
    E, A, S = paper.e_next_of_s(), paper.alpha_of_s(), paper.s_of_e_next()
    Dp, De = paper_domain(), paper_domain(over=e)
    Dc = code_domain()
    cs, al, be = code.corrected_start_of(), code.alpha_of(), code.beta_of()
    yield "E flipped sign", E, s * sqrt(1 - g) / ((1 - s) * sqrt(-g) - s * sqrt(1 - g)), Dp
    yield "E dropped sqrt", E, s * (1 - g) / ((1 - s) * sqrt(-g) + s * (1 - g)), Dp
    yield "E e/s swapped", E, paper.s_of_e_next(s, g), Dp
    yield "E gamma sign flipped", E, paper.e_next_of_s(s, -g), Dp
    yield "E nudged", E, E + NUDGE, Dp
    yield "E constant nudged", E, s * sqrt(1 - g + NUDGE) / ((1 - s) * sqrt(-g) + s * sqrt(1 - g)), Dp
    yield "alpha flipped sign", A, (1 + s) / sqrt(1 - g), Dp
    yield "alpha dropped sqrt", A, (1 - s) / (1 - g), Dp
    yield "alpha gamma sign flipped", A, (1 - s) / sqrt(1 + g), Dp
    yield "alpha nudged", A, A * (1 + NUDGE), Dp
    yield "inverse swapped", S, paper.e_next_of_s(e, g), De
    yield "inverse dropped sqrt", S, e * (-g) / ((1 - e) * sqrt(1 - g) + e * sqrt(-g)), De
    yield "corrected gamma sign", cs, code.corrected_start_of(sigma_end, -gamma_c), Dc
    yield "corrected dropped sqrt", cs, (1 - sigma_end) / ((1 + 1 / gamma_c) * sigma_end + 1 - sigma_end), Dc
    yield "corrected flipped sign", cs, (1 - sigma_end) / (sqrt(1 + 1 / gamma_c) * sigma_end - 1 + sigma_end), Dc
    yield "corrected time flip lost", cs, code.corrected_start_of(1 - sigma_end, gamma_c), Dc
    yield "one-third nudged", code.CORRECTED_START_ONE_THIRD.expr, \
        code.corrected_start_of(sigma_end, Rational(1, 3) + NUDGE), code_domain(gamma_value=Rational(1, 3))
    yield "alpha code nudged", al, 1 / (sqrt(1 + 1 / gamma_c) * sigma_end + 1 - sigma_end + NUDGE), Dc
    yield "beta dropped sqrt", be, al * sigma_end / gamma_c, Dc
    yield "beta flipped sign", be, -be, Dc
    yield "round trip through eq. 25 twice", s, paper.e_next_of_s(E, g), Dp
    yield "covariance sign of gamma", code.block_covariance(4, gamma_c), code.block_covariance(4, -gamma_c), Dc
    yield "covariance nudged", code.block_covariance(4, gamma_c), code.block_covariance(4, gamma_c + NUDGE), Dc
    yield "Sigma' vs code covariance without sign flip", paper.sigma_prime(4, g), code.block_covariance(4, g), \
        paper_domain().restrict([g])


MUTANTS = list(_mutants())


@pytest.mark.parametrize("name,original,mutant,domain", MUTANTS, ids=[m[0] for m in MUTANTS])
def test_mutant_is_never_proved(name, original, mutant, domain):
    r = prove_identity(original, mutant, domain)
    assert r.verdict != "proved", f"{name}: a false identity was certified"
    # every mutant here is false somewhere in its domain and should be caught with a point
    assert r.verdict == "refuted", f"{name}: expected a counterexample, got {r.verdict} ({r.note})"


def test_enough_mutants():
    assert len(MUTANTS) >= 20
