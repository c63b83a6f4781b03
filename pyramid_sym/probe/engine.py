"""Run the stability probe: points, certified references, every form, statistics.

``run_probe(kernels, dtypes, quick=...)`` returns a :class:`ProbeResult` whose
``to_json()`` is the ``--json`` output and whose ``series`` feed the plots.
"""

from __future__ import annotations

import math
import time
import warnings
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from ..kernels.registry import ACCEPTANCE
from .forms import GAMMA_MIN, Form, ProbeKernel, form_names, forms_for, probe_kernels
from .inputs import REGIONS, Grid, PointSet, end_sweep, inside_range, interior, random_bits
from .reference import (
    FORMATS, ExactFunction, FloatFormat, ordinal_of_fraction, ordinals_of_output, ulp_distance,
    values_of_ordinals,
)

__all__ = ["BOUNDS", "FormResult", "ProbeResult", "build_points", "evaluate_form", "run_probe", "torch_available"]

BOUNDS = ACCEPTANCE
"""The acceptance bounds of the emitted kernels (kernel registry): max ULP per dtype, no non-finite output."""


def torch_available() -> bool:
    try:
        import torch  # noqa: F401
    except Exception:  # noqa: BLE001 - optional dependency
        return False
    return True


# --- points -------------------------------------------------------------------------------
def _signed(spec: ProbeKernel, mag: Fraction) -> Fraction:
    return spec.gamma_sign * mag


def build_points(spec: ProbeKernel, fmt: FloatFormat, grid: Grid, rng: np.random.Generator) -> PointSet:
    """The probe's inputs for one kernel and format: x sweeps, gamma sweeps, random 2-D, default schedule."""
    xv, gv = spec.x_var, spec.gamma_var
    g_lo, g_hi = inside_range(gv, fmt)

    def clip_g(o):
        return min(max(o, g_lo), g_hi)

    x_lo, x_hi = inside_range(xv, fmt)

    def clip_x(o):
        return min(max(o, x_lo), x_hi)

    # fixed values of gamma for the x sweeps; fixed x for the gamma sweeps
    g_fixed = sorted({clip_g(ordinal_of_fraction(_signed(spec, m), fmt)) for m in grid.gamma_fixed})
    g_default = clip_g(ordinal_of_fraction(spec.default_gamma, fmt))
    x_default = sorted({clip_x(ordinal_of_fraction(Fraction(v), fmt)) for v in spec.default_x})
    x_fixed = sorted(set(x_default) | {clip_x(ordinal_of_fraction(v, fmt)) for v in grid.x_fixed})

    xs, gs, rs = [], [], []

    def add(x_ords, g_ords, region):
        x_ords = np.asarray(x_ords, dtype=np.int64)
        g_ords = np.asarray(g_ords, dtype=np.int64)
        xs.append(x_ords)
        gs.append(g_ords)
        rs.append(np.full(len(x_ords), REGIONS.index(region), dtype=np.int16))

    def x_sweep(ords, region):
        X, G = np.meshgrid(ords, np.asarray(g_fixed, dtype=np.int64), indexing="ij")
        add(X.ravel(), G.ravel(), region)

    def g_sweep(ords, region):
        X, G = np.meshgrid(np.asarray(x_fixed, dtype=np.int64), ords, indexing="ij")
        add(X.ravel(), G.ravel(), region)

    add(x_default, [g_default] * len(x_default), "default schedule")  # first: its region wins the dedup
    x_sweep([ordinal_of_fraction(xv.lo, fmt), ordinal_of_fraction(xv.hi, fmt)], "x at an end")  # the closed ends
    x_sweep(end_sweep(xv, fmt, "lo", grid.per_decade, grid.end_minimum), "x near 0")
    x_sweep(end_sweep(xv, fmt, "hi", grid.per_decade, grid.end_minimum), "x near 1")
    x_sweep(interior(xv, fmt, grid.n_interior), "x interior")
    x_sweep(random_bits(xv, fmt, grid.n_random, rng), "x random")
    # gamma: "near 0" is |gamma| -> its smallest probed value; "near bound" is |gamma| -> 1/3
    zero_end, bound_end = ("hi", "lo") if spec.gamma_sign < 0 else ("lo", "hi")
    g_sweep(end_sweep(gv, fmt, zero_end, grid.per_decade, grid.end_minimum, anchor=Fraction(0),
                      dmin=float(GAMMA_MIN)), "gamma near 0")
    g_sweep(end_sweep(gv, fmt, bound_end, grid.per_decade, grid.end_minimum), "gamma near bound")
    g_sweep(interior(gv, fmt, grid.n_interior), "gamma interior")
    g_sweep(random_bits(gv, fmt, grid.n_random, rng), "gamma random")
    add(random_bits(xv, fmt, grid.n_random_2d, rng), random_bits(gv, fmt, grid.n_random_2d, rng), "random 2-D")

    xo, go, ro = np.concatenate(xs), np.concatenate(gs), np.concatenate(rs)
    # one copy of each (x, gamma) pair; the first region that produced it names it
    key = np.stack([xo, go], axis=1)
    _, first = np.unique(key, axis=0, return_index=True)
    first = np.sort(first)
    return PointSet(values_of_ordinals(xo[first], fmt), values_of_ordinals(go[first], fmt), ro[first],
                    extras={"gamma_fixed": values_of_ordinals(g_fixed, fmt).tolist(),
                            "x_fixed": values_of_ordinals(x_fixed, fmt).tolist(),
                            "x_default": values_of_ordinals(x_default, fmt).tolist(),
                            "gamma_default": float(values_of_ordinals([g_default], fmt)[0])})


