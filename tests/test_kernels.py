"""Emitted scalar kernels: accuracy in ULP against the proved formulas, dtype policy, input policy, reference values."""

from __future__ import annotations

import json
from importlib import resources

import mpmath
import numpy as np
import pytest
import sympy
import torch

from pyramid_sym.errors import InputError
from pyramid_sym.kernels import numpy_kernels as nk
from pyramid_sym.kernels import torch_kernels as tk
from pyramid_sym.kernels.registry import ACCEPTANCE, FLOAT32_ULP_ABOVE_ONE, REGISTRY

KERNELS = REGISTRY.kernels

# The acceptance bounds of the registry, in units in the last place of the result's dtype:
# the distance from the kernel's result to the correctly rounded exact value.  Half
# precision is computed in float32 and rounded once; float32/float64 evaluate five or six
# correctly rounded operations of the stable forms.
MAX_ULP = ACCEPTANCE


def _jax():
    jax = pytest.importorskip("jax")
    jax.config.update("jax_enable_x64", True)  # float64 inputs stay float64
    from pyramid_sym.kernels import jax_kernels

    return jax, jax_kernels


def _modules():
    """The emitted module of every target whose library is installed (found, not imported: collection stays
    cheap on every pytest-xdist worker; the test that uses a module imports it)."""
    import importlib.util

    return [pytest.param(t.module, id=t.name) for t in REGISTRY.targets
            if importlib.util.find_spec(t.requires) is not None]


def _module(name):
    import importlib

    if name == REGISTRY.target("jax").module:
        return _jax()[1]
    return importlib.import_module(name)

# (significand bits p, minimum normal exponent emin) of each format
FORMATS = {"float16": (11, -14), "bfloat16": (8, -126), "float32": (24, -126), "float64": (53, -1022)}

# The reference evaluates the proved formula itself (not the emitted rewrite) at 400
# digits: enough for 1 - x with x as small as the smallest float64 normal (2.2e-308).
REF_DPS = 400


def _reference(spec):
    """mpmath function of the formula spec.formula_id, in the formula's own symbols (level, gamma)."""
    syms = [sym for sym, _, _ in spec.args]
    return sympy.lambdify(syms, spec.formula_expr, modules="mpmath")


def _spacing(x: mpmath.mpf, fmt: str) -> mpmath.mpf:
    """The spacing of ``fmt`` at |x| (the subnormal spacing below the normal range)."""
    p, emin = FORMATS[fmt]
    e = emin if x == 0 else max(int(mpmath.frexp(abs(x))[1]) - 1, emin)  # |x| = m 2^(e+1), m in [1/2, 1)
    return mpmath.ldexp(1, e - p + 1)


def correctly_rounded(exact: mpmath.mpf, fmt: str) -> mpmath.mpf:
    """``exact`` rounded to the nearest value of ``fmt`` (ties to even; no overflow in [0, 1])."""
    h = _spacing(exact, fmt)
    return mpmath.nint(exact / h) * h


def ulp_error(y: float, exact: mpmath.mpf, fmt: str) -> float:
    """|y - RN(exact)| in units of the spacing of ``fmt`` at RN(exact): the accuracy measure of the probe and the README."""
    r = correctly_rounded(exact, fmt)
    return float(abs(mpmath.mpf(y) - r) / _spacing(r, fmt))


def _level_grid(fmt: str) -> list[float]:
    """Levels in [0, 1]: both ends, the smallest normal, tiny values, the interior, just below 1, random points."""
    tiny = {"float16": 2.0**-14, "bfloat16": 2.0**-126, "float32": 2.0**-126, "float64": 2.0**-1022}[fmt]
    below_one = 1 - 2.0 ** -FORMATS[fmt][0]
    vals = [0.0, tiny, 1e-30, 1e-12, 1e-7, 1e-6, 1e-4, 1e-3, 0.01, 0.1, 0.25, 1 / 3, 0.5,
            0.6669999957084656, 0.33399999141693115, 0.75, 0.9, 0.99, 0.999, 1 - 1e-6, below_one, 1.0]
    vals += list(np.random.default_rng(11).uniform(0, 1, 12))
    return vals


