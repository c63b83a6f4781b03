"""The one rule of meaning, and the conditions it puts on an expression.

An identity ``lhs = rhs`` holds on a domain iff at every point of the domain both
sides are defined (finite; principal values for powers, roots, logarithms and
inverse functions; complex values are values) and equal.  A side undefined at a
point of the domain makes the identity false there.  A sign or order claim (and
positive semidefiniteness) is violated by a non-real or undefined value.

:func:`conditions` lists what must hold on the whole domain:

* ``defined`` conditions: denominators, logarithm arguments, poles of tan, sec,
  cot, csc, coth, csch, atanh, atan (at +-i) and 0 to a non-positive power;
* ``real`` conditions, a stronger set under which every sub-expression is real and
  the real rewriting rules are valid: radicands >= 0 (> 0 under a negative power),
  logarithm arguments > 0, asin/acos arguments in [-1, 1], acosh arguments >= 1,
  atanh arguments in (-1, 1), bases of symbolic powers > 0.

:func:`certify` proves one condition on the whole domain: exactly for closed
numbers (ball arithmetic), by the algebraic sign certificates of :mod:`._sign`,
or by interval bisection of a bounded box with rigorous arb balls.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import sympy

from ._arb import Indeterminate, Undefined, enclose, enclose_box, is_real_ball
from ._result import Unsupported
from ._sign import explain, sign_of

__all__ = ["Condition", "conditions", "certify", "certify_all"]

NONZERO, POSITIVE, NONNEG = "!= 0", "> 0", ">= 0"
_BISECT_BOXES = 96


@dataclass(frozen=True)
class Condition:
    expr: sympy.Expr
    kind: str     # NONZERO, POSITIVE or NONNEG
    role: str     # why: "denominator of", "argument of", ... (text built only when shown)
    origin: object = None   # the sub-expression that needs it

    @property
    def why(self) -> str:
        return self.role if self.origin is None else f"{self.role} {self.origin}"

    def text(self) -> str:
        # order='none': SymPy's default term ordering evaluates numbers (cosh(cosh(10^20)) overflows)
        return f"{sympy.sstr(self.expr, order='none')} {self.kind} ({self.why})"


def conditions(expr, real: bool) -> list[Condition]:
    """The conditions under which ``expr`` is defined (``real=False``) or real with real rewriting rules valid."""
    out: list[Condition] = []
    seen = set()

    def add(e, kind, role, origin):
        e = sympy.sympify(e)
        if e.is_number and e.is_Rational:
            ok = {NONZERO: e != 0, POSITIVE: e > 0, NONNEG: e >= 0}[kind]
            if ok:
                return
        c = Condition(e, kind, role, origin)
        if c not in seen:
            seen.add(c)
            out.append(c)

    for sub in sympy.preorder_traversal(sympy.sympify(expr)):
        if sub.is_Pow:
            b, ex = sub.args
            if ex.is_Integer:
                if ex < 0:
                    add(b, NONZERO, "denominator of", sub)
            elif ex.is_Rational:
                if real:
                    add(b, POSITIVE if ex < 0 else NONNEG, "radicand of", sub)
                elif ex < 0:
                    add(b, NONZERO, "denominator of", sub)
            else:
                add(b, POSITIVE if real else NONZERO, "base of", sub)
            continue
        if not isinstance(sub, sympy.Function) or not sub.args:
            continue
        name, u = type(sub).__name__, sub.args[0]
        if name == "log":
            add(u, POSITIVE if real else NONZERO, "argument of", sub)
        elif name in ("tan", "sec"):
            add(sympy.cos(u), NONZERO, "pole of", sub)
        elif name in ("cot", "csc"):
            add(sympy.sin(u), NONZERO, "pole of", sub)
        elif name in ("coth", "csch"):
            add(u, NONZERO, "pole of", sub)
        elif name == "atanh":
            add(1 - u, POSITIVE if real else NONZERO, "pole at 1 of", sub)
            add(1 + u, POSITIVE if real else NONZERO, "pole at -1 of", sub)
        elif name in ("asin", "acos") and real:
            add(1 - u, NONNEG, "range of", sub)
            add(1 + u, NONNEG, "range of", sub)
        elif name == "acosh" and real:
            add(u - 1, NONNEG, "range of", sub)
        elif name == "atan" and not real:
            add(1 + u**2, NONZERO, "pole at +-i of", sub)
        elif name in ("exp", "sin", "cos", "sinh", "cosh", "tanh", "asinh", "asin", "acos", "acosh", "atan",
                      "sech", "Abs"):
            pass
        else:
            raise Unsupported(f"the function {name} is outside the prover")
    return out


def _closed(cond: Condition) -> str | None:
    """A closed condition decided with balls (precision grows)."""
    for prec in (128, 512, 2048):
        try:
            v = enclose(cond.expr, {}, prec)
        except Undefined as exc:
            raise Unsupported(f"{cond.expr} is undefined: {exc}") from None
        except Indeterminate:
            continue
        if cond.kind == NONZERO:
            if not (v.real.contains(0) and v.imag.contains(0)):
                return f"{cond.expr} != 0: its enclosure {v.str(10, radius=True)} excludes 0"
            continue
        if not is_real_ball(v):
            return None
        r = v.real
        if r > 0 or (cond.kind == NONNEG and r.is_exact() and r.is_zero()):
            return f"{cond.expr} {cond.kind}: its enclosure {r.str(10, radius=True)}"
        if r < 0:
            return None
    return None


def _bisect(cond: Condition, free) -> str | None:
    """Rigorous interval bisection of a bounded box; each box's arb ball must satisfy the condition."""
    syms = [s for s in free.symbols if cond.expr.has(s)]
    if not syms or len(syms) > 2:
        return None
    box = {}
    for s in syms:
        iv = free[s]
        if iv.lo.is_infinite or iv.hi.is_infinite:
            return None
        box[s] = (iv.lo, iv.hi)
    stack, done = [box], 0
    while stack:
        if done > _BISECT_BOXES:
            return None
        b = stack.pop()
        done += 1
        try:
            v = enclose_box(cond.expr, b)
            ok = (not (v.real.contains(0) and v.imag.contains(0))) if cond.kind == NONZERO else (
                is_real_ball(v) and v.real > 0)
        except (Indeterminate, Undefined):
            ok = False
        if ok:
            continue
        s = max(b, key=lambda k: b[k][1] - b[k][0])
        lo, hi = b[s]
        mid = (lo + hi) / 2
        stack.append({**b, s: (lo, mid)})
        stack.append({**b, s: (mid, hi)})
    return f"{cond.expr} {cond.kind}: interval bisection of the closed box into {done} arb balls"


