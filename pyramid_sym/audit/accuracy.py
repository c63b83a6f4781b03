"""Accuracy as written: the float error of a line in its own operation order, against a certified reference.

The extracted expression is evaluated with every operation rounded to float32 or
float64 (:func:`pyramid_sym.audit.ir.evaluate`), at inputs exactly representable
in float32 that approach both ends of the level's domain (down to 1e-30 from 0 and
1e-7 from 1) for several gammas down to 1e-8; the reference is the proved
formula evaluated by the probe's certified reference (two working precisions that
must round to the same float).  The maximum is over this grid: a measured figure,
not a bound.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from . import _adapter as A
from . import ir

__all__ = ["measure", "grid_for", "LOSS_ULP"]

LOSS_ULP = 4  # above this many ULP the line loses accuracy: the stable kernel is named

_LEVELS = [1e-30, 1e-20, 1e-12, 1e-9, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 0.1, 0.25, 1 / 3, 0.5, 2 / 3, 0.75, 0.9,
           0.99, 1 - 1e-3, 1 - 1e-4, 1 - 1e-5, 1 - 1e-6, 1 - 1e-7]
_GAMMAS = [1 / 3, 0.3, 0.25, 0.1, 1e-2, 1e-4, 1e-8]


def _representable(values, iv) -> list[float]:
    out = []
    for v in values:
        f = float(np.float32(v))
        if not iv.contains(Fraction(f)):
            f = float(np.nextafter(np.float32(f), np.float32(0)))  # e.g. float32(1/3) lies above 1/3
            if not iv.contains(Fraction(f)):
                continue
        if f not in out:
            out.append(f)
    return out


def grid_for(kinds, intervals) -> np.ndarray:
    cols = []
    for kind, iv in zip(kinds, intervals):
        if kind == "gamma":
            sign = -1 if iv.hi <= 0 else 1
            cols.append(_representable([sign * g for g in _GAMMAS], iv))
        else:
            cols.append(_representable(_LEVELS, iv))
    if not cols:
        return np.zeros((0, 0))
    return np.array(list(__import__("itertools").product(*cols)), dtype=np.float64)


def measure(node: ir.Node, symbols, kinds, intervals, ref_key, ref_expr, ref_symbols, cache: dict):
    """Max ULP in float32 and float64 of ``node`` (file order) against the reference; None where not measurable."""
    if node.shape is not None:
        return {"float32": None, "float64": None}, "matrix entries are literals and gamma: not measured"
    pts = grid_for(kinds, intervals)
    if pts.size == 0:
        return {"float32": None, "float64": None}, ""
    key = ("ref", ref_key)
    if key not in cache:
        ref = A.reference(ref_expr, ref_symbols)
        ords = {}
        for fmt in A.FLOAT_FORMATS:
            o = np.zeros(len(pts), dtype=np.int64)
            ok = np.zeros(len(pts), dtype=bool)
            for i, row in enumerate(pts.tolist()):
                try:
                    o[i], ok[i] = A.reference_ordinal(ref, row, fmt)
                except (ValueError, ZeroDivisionError, OverflowError):
                    ok[i] = False
            ords[fmt] = (o, ok)
        cache[key] = ords
    ords = cache[key]
    out, notes = {}, []
    for fmt in A.FLOAT_FORMATS:
        dt = np.float32 if fmt == "float32" else np.float64
        vals = {s: pts[:, j].astype(dt) for j, s in enumerate(symbols)}
        got = ir.evaluate(node, vals, dt)
        got = np.broadcast_to(got, (len(pts),)).astype(dt)
        ref_o, ok = ords[fmt]
        d_all = A.ulp_errors(got, ref_o, fmt)
        d = d_all[ok]
        if d.size == 0:
            out[fmt] = None
            continue
        bad = int(np.isnan(d).sum())
        if bad:
            notes.append(f"{fmt}: {bad} of {d.size} grid points give a non-finite value")
            out[fmt] = None
        else:
            out[fmt] = float(d.max())
            if out[fmt] > LOSS_ULP:
                i = int(np.argmax(np.where(ok, np.nan_to_num(d_all, nan=-1.0), -1.0)))
                where = ", ".join(f"{s} = {pts[i, j]:.6g}" for j, s in enumerate(symbols))
                notes.append(f"{fmt} worst at {where}")
    return out, "; ".join(notes)
