"""pyramid_sym.schedule: the whole reference scheduler, reference-float and exact modes.

Reference numbers come from the package's ``data/pyramid_flow_schedule_default.json``
(produced by running the reference scheduler with its default configuration; provenance in
``pyramid_sym/data/README.md``).
"""

from __future__ import annotations

import json
import math
import re
from fractions import Fraction
from importlib import resources

import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from pyramid_sym.errors import InputError
from pyramid_sym.formulas.code import CORRECTED_START_ONE_THIRD
from pyramid_sym.formulas.paper import e_next_of_s
from pyramid_sym.conventions import sigma_end
from pyramid_sym.schedule import (
    PyramidSchedule, exact_value, linspace_float32, linspace_float64, simplest_rational,
)

# The reference scheduler's numbers are float64 printouts of float32/float64 values; the
# issue asks for agreement to 1e-12 relative in every number: far below float32's 6e-8
# spacing (so every float32 artefact must be reproduced) and far above the float64
# spacing (so the order of float64 operations does not matter).
REF_RTOL = 1e-12
U32 = 2.0**-24  # unit roundoff of float32 round-to-nearest: |fl(x) - x| <= U32 |x|
EPS64 = 2.0**-53  # unit roundoff of float64


def _reference_json() -> dict:
    text = resources.files("pyramid_sym").joinpath("data/pyramid_flow_schedule_default.json").read_text()
    data = json.loads(text)
    return data[0] if isinstance(data, list) else data


REF = _reference_json()


def _schedule_from_config(cfg: dict, mode: str = "reference") -> PyramidSchedule:
    # the reference file was produced under NumPy >= 2 (see pyramid_sym/data/README.md): model that NumPy
    return PyramidSchedule(num_train_timesteps=cfg["num_train_timesteps"], shift=cfg["shift"], stages=cfg["stages"],
                           stage_range=cfg["stage_range"], gamma=cfg["gamma"], mode=mode, numpy=2)


def _reference_pairs(s: PyramidSchedule):
    """Every number of the reference JSON with the schedule's value: (name, ours, reference)."""
    for key in ("start_sigmas", "end_sigmas", "ori_start_sigmas"):
        for i, v in enumerate(REF[key]):
            yield f"{key}[{i}]", getattr(s, key)[i], v
    for i, (lo, hi) in enumerate(REF["timestep_ratios"]):
        yield f"timestep_ratios[{i}][0]", s.timestep_ratios[i][0], lo
        yield f"timestep_ratios[{i}][1]", s.timestep_ratios[i][1], hi
    for key, attr in (("timesteps_per_stage_samples", "timesteps_per_stage"),
                      ("sigmas_per_stage_samples", "sigmas_per_stage")):
        for i, samples in REF[key].items():
            assert len(getattr(s, attr)[int(i)]) == REF["config"]["num_train_timesteps"]
            for j, v in samples.items():
                yield f"{attr}[{i}][{j}]", getattr(s, attr)[int(i)][int(j)], v
    for key, grid in REF["set_timesteps"].items():
        n, i = map(int, key.split("/"))
        ts, sg = s.set_timesteps(n, i)
        assert len(ts) == len(grid["timesteps"]) == n and len(sg) == len(grid["sigmas"]) == n + 1
        for j, v in enumerate(grid["timesteps"]):
            yield f"set_timesteps({n}, {i}).timesteps[{j}]", ts[j], v
        for j, v in enumerate(grid["sigmas"]):
            yield f"set_timesteps({n}, {i}).sigmas[{j}]", sg[j], v
    for i, ab in REF["renoise"].items():
        alpha, beta = s.renoise_coefficients(int(i))
        yield f"alpha[{i}]", alpha, ab["alpha"]
        yield f"beta[{i}]", beta, ab["beta"]


def _rel(ours, ref) -> float:
    ours, ref = float(ours), float(ref)
    if ref == 0:
        return 0.0 if ours == 0 else math.inf  # a reference zero must be reproduced exactly
    return abs(ours - ref) / abs(ref)


