"""Emit standalone NumPy / Torch kernel modules from the proved SymPy formulas (``pyramid-sym emit``).

Each scalar kernel is :attr:`KernelSpec.emitted_expr` (the proved formula, or its
proved stable rewrite) split by ``sympy.cse`` into one assignment per common
subexpression and printed line by line by :class:`KernelPrinter`, a NumPy printer
whose module is ``numpy`` or ``torch`` and whose only allowed call is ``<module>.sqrt``.
Irrational constants would be printed as the correctly rounded double (``repr``,
17 significant digits at most, exact round trip) and rationals as ``(p/q)``: both
are Python floats, weak under NumPy 2 and torch promotion, so they never upcast a
float32 array.  The output is a pure function of the formulas: byte-identical from
run to run.
"""

from __future__ import annotations

import re
import textwrap

import sympy
from sympy.printing.numpy import NumPyPrinter
from sympy.printing.precedence import precedence
from sympy.printing.pycode import PythonCodePrinter

from ..fileio import GENERATED_MARKER
from ..formulas import get
from ..errors import UsageError
from . import _templates
from .sampler import n_block, sampler_scale, sampler_shift
from .specs import KERNELS, KernelSpec, arg_symbol

__all__ = ["TARGETS", "KernelPrinter", "emit_module", "kernel_source", "EmitError"]

TARGETS = ("numpy", "torch")
_SAMPLER_CLAIMS = "sampler.covariance.n{2,4,8}, sampler.bound.n{2,4,8}"


class EmitError(UsageError):
    """A formula that the kernel printer cannot print faithfully, or an unknown target."""


class KernelPrinter(NumPyPrinter):
    """NumPy-style printer for ``numpy`` or ``torch``: exact constants, and ``<module>.sqrt`` as the only call."""

    def __init__(self, module: str):
        super().__init__({"fully_qualified_modules": True, "allow_unknown_functions": False})
        self._module = module

    def _print(self, expr, **kwargs):
        if isinstance(expr, sympy.Expr) and expr.is_number and not expr.is_Rational:
            value = sympy.N(expr, 40)
            if not value.is_real:
                raise EmitError(f"constant {expr} is not real; the kernel printer prints real constants only.")
            text = repr(float(value))
            return f"({text})" if text.startswith("-") else text
        return super()._print(expr, **kwargs)

    def _print_Rational(self, expr):
        return f"{expr.p}/{expr.q}"

    def _print_Add(self, expr, order=None):
        # positive terms first: "b - a" rather than "-a + b" (a negation is one more array operation);
        # for two terms the two orders round identically
        terms = list(expr.as_ordered_terms())
        terms = [t for t in terms if not t.could_extract_minus_sign()] + \
                [t for t in terms if t.could_extract_minus_sign()]
        prec = precedence(expr)
        out = ""
        for i, term in enumerate(terms):
            if term.could_extract_minus_sign():
                text = self.parenthesize(-term, prec)
                out += f"-{text}" if i == 0 else f" - {text}"
            else:
                text = self.parenthesize(term, prec)
                out += text if i == 0 else f" + {text}"
        return out

    def _print_Integer(self, expr):
        return str(expr.p)

    def _print_Pow(self, expr, rational=False):
        # 1/x and 1/sqrt(x) as divisions (NumPyPrinter would print x**(-1.0), a pow call)
        if expr.exp == -1:
            return f"1/{self.parenthesize(expr.base, 60)}"
        if expr.exp == -sympy.S.Half:
            return f"1/{self._module}.sqrt({self._print(expr.base)})"
        if expr.exp == sympy.S.Half:
            return f"{self._module}.sqrt({self._print(expr.base)})"
        if expr.exp.is_Integer and expr.exp > 0:
            return super()._print_Pow(expr, rational)
        raise EmitError(f"the kernel printer cannot print the power {expr} exactly.")

    def doprint(self, expr, assign_to=None):
        text = super().doprint(expr, assign_to)
        calls = set(re.findall(r"([A-Za-z_][\w.]*)\(", text))
        allowed = {f"{self._module}.sqrt"}
        if calls - allowed:
            raise EmitError(f"printed {text!r} calls {sorted(calls - allowed)}; only {sorted(allowed)} is allowed.")
        return text


