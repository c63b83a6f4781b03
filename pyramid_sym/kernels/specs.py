"""Which proved formula each emitted scalar kernel computes, in which convention, through which stable rewrite.

A :class:`KernelSpec` ties a public function name (a contract: ``jump_end_time``,
``corrected_start_sigma``, ...) to a formula of :mod:`pyramid_sym.formulas` and, where
the direct form loses accuracy, to a rule of :mod:`pyramid_sym.rewriting`.  The
expression the emitter prints is :attr:`KernelSpec.emitted_expr`; the ledger proves it
equal to the formula (claims ``kernel.<name>``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import sympy

from ..conventions import BLOCK_2X2, S_CLOSED, SIGMA_CLOSED, e_next, gamma, gamma_c, gamma_c_interval, gamma_interval, s_k, sigma_end
from ..domain import Domain, Interval
from ..formulas import get
from ..rewriting import StableRewrite, rule_for, upsample_scale_composite

__all__ = ["KernelSpec", "KERNELS", "kernel", "arg_symbol"]


def arg_symbol(name: str) -> sympy.Symbol:
    """The plain SymPy symbol printed as the Python argument ``name``."""
    return sympy.Symbol(name)


@dataclass(frozen=True)
class KernelSpec:
    """One emitted scalar kernel: ``name(arg0, gamma)`` computes formula ``formula_id`` in ``convention``.

    ``args`` maps each formula symbol to its Python argument name and its allowed
    interval (checked for Python scalars); ``build`` (optional) composes the formula
    expression from the registry when the kernel is a composite (s_k / e_{k+1}).
    """

    name: str
    formula_id: str
    convention: str
    summary: str
    args: tuple[tuple[sympy.Symbol, str, Interval], ...]
    returns: str
    build: Callable[[], sympy.Expr] | None = None

    @property
    def formula_expr(self) -> sympy.Expr:
        """The proved formula, in the formula's own symbols."""
        return self.build() if self.build is not None else get(self.formula_id).expr

    @property
    def source(self) -> str:
        return get(self.formula_id).source

    @property
    def rewrite(self) -> StableRewrite | None:
        return rule_for(self.formula_id)

    @property
    def emitted_expr(self) -> sympy.Expr:
        """The expression printed into the kernel (formula symbols, steps substituted): the formula or its rewrite."""
        rw = self.rewrite
        return rw.apply(self.formula_expr) if rw is not None else self.formula_expr

    @property
    def emitted_steps(self) -> tuple[tuple[sympy.Symbol, sympy.Expr], ...]:
        """Named steps, each computed as a unit: on its own line if used twice, else in parentheses (see StableRewrite.steps)."""
        rw = self.rewrite
        return rw.steps if rw is not None else ()

    @property
    def emitted_final(self) -> sympy.Expr:
        """The final expression of the kernel, in terms of the steps' symbols."""
        rw = self.rewrite
        if rw is None:
            return self.formula_expr
        rw.apply(self.formula_expr)  # refuses a changed formula
        return rw.after

    @property
    def domain(self) -> Domain:
        return Domain([(sym, iv) for sym, _, iv in self.args])

    @property
    def claim_id(self) -> str:
        return f"kernel.{self.name}"

    def to_python_symbols(self, expr: sympy.Expr) -> sympy.Expr:
        """``expr`` with each formula symbol replaced by its Python argument symbol."""
        return expr.xreplace({sym: arg_symbol(py) for sym, py, _ in self.args})

    def from_python_symbols(self, expr: sympy.Expr) -> sympy.Expr:
        """Inverse of :meth:`to_python_symbols`."""
        return expr.xreplace({arg_symbol(py): sym for sym, py, _ in self.args})


_S = S_CLOSED
_G_PAPER = gamma_interval(BLOCK_2X2)    # [-1/3, 0)
_G_CODE = gamma_c_interval(BLOCK_2X2)   # (0, 1/3]


KERNELS: tuple[KernelSpec, ...] = (
    KernelSpec(
        "jump_end_time", "paper.eq25.e_next", "paper",
        "e_{k+1}, the end of stage k+1 (signal level) whose jump lands on the start s of stage k",
        ((s_k, "s", _S), (gamma, "gamma", _G_PAPER)), "e_{k+1} in [0, 1]"),
    KernelSpec(
        "jump_start_time", "paper.eq25.s_k", "paper",
        "s_k, the start of stage k (signal level) reached by the jump from the end e of stage k+1",
        ((e_next, "e", _S), (gamma, "gamma", _G_PAPER)), "s_k in [0, 1]"),
    KernelSpec(
        "upsample_scale", "paper.eq20.scale", "paper",
        "s_k / e_{k+1}, the weight of Up(x_{e_{k+1}}) in the jump to the start s of stage k",
        ((s_k, "s", _S), (gamma, "gamma", _G_PAPER)), "s_k / e_{k+1} in (0, 1]",
        build=upsample_scale_composite),
    KernelSpec(
        "renoise_std", "paper.eq25.alpha", "paper",
        "alpha, the weight of the corrective noise n' in the jump to the start s of stage k",
        ((s_k, "s", _S), (gamma, "gamma", _G_PAPER)), "alpha in [0, 1)"),
    KernelSpec(
        "corrected_start_sigma", "code.start_sigma", "code",
        "start noise level of the next stage from the previous stage's end noise level sigma_end",
        ((sigma_end, "sigma_end", SIGMA_CLOSED), (gamma_c, "gamma", _G_CODE)), "start sigma in [0, 1]"),
    KernelSpec(
        "renoise_alpha", "code.renoise_alpha", "code",
        "alpha, the weight of the nearest-upsampled latent when re-noising at a jump",
        ((sigma_end, "sigma_end", SIGMA_CLOSED), (gamma_c, "gamma", _G_CODE)), "alpha in (0, 1]"),
    KernelSpec(
        "renoise_beta", "code.renoise_beta", "code",
        "beta, the weight of the block noise when re-noising at a jump",
        ((sigma_end, "sigma_end", SIGMA_CLOSED), (gamma_c, "gamma", _G_CODE)), "beta in [0, 1)"),
)

_BY_NAME = {k.name: k for k in KERNELS}


def kernel(name: str) -> KernelSpec:
    """The spec of the kernel called ``name``."""
    from ..errors import UsageError

    try:
        return _BY_NAME[name]
    except KeyError:
        raise UsageError(f"no kernel named {name!r}; the kernels are {sorted(_BY_NAME)}.") from None
