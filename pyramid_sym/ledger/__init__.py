"""The claim ledger: every claim about the paper, the code and the article, with its expected verdict.

Claims come from the modules ``claims_<topic>.py`` of this package (found by
name, ordered by their ``ORDER``); each defines ``claims() -> list[Claim]``.
:func:`run_ledger` decides them all with :mod:`pyramid_sym.prover`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from ..errors import UsageError
from ..plugins import discover
from ._claim import Claim, Relabelling

__all__ = ["Claim", "Relabelling", "ClaimResult", "all_claims", "get_claim", "run_claim", "run_ledger",
           "ClaimNotFound"]


class ClaimNotFound(UsageError):
    """An unknown claim id."""


def _providers():
    return discover(__name__, __path__, "claims_")


def all_claims() -> list[Claim]:
    """Every ledger claim, in ledger order; ids are unique."""
    out, seen = [], set()
    for mod in _providers():
        for c in mod.claims():
            if c.id in seen:
                raise ValueError(f"claim id {c.id} is defined twice.")
            seen.add(c.id)
            out.append(c)
    return out


def get_claim(claim_id: str) -> Claim:
    """The claim with this id; an unknown or malformed id is a one-sentence usage error."""
    if not isinstance(claim_id, str) or not claim_id.strip():
        raise ClaimNotFound(
            f"{claim_id!r} is not a claim id; give a name such as paper.rollback "
            "('pyramid-sym prove --list' lists them)."
        )
    claims = all_claims()
    for c in claims:
        if c.id == claim_id:
            return c
    close = [c.id for c in claims if claim_id.lower() in c.id.lower()][:5]
    hint = f" (did you mean {', '.join(close)}?)" if close else ""
    raise ClaimNotFound(
        f"there is no claim {claim_id!r}{hint}; 'pyramid-sym prove --list' lists the {len(claims)} claim ids."
    )


@dataclass
class ClaimResult:
    """A claim, its verdict and everything that supports it."""

    claim: Claim
    verdict: str
    method: str
    seconds: float
    certificate: list[str] = field(default_factory=list)
    side_conditions: list[str] = field(default_factory=list)
    witnesses: dict[str, Any] = field(default_factory=dict)
    counterexample: dict[str, Any] | None = None
    note: str = ""
    relabellings: list[dict[str, Any]] = field(default_factory=list)
    parts: list["ClaimResult"] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.verdict == self.claim.expected

    @property
    def holds_under(self) -> list[str]:
        return [r["relabelling"] for r in self.relabellings if r["verdict"] == "proved"]

    def to_json(self) -> dict[str, Any]:
        d = {
            "id": self.claim.id,
            "source": self.claim.source,
            "statement": self.claim.statement,
            "verdict": self.verdict,
            "expected": self.claim.expected,
            "ok": self.ok,
            "method": self.method,
            "seconds": round(self.seconds, 4),
            "counterexample": self.counterexample,
            "domain": self.claim.domain.to_json(),
            "certificate": self.certificate,
            "side_conditions": self.side_conditions,
            "witnesses": self.witnesses,
            "note": self.note or self.claim.note,
        }
        if self.relabellings:
            d["relabellings"] = self.relabellings
            d["holds_under"] = self.holds_under
        if self.parts:
            d["parts"] = [p.to_json() for p in self.parts]
        return d


def _second() -> str:
    """The ledger's second procedure: arb witnesses; also z3 when PYRAMID_SYM_Z3=1 (slower: several seconds)."""
    import os

    return "auto" if os.environ.get("PYRAMID_SYM_Z3") == "1" else "arb"


def _prove(claim: Claim):
    from .. import prover

    if claim.kind == "identity":
        return prover.prove_identity(claim.lhs, claim.rhs, claim.domain, statement=claim.statement,
                                     second=_second())
    if claim.kind == "sign":
        return prover.prove_sign(claim.expr, claim.domain, claim.relation, statement=claim.statement)
    if claim.kind == "psd":
        return prover.prove_psd(claim.matrix, claim.domain, statement=claim.statement)
    raise ValueError(f"claim {claim.id}: kind {claim.kind} is not decided by a single proof")


