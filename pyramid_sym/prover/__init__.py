"""A sound prover for identities, signs and positive semidefiniteness on a domain.

**Meaning** (:mod:`._semantics`, one rule for every claim): ``lhs = rhs`` holds on a
domain iff at every point both sides are defined (finite; principal values for
powers, roots, logarithms and inverse functions; complex values are values) and
equal.  A side undefined at a point of the domain makes the identity false there.
A sign or order claim, and positive semidefiniteness, is violated by a non-real or
undefined value.

**proved** needs

1. a symbolic certificate: every definedness condition of both sides (denominators,
   logarithm arguments, poles) shown on the whole domain, and ``lhs - rhs`` shown to
   be 0 by one of the procedures of :mod:`._decide` (for signs: the sign
   certificates of :mod:`._sign`; for PSD: the eigenvalues' signs); and
2. an independent re-decision: rigorous arb ball enclosures (python-flint) of both
   sides at >= 20 exact points of the domain agreeing relative to their own scale
   (and, when z3 is installed, z3's nonlinear real arithmetic on the algebraic
   fragment); a disagreement makes the verdict ``unknown`` with both results shown.

**refuted** needs an exact point of the domain (printed as it was checked) and
either a rigorous enclosure there of ``lhs - rhs`` (or of the value of a sign claim,
or of ``v^T M v`` for PSD) that excludes what the claim says, or a certified
undefinedness there (an exactly zero denominator, log of 0, a pole).  Precision
grows from 128 to 6144 bits; a point that does not decide within that is skipped.
Everything else is **unknown**.  ``Expr.equals`` and ``simplify`` are never used
as proofs.
"""

from __future__ import annotations

import random
import time

import sympy
from flint import arb, fmpq

from ..domain import Domain
from ..errors import InputError
from ._algebra import AlgebraicContext
from ._arb import (PRECISIONS, Indeterminate, Undefined, ball_text, enclose, exact_zero, excludes_zero, safe_xreplace,
                   is_real_ball)
from ._context import ProverContext, default_context
from ._decide import decide_zero
from ._result import ProofResult, Unsupported, Verdict, proved, refuted, unknown
from ._semantics import NONZERO, Condition, certify, certify_all, conditions
from ._sign import explain, satisfies, sign_of

__all__ = ["ProofResult", "Verdict", "prove_identity", "prove_sign", "prove_psd", "MIN_WITNESSES",
           "ProverContext", "proved", "refuted", "unknown"]

MIN_WITNESSES = 20
WITNESS_BITS = 256          # first precision of a witness (77 digits)
AGREE = sympy.Rational(1, 10**50)   # relative agreement a witness point must show
_EXTRA_SEARCH = 160         # random points tried for a counterexample when no certificate is found


# ----------------------------------------------------------------------------- helpers
def _prepare(domain: Domain, *exprs):
    if not isinstance(domain, Domain):
        raise InputError(f"the domain must be a pyramid_sym.domain.Domain, got {type(domain).__name__}.")
    fixed = domain.fixed()
    free = Domain([(s, iv) for s, iv in domain if not iv.is_point])
    out = []
    for e in exprs:
        try:
            e = sympy.sympify(e)
        except (sympy.SympifyError, TypeError):
            raise InputError(f"{str(e)[:60]!r} is not an expression; give a SymPy expression.") from None
        e = e.xreplace(fixed) if fixed else e
        floats = {f: sympy.Rational(*float(f).as_integer_ratio()) for f in e.atoms(sympy.Float)}
        out.append(e.xreplace(floats) if floats else e)
    undeclared = set()
    for e in out:
        undeclared |= {s for s in e.free_symbols if s not in free}
    if undeclared:
        names = ", ".join(sorted(map(str, undeclared)))
        raise InputError(f"the expression uses {names}, which the domain does not declare; add a range for each.")
    return free, out


def _entries(x) -> list:
    if isinstance(x, sympy.MatrixBase):
        return list(x)
    return [x]


def _point_json(pt: dict) -> dict[str, str]:
    return {str(k): str(v) for k, v in pt.items()}


def _random_points(free: Domain, count: int, seed: int = 20250627, reach: int = 1000):
    """Random exact points; an infinite end is replaced by one ``reach`` away from the other end (or from 0)."""
    rng = random.Random(seed)
    pts = []
    for _ in range(count):
        pt = {}
        for sym, iv in free:
            lo = iv.lo if not iv.lo.is_infinite else (iv.hi - reach if not iv.hi.is_infinite else
                                                      sympy.Integer(-reach))
            hi = iv.hi if not iv.hi.is_infinite else lo + reach
            u = sympy.Rational(rng.randrange(1, 10**6), 10**6)
            pt[sym] = lo + (hi - lo) * u
        pts.append(pt)
    return pts


