"""Covariance probe: the reference code's block covariance (1 + gamma_c) I - gamma_c J as gamma_c -> 1/3.

Its eigenvalues are 1 + gamma_c (three times) and 1 - 3 gamma_c (along the all-ones
vector): at the default gamma_c = 1/3 it is exactly singular.  This module measures,
in float32 and float64, the smallest eigenvalue computed by NumPy and torch against
the exact one, whether Cholesky succeeds (NumPy, ``torch.linalg.cholesky_ex``, and
torch's ``MultivariateNormal``), and the last Cholesky pivot: the numbers behind
the reference code's "not positive definite" failure on recent torch.

Two exact values are given for each row: ``1 - 3 gamma (+ jitter)`` at the dtype's
gamma (the formula), and the smallest eigenvalue of the matrix as *stored* in the
dtype, ``fl(1 + jitter) - 3 gamma`` (what any algorithm in that dtype starts from: a
jitter of 1e-8 is lost in float32).
Note that float32's nearest value to 1/3 is 0.3333333432674408..., *above* 1/3: in
float32 the code's default covariance is not singular but indefinite.
"""

from __future__ import annotations

import warnings
from fractions import Fraction

import numpy as np

__all__ = ["covariance_rows", "exact_last_pivot", "cholesky_pivots", "BLOCK"]

BLOCK = 4  # a 2x2 up-sampling block has 4 entries


def _matrix(g: float, dtype, jitter: float = 0.0) -> np.ndarray:
    """(1 + g) I - g J (1 on the diagonal, -g off it) in ``dtype``, plus ``jitter`` added to the diagonal in ``dtype``."""
    g = dtype(g)
    m = np.full((BLOCK, BLOCK), -g, dtype=dtype)
    diag = dtype(1)
    if jitter:
        diag = diag + dtype(jitter)
    np.fill_diagonal(m, diag)
    return m


def exact_last_pivot(m: np.ndarray) -> Fraction:
    """The last pivot of an unpivoted Cholesky (LDL^T) of the exact rational matrix ``m`` (entries taken exactly)."""
    a = [[Fraction(float(v)) for v in row] for row in m]
    n = len(a)
    for k in range(n - 1):
        if a[k][k] == 0:
            raise ZeroDivisionError("zero pivot")
        for i in range(k + 1, n):
            f = a[i][k] / a[k][k]
            for j in range(k + 1, n):
                a[i][j] -= f * a[k][j]
    return a[n - 1][n - 1]


def cholesky_pivots(m: np.ndarray) -> list:
    """The pivots ``d_j = a_jj - sum_k L_jk^2`` of a textbook Cholesky in ``m``'s dtype; stops at the first pivot <= 0."""
    dt = m.dtype.type
    n = m.shape[0]
    L = np.zeros_like(m)
    pivots = []
    with np.errstate(all="ignore"):
        for j in range(n):
            d = dt(m[j, j] - np.sum(L[j, :j] * L[j, :j], dtype=m.dtype))
            pivots.append(d)
            if not d > 0:
                break
            L[j, j] = np.sqrt(d)
            for i in range(j + 1, n):
                L[i, j] = dt((m[i, j] - np.sum(L[i, :j] * L[j, :j], dtype=m.dtype)) / L[j, j])
    return pivots


def _gammas(quick: bool) -> list[tuple[str, Fraction | None]]:
    ks = (2, 4, 6, 7, 8, 10, 12, 14, 16) if quick else tuple(range(1, 18))
    rows = [(f"1/3 - 1e-{k}", Fraction(1, 3) - Fraction(1, 10**k)) for k in ks]
    rows.append(("1/3", Fraction(1, 3)))
    return rows


def _round(x: Fraction, dtype) -> float:
    """Nearest value of ``dtype`` to the exact rational ``x`` (one correct rounding, no double rounding)."""
    from .reference import FORMATS, ordinal_of_fraction, values_of_ordinals

    fmt = FORMATS[np.dtype(dtype).name]
    return float(values_of_ordinals([ordinal_of_fraction(x, fmt)], fmt)[0])


def covariance_rows(quick: bool = False, torch_ok: bool = True) -> list[dict]:
    """One row per (dtype, gamma, jitter): exact and computed smallest eigenvalue, Cholesky outcomes, last pivot."""
    rows = []
    torch = None
    if torch_ok:
        import torch  # noqa: F811
    specs = [(name, g, 0.0) for name, g in _gammas(quick)]
    # ports of the reference code add a small jitter to the diagonal at gamma = 1/3
    specs += [("1/3", Fraction(1, 3), 1e-6), ("1/3", Fraction(1, 3), 1e-8)]
    for dname, dtype in (("float32", np.float32), ("float64", np.float64)):
        for label, gx, jitter in specs:
            g = _round(gx, dtype)
            m = _matrix(g, dtype, jitter)
            gF = Fraction(g)
            stored_diag = Fraction(float(m[0, 0]))
            exact_formula = 1 - 3 * gF + Fraction(jitter)
            exact_stored = stored_diag - 3 * gF      # eigenvalue along (1,1,1,1) of the stored matrix
            # (the stored matrix is d I - g (J - I) = (d + g) I - g J: eigenvalues d + g and d - 3 g)
            lam_np = float(np.linalg.eigvalsh(m).min())
            try:
                np.linalg.cholesky(m)
                chol_np = True
            except np.linalg.LinAlgError:
                chol_np = False
            piv = cholesky_pivots(m)
            row = {
                "dtype": dname, "gamma": label, "jitter": jitter,
                "gamma_in_dtype": g,
                "distance_to_one_third": float(Fraction(1, 3) - gF),
                "exact_lambda_min": float(exact_formula),
                "exact_lambda_min_stored": float(exact_stored),
                "numpy_lambda_min": lam_np,
                "numpy_cholesky": chol_np,
                "last_pivot": float(piv[-1]),
                "pivots_completed": len(piv) == BLOCK and bool(piv[-1] > 0),
                "exact_last_pivot_stored": float(exact_last_pivot(m)),
            }
            if torch is not None:
                t = torch.from_numpy(m.copy())
                row["torch_lambda_min"] = float(torch.linalg.eigvalsh(t).min())
                row["torch_cholesky"] = int(torch.linalg.cholesky_ex(t).info) == 0
                try:
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        torch.distributions.MultivariateNormal(torch.zeros(BLOCK, dtype=t.dtype), covariance_matrix=t)
                    row["torch_multivariate_normal"] = True
                except (ValueError, RuntimeError):
                    row["torch_multivariate_normal"] = False
            rows.append(row)
    return rows
