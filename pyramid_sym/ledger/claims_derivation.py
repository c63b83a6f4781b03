"""Claims that re-check the first-principles derivations (``pyramid-sym derive``) with the prover.

Each claim takes its left side from the derivation engine (:mod:`pyramid_sym.derivation`)
and its right side from the paper's formulas, so the ledger certifies what the
engine derived, not a transcription of it.  Paper convention (t = signal level,
gamma < 0) unless a claim says code.  Concrete blocks n in {2, 4, 8} use the actual
matrices; the symbol n appears only in claims that reduce to polynomial identities.
"""

from __future__ import annotations

import sympy
from sympy import Rational

from ..conventions import S_OPEN, alpha, e_next, gamma, gamma_bound, n as n_symbol, s_k, t
from ..domain import Domain, Interval
from ..formulas import code, paper
from ._claim import Claim

ORDER = 20

s, e, g = s_k, e_next, gamma
_BLOCKS = (2, 4, 8)
_POS = Interval.open(0, sympy.oo)
_N = Interval(2, sympy.oo)           # a block has n >= 2 entries (the symbol n, taken real)
_NR = sympy.Symbol("n_r", real=True)  # n as a real variable for the prover (the conventions' n is an integer symbol)


def _g_range(k) -> Interval:
    """Paper convention: gamma in [-1/(n-1), 0)."""
    return Interval(gamma_bound(k), 0, lo_open=False, hi_open=True)


def _dom(k, *more) -> Domain:
    return Domain([(s, S_OPEN), (g, _g_range(k)), *more])


