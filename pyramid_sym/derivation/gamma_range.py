"""Why gamma lives in [-1/(n-1), 0): the eigenvalues of Sigma', positive semidefiniteness, the singular default.

Paper convention for gamma (negative; Sigma' = (1 - gamma) I + gamma J); the last steps
translate to the code's positive gamma_c = -gamma, whose block covariance is
(1 + gamma_c) I - gamma_c J.  For a concrete n the actual n x n matrices are used;
for the symbol n, the block algebra a I + b J (J^2 = n J).
"""

from __future__ import annotations

import functools
import struct
from fractions import Fraction

import sympy
from sympy import Rational

from ..conventions import gamma, gamma_c, n as n_symbol
from ..formulas import code, paper
from ._algebra import BLOCKS, IJ, block_label, parse_block
from ._base import Derivation, DerivationError, Display, Step, tex

__all__ = ["derive_gamma_range", "float_gamma_c", "CONVENTION"]

CONVENTION = ("paper $\\gamma < 0$ ($\\Sigma' = (1-\\gamma) I + \\gamma J$); the code's $\\gamma_c = -\\gamma > 0$ "
              "($(1+\\gamma_c) I - \\gamma_c J$) where stated.")

_LAM1 = r"\lambda_{\mathbf{1}}"  # display labels (LaTeX), not SymPy symbols
_LAMP = r"\lambda_{\perp}"


def float_gamma_c(value=Rational(1, 3), bits: int = 32) -> Rational:
    """The exact rational value of ``value`` rounded to IEEE binary32 (bits=32) or binary64 (bits=64), round to nearest."""
    x = float(value)
    if bits == 32:
        x = struct.unpack("<f", struct.pack("<f", x))[0]
    elif bits != 64:
        raise DerivationError("bits must be 32 or 64.")
    f = Fraction(x)
    return Rational(f.numerator, f.denominator)


def derive_gamma_range(block="general") -> Derivation:
    """Paper convention (gamma < 0; the code's gamma_c = -gamma where a step says so): the admissible range of gamma
    for blocks of ``block`` entries (an int 2..16, or ``"general"``)."""
    return _derive(parse_block(block))


def _eigen_concrete(k: int):
    """Paper convention: eigen-decomposition of the actual k x k Sigma' (vectors checked by multiplication)."""
    Sp = paper.sigma_prime(k)
    ones = sympy.ImmutableMatrix([1] * k)
    lam1 = sympy.factor((Sp * ones)[0])
    if Sp * ones != lam1 * ones:
        raise DerivationError("1 is not an eigenvector.")
    lamp = None
    for j in range(1, k):
        w = sympy.ImmutableMatrix([1 if i == 0 else -1 if i == j else 0 for i in range(k)])
        lw = sympy.factor((Sp * w)[0])
        if Sp * w != lw * w:
            raise DerivationError("e_1 - e_j is not an eigenvector.")
        lamp = lw if lamp is None else lamp
        if lw != lamp:
            raise DerivationError("unequal eigenvalues on the complement.")
    ev = Sp.eigenvals()
    expected = {sympy.expand(lam1): 1, sympy.expand(lamp): k - 1} if k > 1 else {}
    if {sympy.expand(a): m for a, m in ev.items()} != expected:
        raise DerivationError(f"eigenvals() {ev} disagrees with the eigenvectors.")
    return Sp, lam1, lamp, ev


