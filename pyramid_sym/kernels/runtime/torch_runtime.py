"""Torch kernels of Pyramidal Flow Matching's jump point, printed from pyramid-sym's proved SymPy formulas.

Conventions (each function says which it takes):

* paper: ``s``, ``e`` are signal levels (t = 0 noise, t = 1 data), ``gamma`` is the
  paper's negative correlation, gamma in [-1/3, 0) for 2x2 blocks;
* code: ``sigma_end`` is a noise level (sigma = 1 - t), ``gamma`` is the reference
  code's positive gamma_c in (0, 1/3].

Scalar kernels take Python numbers, tensors or NumPy arrays for both arguments and
broadcast them, on the device of the tensor argument.  dtype policy: the result has
the dtype torch promotion gives the inputs (Python numbers are weak: a float32 tensor
with a Python gamma stays float32); Python numbers alone give a float64 tensor.
float16 and bfloat16 are computed in float32 and rounded once at the end; float32 and
float64 are computed in their own format by the stable forms.  No constant of another
dtype enters a computation: literals are Python numbers, weak in torch.

Input policy: a Python or NumPy scalar outside its interval raises InputError (a
ValueError) naming the value, the interval and the fix.  Tensors are not scanned
(that would cost a pass over the data and a device synchronisation): NaN in gives
NaN out, and entries outside the interval give whatever the formula gives there.
The ends of the intervals (s, sigma_end = 0 and 1) are accepted and give the finite
limits; sigma_end may exceed 1 by one float32 spacing (1 + 2**-23, the first entry of
the reference's float32 sigma table), and a closed bound of gamma is accepted within
single-precision rounding (1/3 as a float32).

``block_noise`` draws exact block noise (each block ~ N(0, (1 + gamma) I - gamma J))
in closed form, valid up to and including the singular bound gamma = 1/(n - 1), from
one normal draw of the full shape (no Cholesky factor, no loop over blocks);
``renoise`` is the jump's re-noising (nearest x2 up-sampling, then alpha x + beta noise).
"""

from __future__ import annotations

import math

import torch

from ._shared import (InputError, _block_coefficients, _block_layout, _check_scalar, _check_single,
                      _format_from_limits, _operand, runtime_constant)
from ..torch_kernels import _SINGLE_ROUNDING, _renoise_alpha, _renoise_beta, _sampler_coefficients

_HALF = (torch.float16, torch.bfloat16)
_WIDER = {torch.float16: torch.float32, torch.bfloat16: torch.float32}  # computed in float32, rounded once


def _root(x):
    """The square root rounded to nearest, which the certified bounds assume (``pyramid-sym bound``).

    torch's CPU ``sqrt`` returns the neighbour of the correctly rounded root for a fraction of a percent of
    inputs (``benchmarks/bench_torch_sqrt.py``).  On CPU a float32 root is taken in float64 and rounded once: the
    root of a float32 lies at least 2^-51 of itself from the midpoint m of two float32 neighbours (x - m^2 is a
    non-zero multiple of ulp(m)^2 / 4), farther than torch's float64 root strays from the exact one (within 1
    float64 ULP, 2^-52 of itself: at most 0.75 ULP measured by that benchmark), so both round to the same
    float32.  float64 on CPU has no wider type here and stays ``torch.sqrt``; other devices use ``torch.sqrt``.
    """
    if x.dtype == torch.float32 and x.device.type == "cpu":
        return torch.sqrt(x.to(torch.float64)).to(torch.float32)
    return torch.sqrt(x)


def _as_operand(func, name, value):
    return _operand(func, name, value, (torch.Tensor,), torch.as_tensor,
                    "a tensor; pass a Python number, a tensor or a NumPy array")


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
    if work == torch.float32:
        _check_single(func, items)
    return [torch.as_tensor(v, dtype=work, device=device) for v in values], dtype


def _finish(result, dtype):
    """Round once to the result dtype."""
    return result if result.dtype == dtype else result.to(dtype)


def _constant(name, x):
    """The runtime constant ``name`` of x's working dtype (see _shared.runtime_constant), a Python float (weak)."""
    f = torch.finfo(x.dtype)
    m, k = runtime_constant(name, *_format_from_limits(f.eps, f.tiny, f.max))
    return math.ldexp(m, k)


def _add_block_mean(zb, axes, c):
    """zb (blocked view) += c * (sum of each block): vectorised over all blocks, no loop over blocks.

    The block sums are widened along the innermost block axis before the one add, so that
    every pass reads and writes long contiguous runs.
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


def _block_noise(func, shape, gamma, block, generator, dtype, device):
    shape, blocked, axes, n = _block_layout(func, shape, block)
    a, k = _block_coefficients(func, gamma, n, _sampler_coefficients, _SINGLE_ROUNDING)
    dtype = _noise_dtype(func, dtype)
    work = torch.float32 if dtype in _HALF else dtype
    z = torch.empty(shape, dtype=work, device=device).normal_(0.0, a, generator=generator)
    if z.numel():
        _add_block_mean(z.view(blocked), axes, k / n)
    return z if work == dtype else z.to(dtype)


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
    return _block_noise("block_noise", shape, gamma, block, generator, dtype, device)


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
    alpha = _renoise_alpha(sigma_end, gamma, "renoise")
    beta = _renoise_beta(sigma_end, gamma, "renoise")
    h, w = x.shape[-2:]
    up = x.to(work)[..., :, None, :, None].expand(*x.shape[:-2], h, 2, w, 2).reshape(*x.shape[:-2], 2 * h, 2 * w)
    noise = _block_noise("renoise", up.shape, gamma, (2, 2), generator, work, x.device)
    if alpha.dim() == 0 and not isinstance(sigma_end, torch.Tensor):
        noise.mul_(float(beta)).add_(up, alpha=float(alpha))
    else:
        noise = noise * beta.to(device=x.device, dtype=work) + up * alpha.to(device=x.device, dtype=work)
    return noise if work == x.dtype else noise.to(x.dtype)
