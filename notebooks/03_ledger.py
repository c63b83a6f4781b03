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
# # 03 — The ledger, the article's errors, and how to read a counterexample
#
# The ledger (`pyramid-sym prove`) is a list of *claims*: an identity, a sign or a positive
# semidefiniteness statement on a stated domain, each with its source and the verdict it
# must reach. A verdict is one of
#
# - **proved**: a certificate valid on the whole domain (every divisor, radicand and pole
#   shown nonzero or in range; the numerator of lhs - rhs reduced to 0, radicals replaced
#   by positive symbols with their defining relations) *and* an independent re-decision:
#   rigorous ball enclosures of both sides agreeing at many exact points;
# - **refuted**: an exact point of the domain where a rigorous enclosure of lhs - rhs
#   excludes 0 (or where a side is certifiably undefined);
# - **unknown**: neither.
#
# This notebook runs the article's claims A1-A12 through the command line, shows which are
# wrong and what they should have said, and takes one counterexample apart.

# %%
import json
import subprocess
import sys

import mpmath
import numpy as np
import sympy
from pyramid_sym.notebook import Markdown, Math, display

from pyramid_sym.conventions import e_next, gamma, s_k
from pyramid_sym.formulas import article, paper
from pyramid_sym.ledger import get_claim, run_claim

ARTICLE = [f"article.A{i}" for i in range(1, 13)]


def prove_json(*claim_ids):
    """Run `pyramid-sym prove --json` on the given claims (with this interpreter) and parse its output."""
    cmd = [sys.executable, "-m", "pyramid_sym", "prove", "--json"]
    for cid in claim_ids:
        cmd += ["--claim", cid]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert done.stdout, done.stderr
    out = json.loads(done.stdout)
    not_ok = [c["id"] for c in out["claims"] if not c["ok"]]
    # exit status 0 iff every claim reached its expected verdict
    assert done.returncode == 0 and not not_ok, f"exit {done.returncode}; not as expected: {not_ok}"
    return out


# %% [markdown]
# ## The article's claims, decided

# %%
report = prove_json(*ARTICLE)
by_id = {c["id"]: c for c in report["claims"]}
rows = ["| claim | statement | verdict | expected | holds after |", "|---|---|---|---|---|"]
for cid in ARTICLE:
    c = by_id[cid]
    rows.append(f"| {cid.split('.')[1]} | {c['statement']} | **{c['verdict']}** | {c['expected']} | "
                f"{'; '.join(c.get('holds_under', [])) or ''} |")
display(Markdown("\n".join(rows)))
assert report["ok"] and all(by_id[c]["ok"] for c in ARTICLE)
assert [c for c in ARTICLE if by_id[c]["verdict"] == "refuted"] == ["article.A8", "article.A9", "article.A10"]

# %% [markdown]
# A1-A5 restate the paper correctly; A6, A7, A11 and A12 are sentences, made precise by the
# claims listed as their parts. **A8-A10 are wrong as written.** They describe the code, but
# with the roles of $e_{k+1}$ and $s_k$ exchanged: the code computes the *start* $s_k$ of the
# next stage from the *end* $e_{k+1}$ of the previous one (the inverse of eq. 25), while A8
# writes $e_{k+1}$ as a function of $s_k$. Swapping the two symbols makes A8 and A9 true; A10's
# scale $e/s_k$ is the code's $s_k/e_{k+1}$ upside down.

# %%
assert "swap e_{k+1} and s_k" in by_id["article.A8"]["holds_under"]
assert "swap e_{k+1} and s_k" in by_id["article.A9"]["holds_under"]
assert "invert the ratio e/s_k" in by_id["article.A10"]["holds_under"]
A8 = article.ARTICLE_EQUATIONS["A8"]
display(Math(r"\text{A8 as written:}\quad " + A8.latex()))
swapped = A8.rhs.xreplace({s_k: e_next})
display(Math(r"\text{A8 with } e_{k+1} \leftrightarrow s_k:\quad s_k = " + sympy.latex(swapped)))
display(Math(r"\text{the code (corrected start, paper symbols):}\quad s_k = "
             + sympy.latex(sympy.factor(paper.s_of_e_next()))))

# %% [markdown]
# ## Reading a counterexample
#
# A refutation comes with the exact point where it fails, both sides evaluated there with
# their ball enclosures, and the enclosure of their difference, which excludes 0, with the
# working precision (bits) at which it did. Here is A8's:

