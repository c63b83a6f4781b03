"""A second, independent decision procedure for the algebraic fragment: z3's nonlinear real arithmetic.

The fragment: rational functions of the domain's variables and square roots of such
functions (radicands certified >= 0 by the first procedure).  Each ``sqrt(q)`` becomes
a fresh real ``y`` with ``y*y = q`` and ``y >= 0``; every divisor gets ``d != 0``; the
domain's intervals are constraints.  z3 is asked for a point of the domain where
``lhs != rhs``: ``unsat`` re-decides the identity (it holds), ``sat`` contradicts the
first procedure (the caller then answers ``unknown`` and shows both), ``unknown`` or a
time-out decides nothing.  z3 is optional (``pip install -e ".[z3]"`` from a clone); without it
:func:`redecide` is not called.
"""

from __future__ import annotations

import sympy
import z3

__all__ = ["redecide", "TIMEOUT_MS"]

TIMEOUT_MS = 1000
_MAX_NODES = 400


class _Outside(Exception):
    pass


class _Encoder:
    def __init__(self, free):
        self.vars = {s: z3.Real(f"v{i}") for i, s in enumerate(free.symbols)}
        self.side: list = []
        self.roots: dict = {}

    def __call__(self, e):
        if e.is_Rational:
            return z3.RealVal(f"{e.p}/{e.q}")
        if e.is_Symbol:
            if e not in self.vars:
                raise _Outside(str(e))
            return self.vars[e]
        if e.is_Add:
            out = self(e.args[0])
            for a in e.args[1:]:
                out = out + self(a)
            return out
        if e.is_Mul:
            out = self(e.args[0])
            for a in e.args[1:]:
                out = out * self(a)
            return out
        if e.is_Pow and e.exp.is_Rational:
            p, q = int(e.exp.p), int(e.exp.q)
            if q == 1:
                b = self(e.base)
                if p >= 0:
                    return b ** p if p > 1 else (b if p == 1 else z3.RealVal(1))
                self.side.append(b != 0)
                return 1 / (b ** (-p) if p < -1 else b)
            if q == 2:
                key = e.base
                if key not in self.roots:
                    y = z3.Real(f"y{len(self.roots)}")
                    b = self(e.base)
                    self.side += [y >= 0, y * y == b]
                    self.roots[key] = y
                y = self.roots[key]
                if p >= 0:
                    return y ** p if p > 1 else y
                self.side.append(y != 0)
                return 1 / (y ** (-p) if p < -1 else y)
        raise _Outside(type(e).__name__)


def redecide(pairs, free):
    """("agree", text), ("disagree", text) or None (outside the fragment, or z3 undecided in time)."""
    for l, r in pairs:
        for e in (l, r):
            if e.has(sympy.Function) or sympy.count_ops(e) > _MAX_NODES or e.has(sympy.I):
                return None
    enc = _Encoder(free)
    try:
        diffs = [enc(l) != enc(r) for l, r in pairs]
    except _Outside:
        return None
    s = z3.Solver()
    s.set("timeout", TIMEOUT_MS)
    for sym, iv in free:
        v = enc.vars[sym]
        if not iv.lo.is_infinite:
            lo = z3.RealVal(f"{iv.lo.p}/{iv.lo.q}")
            s.add(v > lo if iv.lo_open else v >= lo)
        if not iv.hi.is_infinite:
            hi = z3.RealVal(f"{iv.hi.p}/{iv.hi.q}")
            s.add(v < hi if iv.hi_open else v <= hi)
    s.add(*enc.side)
    s.add(z3.Or(*diffs) if len(diffs) > 1 else diffs[0])
    res = s.check()
    if res == z3.unsat:
        return "agree", (f"z3 {z3.get_version_string()} nonlinear real arithmetic: no point of the domain where "
                         f"lhs != rhs (unsat; each sqrt(q) encoded as y >= 0, y^2 = q)")
    if res == z3.sat:
        m = s.model()
        pt = ", ".join(f"{sym} = {m.eval(v, model_completion=True)}" for sym, v in enc.vars.items())
        return "disagree", f"z3 finds lhs != rhs at {pt} (sat)"
    return None
