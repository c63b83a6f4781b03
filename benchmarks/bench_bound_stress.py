"""Stress the emitted kernels against their certified bounds: worst observed error beside the proved bound.

For each kernel and dtype, N inputs (default 10^7, in chunks of 10^6 to keep memory low):

* 70 % at random, half drawn uniformly over the floats' ordinals (every binade equally, the subnormals
  included), half uniformly in value;
* 10 % near the 64 worst inputs of the random draw and near the input where the certified search found its
  model worst (``model_argmax`` of the stored table; ordinal offsets up to 2^24, geometrically spread), a local
  search, since the largest errors sit in narrow regions;
* 20 % at a binade end of the result: the error is measured in ulp(y), and where y sits just under a power of
  2 the computed value may round into the binade above, whose spacing is twice as wide.  Random inputs reach
  those few floats rarely: here each pair of adjacent floats, one argument apart, is found by bisection along
  that argument (the other held) on the reference's value, so that the results lie either side of a power of 2;
  half the brackets start near the 65,536 worst inputs of the random draw and of this phase so far, and a
  quarter hold one argument at a value where a part of the kernel that reads that argument alone (a square root
  of gamma, say) is computed worst: an error carried from inside is largest in ulp(y) where y ends its binade,
  and one such value in 10^4 is met by chance too rarely (those values come from 2^22 draws of each argument,
  on that part only).

bfloat16: all at random (its kernels run in float32 and round once).
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
from pyramid_sym.bound.adapter import kernel_domain, kernel_names, kernel_tree, runtime_constant_name, topological
from pyramid_sym.bound.formats import FORMATS
from pyramid_sym.bound.model import evaluate_nodes

_BITS = {"float16": (np.float16, np.uint16), "float32": (np.float32, np.uint32), "float64": (np.float64, np.uint64)}


def _ordinals(v, dtype_name):
    """The ordinals of |v| among the dtype's non-negative floats (int64)."""
    ft, ut = _BITS[dtype_name]
    return np.abs(np.asarray(v, dtype=ft)).view(ut).astype(np.int64)


def _values(o, dtype_name, sign):
    """The floats of ordinals ``o``, times ``sign``."""
    ft, ut = _BITS[dtype_name]
    return (sign * o.astype(ut).view(ft)).astype(ft)


def _ranges(kernel, dtype):
    """Per argument (lo, hi, sign): the magnitudes the stress draws (gamma from the least positive float)."""
    (_, xlo, xhi), (_, glo, ghi) = kernel_domain(kernel)
    return ((float(xlo), float(xhi), 1),
            (2.0 ** FORMATS[dtype].qmin, float(max(abs(glo), abs(ghi))), -1 if ghi <= 0 else 1))


def _draw(rng, n, dtype_name, lo, hi, sign):
    """n floats of the dtype in [lo, hi] (magnitudes), half by ordinal, half by value; sign -1 negates."""
    import torch

    if dtype_name == "bfloat16":
        vals = _draw(rng, n, "float32", lo, hi, 1).astype(np.float32)
        t = torch.from_numpy(vals).to(torch.bfloat16).to(torch.float32).numpy()
        t = np.clip(t, lo, hi)
        return sign * t
    ft = _BITS[dtype_name][0]
    half = n // 2
    o = rng.integers(int(_ordinals(lo, dtype_name)), int(_ordinals(hi, dtype_name)) + 1, size=half, dtype=np.int64)
    b = rng.uniform(float(lo), float(hi), size=n - half).astype(ft)
    return (sign * np.concatenate([_values(o, dtype_name, 1), b])).astype(ft)


def _ulp(ref, fmt):
    m, e = np.frexp(np.abs(ref))
    e = np.maximum(e.astype(np.int64) - 1, fmt.emin)
    return np.ldexp(np.ones_like(ref), (e - fmt.precision + 1).astype(np.int32))


def _reference(kernel, dtype, x, g):
    """The kernel's value at the dtype's inputs x, g, computed in the wider reference format."""
    from pyramid_sym.kernels import numpy_kernels as nk

    wide = np.longdouble if dtype == "float64" else np.float64
    return getattr(nk, kernel)(x.astype(wide), g.astype(wide))


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
    else:
        out = getattr(nk, kernel)(x, g).astype(np.longdouble if dtype == "float64" else np.float64)
        ref = _reference(kernel, dtype, x, g)
    return np.abs(out - ref) / _ulp(ref, fmt), x, g


def _neighbours(rng, values, n, dtype_name, lo, hi, sign):
    """n floats near the given ones: each an ordinal offset of up to +-2^j, j uniform in [0, 24]."""
    base = _ordinals(values, dtype_name)
    pick = base[rng.integers(0, len(base), size=n)]
    span = np.left_shift(np.int64(1), rng.integers(0, 25, size=n))
    o = np.clip(pick + rng.integers(-span, span + 1), _ordinals(lo, dtype_name), _ordinals(hi, dtype_name))
    return _values(o, dtype_name, sign)


