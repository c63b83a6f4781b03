"""Kernel printers: SymPy's NumPy printer, subclassed per target the way SymPy subclasses it.

Each target's printer sets the class attributes SymPy's printers use, ``_module`` (the
array namespace) and ``_kf`` (known functions: here only ``sqrt``, printed as ``_kf["sqrt"]``: ``numpy.sqrt``,
``jax.numpy.sqrt``, or torch's runtime ``_root``, the root rounded correctly on CPU); SymPy's own
``_print_Pow`` helper prints ``sqrt``, ``1/sqrt`` and ``1/x``.  What the kernels need
beyond SymPy's defaults:

* constants exact and weak: an irrational constant is printed as the correctly rounded
  double (``repr``, exact round trip) and a rational as ``p/q``; both are Python floats,
  weak under NumPy 2 and torch/JAX promotion, so they never upcast a float32 array;
* ``b - a`` rather than ``-a + b`` (a negation is one more array operation);
* integer powers printed as SymPy prints them, negative powers only as ``1/x`` and
  ``1/sqrt(x)``, and any other function or power refused with :class:`EmitError`:
  printed text is what runs, so anything SymPy would print as unsupported, or through a
  function outside ``_kf``, is an error, not a comment in the output.
"""

from __future__ import annotations

import sympy
from sympy.printing.numpy import NumPyPrinter
from sympy.printing.precedence import precedence
from sympy.printing.pycode import PythonCodePrinter

from ..errors import UsageError

__all__ = ["EmitError", "KernelPrinter", "NumPyKernelPrinter", "TorchKernelPrinter", "JaxKernelPrinter",
           "ExactPrinter"]


class EmitError(UsageError):
    """A formula that the kernel printer cannot print faithfully, or an unknown target."""


_ALLOWED = (sympy.Symbol, sympy.Add, sympy.Mul, sympy.Pow)  # and numbers; functions are Pow (sqrt) or refused


class KernelPrinter(NumPyPrinter):
    """Base of the kernel printers: exact weak constants, the root ``_kf["sqrt"]`` the only call."""

    _module = "numpy"
    _kf = {"sqrt": "numpy.sqrt"}
    _kc: dict = {}
    _default_settings = {**NumPyPrinter._default_settings, "fully_qualified_modules": True,
                         "allow_unknown_functions": False}

    def __init__(self, settings=None):
        super().__init__(settings)
        # NumPyPrinter merges Python's math functions into the known functions; a kernel knows sqrt only
        self._kf = dict(type(self)._kf)
        self.known_functions = dict(self._kf)
        self.known_constants = {}

    def _print(self, expr, **kwargs):
        if isinstance(expr, sympy.Basic) and not expr.is_number and not isinstance(expr, _ALLOWED):
            raise EmitError(f"the kernel printer cannot print {expr} ({type(expr).__name__}): a kernel is "
                            f"arithmetic and {', '.join(self._kf)} only.")
        if isinstance(expr, sympy.Expr) and expr.is_number and not expr.is_Rational:
            value = sympy.N(expr, 40)
            if not value.is_real:
                raise EmitError(f"constant {expr} is not real; the kernel printer prints real constants only.")
            text = repr(float(value))
            return f"({text})" if text.startswith("-") else text
        return super()._print(expr, **kwargs)

    def _print_Rational(self, expr):
        return f"{expr.p}/{expr.q}"

    def _print_Integer(self, expr):
        return str(expr.p)

    def _print_Add(self, expr, order=None):
        # positive terms first: "b - a" rather than "-a + b"; for two terms both orders round identically
        terms = list(expr.as_ordered_terms())
        terms = [t for t in terms if not t.could_extract_minus_sign()] + \
                [t for t in terms if t.could_extract_minus_sign()]
        prec = precedence(expr)
        out = ""
        for i, term in enumerate(terms):
            neg = term.could_extract_minus_sign()
            text = self.parenthesize(-term if neg else term, prec)
            out += (f"-{text}" if neg else text) if i == 0 else (f" - {text}" if neg else f" + {text}")
        return out

    def _print_Pow(self, expr, rational=False):
        if expr.exp in (-1, sympy.S.Half, -sympy.S.Half) or (expr.exp.is_Integer and expr.exp > 0):
            return self._hprint_Pow(expr, rational=rational, sqrt=self._kf["sqrt"])
        raise EmitError(f"the kernel printer cannot print the power {expr} exactly.")

    def _print_not_supported(self, expr):
        raise EmitError(f"the kernel printer cannot print {expr} ({type(expr).__name__}).")


class NumPyKernelPrinter(KernelPrinter):
    """NumPy (``numpy.sqrt``)."""

    _module = "numpy"
    _kf = {"sqrt": "numpy.sqrt"}


class TorchKernelPrinter(KernelPrinter):
    """torch (``_root``: ``torch.sqrt`` rounded correctly, see the torch runtime)."""

    _module = "torch"
    _kf = {"sqrt": "_root"}


class JaxKernelPrinter(KernelPrinter):
    """JAX (``jax.numpy.sqrt``)."""

    _module = "jax.numpy"
    _kf = {"sqrt": "jax.numpy.sqrt"}


class ExactPrinter(PythonCodePrinter):
    """Prints for exact Fraction arithmetic: ``_sqrt`` (the one rounded operation) instead of ``math.sqrt``."""

    _default_settings = {**PythonCodePrinter._default_settings, "fully_qualified_modules": True}

    def _print_Pow(self, expr, rational=False):
        if expr.exp == sympy.S.Half:
            return f"_sqrt({self._print(expr.base)})"
        if expr.exp.is_Integer:
            return super()._print_Pow(expr, rational)
        raise EmitError(f"the sampler printer cannot print {expr} exactly.")

    def _print_Rational(self, expr):
        return f"Fraction({expr.p}, {expr.q})"
