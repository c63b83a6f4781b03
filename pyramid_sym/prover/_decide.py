"""Deciding ``lhs - rhs = 0`` symbolically, given that both sides are defined (and real where needed) on the domain.

Procedures, tried in order; each returns certificate lines or raises :class:`Unsupported`:

1. **same expression**;
2. **exponential normal form**: sin, cos, tan, sec, csc, cot are written with
   ``exp(i u)`` and the hyperbolic ones with ``exp(u)`` (Euler's formulas, valid for
   every complex u); ``exp`` of a sum becomes a product and ``exp(c m)`` a power of
   ``exp(m / d)``, with one d per monomial m over the whole claim; ``exp(c log u)``
   becomes the principal power ``u^c``; a power with a symbolic exponent is
   ``exp(e log b)`` (its principal value by definition); ``asinh``, ``acosh``,
   ``atanh`` become logarithms (valid on the real ranges certified beforehand);
   ``log`` of a product or power splits only where every factor is certified > 0.
   The remaining exponentials and functions are independent symbols (which is
   sound: an identity of rational functions in independent symbols holds for any
   values of them); radicals become basic radical symbols with their defining
   relations (:mod:`._algebra`), and the numerator of ``lhs - rhs`` must reduce to 0.
3. **a root by its power**: ``c*Q^(1/n) = B`` when ``B/c >= 0`` is certified on the
   domain and ``(B/c)^n - Q`` reduces to 0 (the non-negative n-th root is unique);
   this denests radicals such as ``sqrt(3 + 2 sqrt 2) = 1 + sqrt 2``;
4. **derivative and one value** (inverse functions, logarithms): on a box, a
   function continuous on the box (every sub-expression real, certified) whose
   partial derivatives vanish (by 2 or 3) is constant; its value at one exact
   point is decided by 1-3 or 5;
5. **closed algebraic numbers**: the minimal polynomial of ``lhs - rhs`` (SymPy,
   principal values; resultants and an exact choice of factor) is ``x``.
"""

from __future__ import annotations

import sympy

from ..domain import Domain, Interval
from ._algebra import AlgebraicContext
from ._result import Unsupported
from ._semantics import NONNEG, POSITIVE, Condition, certify, certify_all
from ._sign import sign_of

__all__ = ["decide_zero", "to_exponential"]


class _E(sympy.Function):
    """exp(v) kept unevaluated until every exponential of the claim is known."""


def _rewrite(e, actx_real):
    """Trigonometric and hyperbolic functions to _E; inverse hyperbolic to logs; symbolic powers to _E(e log b)."""
    if e.is_Atom:
        return e
    args = [_rewrite(a, actx_real) for a in e.args]
    name = type(e).__name__
    I = sympy.I
    if e.is_Pow:
        b, ex = args
        if ex.is_Rational:
            return b**ex
        return _E(ex * sympy.log(b))
    if isinstance(e, sympy.Function) and len(args) == 1:
        u = args[0]
        if name == "exp":
            return _E(u)
        if name in ("sin", "cos", "tan", "sec", "csc", "cot"):
            p, m = _E(I * u), _E(-I * u)
            s, c = (p - m) / (2 * I), (p + m) / 2
            return {"sin": s, "cos": c, "tan": s / c, "sec": 1 / c, "csc": 1 / s, "cot": c / s}[name]
        if name in ("sinh", "cosh", "tanh", "sech", "csch", "coth"):
            p, m = _E(u), _E(-u)
            s, c = (p - m) / 2, (p + m) / 2
            return {"sinh": s, "cosh": c, "tanh": s / c, "sech": 1 / c, "csch": 1 / s, "coth": c / s}[name]
        # real ranges of these were certified before (conditions(real=True))
        if name == "asinh":
            return sympy.log(u + sympy.sqrt(u**2 + 1))
        if name == "acosh":
            return sympy.log(u + sympy.sqrt(u - 1) * sympy.sqrt(u + 1))
        if name == "atanh":
            return (sympy.log(1 + u) - sympy.log(1 - u)) / 2
        if name == "log":
            return _split_log(u, actx_real)
    return e.func(*args)


