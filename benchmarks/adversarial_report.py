"""The adversarial set of tests/data/adversarial.json run through ``pyramid-sym check``'s API: wrong verdicts,
unknowns and time per case, printed.

    python benchmarks/adversarial_report.py

Each statement's truth was established without the prover (see tests/test_adversarial.py and
tests/data/adversarial_build.py); a false statement proved or a true one refuted is a wrong verdict.
Exit status 1 when there is one, when more than 10 % are unknown, when a case takes more than 30 s or the
median more than 2 s.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pyramid_sym.check import check  # noqa: E402

LIMIT_S = 30


def main() -> int:
    cases = json.loads((ROOT / "tests" / "data" / "adversarial.json").read_text())
    rows = []
    for c in cases:
        t0 = time.perf_counter()
        r = check(c["lhs"], c["rhs"], c["vars"], timeout=LIMIT_S)
        rows.append((c, r.verdict.value, time.perf_counter() - t0))
    n_true = sum(c["truth"] == "true" for c, _, _ in rows)
    false_proved = [c for c, v, _ in rows if c["truth"] == "false" and v == "proved"]
    true_refuted = [c for c, v, _ in rows if c["truth"] == "true" and v == "refuted"]
    unknown = [c for c, v, _ in rows if v == "unknown"]
    times = [t for _, _, t in rows]
    print(f"adversarial set: {len(rows)} statements ({n_true} true, {len(rows) - n_true} false)")
    print(f"  false proved {len(false_proved)}, true refuted {len(true_refuted)}, "
          f"unknown {len(unknown)} ({100 * len(unknown) / len(rows):.1f} %)")
    print(f"  seconds per case: median {statistics.median(times):.3f}, max {max(times):.2f} (limit {LIMIT_S})")
    for c in false_proved + true_refuted:
        print(f"  WRONG: {c['lhs']} = {c['rhs']} on {c['vars']} (truth: {c['truth']})")
    for c in unknown:
        print(f"  unknown: {c['lhs']} = {c['rhs']} on {c['vars']} (truth: {c['truth']})")
    # the figures promised for the set: no wrong verdict, at most 10 % unknown, every case within the time
    # limit, median at most 2 s
    bad = (false_proved or true_refuted or len(unknown) > 0.10 * len(rows) or max(times) > LIMIT_S
           or statistics.median(times) > 2)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
