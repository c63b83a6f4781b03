"""The large fuzz run: every fuzz test at its full size, at least 10,000 invocations and not one problem.

    python benchmarks/fuzz_all.py            # about 2 minutes on 2 cores; exit status 0 only if all passed

The default test suite runs the same fuzz tests at 1/16 of their size (``PYRAMID_SYM_FUZZ_SCALE``
in ``tests/test_fuzz_harness.py``); this script runs them at full size, with the minimum total
checked by the ``pytest_sessionfinish`` hook of ``tests/conftest.py``.  CI runs it as a step of
its own.  Extra arguments are passed to pytest (e.g. ``-x``, ``-k kernels``).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MINIMUM = 10_000  # invocations of the command line, the public functions and the kernels, all together


def main(argv: list[str]) -> int:
    files = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "tests").glob("test_fuzz_*.py"))
    env = dict(os.environ, PYRAMID_SYM_FUZZ_SCALE="1", PYRAMID_SYM_FUZZ_MINIMUM=str(MINIMUM),
               PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH", "")])))
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *files, *argv]
    return subprocess.call(cmd, cwd=ROOT, env=env)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