def _split_log(u, actx_real):
    """log(u) with u > 0 certified: log of a product/power split where every factor is certified > 0."""
    def pos(f):
        if f.is_Rational:
            return f > 0
        try:
            s = sign_of(actx_real.lift(f), actx_real)
        except Unsupported:
            return False
        return s is not None and s[0] == "pos"

    if isinstance(u, _E):
        arg = u.args[0]
        if not arg.has(sympy.I) and not arg.has(_E) and _real_on_domain(arg, actx_real):
            return arg  # log(exp(v)) = v for real v
    if u.is_Rational and u > 0 and u != 1:
        n, d = u.p, u.q
        out = 0
        for part, sgn in ((n, 1), (d, -1)):
            for prime, k in sympy.factorint(part).items():
                out += sgn * k * sympy.log(sympy.Integer(prime), evaluate=False)
        return out
    if u.is_Pow and u.exp.is_Rational and pos(u.base):
        return u.exp * _split_log(u.base, actx_real)
    if u.is_Mul:
        fs = u.args
        if all(pos(f) for f in fs):
            return sympy.Add(*[_split_log(f, actx_real) for f in fs])
        # an even number of negative factors: split their negations
    return sympy.log(u)


def _real_on_domain(v, actx_real) -> bool:
    """Every sub-expression of v is real on the domain (the real conditions certified)."""
    try:
        certify_all([v], actx_real.domain, actx_real, real=True)
        return True
    except Unsupported:
        return False


def _exp_terms(v):
    """(monomial, rational coefficient) pairs of an exponent."""
    out = []
    for t in sympy.Add.make_args(sympy.expand(v)):
        c, m = t.as_coeff_Mul()
        if not c.is_Rational:
            c, m = sympy.Integer(1), t
        out.append((m, c))
    return out


_MAX_EXP_POWER = 512


def to_exponential(exprs, actx_real):
    """Rewrite the expressions to a common exponential normal form (see module docstring)."""
    rew = [_rewrite(sympy.sympify(e), actx_real) for e in exprs]
    dens: dict = {}
    for r in rew:
        for node in r.atoms(_E):
            for m, c in _exp_terms(node.args[0]):
                if isinstance(m, sympy.log) or m == 1 and False:
                    continue
                dens[m] = sympy.ilcm(dens.get(m, 1), c.q)
    atoms: dict = {}

    def exp_of(v):
        out = sympy.Integer(1)
        for m, c in _exp_terms(v):
            if isinstance(m, sympy.log):
                out *= m.args[0] ** c  # exp(c log u) = u^c, the principal power
                continue
            # a monomial met only after an inner exponential became its symbol (exp(exp(x))) gets its own
            # denominator: its powers are then independent symbols, which is sound (less complete)
            d = dens.get(m) or c.q
            if abs(c * d) > _MAX_EXP_POWER:
                # exp(10^20) as exp(1)^(10^20) would be a polynomial of that degree: its own symbol
                # (independent of exp(m / d): sound, less complete)
                d = c.q
                if abs(c * d) > _MAX_EXP_POWER:
                    d = sympy.Integer(1) / abs(c)
            key = m / d
            if key not in atoms:
                val = sympy.exp(key)
                atoms[key] = val if (val.is_Rational or val == sympy.I or val == -sympy.I or val == -1) else \
                    sympy.Dummy(f"E{len(atoms) + 1}")
            out *= atoms[key] ** int(c * d)
        return out

    out = []
    for r in rew:
        out.append(r.replace(lambda n: isinstance(n, _E), lambda n: exp_of(n.args[0])))
    names = {k: v for k, v in atoms.items() if isinstance(v, sympy.Dummy)}
    return out, names


