"""The kernel registry: every kernel and every target of ``pyramid-sym emit``, defined once.

Everything else is derived from :data:`REGISTRY`: the emitted modules (their
functions, ``__all__``, header and the runtime interval checks, printed from the
:class:`~pyramid_sym.domain.Interval` of each argument), the ledger claims
``kernel.<name>``, the probe's kernels and forms, the fuzz lists, the benchmarks and
the help texts of ``pyramid-sym emit`` and ``pyramid-sym probe``.

* A **scalar kernel** (:class:`KernelSpec`) ties a public function name (a contract:
  ``jump_end_time``, ``corrected_start_sigma``, ...) to a formula of
  :mod:`pyramid_sym.formulas` and, where the direct form loses accuracy, to a rule of
  :mod:`pyramid_sym.rewriting`.  The expression the emitter prints is
  :attr:`KernelSpec.emitted_expr`; the ledger proves it equal to the formula.
* An **array kernel** (:class:`ArrayKernel`: ``block_noise``, ``renoise``) is written by
  hand in the runtime modules, because it draws random numbers and moves arrays; the
  registry names it, the claims it rests on, and the scalar kernels it calls.
* A **target** (:class:`Target`) is an array library: a printer class (a subclass of
  SymPy's NumPy printer, :mod:`pyramid_sym.kernels.printers`) and a runtime module
  (:mod:`pyramid_sym.kernels.runtime`) whose source the emitter pastes into the
  standalone module.

Adding a kernel is one :class:`KernelSpec` here (plus its formula, and its stable
rewrite if any); adding a target is one :class:`Target` here, one printer subclass and
one runtime module.  ARCHITECTURE.md walks through both.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Callable, Mapping

import sympy

from ..conventions import BLOCK_2X2, S_CLOSED, SIGMA_CLOSED, e_next, gamma, gamma_c, gamma_c_interval, gamma_interval, s_k, sigma_end
from ..domain import Domain, Interval
from ..errors import UsageError
from ..formulas import code, get, paper
from ..rewriting import StableRewrite, rule_for, upsample_scale_composite
from .acceptance import ACCEPTANCE  # the probe's acceptance bounds, data without SymPy

__all__ = [
    "Arg", "KernelSpec", "ArrayKernel", "Target", "Registry", "REGISTRY", "KERNELS", "kernel", "arg_symbol",
    "SINGLE_ROUNDING", "FLOAT32_ULP_ABOVE_ONE", "ACCEPTANCE",
]

SINGLE_ROUNDING = Fraction(1, 2**22)
"""Relative tolerance at a closed bound of gamma: 1/3 rounded to float32 or float64 still counts as 1/3."""

FLOAT32_ULP_ABOVE_ONE = Fraction(1, 2**23)
"""One float32 spacing above 1.  The reference scheduler's float32 sigma table can put the first
entry at 1 + 2**-23 (the SD3 shift rounds up), and that entry becomes the next stage's ``sigma_end``:
the code-convention kernels accept ``sigma_end`` up to 1 + 2**-23 and compute their formula there."""



def arg_symbol(name: str) -> sympy.Symbol:
    """The plain SymPy symbol printed as the Python argument ``name``."""
    return sympy.Symbol(name)


@dataclass(frozen=True)
class Arg:
    """One argument of a scalar kernel: formula symbol, Python name, allowed interval, and what to pass.

    ``tolerance_lo``/``tolerance_hi``: how far outside a *closed* end a Python or NumPy
    scalar may lie and still be accepted (a bound rounded to a float format).  Iterated or
    indexed, an ``Arg`` is the triple ``(symbol, name, interval)``.
    """

    symbol: sympy.Symbol
    name: str
    interval: Interval
    meaning: str
    tolerance_lo: Fraction = Fraction(0)
    tolerance_hi: Fraction = Fraction(0)

    def __iter__(self):
        return iter((self.symbol, self.name, self.interval))

    def __getitem__(self, i):
        return (self.symbol, self.name, self.interval)[i]


Form = Callable[..., object]  # form(x, gamma, ctx): a way of computing a kernel, against an arithmetic context


@dataclass(frozen=True)
class KernelSpec:
    """One emitted scalar kernel: ``name(arg0, gamma)`` computes formula ``formula_id`` in ``convention``.

    ``build`` (optional) composes the formula expression when the kernel is a composite
    (s_k / e_{k+1}).  ``forms`` are the probe's other ways of computing the kernel, each
    ``form(x, gamma, ctx)`` evaluated from the one definition in :mod:`pyramid_sym.formulas`
    (``"code"``: the reference code's formula in its own order of operations; ``"paper"``:
    the paper's, converted to the kernel's convention); ``absent`` says why a form is missing.
    """

    name: str
    formula_id: str
    convention: str
    summary: str
    args: tuple[Arg, ...]
    returns: str
    build: Callable[[], sympy.Expr] | None = None
    forms: Mapping[str, Form] = field(default_factory=dict)
    absent: Mapping[str, str] = field(default_factory=dict)

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
        return Domain([(a.symbol, a.interval) for a in self.args])

    @property
    def claim_id(self) -> str:
        return f"kernel.{self.name}"

    @property
    def symbols(self) -> tuple[sympy.Symbol, ...]:
        return tuple(a.symbol for a in self.args)

    def to_python_symbols(self, expr: sympy.Expr) -> sympy.Expr:
        """``expr`` with each formula symbol replaced by its Python argument symbol."""
        return expr.xreplace({a.symbol: arg_symbol(a.name) for a in self.args})

    def from_python_symbols(self, expr: sympy.Expr) -> sympy.Expr:
        """Inverse of :meth:`to_python_symbols`."""
        return expr.xreplace({arg_symbol(a.name): a.symbol for a in self.args})


@dataclass(frozen=True)
class ArrayKernel:
    """A kernel written in the runtime modules (random draws, array moves), not printed from a formula.

    ``formulas`` and ``claims`` name what it rests on (for the module header); ``uses`` are the
    scalar kernels it calls, whose argument checks it runs first under its own name.
    """

    name: str
    formulas: str
    claims: str
    uses: tuple[str, ...] = ()


@dataclass(frozen=True)
class Target:
    """An array library the kernels are emitted for.

    ``printer`` is the printer class (module path ``pyramid_sym.kernels.printers``, class
    name), ``runtime`` the runtime module whose source is pasted into the emitted module
    (its docstring becomes the emitted module's docstring), ``module`` the checked-in
    emitted module, ``extra`` the optional dependency that provides the library,
    ``dtypes`` the probe formats it computes in, and ``as_array(values, dtype)`` turns the
    probe's exact float64 inputs into the library's arrays of a dtype.  ``flushes_subnormals``:
    the library computes with subnormal inputs and results flushed to zero (XLA on CPU), so
    the probe holds it to the bounds only where inputs and exact result are normal numbers.
    ``compiles_per_shape``: each operation is compiled for each array shape (XLA), so the probe pads
    its inputs to a few lengths.
    """

    name: str
    printer: str
    runtime: str
    module: str
    extra: str | None
    dtypes: tuple[str, ...]
    as_array: Callable[[object, str], object]
    requires: str
    flushes_subnormals: bool = False
    compiles_per_shape: bool = False

    def printer_class(self):
        from . import printers

        return getattr(printers, self.printer)

    def available(self) -> bool:
        """Whether the array library can be imported here."""
        try:
            importlib.import_module(self.requires)
        except Exception:  # noqa: BLE001 - any import failure means "not installed"
            return False
        return True


@dataclass(frozen=True)
class Registry:
    """Kernels and targets: :data:`REGISTRY` is the package's; tests build others."""

    kernels: tuple[KernelSpec, ...]
    array_kernels: tuple[ArrayKernel, ...]
    targets: tuple[Target, ...]

    def __post_init__(self):
        names = [k.name for k in self.kernels] + [k.name for k in self.array_kernels]
        if len(set(names)) != len(names):
            raise UsageError(f"kernel names {names} repeat a name; give every kernel its own name.")
        for ak in self.array_kernels:
            unknown = set(ak.uses) - {k.name for k in self.kernels}
            if unknown:
                raise UsageError(f"array kernel {ak.name} uses {sorted(unknown)}, which are not scalar kernels here.")

    @property
    def names(self) -> tuple[str, ...]:
        """Every public function of an emitted module, in emission order."""
        return tuple(k.name for k in self.kernels) + tuple(k.name for k in self.array_kernels)

    @property
    def scalar_names(self) -> tuple[str, ...]:
        return tuple(k.name for k in self.kernels)

    @property
    def target_names(self) -> tuple[str, ...]:
        return tuple(t.name for t in self.targets)

    def kernel(self, name: str) -> KernelSpec:
        for k in self.kernels:
            if k.name == name:
                return k
        raise UsageError(f"no kernel named {name!r}; the kernels are {', '.join(self.scalar_names)}.")

    def target(self, name: str) -> Target:
        for t in self.targets:
            if t.name == name:
                return t
        raise UsageError(f"no target named {name!r}; choose one of {', '.join(self.target_names)}.")


# --- the package's kernels ---------------------------------------------------------------------

_G_PAPER = gamma_interval(BLOCK_2X2)    # [-1/3, 0)
_G_CODE = gamma_c_interval(BLOCK_2X2)   # (0, 1/3]
_GAMMA_TOL = Fraction(1, 3) * SINGLE_ROUNDING

_S = Arg(s_k, "s", S_CLOSED, "a signal level between 0 and 1")
_E = Arg(e_next, "e", S_CLOSED, "a signal level between 0 and 1")
_SIGMA = Arg(sigma_end, "sigma_end", SIGMA_CLOSED, "a noise level between 0 and 1",
             tolerance_hi=FLOAT32_ULP_ABOVE_ONE)
_GAMMA_P = Arg(gamma, "gamma", _G_PAPER, "the paper's negative gamma (the code's gamma_c is its negative)",
               tolerance_lo=_GAMMA_TOL)
_GAMMA_C = Arg(gamma_c, "gamma", _G_CODE, "the code's positive gamma_c (the paper's gamma is its negative)",
               tolerance_hi=_GAMMA_TOL)


def _code_absent(what: str) -> dict[str, str]:
    return {"code": f"the reference code {what}"}


# Each kernel: name, formula, convention, one-line summary, arguments, what it returns; then the probe's
# forms (code-convention formulas through the paper use t = 1 - sigma, gamma = -gamma_c).
KERNELS: tuple[KernelSpec, ...] = (
    KernelSpec("jump_end_time", "paper.eq25.e_next", "paper", "e_{k+1}, the end of stage k+1 (signal level) whose "
               "jump lands on the start s of stage k", (_S, _GAMMA_P), "e_{k+1} in [0, 1]",
               forms={"paper": paper.e_next_of_s}, absent=_code_absent("never computes e_{k+1} from s_k")),
    # the code derives s_k from e_{k+1}: its corrected start, with gamma_c = -gamma
    KernelSpec("jump_start_time", "paper.eq25.s_k", "paper",
               "s_k, the start of stage k (signal level) reached by the jump from the end e of stage k+1",
               (_E, _GAMMA_P), "s_k in [0, 1]",
               forms={"code": lambda e, g, ctx: code.corrected_signal(e, -g, ctx), "paper": paper.s_of_e_next}),
    KernelSpec("upsample_scale", "paper.eq20.scale", "paper", "s_k / e_{k+1}, the weight of Up(x_{e_{k+1}}) in the "
               "jump to the start s of stage k", (_S, _GAMMA_P), "s_k / e_{k+1} in (0, 1]", upsample_scale_composite,
               {"paper": lambda s, g, ctx: s / paper.e_next_of_s(s, g, ctx)},
               _code_absent("computes s_k/e_{k+1} only from e_{k+1} (its alpha)")),
    KernelSpec("renoise_std", "paper.eq25.alpha", "paper",
               "alpha, the weight of the corrective noise n' in the jump to the start s of stage k",
               (_S, _GAMMA_P), "alpha in [0, 1)", forms={"paper": paper.alpha_of_s},
               absent=_code_absent("computes the noise weight only from e_{k+1} (its beta)")),
    KernelSpec("corrected_start_sigma", "code.start_sigma", "code", "start noise level of the next stage from the "
               "previous stage's end noise level sigma_end", (_SIGMA, _GAMMA_C), "start sigma in [0, 1]",
               forms={"code": code.start_sigma_of, "paper": lambda sig, gc, ctx: 1 - paper.s_of_e_next(1 - sig, -gc, ctx)}),
    KernelSpec("renoise_alpha", "code.renoise_alpha", "code",
               "alpha, the weight of the nearest-upsampled latent when re-noising at a jump", (_SIGMA, _GAMMA_C),
               "alpha in (0, 1]", forms={"code": code.alpha_of,
                                         "paper": lambda sig, gc, ctx: paper.s_of_e_next(1 - sig, -gc, ctx) / (1 - sig)}),
    KernelSpec("renoise_beta", "code.renoise_beta", "code", "beta, the weight of the block noise when re-noising at a "
               "jump", (_SIGMA, _GAMMA_C), "beta in [0, 1)", forms={
                   "code": code.beta_of,
                   "paper": lambda sig, gc, ctx: paper.alpha_of_s(paper.s_of_e_next(1 - sig, -gc, ctx), -gc, ctx)}),
)

_SAMPLER_CLAIMS = "sampler.covariance.n{2,4,8}, sampler.bound.n{2,4,8}"

ARRAY_KERNELS: tuple[ArrayKernel, ...] = (
    ArrayKernel("block_noise", "code.block_covariance, closed form x = a (z + k mean z)", _SAMPLER_CLAIMS),
    ArrayKernel("renoise", "code.renoise_alpha, code.renoise_beta and block_noise",
                f"kernel.renoise_alpha, kernel.renoise_beta, {_SAMPLER_CLAIMS}",
                uses=("renoise_alpha", "renoise_beta")),
)


# --- the package's targets -------------------------------------------------------------------

def _numpy_array(values, dtype: str):
    return values.astype(dtype)


def _torch_array(values, dtype: str):
    import numpy
    import torch

    return torch.from_numpy(numpy.ascontiguousarray(values)).to(getattr(torch, dtype))


def _jax_array(values, dtype: str):
    import jax

    jax.config.update("jax_enable_x64", True)  # float64 inputs stay float64 (JAX's default is float32)
    return jax.numpy.asarray(values, dtype=dtype)


TARGETS: tuple[Target, ...] = (
    Target("numpy", "NumPyKernelPrinter", "pyramid_sym.kernels.runtime.numpy_runtime",
           "pyramid_sym.kernels.numpy_kernels", None, ("float16", "float32", "float64"), _numpy_array, "numpy"),
    Target("torch", "TorchKernelPrinter", "pyramid_sym.kernels.runtime.torch_runtime",
           "pyramid_sym.kernels.torch_kernels", "torch", ("float16", "bfloat16", "float32", "float64"),
           _torch_array, "torch"),
    Target("jax", "JaxKernelPrinter", "pyramid_sym.kernels.runtime.jax_runtime",
           "pyramid_sym.kernels.jax_kernels", "jax", ("float16", "bfloat16", "float32", "float64"),
           _jax_array, "jax", flushes_subnormals=True, compiles_per_shape=True),
)

REGISTRY = Registry(KERNELS, ARRAY_KERNELS, TARGETS)


def kernel(name: str) -> KernelSpec:
    """The spec of the scalar kernel called ``name`` in :data:`REGISTRY`."""
    return REGISTRY.kernel(name)
