"""Identification: which named formula a line computes, under which map of its names, proved or refuted.

For an extracted expression with free symbols ``a, b`` and a formula ``F(x, g)``
(a level ``x`` and a gamma ``g``), a *map* sends each file symbol to one
variable, either in the formula's own convention or in the other one through the
converters (a level ``x = 1 - a``: sigma = 1 - t; a gamma ``g = -b``: gamma_c =
-gamma).  Each map gives the file symbols a role (``sigma_end``, ``s_k``,
``e_next``, ``gamma``, ``gamma_c``) and a domain.  A map is *admissible* when it
agrees with ``--bind`` and with what the file says about a gamma (a literal
default such as ``gamma: float = 1/3`` feeding the symbol).

Every map of every recognisable formula is screened numerically (complex128, 7
points of the domain); the screen only chooses what to prove: the verdict is the
prover's (``proved`` with its certificate, ``refuted`` with an exact point in the
domain, else ``unknown``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import sympy

from . import _adapter as A

__all__ = ["Binding", "Finding", "Context", "gamma_like", "Map"]

_GAMMA_TOKENS = {"gamma", "g", "γ", "gc", "gam", "gammas"}
_SCREEN_U = (0.137, 0.291, 0.517, 0.733, 0.911, 0.053, 0.971)
_RTOL = 1e-8


def gamma_like(name: str) -> bool:
    """A gamma by its name: gamma, g, γ, gamma_c, scheduler_gamma, self.config.gamma, ..."""
    last = re.split(r"[.\[]", name.split("(")[0])
    tokens = set()
    for part in last:
        tokens.update(t.lower() for t in re.split(r"[^0-9A-Za-zγ]+", part) if t)
    return bool(tokens & _GAMMA_TOKENS) or any(t.startswith("gamma") for t in tokens)


@dataclass(frozen=True)
class Binding:
    """A user's ``--bind NAME=ROLE``."""

    name: str
    role: str


@dataclass
class Finding:
    """One line's verdict: the JSON record of the audit."""

    file: str
    line: int | None
    function: str | None
    target: str
    source: str | None
    expression: str | None
    bindings: dict[str, str]
    convention: str | None
    formula: str | None
    verdict: str                 # proved | refuted | unknown | missing
    certificate: list[str]
    counterexample: dict | None
    max_ulp: dict[str, float | None]
    kind: str                    # identified | convention | unidentified | expectation | missing
    note: str = ""
    stable_kernel: str | None = None
    col: int = 1
    record: object = field(default=None, repr=False)
    candidate: object = field(default=None, repr=False)
    map: object = field(default=None, repr=False)

    def to_json(self) -> dict:
        return {
            "file": self.file, "line": self.line, "function": self.function, "target": self.target,
            "source": self.source, "expression": self.expression, "bindings": dict(self.bindings),
            "convention": self.convention, "formula": self.formula, "verdict": self.verdict,
            "certificate": list(self.certificate), "counterexample": self.counterexample,
            "max_ulp": dict(self.max_ulp), "kind": self.kind, "note": self.note,
            "stable_kernel": self.stable_kernel,
        }


@dataclass(frozen=True)
class Map:
    """File symbols (in order) -> formula variable index and whether the converter is applied."""

    symbols: tuple[str, ...]
    slots: tuple[tuple[int, bool], ...]   # per file symbol: (index into candidate.vars, flipped)

    def roles(self, cand) -> dict[str, str]:
        return {s: cand.vars[i].role(f) for s, (i, f) in zip(self.symbols, self.slots)}

    def intervals(self, cand):
        key = (cand.id, self.slots)
        hit = _INTERVALS.get(key)
        if hit is None:
            hit = []
            for i, f in self.slots:
                v = cand.vars[i]
                hit.append(A.flip_interval(v.kind, v.interval) if f else v.interval)
            hit = _INTERVALS[key] = tuple(hit)
        return hit

    @property
    def flips(self) -> int:
        return sum(f for _, f in self.slots)

    @property
    def signature(self):
        return self.slots


_X = tuple(sympy.Symbol(f"x{i}", real=True) for i in range(4))
_INTERVALS: dict = {}