def _algebraic_zero(l, r, free, actx_real, cache) -> list[str]:
    (L, R), names = to_exponential([l, r], actx_real)
    ctx = AlgebraicContext(free, cache=cache, complex_ok=True)
    num, den = sympy.fraction(sympy.together(ctx.lift(L) - ctx.lift(R)))
    nf = ctx.reduce(sympy.expand(num))
    if nf != 0:
        raise Unsupported(f"the numerator of lhs - rhs does not reduce to 0 (normal form {_short(nf)})")
    lines = []
    if names:
        lines.append("exponential normal form: " + ", ".join(f"{v.name} = exp({k})" for k, v in names.items())
                     + " (Euler's formulas; exp of a sum is a product)")
    lines += [f"radical {n}" for n in ctx.notes if "opaque" not in n]
    opq = [n for n in ctx.notes if "opaque" in n]
    if opq:
        lines.append("independent symbols: " + "; ".join(n.split(" (")[0] for n in opq))
    n_terms = len(sympy.Add.make_args(sympy.expand(num)))
    lines.append(f"numerator of lhs - rhs ({n_terms} terms) reduces to 0 modulo {{{ctx.relation_text()}}}")
    return lines


def _root_form(e):
    """(c, Q, n) when e = c * Q^(1/n) with c rational, else None."""
    c, rest = e.as_coeff_Mul()
    if rest.is_Pow and rest.exp.is_Rational and rest.exp.p == 1 and rest.exp.q >= 2 and c != 0:
        return c, rest.base, int(rest.exp.q)
    return None


def _by_power(l, r, free, actx_real, cache, depth) -> list[str]:
    for A, B in ((l, r), (r, l)):
        rf = _root_form(A)
        if rf is None:
            continue
        c, Q, n = rf
        Bc = sympy.expand(B / c)
        try:
            why = certify(Condition(Bc, NONNEG, "the other side over the root's factor"), free, actx_real)
            inner = decide_zero(sympy.expand(Bc**n), Q, free, actx_real, cache, depth + 1)
        except Unsupported:
            continue
        return [f"{A} is {c}*({Q})^(1/{n}); ({Bc})^{n} = {Q} and {why}, so the non-negative root is {Bc}"] + \
            [f"  {x}" for x in inner]
    raise Unsupported("no side is a root that its power decides")


def _trig_of_rational_pi(f) -> bool:
    if not isinstance(f, (sympy.sin, sympy.cos, sympy.tan)):
        return False
    q = f.args[0] / sympy.pi
    return q.is_Rational and q.q <= 60


def _closed_algebraic(l, r) -> list[str]:
    v = l - r
    if not v.is_number or any(not _trig_of_rational_pi(f) for f in v.atoms(sympy.Function)):
        raise Unsupported("not a closed algebraic number")
    if v.count_ops() > 80:
        raise Unsupported("a closed number too large for its minimal polynomial")
    x = sympy.Dummy("x")
    try:
        mp = sympy.minimal_polynomial(v, x)
    except Exception:  # noqa: BLE001 - outside sympy's algebraic numbers
        raise Unsupported("the minimal polynomial of lhs - rhs is not available") from None
    if mp != x:
        raise Unsupported(f"lhs - rhs is a nonzero algebraic number (minimal polynomial {mp})")
    return ["lhs - rhs is an algebraic number with minimal polynomial x (principal values; resultants; sin and cos "
            "of rational multiples of pi are algebraic), so it is 0"]