# --- evaluation -------------------------------------------------------------------------------
def _as_inputs(values: np.ndarray, fmt: FloatFormat, backend: str, registry=None):
    from ..kernels.registry import REGISTRY

    return (registry or REGISTRY).target(backend).as_array(values, fmt.name)


def _call(form: Form, x, g):
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return form.fn(x, g)


def evaluate_form(form: Form, fmt: FloatFormat, pts: PointSet, registry=None):
    """Output ordinals, finite mask, dtype contract kept, and an error message (or "") of one form at the points."""
    from ..kernels.registry import REGISTRY

    n = len(pts)
    xs, gs = pts.x, pts.g
    if (registry or REGISTRY).target(form.backend).compiles_per_shape:
        # pad to a power-of-two length with copies of the first point, so that each compiled operation
        # serves many kernels and dtypes; elementwise kernels give the same values at the real points
        pad = (1 << max(0, (n - 1).bit_length())) - n
        xs, gs = np.concatenate([xs, np.repeat(xs[:1], pad)]), np.concatenate([gs, np.repeat(gs[:1], pad)])
    x = _as_inputs(xs, fmt, form.backend, registry)
    g = _as_inputs(gs, fmt, form.backend, registry)
    try:
        out = _call(form, x, g)[:n] if len(xs) > n else _call(form, x, g)
        if tuple(np.shape(out)) != (n,):
            raise ValueError(f"output shape {tuple(np.shape(out))} for {len(pts)} inputs")
        ords, finite, dtype_ok = ordinals_of_output(out, fmt)
        return ords, finite, dtype_ok, ""
    except Exception as exc:  # noqa: BLE001 - fall back to one call per point, and report the failure
        message = f"{type(exc).__name__}: {exc}"
    ords = np.zeros(len(pts), dtype=np.int64)
    finite = np.zeros(len(pts), dtype=bool)
    dtype_ok = True
    for i in range(len(pts)):
        try:
            o, f, ok = ordinals_of_output(_call(form, x[i:i + 1], g[i:i + 1]), fmt)
            ords[i], finite[i] = o[0], f[0]
            dtype_ok &= ok
        except Exception:  # noqa: BLE001 - counted as a non-finite output
            pass
    return ords, finite, dtype_ok, f"array call raised {message}; evaluated point by point"


@dataclass
class FormResult:
    """Statistics of one form of one kernel in one dtype."""

    form: str
    kernel: str
    dtype: str
    backend: str
    available: bool
    note: str = ""
    n: int = 0
    max_ulp: float | None = None
    p99_ulp: float | None = None
    mean_bits: float | None = None
    nonfinite: int = 0
    worst: dict | None = None
    first_nonfinite: dict | None = None
    by_region: dict = field(default_factory=dict)
    defaults: list = field(default_factory=list)
    dtype_ok: bool = True
    bound: int | None = None
    certified: int | None = None  # the proved bound of pyramid-sym bound, in floats from the correctly rounded value

    @property
    def within_bound(self) -> bool | None:
        """Within the acceptance bound and, where one is proved, within the certified bound (else a bug in one)."""
        if self.bound is None or not self.available:
            return None
        limit = self.bound if self.certified is None else min(self.bound, self.certified)
        return bool(self.max_ulp is not None and self.max_ulp <= limit and self.nonfinite == 0 and self.dtype_ok)

    def to_json(self) -> dict:
        d = {k: v for k, v in self.__dict__.items()}
        d["within_bound"] = self.within_bound
        return d


