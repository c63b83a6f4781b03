"""Closed real intervals with exact dyadic ends, each operation rounded outward by arb (python-flint).

A midpoint-radius ball cannot keep the lower end of a positive range that spans many
binades (``[2^-200, 2^-130]`` becomes ``0 +/- 2^-130``, and its square root is undefined):
the kernels' domains reach down to the smallest subnormal, so the search uses
end-point intervals.  Every end is an exact arb number; each operation computes the
candidate ends in arb and keeps arb's rigorous lower or upper bound of each, so the
interval always contains the exact result for every point of the operands.
"""

from __future__ import annotations

from fractions import Fraction

from flint import arb, fmpq

__all__ = ["Iv", "iv", "iv_hull", "EmptyRoot"]

_INF = arb("inf")
_Z = arb(0)  # 0 as an arb: two arbs compare faster than an arb and an int (the same answer, exact points)


class EmptyRoot(ArithmeticError):
    """A square root of an interval with negative values, or a division by an interval containing 0."""


def _lo(a: arb) -> arb:
    return a.lower()


def _hi(a: arb) -> arb:
    return a.upper()


def _exact(x: Fraction) -> arb:
    return arb(fmpq(x.numerator, x.denominator))


class Iv:
    __slots__ = ("lo", "hi")

    def __init__(self, lo: arb, hi: arb):
        self.lo, self.hi = lo, hi

    # -- construction and reading -------------------------------------------------------------
    @staticmethod
    def of(x) -> "Iv":
        if isinstance(x, Iv):
            return x
        if isinstance(x, int):
            a = arb(x)
            return Iv(a, a)
        if isinstance(x, Fraction):
            a = _exact(x)
            return Iv(_lo(a), _hi(a))
        raise TypeError(f"cannot make an interval of {x!r}")

    def is_finite(self) -> bool:
        return self.lo.is_finite() and self.hi.is_finite()

    def ends(self) -> tuple[Fraction, Fraction]:
        if not self.is_finite():
            raise ArithmeticError("non-finite interval")
        return _fraction(self.lo), _fraction(self.hi)

    def upper_abs(self) -> Fraction:
        lo, hi = self.ends()
        return max(abs(lo), abs(hi))

    def width(self) -> arb:
        return _hi(self.hi - self.lo)

    def __repr__(self) -> str:
        return f"[{self.lo.mid().str(5, radius=False)}, {self.hi.mid().str(5, radius=False)}]"

    # -- arithmetic -------------------------------------------------------------------------
    def __add__(self, o):
        if type(o) is not Iv:
            o = Iv.of(o)
        return Iv((self.lo + o.lo).lower(), (self.hi + o.hi).upper())

    __radd__ = __add__

    def __neg__(self):
        return Iv(-self.hi, -self.lo)

    def __sub__(self, o):
        return self + (-Iv.of(o))

    def __rsub__(self, o):
        return Iv.of(o) + (-self)

    def __mul__(self, o):
        if type(o) is not Iv:
            o = Iv.of(o)
        a1, a2, b1, b2 = self.lo, self.hi, o.lo, o.hi
        # the end products by the signs of the factors (two products, four where both contain 0)
        if a1 >= _Z:
            if b1 >= _Z:
                lo, hi = a1 * b1, a2 * b2
            elif b2 <= _Z:
                lo, hi = a2 * b1, a1 * b2
            else:
                lo, hi = a2 * b1, a2 * b2
        elif a2 <= _Z:
            if b1 >= _Z:
                lo, hi = a1 * b2, a2 * b1
            elif b2 <= _Z:
                lo, hi = a2 * b2, a1 * b1
            else:
                lo, hi = a1 * b2, a1 * b1
        elif b1 >= _Z:
            lo, hi = a1 * b2, a2 * b2
        elif b2 <= _Z:
            lo, hi = a2 * b1, a1 * b1
        else:
            ps = [a1 * b2, a2 * b1, a1 * b1, a2 * b2]
            if not all(p.is_finite() for p in ps):
                return Iv(-_INF, _INF)
            return Iv(_min([ps[0].lower(), ps[1].lower()]), _max([ps[2].upper(), ps[3].upper()]))
        if not (lo.is_finite() and hi.is_finite()):
            return Iv(-_INF, _INF)
        return Iv(lo.lower(), hi.upper())

    __rmul__ = __mul__

    def inv(self) -> "Iv":
        if self.lo > _Z or self.hi < _Z:
            return Iv(_lo(1 / self.hi), _hi(1 / self.lo))
        return Iv(-_INF, _INF)

    def __truediv__(self, o):
        return self * Iv.of(o).inv()

    def __rtruediv__(self, o):
        return Iv.of(o) * self.inv()

    def sqrt(self) -> "Iv":
        if self.lo < _Z:
            raise EmptyRoot("square root of an interval with negative values")
        return Iv(_lo(self.lo.sqrt()), _hi(self.hi.sqrt()))

    def __pow__(self, p: int):
        if p < 0:
            return (self ** (-p)).inv()
        if p == 0:
            return Iv.of(1)
        if p % 2 == 0:
            a = abs(self)
            return Iv(_lo(a.lo ** p), _hi(a.hi ** p))
        return Iv(_lo(self.lo ** p), _hi(self.hi ** p))

    def __abs__(self):
        if self.lo >= _Z:
            return self
        if self.hi <= _Z:
            return -self
        return Iv(_Z, _max([-self.lo, self.hi]))

    def max(self, o):
        o = Iv.of(o)
        return Iv(_max([self.lo, o.lo]), _max([self.hi, o.hi]))

    def intersect(self, o):
        a, b = self.lo, o.lo
        lo = b if b > a else a
        a, b = self.hi, o.hi
        hi = b if b < a else a
        return Iv(lo, hi) if lo <= hi else self

    def positive(self) -> bool:
        return self.lo > _Z

    def negative(self) -> bool:
        return self.hi < _Z


def _min(xs: list[arb]) -> arb:
    """The least of exact arb points (infinities included): exact points compare definitely."""
    m = xs[0]
    for x in xs[1:]:
        if x < m:
            m = x
    return m


def _max(xs: list[arb]) -> arb:
    m = xs[0]
    for x in xs[1:]:
        if x > m:
            m = x
    return m


def _fraction(a: arb) -> Fraction:
    if not a.is_finite():
        raise ArithmeticError("non-finite end")
    m, e = a.mid().man_exp()
    m, e = int(m), int(e)
    return Fraction(m * 2 ** e) if e >= 0 else Fraction(m, 2 ** -e)


def iv(x: Fraction) -> Iv:
    return Iv.of(x)


def iv_hull(lo: Fraction, hi: Fraction) -> Iv:
    a, b = _exact(lo), _exact(hi)
    return Iv(_lo(a), _hi(b))
