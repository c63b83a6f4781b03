"""The kernels probed and the forms of each, compared side by side.

Kernels (the public contract of ``pyramid_sym.kernels.numpy_kernels`` and
``pyramid_sym.kernels.torch_kernels``):

* paper convention (t = signal level, gamma in [-1/3, 0)):
  ``jump_end_time(s, gamma)`` = e_{k+1} (eq. 25), ``jump_start_time(e, gamma)`` = s_k
  (eq. 25 solved for s_k), ``upsample_scale(s, gamma)`` = s_k / e_{k+1} (eq. 20's
  coefficient), ``renoise_std(s, gamma)`` = alpha (eq. 25);
* code convention (sigma = noise level, gamma_c in (0, 1/3]):
  ``corrected_start_sigma(sigma_end, gamma_c)``, ``renoise_alpha(sigma_end, gamma_c)``,
  ``renoise_beta(sigma_end, gamma_c)``.

Forms of each kernel:

* ``code``: the reference code's formula *as written*, transcribed here for the probe
  (not the reference code itself) and evaluated in the target dtype, every
  intermediate rounded to it (``1/gamma_c`` included, so float16 overflows where
  the code's would);
* ``paper``: the paper's formula as written (eq. 25 and, for a start time, eq. 25
  solved for s_k), converted to the kernel's convention with ``t = 1 - sigma`` and
  ``gamma = -gamma_c`` computed in the dtype;
* ``lambdify``: ``sympy.lambdify`` of the exact formula with the NumPy module (for
  bfloat16, the torch module: NumPy has no bfloat16);
* ``emitted numpy`` / ``emitted torch``: the emitted stable kernels.

The exact function for the reference is the SymPy formula of
:mod:`pyramid_sym.formulas.paper` / :mod:`pyramid_sym.formulas.code`.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from fractions import Fraction
from typing import Callable

import numpy as np

from .inputs import Variable

__all__ = ["KernelSpec", "Form", "kernel_specs", "forms_for", "FORM_NAMES", "KERNEL_NAMES", "EMITTED_FORMS"]

KERNEL_NAMES = ("jump_end_time", "jump_start_time", "upsample_scale", "renoise_std",
                "corrected_start_sigma", "renoise_alpha", "renoise_beta")
FORM_NAMES = ("code", "paper", "lambdify", "emitted numpy", "emitted torch")
EMITTED_FORMS = ("emitted numpy", "emitted torch")

_UNIT = Variable("x", Fraction(0), Fraction(1), True, True)
GAMMA_MIN = Fraction(1, 10**8)   # the probe's smallest |gamma| (the stated domain)
_GAMMA_PAPER = Variable("gamma", Fraction(-1, 3), -GAMMA_MIN, False, False)
_GAMMA_CODE = Variable("gamma_c", GAMMA_MIN, Fraction(1, 3), False, False)


@dataclass(frozen=True)
class KernelSpec:
    """One kernel: its name, convention, exact SymPy expression of (x, gamma), and the probed domain."""

    name: str
    convention: str            # "paper" or "code"
    x_name: str                # "s", "e" or "sigma_end"
    gamma_name: str            # "gamma" (< 0) or "gamma_c" (> 0)
    expr: object               # SymPy expression
    symbols: tuple             # (x symbol, gamma symbol)
    source: str
    x_var: Variable
    gamma_var: Variable
    default_x: tuple[float, ...]   # the default schedule's points, in this kernel's input variable
    default_gamma: Fraction

    @property
    def gamma_sign(self) -> int:
        return -1 if self.convention == "paper" else 1


def kernel_specs() -> dict[str, KernelSpec]:
    """The seven kernels, with exact expressions from the formula modules."""
    from ..conventions import e_next, gamma, gamma_c, s_k, sigma_end
    from ..formulas import code, paper
    from .inputs import default_schedule

    d = default_schedule()
    sig_end = tuple(d["sigma_end"])                 # 0.667, 0.334 as stored in float32
    s_start = tuple(1.0 - v for v in d["start_sigma"])  # paper s_k of stages 1, 2 (exact: Sterbenz)
    e_end = tuple(1.0 - v for v in sig_end)         # paper e_{k+1}

    def spec(name, conv, xn, expr, syms, source, defaults):
        gv = _GAMMA_PAPER if conv == "paper" else _GAMMA_CODE
        return KernelSpec(name, conv, xn, "gamma" if conv == "paper" else "gamma_c", expr, syms, source,
                          _UNIT, gv, defaults, Fraction(-1, 3) if conv == "paper" else Fraction(1, 3))

    P, C = (s_k, gamma), (sigma_end, gamma_c)
    return {k.name: k for k in (
        spec("jump_end_time", "paper", "s", paper.e_next_of_s(), P, "paper eq. 25 (e_{k+1})", s_start),
        spec("jump_start_time", "paper", "e", paper.s_of_e_next(e_next, gamma).xreplace({e_next: s_k}), P,
             "paper eq. 25 solved for s_k", e_end),
        spec("upsample_scale", "paper", "s", s_k / paper.e_next_of_s(), P,
             "paper eq. 20 coefficient s_k/e_{k+1} with eq. 25", s_start),
        spec("renoise_std", "paper", "s", paper.alpha_of_s(), P, "paper eq. 25 (alpha)", s_start),
        spec("corrected_start_sigma", "code", "sigma_end", code.start_sigma_of(), C,
             "code: scheduler corrected start (1 - corrected)", sig_end),
        spec("renoise_alpha", "code", "sigma_end", code.alpha_of(), C, "code: re-noising alpha", sig_end),
        spec("renoise_beta", "code", "sigma_end", code.beta_of(), C, "code: re-noising beta", sig_end),
    )}


# --- reference transcriptions, evaluated in the input dtype -------------------------------
# ``sqrt`` is NumPy's or torch's; Python int constants keep the array's dtype (NumPy 2 NEP 50,
# torch type promotion), so every intermediate is rounded to the target dtype.

def _code_corrected(e, gc, sqrt):
    """Code (as written): corrected = e / (sqrt(1 + 1/gamma_c) (1 - e) + e), e a signal level."""
    r = sqrt(1 + 1 / gc)
    return e / (r * (1 - e) + e)


def _code_alpha(e, gc, sqrt):
    """Code (as written): alpha = 1 / (r (1 - e) + e), r = sqrt(1 + 1/gamma_c)."""
    r = sqrt(1 + 1 / gc)
    return 1 / (r * (1 - e) + e)


def _paper_e_next(s, g, sqrt):
    """Paper eq. 25 (as written): e_{k+1} = s sqrt(1-gamma) / ((1-s) sqrt(-gamma) + s sqrt(1-gamma))."""
    return s * sqrt(1 - g) / ((1 - s) * sqrt(-g) + s * sqrt(1 - g))


def _paper_s_of_e(e, g, sqrt):
    """Paper eq. 25 solved for s_k (as a transcription): s = e sqrt(-gamma) / ((1-e) sqrt(1-gamma) + e sqrt(-gamma))."""
    return e * sqrt(-g) / ((1 - e) * sqrt(1 - g) + e * sqrt(-g))


def _paper_alpha(s, g, sqrt):
    """Paper eq. 25 (as written): alpha = (1 - s) / sqrt(1 - gamma)."""
    return (1 - s) / sqrt(1 - g)


_CODE_FORMS: dict[str, Callable] = {
    # paper-convention kernel computed by the code's formula: the code derives s_k from e_{k+1}
    "jump_start_time": lambda e, g, sqrt: _code_corrected(e, -g, sqrt),
    "corrected_start_sigma": lambda sig, gc, sqrt: 1 - _code_corrected(1 - sig, gc, sqrt),
    "renoise_alpha": lambda sig, gc, sqrt: _code_alpha(1 - sig, gc, sqrt),
    "renoise_beta": lambda sig, gc, sqrt: _code_alpha(1 - sig, gc, sqrt) * (1 - (1 - sig)) / sqrt(gc),
}
_CODE_ABSENT = {
    "jump_end_time": "the reference code never computes e_{k+1} from s_k",
    "upsample_scale": "the reference code computes s_k/e_{k+1} only from e_{k+1} (its alpha)",
    "renoise_std": "the reference code computes the noise weight only from e_{k+1} (its beta)",
}
_PAPER_FORMS: dict[str, Callable] = {
    "jump_end_time": _paper_e_next,
    "jump_start_time": _paper_s_of_e,
    "upsample_scale": lambda s, g, sqrt: s / _paper_e_next(s, g, sqrt),
    "renoise_std": _paper_alpha,
    # code-convention kernels through the paper: t = 1 - sigma, gamma = -gamma_c, in the dtype
    "corrected_start_sigma": lambda sig, gc, sqrt: 1 - _paper_s_of_e(1 - sig, -gc, sqrt),
    "renoise_alpha": lambda sig, gc, sqrt: _paper_s_of_e(1 - sig, -gc, sqrt) / (1 - sig),
    "renoise_beta": lambda sig, gc, sqrt: _paper_alpha(_paper_s_of_e(1 - sig, -gc, sqrt), -gc, sqrt),
}


@dataclass
class Form:
    """A way of computing a kernel: ``fn(x, gamma)`` on NumPy arrays (``backend == "numpy"``) or torch tensors."""

    name: str
    kernel: str
    backend: str                     # "numpy" or "torch"
    fn: Callable | None
    note: str = ""

    @property
    def available(self) -> bool:
        return self.fn is not None


def _np_sqrt(x):
    return np.sqrt(x)


def _torch_sqrt(x):
    import torch

    return torch.sqrt(x)


def _emitted_module(backend: str):
    """The emitted kernel module, or (None, reason) when it cannot be imported."""
    name = f"pyramid_sym.kernels.{'numpy' if backend == 'numpy' else 'torch'}_kernels"
    try:
        return importlib.import_module(name), ""
    except Exception as exc:  # noqa: BLE001 - any import failure means "not available", reported as a note
        return None, f"{name} cannot be imported ({type(exc).__name__}: {exc})"


def forms_for(spec: KernelSpec, fmt_name: str, *, torch_ok: bool) -> list[Form]:
    """Every form of ``spec`` for one format (bfloat16 only through torch)."""
    import sympy

    bf16 = fmt_name == "bfloat16"
    backend = "torch" if bf16 else "numpy"
    sqrt = _torch_sqrt if bf16 else _np_sqrt
    out: list[Form] = []
    no_torch = "torch is not installed (pip install 'pyramid-sym[torch]')"

    def transcribed(table, absent, form_name):
        f = table.get(spec.name)
        if f is None:
            return Form(form_name, spec.name, backend, None, absent.get(spec.name, "no such form"))
        if bf16 and not torch_ok:
            return Form(form_name, spec.name, backend, None, no_torch)
        return Form(form_name, spec.name, backend, lambda x, g, f=f: f(x, g, sqrt))

    out.append(transcribed(_CODE_FORMS, _CODE_ABSENT, "code"))
    out.append(transcribed(_PAPER_FORMS, {}, "paper"))

    if bf16 and not torch_ok:
        out.append(Form("lambdify", spec.name, backend, None, no_torch))
    else:
        module = "torch" if bf16 else "numpy"
        try:
            lf = sympy.lambdify(spec.symbols, spec.expr, module)
            out.append(Form("lambdify", spec.name, backend, lf,
                            "sympy.lambdify, torch module" if bf16 else "sympy.lambdify, numpy module"))
        except Exception as exc:  # noqa: BLE001 - a printer failure is itself a finding, reported as a note
            out.append(Form("lambdify", spec.name, backend, None, f"lambdify failed: {exc}"))

    if bf16:
        out.append(Form("emitted numpy", spec.name, "numpy", None, "NumPy has no bfloat16; see emitted torch"))
    else:
        mod, why = _emitted_module("numpy")
        fn = getattr(mod, spec.name, None) if mod is not None else None
        out.append(Form("emitted numpy", spec.name, "numpy", fn,
                        why if mod is None else ("" if fn else f"numpy_kernels has no {spec.name}")))
    if not torch_ok:
        out.append(Form("emitted torch", spec.name, "torch", None, no_torch))
    else:
        mod, why = _emitted_module("torch")
        fn = getattr(mod, spec.name, None) if mod is not None else None
        out.append(Form("emitted torch", spec.name, "torch", fn,
                        why if mod is None else ("" if fn else f"torch_kernels has no {spec.name}")))
    return out