# --------------------------------------------------------------------------------------
# reference mode against the reference scheduler's numbers
# --------------------------------------------------------------------------------------
def test_reference_mode_reproduces_every_reference_number():
    s = _schedule_from_config(REF["config"])
    pairs = list(_reference_pairs(s))
    assert len(pairs) > 150  # every number of the file is compared, not a sample of them
    bad = [(name, float(o), r) for name, o, r in pairs if not _rel(o, r) <= REF_RTOL]
    assert not bad, bad[:5]
    # modelling the other NumPy changes the per-stage timesteps (a float64 linspace) and the inference
    # timesteps drawn from them, and nothing else
    other = PyramidSchedule(numpy=1)
    differ = {re.sub(r"\(.*?\)", "", name.split("[")[0])
              for name, o, r in _reference_pairs(other) if not _rel(o, r) <= REF_RTOL}
    assert differ == {"timesteps_per_stage", "set_timesteps.timesteps"}


def test_reference_mode_keeps_float32_artefacts():
    # the reference's end sigma of stage 0 is the float32 table entry, not 2/3 nor 0.667:
    # exact equality is the point (a float64 table would give 0.667 and fail).
    s = PyramidSchedule()
    assert s.end_sigmas[0] == REF["end_sigmas"][0]
    assert s.end_sigmas[0] != 0.667 and s.end_sigmas[0] == float(np.float32(0.667))
    assert s.timesteps_per_stage[0].dtype == np.float32 and s.sigmas_per_stage[0].dtype == np.float64
    ts, sg = s.set_timesteps(10, 0)
    assert ts.dtype == np.float64 and sg.dtype == np.float64


def test_default_arguments_are_the_reference_configuration():
    cfg = REF["config"]
    a, b = PyramidSchedule(), _schedule_from_config(cfg)
    assert a.stage_range == [float(v) for v in cfg["stage_range"]] and a.gamma == cfg["gamma"]
    assert a.start_sigmas == b.start_sigmas and a.timestep_ratios == b.timestep_ratios


@pytest.mark.parametrize("text_gamma,text_range", [("1/3", ["0", "1/3", "2/3", "1"]),
                                                   (Fraction(1, 3), [0, Fraction(1, 3), Fraction(2, 3), 1])])
def test_reference_mode_reads_exact_inputs_as_the_nearest_float(text_gamma, text_range):
    s = PyramidSchedule(gamma=text_gamma, stage_range=text_range)
    assert s.gamma == 1 / 3 and s.stage_range[1] == 1 / 3 and s.stage_range[2] == 2 / 3
    assert s.start_sigmas == PyramidSchedule().start_sigmas


# --------------------------------------------------------------------------------------
# the float32 building blocks, checked against the libraries they model
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize("T", [1000, 7, 999, 4096])
@pytest.mark.parametrize("shift", [1.0, 3.0, 1 / 3, 0.1, 7.3, 13.0001])
def test_global_table_matches_torch_float32_arithmetic(T, shift):
    torch = pytest.importorskip("torch")
    u = torch.arange(T, 0, -1, dtype=torch.float32) / T  # (T - j)/T in float32
    sig = shift * u / (1 + (shift - 1) * u)                # SD3 shift with Python-float scalars
    s = PyramidSchedule(num_train_timesteps=T, shift=shift, stages=1, stage_range=[0, 1])
    # bit-for-bit: the reference table is float32 and any difference is >= one float32 ULP
    assert np.array_equal(s.sigmas, sig.numpy())
    assert np.array_equal(s.timesteps, (sig * T).numpy())


@pytest.mark.parametrize("lo,hi,num", [(1000.0, 744.0, 1001), (744.0, 386.0, 1001), (386.0, 1.0, 1001),
                                       (974.4474, 913.6652, 513), (1.0, 0.0, 3), (5.0, 5.0, 9)])
