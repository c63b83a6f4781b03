"""The whole reference scheduler (code convention), exact and reference-float: ``PyramidSchedule``.

Source: the reference implementation's scheduler ``PyramidFlowMatchEulerDiscreteScheduler``
(``diffusion_schedulers/scheduling_flow_matching.py``: ``init_sigmas``,
``init_sigmas_for_each_stage``, ``set_timesteps``, ``step``) and the re-noising coefficients
of ``generate_one_unit`` (``pyramid_dit/pyramid_dit_for_video_gen_pipeline.py``).

**Convention: code.**  ``sigma`` is the *noise* level (sigma = 1 - t, paper t = signal
level), ``gamma`` is the code's *positive* correlation gamma_c in (0, 1/(n-1)] for blocks
of n entries (the paper's gamma is negative: gamma_c = -gamma), and stages carry the code
index ``i`` (i = 0 is the coarsest, first stage; the paper's stage is k = K-1-i, see
:func:`pyramid_sym.conventions.paper_stage_index`).

What the scheduler computes, with T = ``num_train_timesteps`` and K = ``stages``:

* the global table: u_j = (T - j)/T for j = 0..T-1, the SD3 shift
  sigma_j = shift u_j / (1 + (shift - 1) u_j), and timesteps_j = T sigma_j;
  ``sigma_max`` = sigma_0 and ``sigma_min`` = sigma_{T-1}, as the reference sets them;
* stage i covers table indices a_i = max(int(stage_range[i] T), 0) and
  b_i = min(int(stage_range[i+1] T), T); its original start sigma is sigma_{a_i} (kept as
  ``ori_start_sigmas[i]``), its end sigma is sigma_{b_i}, or 0 when b_i = T.  A stage may be
  shorter than one table step (a_i = b_i): it then has length 0 before the correction, as
  in the reference;
* for i > 0 the start is corrected (rolled back towards noise): with e = 1 - sigma_{a_i},
  r = sqrt(1 + 1/gamma_c) and alpha = 1/(r (1 - e) + e), the corrected start (a signal
  level, the paper's s_k) is alpha e and the stage's start sigma is 1 - alpha e;
* the flow length of stage i is d_i = start_i - end_i; the timestep ratio window of stage i
  is (sum_{j<i} d_j / D, sum_{j<=i} d_j / D), D = sum_j d_j, with 0 and 1 at the two ends;
* timesteps_per_stage[i]: T points from timesteps[int(r0 T)] towards
  timesteps[min(int(r1 T), T - 1)] (a linspace of T + 1 points without its last one);
  sigmas_per_stage[i]: the stage-local sigmas 1, 1 - 1/T, ..., 1/T (they run 1 -> 0 in
  every stage; the global noise level is end + (start - end) sigma_local);
* ``set_timesteps(n, i)``: n timesteps from the first to the last of timesteps_per_stage[i],
  and n stage-local sigmas from 1 to 1/T followed by a 0;
* ``step``: one Euler step x + (sigma_next - sigma) v on that grid (see :class:`StageStepper`);
* re-noising at the jump into stage i > 0: alpha (multiplies the nearest-upsampled latent)
  and beta = alpha (1 - e) / sqrt(gamma_c) (multiplies the block noise).

One build algorithm, two arithmetics (:class:`FloatReference`, :class:`ExactArithmetic`).

``mode="reference"`` reproduces the reference scheduler's floating-point arithmetic: the
global table is float32 (each of u_j, the shift's products, sum and quotient, and
T sigma_j rounded to float32; the scalars shift and shift - 1 rounded to float32 before they
meet the table, as torch does with a Python scalar), everything else is float64 (Python
floats: the corrected start from the float32 table entry, the ratios, the indices
int(r T), set_timesteps, the stage-local sigmas, alpha and beta).  timesteps_per_stage is
``numpy.linspace`` between two float32 table entries, whose result depends on the NumPy
version: NumPy >= 2 keeps it in float32, NumPy 1.x (the reference repository pins 1.24)
computes and returns float64.  ``numpy=2`` or ``numpy=1`` chooses which to model (default:
the installed NumPy's major version); ``numpy_behaviour`` says which was modelled.

``mode="exact"`` computes the same schedule in exact arithmetic: SymPy Rationals for the
table, the windows and the linspaces (the table indices are integers, so every timestep is
rational), radicals only through r = sqrt(1 + 1/gamma_c) (rational again at gamma_c = 1/3,
where r = 2).  Exact inputs: ints, ``fractions.Fraction``, SymPy Rationals and text such as
``"1/3"`` or ``"0.1"`` (read by :func:`pyramid_sym.domain.parse_number`, decimals taken
exactly).  A Python float is read as the *simplest* rational that rounds to that same float
(1/3 -> 1/3, 0.1 -> 1/10), never as its binary expansion.  Indices are exact floors; when
stage_range[i] T (or a ratio times T) lies within float64 rounding of an integer, the
reference's int() can pick the neighbouring table entry (0.29 * 100 = 28.999999999999996 in
float64) - the exact mode does not reproduce that.

Configurations the reference scheduler itself cannot build raise one sentence here too: a
stage that starts at the end of the table (the reference's IndexError) and a schedule of
total length 0 (its ZeroDivisionError).  Beyond the reference, this class refuses what would
silently give NaN there (a shift that overflows float32, gamma_c so small that 1/gamma_c
overflows) and gamma_c outside (0, 1/(n-1)], where the block noise the jump needs does not
exist.
"""

