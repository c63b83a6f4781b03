"""Runtime shared by every target: scalar interval checks, block layout, the sampler's gamma and coefficients."""

from __future__ import annotations

import math
import numbers
import operator
import struct
from fractions import Fraction

try:  # inside pyramid-sym, bad input raises the package's InputError (a ValueError)
    from pyramid_sym.errors import InputError
except ImportError:  # standalone copy of this file
    class InputError(ValueError):
        """A value outside its allowed range, with one sentence naming the value, the range and the fix."""


def _is_scalar(value):
    """A Python real (int, float, Fraction), a real NumPy scalar or 0-d array: checked against its interval."""
    if isinstance(value, numbers.Real):
        return getattr(value, "ndim", 0) == 0
    return (type(value).__module__ == "numpy" and getattr(value, "ndim", 1) == 0
            and getattr(value.dtype, "kind", "") in "biuf")


def _operand(func, name, value, native, convert, what):
    """A kernel operand: Python numbers and the library's own arrays (``native``) as they are, other exact
    reals (Fraction) as their nearest double, anything else through ``convert`` or refused naming ``what``."""
    if isinstance(value, (int, float) + native):
        return value
    if isinstance(value, numbers.Real) and not hasattr(value, "ndim"):
        return float(value)
    try:
        return convert(value)
    except (TypeError, RuntimeError, ValueError):
        raise InputError(f"{func}: {name} of type {type(value).__name__} cannot be read as {what}.") from None


def _check_scalar(func, name, value, interval):
    """Check a Python or NumPy scalar against its interval; arrays and tensors pass unchecked (NaN in, NaN out).

    ``interval`` is (lo, lo open?, hi, hi open?, tolerance below lo, tolerance above hi, text, what to
    pass); an end of None is unbounded, and a closed end accepts values within its tolerance.
    """
    if not _is_scalar(value) or isinstance(value, bool):
        return
    lo, lo_open, hi, hi_open, tol_lo, tol_hi, text, fix = interval
    try:
        v = float(value)
    except OverflowError:
        v = math.copysign(math.inf, value)
    ok = False
    if v == v and abs(v) != math.inf:
        x = Fraction(v)
        ok = ((lo is None or (x > lo if lo_open else x >= lo - tol_lo))
              and (hi is None or (x < hi if hi_open else x <= hi + tol_hi)))
    if not ok:
        raise InputError(f"{func}: {name} = {v!r} is outside {text}; pass {fix} in {text}.")


def _check_single(func, items):
    """Scalars of a float32 computation: each must stay inside its interval once rounded to float32.

    (1e-300 is a valid gamma, but as float32 it is 0, where the formulas divide 0 by 0.)
    """
    for name, value, interval in items:
        if not _is_scalar(value) or isinstance(value, bool):
            continue
        v = float(value)
        try:
            r = struct.unpack("f", struct.pack("f", v))[0]
        except OverflowError:
            r = math.copysign(math.inf, v)
        if r != v:
            try:
                _check_scalar(func, name, r, interval)
            except InputError:
                text, fix = interval[6], interval[7]
                raise InputError(f"{func}: {name} = {v!r} rounds to {r!r} in float32, the dtype of this computation, "
                                 f"which is outside {text}; pass {fix} that float32 holds, or float64 inputs.") from None


def _check_args(func, values, args):
    """Check each scalar of ``values`` against ``args`` ((name, interval) pairs), errors labelled ``func``."""
    for (name, interval), value in zip(args, values):
        _check_scalar(func, name, value, interval)


_LAYOUTS = {}   # (shape, block) -> layout: the sampler's pure-Python set-up, cached (small latents are
_COEFFS = {}    # (gamma, n) -> (a, k):       dominated by it otherwise)


def _block_layout(func, shape, block):
    """Split ``shape`` into blocks over its trailing dims: (shape, blocked shape, block axes, entries per block)."""
    try:
        return _LAYOUTS[(shape, block)]
    except (KeyError, TypeError):
        pass
    layout = _block_layout_uncached(func, shape, block)
    if len(_LAYOUTS) < 256:
        _LAYOUTS[(layout[0], tuple(block))] = layout
    return layout


