"""Time the full stability probe (``pyramid-sym probe``) and the quick one, and print the max-ULP summary.

Usage: python benchmarks/probe_full.py [--quick-only] [--out DIR]

Prints wall-clock seconds of each run (for the README) and, per kernel, the max ULP
of each form in each dtype ("inf" where a form gave a non-finite output).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import math
import tempfile
import time

from pyramid_sym.cli import main


def _run(argv):
    buf = io.StringIO()
    t0 = time.perf_counter()
    with contextlib.redirect_stdout(buf):
        rc = main(argv)
    return rc, time.perf_counter() - t0, json.loads(buf.getvalue())


def _summary(data) -> str:
    lines = []
    dtypes = data["dtypes"]
    for kernel, forms in data["summary_max_ulp"].items():
        lines.append(kernel)
        for form, by in forms.items():
            cells = []
            for d in dtypes:
                v = by.get(d)
                if v is None:
                    cells.append(f"{d}=-")
                elif v == "inf" or (isinstance(v, float) and math.isinf(v)):
                    cells.append(f"{d}=inf")
                else:
                    cells.append(f"{d}={v:.3g}")
            lines.append(f"  {form:14s} " + "  ".join(cells))
    return "\n".join(lines)


def run() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick-only", action="store_true")
    ap.add_argument("--out", default=None)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = a.out or tmp
        rc, secs, data = _run(["probe", "--quick", "--json", "--out", out])
        print(f"pyramid-sym probe --quick: {secs:.1f} s (exit {rc})")
        if not a.quick_only:
            rc, secs, data = _run(["probe", "--json", "--out", out])
            n = sum(p["n"] for p in data["points"].values())
            print(f"pyramid-sym probe (full, {n} points): {secs:.1f} s (exit {rc})")
        print(_summary(data))


if __name__ == "__main__":
    run()
