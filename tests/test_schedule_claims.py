"""Ledger claims of the scheduler (``pyramid_sym.ledger.claims_schedule``): all expected and proved."""

from __future__ import annotations

import pytest
import sympy

from pyramid_sym.ledger import claims_schedule
from pyramid_sym.ledger._claim import Claim


def _leaves(c: Claim):
    if c.kind == "all":
        for p in c.parts:
            yield from _leaves(p)
    else:
        yield c


CLAIMS = claims_schedule.claims()
LEAVES = [leaf for c in CLAIMS for leaf in _leaves(c)]


def test_provider_shape():
    ids = [c.id for c in CLAIMS] + [leaf.id for leaf in LEAVES if leaf not in CLAIMS]
    assert len(ids) == len(set(ids)) and all(i.startswith("schedule.") for i in ids)
    assert all(c.expected == "proved" for c in CLAIMS + LEAVES)
    topics = {c.id.split(".")[1] for c in CLAIMS}
    assert {"shift", "start", "ratios", "local", "marginal"} <= topics


def test_shift_claim_is_the_exponential_time_shift():
    c = next(c for c in CLAIMS if c.id == "schedule.shift.exponential_time_shift")
    shift = next(s for s in c.domain.symbols if s.name == "shift")
    sigma = next(s for s in c.domain.symbols if s.name == "sigma")
    # mu = ln(shift): at shift = e^2 the time shift is e^2 / (e^2 + 1/sigma - 1), a numeric spot check
    val = c.lhs.subs({shift: sympy.E**2, sigma: sympy.Rational(1, 3)})
    assert abs(float(val) - float(sympy.E**2 / (sympy.E**2 + 2))) < 1e-15  # float64 evaluation of one value


@pytest.mark.parametrize("leaf", LEAVES, ids=[leaf.id for leaf in LEAVES])
def test_claim_is_proved(leaf):
    prover = pytest.importorskip("pyramid_sym.prover")
    if leaf.kind == "identity":
        r = prover.prove_identity(leaf.lhs, leaf.rhs, leaf.domain)
    elif leaf.kind == "sign":
        r = prover.prove_sign(leaf.expr, leaf.domain, relation=leaf.relation)
    else:
        r = prover.prove_psd(leaf.matrix, leaf.domain)
    assert r.verdict == leaf.expected, (r.verdict, r.certificate)
    assert r.certificate  # a proof carries its certificate, never a bare verdict


def test_a_wrong_variant_is_not_proved():
    # the prover is not a rubber stamp for these expressions: drop the rollback and the mean fails
    prover = pytest.importorskip("pyramid_sym.prover")
    from pyramid_sym.conventions import code_domain, gamma_c, sigma_end
    from pyramid_sym.formulas.code import alpha_of

    r = prover.prove_identity(alpha_of(sigma_end, gamma_c) * (1 - sigma_end), 1 - sigma_end, code_domain())
    assert r.verdict == "refuted"
