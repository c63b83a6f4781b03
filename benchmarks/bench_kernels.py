"""Benchmark of the emitted kernels, measured side by side in one run (CPU).

1. block_noise against torch.randn of the same shape and dtype, and two baselines
   written from the reference code's description: one multivariate-normal draw per
   2x2 block in a Python loop (at gamma = 0.3; at the default 1/3 it raises) and one
   vectorised multivariate-normal draw for all blocks;
2. the emitted scalar kernels of every installed target on 10^6-element arrays against
   the same printed text without input handling (the price of the checks);
3. accuracy: the largest error in ULP of every scalar kernel, target and dtype against
   the proved formula evaluated with mpmath at 400 digits, on a grid covering both ends.

Kernels and targets come from the registry (pyramid_sym.kernels.registry).

Timings interleave the candidates round by round and keep each one's fastest round,
so that load from other processes affects all of them alike.  Run from the repository
root:  python benchmarks/bench_kernels.py  [--quick] [--full-loop] [--no-accuracy]
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np
import torch

from pyramid_sym.kernels import numpy_kernels as nk
from pyramid_sym.kernels import torch_kernels as tk

LATENTS = [(1, 16, 1, 48, 80), (2, 16, 8, 96, 160)]


def interleaved(cands: dict, rounds: int) -> dict:
    """Fastest time of each candidate over ``rounds`` rounds, candidates alternating within each round."""
    best = {k: math.inf for k in cands}
    for f in cands.values():
        f()  # warm-up
    for _ in range(rounds):
        for k, f in cands.items():
            t0 = time.perf_counter()
            f()
            best[k] = min(best[k], time.perf_counter() - t0)
    return best


# ----------------------------------------------------------------------------- baselines (from the description)
def _block_cov(gamma: float, dtype=torch.float32) -> torch.Tensor:
    return ((1 + gamma) * torch.eye(4) - gamma * torch.ones(4, 4)).to(dtype)


def mvn_loop(shape, gamma, generator=None):
    """One multivariate-normal draw per 2x2 block, in a Python loop over the blocks."""
    dist = torch.distributions.MultivariateNormal(torch.zeros(4), covariance_matrix=_block_cov(gamma))
    out = torch.empty(shape)
    flat = out.view(-1, shape[-2], shape[-1])
    for m in range(flat.shape[0]):
        for i in range(0, shape[-2], 2):
            for j in range(0, shape[-1], 2):
                flat[m, i:i + 2, j:j + 2] = dist.sample().view(2, 2)
    return out


def mvn_vectorised(shape, gamma):
    """One multivariate-normal draw for all blocks at once, then the blocks put back in place."""
    dist = torch.distributions.MultivariateNormal(torch.zeros(4), covariance_matrix=_block_cov(gamma))
    *lead, H, W = shape
    blocks = dist.sample((math.prod(lead), H // 2, W // 2))  # (L, H/2, W/2, 4)
    return blocks.view(-1, H // 2, W // 2, 2, 2).permute(0, 1, 3, 2, 4).reshape(shape)


def _raises(fn) -> str:
    try:
        fn()
    except Exception as exc:  # noqa: BLE001 - the point is to report whatever it raises
        return f"raises {type(exc).__name__}: {str(exc).splitlines()[0][:90]}"
    return "does not raise"


def bench_block_noise(rounds: int, full_loop: bool) -> None:
    print("== block_noise (torch, CPU), time / torch.randn of the same shape and dtype")
    threads = torch.get_num_threads()
    g = torch.Generator().manual_seed(0)
    # torch.randn on the CPU is single-threaded; block_noise's few elementwise passes use the
    # intra-op thread pool, which a busy machine slows down: measure with both settings.
    for nthreads in sorted({threads, 1}, reverse=True):
        torch.set_num_threads(nthreads)
        for dt in (torch.float32, torch.bfloat16):
            for shape in LATENTS:
                t = interleaved({
                    "randn": lambda: torch.randn(shape, generator=g, dtype=dt),
                    "block_noise": lambda: tk.block_noise(shape, 1 / 3, generator=g, dtype=dt),
                }, rounds)
                print(f"   torch {torch.__version__}, {nthreads} thread(s), {str(dt):<14} {'x'.join(map(str, shape)):<16}"
                      f" randn {t['randn'] * 1e3:8.3f} ms, block_noise(gamma=1/3) {t['block_noise'] / t['randn']:.2f}x")
    torch.set_num_threads(threads)
    print("   side by side with the baselines (float32, default threads):")
    for shape in LATENTS:
        cands = {
            "randn": lambda: torch.randn(shape, generator=g),
            "block_noise g=1/3": lambda: tk.block_noise(shape, 1 / 3, generator=g),
            "block_noise g=0.3": lambda: tk.block_noise(shape, 0.3, generator=g),
            "mvn vectorised g=0.3": lambda: mvn_vectorised(shape, 0.3),
        }
        t = interleaved(cands, rounds)
        base = t["randn"]
        line = ", ".join(f"{k} {v / base:.2f}x" for k, v in t.items() if k != "randn")
        print(f"   {'x'.join(map(str, shape)):<16} randn {base * 1e3:8.3f} ms | {line}")
        if shape == LATENTS[0] or full_loop:
            loop_rounds = 1 if shape != LATENTS[0] else 2
            tl = interleaved({"loop": lambda: mvn_loop(shape, 0.3)}, loop_rounds)["loop"]
            tb = t["block_noise g=1/3"]
            print(f"   {'':<16} mvn loop g=0.3 {tl:.3f} s = {tl / base:.0f}x randn = {tl / tb:.0f}x block_noise")
        else:
            n_blocks = math.prod(shape) // 4
            print(f"   {'':<16} mvn loop not timed at this size ({n_blocks} blocks; --full-loop times it)")
    print(f"   reference approach at gamma_c = 1/3: mvn loop {_raises(lambda: mvn_loop((1, 1, 2, 2), 1 / 3))}")
    print(f"   {'':<36}mvn vectorised {_raises(lambda: mvn_vectorised((1, 1, 2, 2), 1 / 3))}")
    # numpy sampler against the generator's standard_normal of the same shape and dtype
    rng = np.random.default_rng(0)
    for shape in LATENTS:
        t = interleaved({
            "standard_normal": lambda: rng.standard_normal(shape, dtype=np.float32),
            "block_noise": lambda: nk.block_noise(shape, 1 / 3, rng=rng, dtype=np.float32),
        }, rounds)
        print(f"   numpy {'x'.join(map(str, shape)):<16} block_noise / standard_normal "
              f"{t['block_noise'] / t['standard_normal']:.2f}x ({t['standard_normal'] * 1e3:.3f} ms)")


# ----------------------------------------------------------------------------- scalar kernels
def _bare(spec, target):
    """The kernel's printed computation without input handling (the baseline: same text, same dtype), built
    from the registry's printed lines; for the stress in long double, the NumPy text runs on long doubles."""
    import importlib

    from pyramid_sym.kernels.emit import kernel_lines

    printer = target.printer_class()()
    lines, result = kernel_lines(spec, printer)
    names = ", ".join(a.name for a in spec.args)
    body = "".join(f"    {n} = {v}\n" for n, v in lines)
    source = f"def {spec.name}({names}):\n{body}    return {result}\n"
    root = printer._module.split(".")[0]
    # the runtime constants (Dekker's product in jump_start_time) from the emitted module's own runtime
    namespace = {root: importlib.import_module(root), "_constant": importlib.import_module(target.module)._constant}
    if printer._module != root:
        importlib.import_module(printer._module)
    exec(compile(source, f"<printed {spec.name} for {target.name}>", "exec"), namespace)  # our own printed text
    return namespace[spec.name]


