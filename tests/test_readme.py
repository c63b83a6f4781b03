"""README.md runs as written: every shell line of its ```bash blocks, and its Python examples.

Shell lines are run for real in bash when they are quick, through shims that stand for the
virtual environment the quick start creates (``.venv/bin/python`` and ``pyramid-sym`` are
this interpreter with this checkout).  Lines that would install packages, start a server,
run this very suite or take minutes are checked by ``bash -n`` and, where they call a
command of this project, by that command's own argument parser; the reason is given per rule.
"""

from __future__ import annotations

import os
import re
import shlex
import stat
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


def _bash_lines(text: str) -> list[str]:
    out = []
    for block in re.findall(r"```bash\n(.*?)```", text, re.S):
        out += [ln for ln in block.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    return out


LINES = _bash_lines(README)

# (pattern, mode, reason); first match wins; "run" lines are executed for real
RULES = [
    (r"pip install", "syntax", "installs packages from an index (minutes, network); CI runs the quick start for real"),
    (r"pytest", "syntax", "runs this very test suite; CI runs it"),
    (r"jupyter lab", "syntax", "starts a server that waits for a browser"),
    (r"jupytext-config", "syntax", "changes the user's JupyterLab settings"),
    (r"notebooks/render\.py|benchmarks/readme_figures\.py", "help", "re-executes every notebook or benchmark (minutes)"),
    (r"pyramid-sym audit (diffusion_schedulers|pyramid_dit)/", "parse",
     "audits files of a checkout of the reference repository, which is not part of this one; "
     "tests/test_audit.py audits fixtures of the same shapes end to end"),
    (r"pyramid-sym probe", "parse", "the probe takes 10 s to a minute; tests/test_probe_cli.py runs it end to end"),
    (r"", "run", "quick"),
]


def _rule(line: str):
    return next((mode, reason) for pattern, mode, reason in RULES if re.search(pattern, line))


def _workdir(tmp_path: Path) -> Path:
    """A folder with .venv/bin shims for python and pyramid-sym, and the repository's notebooks/ and benchmarks/."""
    bin_dir = tmp_path / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    shims = {"python": f'exec "{sys.executable}" "$@"', "python3": f'exec "{sys.executable}" "$@"',
             "pyramid-sym": f'exec "{sys.executable}" -m pyramid_sym "$@"'}
    for name, body in shims.items():
        p = bin_dir / name
        p.write_text(f"#!/bin/sh\n{body}\n")
        p.chmod(p.stat().st_mode | stat.S_IXUSR)
    for folder in ("notebooks", "benchmarks"):
        (tmp_path / folder).symlink_to(ROOT / folder)
    return tmp_path


def test_the_readme_has_shell_lines_and_exactly_two_quick_start_commands():
    quick = README.split("## Quick start", 1)[1].split("\n## ", 1)[0].split("### ", 1)[0]
    assert len(_bash_lines(quick)) == 2
    assert len(LINES) >= 10


@pytest.mark.parametrize("line", LINES)
def test_every_shell_line_parses_in_bash(line):
    proc = subprocess.run(["bash", "-n", "-c", line], capture_output=True, text=True)
    assert proc.returncode == 0, f"not valid bash as written: {line!r}: {proc.stderr}"


@pytest.mark.parametrize("line", LINES)
def test_every_shell_line_runs_as_written(line, tmp_path):
    mode, reason = _rule(line)
    if mode == "syntax":
        pytest.skip(f"checked by bash -n only: {reason}")
    if mode == "parse":
        from pyramid_sym.cli import build_parser

        argv = shlex.split(line)
        assert argv[0] == "pyramid-sym"
        build_parser().parse_args(argv[1:])  # exits 2 on an argument the command does not accept
        return
    work = _workdir(tmp_path)
    env = dict(os.environ, PATH=f"{work / '.venv' / 'bin'}{os.pathsep}{os.environ['PATH']}",
               PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    command = line + " --help" if mode == "help" else line
    proc = subprocess.run(["bash", "-c", command], cwd=work, capture_output=True, text=True, timeout=600, env=env)
    assert proc.returncode == 0, f"{line!r} exited {proc.returncode}: {proc.stderr[-1500:]}"
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize("index", range(len(re.findall(r"```python\n", README))))
def test_python_examples_run(index):
    code = re.findall(r"```python\n(.*?)```", README, re.S)[index]
    for module in ("torch", "jax"):
        if f"import {module}" in code:
            pytest.importorskip(module)
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, env=env)
    assert proc.returncode == 0, proc.stderr[-1500:]


def test_readme_generated_regions_are_present_and_filled():
    import runpy

    figures = runpy.run_path(str(ROOT / "benchmarks" / "readme_figures.py"))  # the generator's list of regions
    assert "bound" in figures["DEFAULT"] and "torch-sqrt" in figures["DEFAULT"]
    for name in figures["DEFAULT"]:
        begin, end = f"<!-- BEGIN generated:{name} -->", f"<!-- END generated:{name} -->"
        assert README.count(begin) == 1 and README.count(end) == 1, name
        assert README.split(begin)[1].split(end)[0].strip(), f"region {name} is empty: run benchmarks/readme_figures.py"
    for png in ("docs/figures/probe-covariance.png", "docs/figures/probe-corrected_start_sigma.png"):
        assert f"]({png})" in README and (ROOT / png).stat().st_size > 10_000


def test_readme_links_the_paper_and_the_reference():
    assert "arxiv.org/abs/2410.05954" in README and "github.com/jy0205/Pyramid-Flow" in README
    assert (ROOT / "LICENSE").read_text().startswith("MIT License") and (ROOT / "CITATION.cff").exists()
