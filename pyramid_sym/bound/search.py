"""Certified global bound of a kernel's rounding error over its whole float domain: branch and bound in interval arithmetic.

The domain of each argument is the set of floats of the working format in its interval
(0 and the subnormals included), walked by *ordinal* (the index of a float among the
format's non-negative values), so that bisection is geometric near 0 and uniform inside
a binade.  On a box of inputs, :func:`evaluate_box`

1. encloses every computed value (exact operation on the operands' enclosures, then
   both ends rounded to nearest: rounding to nearest is monotone, so the computed value
   stays inside);
2. gives each rounded operation its bound: 0 when it is exact on the box (Sterbenz,
   operand 0 or 1, a single representable result, Fast2Sum, a scaling by a power of 2 whose
   result is normal), else ``rho = min(u, ulp(hi)/(2 lo))`` for a result in ``[lo, hi]``, plus
   the underflow term when a product or quotient may be subnormal; Dekker's product error is
   exact where Boldo's conditions hold on the box (:func:`_dekker_holds`);
3. bounds ``|R - 1| <= sum_v |c_v| rho_v + R2`` (intervals with exact arb ends; the coefficients
   ``c_v`` from their symbolic forms, ``R2`` from a first-order Taylor model carried through the
   operations, :func:`_taylor_remainder`), and takes the smaller of that and a forward
   relative/absolute error propagation (:func:`_enclose`);
4. converts to ULP of the exact result ``y``: the inner error is
   ``eps = |R - 1| * |y| / ulp(y)`` (``|y| / ulp(y) < 2^p``, tighter when the box's ``y`` lies
   in one binade, or the absolute error over the least ulp) and the last operation's own rounding
   adds 1/2 ULP of ``y``, or 1 ULP where the computed value may cross into the binade above
   (spacing doubles there); the distance in floats to the correctly rounded ``y`` is at most
   ``floor(eps' + 1)``, ``eps'`` counted in the smaller spacing where the binade below is reachable.

Much of a box's work reads one argument alone (the radicand of gamma and its root, their rounding bounds and
Taylor forms, the coefficients' factors in gamma): it is kept per argument range (:meth:`.tape.Tape.run`,
``KernelModel.one_argument``) and read back for the next box with that range, as the bisection makes many (both
halves of a cut share the other argument's range).  The results are those computed afresh.

The bound of the kernel is the largest box bound left when the search stops; the
search refines the box with the largest bound first until it is within a tolerance of
the largest value found at single points (or a box budget is spent: the bound is then
still certified, only less tight).
"""

from __future__ import annotations

import functools
import heapq
import itertools
import math
from dataclasses import dataclass, field
from fractions import Fraction

from flint import arb, ctx

from .formats import Format, pow2
from .model import KernelModel, _literal
from .interval import EmptyRoot, Iv, _fraction, iv, iv_hull

__all__ = ["Box", "BoxResult", "SearchResult", "Domain", "certify_model", "evaluate_box", "perturbation_bounds"]

ctx.prec = 96
_INF = arb("inf")
_ZERO = arb(0)
_U: dict = {}
_SMALLEST_NORMAL: dict = {}
_HALF_QUANTUM: dict = {}


def _constants(fmt: Format) -> None:
    if fmt.name not in _U:
        _U[fmt.name] = arb((1, -fmt.precision))
        _SMALLEST_NORMAL[fmt.name] = arb((1, fmt.emin))
        _HALF_QUANTUM[fmt.name] = arb((1, fmt.qmin - 1))


def _up(x: arb) -> arb:
    """An exact arb point >= x (x finite)."""
    return x.upper()


