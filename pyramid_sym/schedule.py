"""The whole reference scheduler (code convention), exact and reference-float: ``PyramidSchedule``.

Source: the reference implementation's scheduler ``PyramidFlowMatchEulerDiscreteScheduler``
(construction, ``set_timesteps``) and the re-noising coefficients of ``generate_one_unit``,
described as mathematics in the project's reference notes, section 2.

**Convention: code.**  ``sigma`` is the *noise* level (sigma = 1 - t, paper t = signal
level), ``gamma`` is the code's *positive* correlation gamma_c in (0, 1/(n-1)] for blocks
of n entries, and stages carry the code index ``i`` (i = 0 is the coarsest, first stage;
the paper's stage is k = K-1-i, see :func:`pyramid_sym.conventions.paper_stage_index`).

What the scheduler computes, with T = ``num_train_timesteps`` and K = ``stages``:

* the global table: u_j = (T - j)/T for j = 0..T-1, the SD3 shift
  sigma_j = shift u_j / (1 + (shift - 1) u_j), and timesteps_j = T sigma_j;
* stage i covers table indices a_i = floor(stage_range[i] T) and
  b_i = min(floor(stage_range[i+1] T), T); its original start sigma is sigma_{a_i} (kept as
  ``ori_start_sigmas[i]``), its end sigma is sigma_{b_i}, or 0 when b_i = T;
* for i > 0 the start is corrected (rolled back towards noise): with e = 1 - sigma_{a_i},
  r = sqrt(1 + 1/gamma_c) and alpha = 1/(r (1 - e) + e), the corrected start (a signal
  level, the paper's s_k) is alpha e and the stage's start sigma is 1 - alpha e;
* the flow length of stage i is d_i = start_i - end_i; the timestep ratio window of stage i
  is (sum_{j<i} d_j / D, sum_{j<=i} d_j / D), D = sum_j d_j, with 0 and 1 at the two ends;
* timesteps_per_stage[i]: T points from timesteps[floor(r0 T)] towards
  timesteps[min(floor(r1 T), T - 1)] (a linspace of T + 1 points without its last one);
  sigmas_per_stage[i]: the stage-local sigmas 1, 1 - 1/T, ..., 1/T (they run 1 -> 0 in
  every stage; the global noise level is end + (start - end) sigma_local);
* ``set_timesteps(n, i)``: n timesteps from the first to the last of timesteps_per_stage[i],
  and n stage-local sigmas from 1 to 1/T followed by a 0;
* re-noising at the jump into stage i > 0: alpha (multiplies the nearest-upsampled latent)
  and beta = alpha (1 - e) / sqrt(gamma_c) (multiplies the block noise).

Two modes.

``mode="reference"`` reproduces the reference scheduler's floating-point arithmetic with
NumPy: the global table is float32 (each of u_j, the shift's products, sum and quotient,
and T sigma_j rounded to float32; the scalars shift and shift - 1 rounded to float32 before
they meet the table), timesteps_per_stage is a float32 linspace (its endpoints are float32
table entries; NumPy >= 2 keeps such a linspace in float32), and everything else is float64
(Python floats: the corrected start from the float32 table entry, the ratios, the indices
int(r T), set_timesteps, the stage-local sigmas, alpha and beta).  That is why the end sigma
of the first default stage is 0.6669999957084656 and not 2/3 (nor 0.667).

``mode="exact"`` computes the same schedule in exact arithmetic: SymPy Rationals for the
table, the windows and the linspaces (the table indices are integers, so every timestep is
rational), radicals only through r = sqrt(1 + 1/gamma_c) (rational again at gamma_c = 1/3,
where r = 2).  Exact inputs: ints, ``fractions.Fraction``, SymPy Rationals and strings such as
``"1/3"`` or ``"0.1"`` (decimal text read exactly).  A Python float is read as the *simplest*
rational that rounds to that same float (1/3 -> 1/3, 0.1 -> 1/10), never as its binary
expansion: the float the user typed stands for the fraction they meant.  Indices are exact
floors; when stage_range[i] T (or a ratio times T) lies within float64 rounding of an
integer, the reference scheduler's int() can pick the neighbouring table entry (e.g.
0.29 * 100 = 28.999999999999996 in float64) - the exact mode does not reproduce that.
"""