class _ExactPrinter(PythonCodePrinter):
    """Prints for exact Fraction arithmetic: ``_sqrt`` (the one rounded operation) instead of ``math.sqrt``."""

    def _print_Pow(self, expr, rational=False):
        if expr.exp == sympy.S.Half:
            return f"_sqrt({self._print(expr.base)})"
        if expr.exp.is_Integer:
            return super()._print_Pow(expr, rational)
        raise EmitError(f"the sampler printer cannot print {expr} exactly.")

    def _print_Rational(self, expr):
        return f"Fraction({expr.p}, {expr.q})"


def _math_printer() -> PythonCodePrinter:
    return _ExactPrinter({"fully_qualified_modules": True})


def _wrap(text: str, indent: str) -> list[str]:
    return textwrap.wrap(text, width=100, initial_indent=indent, subsequent_indent=indent,
                         break_long_words=False, break_on_hyphens=False)


def _docstring(spec: KernelSpec) -> str:
    arg0, iv0 = spec.args[0][1], spec.args[0][2]
    conv = ("Paper convention: signal levels (t = 0 noise, t = 1 data), gamma < 0"
            if spec.convention == "paper" else
            "Code convention: noise level sigma = 1 - t, gamma = the code's gamma_c > 0")
    rw = spec.rewrite
    lines = [f'    """{spec.source}: {spec.summary}.', ""]
    lines += _wrap(f"{conv}; {arg0} in {iv0}, gamma in {spec.args[1][2]}; returns {spec.returns}. "
                   f"Both arguments broadcast; the ends {arg0} = 0 and 1 give the finite limits.", "    ")
    lines += ["", f"    Formula {spec.formula_id}:", f"        {sympy.sstr(spec.to_python_symbols(spec.formula_expr))}"]
    if rw is not None:
        lines += [f"    emitted as the stable rewrite {rw.name} (ledger claim {rw.claim_id}):",
                  f"        {sympy.sstr(spec.to_python_symbols(spec.emitted_final))}"]
        lines += [f"        with {sym} = {sympy.sstr(spec.to_python_symbols(val))}" for sym, val in spec.emitted_steps]
    lines += [f"    Ledger claim {spec.claim_id}: the emitted form equals the formula on the domain above.", '    """']
    return "\n".join(lines)


def kernel_source(spec: KernelSpec, target: str) -> str:
    """The source of one scalar kernel for ``target``: signature, docstring, cse lines, return."""
    printer = KernelPrinter(target)
    steps = [(sym, spec.to_python_symbols(val)) for sym, val in spec.emitted_steps]
    expr = spec.to_python_symbols(spec.emitted_final)
    pairs, (reduced,) = sympy.cse(expr, symbols=sympy.numbered_symbols("x"), order="canonical")
    names = [py for _, py, _ in spec.args]
    taken = set(names)
    for sym, _ in steps + pairs:
        if str(sym) in taken:
            raise EmitError(f"kernel {spec.name}: temporary {sym} clashes with an argument or another temporary.")
        taken.add(str(sym))
    ivs = ["_UNIT" if str(iv) == "[0, 1]" else ("_GAMMA_PAPER" if spec.convention == "paper" else "_GAMMA_CODE")
           for _, _, iv in spec.args]
    items = ", ".join(f'("{py}", {py}, {iv})' for py, iv in zip(names, ivs))
    body = [
        f"def {spec.name}({', '.join(names)}):",
        _docstring(spec),
        f'    ({", ".join(names)},), _dtype = _prepare("{spec.name}", ({items}))',
    ]
    # A step keeps the grouping SymPy would flatten (an error-free transformation such as
    # (1 - (1 - e)) - e survives).  A step used once is printed in parentheses where it is used,
    # so that no named array outlives its use (each live 10^6-element temporary costs fresh
    # memory); a step used more than once is computed once, on its own line, in the rule's order.
    uses = {sym: sum(v.count(sym) for _, v in steps) + expr.count(sym) for sym, _ in steps}
    inline = {sym: val for sym, val in steps if uses[sym] <= 1}

    def text(e):
        out = printer.doprint(e)
        for sym, val in reversed(steps):  # a step's value only uses earlier steps
            if sym in inline:
                out = re.sub(rf"\b{sym}\b", lambda _m, v=val: f"({text(v)})", out)
        return out

    body += [f"    {sym} = {text(val)}" for sym, val in steps if sym not in inline]
    body += [f"    {sym} = {text(val)}" for sym, val in pairs]
    body.append(f"    return _finish({text(reduced)}, _dtype)")
    return "\n".join(body) + "\n"