def _atan_constant(l, r) -> list[str]:
    """sum n_k atan(q_k) + c pi = 0 for integers n_k, rationals q_k and c: the product of (1 + i q_k)^(n_k)
    is real exactly when the sum is a multiple m pi of pi; a ball of the sum over pi fixes m."""
    v = sympy.expand(l - r)
    terms, c = [], sympy.Integer(0)
    for t in sympy.Add.make_args(v):
        if t.is_Rational and t == 0:
            continue
        k, rest = t.as_coeff_Mul()
        if rest == sympy.pi and k.is_Rational:
            c += k
        elif isinstance(rest, sympy.atan) and k.is_Integer and rest.args[0].is_Rational and abs(k) <= 12:
            terms.append((int(k), rest.args[0]))
        else:
            raise Unsupported("not a sum of arctangents of rationals and a rational multiple of pi")
    if not terms or c.q > 12 or sum(abs(n) for n, _ in terms) > 24:
        raise Unsupported("not a sum of arctangents of rationals and a simple rational multiple of pi")
    # arg(prod (1 + i q)^n * exp(i c pi)) = sum n atan(q) + c pi (mod 2 pi)
    prod = sympy.Integer(1)
    for n, q in terms:
        z = 1 + sympy.I * q
        prod = sympy.expand(prod * (z**n if n > 0 else 1 / z**(-n)))
    prod = sympy.expand(prod * (sympy.cos(c * sympy.pi) + sympy.I * sympy.sin(c * sympy.pi)))
    if prod.has(sympy.cos, sympy.sin) or sympy.expand(sympy.im(prod)) != 0:
        raise Unsupported("the product of (1 + i q) is not real: the arctangents do not sum to a multiple of pi")
    from flint import arb, fmpq, ctx as flint_ctx
    old = flint_ctx.prec
    flint_ctx.prec = 128
    try:
        total = sum((n * arb(fmpq(int(q.p), int(q.q))).atan() for n, q in terms), arb(0)) / arb.pi()
        if not (abs(total + arb(fmpq(int(c.p), int(c.q)))) < arb(fmpq(1, 4))):
            raise Unsupported("the arctangents sum to another multiple of pi")
    finally:
        flint_ctx.prec = old
    return [f"prod (1 + i q)^n * exp(i pi ({c})) = {prod} is real, so lhs - rhs is a multiple of pi; an arb ball "
            f"of (lhs - rhs)/pi lies within 1/4 of 0, so it is 0"]


def _inverse_pairs(e, free, actx_real, notes: list):
    """F^-1(F(u)) -> u where the principal branch returns u: u real (asinh, atanh, log of exp) and, for asin,
    acos, atan and acosh, u certified in [-pi/2, pi/2], [0, pi], (-pi/2, pi/2) or [0, oo)."""
    from ._sign import is_real
    if e.is_Atom:
        return e
    args = [_inverse_pairs(a, free, actx_real, notes) for a in e.args]
    e = e.func(*args) if tuple(args) != e.args else e
    pairs = {"asin": "sin", "acos": "cos", "atan": "tan", "asinh": "sinh", "atanh": "tanh", "acosh": "cosh",
             "log": "exp"}
    name = type(e).__name__
    if name not in pairs or len(e.args) != 1 or type(e.args[0]).__name__ != pairs[name]:
        return e
    u = e.args[0].args[0]
    if not is_real(u, actx_real):
        return e
    half = sympy.pi / 2
    need = {"asin": [(half - u, NONNEG), (u + half, NONNEG)], "acos": [(u, NONNEG), (sympy.pi - u, NONNEG)],
            "atan": [(half - u, POSITIVE), (u + half, POSITIVE)], "acosh": [(u, NONNEG)]}.get(name, [])
    whys = []
    try:
        for expr, kind in need:
            whys.append(certify(Condition(expr, kind, f"the range of the principal {name}"), free, actx_real))
    except Unsupported:
        return e
    notes.append(f"{name}({pairs[name]}(u)) = u for u = {u}: u is real" + (f"; {'; '.join(whys)}" if whys else ""))
    return u


_BASE_POINTS = (0, 1, -1, sympy.Rational(1, 2), 2, -2)


def _hull(iv, c):
    """The smallest interval containing ``iv`` and the point ``c`` (c's end closed)."""
    if iv.contains(c):
        return iv
    if c <= iv.lo:
        return Interval(c, iv.hi, False, iv.hi_open)
    return Interval(iv.lo, c, iv.lo_open, False)


def _base_points(free, used):
    """(point, box) pairs: a simple exact point (in the domain or just outside) and the box that joins them."""
    out = []
    for k in range(len(_BASE_POINTS)):
        pt, items = {}, []
        for s, iv in free:
            if s not in used:
                items.append((s, iv))
                continue
            c = sympy.sympify(_BASE_POINTS[k])
            pt[s] = c
            items.append((s, _hull(iv, c)))
        out.append((pt, Domain(items)))
    # a point inside the domain as the last resort
    pt = {}
    for s, iv in free:
        if s not in used:
            continue
        lo = iv.lo if not iv.lo.is_infinite else iv.hi - 2
        hi = iv.hi if not iv.hi.is_infinite else lo + 2
        pt[s] = (lo + hi) / 2
    out.append((pt, free))
    return out


