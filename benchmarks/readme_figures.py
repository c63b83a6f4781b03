"""Regenerate the figures of README.md from the commands that measure them; never type a figure.

    python benchmarks/readme_figures.py                  # every region below except 'suite'
    python benchmarks/readme_figures.py --only probe     # one region (repeatable)
    python benchmarks/readme_figures.py --suite          # also time the test suite (minutes)
    python benchmarks/readme_figures.py --check          # exit 1 if a region's markers are missing

README.md holds marked regions::

    <!-- BEGIN generated:NAME -->
    ...
    <!-- END generated:NAME -->

and this script replaces the text between the markers of each region it regenerates with
what the command named in the region prints, parsed from that command's JSON.  The probe's
plots shown in the README are written to docs/figures/ by the same run.  Regions:

* ``ledger``: verdict counts and wall time of ``pyramid-sym prove --json``;
* ``article``: the article's wrong claims with their counterexample points (same run);
* ``covariance``: the stored block covariance at gamma_c = 1/3 and what Cholesky and torch's
  MultivariateNormal do with it (``pyramid-sym probe --quick``'s covariance rows);
* ``probe``: the reference code's corrected-start form against the emitted kernel
  (``pyramid-sym probe --quick --kernel corrected_start_sigma``), and the two README plots;
* ``probe-full``: the emitted kernels' worst error per dtype over the full probe
  (``pyramid-sym probe``, about a minute);
* ``install``: download size of README command 1's resolved set (``pip download``) and the
  wall time of command 1 in a fresh virtual environment;
* ``soundness``: the mutation report and the adversarial set (``benchmarks/mutation_report.py``,
  ``benchmarks/adversarial_report.py``);
* ``bench-prove``: the ledger's cold time side by side with the naive ``simplify`` baseline
  (``benchmarks/bench_prove.py``);
* ``audit-bench``: ``pyramid-sym audit`` on a generated 2,000-line file and on bad input
  (``benchmarks/bench_audit.py``);
* ``bound``, ``bound-stress``, ``bound-reference``: the certified rounding-error bounds of the emitted
  kernels (``pyramid-sym bound``), a 10^7-point stress beside them (``benchmarks/bench_bound_stress.py``),
  and the certified lower bounds of the reference code's forms (``pyramid-sym bound --reference``);
* ``torch-sqrt``: how often torch's CPU ``sqrt`` misses the correctly rounded root
  (``benchmarks/bench_torch_sqrt.py``);
* ``fuzz``: the full-size fuzz run (``benchmarks/fuzz_all.py``, minutes);
* ``suite`` (with --suite): the default test suite's wall time and counts.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
FIGURES = ROOT / "docs" / "figures"
BEGIN = "<!-- BEGIN generated:{name} -->"
END = "<!-- END generated:{name} -->"


def _env():
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


def _cli_json(*argv: str):
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "pyramid_sym", *argv], capture_output=True, text=True,
                          env=_env(), cwd=ROOT)
    seconds = time.perf_counter() - t0
    if proc.returncode not in (0, 1):
        raise SystemExit(f"pyramid-sym {' '.join(argv)} failed ({proc.returncode}): {proc.stderr.strip()[-500:]}")
    return json.loads(proc.stdout), seconds, proc.returncode


def _fmt_ulp(x) -> str:
    if x is None:
        return "n/a"
    x = float(x)
    if x == float("inf"):
        return "non-finite"
    return f"{x:.2g}" if x >= 1e4 else f"{x:.0f}" if x == int(x) else f"{x:.2g}"


# --------------------------------------------------------------------------------------
# regions
# --------------------------------------------------------------------------------------
_LEDGER_CACHE = {}


def _ledger():
    if not _LEDGER_CACHE:
        _LEDGER_CACHE["data"] = _cli_json("prove", "--json")
    return _LEDGER_CACHE["data"]


def region_ledger() -> str:
    data, seconds, rc = _ledger()
    claims = data["claims"]
    counts = {}
    for c in claims:
        counts[c["verdict"]] = counts.get(c["verdict"], 0) + 1
    ok = sum(c["ok"] for c in claims)
    by = ", ".join(f"{n} {v}" for v, n in sorted(counts.items()))
    return (f"`pyramid-sym prove` decides **{len(claims)} claims** ({by}); {ok} of {len(claims)} reach their "
            f"expected verdict, exit status {rc}; {seconds:.1f} s wall for the whole command on this machine "
            f"(measured by `python benchmarks/readme_figures.py --only ledger`).")


def region_article() -> str:
    from pyramid_sym.ledger.claims_article import counterexample_context

    data, _, _ = _ledger()
    lines = []
    for c in data["claims"]:
        if not c["id"].startswith("article.") or c["verdict"] != "refuted":
            continue
        point = (c.get("counterexample") or {}).get("point") or {}
        at = dict(point, **{k: v.split(" (")[0] for k, v in counterexample_context(c["id"], point).items()})
        where = ", ".join(f"{k} = {v}" for k, v in at.items())
        fix = "; or ".join(c.get("holds_under") or []) or "no re-reading makes it hold"
        lines.append(f"* **{c['id'].split('.')[-1]}** `{c['statement']}`: refuted at {where} "
                     f"(lhs {c['counterexample'].get('lhs')}, rhs {c['counterexample'].get('rhs')}); "
                     f"holds after: {fix}.")
    return "\n".join(lines) + "\n\n(`pyramid-sym prove --claim article.A8 -v` shows one claim's evidence.)"


_PROBE_CACHE = {}


def _probe_quick():
    if not _PROBE_CACHE:
        with tempfile.TemporaryDirectory() as out:
            data, seconds, rc = _cli_json("probe", "--quick", "--json", "--kernel", "corrected_start_sigma",
                                          "--out", out, "--force")
            FIGURES.mkdir(parents=True, exist_ok=True)
            for name in ("probe-corrected_start_sigma.png", "probe-covariance.png"):
                if (Path(out) / name).exists():
                    shutil.copyfile(Path(out) / name, FIGURES / name)
        _PROBE_CACHE["data"] = (data, seconds, rc)
    return _PROBE_CACHE["data"]


def region_covariance() -> str:
    data, _, _ = _probe_quick()
    rows = ["| dtype | stored gamma_c | smallest eigenvalue of the stored matrix (exact) | NumPy Cholesky | "
            "torch Cholesky | torch MultivariateNormal |", "|---|---|---|---|---|---|"]
    for r in data["covariance"]:
        if r["gamma"] == "1/3" and r["jitter"] == 0:
            rows.append(f"| {r['dtype']} | {r['gamma_in_dtype']!r} | {r['exact_lambda_min_stored']:.3g} | "
                        f"{'ok' if r['numpy_cholesky'] else 'fails'} | "
                        f"{_yes(r.get('torch_cholesky'))} | {_yes(r.get('torch_multivariate_normal'), 'raises')} |")
    return "\n".join(rows) + "\n\n(from `pyramid-sym probe --quick --kernel corrected_start_sigma --json`, covariance rows)"


def _yes(v, no="fails") -> str:
    return "n/a (no torch)" if v is None else "ok" if v else no


def region_probe() -> str:
    data, seconds, _ = _probe_quick()
    res = {(r["form"], r["dtype"]): r for r in data["results"] if r["available"]}
    dtypes = [d for d in data["dtypes"] if any((f, d) in res for f in ("code", "emitted numpy"))]
    rows = ["| form of the corrected start sigma | " + " | ".join(dtypes) + " |", "|---|" + "---|" * len(dtypes)]
    for form, label in (("code", "the reference code's `1 - corrected`"), ("paper", "paper eq. 25, inverted"),
                        ("emitted numpy", "emitted kernel (NumPy)"), ("emitted torch", "emitted kernel (Torch)")):
        if any((form, d) in res for d in dtypes):
            cells = []
            for d in dtypes:
                r = res.get((form, d))
                cells.append("n/a" if r is None else _fmt_ulp(r["max_ulp"]) +
                             (f" ({r['nonfinite']} non-finite)" if r["nonfinite"] else ""))
            rows.append(f"| {label} | " + " | ".join(cells) + " |")
    return ("Worst error in ULPs against a certified reference:\n\n" + "\n".join(rows) +
            f"\n\n(`pyramid-sym probe --quick --kernel corrected_start_sigma`, {seconds:.0f} s; plots in docs/figures/)")


def region_probe_full() -> str:
    data, seconds, rc = _cli_json("probe", "--json", "--no-plots", "--no-covariance")
    worst = {}
    nonfinite = 0
    for r in data["results"]:
        if r["available"] and r["form"].startswith("emitted"):
            worst[r["dtype"]] = max(worst.get(r["dtype"], 0.0), float(r["max_ulp"]))
            nonfinite += r["nonfinite"]
    cells = ", ".join(f"{d} {_fmt_ulp(v)}" for d, v in worst.items())
    points = data.get("points")
    n = sum(v.get("n", 0) for v in points.values()) if isinstance(points, dict) else points
    kernels = len(data.get("kernels", []))
    return (f"{kernels} emitted kernels x {len(worst)} dtypes, {n:,} probe points in all (both ends of each "
            f"domain, a grid, random bit patterns, the default schedule): worst error {cells} ULP; "
            f"{nonfinite} non-finite outputs; within the bounds: {'yes' if rc == 0 else 'NO'} "
            f"(`pyramid-sym probe`, {seconds:.0f} s).")


def region_install() -> str:
    with tempfile.TemporaryDirectory() as tmp:
        dl = Path(tmp) / "dl"
        subprocess.run([sys.executable, "-m", "pip", "download", "-q", "-d", str(dl), str(ROOT)], check=True,
                       capture_output=True, cwd=tmp)
        files = [p for p in dl.iterdir() if p.is_file()]
        size = sum(p.stat().st_size for p in files)
        names = ", ".join(sorted(re.split(r"-\d", p.name)[0] for p in files if not p.name.startswith("pyramid")))
        clone = Path(tmp) / "clone"
        shutil.copytree(ROOT, clone, ignore=shutil.ignore_patterns(".venv", ".git", "__pycache__", "*.egg-info",
                                                                    "probe-out", ".pytest_cache", ".hypothesis"))
        t0 = time.perf_counter()
        subprocess.run("python3 -m venv .venv && .venv/bin/pip install -q -e . && .venv/bin/pyramid-sym prove "
                       ">/dev/null", shell=True, check=True, cwd=clone, executable="/bin/bash")
        seconds = time.perf_counter() - t0
    return (f"README command 1 downloads **{size / 1e6:.1f} MB** ({names}; `pip download` of the resolved set) "
            f"and finishes in **{seconds:.0f} s** in a fresh virtual environment on this machine, "
            "packages served from a local index (measured by `python benchmarks/readme_figures.py --only install`).")


def region_suite() -> str:
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "auto", "--dist", "loadfile"], capture_output=True,
                          text=True, env=_env(), cwd=ROOT)
    seconds = time.perf_counter() - t0
    lines = proc.stdout.splitlines()
    tail = [ln for ln in lines if " in " in ln and ("passed" in ln or "failed" in ln)]
    failed = [ln.split(" - ")[0].replace("FAILED ", "") for ln in lines if ln.startswith("FAILED ")]
    note = f" Failed: {', '.join(f'`{f}`' for f in failed)}." if failed else ""
    return f"`pytest -q -n auto --dist loadfile`: {tail[-1].strip('= ') if tail else 'no summary'}; {seconds:.0f} s wall.{note}"


def _script(script: str, *args: str, keep=None) -> str:
    """A fenced block: the command line and the lines of its output that ``keep`` selects (all by default)."""
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, script, *args], capture_output=True, text=True, env=_env(), cwd=ROOT)
    seconds = time.perf_counter() - t0
    lines = [ln.rstrip() for ln in proc.stdout.splitlines() if ln.strip()]
    if keep is not None:
        lines = [ln for ln in lines if keep(ln)]
    status = "" if proc.returncode == 0 else f" (exit status {proc.returncode})"
    return (f"```\n$ python {' '.join((script,) + args)}{status}\n" + "\n".join(lines) +
            f"\n```\n({seconds:.0f} s on this machine)")


def region_soundness() -> str:
    mutants = _script("benchmarks/mutation_report.py",
                      keep=lambda ln: not ln.startswith("  ") or ln.startswith(("  refuted", "  of which")))
    adversarial = _script("benchmarks/adversarial_report.py", keep=lambda ln: not ln.startswith("  unknown:"))
    return mutants + "\n\n" + adversarial


def region_bench_prove() -> str:
    return _script("benchmarks/bench_prove.py",
                   keep=lambda ln: ln.startswith(("cpu count", "ours", "naive", "cpu ", "ratio")))


def region_audit_bench() -> str:
    return _script("benchmarks/bench_audit.py")


def region_fuzz() -> str:
    return _script("benchmarks/fuzz_all.py", keep=lambda ln: "fuzz totals" in ln or " passed" in ln
                   or " failed" in ln)


def region_bound() -> str:
    return _script("-m", "pyramid_sym", "bound")


def region_bound_stress() -> str:
    return _script("benchmarks/bench_bound_stress.py")  # 10^7 inputs per kernel and dtype


def region_bound_reference() -> str:
    return _script("-m", "pyramid_sym", "bound", "--reference")


def region_torch_sqrt() -> str:
    return _script("benchmarks/bench_torch_sqrt.py")


REGIONS = {
    "bound": region_bound,
    "torch-sqrt": region_torch_sqrt,
    "bound-stress": region_bound_stress,
    "bound-reference": region_bound_reference,
    "soundness": region_soundness,
    "bench-prove": region_bench_prove,
    "audit-bench": region_audit_bench,
    "fuzz": region_fuzz,
    "ledger": region_ledger,
    "article": region_article,
    "covariance": region_covariance,
    "probe": region_probe,
    "probe-full": region_probe_full,
    "install": region_install,
    "suite": region_suite,
}
DEFAULT = [n for n in REGIONS if n != "suite"]


def replace_region(text: str, name: str, body: str) -> str:
    begin, end = BEGIN.format(name=name), END.format(name=name)
    if text.count(begin) != 1 or text.count(end) != 1:
        raise SystemExit(f"README.md must hold exactly one '{begin}' ... '{end}' region.")
    head, rest = text.split(begin)
    _, tail = rest.split(end)
    return f"{head}{begin}\n{body.strip()}\n{end}{tail}"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Regenerate README.md's measured figures and docs/figures/.")
    ap.add_argument("--only", action="append", choices=sorted(REGIONS), help="regenerate only this region")
    ap.add_argument("--suite", action="store_true", help="also time the test suite (minutes)")
    ap.add_argument("--check", action="store_true", help="only check that every region's markers are present")
    args = ap.parse_args(argv)
    names = args.only or DEFAULT + (["suite"] if args.suite else [])
    text = README.read_text()
    if args.check:
        missing = [n for n in REGIONS if BEGIN.format(name=n) not in text or END.format(name=n) not in text]
        print("missing regions: " + ", ".join(missing) if missing else "every region is present")
        return 1 if missing else 0
    sys.path.insert(0, str(ROOT))
    for name in names:
        t0 = time.perf_counter()
        text = replace_region(text, name, REGIONS[name]())
        README.write_text(text)
        print(f"{name}: regenerated ({time.perf_counter() - t0:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
