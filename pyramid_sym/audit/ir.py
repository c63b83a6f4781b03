"""The arithmetic read from a source file, in the file's own operation order.

A :class:`Node` is one operation of the audited code (``+ - * / **``, a square
root, exp, log, a literal, an identity or all-ones matrix) or a *leaf*: a free
symbol named by the file's own text (``gamma``, ``self.config.gamma``,
``self.scheduler.ori_start_sigmas[i_s]``).  One definition serves three readers:

* :func:`to_sympy` - the exact expression the prover decides (literals exact:
  ``1/3`` is one third, ``0.5`` is one half);
* :func:`evaluate` - the values in a NumPy dtype with every intermediate rounded
  to it, in the order the file writes them (the accuracy *as written*), or in
  complex128 for the numeric screen (a square root of a negative number is
  complex there, not NaN);
* :func:`free_symbols`, :func:`has_radical`, :func:`is_rational_nonpolynomial` -
  what the identification needs to know about the shape.
"""

from __future__ import annotations

import operator
from fractions import Fraction

import numpy as np

__all__ = ["Node", "const", "sym", "op", "eye", "ones", "to_sympy", "evaluate", "free_symbols",
           "has_radical", "is_rational_nonpolynomial", "MAX_SIZE"]

MAX_SIZE = 400  # operations in one inlined expression; a larger one is left opaque (no formula is that large)

_SCALAR_OPS = ("add", "sub", "mul", "div", "pow", "neg", "sqrt", "exp", "log")


class Node:
    """One operation or leaf; ``shape`` is None for a scalar and ``(n, m)`` for a matrix."""

    __slots__ = ("op", "args", "value", "size", "shape", "_syms")

    def __init__(self, op_name: str, args: tuple = (), value=None, shape=None):
        self.op = op_name
        self.args = args
        self.value = value
        self.size = 1 + sum(a.size for a in args)
        self.shape = shape
        self._syms = None

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        if self.op == "const":
            return str(self.value)
        if self.op == "sym":
            return self.value
        return f"{self.op}({', '.join(map(repr, self.args))})"


def const(value: Fraction) -> Node:
    return Node("const", (), Fraction(value))


def sym(name: str) -> Node:
    return Node("sym", (), name)


def eye(n: int) -> Node:
    return Node("eye", (), n, (n, n))


def ones(n: int, m: int) -> Node:
    return Node("ones", (), (n, m), (n, m))


def op(name: str, *args: Node) -> Node | None:
    """A new operation node, or None when the shapes do not combine or the expression grows too large."""
    shapes = [a.shape for a in args if a.shape is not None]
    shape = None
    if shapes:
        if name in ("add", "sub") and len(shapes) == 2 and shapes[0] != shapes[1]:
            return None
        if name in ("pow", "sqrt", "exp", "log") or (name == "div" and args[1].shape is not None):
            return None  # elementwise powers of matrices are not what the formulas mean
        if name == "mul" and len(shapes) == 2:
            return None  # a matrix product of two matrices: not a formula of this package
        shape = shapes[0]
    node = Node(name, tuple(args), None, shape)
    if node.size > MAX_SIZE:
        return None
    # fold operations on literals exactly, as the file's reader would read them
    if all(a.op == "const" for a in args) and name in ("add", "sub", "mul", "div", "neg"):
        vals = [a.value for a in args]
        try:
            folded = {"add": lambda: vals[0] + vals[1], "sub": lambda: vals[0] - vals[1],
                      "mul": lambda: vals[0] * vals[1], "div": lambda: vals[0] / vals[1],
                      "neg": lambda: -vals[0]}[name]()
        except ZeroDivisionError:
            return node
        return const(folded)
    return node


def free_symbols(node: Node) -> frozenset[str]:
    """Names of the leaves (free symbols), cached on the node."""
    if node._syms is None:
        if node.op == "sym":
            node._syms = frozenset((node.value,))
        else:
            out: set[str] = set()
            for a in node.args:
                out |= free_symbols(a)
            node._syms = frozenset(out)
    return node._syms


def _walk(node: Node):
    stack, seen = [node], set()
    while stack:
        n = stack.pop()
        if id(n) in seen:
            continue
        seen.add(id(n))
        yield n
        stack.extend(n.args)


