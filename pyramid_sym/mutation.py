"""Mutation soundness: wrong variants of every formula, which the prover must never prove.

:func:`generate_mutants` derives mutants from every formula of
:func:`pyramid_sym.formulas.all_formulas` (each side of an equation, each entry of a
matrix) and from every ledger identity claim expected to be proved, with these
operators:

``op-swap``      ``a + b -> a - b``, ``a * b -> a / b``, ``a / b -> a * b``, ``a + b -> a * b``
``sign-flip``    a sub-expression or a variable replaced by its negative
``nudge``        a constant moved by exactly 10^-12 (``Rational(1, 10**12)``, never a float),
                 or the whole expression scaled by 1 + 10^-12
``drop-sqrt``    ``sqrt(x) -> x``
``add-sqrt``     ``x -> sqrt(x)`` for a variable or a sum
``swap-vars``    two variables exchanged, or one replaced by another
``exponent``     ``x^k -> x^(k+1)``, ``sqrt -> cube root``, ``x^-1 -> x^-2``

and, for the failure classes of a prover that trusts rounded numbers or rewrites
powers carelessly (:func:`class_edits`):

``tiny-scale``   both sides scaled by 10^-60 and one moved by 10^-72 (relative 10^-12)
``narrow-band``  ``+ 10^-3 (|v - c| - (v - c))`` with c 10^-25 inside an end: nonzero only in that band
``odd-root``     ``+ k ((-v^3)^(1/3) + v)``, ``+ k ((-8)^(2/3) - 4)``: principal odd roots of negatives are complex
``pole``         ``* (v - c)/(v - c)`` and ``* (1 + tan(a)^2) cos(a)^2`` with a pole or a 0/0 point c inside
``extreme``      ``* (1 + 10^-80/(v - lo)^2)`` (visible 10^-40 from the end), ``+ 10^-30 v^2`` on a half-line
``cancel``       ``* ((1 + d)^2 - 1 - 2d)/d^2 + 10^-30`` with d = v - lo, and ``* (cosh^2 - sinh^2)(50 + v) + 10^-30``

:func:`true_variants` gives equivalent rewrites of every source (multiplied by
``sin^2 + cos^2``, ``cosh^2 - sinh^2``, ``exp(v) exp(-v)``, a removable factor with its
zero outside the domain, ``+ atan(w) + atan(1/w) - pi/2`` with w > 0, ``+ log(exp(v)) - v``,
``+ sqrt(3 + 2 sqrt 2) - 1 - sqrt 2``, expanded or brought over one denominator); each
is a true identity by construction and the prover should prove it.

Each mutant is kept only when an *independent* check shows it is a different
function: at some point of the domain (rational points chosen here, not the
prover's witness points) the mutant and the original differ by more than 10^-40
relative at 60 digits, or one is real and the other is not.  So every kept mutant
is a wrong identity ``mutant = original``, and the prover must answer ``refuted``
or ``unknown``, never ``proved``.  Mutants without such a point (possibly equal to
the original, e.g. a swap of variables in a symmetric formula) are dropped and
counted.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass, field
from typing import Iterator

import sympy

from .domain import Domain

__all__ = ["Mutant", "MutationReport", "generate_mutants", "sources", "run_mutants", "NUDGE", "OPERATORS",
           "class_edits", "true_variants", "run_variants"]

NUDGE = sympy.Rational(1, 10**12)   # "tiny" constant change: exact, far above 60-digit rounding
EVAL_DPS = 60                      # digits for the independent distinctness check
DISTINCT_REL = sympy.Rational(1, 10**40)  # differences below this (relative) are not trusted at 60 digits
BASE_OPERATORS = ("op-swap", "sign-flip", "nudge", "drop-sqrt", "add-sqrt", "swap-vars", "exponent")
CLASS_OPERATORS = ("tiny-scale", "narrow-band", "odd-root", "pole", "extreme", "cancel")
OPERATORS = BASE_OPERATORS + CLASS_OPERATORS


@dataclass(frozen=True)
class Mutant:
    """A wrong identity ``mutant = reference`` on ``domain``, derived from ``source`` by ``operator``."""

    id: str
    source: str
    operator: str
    description: str
    reference: sympy.Basic   # the correct expression (formula, one side of an equation, a claim's other side)
    mutant: sympy.Basic      # the mutated expression
    domain: Domain
    witness: dict = field(default_factory=dict, compare=False)  # {name: rational} where the two differ

    @property
    def statement(self) -> str:
        return f"{self.mutant} = {self.reference}"


@dataclass
class MutationReport:
    """Counts of a run of the prover over the mutants."""

    total: int = 0
    proved: int = 0
    refuted: int = 0
    unknown: int = 0
    errors: int = 0
    dropped_equivalent: int = 0
    by_operator: dict = field(default_factory=dict)
    proved_ids: list = field(default_factory=list)
    error_ids: list = field(default_factory=list)
    seconds: float = 0.0

    @property
    def kill_rate(self) -> float:
        return self.refuted / self.total if self.total else 0.0

    def to_json(self) -> dict:
        return {
            "total": self.total, "proved": self.proved, "refuted": self.refuted, "unknown": self.unknown,
            "errors": self.errors, "dropped_equivalent": self.dropped_equivalent,
            "kill_rate": round(self.kill_rate, 4), "by_operator": self.by_operator,
            "proved_ids": self.proved_ids, "error_ids": self.error_ids, "seconds": round(self.seconds, 1),
        }


# --- sources ----------------------------------------------------------------------------------------

def _ledger_identities() -> list:
    """Identity claims of the ledger expected to be proved (also inside 'all' claims); [] while there is no ledger."""
    try:
        ledger = importlib.import_module("pyramid_sym.ledger")
    except ImportError:
        return []
    found = []

    def walk(claim):
        if claim.kind == "identity" and claim.expected == "proved":
            found.append(claim)
        for part in getattr(claim, "parts", ()):
            walk(part)

    for info in sorted(pkgutil.iter_modules(ledger.__path__), key=lambda i: i.name):
        if not info.name.startswith("claims_"):
            continue
        mod = importlib.import_module(f"pyramid_sym.ledger.{info.name}")
        for claim in mod.claims():
            walk(claim)
    return found


def sources() -> list[tuple[str, sympy.Basic, sympy.Basic, Domain]]:
    """Every (source id, expression to mutate, its correct reference, domain): formulas, equation sides, claims.

    For a formula the reference is the formula itself; for an equation each side
    that is not a bare symbol is mutated and compared with itself; for an identity
    claim ``lhs = rhs`` (proved by the ledger) the right side is mutated and
    compared with the left, and the left with the right.
    """
    from . import formulas

    out = []
    order = {"paper": 0, "code": 1, "article": 2}
    for fid, obj in sorted(formulas.all_formulas().items(), key=lambda kv: (order.get(kv[0].split(".")[0], 3), kv[0])):
        if isinstance(obj, formulas.Formula):
            out.append((fid, obj.expr, obj.expr, obj.domain))
        else:
            for side, expr in (("lhs", obj.lhs), ("rhs", obj.rhs)):
                if isinstance(expr, sympy.Symbol) or (isinstance(expr, sympy.Expr) and expr.is_number):
                    continue
                out.append((f"{fid}.{side}", expr, expr, obj.domain))
    for claim in _ledger_identities():
        out.append((f"ledger.{claim.id}.rhs", claim.rhs, claim.lhs, claim.domain))
        out.append((f"ledger.{claim.id}.lhs", claim.lhs, claim.rhs, claim.domain))
    return out


# --- tree edits -----------------------------------------------------------------------------------

def _paths(expr: sympy.Basic, path=()) -> Iterator[tuple[tuple[int, ...], sympy.Basic]]:
    yield path, expr
    if isinstance(expr, sympy.Expr) and not expr.is_Atom:
        for i, arg in enumerate(expr.args):
            yield from _paths(arg, path + (i,))


def _replace(expr: sympy.Basic, path: tuple[int, ...], new: sympy.Basic) -> sympy.Basic:
    if not path:
        return new
    args = list(expr.args)
    args[path[0]] = _replace(args[path[0]], path[1:], new)
    return expr.func(*args)


def _in_exponent(expr: sympy.Basic, path: tuple[int, ...]) -> bool:
    node = expr
    for i in path:
        if isinstance(node, sympy.Pow) and i == 1:
            return True
        node = node.args[i]
    return False


def _edits(expr: sympy.Expr, variables) -> Iterator[tuple[str, str, sympy.Expr]]:
    """Candidate (operator, description, mutated expression) for a scalar expression."""
    nodes = list(_paths(expr))
    # op-swap ---------------------------------------------------------------
    for path, node in nodes:
        if isinstance(node, sympy.Add) and len(node.args) >= 2:
            for i, term in enumerate(node.args):
                yield "op-swap", f"'+' -> '-' before term {term}", _replace(expr, path + (i,), -term)
            if len(node.args) == 2:
                yield "op-swap", f"({node}) -> product of its terms", _replace(expr, path, sympy.Mul(*node.args))
        if isinstance(node, sympy.Mul):
            for i, factor in enumerate(node.args):
                if factor.is_Number and abs(factor) == 1:
                    continue
                yield "op-swap", f"'*'/'/' swapped for factor {factor}", _replace(expr, path + (i,), 1 / factor)
    # sign-flip -------------------------------------------------------------
    yield "sign-flip", "whole expression negated", -expr
    for v in variables:
        yield "sign-flip", f"{v} -> -{v}", expr.xreplace({v: -v})
    for path, node in nodes:
        if path and isinstance(node, sympy.Add) and not _in_exponent(expr, path):
            yield "sign-flip", f"({node}) negated", _replace(expr, path, -node)
    # nudge -----------------------------------------------------------------
    for path, node in nodes:
        if node.is_Rational and path and not _in_exponent(expr, path):
            yield "nudge", f"constant {node} + 1e-12", _replace(expr, path, node + NUDGE)
            yield "nudge", f"constant {node} - 1e-12", _replace(expr, path, node - NUDGE)
    yield "nudge", "expression scaled by 1 + 1e-12", expr * (1 + NUDGE)
    yield "nudge", "expression + 1e-12", expr + NUDGE
    # drop-sqrt / exponent --------------------------------------------------
    for path, node in nodes:
        if isinstance(node, sympy.Pow) and node.exp.is_Rational:
            k = node.exp
            if k.q == 2:
                yield "drop-sqrt", f"sqrt dropped in {node}", _replace(expr, path, node.base ** (k * 2))
                yield "exponent", f"square root -> cube root in {node}", _replace(
                    expr, path, node.base ** (k * sympy.Rational(2, 3)))
                yield "exponent", f"exponent {k} nudged by 1e-12 in {node}", _replace(
                    expr, path, sympy.Pow(node.base, k + NUDGE))
            elif k.is_Integer:
                yield "exponent", f"exponent {k} -> {k + 1}", _replace(expr, path, node.base ** (k + 1))
                yield "exponent", f"exponent {k} -> {k - 1}", _replace(expr, path, node.base ** (k - 1))
    # add-sqrt --------------------------------------------------------------
    for v in variables:
        yield "add-sqrt", f"{v} -> sqrt({v})", expr.xreplace({v: sympy.sqrt(v)})
    for path, node in nodes:
        if path and isinstance(node, sympy.Add) and not _in_exponent(expr, path):
            yield "add-sqrt", f"({node}) -> sqrt({node})", _replace(expr, path, sympy.sqrt(node))
    # swap-vars -------------------------------------------------------------
    vs = list(variables)
    for i in range(len(vs)):
        for j in range(i + 1, len(vs)):
            a, b = vs[i], vs[j]
            yield "swap-vars", f"{a} <-> {b}", expr.xreplace({a: b, b: a})
            yield "swap-vars", f"{a} -> {b}", expr.xreplace({a: b})


def _matrix_edits(mat, variables) -> Iterator[tuple[str, str, sympy.Basic]]:
    """Mutants of a matrix: one entry (the first of each distinct value) mutated at a time."""
    seen = set()
    rows, cols = mat.shape
    for i in range(rows):
        for j in range(cols):
            entry = mat[i, j]
            if entry in seen:
                continue
            seen.add(entry)
            for op, desc, new in _edits(sympy.sympify(entry), variables):
                m = sympy.Matrix(mat)
                m[i, j] = new
                yield op, f"entry ({i},{j}): {desc}", sympy.ImmutableMatrix(m)


# --- the independent distinctness check -----------------------------------------------------------

_FRACTIONS = (sympy.Rational(3, 17), sympy.Rational(11, 23), sympy.Rational(5, 19), sympy.Rational(29, 31),
              sympy.Rational(2, 37), sympy.Rational(13, 14))
_HALF_LINE = (sympy.Rational(3, 17), sympy.Rational(7, 5), sympy.Rational(41, 3))


def _points_for(domain: Domain, symbols) -> list[dict]:
    """Rational points of the domain (own choice, distinct from the prover's witnesses), one per row of fractions."""
    columns = []
    for sym in symbols:
        iv = domain[sym]
        if iv.is_point:
            columns.append([iv.lo])
        elif iv.lo.is_infinite and iv.hi.is_infinite:
            columns.append(list(_HALF_LINE) + [-x for x in _HALF_LINE])
        elif iv.hi.is_infinite:
            columns.append([iv.lo + x for x in _HALF_LINE])
        elif iv.lo.is_infinite:
            columns.append([iv.hi - x for x in _HALF_LINE])
        else:
            columns.append([iv.lo + (iv.hi - iv.lo) * f for f in _FRACTIONS])
    n = max((len(c) for c in columns), default=1)
    pts = []
    for r in range(n):
        for shift in range(2):  # a second sweep mixes the columns differently
            pts.append({sym: col[(r + shift * (k + 1)) % len(col)] for k, (sym, col) in enumerate(zip(symbols, columns))})
    return pts


def _value(expr: sympy.Basic, point: dict):
    try:
        v = expr.xreplace(point)
        v = v.evalf(EVAL_DPS) if not isinstance(v, sympy.MatrixBase) else v.evalf(EVAL_DPS)
    except (ZeroDivisionError, ValueError, TypeError, ArithmeticError):
        return None
    return v


def _differ(a, b, relative: bool = False) -> bool:
    """True when two evaluated values differ beyond doubt at 60 digits (or one is undefined/non-real and the other not)."""
    if a is None or b is None:
        return (a is None) != (b is None)
    if isinstance(a, sympy.MatrixBase) or isinstance(b, sympy.MatrixBase):
        if not (isinstance(a, sympy.MatrixBase) and isinstance(b, sympy.MatrixBase)) or a.shape != b.shape:
            return True
        return any(_differ(x, y, relative) for x, y in zip(a, b))
    bad_a = a.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo)
    bad_b = b.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo)
    if bad_a or bad_b:
        return bad_a != bad_b
    if not (a.is_number and b.is_number):
        return False
    ra, ia = a.as_real_imag()
    rb, ib = b.as_real_imag()
    scale = max(abs(ra), abs(ia), abs(rb), abs(ib), sympy.Integer(1))
    tiny = sympy.Rational(1, 10**200)
    if relative and min(abs(ra) + abs(ia), abs(rb) + abs(ib)) > tiny:
        # 60 significant digits each: a relative difference above 1e-40 is real whatever the scale
        scale = max(abs(ra), abs(ia), abs(rb), abs(ib))
    diff = abs(ra - rb) + abs(ia - ib)
    return bool(diff > DISTINCT_REL * scale)


