"""The training side: the noise pyramid's factor 2 and the coupled endpoints of paper eqs. 9-10.

Paper convention: t is the signal level.  Down is bilinear x2 down-sampling with
half-pixel centres and no anti-aliasing, which on a 2x2 block is the plain mean of
its 4 entries (weights 1/4 each); in general a block of n entries is averaged.
"""

from __future__ import annotations

import functools

import sympy

from ..conventions import n as n_symbol, t
from ._algebra import BLOCKS, block_label, parse_block
from ._base import Derivation, DerivationError, Display, Step, tex

__all__ = ["derive_noise_pyramid", "down_matrix", "restoring_factor"]

CONVENTION = ("paper: $t$ is the signal level; $e_k$ and $s_k$ are the ends of stage $k$'s window (the code's noise "
              "levels are $\\sigma = 1 - t$).")

_c = sympy.Symbol("c", positive=True)          # the factor applied after down-sampling
_tp = sympy.Symbol("t'", nonnegative=True)     # stage-local time, eq. 6
_e, _s = sympy.symbols("e_k s_k", positive=True)


def down_matrix(side: int = 4) -> sympy.ImmutableMatrix:
    """The (side/2)^2 x side^2 matrix of a 2x2 average (bilinear x2, half-pixel centres), row-major images."""
    h = side // 2
    rows = []
    for I in range(h):
        for Jc in range(h):
            row = [0] * (side * side)
            for di in range(2):
                for dj in range(2):
                    row[(2 * I + di) * side + (2 * Jc + dj)] = sympy.Rational(1, 4)
            rows.append(row)
    return sympy.ImmutableMatrix(rows)


def restoring_factor(nn=n_symbol):
    """(c, Var(mean)): the variance 1/n of the mean of n independent unit normals, and the c > 0 with c^2/n = 1."""
    var_mean = sympy.Integer(1) / nn  # (1/n)^2 * 1^T I 1
    roots = sympy.Poly(_c**2 * var_mean - 1, _c).all_coeffs()  # c^2/n - 1 = 0: c = +-sqrt(n)
    factor = sympy.sqrt(-roots[2] / roots[0])                   # the positive root
    if sympy.expand(factor**2 * var_mean - 1) != 0:
        raise DerivationError(f"factor: {factor}.")
    return factor, var_mean


def derive_noise_pyramid(block="general") -> Derivation:
    """Paper convention (t signal level): the factor sqrt(n) that restores unit variance after averaging n entries,
    and the coupling of eqs. 9-10 (``block`` an int 2..16, or ``"general"``)."""
    return _derive(parse_block(block))


