"""Fixed source text of the emitted modules: input handling, dtype policy and the block sampler.

The emitter (:mod:`pyramid_sym.kernels.emit`) pastes these pieces around the
kernels it prints from SymPy.  Markers ``@@NAME@@`` are replaced by printed
expressions (the sampler coefficients).  Nothing here is formula arithmetic except
through those markers.
"""

from __future__ import annotations

__all__ = ["MODULE_DOC", "RUNTIME", "SAMPLER", "IMPORTS"]

MODULE_DOC = {
    "numpy": '''"""NumPy kernels of Pyramidal Flow Matching's jump point, printed from pyramid-sym's proved SymPy formulas.

Conventions (each function says which it takes):

* paper: ``s``, ``e`` are signal levels (t = 0 noise, t = 1 data), ``gamma`` is the
  paper's negative correlation, gamma in [-1/3, 0) for 2x2 blocks;
* code: ``sigma_end`` is a noise level (sigma = 1 - t), ``gamma`` is the reference
  code's positive gamma_c in (0, 1/3].

Scalar kernels take Python numbers, NumPy arrays or array-likes (CPU tensors) for
both arguments and broadcast them.  dtype policy: the result has the dtype NumPy
promotion gives the inputs (Python numbers are weak: a float32 array with a Python
gamma stays float32); Python numbers alone give float64; integers give float64.
float16 is computed in float32 and rounded once at the end (within 1 ULP of the exact
value); float32 and float64 are computed in their own format by the stable forms
(within 3 ULP).  No constant of another dtype enters a computation: literals are
Python numbers, weak under NEP 50.

Input policy: a Python or NumPy scalar outside its interval raises InputError (a
ValueError) naming the value, the interval and the fix.  Arrays are not scanned
(that would cost a pass over the data): NaN in gives NaN out, and entries outside
the interval give whatever the formula gives there.  The ends of the intervals
(s, sigma_end = 0 and 1) are accepted and give the finite limits.

``block_noise`` draws exact block noise (each block ~ N(0, (1 + gamma) I - gamma J))
in closed form, valid up to and including the singular bound gamma = 1/(n - 1);
``renoise`` is the jump's re-noising (nearest x2 up-sampling, then alpha x + beta noise).
"""''',
    "torch": '''"""Torch kernels of Pyramidal Flow Matching's jump point, printed from pyramid-sym's proved SymPy formulas.

Conventions (each function says which it takes):

* paper: ``s``, ``e`` are signal levels (t = 0 noise, t = 1 data), ``gamma`` is the
  paper's negative correlation, gamma in [-1/3, 0) for 2x2 blocks;
* code: ``sigma_end`` is a noise level (sigma = 1 - t), ``gamma`` is the reference
  code's positive gamma_c in (0, 1/3].

Scalar kernels take Python numbers, tensors or NumPy arrays for both arguments and
broadcast them, on the device of the tensor argument.  dtype policy: the result has
the dtype torch promotion gives the inputs (Python numbers are weak: a float32 tensor
with a Python gamma stays float32); Python numbers alone give a float64 tensor.
float16 and bfloat16 are computed in float32 and rounded once at the end (within 1
ULP of the exact value); float32 and float64 are computed in their own format by the
stable forms (within 3 ULP).  No constant of another dtype enters a computation:
literals are Python numbers, weak in torch.

Input policy: a Python or NumPy scalar outside its interval raises InputError (a
ValueError) naming the value, the interval and the fix.  Tensors are not scanned
(that would cost a pass over the data and a device synchronisation): NaN in gives
NaN out, and entries outside the interval give whatever the formula gives there.
The ends of the intervals (s, sigma_end = 0 and 1) are accepted and give the finite
limits.

``block_noise`` draws exact block noise (each block ~ N(0, (1 + gamma) I - gamma J))
in closed form, valid up to and including the singular bound gamma = 1/(n - 1), from
one normal draw of the full shape (no Cholesky factor, no loop over blocks);
``renoise`` is the jump's re-noising (nearest x2 up-sampling, then alpha x + beta noise).
"""''',
}

