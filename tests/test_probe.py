"""Unit tests of the stability probe: ULP distance, exact rounding, certified references, forms, covariance."""

from __future__ import annotations

import math
from fractions import Fraction

import mpmath
import numpy as np
import pytest

from pyramid_sym.kernels.registry import ACCEPTANCE, REGISTRY
from pyramid_sym.probe import covariance
from pyramid_sym.probe.engine import build_points, evaluate_form
from pyramid_sym.probe.forms import forms_for, probe_kernels
from pyramid_sym.probe.inputs import REGIONS, Grid, PointSet, end_sweep, inside_range, random_bits
from pyramid_sym.probe.reference import (
    FORMATS, ExactFunction, ordinal_of_fraction, ordinal_of_mpf, ordinals_of_output, ordinals_of_values,
    ulp_distance, values_of_ordinals,
)

F16, BF16, F32, F64 = (FORMATS[k] for k in ("float16", "bfloat16", "float32", "float64"))


@pytest.fixture(autouse=True)
def _reset_mpmath():
    """mpmath precision is global: every test starts from the default."""
    mpmath.mp.dps = 15
    yield
    mpmath.mp.dps = 15


# --- ULP distance -----------------------------------------------------------------------
@pytest.mark.parametrize("name", ["float16", "float32", "float64"])
def test_adjacent_floats_are_one_ulp_apart_across_binades_and_subnormals(name):
    dt = np.dtype(name).type
    fmt = FORMATS[name]
    fi = np.finfo(dt)
    xs = np.array([1.0, 0.5, 0.1, fi.smallest_normal, fi.smallest_subnormal, 1e-3], dtype=dt)
    up = np.nextafter(xs, dt(np.inf))
    down = np.nextafter(xs, dt(-np.inf))
    a = ordinals_of_output(xs, fmt)[0]
    assert np.all(ulp_distance(a, ordinals_of_output(up, fmt)[0]) == 1)
    assert np.all(ulp_distance(a, ordinals_of_output(down, fmt)[0]) == 1)


def test_ulp_distance_across_zero_and_signed_zeros():
    o = ordinals_of_output(np.array([0.0, -0.0, 5e-324, -5e-324]), F64)[0]
    assert ulp_distance(o[0], o[1]) == 0          # +0 and -0 are the same value
    assert ulp_distance(o[2], o[3]) == 2          # -tiny, 0, +tiny
    # opposite signs far apart: added as magnitudes, no int64 overflow
    big = ordinals_of_output(np.array([1.0, -1.0]), F64)[0]
    assert ulp_distance(big[0], big[1]) == 2 * big[0]


def test_bfloat16_adjacent_values_through_torch():
    torch = pytest.importorskip("torch")
    t = torch.tensor([1.0, 1.0078125, 0.99609375], dtype=torch.bfloat16)  # 1, 1 + 2^-7, 1 - 2^-8
    o = ordinals_of_output(t, BF16)[0]
    assert ulp_distance(o[0], o[1]) == 1 and ulp_distance(o[0], o[2]) == 1


def test_nan_and_inf_outputs_are_flagged_not_measured():
    ords, finite, ok = ordinals_of_output(np.array([np.nan, np.inf, -np.inf, 0.25], dtype=np.float32), F32)
    assert finite.tolist() == [False, False, False, True]
    assert ok
    _, _, ok16 = ordinals_of_output(np.array([0.25], dtype=np.float32), F16)
    assert not ok16  # a float32 result for a float16 probe breaks the dtype contract


# --- exact rounding -----------------------------------------------------------------------
@pytest.mark.parametrize("name", ["float16", "float32"])
def test_mpf_rounding_matches_numpy_correct_rounding(name):
    # NumPy's float64 -> float16/float32 casts round to nearest, ties to even, subnormals included
    rng = np.random.default_rng(1)
    dt = np.dtype(name).type
    fi = np.finfo(dt)
    mags = np.exp(rng.uniform(np.log(float(fi.smallest_subnormal) / 4), np.log(float(fi.max) / 2), 4000))
    vals = mags * rng.choice([-1.0, 1.0], size=mags.size)
    expect = ordinals_of_output(vals.astype(dt), FORMATS[name])[0]
    got = np.array([ordinal_of_mpf(mpmath.mpf(float(v)), FORMATS[name]) for v in vals])
    assert np.array_equal(got, expect)


