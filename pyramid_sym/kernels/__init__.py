"""Kernels: NumPy and Torch functions printed from the proved formulas, and the exact block-noise sampler.

* :mod:`pyramid_sym.kernels.numpy_kernels`, :mod:`pyramid_sym.kernels.torch_kernels`:
  the emitted modules (``pyramid-sym emit --target numpy|torch``), checked in and
  kept byte-identical to a fresh emission by the tests.  They import only NumPy or
  torch, so importing them does not import SymPy.
* :mod:`pyramid_sym.kernels.specs`: which formula (and which stable rewrite of
  :mod:`pyramid_sym.rewriting`) each kernel computes;
  :mod:`pyramid_sym.kernels.sampler`: the sampler's closed form as SymPy;
  :mod:`pyramid_sym.kernels.emit`: the printer and :func:`emit_module`.

Nothing heavy is imported here: ``import pyramid_sym.kernels`` is cheap, and each
submodule is imported on first use.
"""

from __future__ import annotations

import importlib

__all__ = ["emit_module", "numpy_kernels", "torch_kernels", "KERNEL_NAMES"]

KERNEL_NAMES = (
    "jump_end_time", "jump_start_time", "upsample_scale", "renoise_std",
    "corrected_start_sigma", "renoise_alpha", "renoise_beta", "block_noise", "renoise",
)


def emit_module(target: str) -> str:
    """The text of the standalone kernel module for ``target`` ("numpy" or "torch")."""
    from .emit import emit_module as _emit

    return _emit(target)


def __getattr__(name: str):
    if name in ("numpy_kernels", "torch_kernels", "specs", "sampler", "emit"):
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
