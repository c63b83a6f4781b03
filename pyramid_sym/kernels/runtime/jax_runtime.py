"""JAX kernels of Pyramidal Flow Matching's jump point, printed from pyramid-sym's proved SymPy formulas.

Conventions (each function says which it takes):

* paper: ``s``, ``e`` are signal levels (t = 0 noise, t = 1 data), ``gamma`` is the
  paper's negative correlation, gamma in [-1/3, 0) for 2x2 blocks;
* code: ``sigma_end`` is a noise level (sigma = 1 - t), ``gamma`` is the reference
  code's positive gamma_c in (0, 1/3].

Scalar kernels take Python numbers, JAX arrays or NumPy arrays for both arguments and
broadcast them.  dtype policy: the result has the dtype JAX promotion gives the inputs
(Python numbers are weak: a float32 array with a Python gamma stays float32); Python
numbers or integers alone give JAX's default float dtype (float64 once
``jax.config.update("jax_enable_x64", True)``, float32 otherwise).  float16 and bfloat16
are computed in float32 and rounded once at the end; float32 and float64 are computed
in their own format by the stable forms.  A float64 input while 64-bit JAX is off raises
InputError instead of being silently rounded to float32.  No constant of another dtype
enters a computation: literals are Python numbers, weak in JAX.

Input policy: a Python or NumPy scalar outside its interval raises InputError (a
ValueError) naming the value, the interval and the fix.  Arrays are not scanned (that
would cost a pass over the data and a device synchronisation): NaN in gives NaN out,
and entries outside the interval give whatever the formula gives there.  The ends of
the intervals (s, sigma_end = 0 and 1) are accepted and give the finite limits;
sigma_end may exceed 1 by one float32 spacing (1 + 2**-23, the first entry of the
reference's float32 sigma table), and a closed bound of gamma is accepted within
single-precision rounding (1/3 as a float32).  The kernels are pure functions of
arrays, so ``jax.jit`` and ``jax.vmap`` apply to them (scalar checks then see tracers,
which are arrays, and pass).

``block_noise(key, shape, gamma)`` draws exact block noise (each block ~ N(0, (1 +
gamma) I - gamma J)) in closed form from an explicit PRNG key, valid up to and
including the singular bound gamma = 1/(n - 1); ``renoise(key, latents, sigma_end,
gamma)`` is the jump's re-noising (nearest x2 up-sampling, then alpha x + beta noise).
"""

from __future__ import annotations

import math

import jax
import jax.numpy

from ._shared import (InputError, _block_coefficients, _block_layout, _check_scalar, _check_single,
                      _is_scalar, _operand, runtime_constant)
from ..jax_kernels import _SINGLE_ROUNDING, _renoise_alpha, _renoise_beta, _sampler_coefficients

_FLOATS = ("float16", "bfloat16", "float32", "float64")
_HALF = ("float16", "bfloat16")


def _default_float():
    """JAX's default float dtype: float64 with 64-bit JAX enabled, float32 otherwise."""
    return jax.dtypes.canonicalize_dtype(jax.numpy.float64)


def _as_operand(func, name, value):
    if str(getattr(value, "dtype", "")) == "float64" and _default_float() != jax.numpy.float64:
        raise InputError(f"{func}: {name} is float64 but 64-bit JAX is off; run "
                         "jax.config.update('jax_enable_x64', True) first, or pass float32 values.")
    return _operand(func, name, value, (jax.Array,), jax.numpy.asarray,
                    "a JAX array; pass a Python number, a JAX array or a NumPy array")


def _check_flushed(func, items, work):
    """XLA on CPU flushes subnormals to zero: a scalar subnormal in ``work`` must stay inside its interval as 0."""
    tiny = float(jax.numpy.finfo(work).tiny)
    for name, value, interval in items:
        if not _is_scalar(value) or isinstance(value, bool):
            continue
        v = float(value)
        if 0 < abs(v) < tiny:
            try:
                _check_scalar(func, name, 0.0, interval)
            except InputError:
                text, fix = interval[6], interval[7]
                raise InputError(f"{func}: {name} = {v!r} is subnormal in {jax.numpy.dtype(work).name}, "
                                 f"and XLA flushes it to 0 on CPU, outside {text}; pass {fix} of magnitude at least "
                                 f"{tiny!r}.") from None


def _prepare(func, items):
    """Check scalars, convert to arrays of the working dtype; return (operands, result dtype)."""
    for name, value, interval in items:
        _check_scalar(func, name, value, interval)
    values = [_as_operand(func, name, value) for name, value, _ in items]
    if all(isinstance(v, (int, float)) for v in values):
        dtype = _default_float()
    else:
        dtype = jax.numpy.result_type(*values)
        if jax.numpy.issubdtype(dtype, jax.numpy.complexfloating) or dtype == jax.numpy.bool_:
            raise InputError(f"{func}: inputs of dtype {dtype} are not real floating point; "
                             "pass float16, bfloat16, float32 or float64 values.")
        if not jax.numpy.issubdtype(dtype, jax.numpy.floating):  # integers (bfloat16 is floating, kind "V")
            dtype = _default_float()
    work = jax.numpy.float32 if dtype.name in _HALF else dtype
    if work == jax.numpy.float32:
        _check_single(func, items)
    _check_flushed(func, items, work)
    return [jax.numpy.asarray(v, dtype=work) for v in values], dtype


