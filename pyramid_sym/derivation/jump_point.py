"""Paper eqs. 20-27 from first principles: the jump point e_{k+1}, the noise weight alpha and the scale, any block size.

Paper convention throughout: t is the signal level (t = 0 noise, t = 1 data), gamma
is the paper's (negative) correlation of the corrective noise.  A block has n entries:
n = 2 for a 1-D x2 nearest up-sampling, 4 for 2x2, 8 for 2x2x2 (space-time); the
symbol n keeps it general.

For a concrete n the covariance condition is written with the actual n x n matrices
and SymPy's ``solve`` is run on its entries; for the symbol n the matrices are
elements a I + b J of the block algebra (J^2 = n J), and the condition is read off
the coefficients of I and J.
"""

from __future__ import annotations

import functools

import sympy
from sympy import Rational, sqrt

from ..conventions import alpha, e_next, gamma, gamma_bound, n as n_symbol, s_k
from ..formulas import paper
from ..formulas.article import c_up
from ._algebra import _P, _Q, IJ, _to_pq, block_label, is_zero_radical, parse_block
from ._base import Derivation, DerivationError, Display, Step, tex

__all__ = ["derive_jump_point", "solve_jump", "entry_equations", "PAPER_CONVENTION"]

s, e = s_k, e_next
u = sympy.Symbol("u", nonnegative=True)   # stands for alpha^2
v = sympy.Symbol("v", nonnegative=True)   # stands for c_up^2 (1 - e)^2
_D, _O = sympy.symbols("D O")             # diagonal / off-diagonal entry of the covariance residual
_U_NICE = (1 - s)**2 / (1 - gamma)        # alpha^2 solved (paper convention)
_V_NICE = -gamma * (1 - s)**2 / (1 - gamma)  # c_up^2 (1 - e)^2 solved

PAPER_CONVENTION = ("paper: $t$ is the signal level ($t = 0$ noise, $t = 1$ data), $s_k$ starts stage $k$, "
                    "$e_{k+1}$ ends stage $k+1$, and $\\gamma < 0$ is the paper's correlation of the corrective noise.")


def _bound(block):
    return -1 / (block - 1) if block == n_symbol else gamma_bound(block)


def _sigma_prime(block):
    if block == n_symbol:
        return IJ(1 - gamma, gamma, n_symbol)
    return paper.sigma_prime(block)


def entry_equations(block: int):
    """Paper convention: the distinct entries of c^2 (1-e)^2 J + alpha^2 Sigma' - (1-s)^2 I with c = s/e, for a concrete n."""
    c = s / e
    M = c**2 * (1 - e)**2 * paper.block_ones(block) + alpha**2 * paper.sigma_prime(block) - (1 - s)**2 * sympy.eye(block)
    return M, list(dict.fromkeys(M))


@functools.lru_cache(maxsize=None)
def _solve_raw(eqs: tuple) -> tuple:
    """SymPy ``solve`` on the numerators (e != 0 on the domain, so clearing e^2 is allowed)."""
    nums = [sympy.numer(sympy.together(x)) for x in eqs]
    sols = sympy.solve(nums, [e, alpha], dict=True)
    return tuple(tuple(sorted(sol.items(), key=lambda kv: str(kv[0]))) for sol in sols)


def _linear(eq, x):
    """The unique solution x of one equation linear in x (linsolve)."""
    sol = list(sympy.linsolve([eq], [x]))
    if len(sol) != 1 or sol[0][0].has(x):
        raise DerivationError(f"expected one solution of {eq} = 0 for {x}, got {sol}.")
    return sol[0][0]


def _linear_solution(entries):
    """Solve the entry equations for u = alpha^2 and v = c^2 (1 - e)^2, in which they are linear."""
    sol = list(sympy.linsolve(list(entries), [u, v]))
    if len(sol) != 1 or any(x.has(u, v) for x in sol[0]):
        raise DerivationError(f"expected one solution for (u, v), got {sol}.")
    return sympy.factor(sol[0][0]), sympy.factor(sol[0][1])


def _sample_point(block):
    """A point inside the domain (s = 1/2, gamma halfway to the bound) to tell SymPy's roots apart."""
    b = Rational(-1, 2) if block == n_symbol else gamma_bound(block)
    return {s: Rational(1, 2), gamma: b / 2}


