"""Fuzzed kernels (NumPy and torch): the documented out-of-domain policy, never another exception.

Policy (module docstring of the emitted kernels): a Python or NumPy *scalar* outside its
interval, NaN or infinite raises ``InputError`` (a ValueError) naming the value and the
interval; arrays and tensors are not scanned, so NaN in gives NaN out (at the same
positions, the others unaffected); inputs in range give finite results; a dtype that is
not real floating point (complex, bool, object, text) raises ``InputError``; shapes and
blocks that do not tile, and gammas outside (0, 1/(n-1)], raise ``InputError``.
"""

from __future__ import annotations

import importlib
import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, example, given, settings, strategies as st

from pyramid_sym.errors import InputError
from pyramid_sym.kernels.registry import REGISTRY, SINGLE_ROUNDING

from test_fuzz_harness import COUNTS, examples


def _module(name):
    try:
        return importlib.import_module(f"pyramid_sym.kernels.{name}")
    except ImportError as exc:  # the target's library is not installed
        pytest.skip(f"pyramid_sym.kernels.{name} is not importable ({exc})")


_FUZZ = dict(deadline=None, database=None, phases=[Phase.explicit, Phase.generate],
             suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


def _as_tuple(arg):
    """(lo, lo_open, hi, hi_open) of a registry argument, exact."""
    iv = arg.interval
    return (Fraction(int(iv.lo.p), int(iv.lo.q)), iv.lo_open, Fraction(int(iv.hi.p), int(iv.hi.q)), iv.hi_open)


# kernel -> ((argument name, interval, registry argument), ...), from the registry
SCALAR_KERNELS = {k.name: tuple((a.name, _as_tuple(a), a) for a in k.args) for k in REGISTRY.kernels}
UNIT = _as_tuple(REGISTRY.kernel("renoise_alpha").args[0])
G_CODE = _as_tuple(REGISTRY.kernel("renoise_alpha").args[1])
_SLACK = SINGLE_ROUNDING  # block_noise accepts a gamma within single-precision rounding of its bound
TARGET_MODULES = [t.module.rsplit(".", 1)[1] for t in REGISTRY.targets]


def _inside(x: float, arg) -> bool:
    """Whether the kernels accept the Python float x for the registry argument ``arg`` (closed ends with tolerance)."""
    if not math.isfinite(x):
        return False
    lo, lo_open, hi, hi_open = _as_tuple(arg)
    q = Fraction(x)
    return (q > lo if lo_open else q >= lo - arg.tolerance_lo) and (q < hi if hi_open else q <= hi + arg.tolerance_hi)


def _strictly_inside(x: float, iv) -> bool:
    lo, _, hi, _ = iv
    return math.isfinite(x) and lo < Fraction(x) < hi


FLOATS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(-1, 1),
    st.sampled_from([0.0, -0.0, 1.0, -1 / 3, 1 / 3, -1e-300, 1e-300, 5e-324, -5e-324, 1 + 2**-52, -1 / 3 - 1e-9,
                     1 / 3 + 1e-9, float("nan"), float("inf"), -float("inf"), 1e308, -1e308]),
)


# --- scalars: in range -> finite number, out of range / NaN / inf -> InputError -----------------------

_SMALLEST_NORMAL = 2.0 ** -1022


def _accepted(x: float, arg, flushes: bool) -> bool:
    """Accepted by a kernel computing in float64; ``flushes``: subnormals count as 0 as well (XLA on CPU)."""
    if flushes and 0 < abs(x) < _SMALLEST_NORMAL and not _inside(0.0, arg):
        return False
    return _inside(x, arg)


