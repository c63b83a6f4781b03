"""The rounding model of one kernel and its first- and second-order error terms (the FPTaylor method).

Standard model, round to nearest, no contraction into FMA: every rounded operation
``w = op(a, b)`` of the printed kernel returns ``w (1 + d) + h`` with ``|d| <= rho``
(``rho <= u = 2^-p``, smaller where the operation's result is known to lie high in its
binade) and ``|h| <= 2^(qmin - 1)`` (half the subnormal spacing; only products and
quotients that may underflow get an ``h``: sums that underflow are exact).  A literal
whose value is not representable gets its own relative rounding.  Negation is exact.

With ``W`` the kernel's last operation applied to the perturbed operands (its own
rounding is counted separately, in ULP of the result) and ``y`` the exact value, the
relative error ``R - 1`` with ``R = W / y`` is expanded in the perturbations:
``R - 1 = sum_v c_v(x) v + R2``; the coefficients ``c_v`` are SymPy derivatives at 0
(``y``'s factors such as ``s`` cancel symbolically in ``W / y``, which gives the
relative error through the factored form where ``y -> 0``).  ``R2`` is bounded per box
by a first-order Taylor model carried through the operations (the search's
``_taylor_remainder``): each product, quotient, root and rounding adds its exact
second-order term, bounded by the operands' error bounds; this replaces the Hessian of
FPTaylor, whose interval evaluation over a box spanning many binades loses the
correlation of its terms (0.047 where the remainder is below 1.7e-31).

Operations proved exact do not get a perturbation: the two subtractions of Dekker's
Fast2Sum pattern ``(a - (a - b)) - b`` with ``|a| >= |b|`` on the domain, for every
box; per box, Sterbenz's lemma (``y/2 <= x <= 2y`` gives ``x - y`` exactly), operands 0
and 1, and a result that is a single representable value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

import sympy

from .adapter import Node, kernel_tree
from .tape import Tape

__all__ = ["Perturbation", "KernelModel", "build_model"]


@dataclass(frozen=True)
class Perturbation:
    """One perturbation variable: ``kind`` "d" (relative rounding of node ``index``), "h" (underflow) or "c" (literal)."""

    kind: str
    index: int
    symbol: sympy.Symbol
    const_bound: Fraction | None = None   # for "c": the literal's relative rounding, known exactly


@dataclass
class KernelModel:
    kernel: str
    args: tuple[str, ...]
    nodes: list[Node]                      # topological order, the result last
    symbols: tuple[sympy.Symbol, ...]      # the arguments as SymPy symbols
    exact: sympy.Expr                      # y
    ratio: sympy.Expr                      # R = W / y
    perturbations: list[Perturbation]
    fast2sum: frozenset[int]               # node indices exact by Fast2Sum
    coeffs: list[sympy.Expr] = field(default_factory=list)
    first_tape: Tape | None = None       # the coefficients, then the ratio forms of those listed in alt_index
    alt_index: list[int] = field(default_factory=list)
    abs_h: list[int] = field(default_factory=list)   # perturbations "h" with an absolute coefficient in abs_h_tape
    abs_h_tape: Tape | None = None         # dW/dh at 0: the underflow terms' absolute weights (W: the result unrounded)
    exact_tape: Tape | None = None
    node_tape: Tape | None = None          # the exact value of every node (radicands factored)
    node_alt: list[int] = field(default_factory=list)   # nodes with a second (ratio) form, in node_alt_tape
    node_alt_tape: Tape | None = None
    pre_index: list[int] = field(default_factory=list)  # nodes whose perturbed pre-rounding value is in pre_tape
    pre_tape: Tape | None = None           # of (arguments, perturbations): encloses the computed operands' op
    index: dict = field(default_factory=dict)
    pidx: dict = field(default_factory=dict)   # (kind, node index) -> position in ``perturbations``
    arg_index: list = field(default_factory=list)  # per node, the indices of its operands

    @property
    def result_index(self) -> int:
        return len(self.nodes) - 1


def _topological(result: Node) -> list[Node]:
    order: list[Node] = []
    seen: set[Node] = set()

    def visit(n: Node):
        if n in seen:
            return
        for a in n.args:
            visit(a)
        seen.add(n)
        order.append(n)

    visit(result)
    return order


def _fast2sum(nodes: list[Node]) -> dict[int, tuple[Node, Node]]:
    """Nodes T = (A - (A - B)) - B and their inner A - (A - B): {index: (A, B)} (the condition |A| >= |B| is checked later)."""
    index = {n: i for i, n in enumerate(nodes)}
    out: dict[int, tuple[Node, Node]] = {}
    for t in nodes:
        if t.op != "sub":
            continue
        x, b = t.args
        if x.op != "sub":
            continue
        a, s = x.args
        if s.op == "sub" and s.args == (a, b):
            out[index[t]] = (a, b)
            out[index[x]] = (a, b)
    return out


def _literal(value, fmt_nearest) -> tuple[Fraction, Fraction]:
    """(exact value, the value the working dtype holds) of a printed literal."""
    if isinstance(value, tuple):  # ("ratio", p, q): Python's double p/q, then the working dtype
        _, p, q = value
        exact = Fraction(p) / Fraction(q)
        return exact, fmt_nearest(Fraction(float(exact)))
    return value, fmt_nearest(Fraction(float(value)))


def _positive_form(e: sympy.Expr, factored: dict | None = None) -> sympy.Expr:
    """e with every radicand factored (-g^2/(1 - g) - g becomes -g/(1 - g)): the same function, whose interval
    evaluation keeps the sign of the radicand (the difference form loses it to the dependency problem).

    ``factored`` (radicand -> factored radicand) is shared by the calls of one model: the coefficients
    repeat the same few radicands, each factored once."""
    memo = {} if factored is None else factored

    def fix(x):
        base = memo.get(x.base)
        if base is None:
            base = memo[x.base] = sympy.factor(x.base)
        return sympy.Pow(base, x.exp)
    out = e.replace(lambda x: x.is_Pow and x.exp.is_Rational and x.exp.q == 2, fix)
    # the radicands where they stand outside a root too (a derivative divides by them)
    return out.xreplace({b: f for b, f in memo.items() if b.is_Add and f != b})


def _factored(e: sympy.Expr) -> sympy.Expr:
    """A sum as one fraction of factors where that is no longer (-g^2/(1 - g) - g is g/(g - 1)): the interval
    evaluation of a difference of correlated terms loses its sign, the factored form keeps it."""
    if not e.is_Add:
        return e
    f = sympy.factor(e)
    return f if sympy.count_ops(f) <= sympy.count_ops(e) else e


def _reduce_powers(expr: sympy.Expr, r: sympy.Symbol, base: sympy.Expr) -> sympy.Expr:
    out = sympy.S.Zero
    for term in sympy.Add.make_args(sympy.expand(expr)):
        n = term.as_powers_dict().get(r, 0)
        if n >= 2:
            term = term / r**n * base**(n // 2) * r**(n % 2)
        out += term
    return out


def _reduce_radicals(c: sympy.Expr) -> sympy.Expr:
    """c as one fraction with each square root r = sqrt(b) a symbol, r^2 replaced by b, factored: the same
    function (the ledger's radical reduction), usually much shorter than SymPy's derivative, whose terms
    cancel to first order (the coefficient of the rounding of 1 + gamma_c in renoise_alpha is
    sigma q (1 + gamma_c) / (2 (...)), not a difference of two terms near 1/2)."""
    rads: dict = {}
    for p in c.atoms(sympy.Pow):
        if p.exp.is_Rational and p.exp.q == 2:
            rads.setdefault(p.base, sympy.Dummy("r", positive=True))
    if any(b.has(sympy.Pow) and any(a.exp.q == 2 for a in b.atoms(sympy.Pow) if a.exp.is_Rational) for b in rads):
        return None  # nested radicals: not reduced
    c1 = c.replace(lambda x: x.is_Pow and x.exp.is_Rational and x.exp.q == 2 and x.base in rads,
                   lambda x: rads[x.base] ** int(x.exp * 2))
    num, den = sympy.fraction(sympy.together(c1))
    for base, r in rads.items():
        for _ in range(2):
            num, den = _reduce_powers(num, r, base), _reduce_powers(den, r, base)
            num, den = sympy.fraction(sympy.together(num / den))
    out = sympy.factor(num) / sympy.factor(den)
    return out.xreplace({r: sympy.sqrt(b) for b, r in rads.items()})


def _ratio_form(c: sympy.Expr) -> sympy.Expr | None:
    """N / (T1 + T2 + ...) as 1 / (T1/N + T2/N + ...): the same function, with the common factors of N and
    each T cancelled, so that interval arithmetic does not lose the correlation between numerator and
    denominator (s (1 - q) / (s (1 - q) + q) = 1 / (1 + q / (s (1 - q))))."""
    n, d = sympy.fraction(c)
    if not d.is_Add or n == 0 or n.is_number:
        return None
    n = sympy.factor(n)
    return 1 / sympy.Add(*[t / n for t in d.args])


def _complement_form(c: sympy.Expr) -> sympy.Expr | None:
    """N / D as 1 / (1 + (D - N) / N) with D - N factored, where D - N is shorter than D: the same function,
    in which a quotient that is exactly 1 at an end of the domain (e q / (e q + (1 - e)) at e = 1) evaluates
    to exactly 1 there, as its interval evaluation over a box of the other arguments does not."""
    n, d = sympy.fraction(c)
    if not d.is_Add or n == 0 or n.is_number:
        return None
    rest = sympy.factor(sympy.expand(d - n))
    if rest == 0 or sympy.count_ops(rest) >= sympy.count_ops(d):
        return None
    return 1 / (1 + rest / n)


def build_model(kernel: str, fmt_nearest, *, target: str = "numpy", tree=None) -> KernelModel:
    """The symbolic model of ``kernel`` (``fmt_nearest``: round-to-nearest of the working format, for literals)."""
    args, result = tree if tree is not None else kernel_tree(kernel, target)
    nodes = _topological(result)
    symbols = tuple(sympy.Symbol(a) for a in args)
    f2s = _fast2sum(nodes)
    perts: list[Perturbation] = []
    pert_val: list[sympy.Expr] = []
    pert_pre: dict[int, sympy.Expr] = {}   # each operation on its operands' perturbed values, before its own rounding
    exact_val: list[sympy.Expr] = []
    last = len(nodes) - 1
    for i, n in enumerate(nodes):
        if n.op == "input":
            v = symbols[args.index(n.value)]
            pert_val.append(v)
            exact_val.append(v)
            continue
        if n.op == "const":
            exact, held = _literal(n.value, fmt_nearest)
            e = sympy.Rational(exact.numerator, exact.denominator)
            exact_val.append(e)
            if held == exact:
                pert_val.append(e)
            else:
                c = sympy.Symbol(f"c{i}")
                perts.append(Perturbation("c", i, c, abs(held - exact) / abs(exact)))
                pert_val.append(e * (1 + c))
            continue
        a = [pert_val[nodes.index(x)] for x in n.args]
        b = [exact_val[nodes.index(x)] for x in n.args]
        op = {"neg": lambda x: -x, "sqrt": sympy.sqrt, "add": lambda x, y: x + y, "sub": lambda x, y: x - y,
              "mul": lambda x, y: x * y, "div": lambda x, y: x / y}[n.op]
        w = op(*a)
        pert_pre[i] = w
        exact_val.append(op(*b))
        if i in f2s:
            # an error-free step: write its perturbed value without the cancelling terms ((1 - e) - (1 - e)(1 + d)
            # is -(1 - e) d), so that intervals keep it small; the same function
            w = sympy.factor_terms(sympy.expand(w))
            pert_pre[i] = w
        if i == last or n.op == "neg" or i in f2s:
            pert_val.append(w)
            continue
        d = sympy.Symbol(f"d{i}")
        perts.append(Perturbation("d", i, d))
        w = w * (1 + d)
        if n.op in ("mul", "div"):
            h = sympy.Symbol(f"h{i}")
            perts.append(Perturbation("h", i, h))
            w = w + h
        pert_val.append(w)
    y = exact_val[last]
    ratio = pert_val[last] / y
    model = KernelModel(kernel, args, nodes, symbols, y, ratio, perts, frozenset(f2s))
    zero = {p.symbol: 0 for p in perts}
    model.coeffs = [sympy.diff(ratio, p.symbol).xreplace(zero) for p in perts]
    # an underflow term is absolute: its weight dW/dh (= c_h y) counted against ulp(y) >= the subnormal spacing
    # stays bounded where y itself straddles the subnormal range, where c_h = dR/dh ~ 1/y does not
    model.abs_h = [k for k, p in enumerate(perts) if p.kind == "h"]
    psyms = [p.symbol for p in perts]
    radicands: dict = {}
    model.alt_index = []
    alts = []
    for k, c in enumerate(model.coeffs):
        forms = [_ratio_form(c)]
        try:
            reduced = _reduce_radicals(c)
        except (sympy.PolynomialError, ValueError):
            reduced = None
        if reduced is not None and reduced != c:
            forms += [reduced, _ratio_form(reduced)]
        for alt in forms:
            if alt is not None:
                model.alt_index.append(k)
                alts.append(alt)
    model.first_tape = Tape(symbols, [_positive_form(c, radicands) for c in list(model.coeffs) + alts])
    model.exact_tape = Tape(symbols, [_positive_form(y, radicands)])
    if model.abs_h:
        w_last = pert_val[last]
        model.abs_h_tape = Tape(symbols, [_positive_form(sympy.factor(sympy.diff(w_last, perts[k].symbol).xreplace(zero)),
                                                         radicands) for k in model.abs_h])
    model.pre_index = sorted(pert_pre)
    model.pre_tape = Tape(list(symbols) + psyms, [_positive_form(pert_pre[i], radicands) for i in model.pre_index])
    model.node_tape = Tape(symbols, [_positive_form(_factored(v), radicands) for v in exact_val])
    model.node_alt = []
    node_alts = []
    for k, v in enumerate(exact_val):
        # other forms of the same exact value, intersected with the first: the printed one (a sum of
        # non-negative terms stays non-negative) and the ratio form of a quotient
        for alt in (_positive_form(v, radicands), _ratio_form(v), _complement_form(v)):
            if alt is not None and alt != model.node_tape.exprs[k]:
                model.node_alt.append(k)
                node_alts.append(_positive_form(alt, radicands))
    model.node_alt_tape = Tape(symbols, node_alts) if node_alts else None
    model.index = {n: i for i, n in enumerate(nodes)}
    model.pidx = {(p.kind, p.index): k for k, p in enumerate(perts)}
    model.arg_index = [[model.index[a] for a in n.args] for n in nodes]
    return model
