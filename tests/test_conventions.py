"""Conventions, converters, domains and the formula registry."""

import pytest
import sympy
from sympy import Rational

from pyramid_sym import conventions as cv
from pyramid_sym.domain import DomainError, Interval, parse_interval, parse_number
from pyramid_sym.formulas import FormulaError, all_formulas, get
from pyramid_sym.formulas import code as C
from pyramid_sym.formulas import paper as P


def test_converters_are_involutions():
    t = sympy.Symbol("t")
    assert cv.t_of_sigma(cv.sigma_of_t(t)) == t
    assert cv.gamma_of_gamma_c(cv.gamma_c_of_gamma(cv.gamma)) == cv.gamma
    for K in (1, 3, 4):
        for k in range(K):
            assert cv.paper_stage_index(cv.code_stage_index(k, K), K) == k
    assert cv.code_stage_index(2, 3) == 0  # the paper's coarsest stage k = K-1 is the code's stage 0


def test_stage_index_out_of_range_is_one_sentence():
    with pytest.raises(DomainError, match="outside 0..2"):
        cv.code_stage_index(3, 3)


def test_code_to_paper_flips_time_and_sign():
    expr = cv.sigma_end * cv.gamma_c
    assert cv.code_to_paper(expr) == (1 - cv.e_next) * (-cv.gamma)
    assert cv.paper_to_code(cv.code_to_paper(expr)) == expr


def test_gamma_ranges_per_block_size():
    assert str(cv.gamma_interval(4)) == "[-1/3, 0)"
    assert str(cv.gamma_c_interval(4)) == "(0, 1/3]"
    assert cv.gamma_bound(2) == -1 and cv.gamma_bound(8) == Rational(-1, 7)
    with pytest.raises(DomainError, match="n >= 2"):
        cv.gamma_bound(1)


def test_parse_intervals_and_numbers():
    assert parse_interval("(0,1/3]") == Interval(0, Rational(1, 3), True, False)
    assert parse_interval("[-1/3,0)") == Interval(Rational(-1, 3), 0, False, True)
    assert parse_interval("1/3").is_point
    assert parse_number("1e-8") == Rational(1, 10**8)
    assert parse_number("0.1") == Rational(1, 10)  # decimal text is taken exactly
    for bad in ("(1,0)", "(0,0)", "[0,1", "abc", "1/0"):
        with pytest.raises(DomainError):
            parse_interval(bad)


def test_every_formula_names_source_convention_and_domain():
    forms = all_formulas()
    assert len(forms) >= 25
    for f in forms.values():
        assert f.source and f.convention in ("paper", "code", "article", "derived")
        expr_syms = set()
        for part in ((f.expr,) if hasattr(f, "expr") else (f.lhs, f.rhs)):
            expr_syms |= part.free_symbols
        assert expr_syms <= set(f.domain.symbols), f.id


def test_formula_lookup_and_substitution():
    assert get("paper.eq26.e_next")(s_k=Rational(1, 2)) == Rational(2, 3)
    # the code's default gamma_c = 1/3 and the paper's gamma = -1/3 give the same jump
    e = Rational(2, 3)
    assert sympy.nsimplify(C.corrected_start_of(1 - e, Rational(1, 3))) == Rational(1, 2)
    with pytest.raises(FormulaError, match="no formula named"):
        get("paper.eq99")
    with pytest.raises(FormulaError, match="no variable"):
        get("paper.eq26.e_next")(t=1)


def test_matrices_of_eq22():
    assert P.block_ones(4) == sympy.ones(4, 4)
    M = P.sigma_prime(4, cv.gamma)
    assert M[0, 0] == 1 and M[0, 1] == cv.gamma
    assert C.block_covariance(4, cv.gamma_c) == sympy.ImmutableMatrix(4, 4, lambda i, j: 1 if i == j else -cv.gamma_c)
