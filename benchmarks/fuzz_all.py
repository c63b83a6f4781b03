"""The large fuzz run: every fuzz test at its full size, at least 10,000 invocations and not one problem.

    python benchmarks/fuzz_all.py [--jobs N] [PYTEST ARGS]   # exit status 0 only if all passed

The default test suite runs the same fuzz tests at 1/16 of their size (``PYRAMID_SYM_FUZZ_SCALE``
in ``tests/test_fuzz_harness.py``); this script runs them at full size.  The tests are collected once and dealt
round robin to ``--jobs`` pytest processes (default 2: no single long test file holds the run on one core); each
writes its totals (the ``pytest_sessionfinish`` hook of ``tests/conftest.py``), and this script adds them up,
prints them and checks the minimum total and that no process recorded a problem.  CI runs it as a step of its
own.  Extra arguments are passed to pytest (e.g. ``-x``, ``-k kernels``).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MINIMUM = 10_000  # invocations of the command line, the public functions and the kernels, all together
PARTS = ("command_line", "public_functions", "kernels")


def _job_count(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"--jobs {text!r} is not a whole number of at least 1; pass e.g. --jobs 2.")
    return int(text)


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0], add_help=False)
    ap.add_argument("--jobs", type=_job_count, default=2, help="pytest processes (default 2)")
    args, extra = ap.parse_known_args(argv)  # the rest goes to pytest
    jobs = args.jobs
    files = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "tests").glob("test_fuzz_*.py"))
    env = dict(os.environ, PYRAMID_SYM_FUZZ_SCALE="1",
               PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH", "")])))
    env.pop("PYRAMID_SYM_FUZZ_MINIMUM", None)
    pytest = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    collected = subprocess.run([*pytest, "--collect-only", *files, *extra], cwd=ROOT, env=env, capture_output=True,
                               text=True)
    ids = [ln.strip() for ln in collected.stdout.splitlines() if "::" in ln]
    if collected.returncode != 0 or not ids:
        print(collected.stdout + collected.stderr)
        print(f"fuzz_all: collecting the fuzz tests failed (exit {collected.returncode}).", file=sys.stderr)
        return collected.returncode or 1
    shards = [ids[k::jobs] for k in range(min(jobs, len(ids)))]
    with tempfile.TemporaryDirectory() as tmp:
        runs = []
        for k, shard in enumerate(shards):
            report, log = Path(tmp) / f"report{k}.json", Path(tmp) / f"log{k}.txt"
            with open(log, "w") as out:
                proc = subprocess.Popen([*pytest, *shard, *extra], cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                                        env=dict(env, PYRAMID_SYM_FUZZ_REPORT=str(report)))
            runs.append((proc, report, log))
        statuses = [proc.wait() for proc, _, _ in runs]
        totals = dict.fromkeys(("total", *PARTS, "tracebacks_or_hangs"), 0)
        for k, (_, report, log) in enumerate(runs):
            print(f"-- fuzz part {k + 1} of {len(runs)}: {len(shards[k])} tests")
            print(log.read_text(), end="")
            if report.exists():
                for key in totals:
                    totals[key] += json.loads(report.read_text())[key]
            else:
                statuses[k] = statuses[k] or 1
                print(f"fuzz_all: part {k + 1} wrote no totals (exit {statuses[k]}).")
    print(f"fuzz totals, all {len(runs)} parts: {totals['total']} invocations ({totals['command_line']} command line, "
          f"{totals['public_functions']} public functions, {totals['kernels']} kernels), "
          f"{totals['tracebacks_or_hangs']} problems")
    if totals["total"] < MINIMUM:
        print(f"fuzz totals: {totals['total']} is below the required {MINIMUM}")
        return 1
    if totals["tracebacks_or_hangs"]:
        return 1
    return max(statuses)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
