"""Certified reference values and exact ULP distances for the stability probe.

A *reference* is the exact value of a kernel's SymPy formula at the exact input
(each input float converted exactly to an mpmath number, never through a decimal
string), evaluated at two working precisions that must round to the same value of
the target format.  The working precision is raised by the number of bits needed to
hold ``1 - x`` exactly for the smallest input ``x``: a formula written as
``1 - (1 - x)/(...)`` evaluated at a fixed 60 digits gives 0 for ``x = 5e-324``
(``1 - x`` rounds to 1), and both fixed precisions would "agree" on that wrong
value.

Errors are counted in units in the last place (ULP) of the target format as the
number of representable values between the kernel's output and the correctly
rounded reference, through the *ordinal* of a float: its bit pattern read as a
sign-magnitude integer, which is monotone in the value, crosses binades and the
subnormal range without special cases, and maps +0 and -0 to the same ordinal.

Formats: ``float16``, ``bfloat16`` (torch only: NumPy has no native bfloat16, and
ml_dtypes promotes to float32 in mixed expressions), ``float32``, ``float64``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Callable, Sequence

import mpmath
import numpy as np

from ..errors import InputError

__all__ = [
    "FloatFormat", "FORMATS", "format_named",
    "ordinal_of_mpf", "ordinal_of_fraction", "ordinals_of_values", "values_of_ordinals",
    "ordinals_of_output", "ulp_distance", "ExactFunction", "CertifiedValue",
    "BASE_PRECISIONS",
]


@dataclass(frozen=True)
class FloatFormat:
    """A binary IEEE-style format: ``precision`` significand bits (implicit bit included), exponent range ``[emin, emax]``."""

    name: str
    precision: int
    emin: int
    emax: int
    bits: int
    torch_only: bool = False

    @property
    def qmin(self) -> int:
        """Exponent of the smallest subnormal (the quantum of the subnormal range)."""
        return self.emin - (self.precision - 1)

    @property
    def inf_ordinal(self) -> int:
        """Ordinal of +inf: the all-ones biased exponent, zero fraction."""
        return (self.emax - self.emin + 2) << (self.precision - 1)

    @property
    def max_finite_ordinal(self) -> int:
        return self.inf_ordinal - 1

    @property
    def smallest_normal(self) -> float:
        return math.ldexp(1.0, self.emin)

    @property
    def smallest_subnormal(self) -> float:
        return math.ldexp(1.0, self.qmin)

    @property
    def eps(self) -> float:
        """Spacing of the format just above 1."""
        return math.ldexp(1.0, 1 - self.precision)

    @property
    def numpy_dtype(self):
        if self.torch_only:
            return None
        return np.dtype(self.name)

    def torch_dtype(self):
        import torch

        return getattr(torch, self.name)


FORMATS: dict[str, FloatFormat] = {
    "float16": FloatFormat("float16", 11, -14, 15, 16),
    "bfloat16": FloatFormat("bfloat16", 8, -126, 127, 16, torch_only=True),
    "float32": FloatFormat("float32", 24, -126, 127, 32),
    "float64": FloatFormat("float64", 53, -1022, 1023, 64),
}


def format_named(name: str) -> FloatFormat:
    try:
        return FORMATS[name]
    except KeyError:
        raise InputError(
            f"unknown dtype {name!r}; the probe measures {', '.join(FORMATS)} (pick one or more of them)."
        ) from None


# --- exact rounding of an mpmath value to a format, as an ordinal ------------------------
def _round_half_even_shift(man: int, shift: int) -> int:
    """``man * 2**shift`` rounded to the nearest integer, ties to even (``man >= 0``)."""
    if shift >= 0:
        return man << shift
    k = -shift
    q, r = divmod(man, 1 << k)
    half = 1 << (k - 1)
    if r > half or (r == half and (q & 1)):
        q += 1
    return q


def _ordinal_of_exact(sign: int, man: int, exp: int, fmt: FloatFormat) -> int:
    """Ordinal of the format value nearest to ``(-1)**sign * man * 2**exp`` (``man > 0``), ties to even."""
    p = fmt.precision
    e = exp + man.bit_length() - 1          # floor(log2 |x|)
    q = max(e, fmt.emin) - (p - 1)           # exponent of the quantum at |x|
    n = _round_half_even_shift(man, exp - q)
    if n == (1 << p):                        # rounding carried into the next binade
        n >>= 1
        q += 1
    if q + p - 1 > fmt.emax:                 # overflow: rounds to infinity
        pattern = fmt.inf_ordinal
    else:
        pattern = ((q - fmt.qmin) << (p - 1)) + n if n >= (1 << (p - 1)) else n
        # (a subnormal result has q == qmin and pattern n; a normal one has biased
        # exponent q - qmin + 1 and fraction n - 2**(p-1), i.e. the expression above)
    return -pattern if sign else pattern


def ordinal_of_mpf(x, fmt: FloatFormat) -> int:
    """Ordinal of ``x`` (an mpmath mpf) correctly rounded to ``fmt`` (nearest, ties to even); NaN raises."""
    x = mpmath.mpf(x)
    if mpmath.isnan(x):
        raise ValueError("cannot round NaN to an ordinal")
    if mpmath.isinf(x):
        return fmt.inf_ordinal if x > 0 else -fmt.inf_ordinal
    sign, man, exp, _bc = x._mpf_
    if man == 0:
        return 0
    return _ordinal_of_exact(sign, int(man), int(exp), fmt)


def ordinal_of_fraction(x: Fraction, fmt: FloatFormat) -> int:
    """Ordinal of the exact rational ``x`` correctly rounded to ``fmt`` (used for domain ends such as 1/3)."""
    x = Fraction(x)
    if x == 0:
        return 0
    sign = 1 if x < 0 else 0
    a = abs(x)
    # scale to an integer with enough bits beyond the format's precision, then round once
    e = a.numerator.bit_length() - a.denominator.bit_length()
    q = max(e - 1, fmt.emin) - (fmt.precision - 1)   # a quantum at or below the true one
    scaled = a / Fraction(2) ** (q - 4)              # 4 guard bits; remainder handled exactly below
    n, rem = divmod(scaled.numerator, scaled.denominator)
    # n * 2**(q-4) <= a < (n+1) * 2**(q-4); fold the exact remainder into a sticky bit
    sticky = 1 if rem else 0
    return _ordinal_of_exact(sign, (n << 1) | sticky, q - 5, fmt) if n or sticky else 0


# --- ordinals of arrays ---------------------------------------------------------------------
_UINT = {16: np.uint16, 32: np.uint32, 64: np.uint64}


def _patterns_to_ordinals(bits: np.ndarray, fmt: FloatFormat) -> np.ndarray:
    bits = bits.astype(np.uint64)
    signmask = np.uint64(1) << np.uint64(fmt.bits - 1)
    mag = (bits & ~signmask).astype(np.int64)
    return np.where((bits & signmask) != 0, -mag, mag)


def ordinals_of_values(values, fmt: FloatFormat) -> np.ndarray:
    """Ordinals of float64 values that are exactly representable in ``fmt`` (inputs built by this module)."""
    v = np.asarray(values, dtype=np.float64)
    if fmt.name == "bfloat16":
        f32 = v.astype(np.float32)
        bits = f32.view(np.uint32) >> np.uint32(16)
        back = (bits.astype(np.uint32) << np.uint32(16)).view(np.float32)
        if not np.array_equal(back.astype(np.float64), v, equal_nan=True):
            raise ValueError("value not representable in bfloat16")
        return _patterns_to_ordinals(bits, fmt)
    arr = v.astype(fmt.numpy_dtype)
    if not np.array_equal(arr.astype(np.float64), v, equal_nan=True):
        raise ValueError(f"value not representable in {fmt.name}")
    return _patterns_to_ordinals(arr.view(_UINT[fmt.bits]), fmt)


def values_of_ordinals(ordinals, fmt: FloatFormat) -> np.ndarray:
    """The exact float64 values of the given ordinals of ``fmt`` (every value of these formats is a float64)."""
    o = np.asarray(ordinals, dtype=np.int64)
    mag = np.abs(o).astype(np.uint64)
    signmask = np.uint64(1) << np.uint64(fmt.bits - 1)
    bits = np.where(o < 0, mag | signmask, mag)
    if fmt.name == "bfloat16":
        return (bits.astype(np.uint32) << np.uint32(16)).view(np.float32).astype(np.float64)
    return bits.astype(_UINT[fmt.bits]).view(fmt.numpy_dtype).astype(np.float64)


def ordinals_of_output(out, fmt: FloatFormat) -> tuple[np.ndarray, np.ndarray, bool]:
    """Ordinals of a kernel's output (NumPy array or torch tensor) in ``fmt``.

    Returns ``(ordinals, finite_mask, dtype_ok)``.  An output of another dtype than
    the format is rounded to the format first (and ``dtype_ok`` is False: the
    kernel broke its dtype contract).  Non-finite outputs get ordinal 0 and a False
    in the mask; they are counted, never measured.
    """
    dtype_ok = True
    if hasattr(out, "detach"):  # torch tensor
        import torch

        t = out.detach().cpu()
        if t.dtype != fmt.torch_dtype():
            dtype_ok = False
            t = t.to(fmt.torch_dtype())
        finite = torch.isfinite(t).numpy()
        if fmt.name == "bfloat16":
            bits = t.view(torch.int16).numpy().astype(np.int64) & 0xFFFF
            ords = _patterns_to_ordinals(bits.astype(np.uint64), fmt)
        else:
            arr = t.numpy()
            ords = _patterns_to_ordinals(arr.view(_UINT[fmt.bits]), fmt)
    else:
        arr = np.asarray(out)
        if fmt.name == "bfloat16" and arr.dtype.name == "bfloat16":  # ml_dtypes bfloat16 (JAX arrays)
            finite = np.isfinite(arr.astype(np.float32))
            ords = np.where(finite, _patterns_to_ordinals(arr.view(np.uint16).astype(np.uint64), fmt), 0)
            return np.ravel(ords), np.ravel(finite), dtype_ok
        if arr.dtype != fmt.numpy_dtype:
            dtype_ok = False
            arr = arr.astype(fmt.numpy_dtype)
        finite = np.isfinite(arr)
        ords = _patterns_to_ordinals(arr.view(_UINT[fmt.bits]), fmt)
    ords = np.where(finite, ords, 0)
    return np.ravel(ords), np.ravel(finite), dtype_ok


def ulp_distance(a, b) -> np.ndarray:
    """Number of representable values between ordinals ``a`` and ``b`` (float64: exact below 2**53).

    Same-sign ordinals are subtracted in int64 (no overflow); opposite signs add magnitudes in float64.
    """
    a = np.asarray(a, dtype=np.int64)
    b = np.asarray(b, dtype=np.int64)
    same = (a >= 0) == (b >= 0)
    d_same = np.abs(np.where(same, a, 0) - np.where(same, b, 0)).astype(np.float64)
    d_cross = np.abs(a).astype(np.float64) + np.abs(b).astype(np.float64)
    return np.where(same, d_same, d_cross)


# --- the certified reference ------------------------------------------------------------------
BASE_PRECISIONS = (200, 400)
"""Working precisions in bits (about 60 and 120 decimal digits) before the input-dependent extra bits."""


@dataclass(frozen=True)
class CertifiedValue:
    """A reference value at two working precisions (bits), the higher one kept."""

    value: mpmath.mpf
    low: mpmath.mpf
    precisions: tuple[int, int]

    def ordinal(self, fmt: FloatFormat) -> tuple[int, bool]:
        """Ordinal of the correctly rounded value and whether both precisions round to it."""
        hi = ordinal_of_mpf(self.value, fmt)
        return hi, hi == ordinal_of_mpf(self.low, fmt)


def _extra_bits(args: Sequence[float]) -> int:
    """Bits needed beyond the base precision so that ``1 - x`` is exact for every input ``x``."""
    extra = 0
    for a in args:
        if a != 0 and math.isfinite(a):
            extra = max(extra, -math.frexp(a)[1])
    return extra + 8


class ExactFunction:
    """A SymPy expression evaluated exactly (to the working precision) with mpmath at float inputs."""

    def __init__(self, expr, symbols: Sequence, name: str = ""):
        import sympy

        self.name = name
        self.expr = expr
        self.symbols = tuple(symbols)
        self._f: Callable = sympy.lambdify(self.symbols, expr, "mpmath")
        self._cache: dict[tuple[float, ...], CertifiedValue] = {}

    def at_precision(self, args: Sequence[float], prec: int):
        with mpmath.workprec(prec):
            xs = [mpmath.mpf(float(a)) for a in args]  # exact: a double fits in prec >= 53 bits
            v = self._f(*xs)
            if isinstance(v, mpmath.mpc):
                raise ValueError(f"{self.name}: complex value at {tuple(args)} (input outside the real domain)")
            return +v  # round to the working precision inside the context

    def certified(self, args: Sequence[float]) -> CertifiedValue:
        key = tuple(float(a) for a in args)
        hit = self._cache.get(key)
        if hit is not None:
            return hit
        extra = _extra_bits(key)
        p1, p2 = (p + extra for p in BASE_PRECISIONS)
        low = self.at_precision(key, p1)
        high = self.at_precision(key, p2)
        cv = CertifiedValue(high, low, (p1, p2))
        self._cache[key] = cv
        return cv

    def reference_ordinals(self, xs: np.ndarray, gs: np.ndarray, fmt: FloatFormat) -> tuple[np.ndarray, np.ndarray]:
        """Correctly rounded reference ordinals at each point and a mask of points certified by two precisions."""
        ords = np.empty(len(xs), dtype=np.int64)
        ok = np.empty(len(xs), dtype=bool)
        for i, (x, g) in enumerate(zip(xs.tolist(), gs.tolist())):
            ords[i], ok[i] = self.certified((x, g)).ordinal(fmt)
        return ords, ok