from __future__ import annotations

import math
import numbers
import operator
import re
from collections.abc import Sequence
from fractions import Fraction

import numpy as np
import sympy

from .conventions import BLOCK_2X2, gamma_c_interval, paper_stage_index
from .domain import parse_number
from .errors import InputError
from .formulas.code import alpha_of, beta_of, start_sigma_of

__all__ = [
    "PyramidSchedule", "MODES", "REFERENCE", "EXACT", "MAX_STAGES", "StageSequence", "ExactLinspace",
    "simplest_rational", "to_exact", "block_label", "sd3_shift", "global_sigma_of", "stage_ratios",
    "linspace_float32", "linspace_float64",
]

REFERENCE = "reference"
EXACT = "exact"
MODES = (REFERENCE, EXACT)
_MAX_T = 2**24  # every integer 1..T is a float32, so the float32 table starts from exact (T - j)/T
MAX_STAGES = _MAX_STAGES = 64  # pyramids have a handful of stages (the reference uses 3); keeps exact mode quick
_MAX_STEPS = 10**7  # far beyond any sampler; keeps the inference grid within memory
_MAX_EXPONENT = 400  # decimal exponents beyond this are no schedule parameter (and 10**huge would not finish)
_EXPONENT = re.compile(r"[eE]\s*([+-]?\d+)")