def derive_jump_point(block=4) -> Derivation:
    """Paper convention (t signal level, gamma < 0): derive eq. 25 (and eqs. 26-27 at the bound) for blocks of
    ``block`` entries (an int 2..16, or ``"general"`` for the symbol n)."""
    block = parse_block(block)
    return _derive(block)


def solve_jump(block=4) -> dict:
    """Paper convention: the results of the jump-point derivation without its displays (what the ledger re-checks).

    Keys: ``scale`` (c_up = s_k/e_{k+1}), ``entries`` (the two distinct equations), ``u``, ``v`` (alpha^2 and
    c_up^2 (1-e)^2 solved), ``alpha``, ``e_next``, ``e_other_root``, ``e_bound``, ``alpha_bound``, ``scale_bound``,
    ``gamma_bound``; ``matrix`` (concrete n) or ``residual`` (symbolic n, in the block algebra).
    """
    return _solve(parse_block(block))


@functools.lru_cache(maxsize=None)
def _solve(block) -> dict:
    general = block == n_symbol
    Sigma_p = _sigma_prime(block)
    out = {"gamma_bound": _bound(block)}
    # mean condition: c_up e = s
    c_sol = _linear(c_up * e - s, c_up)   # linear solves use linsolve: no simplify, fast and exact
    if c_sol != s / e:
        raise DerivationError(f"mean condition: expected c_up = s/e, got {c_sol}.")
    c = out["scale"] = c_sol
    # covariance condition
    if general:
        resid = IJ(0, c_up**2 * (1 - e)**2, n_symbol) + Sigma_p.scale(alpha**2) - IJ((1 - s)**2, 0, n_symbol)
        out["residual"] = resid
        entries = [sympy.expand(resid.a + resid.b).xreplace({c_up: c}), resid.b.xreplace({c_up: c})]
        lin = IJ(0, v, n_symbol) + Sigma_p.scale(u) - IJ((1 - s)**2, 0, n_symbol)
        lin_entries = [sympy.expand(lin.a + lin.b), sympy.expand(lin.b)]
    else:
        M, entries = entry_equations(block)
        out["matrix"] = M
        if len(entries) != 2:
            raise DerivationError(f"expected two distinct entries, got {len(entries)}.")
        lin_M = v * paper.block_ones(block) + u * paper.sigma_prime(block) - (1 - s)**2 * sympy.eye(block)
        lin_entries = list(dict.fromkeys(sympy.expand(x) for x in lin_M))
    if not (sympy.cancel(entries[0] - (paper.EQ23.lhs - paper.EQ23.rhs)) == 0
            and sympy.cancel(entries[1] - (paper.EQ24.lhs - paper.EQ24.rhs)) == 0):
        raise DerivationError("the distinct entries are not the paper's eqs. 23-24.")
    out["entries"] = tuple(entries)
    back = {u: alpha**2, v: (s / e)**2 * (1 - e)**2}
    if [sympy.cancel(x.xreplace(back) - y) for x, y in zip(lin_entries, entries)] != [0, 0]:
        raise DerivationError("the (u, v) form is not the entry equations.")
    out["linear_entries"] = tuple(lin_entries)
    u_sol, v_sol = _linear_solution(lin_entries)
    out["u"], out["v"] = u_sol, v_sol
    # the roots (they depend on u, v only, which are the same for every n: computed once)
    out["alpha"], out["e_next"], out["e_other_root"] = _roots(u_sol, v_sol)
    out["e_bound"], out["alpha_bound"], out["scale_bound"] = _at_bound(out["e_next"], out["alpha"], block)
    return out


