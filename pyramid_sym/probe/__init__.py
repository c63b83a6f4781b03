"""mpmath stability probe of the kernels (``pyramid-sym probe``).

Each kernel is measured in float16, bfloat16 (torch), float32 and float64 against a
certified reference (its SymPy formula evaluated with mpmath at the exact input, at
two working precisions that must round alike), in ULPs of the dtype, over log-spaced
approaches to both ends of the domain, a uniform interior grid and random bit
patterns; the reference code's form, the paper's form, a naive ``lambdify`` and the
emitted kernels side by side.  The block-covariance probe measures the smallest
eigenvalue and Cholesky as gamma_c -> 1/3.

Modules: :mod:`.reference` (exact values, ULP distance), :mod:`.inputs` (points),
:mod:`.forms` (kernels and forms), :mod:`.engine` (the run), :mod:`.report` (table,
JSON), :mod:`.plots` (PNG), :mod:`.covariance`.
"""

from .engine import BOUNDS, ProbeResult, run_probe
from .reference import FORMATS, ExactFunction, ordinal_of_mpf, ulp_distance

__all__ = ["run_probe", "ProbeResult", "BOUNDS", "FORMATS", "ExactFunction", "ordinal_of_mpf", "ulp_distance"]
