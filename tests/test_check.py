"""``check`` and ``pyramid-sym check``: a user's formula against another or against the paper, safely."""

from __future__ import annotations

import json

import pytest
import sympy

from pyramid_sym import cli
from pyramid_sym.check import ALIASES, aliases_for, check, parse_domain_text, parse_var, prepare
from pyramid_sym.conventions import e_next, gamma, gamma_c, s_k, sigma_end
from pyramid_sym.domain import Interval
from pyramid_sym.errors import InputError, UsageError

ISSUE_LHS = "e/(2-e)"
ISSUE_RHS = "e/(sqrt(1+1/g)*(1-e)+e)"


def run_cli(capsys, *argv):
    try:
        status = cli.main(list(argv))
    except SystemExit as exc:
        status = exc.code
    out, err = capsys.readouterr()
    return status, out, err


# --- domains ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, interval", [
    ("1/3", Interval.point(sympy.Rational(1, 3))),
    ("-1/3", Interval.point(sympy.Rational(-1, 3))),
    ("(0,1)", Interval.open(0, 1)),
    ("(0,1/3]", Interval(0, sympy.Rational(1, 3), True, False)),
    ("[-1/3,0)", Interval(sympy.Rational(-1, 3), 0, False, True)),
    ("[0, 1]", Interval.closed(0, 1)),
    (" ( 1e-12 , 0.5 ) ", Interval.open(sympy.Rational(1, 10**12), sympy.Rational(1, 2))),
    ("(0,inf)", Interval(0, sympy.oo, True, True)),
    ("(-inf,0]", Interval(-sympy.oo, 0, True, False)),
    ("[2,2]", Interval.point(2)),
])
def test_domain_text(text, interval):
    assert parse_domain_text(text) == interval


@pytest.mark.parametrize("text, fragment", [
    ("(1,0)", "empty"), ("(0,0)", "empty"), ("[0,0)", "empty"), ("", "empty"), ("(0,1", "unmatched"),
    ("0,1)", "unmatched"), ("(0,1,2)", "two ends"), ("[0,inf]", "infinite end"), ("inf", "not finite"),
    ("sqrt(2)", "not a rational"), ("(0,pi)", "not a rational"), ("nan", "not a rational"),
    ("1e999999999", "exponent"), ("(0,1)" * 100, "characters long"),
])
def test_bad_domain_text(text, fragment):
    with pytest.raises(InputError, match=fragment):
        parse_domain_text(text, "e")


def test_parse_var():
    assert parse_var("e:(0,1)") == ("e", Interval.open(0, 1))
    assert parse_var("g:-1/3") == ("g", Interval.point(sympy.Rational(-1, 3)))
    for bad in ("e", "(0,1)", "_e:(0,1)", "pi:1", ":1", "e e:1"):
        with pytest.raises(InputError):
            parse_var(bad)


# --- verdicts ---------------------------------------------------------------------------------------

def test_issue_example_proved_at_one_third():
    r = check(ISSUE_LHS, ISSUE_RHS, {"e": "(0,1)", "g": "1/3"})
    assert r.verdict == "proved"


def test_issue_example_refuted_elsewhere():
    r = check(ISSUE_LHS, ISSUE_RHS, {"e": "(0,1)", "g": "1/4"})
    assert r.verdict == "refuted"
    assert r.counterexample and "e" in r.counterexample["point"]
    # and over a whole range of gamma_c, which contains 1/3 but not only 1/3
    assert check(ISSUE_LHS, ISSUE_RHS, {"e": "(0,1)", "g": "(0,1/3]"}).verdict == "refuted"


def test_values_given_as_objects():
    r = check(ISSUE_LHS, ISSUE_RHS, {"e": Interval.open(0, 1), "g": sympy.Rational(1, 3)})
    assert r.verdict == "proved"
    with pytest.raises(InputError, match="not finite"):
        check("e", "e", {"e": float("nan")})
    with pytest.raises(InputError):
        check("e", "e", {"e": True})


def test_nudged_constant_is_refuted():
    """A change of 1e-12 (exact) is far above the prover's 60-digit resolution: refuted, not proved."""
    r = check("e/(2-e)", "e/(2-e) + 1e-12", {"e": "(0,1)"})
    assert r.verdict == "refuted"


def test_unknown_is_not_a_refutation():
    """A true identity outside the prover's algebra (transcendental) is unknown, never refuted."""
    r = check("sin(e)^2 + cos(e)^2", "1", {"e": "(0,1)"})
    assert r.verdict in ("unknown", "proved")
    assert r.verdict != "refuted"


