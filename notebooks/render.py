"""Regenerate every paired notebook: execute NAME.py and write NAME.ipynb with its outputs.

    python notebooks/render.py            # rewrite every .ipynb (about a minute)
    python notebooks/render.py --check    # exit 1 and name the .ipynb files that are stale

A .ipynb is stale when its cells differ from its .py (the source of truth, paired through
jupytext: see jupytext.toml), when a code cell has not run, or when a cell ended in an
error.  The kernel runs this very interpreter (a kernelspec written to a temporary folder),
with the notebooks folder as its working directory, as JupyterLab does.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
KERNEL = "pyramid-sym-render"
KERNELSPEC = {"name": "python3", "display_name": "Python 3", "language": "python"}
CELL_TIMEOUT_S = 600  # a hang guard only


def sources() -> list[Path]:
    return sorted(HERE.glob("[0-9][0-9]_*.py"))


def _cells(nb) -> list[tuple[str, str]]:
    return [(c.cell_type, c.source.strip()) for c in nb.cells]


def stale_notebooks() -> list[str]:
    """Names of the .ipynb files that are missing, differ from their .py, or were not fully executed."""
    import jupytext
    import nbformat

    out = []
    for py in sources():
        ipynb = py.with_suffix(".ipynb")
        if not ipynb.exists():
            out.append(f"{ipynb.name} (missing)")
            continue
        nb = nbformat.read(ipynb, as_version=4)
        if _cells(nb) != _cells(jupytext.read(py)):
            out.append(f"{ipynb.name} (cells differ from {py.name})")
            continue
        code = [c for c in nb.cells if c.cell_type == "code"]
        if any(c.get("execution_count") is None for c in code):
            out.append(f"{ipynb.name} (not executed)")
        elif any(o.get("output_type") == "error" for c in code for o in c.get("outputs", [])):
            out.append(f"{ipynb.name} (a cell raised)")
    return out


@contextlib.contextmanager
def private_kernel(name: str = KERNEL):
    """A kernelspec ``name`` whose argv starts this very interpreter, with private runtime and IPython folders
    (CI may have no writable home), for the duration of the block; yields the kernel name."""
    with tempfile.TemporaryDirectory() as root:
        spec = Path(root) / "kernels" / name
        spec.mkdir(parents=True)
        spec.joinpath("kernel.json").write_text(json.dumps({
            "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            "display_name": "pyramid-sym", "language": "python"}))
        env = {"JUPYTER_PATH": root, "JUPYTER_RUNTIME_DIR": str(Path(root) / "runtime"),
               "IPYTHONDIR": str(Path(root) / "ipython"), "MPLBACKEND": "module://matplotlib_inline.backend_inline"}
        saved = {k: os.environ.get(k) for k in env}
        os.environ.update(env)
        try:
            yield name
        finally:
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v


def execute(nb, kernel_name: str, cwd: Path):
    """Run every cell of ``nb`` in ``kernel_name`` with ``cwd`` as working directory; raises on a failing cell."""
    import nbclient

    nbclient.NotebookClient(nb, kernel_name=kernel_name, timeout=CELL_TIMEOUT_S, record_timing=False,
                            resources={"metadata": {"path": str(cwd)}}).execute()
    return nb


def render(paths=None) -> list[Path]:
    """Execute each .py notebook and write its .ipynb with outputs; returns the files written."""
    import jupytext

    written = []
    with private_kernel() as kernel:
        for py in paths or sources():
            nb = execute(jupytext.read(py), kernel, HERE)
            nb.metadata["kernelspec"] = dict(KERNELSPEC)
            nb.metadata.setdefault("jupytext", {})["formats"] = "ipynb,py:percent"
            nb.metadata.get("jupytext", {}).pop("text_representation", None)
            target = py.with_suffix(".ipynb")
            jupytext.write(nb, target, fmt="ipynb")
            written.append(target)
            print(f"wrote {target.relative_to(HERE.parent)}")
    return written


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Execute the notebooks and write their .ipynb with outputs.")
    parser.add_argument("--check", action="store_true", help="exit 1 if a .ipynb is stale; write nothing")
    parser.add_argument("names", nargs="*", help="only these notebooks (e.g. 04_kernels_stability.py)")
    args = parser.parse_args(argv)
    if args.check:
        stale = stale_notebooks()
        for name in stale:
            print(f"stale: {name}; run: python notebooks/render.py")
        return 1 if stale else 0
    paths = [HERE / Path(n).name for n in args.names] or None
    render(paths)
    return 0


if __name__ == "__main__":
    sys.exit(main())