def _witness(mutant, reference, domain: Domain, symbols, op: str = ""):
    special = op in CLASS_OPERATORS
    points = _points_for(domain, symbols) + (_class_points(domain, symbols) if special else [])
    for point in points:
        if _differ(_value(mutant, point), _value(reference, point), relative=special):
            return {str(k): str(v) for k, v in point.items()}
    return None


def _class_points(domain: Domain, symbols) -> list[dict]:
    """The points where the class mutants differ by construction: 3/7 of the way, the midpoint, the end bands."""
    cols = []
    for sym in symbols:
        iv = domain[sym]
        if iv.is_point:
            cols.append([iv.lo])
            continue
        if _bounded(iv):
            w = iv.hi - iv.lo
            vals = [iv.lo + w * sympy.Rational(3, 7), iv.lo + w / 2, iv.lo + w * _BAND / 10, iv.hi - w * _BAND / 10,
                    iv.lo + w * sympy.Rational(1, 10**40)]
            vals += [e for e, op in ((iv.lo, iv.lo_open), (iv.hi, iv.hi_open)) if not op]
        else:
            end = iv.lo if not iv.lo.is_infinite else iv.hi
            vals = [sympy.Integer(10**20) if iv.hi.is_infinite else -sympy.Integer(10**20)]
            if not end.is_infinite:
                vals.append(end + (1 if end == iv.lo else -1) * sympy.Rational(1, 10**40))
        cols.append(vals)
    n = max((len(c) for c in cols), default=1)
    return [{sym: col[min(r, len(col) - 1)] for sym, col in zip(symbols, cols)} for r in range(n)]