def _stats(ulp: np.ndarray) -> tuple[float, float, float]:
    if len(ulp) == 0:
        return float("nan"), float("nan"), float("nan")
    return float(np.max(ulp)), float(np.percentile(ulp, 99)), float(np.mean(np.log2(ulp + 1.0)))


@dataclass
class Series:
    """Per-point data of one kernel and dtype for the plots: inputs, regions and each form's ULP (nan = non-finite)."""

    kernel: str
    dtype: str
    x: np.ndarray
    g: np.ndarray
    region: np.ndarray
    ulp: dict


@dataclass
class ProbeResult:
    kernels: list
    dtypes: list
    quick: bool
    seed: int
    results: list
    points: dict
    series: list
    notes: list
    seconds: float = 0.0
    covariance: list | None = None
    plots: list = field(default_factory=list)
    forms: tuple = ()

    @property
    def emitted_ok(self) -> bool | None:
        """True if every available emitted kernel is within the bounds; None if none was available."""
        vals = [r.within_bound for r in self.results if r.form.startswith("emitted ") and r.available]
        if not vals:
            return None
        return all(vals)

    def to_json(self) -> dict:
        return {
            "probe": "pyramid-sym probe",
            "grid": "quick" if self.quick else "full",
            "seed": self.seed,
            "kernels": self.kernels,
            "dtypes": self.dtypes,
            "forms": list(self.forms),
            "bounds": {"emitted_max_ulp": BOUNDS, "emitted_nonfinite": 0},
            "emitted_within_bounds": self.emitted_ok,
            "points": self.points,
            "results": [r.to_json() for r in self.results],
            "covariance": self.covariance,
            "plots": self.plots,
            "notes": self.notes,
            "seconds": round(self.seconds, 2),
        }


