"""Formula and equation objects: an exact SymPy expression with its source, convention and domain."""

from __future__ import annotations

from dataclasses import dataclass

import sympy

from ..domain import Domain, DomainError
from ..errors import UsageError

__all__ = ["Formula", "Equation", "register", "get", "all_formulas", "FormulaError"]


class FormulaError(UsageError):
    """An unknown formula id or variable."""


@dataclass(frozen=True)
class Formula:
    """A named quantity ``expr`` (SymPy expression or matrix) computed from the variables of ``domain``.

    ``id`` is a dotted name (``paper.eq25.e_next``), ``source`` cites where it comes
    from (``paper eq. 25``, ``code: scheduler corrected start``, ``article A8``),
    ``convention`` is ``paper``, ``code`` or ``article``, and ``quantity`` says in
    words what it computes, in which convention.
    """

    id: str
    source: str
    convention: str
    quantity: str
    expr: sympy.Basic
    domain: Domain
    note: str = ""

    def __post_init__(self):
        if self.convention not in ("paper", "code", "article", "derived"):
            raise FormulaError(f"formula {self.id}: convention must be paper, code, article or derived.")
        extra = set(getattr(self.expr, "free_symbols", set())) - set(self.domain.symbols)
        if extra:
            raise DomainError(f"formula {self.id} uses {sorted(map(str, extra))} that its domain does not declare.")

    @property
    def variables(self) -> tuple[sympy.Symbol, ...]:
        return self.domain.symbols

    def __call__(self, **values):
        """Substitute values (by symbol name) and return the SymPy result."""
        names = {str(s): s for s in self.domain.symbols}
        unknown = set(values) - set(names)
        if unknown:
            raise FormulaError(f"formula {self.id} has no variable {sorted(unknown)}; its variables are {sorted(names)}.")
        return self.expr.xreplace({names[k]: sympy.sympify(v) for k, v in values.items()})

    def latex(self) -> str:
        return sympy.latex(self.expr)


@dataclass(frozen=True)
class Equation:
    """A stated equality ``lhs = rhs`` (a condition, not a definition), with source and domain."""

    id: str
    source: str
    convention: str
    statement: str
    lhs: sympy.Basic
    rhs: sympy.Basic
    domain: Domain
    note: str = ""

    def latex(self) -> str:
        return f"{sympy.latex(self.lhs)} = {sympy.latex(self.rhs)}"


_REGISTRY: dict[str, Formula | Equation] = {}


def register(obj):
    if obj.id in _REGISTRY:
        raise FormulaError(f"formula id {obj.id} is registered twice.")
    _REGISTRY[obj.id] = obj
    return obj


def get(formula_id: str) -> Formula | Equation:
    """The formula or equation with this id, e.g. ``paper.eq25.e_next``."""
    from . import paper, code, article  # noqa: F401  (registration on import)

    try:
        return _REGISTRY[formula_id]
    except KeyError:
        raise FormulaError(
            f"no formula named {formula_id!r}; run 'pyramid-sym formulas' (or call all_formulas()) for the list."
        ) from None


def all_formulas() -> dict[str, Formula | Equation]:
    from . import paper, code, article  # noqa: F401

    return dict(_REGISTRY)
