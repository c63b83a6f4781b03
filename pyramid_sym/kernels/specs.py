"""The scalar kernels of :mod:`pyramid_sym.kernels.registry`, under the name the ledger and benchmarks import."""

from __future__ import annotations

from .registry import KERNELS, KernelSpec, arg_symbol, kernel

__all__ = ["KernelSpec", "KERNELS", "kernel", "arg_symbol"]