from __future__ import annotations

import math
import numbers
import operator
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
    "FloatReference", "ExactArithmetic", "StageStepper", "installed_numpy_major",
    "simplest_rational", "exact_value", "block_label", "sd3_shift", "global_sigma_of", "stage_ratios",
    "linspace_float32", "linspace_float64",
]

REFERENCE = "reference"
EXACT = "exact"
MODES = (REFERENCE, EXACT)
_MAX_T = 2**24  # every integer 1..T is a float32, so the float32 table starts from exact (T - j)/T
MAX_STAGES = _MAX_STAGES = 64  # pyramids have a handful of stages (the reference uses 3); keeps exact mode quick
_MAX_STEPS = 10**7  # far beyond any sampler; keeps the inference grid within memory


def installed_numpy_major() -> int:
    """1 or 2: the linspace behaviour of the installed NumPy (NumPy 3 keeps NumPy 2's promotion rules)."""
    return 1 if int(np.__version__.split(".")[0]) < 2 else 2


# --------------------------------------------------------------------------------------
# reading user numbers exactly
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


def exact_value(value, name: str = "value") -> sympy.Rational:
    """``value`` as an exact SymPy Rational: text through :func:`pyramid_sym.domain.parse_number`,
    ints/Fractions/Rationals as they are, a float as the simplest rational that rounds to it."""
    if isinstance(value, bool):
        raise InputError(f"{name} {value!r} is a boolean, not a number; give a number such as 1/3.")
    if isinstance(value, sympy.Basic):
        if value.is_Rational:
            return sympy.Rational(value)
        raise InputError(f"{name} {value} is not a rational number; give an exact fraction such as 1/3.")
    if isinstance(value, str):
        try:
            return parse_number(value.strip())
        except InputError as exc:
            raise InputError(f"{name}: {exc}") from None
    if isinstance(value, numbers.Rational):  # int, Fraction, numpy integers
        return sympy.Rational(int(value.numerator), int(value.denominator))
    if isinstance(value, numbers.Real):  # float, numpy floats
        q = simplest_rational(float(value))
        return sympy.Rational(q.numerator, q.denominator)
    raise InputError(f"{name} {value!r} is not a number; give an integer, a decimal or a fraction such as 1/3.")


# --------------------------------------------------------------------------------------
# the pieces of the schedule, each usable on floats or on SymPy expressions
# --------------------------------------------------------------------------------------
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


class _IndexedSequence(Sequence):
    """A read-only sequence whose items are computed on access: ``_item(i)`` for 0 <= i < ``len``."""

    _what = "index"

    def __getitem__(self, i):
        n = len(self)
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(n))]
        i = operator.index(i)
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError(f"{self._what} {i} is outside 0..{n - 1}")
        return self._item(i)


class StageSequence(_IndexedSequence):
    """One item per stage, built on first access (a stage's T values need not exist until asked for)."""

    _what = "stage"

    def __init__(self, build, count: int):
        self._build, self._count, self._cache = build, count, {}

    def __len__(self) -> int:
        return self._count

    def _item(self, i):
        if i not in self._cache:
            self._cache[i] = self._build(i)
        return self._cache[i]

    def __repr__(self) -> str:
        return f"StageSequence({self._count} stages)"