def test_rounding_ties_go_to_even_and_overflow_to_inf():
    one = ordinal_of_mpf(1, F32)
    assert ordinal_of_mpf(mpmath.mpf(1) + mpmath.mpf(2) ** -24, F32) == one           # tie: to even (1.0)
    assert ordinal_of_mpf(mpmath.mpf(1) + 3 * mpmath.mpf(2) ** -24, F32) == one + 2   # tie: to even (1 + 2^-22)
    assert ordinal_of_mpf(mpmath.mpf(70000), F16) == F16.inf_ordinal                  # above 65504 + half ULP
    assert ordinal_of_mpf(mpmath.mpf(65504), F16) == F16.max_finite_ordinal


@pytest.mark.parametrize("name", ["float16", "bfloat16", "float32", "float64"])
def test_fraction_rounding_is_nearest(name):
    fmt = FORMATS[name]
    for x in (Fraction(1, 3), Fraction(-1, 3), Fraction(2, 3), Fraction(1, 10**8), Fraction(1, 10)):
        o = ordinal_of_fraction(x, fmt)
        v, below, above = (Fraction(float(values_of_ordinals([k], fmt)[0])) for k in (o, o - 1, o + 1))
        assert abs(v - x) <= abs(below - x) and abs(v - x) <= abs(above - x)
    # Python's float(Fraction) is correctly rounded: the float64 case must agree with it exactly
    if name == "float64":
        assert values_of_ordinals([ordinal_of_fraction(Fraction(1, 3), fmt)], fmt)[0] == 1 / 3


def test_fraction_rounding_matches_python_float_division_including_subnormals():
    # CPython's int / int true division is correctly rounded (subnormals included): an independent oracle
    rng = np.random.default_rng(3)
    for _ in range(2000):
        num = int(rng.integers(1, 2**62)) * int(rng.integers(1, 2**40))
        den = int(rng.integers(1, 2**62)) << int(rng.integers(0, 1100))
        x = Fraction(num, den)
        o = ordinal_of_fraction(x, F64)
        assert values_of_ordinals([o], F64)[0] == num / den, x


# --- certified reference -------------------------------------------------------------------
def test_reference_agrees_at_two_precisions_including_subnormal_inputs():
    specs = probe_kernels()
    for name in ("corrected_start_sigma", "jump_end_time", "renoise_beta"):
        spec = specs[name]
        f = ExactFunction(spec.expr, spec.symbols, name)
        g = float(spec.gamma_sign) / 3
        for x in (0.5, 1e-6, 2.2250738585072014e-308, 5e-324, 1 - 2**-53):
            cv = f.certified((x, g))
            for fmt in (F16, F32, F64):
                o, agree = cv.ordinal(fmt)
                assert agree, (name, x, fmt.name)
            # the two precisions agree far beyond float64 (relative 2^-150: each has >= 200 bits)
            assert abs(cv.value - cv.low) <= abs(cv.value) * mpmath.mpf(2) ** -150


def test_reference_keeps_the_tiny_start_sigma_that_fixed_precision_loses():
    # start sigma = 1 - e/(r(1-e)+e), e = 1 - sigma, r = sqrt(1 + 1/gamma_c) = 2 at gamma_c = 1/3:
    # for sigma = 2^-1074 its value is r sigma / (1 + (r-1) sigma) ~ 2^-1073, which rounds to the
    # float64 of ordinal 2.  At a fixed 60 digits 1 - sigma rounds to 1 and the formula gives 0.
    spec = probe_kernels()["corrected_start_sigma"]
    f = ExactFunction(spec.expr, spec.symbols, "corrected_start_sigma")
    cv = f.certified((5e-324, 0.25))   # r = sqrt(5): value ~ sqrt(5) * 2^-1074 -> ordinal 2
    assert cv.ordinal(F64) == (2, True)
    with mpmath.workdps(60):
        fixed = f.at_precision((5e-324, 0.25), mpmath.mp.prec)
    assert fixed == 0  # the pitfall the extra bits avoid


