"""The kernels probed and the forms of each, compared side by side, all derived from the kernel registry.

Kernels: the scalar kernels of :data:`pyramid_sym.kernels.registry.REGISTRY`.

Forms of each kernel:

* ``code``: the reference code's formula in the reference's own order of operations
  (:mod:`pyramid_sym.formulas.code`, the one definition, evaluated against the array
  library of the dtype), every intermediate rounded to the dtype (``1/gamma_c`` included,
  so float16 overflows where the reference's would);
* ``paper``: the paper's formula as printed (eq. 25 and, for a start time, eq. 25 solved
  for s_k; :mod:`pyramid_sym.formulas.paper`), converted to the kernel's convention with
  ``t = 1 - sigma`` and ``gamma = -gamma_c`` computed in the dtype;
* ``lambdify``: ``sympy.lambdify`` of the exact formula with the array library;
* ``emitted <target>``: the emitted stable kernels of each target of the registry.

The exact function for the reference is the kernel's SymPy formula.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from fractions import Fraction
from typing import Callable

from .inputs import Variable

__all__ = ["ProbeKernel", "Form", "probe_kernels", "forms_for", "form_names", "emitted_forms", "KERNEL_NAMES",
           "FORM_NAMES", "EMITTED_FORMS", "GAMMA_MIN"]

GAMMA_MIN = Fraction(1, 10**8)
"""The probe's smallest |gamma|: an open end of gamma at 0 is probed down to 1e-8."""

TRANSCRIBED = ("code", "paper", "lambdify")


def _registry(registry=None):
    if registry is None:
        from ..kernels.registry import REGISTRY

        return REGISTRY
    return registry


def form_names(registry=None) -> tuple[str, ...]:
    return TRANSCRIBED + emitted_forms(registry)


def emitted_forms(registry=None) -> tuple[str, ...]:
    return tuple(f"emitted {t.name}" for t in _registry(registry).targets)


def __getattr__(name: str):
    if name == "KERNEL_NAMES":
        return _registry().scalar_names
    if name == "FORM_NAMES":
        return form_names()
    if name == "EMITTED_FORMS":
        return emitted_forms()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@dataclass(frozen=True)
class ProbeKernel:
    """One registry kernel as the probe sees it: the spec, its probed domain and the default schedule's points."""

    spec: object               # the registry's KernelSpec (name, convention, formula_expr, symbols, source, forms)
    x_var: Variable
    gamma_var: Variable
    default_x: tuple[float, ...]   # the default schedule's points, in this kernel's input variable
    default_gamma: Fraction

    def __getattr__(self, name: str):
        if name in ("name", "convention", "symbols", "source"):
            return getattr(self.spec, name)
        if name == "expr":
            return self.spec.formula_expr
        raise AttributeError(name)

    @property
    def gamma_sign(self) -> int:
        return -1 if self.gamma_var.hi <= 0 else 1


def _default_points() -> dict[str, tuple[float, ...]]:
    """The default schedule's jump points, by the name of the kernel argument they feed."""
    from .inputs import default_schedule

    d = default_schedule()
    sig_end = tuple(d["sigma_end"])                        # 0.667, 0.334 as stored in float32
    return {
        "sigma_end": sig_end,
        "s": tuple(1.0 - v for v in d["start_sigma"]),      # paper s_k of stages 1, 2 (exact: Sterbenz)
        "e": tuple(1.0 - v for v in sig_end),               # paper e_{k+1}
    }


def _gamma_variable(arg) -> tuple[Variable, Fraction]:
    """The probed gamma range: the argument's interval with an open end at 0 moved to GAMMA_MIN; default its bound."""
    iv = arg.interval
    lo, hi = Fraction(int(iv.lo.p), int(iv.lo.q)), Fraction(int(iv.hi.p), int(iv.hi.q))
    if iv.lo_open and lo == 0:
        lo = GAMMA_MIN
    if iv.hi_open and hi == 0:
        hi = -GAMMA_MIN
    bound = lo if abs(lo) >= abs(hi) else hi
    return Variable(str(arg.symbol), lo, hi, False, False), bound


def probe_kernels(registry=None) -> dict[str, ProbeKernel]:
    """Every scalar kernel of the registry, with its probed ranges and the default schedule's points."""
    defaults = _default_points()
    out = {}
    for spec in _registry(registry).kernels:
        x, g = spec.args
        xi = x.interval
        x_var = Variable("x", Fraction(int(xi.lo.p), int(xi.lo.q)), Fraction(int(xi.hi.p), int(xi.hi.q)), True, True)
        g_var, g_default = _gamma_variable(g)
        out[spec.name] = ProbeKernel(spec, x_var, g_var, defaults.get(x.name, ()), g_default)
    return out


@dataclass
class Form:
    """A way of computing a kernel: ``fn(x, gamma)`` on arrays of ``backend`` (a target's array library)."""

    name: str
    kernel: str
    backend: str
    fn: Callable | None
    note: str = ""

    @property
    def available(self) -> bool:
        return self.fn is not None


def _namespace(target):
    """The array namespace of a target (``numpy``, ``torch``, ``jax.numpy``): the context the one definitions run in."""
    return importlib.import_module(target.printer_class()._module)


def _emitted(target, name: str):
    """The emitted function, or (None, reason)."""
    try:
        mod = importlib.import_module(target.module)
    except Exception as exc:  # noqa: BLE001 - any import failure means "not available", reported as a note
        return None, f"{target.module} cannot be imported ({type(exc).__name__}: {exc})"
    fn = getattr(mod, name, None)
    return fn, "" if fn is not None else f"{target.module} has no {name}"


def forms_for(pk: ProbeKernel, fmt_name: str, registry=None) -> list[Form]:
    """Every form of ``pk`` for one format.

    The transcribed forms run on the first available target that computes in the format
    (NumPy, or for bfloat16 torch or JAX); each emitted form on its own target.
    """
    import sympy

    reg = _registry(registry)
    hosts = [t for t in reg.targets if fmt_name in t.dtypes and t.available()]
    out: list[Form] = []
    host = hosts[0] if hosts else None
    missing = f"no installed target computes in {fmt_name}"
    for form_name in ("code", "paper"):
        f = pk.spec.forms.get(form_name)
        if f is None:
            out.append(Form(form_name, pk.name, "", None, pk.spec.absent.get(form_name, "no such form")))
        elif host is None:
            out.append(Form(form_name, pk.name, "", None, missing))
        else:
            ns = _namespace(host)
            out.append(Form(form_name, pk.name, host.name, lambda x, g, f=f, ns=ns: f(x, g, ns)))
    if host is None:
        out.append(Form("lambdify", pk.name, "", None, missing))
    else:
        try:
            lf = sympy.lambdify(pk.symbols, pk.expr, host.requires)
            out.append(Form("lambdify", pk.name, host.name, lf, f"sympy.lambdify, {host.requires} module"))
        except Exception as exc:  # noqa: BLE001 - a printer failure is itself a finding, reported as a note
            out.append(Form("lambdify", pk.name, host.name, None, f"lambdify failed: {exc}"))
    for target in reg.targets:
        name = f"emitted {target.name}"
        if fmt_name not in target.dtypes:
            out.append(Form(name, pk.name, target.name, None, f"{target.name} has no {fmt_name}"))
        elif not target.available():
            out.append(Form(name, pk.name, target.name, None,
                            f"{target.requires} is not installed (from a clone: pip install -e \".[{target.extra}]\")"))
        else:
            fn, why = _emitted(target, pk.name)
            out.append(Form(name, pk.name, target.name, fn, why))
    return out
