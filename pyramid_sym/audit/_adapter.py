"""The audit's one coupling to the rest of the package: formulas, conventions, prover, probe, kernels.

Everything the audit needs from elsewhere passes through here, through public
surfaces only (``formulas.all_formulas``/``get``, the conventions' symbols,
intervals and converters, ``prover.prove_identity`` and its result's ``verdict``,
``counterexample``, ``certificate``, ``to_json()``, the probe's certified
reference and ULP distance, the kernel specs' names).
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy

__all__ = ["Var", "Candidate", "candidates", "candidate_for", "prove", "LEVEL_ROLES", "GAMMA_ROLES",
           "ROLE_TEXT", "level_interval", "flip_interval", "reference", "FLOAT_FORMATS", "ulp_errors"]

# the roles a free symbol of an audited file can hold: (point of the jump, level convention) or a gamma sign
LEVEL_ROLES = {"s_k": ("s", "signal"), "e_next": ("e", "signal"), "sigma_end": ("e", "noise"),
               "sigma_start": ("s", "noise")}
GAMMA_ROLES = {"gamma": "paper", "gamma_c": "code"}
ROLE_TEXT = {
    "s_k": "s_k, start of stage k (paper, signal level)",
    "e_next": "e_{k+1}, end of stage k+1 (paper, signal level)",
    "sigma_end": "sigma_end, previous stage's end noise level (code, sigma = 1 - t)",
    "sigma_start": "start noise level of stage k (1 - s_k)",
    "gamma": "gamma, the paper's correlation (negative)",
    "gamma_c": "gamma_c, the code's correlation (positive, gamma_c = -gamma)",
}


@dataclass(frozen=True)
class Var:
    """A variable of a formula: a level (``point`` s or e, ``conv`` signal or noise) or a gamma (paper or code)."""

    symbol: sympy.Symbol
    kind: str          # "level" or "gamma"
    point: str | None  # "s" or "e" for a level
    conv: str          # "signal"/"noise" for a level, "paper"/"code" for a gamma
    interval: object   # pyramid_sym.domain.Interval

    def role(self, flipped: bool) -> str:
        if self.kind == "gamma":
            conv = self.conv if not flipped else ("code" if self.conv == "paper" else "paper")
            return "gamma" if conv == "paper" else "gamma_c"
        conv = self.conv if not flipped else ("noise" if self.conv == "signal" else "signal")
        return {("s", "signal"): "s_k", ("e", "signal"): "e_next", ("e", "noise"): "sigma_end",
                ("s", "noise"): "sigma_start"}[(self.point, conv)]

    def value_of(self, x, flipped: bool):
        """The formula variable in terms of the file's symbol ``x`` (the converters: sigma = 1 - t, gamma_c = -gamma)."""
        from ..conventions import gamma_c_of_gamma, sigma_of_t

        if not flipped:
            return x
        return gamma_c_of_gamma(x) if self.kind == "gamma" else sigma_of_t(x)


@dataclass(frozen=True)
class Candidate:
    """A named formula the audit can recognise."""

    id: str
    convention: str
    quantity: str
    expr: object
    vars: tuple[Var, ...]
    kernel: str | None
    specific: bool

    @property
    def shape(self):
        return tuple(self.expr.shape) if isinstance(self.expr, sympy.MatrixBase) else None


def _classify(symbols, domain) -> tuple[Var, ...] | None:
    from .. import conventions as cv

    out = []
    for s in symbols:
        iv = domain[s]
        if iv.is_point:
            continue
        if s == cv.s_k:
            out.append(Var(s, "level", "s", "signal", cv.S_OPEN))
        elif s == cv.e_next:
            out.append(Var(s, "level", "e", "signal", cv.S_OPEN))
        elif s == cv.sigma_end:
            out.append(Var(s, "level", "e", "noise", cv.SIGMA_OPEN))
        elif s == cv.gamma:
            out.append(Var(s, "gamma", None, "paper", iv))
        elif s == cv.gamma_c:
            out.append(Var(s, "gamma", None, "code", iv))
        else:
            return None
    if sum(v.kind == "level" for v in out) > 1 or sum(v.kind == "gamma" for v in out) > 1:
        return None
    return tuple(out)


def _specific(expr, variables) -> bool:
    """Distinctive enough to name a line of code: a gamma, a radical, or a non-polynomial function of a level."""
    if any(v.kind == "gamma" for v in variables):
        return True
    if isinstance(expr, sympy.MatrixBase) or not variables:
        return False
    if any(p.is_Pow and not p.exp.is_Integer for p in expr.atoms(sympy.Pow)):
        return True
    return not expr.is_polynomial(*[v.symbol for v in variables])


def _kernel_names() -> dict[str, str]:
    try:
        from ..kernels.registry import KERNELS
    except Exception:  # noqa: BLE001 - the audit works without the kernel table
        return {}
    out = {}
    for k in KERNELS:
        out.setdefault(k.formula_id, k.name)
        out[f"kernel.{k.name}"] = k.name
    return out


