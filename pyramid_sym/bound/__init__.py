"""Certified rounding-error bounds of the emitted kernels (``pyramid-sym bound``), by the FPTaylor method.

For each scalar kernel and dtype, :func:`certify` reads the kernel's printed operations
(:mod:`.adapter`), models every rounding (:mod:`.model`) and bounds the error over the
kernel's whole float domain by branch and bound in interval arithmetic with exact arb ends (:mod:`.search`).

Two figures per kernel and dtype, both proved for every float input of the domain:

* ``ulp``: a bound on ``|computed - y| / ulp(y)``, ``y`` the exact value (``ulp`` the
  spacing of the dtype at ``y``, subnormal spacing below the normal range);
* ``ordinal``: a bound on the number of representable values between the computed
  result and the correctly rounded ``y``: the figure the stability probe measures.

Half dtypes (float16, bfloat16) are computed in float32 and rounded once:
``ulp = 1/2 + (float32 bound) * 2^-(24 - p)`` (the float32 error, carried over in the
half dtype's ULP), ``ordinal = floor(that + 1/2)``.

The generated table ``pyramid_sym/data/kernel_bounds.json`` (``pyramid-sym bound
--write``) is what :func:`load_bounds` and :func:`docstring_lines` read.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass
from fractions import Fraction
from importlib import resources

from .formats import DTYPES, FORMATS, Format, format_named

__all__ = ["Certificate", "certify", "certify_all", "load_bounds", "docstring_lines", "DTYPES", "DATA_FILE",
           "table_json", "GAMMA_END"]

DATA_FILE = "kernel_bounds.json"
# |gamma| runs up to the nearest value to 1/3 of every dtype computed in that format (bfloat16's 0.333984375
# is the largest), so that the bound covers an array of any of them
GAMMA_END = Fraction(1, 3)


@dataclass
class Certificate:
    kernel: str
    dtype: str
    ulp: float                # certified bound on |computed - y| / ulp(y), rounded up
    ordinal: int              # certified bound on the distance in floats to the correctly rounded y
    computed_in: str          # the format the kernel computes in
    boxes: int
    seconds: float
    complete: bool            # the search met its tolerance (else: still certified, possibly looser)
    model_max: float          # the largest first-order model value found at a single input (for tightness)
    argmax: tuple[float, ...]
    operations: str           # the printed operations, as modelled

    def to_json(self) -> dict:
        return {"ulp": self.ulp, "ordinal": self.ordinal, "computed_in": self.computed_in, "boxes": self.boxes,
                "complete": self.complete, "model_max_ulp": self.model_max, "model_argmax": list(self.argmax),
                "operations": self.operations}


# the search's box budget per kernel and computing format (the CLI's default too).  The searches that use it all
# still lower their bound slowly at its end: 500 boxes more lower none by more than 0.1 ULP (renoise_alpha
# float64: 3.89 -> 3.84) and cost a sixth more time; `pyramid-sym bound --max-boxes N` runs longer searches
MAX_BOXES = 3000


def _up(x: Fraction, digits: int = 4) -> float:
    """x rounded up to ``digits`` significant decimal digits (a bound stays a bound)."""
    if x <= 0:
        return 0.0
    e = math.floor(math.log10(x)) - digits + 1
    q = Fraction(10) ** e
    return float(math.ceil(x / q) * q)


def _domain(kernel: str, fmt: Format):
    from .adapter import kernel_domain
    from .search import Domain

    out = []
    for name, lo, hi in kernel_domain(kernel):
        if name == "gamma":
            ends = [f.round(GAMMA_END, True) for f in FORMATS.values()
                    if (f.computed_in or f.name) == fmt.name]
            g = max(ends)
            out.append((-1 if hi <= 0 else 1, 1, fmt.ordinal(g)))
        else:
            out.append((1, fmt.ordinal(max(lo, Fraction(0))), fmt.ordinal(hi)))
    return Domain(fmt, tuple(out))


_MODELS: dict = {}


def _model(kernel: str, fmt: Format):
    """The kernel's model for ``fmt``; formats in which every literal is exact share one model."""
    from .adapter import kernel_tree, runtime_constant_name, topological
    from .model import _literal, build_model

    tree = kernel_tree(kernel)
    inexact = tuple(sorted(str(n.value) for n in topological(tree[1])
                           if n.op == "const" and _literal(n.value, fmt.nearest)[0] != _literal(n.value, fmt.nearest)[1]))
    # a literal inexact in some format, or a constant read from the working dtype (Veltkamp's): one model per format
    per_format = inexact or any(n.op == "const" and runtime_constant_name(n.value) is not None
                                for n in topological(tree[1]))
    key = (kernel, fmt.name if per_format else ())
    if key not in _MODELS:
        _MODELS[key] = build_model(kernel, fmt.nearest, tree=tree)
    return _MODELS[key]


