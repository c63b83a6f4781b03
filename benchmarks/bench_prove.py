"""Time the whole ledger, cold, against the naive alternative, side by side in one run.

    python benchmarks/bench_prove.py [--repeat 5]

Ours: ``pyramid-sym prove`` in a fresh process (median of ``--repeat`` runs).
Naive: a fresh process that builds the same claims and, per claim,
``simplify(lhs - rhs) == 0`` (identities, elementwise), ``simplify(expr)`` and its
assumption-based sign (sign claims), ``Matrix.is_positive_semidefinite`` (PSD
claims).  The naive verdicts are printed too: they are not proofs, and they can be
wrong or undecided.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import time

PER_CLAIM_LIMIT_S = 60


def _naive_worker() -> None:
    t0 = time.perf_counter()
    import sympy

    from pyramid_sym.ledger import all_claims

    def leaves(c):
        if c.kind == "all":
            for p in c.parts:
                yield from leaves(p)
        else:
            yield c

    def on_alarm(signum, frame):
        raise TimeoutError

    signal.signal(signal.SIGALRM, on_alarm)
    rows = []
    for claim in all_claims():
        t = time.perf_counter()
        answers = []
        try:
            signal.alarm(PER_CLAIM_LIMIT_S)
            for c in leaves(claim):
                fixed = c.domain.fixed()
                if c.kind == "identity":
                    L = c.lhs if isinstance(c.lhs, sympy.MatrixBase) else sympy.Matrix([c.lhs])
                    R = c.rhs if isinstance(c.rhs, sympy.MatrixBase) else sympy.Matrix([c.rhs])
                    answers.append(all(sympy.simplify((a - b).xreplace(fixed)) == 0 for a, b in zip(L, R)))
                elif c.kind == "sign":
                    v = sympy.simplify(c.expr.xreplace(fixed))
                    answers.append({">": v.is_positive, ">=": v.is_nonnegative, "<": v.is_negative,
                                    "<=": v.is_nonpositive, "!=": v.is_nonzero}[c.relation])
                else:
                    answers.append(sympy.Matrix(c.matrix.xreplace(fixed)).is_positive_semidefinite)
            signal.alarm(0)
            answer = ("undecided" if any(a is None for a in answers)
                      else "true" if all(answers) else "false")
        except TimeoutError:
            answer = f"timeout ({PER_CLAIM_LIMIT_S} s)"
        rows.append({"id": claim.id, "expected": claim.expected, "naive": answer,
                     "seconds": time.perf_counter() - t})
    json.dump({"seconds": time.perf_counter() - t0, "rows": rows}, sys.stdout)


_CPU: list[float] = []  # CPU seconds (user + system) of each cold child, in order


def _cold(cmd: list[str]) -> tuple[float, subprocess.CompletedProcess]:
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    _CPU.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return wall, p


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--naive-worker", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.naive_worker:
        _naive_worker()
        return 0
    exe = [sys.executable, "-m", "pyramid_sym", "prove", "--json"]
    ours = []
    for _ in range(args.repeat):
        wall, p = _cold(exe)
        if p.returncode != 0:
            print(p.stdout[-2000:], p.stderr[-2000:])
            print("pyramid-sym prove did not succeed")
            return 1
        ours.append(wall)
    report = json.loads(p.stdout)
    wall_naive, q = _cold([sys.executable, os.path.abspath(__file__), "--naive-worker"])
    naive = json.loads(q.stdout)
    verdict = {c["id"]: c["verdict"] for c in report["claims"]}
    print(f"{'claim':<44} {'ours':<9} {'naive simplify':<16} {'naive s':>8}")
    wrong = undecided = 0
    for row in naive["rows"]:
        exp_true = row["expected"] == "proved"
        n = row["naive"]
        if n == "undecided" or n.startswith("timeout"):
            undecided += 1
        elif (n == "true") != exp_true:
            wrong += 1
        print(f"{row['id']:<44} {verdict[row['id']]:<9} {n:<16} {row['seconds']:8.3f}")
    med = statistics.median(ours)
    print()
    print(f"cpu count: {os.cpu_count()}")
    print(f"ours : pyramid-sym prove, cold process, {len(report['claims'])} claims: "
          f"median {med:.2f} s wall over {args.repeat} runs ({', '.join(f'{w:.2f}' for w in ours)}); "
          f"every claim as expected: {report['ok']}")
    print(f"naive: simplify(lhs - rhs) == 0 per claim, cold process: {wall_naive:.2f} s wall; "
          f"{wrong} wrong answers, {undecided} undecided or timed out, and no certificate for any")
    cpu_ours, cpu_naive = statistics.median(_CPU[:args.repeat]), _CPU[args.repeat]
    print(f"cpu  : ours median {cpu_ours:.2f} s CPU, naive {cpu_naive:.2f} s CPU (independent of other load "
          f"on the machine; `os.getloadavg()` now {os.getloadavg()[0]:.1f})")
    print(f"ratio naive / ours: {wall_naive / med:.1f}x wall, {cpu_naive / cpu_ours:.1f}x CPU")
    return 0


if __name__ == "__main__":
    sys.exit(main())
