"""How often torch's CPU square root misses the correctly rounded root, and by how much.

    python benchmarks/bench_torch_sqrt.py [--n N] [--seed S]

The certified bounds (``pyramid-sym bound``) assume IEEE arithmetic: every ``sqrt`` rounded to nearest.
NumPy's ``sqrt`` is (it is the processor's square-root instruction); this script measures torch's CPU ``sqrt``
against it on N inputs per dtype (half uniform in [0, 1), half spread evenly over the binades of [2^-60, 1)),
and measures the error of each disagreement exactly with mpmath (300 bits), which also decides, independently
of both, which of the two results is the correctly rounded one.  The last column: how many roots of the emitted
torch kernels (``_root``: on CPU a float32 root is taken in float64 and rounded once) differ from NumPy's.  Exit
status 1 if NumPy's root is ever the wrong one (the reference itself would be broken), else 0.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import mpmath
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

CHECKED = 2000  # disagreements measured with mpmath, per dtype (the largest error among them is printed)


def _inputs(dtype, n: int, rng) -> np.ndarray:
    uniform = rng.random(n - n // 2)
    spread = 2.0 ** rng.uniform(-60, 0, n // 2)
    return np.concatenate([uniform, spread]).astype(dtype)


def _error_ulp(x: float, root: float, dtype) -> float:
    """|root - sqrt(x)| in ulp of the correctly rounded root, exactly (mpmath), for a float x of ``dtype``."""
    exact = mpmath.sqrt(mpmath.mpf(x))
    return float(abs(mpmath.mpf(float(root)) - exact) / mpmath.mpf(float(np.spacing(dtype(float(exact))))))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1_000_000, help="inputs per dtype (default 10^6)")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    if args.n < 2:
        print(f"--n {args.n} is below 2; pass a count of at least 2 inputs, e.g. --n 1000000.", file=sys.stderr)
        return 2
    try:
        import torch
    except ImportError:
        print("needs torch (pip install torch): nothing to measure.")
        return 0
    mpmath.mp.prec = 300
    rng = np.random.default_rng(args.seed)
    print(f"torch {torch.__version__}, CPU capability {torch.backends.cpu.get_cpu_capability()}, "
          f"{args.n} inputs per dtype")
    from pyramid_sym.kernels.torch_kernels import _root  # the emitted torch kernels' root

    print(f"{'dtype':8} {'differ from NumPy':>18} {'torch wrong / checked':>22} {'max error (ULP)':>16} "
          f"{'kernels root differ':>20}")
    status = 0
    for dtype in (np.float32, np.float64):
        x = _inputs(dtype, args.n, rng)
        t = torch.sqrt(torch.from_numpy(x)).numpy()
        ref = np.sqrt(x)
        differ = np.nonzero(t != ref)[0]
        worst, torch_wrong = 0.0, 0
        for i in differ[:CHECKED]:
            et, en = _error_ulp(float(x[i]), float(t[i]), dtype), _error_ulp(float(x[i]), float(ref[i]), dtype)
            if en > 0.5:
                status = 1
                print(f"NumPy's root of {float(x[i])!r} is off by {en:.4f} ULP: the reference is broken.")
            torch_wrong += et > 0.5
            worst = max(worst, et)
        share = f"{len(differ)} ({100 * len(differ) / len(x):.2f} %)"
        checked = f"{torch_wrong} / {min(len(differ), CHECKED)}"
        kernels = int((_root(torch.from_numpy(x)).numpy() != ref).sum())
        print(f"{np.dtype(dtype).name:8} {share:>18} {checked:>22} {worst:>16.4f} {kernels:>20}")
    return status


if __name__ == "__main__":
    sys.exit(main())