def _witness_points(free: Domain, cache: ProverContext | None = None) -> list[dict]:
    cache = cache or default_context()
    key = (free, MIN_WITNESSES)
    pts = cache.witnesses.get(key)
    if pts is None:
        pts = free.witness_points(MIN_WITNESSES)
        if len(pts) < MIN_WITNESSES and free.symbols:
            pts += _random_points(free, MIN_WITNESSES - len(pts), seed=7)
        cache.witnesses[key] = pts
    return [dict(p) for p in pts]


def _special_points(exprs, free: Domain, guards=()) -> list[dict]:
    """Exact points where a definedness condition may fail: roots of denominators, logarithm arguments, poles."""
    if not free.symbols:
        return []
    base = {s: _interior(iv) for s, iv in free}
    out = []
    conds = [Condition(g, NONZERO, "as written") for g in guards]
    for e in exprs:
        try:
            conds += conditions(e, real=False)
        except Unsupported:
            continue
    for c in conds:
        syms = [s for s in free.symbols if c.expr.has(s)]
        if not syms:
            continue
        for s in syms[:3]:
            iv = free[s]
            others = [o for o in syms if o != s]
            for fixed in _fixings(others, free, base):
                e = safe_xreplace(c.expr, fixed)
                if e is None:
                    continue
                for root in _roots(e, s, iv):
                    if _inside(iv, root):
                        out.append({**base, **fixed, s: root})
                if len(out) > 24:
                    return out
    return out


def _fixings(others, free: Domain, base: dict) -> list[dict]:
    """Rational values for the other variables of a condition: the base point, 0, the middle, the quarters."""
    if not others:
        return [{}]
    choices = []
    for o in others:
        iv = free[o]
        vals = [base[o]]
        if iv.contains(0):
            vals.append(sympy.Integer(0))
        if not iv.lo.is_infinite and not iv.hi.is_infinite:
            vals += [iv.lo + (iv.hi - iv.lo) * sympy.Rational(k, 4) for k in (2, 1, 3)]
        choices.append(list(dict.fromkeys(vals)))
    out = [{}]
    for o, vals in zip(others, choices):
        out = [{**f, o: v} for f in out for v in vals][:8]
    return out


def _inside(iv, root) -> bool:
    """``root`` (an exact real number) lies in the interval: exact comparison for rationals, rigorous balls else."""
    root = sympy.sympify(root)
    if not root.is_number or root.has(sympy.I, sympy.zoo, sympy.nan, sympy.oo, sympy.S.NegativeInfinity):
        return False
    if root.is_Rational:
        return iv.contains(root)
    for end, is_open, side in ((iv.lo, iv.lo_open, 1), (iv.hi, iv.hi_open, -1)):
        if end.is_infinite:
            if (end > 0) == (side > 0):
                return False
            continue
        if exact_zero(root - end, {}):
            if is_open:
                return False
            continue
        try:
            v = enclose(side * (root - end), {}, 256)
        except (Undefined, Indeterminate):
            return False
        if not (v.imag.is_zero() and v.real > 0):
            return False
    return True


def _interior(iv):
    if iv.lo.is_infinite and iv.hi.is_infinite:
        return sympy.Rational(1, 3)
    if iv.lo.is_infinite:
        return iv.hi - sympy.Rational(1, 3)
    if iv.hi.is_infinite:
        return iv.lo + sympy.Rational(1, 3)
    return iv.lo + (iv.hi - iv.lo) / 3


def _roots(expr, s, iv) -> list:
    """Exact real roots of a condition's expression in one variable: polynomial factors of degree <= 2, and
    a*F(u) + b for an elementary F by its inverse (every branch, a bounded number of periods), recursively."""
    out = []
    expr = sympy.sympify(expr)
    _invert(expr, s, iv, out, 0)
    if not any(_inside(iv, r) for r in out[:64]):
        out += _closed_form_roots(expr, s, iv)
    return list(dict.fromkeys(out))[:64]


def _closed_form_roots(expr, s, iv, samples: int = 40) -> list:
    """Closed forms guessed for the sign changes of ``expr`` on a bounded interval (rational multiples of pi,
    logarithms and roots of rationals).  Only candidates: a point is used only where the expression is shown
    to be exactly 0 there and the point is shown to lie in the domain."""
    if iv.lo.is_infinite or iv.hi.is_infinite or iv.is_point or expr.free_symbols != {s}:
        return []
    lo, hi = iv.lo, iv.hi

    def sign_at(t):
        try:
            v = enclose(expr, {s: t}, 96)
        except (Undefined, Indeterminate):
            return 0
        if not v.imag.is_zero() or v.real.contains(0):
            return 0
        return 1 if v.real > 0 else -1

    ts = [lo + (hi - lo) * sympy.Rational(i, samples) for i in range(1, samples)]
    signs = [sign_at(t) for t in ts]
    out = []
    for (a, sa), (b, sb) in zip(zip(ts, signs), zip(ts[1:], signs[1:])):
        if sa * sb != -1:
            continue
        for _ in range(48):
            m = (a + b) / 2
            sm = sign_at(m)
            if sm == 0:
                break
            a, b, sa = (m, b, sm) if sm == sa else (a, m, sa)
        r = float((a + b) / 2)
        for guess in _guesses(r):
            out.append(guess)
        if len(out) > 24:
            break
    return out