def _trig_zeros_outside(cond: Condition, free) -> str | None:
    """cos(a v + b) or sin(a v + b) != 0 on a bounded interval of v: every zero (pi/2 + k pi - b)/a lies outside."""
    e = cond.expr
    if cond.kind != NONZERO or not isinstance(e, (sympy.cos, sympy.sin)):
        return None
    u = e.args[0]
    syms = [s for s in free.symbols if u.has(s)]
    if len(syms) != 1:
        return None
    s = syms[0]
    iv = free[s]
    a = sympy.diff(u, s)
    if a.free_symbols or a == 0:
        return None
    b = sympy.expand(u - a * s)
    if b.free_symbols or iv.lo.is_infinite or iv.hi.is_infinite:
        return None
    if a.is_real is not True or b.is_real is not True:  # a complex argument: not this method
        return None
    off = sympy.pi / 2 if isinstance(e, sympy.cos) else sympy.Integer(0)
    try:
        ends = sorted([float(a * iv.lo + b), float(a * iv.hi + b)])
    except (TypeError, ValueError, OverflowError):
        return None
    k0 = math.floor((ends[0] - float(off)) / math.pi) - 1
    k1 = math.ceil((ends[1] - float(off)) / math.pi) + 1
    if k1 - k0 > 2000:
        return None
    for k in range(k0, k1 + 1):
        root = (off + k * sympy.pi - b) / a
        try:
            inside = iv.contains(root)
        except TypeError:  # a comparison SymPy cannot decide: no certificate
            return None
        if inside:
            return None
    return (f"{e} != 0: its zeros are {s} = ({off} + k*pi - ({b}))/({a}) for integers k, and none of "
            f"k = {k0}..{k1} (all that can reach it) lies in {iv}")


def certify(cond: Condition, free, actx) -> str:
    """A line that proves ``cond`` on the whole domain, or :class:`Unsupported` (cached per domain)."""
    key = (cond.expr, cond.kind, free)
    cache = actx.cache.conditions
    if key in cache:
        line = cache.get(key)
        if line is None:
            raise Unsupported(f"cannot show {cond.text()} on the whole domain")
        return line
    try:
        line = _certify(cond, free, actx)
    except Unsupported:
        cache[key] = None
        raise
    cache[key] = line
    return line


def _certify(cond: Condition, free, actx) -> str:
    if not cond.expr.free_symbols:
        line = _closed(cond)
        if line:
            return line
        raise Unsupported(f"cannot show {cond.text()}")
    try:
        sg = sign_of(actx.lift(cond.expr), actx)
    except Unsupported:
        sg = None
    if sg is not None:
        kind = sg[0]
        ok = {NONZERO: kind in ("pos", "neg"), POSITIVE: kind == "pos",
              NONNEG: kind in ("pos", "nonneg", "zero")}[cond.kind]
        if ok:
            return f"{cond.expr} {'> 0' if kind == 'pos' else '< 0' if kind == 'neg' else cond.kind}: {explain(sg[1])}"
    line = _trig_zeros_outside(cond, free) or _bisect(cond, free)
    if line:
        return line
    raise Unsupported(f"cannot show {cond.text()} on the whole domain")


def certify_all(exprs, free, actx, real: bool) -> list[str]:
    lines = []
    for e in exprs:
        for c in conditions(e, real):
            line = certify(c, free, actx)
            lines.append(f"{line} [{c.why}]")
    return list(dict.fromkeys(lines))
