"""The ledger claims of the rewrites, the emitted kernels and the sampler are all proved."""

from __future__ import annotations

import pytest

from pyramid_sym.ledger import run_claim
from pyramid_sym.ledger.claims_rewriting import claims
from pyramid_sym.kernels.registry import KERNELS
from pyramid_sym.rewriting import RULES


def test_claim_ids_cover_rules_kernels_and_sampler():
    ids = {c.id for c in claims()}
    assert {r.claim_id for r in RULES} <= ids
    assert {k.claim_id for k in KERNELS} <= ids
    assert {f"sampler.covariance.n{n}" for n in (2, 4, 8)} <= ids
    assert {f"sampler.bound.n{n}" for n in (2, 4, 8)} <= ids


@pytest.mark.parametrize("claim", claims(), ids=lambda c: c.id)
def test_claim_has_expected_verdict(claim):
    res = run_claim(claim)
    assert res.verdict == claim.expected == "proved", (claim.id, res.verdict, res.method)
