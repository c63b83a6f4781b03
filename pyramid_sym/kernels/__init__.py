"""Kernels: functions printed from the proved formulas for each target, and the exact block-noise sampler.

* :mod:`pyramid_sym.kernels.registry`: the one list of kernels and targets; everything
  else (emission, probe, fuzz lists, benchmarks, help texts) is derived from it.
* :mod:`pyramid_sym.kernels.numpy_kernels`, :mod:`pyramid_sym.kernels.torch_kernels`,
  :mod:`pyramid_sym.kernels.jax_kernels`: the emitted modules (``pyramid-sym emit
  --target numpy|torch|jax``), checked in and kept byte-identical to a fresh emission by
  the tests.  Each imports only its array library, so importing it does not import SymPy.
* :mod:`pyramid_sym.kernels.printers`: one SymPy printer subclass per target;
  :mod:`pyramid_sym.kernels.runtime`: the runtime code pasted into the emitted modules;
  :mod:`pyramid_sym.kernels.sampler`: the sampler's closed form as SymPy;
  :mod:`pyramid_sym.kernels.emit`: :func:`emit_module`.

Nothing heavy is imported here: ``import pyramid_sym.kernels`` is cheap, and each
submodule is imported on first use.
"""

from __future__ import annotations

import importlib

__all__ = ["emit_module", "KERNEL_NAMES", "TARGET_NAMES"]

_LAZY = ("numpy_kernels", "torch_kernels", "jax_kernels", "registry", "acceptance", "sampler", "emit", "printers",
         "runtime")


def emit_module(target: str) -> str:
    """The text of the standalone kernel module for ``target`` (a target of the registry)."""
    from .emit import emit_module as _emit

    return _emit(target)


def __getattr__(name: str):
    if name in ("KERNEL_NAMES", "TARGET_NAMES"):
        from .registry import REGISTRY

        return REGISTRY.names if name == "KERNEL_NAMES" else REGISTRY.target_names
    if name in _LAZY:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
