"""The structured result of a proof attempt: never a bare boolean."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["ProofResult", "Unsupported"]


class Unsupported(Exception):
    """The symbolic method does not apply (nested radical, undecided sign, ...): the verdict can only be unknown."""


@dataclass
class ProofResult:
    """What a proof attempt established.

    ``verdict``: ``proved`` (a symbolic certificate *and* numeric agreement at every
    witness point), ``refuted`` (a point of the domain where the claim fails,
    confirmed at two working precisions) or ``unknown``.
    """

    verdict: str
    method: str
    statement: str = ""
    domain: dict[str, str] = field(default_factory=dict)
    certificate: list[str] = field(default_factory=list)
    side_conditions: list[str] = field(default_factory=list)
    witnesses: dict[str, Any] = field(default_factory=dict)
    counterexample: dict[str, Any] | None = None
    note: str = ""
    seconds: float = 0.0

    @property
    def proved(self) -> bool:
        return self.verdict == "proved"

    @property
    def refuted(self) -> bool:
        return self.verdict == "refuted"

    def to_json(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict,
            "method": self.method,
            "statement": self.statement,
            "domain": self.domain,
            "certificate": list(self.certificate),
            "side_conditions": list(self.side_conditions),
            "witnesses": self.witnesses,
            "counterexample": self.counterexample,
            "note": self.note,
            "seconds": round(self.seconds, 4),
        }

    def explain(self) -> str:
        """A human-readable multi-line account of the result."""
        lines = [f"verdict: {self.verdict}   method: {self.method}"]
        if self.statement:
            lines.insert(0, f"claim: {self.statement}")
        if self.domain:
            lines.append("domain: " + ", ".join(f"{k} in {v}" for k, v in self.domain.items()))
        if self.certificate:
            lines.append("certificate:")
            lines.extend(f"  - {c}" for c in self.certificate)
        if self.side_conditions:
            lines.append("side conditions:")
            lines.extend(f"  - {c}" for c in self.side_conditions)
        if self.witnesses:
            w = self.witnesses
            extra = [f"{k.replace('_', ' ')} {w[k]}" for k in ("max_rel_diff", "min_abs_value", "min_eigenvalue")
                     if w.get(k) is not None]
            lines.append(f"witnesses: {w.get('points', 0)} points at {w.get('dps', '?')} digits"
                         + (", " + ", ".join(extra) if extra else ""))
        if self.counterexample:
            ce = self.counterexample
            pt = ", ".join(f"{k} = {v}" for k, v in ce.get("point", {}).items())
            lines.append(f"counterexample at {pt}:" if pt else "counterexample (no free variables):")
            for key in ("lhs", "rhs", "value", "difference", "min_eigenvalue"):
                if key in ce:
                    lines.append(f"  {key} = {ce[key]}")
        if self.note:
            lines.append(f"note: {self.note}")
        return "\n".join(lines)