# %%
cx = by_id["article.A8"]["counterexample"]
display(Markdown("```json\n" + json.dumps(cx, indent=1) + "\n```"))
assert set(cx) >= {"point", "lhs", "rhs", "difference", "enclosure", "bits"}

# %% [markdown]
# The claim was decided with the code's own model: $s_k$ is the code's corrected start, a
# function of $e_{k+1}$ (converted to paper symbols). The left side of A8 is then just
# $e_{k+1}$, and the right side is the article's formula evaluated at the code's $s_k$.
# Re-evaluating both independently, with mpmath at 50 digits, gives the same two numbers:

# %%
point = {sympy.Symbol(k, real=True): sympy.Rational(v) for k, v in cx["point"].items()}
e_val, g_val = point[e_next], point[gamma]
s_code = paper.s_of_e_next(e_val, g_val)                       # what the code computes
lhs = e_val
rhs = A8.rhs.xreplace({s_k: s_code, gamma: g_val})
with mpmath.workdps(50):
    lhs_m, rhs_m = mpmath.mpf(sympy.N(lhs, 50)), mpmath.mpf(sympy.N(rhs, 50))
display(Markdown(f"at $e_{{k+1}} = {cx['point']['e_{k+1}']}$, $\\gamma = {cx['point']['gamma']}$: "
                 f"lhs = {mpmath.nstr(lhs_m, 20)}, rhs = {mpmath.nstr(rhs_m, 20)}"))
# the report prints about 20 significant digits; 1e-15 relative is far looser than that and far tighter than the gap
assert abs(lhs_m - mpmath.mpf(cx["lhs"])) <= 1e-15 * abs(lhs_m)
assert abs(rhs_m - mpmath.mpf(cx["rhs"])) <= 1e-15 * abs(rhs_m)
assert abs(lhs_m - rhs_m) > 1e-4 * abs(lhs_m)  # a real difference, not rounding

# %% [markdown]
# and after the swap the same point agrees: the article's formula *is* the code's, with the
# names exchanged.

# %%
swap_rhs = A8.rhs.xreplace({s_k: e_val, gamma: g_val})       # s_k := e_{k+1} in the article's formula
with mpmath.workdps(50):
    # both sides are exact algebraic numbers; at 50 digits equal ones agree to ~1e-49
    assert abs(mpmath.mpf(sympy.N(swap_rhs, 50)) - mpmath.mpf(sympy.N(s_code, 50))) < mpmath.mpf(10) ** -45

# %% [markdown]
# ## A refuted PSD claim
#
# Counterexamples are not only for identities. The derivation ledger contains one claim that
# must be refuted: that the $8\times8$ $\Sigma'$ stays positive semidefinite a little below its
# bound $-1/7$. The counterexample is a $\gamma$ where the smallest eigenvalue is negative; NumPy
# agrees.

# %%
claim = get_claim("derive.sigma-prime-not-psd-below-bound")
res = run_claim(claim)
display(Markdown(f"**{res.verdict}** (expected {claim.expected}): `{res.counterexample}`"))
assert res.verdict == "refuted" and res.ok
g_cx = float(sympy.Rational(list(res.counterexample["point"].values())[0]))
Sp = (1 - g_cx) * np.eye(8) + g_cx * np.ones((8, 8))
lam = np.linalg.eigvalsh(Sp).min()
display(Math(rf"\lambda_{{\min}}(\Sigma'(\gamma = {g_cx:.6g})) = {lam:.6g} = 1 + 7\gamma"))
assert abs(lam - (1 + 7 * g_cx)) < 1e-12 and lam < 0  # float64 eigvalsh of an 8x8: ~1e-15 error

# %% [markdown]
# ## The whole ledger
#
# `pyramid-sym prove` decides every claim (the paper's steps, the code, the schedule, the
# kernels, the derivations of notebook 02, the article) and exits 0 only if each reaches its
# expected verdict.

# %%
full = prove_json()
counts = {}
for c in full["claims"]:
    counts[c["verdict"]] = counts.get(c["verdict"], 0) + 1
display(Markdown(f"{len(full['claims'])} claims: " + ", ".join(f"{v} {k}" for k, v in sorted(counts.items()))
                 + f"; all as expected: **{full['ok']}**"))
assert full["ok"]
assert any(c["id"].startswith("derive.") for c in full["claims"])