class ExactLinspace(_IndexedSequence):
    """Exact linspace as a sequence: num points start + (stop - start) j / div, computed on access."""

    def __init__(self, start, stop, num: int, endpoint: bool = True):
        self.start, self.stop, self.num = sympy.sympify(start), sympy.sympify(stop), int(num)
        self.div = self.num - 1 if endpoint else self.num

    def __len__(self) -> int:
        return self.num

    def _item(self, j):
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
# the two arithmetics the one build algorithm runs on
# --------------------------------------------------------------------------------------
class _ExactTable(Sequence):
    """The global table in exact arithmetic, sigma_j (or T sigma_j) computed on access."""

    def __init__(self, T: int, shift, scale=1):
        self.T, self.shift, self.scale = T, shift, scale

    def __len__(self) -> int:
        return self.T

    def __getitem__(self, j):
        if isinstance(j, slice):
            return [self[k] for k in range(*j.indices(self.T))]
        j = operator.index(j)
        if j < 0:
            j += self.T
        if not 0 <= j < self.T:
            raise IndexError(f"table index {j} is outside 0..{self.T - 1}")
        return self.scale * sd3_shift(sympy.Rational(self.T - j, self.T), self.shift)

    def __repr__(self) -> str:
        return f"_ExactTable(T={self.T}, shift={self.shift}, scale={self.scale})"


class FloatReference:
    """The reference scheduler's float arithmetic: float32 table, float64 (Python floats) elsewhere.

    ``numpy_major``: which ``numpy.linspace`` to model for timesteps_per_stage (1: float64
    result, as NumPy 1.24 gives for float32 ends; 2: float32 result, NumPy >= 2).
    """

    mode = REFERENCE
    zero = 0.0

    def __init__(self, numpy_major: int):
        self.numpy_major = numpy_major

    @property
    def behaviour(self) -> str:
        return (f"NumPy {self.numpy_major} linspace: per-stage timesteps in "
                f"{'float32' if self.numpy_major == 2 else 'float64'}")

    @staticmethod
    def gamma_value(gamma):
        """The exact value to range-check: a float's own binary value (what the reference computes with)."""
        if isinstance(gamma, (float, np.floating)):
            return sympy.Rational(*Fraction(float(gamma)).as_integer_ratio()) if math.isfinite(float(gamma)) else None
        return exact_value(gamma, "gamma")

    @staticmethod
    def check_inputs(shift: float, gamma: float) -> None:
        """A shift the float32 table can hold, a gamma whose 1/gamma is finite in float64."""
        with np.errstate(over="ignore", under="ignore"):
            s32, m32 = np.float32(shift), np.float32(shift - 1)
        if not (np.isfinite(s32) and np.isfinite(m32) and s32 > 0):
            raise InputError(f"shift {shift!r} does not fit the reference's float32 table (it rounds to {s32}); "
                             f"give 1e-30 < shift < 1e30, e.g. 3.")
        if not math.isfinite(1 / gamma):
            raise InputError(f"gamma {gamma!r} is too small for float64 (1/gamma overflows); give gamma >= 1e-300.")

    @staticmethod
    def check_table(sigmas, shift) -> None:
        """The float32 table must be finite (the reference would give NaN or fail further on)."""
        if not np.all(np.isfinite(sigmas)):
            raise InputError(f"shift {shift!r} makes the reference's float32 sigma table non-finite (it would "
                             f"give NaN or fail there); give a shift between 1e-6 and 1e6, e.g. 1 (no shift) or 3.")

    @staticmethod
    def config_value(value):
        return value

    def read(self, value, exact, name: str) -> float:
        """The float the reference would hold: a float as it is, anything else correctly rounded."""
        if isinstance(value, (float, np.floating)):
            return float(value)
        return float(Fraction(int(exact.p), int(exact.q)))

    def table(self, T: int, shift: float):
        f32 = np.float32
        u = np.arange(T, 0, -1, dtype=f32) / f32(T)
        with np.errstate(all="ignore"):  # a degenerate table is refused by the caller, in one sentence
            sig = ((f32(shift) * u) / (f32(1) + f32(shift - 1) * u)).astype(f32, copy=False)
            ts = (sig * f32(T)).astype(f32, copy=False)
        return sig, ts

    @staticmethod
    def index(x, T: int) -> int:
        return int(x * T)

    @staticmethod
    def corrected_start(sigma_a, gamma):
        """(start, alpha, beta) at the jump, in the reference's operation order (float64)."""
        return (start_sigma_of(sigma_a, gamma, math), alpha_of(sigma_a, gamma, math),
                beta_of(sigma_a, gamma, math))

    @staticmethod
    def ratios(distances):
        return [(float(lo), float(hi)) for lo, hi in stage_ratios(distances)]

    def stage_timesteps(self, first, last, T: int, at=None):
        """linspace(first, last, T + 1) without its last point, as the modelled NumPy computes it."""
        if self.numpy_major == 2:
            y = linspace_float32(first, last, T + 1, at=at)
        else:
            y = linspace_float64(float(first), float(last), T + 1, at=at)
        return y[:-1] if at is None else y

    @staticmethod
    def stage_sigmas(T: int, at=None):
        y = linspace_float64(1.0, 0.0, T + 1, at=at)
        return y[:-1] if at is None else y

    @staticmethod
    def grid(first, last, n: int):
        return linspace_float64(float(first), float(last), n)

    @staticmethod
    def with_zero(values):
        return np.concatenate([values, np.zeros(1)])

    @staticmethod
    def scalar(x):
        return float(x)

    @staticmethod
    def show(x) -> str:
        return repr(float(x))