def _check_fast2sum(model, fmt, dom) -> None:
    """Dekker's Fast2Sum needs |a| >= |b| for every input: a and b must be inputs or literals, checked on the domain."""
    from .model import _literal

    names = model.args
    ranges = dom.values(tuple((o1, o2) for _, o1, o2 in dom.args))

    def hull(node):
        if node.op == "input":
            return ranges[names.index(node.value)]
        if node.op == "const":
            _, held = _literal(node.value, fmt.nearest)
            return held, held
        raise ArithmeticError(f"Fast2Sum operand {node} is not an input or a literal")

    for i in model.fast2sum:
        node = model.nodes[i]
        outer = node if node.args[0].op == "sub" and node.args[0].args[1].op == "sub" else None
        if outer is None:
            continue
        a, b = node.args[0].args[0], node.args[1]
        (alo, ahi), (blo, bhi) = hull(a), hull(b)
        if (alo < 0 < ahi) or min(abs(alo), abs(ahi)) < max(abs(blo), abs(bhi)):
            raise ArithmeticError(f"Fast2Sum condition |a| >= |b| not shown for {node}")


def certify(kernel: str, dtype: str, *, tol: float = 0.03, max_boxes: int = MAX_BOXES, text: str | None = None,
            target: str = "numpy") -> Certificate:
    """The certified bound of ``kernel`` in ``dtype`` over its whole domain.

    ``text``: certify this printed function (same name and domain as the kernel: a candidate form)
    instead of the emitted one."""
    from .search import certify_model

    fmt = format_named(dtype)
    t0 = time.perf_counter()
    if fmt.computed_in:
        base = certify(kernel, fmt.computed_in, tol=tol, max_boxes=max_boxes, text=text, target=target)
        wide = format_named(fmt.computed_in)
        shrink = Fraction(2) ** (fmt.precision - wide.precision)
        # |RN_half(w) - y| <= 1/2 ulp_half(y) + |w - y| and ulp_wide(y) <= ulp_half(y) 2^-(p_wide - p_half)
        carried = Fraction(base.ulp).limit_denominator(10**12) * shrink
        carried = max(carried, Fraction(base.ulp) * shrink)
        ulp = Fraction(1, 2) + carried
        return Certificate(kernel, dtype, _up(ulp), math.floor(ulp + Fraction(1, 2)), wide.name, base.boxes,
                           time.perf_counter() - t0, base.complete, float(Fraction(1, 2) + Fraction(base.model_max)
                                                                        * shrink), base.argmax, base.operations)
    if text is None:
        model = _model(kernel, fmt)
    else:
        from .adapter import tree_of_function
        from .model import build_model

        model = build_model(kernel, fmt.nearest, tree=tree_of_function(text, kernel, target))
    dom = _domain(kernel, fmt)
    _check_fast2sum(model, fmt, dom)
    r = certify_model(model, fmt, dom, tol=tol, max_boxes=max_boxes)
    return Certificate(kernel, dtype, _up(r.bound), r.ordinal, fmt.name, r.boxes, time.perf_counter() - t0,
                       r.complete, float(r.point_max), tuple(float(v) for v in r.argmax), str(model.nodes[-1]))


def _certify_job(job) -> list[Certificate]:
    """One kernel's searches, one per computing format, in one process: they share the kernel's model."""
    kernel, dtypes, kw = job
    return [certify(kernel, d, **kw) for d in dtypes]