IMPORTS = {
    "numpy": '''from __future__ import annotations

import math
import numbers
import operator
from fractions import Fraction

import numpy

try:  # inside pyramid-sym, bad input raises the package's InputError (a ValueError)
    from pyramid_sym.errors import InputError
except ImportError:  # standalone copy of this file
    class InputError(ValueError):
        """A value outside its allowed range, with one sentence naming the value, the range and the fix."""
''',
    "torch": '''from __future__ import annotations

import math
import numbers
import operator
from fractions import Fraction

import torch

try:  # inside pyramid-sym, bad input raises the package's InputError (a ValueError)
    from pyramid_sym.errors import InputError
except ImportError:  # standalone copy of this file
    class InputError(ValueError):
        """A value outside its allowed range, with one sentence naming the value, the range and the fix."""
''',
}

# Shared by both targets: interval checks of Python/NumPy scalars, block layout, sampler gamma.
_COMMON = '''
# An interval: (lower end, lower end open?, upper end, upper end open?, text, fix).
_UNIT = (0, False, 1, False, "[0, 1]", "a level between 0 and 1")
_GAMMA_PAPER = (Fraction(-1, 3), False, 0, True, "[-1/3, 0)",
                "the paper's negative gamma (the code's gamma_c is its negative)")
_GAMMA_CODE = (0, True, Fraction(1, 3), False, "(0, 1/3]",
               "the code's positive gamma_c (the paper's gamma is its negative)")
_SINGLE_ROUNDING = Fraction(1, 2**22)  # a bound given in single precision still counts as that bound


def _is_scalar(value):
    """A Python real (int, float, Fraction), a real NumPy scalar or 0-d array: checked against its interval."""
    if isinstance(value, numbers.Real):
        return getattr(value, "ndim", 0) == 0
    return (type(value).__module__ == "numpy" and getattr(value, "ndim", 1) == 0
            and getattr(value.dtype, "kind", "") in "biuf")


def _check_scalar(func, name, value, interval):
    """Check a Python or NumPy scalar against its interval; arrays and tensors pass unchecked (NaN in, NaN out)."""
    if not _is_scalar(value) or isinstance(value, bool):
        return
    lo, lo_open, hi, hi_open, text, fix = interval
    v = float(value)
    ok = False
    if v == v and abs(v) != math.inf:
        x = Fraction(v)
        slack = max(abs(lo), abs(hi)) * _SINGLE_ROUNDING if name == "gamma" else 0
        ok = (x > lo if lo_open else x >= lo - slack) and (x < hi if hi_open else x <= hi + slack)
    if not ok:
        raise InputError(f"{func}: {name} = {v!r} is outside {text}; pass {fix} in {text}.")


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


def _block_gamma(func, gamma, n):
    """The sampler's gamma as an exact Fraction in (0, 1/(n-1)]; within single-precision rounding of the bound, the bound."""
    try:
        v = float(gamma)
        g = Fraction(v)
    except (TypeError, ValueError, OverflowError, RuntimeError):
        raise InputError(f"{func}: gamma = {gamma!r} must be one real number in (0, 1/{n - 1}]; "
                         "pass a Python float such as 1/3.") from None
    bound = Fraction(1, n - 1)
    if abs(g - bound) <= bound * _SINGLE_ROUNDING:  # 1/3 as a double or a single is the bound 1/3
        g = bound
    if not 0 < g <= bound:
        raise InputError(f"{func}: gamma = {v!r} is outside (0, 1/{n - 1}], where the covariance (1 + gamma) I "
                         f"- gamma J of a block of {n} entries is positive semidefinite; pass gamma in (0, 1/{n - 1}].")
    return g


def _block_coefficients(func, gamma, n):
    """(a, k) of the sampler for gamma (checked) and blocks of n entries, cached by (gamma, n)."""
    key = (gamma, n) if isinstance(gamma, float) else None
    if key is not None and key in _COEFFS:
        return _COEFFS[key]
    coeffs = _sampler_coefficients(_block_gamma(func, gamma, n), n)
    if key is not None and len(_COEFFS) < 256:
        _COEFFS[key] = coeffs
    return coeffs


def _sqrt(x):
    """Square root of an exact fraction, rounded once, as an exact fraction again."""
    return Fraction(math.sqrt(x))


def _sampler_coefficients(gamma, n):
    """a and k of x = a (z + k mean(z)) for blocks of n entries (ledger claims sampler.*).

    gamma is an exact Fraction and the arithmetic is exact except the square roots,
    so at the bound gamma = 1/(n-1), where the second root is sqrt(0), k is exactly -1.
    """
    a = @@SAMPLER_A@@
    k = @@SAMPLER_K@@
    return float(a), float(k)
'''

