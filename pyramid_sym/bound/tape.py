"""Evaluate SymPy expressions in interval arithmetic through a straight-line program.

The expressions are turned once into a list of instructions (common subexpressions
shared through :func:`sympy.cse`) and interpreted on :class:`.interval.Iv` intervals
(ends rounded outward by arb): the result contains the exact value for every point of
the input intervals.  Nothing is compiled or evaluated as text.
"""

from __future__ import annotations

from fractions import Fraction

import sympy

from .interval import Iv

__all__ = ["Tape"]


class Tape:
    """A straight-line program computing ``exprs`` from ``inputs`` (SymPy symbols), on intervals."""

    def __init__(self, inputs, exprs):
        self.inputs = list(inputs)
        self.exprs = list(exprs)
        self.code: list[tuple] = []
        self._slot: dict = {}
        for i, s in enumerate(self.inputs):
            self._slot[s] = ("in", i)
        repl, reduced = sympy.cse(list(exprs), symbols=sympy.numbered_symbols("_t"), order="none")
        for sym, val in repl:
            self._slot[sym] = self._emit(val)
        self.outputs = [self._emit(e) for e in reduced]

    def _push(self, instr) -> tuple:
        self.code.append(instr)
        return ("r", len(self.code) - 1)

    def _emit(self, e) -> tuple:
        if e in self._slot:
            return self._slot[e]
        if e.is_Rational:
            out = ("c", Iv.of(Fraction(int(e.p), int(e.q))))
        elif e.is_Add:
            args = [self._emit(a) for a in e.args]
            out = self._push(("add", args))
        elif e.is_Mul:
            args = [self._emit(a) for a in e.args]
            out = self._push(("mul", args))
        elif e.is_Pow:
            base = self._emit(e.base)
            ex = e.exp
            if not ex.is_Rational or ex.q not in (1, 2):
                raise ValueError(f"power {e} is not modelled")
            out = self._push(("pow", base, int(ex.p), int(ex.q)))
        else:
            raise ValueError(f"cannot evaluate {e!r} ({type(e).__name__}) in ball arithmetic")
        self._slot[e] = out
        return out

    def run(self, values) -> list[Iv]:
        regs: list[Iv] = []
        vals = list(values)

        def get(ref):
            kind, x = ref
            if kind == "in":
                return vals[x]
            if kind == "r":
                return regs[x]
            return x

        for instr in self.code:
            op = instr[0]
            if op == "add":
                acc = get(instr[1][0])
                for a in instr[1][1:]:
                    acc = acc + get(a)
            elif op == "mul":
                acc = get(instr[1][0])
                for a in instr[1][1:]:
                    acc = acc * get(a)
            else:
                _, b, p, q = instr
                x = get(b)
                if q == 2:
                    x = x.sqrt()
                if p < 0:
                    x = 1 / x
                    p = -p
                acc = x if p == 1 else x ** p
            regs.append(acc)
        return [get(r) for r in self.outputs]
