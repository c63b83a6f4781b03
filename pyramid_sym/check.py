"""Check a user's formula: are two expressions equal on a stated domain, or is one equal to a ledger formula?

>>> r = check("e/(2-e)", "e/(sqrt(1+1/g)*(1-e)+e)", {"e": "(0,1)", "g": "1/3"})
>>> r.verdict == "proved"
True

The expressions are read by the whitelist parser :mod:`pyramid_sym.parsing` (no
Python evaluation); each variable gets a domain, a single value (``1/3``, ``-1/3``)
or an interval with open or closed ends (``(0,1)``, ``(0,1/3]``, ``[-1/3,0)``,
``(0,inf)``).  The verdict comes from the sound prover
(:func:`pyramid_sym.prover.prove_identity`), under one rule: the identity holds iff at
every point of the domain both sides are defined (principal values; complex values
are values) and equal, so a side undefined at a point of the domain (``1/e`` with
``e = 0``) makes it false there.  ``proved`` (certificate and independent
re-decision), ``refuted`` (an exact point inside the domain with a rigorous enclosure
or a certified undefinedness) or ``unknown``.

**Against a ledger formula** (``against="paper.eq25.e_next"``) the user gives one
expression, in that formula's variables; the formula's domain is the default and a
user's ``variables`` may narrow it (a value or a sub-interval, never outside it).
Variables are named by their symbol name or by a short alias (:data:`ALIASES`):

=============  ===========================  =====================================
symbol         names accepted               meaning
=============  ===========================  =====================================
``s_k``        ``s``, ``s_k``               start of stage k (paper, signal level)
``e_{k+1}``    ``e``, ``e_next``, ``e_k1``  end of stage k+1 (paper, signal level)
``gamma``      ``gamma``, ``g``             paper correlation, negative
``gamma_c``    ``gamma_c``, ``gc``, ``g``   code correlation, positive
``sigma_end``  ``sigma_end``, ``sigma``     previous stage's end noise level (code)
``alpha``      ``alpha``, ``a``             noise weight of the jump (paper)
=============  ===========================  =====================================

An alias that would name two variables of the same formula is not offered for it.
A formula that is an *equation* defining one symbol (``article.A1``: e_{k+1} = ...)
is compared through its right-hand side.
"""

from __future__ import annotations

import contextlib
import math
import signal
import threading
import time
from dataclasses import dataclass
from fractions import Fraction
from typing import Mapping

import sympy

from .domain import Domain, Interval
from .errors import InputError, PyramidSymError, UsageError
from .parsing import ExpressionError, check_name, parse_rational, parse_with_guards

__all__ = ["check", "prepare", "prove_task", "usable_formulas", "CheckTask", "parse_var", "parse_domain_text", "aliases_for", "ALIASES"]

# symbol name -> names a user may write for it (the first is the preferred one)
ALIASES: dict[str, tuple[str, ...]] = {
    "s_k": ("s", "s_k"),
    "e_{k+1}": ("e", "e_next", "e_k1"),
    "gamma": ("gamma", "g"),
    "gamma_c": ("gamma_c", "gc", "g"),
    "sigma_end": ("sigma_end", "sigma"),
    "sigma": ("sigma",),
    "alpha": ("alpha", "a"),
    "t": ("t",),
    "c_up": ("c_up",),
    "c_noise": ("c_noise",),
}

_INFINITE = {"inf": sympy.oo, "+inf": sympy.oo, "oo": sympy.oo, "+oo": sympy.oo,
             "-inf": -sympy.oo, "-oo": -sympy.oo}
_MAX_SPEC = 400  # characters of one domain text


@dataclass(frozen=True)
class CheckTask:
    """A parsed check, ready for the prover: ``lhs = rhs`` on ``domain``."""

    lhs: sympy.Expr
    rhs: sympy.Expr
    domain: Domain
    lhs_text: str
    rhs_text: str
    against: str | None = None
    guards: tuple = ()   # nonzero for the texts as written to be defined (divisors SymPy may have cancelled)

    @property
    def statement(self) -> str:
        return f"{self.lhs_text} = {self.rhs_text}"

    def to_json(self) -> dict:
        return {
            "lhs": self.lhs_text,
            "rhs": self.rhs_text,
            "lhs_parsed": str(self.lhs),
            "rhs_parsed": str(self.rhs),
            "against": self.against,
            "domain": self.domain.to_json(),
        }


# --- domains ----------------------------------------------------------------------------------------