# --- generation -----------------------------------------------------------------------------------

def _free(expr) -> set:
    return set(getattr(expr, "free_symbols", set()))


def generate_mutants(per_source: int = 14, per_claim: int = 4,
                     include_ledger: bool = True, with_classes: bool = True,
                     per_class: int = 3) -> tuple[list[Mutant], int]:
    """Mutants of every source (at most ``per_source`` each, ``per_claim`` for each side of a ledger claim,
    spread over the operators), and the number dropped.

    Returns ``(mutants, dropped)``; ``dropped`` counts candidates with no independent
    point of difference (possibly equal to the original), which are not kept.
    Identical (mutant, reference, domain) triples from different sources are kept once.
    """
    mutants: list[Mutant] = []
    dropped = 0
    seen = set()
    for sid, expr, reference, domain in sources():
        if not include_ledger and sid.startswith("ledger."):
            continue
        variables = [s for s in domain.symbols if s in _free(expr) | _free(reference)]
        if isinstance(expr, sympy.MatrixBase):
            candidates = _matrix_edits(expr, variables)
        else:
            candidates = list(_edits(expr, variables))
            if with_classes:
                candidates += list(class_edits(expr, variables, domain))
        # round robin over the operators so that every source yields a spread of kinds
        buckets: dict[str, list] = {op: [] for op in OPERATORS}
        local = set()
        for op, desc, new in candidates:
            if new == expr or new in local:
                continue
            local.add(new)
            buckets[op].append((desc, new))
        chosen = []
        limit = per_claim if sid.startswith("ledger.") else per_source
        while len(chosen) < limit and any(buckets[op] for op in BASE_OPERATORS):
            for op in BASE_OPERATORS:
                if buckets[op] and len(chosen) < limit:
                    chosen.append((op, *buckets[op].pop(0)))
        if with_classes:  # then up to per_class of each failure class
            share = per_class if not sid.startswith("ledger.") else max(per_class - 1, 1)
            for op in CLASS_OPERATORS:
                chosen += [(op, *item) for item in buckets[op][:share]]
        dom_syms = [s for s in domain.symbols if s in _free(expr) | _free(reference)]
        dom = domain.restrict(dom_syms)
        for op, desc, new in chosen:
            syms = [s for s in domain.symbols if s in _free(new) | _free(reference)]
            if not set(_free(new)) <= set(domain.symbols):
                continue
            key = (new, reference, tuple(dom.restrict(syms).intervals))
            if key in seen:
                continue
            w = _witness(new, reference, domain, syms, op)
            if w is None:
                dropped += 1
                continue
            seen.add(key)
            mutants.append(Mutant(f"{sid}#{len([m for m in mutants if m.source == sid]) + 1}", sid, op, desc,
                                  reference, new, domain.restrict(syms), w))
    return mutants, dropped