def test_linspace_float32_matches_numpy_on_float32_ends(lo, hi, num):
    if int(np.__version__.split(".")[0]) < 2:
        pytest.skip("NumPy < 2 promotes float32 scalar ends to float64 (value-based casting)")
    ours = linspace_float32(lo, hi, num)
    theirs = np.linspace(np.float32(lo), np.float32(hi), num)
    assert theirs.dtype == np.float32 and np.array_equal(ours, theirs)  # bit-for-bit, float32


# torch's __array_wrap__ predates NumPy 2's signature; the warning is about torch, not about us
@pytest.mark.filterwarnings("ignore:__array_wrap__ must accept:DeprecationWarning")
def test_linspace_float32_matches_numpy_on_torch_scalar_ends():
    # the reference passes 0-d float32 torch tensors (entries of its timestep table) to numpy.linspace
    torch = pytest.importorskip("torch")
    if int(np.__version__.split(".")[0]) < 2:
        pytest.skip("NumPy < 2 promotes float32 scalar ends to float64 (value-based casting)")
    s = PyramidSchedule(num_train_timesteps=777, shift=2.5, stages=3, stage_range=[0, 0.3, 0.7, 1])
    table = torch.from_numpy(np.asarray(s.timesteps))
    for i, (r0, r1) in enumerate(s.timestep_ratios):
        a, b = int(r0 * 777), min(int(r1 * 777), 776)
        theirs = np.asarray(np.linspace(table[a], table[b], 778))[:-1]
        assert theirs.dtype == np.float32 and np.array_equal(s.timesteps_per_stage[i], theirs)  # bit-for-bit


def test_linspace_float64_matches_numpy():
    for lo, hi, num in [(1000.0, 744.2559814453125, 10), (1.0, 0.0010000000000000009, 20), (1.0, 0.0, 1001), (3.0, 1.0, 1)]:
        assert np.array_equal(linspace_float64(lo, hi, num), np.linspace(lo, hi, num))  # bit-for-bit


# --------------------------------------------------------------------------------------
# exact mode
# --------------------------------------------------------------------------------------
def test_exact_default_is_rational_and_uses_the_one_third_special_case():
    e = PyramidSchedule(mode="exact")
    for i in range(1, 3):
        # gamma_c = 1/3 gives r = 2: the corrected start is e/(2 - e), the reference's commented-out line
        expected = 1 - CORRECTED_START_ONE_THIRD.expr.xreplace({sigma_end: e.ori_start_sigmas[i]})
        assert e.start_sigmas[i] == expected and e.start_sigmas[i].is_Rational
    assert all(v.is_Rational for v in e.end_sigmas + e.ori_start_sigmas)
    assert all(isinstance(v, sympy.Rational) for v in e.timesteps_per_stage[1])
    assert e.end_sigmas[0] == sympy.Rational(667, 1000)  # table index floor(1/3 * 1000) = 333: (1000 - 333)/1000


def test_exact_start_satisfies_paper_eq25_for_radical_gamma():
    e = PyramidSchedule(mode="exact", gamma="1/4", shift=3, stages=4, stage_range=["0", "1/5", "1/2", "4/5", "1"])
    g = -sympy.Rational(1, 4)  # the paper's gamma = -gamma_c
    for i in range(1, 4):
        s_k = 1 - e.start_sigmas[i]                 # corrected start as a signal level
        back = e_next_of_s(s_k, g)                  # eq. 25 forward: the previous stage's end
        assert sympy.radsimp(back - (1 - e.ori_start_sigmas[i])) == 0
        assert e.start_sigmas[i].has(sympy.sqrt(5))  # a closed form with a radical, not a float
    lo, hi = e.timestep_ratios[-1]
    assert hi == 1 and e.timestep_ratios[0][0] == 0