def certify_all(kernels=None, dtypes=None, *, jobs: int = 0, **kw) -> list[Certificate]:
    """Certificates for every kernel and dtype; a half dtype reuses its computing format's search.

    ``jobs``: worker processes for the searches (0: one per core; 1: in this process).  Each search is
    independent and deterministic, so the table does not depend on ``jobs``."""
    import os

    from .adapter import kernel_names

    names = list(kernels or kernel_names())
    wanted = list(dtypes or DTYPES)
    bases = []
    for k in names:
        for d in wanted:
            base = format_named(d).computed_in or d
            if (k, base) not in bases:
                bases.append((k, base))
    # one job per kernel (its formats share the model, built once), the kernels with the most operations first:
    # the longest searches start first, so the workers finish together
    from .adapter import kernel_tree, topological

    kernels = list(dict.fromkeys(k for k, _ in bases))
    kernels.sort(key=lambda k: -len(topological(kernel_tree(k)[1])))
    work = [(k, [b for k2, b in bases if k2 == k], kw) for k in kernels]
    n = jobs or os.cpu_count() or 1
    if n > 1 and len(work) > 1:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        # spawned, not forked: a fork of a process with threads (torch, JAX loaded by the caller) can deadlock
        with ProcessPoolExecutor(min(n, len(work)), mp_context=multiprocessing.get_context("spawn")) as pool:
            results = list(pool.map(_certify_job, work))
    else:
        results = [_certify_job(job) for job in work]
    done = {(c.kernel, c.dtype): c for certs in results for c in certs}
    out = []
    for k in names:
        for d in wanted:
            fmt = format_named(d)
            c = done[(k, fmt.computed_in or d)]
            out.append(_carry(c, fmt) if fmt.computed_in else c)
    return out


def _carry(c: Certificate, fmt: Format) -> Certificate:
    wide = format_named(c.dtype)
    shrink = Fraction(2) ** (fmt.precision - wide.precision)
    ulp = Fraction(1, 2) + Fraction(c.ulp) * shrink
    return Certificate(c.kernel, fmt.name, _up(ulp), math.floor(ulp + Fraction(1, 2)), wide.name, c.boxes, 0.0,
                       c.complete, float(Fraction(1, 2) + Fraction(c.model_max) * shrink), c.argmax, c.operations)


def table_json(certs: list[Certificate]) -> dict:
    """The data file's content: {kernel: {dtype: {...}}} plus how it was made."""
    table: dict = {}
    for c in certs:
        table.setdefault(c.kernel, {})[c.dtype] = c.to_json()
    return {
        "generated_by": "pyramid-sym bound --write",
        "model": "round to nearest, |d| <= 2^-p per + - * / sqrt, underflow term for * and /, no FMA; "
                 "inputs: every float of the dtype in the kernel's domain (0 and subnormals included, "
                 "|gamma| up to the nearest value to 1/3 of any dtype computed in that format)",
        "units": {"ulp": "bound on |computed - exact| / ulp(exact)",
                  "ordinal": "bound on the number of floats between computed and correctly rounded exact"},
        "kernels": table,
    }


def load_bounds(kind: str = "ulp") -> dict[str, dict[str, float]]:
    """{kernel: {dtype: value}} from the generated data file (``kind``: "ulp", "ordinal" or another field, such as
    "model_argmax")."""
    text = resources.files("pyramid_sym.data").joinpath(DATA_FILE).read_text(encoding="utf-8")
    data = json.loads(text)
    return {k: {d: v[kind] for d, v in per.items()} for k, per in data["kernels"].items()}


def docstring_lines(kernel: str) -> list[str]:
    """Lines for the emitted docstring of ``kernel``: its certified bound per dtype."""
    ulp, ordinal = load_bounds("ulp"), load_bounds("ordinal")
    if kernel not in ulp:
        from ..errors import UsageError

        raise UsageError(f"no certified bound for kernel {kernel!r}; run pyramid-sym bound --write.")
    lines = ["Certified rounding error over the whole domain (pyramid-sym bound), per dtype:"]
    for d in DTYPES:
        if d in ulp[kernel]:
            n = ordinal[kernel][d]
            lines.append(f"    {d}: {ulp[kernel][d]:g} ULP; at most {n} float{'s' if n != 1 else ''} from the "
                         "correctly rounded value")
    return lines