RUNTIME = {
    "numpy": '''
_HALF = (numpy.float16,)
_WIDER = {numpy.dtype(numpy.float16): numpy.dtype(numpy.float32)}  # computed in float32, rounded once


def _as_operand(func, name, value):
    if isinstance(value, (int, float, numpy.ndarray, numpy.generic)):
        return value
    if isinstance(value, numbers.Real):  # Fraction and other exact reals: their nearest double
        return float(value)
    try:
        return numpy.asarray(value)
    except (TypeError, RuntimeError, ValueError):
        raise InputError(f"{func}: {name} of type {type(value).__name__} cannot be read as a NumPy array (a "
                         "bfloat16 or GPU tensor?); use the torch kernels or pass a NumPy array.") from None


def _prepare(func, items):
    """Check scalars, convert to arrays of the working dtype; return (operands, result dtype)."""
    for name, value, interval in items:
        _check_scalar(func, name, value, interval)
    values = [_as_operand(func, name, value) for name, value, _ in items]
    dtype = numpy.result_type(*values)
    if dtype.kind in "biu":
        dtype = numpy.dtype(numpy.float64)
    elif dtype.kind != "f":
        raise InputError(f"{func}: inputs of dtype {dtype} are not real floating point; "
                         "pass float16, float32 or float64 values.")
    work = _WIDER.get(dtype, dtype)
    return [numpy.asarray(v, dtype=work) for v in values], dtype


def _finish(result, dtype):
    """Round once to the result dtype; 0-d results come back as NumPy scalars."""
    if result.dtype != dtype:
        result = result.astype(dtype)
    return result[()] if result.ndim == 0 else result
''',
    "torch": '''
_HALF = (torch.float16, torch.bfloat16)
_WIDER = {torch.float16: torch.float32, torch.bfloat16: torch.float32}  # computed in float32, rounded once


def _as_operand(func, name, value):
    if isinstance(value, (int, float, torch.Tensor)):
        return value
    if isinstance(value, numbers.Real) and not hasattr(value, "ndim"):  # Fraction: its nearest double
        return float(value)
    try:
        return torch.as_tensor(value)
    except (TypeError, RuntimeError, ValueError):
        raise InputError(f"{func}: {name} of type {type(value).__name__} cannot be read as a tensor; "
                         "pass a Python number, a tensor or a NumPy array.") from None


def _prepare(func, items):
    """Check scalars, convert to tensors of the working dtype on one device; return (operands, result dtype)."""
    for name, value, interval in items:
        _check_scalar(func, name, value, interval)
    values = [_as_operand(func, name, value) for name, value, _ in items]
    tensors = [v for v in values if isinstance(v, torch.Tensor)]
    if not tensors:
        dtype, device = torch.float64, None
    else:
        dtype, device = torch.result_type(*values), tensors[0].device
        if dtype.is_complex or dtype == torch.bool:
            raise InputError(f"{func}: inputs of dtype {dtype} are not real floating point; "
                             "pass float16, bfloat16, float32 or float64 values.")
        if not dtype.is_floating_point:
            dtype = torch.float64
    work = _WIDER.get(dtype, dtype)
    return [torch.as_tensor(v, dtype=work, device=device) for v in values], dtype


def _finish(result, dtype):
    """Round once to the result dtype."""
    return result if result.dtype == dtype else result.to(dtype)
''',
}