def run_mutants(mutants: list[Mutant], *, dropped: int = 0, progress=None) -> MutationReport:
    """Run the prover on every mutant and count the verdicts (an exception is counted as an error, never a pass)."""
    import time

    from .prover import prove_identity

    report = MutationReport(total=len(mutants), dropped_equivalent=dropped)
    start = time.perf_counter()
    for m in mutants:
        try:
            verdict = prove_identity(m.mutant, m.reference, m.domain).verdict
        except Exception:  # noqa: BLE001 - counted and reported, never hidden
            verdict = "error"
        ops = report.by_operator.setdefault(m.operator, {"total": 0, "refuted": 0, "unknown": 0, "proved": 0, "error": 0})
        ops["total"] += 1
        ops[verdict if verdict in ops else "error"] += 1
        if verdict == "proved":
            report.proved += 1
            report.proved_ids.append(m.id)
        elif verdict == "refuted":
            report.refuted += 1
        elif verdict == "unknown":
            report.unknown += 1
        else:
            report.errors += 1
            report.error_ids.append(m.id)
        if progress:
            progress(m, verdict)
    report.seconds = time.perf_counter() - start
    return report


# --- the failure classes of careless provers ----------------------------------------------------------

_TINY, _TINY_GAP = sympy.Rational(1, 10**60), sympy.Rational(1, 10**72)
_BAND = sympy.Rational(1, 10**25)
_CANCEL_GAP = sympy.Rational(1, 10**30)