def _from_formula(f, kernels) -> Candidate | None:
    from ..formulas import Equation

    if isinstance(f, Equation):
        if not (isinstance(f.lhs, sympy.Symbol)):
            return None
        expr = f.rhs
    else:
        expr = f.expr
    fixed = f.domain.fixed()
    expr = expr.xreplace(fixed) if fixed else expr
    syms = [s for s in f.domain.symbols if s in getattr(expr, "free_symbols", set())]
    variables = _classify(syms, f.domain)
    if variables is None:
        return None
    return Candidate(f.id, f.convention, getattr(f, "quantity", getattr(f, "statement", "")), expr, variables,
                     kernels.get(f.id), _specific(expr, variables))


_CANDIDATES: list[Candidate] | None = None


def candidates() -> list[Candidate]:
    """The recognisable formulas: paper, code and derived formulas and composite kernels, specific ones only."""
    global _CANDIDATES
    if _CANDIDATES is None:
        from ..formulas import Formula, all_formulas

        kernels = _kernel_names()
        out = []
        for f in all_formulas().values():
            if not isinstance(f, Formula) or f.convention == "article":
                continue
            c = _from_formula(f, kernels)
            if c is not None and c.specific and c.vars:
                out.append(c)
        out.extend(_kernel_candidates(kernels, {c.id for c in out}))
        _CANDIDATES = out
    return _CANDIDATES


def _kernel_candidates(kernels, known) -> list[Candidate]:
    """Kernels that compose formulas (s_k / e_{k+1}): recognisable under their own name."""
    try:
        from ..domain import Domain
        from ..kernels.registry import KERNELS
    except Exception:  # noqa: BLE001
        return []
    out = []
    for k in KERNELS:
        if getattr(k, "build", None) is None:
            continue
        expr = k.formula_expr
        dom = Domain([(s, iv) for s, _, iv in k.args])
        variables = _classify([s for s in dom.symbols if s in expr.free_symbols], dom)
        if variables and _specific(expr, variables):
            out.append(Candidate(f"kernel.{k.name}", k.convention, k.summary, expr, variables, k.name, True))
    return out


def candidate_for(formula_id: str) -> Candidate:
    """The candidate for an expectation: any formula of the registry (or kernel.NAME), specific or not."""
    from ..errors import UsageError

    for c in candidates():
        if c.id == formula_id:
            return c
    if formula_id.startswith("kernel."):
        raise UsageError(f"no composite kernel named {formula_id!r}; expect a formula id "
                         f"(run 'pyramid-sym formulas' for the list) or one of "
                         f"{sorted(c.id for c in candidates() if c.id.startswith('kernel.'))}.")
    from ..formulas import get

    f = get(formula_id)  # raises the registry's one-sentence error for an unknown id
    c = _from_formula(f, _kernel_names())
    if c is None or not c.vars:
        raise UsageError(f"formula {formula_id!r} is not a quantity of a level and gamma that a line of code can "
                         f"compute; expect one of {sorted(x.id for x in candidates())}.")
    return c


def flip_interval(kind: str, iv):
    """The interval of the file's symbol when it holds the other convention (1 - x for a level, -x for gamma)."""
    from ..domain import Interval

    if kind == "gamma":
        return Interval(-iv.hi, -iv.lo, iv.hi_open, iv.lo_open)
    return Interval(1 - iv.hi, 1 - iv.lo, iv.hi_open, iv.lo_open)


def level_interval():
    from ..conventions import S_OPEN

    return S_OPEN


def prove(lhs, rhs, symbols, intervals):
    """Decide lhs = rhs on the box ``symbols`` x ``intervals`` with the package's prover."""
    from ..domain import Domain
    from ..prover import prove_identity

    return prove_identity(lhs, rhs, Domain(list(zip(symbols, intervals))))


# ------------------------------------------------------------------------------ accuracy
FLOAT_FORMATS = ("float32", "float64")


def reference(expr, symbols):
    """A certified reference of ``expr`` (the probe's: two working precisions that must round alike)."""
    from ..probe.reference import ExactFunction

    return ExactFunction(expr, symbols, name="audit")


def ulp_errors(output, ref_ordinals, fmt_name: str):
    """ULP distance of a computed array from reference ordinals; non-finite outputs come back as NaN."""
    import numpy as np

    from ..probe.reference import FORMATS, ordinals_of_output, ulp_distance

    ords, finite, _ = ordinals_of_output(output, FORMATS[fmt_name])
    d = ulp_distance(ords, ref_ordinals)
    return np.where(finite, d, np.nan)


def reference_ordinal(ref, args, fmt_name: str):
    from ..probe.reference import FORMATS

    ordinal, ok = ref.certified(args).ordinal(FORMATS[fmt_name])
    return ordinal, ok