def _binade(y):
    """floor(log2 |y|) of the reference values (|y| > 0)."""
    _, e = np.frexp(np.abs(y))
    return e.astype(np.int64) - 1


def _one_argument_parts(kernel):
    """Per argument: (the kernel's nodes that read that argument alone (no other input, no constant read from the
    working dtype), in evaluation order; those of them that a node reading more, or the result, reads: the values
    the rest of the kernel gets from that argument)."""
    args, root = kernel_tree(kernel)
    order, reads = topological(root), {}
    for node in order:
        if node.op == "input":
            reads[node] = {node.value}
        elif node.op == "const":
            reads[node] = {None} if runtime_constant_name(node.value) is not None else set()
        else:
            reads[node] = set().union(*(reads[a] for a in node.args))
    out = {}
    for name in args:
        part = [nd for nd in order if reads[nd] <= {name}]
        inside = set(part)
        given = {a for nd in order if nd not in inside for a in nd.args if a in inside}
        out[name] = (part, [nd for nd in part if (nd in given or nd is root) and nd.op != "const"])
    return out


def _inner_worst(rng, kernel, dtype, ranges, n=2**22, keep=512):
    """Per argument, the ``keep`` values (of n drawn) where a value the rest of the kernel gets from that argument
    alone has the largest relative error (against the same operations in the reference format)."""
    fmt = FORMATS[dtype]
    wide = np.longdouble if dtype == "float64" else np.float64
    out = []
    for (name, (nodes, given)), (lo, hi, sign) in zip(_one_argument_parts(kernel).items(), ranges):
        v = _draw(rng, n, dtype, lo, hi, sign)
        worst = np.zeros(n)
        if given:
            # the reference's literals as float64 holds them, as in the kernel run in the reference format
            got = evaluate_nodes(nodes, {name: v}, v.dtype.type, fmt.nearest)
            ref = evaluate_nodes(nodes, {name: v}, wide, FORMATS["float64"].nearest)
            for nd in given:
                with np.errstate(all="ignore"):
                    rel = np.abs(got[nd].astype(wide) - ref[nd]) / np.abs(ref[nd]) * 2.0 ** fmt.precision
                worst = np.maximum(worst, np.where(np.isfinite(rel), rel, 0).astype(np.float64))
        out.append(v[np.argsort(worst)[-keep:]])
    return out


