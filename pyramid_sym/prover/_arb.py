"""Rigorous enclosures with python-flint's arb/acb balls (outward rounding), principal values throughout.

:func:`enclose` evaluates a SymPy expression at an exact point (rational values,
or exact constants such as ``pi/2``) and returns a complex ball that certainly
contains the principal value; or raises :class:`Undefined` when a side is
*certainly* undefined there (a denominator, a logarithm's argument or a pole that
is exactly zero, shown by exact arithmetic), or :class:`Indeterminate` when the
ball at this precision cannot decide (a denominator ball containing 0, a value
beyond the magnitude cap).  The same evaluator, given balls instead of exact
values, encloses the range of an expression over a box (:func:`enclose_box`).
"""

from __future__ import annotations

import sympy
from flint import acb, arb, ctx as flint_ctx, fmpq

__all__ = ["Undefined", "Indeterminate", "enclose", "enclose_box", "ball_text", "PRECISIONS",
           "excludes_zero", "is_real_ball", "exact_zero", "safe_xreplace"]

PRECISIONS = (128, 512, 2048, 6144)   # bits; the enclosure of a refutation grows to the last, then gives up
_MAG_CAP = 2 ** 40                    # an exponent (or argument) beyond which evaluation is indeterminate
_CIRCULAR = {f: ("sin", "cos") for f in ("sin", "cos", "tan", "sec", "csc", "cot")}
_HYPERBOLIC = {f: ("sinh", "cosh") for f in ("sinh", "cosh", "tanh", "sech", "csch", "coth")}
_COFUNCTIONS = frozenset({"csc", "cot", "csch", "coth"})  # ratios over sin / sinh; the others over cos / cosh
_RECIPROCALS = frozenset({"sec", "csc", "sech", "csch"})
_BIG = arb(2) ** _MAG_CAP


class Undefined(Exception):
    """A part of the expression is certainly undefined at the exact point (the reason is the message)."""


class Indeterminate(Exception):
    """The balls at this precision cannot decide (or the expression is outside the evaluator)."""


def _q(r) -> acb:
    return acb(arb(fmpq(int(r.p), int(r.q))))


_MAX_EXACT_EXPONENT = 4096


def safe_xreplace(expr: sympy.Expr, point: dict):
    """``expr`` at the exact point, or None when SymPy's exact arithmetic would raise a number to a power whose
    exponent exceeds 4096 in size there (``x^x`` at ``x = 10^20`` would never finish)."""
    expr = sympy.sympify(expr)
    if not point:
        return expr
    for p in sympy.postorder_traversal(expr):
        if isinstance(p, sympy.Pow) and p.exp.free_symbols & set(point):
            ev = p.exp.xreplace(point)  # its own powers were checked first (post-order)
            if not ev.is_number:
                continue
            try:
                big = not (abs(float(sympy.re(ev))) <= _MAX_EXACT_EXPONENT)
            except (TypeError, ValueError, OverflowError):
                big = True
            if big:
                return None
    return expr.xreplace(point)


def exact_zero(expr: sympy.Expr, point: dict) -> bool:
    """``expr`` is exactly 0 at the exact point (rational arithmetic; algebraic numbers by minimal polynomial)."""
    v = safe_xreplace(expr, point)
    if v is None:
        return False
    if v == 0:
        return True
    if v.is_Rational or not v.is_number:
        return False
    if v.has(sympy.Function) and not v.has(sympy.cos, sympy.sin):
        return False
    if v.count_ops() > 60:
        return False
    try:
        x = sympy.Dummy("x")
        return sympy.minimal_polynomial(v, x) == x
    except Exception:  # noqa: BLE001 - not an algebraic number sympy can handle: not certified
        return False


def excludes_zero(v: acb) -> bool:
    return not (v.real.contains(0) and v.imag.contains(0))


def is_real_ball(v: acb) -> bool:
    return v.imag.is_exact() and v.imag.is_zero()


def ball_text(v, digits: int = 20) -> str:
    """The ball as text, ``[mid +/- rad]`` (real) or ``[..] + [..]j``."""
    if isinstance(v, acb) and is_real_ball(v):
        v = v.real
    try:
        return v.str(digits, radius=True)
    except Exception:  # noqa: BLE001
        return str(v)