class Context:
    """Caches shared by every line of an audit run: substituted formulas, screens, proofs, references."""

    def __init__(self, binds: list[Binding] | None = None):
        self.binds = list(binds or [])
        self._formula_fn: dict = {}
        self._formula_vals: dict = {}
        self._proofs: dict = {}
        self.refs: dict = {}
        self.used_binds: set[str] = set()

    # -- formulas under a map ---------------------------------------------------------------
    def formula_expr(self, cand, m: Map):
        sub = {}
        for pos, (i, f) in enumerate(m.slots):
            v = cand.vars[i]
            sub[v.symbol] = v.value_of(_X[pos], f)
        e = cand.expr.xreplace(sub)
        return sympy.ImmutableMatrix(e) if isinstance(e, sympy.MatrixBase) else e

    def formula_values(self, cand, m: Map, pts: np.ndarray):
        key = (cand.id, m.signature)
        if key not in self._formula_vals:
            expr = self.formula_expr(cand, m)
            syms = _X[: len(m.slots)]
            f = sympy.lambdify(syms, expr, modules="numpy", docstring_limit=0)
            with np.errstate(all="ignore"):
                if cand.shape is None:
                    vals = np.asarray(f(*[pts[:, j].astype(np.complex128) for j in range(pts.shape[1])]),
                                      dtype=np.complex128)
                    vals = np.broadcast_to(vals, (pts.shape[0],))
                else:
                    vals = np.array([np.asarray(f(*[complex(x) for x in row]), dtype=np.complex128) for row in pts])
            self._formula_vals[key] = vals
        return self._formula_vals[key]

    def proof(self, lhs, cand, m: Map):
        key = (sympy.srepr(lhs), cand.id, m.signature)
        if key not in self._proofs:
            rhs = self.formula_expr(cand, m)
            syms = list(_X[: len(m.slots)])
            try:
                res = A.prove(lhs, rhs, syms, m.intervals(cand))
            except Exception as exc:  # noqa: BLE001 - a prover failure is an undecided line, never a crash
                res = _Undecided(f"the prover could not decide this line ({type(exc).__name__}: {str(exc)[:120]})")
            self._proofs[key] = res
        return self._proofs[key]

    # -- bindings -----------------------------------------------------------------------------
    def bound_role(self, sym: str, origin: str | None) -> str | None:
        for b in self.binds:
            if b.name == sym or (origin is not None and b.name == origin):
                self.used_binds.add(b.name)
                return b.role
        return None


class _Undecided:
    verdict = "unknown"
    counterexample = None
    certificate: list = []

    def __init__(self, note: str):
        self.note = note

    def to_json(self):
        return {"verdict": "unknown", "note": self.note}


def screen_points(intervals) -> np.ndarray:
    """7 points inside the box of the intervals (mixed so that pairs vary together)."""
    cols = []
    for j, iv in enumerate(intervals):
        lo, hi = float(iv.lo), float(iv.hi)
        vals = [lo + (hi - lo) * u for u in _SCREEN_U]
        cols.append([vals[(i * (2 * j + 1) + j) % len(vals)] for i in range(len(vals))])
    return np.array(cols, dtype=np.float64).T if cols else np.zeros((1, 0))


def deviation(a: np.ndarray, b: np.ndarray) -> float:
    """Mean relative deviation (non-finite or complex-vs-real points count fully)."""
    a = np.asarray(a, dtype=np.complex128).reshape(len(a), -1)
    b = np.asarray(b, dtype=np.complex128).reshape(len(b), -1)
    with np.errstate(all="ignore"):
        d = np.abs(a - b) / np.maximum(np.maximum(np.abs(a), np.abs(b)), 1e-300)
    d = np.where(np.isfinite(d), np.minimum(d, 1.0), 1.0)
    return float(d.max(axis=1).mean())


def agrees(a: np.ndarray, b: np.ndarray) -> bool:
    a = np.asarray(a, dtype=np.complex128).reshape(len(a), -1)
    b = np.asarray(b, dtype=np.complex128).reshape(len(b), -1)
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
        return False
    with np.errstate(all="ignore"):
        return bool(np.all(np.abs(a - b) <= _RTOL * np.maximum(1.0, np.maximum(np.abs(a), np.abs(b)))))

