"""The README's quick start stays honest: exactly two commands, the ones CI runs, and the ledger command works."""

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


def _quick_start_commands():
    section = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return [b.strip() for b in re.findall(r"```bash\n(.*?)```", section, re.S)]


def test_first_line_says_what_the_package_does():
    first = README.splitlines()[0]
    assert first.startswith("pyramid-sym ") and "Pyramid" in first and len(first) > 60


def test_exactly_two_commands_and_ci_runs_both():
    cmds = _quick_start_commands()
    assert len(cmds) == 2 and all("\n" not in c for c in cmds)
    ci = (ROOT / ".ci" / "run").read_text()
    for c in cmds:
        assert c in ci, f"CI does not run the README command: {c}"
    assert "pyramid-sym prove" in cmds[0] and "pytest" in cmds[1]


def test_setup_command_names_existing_extras():
    extras = re.findall(r'"\.\[([a-z,]+)\]"', _quick_start_commands()[0])
    pyproject = (ROOT / "pyproject.toml").read_text()
    for extra in ",".join(extras).split(","):
        assert re.search(rf"^{extra} = \[", pyproject, re.M), f"extra {extra} missing from pyproject.toml"


def test_main_job_of_the_quick_start_succeeds():
    # the part after the install: the ledger itself, in a fresh process, must exit 0
    p = subprocess.run([sys.executable, "-m", "pyramid_sym", "prove"], capture_output=True, text=True,
                       cwd=ROOT, timeout=300)
    assert p.returncode == 0, p.stdout[-3000:] + p.stderr[-3000:]
    assert "with their expected verdict, 0 not" in p.stdout