def _targets():
    from pyramid_sym.kernels.registry import REGISTRY

    return [t for t in REGISTRY.targets if t.available()]


def bench_scalar(rounds: int) -> None:
    import importlib

    from pyramid_sym.kernels.registry import REGISTRY

    n = 10**6
    rng = np.random.default_rng(1)
    print(f"== scalar kernels on {n} elements (level and gamma arrays), emitted / the same printed text without "
          "input handling")
    for target in _targets():
        mod = importlib.import_module(target.module)
        for dt in ("float64", "float32"):
            x = target.as_array(rng.uniform(0, 1, n), dt)
            row = []
            for spec in REGISTRY.kernels:
                sign = -1 if spec.args[1].interval.hi <= 0 else 1
                g = target.as_array(sign * rng.uniform(1e-8, 1 / 3, n), dt)
                emitted, bare = getattr(mod, spec.name), _bare(spec, target)
                t = interleaved({"emitted": lambda: emitted(x, g), "bare": lambda: bare(x, g)}, rounds)
                row.append(f"{spec.name} {t['emitted'] / t['bare']:.2f}")
            print(f"   {target.name} {dt}: " + ", ".join(row))
    # the price of the accuracy fixes: the emitted kernels against the forms they replaced, typed by hand:
    # jump_start_time's two-root quotient (3 roundings fewer in s_k), its one-root form before Dekker's
    # error-free product was added (one rounding fewer, 3.846 ULP certified instead of 4.52 in float32),
    # renoise_beta's ill-conditioned weight
    def one_root(e, g, sq):
        e_q = e * sq(-g**2 / (1 - g) - g)
        one_minus_e = 1 - e
        return e_q / ((((1 - one_minus_e) - e) + e_q) + one_minus_e)

    previous = [
        ("jump_start_time", "two roots", lambda e, g, sq: (lambda x0: x0 / ((1 - e) + x0))(e * sq(-g / (1 - g)))),
        ("jump_start_time", "one root, no Dekker step", one_root),
        ("renoise_beta", "ill-conditioned", lambda x, g, sq: (lambda x0: x / (x * (sq(g + 1) - x0) + x0))(sq(g))),
    ]
    for dt in (np.float32, np.float64):
        x = rng.uniform(0, 1, n).astype(dt)
        row = []
        for name, form, old in previous:
            sign = -1 if name == "jump_start_time" else 1
            for label, g in (("gamma array", (sign * rng.uniform(1e-8, 1 / 3, n)).astype(dt)), ("gamma scalar", sign * 0.25)):
                emitted = getattr(nk, name)
                sq = math.sqrt if isinstance(g, float) else np.sqrt  # np.sqrt(float) is a strong float64
                t = interleaved({"emitted": lambda: emitted(x, g), "old": lambda: old(x, g, sq)}, rounds)
                row.append(f"{name} vs {form} ({label}) {t['emitted'] / t['old']:.2f}")
        print(f"   numpy {np.dtype(dt).name}, emitted / the previous form: " + ", ".join(row))


