"""The one place where the bound package reads the kernels: their names, domains and printed operations.

Everything the certification needs from the rest of the package comes through this
module, so that a reorganisation of ``pyramid_sym.kernels`` or ``pyramid_sym.probe``
changes this file only:

* :func:`kernel_names` and :func:`kernel_domain`: the scalar kernels and the interval of
  each argument (from the kernel specifications);
* :func:`kernel_tree`: the operations a kernel actually runs, read from the *text* of
  the emitted module (``numpy_kernels.py`` or ``torch_kernels.py``) with :mod:`ast`,
  never by importing or evaluating it: the order of the floating-point operations is
  the printed one, temporaries that are used twice are one rounded value;
* :func:`reference_forms`: the reference code's formulas as the probe transcribes them.
"""

from __future__ import annotations

import ast
import importlib.util
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from ..errors import PyramidSymError

__all__ = ["Node", "BoundError", "kernel_names", "kernel_domain", "kernel_tree", "module_text", "reference_forms",
           "topological", "tree_of_function"]


class BoundError(PyramidSymError):
    """A kernel whose printed text the bound cannot model (an operation outside + - * / sqrt, an unknown name)."""


@dataclass(frozen=True)
class Node:
    """One value of a kernel: an input, an exact constant, or one floating-point operation on earlier nodes.

    ``op`` is ``"input"`` (``value`` = argument name), ``"const"`` (``value`` = the printed
    literal's exact value as a Fraction, before its conversion to the working dtype, or
    ``(name,)`` for a constant the kernel reads from its working dtype, such as ``("veltkamp",)``),
    ``"neg"`` (exact), or one of the rounded operations ``"add" "sub" "mul" "div" "sqrt"``.
    Structurally equal nodes are the same value (the same operation on the same operands
    rounds the same way), so the tree is a DAG with hash-consed nodes.
    """

    op: str
    args: tuple["Node", ...] = ()
    value: object = None

    def __str__(self) -> str:
        if self.op == "input":
            return str(self.value)
        if self.op == "const":
            return str(self.value)
        if self.op == "neg":
            return f"(-{self.args[0]})"
        if self.op == "sqrt":
            return f"sqrt({self.args[0]})"
        sym = {"add": "+", "sub": "-", "mul": "*", "div": "/"}[self.op]
        return f"({self.args[0]} {sym} {self.args[1]})"


ROUNDED = ("add", "sub", "mul", "div", "sqrt")


def topological(result: Node) -> list[Node]:
    """The nodes ``result`` depends on, each once, every operand before the nodes that read it (``result`` last)."""
    order: list[Node] = []
    seen: set[Node] = set()

    def visit(n: Node):
        if n in seen:
            return
        for a in n.args:
            visit(a)
        seen.add(n)
        order.append(n)

    visit(result)
    return order


def _runtime_constants() -> frozenset[str]:
    """The names of the runtime constants a kernel may read (``_constant("veltkamp", e)``), from the rewriting
    rules' one definition."""
    from ..rewriting import RUNTIME_CONSTANTS

    return frozenset(str(c) for c in RUNTIME_CONSTANTS)


_RUNTIME_CONSTANTS = _runtime_constants()


def runtime_constant_name(value) -> str | None:
    """The name of the runtime constant a const node's ``value`` stands for (``("veltkamp",)``), else None."""
    return value[0] if isinstance(value, tuple) and len(value) == 1 else None

_MODULES = {"numpy": "pyramid_sym.kernels.numpy_kernels", "torch": "pyramid_sym.kernels.torch_kernels"}


def kernel_names() -> tuple[str, ...]:
    """The emitted scalar kernels, in emission order."""
    from ..kernels.registry import KERNELS

    return tuple(k.name for k in KERNELS)


