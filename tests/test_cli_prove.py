"""`pyramid-sym prove`: table, --claim, --json, exit statuses."""

import json
import subprocess
import sys


from pyramid_sym.cli import main
from pyramid_sym.ledger import Claim
from pyramid_sym.domain import Domain, Interval
import sympy


def test_json_schema_and_exit_zero(capsys):
    code = main(["prove", "--json", "--claim", "paper.rollback", "--claim", "article.A8"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and out["ok"] is True and isinstance(out["seconds"], float)
    assert [c["id"] for c in out["claims"]] == ["paper.rollback", "article.A8"]
    for c in out["claims"]:
        assert {"id", "source", "statement", "verdict", "expected", "ok", "method", "seconds",
                "counterexample"} <= set(c)
    a8 = out["claims"][1]
    assert a8["verdict"] == "refuted" and a8["counterexample"]["point"]
    assert "swap e_{k+1} and s_k" in a8["holds_under"]


def test_table_names_article_errors(capsys):
    assert main(["prove", "--claim", "article.A10"]) == 0
    out = capsys.readouterr().out
    assert "article.A10" in out and "invert the ratio" in out and "1 claim, 1 with its expected verdict" in out


def test_unknown_claim_exits_2_with_one_sentence():
    p = subprocess.run([sys.executable, "-m", "pyramid_sym", "prove", "--claim", "no-such-claim"],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 2
    assert "Traceback" not in p.stderr
    assert len(p.stderr.strip().splitlines()) == 1 and "no-such-claim" in p.stderr


def test_bad_option_exits_2_with_one_line():
    p = subprocess.run([sys.executable, "-m", "pyramid_sym", "prove", "--frobnicate"],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 2 and len(p.stderr.strip().splitlines()) == 1


def test_exit_one_when_a_claim_misses_its_expected_verdict(monkeypatch, capsys):
    x = sympy.Symbol("x", real=True)
    wrong = Claim("test.wrong", "test", "x = x + 1e-9 expected proved", "identity",
                  Domain([(x, Interval.open(0, 1))]), lhs=x, rhs=x + sympy.Rational(1, 10**9))
    import pyramid_sym.ledger as ledger

    monkeypatch.setattr(ledger, "all_claims", lambda: [wrong])
    assert main(["prove"]) == 1
    assert "NOT AS EXPECTED" in capsys.readouterr().out


def test_table_fits_the_terminal_and_wide_gives_one_row_per_claim(monkeypatch, capsys):
    monkeypatch.setenv("COLUMNS", "80")
    assert main(["prove", "--claim", "article.A8", "--claim", "paper.rollback"]) == 0
    out = capsys.readouterr().out
    table = out.split("\n\n")[0].splitlines()
    assert max(len(line) for line in table) <= 80 and "article.A8: refuted (expected refuted)" in out
    assert main(["prove", "--wide", "--claim", "article.A8", "--claim", "paper.rollback"]) == 0
    wide = capsys.readouterr().out.split("\n\n")[0].splitlines()
    assert len(wide) == 4 and max(len(line) for line in wide) > 150  # header, rule, two rows


def test_a8_counterexample_names_s_k(capsys):
    from fractions import Fraction

    assert main(["prove", "--json", "--claim", "article.A8"]) == 0
    point = json.loads(capsys.readouterr().out)["claims"][0]["counterexample"]["point"]
    e, g = Fraction(point["e_{k+1}"]), Fraction(point["gamma"])
    assert g == Fraction(-1, 3)
    # the code's model, by hand: s_k = e/(r(1 - e) + e) with r = sqrt(1 + 1/gamma_c) = 2 at gamma_c = 1/3
    s_k = e / (2 * (1 - e) + e)
    assert main(["prove", "--claim", "article.A8", "-v"]) == 0
    out = capsys.readouterr().out
    assert f"s_k = {s_k}" in out
    assert f"e.g. at e_{{k+1}} = {e}, gamma = {g}, s_k = {s_k}" in out