class _Eval:
    def __init__(self, values: dict, exact_point: dict | None):
        self.values = values          # symbol -> acb
        self.exact = exact_point      # symbol -> exact SymPy value (for undefinedness proofs), None for boxes
        self.memo: dict = {}

    def undefined_or_indeterminate(self, sub: sympy.Expr, what: str):
        if self.exact is not None and exact_zero(sub, self.exact):
            raise Undefined(what)
        raise Indeterminate(what)

    def __call__(self, e):
        if e in self.memo:
            return self.memo[e]
        v = self._eval(e)
        if not v.is_finite():
            raise Indeterminate("... is not finite at this precision")
        if abs(v).abs_upper() > _BIG:
            raise Indeterminate("... is beyond the magnitude cap 2^(2^40)")
        self.memo[e] = v
        return v

    def _eval(self, e):
        if e.is_Symbol:
            try:
                return self.values[e]
            except KeyError:
                raise Indeterminate("... has no value") from None
        if e.is_Rational:
            return _q(e)
        if e is sympy.pi:
            return acb(arb.pi())
        if e is sympy.E:
            return acb(arb(1).exp())
        if e is sympy.I:
            return acb(0, 1)
        if e in (sympy.zoo, sympy.nan, sympy.oo, sympy.S.NegativeInfinity):
            raise Undefined(f"{e} (a division by zero or an infinity)")
        if e.is_Float:
            return _q(sympy.Rational(e))
        if e.is_Add:
            out = acb(0)
            for a in e.args:
                out += self(a)
            return out
        if e.is_Mul:
            out = acb(1)
            for a in e.args:
                out *= self(a)
            return out
        if e.is_Pow:
            return self._pow(e)
        return self._function(e)

    def _pow(self, e):
        base, ex = e.args
        b = self(base)
        if ex.is_Integer:
            n = int(ex)
            if n < 0 and b.contains(0):
                self.undefined_or_indeterminate(base, f"the denominator {base} is 0")
            return b ** n
        if b.contains(0):
            if self.exact is not None and exact_zero(base, self.exact):
                if ex.is_Rational:
                    if ex > 0:
                        return acb(0)
                    raise Undefined(f"0 raised to the power {ex}")
                e_v = self(ex)
                if e_v.real > 0:
                    return acb(0)      # 0^y = 0 for Re(y) > 0
                if e_v.real < 0 or (e_v.is_exact() and e_v.is_zero() is False and e_v.real.is_zero()):
                    raise Undefined(f"0 raised to the power {ex}")
            raise Indeterminate("the base ... may be 0")
        if ex.is_Rational:
            if is_real_ball(b) and b.real > 0:
                return acb(b.real ** arb(fmpq(int(ex.p), int(ex.q))))
            return b ** acb(arb(fmpq(int(ex.p), int(ex.q))))
        return (self(ex) * b.log()).exp()

    def _function(self, e):
        name = type(e).__name__
        if not isinstance(e, sympy.Function) or len(e.args) != 1:
            if isinstance(e, sympy.Abs):
                pass
            else:
                raise Indeterminate("... is outside the evaluator")
        arg = e.args[0]
        u = self(arg)
        if name == "exp":
            if u.real > _MAG_CAP:
                raise Indeterminate("exp of an argument beyond ...")
            return u.exp()
        if name == "log":
            if u.contains(0):
                self.undefined_or_indeterminate(arg, f"log of 0 ({arg} = 0)")
            if is_real_ball(u) and u.real > 0:
                return acb(u.real.log())
            if not is_real_ball(u) and u.imag.contains(0) and not u.real > 0:
                raise Indeterminate("log(...) is on its branch cut at this precision")
            return u.log()
        if name == "Abs":
            return acb(abs(u))
        family = _CIRCULAR.get(name) or _HYPERBOLIC.get(name)
        if family is not None:
            odd, even = family  # sin, cos or sinh, cosh: every other function of the family is a ratio of them
            if odd == "sin" and u.imag.contains(0) is False and abs(u.imag) > _MAG_CAP:
                raise Indeterminate("a trigonometric function of a huge imaginary argument")
            s, c = getattr(u, odd)(), getattr(u, even)()
            if name == odd:
                return s
            if name == even:
                return c
            den, num, what = (s, c, odd) if name in _COFUNCTIONS else (c, s, even)
            if den.contains(0):
                if self.exact is not None and exact_zero(getattr(sympy, what)(arg), self.exact):
                    raise Undefined(f"{name} has a pole: {what}({arg}) = 0")
                raise Indeterminate("...(...) may be 0")
            if name in _RECIPROCALS:
                return 1 / den
            return num / den
        if name == "atanh":
            for sgn in (1, -1):
                if (u - sgn).contains(0):
                    self.undefined_or_indeterminate(arg - sgn, f"atanh has a pole: {arg} = {sgn}")
            return u.atanh()
        if name == "atan":
            for sgn in (1, -1):
                if (u - acb(0, sgn)).contains(0):
                    self.undefined_or_indeterminate(arg - sgn * sympy.I, f"atan has a pole: {arg} = {sgn}*I")
            return u.atan()
        if name in ("asin", "acos", "asinh", "acosh"):
            if is_real_ball(u) and name in ("asin", "acos") and abs(u.real) < 1:
                return acb(getattr(u.real, name)())
            if name in ("asin", "acos") and not is_real_ball(u) and u.imag.contains(0):
                raise Indeterminate("...(...) near its branch cut at this precision")
            return getattr(u, name)()
        raise Indeterminate("... is outside the evaluator")


def _exact_value(v) -> acb:
    v = sympy.sympify(v)
    if v.is_Rational:
        return _q(v)
    return _Eval({}, {})(v)


def enclose(expr: sympy.Expr, point: dict, prec: int) -> acb:
    """A ball containing the principal value of ``expr`` at the exact ``point`` (symbol -> exact value)."""
    old = flint_ctx.prec
    flint_ctx.prec = prec
    try:
        values = {s: _exact_value(v) for s, v in point.items()}
        ev = _Eval(values, dict(point))
        if isinstance(expr, (list, tuple)):
            return [ev(e) for e in expr]
        return ev(expr)
    except (ZeroDivisionError, ValueError, OverflowError) as exc:
        raise Indeterminate(str(exc)) from None
    finally:
        flint_ctx.prec = old


def enclose_box(expr: sympy.Expr, box: dict, prec: int = 128) -> acb:
    """A ball containing the value of ``expr`` at every point of the box (symbol -> (lo, hi) rationals)."""
    old = flint_ctx.prec
    flint_ctx.prec = prec
    try:
        values = {}
        for s, (lo, hi) in box.items():
            mid, half = (lo + hi) / 2, (hi - lo) / 2
            values[s] = acb(arb(fmpq(int(mid.p), int(mid.q))) + arb(0, 1) * arb(fmpq(int(half.p), int(half.q))))
        return _Eval(values, None)(expr)
    except (ZeroDivisionError, ValueError, OverflowError) as exc:
        raise Indeterminate(str(exc)) from None
    finally:
        flint_ctx.prec = old