SAMPLER = {
    "numpy": '''

def _add_block_mean(zb, axes, c):
    """zb (blocked view) += c * (sum of each block): vectorised over all blocks, no loop over blocks.

    The sum runs over the outer block axis first (adding whole contiguous rows), and the
    block sums are widened along the innermost block axis before the one broadcast add,
    so that every pass reads and writes long contiguous runs.
    """
    m = zb
    for ax in axes:
        parts = [m[(slice(None),) * ax + (j,)] for j in range(m.shape[ax])]
        acc = parts[0] + parts[1] if len(parts) > 1 else parts[0].copy()
        for p in parts[2:]:
            acc += p
        m = numpy.expand_dims(acc, ax)
    m *= c
    last = axes[-1]
    m = numpy.broadcast_to(m, m.shape[:last] + (zb.shape[last],) + m.shape[last + 1:])
    zb += numpy.ascontiguousarray(m)


def block_noise(shape, gamma, *, block=(2, 2), rng=None, dtype=None):
    """Exact block noise (code convention, gamma = gamma_c > 0): every block of n entries ~ N(0, (1 + gamma) I - gamma J).

    Blocks tile the trailing ``len(block)`` dims of ``shape`` (block (2, 2): the 2x2
    blocks of a nearest x2 up-sampling; (2,) and (2, 2, 2) work the same way).
    gamma in (0, 1/(n - 1)], the singular bound included (there every block sums to
    0).  Closed form x = a (z + k mean(z)), z ~ N(0, I), a = sqrt(1 + gamma),
    k = sqrt((1 - (n-1) gamma)/(1 + gamma)) - 1 (ledger claims sampler.*): one
    normal draw of the full shape and a block sum, no Cholesky factor, no loop over
    blocks.  ``rng``: a numpy.random.Generator, a seed or None; ``dtype``: float16,
    float32 or float64 (default float64; float16 is drawn and corrected in float32).
    """
    shape, blocked, axes, n = _block_layout("block_noise", shape, block)
    a, k = _block_coefficients("block_noise", gamma, n)
    try:
        dtype = numpy.dtype(numpy.float64 if dtype is None else dtype)
    except TypeError:
        dtype = None
    if dtype not in (numpy.float16, numpy.float32, numpy.float64):
        raise InputError(f"block_noise: dtype {dtype} is not supported; pass float16, float32 or float64.")
    work = numpy.float32 if dtype in _HALF else dtype
    z = numpy.random.default_rng(rng).standard_normal(shape, dtype=work)
    z *= a
    if z.size:
        _add_block_mean(z.reshape(blocked), axes, k / n)
    return z.astype(dtype, copy=False)


def renoise(latents, sigma_end, gamma, *, rng=None):
    """Re-noise at a jump (code convention): nearest x2 up-sampling of the trailing two dims, then alpha x + beta noise.

    alpha = renoise_alpha(sigma_end, gamma), beta = renoise_beta(sigma_end, gamma)
    and the noise is ``block_noise`` with 2x2 blocks, so that the result has the
    marginal law of the next stage's start.  sigma_end in [0, 1] is the previous
    stage's end noise level, gamma = gamma_c in (0, 1/3].  The result has the dtype
    of ``latents`` (float16 computed in float32).
    """
    x = numpy.asarray(latents)
    if x.ndim < 2 or x.dtype not in (numpy.float16, numpy.float32, numpy.float64):
        raise InputError(f"renoise: latents of shape {x.shape} and dtype {x.dtype} are not a float array with at "
                         "least 2 dims; pass a float16, float32 or float64 array (..., H, W).")
    work = numpy.float32 if x.dtype in _HALF else x.dtype
    alpha = renoise_alpha(sigma_end, gamma)
    beta = renoise_beta(sigma_end, gamma)
    alpha = float(alpha) if numpy.ndim(alpha) == 0 else numpy.asarray(alpha, dtype=work)
    beta = float(beta) if numpy.ndim(beta) == 0 else numpy.asarray(beta, dtype=work)
    h, w = x.shape[-2:]
    up = numpy.empty(x.shape[:-2] + (h, 2, w, 2), dtype=work)
    up[...] = x[..., :, None, :, None]  # nearest x2 up-sampling, one copy
    up = up.reshape(x.shape[:-2] + (2 * h, 2 * w))
    noise = block_noise(up.shape, gamma, block=(2, 2), rng=rng, dtype=work)
    noise *= beta
    up *= alpha
    noise += up
    return noise.astype(x.dtype, copy=False)
''',
    "torch": '''

def _add_block_mean(zb, axes, c):
    """zb (blocked view) += c * (sum of each block): vectorised over all blocks, no loop over blocks.

    The sum runs over the outer block axis first (adding whole contiguous rows), and the
    block sums are widened along the innermost block axis before the one broadcast add,
    so that every pass reads and writes long contiguous runs.
    """
    m = zb
    for ax in axes:
        parts = m.unbind(ax)
        acc = torch.add(parts[0], parts[1]) if len(parts) > 1 else parts[0].clone()
        for p in parts[2:]:
            acc.add_(p)
        m = acc.unsqueeze(ax)
    last = axes[-1]
    zb.add_(m.expand(*m.shape[:last], zb.shape[last], *m.shape[last + 1:]).contiguous(), alpha=c)


def _noise_dtype(func, dtype):
    dtype = torch.get_default_dtype() if dtype is None else dtype
    if dtype not in (torch.float16, torch.bfloat16, torch.float32, torch.float64):
        raise InputError(f"{func}: dtype {dtype} is not supported; pass torch.float16, torch.bfloat16, "
                         "torch.float32 or torch.float64.")
    return dtype


def block_noise(shape, gamma, *, block=(2, 2), generator=None, dtype=None, device=None):
    """Exact block noise (code convention, gamma = gamma_c > 0): every block of n entries ~ N(0, (1 + gamma) I - gamma J).

    Blocks tile the trailing ``len(block)`` dims of ``shape`` (block (2, 2): the 2x2
    blocks of a nearest x2 up-sampling; (2,) and (2, 2, 2) work the same way).
    gamma in (0, 1/(n - 1)], the singular bound included (there every block sums to
    0).  Closed form x = a (z + k mean(z)), z ~ N(0, I), a = sqrt(1 + gamma),
    k = sqrt((1 - (n-1) gamma)/(1 + gamma)) - 1 (ledger claims sampler.*): one
    normal draw of the full shape (std a) and a block sum, no Cholesky factor, no
    loop over blocks.  The same ``generator`` state gives the same noise.  ``dtype``
    defaults to torch's default dtype; float16 and bfloat16 are drawn and corrected
    in float32 and rounded once.
    """
    shape, blocked, axes, n = _block_layout("block_noise", shape, block)
    a, k = _block_coefficients("block_noise", gamma, n)
    dtype = _noise_dtype("block_noise", dtype)
    work = torch.float32 if dtype in _HALF else dtype
    z = torch.empty(shape, dtype=work, device=device).normal_(0.0, a, generator=generator)
    if z.numel():
        _add_block_mean(z.view(blocked), axes, k / n)
    return z if work == dtype else z.to(dtype)


def renoise(latents, sigma_end, gamma, *, generator=None):
    """Re-noise at a jump (code convention): nearest x2 up-sampling of the trailing two dims, then alpha x + beta noise.

    alpha = renoise_alpha(sigma_end, gamma), beta = renoise_beta(sigma_end, gamma)
    and the noise is ``block_noise`` with 2x2 blocks, so that the result has the
    marginal law of the next stage's start.  sigma_end in [0, 1] is the previous
    stage's end noise level (a number, or a tensor broadcastable to the latents),
    gamma = gamma_c in (0, 1/3].  The result has the dtype and device of
    ``latents`` (float16, bfloat16 computed in float32).
    """
    x = torch.as_tensor(latents)
    if x.dim() < 2 or x.dtype not in (torch.float16, torch.bfloat16, torch.float32, torch.float64):
        raise InputError(f"renoise: latents of shape {tuple(x.shape)} and dtype {x.dtype} are not a float tensor "
                         "with at least 2 dims; pass a floating tensor (..., H, W).")
    work = torch.float32 if x.dtype in _HALF else x.dtype
    alpha = renoise_alpha(sigma_end, gamma)
    beta = renoise_beta(sigma_end, gamma)
    h, w = x.shape[-2:]
    up = x.to(work)[..., :, None, :, None].expand(*x.shape[:-2], h, 2, w, 2).reshape(*x.shape[:-2], 2 * h, 2 * w)
    noise = block_noise(up.shape, gamma, block=(2, 2), generator=generator, dtype=work, device=x.device)
    if alpha.dim() == 0 and not isinstance(sigma_end, torch.Tensor):
        noise.mul_(float(beta)).add_(up, alpha=float(alpha))
    else:
        noise = noise * beta.to(device=x.device, dtype=work) + up * alpha.to(device=x.device, dtype=work)
    return noise if work == x.dtype else noise.to(x.dtype)
''',
}

COMMON = _COMMON