def _gamma_grid(fmt: str, sign: int) -> list[float]:
    """|gamma| from 1e-8 (or the format's smallest positive value, if larger) to the bound 1/3."""
    smallest = {"float16": 2.0**-24}.get(fmt, 1e-8)
    vals = [max(1e-8, smallest), 1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 0.05, 0.1, 0.2, 0.3, 1 / 3]
    vals += list(np.random.default_rng(12).uniform(1e-8, 1 / 3, 4))
    return [sign * v for v in vals]


def _cases(fmt: str, spec):
    sign = -1 if spec.convention == "paper" else 1
    lv, gv = np.meshgrid(_level_grid(fmt), _gamma_grid(fmt, sign))
    return lv.ravel(), gv.ravel()


def _exact_inputs(x_rounded, g_rounded):
    return [mpmath.mpf(float(v)) for v in x_rounded], [mpmath.mpf(float(v)) for v in g_rounded]


def _check_accuracy(spec, fmt, y, xs, gs, normal_only=False):
    """Worst ULP error; ``normal_only``: skip points whose exact result is subnormal (flushed to zero by XLA on CPU)."""
    ref = _reference(spec)
    worst, where = 0.0, None
    smallest_normal = mpmath.ldexp(1, FORMATS[fmt][1])
    with mpmath.workdps(REF_DPS):
        for yi, xi, gi in zip(y, xs, gs):
            if normal_only and 0 < abs(ref(xi, gi)) < smallest_normal:
                continue
            assert np.isfinite(yi), f"{spec.name}({float(xi)!r}, {float(gi)!r}) in {fmt} is not finite: {yi}"
            err = ulp_error(float(yi), ref(xi, gi), fmt)
            if err > worst:
                worst, where = err, (float(xi), float(gi))
    assert worst <= MAX_ULP[fmt], f"{spec.name} in {fmt}: {worst:.2f} ULP at {where} (allowed {MAX_ULP[fmt]})"
    return worst


@pytest.mark.parametrize("spec", KERNELS, ids=lambda s: s.name)
@pytest.mark.parametrize("fmt", ["float16", "float32", "float64"])
def test_numpy_kernel_accuracy(spec, fmt):
    x, g = _cases(fmt, spec)
    dt = np.dtype(fmt)
    xr, gr = x.astype(dt), g.astype(dt)
    keep = (gr != 0) & (np.abs(gr.astype(np.float64)) <= 1 / 3 * (1 + 2**-10))  # in-domain after rounding
    xr, gr = xr[keep], gr[keep]
    y = getattr(nk, spec.name)(xr, gr)
    assert y.dtype == dt
    xs, gs = _exact_inputs(xr, gr)
    _check_accuracy(spec, fmt, y, xs, gs)


@pytest.mark.parametrize("spec", KERNELS, ids=lambda s: s.name)
@pytest.mark.parametrize("fmt", ["float16", "bfloat16", "float32", "float64"])
def test_torch_kernel_accuracy(spec, fmt):
    x, g = _cases(fmt, spec)
    dt = getattr(torch, fmt)
    xr, gr = torch.tensor(x, dtype=torch.float64).to(dt), torch.tensor(g, dtype=torch.float64).to(dt)
    keep = (gr != 0) & (gr.double().abs() <= 1 / 3 * (1 + 2**-7))  # in-domain after rounding (bf16: 8 bits)
    xr, gr = xr[keep], gr[keep]
    y = getattr(tk, spec.name)(xr, gr)
    assert y.dtype == dt
    xs, gs = _exact_inputs(xr.double().tolist(), gr.double().tolist())
    _check_accuracy(spec, fmt, y.double().tolist(), xs, gs)