def run_probe(kernels=None, dtypes=None, *, quick: bool = False, seed: int = 0, progress: bool | None = None,
              grid: Grid | None = None, registry=None) -> ProbeResult:
    """Measure every form of every kernel in every dtype (kernels and targets of ``registry``, default the package's)."""
    from tqdm import tqdm

    from ..kernels.registry import REGISTRY

    registry = registry or REGISTRY
    from ..bound import load_bounds

    certified_bounds = load_bounds("ordinal")  # proved per kernel and dtype; a kernel without one is not checked
    t0 = time.perf_counter()
    specs = probe_kernels(registry)
    kernels = list(kernels or specs)
    dtypes = list(dtypes or FORMATS)
    notes: list[str] = []
    for target in registry.targets:
        if not target.available():
            notes.append(f"{target.requires} is not installed: the emitted {target.name} forms are skipped "
                         f"(from a clone: pip install -e \".[{target.extra}]\").")
    for dname in list(dtypes):
        if not any(dname in t.dtypes and t.available() for t in registry.targets):
            dtypes.remove(dname)
            notes.append(f"no installed target computes in {dname}: {dname} is skipped.")
    grid = grid or (Grid.quick() if quick else Grid.full())
    rng = np.random.default_rng(seed)

    tasks = []
    for kname in kernels:
        spec = specs[kname]
        exact = ExactFunction(spec.expr, spec.symbols, name=kname)
        for dname in dtypes:
            fmt = FORMATS[dname]
            tasks.append((spec, exact, fmt, build_points(spec, fmt, grid, rng)))
    total = sum(len(t[3]) for t in tasks)

    results, series, points = [], [], {}
    missing_notes = set()
    bar = tqdm(total=total, desc="probe", unit="pt", disable=(None if progress is None else not progress),
               leave=False)
    try:
        for spec, exact, fmt, pts in tasks:
            ref = np.empty(len(pts), dtype=np.int64)
            certified = np.empty(len(pts), dtype=bool)
            step = 256
            for a in range(0, len(pts), step):
                r, c = exact.reference_ordinals(pts.x[a:a + step], pts.g[a:a + step], fmt)
                ref[a:a + step], certified[a:a + step] = r, c
                bar.update(len(r))
            n_unc = int((~certified).sum())
            points[f"{spec.name}/{fmt.name}"] = {
                "n": len(pts), "uncertified": n_unc,
                "by_region": {REGIONS[i]: int((pts.region == i).sum()) for i in np.unique(pts.region)},
                **pts.extras,
            }
            if n_unc:
                notes.append(f"{spec.name}/{fmt.name}: {n_unc} points where the two working precisions "
                             "round differently were left out.")
            ulps = {}
            for form in forms_for(spec, fmt.name, registry):
                emitted = form.name.startswith("emitted ")
                fr = FormResult(form.name, spec.name, fmt.name, form.backend, form.available, form.note,
                                bound=BOUNDS[fmt.name] if emitted else None,
                                certified=certified_bounds.get(spec.name, {}).get(fmt.name) if emitted else None)
                if not form.available:
                    if emitted and "cannot be imported" in form.note:
                        missing_notes.add(form.note)
                    results.append(fr)
                    continue
                ords, finite, dtype_ok, err = evaluate_form(form, fmt, pts, registry)
                if err:
                    fr.note = (fr.note + "; " if fr.note else "") + err
                measured = certified
                if emitted and registry.target(form.backend).flushes_subnormals:
                    sub = _subnormal(pts.x, fmt) | _subnormal(pts.g, fmt) | _subnormal(values_of_ordinals(ref, fmt), fmt)
                    measured = certified & ~sub
                    fr.note = (fr.note + "; " if fr.note else "") + (
                        f"{int((certified & sub).sum())} points with a subnormal input or result left out "
                        f"({form.backend} flushes subnormals to zero on CPU)")
                certified_all, certified = certified, measured
                use = certified & finite
                ulp_all = np.where(finite, ulp_distance(ords, ref), np.nan)
                ulps[form.name] = np.where(certified, ulp_all, np.nan)
                u = ulp_all[use]
                fr.n = int(certified.sum())
                fr.max_ulp, fr.p99_ulp, fr.mean_bits = _stats(u)
                fr.nonfinite = int((~finite & certified).sum())
                fr.dtype_ok = dtype_ok
                if not dtype_ok:
                    fr.note = (fr.note + "; " if fr.note else "") + f"output dtype is not {fmt.name}"
                if len(u):
                    i = int(np.flatnonzero(use)[np.argmax(u)])
                    fr.worst = _point(pts, i, fmt, ords, ref, finite, float(ulp_all[i]))
                if fr.nonfinite:
                    i = int(np.flatnonzero(~finite & certified)[0])
                    fr.first_nonfinite = _point(pts, i, fmt, ords, ref, finite, math.inf)
                for ri in np.unique(pts.region):
                    m = (pts.region == ri) & certified
                    uu = ulp_all[m & finite]
                    fr.by_region[REGIONS[ri]] = {
                        "n": int(m.sum()),
                        "max_ulp": float(uu.max()) if len(uu) else None,
                        "nonfinite": int((m & ~finite).sum()),
                    }
                dm = np.flatnonzero(pts.region == REGIONS.index("default schedule"))
                fr.defaults = [_point(pts, int(i), fmt, ords, ref, finite,
                                      float(ulp_all[i]) if finite[i] else math.inf) for i in dm]
                results.append(fr)
                certified = certified_all
            series.append(Series(spec.name, fmt.name, pts.x, pts.g, pts.region, ulps))
    finally:
        bar.close()
    notes.extend(sorted(f"emitted form skipped: {m}" for m in missing_notes))
    return ProbeResult(kernels, dtypes, quick, seed, results, points, series, notes,
                       seconds=time.perf_counter() - t0, forms=form_names(registry))


def _subnormal(values, fmt: FloatFormat) -> np.ndarray:
    """Nonzero values below the format's smallest normal number in magnitude."""
    a = np.abs(np.asarray(values, dtype=np.float64))
    return (a > 0) & (a < fmt.smallest_normal)


def _point(pts: PointSet, i: int, fmt: FloatFormat, ords, ref, finite, ulp) -> dict:
    out = float(values_of_ordinals([ords[i]], fmt)[0]) if finite[i] else None
    return {
        "x": float(pts.x[i]), "gamma": float(pts.g[i]),
        "output": out if out is not None else "non-finite",
        "reference": float(values_of_ordinals([ref[i]], fmt)[0]),
        "ulp": ulp if math.isfinite(ulp) else "non-finite",
        "region": REGIONS[int(pts.region[i])],
    }