def _block_layout_uncached(func, shape, block):
    try:
        shape = tuple(operator.index(d) for d in shape)
        block = tuple(operator.index(b) for b in block)
    except TypeError:
        raise InputError(f"{func}: shape {shape!r} and block {block!r} must be tuples of integers; "
                         "pass e.g. shape=(1, 16, 1, 48, 80), block=(2, 2).") from None
    n = math.prod(block)
    if not block or min(block) < 1 or n < 2:
        raise InputError(f"{func}: block {block!r} must have positive sizes and at least 2 entries; "
                         "pass e.g. block=(2, 2), (2,) or (2, 2, 2).")
    if len(block) > len(shape) or min(shape, default=0) < 0:
        raise InputError(f"{func}: block {block!r} needs a shape with at least {len(block)} non-negative dims, "
                         f"got {shape!r}; pass a larger shape or a shorter block.")
    lead = shape[:len(shape) - len(block)]
    blocked = list(lead)
    for i, (d, b) in enumerate(zip(shape[len(lead):], block)):
        if d % b:
            raise InputError(f"{func}: size {d} of dim {len(lead) + i} of shape {shape!r} is not a multiple of "
                             f"the block {block!r}; crop or pad that dim to a multiple of {b}.")
        blocked += [d // b, b]
    axes = tuple(len(lead) + 2 * i + 1 for i in range(len(block)))
    return shape, tuple(blocked), axes, n


def _block_gamma(func, gamma, n, single_rounding):
    """The sampler's gamma as an exact Fraction in (0, 1/(n-1)]; within single-precision rounding of the bound, the bound."""
    try:
        v = float(gamma)
        g = Fraction(v)
    except (TypeError, ValueError, OverflowError, RuntimeError):
        raise InputError(f"{func}: gamma = {gamma!r} must be one real number in (0, 1/{n - 1}]; "
                         "pass a Python float such as 1/3.") from None
    bound = Fraction(1, n - 1)
    if abs(g - bound) <= bound * single_rounding:  # 1/3 as a double or a single is the bound 1/3
        g = bound
    if not 0 < g <= bound:
        raise InputError(f"{func}: gamma = {v!r} is outside (0, 1/{n - 1}], where the covariance (1 + gamma) I "
                         f"- gamma J of a block of {n} entries is positive semidefinite; pass gamma in (0, 1/{n - 1}].")
    return g


def _block_coefficients(func, gamma, n, coefficients, single_rounding):
    """(a, k) = ``coefficients(gamma, n)`` for gamma (checked) and blocks of n entries, cached by (gamma, n)."""
    key = (gamma, n) if isinstance(gamma, float) else None
    if key is not None and key in _COEFFS:
        return _COEFFS[key]
    coeffs = coefficients(_block_gamma(func, gamma, n, single_rounding), n)
    if key is not None and len(_COEFFS) < 256:
        _COEFFS[key] = coeffs
    return coeffs


def _sqrt(x):
    """Square root of an exact fraction, rounded once, as an exact fraction again (used by the sampler's coefficients)."""
    return Fraction(math.sqrt(x))


RUNTIME_CONSTANT_NAMES = ("veltkamp", "dekker_scale", "dekker_floor")


def runtime_constant(name, precision, emin, emax):
    """A constant the kernels read from their working dtype at run time, as (m, k) for the value m 2^k, given the
    dtype's precision p (significand bits), least normal exponent emin and largest exponent emax.

    ``veltkamp``: Veltkamp's splitting constant 2^ceil(p/2) + 1; with C x rounded, x_hi = C x - (C x - x) holds
    the high half of x's digits and x_lo = x - x_hi the rest, both exactly.
    ``dekker_scale``: 2^floor((emax - 2)/2); the kernels scale both factors of a Dekker product by it, exactly,
    so that the product lies in [2^(emin + p), 2^(emax - 2)], where Dekker's product error is exact, for every
    non-zero input of their domain (a factor of at most 1, the other at least the square root of the smallest
    subnormal; checked by the tests).
    ``dekker_floor``: the smallest normal 2^emin, added to a scaled product that may be 0 before dividing by it.
    """
    if name == "veltkamp":
        return 2 ** ((precision + 1) // 2) + 1, 0
    if name == "dekker_scale":
        return 1, (emax - 2) // 2
    if name == "dekker_floor":
        return 1, emin
    raise KeyError(f"unknown runtime constant {name!r}; the known ones are {', '.join(RUNTIME_CONSTANT_NAMES)}")


def _format_from_limits(eps, tiny, largest):
    """(precision, emin, emax) of a binary format from its machine epsilon, smallest normal and largest value."""
    return 1 - round(math.log2(eps)), round(math.log2(tiny)), math.frexp(largest)[1] - 1