@functools.lru_cache(maxsize=None)
def _derive(block) -> Derivation:
    general = block == n_symbol
    steps: list[Step] = []
    if general:
        Sp = IJ(1 - gamma, gamma, n_symbol)
        lam1, lamp = sympy.collect(sympy.expand(Sp.eigen_ones), gamma), Sp.eigen_perp  # 1 + (n-1) gamma
        steps.append(Step(
            "Sigma' in the block algebra",
            "The corrective noise of one block has unit variances and correlation $\\gamma$: "
            "$\\Sigma' = (1-\\gamma) I_n + \\gamma J_n$. Since $J_n \\mathbf 1 = n \\mathbf 1$ and $J_n w = 0$ for every "
            "$w \\perp \\mathbf 1$, $\\Sigma'$ has the eigenvector $\\mathbf 1$ and acts as a multiple of the identity on "
            "the $(n-1)$-dimensional complement:",
            (Display(r"\Sigma' = " + Sp.latex(), "Sigma' = " + Sp.text()),
             Display.rel(_LAM1, lam1), Display(tex(_LAMP) + " = " + tex(lamp) + r"\quad (\text{multiplicity } n-1)",
                                              f"lambda_perp = {lamp} (multiplicity n-1)")),
            {"Sigma_prime": Sp, "lambda_ones": lam1, "lambda_perp": lamp},
            claims=("derive.sigma-prime-eigen",),
        ))
        det = lamp**(n_symbol - 1) * lam1
    else:
        Sp, lam1, lamp, ev = _eigen_concrete(block)
        ones = sympy.ImmutableMatrix([1] * block)
        w = sympy.ImmutableMatrix([1, -1] + [0] * (block - 2))
        steps.append(Step(
            f"Sigma' and its eigenvectors, n = {block}",
            "The corrective noise of one block has unit variances and correlation $\\gamma$. Multiplying the actual "
            f"matrix by $\\mathbf 1$ and by $e_1 - e_j$ ($j = 2, \\dots, {block}$; $j = 2$ shown) gives a full set of "
            "eigenvectors; `eigenvals()` agrees (eigenvalue: multiplicity):",
            (Display.rel(r"\Sigma'", Sp),
             Display.rel(r"\Sigma' \mathbf{1}", Sp * ones, rf"\left({tex(lam1)}\right) \mathbf{{1}}"),
             Display.rel(r"\Sigma' (e_1 - e_2)", Sp * w,
                         rf"\left({tex(lamp)}\right) (e_1 - e_2)"),
             Display.rel(r"\mathrm{eigenvals}(\Sigma')", sympy.Dict(ev))),
            {"Sigma_prime": Sp, "lambda_ones": lam1, "lambda_perp": lamp, "eigenvals": ev},
            claims=("derive.sigma-prime-eigen",),
        ))
        det = lamp**(block - 1) * lam1

    # PSD range ---------------------------------------------------------------------------------
    if general:
        m = sympy.Symbol("m", positive=True)  # m = n - 1 >= 1
        lo = sympy.solve(sympy.Eq(lam1.xreplace({n_symbol: m + 1}), 0), gamma)[0].xreplace({m: n_symbol - 1})
        rng = sympy.And(sympy.Ge(gamma, lo), sympy.Le(gamma, 1))
    else:
        rng = sympy.reduce_inequalities([sympy.Ge(lam1, 0), sympy.Ge(lamp, 0)], gamma)
        lo = -Rational(1, block - 1)
        if rng != sympy.And(sympy.Le(lo, gamma), sympy.Le(gamma, 1)):
            raise DerivationError(f"unexpected PSD range {rng}.")
    steps.append(Step(
        "Positive semidefinite exactly on a range",
        "A symmetric matrix is a covariance (positive semidefinite) iff its eigenvalues are $\\ge 0$: "
        "$1 - \\gamma \\ge 0$ and $1 + (n-1)\\gamma \\ge 0$. Together with $\\gamma \\le 0$, which the jump needs "
        "(the inherited variance $v$ must be $\\ge 0$) and $\\gamma \\ne 0$ (else $e_{k+1} = 1$), the admissible "
        f"range is $[{tex(lo)}, 0)$:",
        (Display.chain(_LAM1, "=", lam1, ">=", 0), Display.chain(_LAMP, "=", lamp, ">=", 0),
         Display(r"\Sigma' \succeq 0 \iff " + tex(rng), f"Sigma' PSD iff {rng}")),
        {"psd_range": rng, "bound": lo},
        claims=("derive.sigma-prime-psd", "paper.sigma-prime-psd", "paper.sigma-prime-not-psd-below-bound",
                "derive.sigma-prime-not-psd-below-bound"),
    ))

    # singular at the bound -------------------------------------------------------------------------
    if general:
        roots = [lo, sympy.Integer(1)]
        kernel_disp = Display(r"\Sigma'\big|_{\gamma = " + tex(lo) + r"} \mathbf{1} = "
                              + tex(sympy.factor(lam1.xreplace({gamma: lo}))) + r"\,\mathbf{1}",
                              f"Sigma'(gamma = {lo}) 1 = {sympy.factor(lam1.xreplace({gamma: lo}))} * 1")
    else:
        roots = sorted(sympy.solve(det, gamma))
        Sb = Sp.xreplace({gamma: lo})
        kernel_disp = Display.rel(r"\Sigma'|_{\gamma=" + tex(lo) + r"}\, \mathbf{1}",
                                  Sb * sympy.ImmutableMatrix([1] * block))
        if Sb.rank() != block - 1:
            raise DerivationError("the rank at the bound is not n - 1.")
    steps.append(Step(
        "Singular exactly at the bound",
        "The determinant is the product of the eigenvalues. It vanishes at $\\gamma = 1$ (outside the range) and at the "
        "bound, and nowhere else: inside the range $\\Sigma'$ is positive definite, at the bound it has rank $n-1$ and "
        "the kernel $\\mathbf 1$. There the block sum $\\mathbf 1^T n'$ is exactly 0: the corrective noise only "
        "redistributes within a block, and the whole variance of the block mean is inherited from stage $k+1$.",
        (Display.rel(r"\det \Sigma'", det),
         Display(r"\det \Sigma' = 0 \iff \gamma \in " + tex(sympy.FiniteSet(*roots)),
                 f"det Sigma' = 0 iff gamma in {set(roots)}"),
         kernel_disp),
        {"det": det, "singular_at": roots},
        claims=("derive.sigma-prime-singular-at-bound",),
    ))

    # table of block sizes ------------------------------------------------------------------------------
    table = sympy.Matrix([[k, Rational(-1, k - 1), Rational(1, k - 1)] for k in BLOCKS])
    steps.append(Step(
        "The bound for each block size",
        "Rows: block size $n$, the paper's lower bound $-1/(n-1)$, and the largest code value "
        "$\\gamma_c = 1/(n-1)$ (code convention $\\gamma_c = -\\gamma$). For the paper's $2\\times2$ blocks the bound is "
        "$-1/3$, the value the paper uses.",
        (Display(r"\begin{array}{c|c|c} n & -1/(n-1) & \gamma_c^{\max} \\ \hline "
                 + r" \\ ".join(" & ".join(tex(x) for x in table.row(i)) for i in range(table.rows))
                 + r" \end{array}", "; ".join(f"n={table[i, 0]}: {table[i, 1]}, {table[i, 2]}" for i in range(table.rows))),),
        {"table": table},
    ))

    # the code's default -----------------------------------------------------------------------------------
    code_n = 4 if general else block
    Sc = code.block_covariance(code_n)
    if Sc != paper.sigma_prime(code_n).xreplace({gamma: -gamma_c}):
        raise DerivationError("the code's block covariance is not Sigma' at gamma = -gamma_c.")
    lam1_c = sympy.collect(sympy.expand(lam1.xreplace({gamma: -gamma_c})), gamma_c)
    default = code.DEFAULT_GAMMA_C
    at_default = {k: 1 - (k - 1) * default for k in BLOCKS}  # 1 - (n-1) gamma_c, the eigenvalue along 1
    steps.append(Step(
        "The code's default is exactly the bound",
        "The reference code builds each block's covariance as $(1+\\gamma_c) I - \\gamma_c J$, i.e. $\\Sigma'$ at "
        "$\\gamma = -\\gamma_c$ (first line, for $n = " + str(code_n) + "$). Its eigenvalue along $\\mathbf 1$ is "
        "$1 - (n-1)\\gamma_c$; at the default $\\gamma_c = 1/3$ it is, for $n = 2, 4, 8$, as listed: for the $2\\times2$ "
        "blocks exactly 0, so the default sits on the singular bound (and for $2\\times2\\times2$ blocks it would not "
        "be a covariance at all).",
        (Display.rel(r"\Sigma'_{code}", Sc, r"\Sigma'|_{\gamma=-\gamma_c}"),
         Display.rel(r"\lambda_{\mathbf 1}^{code}", lam1_c),
         Display(r",\ ".join(rf"n = {k}:\ {tex(v)}" for k, v in at_default.items()),
                 ", ".join(f"n = {k}: {v}" for k, v in at_default.items()))),
        {"code_covariance": Sc, "lambda_ones_code": lam1_c, "at_default": at_default},
        claims=("derive.code-default-singular",),
    ))

    # floating point -------------------------------------------------------------------------------------------
    g32, g64 = float_gamma_c(default, 32), float_gamma_c(default, 64)
    lam32, lam64 = 1 - 3 * g32, 1 - 3 * g64
    steps.append(Step(
        "Why the block sampler fails in floating point",
        "A multivariate normal sampler factors the covariance (Cholesky), which needs it positive *definite*. At the "
        "default the exact matrix is singular, so the outcome is decided by how $1/3$ is rounded. Stored in binary32, "
        "$1/3$ rounds up and the matrix actually held has a negative eigenvalue along $\\mathbf 1$: it has no Cholesky "
        "factor at all, and a factorisation can only complete when its own rounding errors happen to leave the last "
        "pivot positive, which is why the same code passes on one torch version and raises on another (observed: "
        "passes on torch 2.1.2, raises on torch 2.13). Adding "
        "$10^{-8}$ to a binary32 diagonal does not help (it is lost to rounding next to 1). In binary64, $1/3$ rounds "
        "down and the smallest eigenvalue is $+2^{-54}$: positive definite, by a margin below the rounding error of "
        "the factorisation. Exact values ($n = 4$):",
        (Display.rel(r"\mathrm{fl}_{32}(1/3)", g32),
         Display.rel(r"1 - 3\,\mathrm{fl}_{32}(1/3)", lam32),
         Display.rel(r"\mathrm{fl}_{64}(1/3)", g64),
         Display.rel(r"1 - 3\,\mathrm{fl}_{64}(1/3)", lam64)),
        {"fl32": g32, "fl64": g64, "lambda_fl32": lam32, "lambda_fl64": lam64},
    ))
    if not (lam32 < 0 < lam64):
        raise DerivationError("unexpected rounding of 1/3.")

    title = f"The admissible range of gamma and the singular default, {block_label(block)}"
    summary = ("Why the correlation of the corrective noise must lie in $[-1/(n-1), 0)$, why $-1/3$ for $2\\times2$ "
               "blocks, and why the reference code's default $\\gamma_c = 1/3$ makes its block sampler fail.")
    doc_id = "gamma_range_general_n" if general else f"gamma_range_n{block}"
    results = {"lambda_ones": lam1, "lambda_perp": lamp, "bound": lo, "psd_range": rng, "det": det,
               "singular_at": roots, "lambda_ones_code": lam1_c, "at_default": at_default,
               "lambda_fl32": lam32, "lambda_fl64": lam64}
    return Derivation(doc_id, title, summary, CONVENTION, block, tuple(steps), results)
