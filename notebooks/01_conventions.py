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
# # 01 — The two conventions and the paper-to-code map
#
# The paper and its reference code describe the same jump-point re-noising with
# opposite conventions, three times over:
#
# | | paper | code |
# |---|---|---|
# | time | signal level $t$ ($t=0$ noise, $t=1$ data) | noise level $\sigma = 1 - t$ |
# | correlation in a block | $\gamma < 0$, $\Sigma' = (1-\gamma)I + \gamma J$ | $\gamma_c = -\gamma > 0$, $(1+\gamma_c)I - \gamma_c J$ |
# | stage index | $k = K-1$ coarsest, $k = 0$ finest | $i = 0$ coarsest, $i = K-1$ finest |
# | direction of eq. 25 | $e_{k+1}$ from $s_k$ | $s_k$ (the "corrected start") from $e_{k+1}$ |
#
# This notebook states each conversion with `pyramid_sym.conventions`, then proves,
# with the package's prover, that every formula of the code is the paper's formula
# after conversion. Every cell asserts what it shows.

# %%
import sympy
from pyramid_sym.notebook import Markdown, Math, display

from pyramid_sym import conventions as C
from pyramid_sym.domain import Domain
from pyramid_sym.formulas import code, paper
from pyramid_sym.prover import prove_identity

s, e, g, gc, sig = C.s_k, C.e_next, C.gamma, C.gamma_c, C.sigma_end


def show(label, expr):
    display(Math(label + " = " + sympy.latex(expr)))


# %% [markdown]
# ## The converters
#
# Three flips: time ($\sigma = 1 - t$), sign of the correlation ($\gamma_c = -\gamma$) and the
# stage index ($i = K - 1 - k$). Each is its own inverse.

# %%
K = 3
table = ["| paper stage $k$ | code stage $i$ | resolution |", "|---|---|---|"]
for k in range(K):
    i = C.code_stage_index(k, K)
    assert C.paper_stage_index(i, K) == k
    table.append(f"| {k} | {i} | $2^{{-{k}}}$ |")
display(Markdown("\n".join(table)))

t_val = sympy.Rational(2, 3)
assert C.t_of_sigma(C.sigma_of_t(t_val)) == t_val
assert C.gamma_of_gamma_c(C.gamma_c_of_gamma(sympy.Rational(-1, 3))) == sympy.Rational(-1, 3)
assert C.code_stage_index(0, K) == K - 1  # the paper's last stage is the code's last index
for k in (2, 4, 8):
    assert C.gamma_interval(k).lo == -C.gamma_c_interval(k).hi == sympy.Rational(-1, k - 1)
display(Markdown(f"Paper range for $2\\times2$ blocks: $\\gamma \\in$ `{C.GAMMA_2X2}`; "
                 f"code range: $\\gamma_c \\in$ `{C.GAMMA_C_2X2}`."))

# %% [markdown]
# ## The paper's formulas (paper convention)

# %%
show(r"e_{k+1}", paper.e_next_of_s())
show(r"\alpha", paper.alpha_of_s())
show(r"s_k(e_{k+1})", paper.s_of_e_next())
assert paper.E_NEXT.convention == paper.ALPHA.convention == "paper"

# %% [markdown]
# ## The code's formulas (code convention)
#
# The code receives the previous stage's end noise level $\sigma_{end}$ and names
# $e = 1 - \sigma_{end}$, a *signal* level: the paper's $e_{k+1}$.

# %%
show(r"\mathrm{corrected}(\sigma_{end}, \gamma_c)", code.corrected_start_of())
show(r"\alpha_{code}", code.alpha_of())
show(r"\beta_{code}", code.beta_of())
show(r"\Sigma'_{code}", code.block_covariance(4))
assert code.CORRECTED_START.convention == "code"

# %% [markdown]
# ## The map, proved
#
# Converting each code formula with `code_to_paper` ($\sigma_{end} \to 1 - e_{k+1}$,
# $\gamma_c \to -\gamma$) gives the paper's quantity:
#
# | code | paper |
# |---|---|
# | corrected start | $s_k$ from $e_{k+1}$ (eq. 25 inverted) |
# | `alpha` (multiplies the up-sampled latent) | $c_{up} = s_k / e_{k+1}$ (eq. 20) |
# | `beta` (multiplies the block noise) | $\alpha = (1-s_k)/\sqrt{1-\gamma}$ (eq. 25) |
# | block covariance | $\Sigma'$ (eq. 22) |
#
# Each row is an identity on $e_{k+1} \in (0,1)$, $\gamma \in [-1/3, 0)$, decided by the
# prover (a symbolic certificate plus agreement at many points).

# %%
D = Domain([(e, C.S_OPEN), (g, C.GAMMA_2X2)])
s_code = C.code_to_paper(code.corrected_start_of())
rows = {
    "corrected start = s_k(e_{k+1})": (s_code, paper.s_of_e_next(e, g)),
    "alpha_code = s_k / e_{k+1}": (C.code_to_paper(code.alpha_of()), s_code / e),
    "beta_code = alpha of eq. 25 at s_k": (C.code_to_paper(code.beta_of()), paper.alpha_of_s(s_code, g)),
}
results = {name: prove_identity(lhs, rhs, D) for name, (lhs, rhs) in rows.items()}
cov = prove_identity(C.code_to_paper(code.block_covariance(4)), paper.sigma_prime(4), Domain([(g, C.GAMMA_2X2)]))
results["block covariance = Sigma'"] = cov
display(Markdown("\n".join(["| identity | verdict | method |", "|---|---|---|"]
                           + [f"| {k} | **{r.verdict}** | {r.method} |" for k, r in results.items()])))
assert all(r.verdict == "proved" for r in results.values()), {k: r.verdict for k, r in results.items()}

# %% [markdown]
# ## The defaults
#
# The code's default $\gamma_c = 1/3$ is the paper's $\gamma = -1/3$, and at that value the
# code's corrected start has the closed form $e/(2 - e)$ of the commented-out line, the
# inverse of eq. 26, $e_{k+1} = 2 s_k/(1 + s_k)$.

# %%
D3 = Domain([(e, C.S_OPEN)])
third = sympy.Rational(1, 3)
r1 = prove_identity(s_code.xreplace({g: -third}), e / (2 - e), D3)
r2 = prove_identity(paper.E_NEXT_MINUS_THIRD.expr.xreplace({s: e / (2 - e)}), e, D3)
show(r"\mathrm{corrected}\big|_{\gamma_c = 1/3}", e / (2 - e))  # the form just proved (r1)
assert (r1.verdict, r2.verdict) == ("proved", "proved"), (r1.verdict, r2.verdict)

# %% [markdown]
# ## A conversion done wrong is caught
#
# Forgetting the sign flip (reading the code's positive $\gamma_c$ as the paper's $\gamma$) is
# not a harmless relabelling: $\sqrt{-\gamma}$ becomes imaginary. The prover refuses the
# identity with a counterexample (a point of the domain where the two sides differ).

# %%
wrong = code.corrected_start_of().xreplace({sig: 1 - e, gc: g})  # sign of gamma not flipped
r = prove_identity(wrong, paper.s_of_e_next(e, g), D)
display(Markdown(f"verdict: **{r.verdict}**; counterexample: `{r.counterexample}`"))
assert r.verdict in ("refuted", "unknown") and r.verdict != "proved"
