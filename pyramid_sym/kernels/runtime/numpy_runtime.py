"""NumPy kernels of Pyramidal Flow Matching's jump point, printed from pyramid-sym's proved SymPy formulas.

Conventions (each function says which it takes):

* paper: ``s``, ``e`` are signal levels (t = 0 noise, t = 1 data), ``gamma`` is the
  paper's negative correlation, gamma in [-1/3, 0) for 2x2 blocks;
* code: ``sigma_end`` is a noise level (sigma = 1 - t), ``gamma`` is the reference
  code's positive gamma_c in (0, 1/3].

Scalar kernels take Python numbers, NumPy arrays or array-likes (CPU tensors) for
both arguments and broadcast them.  dtype policy: the result has the dtype NumPy
promotion gives the inputs (Python numbers are weak: a float32 array with a Python
gamma stays float32); Python numbers alone give float64; integers give float64.
float16 is computed in float32 and rounded once at the end; float32 and float64 are
computed in their own format by the stable forms.  No constant of another dtype enters
a computation: literals are Python numbers, weak under NEP 50.

Input policy: a Python or NumPy scalar outside its interval raises InputError (a
ValueError) naming the value, the interval and the fix.  Arrays are not scanned
(that would cost a pass over the data): NaN in gives NaN out, and entries outside
the interval give whatever the formula gives there.  The ends of the intervals
(s, sigma_end = 0 and 1) are accepted and give the finite limits; sigma_end may
exceed 1 by one float32 spacing (1 + 2**-23, the first entry of the reference's
float32 sigma table), and a closed bound of gamma is accepted within single-precision
rounding (1/3 as a float32).

``block_noise`` draws exact block noise (each block ~ N(0, (1 + gamma) I - gamma J))
in closed form, valid up to and including the singular bound gamma = 1/(n - 1);
``renoise`` is the jump's re-noising (nearest x2 up-sampling, then alpha x + beta noise).
"""

from __future__ import annotations

import numpy

from ._shared import (InputError, _block_coefficients, _block_layout, _check_scalar, _check_single,
                      _operand, runtime_constant)
from ..numpy_kernels import _SINGLE_ROUNDING, _renoise_alpha, _renoise_beta, _sampler_coefficients

_HALF = (numpy.float16,)
_WIDER = {numpy.dtype(numpy.float16): numpy.dtype(numpy.float32)}  # computed in float32, rounded once


def _as_operand(func, name, value):
    return _operand(func, name, value, (numpy.ndarray, numpy.generic), numpy.asarray,
                    "a NumPy array (a bfloat16 or GPU tensor?); use the torch kernels or pass a NumPy array")


def _prepare(func, items):
    """Check scalars, convert to arrays of the working dtype; return (operands, result dtype)."""
    for name, value, interval in items:
        _check_scalar(func, name, value, interval)
    values = [_as_operand(func, name, value) for name, value, _ in items]
    try:
        dtype = numpy.result_type(*values)
    except TypeError:  # no common dtype (text with numbers, ...)
        dtype = numpy.dtype(object)
    if dtype.kind in "biu":
        dtype = numpy.dtype(numpy.float64)
    elif dtype.kind != "f":
        raise InputError(f"{func}: inputs of dtype {dtype} are not real floating point; "
                         "pass float16, float32 or float64 values.")
    work = _WIDER.get(dtype, dtype)
    if work == numpy.float32:
        _check_single(func, items)
    return [numpy.asarray(v, dtype=work) for v in values], dtype


def _finish(result, dtype):
    """Round once to the result dtype; 0-d results come back as NumPy scalars."""
    if result.dtype != dtype:
        result = result.astype(dtype)
    return result[()] if result.ndim == 0 else result


def _constant(name, x):
    """The runtime constant ``name`` of x's working dtype (see _shared.runtime_constant), in that dtype (a 0-d
    array: NumPy's scalar power warns of an overflow for a long double scalar whose square does fit)."""
    f = numpy.finfo(x.dtype)
    m, k = runtime_constant(name, f.nmant + 1, f.minexp, f.maxexp - 1)
    return numpy.asarray(numpy.ldexp(x.dtype.type(m), k))


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


def _block_noise(func, shape, gamma, block, rng, dtype):
    shape, blocked, axes, n = _block_layout(func, shape, block)
    a, k = _block_coefficients(func, gamma, n, _sampler_coefficients, _SINGLE_ROUNDING)
    try:
        dtype = numpy.dtype(numpy.float64 if dtype is None else dtype)
    except TypeError:
        dtype = None
    if dtype not in (numpy.float16, numpy.float32, numpy.float64):
        raise InputError(f"{func}: dtype {dtype} is not supported; pass float16, float32 or float64.")
    work = numpy.float32 if dtype in _HALF else dtype
    z = numpy.random.default_rng(rng).standard_normal(shape, dtype=work)
    z *= a
    if z.size:
        _add_block_mean(z.reshape(blocked), axes, k / n)
    return z.astype(dtype, copy=False)


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
    return _block_noise("block_noise", shape, gamma, block, rng, dtype)


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
    alpha = _renoise_alpha(sigma_end, gamma, "renoise")
    beta = _renoise_beta(sigma_end, gamma, "renoise")
    alpha = float(alpha) if numpy.ndim(alpha) == 0 else numpy.asarray(alpha, dtype=work)
    beta = float(beta) if numpy.ndim(beta) == 0 else numpy.asarray(beta, dtype=work)
    h, w = x.shape[-2:]
    up = numpy.empty(x.shape[:-2] + (h, 2, w, 2), dtype=work)
    up[...] = x[..., :, None, :, None]  # nearest x2 up-sampling, one copy
    up = up.reshape(x.shape[:-2] + (2 * h, 2 * w))
    noise = _block_noise("renoise", up.shape, gamma, (2, 2), rng, work)
    noise *= beta
    up *= alpha
    noise += up
    return noise.astype(x.dtype, copy=False)
