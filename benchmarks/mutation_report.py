"""Print the soundness figures: mutants (total, refuted, unknown, proved) and, with --fuzz, fuzzed invocations.

    python benchmarks/mutation_report.py            # mutation figures and true variants (a few minutes)
    python benchmarks/mutation_report.py --fuzz     # also runs the fuzz tests and prints their counts (~2 min)
    python benchmarks/mutation_report.py --json     # the same as JSON

The mutants are those of ``pyramid_sym.mutation.generate_mutants`` (every formula and
every ledger identity claim); the fuzz counts come from the test modules
``tests/test_fuzz_*.py``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def mutation_figures() -> dict:
    from pyramid_sym.mutation import CLASS_OPERATORS, generate_mutants, run_mutants, run_variants

    mutants, dropped = generate_mutants()
    report = run_mutants(mutants, dropped=dropped)
    data = report.to_json()
    data["sources"] = len({m.source for m in mutants})
    data["by_source_kind"] = dict(Counter(m.source.split(".")[0] for m in mutants))
    data["class_mutants"] = sum(1 for m in mutants if m.operator in CLASS_OPERATORS)
    data["true_variants"] = run_variants()
    return data


def fuzz_figures() -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "fuzz.json")
        env = dict(os.environ, PYRAMID_SYM_FUZZ_REPORT=path)
        files = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "tests").glob("test_fuzz_*.py"))
        proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *files],
                              cwd=ROOT, env=env, capture_output=True, text=True)
        if not os.path.exists(path):
            return {"error": "the fuzz tests did not report", "pytest_tail": proc.stdout[-2000:]}
        with open(path) as fh:
            data = json.load(fh)
        data["pytest_status"] = proc.returncode
        data["pytest_summary"] = (proc.stdout.strip().splitlines() or [""])[-1]
        return data


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--fuzz", action="store_true", help="also run the fuzz tests and report their counts")
    ap.add_argument("--json", action="store_true", help="print JSON")
    args = ap.parse_args(argv)
    out = {"mutation": mutation_figures()}
    if args.fuzz:
        out["fuzz"] = fuzz_figures()
    if args.json:
        print(json.dumps(out, indent=2))
        return 0
    m = out["mutation"]
    print(f"mutants: {m['total']} from {m['sources']} sources ({m['by_source_kind']}); "
          f"dropped as possibly equivalent: {m['dropped_equivalent']}")
    print(f"  refuted {m['refuted']}, unknown {m['unknown']}, proved {m['proved']}, prover errors {m['errors']}; "
          f"kill rate {m['kill_rate']:.1%}; {m['seconds']} s")
    print(f"  of which {m['class_mutants']} of the classes tiny-scale, narrow-band, odd-root, pole, extreme, cancel")
    tv = m["true_variants"]
    print(f"true variants (equivalent rewrites): {tv['total']}: proved {tv['proved']} ({tv['proved_rate']:.1%}), "
          f"unknown {tv['unknown']}, refuted {tv['refuted']}, errors {tv['errors']}; {tv['seconds']} s")
    for op, c in sorted(m["by_operator"].items()):
        print(f"  {op:10s} {c['total']:4d} mutants: refuted {c['refuted']}, unknown {c['unknown']}, "
              f"proved {c['proved']}, errors {c['error']}")
    if m["proved_ids"]:
        print("  PROVED (a soundness failure):", ", ".join(m["proved_ids"]))
    if m["error_ids"]:
        print("  prover errors:", ", ".join(m["error_ids"][:10]))
    if args.fuzz:
        f = out["fuzz"]
        if "error" in f:
            print("fuzz:", f["error"])
        else:
            print(f"fuzz: {f['total']} invocations ({f['command_line']} command line, {f['public_functions']} "
                  f"public functions, {f['kernels']} kernels); tracebacks or hangs: {f['tracebacks_or_hangs']}; "
                  f"pytest: {f['pytest_summary']}")
    return 1 if m["proved"] or tv["refuted"] else 0


if __name__ == "__main__":
    sys.exit(main())
