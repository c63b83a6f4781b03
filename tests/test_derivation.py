"""The derivation engine: what it derives, checked independently of how it derives it.

Independent checks are numeric (mpmath at 50 digits, NumPy eigenvalues) or go through
the prover; the engine's own algebra is not used to check itself.
"""

from __future__ import annotations

from pathlib import Path

import mpmath
import numpy as np
import pytest
import sympy

from pyramid_sym.conventions import alpha, e_next, gamma, gamma_c, n as n_sym, s_k
from pyramid_sym.derivation import (
    BLOCKS, Derivation, derive, derive_alpha_minimal, derive_gamma_range, derive_jump_point,
    derive_noise_pyramid, derive_training_marginal, documents, parse_block, stale_documents,
)
from pyramid_sym.derivation.gamma_range import float_gamma_c
from pyramid_sym.derivation.noise_pyramid import down_matrix
from pyramid_sym.errors import InputError
from pyramid_sym.fileio import GENERATED_MARKER
from pyramid_sym.formulas import paper

ROOT = Path(__file__).resolve().parents[1]
ALL_BLOCKS = (*BLOCKS, "general")
# points inside the domain: s in (0, 1), gamma in [-1/(n-1), 0) for n = 8 (the narrowest range)
POINTS = [(sympy.Rational(1, 10**6), sympy.Rational(-1, 7)), (sympy.Rational(1, 3), sympy.Rational(-1, 11)),
          (sympy.Rational(1, 2), sympy.Rational(-1, 100)), (sympy.Rational(999, 1000), sympy.Rational(-1, 8))]
DIGITS = 50
TOL = mpmath.mpf(10) ** -40  # 50-digit evaluation of O(1) quantities: an identity leaves ~1e-49


def _num(expr, subs):
    return mpmath.mpf(str(sympy.N(sympy.sympify(expr).xreplace(subs), DIGITS)))


# --- the jump point ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("block", ALL_BLOCKS)
def test_jump_solution_satisfies_both_moment_conditions(block):
    r = derive_jump_point(block).results
    with mpmath.workdps(DIGITS):
        for sv, gv in POINTS:
            subs = {s_k: sv, gamma: gv}
            ev, av = _num(r["e_next"], subs), _num(r["alpha"], subs)
            c = sv / ev
            assert 0 < ev < 1 and av > 0
            # eq. 23 (diagonal) and eq. 24 (off-diagonal), evaluated without the engine
            assert abs(c**2 * (1 - ev) ** 2 + av**2 - (1 - sv) ** 2) < TOL
            assert abs(c**2 * (1 - ev) ** 2 + av**2 * gv) < TOL


@pytest.mark.parametrize("block", ALL_BLOCKS)
def test_jump_solution_is_eq25_and_free_of_n(block):
    r = derive_jump_point(block).results
    assert n_sym not in r["e_next"].free_symbols | r["alpha"].free_symbols
    with mpmath.workdps(DIGITS):
        for sv, gv in POINTS:
            subs = {s_k: sv, gamma: gv}
            assert abs(_num(r["e_next"], subs) - _num(paper.e_next_of_s(), subs)) < TOL
            assert abs(_num(r["alpha"], subs) - _num(paper.alpha_of_s(), subs)) < TOL


@pytest.mark.parametrize("block", BLOCKS)
def test_concrete_blocks_use_the_actual_matrices(block):
    d = derive_jump_point(block)
    M = d.results.get("entries")
    assert len(M) == 2
    matrix = d.step("Covariance condition as a matrix").objects["matrix"]
    assert matrix.shape == (block, block)
    # the matrix entries, at a point, match (s/e)^2 (1-e)^2 J + alpha^2 Sigma' - (1-s)^2 I built here with NumPy
    sv, ev, av, gv = 0.3, 0.6, 0.5, -0.1
    expect = (sv / ev) ** 2 * (1 - ev) ** 2 * np.ones((block, block)) + av**2 * (
        (1 - gv) * np.eye(block) + gv * np.ones((block, block))) - (1 - sv) ** 2 * np.eye(block)
    got = np.array(matrix.xreplace({s_k: sympy.Rational(3, 10), e_next: sympy.Rational(3, 5),
                                    alpha: sympy.Rational(1, 2), gamma: sympy.Rational(-1, 10)}), dtype=float)
    np.testing.assert_allclose(got, expect, rtol=0, atol=1e-15)  # float64 of exact rationals: ~1 ulp