@dataclass(frozen=True)
class Domain:
    """Per argument: (sign, first ordinal, last ordinal) of the floats |x| it takes (sign -1: x = -|x|)."""

    fmt: Format
    args: tuple[tuple[int, int, int], ...]

    def values(self, box) -> list[tuple[Fraction, Fraction]]:
        out = []
        for (sign, _, _), (o1, o2) in zip(self.args, box):
            a, b = self.fmt.value(o1), self.fmt.value(o2)
            out.append((a, b) if sign > 0 else (-b, -a))
        return out

    def point(self, box) -> tuple[Fraction, ...]:
        return tuple(self.fmt.value((o1 + o2) // 2) * sign for (sign, _, _), (o1, o2) in zip(self.args, box))


@dataclass
class BoxResult:
    bound: Fraction | None             # certified bound on |computed - y| / ulp(y) on the box (None: none found)
    ordinal: int | None                # certified bound on the distance, in floats, to the correctly rounded y
    eps: Fraction | None
    r2: Iv | None
    ordinal_real: Fraction | None = None  # the real number whose floor is ``ordinal``


@dataclass
class SearchResult:
    bound: Fraction
    ordinal: int
    boxes: int
    point_max: Fraction
    argmax: tuple[Fraction, ...]
    top_box: tuple[tuple[Fraction, Fraction], ...]
    complete: bool
    top_boxes: list = field(default_factory=list)


@dataclass
class Enclosures:
    """One pass over the nodes of a box: exact values, computed values, exactness, perturbation bounds."""

    value: list[Iv]                   # exact value of each node (its factored SymPy form)
    pre: list[Iv | None]              # the exact operation on the computed operands
    post: list[Iv]                    # the computed value
    exact: list[bool]
    rho: dict[int, Fraction]          # relative rounding bound of each rounded node
    under: dict[int, Fraction]        # absolute underflow bound of each product or quotient
    forward: Fraction | None          # forward bound of |R - 1| (None: not finite)
    forward_abs: Fraction | None = None  # forward bound of |W - y| (the last operation unrounded)
    tbound: dict = field(default_factory=dict)  # bound of each Dekker product error's distance from exact
    pre_rel: dict = field(default_factory=dict)  # forward relative error of each rounded node before its rounding


def _pt(x: arb) -> Iv:
    return Iv(x, x)


def _abs_low(v: Iv) -> arb:
    """The least |x| over the interval (0 if it contains 0), an exact arb point."""
    if v.lo > 0:
        return v.lo
    if v.hi < 0:
        return -v.hi
    return _ZERO


def _abs_high(v: Iv) -> arb:
    return v.hi if -v.lo < v.hi else -v.lo


def _rel(E, A, vals, j):
    if E[j] is not None:
        return E[j]
    if A[j] is not None:
        vl = _abs_low(vals[j])
        return (A[j] / vl).upper() if vl > 0 else None
    return None


def _abs(E, A, vals, j):
    if A[j] is not None:
        return A[j]
    if E[j] is not None and vals[j].is_finite():
        return (E[j] * _abs_high(vals[j])).upper()
    return None


def _abs_mul_div_sqrt(op, exact, computed, errs):
    """Absolute error of the exact operation on computed operands (|a^ - a| <= A_a, a^ in ``computed``)."""
    if any(x is None for x in errs):
        return None
    try:
        if op == "mul":
            return (_abs_high(exact[0]) * errs[1] + _abs_high(computed[1]) * errs[0]).upper()
        if op == "div":
            q = abs(exact[0] / exact[1])
            bl = _abs_low(computed[1])
            if not q.is_finite() or not bl > 0:
                return None
            return ((errs[0] + q.hi * errs[1]) / bl).upper()
        # sqrt: |sqrt(a^) - sqrt(a)| = |a^ - a| / (sqrt(a^) + sqrt(a))
        den = computed[0].sqrt() + exact[0].sqrt()
        dl = _abs_low(den)
        return (errs[0] / dl).upper() if dl > 0 else None
    except (ArithmeticError, EmptyRoot):
        return None


def _rn_hull(fmt: Format, lo: arb, hi: arb) -> Iv:
    return Iv(fmt.nearest_arb(lo), fmt.nearest_arb(hi))


def _mn(a: arb, b: arb) -> arb:
    return a if a < b else b


def _mx(a: arb, b: arb) -> arb:
    return a if a > b else b


_CONSTS: dict = {}


def _const_enclosure(value, fmt: Format):
    """(the value the working format holds, its relative and its absolute rounding error) of a literal, cached."""
    key = (value, fmt.name)
    if key not in _CONSTS:
        exact_v, held = _literal(value, fmt.nearest)
        d = abs(held - exact_v)
        _CONSTS[key] = (iv(held), iv(d / abs(exact_v)).hi if exact_v else _ZERO, iv(d).hi)
    return _CONSTS[key]


def _apply(op: str, a: list[Iv]) -> Iv:
    """The node operation ``op`` on the intervals ``a`` (exact, rounded outward)."""
    if op == "mul":
        return a[0] * a[1]
    if op == "add":
        return a[0] + a[1]
    if op == "sub":
        return a[0] - a[1]
    if op == "div":
        return a[0] / a[1]
    if op == "sqrt":
        return a[0].sqrt()
    if op == "neg":
        return -a[0]
    raise ValueError(f"no interval form of the operation {op!r}")


def _enclose(model: KernelModel, fmt: Format, inputs: list[Iv], keys=None) -> Enclosures:
    """Enclose every node's exact and computed value on the box, and its rounding, in one forward pass.

    The computed value of a node has two enclosures, intersected: the operation on its operands'
    computed enclosures, rounded to nearest at both ends (monotone), and ``V (1 +- E)`` (and ``V +- A``)
    with ``V`` the exact value (evaluated from its factored form, which keeps e.g. a radicand positive)
    and ``E`` (``A``) the forward relative (absolute) error bound: node i holds V_i (1 + t_i),
    |t_i| <= E_i; a sum of terms of one sign has at most the weighted mean of their E, a difference is
    amplified by (|a| E_a + |b| E_b)/|a - b|, a product gives (1 + E_a)(1 + E_b) - 1, a quotient
    (1 + E_a)/(1 - E_b) - 1, a square root 1 - sqrt(1 - E); the rounding adds (1 + E)(1 + rho) - 1 and
    an underflow term h/|V|.  All bounds are exact arb points rounded upward.  ``keys`` name the input intervals
    for the tapes (see :meth:`.tape.Tape.run`).
    """
    _constants(fmt)
    names = model.args
    vals = model.node_tape.run(inputs, keys)
    if model.node_alt_tape is not None:
        try:
            for k, alt in zip(model.node_alt, model.node_alt_tape.run(inputs, keys)):
                if alt.is_finite():  # two enclosures of the same exact value: intersect
                    vals[k] = alt if not vals[k].is_finite() else vals[k].intersect(alt)
        except EmptyRoot:
            pass
    n_nodes = len(model.nodes)
    # the computed values once more, as the model's perturbed expressions over the perturbation box, with
    # the bounds known so far (0 for the operations found exact, u and the underflow term for the others):
    # correlated roundings (Fast2Sum) stay correlated.  Evaluated when a node has no finite enclosure.
    pidx = model.pidx
    pkeys = None if keys is None else list(keys) + [None] * len(model.perturbations)

    def pre_from_model(i):
        tape = model.pre_tape(i)
        if tape is None:
            return None
        box_ = []
        for p in model.perturbations:
            if p.kind == "c":
                b = iv(p.const_bound).hi
            elif p.kind == "t":
                b = tbound.get(p.index, _ZERO)  # known for every product error before node i
            elif p.index < i:
                b = (_ZERO if exact[p.index] else rho.get(p.index, _U[fmt.name])) if p.kind == "d" else \
                    (_ZERO if exact[p.index] else under.get(p.index, _HALF_QUANTUM[fmt.name]))
            else:
                b = _U[fmt.name] if p.kind == "d" else _HALF_QUANTUM[fmt.name]
            box_.append(Iv(-b, b))
        try:
            return tape.run(list(inputs) + box_, pkeys)[0]
        except EmptyRoot:
            return None

    holds: dict = {}

    def _holds(k, i):  # Dekker's theorem for the product error k, decided once its factors are enclosed
        if k not in holds:
            ia, ib = model.dekker[k][:2]
            if max(ia, ib) >= i:
                return False
            holds[k] = _dekker_holds(fmt, model, k, post)
        return holds[k]

    pre: list[Iv | None] = [None] * n_nodes
    post: list[Iv] = [Iv.of(0)] * n_nodes
    exact = [True] * n_nodes
    E: list = [_ZERO] * n_nodes   # relative error bound of the computed value (None: unknown)
    A: list = [_ZERO] * n_nodes   # absolute error bound of the computed value (None: unknown)
    rho: dict = {}
    under: dict = {}
    tbound: dict = {}
    pre_rel: dict = {}
    one = Iv.of(1)
    last = n_nodes - 1
    arg_index = model.arg_index
    one_arg = model.one_argument if keys is not None else [None] * n_nodes
    kept = _kept(model)
    fresh = []  # the nodes of one argument computed here, kept below for the next box with that argument's range
    for i, n in enumerate(model.nodes):
        if n.op == "input":
            post[i] = inputs[names.index(n.value)]
            continue
        if n.op == "const":
            post[i], E[i], A[i] = _const_enclosure(n.value, fmt)
            continue
        g = one_arg[i]
        if g is not None:
            st = kept.get(("enclose", keys[g], i))
            if st is not None:
                vals[i], pre[i], post[i], exact[i], E[i], A[i], r_, h_, e_ = st
                for d_, x_ in ((rho, r_), (under, h_), (pre_rel, e_)):
                    if x_ is not _UNSET:
                        d_[i] = x_
                continue
            fresh.append(i)
        idx = arg_index[i]
        ops = [post[j] for j in idx]
        if i in model.dekker_inside and _holds(model.dekker_inside[i], i):
            # a step inside a Dekker product whose error is proved exact on the box: nothing reads it
            post[i] = Iv(-_INF, _INF)
            E[i] = A[i] = None
            continue
        if i in model.dekker and _holds(i, i):
            # Dekker's theorem on the box: E is exactly a b - P, within P's own rounding of the exact product of
            # the computed factors whatever the width of the box (the split's intervals lose that)
            gap = _product_rounding(model.dekker[i][2], pre, exact, rho, under)
            tbound[i] = _ZERO
            pre[i] = post[i] = Iv(-gap, gap)
            exact[i] = True
            E[i], A[i] = None, gap
            continue
        # the exact value once more, from the operands' exact values: intersect
        try:
            sv = _apply(n.op, [vals[j] for j in idx])
            if sv.is_finite():
                vals[i] = sv if not vals[i].is_finite() else vals[i].intersect(sv)
        except (ArithmeticError, EmptyRoot):
            pass
        v = vals[i]
        # forward error of the exact operation on the computed operands: relative (e) and absolute (ab)
        e = None
        ab = None
        try:
            if n.op == "neg":
                e, ab = E[idx[0]], A[idx[0]]
            elif n.op in ("add", "sub"):
                a, b = vals[idx[0]], (vals[idx[1]] if n.op == "add" else -vals[idx[1]])
                ra, rb = _rel(E, A, vals, idx[0]), _rel(E, A, vals, idx[1])
                aa, abb = _abs(E, A, vals, idx[0]), _abs(E, A, vals, idx[1])
                if aa is not None and abb is not None:
                    ab = (aa + abb).upper()
                if ra is not None and rb is not None and ra == 0 and rb == 0:
                    e = _ZERO
                elif ra is not None and rb is not None:
                    if (a.positive() and b.positive()) or (a.negative() and b.negative()):
                        e = _mx(ra, rb)
                        e2 = _pt(ra) / (1 + b / a) + _pt(rb) / (1 + a / b)  # the weighted mean
                        if e2.is_finite():
                            e = _mn(e, _abs_high(e2))
                    else:
                        e1 = (abs(a) * _pt(ra) + abs(b) * _pt(rb)) / abs(v)
                        e2 = _pt(ra) / abs(1 + b / a) + _pt(rb) / abs(1 + a / b)
                        cands = [_abs_high(x) for x in (e1, e2) if x.is_finite()]
                        e = (cands[0] if len(cands) == 1 else _mn(*cands)) if cands else None
                if ab is not None:
                    vl = _abs_low(v)
                    if vl > 0:
                        e2 = (ab / vl).upper()
                        e = e2 if e is None else _mn(e, e2)
            else:
                ea = [_rel(E, A, vals, j) for j in idx]
                ab = _abs_mul_div_sqrt(n.op, [vals[j] for j in idx], ops, [_abs(E, A, vals, j) for j in idx])
                if any(x is None for x in ea):
                    e = None
                elif n.op == "mul":
                    e = ((1 + ea[0]) * (1 + ea[1]) - 1).upper()
                elif n.op == "div":
                    e = ((1 + ea[0]) / (1 - ea[1]) - 1).upper() if ea[1] < 1 else None
                else:
                    e = _abs_high(one - (one - _pt(ea[0])).sqrt()) if ea[0] <= 1 else None
        except (ArithmeticError, EmptyRoot):
            e = None
        if e is not None and not e.is_finite():
            e = None
        if ab is not None and not ab.is_finite():
            ab = None
        # enclosure of the exact operation on the computed operands
        w = None
        try:
            w = _apply(n.op, ops)
            if not w.is_finite():
                w = None
        except (ArithmeticError, EmptyRoot):
            w = None
        if v.is_finite():
            if e is not None:
                w2 = v * Iv((1 - e).lower(), (1 + e).upper())
                w = w2 if w is None else w.intersect(w2)
            if ab is not None:
                w2 = v + Iv(-ab, ab)
                w = w2 if w is None else w.intersect(w2)
        pf = _dekker_quotient(model, idx) if n.op == "div" and tbound.get(idx[0]) == 0 else None
        if pf is not None and post[pf[1]].lo >= 0 and post[pf[0]].lo > 0:
            # E / (P + F), E Dekker's exact error of P > 0 (|E| <= ulp(P)/2 <= u P), F >= 0: |quotient| <= u.
            # Intervals of E and P over a wide box lose that (E's bound comes from the largest P)
            cap = Iv(-_U[fmt.name], _U[fmt.name])
            w = cap if w is None else w.intersect(cap)
        if w is None or (n.op in ("add", "sub") and w.lo <= 0 <= w.hi and not (w.lo == 0 and w.hi == 0)):
            pm = pre_from_model(i)
            if pm is not None and pm.is_finite():
                w = pm if w is None else w.intersect(pm)
        if w is None and i in model.dekker_inside:
            w = Iv(-_INF, _INF)  # a step inside Dekker's product: only the product error's fallback reads it
        if w is None:
            raise ArithmeticError(f"no finite enclosure of node {i} ({n.op})")
        lo, hi = w.lo, w.hi
        pre[i] = w
        if i in model.dekker:
            # Dekker's theorem not proved on the box: E as computed (its last sum may round), t within
            # |computed E| + |a b - P|
            post[i] = _rn_hull(fmt, lo, hi)
            gap = _product_rounding(model.dekker[i][2], pre, exact, rho, under)
            tbound[i] = (_abs_high(post[i]) + gap).upper() if post[i].is_finite() else _INF
            exact[i] = True
            E[i], A[i] = None, (_abs_high(post[i]) if post[i].is_finite() else None)  # its exact value is 0
            continue
        ex = n.op == "neg" or i in model.fast2sum or _exact_on_box(
            n.op, [(post[j].lo, post[j].hi) for j in idx], lo, hi, fmt)
        exact[i] = ex
        if ex or i == last:
            post[i] = w
            E[i], A[i] = e, ab
            continue
        pre_rel[i] = e
        r, may_underflow = _rho(fmt, lo, hi)
        if n.op in ("mul", "div") and _pow2_scale(n.op, [(post[j].lo, post[j].hi) for j in idx]) is not None:
            r = _ZERO  # scaling by 2^k only rounds where it underflows: the absolute term h below
        post[i] = _rn_hull(fmt, lo, hi)
        if post[i].lo == post[i].hi and (lo > 0 or hi < 0):
            # the rounded value is one known float: its error is at most its distance to the ends
            f_ = post[i].lo
            d = _mx(abs(f_ - lo), abs(f_ - hi))
            r = _mn(r, (d / _abs_low(w)).upper())
        rho[i] = r
        h = _ZERO
        if may_underflow and n.op in ("mul", "div"):
            # |RN(x) - x| <= half the subnormal spacing, and <= |x| (0 is a float)
            h = _mn(_HALF_QUANTUM[fmt.name], _abs_high(w))
        under[i] = h
        if e is not None:
            e = ((1 + e) * (1 + r) - 1).upper()
            if h > 0:
                vl = _abs_low(v)
                e = (e + h / vl).upper() if vl > 0 else None
        if ab is not None:
            ab = (ab + r * (_abs_high(v) + ab) + h).upper() if v.is_finite() else None
        E[i], A[i] = e, ab
    for i in fresh:
        kept[("enclose", keys[one_arg[i]], i)] = (vals[i], pre[i], post[i], exact[i], E[i], A[i], rho.get(i, _UNSET),
                                                  under.get(i, _UNSET), pre_rel.get(i, _UNSET))
    return Enclosures(vals, pre, post, exact, rho, under, E[last], A[last], tbound, pre_rel)


_UNSET = object()


def _kept(model: KernelModel) -> dict:
    """The model's store of per-node results over one argument's range (emptied when it grows large)."""
    if len(model.kept) > 50000:
        model.kept.clear()
    return model.kept

def _dekker_holds(fmt: Format, model: KernelModel, i: int, post) -> bool:
    """Dekker's theorem on the box for the product error E at node ``i`` of P = a b: E is exactly a b - P where
    2^(emin + p) <= |a b| <= 2^(emax - 2) and |a|, |b| <= 2^(emax - ceil(p/2) - 1) for the computed factors
    (Boldo 2006, the formal proof of Veltkamp's and Dekker's algorithms with underflow and overflow; for binary64
    the bounds 2^-969, 2^1021 and 2^995).  Elsewhere E is enclosed like any other operation, and its distance t
    from a b - P bounded by |computed E| + |a b - P|."""
    ia, ib = model.dekker[i][:2]
    al, bl = _abs_low(post[ia]), _abs_low(post[ib])
    ah, bh = _abs_high(post[ia]), _abs_high(post[ib])
    return bool(al * bl >= arb((1, fmt.emin + fmt.precision)) and ah * bh <= arb((1, fmt.emax - 2))
                and _mx(ah, bh) <= arb((1, fmt.emax - (fmt.precision + 1) // 2 - 1)))


def _product_rounding(ip: int, pre, exact, rho, under) -> arb:
    """|a b - P| for the product P (node ``ip``) of computed factors a, b: its own rounding, rho |a b| + h."""
    return _ZERO if exact[ip] else (rho[ip] * _abs_high(pre[ip]) + under.get(ip, _ZERO)).upper()


def _dekker_quotient(model: KernelModel, idx) -> tuple[int, int] | None:
    """(P, F): the node indices of a quotient E / (P + F), E Dekker's product error of P and F an exact literal
    (no rounding of its own), else None."""
    ie, iden = idx
    if ie not in model.dekker:
        return None
    ip = model.dekker[ie][2]
    den = model.nodes[iden]
    if den.op != "add":
        return None
    others = [model.index[x] for x in den.args if model.index[x] != ip]
    if len(others) != 1 or model.nodes[others[0]].op != "const" or ("c", others[0]) in model.pidx:
        return None
    return ip, others[0]


def perturbation_bounds(model: KernelModel, enc: Enclosures) -> list[arb]:
    """Each perturbation's bound on the box: a literal's own rounding, 0 for an operation proved exact, else the
    operation's relative rounding bound ``rho`` ("d"), its underflow bound ("h"), or how far Dekker's product
    error may be from exact ("t")."""
    out: list[arb] = []
    for p in model.perturbations:
        if p.kind == "c":
            out.append(iv(p.const_bound).hi)
        elif p.kind == "t":
            out.append(enc.tbound[p.index])
        elif enc.exact[p.index]:
            out.append(_ZERO)
        elif p.kind == "d":
            out.append(enc.rho[p.index])
        else:
            out.append(enc.under.get(p.index, _ZERO))
    return out


def _dekker_quotient_form(model: KernelModel, idx, vals, lows, rels, bounds, pidx):
    """The absolute Taylor form (m, q) of E / (P + F) before its own rounding: E Dekker's product error of the
    computed product P of a and b, F >= 0 an exact constant, or None.

    With V the exact product, a b = V (1 + e_ab) and P = a b (1 + d) + h (P's own rounding), E = -V (1 + e_ab) d
    - h + t and the computed denominator is D = (P + F)(1 + d_D) = (V + F)(1 + eta), so that
    E / D = N / (V + F) / (1 + eta) with linear part (-V d - h + t) / (V + F), bounded with V / (V + F) <= 1:
    the relative size of E is kept, which the operands' separate forms lose over a box spanning many binades
    (E's bound from the largest V, divided by the least)."""
    pf = _dekker_quotient(model, idx)
    if pf is None:
        return None
    ie, iden = idx
    ia, ib, ip, _ = model.dekker[ie]
    f = vals[pf[1]]
    if not f.lo >= 0:
        return None
    ra, rb = rels[ia], rels[ib]
    if ra is None or rb is None:
        return None

    def bound(key):
        k = pidx.get(key)
        return bounds[k] if k is not None else _ZERO

    bd, bh, bt, bdd = bound(("d", ip)), bound(("h", ip)), bound(("t", ie)), bound(("d", iden))
    ta, tb = ra[0] + ra[1], rb[0] + rb[1]
    t_ab = ta + tb + ta * tb                      # |e_ab|
    vf = lows[ip] + f.lo                          # least V + F
    if not vf > 0:
        return None
    lin = (bd + (bh + bt) / vf).upper()           # |N| / (V + F) to first order, with V / (V + F) <= 1
    n_all = (bd * (1 + t_ab) + (bh + bt) / vf).upper()
    eta = ((t_ab + bd + t_ab * bd) + bh / vf + bdd * (1 + t_ab + bd + t_ab * bd + bh / vf)).upper()
    if not eta < 1:
        return None
    return lin, (t_ab * bd + n_all * eta / (1 - eta)).upper()


def _taylor_remainder(model: KernelModel, enc: Enclosures, bounds: list, keys=None) -> arb | None:
    """A rigorous bound of the second-order remainder ``R2`` of ``R - 1`` on the box, by one forward pass over
    the kernel's operations: a first-order Taylor model whose linear part is kept as a bound only.

    Each node's computed value is held in two forms where it can be: relative, ``V (1 + e)``, and
    absolute, ``V + e``, with ``e = L + r``, ``L`` linear in the perturbations, ``|L| <= m`` and ``|r| <= q``
    on the box (``t = m + q`` bounds ``|e|``).  A sum is exactly linear in its operands' errors (relative
    weights ``a / (a +- b)``, enclosed from the nodes' exact values and as ``1 / (1 +- b / a)``; absolute
    where the exact value may be 0, as in Fast2Sum's ``(1 - (1 - e)) - e``); a product adds ``e_a e_b`` to
    ``r``, a quotient ``e_b (e_a - e_b) / (1 + e_b)``, a square root ``(sqrt(1 + e) - 1)^2 / 2``, a rounding
    ``e d``; each operation takes the form of its operands with the smaller bound.  ``q`` of the result
    bounds ``R2`` for every perturbation allowed on the box, and it needs no Hessian, whose interval
    evaluation over a wide box loses the correlation of its terms (renoise_alpha at gamma_c ~ 1e-70: the
    Hessian's enclosure gives 0.047, this 1.7e-31).  None where no form is finite."""
    vals = enc.value
    pidx = model.pidx
    zero = _ZERO
    one = Iv.of(1)
    last = len(model.nodes) - 1
    rels: list = []   # (m, q) of the relative form, or None
    abss: list = []   # (m, q) of the absolute form, or None
    lows = [_abs_low(v) for v in vals]
    highs = [_abs_high(v) if v.is_finite() else _INF for v in vals]

    def best(c1, c2):
        if c1 is None:
            return c2
        if c2 is None:
            return c1
        return c1 if c1[0] + c1[1] <= c2[0] + c2[1] else c2

    def rel_of(j):
        a = abss[j]
        if a is None or not lows[j] > 0:
            return rels[j]
        return best(rels[j], ((a[0] / lows[j]).upper(), (a[1] / lows[j]).upper()))

    def abs_of(j):
        r = rels[j]
        if r is None:
            return abss[j]
        return best(abss[j], ((r[0] * highs[j]).upper(), (r[1] * highs[j]).upper()))

    inside = model.dekker_inside
    one_arg = model.one_argument if keys is not None else [None] * len(model.nodes)
    kept = _kept(model)
    fresh = []  # as in _enclose: the nodes of one argument, whose forms depend on that argument's range alone
    try:
        for i, n in enumerate(model.nodes):
            v = vals[i]
            g = one_arg[i]
            if g is not None:
                st = kept.get(("taylor", keys[g], i))
                if st is not None:
                    rels.append(st[0])
                    abss.append(st[1])
                    continue
                fresh.append(i)
            if i in inside:  # a step of Dekker's product: the model writes the product error without it
                rels.append(None)
                abss.append(None)
                continue
            if not v.is_finite():
                return None
            r = a = None
            if i in model.dekker:
                # Dekker's product error E = a b - P + t with P = a b (1 + d) + h (P's own rounding): exactly
                # -a b d - h + t, with a b = V + e_ab, V the exact product (P's exact value)
                ia, ib, ip, _ = model.dekker[i]
                aa, ab = abs_of(ia), abs_of(ib)
                if aa is None or ab is None:
                    return None
                kd, kh, kt = pidx.get(("d", ip)), pidx.get(("h", ip)), pidx[("t", i)]
                bd = bounds[kd] if kd is not None else zero
                bh = bounds[kh] if kh is not None else zero
                ta, tb = aa[0] + aa[1], ab[0] + ab[1]
                t_ab = highs[ia] * tb + highs[ib] * ta + ta * tb
                a = ((highs[ip] * bd + bh + bounds[kt]).upper(), (t_ab * bd).upper())
                rels.append(None)  # E's exact value is 0
                abss.append(a)
                continue
            if n.op == "input":
                r = a = (zero, zero)  # exact: both forms (the relative one is dropped below where the input may be 0)
            elif n.op == "const":
                k = pidx.get(("c", i))
                b = bounds[k] if k is not None else zero
                r, a = (b, zero), ((b * highs[i]).upper(), zero)
            else:
                idx = model.arg_index[i]
                if n.op == "neg":
                    r, a = rels[idx[0]], abss[idx[0]]
                elif n.op in ("add", "sub"):
                    va, vb = vals[idx[0]], (vals[idx[1]] if n.op == "add" else -vals[idx[1]])
                    ra, rb = rels[idx[0]], rels[idx[1]]
                    if ra is not None and rb is not None and lows[i] > 0:
                        wa, wb = va / v, vb / v
                        if lows[idx[0]] > 0 and lows[idx[1]] > 0:
                            wa = wa.intersect(one / (one + vb / va))
                            wb = wb.intersect(one / (one + va / vb))
                        if wa.is_finite() and wb.is_finite():
                            ha, hb = _abs_high(wa), _abs_high(wb)
                            r = ((ha * ra[0] + hb * rb[0]).upper(), (ha * ra[1] + hb * rb[1]).upper())
                    aa, ab = abs_of(idx[0]), abs_of(idx[1])
                    if aa is not None and ab is not None:
                        a = ((aa[0] + ab[0]).upper(), (aa[1] + ab[1]).upper())
                elif n.op == "mul":
                    ra, rb = rels[idx[0]], rels[idx[1]]
                    if ra is not None and rb is not None:
                        r = ((ra[0] + rb[0]).upper(), (ra[1] + rb[1] + (ra[0] + ra[1]) * (rb[0] + rb[1])).upper())
                    if abss[idx[0]] is not None or abss[idx[1]] is not None:
                        aa, ab = abs_of(idx[0]), abs_of(idx[1])
                        if aa is not None and ab is not None:
                            h0, h1 = highs[idx[0]], highs[idx[1]]
                            a = ((h0 * ab[0] + h1 * aa[0]).upper(),
                                 (h0 * ab[1] + h1 * aa[1] + (aa[0] + aa[1]) * (ab[0] + ab[1])).upper())
                elif n.op == "div":
                    ra, rb = rel_of(idx[0]), rel_of(idx[1])
                    if ra is not None and rb is not None:
                        ta, tb = ra[0] + ra[1], rb[0] + rb[1]
                        if tb < 1:
                            r = ((ra[0] + rb[0]).upper(), (ra[1] + rb[1] + tb * (ta + tb) / (1 - tb)).upper())
                    an = abs_of(idx[0])
                    if idx[0] in model.dekker:
                        a = _dekker_quotient_form(model, idx, vals, lows, rels, bounds, pidx)
                    elif an is not None and rb is not None and lows[idx[1]] > 0 and rb[0] + rb[1] < 1:
                        # (N + e_N) / (D (1 + e_D)) - N / D = e_N / D - (N / D) e_D
                        #   + [r_N - e_N e_D / (1 + e_D)] / D + (N / D) [e_D^2 / (1 + e_D) - r_D]
                        # (the absolute form, where N may be 0: Dekker's product error over the product)
                        tn, tb = an[0] + an[1], rb[0] + rb[1]
                        dl = lows[idx[1]]
                        a = ((an[0] / dl + highs[i] * rb[0]).upper(),
                             ((an[1] + tn * tb / (1 - tb)) / dl + highs[i] * (rb[1] + tb * tb / (1 - tb))).upper())
                else:  # sqrt
                    ra = rel_of(idx[0])
                    if ra is not None:
                        ta = ra[0] + ra[1]
                        if ta <= 1:
                            r = ((ra[0] / 2).upper(), (ra[1] / 2 + ta * ta / 2).upper())
                # the operation's own rounding: computed = pre (1 + d) + h
                kd, kh = pidx.get(("d", i)), pidx.get(("h", i))
                if kd is not None:
                    bd = bounds[kd]
                    bh = bounds[kh] if kh is not None else zero
                    if r is not None:
                        if bh > 0 and not lows[i] > 0:
                            r = None
                        else:
                            extra = bd + (bh / lows[i] if bh > 0 else zero)
                            r = ((r[0] + extra).upper(), (r[1] + (r[0] + r[1]) * bd).upper())
                    if a is not None:
                        a = ((a[0] + highs[i] * bd + bh).upper(), (a[1] + (a[0] + a[1]) * bd).upper())
            if r is not None and (not (r[0] + r[1]).is_finite() or not lows[i] > 0):
                r = None
            if a is not None and not (a[0] + a[1]).is_finite():
                a = None
            if r is None and a is None:
                return None
            rels.append(r)
            abss.append(a)
        out = rel_of(last)
    except (ArithmeticError, EmptyRoot):
        return None
    for i in fresh:
        kept[("taylor", keys[one_arg[i]], i)] = (rels[i], abss[i])
    if out is None or not out[1].is_finite():
        return None
    return out[1]


def _point(e):
    return e[0] == e[1]


def _exact_on_box(op, oe, lo, hi, fmt: Format) -> bool:
    """Proved exact for every input of the box (the operands' computed values lie in ``oe``; arb points)."""
    if lo == hi and fmt.nearest_arb(lo) == lo:
        return True  # one representable result
    if op in ("add", "sub"):
        if any(_point(e) and e[0] == 0 for e in oe):
            return True
        (a1, a2), (b1, b2) = oe
        if op == "add":
            b1, b2 = -b2, -b1
        # x - y with x, y of one sign and y/2 <= x <= 2y (Sterbenz)
        if a1 > 0 and b1 > 0 and 2 * a1 >= b2 and a2 <= 2 * b1:
            return True
        if a2 < 0 and b2 < 0 and -2 * a2 >= -b1 and -a1 <= -2 * b2:
            return True
        return False
    if op == "mul":
        if any(_point(e) and (e[0] == 0 or e[0] == 1 or e[0] == -1) for e in oe):
            return True
    if op == "div" and ((_point(oe[1]) and (oe[1][0] == 1 or oe[1][0] == -1)) or (_point(oe[0]) and oe[0][0] == 0)):
        return True
    if op in ("mul", "div"):
        # a product or quotient by a power of 2: exact where the result is normal, or where a float is scaled up
        # (its significand unchanged, or a subnormal's, which fits), short of overflow
        k = _pow2_scale(op, oe)
        if k is None or _mx(abs(lo), abs(hi)) >= arb((1, fmt.emax + 1)):
            return False
        return k >= 0 or _mn(abs(lo), abs(hi)) >= arb((1, fmt.emin)) and (lo > 0 or hi < 0)
    if op == "sqrt":
        return _point(oe[0]) and (oe[0][0] == 0 or oe[0][0] == 1)
    return False


def _pow2_scale(op, oe) -> int | None:
    """k where the operation multiplies by 2^k (a product with a point operand +-2^k, or a quotient by one), else None."""
    for a, b in ([oe[1]] if op == "div" else oe):
        if a == b and a != 0:
            man, exp = abs(a).man_exp()
            if man == 1:
                return int(exp) if op == "mul" else -int(exp)
    return None


def _rho(fmt: Format, lo: arb, hi: arb) -> tuple[arb, bool]:
    """(relative bound, may underflow) of rounding a value in [lo, hi] (arb points)."""
    if lo >= 0:
        a, b = lo, hi
    elif hi <= 0:
        a, b = -hi, -lo
    else:
        a, b = arb(0), (-lo if -lo > hi else hi)
    u = _U[fmt.name]
    if a < _SMALLEST_NORMAL[fmt.name]:
        return u, True
    r = (fmt.ulp_arb(b) / (2 * a)).upper()
    return (r if r < u else u), False


def _binade_parts(fmt: Format, ylo: Fraction, yhi: Fraction):
    """Split [ylo, yhi] (|y|) at a binade end it straddles: [(lo, hi, may-not-cross-down?, may-not-cross-up?)].

    One or two binades: exact parts; more: one coarse part (|y|/ulp(y) < 2^p, crossings allowed).
    Below the normal range the spacing is uniform (one "binade").
    """
    if ylo <= 0 or yhi > 2 ** 64 * ylo:
        return [(Fraction(0), yhi, False, False)]
    e1, e2 = fmt.exponent(ylo), fmt.exponent(yhi)
    if e1 == e2:
        return [(ylo, yhi, True, True)]
    if e2 == e1 + 1:
        edge = pow2(e2)
        return [(ylo, edge, True, True), (edge, yhi, True, True)]
    return [(ylo, yhi, False, False)]


@functools.lru_cache(maxsize=16384)
def _argument_interval(fmt: Format, sign: int, o1: int, o2: int) -> Iv:
    """The interval of an argument's floats with ordinals o1..o2 (sign -1: their negatives), exact ends."""
    a, b = fmt.value(o1), fmt.value(o2)
    return iv_hull(a, b) if sign > 0 else iv_hull(-b, -a)


def _scaled_upper(c: Iv, b: arb) -> arb:
    """An exact arb point >= |c| b (b >= 0 an exact point), infinite where c is unbounded: the upper end of the
    interval product ``abs(c) * [b, b]``."""
    p = _abs_high(c) * b
    return p.upper() if p.is_finite() else _INF


def evaluate_box(model: KernelModel, fmt: Format, dom: Domain, box) -> BoxResult:
    inputs = [_argument_interval(fmt, sign, o1, o2) for (sign, _, _), (o1, o2) in zip(dom.args, box)]
    # each argument's range named by its format and ordinals: the tapes keep what reads one argument alone
    keys = [(fmt.name, sign, o1, o2) for (sign, _, _), (o1, o2) in zip(dom.args, box)]
    try:
        enc = _enclose(model, fmt, inputs, keys)
    except (ArithmeticError, EmptyRoot):
        return BoxResult(None, None, None, None)
    exact = enc.exact
    bounds = perturbation_bounds(model, enc)
    fwd = enc.forward
    taylor = _taylor_remainder(model, enc, bounds, keys)
    try:
        outs = model.first_tape.run(inputs, keys)
        coeffs = outs[:len(model.perturbations)]
        for k, alt in zip(model.alt_index, outs[len(model.perturbations):]):
            if alt.is_finite():  # both intervals contain the coefficient: keep their intersection
                coeffs[k] = alt if not coeffs[k].is_finite() else coeffs[k].intersect(alt)
        # sum_v |c_v| rho_v: every term is >= 0, so the sum's upper end bounds it, computed as the interval sum's
        # upper end is (each product and partial sum rounded up)
        first = first_rel = _ZERO  # first_rel without the underflow terms, which first_abs counts in absolute terms
        for k, (c, b) in enumerate(zip(coeffs, bounds)):
            if b > 0:
                t = _scaled_upper(c, b)
                first = (first + t).upper()
                if model.perturbations[k].kind != "h":
                    first_rel = (first_rel + t).upper()
    except EmptyRoot:
        first = first_rel = _INF
    first_abs = _ZERO
    abs_terms: dict = {}  # each underflow term's absolute contribution
    if model.abs_h_tape is not None and any(bounds[k] > 0 for k in model.abs_h):
        try:
            for k, a in zip(model.abs_h, model.abs_h_tape.run(inputs, keys)):
                if bounds[k] > 0:
                    t = _scaled_upper(a, bounds[k])
                    first_abs = (first_abs + t).upper()
                    abs_terms[k] = _fraction(t) if t.is_finite() else None
        except EmptyRoot:
            first_abs = _INF
            abs_terms = {k: None for k in model.abs_h if bounds[k] > 0}
    # the second-order remainder over the perturbation box, from the Taylor model (none: the forward bound alone)
    r2 = Iv(-taylor, taylor) if taylor is not None else Iv(-_INF, _INF)

    def with_r2(x):  # upper end of x + |R2| (x >= 0 the first-order sum), None where either is unbounded
        return _fraction((x + taylor).upper()) if taylor is not None and x.is_finite() else None

    rel = with_r2(first)
    # the same split in two: relative terms, and the underflow terms' absolute error (against ulp(y))
    split_rel = with_r2(first_rel)
    split_abs = _fraction(first_abs) if first_abs.is_finite() else None
    if fwd is not None:
        fwd = _fraction(fwd)
        rel = fwd if rel is None else min(rel, fwd)
    if rel is None:
        return BoxResult(None, None, None, r2)
    y = enc.value[-1]
    if y.is_finite():
        ylo, yhi = abs(y).ends()
        ylo = max(ylo, Fraction(0))
    else:
        ylo, yhi = Fraction(0), Fraction(2)  # every kernel value lies in [0, 1]; |y|/ulp(y) < 2^p anyway
    # an underflow term is non-zero only where its node is below 2^emin, hence only for |y| < its ceiling:
    # parts of y above every ceiling but some go without those terms
    significant = split_abs is None or split_abs > fmt.ulp(ylo) * Fraction(1, 2 ** 20)
    ceilings = _underflow_ceilings(model, fmt, enc, inputs, abs_terms, keys) if abs_terms and significant else {}
    parts = _cut_parts(_binade_parts(fmt, ylo, yhi), sorted({c for c in ceilings.values() if c is not None}))
    bound = o_real = Fraction(0)
    eps_max = Fraction(0)
    rel_all, split_abs_all = rel, split_abs
    for lo, hi, below_ok, above_ok in parts:
        active = [k for k in abs_terms if ceilings.get(k) is None or ceilings[k] > lo]
        rel, split_abs = rel_all, split_abs_all
        if len(active) < len(abs_terms):
            split_abs = sum((abs_terms[k] for k in active), Fraction(0)) if all(
                abs_terms[k] is not None for k in active) else None
            if not active and split_rel is not None:
                rel = min(rel, split_rel)  # no underflow term: the relative terms alone
        # |y| / ulp(y) <= hi / ulp(lo) inside one binade (< 2^p); eps: the inner error in ulp(y)
        scale = pow2(fmt.precision)  # |y| / ulp(y) < 2^p for every y != 0
        if lo > 0:
            scale = min(scale, hi / fmt.ulp(lo))
        uniform = hi * (1 + rel) < 2 * fmt.smallest_normal  # below 2^(emin + 1) the spacing is the subnormal one
        if uniform:
            scale = min(scale, hi / fmt.smallest_subnormal)
        eps = rel * scale if hi > 0 else Fraction(0)  # y = 0 on the whole box: the error is rel * |y| = 0
        if enc.forward_abs is not None and hi > 0:
            eps = min(eps, _fraction(enc.forward_abs) / fmt.ulp(lo))  # absolute error over the least ulp of the part
        if split_rel is not None and split_abs is not None and hi > 0:
            # ulp(y) >= ulp(lo) on the part: the underflow terms cost at most their absolute bound over ulp(lo)
            eps = min(eps, split_rel * scale + split_abs / fmt.ulp(lo))
        eps_max = max(eps_max, eps)
        # the last operation's own rounding: 1/2 ulp(y), or up to ulp(y) where the computed value may cross
        # into the binade above (spacing doubles there)
        up = not uniform and (not above_ok or hi * (1 + rel) >= pow2(fmt.exponent(lo) + 1))
        final = 0 if exact[-1] else (1 if up else Fraction(1, 2))
        bound = max(bound, eps + final)
        # distance in floats to RN(y): both are roundings of values eps ulp(y) apart; where the computed
        # value may fall into the binade below (spacing halves) count 2 eps
        down = not uniform and (not below_ok or (lo > 0 and lo * (1 - rel) < pow2(fmt.exponent(lo))
                                                 and lo >= fmt.smallest_normal))
        # (a computed value below the binade needs y < 2^e / (1 - rel), where |y|/ulp(y) < 2^(p-1) / (1 - rel):
        # so 2 eps < rel 2^p / (1 - rel) there, a bound that holds for every y of the box)
        any_y = rel * pow2(fmt.precision) / (1 - rel) if rel < 1 else Fraction(10**9)
        steps = min(2 * eps if down else eps, any_y) if hi > 0 else Fraction(0)
        if down and hi > 0 and split_rel is not None and split_abs is not None:
            # the spacing halves below a binade only from 2^(emin + 1) up (below, subnormal or not, it is the
            # subnormal spacing): there the underflow terms are at most split_abs / 2^(emin + 1) relative, and
            # the bound above holds with that relative error; below, the count is eps
            r_n = split_rel + split_abs / (2 * fmt.smallest_normal)
            if r_n < 1:
                steps = min(steps, max(eps, r_n * pow2(fmt.precision) / (1 - r_n)))
        o_real = max(o_real, steps + (Fraction(1, 2) if exact[-1] else 1))
    eps = eps_max
    return BoxResult(bound, math.floor(o_real), eps, r2, o_real)


def _underflow_ceilings(model: KernelModel, fmt: Format, enc: Enclosures, inputs, abs_terms, keys=None) -> dict:
    """{underflow term: a ceiling C such that the term is 0 wherever |y| >= C} (None: none known).

    The node's value before rounding, pre = v (1 + E) with |E| <= E_pre, must be below 2^emin for the term to be
    non-zero; then |y| = |v| |y / v| < 2^emin |y / v| / (1 - E_pre), with y / v from its own SymPy form."""
    out: dict = {k: None for k in abs_terms}
    ks = [k for k in model.h_ratio if k in abs_terms]
    if not ks or model.h_ratio_tape is None:
        return out
    try:
        ratios = dict(zip(model.h_ratio, model.h_ratio_tape.run(inputs, keys)))
    except EmptyRoot:
        return out
    for k in ks:
        r, e = ratios[k], enc.pre_rel.get(model.perturbations[k].index)
        if r.is_finite() and e is not None and e < 1:
            out[k] = _fraction((_abs_high(r) * arb((1, fmt.emin)) / (1 - e)).upper())
    return out


def _cut_parts(parts, cuts):
    """The parts of y's range (see _binade_parts) cut further at the given points."""
    out = []
    for lo, hi, below_ok, above_ok in parts:
        inner = [c for c in cuts if lo < c < hi]
        ends = [lo] + inner + [hi]
        for a, b in zip(ends, ends[1:]):
            out.append((a, b, below_ok, above_ok))
    return out


def _width(fmt: Format, o1: int, o2: int) -> float:
    """How wide an ordinal range is for the search: binades spanned, or the relative width inside ~one binade."""
    if o1 == o2:
        return 0.0
    if o1 == 0:
        return math.inf
    v1, v2 = fmt.value(o1), fmt.value(o2)
    e1, e2 = fmt.exponent_raw(v1), fmt.exponent_raw(v2)
    if e2 - e1 >= 2:
        return float(e2 - e1)
    return float((v2 - v1) / v1)


def _half_ordinal(fmt: Format) -> int:
    return fmt.ordinal(Fraction(1, 2))


def _split(fmt: Format, o1: int, o2: int) -> int:
    """Where to cut the ordinal range [o1, o2]: 0 and 1 alone first, then just below 1/2, then geometrically while the
    values span more than a factor 4 (the subnormal range included), then the floats either side of 1/3 alone, then
    geometrically in 1 - x below 1, then in the middle."""
    if o1 == 0:
        return 0
    one = fmt.ordinal(Fraction(1))
    if o2 == one:
        return o2 - 1  # 1 alone too: the kernels' levels enter as 1 - x, which is 0 there
    h = _half_ordinal(fmt)
    if o1 < h <= o2:
        return h - 1
    v1, v2 = fmt.value(o1), fmt.value(o2)
    if v2 > 4 * v1:
        e = (fmt.exponent_raw(v1) + fmt.exponent_raw(v2)) // 2
        m = fmt.ordinal(pow2(e))
        if o1 <= m < o2:
            return m
    third = _third_ordinals(fmt)
    if o1 <= third[0] < o2 or o1 <= third[1] < o2:
        # the floats either side of 1/3 alone: the block bound of gamma, where q = 1/2 is a power of 2 and the
        # result of a kernel may sit just under a binade's end for one float and above it for the next
        return third[0] - 1 if o1 < third[0] else (third[0] if o1 == third[0] else third[1])
    if v1 >= Fraction(1, 2) and v2 < 1 and 1 - v1 > 4 * (1 - v2):
        # below 1, geometrically in 1 - x, which the kernels compute exactly there (Sterbenz)
        e = (fmt.exponent_raw(1 - v1) + fmt.exponent_raw(1 - v2) + 1) // 2
        m = fmt.ordinal(1 - pow2(e))
        if o1 <= m < o2:
            return m
    return (o1 + o2) // 2


@functools.cache
def _third_ordinals(fmt: Format) -> tuple[int, int]:
    """Ordinals of the floats just below and just above 1/3 (1/3 is never a float)."""
    lo = fmt.ordinal(fmt.round(Fraction(1, 3), False))
    return lo, lo + 1


def _key(r: BoxResult) -> Fraction:
    """Refinement priority of a box: the larger of its two certified figures."""
    if r.bound is None:
        return Fraction(10**9)
    return max(r.bound, r.ordinal_real)


def certify_model(model: KernelModel, fmt: Format, dom: Domain, *, tol: float = 0.03, max_boxes: int = 4000,
                  keep_top: int = 8, split: str = "greedy") -> SearchResult:
    """Branch and bound over ``dom``: a certified ULP bound, refined until within ``tol`` of the best point value.

    ``split``: how a box is cut, "greedy" (the argument whose halves bound lower) or "widest"."""
    root = tuple((o1, o2) for _, o1, o2 in dom.args)
    heap: list = []
    count = 0  # boxes evaluated: the budget
    order = itertools.count()  # ties of the heap key go to the box pushed first
    point_max = Fraction(0)
    argmax = dom.point(root)
    done_ordinal = 0  # largest ordinal bound among boxes that are points (popped for good)
    done_bound = Fraction(0)

    def evaluate(box) -> BoxResult:
        nonlocal count
        count += 1
        return evaluate_box(model, fmt, dom, box)

    def push(box, r: BoxResult):
        heapq.heappush(heap, (-_key(r), next(order), box, r))

    def probe_point(box):
        # value at the box's middle point: a lower estimate of the model's sup, for the stopping rule
        nonlocal point_max, argmax
        mid = tuple(((o1 + o2) // 2, (o1 + o2) // 2) for o1, o2 in box)
        pr = evaluate(mid)
        if pr.bound is not None and _key(pr) > point_max:
            point_max, argmax = _key(pr), dom.point(mid)

    push(root, evaluate(root))
    probe_point(root)
    pops = 0
    complete = True
    while True:
        negkey, _, box, r = heap[0]
        top = -negkey
        if r.bound is not None and top <= point_max * Fraction(1 + tol):
            break
        if count >= max_boxes:
            complete = False
            break
        heapq.heappop(heap)
        pops += 1
        if pops % 4 == 1:
            probe_point(box)
        widths = [_width(fmt, o1, o2) for o1, o2 in box]
        k = max(range(len(box)), key=lambda i: widths[i])
        # a range that straddles 1/2 is cut there first: 1 - x is exact from 1/2 on (Sterbenz), and the
        # kernels' levels enter as 1 - x
        for i, ((sign, _, _), (o1, o2)) in enumerate(zip(dom.args, box)):
            if sign > 0 and o1 < _half_ordinal(fmt) <= o2 and widths[i] > 0:
                k = i
                break
        if widths[k] == 0:  # a single point that is still on top: its own bound is final
            done_bound = max(done_bound, r.bound if r.bound is not None else Fraction(10**9))
            done_ordinal = max(done_ordinal, r.ordinal if r.ordinal is not None else 10**9)
            if not heap:
                break
            continue
        if r.bound is None:
            # no bound on this box: cut every argument (the cause need not lie along the widest one)
            children = [()]
            for i, (o1, o2) in enumerate(box):
                halves = [(o1, o2)] if o1 == o2 else [(o1, _split(fmt, o1, o2)), (_split(fmt, o1, o2) + 1, o2)]
                children = [c + (h,) for c in children for h in halves]
        else:
            # greedy: cut along the argument whose halves' bounds add up to less (each splittable argument is
            # tried): the widest argument in binades need not be the one the bound depends on; where no cut lowers
            # them by 1 % of the gap to the best point value, the widest is cut.  "widest": always the widest.
            options = []
            for j in sorted((j for j in range(len(box)) if widths[j] > 0), key=lambda j: (j != k, j)):
                if split == "widest" and j != k:
                    continue
                o1, o2 = box[j]
                mid = _split(fmt, o1, o2)
                kids = [tuple(half if i == j else box[i] for i in range(len(box))) for half in ((o1, mid), (mid + 1, o2))]
                results = [evaluate(c) for c in kids]
                options.append((sum(_key(x) for x in results), kids, results))
            best = min(options, key=lambda t: t[0])
            if 2 * top - best[0] < (top - point_max) / 50:
                best = options[0]
            for child, res in zip(best[1], best[2]):
                push(child, res)
            continue
        for child in children:
            push(child, evaluate(child))
    entries = sorted(heap, key=lambda t: t[0])
    bound = max([done_bound] + [t[3].bound if t[3].bound is not None else Fraction(10**9) for t in entries])
    ordinal = max([done_ordinal] + [t[3].ordinal if t[3].ordinal is not None else 10**9 for t in entries])
    top_box = dom.values(entries[0][2]) if entries else ()
    tops = [(float(-t[0]), [(float(a), float(b)) for a, b in dom.values(t[2])]) for t in entries[:keep_top]]
    return SearchResult(bound, ordinal, count, point_max, argmax, tuple(top_box), complete, tops)