# ----------------------------------------------------------------------------- accuracy
FORMATS = {"float16": (11, -14), "bfloat16": (8, -126), "float32": (24, -126), "float64": (53, -1022)}


def _spacing(x, fmt):
    import mpmath

    p, emin = FORMATS[fmt]
    e = emin if x == 0 else max(int(mpmath.frexp(abs(x))[1]) - 1, emin)
    return mpmath.ldexp(1, e - p + 1)


def _ulp_error(y, exact, fmt):
    """|y - RN(exact)| in ULPs of RN(exact): the distance to the correctly rounded exact value."""
    import mpmath

    h = _spacing(exact, fmt)
    r = mpmath.nint(exact / h) * h
    return float(abs(mpmath.mpf(y) - r) / _spacing(r, fmt))


def _float64(out):
    """A kernel's output as a float64 NumPy array, whatever the target."""
    if hasattr(out, "detach"):
        return out.detach().double().cpu().numpy()
    return np.asarray(np.asarray(out).astype(np.float64))


def bench_accuracy(points: int) -> None:
    import importlib

    import mpmath
    import sympy

    from pyramid_sym.kernels.registry import ACCEPTANCE, REGISTRY

    print("== accuracy: max distance in ULP to the correctly rounded value of the proved formula (mpmath, 400 digits), "
          f"levels incl. 0, smallest normal, 1 - ulp, 1; |gamma| from 1e-8 to 1/3; {points} random points more")
    rng = np.random.default_rng(3)
    columns = [(t, fmt) for t in _targets() for fmt in t.dtypes]
    print(f"   {'kernel':<22}" + "".join(f"{t.name[:5] + ' ' + fmt.replace('float', 'f'):>12}" for t, fmt in columns))
    for spec in REGISTRY.kernels:
        ref = sympy.lambdify([s for s, _, _ in spec.args], spec.formula_expr, modules="mpmath")
        sign = -1 if spec.args[1].interval.hi <= 0 else 1
        cells = []
        for target, fmt in columns:
            tiny = 2.0 ** FORMATS[fmt][1]
            lv = [0.0, tiny, 1e-12, 1e-6, 1e-3, 0.5, 1 - 2.0 ** -FORMATS[fmt][0], 1.0] + list(rng.uniform(0, 1, points))
            gv = [max(1e-8, 2.0**-24 if fmt == "float16" else 0), 1e-4, 0.1, 1 / 3] + list(
                10 ** rng.uniform(-8, math.log10(1 / 3), points))
            L, G = np.meshgrid(lv, gv)
            Lt, Gt = target.as_array(L.ravel(), fmt), target.as_array(sign * G.ravel(), fmt)
            y = _float64(getattr(importlib.import_module(target.module), spec.name)(Lt, Gt))
            Lr, Gr = _float64(Lt), _float64(Gt)
            worst = 0.0
            with mpmath.workdps(400):
                for yi, li, gi in zip(y, Lr, Gr):
                    if gi == 0 or (target.flushes_subnormals and 0 < abs(li) < tiny):
                        continue
                    if not np.isfinite(yi):
                        worst = math.inf
                        break
                    exact = ref(mpmath.mpf(li), mpmath.mpf(gi))
                    if target.flushes_subnormals and 0 < abs(exact) < tiny:
                        continue
                    worst = max(worst, _ulp_error(float(yi), exact, fmt))
            cells.append(worst)
        print(f"   {spec.name:<22}" + "".join(f"{c:>12.0f}" for c in cells))
    print(f"   acceptance bounds (kernels.registry.ACCEPTANCE): {ACCEPTANCE}; targets that flush subnormals (JAX on CPU) "
          "are measured on normal inputs and results")


