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
"""

from .engine import AuditReport, Expectation, audit, parse_bind, parse_expect
from .identify import Binding, Finding
from .output import render_json, render_sarif, render_text

__all__ = ["audit", "AuditReport", "Finding", "Expectation", "Binding", "parse_expect", "parse_bind",
           "render_text", "render_json", "render_sarif"]
