"""The exact block-noise sampler's closed form, as SymPy (code convention: gamma_c > 0).

Each block of n entries must be ~ N(0, (1 + gamma_c) I - gamma_c J) (J all ones), the
reference code's block covariance.  With P = J/n the projector on the all-ones
direction, that covariance is (1 + gamma_c)(I - P) + (1 - (n - 1) gamma_c) P, so
for z ~ N(0, I_n)

    x = a (z + k mean(z) 1),   a = sqrt(1 + gamma_c),
    k = sqrt((1 - (n-1) gamma_c) / (1 + gamma_c)) - 1
      = -n gamma_c / ((1 + gamma_c) + sqrt((1 + gamma_c)(1 - (n-1) gamma_c)))

has exactly that covariance: x = M z with M = a (I + (k/n) J), M M^T = a^2 (I + ((2k + k^2)/n) J).
No Cholesky factor is needed, so the singular bound gamma_c = 1/(n-1) is as easy as
any other value: there 1 + k = 0 and every block sum vanishes.  The second form of
k avoids the cancellation sqrt(1 - small) - 1 for small gamma_c, and with gamma_c an
exact fraction it is exactly -1 at the bound (the only rounded operation is the
square root, which is sqrt(0) = 0 there).

The emitted samplers compute ``a`` and ``k`` from these expressions (printed, not
retyped); the ledger proves ``M M^T = (1 + gamma_c) I - gamma_c J`` for n = 2, 4, 8 and
``1 + k = 0`` at the bound (claims ``sampler.*``).
"""

from __future__ import annotations

import sympy
from sympy import sqrt

from ..conventions import gamma_c

__all__ = ["n_block", "sampler_scale", "sampler_shift", "sampler_matrix", "block_covariance_target"]

n_block = sympy.Symbol("n", integer=True, positive=True)  # entries per block


def sampler_scale(gc=gamma_c):
    """a = sqrt(1 + gamma_c): standard deviation of every entry before the block-mean correction."""
    return sqrt(1 + gc)


def sampler_shift(gc=gamma_c, n=n_block):
    """k = -n gamma_c / ((1 + gamma_c) + sqrt((1 + gamma_c)(1 - (n-1) gamma_c))): weight of the block mean."""
    return -n * gc / ((1 + gc) + sqrt((1 + gc) * (1 - (n - 1) * gc)))


def sampler_matrix(n: int, gc=gamma_c) -> sympy.ImmutableMatrix:
    """M = a (I + (k/n) J), the linear map from one block of N(0, I) draws to one block of noise."""
    a, k = sampler_scale(gc), sampler_shift(gc, n)
    return sympy.ImmutableMatrix(n, n, lambda i, j: a * ((1 if i == j else 0) + k / n))


def block_covariance_target(n: int, gc=gamma_c) -> sympy.ImmutableMatrix:
    """(1 + gamma_c) I - gamma_c J: the reference code's block covariance (formula code.block_covariance), n entries."""
    from ..formulas.code import block_covariance

    return block_covariance(n, gc)