def _end(text: str, what: str) -> sympy.Expr:
    key = text.strip().lower()
    if key in _INFINITE:
        return _INFINITE[key]
    return parse_rational(text.strip(), what)


def parse_domain_text(text: object, name: str = "the variable") -> Interval:
    """``1/3``, ``-1/3`` (a value) or ``(0,1)``, ``(0,1/3]``, ``[-1/3,0)``, ``(0,inf)`` (an interval) -> Interval."""
    if not isinstance(text, str):
        raise InputError(f"the domain of {name} must be text such as (0,1) or 1/3, not {type(text).__name__}.")
    s = text.strip()
    if not s:
        raise InputError(f"the domain of {name} is empty; give a value such as 1/3 or an interval such as (0,1).")
    if len(s) > _MAX_SPEC:
        raise InputError(f"the domain of {name} is {len(s)} characters long; at most {_MAX_SPEC} are allowed.")
    opens, closes = s[0] in "([", s[-1] in ")]"
    if opens or (closes and "(" not in s and "[" not in s):
        if not (opens and closes and len(s) >= 2):
            raise InputError(
                f"the domain {s!r} of {name} has an unmatched bracket; write an interval such as (0,1), "
                "(0,1/3] or [-1/3,0).")
        parts = s[1:-1].split(",")
        if len(parts) != 2:
            raise InputError(
                f"the interval {s!r} of {name} must have two ends separated by one comma, e.g. (0,1) or [-1/3,0).")
        lo = _end(parts[0], f"the lower end of {name}")
        hi = _end(parts[1], f"the upper end of {name}")
        lo_open, hi_open = s[0] == "(", s[-1] == ")"
        if (lo.is_infinite and not lo_open) or (hi.is_infinite and not hi_open):
            raise InputError(f"the interval {s!r} of {name} closes an infinite end; use an open end, e.g. (0,inf).")
        if lo.is_infinite and lo > 0 or hi.is_infinite and hi < 0:
            raise InputError(f"the interval {s!r} of {name} is empty; write (lower, upper) with lower < upper.")
        if lo > hi or (lo == hi and (lo_open or hi_open)):
            raise InputError(
                f"the interval {s!r} of {name} is empty; its lower end must be below its upper end, e.g. (0,1).")
        return Interval(lo, hi, lo_open, hi_open)
    if s.lower() in _INFINITE:
        raise InputError(f"the value {s!r} of {name} is not finite; give a finite value such as 1/3.")
    return Interval.point(parse_rational(s, f"the value of {name}"))


def _as_interval(value: object, name: str) -> Interval:
    if isinstance(value, Interval):
        return value
    if isinstance(value, str):
        return parse_domain_text(value, name)
    if isinstance(value, bool) or value is None:
        raise InputError(f"the domain of {name} must be an Interval, a value or text such as (0,1), not {value!r}.")
    if isinstance(value, float):
        if not math.isfinite(value):
            raise InputError(f"the value {value!r} of {name} is not finite; give a finite value such as 1/3.")
        return Interval.point(sympy.Rational(*Fraction(value).as_integer_ratio()))
    if isinstance(value, (int, Fraction)):
        return Interval.point(sympy.Rational(value))
    if isinstance(value, sympy.Rational):
        return Interval.point(value)
    raise InputError(
        f"the domain of {name} must be an Interval, an exact number or text such as (0,1) or 1/3, "
        f"not {type(value).__name__}.")


def parse_var(text: object) -> tuple[str, Interval]:
    """Parse the command line's ``NAME:DOMAIN`` (``e:(0,1)``, ``g:1/3``) into a name and an interval."""
    if not isinstance(text, str) or ":" not in text:
        raise InputError(
            f"--var takes NAME:DOMAIN such as e:(0,1) or g:1/3; got {str(text)[:40]!r}.")
    name, _, spec = text.partition(":")
    name = check_name(name.strip())
    return name, parse_domain_text(spec, name)


def _within(inner: Interval, outer: Interval) -> bool:
    lo_ok = inner.lo > outer.lo or (inner.lo == outer.lo and (not outer.lo_open or inner.lo_open))
    hi_ok = inner.hi < outer.hi or (inner.hi == outer.hi and (not outer.hi_open or inner.hi_open))
    return bool(lo_ok and hi_ok)


# --- names of a ledger formula's variables ------------------------------------------------------