def kernel_domain(name: str) -> tuple[tuple[str, Fraction, Fraction], ...]:
    """``((arg, lo, hi), ...)``: each argument's closed hull (open ends are closed here; see :mod:`.domain`)."""
    from ..kernels.registry import kernel

    spec = kernel(name)
    out = []
    for _sym, py, iv in spec.args:
        out.append((py, Fraction(str(iv.lo)) if not isinstance(iv.lo, Fraction) else iv.lo,
                    Fraction(str(iv.hi)) if not isinstance(iv.hi, Fraction) else iv.hi))
    return tuple(out)


def kernel_convention(name: str) -> str:
    from ..kernels.registry import kernel

    return kernel(name).convention


def module_text(target: str = "numpy") -> str:
    """The text of the emitted module for ``target`` (read as a file, not imported)."""
    try:
        spec = importlib.util.find_spec(_MODULES[target])
    except KeyError:
        raise BoundError(f"unknown target {target!r}; use numpy or torch.") from None
    if spec is None or spec.origin is None:
        raise BoundError(f"the emitted module {_MODULES[target]} is missing; regenerate it with pyramid-sym emit.")
    return Path(spec.origin).read_text(encoding="utf-8")


def _function(tree: ast.Module, name: str) -> ast.FunctionDef:
    for stmt in tree.body:
        if isinstance(stmt, ast.FunctionDef) and stmt.name == name:
            return stmt
    raise BoundError(f"the emitted module has no function {name!r}.")


class _Builder:
    def __init__(self, fname: str, module: str, args: tuple[str, ...]):
        self.fname, self.module = fname, module
        self.nodes: dict[Node, Node] = {}
        self.env = {a: self.intern(Node("input", (), a)) for a in args}

    def intern(self, node: Node) -> Node:
        return self.nodes.setdefault(node, node)

    def fail(self, expr: ast.AST, why: str):
        raise BoundError(f"{self.fname}: cannot model {ast.unparse(expr)!r} ({why}).")

    def build(self, expr: ast.AST) -> Node:
        if isinstance(expr, ast.Name):
            if expr.id not in self.env:
                self.fail(expr, "unknown name")
            return self.env[expr.id]
        if isinstance(expr, ast.Constant):
            if isinstance(expr.value, bool) or not isinstance(expr.value, (int, float)):
                self.fail(expr, "only int and float literals are modelled")
            return self.intern(Node("const", (), Fraction(expr.value)))
        if isinstance(expr, ast.UnaryOp) and isinstance(expr.op, ast.USub):
            inner = self.build(expr.operand)
            if inner.op == "const":
                return self.intern(Node("const", (), -inner.value))
            return self.intern(Node("neg", (inner,)))
        if isinstance(expr, ast.BinOp):
            left, right = self.build(expr.left), self.build(expr.right)
            if isinstance(expr.op, ast.Pow):
                if right.op == "const" and right.value == 2:
                    return self.intern(Node("mul", (left, left)))  # x**2 is x*x (one rounding) in NumPy and torch
                self.fail(expr, "only the power 2 is modelled")
            if left.op == "const" and right.op == "const" and isinstance(expr.op, ast.Div):
                # p/q of two int literals: Python divides in double, then the working dtype rounds again
                return self.intern(Node("const", (), ("ratio", left.value, right.value)))
            ops = {ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul", ast.Div: "div"}
            op = ops.get(type(expr.op))
            if op is None:
                self.fail(expr, "operator outside + - * / **2")
            return self.intern(Node(op, (left, right)))
        if isinstance(expr, ast.Call):
            f = expr.func
            if (((isinstance(f, ast.Attribute) and f.attr == "sqrt" and isinstance(f.value, ast.Name)
                    and f.value.id == self.module) or (isinstance(f, ast.Name) and f.id == "_root"))
                    and len(expr.args) == 1 and not expr.keywords):
                # module.sqrt, or the torch runtime's _root (torch's root, rounded correctly)
                return self.intern(Node("sqrt", (self.build(expr.args[0]),)))
            if (isinstance(f, ast.Name) and f.id == "_constant" and len(expr.args) == 2 and not expr.keywords
                    and isinstance(expr.args[0], ast.Constant) and expr.args[0].value in _RUNTIME_CONSTANTS
                    and isinstance(expr.args[1], ast.Name) and expr.args[1].id in self.env):
                # a constant of the working dtype (Veltkamp's, ...): its value depends on the format, see model._literal
                return self.intern(Node("const", (), (expr.args[0].value,)))
            self.fail(expr, f"only {self.module}.sqrt, _root and _constant(NAME, x) with NAME one of "
                         f"{', '.join(sorted(_RUNTIME_CONSTANTS))} are modelled")
        self.fail(expr, f"{type(expr).__name__} is not modelled")


def tree_of_function(text: str, name: str, module: str) -> tuple[tuple[str, ...], Node]:
    """(argument names, result node) of function ``name`` in module text ``text`` (calls ``module``.sqrt)."""
    tree = ast.parse(text)
    fn = _function(tree, name)
    ret = fn.body[-1] if fn.body else None
    if (isinstance(ret, ast.Return) and isinstance(ret.value, ast.Call)
            and getattr(ret.value.func, "id", "") == f"_{name}"):
        fn = _function(tree, f"_{name}")  # the public kernel checks nothing itself: it calls its computation
    args = tuple(a.arg for a in fn.args.args if a.arg != "_func")
    b = _Builder(name, module, args)
    body = list(fn.body)
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]  # docstring
    result = None
    for stmt in body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
            target = stmt.targets[0]
            if isinstance(target, ast.Name):
                b.env[target.id] = b.build(stmt.value)
                continue
            if isinstance(stmt.value, ast.Call) and getattr(stmt.value.func, "id", "") == "_prepare":
                continue  # input checks and conversion to the working dtype: no arithmetic
        if isinstance(stmt, ast.Return):
            value = stmt.value
            if isinstance(value, ast.Call) and getattr(value.func, "id", "") == "_finish":
                value = value.args[0]  # one rounding to the result dtype, modelled by the half-dtype rule
            result = b.build(value)
            break
        raise BoundError(f"{name}: statement {ast.unparse(stmt)!r} is not an assignment or the return.")
    if result is None:
        raise BoundError(f"{name}: no return statement.")
    return args, result