# float32 points where the previous stable forms reached 4 ULP (found by the 3e6-point stress of
# benchmarks/bench_kernels.py): s_k = e q_p / (e q_p + (1 - e)) with e in (1/4, 1/2), where 1 - e
# is rounded, and beta's weight sqrt(1 + gamma_c) - sqrt(gamma_c) taken as a difference of roots
_FORMER_4_ULP_FLOAT32 = {
    "jump_start_time": [("0x1.dfc3bap-2", "-0x1.35d03ap-20"), ("0x1.cdbebep-2", "-0x1.54c6f0p-26"),
                        ("0x1.d80b62p-2", "-0x1.4e0766p-18"), ("0x1.bec58ep-2", "-0x1.72e4bep-16")],
    "renoise_beta": [("0x1.12bf64p-2", "0x1.4a02bap-21"), ("0x1.47179ep-2", "0x1.5e5efcp-23"),
                     ("0x1.1e96d8p-3", "0x1.7a15a2p-23"), ("0x1.2825acp-2", "0x1.367ea6p-19"),
                     ("0x1.0fd706p-2", "0x1.73feeep-23"), ("0x1.0b6b00p-1", "0x1.18bd8cp-14")],
}


@pytest.mark.parametrize("name", sorted(_FORMER_4_ULP_FLOAT32))
def test_float32_former_worst_points_within_bound(name):
    spec = next(k for k in KERNELS if k.name == name)
    pts = _FORMER_4_ULP_FLOAT32[name]
    x = np.array([float.fromhex(a) for a, _ in pts], dtype=np.float32)
    g = np.array([float.fromhex(b) for _, b in pts], dtype=np.float32)
    xs, gs = _exact_inputs(x, g)
    _check_accuracy(spec, "float32", getattr(nk, name)(x, g), xs, gs)
    _check_accuracy(spec, "float32", getattr(tk, name)(torch.from_numpy(x), torch.from_numpy(g)).double().tolist(), xs, gs)


def test_direct_code_form_fails_where_the_rewrite_holds():
    """The failure next to the fix: 1 - corrected in float32 at sigma_end = 1e-6 against the emitted form."""
    sigma = np.float32(1e-6)
    g = np.float32(1e-3)
    e = np.float32(1) - sigma
    r = np.sqrt(np.float32(1) + np.float32(1) / g)
    direct = np.float32(1) - e / (r * (np.float32(1) - e) + e)
    spec = next(k for k in KERNELS if k.name == "corrected_start_sigma")
    with mpmath.workdps(REF_DPS):
        exact = _reference(spec)(mpmath.mpf(float(sigma)), mpmath.mpf(float(g)))
    assert ulp_error(float(direct), exact, "float32") > 1e4  # the direct form loses ~everything here
    assert ulp_error(float(nk.corrected_start_sigma(sigma, g)), exact, "float32") <= MAX_ULP["float32"]


def test_tiny_gamma_stays_finite():
    """1/gamma would overflow (float16 below 1/65504, float32 subnormal, float64 1e-310): the rewrites never form it."""
    for sigma in (0.0, 0.5, 1.0):
        for g in (1e-310, 5e-324):
            for fn in (nk.corrected_start_sigma, nk.renoise_alpha, nk.renoise_beta):
                assert np.isfinite(fn(sigma, g)), (fn.__name__, sigma, g)
        g32 = np.array([1e-45, 1e-40], dtype=np.float32)
        for fn in (nk.corrected_start_sigma, nk.renoise_alpha, nk.renoise_beta):
            assert np.isfinite(fn(np.float32(sigma), g32)).all()
        gh = torch.tensor([2.0**-24, 1e-5], dtype=torch.float16)
        for fn in (tk.corrected_start_sigma, tk.renoise_alpha, tk.renoise_beta):
            out = fn(torch.tensor(sigma, dtype=torch.float16), gh)
            assert out.dtype == torch.float16 and torch.isfinite(out).all()
    # alpha -> 1 at sigma_end = 0 for every gamma: the limit, not 0 * inf
    assert nk.renoise_alpha(0.0, 1e-310) == 1.0


