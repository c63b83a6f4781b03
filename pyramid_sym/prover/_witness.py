"""Independent numeric witnesses with mpmath: exact rational points, evaluated at two working precisions."""

from __future__ import annotations

import random

import mpmath
import sympy

__all__ = ["Evaluator", "DPS", "DPS_CONFIRM", "AGREE_DIGITS", "to_mpf", "fmt"]

DPS = 60          # working precision of the witnesses (>= 50 digits, as required of a "proved")
DPS_CONFIRM = 120  # a disagreement must be confirmed here before it counts as a counterexample
AGREE_DIGITS = 45  # two sides agree when they match to this many significant digits at DPS


def to_mpf(r: sympy.Rational):
    """An exact rational as an mpf at the current precision (never through a decimal string)."""
    return mpmath.mpf(int(r.p)) / int(r.q)


def fmt(v, digits: int = 20) -> str:
    """Text of a value: rationals exactly (a counterexample point must be reproducible), numbers to ``digits``."""
    if isinstance(v, sympy.Rational):
        return str(v)
    try:
        return mpmath.nstr(v, digits)
    except Exception:  # noqa: BLE001 - any odd value prints as text
        return str(v)


class Evaluator:
    """Evaluate a list of SymPy expressions at exact rational points with mpmath."""

    def __init__(self, symbols, exprs):
        self.symbols = tuple(symbols)
        self.exprs = list(exprs)
        self._f = (sympy.lambdify(self.symbols, self.exprs, modules="mpmath", docstring_limit=0)
                   if self.exprs else None)

    def __call__(self, point: dict, dps: int):
        with mpmath.workdps(dps):
            args = [to_mpf(point[s]) for s in self.symbols]
            try:
                vals = self._f(*args)
            except (ZeroDivisionError, ValueError, OverflowError):
                return None
            return [mpmath.mpmathify(v) for v in vals]


def close(a, b, digits: int = AGREE_DIGITS) -> bool:
    """Equal to ``digits`` significant digits (relative to the larger magnitude, absolute below 1)."""
    if not (mpmath.isfinite(a) and mpmath.isfinite(b)):
        return False
    scale = max(mpmath.mpf(1), abs(a), abs(b))
    return abs(a - b) <= scale * mpmath.mpf(10) ** (-digits)


def random_points(domain, count: int, seed: int = 20250627):
    """Extra pseudo-random rational points of the domain (deterministic), for counterexample search."""
    rng = random.Random(seed)
    pts = []
    for _ in range(count):
        pt = {}
        for sym, iv in domain:
            if iv.is_point:
                pt[sym] = iv.lo
                continue
            lo = iv.lo if not iv.lo.is_infinite else (iv.hi - 1000 if not iv.hi.is_infinite else sympy.Integer(-1000))
            hi = iv.hi if not iv.hi.is_infinite else lo + 1000
            u = sympy.Rational(rng.randrange(1, 10**6), 10**6)
            pt[sym] = lo + (hi - lo) * u
        pts.append(pt)
    return pts