class ExactArithmetic:
    """Exact arithmetic: SymPy Rationals, and radicals only through sqrt(1 + 1/gamma_c)."""

    mode = EXACT
    zero = sympy.Integer(0)
    numpy_major = None
    behaviour = "exact arithmetic (no NumPy rounding)"

    @staticmethod
    def read(value, exact, name: str):
        return exact

    @staticmethod
    def gamma_value(gamma):
        return exact_value(gamma, "gamma")

    @staticmethod
    def check_inputs(shift, gamma) -> None:
        """Exact arithmetic has no overflow to guard against."""

    @staticmethod
    def check_table(sigmas, shift) -> None:
        """Every exact table entry is a finite rational."""

    @staticmethod
    def config_value(value):
        return str(value)

    @staticmethod
    def table(T: int, shift):
        return _ExactTable(T, shift), _ExactTable(T, shift, scale=T)

    @staticmethod
    def index(x, T: int) -> int:
        return int(sympy.floor(x * T))

    @staticmethod
    def corrected_start(sigma_a, gamma):
        return (_canon(start_sigma_of(sigma_a, gamma)), _canon(alpha_of(sigma_a, gamma)),
                _canon(beta_of(sigma_a, gamma)))

    @staticmethod
    def ratios(distances):
        return [(_canon(lo), _canon(hi)) for lo, hi in stage_ratios(distances)]

    @staticmethod
    def stage_timesteps(first, last, T: int, at=None):
        seq = ExactLinspace(first, last, T, endpoint=False)
        return seq if at is None else [seq[j] for j in at]

    @staticmethod
    def stage_sigmas(T: int, at=None):
        seq = ExactLinspace(sympy.Integer(1), sympy.Integer(0), T, endpoint=False)
        return seq if at is None else [seq[j] for j in at]

    @staticmethod
    def grid(first, last, n: int):
        return _exact_linspace(first, last, n)

    @staticmethod
    def with_zero(values):
        return list(values) + [sympy.Integer(0)]

    @staticmethod
    def scalar(x):
        return sympy.sympify(x)

    @staticmethod
    def show(x) -> str:
        return str(x)


