"""``pyramid-sym audit``: prove a real implementation, read from its source, against the paper and the code.

The audited file is read with :mod:`ast` only - never imported, executed or
compiled - and every assignment becomes an expression of the file's own names
(:mod:`.extract`).  Each expression is compared with the package's named formulas
under every admissible map of its names, in either convention (:mod:`.identify`,
:mod:`.engine`), decided by the sound prover, and measured for float accuracy in
its own operation order (:mod:`.accuracy`).  Output as text, JSON or SARIF 2.1.0
(:mod:`.output`).

>>> from pyramid_sym.audit import audit, parse_expect
>>> report = audit(["scheduler.py"], expects=[parse_expect("start_sigma=code.start_sigma")])  # doctest: +SKIP
>>> report.exit_status                                                                         # doctest: +SKIP
0

The names below are loaded on first use, so that reading (and refusing) a file
does not wait for SymPy to import.
"""

from __future__ import annotations

import importlib

__all__ = ["audit", "AuditReport", "Finding", "Expectation", "Binding", "parse_expect", "parse_bind",
           "render_text", "render_json", "render_sarif"]

_WHERE = {"audit": "engine", "AuditReport": "engine", "Expectation": "engine", "parse_expect": "engine",
          "parse_bind": "engine", "Finding": "identify", "Binding": "identify", "render_text": "output",
          "render_json": "output", "render_sarif": "output"}


def __getattr__(name: str):
    if name in _WHERE:
        return getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
