"""The derivation's ledger claims reach their expected verdicts, and the documents cite only claims that exist."""

from __future__ import annotations

import pytest

from pyramid_sym.derivation import DOCUMENTS, derive
from pyramid_sym.ledger import all_claims, claims_derivation, run_claim

CLAIMS = claims_derivation.claims()


def test_order_and_ids():
    ids = [c.id for c in CLAIMS]
    assert len(ids) == len(set(ids)) and all(i.startswith("derive.") for i in ids)
    assert any(c.expected == "refuted" for c in CLAIMS)  # the ledger must also be able to say no


@pytest.mark.parametrize("claim", CLAIMS, ids=[c.id for c in CLAIMS])
def test_claim_reaches_its_expected_verdict(claim):
    r = run_claim(claim)
    assert r.verdict == claim.expected, (r.verdict, r.method, r.note, r.counterexample)
    if claim.expected == "refuted":
        assert r.counterexample


def test_documents_cite_existing_claims():
    known = {c.id for c in all_claims()}
    for topic, block in DOCUMENTS:
        for step in derive(topic, block).steps:
            for cid in step.claims:
                assert cid in known, f"{topic} {block}: step '{step.title}' cites unknown claim {cid}"