# ----------------------------------------------------------------------------- reference schedule
def _schedule():
    text = resources.files("pyramid_sym.data").joinpath("pyramid_flow_schedule_default.json").read_text()
    return json.loads(text)[0]


@pytest.mark.parametrize("mod", [nk, tk], ids=["numpy", "torch"])
def test_reproduces_reference_schedule(mod):
    """Start sigma and renoise alpha/beta of the default schedule (reference scheduler, float64 from float32 sigma).

    The reference evaluates the direct forms in float64, so it carries its own rounding
    (1 ULP off the exact value for stage 2's start sigma): the kernel is checked against
    the exact value at the same float inputs (the accuracy target) and against the
    reference numbers within 2 ULP (one rounding difference each way).
    """
    ref = _schedule()
    gamma_c = ref["config"]["gamma"]
    spec = {k.name: k for k in KERNELS}
    for i in (1, 2):
        sigma_end = ref["ori_start_sigmas"][i]
        expect = {"corrected_start_sigma": ref["start_sigmas"][i],
                  "renoise_alpha": ref["renoise"][str(i)]["alpha"],
                  "renoise_beta": ref["renoise"][str(i)]["beta"]}
        for name, value in expect.items():
            got = float(getattr(mod, name)(sigma_end, gamma_c))
            with mpmath.workdps(60):
                exact = _reference(spec[name])(mpmath.mpf(sigma_end), mpmath.mpf(gamma_c))
            assert ulp_error(got, exact, "float64") <= MAX_ULP["float64"], (name, i, got)
            assert abs(got - value) <= 2 * np.spacing(value), (name, i, got, value)


def test_paper_special_case_one_third():
    """Paper eq. 26/27 at gamma = -1/3: e = 2s/(1+s), alpha = sqrt(3)(1-s)/2, scale = (1+s)/2 (float64, 2 ULP)."""
    s = np.linspace(0, 1, 101)
    np.testing.assert_allclose(nk.jump_end_time(s, -1 / 3), 2 * s / (1 + s), rtol=4.5e-16, atol=0)
    np.testing.assert_allclose(nk.renoise_std(s, -1 / 3), np.sqrt(3) * (1 - s) / 2, rtol=4.5e-16, atol=1e-300)
    np.testing.assert_allclose(nk.upsample_scale(s, -1 / 3), (1 + s) / 2, rtol=4.5e-16, atol=0)
    # jump_start_time inverts jump_end_time (rounding of two evaluations: 8 ULP)
    np.testing.assert_allclose(nk.jump_start_time(nk.jump_end_time(s, -0.2), -0.2), s, rtol=8 * 2.2e-16, atol=1e-300)


# ----------------------------------------------------------------------------- dtype policy
@pytest.mark.parametrize("spec", KERNELS, ids=lambda s: s.name)
def test_numpy_dtype_policy(spec):
    fn = getattr(nk, spec.name)
    g = -0.2 if spec.convention == "paper" else 0.2
    for dt in (np.float16, np.float32, np.float64):
        x = np.linspace(0, 1, 7, dtype=dt)
        assert fn(x, g).dtype == dt                                   # Python gamma is weak
        assert fn(x, np.full(7, g, dtype=dt)).dtype == dt             # gamma array of the same dtype
        assert fn(x, dt(g)).dtype == dt                               # NumPy scalar gamma
        assert fn(float(x[3]), np.full(3, g, dtype=dt)).dtype == dt   # Python level, array gamma
    y = fn(0.5, g)
    assert isinstance(y, np.float64)                                  # Python numbers give float64
    assert fn(np.array([0, 1]), g).dtype == np.float64               # integers give float64
    # torch CPU tensors read as arrays
    assert fn(torch.linspace(0, 1, 5, dtype=torch.float32), g).dtype == np.float32


