"""Every notebook of notebooks/ (jupytext py:percent) runs top to bottom in a kernel of this interpreter.

A notebook fails the test when any cell raises, which includes the assertions each
notebook makes about what it shows.  The kernel is pinned to ``sys.executable`` through
a kernelspec written to a temporary folder, so that a ``python3`` kernel of another
installation can never be picked up.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

jupytext = pytest.importorskip("jupytext")
nbclient = pytest.importorskip("nbclient")
nbformat = pytest.importorskip("nbformat")
pytest.importorskip("ipykernel")

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = ROOT / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("[0-9][0-9]_*.py"))
KERNEL = "pyramid-sym-tests"


def _render_module():
    import importlib.util

    spec = importlib.util.spec_from_file_location("notebooks_render", NOTEBOOK_DIR / "render.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


RENDER = _render_module()  # the same kernel set-up and execution as python notebooks/render.py


@pytest.fixture(scope="module")
def kernel_name():
    """A kernelspec whose argv starts this very interpreter."""
    with RENDER.private_kernel(KERNEL) as name:
        yield name


def _execute(nb, kernel_name, cwd: Path):
    return RENDER.execute(nb, kernel_name, cwd)


def _stdout(cell) -> str:
    return "".join(o.get("text", "") for o in cell.get("outputs", []) if o.get("output_type") == "stream")


def test_the_numbered_notebooks_exist():
    names = [p.name[:2] for p in NOTEBOOKS]
    for required in ("01", "02", "03", "04"):
        assert required in names, f"notebook {required}_*.py is missing from notebooks/"


# Executing every notebook takes about 35 s of the 2-core budget of the default suite, so the default suite
# runs the first (the runner and the kernel set-up, end to end) and CI's slow step (pytest -m slow) runs all of
# them, as does python notebooks/render.py, which re-executes them to regenerate the .ipynb files.
_FIRST = NOTEBOOKS[0].stem if NOTEBOOKS else ""


@pytest.mark.parametrize("path", [pytest.param(p, id=p.stem, marks=() if p.stem == _FIRST else pytest.mark.slow)
                                  for p in NOTEBOOKS])
def test_notebook_runs_and_asserts(path, kernel_name):
    nb = jupytext.read(path)
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "assert " in code, f"{path.name} shows results without asserting any of them"
    assert any(c.cell_type == "markdown" for c in nb.cells)
    # first cell: report the interpreter, to prove the kernel is this one
    nb.cells.insert(0, nbformat.v4.new_code_cell("import sys; print(sys.executable)"))
    _execute(nb, kernel_name, NOTEBOOK_DIR)
    assert _stdout(nb.cells[0]).strip() == sys.executable
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors
    rendered = {k for c in nb.cells for o in c.get("outputs", []) for k in o.get("data", {})}
    assert "text/latex" in rendered or "text/markdown" in rendered, f"{path.name} renders no math"


def test_a_failing_assertion_fails_the_run(kernel_name, tmp_path):
    """The runner is not vacuous: a notebook whose assertion fails raises."""
    nb = jupytext.reads("# %%\nx = 1\n\n# %%\nassert x == 2, 'deliberate'\n", fmt="py:percent")
    with pytest.raises(nbclient.exceptions.CellExecutionError, match="deliberate"):
        _execute(nb, kernel_name, tmp_path)



def test_paired_ipynb_are_up_to_date():
    """Each NAME.py has a NAME.ipynb with the same cells, every code cell executed, none raised."""
    stale = RENDER.stale_notebooks()
    assert not stale, f"stale notebooks {stale}: run python notebooks/render.py"


def test_staleness_is_detected(tmp_path, monkeypatch):
    """The check is not vacuous: an edited .py makes its .ipynb stale."""
    import shutil

    render = _render_module()
    for p in NOTEBOOK_DIR.glob("01_*"):
        shutil.copy(p, tmp_path / p.name)
    monkeypatch.setattr(render, "HERE", tmp_path)
    assert render.stale_notebooks() == []
    py = tmp_path / "01_conventions.py"
    py.write_text(py.read_text() + "\n# %%\nassert 1 + 1 == 2\n")
    assert render.stale_notebooks() == ["01_conventions.ipynb (cells differ from 01_conventions.py)"]


_BLOCK_OPTIONAL = """
import runpy, sys
class _Absent:
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in ('torch', 'matplotlib'):
            raise ModuleNotFoundError(f"No module named '{name}'")
sys.meta_path.insert(0, _Absent())
sys.argv = [sys.argv[1]]
runpy.run_path(sys.argv[0], run_name='__main__')
"""


@pytest.mark.parametrize("name,block", [("01_conventions.py", False),
                                        pytest.param("04_kernels_stability.py", True, marks=pytest.mark.slow)])
def test_notebook_as_a_script_prints_plain_text(name, block):
    """python notebooks/NAME.py prints readable text (no IPython object reprs); 04 runs without torch or matplotlib."""
    import subprocess

    argv = [sys.executable, "-c", _BLOCK_OPTIONAL, name] if block else [sys.executable, name]
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.run(argv, cwd=NOTEBOOK_DIR, capture_output=True, text=True, timeout=600, env=env)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "<IPython.core.display" not in proc.stdout and "object at 0x" not in proc.stdout
    assert "$" not in proc.stdout.replace("$HOME", "")  # LaTeX was turned into plain math
    if block:
        assert "needs torch" in proc.stdout and "needs matplotlib" in proc.stdout


@pytest.mark.slow
def test_jupyter_nbconvert_executes_a_paired_ipynb(kernel_name, tmp_path):
    """The committed .ipynb runs under `jupyter nbconvert --execute` as a user would run it (one notebook here:
    every notebook already runs through nbclient above, the engine nbconvert uses)."""
    pytest.importorskip("nbconvert")
    import subprocess

    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    out = tmp_path / "executed.ipynb"
    proc = subprocess.run([sys.executable, "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute",
                           f"--ExecutePreprocessor.kernel_name={kernel_name}", "--output", str(out),
                           str(NOTEBOOK_DIR / "01_conventions.ipynb")],
                          cwd=NOTEBOOK_DIR, capture_output=True, text=True, timeout=600, env=env)
    assert proc.returncode == 0, proc.stderr[-2000:]
    nb = nbformat.read(out, as_version=4)
    assert all(c.get("execution_count") for c in nb.cells if c.cell_type == "code")