@functools.lru_cache(maxsize=None)
def _derive(block) -> Derivation:
    general = block == n_symbol
    nn = n_symbol if general else block
    steps: list[Step] = []

    # 1. one block ---------------------------------------------------------------------------------------
    factor, var_mean = restoring_factor(nn)
    if not general:
        w = sympy.ImmutableMatrix([[sympy.Rational(1, block)] * block])
        var_mean_m = (w * sympy.eye(block) * w.T)[0, 0]
        if var_mean_m != var_mean:
            raise DerivationError("variance of a block mean.")
        first = (Display.rel(r"\mathrm{Var}\left(\tfrac1n \mathbf 1^T z\right)",
                             tex(w) + r"\, I\, " + tex(w.T), var_mean),)
    else:
        first = (Display(r"\mathrm{Var}\left(\tfrac1n \mathbf 1^T z\right) = \tfrac{1}{n^2}\,\mathbf 1^T I_n \mathbf 1 = "
                         + tex(var_mean), f"Var(mean of n) = {var_mean}"),)
    table = {k: sympy.sqrt(k) for k in BLOCKS}
    steps.append(Step(
        "Averaging shrinks the variance, the factor restores it",
        "Down-sampling averages each block of $n$ independent standard normals $z$; the mean has variance $1/n$. "
        "Multiplying by $c$ gives variance $c^2/n$, which is 1 for $c = \\sqrt n$: 2 for the $2\\times2$ blocks of "
        "bilinear x2 down-sampling (the factor users asked about), $\\sqrt 2$ for 1-D, $2\\sqrt2$ for $2\\times2\\times2$:",
        (*first, Display.rel(_c**2 * var_mean, 1), Display.rel(_c, factor),
         Display(r",\ ".join(rf"n = {k}:\ c = {tex(v)}" for k, v in table.items()),
                 ", ".join(f"n = {k}: c = {v}" for k, v in table.items()))),
        {"variance_of_mean": var_mean, "factor": factor},
        claims=("derive.noise-factor-two", "derive.noise-factor-general"),
    ))

    # 2. a whole image ------------------------------------------------------------------------------------
    D = down_matrix(4)
    cov = (4 * D * D.T)
    if cov != sympy.eye(4):
        raise DerivationError("2 Down z is not standard normal.")
    steps.append(Step(
        "A whole level stays standard normal",
        "On a $4\\times4$ image (16 entries, row-major) bilinear x2 down-sampling is the $4\\times16$ matrix $D$ of "
        "2x2 averages. Blocks are disjoint, so distinct coarse entries are uncorrelated, and $2 D z$ has covariance "
        "$4 D D^T = I$: each level of the pyramid is again standard normal, and the construction repeats level by "
        "level (a factor $2^k$ in all after $k$ levels).",
        (Display.rel("D", D), Display.rel(r"\mathrm{Cov}(2 D z)", "4 D D^T", cov)),
        {"D": D, "covariance": cov},
        claims=("derive.noise-level-covariance",),
    ))

    # 3. coupling of eqs. 9-10 ------------------------------------------------------------------------------
    xe_noise, xs_noise = 1 - _e, 1 - _s
    t_of = _s + _tp * (_e - _s)
    interp_noise = sympy.expand(_tp * xe_noise + (1 - _tp) * xs_noise)
    if sympy.expand(interp_noise - (1 - t_of)) != 0:
        raise DerivationError("the interpolant's noise coefficient is not 1 - t.")
    steps.append(Step(
        "Coupled endpoints: the interpolant has the flow's noise level",
        "Eqs. 9-10 build both endpoints of stage $k$ from the same noise $n$: "
        "$\\hat x_{e_k} = e_k\\,\\mathrm{Down}(x_1, 2^k) + (1-e_k)\\,n$ and "
        "$\\hat x_{s_k} = s_k\\,\\mathrm{Up}(\\mathrm{Down}(x_1, 2^{k+1})) + (1-s_k)\\,n$. On the linear path of eq. 6, "
        "$\\hat x_t = t'\\hat x_{e_k} + (1-t')\\hat x_{s_k}$ with $t = s_k + t'(e_k - s_k)$, the coefficient of $n$ is "
        "exactly $1 - t$: inside every stage the noise level is that of the flow $x_t = t x_1 + (1-t) x_0$.",
        (Display.chain(r"t'(1-e_k) + (1-t')(1-s_k)", "=", interp_noise, "=", 1 - t),
         Display.rel(t, t_of)),
        {"noise_coefficient": interp_noise, "t": t_of},
        claims=("derive.noise-coupled-interpolant",),
    ))

    # 4. the target velocity ------------------------------------------------------------------------------------
    coef = sympy.expand(xe_noise - xs_noise)
    var_coupled = sympy.factor(coef**2)
    var_indep = xe_noise**2 + xs_noise**2
    saving = sympy.factor(sympy.expand(var_indep - var_coupled))
    if sympy.expand(saving - 2 * (1 - _e) * (1 - _s)) != 0:
        raise DerivationError("variance saving.")
    saving = sympy.Mul(2, 1 - _e, 1 - _s, evaluate=False)
    steps.append(Step(
        "The target velocity has small variance",
        "The regression target of eq. 11 is $\\hat x_{e_k} - \\hat x_{s_k} = e_k\\,\\mathrm{Down}(x_1,2^k) - s_k\\,"
        "\\mathrm{Up}(\\mathrm{Down}(x_1,2^{k+1})) + (s_k - e_k)\\,n$. Its conditional covariance given $x_1$ is "
        "$(e_k - s_k)^2 I$; with two independent noises it would be $((1-e_k)^2 + (1-s_k)^2) I$. Coupling removes "
        "$2(1-e_k)(1-s_k)$ per entry:",
        (Display.rel(r"(1-e_k) - (1-s_k)", coef),
         Display.rel(r"\mathrm{Var}_{\text{coupled}}", var_coupled),
         Display.rel(r"\mathrm{Var}_{\text{independent}} - \mathrm{Var}_{\text{coupled}}", saving)),
        {"variance_coupled": var_coupled, "saving": saving},
        claims=("derive.noise-coupled-target",),
    ))

    title = f"The training-side noise pyramid and the coupled endpoints, {block_label(block)}"
    summary = ("Why down-sampled noise is multiplied by 2 (by $\\sqrt n$ for blocks of $n$ entries), and what the "
               "shared noise of eqs. 9-10 buys: the path inside a stage has the flow's noise level $1-t$, and the "
               "regression target has variance $(e_k - s_k)^2$ instead of $(1-e_k)^2 + (1-s_k)^2$.")
    doc_id = "noise_pyramid_general_n" if general else f"noise_pyramid_n{block}"
    return Derivation(doc_id, title, summary, CONVENTION, block, tuple(steps),
                      {"factor": factor, "variance_of_mean": var_mean, "level_covariance": cov,
                       "noise_coefficient": interp_noise, "variance_coupled": var_coupled, "saving": saving})
