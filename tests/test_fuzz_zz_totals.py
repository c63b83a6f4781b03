"""The fuzz totals: at least 10,000 invocations across the fuzz modules, and not one problem.

Runs after ``test_fuzz_api.py``, ``test_fuzz_cli.py`` and ``test_fuzz_kernels.py`` (pytest
runs the files of a folder in name order) and reads the counters they share.  Run alone,
or with only part of the fuzz modules selected, it skips.  With the environment variable
``PYRAMID_SYM_FUZZ_REPORT`` set to a file name, the counts are also written there as JSON
(``benchmarks/mutation_report.py --fuzz`` uses that).
"""

from __future__ import annotations

import json
import os

import pytest

from test_fuzz_harness import COUNTS, PROBLEMS

MINIMUM = 10_000  # the figure: at least 10,000 fuzzed invocations


def test_fuzz_totals():
    total = sum(COUNTS.values())
    cli = sum(v for k, v in COUNTS.items() if not k.startswith(("api:", "kernel:")))
    report = {
        "total": total,
        "command_line": cli,
        "public_functions": sum(v for k, v in COUNTS.items() if k.startswith("api:")),
        "kernels": sum(v for k, v in COUNTS.items() if k.startswith("kernel:")),
        "tracebacks_or_hangs": len(PROBLEMS),
        "by_target": dict(sorted(COUNTS.items())),
    }
    path = os.environ.get("PYRAMID_SYM_FUZZ_REPORT")
    if path:
        with open(path, "w") as fh:
            json.dump(report, fh, indent=2)
    print(f"\nfuzz totals: {total} invocations ({cli} command line), {len(PROBLEMS)} problems")
    if total < MINIMUM:
        pytest.skip(f"only {total} fuzzed invocations ran (a subset of the fuzz modules was selected)")
    assert not PROBLEMS, PROBLEMS[:3]