def check_scalar_policy(fn, args, label: str, n: int, flushes: bool = False) -> None:
    """Fuzz one scalar kernel: in range -> a finite number; out of range, NaN or inf -> one-sentence InputError."""
    (n1, _, a1), (n2, _, a2) = args

    @settings(max_examples=n, **_FUZZ)
    @given(FLOATS, FLOATS)
    def inner(a, b):
        COUNTS[f"kernel:{label}"] += 1
        if _accepted(a, a1, flushes) and _accepted(b, a2, flushes):
            out = fn(a, b)
            assert math.isfinite(float(out)), f"{label}({a!r}, {b!r}) = {out!r}"
        else:
            with pytest.raises(InputError) as info:
                fn(a, b)
            msg = str(info.value)
            bad = n1 if not _accepted(a, a1, flushes) else n2
            assert bad in msg and msg.endswith(".") and "\n" not in msg

    inner()


@pytest.mark.parametrize("target", REGISTRY.targets, ids=lambda t: t.name)
@pytest.mark.parametrize("kernel", sorted(SCALAR_KERNELS))
def test_scalar_policy(target, kernel):
    mod = _module(target.module.rsplit(".", 1)[1])
    if target.name == "jax":
        import jax

        jax.config.update("jax_enable_x64", True)  # Python floats computed in float64, as in the other targets
    check_scalar_policy(getattr(mod, kernel), SCALAR_KERNELS[kernel], f"{target.name}_kernels.{kernel}",
                        examples(150), target.flushes_subnormals)


BAD_OPERANDS = [None, "0.5", b"0.5", [0.5, "x"], {"s": 1}, object(), 1 + 2j, np.complex128(0.5),
                np.array([0.5 + 0j]), np.array(["a"]), np.array([0.5], dtype=object)]
# (bool arrays count as integers, which the kernels document as computed in float64)


@pytest.mark.parametrize("modname", TARGET_MODULES)
@pytest.mark.parametrize("kernel", sorted(SCALAR_KERNELS))
@pytest.mark.parametrize("which", [0, 1])
@pytest.mark.parametrize("bad", range(len(BAD_OPERANDS)))
def test_wrong_types_raise_input_error(modname, kernel, which, bad):
    mod = _module(modname)
    fn = getattr(mod, kernel)
    good = [0.5, 0.25 if SCALAR_KERNELS[kernel][1][1] == G_CODE else -0.25]
    args = list(good)
    args[which] = BAD_OPERANDS[bad]
    COUNTS[f"kernel:{modname}.{kernel}"] += 1
    with pytest.raises((InputError, TypeError)) as info:
        fn(*args)
    # a TypeError is Python's own "wrong type" signal; either way one readable sentence, no traceback text
    assert "Traceback" not in str(info.value)


# --- arrays: NaN in -> NaN out, at the same places; finite elsewhere -------------------------------

def _in_range_values(iv, dtype, size, rng):
    lo, _, hi, _ = iv[1] if len(iv) == 3 else iv
    width = float(hi - lo)
    # interior points that stay inside after rounding to the dtype (away from open ends by 1 %)
    x = float(lo) + width * (0.01 + 0.98 * rng.random(size))
    return x.astype(dtype)


@pytest.mark.parametrize("kernel", sorted(SCALAR_KERNELS))
@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
def test_numpy_nan_in_nan_out(kernel, dtype):
    mod = _module("numpy_kernels")
    fn = getattr(mod, kernel)
    iv1, iv2 = SCALAR_KERNELS[kernel]

    @settings(max_examples=examples(40), **_FUZZ)
    @given(st.integers(1, 40), st.integers(0, 2**32 - 1), st.booleans())
    def inner(size, seed, scalar_second):
        COUNTS[f"kernel:numpy_kernels.{kernel}"] += 1
        rng = np.random.default_rng(seed)
        a = _in_range_values(iv1, dtype, size, rng)
        b = _in_range_values(iv2, dtype, size, rng)
        holes = rng.random(size) < 0.3
        a[holes] = np.nan
        holes_b = rng.random(size) < 0.2
        if scalar_second:
            b_arg = float(b[0])
            holes_b[:] = False
        else:
            b[holes_b] = np.nan
            b_arg = b
        out = np.asarray(fn(a, b_arg))
        assert out.dtype == np.dtype(dtype)
        nan_in = holes | holes_b
        assert np.array_equal(np.isnan(out), nan_in)
        assert np.all(np.isfinite(out[~nan_in]))

    inner()


