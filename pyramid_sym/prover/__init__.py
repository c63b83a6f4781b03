"""A sound prover for identities, signs and positive semidefiniteness on a domain.

``proved`` requires both

1. a **symbolic certificate**: every radical is replaced by basic radical symbols
   with their defining relations (:mod:`._algebra`), the numerator of
   ``lhs - rhs`` is reduced to 0 modulo those relations (a Groebner-basis normal
   form), and every denominator and radicand is shown to have a sign on the domain
   (:mod:`._sign`); and
2. an **independent numeric witness**: agreement at >= 20 exact rational points
   (interior and near every end of the domain) evaluated with mpmath at 60 digits.

``refuted`` requires a point of the domain where the claim fails, the failure
confirmed at 60 and at 120 digits.  Everything else is ``unknown``.
``Expr.equals`` and ``simplify(lhs - rhs) == 0`` are never used as proofs.
"""

from __future__ import annotations

import time

import mpmath
import sympy

from ..domain import Domain
from ..errors import InputError
from ._algebra import AlgebraicContext
from ._result import ProofResult, Unsupported
from ._sign import explain, satisfies, sign_of
from ._witness import (AGREE_DIGITS, DPS, DPS_CONFIRM, Evaluator, close, fmt,
                       random_points)

__all__ = ["ProofResult", "prove_identity", "prove_sign", "prove_psd", "MIN_WITNESSES"]

MIN_WITNESSES = 20
_EXTRA_SEARCH = 200  # random points tried for a counterexample when the symbolic method fails


# ----------------------------------------------------------------------------- helpers
def _prepare(domain: Domain, *exprs):
    if not isinstance(domain, Domain):
        raise InputError(f"the domain must be a pyramid_sym.domain.Domain, got {type(domain).__name__}.")
    fixed = domain.fixed()
    free = Domain([(s, iv) for s, iv in domain if not iv.is_point])
    out = []
    for e in exprs:
        e = sympy.sympify(e)
        e = e.xreplace(fixed) if fixed else e
        # floats become their exact binary value: no rounded arithmetic inside a certificate
        floats = {f: sympy.Rational(*float(f).as_integer_ratio()) for f in e.atoms(sympy.Float)}
        out.append(e.xreplace(floats) if floats else e)
    undeclared = set()
    for e in out:
        undeclared |= {s for s in e.free_symbols if s not in free}
    if undeclared:
        names = ", ".join(sorted(map(str, undeclared)))
        raise InputError(f"the expression uses {names}, which the domain does not declare; add a range for each.")
    return free, out


def _entries(x) -> list:
    if isinstance(x, sympy.MatrixBase):
        return list(x)
    return [x]


def _denominators(expr) -> list[sympy.Expr]:
    """Bases of negative powers in the expression tree: each must be nonzero on the domain."""
    dens = []
    for sub in sympy.preorder_traversal(expr):
        if sub.is_Pow and sub.exp.is_number and sub.exp.is_negative:
            dens.append(sub.base)
    return list(dict.fromkeys(dens))


def _point_json(pt: dict) -> dict[str, str]:
    return {str(k): fmt(v) for k, v in pt.items()}


def _witness_points(free: Domain) -> list[dict]:
    pts = free.witness_points(MIN_WITNESSES)
    if len(pts) < MIN_WITNESSES and free.symbols:
        pts += random_points(free, MIN_WITNESSES - len(pts), seed=7)
    return pts


def _short(e, limit: int = 160) -> str:
    if isinstance(e, sympy.Basic):
        e = e.xreplace({d: sympy.Symbol(d.name) for d in e.atoms(sympy.Dummy)})
    s = str(e)
    return s if len(s) <= limit else s[: limit - 3] + "..."


def _unknown(res: ProofResult, t0: float, why: str) -> ProofResult:
    res.verdict, res.method, res.note = "unknown", "no certificate; no counterexample found", why
    res.seconds = time.perf_counter() - t0
    return res