# --------------------------------------------------------------------------------------
# exact reading of user numbers
# --------------------------------------------------------------------------------------
def _simplest_in_open(lo: Fraction, hi: Fraction) -> Fraction:
    """The rational with the smallest denominator strictly inside (lo, hi), 0 <= lo < hi (continued fractions)."""
    fl = lo.numerator // lo.denominator
    if fl + 1 < hi:  # an integer lies strictly inside
        return Fraction(fl + 1) if fl + 1 > lo else Fraction(fl)
    if lo == fl:  # (fl, hi) with hi <= fl + 1: fl + 1/y, y in (1/(hi - fl), oo)
        y_lo = 1 / (hi - fl)
        return fl + 1 / Fraction(y_lo.numerator // y_lo.denominator + 1)
    # fl < lo < hi <= fl + 1: fl + 1/y with y in (1/(hi - fl), 1/(lo - fl))
    return fl + 1 / _simplest_in_open(1 / (hi - fl), 1 / (lo - fl))


def simplest_rational(x: float) -> Fraction:
    """The simplest rational (smallest denominator) that rounds to the float ``x`` (1/3 -> 1/3, 0.1 -> 1/10)."""
    if not math.isfinite(x):
        raise InputError(f"{x!r} is not a finite number; give a finite value such as 1/3.")
    if x == 0:
        return Fraction(0)
    if x < 0:
        return -simplest_rational(-x)
    fx = Fraction(x)
    lo = (fx + Fraction(math.nextafter(x, 0.0))) / 2
    hi = (fx + Fraction(math.nextafter(x, math.inf))) / 2
    q = _simplest_in_open(lo, hi)
    return q if float(q) == x else fx


def to_exact(value, name: str = "value") -> sympy.Rational:
    """Read ``value`` as an exact SymPy Rational (int, Fraction, Rational, decimal/fraction text, float: simplest)."""
    if isinstance(value, bool):
        raise InputError(f"{name} {value!r} is a boolean, not a number; give a number such as 1/3.")
    if isinstance(value, sympy.Basic):
        if value.is_Rational:
            return sympy.Rational(value)
        raise InputError(f"{name} {value} is not a rational number; give an exact fraction such as 1/3.")
    if isinstance(value, str):
        for m in _EXPONENT.finditer(value):
            if abs(int(m.group(1))) > _MAX_EXPONENT:
                raise InputError(f"{name} {value} has a decimal exponent beyond \u00b1{_MAX_EXPONENT}; "
                                 f"give a value such as 1/3 or 2.5e-3.")
        try:
            return parse_number(value)
        except InputError:
            raise InputError(f"{name} {value!r} is not a number; write an integer, a decimal or a fraction "
                             f"such as 1/3.") from None
    if isinstance(value, numbers.Rational):  # int, Fraction, numpy integers
        return sympy.Rational(int(value.numerator), int(value.denominator))
    if isinstance(value, numbers.Real):  # float, numpy floats
        q = simplest_rational(float(value))
        return sympy.Rational(q.numerator, q.denominator)
    raise InputError(f"{name} {value!r} is not a number; give an integer, a decimal or a fraction such as 1/3.")


def _to_float(value, name: str) -> float:
    """Read ``value`` as the float the reference scheduler would hold (text and fractions correctly rounded)."""
    if isinstance(value, (float, np.floating)) and not isinstance(value, bool):
        x = float(value)
    else:
        q = to_exact(value, name)
        x = float(Fraction(int(q.p), int(q.q)))
    if not math.isfinite(x):
        raise InputError(f"{name} {value!r} is not a finite number; give a finite value.")
    return x


def _fmt(q) -> str:
    return str(q)


def _shown(value) -> str:
    """A user value as they wrote it: text and SymPy numbers as is, anything else by repr."""
    return value if isinstance(value, str) else str(value) if isinstance(value, sympy.Basic) else repr(value)


def block_label(block: int) -> str:
    """Words for a block of ``block`` entries: 4 -> '2x2 blocks', 8 -> '2x2x2 blocks'."""
    return {4: "2x2 blocks", 8: "2x2x2 blocks", 2: "blocks of 2 entries"}.get(block, f"blocks of {block} entries")


# --------------------------------------------------------------------------------------
# the pieces of the schedule, each usable on floats or on SymPy expressions
# --------------------------------------------------------------------------------------
def sd3_shift(u, shift):
    """SD3 time shift, code convention (noise level): sigma' = shift u / (1 + (shift - 1) u)."""
    return shift * u / (1 + (shift - 1) * u)


def global_sigma_of(sigma_local, start_sigma, end_sigma):
    """Code convention: the global noise level at stage-local sigma, end + (start - end) sigma_local (1 -> start, 0 -> end)."""
    return end_sigma + (start_sigma - end_sigma) * sigma_local


def stage_ratios(distances: Sequence) -> list[tuple]:
    """Timestep ratio windows from the stage flow lengths d_i: (sum_{j<i} d_j / D, sum_{j<=i} d_j / D).

    The first window starts at 0 and the last ends at 1 (set, not computed), as in the
    reference scheduler; works on floats and on SymPy expressions alike.
    """
    K = len(distances)
    total = sum(distances[1:], distances[0])
    out = []
    for i in range(K):
        lo = 0 if i == 0 else sum(distances[1:i], distances[0]) / total
        hi = 1 if i == K - 1 else sum(distances[1:i + 1], distances[0]) / total
        out.append((lo, hi))
    return out


def linspace_float32(start, stop, num: int, at=None) -> np.ndarray:
    """NumPy's linspace evaluated in float32 (its rule: start + j * ((stop - start)/(num - 1)), last = stop).

    This is what ``numpy.linspace`` does, under NumPy >= 2, when both ends are float32:
    the reference scheduler's timesteps_per_stage.  Every operation is float32 here
    whatever the NumPy version.  ``at``: only the points of these indices (same arithmetic).
    """
    start, stop = np.float32(start), np.float32(stop)
    j = np.arange(num) if at is None else np.asarray(at, dtype=np.int64) % num
    if num == 1:
        return np.full(j.shape, start, dtype=np.float32)
    step = np.float32(np.float32(stop - start) / np.float32(num - 1))
    y = (j.astype(np.float32) * step + start).astype(np.float32, copy=False)
    y[j == num - 1] = stop
    return y


class StageSequence(Sequence):
    """One item per stage, built on first access (a stage's T values need not exist until asked for)."""

    def __init__(self, build, count: int):
        self._build, self._count, self._cache = build, count, {}

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(self._count))]
        i = operator.index(i)
        if i < 0:
            i += self._count
        if not 0 <= i < self._count:
            raise IndexError(f"stage {i} is outside 0..{self._count - 1}")
        if i not in self._cache:
            self._cache[i] = self._build(i)
        return self._cache[i]

    def __repr__(self) -> str:
        return f"StageSequence({self._count} stages)"


