"""Runtime code of the emitted kernel modules: real modules, imported, linted and tested like any code.

``_shared`` holds what every target needs (scalar interval checks, the block layout, the
sampler's gamma); ``numpy_runtime``, ``torch_runtime`` and ``jax_runtime`` hold each
target's dtype policy (``_prepare``, ``_finish``), ``block_noise`` and ``renoise``.  The
emitter (:mod:`pyramid_sym.kernels.emit`) pastes the body of ``_shared`` and of the
target's module (everything after its imports) into the standalone module, after the
definitions it prints from the registry; a target module's docstring becomes the emitted
module's docstring.  Names a runtime module takes from the emitted module (the printed
kernels, ``_sampler_coefficients``, the argument checks ``_ARRAY_KERNEL_ARGS``) are imported
from the checked-in emitted module by a relative import, which the emitter drops.
"""
