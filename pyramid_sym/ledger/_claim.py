"""Claims: what the ledger decides, each with its source and expected verdict."""

from __future__ import annotations

from dataclasses import dataclass, field

import sympy

from ..domain import Domain

__all__ = ["Claim", "Relabelling", "VERDICTS"]

VERDICTS = ("proved", "refuted", "unknown")
KINDS = ("identity", "sign", "psd", "all")


@dataclass(frozen=True)
class Relabelling:
    """A re-reading of a claim (swap e and s, flip the sign of gamma, invert a ratio) under which it may hold."""

    name: str
    claim: "Claim"


@dataclass(frozen=True)
class Claim:
    """One ledger entry.

    ``kind`` is ``identity`` (``lhs = rhs``, scalars or matrices, elementwise),
    ``sign`` (``expr <relation> 0`` with ``relation`` one of ``>``, ``>=``, ``<``,
    ``<=``, ``!=``), ``psd`` (the symmetric ``matrix`` is positive semidefinite) or
    ``all`` (every claim of ``parts`` has its own expected verdict).  ``expected`` is
    the verdict the ledger must reach; ``relabellings`` are tried when the literal
    claim is refuted, and the ledger reports those that are proved.
    """

    id: str
    source: str
    statement: str
    kind: str
    domain: Domain = field(default_factory=Domain)
    expected: str = "proved"
    lhs: sympy.Basic | None = None
    rhs: sympy.Basic | None = None
    expr: sympy.Basic | None = None
    relation: str = ">"
    matrix: sympy.Basic | None = None
    parts: tuple["Claim", ...] = ()
    relabellings: tuple[Relabelling, ...] = ()
    note: str = ""

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"claim {self.id}: kind must be one of {KINDS}, got {self.kind!r}.")
        if self.expected not in VERDICTS:
            raise ValueError(f"claim {self.id}: expected verdict must be one of {VERDICTS}.")
        if self.kind == "identity" and (self.lhs is None or self.rhs is None):
            raise ValueError(f"claim {self.id}: an identity needs lhs and rhs.")
        if self.kind == "sign" and (self.expr is None or self.relation not in (">", ">=", "<", "<=", "!=")):
            raise ValueError(f"claim {self.id}: a sign claim needs expr and a relation among > >= < <= !=.")
        if self.kind == "psd" and self.matrix is None:
            raise ValueError(f"claim {self.id}: a psd claim needs a matrix.")
        if self.kind == "all" and not self.parts:
            raise ValueError(f"claim {self.id}: an 'all' claim needs parts.")