def _conclude(res: ProofResult, t0: float, evaluated: int, free: Domain, method: str) -> ProofResult:
    """'proved' once a certificate exists, provided enough witness points agreed."""
    if evaluated < MIN_WITNESSES and free.symbols:
        res.method = "certificate without enough witnesses"
        res.note = f"only {evaluated} witness points could be evaluated (need {MIN_WITNESSES})"
    else:
        res.verdict, res.method = "proved", method
    res.seconds = time.perf_counter() - t0
    return res


def _nonzero_denominators(exprs, ctx: AlgebraicContext) -> list[str]:
    """A side condition per denominator of the expressions: each must have a strict sign on the domain."""
    sides = []
    for d in dict.fromkeys(x for e in exprs for x in _denominators(e)):
        sd = sign_of(ctx.lift(d), ctx)
        if sd is None or sd[0] not in ("pos", "neg"):
            raise Unsupported(f"cannot show the denominator {d} is nonzero on the domain")
        sides.append(f"{d} {'> 0' if sd[0] == 'pos' else '< 0'}: {explain(sd[1])}")
    return sides


# ----------------------------------------------------------------------------- identities
def _rel(a, b):
    return abs(a - b) / max(mpmath.mpf(1), abs(a), abs(b))


def _compare(ev: Evaluator, npairs: int, pt: dict):
    """Compare every pair at one point.

    Returns ("ok", max relative difference) when all pairs agree (at DPS, or at
    DPS_CONFIRM when DPS lost digits to cancellation), ("bad", (index, lhs, rhs))
    when a pair differs at both precisions, ("skip", None) when the point cannot
    be evaluated (a pole or a non-finite value).
    """
    vals = ev(pt, DPS)
    if vals is None:
        return "skip", None
    worst = mpmath.mpf(0)
    hi = None
    for i in range(npairs):
        a, b = vals[i], vals[npairs + i]
        if close(a, b):
            worst = max(worst, _rel(a, b))
            continue
        if hi is None:
            hi = ev(pt, DPS_CONFIRM)
            if hi is None:
                return "skip", None
        a2, b2 = hi[i], hi[npairs + i]
        if not (mpmath.isfinite(a2) and mpmath.isfinite(b2)):
            return "skip", None
        if not close(a2, b2):
            return "bad", (i, a2, b2)
        worst = max(worst, _rel(a2, b2))
    return "ok", worst