# --- inputs -----------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["float16", "bfloat16", "float32", "float64"])
def test_inputs_are_representable_inside_the_domain_and_reach_both_ends(name):
    fmt = FORMATS[name]
    spec = probe_kernels()["corrected_start_sigma"]
    lo, hi = inside_range(spec.x_var, fmt)
    near0 = end_sweep(spec.x_var, fmt, "lo", 1.0, 8)
    near1 = end_sweep(spec.x_var, fmt, "hi", 1.0, 8)
    assert near0.min() == 1                                      # the smallest subnormal
    assert values_of_ordinals([near1.max()], fmt)[0] == 1 - fmt.eps / 2   # the largest value below 1
    assert values_of_ordinals([hi], fmt)[0] < 1
    r = random_bits(spec.gamma_var, fmt, 200, np.random.default_rng(0))
    gv = values_of_ordinals(r, fmt)
    assert np.all(gv >= 1e-8 * (1 - fmt.eps)) and np.all(gv <= 1 / 3)
    assert all(Fraction(v) <= Fraction(1, 3) for v in gv)        # inside the closed bound, exactly
    pts = build_points(spec, fmt, Grid.quick(), np.random.default_rng(0))
    assert np.array_equal(values_of_ordinals(ordinals_of_values(pts.x, fmt), fmt), pts.x)
    assert np.all((pts.x >= 0) & (pts.x <= 1))
    assert REGIONS.index("default schedule") in pts.region


# --- forms ---------------------------------------------------------------------------------------
def _ulps(form, fmt, xs, gs, exact):
    pts = PointSet(np.asarray(xs, dtype=np.float64), np.asarray(gs, dtype=np.float64),
                   np.zeros(len(xs), dtype=np.int16))
    ords, finite, ok, err = evaluate_form(form, fmt, pts)
    ref, cert = exact.reference_ordinals(pts.x, pts.g, fmt)
    assert cert.all() and ok and not err
    return np.where(finite, ulp_distance(ords, ref), np.inf)


def _stable_start_sigma_f32(sigma, gc):
    """Test-local stable form r sigma / (1 + (r - 1) sigma), r = sqrt(1 + 1/gamma_c), in float32."""
    r = np.sqrt(1 + 1 / gc)
    return r * sigma / (1 + (r - 1) * sigma)


def test_code_form_loses_every_digit_near_sigma_zero_while_a_stable_form_does_not():
    from pyramid_sym.probe.forms import Form

    spec = probe_kernels()["corrected_start_sigma"]
    exact = ExactFunction(spec.expr, spec.symbols, spec.name)
    forms = {f.name: f for f in forms_for(spec, "float32")}
    xs = [float(np.float32(1e-6))]
    gs = [float(np.float32(1 / 3))]
    code = _ulps(forms["code"], F32, xs, gs, exact)
    # 1 - corrected cancels: about 2^24 ULP are lost at sigma = 1e-6; any cancellation of that kind exceeds 1e5
    assert code[0] >= 1e5
    stable = Form("stable", spec.name, "numpy", _stable_start_sigma_f32)
    assert _ulps(stable, F32, xs, gs, exact)[0] <= ACCEPTANCE["float32"]
    if forms["emitted numpy"].available:
        assert _ulps(forms["emitted numpy"], F32, xs, gs, exact)[0] <= ACCEPTANCE["float32"]