@functools.lru_cache(maxsize=None)
def _derive(block) -> Derivation:
    r = _solve(block)
    general = block == n_symbol
    label = block_label(block)
    steps: list[Step] = []
    Sigma_p = _sigma_prime(block)
    bound = _bound(block)

    # 1. set-up ------------------------------------------------------------------------------
    if general:
        setup_displays = (
            Display(r"\Sigma = J_n, \qquad \Sigma' = " + Sigma_p.latex(), f"Sigma = J, Sigma' = {Sigma_p.text()}"),
            Display(r"J_n^2 = n\,J_n, \qquad J_n \mathbf{1} = n\,\mathbf{1}", "J^2 = n J, J 1 = n 1"),
        )
    else:
        setup_displays = (
            Display.rel(r"\Sigma", paper.block_ones(block)),
            Display.rel(r"\Sigma'", paper.sigma_prime(block)),
        )
    steps.append(Step(
        "The jump and what it must produce",
        "Stage $k+1$ ends at $\\hat x_{e_{k+1}}$ with mean $e_{k+1}\\,\\mathrm{Down}(x_1, 2^{k+1})$ and covariance "
        "$(1-e_{k+1})^2 I$ (eq. 7). Nearest up-sampling copies each coarse entry into a block of "
        f"{'$n$' if general else f'${block}$'} entries, so within a block the up-sampled noise is one value repeated: "
        "its covariance is $(1-e_{k+1})^2\\Sigma$ with $\\Sigma$ the all-ones matrix (eqs. 12, 14). The jump "
        "(eq. 20) is $\\hat x_{s_k} = c_{up}\\,\\mathrm{Up}(\\hat x_{e_{k+1}}) + \\alpha\\, n'$ with $n'$ independent, "
        "$n' \\sim \\mathcal N(0, \\Sigma')$, and it must give the start of stage $k$ its training marginal (eq. 8): "
        "mean $s_k\\,\\mathrm{Up}(\\mathrm{Down}(x_1, 2^{k+1}))$, covariance $(1-s_k)^2 I$. "
        "Unknowns: $e_{k+1}$, $\\alpha$ and $c_{up}$; per block:",
        setup_displays,
        {"Sigma": sympy.Symbol("J") if general else paper.block_ones(block), "Sigma_prime": Sigma_p},
    ))

    # 2. mean -------------------------------------------------------------------------------------
    c = r["scale"]
    steps.append(Step(
        "Mean condition",
        "Only $\\mathrm{Up}(\\hat x_{e_{k+1}})$ carries a mean; matching "
        "$c_{up}\\, e_{k+1}\\,\\mathrm{Up}(\\mathrm{Down}(x_1,2^{k+1}))$ "
        "with $s_k\\,\\mathrm{Up}(\\mathrm{Down}(x_1,2^{k+1}))$ gives the scale of eq. 20:",
        (Display.rel(c_up * e, s), Display.rel(c_up, c)),
        {"scale": c},
        claims=(),
    ))

    # 3. covariance as a matrix ------------------------------------------------------------------
    if general:
        resid = r["residual"]
        resid_disp = Display(resid.latex() + " = 0", resid.text() + " = 0")
        steps.append(Step(
            "Covariance condition in the block algebra",
            "The two noises are independent, so their covariances add: "
            "$c_{up}^2 (1-e_{k+1})^2 J_n + \\alpha^2 \\Sigma' = (1-s_k)^2 I_n$ (eq. 21). Collecting the "
            "coefficients of $I_n$ and $J_n$:",
            (resid_disp,),
            {"residual": resid},
        ))
        steps.append(Step(
            "Two scalar equations",
            "For $n \\ge 2$, $I_n$ and $J_n$ are linearly independent (an off-diagonal entry of $a I_n + b J_n$ is $b$, "
            "a diagonal one $a + b$), so both coefficients vanish. With $c_{up} = s_k/e_{k+1}$ the coefficient of $J_n$ "
            "is the paper's off-diagonal equation (eq. 24), and the coefficient of $I_n$ is the diagonal equation "
            "(eq. 23) minus eq. 24:",
            (Display.rel(resid.b.xreplace({c_up: c}), 0), Display.rel(resid.a, 0)),
            {"entries": (resid.b.xreplace({c_up: c}), resid.a)},
        ))
        entries = list(r["entries"])
    else:
        M, entries = r["matrix"], list(r["entries"])
        pattern = M.applyfunc(lambda x: _D if x == entries[0] else _O)
        steps.append(Step(
            "Covariance condition as a matrix",
            "The two noises are independent, so their covariances add; with $c_{up} = s_k/e_{k+1}$ the residual "
            f"$c_{{up}}^2 (1-e_{{k+1}})^2 \\Sigma + \\alpha^2 \\Sigma' - (1-s_k)^2 I$ (eq. 21) is the ${block}\\times{block}$ "
            "matrix below, with $D$ on the diagonal and $O$ off it:",
            (Display.rel("M", pattern), Display.rel(_D, entries[0]), Display.rel(_O, entries[1])),
            {"matrix": M, "pattern": pattern},
        ))
        steps.append(Step(
            "Two scalar equations",
            f"Of the ${block * block}$ entries only two are distinct, the same for every block size: "
            "$D = 0$ is the paper's diagonal equation (eq. 23) and $O = 0$ its off-diagonal one (eq. 24).",
            (Display.rel(entries[0], 0), Display.rel(entries[1], 0)),
            {"entries": tuple(entries)},
            claims=("derive.entries-are-23-24",),
        ))

    # 4. raw solve on the entries -------------------------------------------------------------------
    raw = _solve_raw(tuple(entries))
    raw_dicts = [dict(sol) for sol in raw]
    steps.append(Step(
        "SymPy's solution set",
        "Clearing the denominator $e_{k+1}^2$ (nonzero: $e_{k+1} \\in (0,1)$) and running `sympy.solve` on the "
        f"equations for $(e_{{k+1}}, \\alpha)$ gives {len(raw_dicts)} solutions, the sign choices of two square roots:",
        tuple(Display.system([Display.rel(alpha, sol[alpha]), Display.rel(e, sol[e])]) for sol in raw_dicts),
        {"solutions": raw_dicts},
    ))

    # 5. linear in u, v -------------------------------------------------------------------------------
    lin_entries, u_sol, v_sol = r["linear_entries"], r["u"], r["v"]
    steps.append(Step(
        "The equations are linear in the variances",
        "Those roots are easier to read in the unknowns $u = \\alpha^2$ (variance of the fresh noise) and "
        "$v = c_{up}^2 (1 - e_{k+1})^2$ (variance inherited from stage $k+1$), in which the equations are linear:",
        (Display.system([Display.rel(x, 0) for x in lin_entries]),
         Display.rel(u, _U_NICE), Display.rel(v, _V_NICE)),
        {"u": u_sol, "v": v_sol},
    ))
    steps.append(Step(
        "Why gamma must be negative",
        "Both are variances, so both must be nonnegative. $u \\ge 0$ needs $\\gamma < 1$; $v \\ge 0$ then needs "
        "$\\gamma \\le 0$, and $\\gamma = 0$ gives $v = 0$, i.e. $e_{k+1} = 1$ (the previous stage would have to run "
        "to clean data). A positive correlation has no real solution: the corrective noise must be negatively "
        "correlated within a block, to cancel part of the perfect correlation the up-sampling introduced.",
        (Display.rel(_V_NICE, 0, rel=">="), Display.chain(gamma, "<=", 0)),
        {},
    ))

    # 6. choose the roots ------------------------------------------------------------------------------
    alpha_sol, e_sol, e_other = r["alpha"], r["e_next"], r["e_other_root"]
    steps.append(Step(
        "Choosing the roots",
        "$\\alpha = \\pm\\sqrt u$: the sign of $\\alpha$ does not change the law of $\\alpha n'$ ($n'$ is symmetric), "
        "so take $\\alpha > 0$. $c_{up}(1-e_{k+1}) = s_k (1 - e_{k+1})/e_{k+1} = \\pm\\sqrt v$: for $e_{k+1} \\in (0,1)$ the "
        "left side is positive, so the root is $+\\sqrt v$; the other root makes $s_k(1-e_{k+1})/e_{k+1}$ negative, "
        "i.e. $e_{k+1} > 1$ or $e_{k+1} < 0$ (second line). Solving for $e_{k+1}$ gives the paper's eq. 25:",
        (Display.rel(alpha, alpha_sol),
         Display.rel(r"e_{k+1}^{(-)}", e_other),
         Display.rel(e, e_sol)),
        {"alpha": alpha_sol, "e_next": e_sol, "e_other_root": e_other},
        claims=("derive.jump-is-25",),
    ))

    # 7. which of SymPy's solutions it is -----------------------------------------------------------------
    pt = _sample_point(block)
    solve_step = 1 + next(i for i, st in enumerate(steps) if st.title == "SymPy's solution set")
    which = None
    for i, sol in enumerate(raw_dicts):
        a_val = sympy.N(sol[alpha].xreplace(pt), 40)
        e_val = sympy.N(sol[e].xreplace(pt), 40)
        if a_val > 0 and abs(e_val - sympy.N(e_sol.xreplace(pt), 40)) < sympy.Float("1e-30", 40):
            which = i
    if which is None:
        raise DerivationError("none of SymPy's solutions matches eq. 25 at the sample point.")
    den = sympy.denom(sympy.together(raw_dicts[which][e]))
    den = sympy.factor(den)
    bad_s = [r for r in sympy.solve(den.xreplace({gamma: Rational(-1, 3)}), s) if r.is_real and 0 < r < 1]
    steps.append(Step(
        "Which of SymPy's solutions this is",
        f"At $s_k = {tex(pt[s])}$, $\\gamma = {tex(pt[gamma])}$ the chosen root matches solution {which + 1} "
        f"of step {solve_step} to "
        "40 digits, and no other. That form divides by the polynomial below, which vanishes inside the domain "
        f"(at $\\gamma = -1/3$: $s_k = {', '.join(tex(r) for r in bad_s)}$), where SymPy's expression is $0/0$; "
        "the form of eq. 25 has a positive denominator everywhere on the domain.",
        (Display.rel(r"\mathrm{denominator}", den),),
        {"solve_index": which, "solve_denominator": den},
    ))

    # 8. n-independence ------------------------------------------------------------------------------------
    free = sorted(str(x) for x in (e_sol.free_symbols | alpha_sol.free_symbols))
    if "n" in free:
        raise DerivationError("the solution depends on n.")
    steps.append(Step(
        "No dependence on the block size",
        f"The solution involves only ${'$, $'.join(tex(sympy.Symbol(x)) for x in free)}$: "
        + ("the coefficients of $I_n$ and $J_n$ do not involve $n$ (only $J_n^2 = n J_n$ would, and no product of "
           "two $J_n$ occurs), "
           if general else
           "the distinct entries of the matrix are the same two equations for every $n \\ge 2$, ")
        + "so $e_{k+1}(s_k, \\gamma)$ and $\\alpha(s_k, \\gamma)$ are the same for 2, 4, 8 or any $n$. "
          "The block size enters only through the admissible range of $\\gamma$, $[-1/(n-1), 0)$.",
        (Display(r"\frac{\partial e_{k+1}}{\partial n} = " + tex(sympy.diff(e_sol, n_symbol)),
                 "d e_{k+1}/dn = " + str(sympy.diff(e_sol, n_symbol))),
         Display(r"\frac{\partial \alpha}{\partial n} = " + tex(sympy.diff(alpha_sol, n_symbol)),
                 "d alpha/dn = " + str(sympy.diff(alpha_sol, n_symbol)))),
        {},
        claims=("derive.jump-n-independent",),
    ))

    # 9. at the bound ------------------------------------------------------------------------------------------
    e_b, a_b, c_b = r["e_bound"], r["alpha_bound"], r["scale_bound"]
    displays = [Display.rel(gamma, bound), Display.rel(e, e_b), Display.rel(alpha, a_b), Display.rel(c_up, c_b)]
    statement = (f"At the lower end of the admissible range, $\\gamma = {tex(bound)}$ (where $\\alpha$ is smallest, see "
                 "the derivation of the range of $\\gamma$), the jump reads:")
    if block == 4:
        mine = (e_b, a_b, c_b)
        theirs = (paper.E_NEXT_MINUS_THIRD.expr, paper.ALPHA_MINUS_THIRD.expr, paper.SCALE_EQ27.expr)
        if any(sympy.cancel(sympy.expand(x - y)) != 0 for x, y in zip(mine, theirs)):
            raise DerivationError("the n = 4 bound does not give eqs. 26-27.")
        statement += " these are the paper's eqs. 26 and 27, $e_{k+1} = 2 s_k/(1+s_k)$, $\\alpha = \\sqrt3 (1-s_k)/2$, " \
                     "$c_{up} = (1+s_k)/2$."
    elif general:
        statement += " for $n = 4$ this is the paper's eqs. 26-27."
    steps.append(Step("At the bound gamma = -1/(n-1)", statement, tuple(displays),
                      {"e_bound": e_b, "alpha_bound": a_b, "scale_bound": c_b},
                      claims=("derive.jump-bound-is-26-27",) if block == 4 else ("derive.jump-bound-general",)))

    title = f"The jump point from first principles, {label}"
    summary = ("Where stage $k+1$ must end ($e_{k+1}$), how much fresh noise the jump adds ($\\alpha$) and how it scales the "
               "up-sampled latent ($c_{up}$), derived from the two moment conditions of the jump "
               f"for blocks of {'$n$' if general else f'${block}$'} entries"
               + (" (a 1-D x2 up-sampling)." if block == 2 else " (a 2x2 up-sampling, the paper's case)." if block == 4
                  else " (a 2x2x2 space-time up-sampling)." if block == 8 else "."))
    results = dict(r, solutions=raw_dicts, solve_index=which, solve_denominator=den)
    doc_id = "jump_point_general_n" if general else f"jump_point_n{block}"
    return Derivation(doc_id, title, summary, PAPER_CONVENTION, block, tuple(steps), results)


