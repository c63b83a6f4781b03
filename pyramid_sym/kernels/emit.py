"""Emit a standalone kernel module per target from the registry (``pyramid-sym emit --target NAME``).

Each scalar kernel of :data:`~pyramid_sym.kernels.registry.REGISTRY` is
:attr:`KernelSpec.emitted_expr` (the proved formula, or its proved stable rewrite) split
by ``sympy.cse`` into one assignment per common subexpression and printed line by line
by the target's printer (:mod:`pyramid_sym.kernels.printers`).  The argument checks are
printed from each argument's :class:`~pyramid_sym.domain.Interval`; the sampler's
coefficients are printed from :mod:`pyramid_sym.kernels.sampler`; the runtime (input
handling, dtype policy, ``block_noise``, ``renoise``) is the source of the runtime
modules (:mod:`pyramid_sym.kernels.runtime`), pasted after their imports.  The output
is a pure function of the registry and the formulas: byte-identical from run to run.
"""

from __future__ import annotations

import ast
import importlib.util
import re
import textwrap
from fractions import Fraction

import sympy

from ..conventions import gamma_c
from ..fileio import GENERATED_MARKER
from ..rewriting import RUNTIME_CONSTANTS
from .printers import EmitError, ExactPrinter
from . import registry as _registry_module
from .registry import KernelSpec, Registry, Target, arg_symbol
from .sampler import n_block, sampler_scale, sampler_shift

__all__ = ["emit_module", "kernel_source", "kernel_lines", "EmitError", "interval_constant", "runtime_parts",
           "read_back"]


def _registry() -> Registry:
    """The package's registry, looked up at call time."""
    return _registry_module.REGISTRY


def _wrap(text: str, indent: str) -> list[str]:
    return textwrap.wrap(text, width=100, initial_indent=indent, subsequent_indent=indent,
                         break_long_words=False, break_on_hyphens=False)


def _exact(value) -> str:
    """An exact end or tolerance as Python source: int, Fraction(p, q), or None for an infinite end."""
    if value is None or value in (sympy.oo, -sympy.oo):
        return "None"
    q = Fraction(int(sympy.Rational(value).p), int(sympy.Rational(value).q))
    return str(q.numerator) if q.denominator == 1 else f"Fraction({q.numerator}, {q.denominator})"


def interval_constant(arg) -> str:
    """The runtime check data of one argument, printed from its Interval (see ``_shared._check_scalar``)."""
    iv = arg.interval
    return (f"({_exact(iv.lo)}, {iv.lo_open}, {_exact(iv.hi)}, {iv.hi_open}, {_exact(arg.tolerance_lo)}, "
            f"{_exact(arg.tolerance_hi)}, {str(iv)!r}, {arg.meaning!r})")


def _interval_names(registry: Registry) -> dict[str, str]:
    """Printed check data -> constant name, one constant per distinct argument check."""
    names: dict[str, str] = {}
    for spec in registry.kernels:
        for arg in spec.args:
            text = interval_constant(arg)
            if text in names:
                continue
            base = f"_IN_{arg.name.upper()}_{spec.convention.upper()}"
            name, i = base, 2
            while name in names.values():
                name, i = f"{base}_{i}", i + 1
            names[text] = name
    return names


