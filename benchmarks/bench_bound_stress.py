"""Stress the emitted kernels against their certified bounds: worst observed error beside the proved bound.

For each kernel and dtype, N inputs (default 10^7, in chunks of 10^6 to keep memory low): 90 % at random, half
drawn uniformly over the floats' ordinals (every binade equally, the subnormals included), half uniformly in
value; the last 10 % near the 64 worst inputs found so far and near the input where the certified search found
its model worst (``model_argmax`` of the stored table; ordinal offsets up to 2^24, geometrically spread), a local
search, since the largest errors sit in narrow regions (bfloat16: all at random).
The error is |computed - reference| / ulp(reference) in the dtype, with the reference computed by the same
emitted form in a wider format (float64 for float32/float16/bfloat16; x87 long double, 64-bit significand, for
float64: its own error is below 0.01 ULP of float64, which the printed figures include as is).

Prints per kernel and dtype: the certified bound (pyramid_sym/data/kernel_bounds.json), the worst error
observed, the tightness ratio bound / worst, and the input where the worst was seen.  A worst error above the
bound is a bug in the kernel or in the bound; the script then exits 1.

    python benchmarks/bench_bound_stress.py [--points 10000000] [--kernel K] [--dtype float32,...] [--seed 0]
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np

from pyramid_sym.bound import load_bounds
from pyramid_sym.bound.adapter import kernel_domain, kernel_names
from pyramid_sym.bound.formats import FORMATS

_BITS = {"float16": (np.float16, np.uint16), "float32": (np.float32, np.uint32), "float64": (np.float64, np.uint64)}


def _draw(rng, n, dtype_name, lo, hi, sign):
    """n floats of the dtype in [lo, hi] (magnitudes), half by ordinal, half by value; sign -1 negates."""
    import torch

    if dtype_name == "bfloat16":
        vals = _draw(rng, n, "float32", lo, hi, 1).astype(np.float32)
        t = torch.from_numpy(vals).to(torch.bfloat16).to(torch.float32).numpy()
        t = np.clip(t, lo, hi)
        return sign * t
    ft, ut = _BITS[dtype_name]
    lo_o = np.array(lo, dtype=ft).view(ut).astype(np.int64)
    hi_o = np.array(hi, dtype=ft).view(ut).astype(np.int64)
    half = n // 2
    o = rng.integers(int(lo_o), int(hi_o) + 1, size=half, dtype=np.int64)
    a = o.astype(ut).view(ft)
    b = rng.uniform(float(lo), float(hi), size=n - half).astype(ft)
    return (sign * np.concatenate([a, b])).astype(ft)


def _ulp(ref, fmt):
    m, e = np.frexp(np.abs(ref))
    e = np.maximum(e.astype(np.int64) - 1, fmt.emin)
    return np.ldexp(np.ones_like(ref), (e - fmt.precision + 1).astype(np.int32))


def _errors(kernel, dtype, fmt, x, g):
    """(errors in ULP of the dtype, x and g as the kernel received them)."""
    from pyramid_sym.kernels import numpy_kernels as nk

    if dtype == "bfloat16":
        import torch
        from pyramid_sym.kernels import torch_kernels as tk

        xt, gt = torch.from_numpy(x).to(torch.bfloat16), torch.from_numpy(g).to(torch.bfloat16)
        x, g = xt.to(torch.float64).numpy(), gt.to(torch.float64).numpy()  # the inputs as the kernel gets them
        out = getattr(tk, kernel)(xt, gt).to(torch.float64).numpy()
        ref = getattr(nk, kernel)(x, g)
    elif dtype == "float64":
        out = getattr(nk, kernel)(x, g).astype(np.longdouble)
        ref = getattr(nk, kernel)(x.astype(np.longdouble), g.astype(np.longdouble))
    else:
        out = getattr(nk, kernel)(x, g).astype(np.float64)
        ref = getattr(nk, kernel)(x.astype(np.float64), g.astype(np.float64))
    return np.abs(out - ref) / _ulp(ref, fmt), x, g


def _neighbours(rng, values, n, dtype_name, lo, hi, sign):
    """n floats near the given ones: each an ordinal offset of up to +-2^j, j uniform in [0, 24]."""
    ft, ut = _BITS[dtype_name]
    lo_o = int(np.array(lo, dtype=ft).view(ut))
    hi_o = int(np.array(hi, dtype=ft).view(ut))
    base = np.abs(values.astype(ft)).view(ut).astype(np.int64)
    pick = base[rng.integers(0, len(base), size=n)]
    span = np.left_shift(np.int64(1), rng.integers(0, 25, size=n))
    o = np.clip(pick + rng.integers(-span, span + 1), lo_o, hi_o)
    return (sign * o.astype(ut).view(ft)).astype(ft)


def stress(kernel, dtype, points, seed, chunk=10**6, local=0.1, keep=64, seeds=()):
    """Worst error over ``points`` inputs: a share ``1 - local`` drawn at random, the rest near the ``keep``
    worst inputs of the random draw and near the ``seeds`` (the certified search's worst model point): a local
    search, since the largest errors sit in narrow regions."""
    fmt = FORMATS[dtype]
    rng = np.random.default_rng(seed)
    (xn, xlo, xhi), (gn, glo, ghi) = kernel_domain(kernel)
    sign = -1 if ghi <= 0 else 1
    gmax = float(max(abs(glo), abs(ghi)))
    gmin = 2.0 ** (fmt.qmin if dtype != "float16" else -24)
    worst, where = -1.0, None
    tops_x, tops_g, tops_e = np.empty(0), np.empty(0), np.empty(0)
    if seeds and dtype != "bfloat16":
        ft = _BITS[dtype][0]
        err, x, g = _errors(kernel, dtype, fmt, np.array([p[0] for p in seeds], dtype=ft),
                            np.array([p[1] for p in seeds], dtype=ft))
        tops_x, tops_g, tops_e = x.astype(np.float64), g.astype(np.float64), np.full(len(seeds), np.inf)
        i = int(np.argmax(err))
        worst, where = float(err[i]), (float(x[i]), float(g[i]))
    n_local = int(points * local) if dtype != "bfloat16" else 0
    done = 0
    while done < points:
        n = min(chunk, points - done)
        if done < points - n_local:
            n = min(n, points - n_local - done)
            x = _draw(rng, n, dtype, float(xlo), float(xhi), 1)
            g = _draw(rng, n, dtype, gmin, gmax, sign)
        else:
            x = _neighbours(rng, tops_x, n, dtype, float(xlo), float(xhi), 1)
            g = _neighbours(rng, tops_g, n, dtype, gmin, gmax, sign)
        err, x, g = _errors(kernel, dtype, fmt, x, g)
        i = int(np.argmax(err))
        if err[i] > worst:
            worst, where = float(err[i]), (float(x[i]), float(g[i]))
        order = np.argsort(err)[-keep:]
        tops_x = np.concatenate([tops_x, x[order].astype(np.float64)])
        tops_g = np.concatenate([tops_g, g[order].astype(np.float64)])
        tops_e = np.concatenate([tops_e, err[order]])
        best = np.argsort(tops_e)[-keep:]
        tops_x, tops_g, tops_e = tops_x[best], tops_g[best], tops_e[best]
        done += n
    return worst, where


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--points", type=int, default=10**7)
    ap.add_argument("--kernel")
    ap.add_argument("--dtype", default="float16,bfloat16,float32,float64")
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args(argv)
    bounds = load_bounds()
    argmax = load_bounds("model_argmax")  # where the certified search's model is worst: a seed of the local search
    kernels = [a.kernel] if a.kernel else list(kernel_names())
    bad = 0
    print(f"{'kernel':<22} {'dtype':<9} {'certified':>10} {'worst seen':>11} {'bound/worst':>11}  input (x, gamma)")
    for k in kernels:
        for d in a.dtype.split(","):
            t = time.perf_counter()
            worst, where = stress(k, d, a.points, a.seed, seeds=[argmax[k][d]])
            b = bounds[k][d]
            bad += worst > b
            print(f"{k:<22} {d:<9} {b:>10g} {worst:>11.4f} {b / worst if worst > 0 else float('inf'):>11.2f}  "
                  f"{where}  ({time.perf_counter() - t:.1f} s)", flush=True)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