def run_claim(claim: Claim, _memo: dict | None = None) -> ClaimResult:
    """Decide one claim (and its parts / re-readings) with the prover.

    ``_memo`` shares results between claims of one run: a part that is also a
    claim of its own (the code claims inside A6 and A12) is decided once.
    """
    memo = {} if _memo is None else _memo
    if claim.id in memo:
        return memo[claim.id]
    t0 = time.perf_counter()
    if claim.kind == "all":
        parts = [run_claim(p, memo) for p in claim.parts]
        verdicts = [p.verdict for p in parts]
        verdict = ("proved" if all(v == "proved" for v in verdicts)
                   else "refuted" if any(v == "refuted" for v in verdicts) else "unknown")
        cert = [f"{p.claim.id}: {p.verdict} ({p.method})" for p in parts]
        res = ClaimResult(claim, verdict, f"conjunction of {len(parts)} claims", time.perf_counter() - t0,
                          certificate=cert, note=claim.note, parts=parts)
        memo[claim.id] = res
        return res
    r = _prove(claim).to_json()  # plain data: picklable for the worker processes
    res = ClaimResult(claim, r["verdict"], r["method"], 0.0, certificate=r["certificate"],
                      side_conditions=r["side_conditions"], witnesses=r["witnesses"],
                      counterexample=r["counterexample"], note=r["note"] or claim.note)
    if claim.relabellings and r["verdict"] != "proved":
        for rel in claim.relabellings:
            rr = _prove(rel.claim).to_json()
            res.relabellings.append({"relabelling": rel.name, "verdict": rr["verdict"], "method": rr["method"],
                                     "counterexample": rr["counterexample"]})
    res.seconds = time.perf_counter() - t0
    memo[claim.id] = res
    return res


# ----------------------------------------------------------------------------- parallel run
_JOB: list[Claim] = []


def _detach(res: ClaimResult) -> ClaimResult:
    """A copy without the claim objects (SymPy trees are slow to pickle); the parent re-attaches them."""
    return ClaimResult(res.claim.id, res.verdict, res.method, res.seconds, res.certificate, res.side_conditions,
                       res.witnesses, res.counterexample, res.note, res.relabellings,
                       [_detach(p) for p in res.parts])


def _attach(res: ClaimResult, by_id: dict[str, Claim]) -> ClaimResult:
    res.claim = by_id[res.claim]
    for p in res.parts:
        _attach(p, by_id)
    return res


def _worker(index: int) -> tuple[int, ClaimResult]:
    return index, _detach(run_claim(_JOB[index]))


def _index_claims(claims, by_id=None) -> dict[str, Claim]:
    by_id = {} if by_id is None else by_id
    for c in claims:
        by_id[c.id] = c
        _index_claims(c.parts, by_id)
    return by_id


def _workers(n_claims: int) -> int:
    import os

    env = os.environ.get("PYRAMID_SYM_JOBS")
    if env:
        try:
            return max(1, int(env))
        except ValueError:
            raise UsageError(f"PYRAMID_SYM_JOBS={env!r} is not a whole number; set it to 1, 2, ... or unset it.")
    # one process by default: the claims share the prover context's caches (witness points, certified
    # conditions, polynomial signs), which forked workers would each rebuild; measured side by side on
    # 2 cores, one process used less CPU (2.5 s against 3.0 s) and no more wall time
    return 1


def run_ledger(claim_ids: list[str] | None = None, *, jobs: int | None = None) -> list[ClaimResult]:
    """Decide every claim (or the named ones), in ledger order.

    With more than one job (``jobs=`` or ``PYRAMID_SYM_JOBS``; the default is one process,
    which shares the prover's caches between claims) the claims are decided in forked
    worker processes; results are identical to a serial run.
    """
    global _JOB
    claims = all_claims()
    if claim_ids:
        by_id = {c.id: c for c in claims}
        claims = [by_id[cid] if isinstance(cid, str) and cid in by_id else get_claim(cid) for cid in claim_ids]
    jobs = _workers(len(claims)) if jobs is None else jobs
    import multiprocessing as mp

    if jobs <= 1 or "fork" not in mp.get_all_start_methods():
        memo: dict = {}
        return [run_claim(c, memo) for c in claims]
    _JOB = claims
    by_id = _index_claims(claims)
    out: list[ClaimResult | None] = [None] * len(claims)
    # the costliest claims first, so that the two workers finish together
    order = sorted(range(len(claims)), key=lambda i: claims[i].kind != "all")
    with mp.get_context("fork").Pool(jobs) as pool:
        for i, res in pool.imap_unordered(_worker, order, chunksize=1):
            out[i] = _attach(res, by_id)
    _JOB = []
    return out  # type: ignore[return-value]
