"""Bit-identity of the emitted kernels across a change of the emitter: save outputs, then compare.

    python benchmarks/kernels_bitcheck.py --save old.npz      # before the change
    python benchmarks/kernels_bitcheck.py --compare old.npz   # after it: exit 1 on any differing bit

The points are the probe's full grid for every scalar kernel and dtype (float16, float32,
float64 through NumPy and torch; bfloat16 through torch), built once by ``--save`` and
stored in the file, so ``--compare`` evaluates the new kernels at exactly the same inputs.
Outputs are compared as bit patterns (NaN payloads included).
"""

from __future__ import annotations

import argparse
import importlib
import sys

import numpy as np

TARGETS = ("numpy", "torch")


def _points():
    from pyramid_sym.probe.engine import build_points
    from pyramid_sym.probe.inputs import Grid
    from pyramid_sym.probe.reference import FORMATS

    try:  # registry-based probe
        from pyramid_sym.probe.forms import probe_kernels as _specs
    except ImportError:
        from pyramid_sym.probe.forms import kernel_specs as _specs
    rng = np.random.default_rng(0)
    out = {}
    for name, spec in _specs().items():
        for dname, fmt in FORMATS.items():
            pts = build_points(spec, fmt, Grid.full(), rng)
            out[f"{name}|{dname}|x"] = pts.x
            out[f"{name}|{dname}|g"] = pts.g
    return out


def _evaluate(target, name, dname, x, g):
    import torch

    mod = importlib.import_module(f"pyramid_sym.kernels.{target}_kernels")
    fn = getattr(mod, name)
    if target == "torch":
        dt = getattr(torch, dname)
        out = fn(torch.from_numpy(x).to(dt), torch.from_numpy(g).to(dt))
        if dname == "bfloat16":
            return out.view(torch.int16).numpy()
        return out.numpy()
    if dname == "bfloat16":
        return None
    dt = np.dtype(dname)
    with np.errstate(all="ignore"):
        return np.asarray(fn(x.astype(dt), g.astype(dt)))


def _outputs(points):
    res = {}
    for key in points:
        if not key.endswith("|x"):
            continue
        name, dname, _ = key.split("|")
        x, g = points[key], points[f"{name}|{dname}|g"]
        for target in TARGETS:
            out = _evaluate(target, name, dname, x, g)
            if out is not None:
                res[f"out|{target}|{name}|{dname}"] = out.view(f"u{out.dtype.itemsize}")
    return res


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument("--save", metavar="FILE")
    g.add_argument("--compare", metavar="FILE")
    a = ap.parse_args(argv)
    if a.save:
        pts = _points()
        np.savez_compressed(a.save, **pts, **_outputs(pts))
        n = sum(len(v) for k, v in pts.items() if k.endswith("|x"))
        print(f"saved {n} points per target to {a.save}")
        return 0
    data = dict(np.load(a.compare))
    pts = {k: v for k, v in data.items() if not k.startswith("out|")}
    new = _outputs(pts)
    bad, total = 0, 0
    for key, old in data.items():
        if not key.startswith("out|"):
            continue
        cur = new.get(key)
        total += len(old)
        if cur is None or cur.shape != old.shape:
            print(f"{key}: missing or reshaped")
            bad += len(old)
            continue
        diff = int((cur != old).sum())
        bad += diff
        if diff:
            print(f"{key}: {diff} of {len(old)} outputs differ")
    print(f"{total} outputs compared bit for bit over {len(data) - len(pts)} kernel x dtype x target series; "
          f"{bad} differ")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