@pytest.mark.parametrize("kernel", sorted(SCALAR_KERNELS))
@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float32", "float64"])
def test_torch_nan_in_nan_out(kernel, dtype):
    torch = pytest.importorskip("torch")
    mod = _module("torch_kernels")
    fn = getattr(mod, kernel)
    tdtype = getattr(torch, dtype)
    iv1, iv2 = SCALAR_KERNELS[kernel]

    @settings(max_examples=examples(30), **_FUZZ)
    @given(st.integers(1, 40), st.integers(0, 2**32 - 1))
    def inner(size, seed):
        COUNTS[f"kernel:torch_kernels.{kernel}"] += 1
        rng = np.random.default_rng(seed)
        a = torch.tensor(_in_range_values(iv1, "float64", size, rng), dtype=tdtype)
        b = torch.tensor(_in_range_values(iv2, "float64", size, rng), dtype=tdtype)
        holes = torch.tensor(rng.random(size) < 0.3)
        a[holes] = float("nan")
        out = fn(a, b)
        assert out.dtype == tdtype
        assert torch.equal(torch.isnan(out), holes)
        assert bool(torch.isfinite(out[~holes]).all())

    inner()


# --- block noise: shapes, blocks, gammas, dtypes ---------------------------------------------------

SHAPE = st.lists(st.integers(-2, 9), min_size=0, max_size=4).map(tuple)
BLOCK = st.one_of(st.sampled_from([(2, 2), (2,), (2, 2, 2), (1, 2), (3,), (0, 2), (1,), (), (-2, 2), (2, 2, 2, 2, 2)]),
                  st.lists(st.integers(-1, 4), max_size=3).map(tuple))
GAMMA = st.one_of(FLOATS, st.sampled_from([1 / 3, 1, 1 / 7, 1 / 2, Fraction(1, 3), "1/3", None, 1 + 0j, [1 / 3]]))


def _tiles(shape, block) -> bool:
    if not block or any(b < 1 for b in block) or math.prod(block) < 2 or len(block) > len(shape):
        return False
    if any(d < 0 for d in shape):
        return False
    return all(d % b == 0 for d, b in zip(shape[len(shape) - len(block):], block))


def _gamma_ok(gamma, n) -> bool:
    try:
        g = Fraction(float(gamma))
    except (TypeError, ValueError, OverflowError):
        return False
    bound = Fraction(1, n - 1)
    return 0 < g <= bound or abs(g - bound) <= bound * _SLACK