@pytest.mark.parametrize("block", BLOCKS)
def test_sympy_solution_set_has_four_roots_and_the_chosen_one_is_among_them(block):
    r = derive_jump_point(block).results
    sols, i = r["solutions"], r["solve_index"]
    assert len(sols) == 4
    # identified at s = 1/2 by the engine; check at another point
    subs = {s_k: sympy.Rational(1, 5), gamma: sympy.Rational(-1, 3 * (block - 1))}
    with mpmath.workdps(DIGITS):
        assert abs(_num(sols[i][e_next], subs) - _num(r["e_next"], subs)) < TOL
        assert abs(_num(sols[i][alpha], subs) - _num(r["alpha"], subs)) < TOL
        # the rejected root of s(1-e)/e = -sqrt(v) lies outside (0, 1)
        assert not 0 < _num(r["e_other_root"], subs) < 1


def test_paper_values_at_the_bound_for_2x2_blocks():
    r = derive_jump_point(4).results
    assert r["gamma_bound"] == sympy.Rational(-1, 3)
    for got, want in ((r["e_bound"], paper.E_NEXT_MINUS_THIRD.expr), (r["alpha_bound"], paper.ALPHA_MINUS_THIRD.expr),
                      (r["scale_bound"], paper.SCALE_EQ27.expr)):
        assert sympy.expand(got - want) == 0


@pytest.mark.parametrize("block", (2, 3, 8, 16))
def test_general_bound_form_matches_eq25_at_the_bound(block):
    g = derive_jump_point("general").results
    with mpmath.workdps(DIGITS):
        for sv in (sympy.Rational(1, 9), sympy.Rational(7, 8)):
            subs = {s_k: sv, gamma: sympy.Rational(-1, block - 1)}
            assert abs(_num(g["e_bound"].xreplace({n_sym: block}), subs) - _num(paper.e_next_of_s(), subs)) < TOL
            assert abs(_num(g["alpha_bound"].xreplace({n_sym: block}), subs) - _num(paper.alpha_of_s(), subs)) < TOL


# --- the range of gamma ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("block", (2, 3, 4, 8))
def test_gamma_range_bound_and_eigenvalues(block):
    r = derive_gamma_range(block).results
    assert r["bound"] == sympy.Rational(-1, block - 1)
    assert r["psd_range"] == sympy.And(sympy.Le(sympy.Rational(-1, block - 1), gamma), sympy.Le(gamma, 1))
    for gv in (-1.0 / (block - 1), -0.05, 0.5):
        Sp = (1 - gv) * np.eye(block) + gv * np.ones((block, block))
        got = sorted([float(r["lambda_ones"].subs(gamma, gv))] + [float(r["lambda_perp"].subs(gamma, gv))] * (block - 1))
        np.testing.assert_allclose(np.linalg.eigvalsh(Sp), got, rtol=0, atol=1e-12)  # eigvalsh of a small matrix
    assert sorted(r["singular_at"]) == sorted([sympy.Rational(-1, block - 1), sympy.Integer(1)])


def test_general_gamma_range_and_code_default():
    r = derive_gamma_range("general").results
    assert sympy.expand(r["lambda_ones"] - (1 + (n_sym - 1) * gamma)) == 0
    assert r["at_default"] == {2: sympy.Rational(2, 3), 4: 0, 8: sympy.Rational(-4, 3)}
    assert sympy.expand(r["lambda_ones_code"] - (1 - (n_sym - 1) * gamma_c)) == 0


