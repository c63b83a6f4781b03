"""Adversarial inputs for the Python API (prove_sign, prove_psd) and for the parser's bounds.

Each expectation is established without the prover: the ``why`` of every case names the analytic
reason (a zero, a pole or a non-real value inside the domain for the false claims; a textbook
bound for the true ones).  A false claim must never be "proved", a true one never "refuted".
"""

from __future__ import annotations

import pytest
import sympy
from sympy import I, Matrix, Rational as Q, atan, cos, exp, log, sin, sqrt, tanh

from pyramid_sym.check import check, parse_domain_text
from pyramid_sym.domain import Domain
from pyramid_sym.errors import InputError
from pyramid_sym.prover import prove_psd, prove_sign

x = sympy.Symbol("x", real=True)
y = sympy.Symbol("y", real=True)


def _dom(**ends) -> Domain:
    return Domain({sympy.Symbol(k, real=True): parse_domain_text(v, k) for k, v in ends.items()})


# (expression, domain, relation, truth, why)
SIGNS = [
    (exp(x) - 2, _dom(x="(0,1)"), "!=", False, "exp(x) = 2 at x = log 2 in (0, 1)"),
    (exp(x) - 2, _dom(x="(0,1)"), "<", False, "exp(1) - 2 > 0"),
    (sin(x) - Q(1, 2), _dom(x="(0,1)"), ">", False, "sin(x) < 1/2 for x < pi/6"),
    (sin(x) - Q(1, 2), _dom(x="(0,1)"), "!=", False, "sin(pi/6) = 1/2, pi/6 in (0, 1)"),
    (exp(x) + sin(x) - 2, _dom(x="(0,1)"), "<", False, "exp(1) + sin(1) - 2 > 0"),
    (x**2 - Q(1, 10**30), _dom(x="(0,1)"), ">", False, "negative for x < 10^-15"),
    ((x - sqrt(2) / 2) ** 2, _dom(x="(0,1)"), ">", False, "zero at sqrt(2)/2"),
    (x**Q(2, 3), _dom(x="(-1,0)"), ">", False, "x^(2/3) is not real for x < 0"),
    (sqrt(x**2 - 2), _dom(x="(-1,1)"), ">=", False, "sqrt of a negative number is not real"),
    (x**2 + y**2, _dom(x="(-1,1)", y="(-1,1)"), ">", False, "zero at the origin"),
    (1 - sin(x), _dom(x="(0,2)"), ">", False, "sin(pi/2) = 1"),
    (1 - tanh(x), _dom(x="(-inf,inf)"), ">", True, "|tanh x| < 1 for real x"),
    (sympy.pi / 2 - atan(x), _dom(x="(-inf,inf)"), ">", True, "atan x < pi/2 for real x"),
    (2 - sin(x) - cos(x), _dom(x="(-10,10)"), ">", True, "sin x + cos x <= sqrt 2 < 2"),
    (sqrt(x) - x, _dom(x="(0,1)"), ">", True, "sqrt x > x on (0, 1)"),
    (log(x), _dom(x="(0,1]"), "<", False, "log 1 = 0"),
    (1 / x, _dom(x="[0,1]"), ">", False, "undefined at x = 0"),
]


@pytest.mark.parametrize("expr, dom, rel, truth, why", SIGNS, ids=[c[4] for c in SIGNS])
def test_sign_claims_never_wrong(expr, dom, rel, truth, why):
    r = prove_sign(expr, dom, rel)
    assert r.verdict.value != ("refuted" if truth else "proved"), (why, r.explain())


PSD = [
    (Matrix([[1, 1], [1, 1 - Q(1, 10**30)]]), _dom(), False, "determinant -10^-30 < 0"),
    (Matrix([[1, I], [-I, 1]]), _dom(), False, "not a real symmetric matrix"),
    (Matrix([[1, 2], [3, 4]]), _dom(), False, "not symmetric"),
    (Matrix([[1, 2, 3], [2, 4, 6], [3, 6, 9 - Q(1, 10**40)]]), _dom(), False,
     "v = (3, 0, -1): v^T M v = 9 - 18 + 9 - 10^-40 < 0"),
    (Matrix([[1 / x, 1], [1, x]]), _dom(x="[0,1]"), False, "1/x undefined at x = 0"),
    (Matrix([[x**2, x], [x, 1]]), _dom(x="(-1,1)"), True, "(x, 1)(x, 1)^T"),
    (Matrix([[1, 2, 3], [2, 4, 6], [3, 6, 9]]), _dom(), True, "(1, 2, 3)(1, 2, 3)^T"),
]


@pytest.mark.parametrize("matrix, dom, truth, why", PSD, ids=[c[3] for c in PSD])
def test_psd_claims_never_wrong(matrix, dom, truth, why):
    r = prove_psd(matrix, dom)
    assert r.verdict.value != ("refuted" if truth else "proved"), (why, r.explain())


def test_a_constant_too_large_to_evaluate_is_never_a_traceback():
    """SymPy evaluates signs of constants as it builds them (how far depends on its caches); an overflow there
    becomes an input error with one sentence, else the (true) claim gets a verdict that is not "refuted"."""
    for text in ("(-sinh(sinh(10^20)))^(1/3)", "abs(sinh(sinh(10^20)))", "atan(sinh(sinh(10^20)))"):
        try:
            r = check(text, text + "+0", {})
        except InputError as exc:
            assert "too large" in str(exc), exc
        else:
            assert r.verdict.value != "refuted", r.explain()