def prove_identity(lhs, rhs, domain: Domain, *, statement: str = "") -> ProofResult:
    """Decide ``lhs = rhs`` (scalars, or matrices elementwise) for every point of ``domain``."""
    t0 = time.perf_counter()
    lhs, rhs = sympy.sympify(lhs), sympy.sympify(rhs)
    L, R = _entries(lhs), _entries(rhs)
    if len(L) != len(R) or (isinstance(lhs, sympy.MatrixBase) != isinstance(rhs, sympy.MatrixBase)) or (
        isinstance(lhs, sympy.MatrixBase) and lhs.shape != rhs.shape
    ):
        raise InputError("the two sides have different shapes; compare a scalar with a scalar or matrices of one shape.")
    free, flat = _prepare(domain, *L, *R)
    pairs = list(dict.fromkeys(zip(flat[: len(L)], flat[len(L):])))
    res = ProofResult("unknown", "", statement=statement, domain=domain.to_json())
    if _undefined(res, flat, t0):
        return res

    # 1. independent numeric witnesses (may refute)
    ev = Evaluator(free.symbols, [p[0] for p in pairs] + [p[1] for p in pairs])
    pts = _witness_points(free)
    evaluated, worst = 0, mpmath.mpf(0)
    for pt in pts:
        status, info = _compare(ev, len(pairs), pt)
        if status == "skip":
            continue
        if status == "bad":
            return _refuted_identity(res, pairs, pt, info, t0)
        evaluated += 1
        worst = max(worst, info)
    res.witnesses = {"points": evaluated, "dps": DPS, "agree_digits": AGREE_DIGITS,
                     "max_rel_diff": mpmath.nstr(worst, 3),
                     "sample": [_point_json(p) for p in pts[:3]]}

    # 2. symbolic certificate
    ctx = AlgebraicContext(free)
    try:
        cert, sides = [], []
        for i, (l, r) in enumerate(pairs):
            if l == r:
                cert.append(f"entry {i}: both sides are the same expression" if len(pairs) > 1 else
                            "both sides are the same expression")
            else:
                num, den = sympy.fraction(sympy.together(ctx.lift(l) - ctx.lift(r)))
                nf = ctx.reduce(num)
                if nf != 0 and not free.symbols and nf.is_Rational:
                    # a closed statement whose difference is an exact nonzero rational: refuted exactly
                    res.verdict = "refuted"
                    res.method = "exact: lhs - rhs is a nonzero rational number"
                    with mpmath.workdps(DPS):
                        lv, rv = ev({}, DPS)[i], ev({}, DPS)[len(pairs) + i]
                    res.counterexample = {"point": {}, "lhs": fmt(lv), "rhs": fmt(rv),
                                          "difference": str(sympy.nsimplify(nf / den)) if den.is_Rational
                                          else str(nf), "entry": i if len(pairs) > 1 else None,
                                          "dps": "exact"}
                    res.seconds = time.perf_counter() - t0
                    return res
                if nf != 0:
                    raise Unsupported(f"the numerator of lhs - rhs does not reduce to 0 modulo the radicals' "
                                      f"relations (normal form {_short(nf)})")
                n_terms = len(sympy.Add.make_args(sympy.expand(num)))
                where = f"entry {i}: " if len(pairs) > 1 else ""
                cert.append(f"{where}numerator of lhs - rhs ({n_terms} terms) reduces to 0 modulo "
                            f"{{{ctx.relation_text()}}}")
            sides += _nonzero_denominators((l, r), ctx)
        res.certificate = [f"radical {n}" for n in ctx.notes] + cert
        res.side_conditions = list(dict.fromkeys(sides))
    except Unsupported as exc:
        return _search_or_unknown(res, ev, pairs, free, str(exc), t0)

    if not free.symbols:
        # a closed statement: confirm at a third, higher precision as its witness
        hi = ev({}, DPS_CONFIRM * 2)
        if hi is None or not all(close(hi[i], hi[len(pairs) + i], DPS_CONFIRM) for i in range(len(pairs))):
            res.note = "the numeric witness does not confirm the certificate"
            res.seconds = time.perf_counter() - t0
            return res
        res.witnesses["points"] = 1
        res.witnesses["dps"] = f"{DPS}, {DPS_CONFIRM * 2}"
    return _conclude(res, t0, evaluated, free, "radical normal form (Groebner) + sign certificates + mpmath witnesses")


def _undefined(res: ProofResult, exprs, t0) -> bool:
    """A side that is undefined once the fixed values are substituted (1/0, 0/0) can be neither proved nor refuted."""
    bad = [e for e in exprs if e.has(sympy.zoo, sympy.nan, sympy.oo, sympy.S.NegativeInfinity)]
    if not bad:
        return False
    res.verdict, res.method = "unknown", "undefined expression"
    res.note = f"{_short(bad[0], 80)} is undefined (a division by zero or an infinity) at the fixed values"
    res.seconds = time.perf_counter() - t0
    return True


def _refuted_identity(res: ProofResult, pairs, pt, c, t0) -> ProofResult:
    i, a, b = c
    with mpmath.workdps(DPS_CONFIRM):
        diff = a - b
    res.verdict = "refuted"
    res.method = "counterexample (mpmath, confirmed at two precisions)"
    res.counterexample = {
        "point": _point_json(pt),
        "lhs": fmt(a), "rhs": fmt(b), "difference": fmt(diff, 5),
        "entry": i if len(pairs) > 1 else None,
        "dps": [DPS, DPS_CONFIRM],
    }
    res.seconds = time.perf_counter() - t0
    return res


def _search_or_unknown(res, ev, pairs, free, why, t0):
    for pt in random_points(free, _EXTRA_SEARCH):
        status, info = _compare(ev, len(pairs), pt)
        if status == "bad":
            return _refuted_identity(res, pairs, pt, info, t0)
    return _unknown(res, t0, why)


# ----------------------------------------------------------------------------- signs
_REL_TEXT = {">": "> 0", ">=": ">= 0", "<": "< 0", "<=": "<= 0", "!=": "!= 0"}


