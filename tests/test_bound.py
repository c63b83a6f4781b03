"""Certified rounding-error bounds (pyramid_sym.bound): the model, the exactness rules, the search, the data file.

Expectations come from an evaluator that is not the bound: exact rational arithmetic
(fractions.Fraction) and NumPy's own float32 evaluation of the emitted kernels.
"""

from __future__ import annotations

import json
import math
from fractions import Fraction

import numpy as np
import pytest

from pyramid_sym.bound import certify, docstring_lines, load_bounds
from pyramid_sym.bound.adapter import BoundError, kernel_names, kernel_tree, tree_of_function
from pyramid_sym.bound.formats import FORMATS
from pyramid_sym.bound.model import build_model
from pyramid_sym.bound.search import Domain, evaluate_box

F32 = FORMATS["float32"]


def test_formats_ordinals_match_numpy_bit_patterns():
    rng = np.random.default_rng(1)
    bits = rng.integers(0, 0x3F800000, size=200, dtype=np.int64).astype(np.int32)
    for b in bits:
        x = Fraction(float(np.int32(b).view(np.float32)))
        assert F32.ordinal(x) == int(b)
        assert F32.value(int(b)) == x


def test_nearest_matches_numpy_rounding():
    rng = np.random.default_rng(2)
    for v in rng.random(200):
        x = Fraction(float(v)) / 3
        assert F32.nearest(x) == Fraction(float(np.float32(float(x)))) or abs(F32.nearest(x) - x) <= F32.ulp(x) / 2


def test_numpy_and_torch_kernels_run_the_same_operations():
    for k in kernel_names():
        assert kernel_tree(k, "numpy") == kernel_tree(k, "torch")


def test_tree_refuses_calls_outside_sqrt():
    text = "def f(x, gamma):\n    return _finish(numpy.exp(x), _dtype)\n"
    with pytest.raises(BoundError, match="numpy.sqrt"):
        tree_of_function(text, "f", "numpy")


def test_fast2sum_steps_of_jump_start_time_are_exact():
    m = build_model("jump_start_time", F32.nearest)
    assert len(m.fast2sum) == 2
    # Fast2Sum, checked in exact arithmetic on float32 inputs: (1 - (1 - e)) - e is the exact error of 1 - e
    rng = np.random.default_rng(3)
    for e in rng.random(300).astype(np.float32):
        one_minus_e = np.float32(1) - e
        back = np.float32(1) - one_minus_e
        err = back - e
        assert Fraction(float(err)) == Fraction(float(back)) - Fraction(float(e))
        assert Fraction(float(back)) == 1 - Fraction(float(one_minus_e))


def _run_nodes(m, fmt, dtype, values):
    """Every node of the model's DAG evaluated in NumPy's ``dtype``, one operation at a time (an evaluator of the
    printed kernel that is not the kernel module itself), in the model's node order."""
    from pyramid_sym.bound.model import evaluate_nodes

    out = evaluate_nodes(m.nodes, dict(zip(m.args, values)), dtype, fmt.nearest)
    return [out[n] for n in m.nodes]


