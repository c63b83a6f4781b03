"""Acceptance bounds of the emitted kernels, as data (no SymPy: the command line reads them at start-up).

:data:`ACCEPTANCE`: the largest error in ULPs per dtype (and no non-finite output) that
``pyramid-sym probe`` accepts from every emitted kernel on its points; the probe exits 1 when a
target breaks one.  :mod:`pyramid_sym.kernels.registry` re-exports it.
"""

from __future__ import annotations

__all__ = ["ACCEPTANCE", "describe"]

ACCEPTANCE = {"float16": 1, "bfloat16": 1, "float32": 3, "float64": 3}


def describe() -> str:
    """The bounds in words, dtypes with the same bound together: "<= 1 ULP in float16/bfloat16, <= 3 ULP in ..."."""
    by_bound: dict[int, list[str]] = {}
    for dtype, bound in ACCEPTANCE.items():
        by_bound.setdefault(bound, []).append(dtype)
    return ", ".join(f"<= {b} ULP in {'/'.join(ds)}" for b, ds in by_bound.items())
