"""Certified global bound of a kernel's rounding error over its whole float domain: branch and bound in ball arithmetic.

The domain of each argument is the set of floats of the working format in its interval
(0 and the subnormals included), walked by *ordinal* (the index of a float among the
format's non-negative values), so that bisection is geometric near 0 and uniform inside
a binade.  On a box of inputs, :func:`evaluate_box`

1. encloses every computed value (exact operation on the operands' enclosures, then
   both ends rounded to nearest: rounding to nearest is monotone, so the computed value
   stays inside);
2. gives each rounded operation its bound: 0 when it is exact on the box (Sterbenz,
   operand 0 or 1, a single representable result, Fast2Sum), else
   ``rho = min(u, ulp(hi)/(2 lo))`` for a result in ``[lo, hi]``, plus the underflow term
   when a product or quotient may be subnormal;
3. bounds ``|R - 1| <= sum_v |c_v| rho_v + R2`` (arb balls; ``R2`` from the Hessian over the
   perturbation box, reused from the parent box while it is negligible);
4. converts to ULP of the exact result ``y``: the inner error is
   ``eps = |R - 1| * |y| / ulp(y)`` (``|y| / ulp(y) < 2^p``, tighter when the box's ``y`` lies
   in one binade) and the last operation's own rounding adds 1/2 ULP (a lemma: when
   ``|w - y| <= eps ulp(y)`` with ``eps < 1``, ``|RN(w) - y| <= (1/2 + eps) ulp(y)``, across
   binade ends too).

The bound of the kernel is the largest box bound left when the search stops; the
search refines the box with the largest bound first until it is within a tolerance of
the largest value found at single points (or a box budget is spent: the bound is then
still certified, only less tight).
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass, field
from fractions import Fraction

from flint import arb, ctx

from .formats import Format
from .model import KernelModel, _literal
from .interval import EmptyRoot, Iv, iv, iv_hull

__all__ = ["Box", "BoxResult", "SearchResult", "Domain", "certify_model", "evaluate_box"]

ctx.prec = 96
_INF = arb("inf")


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


def _abs_upper(a: Iv) -> Fraction:
    return a.upper_abs()


def _float_enclosures(model: KernelModel, fmt: Format, inputs: list[Iv]):
    """Per node: (enclosure of the exact operation on the computed operands, enclosure of the computed value, exact?)."""
    pre: list[Iv | None] = []
    post: list[Iv] = []
    exact: list[bool] = []
    ends: list[tuple[Fraction, Fraction]] = []
    names = model.args
    for i, n in enumerate(model.nodes):
        if n.op == "input":
            v = inputs[names.index(n.value)]
            pre.append(None)
            post.append(v)
            exact.append(True)
            ends.append(v.ends())
            continue
        if n.op == "const":
            _, held = _literal(n.value, fmt.nearest)
            v = iv(held)
            pre.append(None)
            post.append(v)
            exact.append(True)
            ends.append((held, held))
            continue
        idx = [model.nodes.index(a) for a in n.args]
        ops = [post[j] for j in idx]
        oe = [ends[j] for j in idx]
        if n.op == "neg":
            w = -ops[0]
        elif n.op == "sqrt":
            w = ops[0].sqrt()
        elif n.op == "add":
            w = ops[0] + ops[1]
        elif n.op == "sub":
            w = ops[0] - ops[1]
        elif n.op == "mul":
            w = ops[0] * ops[1]
        else:
            w = ops[0] / ops[1]
        lo, hi = w.ends()
        ex = n.op == "neg" or i in model.fast2sum or _exact_on_box(n.op, oe, lo, hi, fmt)
        pre.append(w)
        exact.append(ex)
        if ex:
            post.append(w)
            ends.append((lo, hi))
        else:
            rlo, rhi = fmt.nearest(lo), fmt.nearest(hi)  # round to nearest is monotone
            post.append(iv_hull(rlo, rhi))
            ends.append((rlo, rhi))
    return pre, post, exact


def _point(e):
    return e[0] == e[1]


def _exact_on_box(op, oe, lo, hi, fmt: Format) -> bool:
    """Proved exact for every input of the box (the operands' computed values lie in ``oe``)."""
    if lo == hi and fmt.is_representable(lo):
        return True  # one representable result
    if op in ("add", "sub"):
        if any(_point(e) and e[0] == 0 for e in oe):
            return True
        (a1, a2), (b1, b2) = oe
        if op == "add":
            b1, b2 = -b2, -b1
        # x - y with x, y of one sign and y/2 <= x <= 2y (Sterbenz)
        if a1 > 0 and b1 > 0 and a1 >= b2 / 2 and a2 <= 2 * b1:
            return True
        if a2 < 0 and b2 < 0 and -a2 >= -b1 / 2 and -a1 <= -2 * b2:
            return True
        return False
    if op == "mul":
        return any(_point(e) and e[0] in (0, 1, -1) for e in oe)
    if op == "div":
        return (_point(oe[1]) and oe[1][0] in (1, -1)) or (_point(oe[0]) and oe[0][0] == 0)
    if op == "sqrt":
        return _point(oe[0]) and oe[0][0] in (0, 1)
    return False


def _rho(fmt: Format, lo: Fraction, hi: Fraction) -> tuple[Fraction, bool]:
    """(relative bound, may underflow) of rounding a value in [lo, hi]."""
    a, b = (lo, hi) if lo >= 0 else ((-hi, -lo) if hi <= 0 else (Fraction(0), max(-lo, hi)))
    if a < fmt.smallest_normal:
        return fmt.u, True
    return min(fmt.u, fmt.ulp(b) / (2 * a)), False


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
        edge = Fraction(2) ** e2
        return [(ylo, edge, True, True), (edge, yhi, True, True)]
    return [(ylo, yhi, False, False)]


def _forward_relative(model: KernelModel, inputs: list[Iv], pert_bounds: dict, exact: list[bool]) -> Iv:
    """A second, independent bound of |R - 1| on the box: relative errors propagated forward, node by node.

    Node i holds V_i (1 + t_i) with |t_i| <= E_i: a sum of terms of one sign has the weighted mean of the
    terms' E (at most their max), a difference is amplified by (|a| + |b|) / |a - b| computed as
    1 / |1 - b/a| ..., a product gives (1 + E_a)(1 + E_b) - 1, a quotient (1 + E_a)/(1 - E_b) - 1, a
    square root 1 - sqrt(1 - E); the rounding adds (1 + E)(1 + rho) - 1 and an underflow term h/|V|.
    Exact in the second order (no Taylor remainder); it ignores correlations between operands, so it is
    looser where errors cancel, but it stays tight where y's factors differ by many binades.
    """
    names = model.args
    V: list[Iv] = []
    E: list[Iv] = []
    zero, one = Iv.of(0), Iv.of(1)
    last = len(model.nodes) - 1
    for i, n in enumerate(model.nodes):
        if n.op == "input":
            V.append(inputs[names.index(n.value)])
            E.append(zero)
            continue
        if n.op == "const":
            exact_v, _ = _literal(n.value, lambda x: x)
            V.append(iv(exact_v))
            E.append(iv(pert_bounds.get(("c", i), Fraction(0))))
            continue
        idx = [model.nodes.index(a) for a in n.args]
        va = [V[j] for j in idx]
        ea = [E[j] for j in idx]
        if n.op == "neg":
            v, e = -va[0], ea[0]
        elif n.op in ("add", "sub"):
            a, b = va[0], (va[1] if n.op == "add" else -va[1])
            v = a + b
            if (a.positive() and b.positive()) or (a.negative() and b.negative()):
                e = ea[0].max(ea[1])
                e2 = ea[0] / (1 + b / a) + ea[1] / (1 + a / b)  # the weighted mean, exactly
                if e2.is_finite() and e2.upper_abs() < e.upper_abs():
                    e = e2
            else:
                e1 = (abs(a) * ea[0] + abs(b) * ea[1]) / abs(v)
                e2 = ea[0] / abs(1 + b / a) + ea[1] / abs(1 + a / b)
                e = e1 if not e2.is_finite() or (e1.is_finite() and e1.upper_abs() < e2.upper_abs()) else e2
        elif n.op == "mul":
            v = va[0] * va[1]
            e = (one + ea[0]) * (one + ea[1]) - one
        elif n.op == "div":
            v = va[0] / va[1]
            e = (one + ea[0]) / (one - ea[1]) - one
        else:
            v = va[0].sqrt()
            e = one - (one - ea[0]).sqrt()
        if not e.is_finite():
            raise ArithmeticError("forward bound not finite")
        e = Iv.of(e.upper_abs())
        if i != last and n.op != "neg" and not exact[i]:
            rho = pert_bounds.get(("d", i), Fraction(0))
            h = pert_bounds.get(("h", i), Fraction(0))
            e = (one + e) * (one + iv(rho)) - one
            if h:
                e = e + iv(h) / abs(v)
            if not e.is_finite():
                raise ArithmeticError("forward bound not finite")
            e = Iv.of(e.upper_abs())
        V.append(v)
        E.append(e)
    return E[last]


def evaluate_box(model: KernelModel, fmt: Format, dom: Domain, box, parent_r2: arb | None = None) -> BoxResult:
    vals = dom.values(box)
    inputs = [iv_hull(a, b) for a, b in vals]
    try:
        pre, post, exact = _float_enclosures(model, fmt, inputs)
    except (ArithmeticError, EmptyRoot):  # an enclosure too wide to be finite: no exactness, the plain model everywhere
        pre = None
        exact = [n.op in ("input", "const", "neg") or i in model.fast2sum for i, n in enumerate(model.nodes)]
    bounds: list[Fraction] = []
    for p in model.perturbations:
        if p.kind == "c":
            bounds.append(p.const_bound)
            continue
        if exact[p.index]:
            bounds.append(Fraction(0))
            continue
        if pre is None:
            bounds.append(fmt.u if p.kind == "d" else fmt.underflow_half_quantum)
            continue
        lo, hi = pre[p.index].ends()
        rho, under = _rho(fmt, lo, hi)
        if p.kind == "d":
            bounds.append(rho)
        else:
            # |RN(x) - x| <= half the subnormal spacing, and <= |x| (0 is a float)
            bounds.append(min(fmt.underflow_half_quantum, max(abs(lo), abs(hi))) if under else Fraction(0))
    try:
        fwd = _forward_relative(model, inputs,
                                {(p.kind, p.index): b for p, b in zip(model.perturbations, bounds)}, exact)
    except (ArithmeticError, EmptyRoot):
        fwd = None
    try:
        outs = model.first_tape.run(inputs)
        coeffs = outs[:len(model.perturbations)]
        for k, alt in zip(model.alt_index, outs[len(model.perturbations):]):
            if alt.is_finite():  # both intervals contain the coefficient: keep their intersection
                coeffs[k] = alt if not coeffs[k].is_finite() else coeffs[k].intersect(alt)
        first = Iv.of(0)
        for c, b in zip(coeffs, bounds):
            if b:
                first = first + abs(c) * iv(b)
    except EmptyRoot:
        first = Iv(-_INF, _INF)
    # second-order remainder over the perturbation box (reused from the parent while negligible)
    r2 = parent_r2
    if not first.is_finite():
        r2 = Iv.of(0)
    elif r2 is None or not r2.is_finite() or _abs_upper(r2) * 2 ** fmt.precision > Fraction(1, 10**4):
        r2 = Iv.of(0)
        if model.hess_tape is not None:
            pert = [iv_hull(-b, b) for b in bounds]
            try:
                hs = model.hess_tape.run(inputs + pert)
            except EmptyRoot:
                hs = [Iv(-_INF, _INF)] * len(model.hessian)
            for (i, j, _), h in zip(model.hessian, hs):
                if bounds[i] and bounds[j]:
                    term = abs(h) * iv(bounds[i] * bounds[j])
                    r2 = r2 + (term if i == j else 2 * term)
            r2 = r2 / 2
    rel = _abs_upper(first + r2) if (first + r2).is_finite() else None
    if fwd is not None and fwd.is_finite():
        f_up = fwd.upper_abs()
        rel = f_up if rel is None else min(rel, f_up)
    if rel is None:
        return BoxResult(None, None, None, r2)
    try:
        (y,) = model.exact_tape.run(inputs)
    except EmptyRoot:
        y = Iv(-_INF, _INF)
    if y.is_finite():
        ylo, yhi = abs(y).ends()
        ylo = max(ylo, Fraction(0))
    else:
        ylo, yhi = Fraction(0), Fraction(2)  # every kernel value lies in [0, 1]; |y|/ulp(y) < 2^p anyway
    parts = _binade_parts(fmt, ylo, yhi)
    bound = o_real = Fraction(0)
    eps_max = Fraction(0)
    for lo, hi, below_ok, above_ok in parts:
        # |y| / ulp(y) <= hi / ulp(lo) inside one binade (< 2^p); eps: the inner error in ulp(y)
        scale = Fraction(2) ** fmt.precision  # |y| / ulp(y) < 2^p for every y != 0
        if lo > 0:
            scale = min(scale, hi / fmt.ulp(lo))
        eps = rel * scale if hi > 0 else Fraction(0)  # y = 0 on the whole box: the error is rel * |y| = 0
        eps_max = max(eps_max, eps)
        # the last operation's own rounding: 1/2 ulp(y), or up to ulp(y) where the computed value may cross
        # into the binade above (spacing doubles there)
        up = not above_ok or hi * (1 + rel) >= Fraction(2) ** (fmt.exponent(lo) + 1)
        final = 0 if exact[-1] else (1 if up else Fraction(1, 2))
        bound = max(bound, eps + final)
        # distance in floats to RN(y): both are roundings of values eps ulp(y) apart; where the computed
        # value may fall into the binade below (spacing halves) count 2 eps
        down = not below_ok or (lo > 0 and lo * (1 - rel) < Fraction(2) ** fmt.exponent(lo)
                                and lo >= fmt.smallest_normal)
        # (a computed value below the binade needs y < 2^e / (1 - rel), where |y|/ulp(y) < 2^(p-1) / (1 - rel):
        # so 2 eps < rel 2^p / (1 - rel) there, a bound that holds for every y of the box)
        any_y = rel * Fraction(2) ** fmt.precision / (1 - rel) if rel < 1 else Fraction(10**9)
        steps = min(2 * eps if down else eps, any_y) if hi > 0 else Fraction(0)
        o_real = max(o_real, steps + (Fraction(1, 2) if exact[-1] else 1))
    eps = eps_max
    return BoxResult(bound, math.floor(o_real), eps, r2, o_real)


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


def _split(fmt: Format, o1: int, o2: int) -> int:
    """Where to cut the ordinal range [o1, o2]: 0 alone first, then geometrically while the values span
    more than a factor 4 (the subnormal range included), then in the middle."""
    if o1 == 0:
        return 0
    v1, v2 = fmt.value(o1), fmt.value(o2)
    if v2 > 4 * v1:
        e = (fmt.exponent_raw(v1) + fmt.exponent_raw(v2)) // 2
        m = fmt.ordinal(Fraction(2) ** e)
        if o1 <= m < o2:
            return m
    return (o1 + o2) // 2


def _key(r: BoxResult) -> Fraction:
    """Refinement priority of a box: the larger of its two certified figures."""
    if r.bound is None:
        return Fraction(10**9)
    return max(r.bound, r.ordinal_real)


def certify_model(model: KernelModel, fmt: Format, dom: Domain, *, tol: float = 0.03, max_boxes: int = 4000,
                  keep_top: int = 8) -> SearchResult:
    """Branch and bound over ``dom``: a certified ULP bound, refined until within ``tol`` of the best point value."""
    root = tuple((o1, o2) for _, o1, o2 in dom.args)
    heap: list = []
    count = 0
    point_max = Fraction(0)
    argmax = dom.point(root)
    done_ordinal = 0  # largest ordinal bound among boxes that are points (popped for good)
    done_bound = Fraction(0)

    def push(box, parent_r2):
        nonlocal count, point_max, argmax
        r = evaluate_box(model, fmt, dom, box, parent_r2)
        count += 1
        key = _key(r)
        heapq.heappush(heap, (-key, count, box, r))

    def probe_point(box, r2):
        # value at the box's middle point: a lower estimate of the model's sup, for the stopping rule
        nonlocal count, point_max, argmax
        mid = tuple(((o1 + o2) // 2, (o1 + o2) // 2) for o1, o2 in box)
        pr = evaluate_box(model, fmt, dom, mid, r2)
        count += 1
        if pr.bound is not None and _key(pr) > point_max:
            point_max, argmax = _key(pr), dom.point(mid)

    push(root, None)
    probe_point(root, heap[0][3].r2)
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
        probe_point(box, r.r2)
        widths = [_width(fmt, o1, o2) for o1, o2 in box]
        k = max(range(len(box)), key=lambda i: widths[i])
        if widths[k] == 0:  # a single point that is still on top: its own bound is final
            done_bound = max(done_bound, r.bound if r.bound is not None else Fraction(10**9))
            done_ordinal = max(done_ordinal, r.ordinal if r.ordinal is not None else 10**9)
            if not heap:
                break
            continue
        o1, o2 = box[k]
        mid = _split(fmt, o1, o2)
        for half in ((o1, mid), (mid + 1, o2)):
            child = tuple(half if i == k else box[i] for i in range(len(box)))
            push(child, r.r2)
    entries = sorted(heap, key=lambda t: t[0])
    bound = max([done_bound] + [t[3].bound if t[3].bound is not None else Fraction(10**9) for t in entries])
    ordinal = max([done_ordinal] + [t[3].ordinal if t[3].ordinal is not None else 10**9 for t in entries])
    top_box = dom.values(entries[0][2]) if entries else ()
    tops = [(float(-t[0]), [(float(a), float(b)) for a, b in dom.values(t[2])]) for t in entries[:keep_top]]
    return SearchResult(bound, ordinal, count, point_max, argmax, tuple(top_box), complete, tops)
