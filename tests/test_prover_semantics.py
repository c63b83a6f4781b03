"""One rule of meaning, checked evidence, and the second procedure.

Expected verdicts here are analytic facts stated next to each case (principal values:
(-8)^(2/3) = 4 exp(2 pi i/3); tan has a pole at pi/2; 1/x is undefined at 0).
"""

from __future__ import annotations

import time

import pytest
import sympy
from sympy import Rational

from pyramid_sym.check import check
from pyramid_sym.domain import Domain, Interval
from pyramid_sym.prover import ProofResult, Verdict, prove_identity, prove_psd, prove_sign, proved, refuted, unknown

x = sympy.Symbol("x", real=True)


def test_results_are_immutable_and_built_by_checked_constructors():
    r = prove_identity(x + 1, 1 + x, Domain([(x, Interval.open(0, 1))]))
    assert r.verdict is Verdict.PROVED and r.verdict == "proved" and r.proved
    with pytest.raises(Exception):
        r.verdict = "refuted"  # type: ignore[misc]
    with pytest.raises(TypeError):
        ProofResult("proved", "by hand")
    with pytest.raises(ValueError):
        proved("m", [], {"independent": ["x"]})          # no certificate
    with pytest.raises(ValueError):
        proved("m", ["c"], {"points": 3})                # no independent re-decision
    with pytest.raises(ValueError):
        refuted("m", {"x": "1"}, {"lhs": "1"})           # neither enclosure nor undefinedness
    with pytest.raises(ValueError):
        unknown("")
    assert r.to_json()["verdict"] == "proved" and r.with_(statement="s").statement == "s"


@pytest.mark.parametrize("lhs, rhs, var, verdict, evidence", [
    ("1+10^-200*(-8)^(2/3)", "1-4*10^-200", {}, "refuted", "excludes 0"),     # non-real principal value
    ("(-1)^(1/3)+(-1)^(-1/3)", "1", {}, "proved", "minimal polynomial"),       # 2 cos(pi/3) = 1
    ("((1+x)^2-1-2*x)/x^2", "1", {"x": "(0,1)"}, "proved", "reduces to 0"),
    ("cosh(x)^2-sinh(x)^2", "1", {"x": "(0,100)"}, "proved", "exponential normal form"),
    ("tan(x)*(1+x)", "tan(x)+x*tan(x)", {"x": "(0,2)"}, "refuted", "pole"),    # pole at pi/2
    ("sin(exp(x))", "sin(exp(x))", {"x": "(0,inf)"}, "proved", "same expression"),
    ("sqrt(3+2*sqrt(2))", "1+sqrt(2)", {}, "proved", "non-negative root"),
    ("atan(x)+atan(1/x)", "pi/2", {"x": "(0,inf)"}, "proved", "d(lhs - rhs)/dx"),
    ("log(x)", "log(x)", {"x": "[0,1)"}, "refuted", "log of 0"),               # log 0 at the closed end
    ("x/x", "1", {"x": "[-1,1]"}, "refuted", "undefined"),                     # 0/0 as written
])
def test_the_failure_classes(lhs, rhs, var, verdict, evidence):
    t0 = time.perf_counter()
    r = check(lhs, rhs, var, timeout=30)
    assert r.verdict == verdict, r.explain()
    assert evidence in r.explain(), r.explain()
    assert time.perf_counter() - t0 < 30


def test_order_relations_are_violated_by_non_real_values():
    r = prove_sign(x ** Rational(2, 3), Domain([(x, Interval.open(-1, 0))]), "<")
    assert r.verdict == "refuted" and "not real" in r.counterexample["enclosure"]
    r = prove_sign(sympy.Pow(-8, Rational(2, 3)) + 3, Domain([]), "<")
    assert r.verdict == "refuted"
    r = prove_sign(1 / x, Domain([(x, Interval(0, 1))]), ">")
    assert r.verdict == "refuted" and "undefined" in r.counterexample


def test_psd_with_a_complex_entry_is_a_clean_verdict():
    r = prove_psd(sympy.Matrix([[1, sympy.I], [sympy.I, 1]]), Domain([]))
    assert r.verdict == "refuted" and "not real" in r.counterexample["enclosure"]
    r = prove_psd(sympy.Matrix([[1, 2], [2, 1]]), Domain([]))
    assert r.verdict == "refuted" and "v^T M v" in r.counterexample["enclosure"]


def test_tiny_sides_are_compared_relative_to_their_scale():
    tiny = Rational(1, 10**60)
    r = prove_identity(tiny * x, tiny * x + Rational(1, 10**72), Domain([(x, Interval.open(0, 1))]))
    assert r.verdict == "refuted"


def test_z3_re_decides_the_algebraic_fragment():
    pytest.importorskip("z3")
    r = check("e/(2-e)", "e/(sqrt(1+1/g)*(1-e)+e)", {"e": "(0,1)", "g": "1/3"})
    assert r.verdict == "proved"
    assert any("z3" in s for s in r.witnesses["independent"])


def test_a_disagreement_is_unknown_with_both_results(monkeypatch):
    import pyramid_sym.prover as prover

    monkeypatch.setattr(prover, "_z3_check", lambda pairs, free, second: ("disagree", "z3 finds lhs != rhs at x = 1"))
    r = prove_identity(x * (x + 1), x**2 + x, Domain([(x, Interval.open(0, 1))]))
    assert r.verdict == "unknown" and "z3 finds" in r.note and r.certificate


def test_bounded_time_for_huge_arguments():
    t0 = time.perf_counter()
    r = check("sin(exp(x))", "cos(exp(x))", {"x": "(0,inf)"}, timeout=30)
    assert r.verdict in ("refuted", "unknown") and time.perf_counter() - t0 < 30
