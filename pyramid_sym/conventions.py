"""The two conventions, as symbols with domains and explicit converters.

**Paper** (Jin et al., ICLR 2025): ``t`` is the *signal* level, ``x_t = t x1 + (1 - t) x0``;
t = 0 is noise, t = 1 is data.  Stage k works on the window ``[s_k, e_k]``; k = K-1 is
the coarsest (first) stage, k = 0 the last.  The jump from the end of stage k+1 to
the start of stage k uses a *negative* correlation ``gamma`` in ``[-1/(n-1), 0)`` for
blocks of n entries (``[-1/3, 0)`` for the 2x2 blocks of a x2 spatial up-sampling).

**Code** (reference implementation): ``sigma = 1 - t`` is the *noise* level, the block
covariance uses a *positive* ``gamma_c = -gamma`` (default 1/3), and stages are indexed
``i = K - 1 - k`` (i = 0 is the coarsest stage).

Every formula of this package states which of the two it takes; the converters
below are the only place where one is turned into the other.
"""

from __future__ import annotations

import sympy

from .domain import Interval, Domain, DomainError

__all__ = [
    "PAPER", "CODE",
    "t", "s_k", "e_next", "gamma", "alpha", "n",
    "sigma", "sigma_end", "gamma_c",
    "S_OPEN", "S_CLOSED", "SIGMA_CLOSED", "SIGMA_OPEN",
    "gamma_bound", "gamma_interval", "gamma_c_interval",
    "GAMMA_2X2", "GAMMA_C_2X2", "BLOCK_2X2",
    "sigma_of_t", "t_of_sigma", "gamma_c_of_gamma", "gamma_of_gamma_c",
    "code_stage_index", "paper_stage_index",
    "code_to_paper", "paper_to_code", "paper_domain", "code_domain",
]

PAPER = "paper"  # t = signal level, gamma < 0
CODE = "code"    # sigma = 1 - t noise level, gamma_c = -gamma > 0

# --- paper symbols (signal level; gamma negative) ---------------------------------------
t = sympy.Symbol("t", real=True)                 # signal level, t = 0 noise, t = 1 data
s_k = sympy.Symbol("s_k", real=True)             # start of stage k's window (signal level)
e_next = sympy.Symbol("e_{k+1}", real=True)      # end of stage k+1's window (signal level)
gamma = sympy.Symbol("gamma", real=True)         # paper correlation, gamma in [-1/(n-1), 0)
alpha = sympy.Symbol("alpha", real=True)         # noise weight of the jump (paper eq. 20)
n = sympy.Symbol("n", integer=True, positive=True)  # entries per up-sampling block (4 for 2x2)

# --- code symbols (noise level; gamma positive) -----------------------------------------
sigma = sympy.Symbol("sigma", real=True)         # noise level, sigma = 1 - t
sigma_end = sympy.Symbol("sigma_end", real=True)  # previous stage's end sigma (= ori_start_sigma)
gamma_c = sympy.Symbol("gamma_c", real=True)     # code correlation, gamma_c = -gamma in (0, 1/(n-1)]

BLOCK_2X2 = 4  # entries of a 2x2 nearest-neighbour up-sampling block

# --- domains -------------------------------------------------------------------------
S_OPEN = Interval.open(0, 1)       # a stage boundary strictly between noise and data
S_CLOSED = Interval.closed(0, 1)
SIGMA_CLOSED = Interval.closed(0, 1)
SIGMA_OPEN = Interval.open(0, 1)


def gamma_bound(block: int = BLOCK_2X2) -> sympy.Rational:
    """The paper's lower bound -1/(n-1) on gamma for blocks of n entries (Sigma' PSD)."""
    try:
        ok = not isinstance(block, bool) and float(block).is_integer() and block >= 2
    except (TypeError, ValueError, OverflowError):
        ok = False
    if not ok:
        raise DomainError(f"a block has n >= 2 entries; got n = {block!r}. Use 2, 4 or 8.")
    return sympy.Rational(-1, int(block) - 1)