# --------------------------------------------------------------------------------------
# exact vs reference: they differ only by float32 rounding, bounded from first principles
# --------------------------------------------------------------------------------------
def _float32_bounds(ex: PyramidSchedule, shift: float, gamma: float):
    """First-order error bounds of the reference mode, from the float32 roundings it makes.

    Table entry sigma_j: fl(shift), fl(shift - 1), fl((T-j)/T), the two products, the sum
    1 + q and the quotient: relative error <= (5 + 4c) U32 with c = |shift - 1|/min(1, shift)
    (the sum's error is relative to 1 + (shift-1)u >= min(1, shift)); timesteps: one more
    product, (6 + 4c) U32.  Everything downstream is float64 applied to those entries, so
    its error is the derivative times the entries' error plus a float64 slack; the float32
    linspace adds 3 U32 |hi - lo| (difference, step, j*step) and U32 |y| (the sum).  The
    factor 1.001 covers the neglected second-order terms (products of U32's).
    """
    c = abs(shift - 1) / min(1.0, shift)
    tab = (5 + 4 * c) * U32 * 1.001
    tst = (6 + 4 * c) * U32 * 1.001
    r = math.sqrt(1 + 1 / gamma)
    f64 = 64 * EPS64 * (1 + r)  # a handful of float64 operations on numbers <= 1 + r
    K = ex.stages
    b = {"end": [], "ori": [], "start": [], "alpha": {}, "beta": {}}
    for i in range(K):
        ori = float(ex.ori_start_sigmas[i])
        d_ori = tab * ori
        b["ori"].append(d_ori)
        b["end"].append(tab * float(ex.end_sigmas[i]))
        if i == 0:
            b["start"].append(d_ori)
            continue
        lo = max(ori - d_ori, 0.0)
        den2 = (1 + (r - 1) * lo) ** 2  # the derivatives below are largest at the low end
        b["start"].append(r / den2 * d_ori + f64)
        b["alpha"][i] = (r - 1) / den2 * d_ori + f64
        b["beta"][i] = 1 / (math.sqrt(gamma) * den2) * d_ori + f64
    d = [float(ex.start_sigmas[i] - ex.end_sigmas[i]) for i in range(K)]
    dd = [b["start"][i] + b["end"][i] for i in range(K)]
    D, dD = sum(d), sum(dd)
    ratio = []
    for i in range(K + 1):
        C, dC = sum(d[:i]), sum(dd[:i])
        ratio.append((dC + (C / D) * dD) / (D - dD) + f64)
    b["ratio"] = [(ratio[i] if i > 0 else 0.0, ratio[i + 1] if i < K - 1 else 0.0) for i in range(K)]
    b["tst"] = tst
    return b


CONFIGS = [
    dict(num_train_timesteps=1000, shift="1", stages=3, stage_range=["0", "1/3", "2/3", "1"], gamma="1/3"),
    dict(num_train_timesteps=1000, shift="3", stages=4, stage_range=["0", "1/5", "1/2", "4/5", "1"], gamma="1/4"),
    dict(num_train_timesteps=500, shift="1/3", stages=3, stage_range=["0", "0.3", "0.55", "1"], gamma="0.2"),
    dict(num_train_timesteps=64, shift="7", stages=2, stage_range=["0", "3/8", "1"], gamma="1/7", block=8),
    dict(num_train_timesteps=1000, shift="2.5", stages=1, stage_range=["0", "1"], gamma="1/3"),
]


