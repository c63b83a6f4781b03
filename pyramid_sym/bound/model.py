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
box; Dekker's product error ``E`` of ``P = a b`` (Veltkamp's split, see :func:`_dekker`),
modelled as ``a b - P + t`` with ``t`` 0 where ``2^(emin + p) <= |a b| <= 2^(emax - 2)`` and
``|a|, |b| <= 2^(emax - ceil(p/2) - 1)`` (Boldo 2006, the formal proof of Veltkamp's and Dekker's algorithms
with underflow and overflow) and bounded per box elsewhere; a product or quotient by a power of 2 (exact unless
it underflows: then only its ``h``); per box, Sterbenz's lemma (``y/2 <= x <= 2y`` gives ``x - y`` exactly),
operands 0 and 1, and a result that is a single representable value.
"""

from __future__ import annotations

import functools

from dataclasses import dataclass, field
from fractions import Fraction

import sympy

from .adapter import Node, kernel_tree, runtime_constant_name, topological
from .tape import Tape

__all__ = ["Perturbation", "KernelModel", "build_model", "evaluate_nodes"]


@dataclass(frozen=True)
class Perturbation:
    """One perturbation variable: ``kind`` "d" (relative rounding of node ``index``), "h" (underflow), "c"
    (literal) or "t" (absolute: how far Dekker's product error at node ``index`` may be from exact, 0 where
    Dekker's theorem applies)."""

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
    dekker: dict = field(default_factory=dict)  # Dekker's product errors: {E: (a, b, P, steps inside)}, see _dekker
    dekker_inside: dict = field(default_factory=dict)  # {step inside a Dekker product (no perturbation): its E}
    constants: dict = field(default_factory=dict)  # {runtime constant's symbol: its value}, in the SymPy forms
    coeffs: list[sympy.Expr] = field(default_factory=list)
    first_tape: Tape | None = None       # the coefficients, then the ratio forms of those listed in alt_index
    alt_index: list[int] = field(default_factory=list)
    abs_h: list[int] = field(default_factory=list)   # perturbations "h" with an absolute coefficient in abs_h_tape
    abs_h_tape: Tape | None = None         # dW/dh at 0: the underflow terms' absolute weights (W: the result unrounded)
    h_ratio: list[int] = field(default_factory=list)  # underflow terms whose node is not 0 in exact arithmetic
    h_ratio_tape: Tape | None = None       # y / (exact value of the node) of each term in h_ratio
    exact_tape: Tape | None = None
    node_tape: Tape | None = None          # the exact value of every node (radicands factored)
    node_alt: list[int] = field(default_factory=list)   # nodes with a second (ratio) form, in node_alt_tape
    node_alt_tape: Tape | None = None
    pre_exprs: dict = field(default_factory=dict)  # {node: its perturbed value before rounding}, see pre_tape
    pre_tapes: dict = field(default_factory=dict)  # the tapes of pre_tape, built on first use
    index: dict = field(default_factory=dict)
    pidx: dict = field(default_factory=dict)   # (kind, node index) -> position in ``perturbations``
    arg_index: list = field(default_factory=list)  # per node, the indices of its operands
    # per node: the argument it reads alone (its index in ``args``), where the search may keep what it computes for
    # the node over one range of that argument (see ``one_argument``); None for the others
    one_argument: list = field(default_factory=list)
    kept: dict = field(default_factory=dict, repr=False, compare=False)  # the search's results per argument range

    def pre_tape(self, i: int) -> Tape | None:
        """The tape of node i's operation on its operands' perturbed values, over (arguments, perturbations):
        an enclosure of the computed operands' operation in which correlated roundings (Fast2Sum) stay
        correlated.  Built on first use (one node's expression, not the whole kernel's)."""
        if i not in self.pre_exprs:
            return None
        if i not in self.pre_tapes:
            self.pre_tapes[i] = Tape(list(self.symbols) + [p.symbol for p in self.perturbations], [self.pre_exprs[i]])
        return self.pre_tapes[i]

    def forget(self) -> None:
        """Drop what the search kept over argument ranges (here and in every tape): the next boxes compute afresh."""
        self.kept.clear()
        for t in [self.first_tape, self.exact_tape, self.abs_h_tape, self.h_ratio_tape, self.node_tape,
                  self.node_alt_tape, *self.pre_tapes.values()]:
            if t is not None:
                t.forget()

    @property
    def result_index(self) -> int:
        return len(self.nodes) - 1


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


def _runtime_value(name: str, fmt_name: str) -> Fraction:
    """The value of the runtime constant ``name`` in the working format ``fmt_name``: the emitted modules' own
    definition (their runtime), so that the model and the kernels cannot disagree."""
    from ..kernels.runtime._shared import runtime_constant
    from .formats import format_named

    fmt = format_named(fmt_name)
    m, k = runtime_constant(name, fmt.precision, fmt.emin, fmt.emax)
    return m * Fraction(2) ** k


def _dekker(nodes: list[Node]) -> dict[int, tuple[int, int, int, frozenset[int]]]:
    """Dekker's product error E = (((a_hi b_hi - P) + a_hi b_lo) + a_lo b_hi) + a_lo b_lo of P = a b, with
    Veltkamp's split x_hi = C x - (C x - x), x_lo = x - x_hi (C the runtime constant "veltkamp"):
    {index of E: (index of a, index of b, index of P, indices of the steps inside the pattern)}.  The steps
    inside must feed nothing but the pattern (then E's value is modelled as a b - P, see build_model)."""
    index = {n: i for i, n in enumerate(nodes)}

    def split_of(x):  # (hi, lo) nodes of x's split, or None
        for hi in nodes:
            if hi.op != "sub" or hi.args[1].op != "sub":
                continue
            c, gap = hi.args
            if gap.args != (c, x) or c.op != "mul" or x not in c.args:
                continue
            other = c.args[1] if c.args[0] == x else c.args[0]
            if other.op != "const" or other.value != ("veltkamp",):
                continue
            lo = next((n for n in nodes if n.op == "sub" and n.args == (x, hi)), None)
            if lo is not None:
                return hi, lo, (c, gap, hi, lo)
        return None

    def mul_of(u, v):
        return next((n for n in nodes if n.op == "mul" and n.args in ((u, v), (v, u))), None)

    def add_of(u, v):
        return next((n for n in nodes if n.op == "add" and n.args in ((u, v), (v, u))), None)

    out: dict[int, tuple[int, int, int, frozenset[int]]] = {}
    for p in nodes:
        if p.op != "mul":
            continue
        a, b = p.args
        sa, sb = split_of(a), split_of(b)
        if sa is None or sb is None:
            continue
        (ah, al, inner_a), (bh, bl, inner_b) = sa, sb
        hh, hl, lh, ll = mul_of(ah, bh), mul_of(ah, bl), mul_of(al, bh), mul_of(al, bl)
        if None in (hh, hl, lh, ll):
            continue
        t1 = next((n for n in nodes if n.op == "sub" and n.args == (hh, p)), None)
        t2 = add_of(t1, hl) if t1 is not None else None
        t3 = add_of(t2, lh) if t2 is not None else None
        e = add_of(t3, ll) if t3 is not None else None
        if e is None:
            continue
        inner = set(inner_a) | set(inner_b) | {hh, hl, lh, ll, t1, t2, t3}
        users = {u for n in nodes for u in [n] if any(x in inner for x in n.args)}
        if not users <= inner | {e}:
            continue  # a step of the pattern is used elsewhere: not modelled as Dekker's product
        out[index[e]] = (index[a], index[b], index[p], frozenset(index[n] for n in inner))
    return out


def _literal(value, fmt_nearest) -> tuple[Fraction, Fraction]:
    """(exact value, the value the working dtype holds) of a printed literal."""
    name = runtime_constant_name(value)
    if name is not None:  # a runtime constant of the format (``fmt_nearest``'s)
        v = _runtime_value(name, fmt_nearest.__self__.name)
        return v, v
    if isinstance(value, tuple):  # ("ratio", p, q): Python's double p/q, then the working dtype
        _, p, q = value
        exact = Fraction(p) / Fraction(q)
        return exact, fmt_nearest(Fraction(float(exact)))
    return value, fmt_nearest(Fraction(float(value)))


def evaluate_nodes(nodes, inputs: dict, dtype, fmt_nearest) -> dict:
    """{node: value} of ``nodes`` (in evaluation order) in NumPy's ``dtype``, one rounded operation at a time as
    printed: ``inputs`` maps argument names to values (scalars or arrays), a literal is the value the format of
    ``fmt_nearest`` holds (``_literal``).  An evaluator of the printed kernel that is not the kernel module."""
    import numpy as np

    ops = {"neg": np.negative, "sqrt": np.sqrt, "add": np.add, "sub": np.subtract, "mul": np.multiply,
           "div": np.divide}
    out: dict = {}
    with np.errstate(all="ignore"):
        for n in nodes:
            if n.op == "input":
                out[n] = dtype(inputs[n.value])
            elif n.op == "const":
                out[n] = dtype(float(_literal(n.value, fmt_nearest)[1]))
            else:
                out[n] = dtype(ops[n.op](*(out[a] for a in n.args)))
    return out


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


# the symbolic rewrites are pure functions of their expression, kept: the models of one kernel in two formats differ
# only in runtime constants' values, put in after these (jump_start_time's second model then costs under a third)
_per_expression = functools.lru_cache(maxsize=1024)


@_per_expression
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


@_per_expression
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


@_per_expression
def _root_argument(b: sympy.Expr) -> tuple[sympy.Dummy, sympy.Expr] | None:
    """(Q, g(Q)): the one argument g of the radicand b written through Q = sqrt(b), or None where Q^2 = b has not
    exactly one solution for g.  Cached: every coefficient of a kernel has the same radicand, and solving is slow."""
    (g,) = b.free_symbols
    q = sympy.Dummy("Q", positive=True)
    try:
        sols = sympy.solve(sympy.Eq(q ** 2, b), g)
    except (NotImplementedError, ValueError):
        return None
    return (q, sols[0]) if len(sols) == 1 else None


@_per_expression
def _root_form(c: sympy.Expr) -> tuple[sympy.Expr, sympy.Expr | None] | None:
    """c as a rational function of its one square root Q = sqrt(b(g)), b of one argument g that the root
    determines (b = -gamma/(1 - gamma) gives gamma = Q^2/(Q^2 - 1)), cancelled and factored, Q written back as
    sqrt(b): the same function on the domain, where the derivative's terms that cancel to first order are gone
    (the weight of the radicand's rounding in jump_start_time is (1 - e) / (2 (e Q + 1 - e)), not a difference
    of two terms each as large), and its ratio form with the denominator grouped by powers of Q (None where the
    denominator has no Q).  None where c has no such root."""
    roots = [p for p in c.atoms(sympy.Pow) if p.exp.is_Rational and p.exp.q == 2]
    bases = {sympy.factor(p.base) for p in roots}
    if len(bases) != 1:
        return None
    (b,) = bases
    if len(b.free_symbols) != 1 or b.has(sympy.Pow) and any(
            a.exp.is_Rational and a.exp.q == 2 for a in b.atoms(sympy.Pow)):
        return None
    (g,) = b.free_symbols
    solved = _root_argument(b)
    if solved is None:
        return None
    q, sol = solved
    c1 = c.replace(lambda x: x.is_Pow and x.exp.is_Rational and x.exp.q == 2 and sympy.factor(x.base) == b,
                   lambda x: q ** int(x.exp * 2))
    c2 = sympy.factor(sympy.cancel(sympy.together(c1.xreplace({g: sol}))))
    if c2.has(g):
        return None
    root = {q: sympy.sqrt(b)}
    n, d = sympy.fraction(c2)
    if n == 0 or not d.has(q):
        return c2.xreplace(root), None
    # the ratio form with the denominator grouped by powers of Q, each group's coefficient factored and divided
    # by the numerator: (1 - e) / (2 (e Q + 1 - e)) is 1 / (2 + 2 e Q / (1 - e)), whose interval evaluation keeps
    # the 1 - e of the numerator and the denominator together
    groups = sympy.collect(sympy.expand(d), q, evaluate=False)
    grouped = 1 / sympy.Add(*[sympy.cancel(sympy.factor(k) / n) * p for p, k in groups.items()])
    return c2.xreplace(root), grouped.xreplace(root)


@_per_expression
def _ratio_form(c: sympy.Expr) -> sympy.Expr | None:
    """N / (T1 + T2 + ...) as 1 / (T1/N + T2/N + ...): the same function, with the common factors of N and
    each T cancelled, so that interval arithmetic does not lose the correlation between numerator and
    denominator (s (1 - q) / (s (1 - q) + q) = 1 / (1 + q / (s (1 - q))))."""
    n, d = sympy.fraction(c)
    if not d.is_Add or n == 0 or n.is_number:
        return None
    n = sympy.factor(n)
    return 1 / sympy.Add(*[t / n for t in d.args])


@_per_expression
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
    nodes = topological(result)
    symbols = tuple(sympy.Symbol(a) for a in args)
    f2s = _fast2sum(nodes)
    dk = _dekker(nodes)
    inside = {j: e for e, v in dk.items() for j in v[3]}
    perts: list[Perturbation] = []
    pert_val: list[sympy.Expr] = []
    pert_pre: dict[int, sympy.Expr] = {}   # each operation on its operands' perturbed values, before its own rounding
    exact_val: list[sympy.Expr] = []
    constants: dict[sympy.Symbol, sympy.Rational] = {}
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
            name = runtime_constant_name(n.value)
            if name is not None:
                # a runtime constant (exact in the format): a positive symbol until the tapes are built, so that
                # SymPy factors with it instead of with integers such as 2^1020 (Wang's algorithm then hunts primes)
                sym = sympy.Symbol(name, positive=True)
                constants[sym] = e
                e = sym
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
        exact_val.append(op(*b))
        if i in inside:
            # a step of Dekker's product: its rounding is accounted for by the product error's own model below
            pert_val.append(exact_val[-1])
            continue
        if i in dk:
            # Dekker's product error: exactly a b - P of the computed a, b, P where the operands' exponents add up
            # to emin + p - 1 or more; elsewhere (underflow) within a per-box bound of that, the perturbation "t"
            ia, ib, ip, _ = dk[i]
            t = sympy.Symbol(f"t{i}")
            perts.append(Perturbation("t", i, t))
            w = pert_val[ia] * pert_val[ib] - pert_val[ip] + t
            pert_pre[i] = w
            pert_val.append(w)
            continue
        pert_pre[i] = w
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
    model = KernelModel(kernel, args, nodes, symbols, y, ratio, perts, frozenset(f2s), dk, inside, constants)
    zero = {p.symbol: 0 for p in perts}
    model.coeffs = [sympy.diff(ratio, p.symbol).xreplace(zero) for p in perts]
    # an underflow term is absolute: its weight dW/dh (= c_h y) counted against ulp(y) >= the subnormal spacing
    # stays bounded where y itself straddles the subnormal range, where c_h = dR/dh ~ 1/y does not
    model.abs_h = [k for k, p in enumerate(perts) if p.kind == "h"]
    radicands: dict = {}
    model.alt_index = []
    alts = []
    for k, c in enumerate(model.coeffs):
        forms = [_ratio_form(c)]
        rooted = _root_form(c)
        if rooted is not None:
            forms += list(rooted)
        else:
            # several roots: each a symbol, its square reduced (a weaker form of the same idea)
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
    def valued(e):  # the runtime constants' values in: what the tapes evaluate
        return e.xreplace(constants) if constants else e

    model.first_tape = Tape(symbols, [_positive_form(valued(c), radicands) for c in list(model.coeffs) + alts])
    model.exact_tape = Tape(symbols, [_positive_form(valued(y), radicands)])
    if model.abs_h:
        w_last = pert_val[last]
        model.abs_h_tape = Tape(symbols, [_positive_form(valued(sympy.factor(sympy.diff(w_last, perts[k].symbol)
                                                                             .xreplace(zero))), radicands)
                                          for k in model.abs_h])
        # y over the exact value of each underflowing node: its underflow (|node| < 2^emin) needs
        # |y| < 2^emin |y / node|, so that the search counts it only for such y
        # (none where the node is 0 in exact arithmetic, as a Dekker product's error: counted for every y)
        model.h_ratio = [k for k in model.abs_h if exact_val[perts[k].index] != 0]
        if model.h_ratio:
            model.h_ratio_tape = Tape(symbols, [_positive_form(valued(_factored(sympy.cancel(y / exact_val[perts[k].index]))),
                                                               radicands) for k in model.h_ratio])
    model.pre_exprs = {i: _positive_form(valued(pert_pre[i]), radicands) for i in sorted(pert_pre)}
    model.node_tape = Tape(symbols, [_positive_form(valued(_factored(v)), radicands) for v in exact_val])
    model.node_alt = []
    node_alts = []
    for k, v in enumerate(exact_val):
        # other forms of the same exact value, intersected with the first: the printed one (a sum of
        # non-negative terms stays non-negative) and the ratio form of a quotient
        for alt in (_positive_form(v, radicands), _ratio_form(v), _complement_form(v)):
            alt = valued(alt) if alt is not None else None
            if alt is not None and alt != model.node_tape.exprs[k]:
                model.node_alt.append(k)
                node_alts.append(_positive_form(alt, radicands))
    model.node_alt_tape = Tape(symbols, node_alts) if node_alts else None
    model.index = {n: i for i, n in enumerate(nodes)}
    model.pidx = {(p.kind, p.index): k for k, p in enumerate(perts)}
    model.arg_index = [[model.index[a] for a in n.args] for n in nodes]
    model.one_argument = _one_argument(model)
    return model


def _one_argument(model: KernelModel) -> list:
    """Per node, the index of the one argument it depends on, where everything the search derives for the node on a
    box (its enclosures, rounding bounds, Taylor forms) is a function of that argument's range alone: the node
    reads one argument through its operands, is not the result, and takes no part in a Dekker product (whose
    steps the search decides together); None for the others (inputs and literals included)."""
    reads: list = []
    out: list = []
    last = len(model.nodes) - 1
    for i, n in enumerate(model.nodes):
        if n.op == "input":
            reads.append(frozenset([model.args.index(n.value)]))
            out.append(None)
            continue
        if n.op == "const":
            reads.append(frozenset())
            out.append(None)
            continue
        r = frozenset().union(*[reads[j] for j in model.arg_index[i]])
        reads.append(r)
        dekker = (i in model.dekker or i in model.dekker_inside
                  or any(j in model.dekker or j in model.dekker_inside for j in model.arg_index[i]))
        ok = len(r) == 1 and i != last and not dekker and all(
            model.nodes[j].op in ("input", "const") or out[j] is not None for j in model.arg_index[i])
        out.append(next(iter(r)) if ok else None)
    return out