def _guesses(r: float) -> list:
    from fractions import Fraction
    out = []
    for val, make in ((r, lambda q: q), (r / 3.141592653589793, lambda q: q * sympy.pi)):
        q = Fraction(val).limit_denominator(720)
        if abs(float(q) - val) < 1e-9 * max(1.0, abs(val)):
            out.append(make(sympy.Rational(q.numerator, q.denominator)))
    import math
    for fn, make in ((math.exp, sympy.log), (lambda v: v * v, sympy.sqrt), (lambda v: v ** 3, sympy.cbrt)):
        try:
            val = fn(r)
        except OverflowError:
            continue
        q = Fraction(val).limit_denominator(720)
        if q > 0 and abs(float(q) - val) < 1e-9 * max(1.0, abs(val)):
            out.append(make(sympy.Rational(q.numerator, q.denominator)) * (1 if r > 0 or make is sympy.log else -1))
    return out


_PI = sympy.pi


def _inverse_values(f, c, periods) -> list:
    """The values u with F(u) = c (c a real constant), F the function of ``f``."""
    def ok(rel):
        try:
            return bool(rel)
        except TypeError:
            return False
    name = type(f).__name__
    if name == "exp":
        return [sympy.log(c)] if ok(c > 0) else []
    if name == "log":
        return [sympy.exp(c)]
    if name in ("sin", "cos"):
        if not (ok(c >= -1) and ok(c <= 1)):
            return []
        a = sympy.asin(c) if name == "sin" else sympy.acos(c)
        base = [a, _PI - a] if name == "sin" else [a, -a]
        return [b + 2 * k * _PI for k in periods for b in base]
    if name == "tan":
        return [sympy.atan(c) + k * _PI for k in periods]
    if name == "sinh":
        return [sympy.asinh(c)]
    if name == "cosh":
        return [sympy.acosh(c), -sympy.acosh(c)] if ok(c >= 1) else []
    if name == "tanh":
        return [sympy.atanh(c)] if ok(c > -1) and ok(c < 1) else []
    if name == "atan":
        return [sympy.tan(c)] if ok(c > -_PI / 2) and ok(c < _PI / 2) else []
    if name == "asin":
        return [sympy.sin(c)] if ok(c >= -_PI / 2) and ok(c <= _PI / 2) else []
    if name == "acos":
        return [sympy.cos(c)] if ok(c >= 0) and ok(c <= _PI) else []
    if name == "asinh":
        return [sympy.sinh(c)]
    if name == "acosh":
        return [sympy.cosh(c)] if ok(c >= 0) else []
    if name == "atanh":
        return [sympy.tanh(c)]
    if name == "Abs":
        return [c, -c] if ok(c >= 0) else []
    return []