def _header(target: str) -> str:
    head = [
        f"# {GENERATED_MARKER} (pyramid-sym emit --target {target}); do not edit by hand.",
        f"# Regenerate with: pyramid-sym emit --target {target} -o FILE",
        f"# Standalone: imports {target} and the Python standard library only (never sympy).",
        "# Each function below, the formula it is printed from, and the ledger claims (pyramid-sym prove)",
        "# that prove the emitted form equal to that formula on its domain:",
        "#",
    ]
    for spec in KERNELS:
        rw = spec.rewrite
        head.append(f"#   {spec.name:<22} {spec.formula_id} ({spec.source})")
        claims = f"{rw.claim_id}, {spec.claim_id}" if rw else spec.claim_id
        head.append(f"#   {'':<22} {'stable rewrite' if rw else 'as written'}; claims {claims}")
    head.append(f"#   {'block_noise':<22} code.block_covariance ({get('code.block_covariance').source})")
    head.append(f"#   {'':<22} closed form x = a (z + k mean z); claims {_SAMPLER_CLAIMS}")
    head.append(f"#   {'renoise':<22} code.renoise_alpha, code.renoise_beta and block_noise")
    head.append(f"#   {'':<22} claims kernel.renoise_alpha, kernel.renoise_beta, {_SAMPLER_CLAIMS}")
    return "\n".join(head) + "\n"


def _sampler_common() -> str:
    p = _math_printer()
    g = arg_symbol("gamma")
    from ..conventions import gamma_c

    a = sampler_scale(gamma_c).xreplace({gamma_c: g})
    k = sampler_shift(gamma_c, n_block).xreplace({gamma_c: g, n_block: arg_symbol("n")})
    return (_templates.COMMON
            .replace("@@SAMPLER_A@@", p.doprint(a))
            .replace("@@SAMPLER_K@@", p.doprint(k)))


def emit_module(target: str) -> str:
    """The full text of the standalone kernel module for ``target`` ("numpy" or "torch")."""
    if target not in TARGETS:
        raise EmitError(f"unknown target {target!r}; choose one of {', '.join(TARGETS)}.")
    names = [spec.name for spec in KERNELS] + ["block_noise", "renoise", "InputError"]
    parts = [
        _header(target),
        _templates.MODULE_DOC[target] + "\n",
        _templates.IMPORTS[target],
        "__all__ = [\n" + "".join(f'    "{nm}",\n' for nm in names) + "]\n",
        _sampler_common(),
        _templates.RUNTIME[target],
    ]
    parts += ["\n" + kernel_source(spec, target) for spec in KERNELS]
    parts.append(_templates.SAMPLER[target])
    text = "\n".join(p.rstrip("\n") + "\n" for p in parts)
    return re.sub(r"\n{4,}", "\n\n\n", text)