def _jst_extremes(dtype, n, rng):
    """(e, gamma) pairs over jump_start_time's whole domain, log-uniform from the smallest subnormal, ends included."""
    f = np.finfo(dtype)
    tiny = float(f.smallest_subnormal)
    e = np.concatenate([[tiny, 1 - float(f.epsneg), 0.5], 10 ** rng.uniform(np.log10(tiny), 0, n)]).astype(dtype)
    g = -np.concatenate([[tiny, float(dtype(1 / 3)), 1e-20], 10 ** rng.uniform(np.log10(tiny), np.log10(1 / 3), n)])
    return e, g.astype(dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dekker_product_error_of_jump_start_time_is_exact(dtype):
    """The model takes Dekker's product error E as exactly a b - P on the whole domain (the kernel scales both
    factors into Dekker's range first).  Checked on the kernel's own operations in NumPy, in exact rational
    arithmetic, at inputs down to the smallest subnormal; the evaluator reproduces the kernel bit for bit."""
    from pyramid_sym.kernels import numpy_kernels as nk

    fmt = FORMATS[np.dtype(dtype).name]
    m = build_model("jump_start_time", fmt.nearest)
    assert len(m.dekker) == 1
    (ie, (ia, ib, ip, inside)), = m.dekker.items()
    assert len(inside) == 15  # the two splits (4 steps each), the four partial products and three of the sums
    rng = np.random.default_rng(12)
    es, gs = _jst_extremes(dtype, 400, rng)
    for e, g in zip(es, gs):
        vals = _run_nodes(m, fmt, dtype, (e, g))
        assert vals[-1] == nk.jump_start_time(e, g)
        a, b, p = (Fraction(float(vals[j])) for j in (ia, ib, ip))
        assert Fraction(float(vals[ie])) == a * b - p, (float(e), float(g))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dekker_scale_puts_every_product_in_dekkers_range(dtype):
    """2^(emin + p) <= |a b| <= 2^(emax - 2) and |a|, |b| <= 2^(emax - ceil(p/2) - 1) (Boldo 2006) for the scaled
    factors at the extremes of jump_start_time's domain: e from the smallest subnormal to 1, q from its value at
    the smallest subnormal gamma to its value at -1/3 (q grows with -gamma)."""
    from pyramid_sym.kernels import numpy_kernels as nk

    fmt = FORMATS[np.dtype(dtype).name]
    f = np.finfo(dtype)
    scale = nk._constant("dekker_scale", np.zeros((), dtype))
    m = build_model("jump_start_time", fmt.nearest)
    (ie, (ia, ib, ip, _)), = m.dekker.items()
    lows = _run_nodes(m, fmt, dtype, (dtype(f.smallest_subnormal), -dtype(f.smallest_subnormal)))
    highs = _run_nodes(m, fmt, dtype, (dtype(1), -dtype(np.nextafter(dtype(1 / 3), dtype(1)))))
    assert Fraction(float(lows[ia])) == Fraction(float(f.smallest_subnormal)) * Fraction(float(scale))
    assert Fraction(float(lows[ia])) * Fraction(float(lows[ib])) >= Fraction(2) ** (fmt.emin + fmt.precision)
    assert Fraction(float(highs[ia])) * Fraction(float(highs[ib])) <= Fraction(2) ** (fmt.emax - 2)
    assert max(float(highs[ia]), float(highs[ib])) <= 2.0 ** (fmt.emax - (fmt.precision + 1) // 2 - 1)


def test_runtime_constants_are_the_same_in_every_target_and_in_the_model():
    """_constant of each emitted module (NumPy and JAX from finfo's fields, torch from eps, tiny and max) gives the
    value the bound's model takes from pyramid_sym.bound.formats."""
    import torch

    from pyramid_sym.bound.model import _runtime_value
    from pyramid_sym.kernels import numpy_kernels as nk, torch_kernels as tk
    from pyramid_sym.kernels.runtime._shared import RUNTIME_CONSTANT_NAMES

    for name in RUNTIME_CONSTANT_NAMES:
        for dtype in ("float32", "float64"):
            want = _runtime_value(name, dtype)
            assert Fraction(float(nk._constant(name, np.zeros((), dtype)))) == want
            assert Fraction(tk._constant(name, torch.zeros((), dtype=getattr(torch, dtype)))) == want


def _f32_error_ulp(kernel: str, x: np.ndarray, g: np.ndarray) -> np.ndarray:
    from pyramid_sym.kernels import numpy_kernels as nk

    out = getattr(nk, kernel)(x, g).astype(np.float64)
    exact = getattr(nk, kernel)(x.astype(np.float64), g.astype(np.float64))  # float64 reference, error ~1e-16
    ulp = np.spacing(np.abs(exact).astype(np.float32)).astype(np.float64)
    return np.abs(out - exact) / ulp


@pytest.mark.parametrize("kernel", ["renoise_std", "renoise_beta"])
def test_box_bound_covers_float32_errors_on_the_box(kernel):
    """The bound of one box is at least every error observed on floats of that box (float64 reference)."""
    m = build_model(kernel, F32.nearest)
    sign = -1 if kernel == "renoise_std" else 1
    dom = Domain(F32, ((1, 0, F32.ordinal(Fraction(1))), (sign, 1, F32.ordinal(F32.round(Fraction(1, 3), True)))))
    lo_x, hi_x = F32.ordinal(Fraction(1, 4)), F32.ordinal(Fraction(1, 2))
    lo_g, hi_g = F32.ordinal(Fraction(1, 16)), F32.ordinal(Fraction(1, 8))
    r = evaluate_box(m, F32, dom, ((lo_x, hi_x), (lo_g, hi_g)))
    rng = np.random.default_rng(4)
    xs = np.array([float(F32.value(int(o))) for o in rng.integers(lo_x, hi_x + 1, 20000)], dtype=np.float32)
    gs = sign * np.array([float(F32.value(int(o))) for o in rng.integers(lo_g, hi_g + 1, 20000)], dtype=np.float32)
    worst = float(_f32_error_ulp(kernel, xs, gs).max())
    assert r.bound is not None and worst <= float(r.bound) + 1e-6
    assert worst > 0.5  # the sample does see rounding errors, so the comparison means something


def test_renoise_std_bound_is_the_hand_derived_one():
    """(1 - s) / sqrt(1 - gamma): relative errors 1 + 1/2 + 1 u of the inner steps, 2.5 ULP, plus the last rounding.

    Hand derivation: eps <= (u + u/2 + u) * |y| / ulp(y) < 2.5, and up to 1 ULP for the last rounding where y sits
    at the top of a binade: 3.5 ULP.  The search must find at most that, and at least the 2.5 + 1/2 reached inside
    a binade.
    """
    c = certify("renoise_std", "float32", max_boxes=400)
    assert 3.0 <= c.ulp <= 3.5 + 1e-3


def test_half_dtypes_carry_the_float32_bound():
    c32 = certify("renoise_std", "float32", max_boxes=200)
    c16 = certify("renoise_std", "float16", max_boxes=200)
    assert c16.ulp == pytest.approx(0.5 + c32.ulp * 2.0 ** (11 - 24), rel=1e-3)
    assert c16.ordinal == 1


def test_worker_processes_do_not_change_the_table():
    """certify_all with worker processes gives the certificates of the serial run (each search is deterministic)."""
    from pyramid_sym.bound import certify_all

    serial = certify_all(["renoise_std"], ["float32", "float16"], jobs=1, max_boxes=150)
    pooled = certify_all(["renoise_std", "upsample_scale"], ["float32", "float16"], jobs=2, max_boxes=150)
    assert [(c.kernel, c.dtype, c.ulp, c.ordinal) for c in serial] == \
        [(c.kernel, c.dtype, c.ulp, c.ordinal) for c in pooled[:2]]


@pytest.mark.parametrize("split", ["greedy", "widest"])
def test_both_cut_rules_bound_the_observed_errors(split):
    """Either way of cutting boxes gives a certified bound: at least the worst float32 error NumPy shows."""
    from pyramid_sym.bound import _domain
    from pyramid_sym.bound.search import certify_model

    m = build_model("upsample_scale", F32.nearest)
    r = certify_model(m, F32, _domain("upsample_scale", F32), max_boxes=300, split=split)
    rng = np.random.default_rng(5)
    s = rng.random(20000).astype(np.float32)
    g = -(rng.random(20000) / 3).astype(np.float32)
    assert float(_f32_error_ulp("upsample_scale", s, g).max()) <= float(r.bound)


def test_the_box_budget_counts_each_evaluation_once(monkeypatch):
    """SearchResult.boxes is the number of boxes evaluated, and the search stops near its budget."""
    from pyramid_sym.bound import _domain
    from pyramid_sym.bound import search

    calls = []
    real = search.evaluate_box
    monkeypatch.setattr(search, "evaluate_box", lambda *a, **k: calls.append(1) or real(*a, **k))
    m = build_model("upsample_scale", F32.nearest)
    r = search.certify_model(m, F32, _domain("upsample_scale", F32), max_boxes=120)
    assert r.boxes == len(calls)
    assert 120 <= r.boxes <= 120 + 5  # one pop evaluates at most 2 cuts x 2 halves and a point past the budget


def test_cli_rejects_a_negative_job_count(capsys):
    from pyramid_sym.cli import main

    assert main(["bound", "--jobs", "-1"]) == 2
    err = capsys.readouterr().err
    assert "--jobs -1" in err and "Traceback" not in err


def test_data_file_loads_and_covers_every_kernel_and_dtype():
    b = load_bounds()
    assert set(b) == set(kernel_names())
    for per in b.values():
        assert set(per) == {"float16", "bfloat16", "float32", "float64"}
        assert all(v > 0 for v in per.values())
    lines = docstring_lines("renoise_std")
    assert len(lines) == 5 and any(line.strip().startswith("float32:") for line in lines)


@pytest.mark.slow
def test_data_file_is_current():
    """The stored table is what the certification computes now (regenerate with pyramid-sym bound --write).

    Every entry's operations are the emitted kernel's as read now, and the searches are run again for every
    kernel in float32 and, for jump_start_time (the kernel with Dekker's product), in float64: a change of the
    model or of the search moves them.  (All 14 searches take longer than CI can give this check on a slow
    machine; ``pyramid-sym bound --write`` runs them all.)"""
    from importlib import resources

    from pyramid_sym.bound import certify_all, table_json

    stored = json.loads(resources.files("pyramid_sym.data").joinpath("kernel_bounds.json").read_text())
    assert set(stored["kernels"]) == set(kernel_names())
    for k, per in stored["kernels"].items():
        ops = str(kernel_tree(k)[1])
        assert all(v["operations"] == ops for v in per.values()), k
    now = table_json(certify_all(dtypes=["float32"]) + certify_all(["jump_start_time"], ["float64"]))["kernels"]
    assert {(k, d): (v["ulp"], v["ordinal"]) for k, per in now.items() for d, v in per.items()} == \
        {(k, d): (stored["kernels"][k][d]["ulp"], stored["kernels"][k][d]["ordinal"])
         for k, per in now.items() for d in per}
    assert len([d for per in now.values() for d in per]) == len(kernel_names()) + 1


def test_cli_rejects_unknown_kernel(capsys):
    from pyramid_sym.cli import main

    assert main(["bound", "--kernel", "nope"]) == 2
    err = capsys.readouterr().err
    assert "nope" in err and "renoise_alpha" in err and "Traceback" not in err


def test_reference_lower_bounds_are_proved_at_their_inputs():
    """Each lower bound is checked again here with exact rational arithmetic on the emitted stable form
    evaluated in mpmath at 200 bits (an evaluator other than the bound's interval tape)."""
    import mpmath

    from pyramid_sym.bound.lower import reference_lower_bounds
    from pyramid_sym.kernels.registry import kernel as kernel_spec

    rows = reference_lower_bounds(("float32",))
    assert {r.kernel for r in rows} == {"jump_start_time", "corrected_start_sigma", "renoise_alpha", "renoise_beta"}
    big = [r for r in rows if r.ulp > 1e6]
    assert big, "the code's 1 - corrected form loses millions of ULP in float32 near sigma_end = 0"
    with mpmath.workprec(200):
        for r in big:
            spec = kernel_spec(r.kernel)
            import sympy

            f = sympy.lambdify([sympy.Symbol(py) for _, py, _ in spec.args],
                               spec.to_python_symbols(spec.emitted_expr), "mpmath")
            y = f(mpmath.mpf(r.point[0]), mpmath.mpf(r.point[1]))
            ulp = mpmath.mpf(2) ** (mpmath.floor(mpmath.log(abs(y), 2)) - 23)
            assert abs(mpmath.mpf(r.computed) - y) / ulp >= r.ulp * (1 - 1e-9)


def test_cli_reference_prints_lower_bounds(capsys):
    from pyramid_sym.cli import main

    assert main(["bound", "--reference", "--dtype", "float32", "--kernel", "corrected_start_sigma"]) == 0
    out = capsys.readouterr().out
    assert "corrected_start_sigma" in out and "float32" in out


F64 = FORMATS["float64"]


def _box64(dom, e_lo, e_hi, g_lo, g_hi):
    return ((F64.ordinal(F64.nearest(Fraction(e_lo))), F64.ordinal(F64.nearest(Fraction(e_hi)))),
            (F64.ordinal(F64.nearest(Fraction(g_lo))), F64.ordinal(F64.nearest(Fraction(g_hi)))))


# jump_start_time's float64 domain: e in [0, 1], gamma in [-1/3, 0) (|gamma| by ordinal, sign -1)
_JST64 = Domain(F64, ((1, 0, F64.ordinal(Fraction(1))), (-1, 1, F64.ordinal(F64.nearest(Fraction(1, 3))))))


def _jst64_samples(box, seed, n=300):
    """n random floats (e, gamma) of the box: NumPy's float64 jump_start_time and a bracket [y_lo, y_hi] of the
    exact y = e q / (e q + 1 - e), q = sqrt(-gamma/(1 - gamma)) (increasing in q: q bracketed to 400 digits
    through an integer square root, so that the arithmetic stays rational)."""
    from pyramid_sym.kernels import numpy_kernels as nk

    rng = np.random.default_rng(seed)
    for _ in range(n):
        e = float(F64.value(int(rng.integers(box[0][0], box[0][1] + 1))))
        g = -float(F64.value(int(rng.integers(box[1][0], box[1][1] + 1))))
        got = Fraction(float(nk.jump_start_time(np.float64(e), np.float64(g))))
        ee, gg = Fraction(e), Fraction(g)
        lo_q = Fraction(math.isqrt(math.floor(-gg / (1 - gg) * 10**800))) / 10**400
        y_lo, y_hi = (ee * q / (ee * q + 1 - ee) for q in (lo_q, lo_q + Fraction(1, 10**400)))
        yield got, y_lo, y_hi


def test_underflow_terms_are_absolute_where_the_result_straddles_the_subnormal_range():
    """e q with e ~ 1e-250 and q ~ 1e-56: the result runs from subnormal to normal values on one box.

    The underflow of e q is half a subnormal spacing, at most that in ULP of the result wherever it lies; counted
    as a relative error against the least |y| of the box it was 10^9 ULP.  Exact values from Fraction arithmetic
    on the box's floats (NumPy's float64 kernel against an exact reference)."""
    m = build_model("jump_start_time", F64.nearest)
    box = _box64(_JST64, 1e-263, 2e-243, 1.27e-111, 1.3e-111)
    r = evaluate_box(m, F64, _JST64, box)
    assert r.bound is not None and r.bound < 4
    worst = max(float(max(abs(got - y_lo), abs(got - y_hi)) / F64.ulp(y_lo))
                for got, y_lo, y_hi in _jst64_samples(box, 7))
    assert worst <= float(r.bound)
    assert any(F64.value(o) * Fraction(1, 10**55) < F64.smallest_normal for o in box[0])  # the box does straddle


def test_the_point_one_is_cut_off_first():
    from pyramid_sym.bound.search import _split

    one = F32.ordinal(Fraction(1))
    assert _split(F32, F32.ordinal(Fraction(7, 8)), one) == one - 1


@pytest.mark.parametrize("fmt", [F32, F64])
def test_the_floats_either_side_of_one_third_are_cut_off_alone(fmt):
    """Bisection reaches the two floats next to 1/3 (gamma's block bound, where q = 1/2) as boxes of their own, and
    near 1 it cuts geometrically in 1 - x; checked against Fraction arithmetic, not the search's own helpers."""
    from pyramid_sym.bound.search import _split

    nearest = fmt.ordinal(fmt.nearest(Fraction(1, 3)))
    lo = nearest if fmt.value(nearest) < Fraction(1, 3) else nearest - 1  # 1/3 is never a float
    hi = lo + 1
    assert fmt.value(lo) < Fraction(1, 3) < fmt.value(hi)
    boxes, singles = [(fmt.ordinal(Fraction(1, 4)), fmt.ordinal(Fraction(1, 2)) - 1)], set()
    for _ in range(6):
        nxt = []
        for o1, o2 in boxes:
            if o1 == o2:
                singles.add(o1)
                continue
            c = _split(fmt, o1, o2)
            nxt += [(o1, c), (c + 1, o2)]
        boxes = [b for b in nxt if b[0] <= hi and b[1] >= lo]  # follow the boxes that hold the two floats
    assert {lo, hi} <= singles
    # geometric in 1 - x below 1: [1/2, 1 - 2^-20] is cut at 1 - 2^-k for some k, not in the middle
    c = _split(fmt, fmt.ordinal(Fraction(1, 2)), fmt.ordinal(1 - Fraction(1, 2 ** 20)))
    gap = 1 - fmt.value(c)
    assert gap.numerator == 1 and gap.denominator & (gap.denominator - 1) == 0 and gap > Fraction(1, 2 ** 20)


def test_a_quotient_that_is_one_at_an_end_is_enclosed_exactly_there():
    """jump_start_time at e = 1 is e q / (e q + 0) = 1 for every gamma: the exact value's enclosure is the point 1
    (the complement form 1 / (1 + (1 - e) / (e q))), not the quotient of two intervals of q."""
    from pyramid_sym.bound.search import _enclose
    from pyramid_sym.bound.interval import iv_hull

    m = build_model("jump_start_time", F64.nearest)
    enc = _enclose(m, F64, [iv_hull(Fraction(1), Fraction(1)), iv_hull(Fraction(-1, 128), Fraction(-1, 2048))])
    assert enc.value[-1].ends() == (Fraction(1), Fraction(1))


def _box_around(dom, fmt, point, width):
    """The box of ``width`` floats on each side of ``point`` (a tuple of exact values), clipped to the domain."""
    box = []
    for (_, lo, hi), x in zip(dom.args, point):
        o = fmt.ordinal(abs(Fraction(x)))
        box.append((max(lo, o - width), min(hi, o + width)))
    return tuple(box)


@pytest.mark.parametrize("kernel,dtype,point", [
    ("renoise_alpha", "float64", (1e-140, 1e-70)),       # the corner where the Hessian's enclosure gave 0.05
    ("renoise_alpha", "float32", (0.3, 0.2)),
    ("jump_start_time", "float64", (0.3, -0.25)),        # Fast2Sum: an absolute-form step of value 0
    ("jump_start_time", "float32", (1e-30, -1e-20)),
    ("renoise_beta", "float64", (0.7, 1e-9)),
    ("upsample_scale", "float32", (0.01, -1 / 3)),
])
def test_taylor_remainder_bounds_the_exact_second_order_term(kernel, dtype, point):
    """R - 1 - sum c_k d_k, evaluated with mpmath at 60 digits from the model's own SymPy forms (not the intervals),
    stays within the Taylor model's bound q for random perturbations at the corners of the box's bounds."""
    import mpmath

    from pyramid_sym.bound import _domain
    from pyramid_sym.bound.search import _enclose, _taylor_remainder, perturbation_bounds
    from pyramid_sym.bound.interval import _fraction, iv_hull

    fmt = FORMATS[dtype]
    m = build_model(kernel, fmt.nearest)
    dom = _domain(kernel, fmt)
    box = _box_around(dom, fmt, point, 40)
    enc = _enclose(m, fmt, [iv_hull(a, b) for a, b in dom.values(box)])
    bounds = perturbation_bounds(m, enc)
    q = _taylor_remainder(m, enc, bounds)
    assert q is not None
    q = _fraction(q)  # an exact point, read back exactly
    rng = np.random.default_rng(11)
    mpmath.mp.dps = 60
    worst = Fraction(0)
    for _ in range(12):
        x = [fmt.value(int(rng.integers(o1, o2 + 1))) * sign for (sign, _, _), (o1, o2) in zip(dom.args, box)]
        subs = {s: _rational(v) for s, v in zip(m.symbols, x)}
        subs.update(m.constants)  # the runtime constants' values (Dekker's product in jump_start_time)
        delta = {}
        for p, b in zip(m.perturbations, bounds):
            bq = _fraction(b) if b > 0 else Fraction(0)
            delta[p.symbol] = _rational(bq * int(rng.choice([-1, 1])))
        full = dict(subs)
        full.update(delta)
        r = mpmath.mpf(str(m.ratio.xreplace(full).evalf(60)))
        lin = sum(mpmath.mpf(str(c.xreplace(subs).evalf(60))) * mpmath.mpf(str(delta[p.symbol].evalf(60)))
                  for c, p in zip(m.coeffs, m.perturbations))
        rem = abs(r - 1 - lin)
        worst = max(worst, Fraction(str(mpmath.nstr(rem, 30))))
    assert worst <= q, (float(worst), float(q))
    # and it is a second-order term: far below one rounding
    assert q < Fraction(1, 2 ** (fmt.precision + 10))


def _rational(x: Fraction):
    """x as a SymPy Rational, exactly."""
    import sympy

    return sympy.Rational(x.numerator, x.denominator)


def test_float_count_is_not_doubled_where_the_spacing_does_not_halve():
    """Below 2^(emin + 1) the spacing of the floats is the subnormal one: a computed value cannot fall into a
    binade of half the spacing there, so the float count of a box whose result straddles the subnormal range is
    not twice its ULP bound (it was: 6 floats for 3 ULP).  NumPy's float64 kernel against the correctly
    rounded exact value (Fraction arithmetic, y bracketed through an integer square root)."""
    m = build_model("jump_start_time", F64.nearest)
    box = _box64(_JST64, 1.5878657653273757e-263, 1.3639663065038175e-253, 3.57183559775711e-102, 5.271098971615262e-82)
    r = evaluate_box(m, F64, _JST64, box)
    assert r.ordinal is not None and r.ordinal <= r.bound + 1  # it was 6 for a bound of 3.0
    worst = 0
    for got, y_lo, y_hi in _jst64_samples(box, 8):
        rn = {F64.nearest(y_lo), F64.nearest(y_hi)}
        assert len(rn) == 1  # the bracket is narrow enough to fix the correctly rounded value
        worst = max(worst, abs(F64.ordinal(got) - F64.ordinal(rn.pop())))
    assert worst <= r.ordinal


def test_a_sum_that_cancels_to_a_tiny_term_is_enclosed():
    """jump_start_time at e = 1 with gamma ~ -4e-68: the denominator e q - e + 1 is e q ~ 1e-34.  Summed in the
    printed order, 1 + e q loses e q to the ends' finite precision and every coefficient is unbounded (the box
    bounded at 3.25 ULP through the forward bound alone); the tape sums the largest terms first.  At e = 1 the
    kernel returns exactly 1 = y."""
    from pyramid_sym.kernels import numpy_kernels as nk

    m = build_model("jump_start_time", F64.nearest)
    r = evaluate_box(m, F64, _JST64, _box64(_JST64, 1, 1, 1.854603075343711e-68, 7.418412301374843e-68))
    assert r.bound is not None and r.bound < 2
    assert nk.jump_start_time(1.0, -4e-68) == 1.0


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("kernel", ["upsample_scale", "renoise_alpha", "jump_end_time"])
def test_stress_edge_inputs_straddle_a_power_of_two(kernel, dtype):
    """The stress's binade-end inputs (benchmarks/bench_bound_stress.py) come in pairs of adjacent floats along
    one argument, the other held, whose exact results (mpmath at 200 bits on the emitted expression, not the
    script's reference) lie on either side of a power of 2: |y(a)| < 2^e <= |y(b)| or the reverse, up to the
    script's reference's own rounding."""
    import sys
    from pathlib import Path

    import mpmath
    import sympy

    from pyramid_sym.kernels.registry import kernel as kernel_spec

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    try:
        import bench_bound_stress as stress
    finally:
        sys.path.pop(0)
    spec = kernel_spec(kernel)
    f = sympy.lambdify([sympy.Symbol(py) for _, py, _ in spec.args],
                       spec.to_python_symbols(spec.emitted_expr), "mpmath")
    x, g = stress._edges(np.random.default_rng(7), 400, kernel, dtype, stress._ranges(kernel, dtype))
    assert len(x) == len(g) == 400 and x.dtype == g.dtype == np.dtype(dtype)
    ft = np.dtype(dtype).type
    with mpmath.workprec(200):
        for i in range(0, 400, 2):
            (xa, xb), (ga, gb) = x[i:i + 2], g[i:i + 2]
            assert (xa == xb) != (ga == gb), (xa, xb, ga, gb)  # exactly one argument moves
            a, b = (xa, xb) if ga == gb else (ga, gb)
            assert np.nextafter(a, ft(np.inf)) == b or np.nextafter(a, ft(-np.inf)) == b  # adjacent floats
            ya, yb = (abs(f(mpmath.mpf(float(xv)), mpmath.mpf(float(gv)))) for xv, gv in ((xa, ga), (xb, gb)))
            lo, hi = min(ya, yb), max(ya, yb)
            assert hi > 0
            edge = mpmath.mpf(2) ** mpmath.nint(mpmath.log(hi, 2))
            # the script decides the side with its reference (float64 for float32, x87 long double, 64 bits, for
            # float64): a result within its rounding of 2^e may sit on either side
            tol = mpmath.mpf(2) ** -(52 if dtype == "float32" else 63)
            assert lo < edge * (1 + tol) and hi >= edge * (1 - tol), (
                kernel, dtype, float(xa), float(xb), float(ga), float(gb))


def test_stress_holds_arguments_where_a_one_argument_part_is_computed_worst():
    """The values the stress's edge phase holds (benchmarks/bench_bound_stress.py, ``_inner_worst``) are those
    where a value the rest of the kernel reads from one argument alone is computed worst: checked here against
    mpmath at 200 bits walking the same nodes (not the script's reference format), beside random values."""
    import sys
    from pathlib import Path

    import mpmath

    from pyramid_sym.bound.model import evaluate_nodes

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    try:
        import bench_bound_stress as stress
    finally:
        sys.path.pop(0)
    parts = stress._one_argument_parts("upsample_scale")
    nodes, given = parts["gamma"]
    assert any(nd.op == "sqrt" for nd in given)  # q = sqrt(...) of gamma alone feeds the two-argument part
    assert parts["s"][1] == [] or all(nd.op == "input" for nd in parts["s"][1])

    def worst_rel(g):  # the largest relative error of the given nodes at gamma = g, in units of 2^-24
        got = evaluate_nodes(nodes, {"gamma": np.array([g], dtype=np.float32)}, np.float32, FORMATS["float32"].nearest)
        exact = {}
        with mpmath.workprec(200):
            for nd in nodes:
                a = [exact[x] for x in nd.args]
                exact[nd] = {"input": lambda: mpmath.mpf(float(g)), "const": lambda: mpmath.mpf(nd.value.numerator)
                             / nd.value.denominator, "neg": lambda: -a[0], "sqrt": lambda: mpmath.sqrt(a[0]),
                             "add": lambda: a[0] + a[1], "sub": lambda: a[0] - a[1], "mul": lambda: a[0] * a[1],
                             "div": lambda: a[0] / a[1]}[nd.op]()
            return max(float(abs(mpmath.mpf(float(got[nd][0])) - exact[nd]) / abs(exact[nd]) * 2 ** 24)
                       for nd in given)

    rng = np.random.default_rng(3)
    ranges = stress._ranges("upsample_scale", "float32")
    held = stress._inner_worst(rng, "upsample_scale", "float32", ranges, n=2**18, keep=8)[1]
    at_random = [worst_rel(g) for g in stress._draw(rng, 256, "float32", *ranges[1])]
    found = [worst_rel(g) for g in held]
    # the worst of 2^18 against the worst of 256: the held values' errors stand out
    assert min(found) > max(at_random), (found, max(at_random))


@pytest.mark.parametrize("kernel", ["jump_start_time", "renoise_beta"])
@pytest.mark.parametrize("fmt", [F32, FORMATS["float64"]], ids=["float32", "float64"])
def test_results_kept_over_one_argument_leave_every_box_bound_unchanged(kernel, fmt):
    """The search keeps what reads one argument alone (tapes, enclosures, Taylor forms) per argument range: boxes
    evaluated after many others that share their ranges bound exactly as boxes evaluated from nothing."""
    from pyramid_sym.bound import _domain, _model

    model, dom = _model(kernel, fmt), _domain(kernel, fmt)
    rng = np.random.default_rng(11)

    def ranges(lo, hi):  # nested and overlapping ranges of ordinals, the shapes a bisection makes
        out = []
        for _ in range(4):
            a = int(rng.integers(lo, hi + 1))
            b = min(hi, a + 2 ** int(rng.integers(1, 30)))
            m = (a + b) // 2
            out += [(a, b), (a, m), (m + 1, b)]
        return out

    boxes = [(x, g) for x in ranges(*dom.args[0][1:]) for g in ranges(*dom.args[1][1:])]
    order = list(rng.permutation(len(boxes)))

    def fields(r):
        return (r.bound, r.ordinal, r.eps, r.ordinal_real, None if r.r2 is None else repr(r.r2))

    model.forget()
    warm = {i: fields(evaluate_box(model, fmt, dom, boxes[i])) for i in order}
    cold = {}
    for i in order[:24]:
        model.forget()
        cold[i] = fields(evaluate_box(model, fmt, dom, boxes[i]))
    assert sum(v[0] is not None for v in cold.values()) >= 12  # most boxes have a bound: the comparison bites
    assert {i: warm[i] for i in cold} == cold


def test_a_keyed_tape_run_is_the_unkeyed_one():
    """Tape.run with argument keys reads back the one-argument instructions' results: the same intervals."""
    import sympy

    from pyramid_sym.bound.interval import iv_hull
    from pyramid_sym.bound.tape import Tape

    x, y = sympy.symbols("x y", positive=True)
    t = Tape([x, y], [sympy.sqrt(1 + x) * y / (x + 3) + x ** 2 / (2 + y), 3 * sympy.sqrt(x) * (1 - x)])
    xs = [(Fraction(1, 7), Fraction(2, 7)), (Fraction(1, 3), Fraction(5, 2))]
    ys = [(Fraction(1, 9), Fraction(1, 5)), (Fraction(3, 4), Fraction(7, 4))]
    for i, xr in enumerate(xs):
        for j, yr in enumerate(ys):
            vals = [iv_hull(*xr), iv_hull(*yr)]
            keyed = t.run(vals, [("x", i), ("y", j)])
            plain = t.run(vals)
            assert [repr(v) for v in keyed] == [repr(v) for v in plain]
            assert [v.ends() for v in keyed] == [v.ends() for v in plain]


def test_torch_sqrt_benchmark_decides_each_disagreement_exactly():
    """benchmarks/bench_torch_sqrt.py: one row per dtype, NumPy's root never the wrong one (exit 0), where torch
    disagrees mpmath finds torch's root off by more than 1/2 ULP (the README's statement about torch's sqrt), and
    the emitted torch kernels' float32 root never differs."""
    import subprocess
    import sys
    from pathlib import Path

    pytest.importorskip("torch")
    script = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_torch_sqrt.py"
    proc = subprocess.run([sys.executable, str(script), "--n", "20000"], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr[-1500:]
    rows = {ln.split()[0]: ln.split() for ln in proc.stdout.splitlines() if ln.startswith(("float32", "float64"))}
    assert set(rows) == {"float32", "float64"}
    for cols in rows.values():
        wrong, checked, worst = int(cols[4]), int(cols[6]), float(cols[7])  # float32 122 (0.61 %) 122 / 122 0.5504 0
        assert wrong == checked and (checked == 0 or worst > 0.5)
    assert int(rows["float32"][8]) == 0  # the emitted kernels' float32 root is NumPy's, the correctly rounded one