class ExactLinspace(Sequence):
    """Exact linspace as a sequence: num points start + (stop - start) j / div, computed on access."""

    def __init__(self, start, stop, num: int, endpoint: bool = True):
        self.start, self.stop, self.num = sympy.sympify(start), sympy.sympify(stop), int(num)
        self.div = self.num - 1 if endpoint else self.num

    def __len__(self) -> int:
        return self.num

    def __getitem__(self, j):
        if isinstance(j, slice):
            return [self[k] for k in range(*j.indices(self.num))]
        j = operator.index(j)
        if j < 0:
            j += self.num
        if not 0 <= j < self.num:
            raise IndexError(f"index {j} is outside 0..{self.num - 1}")
        if self.div == 0:
            return self.start
        return self.start + (self.stop - self.start) * sympy.Rational(j, self.div)

    def __repr__(self) -> str:
        return f"ExactLinspace({self.start}, {self.stop}, {self.num}, div={self.div})"


def linspace_float64(start, stop, num: int, at=None) -> np.ndarray:
    """NumPy's linspace in float64 (start + j * ((stop - start)/(num - 1)), last = stop; num = 1 gives [start]).

    ``at``: only the points of these indices (same arithmetic, element by element).
    """
    start, stop = float(start), float(stop)
    j = np.arange(num) if at is None else np.asarray(at, dtype=np.int64) % num
    if num == 1:
        return np.full(j.shape, start, dtype=np.float64)
    step = (stop - start) / (num - 1)
    y = j.astype(np.float64) * step + start
    y[j == num - 1] = stop
    return y


def _exact_linspace(start, stop, num: int, endpoint: bool = True) -> list:
    """Exact linspace: num points start + (stop - start) j / div, div = num - 1 (endpoint) or num."""
    div = num - 1 if endpoint else num
    if div == 0:
        return [start]
    return [start + (stop - start) * sympy.Rational(j, div) for j in range(num)]


def _canon(expr):
    """A canonical closed form: denominators rationalised, e.g. a + b sqrt(5) with a, b rational."""
    expr = sympy.sympify(expr)
    if expr.is_Rational:
        return expr
    return sympy.expand(sympy.radsimp(sympy.together(expr)))


