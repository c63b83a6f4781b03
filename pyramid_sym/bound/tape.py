"""Evaluate SymPy expressions in interval arithmetic through a straight-line program.

The expressions are turned once into a list of instructions (common subexpressions
shared through :func:`sympy.cse`) and interpreted on :class:`.interval.Iv` intervals
(ends rounded outward by arb): the result contains the exact value for every point of
the input intervals.  Nothing is compiled or evaluated as text.
"""

from __future__ import annotations

from fractions import Fraction

import sympy

from .interval import _INF, Iv

__all__ = ["Tape"]


def _magnitude(x: Iv):
    """A sort key: the largest |end| of the interval (infinite for an unbounded one)."""
    if not x.is_finite():
        return _INF
    a, b = -x.lo, x.hi
    return a if a > b else b


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
        self._compile()

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

    def _compile(self):
        """The program as indices into one register file: the inputs, then the constants, then the results."""
        def operands(ins):  # ("add" | "mul", [refs]) or ("pow", ref, p, q)
            return [ins[1]] if ins[0] == "pow" else ins[1]

        refs = [r for ins in self.code for r in operands(ins)] + self.outputs
        consts = list({id(x): x for kind, x in refs if kind == "c"}.values())
        where = {id(x): len(self.inputs) + k for k, x in enumerate(consts)}
        base = len(self.inputs) + len(consts)

        def reg(ref):
            kind, x = ref
            return x if kind == "in" else where[id(x)] if kind == "c" else base + x

        self._consts = consts
        self._prog = [(ins[0], [reg(a) for a in operands(ins)]) + tuple(ins[2:]) for ins in self.code]
        self._outs = [reg(r) for r in self.outputs]

    def run(self, values) -> list[Iv]:
        regs: list[Iv] = list(values)
        regs += self._consts
        append = regs.append
        for instr in self._prog:
            op, args = instr[0], instr[1]
            if op == "add":
                if len(args) == 2:
                    append(regs[args[0]] + regs[args[1]])
                    continue
                terms = [regs[a] for a in args]
                if len(terms) > 2:
                    # the largest terms first: those that cancel (1 - e + e q at e = 1) meet before a small
                    # term is added to either, which the ends' finite precision would lose
                    terms.sort(key=_magnitude, reverse=True)
                acc = terms[0]
                for t in terms[1:]:
                    acc = acc + t
            elif op == "mul":
                if len(args) == 2:
                    append(regs[args[0]] * regs[args[1]])
                    continue
                acc = regs[args[0]]
                for a in args[1:]:
                    acc = acc * regs[a]
            else:
                _, _, p, q = instr
                x = regs[args[0]]
                if q == 2:
                    x = x.sqrt()
                if p < 0:
                    x = 1 / x
                    p = -p
                acc = x if p == 1 else x ** p
            append(acc)
        return [regs[k] for k in self._outs]