@pytest.mark.parametrize("spec", KERNELS, ids=lambda s: s.name)
def test_torch_dtype_policy(spec):
    fn = getattr(tk, spec.name)
    g = -0.2 if spec.convention == "paper" else 0.2
    for dt in (torch.float16, torch.bfloat16, torch.float32, torch.float64):
        x = torch.linspace(0, 1, 7, dtype=dt)
        assert fn(x, g).dtype == dt
        assert fn(x, torch.full((7,), g, dtype=dt)).dtype == dt
        assert fn(0.5, torch.full((3,), g, dtype=dt)).dtype == dt
    y = fn(0.5, g)
    assert isinstance(y, torch.Tensor) and y.dtype == torch.float64 and y.dim() == 0
    assert fn(np.linspace(0, 1, 5, dtype=np.float32), g).dtype == torch.float32  # NumPy arrays read as tensors
    # broadcasting: (5, 1) levels against (3,) gammas
    out = fn(torch.linspace(0, 1, 5).reshape(5, 1), torch.tensor([g, g / 2, g / 4]))
    assert out.shape == (5, 3)


def test_float32_stays_float32_inside():
    """A float32 result is the float32 evaluation of the printed form: no float64 constant upcasts it (NEP 50)."""
    s = np.linspace(0, 1, 1001, dtype=np.float32)
    g = np.float32(-0.25)
    y = nk.jump_end_time(s, -0.25)  # a Python gamma is weak: stays float32
    q = np.sqrt(-g / (np.float32(1) - g))
    manual = s / (s * (np.float32(1) - q) + q)
    assert y.dtype == np.float32 and manual.dtype == np.float32
    np.testing.assert_array_equal(y, manual)
    t = tk.jump_end_time(torch.from_numpy(s), -0.25)
    assert t.dtype == torch.float32
    # torch's vectorised CPU float32 arithmetic is not always correctly rounded: up to
    # 2 ULP from NumPy's IEEE evaluation of the same expression was observed
    np.testing.assert_array_max_ulp(t.numpy(), manual, maxulp=2)


def test_half_rounded_once_from_float32():
    """float16/bfloat16 results are the float32 kernel rounded once."""
    s = torch.linspace(0, 1, 513, dtype=torch.float32)
    for spec in KERNELS:
        fn = getattr(tk, spec.name)
        g = -0.25 if spec.convention == "paper" else 0.25
        for dt in (torch.float16, torch.bfloat16):
            x = s.to(dt)
            assert torch.equal(fn(x, g), fn(x.float(), g).to(dt))
        xh = s.numpy().astype(np.float16)
        np.testing.assert_array_equal(getattr(nk, spec.name)(xh, g),
                                      getattr(nk, spec.name)(xh.astype(np.float32), g).astype(np.float16))


# ----------------------------------------------------------------------------- input policy
@pytest.mark.parametrize("modname", _modules())
@pytest.mark.parametrize("spec", KERNELS, ids=lambda s: s.name)
def test_scalar_out_of_range_raises_one_sentence(modname, spec):
    fn = getattr(_module(modname), spec.name)
    good_g = -0.2 if spec.convention == "paper" else 0.2
    bad_g = [0.2, 0.0, -0.5, float("nan")] if spec.convention == "paper" else [-0.2, 0.0, 0.5, float("inf")]
    arg0 = spec.args[0][1]
    for g in bad_g:
        with pytest.raises(InputError) as exc:
            fn(0.5, g)
        msg = str(exc.value)
        assert msg.count("\n") == 0 and "gamma" in msg and repr(float(g)) in msg and "pass" in msg
    for x in (-0.1, 1.5, float("nan")):
        with pytest.raises(InputError, match=arg0):
            fn(x, good_g)
    # the ends are accepted and give finite limits
    assert np.isfinite(float(fn(0.0, good_g))) and np.isfinite(float(fn(1.0, good_g)))


@pytest.mark.parametrize("modname", _modules())
def test_bound_in_single_precision_counts_as_the_bound(modname):
    mod = _module(modname)
    assert np.isfinite(float(mod.renoise_alpha(0.5, np.float32(1 / 3))))
    assert np.isfinite(float(mod.jump_end_time(0.5, np.float32(-1 / 3))))
    with pytest.raises(InputError):
        mod.renoise_alpha(0.5, 0.3334)