def test_time_limit_gives_unknown():
    r = check(ISSUE_LHS, ISSUE_RHS, {"e": "(0,1)", "g": "(0,1/3]"}, timeout=1e-6)
    assert r.verdict == "unknown" and r.method == "time limit"
    with pytest.raises(InputError):
        check("e", "e", {"e": "(0,1)"}, timeout=-1)


# --- against ledger formulas ------------------------------------------------------------------------

def test_against_paper_at_minus_one_third():
    # paper eq. 26 is eq. 25 at gamma = -1/3
    assert check("2*s/(1+s)", against="paper.eq25.e_next", variables={"g": "-1/3"}).verdict == "proved"
    assert check("2*s/(1+s)", against="paper.eq25.e_next").verdict == "refuted"


def test_against_with_full_symbol_names():
    expr = "s_k*sqrt(1-gamma)/((1-s_k)*sqrt(-gamma)+s_k*sqrt(1-gamma))"
    assert check(expr, against="paper.eq25.e_next").verdict == "proved"


def test_against_code_formula_one_third_line():
    # the reference code's commented-out gamma_c = 1/3 line: e/(2-e) with e = 1 - sigma_end
    r = check("(1-sigma)/(1+sigma)", against="code.corrected_start", variables={"g": "1/3"})
    assert r.verdict == "proved"


def test_against_an_equation_defining_one_symbol():
    expr = "s*sqrt(1-g)/((1-s)*sqrt(-g)+s*sqrt(1-g))"
    assert check(expr, against="article.A1").verdict == "proved"


def test_against_with_the_other_convention_is_refuted():
    # the code's gamma_c is the paper's -gamma: writing the paper formula with +g against the code is wrong
    task = prepare("s*sqrt(1+g)/((1-s)*sqrt(g)+s*sqrt(1+g))", against="paper.eq25.e_next")
    assert task.domain[gamma] == Interval(sympy.Rational(-1, 3), 0, False, True)


@pytest.mark.parametrize("kwargs, error, fragment", [
    (dict(lhs="s", against="no.such.formula"), UsageError, "no formula 'no.such.formula'.*paper.eq25.e_next"),
    (dict(lhs="s", against="paper.eq21"), UsageError, "condition"),
    (dict(lhs="s", against="paper.eq22.Sigma"), UsageError, "matrix"),
    (dict(lhs="s", rhs="s", against="paper.eq25.e_next"), UsageError, "not both"),
    (dict(lhs="s"), UsageError, "two expressions"),
    (dict(lhs="s", against="paper.eq25.e_next", variables={"g": "1/3"}), InputError, "outside the domain"),
    (dict(lhs="s", against="paper.eq25.e_next", variables={"s": "(0,2)"}), InputError, "outside the domain"),
    (dict(lhs="x", against="paper.eq25.e_next"), InputError, "unknown name 'x'"),
    (dict(lhs="s", against=""), UsageError, "formula id"),
])
def test_against_errors(kwargs, error, fragment):
    with pytest.raises(error, match=fragment):
        check(**kwargs)


def test_aliases():
    names = aliases_for([s_k, gamma])
    assert names["s"] == s_k and names["s_k"] == s_k and names["g"] == gamma and names["gamma"] == gamma
    names = aliases_for([e_next, gamma])
    assert names["e"] == e_next and names["e_next"] == e_next and "e_{k+1}" not in names
    names = aliases_for([sigma_end, gamma_c])
    assert names["sigma"] == sigma_end and names["g"] == gamma_c and names["gc"] == gamma_c
    # an alias that would name two variables is not offered
    names = aliases_for([gamma, gamma_c])
    assert "g" not in names and names["gamma"] == gamma and names["gamma_c"] == gamma_c
    assert set(ALIASES["s_k"]) == {"s", "s_k"}


def test_undeclared_and_unused_variables():
    with pytest.raises(InputError, match="unknown name 'g'"):
        check("e*g", "e", {"e": "(0,1)"})
    task = prepare("e", "e", {"e": "(0,1)", "g": "1/3"})  # g unused: not in the proof's domain
    assert [str(s) for s in task.domain.symbols] == ["e"]


# --- the command ------------------------------------------------------------------------------------

def test_cli_statuses(capsys):
    status, out, err = run_cli(capsys, "check", ISSUE_LHS, ISSUE_RHS, "--var", "e:(0,1)", "--var", "g:1/3")
    assert status == 0 and "verdict: proved" in out and err == ""
    status, out, _ = run_cli(capsys, "check", ISSUE_LHS, ISSUE_RHS, "--var", "e:(0,1)", "--var", "g:1/4")
    assert status == 1 and "verdict: refuted" in out and "counterexample" in out
    # true (sin > 0 on (0, 1)) but abs of a transcendental function is outside the decision procedures
    status, out, _ = run_cli(capsys, "check", "abs(sin(e))", "sin(e)", "--var", "e:(0,1)")
    assert status == 3 and "verdict: unknown" in out
    # one rule: a side undefined at a point of the domain makes the identity false there
    status, out, _ = run_cli(capsys, "check", "1/e", "1", "--var", "e:0")
    assert status == 1 and "undefined" in out and "e = 0" in out