def aliases_for(symbols) -> dict[str, sympy.Symbol]:
    """The names a user may write for ``symbols``: each symbol's own name (when it is a valid name) and its aliases.

    An alias shared by two of the symbols is dropped, so a name never means two things.
    """
    claims: dict[str, set] = {}
    for sym in symbols:
        names = list(ALIASES.get(sym.name, ()))
        try:
            names.append(check_name(sym.name))
        except ExpressionError:
            pass
        for nm in names:
            claims.setdefault(nm, set()).add(sym)
    return {nm: next(iter(syms)) for nm, syms in claims.items() if len(syms) == 1}


def usable_formulas() -> list[str]:
    """Ids of the ledger formulas a scalar expression can be checked against (scalar formulas, and equations
    that define one symbol)."""
    from . import formulas

    out = []
    for fid, obj in formulas.all_formulas().items():
        expr = obj.expr if isinstance(obj, formulas.Formula) else (
            obj.rhs if isinstance(obj.lhs, sympy.Symbol) else None)
        if isinstance(expr, sympy.Expr) and not isinstance(expr, sympy.MatrixBase):
            out.append(fid)
    return sorted(out)


def _target(against: str):
    """The formula ``against`` names, as (expression, domain, description)."""
    from . import formulas

    if not isinstance(against, str) or not against.strip():
        raise UsageError(f"--against takes a formula id such as paper.eq25.e_next; the usable ids are "
                         f"{', '.join(usable_formulas())}.")
    try:
        obj = formulas.get(against.strip())
    except formulas.FormulaError:
        raise UsageError(f"there is no formula {against.strip()[:60]!r}; the usable ids are "
                         f"{', '.join(usable_formulas())}.") from None
    if isinstance(obj, formulas.Formula):
        expr = obj.expr
    else:  # an Equation: usable when it defines one symbol
        if not isinstance(obj.lhs, sympy.Symbol):
            raise UsageError(
                f"{obj.id} is a condition ({obj.statement}), not a formula for one quantity; "
                "--against takes a formula such as paper.eq25.e_next.")
        expr = obj.rhs
    if isinstance(expr, sympy.MatrixBase) or not isinstance(expr, sympy.Expr):
        raise UsageError(
            f"{obj.id} is a matrix; --against compares one scalar expression, e.g. paper.eq25.e_next.")
    return expr, obj.domain, obj


# --- the check ------------------------------------------------------------------------------------

def _expr(value: object, names: Mapping[str, sympy.Symbol], side: str) -> tuple[sympy.Expr, str, tuple]:
    if isinstance(value, sympy.Expr) and not isinstance(value, sympy.MatrixBase):
        unknown = value.free_symbols - set(names.values())
        if unknown:
            raise InputError(f"the {side} uses {sorted(map(str, unknown))}, which are not declared variables.")
        return value, str(value), ()
    if not isinstance(value, str):
        raise InputError(f"the {side} must be text such as 'e/(2-e)', not {type(value).__name__}.")
    try:
        expr, guards = parse_with_guards(value, names)
        return expr, value, guards
    except ExpressionError as exc:
        raise ExpressionError(f"in the {side}: {exc}") from None


def prepare(lhs, rhs=None, variables: Mapping[str, object] | None = None, against: str | None = None) -> CheckTask:
    """Parse and validate a check (no proof yet): see :func:`check`."""
    return _prepare(lhs, rhs, variables, against)