def _by_derivative(l, r, free, actx_real, cache, depth) -> list[str]:
    if not free.symbols:
        raise Unsupported("no variable to differentiate by")
    if (l - r).has(sympy.Abs):
        raise Unsupported("abs is not differentiable everywhere")
    # both sides are defined on the domain (certified by the caller), so lhs - rhs equals the difference D
    # as SymPy forms it (terms common to both sides cancel); D continuous on a box containing the domain
    # with zero partial derivatives and D(p0) = 0 gives D = 0
    D = l - r
    used = D.free_symbols
    diffs = [(s, sympy.diff(D, s)) for s in free.symbols if s in used]
    last = "no base point"
    for tries, (p0, box) in enumerate(_base_points(free, used)):
        if tries >= 4:
            break
        try:
            actx = AlgebraicContext(box, cache=cache)
            conts = certify_all((D,), box, actx, real=True)
            where_box = ", ".join(f"{s} in {iv}" for s, iv in box)
            lines = [f"on the box {where_box} (it contains the domain; connected) lhs - rhs is continuous: every "
                     f"sub-expression is real there ({len(conts)} conditions shown)"]
            for s, d in diffs:
                inner = decide_zero(d, sympy.Integer(0), box, actx, cache, depth + 1, derivative=False)
                lines.append(f"d(lhs - rhs)/d{s} = 0:")
                lines += [f"  {x}" for x in inner]
            l0, r0 = D.xreplace(p0), sympy.Integer(0)
            if l0.free_symbols:
                raise Unsupported("the base point does not fix every variable")
            inner = decide_zero(l0, r0, Domain([]), actx, cache, depth + 1, derivative=False)
            where = ", ".join(f"{k} = {v}" for k, v in p0.items())
            lines.append(f"at {where}: {l0} = {r0}:")
            lines += [f"  {x}" for x in inner]
            return lines
        except Unsupported as exc:
            last = str(exc)
    raise Unsupported(last)


def decide_zero(l, r, free, actx_real, cache, depth: int = 0, derivative: bool = True) -> list[str]:
    """Certificate lines for ``l = r`` on ``free`` (definedness handled by the caller), or Unsupported."""
    l, r = sympy.sympify(l), sympy.sympify(r)
    if l == r:
        return ["both sides are the same expression"]
    if depth > 3:
        raise Unsupported("too deep")
    reasons = []
    if depth == 0 and (l - r).has(sympy.asin, sympy.acos, sympy.atan, sympy.asinh, sympy.atanh, sympy.acosh,
                                  sympy.log):
        notes: list = []
        l2, r2 = _inverse_pairs(l, free, actx_real, notes), _inverse_pairs(r, free, actx_real, notes)
        if notes:
            try:
                return notes + decide_zero(l2, r2, free, actx_real, cache, depth + 1, derivative)
            except Unsupported as exc:
                reasons.append(str(exc))
    procs = [_algebraic_zero]
    for proc in procs:
        try:
            return proc(l, r, free, actx_real, cache)
        except Unsupported as exc:
            reasons.append(str(exc))
    try:
        return _by_power(l, r, free, actx_real, cache, depth)
    except Unsupported as exc:
        reasons.append(str(exc))
    if not (l - r).free_symbols:
        for proc in (_closed_algebraic, _atan_constant):
            try:
                return proc(l, r)
            except Unsupported as exc:
                reasons.append(str(exc))
    elif derivative and (l - r).has(sympy.Function, sympy.Pow):
        try:
            return _by_derivative(l, r, free, actx_real, cache, depth)
        except Unsupported as exc:
            reasons.append(f"derivative: {exc}")
    raise Unsupported(reasons[0])


def _short(e, limit: int = 160) -> str:
    if isinstance(e, sympy.Basic):
        e = e.xreplace({d: sympy.Symbol(d.name) for d in e.atoms(sympy.Dummy)})
    s = str(e)
    return s if len(s) <= limit else s[: limit - 3] + "..."