def test_nan_in_nan_out():
    for spec in KERNELS:
        g = -0.2 if spec.convention == "paper" else 0.2
        y = getattr(nk, spec.name)(np.array([np.nan, 0.5]), g)
        assert np.isnan(y[0]) and np.isfinite(y[1])
        t = getattr(tk, spec.name)(torch.tensor([float("nan"), 0.5]), g)
        assert torch.isnan(t[0]) and torch.isfinite(t[1])


def test_non_real_input_raises():
    with pytest.raises(InputError, match="floating"):
        nk.renoise_alpha(np.array([0.5 + 0j]), 0.2)
    with pytest.raises(InputError, match="floating"):
        tk.renoise_alpha(torch.tensor([0.5 + 0j]), 0.2)
    with pytest.raises(InputError, match="torch kernels"):
        nk.renoise_alpha(torch.tensor([0.5], dtype=torch.bfloat16), 0.2)


@pytest.mark.parametrize("spec", KERNELS, ids=lambda s: s.name)
@pytest.mark.parametrize("fmt", ["float16", "bfloat16", "float32", "float64"])
def test_jax_kernel_accuracy(spec, fmt):
    """The JAX kernels meet the same bounds; XLA on CPU flushes subnormals, so subnormal inputs and results are skipped."""
    jax, jk = _jax()
    jnp = jax.numpy
    x, g = _cases(fmt, spec)
    smallest_normal = 2.0 ** FORMATS[fmt][1]
    xr, gr = jnp.asarray(x, dtype=fmt), jnp.asarray(g, dtype=fmt)
    xd, gd = np.asarray(xr.astype(jnp.float64)), np.asarray(gr.astype(jnp.float64))
    keep = (gd != 0) & (np.abs(gd) <= 1 / 3 * (1 + 2**-7)) & ~((xd > 0) & (xd < smallest_normal))
    # every point goes in (one array shape per dtype, so JAX compiles each operation once for all kernels);
    # the points outside the domain after rounding are left out of the check
    with np.errstate(all="ignore"):
        y = getattr(jk, spec.name)(xr, gr)
    assert y.dtype == jnp.dtype(fmt)
    xs, gs = _exact_inputs(xd[keep], gd[keep])
    _check_accuracy(spec, fmt, np.asarray(y.astype(jnp.float64))[keep].tolist(), xs, gs, normal_only=True)


# ----------------------------------------------------------------------------- sigma_end above 1, labels
@pytest.mark.parametrize("modname", _modules())
def test_sigma_end_one_float32_spacing_above_one_is_accepted(modname):
    """The reference's float32 table can put sigma_end at 1 + 2^-23; the code kernels accept it, and no more."""
    mod = _module(modname)
    top = 1 + float(FLOAT32_ULP_ABOVE_ONE)
    assert top == float(np.nextafter(np.float32(1), np.float32(2)))
    for spec in KERNELS:
        if spec.args[0].name == "sigma_end":
            fn = getattr(mod, spec.name)
            assert np.isfinite(float(fn(top, 1 / 3))) and np.isfinite(float(fn(np.float32(top), np.float32(1 / 3))))
            with pytest.raises(InputError, match="sigma_end"):
                fn(1 + 2 * float(FLOAT32_ULP_ABOVE_ONE), 1 / 3)
            with pytest.raises(InputError, match="sigma_end"):
                fn(-float(FLOAT32_ULP_ABOVE_ONE), 1 / 3)   # no tolerance below 0


def test_renoise_errors_are_labelled_renoise():
    x = np.zeros((1, 2, 2), dtype=np.float32)
    cases = [(nk.renoise, (x,), {}), (tk.renoise, (torch.zeros(1, 2, 2),), {})]
    try:
        jax, jk = _jax()
        cases.append((jk.renoise, (jax.random.key(0), x), {}))
    except pytest.skip.Exception:
        pass
    for fn, lead, kw in cases:
        for sigma_end, gamma in ((1.5, 1 / 3), (0.5, 0.4), (0.5, -0.1), ("half", 1 / 3)):
            with pytest.raises(InputError) as info:
                fn(*lead, sigma_end, gamma, **kw)
            assert str(info.value).startswith("renoise: "), str(info.value)
        out = fn(*lead, 1 + float(FLOAT32_ULP_ABOVE_ONE), 1 / 3, **kw)
        assert tuple(out.shape) == (1, 4, 4)


