"""Showing results from the notebooks: rich output in a Jupyter kernel, plain text when run as a script.

The notebooks import ``display``, ``Markdown``, ``Math`` and ``Image`` from here.  In an
IPython kernel (JupyterLab, ``jupyter nbconvert --execute``) they are IPython's own and
render as usual; run as a script (``python notebooks/01_conventions.py``), ``display``
prints readable plain text (LaTeX and SymPy syntax spelled as plain math, see
:mod:`pyramid_sym.textmath`) instead of ``<IPython.core.display.Markdown object>``.
"""

from __future__ import annotations

from .textmath import plain

__all__ = ["in_kernel", "have_module", "display", "Markdown", "Math", "Image"]

try:  # IPython comes with the notebooks extra; the plain fallbacks below need nothing
    from IPython.display import Image, Markdown, Math
except ImportError:  # pragma: no cover - exercised only without IPython
    class _Data:
        def __init__(self, data=None, filename=None, **_):
            self.data, self.filename = data, filename

    class Markdown(_Data):
        pass

    class Math(_Data):
        pass

    class Image(_Data):
        pass


def in_kernel() -> bool:
    """True when an IPython kernel (a notebook front end) runs this code."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    ip = get_ipython()
    return ip is not None and getattr(ip, "kernel", None) is not None


def have_module(name: str) -> bool:
    """True when ``name`` can be imported (an optional extra such as torch or matplotlib)."""
    import importlib.util

    try:
        return importlib.util.find_spec(name) is not None
    except ImportError:
        return False


def _as_text(obj) -> str:
    if isinstance(obj, Math):
        return "    " + plain("$" + str(obj.data) + "$")
    if isinstance(obj, Markdown):
        return plain(str(obj.data).replace("**", ""))
    if isinstance(obj, Image):
        return f"[image: {getattr(obj, 'filename', None) or 'inline PNG'}]"
    return str(obj)


def display(*objs) -> None:
    """IPython's ``display`` in a kernel; plain text on stdout otherwise."""
    if in_kernel():
        from IPython.display import display as ipython_display

        ipython_display(*objs)
        return
    for obj in objs:
        print(_as_text(obj))