# --------------------------------------------------------------------------------------
# the scheduler
# --------------------------------------------------------------------------------------
class PyramidSchedule:
    """The reference scheduler, code convention (sigma = noise level, gamma = gamma_c > 0, code stage index i).

    ``PyramidSchedule(num_train_timesteps=1000, shift=1.0, stages=3,
    stage_range=None, gamma=1/3, *, mode="reference", block=4)``; ``stage_range=None`` means
    K equal parts, (0, 1/3, 2/3, 1) for K = 3, the reference default.

    Attributes indexed by the code's stage index i (i = 0 coarsest): the lists
    ``start_sigmas``, ``end_sigmas``, ``ori_start_sigmas`` (noise levels) and
    ``timestep_ratios`` (pairs); the sequences ``timesteps_per_stage`` and
    ``sigmas_per_stage`` (T values per stage, each stage built on first access); the
    global table ``sigmas`` and ``timesteps`` (T values).  Reference mode holds Python
    floats and NumPy arrays (float32 table and timesteps_per_stage, float64
    sigmas_per_stage); exact mode holds SymPy numbers, and per stage an
    :class:`ExactLinspace` (exact points computed on access).
    """

    def __init__(self, num_train_timesteps=1000, shift=1.0, stages=3, stage_range=None,
                 gamma=Fraction(1, 3), *, mode: str = REFERENCE, block: int = BLOCK_2X2):
        if mode not in MODES:
            raise InputError(f"mode {mode!r} is not one of {', '.join(MODES)}; use mode='reference' or mode='exact'.")
        self.mode = mode
        self.block = self._check_block(block)
        self.stages = self._check_int(stages, "stages", 1, _MAX_STAGES,
                                      "pyramids have a few stages; use 3 (the reference default)")
        self.num_train_timesteps = self._check_int(
            num_train_timesteps, "num_train_timesteps", 1, _MAX_T, "use 1000 (the reference default)")
        if stage_range is None:  # K equal parts: (0, 1/3, 2/3, 1) for the default K = 3
            stage_range = [Fraction(j, self.stages) for j in range(self.stages + 1)]
        exact_range = self._check_stage_range(stage_range)
        exact_gamma = self._check_gamma(gamma)
        exact_shift = self._check_shift(shift)
        if mode == EXACT:
            self.stage_range = exact_range
            self.gamma = exact_gamma
            self.shift = exact_shift
            self._build_exact()
        else:
            self.stage_range = [_to_float(v, "stage_range entry") for v in stage_range]
            self.gamma = _to_float(gamma, "gamma")
            self.shift = _to_float(shift, "shift")
            self._check_float_inputs()
            self._build_reference()

    # -- validation ------------------------------------------------------------------
    @staticmethod
    def _check_block(block) -> int:
        if isinstance(block, bool) or not isinstance(block, numbers.Integral) or block < 2:
            raise InputError(f"block {block!r} is not a block size; give the entries per up-sampling block, n >= 2 (4 for 2x2).")
        return int(block)

    @staticmethod
    def _check_int(value, name, lo, hi, fix) -> int:
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            if isinstance(value, numbers.Real) and float(value).is_integer() and not isinstance(value, bool):
                value = int(value)
            else:
                raise InputError(f"{name} {value!r} is not an integer; {fix}.")
        value = int(value)
        if value < lo or (hi is not None and value > hi):
            rng = f">= {lo}" if hi is None else f"in {lo}..{hi}"
            raise InputError(f"{name} {value} is outside the allowed range ({rng}); {fix}.")
        return value

    def _check_stage_range(self, stage_range) -> list:
        K = self.stages
        if isinstance(stage_range, (str, bytes)) or not isinstance(stage_range, Sequence):
            raise InputError(f"stage_range {stage_range!r} is not a list of numbers; give {K + 1} numbers from 0 to 1, e.g. 0,1/3,2/3,1.")
        if len(stage_range) != K + 1:
            raise InputError(
                f"stage_range has {len(stage_range)} entries but {K} stages need {K + 1}; "
                f"give {K + 1} increasing numbers from 0 to 1, e.g. {', '.join(str(sympy.Rational(j, K)) for j in range(K + 1))}.")
        vals = [to_exact(v, "stage_range entry") for v in stage_range]
        shown = [_shown(v) for v in stage_range]
        if vals[0] != 0 or vals[-1] != 1:
            raise InputError(
                f"stage_range runs from {shown[0]} to {shown[-1]} but must run from 0 to 1; make the first entry 0 and the last 1.")
        for j in range(K):
            if not vals[j] < vals[j + 1]:
                raise InputError(
                    f"stage_range is not strictly increasing ({shown[j]} then {shown[j + 1]} at entries {j} and {j + 1}); "
                    f"give {K + 1} increasing numbers from 0 to 1.")
        return vals

    def _check_gamma(self, gamma):
        iv = gamma_c_interval(self.block)
        if isinstance(gamma, (float, np.floating)) and self.mode == REFERENCE:
            # the float itself is what the reference scheduler uses: check its exact binary value
            g = sympy.Rational(*Fraction(float(gamma)).as_integer_ratio()) if math.isfinite(float(gamma)) else None
        else:
            g = to_exact(gamma, "gamma")
        if g is None or not iv.contains(g):
            raise InputError(
                f"gamma {_shown(gamma)} is outside {iv} for {block_label(self.block)}; the code's block covariance "
                f"(1 + gamma) I - gamma J is positive semidefinite only there, so use a value in {iv} such as {iv.hi}.")
        return g

    def _check_shift(self, shift):
        if isinstance(shift, (float, np.floating)) and not math.isfinite(float(shift)):
            raise InputError(f"shift {shift!r} is not a finite number; give shift > 0, e.g. 1 (no shift) or 3.")
        s = to_exact(shift, "shift")
        if not s > 0:
            raise InputError(f"shift {_shown(shift)} is not positive; the SD3 shift needs shift > 0, e.g. 1 (no shift) or 3.")
        return s

    def _check_float_inputs(self):
        """Reference mode: the float stage_range must stay strictly increasing once rounded."""
        r = self.stage_range
        for j in range(self.stages):
            if not r[j] < r[j + 1]:
                raise InputError(f"stage_range entries {j} and {j + 1} round to the same float {r[j]!r}; space them further apart.")
        with np.errstate(over="ignore", under="ignore"):
            s32, m32 = np.float32(self.shift), np.float32(self.shift - 1)
        if not (np.isfinite(s32) and np.isfinite(m32) and s32 > 0):
            raise InputError(f"shift {self.shift!r} does not fit the reference's float32 table (it rounds to {s32}); "
                             f"give 1e-30 < shift < 1e30, e.g. 3.")
        if not math.isfinite(1 / self.gamma):
            raise InputError(f"gamma {self.gamma!r} is too small for float64 (1/gamma overflows); give gamma >= 1e-300.")

    def _check_stage(self, stage) -> int:
        if isinstance(stage, bool) or not isinstance(stage, numbers.Integral) or not 0 <= stage < self.stages:
            raise InputError(f"stage {stage!r} is outside 0..{self.stages - 1} (code index, 0 = coarsest); pick one of them.")
        return int(stage)

    # -- reference mode --------------------------------------------------------------
    def _build_reference(self):
        T, K = self.num_train_timesteps, self.stages
        f32 = np.float32
        # global table, float32 throughout: u_j = (T - j)/T, then the SD3 shift, then T sigma_j
        u = np.arange(T, 0, -1, dtype=f32) / f32(T)
        with np.errstate(all="ignore"):  # a degenerate table is reported below as one sentence
            sig = (f32(self.shift) * u) / (f32(1) + f32(self.shift - 1) * u)
        self.sigmas = sig.astype(f32, copy=False)
        self.timesteps = (self.sigmas * f32(T)).astype(f32, copy=False)
        # stage windows: float64 from float32 table entries
        r = math.sqrt(1 + 1 / self.gamma)
        self.start_sigmas, self.end_sigmas, self.ori_start_sigmas = [], [], []
        self._alpha, self._beta = {}, {}
        for i in range(K):
            a = max(int(self.stage_range[i] * T), 0)
            b = min(int(self.stage_range[i + 1] * T), T)
            sigma_a = float(self.sigmas[a])
            end = float(self.sigmas[b]) if b < T else 0.0
            start = sigma_a
            if i > 0:
                e = 1 - sigma_a  # signal level of the previous stage's end
                alpha = 1 / (r * (1 - e) + e)
                self._alpha[i] = alpha
                self._beta[i] = alpha * (1 - e) / math.sqrt(self.gamma)
                start = start_sigma_of(sigma_a, self.gamma, math)  # formulas.code: the reference's own order
            self.ori_start_sigmas.append(sigma_a)
            self.start_sigmas.append(start)
            self.end_sigmas.append(end)
        d = [s - e for s, e in zip(self.start_sigmas, self.end_sigmas)]
        if not all(math.isfinite(x) and x > 0 for x in d):
            raise InputError(
                f"shift {_shown(self.shift)} collapses the float32 sigma table (a stage has no length once "
                "rounded); give a shift between 1e-6 and 1e6, e.g. 1 (no shift) or 3.")
        self.timestep_ratios = [(float(lo), float(hi)) for lo, hi in stage_ratios(d)]
        # each stage: a float32 linspace of T + 1 points between two float32 table entries, last point dropped
        self._tps_ends = []
        for lo_r, hi_r in self.timestep_ratios:
            self._tps_ends.append((self.timesteps[int(lo_r * T)], self.timesteps[min(int(hi_r * T), T - 1)]))
        self.timesteps_per_stage = StageSequence(lambda i: linspace_float32(*self._tps_ends[i], T + 1)[:-1], K)
        self.sigmas_per_stage = StageSequence(lambda i: linspace_float64(1.0, 0.0, T + 1)[:-1], K)

    def _stage_ends(self, i: int):
        """First and last of timesteps_per_stage[i] and of sigmas_per_stage[i], without building the arrays."""
        T = self.num_train_timesteps
        if self.mode == EXACT:
            ts, ls = self.timesteps_per_stage[i], self.sigmas_per_stage[i]
            return (ts[0], ts[-1]), (ls[0], ls[-1])
        t = linspace_float32(*self._tps_ends[i], T + 1, at=[0, T - 1])
        loc = linspace_float64(1.0, 0.0, T + 1, at=[0, T - 1])
        return (t[0], t[1]), (loc[0], loc[1])

    # -- exact mode ------------------------------------------------------------------
    def _table_sigma(self, j: int):
        T = self.num_train_timesteps
        return sd3_shift(sympy.Rational(T - j, T), self.shift)

    def _build_exact(self):
        T, K, g = self.num_train_timesteps, self.stages, self.gamma
        self._alpha, self._beta = {}, {}
        self.start_sigmas, self.end_sigmas, self.ori_start_sigmas = [], [], []
        for i in range(K):
            a = max(int(sympy.floor(self.stage_range[i] * T)), 0)
            b = min(int(sympy.floor(self.stage_range[i + 1] * T)), T)
            sigma_a = self._table_sigma(a)
            end = self._table_sigma(b) if b < T else sympy.Integer(0)
            start = sigma_a
            if i > 0:
                start = _canon(start_sigma_of(sigma_a, g))
                self._alpha[i] = _canon(alpha_of(sigma_a, g))
                self._beta[i] = _canon(beta_of(sigma_a, g))
            self.ori_start_sigmas.append(sigma_a)
            self.start_sigmas.append(start)
            self.end_sigmas.append(end)
        d = [s - e for s, e in zip(self.start_sigmas, self.end_sigmas)]
        self.timestep_ratios = [(_canon(lo), _canon(hi)) for lo, hi in stage_ratios(d)]
        self._tps_ends = []
        for lo_r, hi_r in self.timestep_ratios:
            j_max = int(sympy.floor(lo_r * T))
            j_min = min(int(sympy.floor(hi_r * T)), T - 1)
            self._tps_ends.append((T * self._table_sigma(j_max), T * self._table_sigma(j_min)))
        self.timesteps_per_stage = StageSequence(lambda i: ExactLinspace(*self._tps_ends[i], T, endpoint=False), K)
        self.sigmas_per_stage = StageSequence(
            lambda i: ExactLinspace(sympy.Integer(1), sympy.Integer(0), T, endpoint=False), K)

    @property
    def sigmas(self):
        """The global table sigma_j, j = 0..T-1 (exact mode: built on first use)."""
        if "_sigmas" not in self.__dict__:
            self.__dict__["_sigmas"] = [self._table_sigma(j) for j in range(self.num_train_timesteps)]
        return self.__dict__["_sigmas"]

    @sigmas.setter
    def sigmas(self, value):
        self.__dict__["_sigmas"] = value

    @property
    def timesteps(self):
        """The global table of timesteps T sigma_j, j = 0..T-1."""
        if "_timesteps" not in self.__dict__:
            self.__dict__["_timesteps"] = [self.num_train_timesteps * s for s in self.sigmas]
        return self.__dict__["_timesteps"]

    @timesteps.setter
    def timesteps(self, value):
        self.__dict__["_timesteps"] = value

    # -- queries ---------------------------------------------------------------------
    def set_timesteps(self, num_inference_steps, stage):
        """Inference grid of stage ``stage`` (code index): ``(timesteps, sigmas)``.

        ``timesteps``: n points from the first to the last of timesteps_per_stage[stage];
        ``sigmas``: n stage-local sigmas from 1 to the last stage-local sigma (1/T),
        followed by a 0 (n + 1 values).  Pure: unlike the reference scheduler, nothing of
        the schedule is overwritten.  Reference mode: float64 NumPy arrays; exact: lists.
        """
        n = self._check_int(num_inference_steps, "num_inference_steps", 1, _MAX_STEPS,
                            "give a step count such as 20")
        i = self._check_stage(stage)
        (t_first, t_last), (l_first, l_last) = self._stage_ends(i)
        if self.mode == EXACT:
            return _exact_linspace(t_first, t_last, n), _exact_linspace(l_first, l_last, n) + [sympy.Integer(0)]
        timesteps = linspace_float64(float(t_first), float(t_last), n)
        sigmas = np.concatenate([linspace_float64(float(l_first), float(l_last), n), np.zeros(1)])
        return timesteps, sigmas

    def renoise_coefficients(self, stage):
        """Re-noising at the jump into ``stage`` (code index >= 1): ``(alpha, beta)``.

        x <- alpha Up(x) + beta n, n the block noise with covariance (1 + gamma) I - gamma J
        per block; alpha = 1/(r (1 - e) + e), beta = alpha (1 - e)/sqrt(gamma), r = sqrt(1 + 1/gamma),
        e = 1 - ori_start_sigmas[stage] (code convention).
        """
        i = self._check_stage(stage)
        if i == 0:
            raise InputError("stage 0 is the first stage and has no jump into it; ask for a stage 1.."
                             f"{self.stages - 1} (code index).")
        return self._alpha[i], self._beta[i]

    def global_sigma(self, stage, sigma_local):
        """Global noise level at stage-local sigma (code convention): end + (start - end) sigma_local."""
        i = self._check_stage(stage)
        return global_sigma_of(sigma_local, self.start_sigmas[i], self.end_sigmas[i])

    def stage_summary(self, stage) -> dict:
        """What one stage means: indices, sigma window, corrected start, rollback, timestep window, alpha, beta."""
        i = self._check_stage(stage)
        ts, _ = self._stage_ends(i)
        alpha, beta = (None, None) if i == 0 else self.renoise_coefficients(i)
        return {
            "code_stage": i,
            "paper_stage": paper_stage_index(i, self.stages),
            "start_sigma": self.start_sigmas[i],
            "end_sigma": self.end_sigmas[i],
            "ori_start_sigma": self.ori_start_sigmas[i],
            "rollback": self.start_sigmas[i] - self.ori_start_sigmas[i],
            "timestep_ratio": tuple(self.timestep_ratios[i]),
            "timestep_window": (ts[0], ts[-1]),
            "alpha": alpha,
            "beta": beta,
        }

    def config(self) -> dict:
        """The configuration as given (floats in reference mode, exact numbers as text in exact mode)."""
        conv = (lambda v: v) if self.mode == REFERENCE else _fmt
        return {
            "num_train_timesteps": self.num_train_timesteps,
            "shift": conv(self.shift),
            "stages": self.stages,
            "stage_range": [conv(v) for v in self.stage_range],
            "gamma": conv(self.gamma),
            "block": self.block,
            "mode": self.mode,
        }

    def __repr__(self) -> str:
        c = self.config()
        return (f"PyramidSchedule(num_train_timesteps={c['num_train_timesteps']}, shift={c['shift']}, "
                f"stages={c['stages']}, stage_range={c['stage_range']}, gamma={c['gamma']}, mode={self.mode!r})")