def _violates(v, relation: str, digits: int) -> bool:
    """Clearly violates the relation (beyond the precision's noise); exact zeros are handled separately."""
    tol = mpmath.mpf(10) ** (-digits) * max(mpmath.mpf(1), abs(v))
    if not mpmath.isfinite(v) or (isinstance(v, mpmath.mpc) and abs(v.imag) > tol):
        return False
    v = mpmath.re(v)
    return {">": v < -tol, ">=": v < -tol, "<": v > tol, "<=": v > tol, "!=": False}[relation]


def _near_zero(v, digits: int) -> bool:
    return mpmath.isfinite(v) and abs(v) <= mpmath.mpf(10) ** (-digits)


def prove_sign(expr, domain: Domain, relation: str = ">", *, statement: str = "") -> ProofResult:
    """Decide ``expr <relation> 0`` on the whole domain (relation one of > >= < <= !=)."""
    if relation not in _REL_TEXT:
        raise InputError(f"relation {relation!r} is not one of > >= < <= !=; use one of those.")
    t0 = time.perf_counter()
    free, (e,) = _prepare(domain, expr)
    res = ProofResult("unknown", "", statement=statement or f"{e} {_REL_TEXT[relation]}", domain=domain.to_json())
    if _undefined(res, [e], t0):
        return res
    ev = Evaluator(free.symbols, [e])
    pts = _witness_points(free)
    evaluated, worst = 0, None
    for pt in pts + random_points(free, 40):
        vals = ev(pt, DPS)
        if vals is None:
            continue
        evaluated += 1
        v = vals[0]
        bad = _violates(v, relation, DPS - 15)
        zero_bad = relation in (">", "<", "!=") and _near_zero(v, DPS - 10)
        if bad or zero_bad:
            hi = ev(pt, DPS_CONFIRM)
            if hi is not None:
                v2 = hi[0]
                if bad and _violates(v2, relation, DPS_CONFIRM - 15):
                    return _refuted_sign(res, pt, v2, t0)
                if zero_bad and _near_zero(v2, DPS_CONFIRM - 10) and _exact_zero(e, pt):
                    return _refuted_sign(res, pt, sympy.Integer(0), t0, exact=True)
        if worst is None or abs(v) < abs(worst):
            worst = v
    res.witnesses = {"points": evaluated, "dps": DPS,
                     "min_abs_value": fmt(worst, 5) if worst is not None else None,
                     "sample": [_point_json(p) for p in pts[:3]]}
    ctx = AlgebraicContext(free)
    try:
        sides = _nonzero_denominators((e,), ctx)
        lifted = ctx.lift(e)
        sg = sign_of(lifted, ctx)
        if sg is None:
            raise Unsupported("no sign certificate found")
        if not satisfies(sg[0], relation):
            raise Unsupported(f"the certificate only shows {sg[0]} ({explain(sg[1])})")
        res.certificate = [f"radical {n}" for n in ctx.notes] + [f"{_short(e, 120)} is {sg[0]}: {explain(sg[1])}"]
        res.side_conditions = list(dict.fromkeys(sides))
    except Unsupported as exc:
        return _unknown(res, t0, str(exc))
    return _conclude(res, t0, evaluated, free, "sign certificate (Sturm / Polya / squaring) + mpmath witnesses")


def _exact_zero(e, pt) -> bool:
    """The expression is exactly 0 at this rational point (radical normal form of the closed value)."""
    val = sympy.sympify(e).xreplace(pt)
    ctx = AlgebraicContext(Domain([]))
    try:
        num, _ = sympy.fraction(sympy.together(ctx.lift(val)))
        return ctx.reduce(num) == 0
    except Unsupported:
        return False


def _refuted_sign(res, pt, v, t0, exact=False) -> ProofResult:
    res.verdict = "refuted"
    res.method = "counterexample (exact zero)" if exact else "counterexample (mpmath, confirmed at two precisions)"
    res.counterexample = {"point": _point_json(pt), "value": fmt(v), "dps": [DPS, DPS_CONFIRM]}
    res.seconds = time.perf_counter() - t0
    return res