def has_radical(node: Node) -> bool:
    for n in _walk(node):
        if n.op == "sqrt":
            return True
        if n.op == "pow" and n.args[1].op == "const" and n.args[1].value.denominator != 1:
            return True
    return False


def is_rational_nonpolynomial(node: Node) -> bool:
    """A division by a non-literal or a negative power: the expression is not a polynomial of its leaves."""
    for n in _walk(node):
        if n.op == "div" and free_symbols(n.args[1]):
            return True
        if n.op == "pow" and n.args[1].op == "const" and n.args[1].value < 0 and free_symbols(n.args[0]):
            return True
        if n.op in ("exp", "log") and free_symbols(n.args[0]):
            return True
    return False


# ------------------------------------------------------------------------------- exact
def _sympy_ops() -> dict:
    """The operations on SymPy values (SymPy is imported on first use: bad input is refused before it loads)."""
    import sympy

    def div(a, b):
        return a * (1 / b) if isinstance(a, sympy.MatrixBase) else a / b

    return {"add": operator.add, "sub": operator.sub, "mul": operator.mul, "div": div, "pow": sympy.Pow,
            "neg": operator.neg, "sqrt": sympy.sqrt, "exp": sympy.exp, "log": sympy.log}


def _fold(node: Node, visit):
    """``visit(n, go)`` on every node once, children first through ``go`` (shared nodes are computed once)."""
    memo: dict[int, object] = {}

    def go(n: Node):
        key = id(n)
        if key not in memo:
            memo[key] = visit(n, go)
        return memo[key]

    return go(node)


def to_sympy(node: Node, symbols: dict):
    """The exact SymPy expression (matrices as ImmutableMatrix); ``symbols`` maps leaf names to SymPy symbols."""
    import sympy

    ops = _sympy_ops()

    def visit(n: Node, go):
        o = n.op
        if o == "const":
            return sympy.Rational(n.value.numerator, n.value.denominator)
        if o == "sym":
            return symbols[n.value]
        if o == "eye":
            return sympy.ImmutableMatrix.eye(n.value)
        if o == "ones":
            return sympy.ImmutableMatrix.ones(*n.value)
        r = ops[o](*(go(x) for x in n.args))
        return sympy.ImmutableMatrix(r) if isinstance(r, sympy.MatrixBase) else r

    return _fold(node, visit)


# ------------------------------------------------------------------------------- numeric
_NUMPY_OPS = {"add": operator.add, "sub": operator.sub, "mul": operator.mul, "div": operator.truediv,
              "pow": np.power, "neg": operator.neg, "sqrt": np.sqrt, "exp": np.exp, "log": np.log}

def evaluate(node: Node, values: dict, dtype) -> np.ndarray:
    """Values of the node for arrays of leaf values, every operation rounded to ``dtype``.

    Literals are taken exactly and rounded once to ``dtype``.  With ``complex128``
    the square root of a negative number is the principal complex root.  Matrices
    come back with the matrix axes last (``points x n x m``).
    """
    dt = np.dtype(dtype)
    npts = len(next(iter(values.values()))) if values else 1

    def visit(n: Node, go):
        o = n.op
        if o == "const":
            v = n.value
            try:
                x = v.numerator / v.denominator  # correctly rounded to float64
            except OverflowError:
                x = float("inf") if v > 0 else float("-inf")
            return np.full(npts, dt.type(x), dtype=dt)
        if o == "sym":
            return np.asarray(values[n.value], dtype=dt)
        if o == "eye":
            return np.broadcast_to(np.eye(n.value, dtype=dt), (npts, n.value, n.value))
        if o == "ones":
            return np.broadcast_to(np.ones(n.value, dtype=dt), (npts,) + tuple(n.value))
        a = [go(x) for x in n.args]
        if n.shape is not None:  # matrix op: lift scalars to points x 1 x 1
            a = [x[:, None, None] if x.ndim == 1 else x for x in a]
        return np.asarray(_NUMPY_OPS[o](*a), dtype=dt)

    with np.errstate(all="ignore"):
        return _fold(node, visit)