def kernel_tree(name: str, target: str = "numpy") -> tuple[tuple[str, ...], Node]:
    """(argument names, result node) of the emitted kernel ``name`` for ``target``."""
    if name not in kernel_names():
        from ..errors import UsageError

        raise UsageError(f"no kernel named {name!r}; the kernels are {', '.join(kernel_names())}.")
    return tree_of_function(module_text(target), name, target)


def printed_candidate(name: str, expr, target: str = "numpy") -> str:
    """The function text the emitter would print for ``name`` computing ``expr`` (formula symbols): the same
    printer and cse() as the emitted module, for certifying a candidate rewrite before it is emitted."""
    import sympy

    from ..kernels.registry import REGISTRY
    from ..kernels.registry import kernel

    spec = kernel(name)
    printer = REGISTRY.target(target).printer_class()()
    e = spec.to_python_symbols(expr)
    pairs, (reduced,) = sympy.cse(e, symbols=sympy.numbered_symbols("x"), order="canonical")
    names = [py for _, py, _ in spec.args]
    lines = [f"def {name}({', '.join(names)}):"]
    lines += [f"    {sym} = {printer.doprint(val)}" for sym, val in pairs]
    lines.append(f"    return _finish({printer.doprint(reduced)}, _dtype)")
    return "\n".join(lines) + "\n"


def reference_forms():
    """{kernel: callable(x, g, sqrt)} of the reference code's forms as the probe runs them (the registry's "code"
    form: the reference's own order of operations, from the one definition in :mod:`pyramid_sym.formulas.code`)."""
    from types import SimpleNamespace

    from ..kernels.registry import REGISTRY

    out = {}
    for spec in REGISTRY.kernels:
        f = spec.forms.get("code")
        if f is not None:
            out[spec.name] = lambda x, g, sqrt, f=f: f(x, g, SimpleNamespace(sqrt=sqrt))
    return out
