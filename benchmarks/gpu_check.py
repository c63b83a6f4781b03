"""Check the emitted Torch kernels on a GPU (or on the CPU with --device cpu): dtypes, accuracy, sampler, speed.

Run from the repository root:

    PYTHONPATH=. python benchmarks/gpu_check.py              # CUDA (exit 2 if none is available)
    PYTHONPATH=. python benchmarks/gpu_check.py --device cpu # the same checks on the CPU

It prints one line per check and the figures, and exits 1 if any check fails.
Designed to finish well within 5 minutes on one GPU:

1. every scalar kernel keeps float16, bfloat16, float32 and float64 on the device and
   is within 1 ULP (half formats) or 3 ULP (float32, float64) of the correctly rounded
   value of the proved formula (mpmath, 400 digits) on a grid that includes both ends;
2. the reference schedule's start sigma and renoise alpha/beta are reproduced;
3. block_noise: the sample covariance of 2^22 blocks of 2x2 at gamma = 1/3 and 0.1
   against (1 + gamma) I - gamma J within 6 standard errors, every block sum zero at
   gamma = 1/3 (float32, bfloat16), the same generator seed giving the same noise;
4. time of block_noise against torch.randn of the same shape and dtype (latents
   1x16x1x48x80 and 2x16x8x96x160, float32 and bfloat16), and of renoise.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from importlib import resources

import mpmath
import numpy as np
import sympy
import torch

from pyramid_sym.kernels import torch_kernels as tk
from pyramid_sym.kernels.registry import KERNELS

FORMATS = {"float16": (11, -14), "bfloat16": (8, -126), "float32": (24, -126), "float64": (53, -1022)}
MAX_ULP = {"float16": 1, "bfloat16": 1, "float32": 3, "float64": 3}
FAILURES: list[str] = []


def report(ok: bool, what: str) -> None:
    print(f"[{'ok' if ok else 'FAIL'}] {what}", flush=True)
    if not ok:
        FAILURES.append(what)


def _spacing(x, fmt):
    p, emin = FORMATS[fmt]
    e = emin if x == 0 else max(int(mpmath.frexp(abs(x))[1]) - 1, emin)
    return mpmath.ldexp(1, e - p + 1)


def _ulp_cr(y: float, exact, fmt: str) -> float:
    """|y - RN(exact)| in ULPs of RN(exact): distance to the correctly rounded value."""
    h = _spacing(exact, fmt)
    r = mpmath.nint(exact / h) * h
    return float(abs(mpmath.mpf(y) - r) / _spacing(r, fmt))


def check_scalar_kernels(device: str) -> None:
    rng = np.random.default_rng(0)
    for spec in KERNELS:
        ref = sympy.lambdify([s for s, _, _ in spec.args], spec.formula_expr, modules="mpmath")
        sign = -1 if spec.convention == "paper" else 1
        worst = {}
        for fmt in FORMATS:
            dt = getattr(torch, fmt)
            lv = [0.0, 2.0 ** FORMATS[fmt][1], 1e-7, 1e-3, 0.5, 1 - 2.0 ** -FORMATS[fmt][0], 1.0]
            lv += list(rng.uniform(0, 1, 8))
            gv = [max(1e-8, 2.0**-24 if fmt == "float16" else 0), 1e-4, 0.1, 1 / 3]
            gv += list(10 ** rng.uniform(-8, math.log10(1 / 3), 6))
            L, G = np.meshgrid(lv, gv)
            x = torch.tensor(L.ravel(), dtype=torch.float64).to(dt).to(device)
            g = (sign * torch.tensor(G.ravel(), dtype=torch.float64)).to(dt).to(device)
            keep = g != 0
            x, g = x[keep], g[keep]
            y = getattr(tk, spec.name)(x, g)
            if y.dtype != dt or y.device.type != torch.device(device).type:
                report(False, f"{spec.name} {fmt}: got {y.dtype} on {y.device}")
                continue
            w = 0.0
            with mpmath.workdps(400):
                for yi, xi, gi in zip(y.double().cpu().tolist(), x.double().cpu().tolist(), g.double().cpu().tolist()):
                    if not math.isfinite(yi):
                        w = math.inf
                        break
                    w = max(w, _ulp_cr(yi, ref(mpmath.mpf(xi), mpmath.mpf(gi)), fmt))
            worst[fmt] = w
        ok = all(worst[f] <= MAX_ULP[f] for f in worst) and len(worst) == 4
        report(ok, f"{spec.name:<22} max ULP " + ", ".join(f"{f} {w:.0f}" for f, w in worst.items())
               + " (targets 1/1/3/3)")


def check_reference_schedule(device: str) -> None:
    data = json.loads(resources.files("pyramid_sym.data").joinpath("pyramid_flow_schedule_default.json")
                      .read_text())[0]
    gamma_c = data["config"]["gamma"]
    ok, rows = True, []
    for i in (1, 2):
        sigma = torch.tensor(data["ori_start_sigmas"][i], dtype=torch.float64, device=device)
        got = (tk.corrected_start_sigma(sigma, gamma_c).item(), tk.renoise_alpha(sigma, gamma_c).item(),
               tk.renoise_beta(sigma, gamma_c).item())
        want = (data["start_sigmas"][i], data["renoise"][str(i)]["alpha"], data["renoise"][str(i)]["beta"])
        for gv, wv in zip(got, want):
            ok &= abs(gv - wv) <= 2 * np.spacing(wv)  # the reference's own float64 rounding: 1 ULP each way
        rows.append(f"stage {i}: start sigma {got[0]!r}, alpha {got[1]!r}, beta {got[2]!r}")
    report(ok, "reference schedule reproduced within 2 ULP: " + "; ".join(rows))


def check_sampler(device: str, n_blocks: int) -> None:
    for gamma in (1 / 3, 0.1):
        g = torch.Generator(device=device).manual_seed(1)
        side = int(math.isqrt(n_blocks // 16))
        x = tk.block_noise((16, 2 * side, 2 * side), gamma, generator=g, dtype=torch.float32, device=device)
        b = x.view(16, side, 2, side, 2).permute(0, 1, 3, 2, 4).reshape(-1, 4).double()
        N = b.shape[0]
        S = (b.T @ b / N).cpu().numpy()
        C = (1 + gamma) * np.eye(4) - gamma * np.ones((4, 4))
        # variance of a sample covariance entry of a centred Gaussian: (C_ii C_jj + C_ij^2) / N
        tol = 6 * np.sqrt((np.outer(np.diag(C), np.diag(C)) + C**2) / N)
        dev = float(np.max(np.abs(S - C) / tol))
        report(dev <= 1, f"block_noise covariance, {N} blocks, gamma = {gamma:.4g}: max |S - C| = "
                         f"{np.max(np.abs(S - C)):.2e} = {dev:.2f} of the 6-sigma tolerance")
    for dt in (torch.float32, torch.bfloat16):
        x = tk.block_noise((64, 256, 256), 1 / 3, generator=torch.Generator(device=device).manual_seed(2),
                           dtype=dt, device=device)
        sums = x.double().view(64, 128, 2, 128, 2).sum(dim=(2, 4)).abs().max().item()
        tol = 2 * 4 * torch.finfo(dt).eps * 8 * math.sqrt(4 / 3)  # 2n roundings of an 8-sigma entry
        report(x.dtype == dt and sums <= tol, f"block sums at gamma = 1/3 ({dt}): max |sum| {sums:.2e} <= {tol:.1e}")
    a = tk.block_noise((4, 64, 64), 0.2, generator=torch.Generator(device=device).manual_seed(3), device=device)
    b = tk.block_noise((4, 64, 64), 0.2, generator=torch.Generator(device=device).manual_seed(3), device=device)
    report(bool(torch.equal(a, b)), "same generator seed, same noise")
    lat = torch.randn(2, 4, 8, 8, device=device, dtype=torch.bfloat16)
    out = tk.renoise(lat, 0.667, 1 / 3, generator=torch.Generator(device=device).manual_seed(4))
    report(out.shape == (2, 4, 16, 16) and out.dtype == torch.bfloat16 and out.device == lat.device,
           "renoise keeps dtype and device, doubles H and W")


def _sync(device):
    if device.startswith("cuda"):
        torch.cuda.synchronize()


def _time(fn, device, rounds):
    fn()
    _sync(device)
    best = math.inf
    for _ in range(rounds):
        t0 = time.perf_counter()
        fn()
        _sync(device)
        best = min(best, time.perf_counter() - t0)
    return best


def check_speed(device: str, rounds: int) -> None:
    print(f"timing (best of {rounds}, interleaved), device {device}:")
    for dt in (torch.float32, torch.bfloat16):
        for shape in [(1, 16, 1, 48, 80), (2, 16, 8, 96, 160)]:
            g = torch.Generator(device=device).manual_seed(0)
            t_r = t_b = math.inf
            for _ in range(3):  # alternate the two, keep each one's best
                t_r = min(t_r, _time(lambda: torch.randn(shape, generator=g, dtype=dt, device=device), device, rounds))
                t_b = min(t_b, _time(lambda: tk.block_noise(shape, 1 / 3, generator=g, dtype=dt, device=device),
                                     device, rounds))
            lat = torch.randn(shape[:-2] + (shape[-2] // 2, shape[-1] // 2), device=device, dtype=dt)
            t_n = _time(lambda: tk.renoise(lat, 0.667, 1 / 3, generator=g), device, rounds)
            print(f"   {str(dt):<15} {'x'.join(map(str, shape)):<16} randn {t_r * 1e3:8.3f} ms  "
                  f"block_noise {t_b * 1e3:8.3f} ms = {t_b / t_r:5.2f}x randn   renoise {t_n * 1e3:8.3f} ms")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--device", default="cuda", help="cuda (default) or cpu")
    ap.add_argument("--blocks", type=int, default=2**22, help="blocks for the covariance check (default 2^22)")
    ap.add_argument("--rounds", type=int, default=20, help="timing rounds per candidate")
    args = ap.parse_args()
    if args.device.startswith("cuda") and not torch.cuda.is_available():
        print("no CUDA device is available; run with --device cpu for the CPU checks.", file=sys.stderr)
        return 2
    t0 = time.perf_counter()
    name = torch.cuda.get_device_name() if args.device.startswith("cuda") else "CPU"
    print(f"device {args.device} ({name}), torch {torch.__version__}")
    check_scalar_kernels(args.device)
    check_reference_schedule(args.device)
    check_sampler(args.device, args.blocks)
    check_speed(args.device, args.rounds)
    print(f"{len(FAILURES)} check(s) failed; {time.perf_counter() - t0:.1f} s")
    return 1 if FAILURES else 0


if __name__ == "__main__":
    raise SystemExit(main())