def test_code_form_in_float16_gives_nan_when_one_over_gamma_overflows():
    spec = probe_kernels()["corrected_start_sigma"]
    form = {f.name: f for f in forms_for(spec, "float16")}["code"]
    g = float(np.float16(1e-5))                      # below 1/65504: 1/g overflows float16
    pts = PointSet(np.array([0.0, 0.25]), np.array([g, g]), np.zeros(2, dtype=np.int16))
    _, finite, _, _ = evaluate_form(form, F16, pts)
    assert finite.tolist() == [False, True]          # sigma = 0: (1 - e) * inf = 0 * inf = NaN


# --- covariance -----------------------------------------------------------------------------------
def test_covariance_smallest_eigenvalue_matches_exact_and_float32_default_is_indefinite():
    rows = covariance.covariance_rows(quick=True)
    by = {(r["dtype"], r["gamma"], r["jitter"]): r for r in rows}
    r = by[("float64", "1/3 - 1e-4", 0.0)]
    # eigvalsh is backward stable: absolute error a few eps times ||C||_2 = 1 + gamma < 2
    assert abs(r["numpy_lambda_min"] - r["exact_lambda_min"]) <= 16 * np.finfo(np.float64).eps * 2
    assert r["exact_lambda_min"] == pytest.approx(3e-4, rel=1e-12)   # 1 - 3(1/3 - 1e-4), gamma rounded to float64
    d = by[("float32", "1/3", 0.0)]
    # float32's nearest value to 1/3 is above 1/3: the stored default covariance is indefinite
    assert d["gamma_in_dtype"] > 1 / 3 and d["exact_lambda_min_stored"] < 0
    assert d["numpy_cholesky"] is False and d["pivots_completed"] is False
    assert by[("float32", "1/3", 1e-6)]["numpy_cholesky"] is True
    # a 1e-8 jitter is below half a float32 spacing at 1: lost, the matrix stays indefinite
    assert by[("float32", "1/3", 1e-8)]["exact_lambda_min_stored"] == d["exact_lambda_min_stored"]


def test_exact_last_pivot_matches_closed_form():
    # pivot 4 of (1 + g) I - g J (1 on the diagonal) is det_4 / det_3 = (1 + g)(1 - 3g) / (1 - 2g)
    g = 0.3
    m = np.full((4, 4), -g)
    np.fill_diagonal(m, 1.0)
    G = Fraction(g)
    assert covariance.exact_last_pivot(m) == (1 + G) * (1 - 3 * G) / (1 - 2 * G)
    piv = covariance.cholesky_pivots(m)
    assert len(piv) == 4 and math.isclose(piv[-1], float((1 + G) * (1 - 3 * G) / (1 - 2 * G)), rel_tol=1e-13)


# --- the run without torch ------------------------------------------------------------------------
def _tiny_grid():
    from fractions import Fraction as Fr

    return Grid(per_decade=0.05, end_minimum=3, n_interior=2, n_random=4, n_random_2d=4,
                gamma_fixed=(Fr(1, 3),), x_fixed=())


def test_run_without_torch_and_jax_skips_bfloat16_and_their_forms(monkeypatch):
    from pyramid_sym.kernels.registry import Target
    from pyramid_sym.probe import engine

    monkeypatch.setattr(Target, "available", lambda self: self.name == "numpy")
    r = engine.run_probe(["renoise_std"], ["bfloat16", "float64"], grid=_tiny_grid(), progress=False)
    assert r.dtypes == ["float64"]
    assert any("torch is not installed" in n for n in r.notes) and any("jax is not installed" in n for n in r.notes)
    by = {res.form: res for res in r.results}
    assert not by["emitted torch"].available and "torch" in by["emitted torch"].note
    assert not by["emitted jax"].available
    assert by["paper"].available and by["paper"].max_ulp is not None
    assert by["emitted numpy"].within_bound


# --- the code form is the reference's own order of operations --------------------------------------
def _reference_order_f32(sigma, gc):
    """The scheduler's corrected start as the reference writes it, step by step in float32 (test fixture)."""
    one = np.float32(1)
    ori = one - sigma                                              # a signal level, despite its name
    corrected = (one / (np.sqrt(one + (one / gc)) * (one - ori) + ori)) * ori
    return one - corrected


