"""Sign certificates on a domain: each answer comes with the reason it holds.

Kinds: ``pos`` (> 0 on the whole domain), ``nonneg`` (>= 0), ``neg``, ``nonpos``,
``zero``; ``None`` when undecided.  Rules, tried in order:

* numbers; domain variables (from their interval); radical symbols (> 0 when their
  radicand is > 0 on the domain);
* products and integer powers (sign rules);
* sums whose terms all have the same sign;
* a sum with a denominator: sign of numerator times sign of denominator;
* polynomials in one variable: Sturm's theorem counts the real roots in the
  interval exactly (``Poly.count_roots``), plus the sign at one interior point;
* polynomials in several variables on a box: each variable is mapped onto
  (0, oo) by ``x = (a + b y)/(1 + y)``; if every coefficient of the cleared
  numerator has the same sign, so has the polynomial on the open box (Polya);
  closed faces are checked recursively;
* sums mixing radicals: with P the non-negative terms and Q the non-positive ones,
  ``sign(P - |Q|) = sign(P**2 - Q**2)``, reduced modulo the radicals' relations.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import sympy

if TYPE_CHECKING:  # the context is passed in; no import at run time (no cycle)
    from ._algebra import AlgebraicContext

__all__ = ["sign_of", "sign_of_polynomial", "satisfies"]

_POS, _NONNEG, _NEG, _NONPOS, _ZERO = "pos", "nonneg", "neg", "nonpos", "zero"
_MAX_DEPTH = 4


def satisfies(kind: str | None, relation: str) -> bool:
    """Whether a sign kind establishes ``expr <relation> 0``."""
    if kind is None:
        return False
    return {
        ">": kind == _POS,
        ">=": kind in (_POS, _NONNEG, _ZERO),
        "<": kind == _NEG,
        "<=": kind in (_NEG, _NONPOS, _ZERO),
        "!=": kind in (_POS, _NEG),
        "==": kind == _ZERO,
    }[relation]


def _num_sign(v) -> str:
    return _POS if v > 0 else _NEG if v < 0 else _ZERO


def _flip(kind: str) -> str:
    return {_POS: _NEG, _NEG: _POS, _NONNEG: _NONPOS, _NONPOS: _NONNEG, _ZERO: _ZERO}[kind]


def _mul(a: str, b: str) -> str:
    if _ZERO in (a, b):
        return _ZERO
    neg = (a in (_NEG, _NONPOS)) != (b in (_NEG, _NONPOS))
    strict = a in (_POS, _NEG) and b in (_POS, _NEG)
    if neg:
        return _NEG if strict else _NONPOS
    return _POS if strict else _NONNEG


def _add(kinds: list[str]) -> str | None:
    nz = [k for k in kinds if k != _ZERO]
    if not nz:
        return _ZERO
    if all(k in (_POS, _NONNEG) for k in nz):
        return _POS if _POS in nz else _NONNEG
    if all(k in (_NEG, _NONPOS) for k in nz):
        return _NEG if _NEG in nz else _NONPOS
    return None


def _interval_sign(iv) -> str | None:
    lo, hi = iv.lo, iv.hi
    if lo > 0 or (lo == 0 and iv.lo_open):
        return _POS
    if lo >= 0:
        return _NONNEG
    if hi < 0 or (hi == 0 and iv.hi_open):
        return _NEG
    if hi <= 0:
        return _NONPOS
    return None


def sign_of(e, ctx: "AlgebraicContext", depth: int = 0) -> tuple[str, str] | None:
    """Sign of a lifted expression (domain variables, radical symbols) on ``ctx.domain``, with a reason."""
    e = sympy.sympify(e)
    key = (e, depth)
    if key in ctx._sign_cache:
        return ctx._sign_cache[key]
    res = _sign_of(e, ctx, depth)
    ctx._sign_cache[key] = res
    return res


def _sign_of(e, ctx: "AlgebraicContext", depth: int):
    if e.is_Number:
        if not e.is_real:
            return None
        return _num_sign(e), ()
    if e.is_Symbol:
        rads = ctx.radical_symbols
        if e in rads:
            r = rads[e]
            return (_POS if r.strict else _NONNEG), ()
        if e in ctx.domain:
            iv = ctx.domain[e]
            k = _interval_sign(iv)
            return (k, (f"{e} in {iv}",)) if k else None
        ops = ctx.opaque_symbols
        if e in ops:
            return _function_sign(ops[e], ctx, depth)
        return None
    if e.is_Pow and e.exp.is_Integer:
        b = sign_of(e.base, ctx, depth)
        if b is None:
            return None
        kind, why = b
        ex = int(e.exp)
        if ex < 0 and kind not in (_POS, _NEG):
            return None  # a denominator that may vanish
        if ex % 2 == 0:
            return (_POS if kind in (_POS, _NEG) else _NONNEG), why
        return kind, why
    if e.is_Mul:
        kind, whys = _POS, ()
        for a in e.args:
            s = sign_of(a, ctx, depth)
            if s is None:
                return None
            kind = _mul(kind, s[0])
            whys += s[1]
        return kind, _uniq(whys)
    if e.is_Add:
        return _sign_of_add(e, ctx, depth)
    return None


def _has_sign(e, ctx, depth, kinds) -> bool:
    try:
        s = sign_of(ctx.lift(e), ctx, depth)
    except Exception:  # noqa: BLE001 - outside the method: not shown
        return False
    return s is not None and s[0] in kinds


def is_real(e, ctx: "AlgebraicContext", depth: int = 0) -> bool:
    """``e`` is real at every point of the domain (a sufficient check: real arguments in the real ranges)."""
    e = sympy.sympify(e)
    if depth > _MAX_DEPTH + 2:
        return False
    if e.is_Rational or e in (sympy.pi, sympy.E):
        return True
    if e.is_Symbol:
        return e in ctx.domain
    if e.is_Add or e.is_Mul:
        return all(is_real(a, ctx, depth) for a in e.args)
    if e.is_Pow:
        b, x = e.args
        if not is_real(b, ctx, depth):
            return False
        if x.is_Integer:
            return True
        if x.is_Rational:
            return _has_sign(b, ctx, depth + 1, (_POS, _NONNEG, _ZERO) if x > 0 else (_POS,))
        return is_real(x, ctx, depth) and _has_sign(b, ctx, depth + 1, (_POS,))
    if not isinstance(e, sympy.Function) or len(e.args) != 1:
        return False
    u = e.args[0]
    if not is_real(u, ctx, depth + 1):
        return False
    name = type(e).__name__
    if name in ("exp", "sin", "cos", "tan", "sinh", "cosh", "tanh", "atan", "asinh", "Abs"):
        return True
    if name == "log":
        return _has_sign(u, ctx, depth + 1, (_POS,))
    if name in ("asin", "acos"):
        return _has_sign(1 - u, ctx, depth + 1, (_POS, _NONNEG, _ZERO)) and \
            _has_sign(1 + u, ctx, depth + 1, (_POS, _NONNEG, _ZERO))
    if name == "acosh":
        return _has_sign(u - 1, ctx, depth + 1, (_POS, _NONNEG, _ZERO))
    if name == "atanh":
        return _has_sign(1 - u, ctx, depth + 1, (_POS,)) and _has_sign(1 + u, ctx, depth + 1, (_POS,))
    return False


def _function_sign(f, ctx: "AlgebraicContext", depth: int):
    """Sign of an elementary function of a real argument, from the sign of its argument."""
    if depth >= _MAX_DEPTH or not f.args or f.has(sympy.I):
        return None
    name = type(f).__name__
    if name in ("exp", "cosh", "acos", "acosh") and not is_real(f, ctx, depth + 1):
        return None
    if name in ("exp", "cosh"):
        return _POS, (f"{name}(real) > 0",)
    if name in ("acos", "acosh"):
        return _NONNEG, (f"{name} >= 0 (principal value)",)
    arg = f.args[0]
    if not is_real(f, ctx, depth + 1):
        return None  # a non-real value has no sign
    try:
        inner = ctx.lift(arg - 1 if name == "log" else arg)
    except Exception:  # noqa: BLE001 - an argument outside the method: no sign
        return None
    s = sign_of(inner, ctx, depth + 1)
    if s is None:
        return None
    if name in ("sinh", "tanh", "atan", "asinh", "asin", "atanh", "log"):
        rule = "log(u) has the sign of u - 1" if name == "log" else f"{name}(u) has the sign of u"
        return s[0], _uniq(s[1] + (rule,))
    return None


_BOUNDED = {"tanh": (sympy.Integer(1), True), "atan": (sympy.pi / 2, True), "sin": (sympy.Integer(1), False),
            "cos": (sympy.Integer(1), False)}


def _bounded_sign(e, ctx: "AlgebraicContext", depth: int):
    """c + k F(u) with F bounded on real arguments (|tanh| < 1, |atan| < pi/2, |sin|, |cos| <= 1): the sign of c
    when |c| exceeds |k| times the bound."""
    terms = sympy.Add.make_args(e)
    c = sympy.Add(*[t for t in terms if t.is_number])
    rest = sympy.Add(*[t for t in terms if not t.is_number])
    if c == 0 or not c.is_number or c.has(sympy.I) or rest.is_Add:
        return None
    k, f = rest.as_coeff_Mul()
    f = ctx.opaque_symbols.get(f, f)
    name = type(f).__name__
    if name not in _BOUNDED or not k.is_number or not is_real(f, ctx, depth + 1):
        return None
    bound, is_open = _BOUNDED[name]
    m = abs(k) * bound
    try:
        beyond = bool(abs(c) > m) or (is_open and bool(abs(c) >= m))
    except TypeError:
        return None
    if not beyond:
        return None
    why = f"|{name}| {'<' if is_open else '<='} {bound} for a real argument, and |{c}| {'>=' if is_open else '>'} {m}"
    return (_POS if c > 0 else _NEG), (why,)


def _sign_of_add(e, ctx: "AlgebraicContext", depth: int):
    b = _bounded_sign(e, ctx, depth)
    if b is not None:
        return b
    parts = [sign_of(a, ctx, depth) for a in e.args]
    if all(p is not None for p in parts):
        k = _add([p[0] for p in parts])
        if k is not None:
            return k, _uniq(sum((p[1] for p in parts), ()))
    has_den = any(p.exp.is_negative for p in e.atoms(sympy.Pow))
    num, den = sympy.fraction(sympy.together(e)) if has_den else (e, sympy.Integer(1))
    if den != 1:
        sd = sign_of(den, ctx, depth)
        if sd is None or sd[0] not in (_POS, _NEG):
            return None
        sn = sign_of(ctx.reduce(num), ctx, depth)
        if sn is None:
            return None
        return _mul(sn[0], sd[0]), _uniq(sn[1] + sd[1])
    rad_syms = [s for s in ctx.radical_symbols if e.has(s)]
    if not rad_syms and not any(e.has(o) for o in ctx.opaque.values()):
        return sign_of_polynomial(e, ctx)
    if depth >= _MAX_DEPTH or not rad_syms:
        # without a radical symbol there is nothing to group by (a Poly without generators would
        # take the opaque symbols as its generators and drop them from the terms)
        return None
    f = sympy.factor(e)
    if not f.is_Add and f != e:
        s = sign_of(f, ctx, depth + 1)
        if s is not None:
            return s
    # group by radical monomial; each coefficient is a polynomial in the domain variables
    poly = sympy.Poly(sympy.expand(e), *rad_syms)
    pos_terms, neg_terms, whys, strict = [], [], (), False
    for monom, coeff in poly.terms():
        term = coeff * sympy.Mul(*[g**k for g, k in zip(rad_syms, monom)])
        sc = sign_of_polynomial(coeff, ctx) if not coeff.has(*ctx.opaque.values()) else None
        if sc is None:
            sc = sign_of(coeff, ctx, depth + 1)
        if sc is None:
            return None
        kind = sc[0]
        if kind == _ZERO:
            continue
        whys += sc[1]
        mono_strict = all(ctx.radical_symbols[g].strict for g, k in zip(rad_syms, monom) if k)
        strict = strict or (kind in (_POS, _NEG) and mono_strict)
        if kind in (_POS, _NONNEG):
            pos_terms.append(term)
        else:
            neg_terms.append(-term)
    P, Q = sympy.Add(*pos_terms), sympy.Add(*neg_terms)
    if not pos_terms and not neg_terms:
        return _ZERO, ("every coefficient vanishes",)
    if not pos_terms or not neg_terms:
        # one sign throughout; strict when one coefficient is strict (radical monomials are > 0)
        if pos_terms:
            return (_POS if strict else _NONNEG), _uniq(whys)
        return (_NEG if strict else _NONPOS), _uniq(whys)
    T = ctx.reduce(sympy.expand(P**2 - Q**2))
    st = sign_of(T, ctx, depth + 1)
    if st is None:
        return None
    kind = st[0]
    reason = _uniq(whys + (f"{_short(P)} - ({_short(Q)}) has the sign of the difference of squares "
                           f"{_short(T)}",) + st[1])
    if kind == _POS:
        return _POS, reason  # P^2 > Q^2 >= 0 gives P > Q
    if kind == _NEG:
        return _NEG, reason
    if kind == _NONNEG:
        return _NONNEG, reason
    if kind == _NONPOS:
        return _NONPOS, reason
    return _ZERO, reason


def _uniq(facts: tuple) -> tuple:
    return tuple(dict.fromkeys(facts))


def explain(reason: tuple) -> str:
    """One line from a tuple of facts."""
    return "; ".join(reason) if reason else "by the sign rules"


def _short(e, limit: int = 80) -> str:
    if isinstance(e, sympy.Basic):
        e = e.xreplace({d: sympy.Symbol(d.name) for d in e.atoms(sympy.Dummy)})
    s = str(e)
    return s if len(s) <= limit else s[: limit - 3] + "..."


def sign_of_polynomial(f, ctx: "AlgebraicContext") -> tuple[str, str] | None:
    """Sign of a polynomial in the domain variables (radical symbols allowed as positive variables)."""
    f = sympy.expand(sympy.sympify(f))
    key = ("poly", f)
    if key in ctx._sign_cache:
        return ctx._sign_cache[key]
    rads = ctx.radical_symbols
    pure = not any(s in rads for s in f.free_symbols)
    gkey = (f, ctx.domain)
    if pure and gkey in ctx.cache.poly_signs:
        res = ctx.cache.poly_signs.get(gkey)
    else:
        res = _sign_of_polynomial(f, ctx)
        if pure:
            ctx.cache.poly_signs[gkey] = res
    ctx._sign_cache[key] = res
    return res



def _sign_of_polynomial(f, ctx: "AlgebraicContext"):
    if f.is_Number:
        return _num_sign(f), ()
    free = f.free_symbols
    rads = ctx.radical_symbols
    dom_vars = [s for s in free if s in ctx.domain]
    if any(s not in ctx.domain and s not in rads for s in free):
        return None
    if any(s in rads and not rads[s].strict for s in free):
        return None
    # structural: factor, then each factor
    c, facs = sympy.factor_list(f)
    if len(facs) > 1 or (facs and facs[0][1] > 1):
        kind, whys = _num_sign(c), ()
        for g, k in facs:
            s = sign_of_polynomial(g, ctx)
            if s is None:
                return None
            gk = s[0] if k % 2 else (_POS if s[0] in (_POS, _NEG) else _NONNEG)
            kind = _mul(kind, gk)
            whys += s[1]
        return kind, _uniq(whys)
    if len(dom_vars) == 1 and not any(s in rads for s in free):
        return _univariate(f, dom_vars[0], ctx.domain[dom_vars[0]])
    return _polya(f, ctx)


def _univariate(f, x, iv):
    P = sympy.Poly(f, x)
    lo, hi = iv.lo, iv.hi
    inf = None if lo.is_infinite else lo
    sup = None if hi.is_infinite else hi
    total = P.count_roots(inf, sup)
    at_lo = inf is not None and P.eval(lo) == 0
    at_hi = sup is not None and P.eval(hi) == 0
    interior = total - int(at_lo) - int(at_hi)
    if interior > 0:
        return None
    if inf is not None and sup is not None:
        mid = (lo + hi) / 2
    elif inf is not None:
        mid = lo + 1
    elif sup is not None:
        mid = hi - 1
    else:
        mid = sympy.Integer(0)
    v = P.eval(mid)
    kind = _num_sign(v)
    where = f"{x} in {iv}"
    if kind == _ZERO:  # cannot happen without an interior root
        return None
    g = f if kind == _POS else sympy.expand(-f)
    reason = f"{g} > 0 for {where} (Sturm: no root inside, > 0 at {x} = {mid})"
    vanish = (at_lo and not iv.lo_open) or (at_hi and not iv.hi_open)
    if vanish:
        kind = _NONNEG if kind == _POS else _NONPOS
        reason = f"{g} >= 0 for {where} (Sturm: no root inside, > 0 at {x} = {mid}, 0 at a closed end)"
    return kind, (reason,)


def _polya(f, ctx: "AlgebraicContext"):
    """All coefficients of one sign after mapping each domain variable onto (0, oo)."""
    rads = ctx.radical_symbols
    dom_vars = sorted([s for s in f.free_symbols if s in ctx.domain], key=str)
    subs, ys = {}, []
    for x in dom_vars:
        iv = ctx.domain[x]
        y = sympy.Dummy(f"y_{x}", positive=True)
        ys.append(y)
        if not iv.lo.is_infinite and not iv.hi.is_infinite:
            subs[x] = (iv.lo + iv.hi * y) / (1 + y)
        elif not iv.lo.is_infinite:
            subs[x] = iv.lo + y
        elif not iv.hi.is_infinite:
            subs[x] = iv.hi - y
        else:
            return None
    g = sympy.together(f.xreplace(subs))
    num, den = sympy.fraction(g)
    # den is a product of powers of (1 + y): positive
    gens = ys + [s for s in f.free_symbols if s in rads]
    if not gens:
        return _num_sign(sympy.expand(num)), ()
    coeffs = sympy.Poly(sympy.expand(num), *gens).coeffs()
    if all(c >= 0 for c in coeffs):
        kind = _POS
    elif all(c <= 0 for c in coeffs):
        kind = _NEG
    else:
        return None
    reason = (f"{f} {'> 0' if kind == _POS else '< 0'}: after mapping {', '.join(map(str, dom_vars))} onto "
              f"(0, oo) every coefficient is {'>= 0' if kind == _POS else '<= 0'} (Polya)")
    # closed faces: the polynomial on each closed end must keep the strict sign
    for x in dom_vars:
        iv = ctx.domain[x]
        for end, is_open in ((iv.lo, iv.lo_open), (iv.hi, iv.hi_open)):
            if is_open or end.is_infinite:
                continue
            face = sympy.expand(f.xreplace({x: end}))
            s = sign_of_polynomial(face, ctx)
            if s is None or s[0] not in ((_POS,) if kind == _POS else (_NEG,)):
                kind = _NONNEG if kind == _POS else _NONPOS
                reason += f"; on the face {x} = {end} only non-strict"
    return kind, (reason,)
