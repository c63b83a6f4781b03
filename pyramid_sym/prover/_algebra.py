"""Radicals as symbols with defining relations, and reduction modulo those relations.

Every radical ``B**(p/q)`` of an expression is rewritten over a set of *basic*
radicals ``w = f**(1/q)``, one per irreducible factor ``f`` of the radicand whose
sign on the domain has been proved (and made positive by a sign flip), and one
per prime of the rational constant.  So ``sqrt(1 - 1/gamma)`` on ``gamma < 0``
becomes ``w1 / (-gamma) * w2`` with ``w1**2 = 1 - gamma`` and ``w2**2 = -gamma``:
the multiplicative relations between radicals become explicit, which a bare
ideal of squares would miss.  The rewriting ``sqrt(a b) = sqrt(a) sqrt(b)`` is
valid because every factor is non-negative on the domain, and it is recorded in
the certificate.

The relations ``w**q - f`` have pairwise coprime leading monomials in a
lexicographic order with the ``w`` first, so they are a Groebner basis of the ideal
they generate (Buchberger's first criterion): reducing ``w**k`` to
``f**(k // q) * w**(k % q)`` computes the unique normal form.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sympy

from ._context import ProverContext, default_context
from ._result import Unsupported
from ._sign import sign_of, sign_of_polynomial

__all__ = ["Radical", "AlgebraicContext"]


@dataclass(frozen=True)
class Radical:
    symbol: sympy.Symbol
    base: sympy.Expr   # polynomial in the domain's variables, or a prime; >= 0 on the domain
    q: int             # root index
    strict: bool       # base > 0 on the whole domain (so the radical is > 0)
    reason: str        # why base has that sign


@dataclass
class AlgebraicContext:
    """The domain, the basic radicals met so far, and opaque atoms (functions treated as free symbols)."""

    domain: object
    cache: ProverContext = field(default_factory=default_context)
    complex_ok: bool = False  # allow I in coefficients (identities); sign questions stay real
    radicals: dict[tuple, Radical] = field(default_factory=dict)
    opaque: dict[sympy.Expr, sympy.Symbol] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    _sign_cache: dict = field(default_factory=dict)

    # ------------------------------------------------------------------ symbols
    @property
    def opaque_symbols(self) -> dict[sympy.Symbol, sympy.Expr]:
        return {v: k for k, v in self.opaque.items()}

    @property
    def radical_symbols(self) -> dict[sympy.Symbol, Radical]:
        return {r.symbol: r for r in self.radicals.values()}

    def _new_radical(self, base: sympy.Expr, q: int, strict: bool, reason: str) -> Radical:
        key = (base, q)
        if key not in self.radicals:
            sym = sympy.Dummy(f"w{len(self.radicals) + 1}", positive=True)
            self.radicals[key] = Radical(sym, base, q, strict, reason)
            root = "sqrt" if q == 2 else f"root{q}"
            self.notes.append(f"{sym.name} = {root}({base}), real since {reason}")
        return self.radicals[key]

    def relation_text(self) -> str:
        return ", ".join(
            f"{r.symbol.name}^{r.q} = {r.base}" for r in self.radicals.values()
        ) or "(no radicals)"

    # ------------------------------------------------------------------ lifting
    def lift(self, expr: sympy.Expr) -> sympy.Expr:
        """Rewrite ``expr`` with every radical replaced by products of basic radical symbols."""
        return self._lift(sympy.sympify(expr))

    def _lift(self, e: sympy.Expr) -> sympy.Expr:
        if e.is_Atom:
            if (e is sympy.I or (e.is_number and not e.is_real)) and not self.complex_ok:
                raise Unsupported("the expression is complex (contains I)")
            if e in (sympy.zoo, sympy.nan, sympy.oo, sympy.S.NegativeInfinity):
                raise Unsupported(f"the expression contains {e}")
            return e
        if e.is_Pow:
            base, ex = e.args
            if ex.is_Integer:
                return self._lift(base) ** ex
            if ex.is_Rational:
                inner = self._lift(base)
                if inner.has(*self.radical_symbols) or inner.has(*self.opaque.values()):
                    raise Unsupported(f"nested radical or function inside {e}")
                return self._radical(inner, int(ex.p), int(ex.q))
            return self._atom(e)
        if e.is_Add:
            return sympy.Add(*[self._lift(a) for a in e.args])
        if e.is_Mul:
            return sympy.Mul(*[self._lift(a) for a in e.args])
        if isinstance(e, sympy.Abs):
            inner = self._lift(e.args[0])
            sg = sign_of(inner, self)
            if sg is not None and sg[0] in ("pos", "nonneg"):
                return inner
            if sg is not None and sg[0] in ("neg", "nonpos"):
                return -inner
            return self._atom(e)
        # exp, log, other functions: opaque atoms (sound for identities: treated as free symbols)
        return self._atom(e)

    def _atom(self, e: sympy.Expr) -> sympy.Symbol:
        if e not in self.opaque:
            sym = sympy.Dummy(f"f{len(self.opaque) + 1}")
            self.opaque[e] = sym
            self.notes.append(f"{sym.name} = {e} (opaque: treated as an independent symbol)")
        return self.opaque[e]

    def _radical(self, base: sympy.Expr, p: int, q: int) -> sympy.Expr:
        """``base**(p/q)`` over basic radicals; ``base`` is a rational function of the domain variables."""
        if base.has(sympy.I):
            raise Unsupported(f"the radicand {base} is not real")
        key = (base, q, self.domain)
        split = self.cache.splits.get(key)
        if split is None:
            try:
                split = self._split(base, q)
            except Unsupported as exc:
                split = str(exc)
            self.cache.splits[key] = split
        if isinstance(split, str):
            raise Unsupported(split)
        sign, const, signed = split
        out = sympy.Integer(sign)
        if const == 0:
            return sympy.Integer(0)
        for f, k, strict, reason in signed:
            a, b = divmod(k * p, q)
            term = f ** a
            if b:
                rad = self._new_radical(f, q, strict, reason)
                term *= rad.symbol ** b
            out *= term
        return out

    def _split(self, base: sympy.Expr, q: int):
        """Factor a radicand into signed irreducible factors and primes (cached: it depends on base, q, domain)."""
        if any(f.is_number for f in base.atoms(sympy.Function)):
            # a transcendental constant such as sinh(10^20): no exact factorisation (nor a bounded one)
            raise Unsupported(f"the radicand {base} is not a rational function of the variables")
        num, den = sympy.fraction(sympy.together(base))
        factors: list[tuple[sympy.Expr, int]] = []
        const = sympy.Integer(1)
        for part, mult in ((num, 1), (den, -1)):
            c, facs = sympy.factor_list(sympy.expand(part))
            const *= sympy.Rational(c) ** mult
            for f, k in facs:
                factors.append((f, k * mult))
        signed: list[tuple[sympy.Expr, int, bool, str]] = []
        for f, k in factors:
            sg = sign_of_polynomial(f, self)
            if sg is None:
                raise Unsupported(f"the sign of the radicand factor {f} on the domain is undecided")
            kind, facts = sg
            reason = "; ".join(facts) if facts else f"{f} has a constant sign"
            if kind == "zero":
                raise Unsupported(f"the radicand factor {f} vanishes on the whole domain")
            if kind in ("neg", "nonpos"):
                f = sympy.expand(-f)
                const *= (-1) ** k
                kind = "pos" if kind == "neg" else "nonneg"
            strict = kind == "pos"
            if kind in ("pos", "nonneg") and not facts:
                reason = f"{f} {'>' if strict else '>='} 0"
            if k < 0 and not strict:
                raise Unsupported(f"the radicand factor {f} may vanish on the domain, in a denominator")
            signed.append((f, k, strict, reason))
        sign = 1
        if const < 0:
            # the principal root of a negative number is not real, whatever the index: (-8)^(1/3) = 1 + sqrt(3) i
            raise Unsupported(f"the radicand {base} is negative on the domain: its principal root is not real")
        if const != 0:
            # the rational constant: one basic radical per prime; trial division is bounded, so a large
            # cofactor without small factors stays one basic radical (its relation to other radicals is then
            # not used: sound, less complete)
            cn, cd = sympy.fraction(const)
            for part, mult in ((cn, 1), (cd, -1)):
                for prime, k in sympy.factorint(int(part), limit=2**16).items():
                    what = "is a prime" if prime < 2**32 or sympy.isprime(prime) else "has no factor below 2^16"
                    signed.append((sympy.Integer(prime), k * mult, True, f"{prime} {what}"))
        return sign, const, signed

    # ------------------------------------------------------------------ reduction
    def reduce(self, poly_expr: sympy.Expr) -> sympy.Expr:
        """Normal form of a polynomial in the radical symbols modulo their defining relations."""
        rads = [r for r in self.radicals.values() if poly_expr.has(r.symbol)]
        expr = sympy.expand(poly_expr)
        if not rads:
            return expr
        gens = [r.symbol for r in rads]
        poly = sympy.Poly(expr, *gens)
        acc: dict[tuple[int, ...], sympy.Expr] = {}
        for monom, coeff in poly.terms():
            new_monom = []
            factor = coeff
            for (k, r) in zip(monom, rads):
                a, b = divmod(k, r.q)
                if a:
                    factor = factor * r.base ** a
                new_monom.append(b)
            key = tuple(new_monom)
            acc[key] = acc.get(key, 0) + factor
        out = sympy.Integer(0)
        for monom, coeff in acc.items():
            c = sympy.expand(coeff)
            if c != 0:
                out += c * sympy.Mul(*[g ** k for g, k in zip(gens, monom)])
        return out