@pytest.mark.parametrize("argv, fragment", [
    (["check", "e", "e", "--var", "e:(1,0)"], "empty"),
    (["check", "e", "e", "--var", "e:(0,1)", "--var", "e:1"], "twice"),
    (["check", "__import__('os')", "1"], "underscore"),
    (["check", "e", "--against", "no-such"], "no formula"),
    (["check", "e", "e", "--var", "e"], "NAME:DOMAIN"),
    (["check", "e", "e", "--var", "e:1", "--timeout", "nan"], "--timeout"),
    (["check", "e", "e", "--var=--"], "expected a value"),
    (["check", "e"], "two expressions"),
    (["check"], "required"),
])
def test_cli_bad_input(capsys, argv, fragment):
    status, out, err = run_cli(capsys, *argv)
    assert status == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and fragment in lines[0] and lines[0].endswith("."), err


def test_cli_json(capsys):
    status, out, _ = run_cli(capsys, "check", "2*s/(1+s)", "--against", "paper.eq25.e_next", "--var", "g:-1/3",
                             "--json")
    data = json.loads(out)
    assert status == 0 and data["command"] == "check" and data["against"] == "paper.eq25.e_next"
    assert data["result"]["verdict"] == "proved" and data["domain"] == {"s_k": "(0, 1)", "gamma": "-1/3"}
    assert data["lhs"] == "2*s/(1+s)" and data["result"]["certificate"]
    status, out, _ = run_cli(capsys, "check", "e/(2-e)", "e", "--var", "e:(0,1)", "--json")
    data = json.loads(out)
    assert status == 1 and data["result"]["verdict"] == "refuted" and data["result"]["counterexample"]


def test_cli_leading_minus_after_double_dash(capsys):
    status, out, _ = run_cli(capsys, "check", "--var", "e:(0,1)", "--", "-e", "-(e)")
    assert status == 0 and "verdict: proved" in out


INJECTIONS = [
    "__import__('os').system('touch PWNED')",
    "().__class__.__bases__[0].__subclasses__()",
    "lambda: __import__('os')",
    "(lambda x: x)(1)",
    "eval('1')",
    "e.__class__",
    "'a' * 10**9",
    "(" * 100000,
    "(" * 1000 + "e" + ")" * 1000,
    "9" * 100000,
    "e" + "*e" * 10000,
    "10^10^10^10",
]


@pytest.mark.parametrize("text", INJECTIONS, ids=lambda t: t[:30])
@pytest.mark.parametrize("where", ["lhs", "rhs", "var", "against"])
def test_cli_injection_refused_quickly(capsys, tmp_path, monkeypatch, text, where):
    """Known injection strings, in any argument, are refused with exit 2 in well under 1 s, and run nothing."""
    import time

    monkeypatch.chdir(tmp_path)
    argv = {"lhs": ["check", text, "1", "--var", "e:(0,1)"],
            "rhs": ["check", "e", text, "--var", "e:(0,1)"],
            "var": ["check", "e", "e", "--var", f"e:{text}"],
            "against": ["check", "e", "--against", text]}[where]
    t0 = time.perf_counter()
    status, out, err = run_cli(capsys, *argv)
    elapsed = time.perf_counter() - t0
    # a refusal is promised within 1 s; refusals take milliseconds, so this holds on a loaded 2-core machine too
    assert elapsed < 1.0, elapsed
    assert status == 2 and out == "" and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "PWNED").exists()


def test_every_usable_formula_checks_against_its_own_printed_form():
    """Each formula, printed by SymPy with the short names and read back by the parser, is proved equal to itself;
    the same text with one constant nudged by 1e-12 is refuted."""
    from pyramid_sym import formulas
    from pyramid_sym.check import usable_formulas

    ids = usable_formulas()
    assert "paper.eq25.e_next" in ids and "code.corrected_start" in ids
    for fid in ids:
        obj = formulas.get(fid)
        expr = obj.expr if isinstance(obj, formulas.Formula) else obj.rhs
        names = {sym: sympy.Symbol(ALIASES[sym.name][0]) for sym in expr.free_symbols}
        text = str(expr.xreplace(names))
        assert check(text, against=fid).verdict == "proved", (fid, text)
        assert check(f"({text})*(1 + 1e-12)", against=fid).verdict == "refuted", fid