def bench_stress(points: int) -> None:
    """Random stress of float32/float64 against the stable forms in 80-bit long double (x86 only)."""
    from pyramid_sym.kernels.registry import KERNELS

    LD = np.longdouble
    if np.finfo(LD).nmant < 63:
        print("== stress: skipped (numpy.longdouble has no 64-bit significand on this platform)")
        return
    print(f"== stress: {3 * points} random points per kernel and dtype (levels uniform, log-uniform down to "
          "1e-30 and up to 1 - 1e-16; |gamma| log-uniform, uniform and near 1/3), reference in long double")
    rng = np.random.default_rng(7)
    lv = np.concatenate([rng.uniform(0, 1, points), 10 ** rng.uniform(-30, 0, points),
                         np.clip(1 - 10 ** rng.uniform(-16, 0, points), 0, 1)])
    gv = np.concatenate([10 ** rng.uniform(-8, math.log10(1 / 3), points), rng.uniform(1e-8, 1 / 3, points),
                         1 / 3 - 10 ** rng.uniform(-10, -1, points)])[rng.permutation(3 * points)]

    from pyramid_sym.kernels.registry import REGISTRY

    numpy_target = REGISTRY.target("numpy")
    bare = {spec.name: _bare(spec, numpy_target) for spec in KERNELS}  # printed text, run on long doubles

    for dt in (np.float32, np.float64):
        cells = []
        for spec in KERNELS:
            x, g = lv.astype(dt), gv.astype(dt)
            keep = g > 0
            x, g = x[keep], g[keep]
            sign = -1 if spec.convention == "paper" else 1
            y = getattr(nk, spec.name)(x, sign * g)
            r = bare[spec.name](x.astype(LD), sign * g.astype(LD))
            rn = r.astype(dt)  # correctly rounded (one rounding from 64 bits)
            ulps = (np.abs(y.astype(LD) - rn.astype(LD)) / np.spacing(np.abs(rn)).astype(LD)).astype(np.float64)
            cells.append(f"{spec.name} {ulps.max():.0f} ({int(np.sum(ulps > 3))} > 3)")
        print(f"   {np.dtype(dt).name}: max ULP from the correctly rounded value: " + ", ".join(cells))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer rounds and points (a smoke run)")
    ap.add_argument("--full-loop", action="store_true", help="also time the per-block loop at the large shape (minutes)")
    ap.add_argument("--no-accuracy", action="store_true", help="skip the accuracy table and the stress")
    args = ap.parse_args()
    rounds = 3 if args.quick else 15
    bench_block_noise(rounds, args.full_loop)
    bench_scalar(rounds)
    if not args.no_accuracy:
        bench_accuracy(8 if args.quick else 40)
        bench_stress(10**4 if args.quick else 10**6)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
