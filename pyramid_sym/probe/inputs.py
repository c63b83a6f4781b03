"""Probe inputs: representable values of each format inside each variable's domain.

For each variable (the position ``s``, ``e`` or ``sigma`` in (0, 1), and the
correlation gamma with ``1e-8 <= |gamma| <= 1/3``) the probe takes

* a log-spaced approach to each end of the domain, distance 1e-1 down to the
  format's smallest subnormal at 0 and down to the spacing of the format at a
  nonzero end (1, or the bound 1/3 of gamma);
* a uniform interior grid;
* random values uniform over the format's bit patterns inside the domain (as
  Herbie samples), i.e. uniform over the representable values, so every binade
  weighs the same;
* the closed ends x = 0 and x = 1 themselves (the emitted kernels accept them and
  return the finite limits; every formula here is finite there for gamma != 0);
* the default schedule's own points (the reference scheduler's sigma = 0.667 and
  0.334, as the float32 values it stores).

Every value is an exact value of its format (rounded from an exact rational, towards
the inside at a domain end), carried as a float64.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from fractions import Fraction
from importlib import resources

import numpy as np

from .reference import FloatFormat, ordinal_of_fraction, values_of_ordinals

__all__ = [
    "Variable", "Grid", "inside_range", "end_sweep", "interior", "random_bits",
    "default_schedule", "REGIONS", "PointSet",
]

# region codes of a point (stored per point; names used in the report and the JSON)
REGIONS = ("x at an end", "x near 0", "x near 1", "x interior", "x random", "gamma near 0", "gamma near bound",
           "gamma interior", "gamma random", "random 2-D", "default schedule")


@dataclass(frozen=True)
class Variable:
    """A variable's probed domain ``[lo, hi]`` (ends open or closed), exact rationals, with its ends named."""

    name: str
    lo: Fraction
    hi: Fraction
    lo_open: bool
    hi_open: bool

    def contains(self, v: Fraction) -> bool:
        above = v > self.lo if self.lo_open else v >= self.lo
        below = v < self.hi if self.hi_open else v <= self.hi
        return above and below


def _value(o: int, fmt: FloatFormat) -> Fraction:
    return Fraction(float(values_of_ordinals([o], fmt)[0]))


def inside_range(var: Variable, fmt: FloatFormat) -> tuple[int, int]:
    """Ordinals of the smallest and largest values of ``fmt`` inside the variable's domain."""
    lo = ordinal_of_fraction(var.lo, fmt)
    while not var.contains(_value(lo, fmt)) and _value(lo, fmt) <= var.lo:
        lo += 1
    hi = ordinal_of_fraction(var.hi, fmt)
    while not var.contains(_value(hi, fmt)) and _value(hi, fmt) >= var.hi:
        hi -= 1
    if lo > hi:
        raise ValueError(f"{var.name}: no {fmt.name} value inside the domain")
    return lo, hi


def end_sweep(var: Variable, fmt: FloatFormat, end: str, per_decade: float, minimum: int, *,
              anchor: Fraction | None = None, dmin: float | None = None) -> np.ndarray:
    """Ordinals approaching one end (``"lo"`` or ``"hi"``), log-spaced distances from 1e-1 inwards.

    Distances are measured from ``anchor`` (default: that end of the domain; gamma's
    sweep towards 0 anchors at 0 while its domain stops at |gamma| = 1e-8).  The
    smallest distance is ``dmin`` if given, else the smallest subnormal at an end 0 and
    a half spacing of the format at a nonzero end; values that round onto or past the
    end are replaced by the last value inside, which is always included.
    """
    olo, ohi = inside_range(var, fmt)
    c = (var.lo if end == "lo" else var.hi) if anchor is None else Fraction(anchor)
    inward = 1 if end == "lo" else -1
    if dmin is None:
        dmin = fmt.smallest_subnormal if c == 0 else math.ldexp(abs(float(c)), -fmt.precision)
    dmax = 0.1
    n = max(minimum, int(math.ceil(per_decade * (math.log10(dmax) - math.log10(dmin)))))
    ds = np.logspace(math.log10(dmax), math.log10(dmin), n)
    ords = []
    for d in ds.tolist():
        o = ordinal_of_fraction(c + inward * Fraction(d), fmt)
        ords.append(min(max(o, olo), ohi))
    ords.append(olo if end == "lo" else ohi)
    if c == 0 and end == "lo" and var.lo == 0:
        # the boundary between subnormals and normals
        o_norm = ordinal_of_fraction(Fraction(fmt.smallest_normal), fmt)
        ords.extend([min(max(o_norm + k, olo), ohi) for k in (-1, 0)])
    return np.unique(np.asarray(ords, dtype=np.int64))


def interior(var: Variable, fmt: FloatFormat, n: int) -> np.ndarray:
    """Ordinals of a uniform grid of ``n`` points strictly inside the domain."""
    olo, ohi = inside_range(var, fmt)
    width = var.hi - var.lo
    ords = [min(max(ordinal_of_fraction(var.lo + width * Fraction(i, n + 1), fmt), olo), ohi)
            for i in range(1, n + 1)]
    return np.unique(np.asarray(ords, dtype=np.int64))


def random_bits(var: Variable, fmt: FloatFormat, n: int, rng: np.random.Generator) -> np.ndarray:
    """Ordinals uniform over the bit patterns of ``fmt`` inside the domain."""
    olo, ohi = inside_range(var, fmt)
    return rng.integers(olo, ohi, size=n, endpoint=True, dtype=np.int64)


def default_schedule() -> dict[str, list[float]]:
    """The reference scheduler's default-configuration numbers (float32 artefacts included), from the package data."""
    text = resources.files("pyramid_sym.data").joinpath("pyramid_flow_schedule_default.json").read_text()
    data = json.loads(text)
    if isinstance(data, list):
        data = data[0]
    return {
        "sigma_end": [float(v) for v in data["ori_start_sigmas"][1:]],   # sigma at the end of the previous stage
        "start_sigma": [float(v) for v in data["start_sigmas"][1:]],      # corrected start sigma of stages 1, 2
    }


@dataclass
class PointSet:
    """The probe's points for one kernel and one format: exact inputs, region codes and sweep tags."""

    x: np.ndarray
    g: np.ndarray
    region: np.ndarray       # index into REGIONS
    extras: dict = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.x)


@dataclass(frozen=True)
class Grid:
    """Sizes of the probe grid (``quick`` for CI, ``full`` for the measurement)."""

    per_decade: float
    end_minimum: int
    n_interior: int
    n_random: int
    n_random_2d: int
    gamma_fixed: tuple[Fraction, ...]     # |gamma| values of the x sweeps
    x_fixed: tuple[Fraction, ...]         # x values of the gamma sweeps, besides the default schedule's

    @classmethod
    def quick(cls) -> "Grid":
        return cls(per_decade=0.12, end_minimum=10, n_interior=6, n_random=24, n_random_2d=48,
                   gamma_fixed=(Fraction(1, 3), Fraction(1, 10**4), Fraction(1, 10**8)),
                   x_fixed=(Fraction(1, 10**6),))

    @classmethod
    def full(cls) -> "Grid":
        return cls(per_decade=3.0, end_minimum=48, n_interior=64, n_random=512, n_random_2d=4096,
                   gamma_fixed=(Fraction(1, 3), Fraction(1, 10), Fraction(1, 100), Fraction(1, 10**4),
                                Fraction(1, 10**6), Fraction(1, 10**8)),
                   x_fixed=(Fraction(1, 10**6), Fraction(1, 2), 1 - Fraction(1, 2**10)))
