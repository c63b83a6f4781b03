"""Algebra the derivations share: the block algebra span{I, J}, radical reduction, block sizes.

**Block algebra.** For a block of n entries, I is the n x n identity and J the n x n
all-ones matrix.  J^2 = n J, so the matrices a I + b J form a commutative algebra:
(a I + b J)(c I + d J) = a c I + (a d + b c + n b d) J.  Every such matrix has the
eigenvector 1 (all ones) with eigenvalue a + n b, and acts as a times the identity on
the complement 1^perp (dimension n - 1).  This is what lets a derivation keep n as a
symbol.

**Radicals.** Expressions of the paper's jump point contain sqrt(1 - gamma) and
sqrt(-gamma) with gamma in [-1/(n-1), 0).  :func:`reduce_radicals` replaces them by
positive symbols P, Q with gamma = -Q^2 and P^2 = 1 + Q^2, reduces numerator and
denominator modulo that relation and cancels.  A result of 0 is an exact identity for
every gamma < 0 where the denominators do not vanish (the ledger checks those).
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy

from ..conventions import gamma, n as n_symbol
from ..errors import InputError
from ._base import DerivationError, tex, txt

__all__ = ["IJ", "reduce_radicals", "is_zero_radical", "parse_block", "BLOCKS", "MAX_BLOCK", "block_label"]

BLOCKS = (2, 4, 8)  # 1-D x2, 2-D 2x2 and space-time 2x2x2 nearest up-sampling
MAX_BLOCK = 16       # concrete matrices up to 16 x 16 (a 4x4 block); larger n: use "general"

_P = sympy.Symbol("P", positive=True)  # stands for sqrt(1 - gamma)
_Q = sympy.Symbol("Q", positive=True)  # stands for sqrt(-gamma)


def parse_block(value) -> int | sympy.Symbol:
    """A block size: an int 2 <= n <= 16 (concrete matrices) or ``"general"`` (the symbol n)."""
    if isinstance(value, sympy.Symbol) and value == n_symbol:
        return n_symbol
    text = str(value).strip().lower()
    if text in ("general", "n"):
        return n_symbol
    try:
        k = int(text)
    except ValueError:
        k = None
    if k is None or str(k) != text or not 2 <= k <= MAX_BLOCK:
        raise InputError(
            f"block size n = {value!r} is not allowed; use an integer from 2 to {MAX_BLOCK} "
            "(2 = 1-D x2, 4 = 2x2, 8 = 2x2x2 up-sampling) or 'general' for a symbolic n."
        )
    return k


def block_label(block) -> str:
    """``"n = 4"`` or ``"general n"``."""
    return "general n" if block == n_symbol else f"n = {block}"


@dataclass(frozen=True)
class IJ:
    """The block matrix a I + b J (I identity, J all ones, n entries; n may be the symbol n)."""

    a: sympy.Expr
    b: sympy.Expr
    n: object = n_symbol

    def __add__(self, other: "IJ") -> "IJ":
        return IJ(self.a + other.a, self.b + other.b, self.n)

    def __sub__(self, other: "IJ") -> "IJ":
        return IJ(self.a - other.a, self.b - other.b, self.n)

    def scale(self, c) -> "IJ":
        return IJ(c * self.a, c * self.b, self.n)

    def __matmul__(self, other: "IJ") -> "IJ":
        """Product, using J^2 = n J."""
        return IJ(self.a * other.a, self.a * other.b + self.b * other.a + self.n * self.b * other.b, self.n)

    def simplified(self) -> "IJ":
        return IJ(sympy.factor(sympy.cancel(self.a)), sympy.factor(sympy.cancel(self.b)), self.n)

    @property
    def eigen_ones(self) -> sympy.Expr:
        """Eigenvalue on the all-ones vector: a + n b."""
        return self.a + self.n * self.b

    @property
    def eigen_perp(self) -> sympy.Expr:
        """Eigenvalue on the complement of the all-ones vector (multiplicity n - 1): a."""
        return self.a

    def matrix(self, k: int | None = None) -> sympy.ImmutableMatrix:
        """The concrete k x k matrix (k defaults to n when n is an int)."""
        k = self.n if k is None else k
        if not isinstance(k, int):
            raise DerivationError("a concrete matrix needs an integer block size.")
        return sympy.ImmutableMatrix(k, k, lambda i, j: self.a + self.b if i == j else self.b)

    def latex(self) -> str:
        return rf"\left({tex(self.a)}\right) I_n + \left({tex(self.b)}\right) J_n"

    def text(self) -> str:
        return f"({txt(self.a)}) I + ({txt(self.b)}) J"


def _to_pq(expr):
    """Half-integer powers of 1 - gamma and -gamma become powers of P and Q; then gamma = -Q^2."""
    def half_power(x):
        return x.is_Pow and x.exp.is_Rational and x.exp.q == 2 and x.base in (1 - gamma, -gamma)

    def to_symbol(x):
        return (_P if x.base == 1 - gamma else _Q) ** (x.exp.p)

    e = sympy.sympify(expr).replace(half_power, to_symbol)
    return e.xreplace({gamma: -_Q**2})


def _reduce_poly(p):
    return sympy.rem(sympy.expand(p), _P**2 - 1 - _Q**2, _P)


def reduce_radicals(expr) -> sympy.Expr:
    """Simplify an expression in s, e, gamma, sqrt(1 - gamma), sqrt(-gamma) modulo the squares of the radicals.

    (sqrt(1 - gamma))^2 = 1 - gamma and (sqrt(-gamma))^2 = -gamma.

    Convention-neutral: valid for gamma < 0 (both radicals real and positive).
    """
    if isinstance(expr, sympy.MatrixBase):
        return sympy.ImmutableMatrix(expr.rows, expr.cols, [reduce_radicals(x) for x in expr])
    num, den = sympy.fraction(sympy.together(_to_pq(expr)))
    r = sympy.cancel(_reduce_poly(num) / _reduce_poly(den))
    num, den = sympy.fraction(r)
    r = sympy.factor(_reduce_poly(num)) / sympy.factor(_reduce_poly(den))
    return sympy.factor(r.xreplace({_P: sympy.sqrt(1 - gamma), _Q: sympy.sqrt(-gamma)}).xreplace({}))


def is_zero_radical(expr) -> bool:
    """True if the numerator of ``expr`` reduces to 0 modulo the radical relations (an exact identity for gamma < 0)."""
    if isinstance(expr, sympy.MatrixBase):
        return all(is_zero_radical(x) for x in expr)
    num, _ = sympy.fraction(sympy.together(_to_pq(expr)))
    return _reduce_poly(num) == 0
