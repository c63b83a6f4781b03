"""Intervals and domains: where a variable of a formula or a claim lives.

An :class:`Interval` has exact (SymPy rational) ends, each open or closed; a
point ``[a, a]`` fixes a variable.  A :class:`Domain` maps SymPy symbols to
intervals, in a fixed order, and knows how to produce witness points for the
prover (interior points and points approaching each end).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Iterable, Mapping

import sympy

from .errors import InputError

__all__ = ["Interval", "Domain", "DomainError", "parse_number", "parse_interval"]


class DomainError(InputError):
    """A value, interval or domain that cannot be used, with a sentence saying why."""


def _rat(x) -> sympy.Expr:
    if x is sympy.oo or x is sympy.S.NegativeInfinity:
        return x
    if isinstance(x, float):
        # exact binary value of the float, never its decimal string
        return sympy.Rational(*Fraction(x).as_integer_ratio())
    r = sympy.nsimplify(x) if not isinstance(x, (int, sympy.Rational, Fraction)) else sympy.Rational(x)
    if not r.is_Rational:
        raise DomainError(f"interval end {x!r} is not a rational number; use an exact fraction such as 1/3.")
    return r


@dataclass(frozen=True)
class Interval:
    """An interval of the real line with rational ends; ``lo_open``/``hi_open`` say whether each end is excluded."""

    lo: sympy.Expr
    hi: sympy.Expr
    lo_open: bool = False
    hi_open: bool = False

    def __post_init__(self):
        object.__setattr__(self, "lo", _rat(self.lo))
        object.__setattr__(self, "hi", _rat(self.hi))
        if self.lo > self.hi or (self.lo == self.hi and (self.lo_open or self.hi_open)):
            raise DomainError(f"the interval {self} is empty; give ends with lo < hi, or a single value.")

    # constructors -----------------------------------------------------------------
    @classmethod
    def open(cls, lo, hi) -> "Interval":
        return cls(lo, hi, True, True)

    @classmethod
    def closed(cls, lo, hi) -> "Interval":
        return cls(lo, hi, False, False)

    @classmethod
    def point(cls, value) -> "Interval":
        return cls(value, value, False, False)

    # queries ----------------------------------------------------------------------
    @property
    def is_point(self) -> bool:
        return self.lo == self.hi

    @property
    def value(self) -> sympy.Rational:
        if not self.is_point:
            raise DomainError(f"{self} is an interval, not a single value.")
        return self.lo

    def contains(self, x) -> bool:
        x = sympy.Rational(x) if not isinstance(x, sympy.Basic) else x
        above = x > self.lo if self.lo_open else x >= self.lo
        below = x < self.hi if self.hi_open else x <= self.hi
        return bool(above and below)

    def __str__(self) -> str:
        if self.is_point:
            return str(self.lo)
        return f"{'(' if self.lo_open else '['}{self.lo}, {self.hi}{')' if self.hi_open else ']'}"

    def as_sympy(self) -> sympy.Set:
        return sympy.Interval(self.lo, self.hi, self.lo_open, self.hi_open)

    def witness_values(self) -> list[sympy.Rational]:
        """Exact rational points: near each end (1e-3, 1e-8, 1e-20, 1e-40 away), the closed ends, and the interior."""
        if self.is_point:
            return [self.lo]
        lo, hi = self.lo, self.hi
        if lo.is_infinite or hi.is_infinite:
            return self._unbounded_witness_values()
        width = hi - lo
        vals: list[sympy.Rational] = []
        if not self.lo_open:
            vals.append(lo)
        if not self.hi_open:
            vals.append(hi)
        for k in (3, 8, 20, 40):
            d = width * sympy.Rational(1, 10**k)
            vals.extend([lo + d, hi - d])
        # interior: Chebyshev-like rational nodes
        for num, den in ((1, 7), (2, 7), (1, 2), (3, 5), (6, 7), (1, 3), (5, 6), (1, 11),
                         (3, 13), (9, 13), (10, 11), (1, 97), (96, 97), (2, 3), (1, 5), (4, 5)):
            vals.append(lo + width * sympy.Rational(num, den))
        out, seen = [], set()
        for v in vals:
            if v not in seen and self.contains(v):
                seen.add(v)
                out.append(v)
        return out

    def _unbounded_witness_values(self) -> list[sympy.Rational]:
        """Witnesses on a half-line or the whole line: near the finite end and far out, at several scales."""
        steps = [sympy.Rational(1, 10**k) for k in (40, 20, 8, 3)] + [
            sympy.Rational(1, 2)] + [sympy.Integer(v) for v in (1, 2, 7, 10, 1000, 10**8, 10**20)]
        vals = []
        if not self.lo.is_infinite:
            if not self.lo_open:
                vals.append(self.lo)
            vals.extend(self.lo + d for d in steps)
        if not self.hi.is_infinite:
            if not self.hi_open:
                vals.append(self.hi)
            vals.extend(self.hi - d for d in steps)
        if self.lo.is_infinite and self.hi.is_infinite:
            vals.extend([sympy.Integer(0)] + [d for d in steps] + [-d for d in steps])
        out = []
        for v in vals:
            if v not in out and self.contains(v):
                out.append(v)
        return out

@dataclass(frozen=True)
class Domain:
    """An ordered map from SymPy symbols to intervals: the variables of a claim and where they range."""

    intervals: tuple[tuple[sympy.Symbol, Interval], ...] = field(default_factory=tuple)

    def __init__(self, mapping: Mapping[sympy.Symbol, Interval] | Iterable[tuple[sympy.Symbol, Interval]] = ()):
        items = tuple(mapping.items()) if isinstance(mapping, Mapping) else tuple(mapping)
        for sym, iv in items:
            if not isinstance(sym, sympy.Symbol) or not isinstance(iv, Interval):
                raise DomainError(f"a domain maps symbols to Interval objects; got {sym!r} -> {iv!r}.")
        object.__setattr__(self, "intervals", items)

    def __getitem__(self, sym: sympy.Symbol) -> Interval:
        for s, iv in self.intervals:
            if s == sym:
                return iv
        raise KeyError(sym)

    def __contains__(self, sym) -> bool:
        return any(s == sym for s, _ in self.intervals)

    def __iter__(self):
        return iter(self.intervals)

    @property
    def symbols(self) -> tuple[sympy.Symbol, ...]:
        return tuple(s for s, _ in self.intervals)

    @property
    def free_symbols(self) -> tuple[sympy.Symbol, ...]:
        """The symbols that range over an interval (not fixed to one value)."""
        return tuple(s for s, iv in self.intervals if not iv.is_point)

    def fixed(self) -> dict[sympy.Symbol, sympy.Rational]:
        """The symbols fixed to a single value, with that value."""
        return {s: iv.value for s, iv in self.intervals if iv.is_point}

    def with_(self, sym: sympy.Symbol, iv: Interval) -> "Domain":
        items = [(s, i) for s, i in self.intervals if s != sym]
        items.append((sym, iv))
        return Domain(items)

    def restrict(self, symbols: Iterable[sympy.Symbol]) -> "Domain":
        keep = set(symbols)
        return Domain([(s, i) for s, i in self.intervals if s in keep])

    def __str__(self) -> str:
        return ", ".join(f"{s} \u2208 {iv}" if not iv.is_point else f"{s} = {iv}" for s, iv in self.intervals)

    def to_json(self) -> dict[str, str]:
        return {str(s): str(iv) for s, iv in self.intervals}

    def witness_points(self, minimum: int = 24) -> list[dict[sympy.Symbol, sympy.Rational]]:
        """Points of the domain for numeric witnesses.

        Every variable visits each of its own witness values (interior and near
        both ends) while the others cycle through theirs, and every combination of
        near-end values is included, so that corners are probed too.  At least
        ``minimum`` distinct points whenever the domain has that many.
        """
        syms = self.symbols
        if not syms:
            return [{}]
        values = [iv.witness_values() for _, iv in self.intervals]
        n = max(len(v) for v in values)
        pts: list[tuple] = []
        # diagonal sweeps with different strides, so that pairs are mixed
        for stride in (1,):
            for i in range(n):
                pts.append(tuple(v[(i * (j * stride + 1)) % len(v)] for j, v in enumerate(values)))
        # corners: the extreme witness values of every variable, all combinations
        ends = [[v[0], v[-1]] if len(v) > 1 else v for v in values]
        extremes = [[min(v), max(v)] if len(v) > 1 else v for v in values]
        import itertools

        for combo in itertools.product(*extremes):
            pts.append(combo)
        for combo in itertools.product(*ends):
            pts.append(combo)
        seen, out = set(), []
        for p in pts:
            if p not in seen:
                seen.add(p)
                out.append(dict(zip(syms, p)))
        if len(out) < minimum:  # a second sweep with another stride mixes the variables further
            for i in range(n):
                p = tuple(v[(i * (2 * j + 1) + 1) % len(v)] for j, v in enumerate(values))
                if p not in seen:
                    seen.add(p)
                    out.append(dict(zip(syms, p)))
        return out

_NUMBER = re.compile(r"^\s*([+-]?)\s*(\d+(?:\.\d*)?|\.\d+)(?:[eE]([+-]?\d+))?\s*(?:/\s*(\d+(?:\.\d*)?|\.\d+)(?:[eE]([+-]?\d+))?)?\s*$")


def parse_number(text: str) -> sympy.Rational:
    """Parse an exact number such as ``1/3``, ``-1/3``, ``0.25`` or ``1e-8`` (decimal text taken exactly)."""
    m = _NUMBER.match(text)
    if not m:
        raise DomainError(
            f"{text!r} is not a number; write an integer, a decimal or a fraction such as 1/3 or -1/3."
        )
    sign, a, ea, b, eb = m.groups()
    if len(text) > 200 or abs(int(ea or 0)) > 400 or abs(int(eb or 0)) > 400:
        raise DomainError(
            f"{text[:40]!r} is too long or has a decimal exponent beyond +-400; give a value such as 2.5e-3."
        )
    num = sympy.Rational(a) * sympy.Integer(10) ** int(ea or 0)
    if b is not None:
        den = sympy.Rational(b) * sympy.Integer(10) ** int(eb or 0)
        if den == 0:
            raise DomainError(f"{text!r} divides by zero; give a nonzero denominator.")
        num = num / den
    return -num if sign == "-" else num


def parse_interval(text: str) -> Interval:
    """Parse ``(0,1)``, ``(0,1/3]``, ``[-1/3,0)`` or a single value ``1/3`` into an :class:`Interval`."""
    s = text.strip()
    if s and s[0] in "([" and s[-1] in ")]":
        body = s[1:-1]
        parts = body.split(",")
        if len(parts) != 2:
            raise DomainError(
                f"interval {text!r} must have two ends separated by a comma, e.g. (0,1) or [-1/3,0)."
            )
        lo, hi = parse_number(parts[0]), parse_number(parts[1])
        lo_open, hi_open = s[0] == "(", s[-1] == ")"
        if lo > hi or (lo == hi and (lo_open or hi_open)):
            raise DomainError(
                f"interval {text!r} is empty; its lower end must be below its upper end (e.g. (0,1))."
            )
        return Interval(lo, hi, lo_open, hi_open)
    return Interval.point(parse_number(s))