def test_float_rounding_of_one_third():
    assert float_gamma_c(sympy.Rational(1, 3), 32) == sympy.Rational(*float(np.float32(1 / 3)).as_integer_ratio())
    assert float_gamma_c(sympy.Rational(1, 3), 64) == sympy.Rational(*(1 / 3).as_integer_ratio())
    r = derive_gamma_range(4).results
    assert r["lambda_fl32"] == -sympy.Rational(1, 2**25)
    assert r["lambda_fl64"] == sympy.Rational(1, 2**54)


# --- alpha minimal, training marginal, noise pyramid ----------------------------------------------------------
def test_alpha_increases_and_is_minimal_at_the_bound():
    d = derive_alpha_minimal("general").results
    with mpmath.workdps(DIGITS):
        for sv, gv in POINTS:
            subs = {s_k: sv, gamma: gv}
            h = sympy.Rational(1, 10**12)
            fd = (_num(paper.alpha_of_s(), {s_k: sv, gamma: gv + h}) - _num(paper.alpha_of_s(), subs)) / _num(h, {})
            # forward difference, step 1e-12: error ~ h * alpha'' ~ 1e-12
            assert abs(fd - _num(d["dalpha_dgamma"], subs)) < 1e-10
            assert _num(d["dalpha_dgamma"], subs) > 0
    assert d["inherited_share_bound"] == 1 / n_sym


@pytest.mark.parametrize("block", ALL_BLOCKS)
def test_training_marginal(block):
    r = derive_training_marginal(block).results
    assert r["mean_scale"] == s_k
    cov = r["covariance_eq25"]
    if block == "general":
        assert (sympy.expand(cov.a - (1 - s_k) ** 2), cov.b) == (0, 0)
    else:
        assert cov == (1 - s_k) ** 2 * sympy.eye(block)


def test_noise_pyramid_factor_and_level_covariance():
    d = derive_noise_pyramid("general").results
    assert d["factor"] == sympy.sqrt(n_sym)
    assert derive_noise_pyramid(4).results["factor"] == 2
    D = np.array(down_matrix(4), dtype=float)
    rng = np.random.default_rng(1)
    z = rng.standard_normal((200_000, 16))
    emp = np.cov((2 * z @ D.T), rowvar=False)
    # sample covariance of 200000 unit-variance draws: standard error ~ 0.0032; allow 6 of them
    np.testing.assert_allclose(emp, np.eye(4), rtol=0, atol=0.02)
    assert sympy.expand(d["saving"] - 2 * (1 - sympy.Symbol("e_k", positive=True)) *
                        (1 - sympy.Symbol("s_k", positive=True))) == 0


# --- rendering and documents ----------------------------------------------------------------------------------
@pytest.mark.parametrize("topic,block", [("jump", 4), ("gamma", "general"), ("marginal", 8), ("noise", 2)])
def test_renderings_carry_every_display(topic, block):
    d = derive(topic, block)
    assert isinstance(d, Derivation) and d.steps
    md, tex, text = d.markdown(), d.latex(), d.text()
    assert md.startswith("<!-- " + GENERATED_MARKER)
    for step in d.steps:
        assert step.title in md and step.title in text
        for disp in step.displays:
            assert f"$$\n{disp.latex}\n$$" in md
            assert disp.latex in tex
            assert disp.text in text
    assert md.count("$$") == 2 * sum(len(s.displays) for s in d.steps)  # no display written by hand


def test_documents_in_the_repository_are_up_to_date():
    stale = stale_documents(ROOT / "derivations")
    assert not stale, f"run 'pyramid-sym derive --write derivations': out of date: {stale}"


def test_documents_index_lists_every_document():
    docs = documents()
    index = docs.pop("README.md")
    for name in docs:
        assert f"]({name})" in index


@pytest.mark.parametrize("bad", ["1", "0", "-4", "17", "2.5", "four", "", "4x"])
def test_bad_block_sizes_are_refused(bad):
    with pytest.raises(InputError, match="block size"):
        parse_block(bad)


def test_unknown_topic_is_refused():
    with pytest.raises(InputError, match="unknown derivation"):
        derive("nonsense", 4)
