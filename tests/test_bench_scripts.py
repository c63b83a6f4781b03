"""The benchmark scripts' own logic, on small runs."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _fuzz_all(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "benchmarks" / "fuzz_all.py"), *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)


def test_fuzz_all_adds_up_its_parts_and_checks_the_minimum_on_the_sum():
    """Two parts each report their totals; the script's line is their sum, and a sum under 10,000 fails the run."""
    proc = _fuzz_all("--jobs", "2", "-k", "test_parse_expression_any_object or test_domain_text_fuzz")
    parts = [int(m) for m in re.findall(r"^fuzz totals: (\d+) invocations", proc.stdout, re.M)]
    total = re.search(r"^fuzz totals, all 2 parts: (\d+) invocations", proc.stdout, re.M)
    assert len(parts) == 2 and total, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert int(total.group(1)) == sum(parts) > 0
    assert "is below the required 10000" in proc.stdout and proc.returncode == 1


def test_fuzz_all_refuses_a_bad_job_count():
    proc = _fuzz_all("--jobs", "0")
    assert proc.returncode == 2 and "pass e.g. --jobs 2" in proc.stderr and "Traceback" not in proc.stderr