def _bounded(iv) -> bool:
    return not (iv.lo.is_infinite or iv.hi.is_infinite)


def class_edits(expr: sympy.Expr, variables, domain: Domain) -> Iterator[tuple[str, str, sympy.Expr]]:
    """Wrong variants of ``expr`` of the classes a careless prover gets wrong (see the module docstring).

    Each differs from ``expr`` by construction: a nonzero exact term, a non-real value,
    or a point of the domain where it is undefined.
    """
    yield "tiny-scale", "scaled by 1e-60, moved by 1e-72", expr * _TINY + _TINY_GAP
    yield "tiny-scale", "scaled by 1e-60, moved by 1e-72 relative", expr * _TINY * (1 + sympy.Rational(1, 10**12))
    yield "odd-root", "+ 1e-20 ((-8)^(2/3) - 4)", expr + sympy.Rational(1, 10**20) * (
        sympy.Pow(-8, sympy.Rational(2, 3)) - 4)
    yield "odd-root", "+ (-27)^(1/3) + 3", expr + sympy.Pow(-27, sympy.Rational(1, 3)) + 3
    for v in variables:
        iv = domain[v]
        if iv.is_point:
            continue
        lo, hi = iv.lo, iv.hi
        if iv.lo >= 0:
            yield "odd-root", f"+ 1e-9 ((-{v}^3)^(1/3) + {v})", expr + sympy.Rational(1, 10**9) * (
                sympy.Pow(-v**3, sympy.Rational(1, 3)) + v)
        if iv.hi <= 0:
            yield "odd-root", f"+ 1e-9 ({v}^(1/3) + (-{v})^(1/3))", expr + sympy.Rational(1, 10**9) * (
                sympy.Pow(v, sympy.Rational(1, 3)) + sympy.Pow(-v, sympy.Rational(1, 3)))
        if _bounded(iv):
            c = lo + (hi - lo) * sympy.Rational(3, 7)
            yield "pole", f"* ({v} - {c})/({v} - {c}): 0/0 at {c}", expr * (v - c) / sympy.Add(v, -c, evaluate=False)
            yield "pole", f"+ ({v} - {c})^2/({v} - {c}) - ({v} - {c}): 0/0 at {c}", sympy.Add(
                expr, sympy.Mul((v - c) ** 2, sympy.Pow(v - c, -1, evaluate=False), evaluate=False), -(v - c),
                evaluate=False)
            a = sympy.pi * (v - lo) / (hi - lo)
            yield "pole", f"* (1 + tan(a)^2) cos(a)^2, a = {a}: tan has a pole at the midpoint", \
                expr * (1 + sympy.tan(a) ** 2) * sympy.cos(a) ** 2
            yield "pole", f"+ log(({v} - {c})^2) - 2 log|{v} - {c}|: log of 0 at {c}", expr + sympy.log(
                (v - c) ** 2) - 2 * sympy.log(sympy.Abs(v - c))
            for end, sgn, closed in ((lo, 1, not iv.lo_open), (hi, -1, not iv.hi_open)):
                cc = end + sgn * _BAND * (hi - lo)
                yield "narrow-band", f"+ 1e-3 (|{v} - c| - ({v} - c)) * side, c = end + 1e-25", expr + sympy.Rational(
                    1, 10**3) * (sympy.Abs(v - cc) - sgn * (v - cc))
                if closed:
                    yield "pole", f"/ ({v} - {end}) * ({v} - {end}): 0/0 at the closed end {end}", \
                        expr * (v - end) / sympy.Add(v, -end, evaluate=False)
            d = v - lo
            yield "extreme", f"* (1 + 1e-80/({v} - {lo})^2)", expr * (1 + sympy.Rational(1, 10**80) / d**2)
            yield "cancel", f"* ((1 + d)^2 - 1 - 2d)/d^2 + 1e-30, d = {d}", sympy.Add(
                sympy.Mul(expr, sympy.Add((1 + d) ** 2, -1, -2 * d, evaluate=False), d ** -2, evaluate=False),
                _CANCEL_GAP, evaluate=False)
        else:
            yield "extreme", f"+ 1e-30 {v}^2 (visible far out)", expr + _CANCEL_GAP * v**2
            end = lo if not lo.is_infinite else hi
            if not end.is_infinite:
                d = (v - end) if end == lo else (end - v)
                yield "extreme", f"* (1 + 1e-80/({d})^2)", expr * (1 + sympy.Rational(1, 10**80) / d**2)
        w = 50 + v * v
        yield "cancel", "* (cosh^2 - sinh^2)(50 + v^2) + 1e-30", expr * (
            sympy.cosh(w) ** 2 - sympy.sinh(w) ** 2) + _CANCEL_GAP