def _finish(result, dtype):
    """Round once to the result dtype."""
    return result if result.dtype == dtype else result.astype(dtype)


def _constant(name, x):
    """The runtime constant ``name`` of x's working dtype (see _shared.runtime_constant), a Python float (weak)."""
    f = jax.numpy.finfo(x.dtype)
    m, k = runtime_constant(name, f.nmant + 1, f.minexp, f.maxexp - 1)
    return math.ldexp(m, k)


def _noise_dtype(func, dtype):
    try:
        dtype = _default_float() if dtype is None else jax.numpy.dtype(dtype)
    except TypeError:
        dtype = None
    if dtype is None or dtype.name not in _FLOATS:
        raise InputError(f"{func}: dtype {dtype} is not supported; pass float16, bfloat16, float32 or float64.")
    if dtype.name == "float64" and _default_float() != jax.numpy.float64:
        raise InputError(f"{func}: dtype float64 needs 64-bit JAX; run jax.config.update('jax_enable_x64', True) "
                         "first, or pass float32.")
    return dtype


def _block_noise(func, key, shape, gamma, block, dtype):
    shape, blocked, axes, n = _block_layout(func, shape, block)
    a, k = _block_coefficients(func, gamma, n, _sampler_coefficients, _SINGLE_ROUNDING)
    dtype = _noise_dtype(func, dtype)
    work = jax.numpy.float32 if dtype.name in _HALF else dtype
    try:
        z = jax.random.normal(key, shape, dtype=work)
    except (TypeError, ValueError) as exc:
        raise InputError(f"{func}: key {key!r} is not a JAX PRNG key ({type(exc).__name__}); "
                         "pass one, e.g. jax.random.key(0) or a split of it.") from None
    z = z * a
    if z.size:
        zb = z.reshape(blocked)
        zb = zb + (k / n) * zb.sum(axis=axes, keepdims=True)
        z = zb.reshape(shape)
    return z.astype(dtype)


def block_noise(key, shape, gamma, *, block=(2, 2), dtype=None):
    """Exact block noise (code convention, gamma = gamma_c > 0): every block of n entries ~ N(0, (1 + gamma) I - gamma J).

    ``key`` is a JAX PRNG key (``jax.random.key(seed)``): the same key gives the same
    noise, and the caller splits keys as usual.  Blocks tile the trailing ``len(block)``
    dims of ``shape`` (block (2, 2): the 2x2 blocks of a nearest x2 up-sampling; (2,) and
    (2, 2, 2) work the same way).  gamma in (0, 1/(n - 1)], the singular bound included
    (there every block sums to 0).  Closed form x = a (z + k mean(z)), z ~ N(0, I),
    a = sqrt(1 + gamma), k = sqrt((1 - (n-1) gamma)/(1 + gamma)) - 1 (ledger claims
    sampler.*): one normal draw of the full shape and a block sum, no Cholesky factor,
    no loop over blocks.  ``dtype`` defaults to JAX's default float; float16 and
    bfloat16 are drawn and corrected in float32 and rounded once.
    """
    return _block_noise("block_noise", key, shape, gamma, block, dtype)


def renoise(key, latents, sigma_end, gamma):
    """Re-noise at a jump (code convention): nearest x2 up-sampling of the trailing two dims, then alpha x + beta noise.

    alpha = renoise_alpha(sigma_end, gamma), beta = renoise_beta(sigma_end, gamma)
    and the noise is ``block_noise(key, ...)`` with 2x2 blocks, so that the result has
    the marginal law of the next stage's start.  sigma_end in [0, 1] is the previous
    stage's end noise level (a number, or an array broadcastable to the latents),
    gamma = gamma_c in (0, 1/3].  The result has the dtype of ``latents`` (float16,
    bfloat16 computed in float32).
    """
    x = _as_operand("renoise", "latents", latents)
    x = jax.numpy.asarray(x)
    if x.ndim < 2 or x.dtype.name not in _FLOATS:
        raise InputError(f"renoise: latents of shape {tuple(x.shape)} and dtype {x.dtype} are not a float array "
                         "with at least 2 dims; pass a float16, bfloat16, float32 or float64 array (..., H, W).")
    work = jax.numpy.float32 if x.dtype.name in _HALF else x.dtype
    alpha = _renoise_alpha(sigma_end, gamma, "renoise")
    beta = _renoise_beta(sigma_end, gamma, "renoise")
    if alpha.ndim == 0 and not isinstance(sigma_end, jax.Array):
        alpha, beta = float(alpha), float(beta)  # weak: the latents' dtype decides
    else:
        alpha, beta = alpha.astype(work), beta.astype(work)
    up = jax.numpy.repeat(jax.numpy.repeat(x.astype(work), 2, axis=-2), 2, axis=-1)
    noise = _block_noise("renoise", key, up.shape, gamma, (2, 2), work)
    return (noise * beta + up * alpha).astype(x.dtype)