def test_code_form_rounds_as_the_reference_does():
    """The probe's "code" form gives the reference's float32 bits at every point, and another order does not."""
    spec = probe_kernels()["corrected_start_sigma"]
    code = {f.name: f for f in forms_for(spec, "float32")}["code"]
    rng = np.random.default_rng(5)
    sig = rng.random(20000).astype(np.float32)
    gc = (rng.random(20000) / 3 + 1e-3).astype(np.float32)
    with np.errstate(all="ignore"):
        got = code.fn(sig, gc)
        want = _reference_order_f32(sig, gc)
        ori = np.float32(1) - sig
        other = np.float32(1) - ori / (np.sqrt(np.float32(1) + np.float32(1) / gc) * (np.float32(1) - ori) + ori)
    assert got.dtype == np.float32 and np.array_equal(got.view(np.uint32), want.view(np.uint32))
    assert (other != want).mean() > 0.01   # e/(r(1-e)+e) rounds differently: the order is what is measured


def test_one_definition_evaluates_in_sympy_float_and_mpmath():
    """formulas.code.start_sigma_of: exact (SymPy), float64 (math, the scheduler), mpmath and an mpmath interval agree."""
    import sympy

    from pyramid_sym.conventions import gamma_c, sigma_end
    from pyramid_sym.formulas import code

    exact = code.start_sigma_of().xreplace({sigma_end: sympy.Rational(667, 1000), gamma_c: sympy.Rational(1, 3)})
    value = sympy.N(exact, 50)
    assert abs(code.start_sigma_of(0.667, 1 / 3, math) - float(value)) <= 2 ** -52
    with mpmath.workdps(50):
        mp = code.start_sigma_of(mpmath.mpf(667) / 1000, mpmath.mpf(1) / 3, mpmath.mp)
        assert abs(mp - mpmath.mpf(str(value))) < mpmath.mpf(10) ** -45
    iv = code.start_sigma_of(mpmath.iv.mpf(["0.667", "0.667"]), mpmath.iv.mpf(1) / 3, mpmath.iv)
    assert iv.a <= mpmath.mpf(str(value)) <= iv.b


def test_scheduler_uses_the_one_definition():
    """The reference-mode scheduler's corrected starts are formulas.code.start_sigma_of in float64, bit for bit."""
    from pyramid_sym.formulas import code
    from pyramid_sym.schedule import PyramidSchedule

    s = PyramidSchedule()
    for i in range(1, s.stages):
        assert s.start_sigmas[i] == code.start_sigma_of(s.ori_start_sigmas[i], s.gamma, math)


# --- the JAX column ---------------------------------------------------------------------------------
def test_jax_column_within_the_same_bounds():
    pytest.importorskip("jax")
    from pyramid_sym.probe import engine

    r = engine.run_probe(["renoise_beta", "jump_start_time"], ["bfloat16", "float32", "float64"],
                         grid=_tiny_grid(), progress=False)
    jax_rows = [res for res in r.results if res.form == "emitted jax"]
    assert len(jax_rows) == 6 and all(res.available and res.within_bound for res in jax_rows)
    assert all(res.bound == ACCEPTANCE[res.dtype] for res in jax_rows)
    # XLA on CPU flushes subnormals: those points are left out of the JAX column, and the note says how many
    f64 = next(res for res in jax_rows if res.dtype == "float64")
    assert "subnormal" in f64.note and f64.n < next(
        res.n for res in r.results if res.form == "emitted numpy" and res.dtype == "float64" and res.kernel == f64.kernel)


def test_forms_follow_the_registry():
    names = [f.name for f in forms_for(probe_kernels()["renoise_alpha"], "float64")]
    assert names == ["code", "paper", "lambdify", *(f"emitted {t}" for t in REGISTRY.target_names)]
