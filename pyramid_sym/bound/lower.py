"""Certified LOWER bounds of the reference code's forms: a float input where the error is proved >= X ULP.

The reference code's formulas, as the stability probe transcribes and runs them (every
intermediate in the target dtype), are evaluated at candidate inputs; the exact value of
the kernel's formula at the same (exact) inputs is enclosed in interval arithmetic
(arb ends), and the error is bounded from below by the distance from the computed float
to that enclosure, over the largest ULP in it.  The worst candidate is reported: "the
reference loses X ULP" becomes a proved statement at that input.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from .formats import FORMATS
from .interval import iv_hull
from .tape import Tape

__all__ = ["LowerBound", "reference_lower_bounds"]


@dataclass
class LowerBound:
    kernel: str
    dtype: str
    ulp: float            # proved: the error at ``point`` is at least this many ULP of the exact value
    point: tuple[float, float]
    computed: float

    def to_json(self) -> dict:
        return {"kernel": self.kernel, "dtype": self.dtype, "ulp_at_least": self.ulp, "input": list(self.point),
                "computed": self.computed}


def _candidates(dtype: np.dtype, sign: int, rng: np.random.Generator, n: int):
    info = np.finfo(dtype)
    tiny = float(info.smallest_subnormal)
    xs = [0.0, tiny, float(info.smallest_normal), 1.0, 0.5, 1 - float(info.epsneg)]
    xs += list(np.logspace(np.log10(tiny * 4), 0, 40))
    xs += list(1 - np.logspace(-1, np.log10(float(info.epsneg)), 30))
    gs = [1 / 3, 0.25, 0.1, 1e-2, 1e-3, 1e-4, 1e-6]
    xs = np.array(xs + list(rng.random(n)), dtype=dtype)
    gs = np.array(gs + list(rng.random(n // 4) / 3), dtype=dtype)
    X, G = np.meshgrid(xs, gs)
    return X.ravel(), (sign * G).ravel().astype(dtype)


def reference_lower_bounds(dtypes=("float16", "float32", "float64"), *, seed: int = 0, n: int = 60) -> list[LowerBound]:
    """For each reference code form and dtype (NumPy's: float16, float32, float64), the worst proved error."""
    import sympy

    from .adapter import kernel_domain, reference_forms
    from ..kernels.registry import kernel as kernel_spec

    out = []
    rng = np.random.default_rng(seed)
    for kname, form in reference_forms().items():
        spec = kernel_spec(kname)
        # the exact value through the emitted form (proved equal to the formula by the ledger): no cancellation
        expr = spec.to_python_symbols(spec.emitted_expr)
        names = [py for _, py, _ in spec.args]
        tape = Tape([sympy.Symbol(a) for a in names], [expr])
        (_, _, _), (_, glo, ghi) = kernel_domain(kname)
        sign = -1 if ghi <= 0 else 1
        for d in dtypes:
            dt = np.dtype(d)
            fmt = FORMATS[d]
            x, g = _candidates(dt, sign, rng, n)
            with np.errstate(all="ignore"):
                y = np.asarray(form(x, g, np.sqrt), dtype=np.float64)
            ok = np.isfinite(y)
            # rank candidates with a float64/longdouble estimate, then certify the top ones exactly
            from ..kernels import numpy_kernels as nk

            ref = getattr(nk, kname)(x.astype(np.longdouble), g.astype(np.longdouble)).astype(np.float64)
            with np.errstate(all="ignore"):
                est = np.where(ok, np.abs(y - ref) / np.maximum(np.abs(ref), float(fmt.smallest_subnormal)), 0)
            best = None
            for i in np.argsort(-est)[:12]:
                if not ok[i]:
                    continue
                xi, gi = Fraction(float(x[i])), Fraction(float(g[i]))
                try:
                    (v,) = tape.run([iv_hull(xi, xi), iv_hull(gi, gi)])
                    lo, hi = v.ends()
                except ArithmeticError:
                    continue
                yc = Fraction(float(y[i]))
                dist = max(lo - yc, yc - hi, Fraction(0))
                ulp = max(fmt.ulp(lo), fmt.ulp(hi))
                lb = dist / ulp
                if best is None or lb > best[0]:
                    best = (lb, (float(x[i]), float(g[i])), float(y[i]))
            if best is not None:
                lb = best[0]
                lb_down = float(lb) if float(lb) <= lb else float(np.nextafter(float(lb), 0))
                out.append(LowerBound(kname, d, lb_down, best[1], best[2]))
    return out