def _invert(expr, s, iv, out: list, depth: int) -> None:
    if depth > 3 or len(out) > 64:
        return
    try:
        num, _ = sympy.fraction(sympy.together(expr))
    except (sympy.PolynomialError, ValueError, TypeError):
        return
    if num.is_polynomial(s):
        try:
            _, facs = sympy.factor_list(num, s)
        except (sympy.PolynomialError, ValueError, TypeError):
            return
        for f, _k in facs:
            if f.free_symbols - {s}:
                continue
            d = sympy.degree(f, s)
            if 1 <= d <= 2:
                out += [r for r in sympy.roots(sympy.Poly(f, s)) if r.is_real]
        return
    b, rest = num.as_independent(s, as_Add=True)
    a, f = rest.as_independent(s, as_Add=False)
    if a == 0 or not (b.is_number and a.is_number):
        return
    c = sympy.nsimplify(-b / a) if (-b / a).is_Float else -b / a
    if c.is_real is not True:
        return
    if isinstance(f, sympy.Pow) and f.exp == sympy.Rational(1, 2):
        try:
            vals = [c ** 2] if bool(c >= 0) else []
        except TypeError:
            vals = []
        u = f.base
    elif isinstance(f, sympy.Function) and len(f.args) == 1:
        u = f.args[0]
        # periods (2 pi for sin and cos, pi for tan): enough to cover a linear argument over a bounded
        # interval, a few around 0 otherwise
        periods = range(-6, 7)
        if u.is_polynomial(s) and sympy.degree(u, s) == 1 and not iv.lo.is_infinite and not iv.hi.is_infinite:
            period = 3.141592653589793 * (1 if isinstance(f, sympy.tan) else 2)
            try:
                ends = sorted([float(u.subs(s, iv.lo)), float(u.subs(s, iv.hi))])
                k0 = int(ends[0] // period) - 2
                k1 = int(ends[1] // period) + 2
                periods = range(k0, min(k1, k0 + 40) + 1)
            except (TypeError, ValueError, OverflowError):  # a complex or huge argument: a few periods
                pass
        vals = _inverse_values(f, c, periods)
    else:
        return
    for v in vals:
        _invert(u - v, s, iv, out, depth + 1)


def _short(e, limit: int = 160) -> str:
    if isinstance(e, sympy.Basic):
        e = e.xreplace({d: sympy.Symbol(d.name) for d in e.atoms(sympy.Dummy)})
    s = str(e)
    return s if len(s) <= limit else s[: limit - 3] + "..."


def _undefined_exprs(exprs) -> sympy.Expr | None:
    for e in exprs:
        if e.has(sympy.zoo, sympy.nan, sympy.oo, sympy.S.NegativeInfinity):
            return e
    return None


# ----------------------------------------------------------------------------- identities
class _Refuted(Exception):
    def __init__(self, point, evidence):
        self.point, self.evidence = point, evidence


def _check_guards(guards, pt):
    for g in guards:
        try:
            v = enclose(g, pt, WITNESS_BITS)
        except Undefined as exc:
            raise _Refuted(pt, {"undefined": f"a side as written is undefined here: {exc}"}) from None
        except Indeterminate:
            v = None
        if (v is None or v.contains(0)) and exact_zero(g, pt):
            raise _Refuted(pt, {"undefined": f"a side as written needs {g} != 0 (a divisor, a logarithm's argument "
                                             f"or a pole), and {g} = 0 here exactly"})


def _point_status(pairs, pt, guards=(), push=False):
    """At one exact point: raise _Refuted (certified), return the relative difference bound, or None (undecided).

    ``push``: raise the precision to the cap even when the sides agree to 50 digits (a refutation search)."""
    worst = 0.0
    for i, (l, r) in enumerate(pairs):
        decided = False
        for prec in (WITNESS_BITS,) + tuple(p for p in PRECISIONS if p > WITNESS_BITS):
            try:
                lv, rv = enclose([l, r], pt, prec)  # one evaluation: shared sub-expressions once
            except Undefined as exc:
                try:
                    enclose(l, pt, prec)
                    side = "rhs"
                except (Undefined, Indeterminate):
                    side = "lhs"
                raise _Refuted(pt, {"undefined": f"the {side} is undefined here: {exc}",
                                    "entry": i if len(pairs) > 1 else None}) from None
            except Indeterminate:
                continue
            d = lv - rv
            if excludes_zero(d):
                raise _Refuted(pt, {"lhs": _mid_text(lv), "rhs": _mid_text(rv),
                                    "lhs_enclosure": ball_text(lv), "rhs_enclosure": ball_text(rv),
                                    "difference": ball_text(d, 8),
                                    "enclosure": f"lhs - rhs in {ball_text(d, 8)}, which excludes 0",
                                    "bits": prec, "dps": [int(prec * 0.30103)],
                                    "entry": i if len(pairs) > 1 else None})
            scale = max(abs(lv).abs_upper(), abs(rv).abs_upper())
            width = abs(d).abs_upper()
            # relative to the sides' own scale; sides that are both within 2^-(bits/2) of 0 (an exact 0 has
            # no scale) agree absolutely at that floor, which shrinks as the precision grows
            floor = arb(2) ** (-(prec // 2))
            agree = width.is_zero() or width <= scale * _AGREE_ARB() or (scale <= floor and width <= floor)
            if agree and push and prec < PRECISIONS[-1] and not width.is_zero():
                continue
            if agree:
                rel = 0.0 if scale.is_zero() else float((width / scale).mid())
                worst = max(worst, rel)
                decided = True
                break
        if not decided:
            return None
    if guards:
        _check_guards(guards, pt)
    return worst


def _mid_text(v) -> str:
    """The ball's midpoint to 20 significant digits (a plain number; the ball itself is printed beside it)."""
    re_, im = v.real.mid().str(20, radius=False), v.imag.mid().str(20, radius=False)
    if is_real_ball(v):
        return re_
    return f"({re_} + {im}j)"


def _AGREE_ARB():
    return arb(fmpq(int(AGREE.p), int(AGREE.q)))


def _refuted_result(exc: _Refuted, statement, domain, t0, what="lhs - rhs"):
    ev = {k: v for k, v in exc.evidence.items() if v is not None}
    method = ("certified undefinedness at an exact point of the domain" if "undefined" in ev
              else f"counterexample: an arb enclosure of {what} at an exact point excludes the claim")
    return refuted(method, _point_json(exc.point), ev, statement=statement, domain=domain,
                   seconds=time.perf_counter() - t0)


def _search(pairs, pts, guards=(), push=0):
    """Check points; returns (points that agreed, worst relative difference); raises _Refuted.

    The first ``push`` points are taken to the precision cap even when the sides agree to 50 digits."""
    n, worst = 0, 0.0
    for k, pt in enumerate(pts):
        w = _point_status(pairs, pt, guards, push=k < push)
        if w is not None:
            n += 1
            worst = max(worst, w)
    return n, worst


def _z3_check(pairs, free, second: str):
    if second == "arb":
        return None
    try:
        from ._z3 import redecide
    except ImportError:
        if second == "z3":
            return "disagree", "z3 was requested as the second procedure but z3-solver is not installed"
        return None
    try:
        return redecide(pairs, free)
    except Exception:  # noqa: BLE001 - the optional second procedure never breaks a proof attempt
        return None


def prove_identity(lhs, rhs, domain: Domain, *, statement: str = "", context: ProverContext | None = None,
                   guards=(), second: str = "auto") -> ProofResult:
    """Decide ``lhs = rhs`` (scalars, or matrices elementwise) for every point of ``domain``.

    ``guards``: expressions that must be nonzero for the sides *as written* to be defined (a divisor that
    SymPy's automatic simplification cancelled, as in ``x/x``); they join the definedness conditions.
    ``second``: the independent re-decision of a ``proved``: ``"arb"`` (ball enclosures at >= 20 exact
    points, always run), ``"z3"`` (also z3 on the algebraic fragment; required), ``"auto"`` (z3 too when
    z3-solver is installed)."""
    if second not in ("auto", "arb", "z3"):
        raise InputError(f"second={second!r} is not one of 'auto', 'arb', 'z3'; use one of those.")
    t0 = time.perf_counter()
    cache = context or default_context()
    lhs, rhs = sympy.sympify(lhs), sympy.sympify(rhs)
    L, R = _entries(lhs), _entries(rhs)
    if len(L) != len(R) or (isinstance(lhs, sympy.MatrixBase) != isinstance(rhs, sympy.MatrixBase)) or (
        isinstance(lhs, sympy.MatrixBase) and lhs.shape != rhs.shape
    ):
        raise InputError("the two sides have different shapes; compare a scalar with a scalar or matrices of one shape.")
    free, flat = _prepare(domain, *L, *R, *guards)
    flat, guards = flat[: len(L) + len(R)], tuple(flat[len(L) + len(R):])
    pairs = list(dict.fromkeys(zip(flat[: len(L)], flat[len(L):])))
    dom = domain.to_json()
    kw = dict(statement=statement, domain=dom)

    bad = _undefined_exprs(flat)
    if bad is None and any(g == 0 for g in guards):
        bad = sympy.zoo
    if bad is not None:
        return refuted("certified undefinedness: a side is undefined at every point", _point_json(domain.fixed()),
                       {"undefined": f"{_short(bad, 80)} is undefined (a division by zero or an infinity)"},
                       seconds=time.perf_counter() - t0, **kw)

    # 1. independent numeric witnesses (rigorous balls; may refute)
    pts = _witness_points(free, cache) if free.symbols else [{}]
    try:
        evaluated, worst = _search(pairs, pts, guards)
    except _Refuted as exc:
        return _refuted_result(exc, statement, dom, t0)
    witnesses = {"points": evaluated, "dps": f"arb balls from {WITNESS_BITS} bits", "bits": WITNESS_BITS,
                 "max_rel_diff": f"{worst:.2e}", "sample": [_point_json(p) for p in pts[:3]]}

    # 2. symbolic certificate: definedness on the whole domain, then lhs - rhs = 0
    actx = AlgebraicContext(free, cache=cache)
    cert, sides = [], []
    try:
        for g in guards:
            sides.append(certify(Condition(g, NONZERO, "divisor as written"), free, actx) + " [as written]")
        for l, r in pairs:
            sides += certify_all((l, r), free, actx, real=False)
        for i, (l, r) in enumerate(pairs):
            lines = decide_zero(l, r, free, actx, cache)
            where = f"entry {i}: " if len(pairs) > 1 else ""
            cert += [where + x for x in lines]
    except Unsupported as exc:
        return _search_or_unknown(pairs, free, flat, str(exc), t0, kw, witnesses, guards)

    if evaluated < (MIN_WITNESSES if free.symbols else 1):
        more = _random_points(free, 60, seed=11)
        try:
            n2, w2 = _search(pairs, more, guards)
        except _Refuted as exc:
            return _refuted_result(exc, statement, dom, t0)
        evaluated += n2
        if evaluated < MIN_WITNESSES and any(iv.lo.is_infinite or iv.hi.is_infinite for _, iv in free):
            # sides too large to enclose far out (x^(x^x) at x = 500): points within 4 of the finite end
            try:
                n3, _ = _search(pairs, _random_points(free, 40, seed=13, reach=4), guards)
            except _Refuted as exc:
                return _refuted_result(exc, statement, dom, t0)
            evaluated += n3
        if evaluated < (MIN_WITNESSES if free.symbols else 1):
            return unknown(f"a certificate was found but only {evaluated} witness points could be enclosed "
                           f"(need {MIN_WITNESSES})", method="certificate without enough witnesses",
                           seconds=time.perf_counter() - t0, witnesses=witnesses, certificate=cert, **kw)
        witnesses["points"] = evaluated
    indep = [f"arb ball enclosures of both sides at {evaluated} exact points agree to a relative 1e-50 "
             "(absolutely to 2^-(bits/2) where both sides are that close to 0)"]
    z3 = _z3_check(pairs, free, second)
    if z3 is not None:
        if z3[0] == "disagree":
            return unknown(f"the certificate says proved but z3 says: {z3[1]}; no verdict", method="procedures disagree",
                           seconds=time.perf_counter() - t0, witnesses=witnesses, certificate=cert, **kw)
        indep.append(z3[1])
    witnesses["independent"] = indep
    return proved("definedness on the domain + exact zero test (" + _method_name(cert) + ") + arb witnesses",
                  cert, witnesses, side_conditions=sides, seconds=time.perf_counter() - t0, **kw)


def _method_name(cert) -> str:
    text = " ".join(cert)
    if "same expression" in text and len(cert) == 1:
        return "same expression"
    parts = []
    if "exponential normal form" in text:
        parts.append("exponential normal form")
    if "d(lhs - rhs)" in text:
        parts.append("derivative and one value")
    if "non-negative root" in text:
        parts.append("root by its power")
    if "minimal polynomial" in text:
        parts.append("minimal polynomial")
    if "reduces to 0" in text:
        parts.append("radical normal form")
    return ", ".join(dict.fromkeys(parts)) or "symbolic"


def _search_or_unknown(pairs, free, flat, why, t0, kw, witnesses, guards=()):
    special = _special_points(flat, free, guards)
    witness = _witness_points(free) if free.symbols else [{}]
    pts = special + witness + (_random_points(free, _EXTRA_SEARCH) if free.symbols else [])
    try:
        _search(pairs, pts, guards, push=len(special) + len(witness))
    except _Refuted as exc:
        return _refuted_result(exc, kw["statement"], kw["domain"], t0)
    return unknown(why, seconds=time.perf_counter() - t0, witnesses=witnesses, **kw)


# ----------------------------------------------------------------------------- signs
_REL_TEXT = {">": "> 0", ">=": ">= 0", "<": "< 0", "<=": "<= 0", "!=": "!= 0"}


def _sign_point(e, pt, relation):
    """Raise _Refuted when the value at the exact point violates the relation (certified); else the value or None."""
    for prec in (WITNESS_BITS,) + tuple(p for p in PRECISIONS if p > WITNESS_BITS):
        try:
            v = enclose(e, pt, prec)
        except Undefined as exc:
            raise _Refuted(pt, {"undefined": f"the expression is undefined here: {exc}"}) from None
        except Indeterminate:
            continue
        if not is_real_ball(v) and not v.imag.contains(0):
            raise _Refuted(pt, {"value": ball_text(v), "enclosure": f"value in {ball_text(v)}, not real: "
                                                                    "a non-real value satisfies no order relation"})
        if not is_real_ball(v):
            continue
        x = v.real
        violated = {">": x < 0, ">=": x < 0, "<": x > 0, "<=": x > 0, "!=": False}[relation]
        if violated:
            raise _Refuted(pt, {"value": ball_text(v), "enclosure": f"value in {ball_text(v)}, which violates "
                                                                    f"{_REL_TEXT[relation]}"})
        if x.contains(0):
            if relation in (">", "<", "!=") and exact_zero(e, pt):
                raise _Refuted(pt, {"value": "0 (exact)", "enclosure": "the value is exactly 0 (exact arithmetic)"})
            if x.is_exact():
                return v
            continue
        return v
    return None


def prove_sign(expr, domain: Domain, relation: str = ">", *, statement: str = "",
               context: ProverContext | None = None) -> ProofResult:
    """Decide ``expr <relation> 0`` on the whole domain (relation one of > >= < <= !=)."""
    if relation not in _REL_TEXT:
        raise InputError(f"relation {relation!r} is not one of > >= < <= !=; use one of those.")
    t0 = time.perf_counter()
    cache = context or default_context()
    free, (e,) = _prepare(domain, expr)
    if isinstance(e, sympy.MatrixBase) or not isinstance(e, sympy.Expr):
        raise InputError("a sign claim needs a scalar expression; give one expression.")
    kw = dict(statement=statement or f"{e} {_REL_TEXT[relation]}", domain=domain.to_json())
    bad = _undefined_exprs([e])
    if bad is not None:
        return refuted("certified undefinedness: the expression is undefined at every point",
                       _point_json(domain.fixed()), {"undefined": f"{_short(bad, 80)} is undefined"},
                       seconds=time.perf_counter() - t0, **kw)
    pts = _witness_points(free, cache) if free.symbols else [{}]
    evaluated, smallest = 0, None
    try:
        for pt in pts + (_random_points(free, 10) if free.symbols else []):
            v = _sign_point(e, pt, relation)
            if v is None:
                continue
            evaluated += 1
            a = abs(v.real)
            if smallest is None or a < smallest:
                smallest = a
    except _Refuted as exc:
        return _refuted_result(exc, kw["statement"], kw["domain"], t0, what="the value")
    witnesses = {"points": evaluated, "dps": f"arb balls from {WITNESS_BITS} bits", "bits": WITNESS_BITS,
                 "min_abs_value": ball_text(smallest, 5) if smallest is not None else None}
    actx = AlgebraicContext(free, cache=cache)
    try:
        sides = certify_all([e], free, actx, real=True)
        sg = sign_of(actx.lift(e), actx)
        if sg is None:
            raise Unsupported("no sign certificate found")
        if not satisfies(sg[0], relation):
            raise Unsupported(f"the certificate only shows {sg[0]} ({explain(sg[1])})")
        cert = [f"radical {n}" for n in actx.notes if "opaque" not in n] + \
            [f"{_short(e, 120)} is {sg[0]}: {explain(sg[1])}"]
    except Unsupported as exc:
        special = _special_points([e], free)
        try:
            for pt in special + (_random_points(free, _EXTRA_SEARCH, seed=3) if free.symbols else []):
                _sign_point(e, pt, relation)
        except _Refuted as ref:
            return _refuted_result(ref, kw["statement"], kw["domain"], t0, what="the value")
        return unknown(str(exc), seconds=time.perf_counter() - t0, witnesses=witnesses, **kw)
    return _certified(evaluated, free, t0, witnesses, cert, sides, kw,
                      f"arb ball enclosures at {evaluated} exact points are real and none violates "
                      f"{_REL_TEXT[relation]}",
                      "real on the domain + sign certificate (Sturm / Polya / squaring) + arb witnesses")


def _certified(evaluated: int, free, t0: float, witnesses, cert, sides, kw, independent: str, method: str):
    """``proved`` with its certificate and independent witnesses, or ``unknown`` when fewer witness points than
    required could be enclosed (a certificate alone is not enough)."""
    if evaluated < (MIN_WITNESSES if free.symbols else 1):
        return unknown(f"only {evaluated} witness points could be enclosed (need {MIN_WITNESSES})",
                       method="certificate without enough witnesses", seconds=time.perf_counter() - t0,
                       witnesses=witnesses, certificate=cert, **kw)
    witnesses["independent"] = [independent]
    return proved(method, cert, witnesses, side_conditions=sides, seconds=time.perf_counter() - t0, **kw)


# ----------------------------------------------------------------------------- PSD
def _psd_point(M, pt):
    """Raise _Refuted if the matrix at the exact point is certainly not real PSD; return its min eigenvalue estimate."""
    import mpmath
    from flint import acb, arb, ctx as fctx, fmpq

    n = M.rows
    for prec in (WITNESS_BITS, 1024, 4096):
        vals = []
        try:
            for k in range(n * n):
                vals.append(enclose(M[k // n, k % n], pt, prec))
        except Undefined as exc:
            raise _Refuted(pt, {"undefined": f"entry {k // n},{k % n} is undefined here: {exc}"}) from None
        except Indeterminate:
            continue
        for k, v in enumerate(vals):
            if not is_real_ball(v) and not v.imag.contains(0):
                raise _Refuted(pt, {"value": ball_text(v), "enclosure": f"entry {k // n},{k % n} in {ball_text(v)} "
                                                                        "is not real: a PSD claim is about a real "
                                                                        "symmetric matrix"})
        if not all(is_real_ball(v) for v in vals):
            continue
        with mpmath.workdps(40):
            A = mpmath.matrix(n, n)
            for k, v in enumerate(vals):
                A[k // n, k % n] = mpmath.mpf(v.real.mid().str(45, radius=False))
            E, Q = mpmath.eigsy(A)
            i = min(range(n), key=lambda j: E[j])
            lam = E[i]
            if lam >= 0:
                return lam
            vec = [sympy.Rational(str(mpmath.nstr(Q[j, i], 30))).limit_denominator(10**9) for j in range(n)]
        old = fctx.prec
        fctx.prec = prec
        try:
            q = acb(0)
            for a in range(n):
                for b in range(n):
                    q += vals[a * n + b] * acb(arb(fmpq(int(vec[a].p), int(vec[a].q)))) * \
                        acb(arb(fmpq(int(vec[b].p), int(vec[b].q))))
        finally:
            fctx.prec = old
        if q.real < 0:
            raise _Refuted(pt, {"vector": "[" + ", ".join(map(str, vec)) + "]", "min_eigenvalue": mpmath.nstr(lam, 8),
                                "enclosure": f"v^T M v in {ball_text(q)} < 0 for the exact rational vector v"})
        return lam
    return None


def prove_psd(matrix, domain: Domain, *, statement: str = "", context: ProverContext | None = None) -> ProofResult:
    """Decide that the symmetric ``matrix`` is positive semidefinite at every point of ``domain``."""
    t0 = time.perf_counter()
    cache = context or default_context()
    try:
        M = sympy.ImmutableMatrix(matrix)
    except (TypeError, ValueError, sympy.SympifyError):
        raise InputError("a PSD claim needs a square matrix of expressions.") from None
    if M.rows != M.cols:
        raise InputError(f"a PSD claim needs a square matrix; got {M.rows}x{M.cols}.")
    free, entries = _prepare(domain, *list(M))
    M = sympy.ImmutableMatrix(M.rows, M.cols, entries)
    kw = dict(statement=statement or "matrix is positive semidefinite", domain=domain.to_json())
    bad = _undefined_exprs(entries)
    if bad is not None:
        return refuted("certified undefinedness: an entry is undefined at every point", _point_json(domain.fixed()),
                       {"undefined": f"{_short(bad, 80)} is undefined"}, seconds=time.perf_counter() - t0, **kw)
    if any(sympy.expand(M[i, j] - M[j, i]) != 0 for i in range(M.rows) for j in range(i)):
        return unknown("the matrix is not symmetric", seconds=time.perf_counter() - t0, **kw)
    pts = _witness_points(free, cache) if free.symbols else [{}]
    evaluated, min_eig = 0, None
    try:
        for pt in pts + (_random_points(free, 4) if free.symbols else []):
            m = _psd_point(M, pt)
            if m is None:
                continue
            evaluated += 1
            min_eig = m if min_eig is None else min(min_eig, m)
    except _Refuted as exc:
        return _refuted_result(exc, kw["statement"], kw["domain"], t0, what="v^T M v")
    import mpmath

    witnesses = {"points": evaluated, "dps": "arb balls (entries), mpmath eigsy at 40 digits", "bits": WITNESS_BITS,
                 "min_eigenvalue": mpmath.nstr(min_eig, 5) if min_eig is not None else None}
    lam = sympy.Dummy("lambda")
    actx = AlgebraicContext(free, cache=cache)
    try:
        sides = certify_all(entries, free, actx, real=True)
        cp = sympy.expand((lam * sympy.eye(M.rows) - M).det(method="berkowitz"))
        _const, facs = sympy.factor_list(cp, lam)
        eigs, cert = [], []
        for f, k in facs:
            deg = sympy.degree(f, lam)
            if deg == 0:
                continue
            if deg != 1:
                raise Unsupported(f"the characteristic polynomial has a factor of degree {deg} in lambda")
            a, b = sympy.Poly(f, lam).all_coeffs()
            eigs.append((sympy.cancel(-b / a), k))
        if sum(k for _, k in eigs) != M.rows:
            raise Unsupported("the eigenvalues found do not account for the whole dimension")
        cert.append("characteristic polynomial = " + " * ".join(f"(lambda - ({mu}))^{k}" for mu, k in eigs))
        for mu, k in eigs:
            sg = sign_of(actx.lift(mu), actx)
            if sg is None or sg[0] not in ("pos", "nonneg", "zero"):
                raise Unsupported(f"cannot show the eigenvalue {mu} is >= 0 on the domain")
            cert.append(f"eigenvalue {mu} (multiplicity {k}) is {sg[0]}: {explain(sg[1])}")
    except Unsupported as exc:
        return unknown(str(exc), seconds=time.perf_counter() - t0, witnesses=witnesses, **kw)
    sides = ["the matrix is real and symmetric on the domain, so PSD <=> every eigenvalue >= 0"] + sides
    return _certified(evaluated, free, t0, witnesses, cert, sides, kw,
                      f"at {evaluated} exact points the enclosed entries give a matrix whose least "
                      f"eigenvalue (mpmath eigsy) is >= {mpmath.nstr(min_eig, 3)}",
                      "eigenvalues from the factored characteristic polynomial + sign certificates + witnesses")


