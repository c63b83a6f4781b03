"""The prover: certificates, witnesses, counterexamples, and 'unknown' where it cannot decide."""

import mpmath
import pytest
import sympy
from sympy import Rational, atan, exp, pi, sqrt

from pyramid_sym.conventions import GAMMA_2X2, gamma, paper_domain, s_k
from pyramid_sym.domain import Domain, Interval
from pyramid_sym.errors import InputError
from pyramid_sym.formulas import paper
from pyramid_sym.prover import MIN_WITNESSES, prove_identity, prove_psd, prove_sign

x, y = sympy.symbols("x y", real=True)
UNIT = Domain([(x, Interval.open(0, 1))])


def _value(expr, point, dps=120):
    with mpmath.workdps(dps):
        f = sympy.lambdify(list(point), expr, "mpmath")
        return f(*[mpmath.mpf(sympy.Rational(v).p) / sympy.Rational(v).q for v in point.values()])


def test_proved_carries_certificate_and_witnesses():
    E = paper.e_next_of_s()
    r = prove_identity(paper.s_of_e_next(E, gamma), s_k, paper_domain())
    assert r.verdict == "proved"
    assert any("reduces to 0" in c for c in r.certificate)
    assert any("sqrt(1 - gamma)" in c for c in r.certificate)
    assert r.side_conditions, "denominators must be shown nonzero"
    assert r.witnesses["points"] >= MIN_WITNESSES
    assert r.witnesses["bits"] >= 166  # >= 50 decimal digits
    assert r.witnesses["independent"]


def test_refuted_point_is_inside_domain_and_sides_differ():
    E = paper.e_next_of_s()
    wrong = s_k * sqrt(1 - gamma) / ((1 - s_k) * sqrt(-gamma) + s_k * sqrt(1 + gamma))
    D = paper_domain()
    r = prove_identity(E, wrong, D)
    assert r.verdict == "refuted"
    pt = {sym: sympy.Rational(r.counterexample["point"][str(sym)]) for sym in D.symbols}
    assert all(D[sym].contains(v) for sym, v in pt.items())
    diff = _value(E - wrong, pt)
    assert abs(diff) > mpmath.mpf(10) ** -30


def test_sqrt_of_square_depends_on_the_domain():
    assert prove_identity(sqrt(x**2), x, UNIT).verdict == "proved"
    neg = Domain([(x, Interval.open(-1, 0))])
    assert prove_identity(sqrt(x**2), -x, neg).verdict == "proved"
    assert prove_identity(sqrt(x**2), x, neg).verdict == "refuted"
    both = Domain([(x, Interval.open(-1, 1))])
    assert prove_identity(sqrt(x**2), x, both).verdict == "refuted"


def test_pole_inside_domain_is_never_proved():
    # (x^2 - x)/(x - 1) = x except at x = 1, which lies inside (0, 2)
    expr = (x**2 - x) / (x - 1)
    assert prove_identity(expr, x, Domain([(x, Interval.open(0, 2))])).verdict != "proved"
    assert prove_identity(expr, x, UNIT).verdict == "proved"


def test_elementary_identities_are_proved():
    # Expr.equals can answer a wrong False here (see PITFALLS); the derivative method and the
    # exponential normal form prove them.
    q = Domain([(x, Interval.open(0, 10))])
    r = prove_identity(atan(x) + atan(1 / x), pi / 2, q)
    assert r.verdict == "proved" and any("d(lhs - rhs)/dx" in c for c in r.certificate)
    r = prove_identity(exp(x) * exp(y), exp(x + y), Domain([(x, Interval.open(0, 1)), (y, Interval.open(0, 1))]))
    assert r.verdict == "proved" and any("exponential normal form" in c for c in r.certificate)
    # on x < 0 the same statement is false: atan(x) + atan(1/x) = -pi/2 there
    r = prove_identity(atan(x) + atan(1 / x), pi / 2, Domain([(x, Interval.open(-10, 0))]))
    assert r.verdict == "refuted"


def test_complex_side_is_not_proved():
    # sqrt(gamma) for gamma < 0 is imaginary: sqrt(gamma) = I sqrt(-gamma) but not sqrt(-gamma)
    r = prove_identity(sqrt(gamma), sqrt(-gamma), Domain([(gamma, GAMMA_2X2)]))
    assert r.verdict == "refuted"


def test_tiny_nudge_is_refuted():
    D = paper_domain(gamma_value=Rational(-1, 3))
    r = prove_identity(paper.e_next_of_s(), 2 * s_k / (1 + s_k) + Rational(1, 10**12), D)
    assert r.verdict == "refuted"


def test_sign_claims():
    E = paper.e_next_of_s()
    assert prove_sign(E - s_k, paper_domain(), ">").verdict == "proved"
    # 1 - 3 gamma_c vanishes at the closed end 1/3: ">= 0" holds, "> 0" is refuted there exactly
    g = sympy.Symbol("g", real=True)
    D = Domain([(g, Interval(0, Rational(1, 3), True, False))])
    assert prove_sign(1 - 3 * g, D, ">=").verdict == "proved"
    r = prove_sign(1 - 3 * g, D, ">")
    assert r.verdict == "refuted" and r.counterexample["point"]["g"] == "1/3"
    assert prove_sign(s_k - E, paper_domain(), ">").verdict == "refuted"


def test_sign_of_multivariate_polynomial_by_polya():
    D = Domain([(x, Interval.open(0, 1)), (y, Interval.open(0, 1))])
    r = prove_sign(1 - x * y, D, ">")
    assert r.verdict == "proved" and any("Polya" in c for c in r.certificate)


def test_psd():
    M = paper.sigma_prime(4, gamma)
    assert prove_psd(M, Domain([(gamma, GAMMA_2X2)])).verdict == "proved"
    below = Domain([(gamma, Interval(Rational(-1, 2), Rational(-1, 3), False, True))])
    r = prove_psd(M, below)
    assert r.verdict == "refuted" and float(r.counterexample["min_eigenvalue"]) < 0


def test_bad_input_is_one_sentence():
    with pytest.raises(InputError, match="does not declare"):
        prove_identity(x + y, x, UNIT)
    with pytest.raises(InputError, match="relation"):
        prove_sign(x, UNIT, "=>")
    with pytest.raises(InputError, match="shapes"):
        prove_identity(sympy.ImmutableMatrix([x, x]), x, UNIT)