def test_jax_block_noise_takes_explicit_keys():
    jax, jk = _jax()
    key = jax.random.key(3)
    a = jk.block_noise(key, (2, 8, 8), 1 / 3)
    b = jk.block_noise(key, (2, 8, 8), 1 / 3)
    c = jk.block_noise(jax.random.key(4), (2, 8, 8), 1 / 3)
    assert bool((a == b).all()) and not bool((a == c).all())
    sums = np.asarray(a).reshape(2, 4, 2, 4, 2).sum(axis=(2, 4))
    assert np.abs(sums).max() < 1e-12   # at the bound gamma = 1/3 every 2x2 block sums to 0
    assert jk.block_noise(key, (4, 4), 0.2, dtype="bfloat16").dtype == jax.numpy.bfloat16
    with pytest.raises(InputError, match="key"):
        jk.block_noise(12, (4, 4), 0.2)
    with pytest.raises(InputError, match="multiple"):
        jk.block_noise(key, (3, 4), 0.2)


@pytest.mark.parametrize("modname", _modules())
def test_scalar_that_float32_cannot_hold_is_refused_in_a_float32_computation(modname):
    """gamma = 1e-300 is valid, but a float32 computation would see 0 (0/0 = NaN): one sentence instead."""
    mod = _module(modname)
    x = np.asarray([0.25, 0.5], dtype=np.float32)
    if "jax" in modname:
        x = _jax()[0].numpy.asarray(x)
    elif "torch" in modname:
        x = torch.from_numpy(x)
    with pytest.raises(InputError, match="float32"):
        mod.renoise_alpha(x, 1e-300)
    assert np.all(np.isfinite(np.asarray(mod.renoise_alpha(x, 1e-30), dtype=np.float64)))


def test_torch_float32_kernels_equal_numpy_bit_for_bit():
    """The torch kernels' float32 root is rounded correctly on CPU (``_root``), so every float32 and float16 result
    is NumPy's to the bit, on inputs drawn by float ordinal (every binade, subnormals included) and at random."""
    torch = pytest.importorskip("torch")
    from pyramid_sym.kernels import numpy_kernels as nk
    from pyramid_sym.kernels import torch_kernels as tk
    from pyramid_sym.kernels.torch_kernels import _root

    rng = np.random.default_rng(12)
    bits = rng.integers(1, 0x3F800000, 200_000, dtype=np.uint32)  # positive float32 below 1, by ordinal
    x = bits.view(np.float32)
    assert np.array_equal(_root(torch.from_numpy(x)).numpy(), np.sqrt(x))
    level = np.concatenate([x[:50_000], rng.random(50_000).astype(np.float32)])
    gamma = np.concatenate([x[50_000:100_000] / 3, (rng.random(50_000) / 3).astype(np.float32)])
    gamma = np.where(gamma > 0, gamma, np.float32(1e-30)).astype(np.float32)
    for name in ("jump_end_time", "jump_start_time", "upsample_scale", "renoise_std", "corrected_start_sigma",
                 "renoise_alpha", "renoise_beta"):
        g = -gamma if name in ("jump_end_time", "jump_start_time", "upsample_scale", "renoise_std") else gamma
        for dtype in (np.float32, np.float16):
            a, b = level.astype(dtype), g.astype(dtype)
            b = np.where(b != 0, b, np.sign(g).astype(dtype) * np.finfo(dtype).smallest_subnormal)
            want = getattr(nk, name)(a, b)
            got = getattr(tk, name)(torch.from_numpy(a), torch.from_numpy(b)).numpy()
            assert np.array_equal(got, want, equal_nan=True), (name, np.dtype(dtype).name)