# --------------------------------------------------------------------------------------
# the scheduler
# --------------------------------------------------------------------------------------
class PyramidSchedule:
    """The reference scheduler, code convention (sigma = noise level, gamma = gamma_c > 0, code stage index i).

    ``PyramidSchedule(num_train_timesteps=1000, shift=1.0, stages=3, stage_range=None,
    gamma=1/3, *, mode="reference", block=4, numpy=None)``; ``stage_range=None`` means K
    equal parts, (0, 1/3, 2/3, 1) for K = 3, the reference default; ``numpy`` (1 or 2,
    default the installed version) chooses which ``numpy.linspace`` the reference mode models.

    Attributes indexed by the code's stage index i (i = 0 coarsest): the lists
    ``start_sigmas``, ``end_sigmas``, ``ori_start_sigmas`` (noise levels) and
    ``timestep_ratios`` (pairs); the sequences ``timesteps_per_stage`` and
    ``sigmas_per_stage`` (T values per stage, each stage built on first access); the
    global table ``sigmas`` and ``timesteps`` (T values) and, as in the reference,
    ``sigma_max`` = sigmas[0] and ``sigma_min`` = sigmas[-1].  Reference mode holds Python
    floats and NumPy arrays (float32 table, timesteps_per_stage float32 or float64 with the
    modelled NumPy, float64 sigmas_per_stage); exact mode holds SymPy numbers, the table as a
    sequence computed on access, and per stage an :class:`ExactLinspace`.
    """

    def __init__(self, num_train_timesteps=1000, shift=1.0, stages=3, stage_range=None,
                 gamma=Fraction(1, 3), *, mode: str = REFERENCE, block: int = BLOCK_2X2, numpy=None):
        if mode not in MODES:
            raise InputError(f"mode {mode!r} is not one of {', '.join(MODES)}; use mode='reference' or mode='exact'.")
        self.mode = mode
        self.block = self._check_block(block)
        self.stages = self._check_int(stages, "stages", 1, _MAX_STAGES,
                                      "pyramids have a few stages; use 3 (the reference default)")
        self.num_train_timesteps = self._check_int(
            num_train_timesteps, "num_train_timesteps", 1, _MAX_T, "use 1000 (the reference default)")
        if numpy is None:
            numpy = installed_numpy_major()
        if isinstance(numpy, bool) or numpy not in (1, 2):
            raise InputError(f"numpy {numpy!r} is not a NumPy behaviour to model; give 1 (NumPy 1.x, which the "
                             "reference repository pins) or 2 (NumPy >= 2).")
        self.arith = FloatReference(int(numpy)) if mode == REFERENCE else ExactArithmetic()
        if stage_range is None:  # K equal parts: (0, 1/3, 2/3, 1) for the default K = 3
            stage_range = [Fraction(j, self.stages) for j in range(self.stages + 1)]
        exact_range = self._check_stage_range(stage_range)
        exact_gamma = self._check_gamma(gamma)
        exact_shift = self._check_shift(shift)
        read = self.arith.read
        self.stage_range = [read(v, q, "stage_range entry") for v, q in zip(stage_range, exact_range)]
        self.gamma = read(gamma, exact_gamma, "gamma")
        self.shift = read(shift, exact_shift, "shift")
        self.arith.check_inputs(self.shift, self.gamma)
        self._build()

    @property
    def numpy_behaviour(self) -> str:
        """Which NumPy's linspace the numbers model (reference mode), or 'exact arithmetic'."""
        return self.arith.behaviour

    # -- the one build algorithm -----------------------------------------------------
    def _build(self):
        T, K, ar = self.num_train_timesteps, self.stages, self.arith
        self.sigmas, self.timesteps = ar.table(T, self.shift)
        ar.check_table(self.sigmas, self.shift)
        self.sigma_max, self.sigma_min = ar.scalar(self.sigmas[0]), ar.scalar(self.sigmas[T - 1])
        self.start_sigmas, self.end_sigmas, self.ori_start_sigmas = [], [], []
        self._alpha, self._beta = {}, {}
        for i in range(K):
            a = max(ar.index(self.stage_range[i], T), 0)
            b = min(ar.index(self.stage_range[i + 1], T), T)
            if a >= T:
                raise InputError(
                    f"stage {i} starts at stage_range entry {self._value_text(self.stage_range[i])}, the end of the "
                    f"table of {T} steps, where no stage can start; make every entry but the last smaller than 1.")
            sigma_a = ar.scalar(self.sigmas[a])
            end = ar.scalar(self.sigmas[b]) if b < T else ar.zero
            start = sigma_a
            if i > 0:
                start, self._alpha[i], self._beta[i] = ar.corrected_start(sigma_a, self.gamma)
            self.ori_start_sigmas.append(sigma_a)
            self.start_sigmas.append(start)
            self.end_sigmas.append(end)
        d = [s - e for s, e in zip(self.start_sigmas, self.end_sigmas)]
        total = sum(d[1:], d[0])
        if total == 0:
            raise InputError("the stages have total length 0 (every stage starts where it ends), so no timestep "
                             "ratio exists; give a stage_range whose last stage is longer than one table step.")
        self.timestep_ratios = ar.ratios(d)
        self._tps_ends = []
        for i, (lo_r, hi_r) in enumerate(self.timestep_ratios):
            j_first, j_last = ar.index(lo_r, T), min(ar.index(hi_r, T), T - 1)
            if not (0 <= j_first < T and 0 <= j_last < T):
                raise InputError(f"stage {i}'s timestep ratio window ({ar.show(lo_r)}, {ar.show(hi_r)}) falls "
                                 f"outside the table; give an increasing stage_range from 0 to 1.")
            self._tps_ends.append((self.timesteps[j_first], self.timesteps[j_last]))
        self.timesteps_per_stage = StageSequence(lambda i: ar.stage_timesteps(*self._tps_ends[i], T), K)
        self.sigmas_per_stage = StageSequence(lambda i: ar.stage_sigmas(T), K)

    def _stage_ends(self, i: int):
        """First and last of timesteps_per_stage[i] and of sigmas_per_stage[i], without building the arrays."""
        T, ar = self.num_train_timesteps, self.arith
        t = ar.stage_timesteps(*self._tps_ends[i], T, at=[0, T - 1])
        loc = ar.stage_sigmas(T, at=[0, T - 1])
        return (t[0], t[1]), (loc[0], loc[1])

    def _value_text(self, value) -> str:
        return ar_text if isinstance(ar_text := self.arith.config_value(value), str) else _shown(value)

    # -- validation ------------------------------------------------------------------
    @staticmethod
    def _check_block(block) -> int:
        if isinstance(block, bool) or not isinstance(block, numbers.Integral) or block < 2:
            raise InputError(f"block {block!r} is not a block size; give the entries per up-sampling block, n >= 2 (4 for 2x2).")
        return int(block)

    @staticmethod
    def _check_int(value, name, lo, hi, fix) -> int:
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            if isinstance(value, numbers.Real) and not isinstance(value, bool) and float(value).is_integer():
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
        vals = []
        for v in stage_range:
            if isinstance(v, (float, np.floating)) and not math.isfinite(float(v)):
                raise InputError(f"stage_range entry {v!r} is not a finite number; give numbers from 0 to 1.")
            vals.append(exact_value(v, "stage_range entry"))
        shown = [_shown(v) for v in stage_range]
        for j, q in enumerate(vals):
            if not 0 <= q <= 1:
                raise InputError(f"stage_range entry {shown[j]} is outside [0, 1]; stage boundaries are fractions of "
                                 "the table, e.g. 0,1/3,2/3,1.")
        for j in range(K):
            if not vals[j] <= vals[j + 1]:
                raise InputError(
                    f"stage_range decreases ({shown[j]} then {shown[j + 1]} at entries {j} and {j + 1}); "
                    f"give {K + 1} increasing numbers from 0 to 1.")
        return vals

    def _check_gamma(self, gamma):
        iv = gamma_c_interval(self.block)
        g = self.arith.gamma_value(gamma)
        if g is None or not iv.contains(g):
            hint = ""
            if g is not None and g < 0 and iv.contains(-g):
                hint = (f" gamma here is the code's gamma_c > 0; the paper's gamma is negative and gamma_c = -gamma, "
                        f"so give {_shown(gamma).lstrip('-') if isinstance(gamma, str) else -g}.")
            raise InputError(
                f"gamma {_shown(gamma)} is outside {iv} for {block_label(self.block)}; the code's block covariance "
                f"(1 + gamma) I - gamma J is positive semidefinite only there, so use a value in {iv} such as "
                f"{iv.hi}.{hint}")
        return g

    def _check_shift(self, shift):
        if isinstance(shift, (float, np.floating)) and not math.isfinite(float(shift)):
            raise InputError(f"shift {shift!r} is not a finite number; give shift > 0, e.g. 1 (no shift) or 3.")
        s = exact_value(shift, "shift")
        if not s > 0:
            raise InputError(f"shift {_shown(shift)} is not positive; the SD3 shift needs shift > 0, e.g. 1 (no shift) or 3.")
        return s

    def _check_stage(self, stage) -> int:
        if isinstance(stage, bool) or not isinstance(stage, numbers.Integral) or not 0 <= stage < self.stages:
            raise InputError(f"stage {stage!r} is outside 0..{self.stages - 1} (code index, 0 = coarsest); pick one of them.")
        return int(stage)

    # -- queries ---------------------------------------------------------------------
    def set_timesteps(self, num_inference_steps, stage):
        """Inference grid of stage ``stage`` (code index): ``(timesteps, sigmas)``.

        ``timesteps``: n points from the first to the last of timesteps_per_stage[stage];
        ``sigmas``: n stage-local sigmas from 1 to the last stage-local sigma (1/T),
        followed by a 0 (n + 1 values).  Pure: unlike the reference scheduler, nothing of
        the schedule is overwritten (use :meth:`stepper` for the reference's stateful
        ``set_timesteps`` + ``step``).  Reference mode: float64 NumPy arrays; exact: lists.
        """
        n = self._check_int(num_inference_steps, "num_inference_steps", 1, _MAX_STEPS,
                            "give a step count such as 20")
        i = self._check_stage(stage)
        (t_first, t_last), (l_first, l_last) = self._stage_ends(i)
        ar = self.arith
        return ar.grid(t_first, t_last, n), ar.with_zero(ar.grid(l_first, l_last, n))

    def stepper(self, num_inference_steps, stage) -> "StageStepper":
        """The reference's ``set_timesteps(n, stage)`` followed by ``step`` calls, as one object."""
        if not isinstance(self.arith, FloatReference):
            raise InputError("stepper() runs the reference's float Euler steps; build the schedule with "
                             "mode='reference'.")
        return StageStepper(self, num_inference_steps, stage)

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
        conv = self.arith.config_value
        return {
            "num_train_timesteps": self.num_train_timesteps,
            "shift": conv(self.shift),
            "stages": self.stages,
            "stage_range": [conv(v) for v in self.stage_range],
            "gamma": conv(self.gamma),
            "block": self.block,
            "mode": self.mode,
            "numpy": self.arith.numpy_major,
        }

    def __repr__(self) -> str:
        c = self.config()
        np_part = f", numpy={c['numpy']}" if c["numpy"] else ""
        return (f"PyramidSchedule(num_train_timesteps={c['num_train_timesteps']}, shift={c['shift']}, "
                f"stages={c['stages']}, stage_range={c['stage_range']}, gamma={c['gamma']}, mode={self.mode!r}"
                f"{np_part})")