def _edges(rng, n, kernel, dtype, ranges, near=(), held=()):
    """n inputs in pairs of adjacent floats whose exact results lie either side of a power of 2.

    Each pair comes from a bracket along one argument (the other held): from a base input to a float whose
    result lies in another binade, cut by bisection on the reference's value at the first binade end met from
    the base, down to two adjacent floats.  ``ranges``: per argument (lo, hi, sign) of the magnitudes; ``near``:
    (x, g) arrays whose neighbourhoods (up to 2^p floats away) hold the base of half the brackets; ``held``: per
    argument, values that a quarter of the brackets hold (the bracket runs along the other argument)."""
    out_x, out_g = [], []
    got = 0
    los = [_ordinals(lo, dtype)[()] for lo, _, _ in ranges]
    his = [_ordinals(hi, dtype)[()] for _, hi, _ in ranges]
    signs = [sign for _, _, sign in ranges]
    while got < n:
        m = max(1024, (n - got) // 2)
        # one end of each bracket: at random, or (half) one of the worst inputs so far
        base = [_ordinals(_draw(rng, m, dtype, float(lo), float(hi), 1), dtype) for lo, hi, _ in ranges]
        if len(near) and len(near[0]):
            # near one of the worst inputs: each argument kept (half the time: its own rounding errors stay, the
            # bracket moves the result to a binade end) or moved by up to 2^j floats (j < p, geometrically
            # spread: from the next float to a binade away)
            pick = rng.integers(0, len(near[0]), size=m // 2)
            for i in range(2):
                span = np.left_shift(np.int64(1), rng.integers(0, FORMATS[dtype].precision, size=m // 2))
                span = np.where(rng.random(m // 2) < 0.5, 0, span)
                o = _ordinals(near[i][pick], dtype) + rng.integers(-span, span + 1)
                base[i][: m // 2] = np.clip(o, los[i], his[i])
        axis = rng.integers(0, 2, size=m)
        if len(held):
            # a quarter: one argument at one of its ``held`` values, the bracket along the other
            rows = np.arange(m // 2, m // 2 + m // 4)
            i = rng.integers(0, 2, size=len(rows))
            for k in range(2):
                r = rows[i == k]
                base[k][r] = _ordinals(held[k][rng.integers(0, len(held[k]), size=len(r))], dtype)
                axis[r] = 1 - k
        # the other end: an end of the argument's range, or an ordinal offset of 2^j (a local bracket)
        j = rng.integers(0, np.iinfo(_BITS[dtype][1]).bits, size=m)
        step = np.left_shift(np.int64(1), np.minimum(j, 62)) * rng.choice([-1, 1], size=m)
        o_axis = np.where(axis == 0, base[0], base[1])
        lo_ax = np.where(axis == 0, los[0], los[1])
        hi_ax = np.where(axis == 0, his[0], his[1])
        range_end = np.where(rng.random(m) < 0.5, lo_ax, hi_ax)
        other_end = np.clip(np.where(rng.random(m) < 0.5, range_end, o_axis + step), lo_ax, hi_ax)
        a, b = np.minimum(o_axis, other_end), np.maximum(o_axis, other_end)

        def value(o, rows=slice(None)):
            ox = np.where(axis[rows] == 0, o, base[0][rows])
            og = np.where(axis[rows] == 1, o, base[1][rows])
            return _reference(kernel, dtype, _values(ox, dtype, signs[0]), _values(og, dtype, signs[1]))

        ya, yb = value(a), value(b)
        ea, eb = _binade(ya), _binade(yb)
        # a result 0 has no binade end to meet: such brackets are dropped
        crossing = (ea != eb) & (ya != 0) & (yb != 0) & np.isfinite(ya) & np.isfinite(yb)
        if not crossing.any():
            continue
        # the power of 2 to find: the first binade end met from the base on (the bracket's base end keeps its
        # neighbourhood: a worst input's own binade end)
        base_is_a = o_axis == a
        e_base, e_other = np.where(base_is_a, ea, eb), np.where(base_is_a, eb, ea)
        edge = np.where(e_other > e_base, e_base + 1, e_base)
        level = np.ldexp(np.ones(m, dtype=ya.dtype), edge.astype(np.int32))
        above_a = np.abs(ya) >= level
        while True:
            rows = np.flatnonzero(crossing & (b - a > 1))  # the brackets still open
            if not len(rows):
                break
            mid = (a[rows] + b[rows]) // 2
            same = (np.abs(value(mid, rows)) >= level[rows]) == above_a[rows]
            a[rows] = np.where(same, mid, a[rows])
            b[rows] = np.where(same, b[rows], mid)
        idx = np.flatnonzero(crossing)
        o = np.stack([a[idx], b[idx]], axis=1).ravel()  # a, b, a, b, ...
        ax = np.repeat(axis[idx], 2)
        ox = np.where(ax == 0, o, np.repeat(base[0][idx], 2))
        og = np.where(ax == 1, o, np.repeat(base[1][idx], 2))
        out_x.append(_values(ox, dtype, signs[0]))
        out_g.append(_values(og, dtype, signs[1]))
        got += len(o)
    return np.concatenate(out_x)[:n], np.concatenate(out_g)[:n]


def stress(kernel, dtype, points, seed, chunk=10**6, local=0.1, edges=0.2, keep=64, pool=65536, seeds=()):
    """Worst error over ``points`` inputs, in three phases: a share ``1 - local - edges`` drawn at random;
    ``local`` near the ``keep`` worst of them and near the ``seeds`` (the certified search's worst model point), a
    local search, since the largest errors sit in narrow regions; ``edges`` at the binade ends of the result (see
    ``_edges``), half of them from the ``pool`` worst inputs of the random and edge phases so far."""
    fmt = FORMATS[dtype]
    rng = np.random.default_rng(seed)
    ranges = _ranges(kernel, dtype)
    (xlo, xhi, _), (gmin, gmax, sign) = ranges
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
    n_edges = int(points * edges) if dtype != "bfloat16" else 0
    n_random = points - n_local - n_edges
    done = 0
    held = None
    while done < points:
        local_phase = n_random <= done < n_random + n_local
        if done < n_random:
            n = min(chunk, n_random - done)
            x = _draw(rng, n, dtype, xlo, xhi, 1)
            g = _draw(rng, n, dtype, gmin, gmax, sign)
        elif local_phase:
            n = min(chunk, n_random + n_local - done)
            x = _neighbours(rng, tops_x[-keep:], n, dtype, xlo, xhi, 1)
            g = _neighbours(rng, tops_g[-keep:], n, dtype, gmin, gmax, sign)
        else:
            n = min(chunk, points - done)
            if held is None:
                held = _inner_worst(rng, kernel, dtype, ranges)
            x, g = _edges(rng, n, kernel, dtype, ranges, near=(tops_x, tops_g), held=held)
        done += n
        err, x, g = _errors(kernel, dtype, fmt, x, g)
        i = int(np.argmax(err))
        if err[i] > worst:
            worst, where = float(err[i]), (float(x[i]), float(g[i]))
        if local_phase:
            continue  # the local search's finds stay out of the pool: they would crowd around the 64 it started from
        # the ``pool`` worst inputs so far, in ascending order of error (the seeds stay, at infinity)
        order = np.argsort(err)[-pool:]
        tops_x = np.concatenate([tops_x, x[order].astype(np.float64)])
        tops_g = np.concatenate([tops_g, g[order].astype(np.float64)])
        tops_e = np.concatenate([tops_e, err[order]])
        best = np.argsort(tops_e, kind="stable")[-pool:]
        tops_x, tops_g, tops_e = tops_x[best], tops_g[best], tops_e[best]
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