def _docstring(spec: KernelSpec) -> str:
    conv = ("Paper convention: signal levels (t = 0 noise, t = 1 data), gamma < 0"
            if spec.convention == "paper" else
            "Code convention: noise level sigma = 1 - t, gamma = the code's gamma_c > 0")
    ranges = ", ".join(f"{a.name} in {a.interval}" for a in spec.args)
    arg0 = spec.args[0].name
    rw = spec.rewrite
    lines = [f'    """{spec.source}: {spec.summary}.', ""]
    lines += _wrap(f"{conv}; {ranges}; returns {spec.returns}. "
                   f"All arguments broadcast; the ends {arg0} = 0 and 1 give the finite limits.", "    ")
    lines += ["", f"    Formula {spec.formula_id}:", f"        {sympy.sstr(spec.to_python_symbols(spec.formula_expr))}"]
    if rw is not None:
        lines += [f"    emitted as the stable rewrite {rw.name} (ledger claim {rw.claim_id}):",
                  f"        {sympy.sstr(spec.to_python_symbols(spec.emitted_final))}"]
        lines += [f"        with {sym} = {sympy.sstr(spec.to_python_symbols(val))}" for sym, val in spec.emitted_steps]
    lines += [f"    Ledger claim {spec.claim_id}: the emitted form equals the formula on the domain above."]
    from ..bound import docstring_lines, load_bounds

    if spec.name in load_bounds():  # a kernel that pyramid-sym bound --write has certified
        lines += [""] + [f"    {line}" for line in docstring_lines(spec.name)]
    lines += ['    """']
    return "\n".join(lines)


def runtime_constant_call(const: sympy.Symbol, spec: KernelSpec) -> str:
    """The printed call that binds a runtime constant in a kernel (its value is the working dtype's, read from the
    kernel's first argument at run time; see ``runtime._shared.runtime_constant``)."""
    return f'_constant("{const}", {spec.args[0].name})'


def kernel_lines(spec: KernelSpec, printer) -> tuple[list[tuple[str, str]], str]:
    """The printed computation of one kernel: ``[(name, printed value), ...]`` and the printed result.

    A step of the stable rewrite keeps the grouping SymPy would flatten (an error-free
    transformation such as (1 - (1 - e)) - e survives).  A step used once is printed in
    parentheses where it is used, so that no named array outlives its use (each live
    temporary of 10^6 elements costs fresh memory); a step used more than once is computed
    once, on its own line, in the rule's order.  The rest is split by ``sympy.cse``.
    """
    steps = [(sym, spec.to_python_symbols(val)) for sym, val in spec.emitted_steps]
    expr = spec.to_python_symbols(spec.emitted_final)
    pairs, (reduced,) = sympy.cse(expr, symbols=sympy.numbered_symbols("x"), order="canonical")
    taken = {a.name for a in spec.args} | {"_func"}
    for sym, _ in steps + pairs + [(c, None) for c in RUNTIME_CONSTANTS]:
        if str(sym) in taken:
            raise EmitError(f"kernel {spec.name}: temporary {sym} clashes with an argument or another temporary.")
        taken.add(str(sym))
    uses = {sym: sum(v.count(sym) for _, v in steps) + expr.count(sym) for sym, _ in steps}
    inline = {sym: val for sym, val in steps if uses[sym] <= 1}

    def text(e):
        out = printer.doprint(e)
        for sym, val in reversed(steps):  # a step's value only uses earlier steps
            if sym in inline:
                out = re.sub(rf"\b{sym}\b", lambda _m, v=val: f"({text(v)})", out)
        return out

    # values read from the working dtype at run time (Veltkamp's constant, ...), each from the first operand
    consts = [c for c in RUNTIME_CONSTANTS if any(v.has(c) for _, v in steps) or expr.has(c)]
    lines = [(str(c), runtime_constant_call(c, spec)) for c in consts]
    lines += [(str(sym), text(val)) for sym, val in steps if sym not in inline]
    lines += [(str(sym), text(val)) for sym, val in pairs]
    return lines, text(reduced)


def kernel_source(spec: KernelSpec, target: Target | str, registry: Registry | None = None,
                  checks: dict[str, str] | None = None) -> str:
    """The source of one scalar kernel: the public function and ``_<name>(..., _func)`` that errors name."""
    registry = registry or _registry()
    target = registry.target(target) if isinstance(target, str) else target
    checks = checks if checks is not None else _interval_names(registry)
    names = [a.name for a in spec.args]
    lines, result = kernel_lines(spec, target.printer_class()())
    items = ", ".join(f'("{a.name}", {a.name}, {checks[interval_constant(a)]})' for a in spec.args)
    body = [
        f"def {spec.name}({', '.join(names)}):",
        _docstring(spec),
        f'    return _{spec.name}({", ".join(names)}, "{spec.name}")',
        "",
        "",
        f"def _{spec.name}({', '.join(names)}, _func):",
        f'    ({", ".join(names)},), _dtype = _prepare(_func, ({items}))',
    ]
    body += [f"    {name} = {value}" for name, value in lines]
    body.append(f"    return _finish({result}, _dtype)")
    return "\n".join(body) + "\n"


