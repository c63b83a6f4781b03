# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 02 — Deriving the jump point for any block size
#
# At a jump, inference leaves the end $e_{k+1}$ of stage $k+1$, up-samples by nearest
# neighbour (each coarse entry becomes a block of $n$ equal entries: $n = 2$ for 1-D,
# $4$ for $2\times2$, $8$ for $2\times2\times2$), rescales and adds correlated noise:
#
# $$\hat x_{s_k} = c_{up}\,\mathrm{Up}(\hat x_{e_{k+1}}) + \alpha\, n', \qquad n' \sim \mathcal N(0, \Sigma').$$
#
# The result must have the training distribution of the start of stage $k$ (eq. 8). This
# notebook lets the derivation engine (`pyramid_sym.derivation`) solve those conditions,
# step by step, for a symbolic $n$ and for the actual $2\times2$, $4\times4$ and $8\times8$
# matrices; it then explains the admissible range of $\gamma$ and why the code's default
# sits on a singular covariance. Paper convention: $t$ is the signal level, $\gamma < 0$.

# %%
import numpy as np
import sympy
from pyramid_sym.notebook import Markdown, Math, display

from pyramid_sym.conventions import e_next, gamma, n as n_sym, s_k
from pyramid_sym.derivation import derive_gamma_range, derive_jump_point
from pyramid_sym.domain import Domain, Interval
from pyramid_sym.formulas import paper
from pyramid_sym.prover import prove_identity


def render(derivation, steps=None):
    """Show a derivation: its steps' statements as Markdown and every display as LaTeX."""
    display(Markdown(f"### {derivation.title}"))
    for i, step in enumerate(derivation.steps, 1):
        if steps is not None and i not in steps:
            continue
        display(Markdown(f"**{i}. {step.title}.** {step.statement}"))
        for d in step.displays:
            display(Math(d.latex))


# %% [markdown]
# ## Symbolic $n$
#
# For a symbolic $n$ the matrices live in the algebra spanned by $I_n$ and the all-ones
# $J_n$ ($J_n^2 = nJ_n$); the covariance condition becomes two scalar equations, the
# coefficients of $I_n$ and $J_n$.

# %%
general = derive_jump_point("general")
render(general)
e_general, alpha_general = general.results["e_next"], general.results["alpha"]
assert n_sym not in (e_general.free_symbols | alpha_general.free_symbols)

# %% [markdown]
# ## The actual matrices, $n = 2, 4, 8$
#
# For a concrete $n$ the engine builds the $n\times n$ covariance residual and runs
# `sympy.solve` on its entries. Here is the $n = 4$ derivation in full (the paper's case);
# for $n = 2$ and $8$ only the results are shown.

# %%
d4 = derive_jump_point(4)
render(d4)

# %%
D_common = Domain([(s_k, Interval.open(0, 1)), (gamma, Interval(sympy.Rational(-1, 7), 0, False, True))])
rows = ["| $n$ | distinct entries | $e_{k+1}$ | $\\alpha$ | same as general $n$ |", "|---|---|---|---|---|"]
for n in (2, 4, 8):
    r = derive_jump_point(n).results
    same = prove_identity(sympy.Matrix([r["e_next"], r["alpha"]]), sympy.Matrix([e_general, alpha_general]),
                          D_common)
    assert same.verdict == "proved", (n, same.verdict)
    assert len(r["entries"]) == 2  # n^2 entries, two distinct equations
    rows.append(f"| {n} | {len(r['entries'])} of {n * n} | ${sympy.latex(r['e_next'])}$ | "
                f"${sympy.latex(r['alpha'])}$ | {same.verdict} |")
display(Markdown("\n".join(rows)))

# %% [markdown]
# **Eq. 25 comes out for every block size**, and it is the paper's formula:

# %%
D25 = Domain([(s_k, Interval.open(0, 1)), (gamma, Interval(-1, 0, False, True))])
r25 = prove_identity(sympy.Matrix([e_general, alpha_general]),
                     sympy.Matrix([paper.e_next_of_s(), paper.alpha_of_s()]), D25)
display(Math(r"e_{k+1} = " + sympy.latex(e_general) + r",\qquad \alpha = " + sympy.latex(alpha_general)))
display(Markdown(f"prover: **{r25.verdict}** ({r25.method})"))
assert r25.verdict == "proved"

# %% [markdown]
# ## The admissible range of $\gamma$
#
# $\Sigma' = (1-\gamma) I + \gamma J$ has the eigenvalue $1 + (n-1)\gamma$ on the all-ones vector
# and $1 - \gamma$ on its complement, so it is a covariance exactly for
# $\gamma \ge -1/(n-1)$ (and $\gamma \le 1$), and singular at the bound.

# %%
gr = derive_gamma_range("general")
render(gr)

