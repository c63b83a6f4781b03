"""First-principles derivations of the jump point (``pyramid-sym derive``).

Each derivation is a :class:`Derivation`: an ordered list of :class:`Step` objects
(a statement, the SymPy objects it produced, their LaTeX displays) and a dict of
results.  Block sizes: an int n (the actual n x n matrices) or ``"general"`` (the
symbol n, through the block algebra a I + b J with J^2 = n J).  The documents in
``derivations/`` are rendered from them (:func:`documents`).

Derivations (paper convention, t = signal level, gamma < 0, unless a step says otherwise):

- :func:`derive_jump_point`: e_{k+1}, alpha and the scale from the moment conditions (eqs. 20-27);
- :func:`derive_gamma_range`: the admissible range [-1/(n-1), 0) of gamma, the singular code default;
- :func:`derive_alpha_minimal`: alpha increases with gamma, so it is minimal at the bound;
- :func:`derive_training_marginal`: the re-noised jump has the training marginal of eq. 8;
- :func:`derive_noise_pyramid`: the factor 2 of the noise pyramid and the coupling of eqs. 9-10.
"""

from ._base import Derivation, DerivationError, Display, Step
from ._algebra import BLOCKS, IJ, is_zero_radical, parse_block, reduce_radicals
from .alpha_minimal import derive_alpha_minimal
from .documents import DOCUMENTS, TOPICS, derive, documents, stale_documents, write_documents
from .gamma_range import derive_gamma_range
from .jump_point import derive_jump_point
from .noise_pyramid import derive_noise_pyramid
from .training_marginal import derive_training_marginal

__all__ = [
    "Derivation", "DerivationError", "Display", "Step", "BLOCKS", "IJ", "parse_block", "reduce_radicals",
    "is_zero_radical", "derive", "derive_jump_point", "derive_gamma_range", "derive_alpha_minimal",
    "derive_training_marginal", "derive_noise_pyramid", "TOPICS", "DOCUMENTS", "documents", "write_documents",
    "stale_documents",
]