def _header(target: Target, registry: Registry) -> str:
    head = [
        f"# {GENERATED_MARKER} (pyramid-sym emit --target {target.name}); do not edit by hand.",
        f"# Regenerate with: pyramid-sym emit --target {target.name} -o FILE",
        f"# Standalone: imports {target.requires} and the Python standard library only (never sympy).",
        "# Each function below, the formula it is printed from, and the ledger claims (pyramid-sym prove)",
        "# that prove the emitted form equal to that formula on its domain:",
        "#",
    ]
    for spec in registry.kernels:
        rw = spec.rewrite
        head.append(f"#   {spec.name:<22} {spec.formula_id} ({spec.source})")
        claims = f"{rw.claim_id}, {spec.claim_id}" if rw else spec.claim_id
        head.append(f"#   {'':<22} {'stable rewrite' if rw else 'as written'}; claims {claims}")
    for ak in registry.array_kernels:
        head.append(f"#   {ak.name:<22} {ak.formulas}")
        head.append(f"#   {'':<22} claims {ak.claims}")
    return "\n".join(head) + "\n"


def runtime_parts(module: str) -> tuple[str, list[str], str]:
    """(docstring, absolute import statements, body) of a runtime module; relative imports are dropped.

    The module's source is read, not imported (it imports names of the emitted module, which
    may not exist yet).  The body is everything after the imports, which must all stand before it.
    """
    spec = importlib.util.find_spec(module)
    if spec is None or spec.origin is None:
        raise EmitError(f"runtime module {module} is not found; check the target's runtime in the registry.")
    with open(spec.origin, encoding="utf-8") as fh:
        source = fh.read()
    tree = ast.parse(source)
    doc = ast.get_docstring(tree, clean=False) or ""
    imports, last = [], 0
    for node in tree.body:
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and node is tree.body[0]:
            last = node.end_lineno
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            if last is None:
                raise EmitError(f"{module}: import at line {node.lineno} after code; "
                                "move every import to the top of the runtime module.")
            if not (isinstance(node, ast.ImportFrom) and node.level):
                imports.append(ast.get_source_segment(source, node))
            last = node.end_lineno
            continue
        if last is not None:
            body_start, last = last, None
    body = "\n".join(source.splitlines()[body_start:])
    return doc, imports, body


def _sampler_coefficients() -> str:
    p = ExactPrinter()
    g = arg_symbol("gamma")
    a = sampler_scale(gamma_c).xreplace({gamma_c: g})
    k = sampler_shift(gamma_c, n_block).xreplace({gamma_c: g, n_block: arg_symbol("n")})
    return "\n".join([
        "def _sampler_coefficients(gamma, n):",
        '    """a and k of x = a (z + k mean(z)) for blocks of n entries (ledger claims sampler.*).',
        "",
        "    gamma is an exact Fraction and the arithmetic is exact except the square roots,",
        "    so at the bound gamma = 1/(n-1), where the second root is sqrt(0), k is exactly -1.",
        '    """',
        f"    a = {p.doprint(a)}",
        f"    k = {p.doprint(k)}",
        "    return float(a), float(k)",
    ]) + "\n"


def _wrap_tuple(name: str, text: str) -> list[str]:
    """``name = (a, b, ...)`` over several lines, the items split where the printed tuple has top-level commas."""
    items = [ast.get_source_segment(text, e) for e in ast.parse(text, mode="eval").body.elts]
    out, line = [f"{name} = ("], "   "
    for item in items:
        if len(line) + len(item) + 2 > 100:
            out.append(line)
            line = "   "
        line += f" {item},"
    out.append(line)
    out.append(")")
    return out