# ----------------------------------------------------------------------------- PSD
def prove_psd(matrix, domain: Domain, *, statement: str = "") -> ProofResult:
    """Decide that the symmetric ``matrix`` is positive semidefinite at every point of ``domain``."""
    t0 = time.perf_counter()
    M = sympy.ImmutableMatrix(matrix)
    if M.rows != M.cols:
        raise InputError(f"a PSD claim needs a square matrix; got {M.rows}x{M.cols}.")
    free, entries = _prepare(domain, *list(M))
    M = sympy.ImmutableMatrix(M.rows, M.cols, entries)
    res = ProofResult("unknown", "", statement=statement or "matrix is positive semidefinite", domain=domain.to_json())
    if _undefined(res, entries, t0):
        return res
    if any(sympy.expand(M[i, j] - M[j, i]) != 0 for i in range(M.rows) for j in range(i)):
        res.note = "the matrix is not symmetric"
        res.seconds = time.perf_counter() - t0
        return res
    ev = Evaluator(free.symbols, list(M))
    pts = _witness_points(free)
    evaluated, min_eig = 0, None

    def eig_min(pt, dps):
        vals = ev(pt, dps)
        if vals is None:
            return None
        with mpmath.workdps(dps):
            A = mpmath.matrix(M.rows, M.cols)
            for k, v in enumerate(vals):
                A[k // M.cols, k % M.cols] = v
            return min(mpmath.eigsy(A, eigvals_only=True))

    for pt in pts + random_points(free, 20):
        m = eig_min(pt, DPS)
        if m is None:
            continue
        evaluated += 1
        if m < -mpmath.mpf(10) ** (-(DPS - 15)):
            m2 = eig_min(pt, DPS_CONFIRM)
            if m2 is not None and m2 < -mpmath.mpf(10) ** (-(DPS_CONFIRM - 15)):
                res.verdict = "refuted"
                res.method = "counterexample: a negative eigenvalue (mpmath eigsy, two precisions)"
                res.counterexample = {"point": _point_json(pt), "min_eigenvalue": fmt(m2), "dps": [DPS, DPS_CONFIRM]}
                res.seconds = time.perf_counter() - t0
                return res
        min_eig = m if min_eig is None else min(min_eig, m)
    res.witnesses = {"points": evaluated, "dps": DPS, "min_eigenvalue": fmt(min_eig, 5) if min_eig is not None else None}

    lam = sympy.Dummy("lambda")
    ctx = AlgebraicContext(free)
    try:
        cp = sympy.expand((lam * sympy.eye(M.rows) - M).det(method="berkowitz"))
        const, facs = sympy.factor_list(cp, lam)
        eigs, cert = [], []
        for f, k in facs:
            deg = sympy.degree(f, lam)
            if deg == 0:
                continue
            if deg != 1:
                raise Unsupported(f"the characteristic polynomial has a factor of degree {deg} in lambda")
            a, b = sympy.Poly(f, lam).all_coeffs()
            mu = sympy.cancel(-b / a)
            eigs.append((mu, k))
        total = sum(k for _, k in eigs)
        if total != M.rows:
            raise Unsupported("the eigenvalues found do not account for the whole dimension")
        cert.append("characteristic polynomial = " + " * ".join(f"(lambda - ({mu}))^{k}" for mu, k in eigs))
        for mu, k in eigs:
            sg = sign_of(ctx.lift(mu), ctx)
            if sg is None or sg[0] not in ("pos", "nonneg", "zero"):
                raise Unsupported(f"cannot show the eigenvalue {mu} is >= 0 on the domain")
            cert.append(f"eigenvalue {mu} (multiplicity {k}) is {sg[0]}: {explain(sg[1])}")
        res.certificate = cert
        res.side_conditions = ["the matrix is symmetric, so its eigenvalues are real and PSD <=> all >= 0"]
    except Unsupported as exc:
        return _unknown(res, t0, str(exc))
    return _conclude(res, t0, evaluated, free,
                     "eigenvalues from the factored characteristic polynomial + sign certificates + mpmath witnesses")