class StageStepper:
    """The reference scheduler's ``set_timesteps(n, stage)`` then ``step(...)``, for one stage.

    ``timesteps`` and ``sigmas`` are the stage's inference grid (float64, ``sigmas`` ends in 0).
    ``step(model_output, timestep, sample)`` returns sample + (sigma_next - sigma) model_output
    at the current step index (0 on the first call, +1 per call), with the reference's dtypes:
    the sample is upcast to float32, the difference of the two float64 sigmas is rounded to the
    model output's dtype and multiplies it (half precision computed in float32 and rounded
    once, as torch does on the CPU), and the result is cast to the model output's dtype.  Works on torch tensors (exactly the reference's operations) and on
    NumPy arrays (float16/32/64, the same rounding).  An integer ``timestep`` is refused, as
    in the reference (it means an index from ``enumerate``, not a timestep).
    """

    def __init__(self, schedule: PyramidSchedule, num_inference_steps, stage):
        self.timesteps, self.sigmas = schedule.set_timesteps(num_inference_steps, stage)
        self.step_index = None

    def step(self, model_output, timestep, sample):
        if isinstance(timestep, numbers.Integral) or (
                hasattr(timestep, "dtype") and hasattr(timestep, "is_floating_point")
                and not timestep.is_floating_point()):
            raise InputError(f"timestep {timestep!r} is an integer index; pass one of the stepper's timesteps "
                             "(a float), as the reference's step() requires.")
        if self.step_index is None:
            self.step_index = 0
        i = self.step_index
        if i + 1 >= len(self.sigmas):
            raise InputError(f"all {len(self.sigmas) - 1} steps of this stage are done; build a new stepper for "
                             "the next stage.")
        diff = float(self.sigmas[i + 1]) - float(self.sigmas[i])
        if hasattr(model_output, "is_floating_point"):  # torch: the reference's own operations
            import torch

            d = torch.tensor(self.sigmas[i + 1], dtype=torch.float64) - torch.tensor(self.sigmas[i],
                                                                                    dtype=torch.float64)
            out = (sample.to(torch.float32) + d * model_output).to(model_output.dtype)
        else:
            mo = np.asarray(model_output)
            scalar = mo.dtype.type(diff)  # torch (CPU) rounds the scalar to the output's dtype first
            if mo.dtype.itemsize >= 4:
                prod = scalar * mo
            else:  # half precision: multiplied in float32, rounded once to the output's dtype
                prod = (np.float32(scalar) * mo.astype(np.float32)).astype(mo.dtype)
            out = (np.asarray(sample).astype(np.float32) + prod).astype(mo.dtype)
        self.step_index = i + 1
        return out