def _definitions(registry: Registry, checks: dict[str, str]) -> str:
    from .registry import SINGLE_ROUNDING

    lines = ["# Argument checks, printed from each argument's interval: (lo, lo open?, hi, hi open?,",
             "# tolerance below lo, tolerance above hi, interval, what to pass); None is an infinite end.",
             f"_SINGLE_ROUNDING = {_exact(SINGLE_ROUNDING)}  # a bound given in single precision still counts"]
    for text, name in checks.items():
        line = f"{name} = {text}"
        lines += [line] if len(line) <= 110 else _wrap_tuple(name, text)
    return "\n".join(lines) + "\n\n\n" + _sampler_coefficients()


def emit_module(target: str, registry: Registry | None = None) -> str:
    """The full text of the standalone kernel module for ``target`` (one of the registry's targets)."""
    registry = registry or _registry()
    if target not in registry.target_names:
        raise EmitError(f"unknown target {target!r}; choose one of {', '.join(registry.target_names)}.")
    tgt = registry.target(target)
    doc, target_imports, target_body = runtime_parts(tgt.runtime)
    _, shared_imports, shared_body = runtime_parts(f"{__package__}.runtime._shared")
    imports = list(dict.fromkeys(shared_imports + target_imports))
    future = [i for i in imports if i.startswith("from __future__")]
    lib = [i for i in imports if i not in future and i.split()[1].split(".")[0] == tgt.requires]
    stdlib = sorted((i for i in imports if i not in future and i not in lib), key=lambda i: (i.startswith("from"), i))
    checks = _interval_names(registry)
    names = list(registry.names) + ["InputError"]
    parts = [
        _header(tgt, registry),
        f'"""{doc}"""\n',
        "\n".join(future) + "\n\n" + "\n".join(stdlib) + "\n\n" + "\n".join(lib) + "\n",
        "__all__ = [\n" + "".join(f'    "{nm}",\n' for nm in names) + "]\n",
        _definitions(registry, checks),
        shared_body,
        target_body,
    ]
    parts += ["\n" + kernel_source(spec, tgt, registry, checks) for spec in registry.kernels]
    text = "\n\n\n".join(p.strip("\n") + "\n" for p in parts)
    text = re.sub(r"\n{4,}", "\n\n\n", text)
    return text


def read_back(spec: KernelSpec, target: Target | str, registry: Registry | None = None) -> sympy.Expr:
    """The kernel's printed text parsed back by the whitelist parser, as an expression of the formula's symbols.

    Printed text is what runs: proving this expression equal to the formula checks the printer
    too (the printed root, ``<module>.sqrt`` or torch's ``_root``, is read as ``sqrt``; each temporary is
    substituted by its parsed value).
    """
    from ..parsing import parse_expression

    registry = registry or _registry()
    target = registry.target(target) if isinstance(target, str) else target
    printer = target.printer_class()()
    lines, result = kernel_lines(spec, printer)
    call = f"{printer._kf['sqrt']}("  # numpy.sqrt, _root (torch), jax.numpy.sqrt
    names = {a.name: arg_symbol(a.name) for a in spec.args}
    values: dict[sympy.Symbol, sympy.Expr] = {}

    def parse(text: str) -> sympy.Expr:
        expr = parse_expression(text.replace(call, "sqrt("), {**names, **{str(s): s for s in values}})
        return expr.xreplace(values)

    runtime = {runtime_constant_call(c, spec): c for c in RUNTIME_CONSTANTS}
    for name, text in lines:
        if text in runtime and str(runtime[text]) == name:
            values[sympy.Symbol(name)] = runtime[text]  # read from the dtype at run time: a free symbol here
            continue
        values[sympy.Symbol(name)] = parse(text)
    return spec.from_python_symbols(parse(result))
