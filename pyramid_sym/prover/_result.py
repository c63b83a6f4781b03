"""The structured result of a proof attempt: never a bare boolean.

A :class:`ProofResult` is immutable and is built only through the three
constructors that check their evidence:

* :func:`proved` needs a non-empty certificate (the symbolic argument, including
  the definedness of both sides on the whole domain) and the record of the
  independent re-decision (witnesses);
* :func:`refuted` needs an exact point of the domain and either a rigorous
  enclosure of the failing quantity there that excludes the claimed relation, or a
  certified reason why a side is undefined there;
* :func:`unknown` needs a reason.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any, Mapping

__all__ = ["ProofResult", "Verdict", "Unsupported", "proved", "refuted", "unknown"]


class Unsupported(Exception):
    """The symbolic method does not apply (nested radical, undecided sign, ...): the verdict can only be unknown."""


class Verdict(str, enum.Enum):
    """The three verdicts; equal to their text (``Verdict.PROVED == "proved"``)."""

    PROVED = "proved"
    REFUTED = "refuted"
    UNKNOWN = "unknown"

    def __str__(self) -> str:
        return self.value

    def __format__(self, spec: str) -> str:
        return format(self.value, spec)


def _freeze(x):
    if isinstance(x, dict):
        return MappingProxyType({k: _freeze(v) for k, v in x.items()})
    if isinstance(x, list):
        return tuple(_freeze(v) for v in x)
    return x


def _thaw(x):
    if isinstance(x, (MappingProxyType, dict)):
        return {k: _thaw(v) for k, v in x.items()}
    if isinstance(x, tuple):
        return [_thaw(v) for v in x]
    return x


_TOKEN = object()


@dataclass(frozen=True)
class ProofResult:
    """What a proof attempt established (immutable; build it with :func:`proved`, :func:`refuted`, :func:`unknown`).

    ``verdict``: :class:`Verdict` (compares equal to ``"proved"``, ``"refuted"``, ``"unknown"``).
    ``certificate``: the symbolic argument of a ``proved`` (tuple of lines).
    ``side_conditions``: what was shown on the whole domain for the argument to hold.
    ``witnesses``: the independent re-decision of a ``proved`` (procedures, points, precision).
    ``counterexample``: for ``refuted``, the exact point and the enclosure or undefinedness found there.
    """

    verdict: Verdict
    method: str
    statement: str = ""
    domain: Mapping[str, str] = field(default_factory=dict)
    certificate: tuple = ()
    side_conditions: tuple = ()
    witnesses: Mapping[str, Any] = field(default_factory=dict)
    counterexample: Mapping[str, Any] | None = None
    note: str = ""
    seconds: float = 0.0
    _token: object = field(default=None, repr=False, compare=False)

    def __post_init__(self):
        if self._token is not _TOKEN:
            raise TypeError("build a ProofResult with prover.proved(), prover.refuted() or prover.unknown()")
        v = Verdict(self.verdict)
        object.__setattr__(self, "verdict", v)
        object.__setattr__(self, "certificate", tuple(self.certificate))
        object.__setattr__(self, "side_conditions", tuple(self.side_conditions))
        object.__setattr__(self, "domain", _freeze(dict(self.domain)))
        object.__setattr__(self, "witnesses", _freeze(dict(self.witnesses)))
        if self.counterexample is not None:
            object.__setattr__(self, "counterexample", _freeze(dict(self.counterexample)))

    @property
    def proved(self) -> bool:
        return self.verdict is Verdict.PROVED

    @property
    def refuted(self) -> bool:
        return self.verdict is Verdict.REFUTED

    def with_(self, **changes) -> "ProofResult":
        """A copy with ``statement``, ``domain``, ``seconds`` or ``note`` replaced (never the verdict or evidence)."""
        allowed = {"statement", "domain", "seconds", "note"}
        if set(changes) - allowed:
            raise TypeError(f"only {sorted(allowed)} may be replaced on a ProofResult")
        return replace(self, **changes, _token=_TOKEN)

    def to_json(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict.value,
            "method": self.method,
            "statement": self.statement,
            "domain": _thaw(self.domain),
            "certificate": list(self.certificate),
            "side_conditions": list(self.side_conditions),
            "witnesses": _thaw(self.witnesses),
            "counterexample": _thaw(self.counterexample) if self.counterexample is not None else None,
            "note": self.note,
            "seconds": round(self.seconds, 4),
        }

    def explain(self) -> str:
        """A human-readable multi-line account of the result."""
        lines = [f"verdict: {self.verdict.value}   method: {self.method}"]
        if self.statement:
            lines.insert(0, f"claim: {self.statement}")
        if self.domain:
            lines.append("domain: " + ", ".join(f"{k} in {v}" for k, v in self.domain.items()))
        if self.certificate:
            lines.append("certificate:")
            lines.extend(f"  - {c}" for c in self.certificate)
        if self.side_conditions:
            lines.append("side conditions (shown on the whole domain):")
            lines.extend(f"  - {c}" for c in self.side_conditions)
        if self.witnesses:
            w = self.witnesses
            extra = [f"{k.replace('_', ' ')} {w[k]}" for k in ("max_rel_diff", "min_abs_value", "min_eigenvalue")
                     if w.get(k) is not None]
            lines.append(f"witnesses: {w.get('points', 0)} points, {w.get('dps', '?')}"
                         + (", " + ", ".join(extra) if extra else ""))
            for proc in w.get("independent", ()):
                lines.append(f"  re-decided by: {proc}")
        if self.counterexample:
            ce = self.counterexample
            pt = ", ".join(f"{k} = {v}" for k, v in ce.get("point", {}).items())
            lines.append(f"counterexample at {pt}:" if pt else "counterexample (no free variables):")
            for key in ("lhs_enclosure", "rhs_enclosure", "value", "enclosure", "min_eigenvalue", "vector",
                        "undefined", "reason"):
                if key in ce and ce[key] is not None:
                    lines.append(f"  {key} = {ce[key]}" if key not in ("undefined", "reason")
                                 else f"  {key}: {ce[key]}")
        if self.note:
            lines.append(f"note: {self.note}")
        return "\n".join(lines)


def proved(method: str, certificate, witnesses: Mapping[str, Any], *, side_conditions=(), statement: str = "",
           domain=None, seconds: float = 0.0, note: str = "") -> ProofResult:
    """A ``proved`` result: a non-empty certificate and the record of an independent re-decision."""
    certificate = tuple(certificate)
    if not certificate or not all(isinstance(c, str) and c for c in certificate):
        raise ValueError("a proved result needs a non-empty certificate")
    if not isinstance(witnesses, Mapping) or not witnesses.get("independent"):
        raise ValueError("a proved result needs the independent re-decision that confirmed it")
    return ProofResult(Verdict.PROVED, method, statement, domain or {}, certificate, tuple(side_conditions),
                       witnesses, None, note, seconds, _token=_TOKEN)


def refuted(method: str, point: Mapping[str, str], evidence: Mapping[str, Any], *, statement: str = "",
            domain=None, seconds: float = 0.0, note: str = "", witnesses=None) -> ProofResult:
    """A ``refuted`` result: an exact point and either an ``enclosure`` excluding the claim or an ``undefined`` reason."""
    if not isinstance(point, Mapping):
        raise ValueError("a refutation needs an exact point (a mapping, empty for a closed statement)")
    if not (evidence.get("enclosure") or evidence.get("undefined")):
        raise ValueError("a refutation needs a rigorous enclosure or a certified undefinedness")
    ce = {"point": dict(point), **evidence}
    return ProofResult(Verdict.REFUTED, method, statement, domain or {}, (), (), witnesses or {}, ce, note,
                       seconds, _token=_TOKEN)


def unknown(reason: str, *, method: str = "no certificate; no counterexample found", statement: str = "",
            domain=None, seconds: float = 0.0, witnesses=None, certificate=()) -> ProofResult:
    """An ``unknown`` result, with the reason neither a proof nor a refutation was reached."""
    if not isinstance(reason, str) or not reason:
        raise ValueError("an unknown result needs a reason")
    return ProofResult(Verdict.UNKNOWN, method, statement, domain or {}, tuple(certificate), (), witnesses or {},
                       None, reason, seconds, _token=_TOKEN)