def gamma_interval(block: int = BLOCK_2X2) -> Interval:
    """Paper convention: gamma in [-1/(n-1), 0)."""
    return Interval(gamma_bound(block), 0, lo_open=False, hi_open=True)


def gamma_c_interval(block: int = BLOCK_2X2) -> Interval:
    """Code convention: gamma_c in (0, 1/(n-1)]."""
    return Interval(0, -gamma_bound(block), lo_open=True, hi_open=False)


GAMMA_2X2 = gamma_interval(BLOCK_2X2)      # [-1/3, 0)
GAMMA_C_2X2 = gamma_c_interval(BLOCK_2X2)  # (0, 1/3]


# --- converters ------------------------------------------------------------------------
def sigma_of_t(t_value):
    """Time flip: the code's noise level sigma = 1 - t for a paper signal level t."""
    return 1 - t_value


def t_of_sigma(sigma_value):
    """Time flip: the paper's signal level t = 1 - sigma for a code noise level sigma."""
    return 1 - sigma_value


def gamma_c_of_gamma(gamma_value):
    """Sign flip: the code's positive gamma_c = -gamma for a paper gamma."""
    return -gamma_value


def gamma_of_gamma_c(gamma_c_value):
    """Sign flip: the paper's negative gamma = -gamma_c for a code gamma_c."""
    return -gamma_c_value


def code_stage_index(k: int, K: int = 3) -> int:
    """Stage index flip: the code's stage i = K-1-k for the paper's stage k (i = 0 coarsest)."""
    if not (0 <= k < K):
        raise DomainError(f"paper stage k = {k} is outside 0..{K - 1}; use 0 <= k < K = {K}.")
    return K - 1 - k


def paper_stage_index(i: int, K: int = 3) -> int:
    """Stage index flip: the paper's stage k = K-1-i for the code's stage i (k = 0 finest)."""
    if not (0 <= i < K):
        raise DomainError(f"code stage i = {i} is outside 0..{K - 1}; use 0 <= i < K = {K}.")
    return K - 1 - i


def code_to_paper(expr, *, sigma_symbol=sigma_end, t_symbol=e_next):
    """Rewrite a code-convention expression in paper symbols: sigma -> 1 - t, gamma_c -> -gamma.

    ``sigma_symbol`` is the code's noise level to replace (default: the previous
    stage's end sigma) and ``t_symbol`` the paper signal level it becomes (default
    e_{k+1}, the end of stage k+1).
    """
    return sympy.sympify(expr).xreplace({sigma_symbol: sigma_of_t(t_symbol), gamma_c: gamma_of_gamma_c(gamma)})


def paper_to_code(expr, *, t_symbol=e_next, sigma_symbol=sigma_end):
    """Rewrite a paper-convention expression in code symbols: t -> 1 - sigma, gamma -> -gamma_c."""
    return sympy.sympify(expr).xreplace({t_symbol: t_of_sigma(sigma_symbol), gamma: gamma_of_gamma_c(gamma_c)})


def paper_domain(*, block: int = BLOCK_2X2, over=s_k, closed: bool = False, gamma_value=None) -> Domain:
    """The paper's domain for a jump-point claim: one signal level in (0, 1) and gamma in [-1/(n-1), 0)."""
    g = gamma_interval(block) if gamma_value is None else Interval.point(gamma_value)
    return Domain([(over, S_CLOSED if closed else S_OPEN), (gamma, g)])


def code_domain(*, block: int = BLOCK_2X2, over=sigma_end, closed: bool = False, gamma_value=None) -> Domain:
    """The code's domain: a noise level in (0, 1) and gamma_c in (0, 1/(n-1)]."""
    g = gamma_c_interval(block) if gamma_value is None else Interval.point(gamma_value)
    return Domain([(over, SIGMA_CLOSED if closed else SIGMA_OPEN), (gamma_c, g)])