def true_variants(expr: sympy.Expr, variables, domain: Domain) -> Iterator[tuple[str, sympy.Expr]]:
    """Equivalent rewrites of ``expr`` on ``domain`` (true identities by construction)."""
    yield "plus sqrt(3 + 2 sqrt 2) - 1 - sqrt 2", expr + sympy.sqrt(3 + 2 * sympy.sqrt(2)) - 1 - sympy.sqrt(2)
    yield "expanded", sympy.expand(expr)
    yield "over one denominator", sympy.together(expr)
    for v in variables:
        iv = domain[v]
        if iv.is_point:
            continue
        yield f"times sin({v})^2 + cos({v})^2", expr * (sympy.sin(v) ** 2 + sympy.cos(v) ** 2)
        yield f"times cosh({v})^2 - sinh({v})^2", expr * (sympy.cosh(v) ** 2 - sympy.sinh(v) ** 2)
        yield f"times exp({v}) exp(-{v})", expr * sympy.exp(v) * sympy.exp(-v)
        yield f"plus log(exp({v})) - {v}", expr + sympy.log(sympy.exp(v, evaluate=False), evaluate=False) - v
        c = (iv.hi + 1) if not iv.hi.is_infinite else (iv.lo - 1)
        if not c.is_infinite:
            yield f"times ({v} - {c})/({v} - {c}), zero outside", expr * (v - c) / sympy.Add(v, -c, evaluate=False)
        if not iv.lo.is_infinite:
            w = v - iv.lo + 1
            yield f"plus atan(w) + atan(1/w) - pi/2, w = {w} > 0", expr + sympy.atan(w) + sympy.atan(1 / w) - sympy.pi / 2
            yield f"times ((1 + w)^2 - 1 - 2w)/w^2, w = {w}", sympy.Mul(
                expr, sympy.Add((1 + w) ** 2, -1, -2 * w, evaluate=False), w ** -2, evaluate=False)
        yield f"sin(2 {v}) - 2 sin({v}) cos({v}) added", expr + sympy.sin(2 * v) - 2 * sympy.sin(v) * sympy.cos(v)