@pytest.mark.parametrize("modname", ["numpy_kernels", "torch_kernels"])
def test_block_noise_fuzz(modname):
    mod = _module(modname)
    if modname == "torch_kernels":
        import torch

        dtypes = [None, torch.float16, torch.bfloat16, torch.float32, torch.float64, torch.int64, torch.complex64]
        good = {None, torch.float16, torch.bfloat16, torch.float32, torch.float64}
    else:
        dtypes = [None, np.float16, np.float32, np.float64, np.int64, np.complex64, "float32"]
        good = {None, np.float16, np.float32, np.float64, "float32"}

    valid_runs = []

    @st.composite
    def tiling(draw):
        """A case that should be accepted: a shape tiled by the block, gamma in (0, 1/(n-1)], a float dtype."""
        block = draw(st.sampled_from([(2, 2), (2,), (2, 2, 2), (1, 2), (3,), (4,)]))
        n = math.prod(block)
        lead = draw(st.lists(st.integers(0, 3), max_size=2))
        trail = [b * draw(st.integers(0, 4)) for b in block]
        gamma = draw(st.one_of(st.floats(min_value=1e-300, max_value=1 / (n - 1)), st.just(1 / (n - 1)),
                               st.just(Fraction(1, n - 1))))
        return tuple(lead + trail), block, gamma, draw(st.sampled_from(sorted(good, key=str)))

    @settings(max_examples=examples(400), **_FUZZ)
    @given(st.one_of(tiling(), st.tuples(SHAPE, BLOCK, GAMMA, st.sampled_from(dtypes))))
    def inner(case):
        shape, block, gamma, dtype = case
        COUNTS[f"kernel:{modname}.block_noise"] += 1
        valid = _tiles(shape, block) and _gamma_ok(gamma, max(2, math.prod(block) if block else 2)) and \
            (dtype in good)
        if not valid:
            with pytest.raises(InputError) as info:
                mod.block_noise(shape, gamma, block=block, dtype=dtype)
            assert str(info.value).endswith(".") and "\n" not in str(info.value)
            return
        out = mod.block_noise(shape, gamma, block=block, dtype=dtype)
        valid_runs.append(shape)
        assert tuple(out.shape) == tuple(shape)
        assert bool(np.all(np.isfinite(np.asarray(out, dtype=np.float64)))) if modname == "numpy_kernels" else \
            bool(out.float().isfinite().all())

    inner()
    assert len(valid_runs) >= max(1, examples(400) // 40)  # the fuzz reached real draws, not only refusals


@pytest.mark.parametrize("modname", ["numpy_kernels", "torch_kernels"])
def test_renoise_fuzz(modname):
    mod = _module(modname)
    torch = pytest.importorskip("torch") if modname == "torch_kernels" else None

    valid_runs = []

    @settings(max_examples=examples(200), **_FUZZ)
    @example((1, 2, 2), "float32", 0.5, 1 / 3, False)     # explicit valid cases: always some real re-noising
    @example((2, 3, 4), "float64", 0.0, 0.2, True)
    @example((2, 2), "float16", 1 + 2**-23, 1 / 3, False)  # sigma_end one float32 spacing above 1
    @given(st.lists(st.integers(0, 5), min_size=0, max_size=4).map(tuple),
           st.sampled_from(["float16", "float32", "float64", "int64", "complex64", "bool"]),
           st.one_of(st.floats(0, 1), FLOATS), st.one_of(st.floats(1e-300, 1 / 3), GAMMA), st.booleans())
    def inner(shape, dtype, sigma_end, gamma, put_nan):
        COUNTS[f"kernel:{modname}.renoise"] += 1
        x = np.random.default_rng(0).standard_normal(shape).astype(dtype)
        if put_nan and x.size and x.dtype.kind == "f":
            x.flat[0] = np.nan
        latents = torch.from_numpy(x) if torch is not None else x
        sig_arg, g_arg = REGISTRY.kernel("renoise_alpha").args
        valid = len(shape) >= 2 and dtype.startswith("float") and _inside(sigma_end, sig_arg) and \
            isinstance(gamma, (int, float, Fraction)) and _inside(float(gamma), g_arg)
        if not valid:
            with pytest.raises(InputError):
                mod.renoise(latents, sigma_end, gamma)
            return
        out = mod.renoise(latents, sigma_end, gamma)
        valid_runs.append(shape)
        out = out.numpy() if torch is not None else out
        assert out.shape == shape[:-2] + (2 * shape[-2], 2 * shape[-1])
        assert str(out.dtype) == dtype
        if put_nan and x.size:
            # the NaN of entry 0 reaches exactly its 2x2 up-sampled block
            nan_block = np.isnan(out[(0,) * (len(shape) - 2)][:2, :2])
            assert nan_block.all() and np.isnan(out).sum() == 4
        else:
            assert np.all(np.isfinite(out))

    inner()
    assert len(valid_runs) >= max(3, examples(200) // 40)  # the fuzz reached real re-noising, not only refusals
