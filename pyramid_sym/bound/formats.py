"""Binary floating-point formats and exact directed rounding to them (Fractions, no floats in between)."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from fractions import Fraction

__all__ = ["Format", "FORMATS", "format_named", "DTYPES", "pow2"]


@functools.lru_cache(maxsize=None)
def pow2(e: int) -> Fraction:
    """2^e as a Fraction (kept: the search asks for the same few thousand powers again and again)."""
    return Fraction(1 << e) if e >= 0 else Fraction(1, 1 << -e)


@dataclass(frozen=True)
class Format:
    """``precision`` significand bits (implicit bit included), smallest normal exponent ``emin``.

    ``computed_in``: the format a half dtype is computed in by the emitted kernels (float32),
    or None when the kernels compute in the format itself.
    """

    name: str
    precision: int
    emin: int
    emax: int
    computed_in: str | None = None

    @property
    def u(self) -> Fraction:
        """Unit roundoff 2^-p of round to nearest."""
        return Fraction(1, 2 ** self.precision)

    @property
    def qmin(self) -> int:
        """Exponent of the smallest subnormal."""
        return self.emin - self.precision + 1

    @property
    def smallest_subnormal(self) -> Fraction:
        return pow2(self.qmin)

    @property
    def smallest_normal(self) -> Fraction:
        return pow2(self.emin)

    @property
    def underflow_half_quantum(self) -> Fraction:
        """Half the spacing of the subnormal range: the absolute error bound of a product or quotient that underflows."""
        return pow2(self.qmin - 1)

    def exponent(self, x: Fraction) -> int:
        """floor(log2 |x|) clamped at emin (the exponent whose ulp applies), x != 0."""
        x = abs(x)
        e = x.numerator.bit_length() - x.denominator.bit_length()
        if pow2(e) > x:
            e -= 1
        return max(e, self.emin)

    def exponent_raw(self, x: Fraction) -> int:
        """floor(log2 |x|) without clamping, x != 0."""
        x = abs(x)
        e = x.numerator.bit_length() - x.denominator.bit_length()
        return e - 1 if pow2(e) > x else e

    def ulp(self, x: Fraction) -> Fraction:
        """Spacing of the format at |x| (the subnormal quantum below the normal range)."""
        if x == 0:
            return self.smallest_subnormal
        return pow2(self.exponent(x) - self.precision + 1)

    # -- the same on exact arb points (python-flint), integer arithmetic on (mantissa, exponent) --------------
    def exponent_arb(self, a) -> int:
        """floor(log2 |a|) clamped at emin, a an exact non-zero arb point."""
        m, e = a.man_exp()
        m, e = abs(int(m)), int(e)
        return max(m.bit_length() - 1 + e, self.emin)

    def ulp_arb(self, a):
        from flint import arb

        if a == 0:
            return arb((1, self.qmin))
        return arb((1, self.exponent_arb(a) - self.precision + 1))

    def nearest_arb(self, a):
        """a (an exact finite arb point) rounded to nearest, ties to even, as an exact arb point."""
        from flint import arb

        if a == 0:
            return a
        m, e = a.man_exp()
        m, e = int(m), int(e)
        sign = -1 if m < 0 else 1
        m = abs(m)
        q = max(m.bit_length() - 1 + e, self.emin) - self.precision + 1
        if e >= q:
            return a
        shift = q - e
        k = m >> shift
        rem = m - (k << shift)
        half = 1 << (shift - 1)
        if rem > half or (rem == half and k & 1):
            k += 1
        return arb((sign * k, q))

    def round(self, x: Fraction, up: bool) -> Fraction:
        """x rounded to the format toward +inf (up) or -inf (no overflow: the kernels' values stay below 2)."""
        if x == 0:
            return Fraction(0)
        if x < 0:
            return -self.round(-x, not up)
        q = self.ulp(x)
        k, r = divmod(x, q)
        if r and up:
            k += 1
        return k * q

    def nearest(self, x: Fraction) -> Fraction:
        """x rounded to nearest, ties to even."""
        lo, hi = self.round(x, False), self.round(x, True)
        if x - lo != hi - x:
            return lo if x - lo < hi - x else hi
        return lo if (lo / self.ulp(lo)) % 2 == 0 else hi

    def is_representable(self, x: Fraction) -> bool:
        return self.round(x, False) == x

    def ordinal(self, x: Fraction) -> int:
        """Index of a non-negative representable x among the format's non-negative values (0 -> 0)."""
        if x == 0:
            return 0
        e = self.exponent(x)
        q = pow2(e - self.precision + 1)
        m = int(x / q)
        if e == self.emin and m < 2 ** (self.precision - 1):
            return m  # subnormal
        return (e - self.emin) * 2 ** (self.precision - 1) + m

    def value(self, k: int) -> Fraction:
        """Inverse of :meth:`ordinal`."""
        half = 2 ** (self.precision - 1)
        if k < 2 * half:
            return k * self.smallest_subnormal
        e = self.emin + k // half - 1
        m = half + k % half
        return m * pow2(e - self.precision + 1)


FORMATS: dict[str, Format] = {
    "float16": Format("float16", 11, -14, 15, computed_in="float32"),
    "bfloat16": Format("bfloat16", 8, -126, 127, computed_in="float32"),
    "float32": Format("float32", 24, -126, 127),
    "float64": Format("float64", 53, -1022, 1023),
}
DTYPES = tuple(FORMATS)


def format_named(name: str) -> Format:
    from ..errors import UsageError

    try:
        return FORMATS[name]
    except KeyError:
        raise UsageError(f"unknown dtype {name!r}; choose from {', '.join(FORMATS)} "
                         "(comma-separated, e.g. --dtype float32,float64).") from None