# %%
rng = np.random.default_rng(0)
for n in (2, 4, 8):
    bound = -1.0 / (n - 1)
    # numerical eigenvalues of the actual matrix, at the bound and just inside / outside it
    for gv, expect_min in ((bound, 0.0), (bound + 1e-3, (n - 1) * 1e-3), (bound - 1e-3, -(n - 1) * 1e-3)):
        Sp = (1 - gv) * np.eye(n) + gv * np.ones((n, n))
        lam_min = np.linalg.eigvalsh(Sp).min()
        # float64 eigenvalues of an 8x8 matrix with O(1) entries: error ~ 10 ulp, 1e-12 is generous
        assert abs(lam_min - expect_min) < 1e-12, (n, gv, lam_min, expect_min)
    assert derive_gamma_range(n).results["bound"] == sympy.Rational(-1, n - 1)
display(Markdown("Checked numerically: the smallest eigenvalue is $0$ at the bound, positive just inside, "
                 "negative just outside, for $n = 2, 4, 8$."))

# %% [markdown]
# ## Why the bound, and why the code's default breaks
#
# $\alpha = (1-s_k)/\sqrt{1-\gamma}$ increases with $\gamma$: the bound adds the least fresh noise,
# which is the paper's reason for $\gamma = -1/3$ with $2\times2$ blocks. But the code's default
# $\gamma_c = 1/3$ *is* that bound, where $\Sigma'$ is singular: a Cholesky-based sampler needs a
# positive definite matrix, and the rounded $1/3$ decides the outcome.

# %%
from pyramid_sym.notebook import have_module

sv = 0.5
for n in (2, 4, 8):
    gs = np.linspace(-1.0 / (n - 1), -1e-6, 200)
    assert np.all(np.diff((1 - sv) / np.sqrt(1 - gs)) > 0)  # alpha increases along the admissible range
if have_module("matplotlib"):
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 3.2))
    for n in (2, 4, 8):
        gs = np.linspace(-1.0 / (n - 1), -1e-6, 200)
        bound = sympy.Rational(-1, n - 1)  # -1, -1/3, -1/7: the admissible range is [bound, 0)
        ax.plot(gs, (1 - sv) / np.sqrt(1 - gs), label=f"n = {n}: gamma in [{bound}, 0)")
    ax.set_xlabel("gamma (paper convention)")
    ax.set_ylabel("alpha at s_k = 1/2")
    ax.legend()
    plt.show()
else:
    display(Markdown('*Plot skipped: it needs matplotlib (`pip install -e ".[plots]"`).*'))

d_fp = derive_gamma_range(4)
render(d_fp, steps={len(d_fp.steps) - 1, len(d_fp.steps)})
assert d_fp.results["lambda_fl32"] < 0 < d_fp.results["lambda_fl64"]
assert d_fp.results["at_default"][4] == 0

# %% [markdown]
# ## A check by sampling
#
# The algebra can be checked by simulation. The corrective noise needs no Cholesky factor:
# with $P = J/n$ the projection on the all-ones vector,
# $n' = \sqrt{1-\gamma}\,(I - P) z + \sqrt{1 + (n-1)\gamma}\, P z$ has covariance $\Sigma'$ for every
# admissible $\gamma$, the singular bound included. Running the jump on many blocks, the
# up-sampled-and-re-noised sample has covariance $(1 - s_k)^2 I$.

# %%
n, s_val, N = 4, 0.4, 400_000
g_val = -1.0 / (n - 1)
e_val = float(paper.e_next_of_s(sympy.Rational(2, 5), sympy.Rational(-1, 3)))
a_val = float(paper.alpha_of_s(sympy.Rational(2, 5), sympy.Rational(-1, 3)))
z_coarse = rng.standard_normal(N)                       # noise of x_e at the coarse entry
up = (1 - e_val) * np.repeat(z_coarse[:, None], n, 1)   # noise part of Up(x_e); the mean part is checked symbolically
z = rng.standard_normal((N, n))
zbar = z.mean(axis=1, keepdims=True)
n_prime = np.sqrt(1 - g_val) * (z - zbar) + np.sqrt(1 + (n - 1) * g_val) * zbar
x_s = (s_val / e_val) * up + a_val * n_prime
emp = np.cov(x_s, rowvar=False)
target = (1 - s_val) ** 2 * np.eye(n)
# standard error of a sample (co)variance is about sqrt(2/N) * variance = 0.0008 here; allow 6 of them
tol = 6 * np.sqrt(2 / N) * (1 - s_val) ** 2
display(Markdown(f"max |empirical - $(1-s_k)^2 I$| = {np.abs(emp - target).max():.2e} (tolerance {tol:.1e})"))
assert np.abs(emp - target).max() < tol
