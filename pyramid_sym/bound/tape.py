"""Evaluate SymPy expressions in interval arithmetic through a straight-line program.

The expressions are turned once into a list of instructions (common subexpressions
shared through :func:`sympy.cse`) and interpreted on :class:`.interval.Iv` intervals
(ends rounded outward by arb): the result contains the exact value for every point of
the input intervals.  Nothing is compiled or evaluated as text.  A run may name its input intervals: the results
of the instructions that read one input alone are then kept under that input's name and read back by the next run
that names the same interval (a branch and bound evaluates many boxes that share one argument's range).
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
            # a chain of two-operand products, left to right (the same products as one n-ary step): a leading run
            # of factors that read one argument gives a partial product that reads it alone, kept by run()
            args = [self._emit(a) for a in e.args]
            out = args[0]
            for a in args[1:]:
                out = self._push(("mul", [out, a]))
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
        self._base = base
        # the inputs each instruction reads, through the instructions before it: an instruction that reads no input
        # or one only is a function of that input's interval alone, and run() keeps its result (see run)
        reads = [frozenset([k]) for k in range(len(self.inputs))] + [frozenset()] * len(consts)
        for ins in self._prog:
            reads.append(frozenset().union(*[reads[a] for a in ins[1]]))
        reads = reads[base:]
        self._groups: dict = {}   # None (no input) or an input's index: the instructions reading that alone, in order
        for j, r in enumerate(reads):
            if len(r) <= 1:
                self._groups.setdefault(next(iter(r)) if r else None, []).append(j)
        self._kept: dict = {}
        # each instruction as (kind, destination register, operand, operand, instruction): kind 0 a sum of two
        # operands, 1 a product (always of two), 2 a longer sum or a power (see _step)
        self._code = []
        for j, ins in enumerate(self._prog):
            kind = 1 if ins[0] == "mul" else 0 if ins[0] == "add" and len(ins[1]) == 2 else 2
            a, b = (ins[1][0], ins[1][1]) if kind < 2 else (None, None)
            self._code.append((kind, base + j, a, b, ins))
        self._group_code = {k: [self._code[j] for j in js] for k, js in self._groups.items()}
        self._todo: dict = {}   # per set of keyed inputs: the instructions a keyed run computes afresh

    def forget(self) -> None:
        """Drop the results kept by keyed runs."""
        self._kept.clear()

    @staticmethod
    def _step(instr, regs):
        """A sum of three or more terms, or a power, on the register file: its result (sums and products of two
        operands run inline in _exec; every product is one of two, see _emit)."""
        op, args = instr[0], instr[1]
        if op == "add":
            terms = [regs[a] for a in args]
            # the largest terms first: those that cancel (1 - e + e q at e = 1) meet before a small
            # term is added to either, which the ends' finite precision would lose
            terms.sort(key=_magnitude, reverse=True)
            acc = terms[0]
            for t in terms[1:]:
                acc = acc + t
            return acc
        _, _, p, q = instr
        x = regs[args[0]]
        if q == 2:
            x = x.sqrt()
        if p < 0:
            x = x.inv()
            p = -p
        return x if p == 1 else x ** p

    @classmethod
    def _exec(cls, code, regs) -> None:
        step = cls._step
        for kind, dest, a, b, instr in code:
            if kind == 0:
                regs[dest] = regs[a] + regs[b]
            elif kind == 1:
                regs[dest] = regs[a] * regs[b]
            else:
                regs[dest] = step(instr, regs)

    def run(self, values, keys=None) -> list[Iv]:
        """The outputs on the input intervals ``values``.

        ``keys``: where given, ``keys[k]`` names the interval ``values[k]`` (equal keys, equal intervals; None: no
        name), and the results of the instructions that read input k alone are kept under that name and read back
        on the next run with it: a branch and bound evaluates many boxes that share one argument's range.  The
        results are those of a run without keys, the same interval operations on the same operands."""
        regs: list = list(values) + self._consts + [None] * len(self._prog)
        if keys is None:
            self._exec(self._code, regs)
            return [regs[k] for k in self._outs]
        base, kept = self._base, self._kept
        keyed = tuple(k for k, name in enumerate(keys) if name is not None)
        todo = self._todo.get(keyed)
        if todo is None:
            covered = {j for k in (None,) + keyed for j in self._groups.get(k, ())}
            todo = self._todo[keyed] = [c for j, c in enumerate(self._code) if j not in covered]
        for k in (None,) + keyed:
            group = self._groups.get(k)
            if group is None:
                continue
            name = (k, keys[k]) if k is not None else None
            got = kept.get(name)
            if got is None:
                self._exec(self._group_code[k], regs)
                if len(kept) >= 4096:
                    kept.clear()
                kept[name] = [regs[base + j] for j in group]
            else:
                for j, v in zip(group, got):
                    regs[base + j] = v
        self._exec(todo, regs)
        return [regs[k] for k in self._outs]