def claims() -> list[Claim]:
    from ..derivation.alpha_minimal import DALPHA_DGAMMA
    from ..derivation.jump_point import solve_jump
    from ..derivation.noise_pyramid import down_matrix, restoring_factor

    J = {k: solve_jump(k) for k in _BLOCKS}
    Jg = solve_jump("general")
    E25, A25 = paper.e_next_of_s(), paper.alpha_of_s()
    out: list[Claim] = []

    # --- the matrix entries are the paper's eqs. 23-24 -------------------------------------------------
    eq2324 = sympy.ImmutableMatrix([paper.EQ23.lhs - paper.EQ23.rhs, paper.EQ24.lhs - paper.EQ24.rhs])
    out.append(Claim(
        "derive.entries-are-23-24", "derivation: jump point, step 'Two scalar equations'",
        "for n = 2, 4, 8 the distinct entries of the covariance residual (21) are eqs. 23 and 24",
        "all", expected="proved",
        parts=tuple(Claim(f"derive.entries-are-23-24.n{k}", "derivation: jump point",
                          f"n = {k}: distinct entries of the {k}x{k} residual = (eq. 23, eq. 24)", "identity",
                          _dom(k, (e, S_OPEN), (alpha, _POS)),
                          lhs=sympy.ImmutableMatrix(list(J[k]["entries"])), rhs=eq2324) for k in _BLOCKS)))

    # --- e_{k+1} and alpha are eq. 25, for every n ----------------------------------------------------------
    out.append(Claim(
        "derive.jump-is-25", "derivation: jump point, step 'Choosing the roots'; paper eq. 25",
        "the e_{k+1} and alpha solved from the n x n covariance equations (n = 2, 4, 8, and symbolic n) are eq. 25",
        "all",
        parts=tuple(Claim(f"derive.jump-is-25.{'n' + str(k) if k != 'general' else 'general'}",
                          "derivation: jump point", f"{'n = ' + str(k) if k != 'general' else 'general n'}: "
                          "(e_{k+1}, alpha) derived = eq. 25", "identity",
                          _dom(k if k != "general" else 2),
                          lhs=sympy.ImmutableMatrix([r["e_next"], r["alpha"]]), rhs=sympy.ImmutableMatrix([E25, A25]))
                    for k, r in [*J.items(), ("general", Jg)])))
    out.append(Claim(
        "derive.jump-n-independent", "derivation: jump point, step 'No dependence on the block size'",
        "e_{k+1}(s_k, gamma) and alpha(s_k, gamma) derived for n = 4, 8 and symbolic n equal those for n = 2 "
        "(on the common range gamma in [-1/7, 0))",
        "identity", _dom(8),
        lhs=sympy.ImmutableMatrix([J[4]["e_next"], J[8]["e_next"], Jg["e_next"],
                                   J[4]["alpha"], J[8]["alpha"], Jg["alpha"]]),
        rhs=sympy.ImmutableMatrix([J[2]["e_next"]] * 3 + [J[2]["alpha"]] * 3)))
    out.append(Claim(
        "derive.jump-bound-is-26-27", "derivation: jump point n = 4, step 'At the bound'; paper eqs. 26-27",
        "n = 4 at gamma = -1/3: derived e_{k+1}, alpha, c_up are 2 s_k/(1 + s_k), sqrt(3)(1 - s_k)/2, (1 + s_k)/2",
        "identity", Domain([(s, S_OPEN)]),
        lhs=sympy.ImmutableMatrix([J[4]["e_bound"], J[4]["alpha_bound"], J[4]["scale_bound"]]),
        rhs=sympy.ImmutableMatrix([paper.E_NEXT_MINUS_THIRD.expr, paper.ALPHA_MINUS_THIRD.expr,
                                   paper.SCALE_EQ27.expr])))
    out.append(Claim(
        "derive.jump-bound-general", "derivation: jump point general n, step 'At the bound'",
        "at gamma = -1/(n-1), for every n >= 2: e_{k+1} = sqrt(n) s_k/(sqrt(n) s_k + 1 - s_k), "
        "alpha = (1 - s_k) sqrt(n-1)/sqrt(n), c_up = s_k + (1 - s_k)/sqrt(n)",
        "identity", Domain([(s, S_OPEN), (_NR, _N)]),
        lhs=sympy.ImmutableMatrix([Jg["e_bound"], Jg["alpha_bound"], Jg["scale_bound"]]).xreplace({n_symbol: _NR}),
        rhs=sympy.ImmutableMatrix([E25, A25, s / E25]).xreplace({g: -1 / (_NR - 1)})))

    # --- Sigma': eigenvalues, PSD range, singular at the bound ------------------------------------------------
    eig_parts = []
    for k in _BLOCKS:
        Sp = paper.sigma_prime(k)
        one = sympy.ImmutableMatrix([1] * k)
        w = sympy.ImmutableMatrix([1, -1] + [0] * (k - 2))
        eig_parts.append(Claim(
            f"derive.sigma-prime-eigen.n{k}", "derivation: range of gamma", f"n = {k}: Sigma' 1 = (1 + {k - 1} gamma) 1 "
            "and Sigma' (e1 - e2) = (1 - gamma)(e1 - e2)", "identity", Domain([(g, Interval(-1, 1))]),
            lhs=sympy.ImmutableMatrix.vstack(Sp * one, Sp * w),
            rhs=sympy.ImmutableMatrix.vstack((1 + (k - 1) * g) * one, (1 - g) * w)))
    eig_parts.append(Claim(
        "derive.sigma-prime-eigen.general", "derivation: range of gamma (block algebra)",
        "general n: ((1 - gamma) I + gamma J) 1 = (1 - gamma + n gamma) 1 = (1 + (n - 1) gamma) 1", "identity",
        Domain([(g, Interval(-1, 1)), (_NR, _N)]), lhs=(1 - g) + _NR * g, rhs=1 + (_NR - 1) * g))
    out.append(Claim("derive.sigma-prime-eigen", "derivation: range of gamma, step 1",
                     "Sigma' has eigenvalue 1 + (n-1) gamma on the all-ones vector and 1 - gamma on its complement",
                     "all", parts=tuple(eig_parts)))
    psd_parts = [Claim("derive.sigma-prime-psd.n2", "derivation: range of gamma", "n = 2: Sigma' PSD on [-1, 0)", "psd",
                       Domain([(g, _g_range(2))]), matrix=paper.sigma_prime(2))]
    for k in (2, 4, 8):  # with derive.sigma-prime-eigen (a full eigenbasis), both eigenvalues >= 0 means PSD
        psd_parts.append(Claim(f"derive.sigma-prime-psd.ones-n{k}", "derivation: range of gamma",
                               f"n = {k}: eigenvalue 1 + {k - 1} gamma >= 0 on [{gamma_bound(k)}, 0)", "sign",
                               Domain([(g, _g_range(k))]), expr=1 + (k - 1) * g, relation=">="))
    psd_parts.append(Claim("derive.sigma-prime-psd.perp", "derivation: range of gamma",
                           "eigenvalue 1 - gamma > 0 on [-1, 0) (every n >= 2)", "sign",
                           Domain([(g, _g_range(2))]), expr=1 - g, relation=">"))
    out.append(Claim(
        "derive.sigma-prime-psd", "derivation: range of gamma, step 'Positive semidefinite exactly on a range'",
        "Sigma' (n x n) is positive semidefinite for gamma in [-1/(n-1), 0): n = 2 directly, n = 2, 4, 8 through its "
        "eigenvalues (n = 4 directly: paper.sigma-prime-psd)",
        "all", parts=tuple(psd_parts)))
    out.append(Claim(
        "derive.sigma-prime-not-psd-below-bound", "derivation: range of gamma",
        "Sigma' (8 x 8) would be positive semidefinite just below the bound, gamma in [-1/6, -1/7): refuted",
        "psd", Domain([(g, Interval(Rational(-1, 6), Rational(-1, 7), False, True))]),
        matrix=paper.sigma_prime(8), expected="refuted",
        note="the counterexample is a gamma below -1/7 where the eigenvalue 1 + 7 gamma is negative"))
    out.append(Claim(
        "derive.sigma-prime-singular-at-bound", "derivation: range of gamma, step 'Singular exactly at the bound'",
        "at gamma = -1/(n-1) the eigenvalue on the all-ones vector is 0 (Sigma' singular), for every n >= 2",
        "identity", Domain([(_NR, _N)]), lhs=(1 + (_NR - 1) * g).xreplace({g: -1 / (_NR - 1)}),
        rhs=sympy.Integer(0)))
    Sc = code.block_covariance(4, code.DEFAULT_GAMMA_C)
    out.append(Claim(
        "derive.code-default-singular", "derivation: range of gamma, step 'The code's default is exactly the bound'",
        "the code's default gamma_c = 1/3 is minus the 2x2 bound -1/(4-1), and there the 4x4 block covariance maps "
        "the all-ones vector to 0 (singular)", "all",
        parts=(Claim("derive.code-default-singular.is-bound", "derivation: range of gamma",
                     "-gamma_c(default) = -1/(n-1) at n = 4", "identity", Domain([]),
                     lhs=-code.DEFAULT_GAMMA_C, rhs=gamma_bound(4)),
               Claim("derive.code-default-singular.kernel", "derivation: range of gamma",
                     "code convention: ((1 + 1/3) I - (1/3) J) 1 = 0 for 4x4 blocks", "identity", Domain([]),
                     lhs=Sc * sympy.ImmutableMatrix([1] * 4), rhs=sympy.ImmutableMatrix([0] * 4)))))

    # --- alpha minimal at the bound ----------------------------------------------------------------------------
    out.append(Claim(
        "derive.alpha-increasing", "derivation: alpha minimal, step 'alpha increases with gamma'",
        "d alpha / d gamma = (1 - s_k)/(2 (1 - gamma)^(3/2)) > 0 for s_k in (0, 1), gamma in [-1, 0)",
        "sign", _dom(2), expr=sympy.diff(A25, g), relation=">"))
    out.append(Claim(
        "derive.alpha-derivative", "derivation: alpha minimal, step 'alpha increases with gamma'",
        "the derivative of eq. 25's alpha in gamma is (1 - s_k)/(2 (1 - gamma)^(3/2))",
        "identity", _dom(2), lhs=sympy.diff(A25, g), rhs=DALPHA_DGAMMA))
    out.append(Claim(
        "derive.alpha-min-at-bound", "derivation: alpha minimal, step 'Minimal at the bound'; paper section 3",
        "alpha(gamma) >= alpha(-1/3) on [-1/3, 0) for 2x2 blocks: the bound adds the least fresh noise "
        "(every n follows from derive.alpha-increasing)",
        "all", parts=tuple(Claim(f"derive.alpha-min-at-bound.n{k}", "derivation: alpha minimal",
                                 f"n = {k}: alpha - alpha(gamma = {gamma_bound(k)}) >= 0", "sign", _dom(k),
                                 expr=A25 - J[k]["alpha_bound"], relation=">=") for k in (4,))))
    out.append(Claim(
        "derive.e-increasing", "derivation: alpha minimal, step 'The roll-back is smallest there too'",
        "d e_{k+1} / d gamma > 0 for s_k in (0, 1), gamma in [-1, 0): the bound rolls back the least",
        "sign", _dom(2), expr=sympy.diff(E25, g), relation=">"))

    # --- the training marginal after the jump ----------------------------------------------------------------------
    c25 = s / E25
    marg = []
    for k in (8,):  # n = 4: paper.25-solves-21; every n: the block-algebra part below
        cov = (c25**2 * (1 - E25)**2) * paper.block_ones(k) + A25**2 * paper.sigma_prime(k)
        marg.append(Claim(f"derive.marginal-covariance.n{k}", "derivation: training marginal",
                          f"n = {k}: covariance after the jump = (1 - s_k)^2 I", "identity", _dom(k),
                          lhs=cov, rhs=(1 - s)**2 * sympy.ImmutableMatrix.eye(k)))
    marg.append(Claim("derive.marginal-covariance.general", "derivation: training marginal (block algebra)",
                      "general n: coefficients of (I, J) after the jump = ((1 - s_k)^2, 0)", "identity", _dom(2),
                      lhs=sympy.ImmutableMatrix([A25**2 * (1 - g), c25**2 * (1 - E25)**2 + A25**2 * g]),
                      rhs=sympy.ImmutableMatrix([(1 - s)**2, 0])))
    marg.append(Claim("derive.marginal-mean", "derivation: training marginal", "mean scale c_up e_{k+1} = s_k",
                      "identity", _dom(2), lhs=c25 * E25, rhs=s))
    out.append(Claim(
        "derive.marginal", "derivation: training marginal; paper eq. 8",
        "after up-sampling and re-noising with eq. 25, x_{s_k} has mean s_k Up(Down(x1)) and covariance "
        "(1 - s_k)^2 I, for n = 8 and general n (n = 4: paper.25-solves-21)",
        "all", parts=tuple(marg)))

    # --- the noise pyramid and the coupling of eqs. 9-10 -------------------------------------------------------------
    w = sympy.ImmutableMatrix([[Rational(1, 4)] * 4])
    D = down_matrix(4)
    factor, var_mean = restoring_factor(n_symbol)
    tp, ek = sympy.Symbol("t'", real=True), sympy.Symbol("e_k", real=True)
    out.append(Claim(
        "derive.noise-factor-two", "derivation: noise pyramid; reference issue #250",
        "2 x (mean of 4 independent unit normals) has variance 1: 2^2 (1/4) 1^T I (1/4) 1 = 1",
        "identity", Domain([]), lhs=4 * (w * w.T), rhs=sympy.ImmutableMatrix([[1]])))
    out.append(Claim(
        "derive.noise-factor-general", "derivation: noise pyramid",
        "the factor that restores unit variance after averaging n entries is sqrt(n): c^2 / n = 1 at c = sqrt(n)",
        "identity", Domain([(_NR, _N)]), lhs=(factor**2 * var_mean).xreplace({n_symbol: _NR}),
        rhs=sympy.Integer(1)))
    out.append(Claim(
        "derive.noise-level-covariance", "derivation: noise pyramid",
        "on a 4x4 image, 2 Down(z) has covariance 4 D D^T = I: each level is standard normal again",
        "identity", Domain([]), lhs=4 * D * D.T, rhs=sympy.ImmutableMatrix.eye(4)))
    out.append(Claim(
        "derive.noise-coupled-interpolant", "derivation: noise pyramid; paper eqs. 6, 9, 10",
        "with the same noise in both endpoints the noise coefficient of x_t is t'(1 - e_k) + (1 - t')(1 - s_k) = 1 - t, "
        "t = s_k + t'(e_k - s_k)",
        "identity", Domain([(s, S_OPEN), (ek, S_OPEN), (tp, Interval(0, 1))]),
        lhs=tp * (1 - ek) + (1 - tp) * (1 - s), rhs=(1 - t).xreplace({t: s + tp * (ek - s)})))
    out.append(Claim(
        "derive.noise-coupled-target", "derivation: noise pyramid; paper eqs. 9-11",
        "coupling lowers the per-entry variance of the target x_e - x_s from (1-e_k)^2 + (1-s_k)^2 to (e_k - s_k)^2, "
        "by 2(1 - e_k)(1 - s_k)",
        "identity", Domain([(s, S_OPEN), (ek, S_OPEN)]),
        lhs=(1 - ek)**2 + (1 - s)**2 - ((1 - ek) - (1 - s))**2, rhs=2 * (1 - ek) * (1 - s)))
    return out
