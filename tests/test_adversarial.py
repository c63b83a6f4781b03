"""The adversarial set: statements of every failure class with expectations that do not come from the prover.

tests/data/adversarial.json is written by tests/data/adversarial_build.py.  Each case's
``truth`` was established without pyramid_sym.prover:

* true statements: an analytic reason, named in ``how`` (a textbook identity, an
  algebraic expansion, a principal-value computation such as exp(i pi/3) + exp(-i pi/3) = 1);
* false statements: either an analytic reason (a pole, log of 0 or a 0/0 point inside the
  domain, a non-real principal value) or a difference computed at a recorded exact point
  with mpmath at 600 digits; the latter is recomputed here.

Asserted here: no false statement proved, no true statement refuted, no case over the 30 s
time limit.  The figures (at most 10 % unknown, median time) are printed and checked by
``benchmarks/adversarial_report.py``, which CI runs.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

import mpmath
import pytest
import sympy

DATA = Path(__file__).parent / "data"
CASES = json.loads((DATA / "adversarial.json").read_text())
sys.path.insert(0, str(DATA))
from adversarial_build import difference_at  # noqa: E402  (the independent evaluator)

sys.path.pop(0)

RESULTS: dict[int, tuple[str, float, str]] = {}


def _run(i):
    if i not in RESULTS:
        from pyramid_sym.check import check

        c = CASES[i]
        t0 = time.perf_counter()
        r = check(c["lhs"], c["rhs"], c["vars"], timeout=30)
        RESULTS[i] = (r.verdict.value, time.perf_counter() - t0, r.explain())
    return RESULTS[i]


def test_the_set_covers_the_classes():
    assert len(CASES) >= 100
    assert sum(c["truth"] == "true" for c in CASES) >= 40 and sum(c["truth"] == "false" for c in CASES) >= 40
    assert all(c["how"] for c in CASES)


@pytest.mark.parametrize("i", [i for i, c in enumerate(CASES) if "point" in c])
def test_numeric_expectations_hold(i):
    """Recompute the recorded difference at its exact point with mpmath (600 digits), independently of the prover."""
    c = CASES[i]
    pt = {k: sympy.Rational(v) for k, v in c["point"].items()}
    d, scale = difference_at(c["lhs"], c["rhs"], c["vars"], pt)
    assert d > mpmath.mpf(10) ** -450 * max(scale, mpmath.mpf(10) ** -300)


@pytest.mark.parametrize("i", range(len(CASES)))
def test_no_wrong_verdict(i):
    c = CASES[i]
    verdict, seconds, text = _run(i)
    if c["truth"] == "false":
        assert verdict != "proved", f"false statement proved: {c}\n{text}"
    else:
        assert verdict != "refuted", f"true statement refuted: {c}\n{text}"
    assert seconds <= 30, (c, seconds)
    if verdict == "refuted":
        assert "enclosure" in text or "undefined" in text, text