def _check_exact_vs_reference(cfg: dict) -> float:
    """Assert |reference - exact| <= the float32 bound for every number; return the largest diff/bound."""
    ref = PyramidSchedule(**cfg)
    ex = PyramidSchedule(**cfg, mode="exact")
    b = _float32_bounds(ex, ref.shift, ref.gamma)
    T, K = ref.num_train_timesteps, ref.stages
    worst = 0.0

    def check(name, r, x, bound):
        nonlocal worst
        diff = abs(float(r) - float(x))
        bound = bound + 2 * EPS64 * abs(float(x))  # float(x) of the exact value is itself rounded
        assert diff <= bound, (name, float(r), float(x), diff, bound)
        worst = max(worst, diff / bound) if bound else worst  # a zero bound demands equality

    for i in range(K):
        check(f"ori[{i}]", ref.ori_start_sigmas[i], ex.ori_start_sigmas[i], b["ori"][i])
        check(f"end[{i}]", ref.end_sigmas[i], ex.end_sigmas[i], b["end"][i])
        check(f"start[{i}]", ref.start_sigmas[i], ex.start_sigmas[i], b["start"][i])
        for j in (0, 1):
            check(f"ratio[{i}][{j}]", ref.timestep_ratios[i][j], ex.timestep_ratios[i][j], b["ratio"][i][j])
        if i > 0:
            (ra, rb), (xa, xb) = ref.renoise_coefficients(i), ex.renoise_coefficients(i)
            check(f"alpha[{i}]", ra, xa, b["alpha"][i])
            check(f"beta[{i}]", rb, xb, b["beta"][i])
        # the table index floor(ratio T) may differ only when ratio T is within its bound of an integer
        same_index = True
        for j, cap in ((0, T - 1), (1, T - 1)):
            rv, xv = ref.timestep_ratios[i][j] * T, float(ex.timestep_ratios[i][j]) * T
            near = abs(xv - round(xv)) <= b["ratio"][i][j] * T + 1e-9
            if min(int(rv), cap) != min(int(sympy.floor(ex.timestep_ratios[i][j] * T)), cap):
                assert near, (i, j, rv, xv)
                same_index = False
        if not same_index:
            continue
        tr, tx = ref.timesteps_per_stage[i], ex.timesteps_per_stage[i]
        lo_x, hi_x = float(tx[0]), float(T * ex.sigmas[min(int(sympy.floor(ex.timestep_ratios[i][1] * T)), T - 1)])
        d_end = b["tst"] * max(abs(lo_x), abs(hi_x))
        def tps_bound(j):
            return d_end + 3 * U32 * abs(hi_x - lo_x) * 1.001 + U32 * abs(float(tx[j])) * 1.001

        for j in sorted({0, 1, T // 2, T - 2, T - 1}):
            check(f"timesteps_per_stage[{i}][{j}]", tr[j], tx[j], tps_bound(j))
        for j in (0, 1, T - 1):  # float64 linspace of 1 -> 0: three float64 roundings
            check(f"sigmas_per_stage[{i}][{j}]", ref.sigmas_per_stage[i][j], ex.sigmas_per_stage[i][j], 4 * EPS64)
        for n in (1, 2, 7):
            (rt, rs), (xt, xs) = ref.set_timesteps(n, i), ex.set_timesteps(n, i)
            assert len(rt) == len(xt) == n and len(rs) == len(xs) == n + 1
            ends = max(tps_bound(0), tps_bound(T - 1))  # the bounds of its two ends, derived above
            for j in range(n):  # float64 linspace between float32-derived ends
                check(f"set_timesteps({n},{i}).t[{j}]", rt[j], xt[j],
                      ends + 8 * EPS64 * (abs(float(tx[0])) + abs(float(tx[-1]))))
                check(f"set_timesteps({n},{i}).s[{j}]", rs[j], xs[j], 8 * EPS64)
            assert rs[-1] == 0 and xs[-1] == 0
    return worst


@pytest.mark.parametrize("cfg", CONFIGS, ids=[f"K{c['stages']}-shift{c['shift']}-g{c['gamma']}" for c in CONFIGS])
def test_exact_and_reference_differ_only_by_float32_rounding(cfg):
    worst = _check_exact_vs_reference(cfg)
    assert worst <= 1.0


def test_exact_and_reference_do_differ_by_float32_rounding():
    # the comparison above is not vacuous: the reference really is float32-rounded
    ref, ex = PyramidSchedule(), PyramidSchedule(mode="exact")
    assert ref.end_sigmas[0] != float(ex.end_sigmas[0])
    assert abs(ref.end_sigmas[0] - float(ex.end_sigmas[0])) <= U32 * float(ex.end_sigmas[0])  # one rounding


@settings(max_examples=12, deadline=None, derandomize=True)  # derandomized: reproducible runs
@given(
    T=st.integers(8, 300),
    K=st.integers(1, 4),
    cuts=st.lists(st.fractions(Fraction(1, 20), Fraction(19, 20), max_denominator=40), min_size=3, max_size=3, unique=True),
    shift=st.fractions(Fraction(1, 5), Fraction(8), max_denominator=10),
    gamma=st.fractions(Fraction(1, 50), Fraction(1, 3), max_denominator=60),
)
def test_exact_and_reference_agree_on_untried_configurations(T, K, cuts, shift, gamma):
    inner = sorted(cuts)[: K - 1]
    rng = [Fraction(0), *inner, Fraction(1)]
    cfg = dict(num_train_timesteps=T, shift=str(shift), stages=K, stage_range=[str(v) for v in rng], gamma=str(gamma))
    _check_exact_vs_reference(cfg)


# --------------------------------------------------------------------------------------
# structure of the schedule
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize("mode", ["reference", "exact"])
def test_stage_chain_and_windows(mode):
    s = PyramidSchedule(shift="3", stages=4, stage_range=["0", "1/5", "1/2", "4/5", "1"], gamma="1/4", mode=mode)
    for i in range(1, 4):
        assert s.ori_start_sigmas[i] == s.end_sigmas[i - 1]          # the jump starts where the last stage ended
        assert s.start_sigmas[i] > s.ori_start_sigmas[i]             # rolled back towards noise
        assert s.timestep_ratios[i][0] == s.timestep_ratios[i - 1][1]
        alpha, beta = s.renoise_coefficients(i)
        assert 0 < alpha < 1 and beta > 0
    assert s.end_sigmas[-1] == 0 and s.timestep_ratios[0][0] == 0 and s.timestep_ratios[-1][1] == 1
    assert s.global_sigma(2, 1) == s.start_sigmas[2] and s.global_sigma(2, 0) == s.end_sigmas[2]
    ts, sg = s.set_timesteps(1, 3)
    assert len(ts) == 1 and list(sg) == [1, 0] and ts[0] == s.timesteps_per_stage[3][0]


@pytest.mark.parametrize("mode", ["reference", "exact"])
def test_stage_sequences_behave_like_lists(mode):
    s = PyramidSchedule(num_train_timesteps=50, shift="2", mode=mode)
    assert len(s.timesteps_per_stage) == 3 and len(s.timesteps_per_stage[-1]) == 50
    for i in range(3):
        ts, ls = s.timesteps_per_stage[i], s.sigmas_per_stage[i]
        full = list(ts)
        assert len(full) == 50 and full[-1] == ts[-1] == ts[49] and full[0] == ts[0] and list(ts[10:12]) == full[10:12]
        (t0, t1), (l0, l1) = s._stage_ends(i)  # the shortcut used by set_timesteps and the command line
        assert (t0, t1, l0, l1) == (ts[0], ts[-1], ls[0], ls[-1])
    with pytest.raises(IndexError):
        s.timesteps_per_stage[3]


# --------------------------------------------------------------------------------------
# exact reading of numbers
# --------------------------------------------------------------------------------------
def test_simplest_rational_of_common_floats():
    for q in (Fraction(1, 3), Fraction(2, 3), Fraction(1, 10), Fraction(1, 7), Fraction(22, 7), Fraction(0)):
        assert simplest_rational(float(q)) == q


@given(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False))
def test_simplest_rational_rounds_back_and_is_no_longer_than_the_binary_value(x):
    q = simplest_rational(x)
    assert float(q) == x and q.denominator <= Fraction(x).denominator


def test_exact_value_accepts_text_fractions_and_floats():
    assert exact_value("1/3") == sympy.Rational(1, 3) and exact_value("0.1") == sympy.Rational(1, 10)
    assert exact_value(1 / 3) == sympy.Rational(1, 3) and exact_value(Fraction(2, 7)) == sympy.Rational(2, 7)
    e = PyramidSchedule(mode="exact", gamma=1 / 3, stage_range=[0, 1 / 3, 2 / 3, 1])
    assert e.gamma == sympy.Rational(1, 3) and e.stage_range[1] == sympy.Rational(1, 3)


# --------------------------------------------------------------------------------------
# input validation: one sentence naming the value, the allowed range and a fix
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs,words", [
    (dict(gamma=0.5), ["gamma 0.5", "(0, 1/3]", "2x2 blocks"]),
    (dict(gamma="1/2", mode="exact"), ["gamma 1/2", "(0, 1/3]"]),
    (dict(gamma=0.2, block=8), ["gamma 0.2", "(0, 1/7]", "2x2x2"]),
    (dict(gamma=0), ["gamma 0", "(0, 1/3]"]),
    (dict(gamma=-1 / 3), ["(0, 1/3]"]),
    (dict(shift=0), ["shift 0", "> 0"]),
    (dict(shift=float("inf")), ["shift inf", "finite"]),
    (dict(stage_range=[0, 0.5, 1]), ["3 entries", "need 4"]),
    (dict(stage_range=[0, 0.5, 0.4, 1]), ["decreases", "0.5"]),
    (dict(stage_range=[-0.1, 0.4, 0.6, 1]), ["-0.1", "outside [0, 1]"]),
    (dict(stage_range=[0, 0.4, 0.6, 1.5]), ["1.5", "outside [0, 1]"]),
    (dict(stage_range=[0, 0.4, 1, 1]), ["stage 2", "end of the table"]),
    (dict(gamma="-1/3"), ["gamma -1/3", "gamma_c = -gamma", "give 1/3"]),
    (dict(numpy=3), ["numpy 3", "1 (NumPy 1.x"]),
    (dict(stage_range="0,1/3,2/3,1"), ["not a list"]),
    (dict(stages=0, stage_range=[0]), ["stages 0", "1..64"]),
    (dict(stages=10**20), ["1..64"]),
    (dict(shift="1e999999999"), ["shift: '1e999999999'", "exponent"]),
    (dict(shift=1e39), ["float32", "shift < 1e30"]),
    (dict(gamma=5e-324), ["too small"]),
    (dict(gamma="abc"), ["gamma: 'abc' is not a number"]),
    (dict(num_train_timesteps=2**24 + 1), ["1..16777216"]),
    (dict(stages=2.5), ["stages 2.5", "not an integer"]),
    (dict(num_train_timesteps=0), ["num_train_timesteps 0"]),
    (dict(mode="float"), ["mode 'float'"]),
])
def test_bad_configuration_is_one_clear_sentence(kwargs, words):
    with pytest.raises(InputError) as info:
        PyramidSchedule(**kwargs)
    msg = str(info.value)
    assert "\n" not in msg and msg.endswith(".")
    for w in words:
        assert w in msg, (w, msg)


@pytest.mark.parametrize("call,words", [
    (lambda s: s.set_timesteps(0, 0), ["num_inference_steps 0", "1..10000000"]),
    (lambda s: s.set_timesteps(10, 3), ["stage 3", "0..2"]),
    (lambda s: s.set_timesteps(2.5, 0), ["not an integer"]),
    (lambda s: s.renoise_coefficients(0), ["stage 0", "no jump"]),
    (lambda s: s.renoise_coefficients(-1), ["stage -1"]),
])
def test_bad_query_is_one_clear_sentence(call, words):
    with pytest.raises(InputError) as info:
        call(PyramidSchedule())
    for w in words:
        assert w in str(info.value)