def run_variants(per_source: int = 12) -> dict:
    """Prove the true variants of every source; returns counts (they should nearly all be proved)."""
    import time

    from .prover import prove_identity

    out = {"total": 0, "proved": 0, "refuted": 0, "unknown": 0, "errors": 0, "refuted_ids": [], "unknown_ids": []}
    start = time.perf_counter()
    for sid, expr, reference, domain in sources():
        if isinstance(expr, sympy.MatrixBase) or sid.startswith("ledger."):
            continue
        variables = [s for s in domain.symbols if s in _free(expr) | _free(reference)]
        seen = set()
        for k, (desc, new) in enumerate(true_variants(expr, variables, domain)):
            if k >= per_source or new in seen or new == reference:
                continue
            seen.add(new)
            syms = [s for s in domain.symbols if s in _free(new) | _free(reference)]
            out["total"] += 1
            try:
                verdict = prove_identity(new, reference, domain.restrict(syms)).verdict
            except Exception:  # noqa: BLE001 - counted
                verdict = "errors"
            key = verdict if verdict in out else "errors"
            out[key] += 1
            if verdict in ("refuted", "unknown"):
                out[f"{verdict}_ids"].append(f"{sid}: {desc}")
    out["seconds"] = round(time.perf_counter() - start, 1)
    out["proved_rate"] = round(out["proved"] / out["total"], 4) if out["total"] else 0.0
    return out