def _prepare(lhs, rhs, variables, against) -> CheckTask:
    variables = {} if variables is None else variables
    if not isinstance(variables, Mapping):
        raise InputError("variables must map names to domains, e.g. {'e': '(0,1)', 'g': '1/3'}.")
    user: dict[str, Interval] = {}
    for name, value in variables.items():
        user[check_name(name)] = _as_interval(value, name)

    if against is None:
        if rhs is None:
            raise UsageError("give two expressions to compare, or one expression and --against FORMULA_ID.")
        symbols = {name: sympy.Symbol(name, real=True) for name in user}
        left, ltext, lg = _expr(lhs, symbols, "left-hand side")
        right, rtext, rg = _expr(rhs, symbols, "right-hand side")
        guards = tuple(dict.fromkeys(lg + rg))
        used = left.free_symbols | right.free_symbols | set().union(*[g.free_symbols for g in guards])
        domain = Domain([(symbols[nm], iv) for nm, iv in user.items() if symbols[nm] in used])
        return CheckTask(left, right, domain, ltext, rtext, None, guards)

    if rhs is not None:
        raise UsageError("give either a right-hand side or --against FORMULA_ID, not both.")
    target, fdomain, obj = _target(against)
    names = aliases_for(fdomain.symbols)
    items: dict[sympy.Symbol, Interval] = {s: iv for s, iv in fdomain}
    for name, iv in user.items():
        if name in names:
            sym = names[name]
            if not _within(iv, fdomain[sym]):
                where = f"= {iv}" if iv.is_point else f"in {iv}"
                raise InputError(
                    f"{name} {where} is outside the domain of {obj.id} ({sym} in {fdomain[sym]}); "
                    "give a value or sub-interval inside it.")
            items[sym] = iv
        else:
            if name in ALIASES or any(name in al for al in ALIASES.values()):
                if name not in names:
                    raise InputError(
                        f"{name!r} is ambiguous or not a variable of {obj.id}; its variables are "
                        f"{', '.join(sorted(names))}.")
            sym = sympy.Symbol(name, real=True)
            names[name] = sym
            items[sym] = iv
    left, ltext, guards = _expr(lhs, names, "expression")
    used = left.free_symbols | target.free_symbols | set().union(*[g.free_symbols for g in guards])
    domain = Domain([(s, iv) for s, iv in items.items() if s in used])
    return CheckTask(left, target, domain, ltext, f"{obj.id} = {target}", obj.id, guards)


def check(lhs, rhs=None, variables: Mapping[str, object] | None = None, against: str | None = None,
          *, timeout: float | None = None):
    """Decide whether ``lhs = rhs`` on the domain ``variables`` (or ``lhs`` equals the formula ``against``).

    ``variables`` maps each name to an :class:`~pyramid_sym.domain.Interval`, an exact
    number or domain text (``"1/3"``, ``"(0,1)"``, ``"(0,1/3]"``, ``"[-1/3,0)"``).
    Returns the prover's :class:`~pyramid_sym.prover.ProofResult` (``verdict`` is
    ``proved``, ``refuted`` or ``unknown``).  Bad input raises
    :class:`~pyramid_sym.errors.InputError` or :class:`~pyramid_sym.errors.UsageError`
    with one sentence.  ``timeout`` (seconds, main thread on POSIX only) turns a proof
    that runs longer into the verdict ``unknown``.
    """
    task = prepare(lhs, rhs, variables, against)
    return prove_task(task, timeout=timeout)


class _TimeUp(BaseException):
    """Raised by the interval timer inside :func:`prove_task` (a BaseException so that no ``except Exception`` eats it)."""


@contextlib.contextmanager
def _time_limit(seconds: float | None):
    usable = (seconds is not None and hasattr(signal, "setitimer")
              and threading.current_thread() is threading.main_thread())
    if not usable:
        yield
        return

    def _alarm(signum, frame):
        raise _TimeUp()

    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, float(seconds))
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def prove_task(task: CheckTask, *, timeout: float | None = None):
    """Run the prover on a prepared :class:`CheckTask`; past ``timeout`` seconds the verdict is ``unknown``."""
    from .prover import prove_identity, unknown

    if timeout is not None and not (isinstance(timeout, (int, float)) and math.isfinite(timeout) and timeout > 0):
        raise InputError(f"the time limit must be a positive number of seconds, not {timeout!r}.")
    start = time.perf_counter()
    try:
        with _time_limit(timeout):
            result = prove_identity(task.lhs, task.rhs, task.domain, guards=task.guards)
    except _TimeUp:
        result = unknown(
            f"no verdict within the time limit of {timeout:g} s; the identity is neither proved nor refuted.",
            method="time limit", statement=task.statement, domain=task.domain.to_json(),
            seconds=time.perf_counter() - start)
    except PyramidSymError:
        raise
    except RecursionError:
        result = unknown("the expression is nested too deeply for the prover; the identity is neither proved nor "
                         "refuted.", method="prover error", statement=task.statement,
                         domain=task.domain.to_json(), seconds=time.perf_counter() - start)
    except Exception as exc:  # noqa: BLE001 - a prover failure is no verdict: say so, never a traceback
        result = unknown(
            f"the prover stopped with {type(exc).__name__}: {str(exc)[:200]}; the identity is neither proved "
            "nor refuted (please report this input).", method="prover error", statement=task.statement,
            domain=task.domain.to_json(), seconds=time.perf_counter() - start)
    if not result.statement:
        result = result.with_(statement=task.statement)
    return result