@functools.lru_cache(maxsize=None)
def _roots(u_sol, v_sol):
    """Paper convention: alpha = +sqrt(u), and e_{k+1} from s (1 - e)/e = +sqrt(v) (and the rejected -sqrt(v) root)."""
    alpha_sol = (1 - s) / sqrt(1 - gamma)
    root_v = (1 - s) * sqrt(-gamma) / sqrt(1 - gamma)
    if not (is_zero_radical(alpha_sol**2 - u_sol) and is_zero_radical(root_v**2 - v_sol)):
        raise DerivationError("square roots of u, v do not square back.")
    R = sympy.Symbol("R", positive=True)                              # stands for sqrt(v) > 0
    e_plus = _linear(s * (1 - e) - R * e, e).xreplace({R: root_v})   # s (1 - e)/e = +sqrt(v), times e != 0
    e_minus = _linear(s * (1 - e) + R * e, e).xreplace({R: root_v})  # s (1 - e)/e = -sqrt(v)
    e_sol = _normalise_e(e_plus)
    if not is_zero_radical(e_sol - paper.e_next_of_s()):
        raise DerivationError(f"the derived e_(k+1) = {e_sol} is not the paper's eq. 25.")
    return alpha_sol, e_sol, _normalise_e(e_minus, sign=-1)


def _normalise_e(expr, sign=1):
    """Paper convention: write a root e = s sqrt(1-g) / (s sqrt(1-g) +- (1-s) sqrt(-g))."""
    target = s * sqrt(1 - gamma) / (s * sqrt(1 - gamma) + sign * (1 - s) * sqrt(-gamma))
    if not is_zero_radical(expr - target):
        raise DerivationError(f"root {expr} is not {target}.")
    return target


def _at_bound(e_sol, alpha_sol, block):
    """Paper convention: e, alpha and c_up at gamma = -1/(n-1), for the symbol n or a concrete block size."""
    e_b, a_b, c_b = _bound_forms(e_sol, alpha_sol)
    if block == n_symbol:
        return e_b, a_b, c_b
    e_b, a_b, c_b = (x.xreplace({n_symbol: block}) for x in (e_b, a_b, c_b))
    return (sympy.factor(e_b), a_b, sympy.factor(c_b)) if block == 4 else (e_b, a_b, c_b)


@functools.lru_cache(maxsize=None)
def _bound_forms(e_sol, alpha_sol):
    """Paper convention: e, alpha and c_up at gamma = -1/(n-1), symbolic n.

    There sqrt(1 - gamma) = sqrt(n)/sqrt(n-1) and sqrt(-gamma) = 1/sqrt(n-1) (n - 1 > 0); with r_n = sqrt(n),
    r_m = sqrt(n - 1) as positive symbols the three quantities are rational in s, r_n, r_m and cancel.
    """
    r_n, r_m = sympy.Symbol("r_n", positive=True), sympy.Symbol("r_m", positive=True)
    at = {_P: r_n / r_m, _Q: 1 / r_m}
    back = {r_n: sqrt(n_symbol), r_m: sqrt(n_symbol - 1)}
    e_b = sympy.cancel(_to_pq(e_sol).xreplace(at))
    a_b = (1 - s) * sympy.cancel(_to_pq(alpha_sol).xreplace(at) / (1 - s))  # alpha is (1 - s_k) times a constant
    if e_b.has(r_m) or a_b.has(s) is False:
        raise DerivationError(f"the bound forms did not cancel: {e_b}, {a_b}.")
    c_b = sympy.cancel(s / e_b)
    c_b = s + sympy.cancel(c_b - s)  # s_k + (1 - s_k)/sqrt(n): the scale leaves s_k plus a positive remainder
    return tuple(x.xreplace(back) for x in (e_b, a_b, c_b))
