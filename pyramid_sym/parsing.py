"""A whitelist parser for users' formulas: text in, exact SymPy expression out, no Python evaluation.

The grammar (``^`` and ``**`` both mean power; ``-x^2`` is ``-(x^2)``; powers group to
the right, ``2^3^2 = 2^9``)::

    expr  := term  (('+' | '-') term)*
    term  := unary (('*' | '/') unary)*
    unary := ('+' | '-') unary | power
    power := atom (('^' | '**') unary)?
    atom  := NUMBER | VARIABLE | 'pi' | FUNCTION '(' expr ')' | '(' expr ')'

* NUMBER is an integer or a decimal, optionally with an exponent (``3``, ``0.25``,
  ``1e-12``); it is taken *exactly* (``0.1`` is 1/10, ``1e-12`` is 1/10^12), never
  through a binary float.
* VARIABLE is one of the names the caller declares.  A name starts with a letter and
  may join letters and digits with single underscores (``s``, ``s_k``, ``gamma_c``).
* FUNCTION is one of :data:`FUNCTIONS` (``sqrt exp log abs`` and the trigonometric and
  hyperbolic ones), each with one argument; ``log`` is the natural logarithm.
* ``pi`` is the only named constant.  ``e`` is *not* Euler's number (it is usually the
  paper's e_{k+1}); write ``exp(1)``.
* Variables are real.  Exact numbers are simplified as they are read (``sqrt(8)`` is
  ``2*sqrt(2)``, ``sqrt(x^2)`` is ``abs(x)``); a fractional power of a negative number is
  the principal complex value (``(-8)^(1/3)`` is ``2*(-1)^(1/3)``, not -2), and a part
  that is undefined everywhere (``1/0``, ``log(0)``, ``tan(pi/2)``) is refused.

Everything else (attribute access, underscores at the start of a name, calls to
anything not listed, lambdas, strings, brackets, comparisons, implicit
multiplication such as ``2s``) is refused with one sentence that says what is
allowed.  The text is tokenised and parsed here, character by character, and the
expression is built from SymPy constructors: no ``eval``, ``sympify``,
``parse_expr`` or ``compile`` ever sees it.  Length, nesting depth, the size of
number literals and of integer powers are bounded, so that no input can make the
parser (or SymPy's automatic evaluation of exact numbers) run for long.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Mapping

import sympy

from .errors import InputError

__all__ = [
    "ExpressionError", "parse_expression", "parse_with_guards", "parse_rational", "check_name",
    "FUNCTIONS", "CONSTANTS", "RESERVED", "MAX_LENGTH", "MAX_DEPTH", "ALLOWED",
]

MAX_LENGTH = 2000          # characters in one expression
MAX_DEPTH = 60             # nested parentheses, function calls and unary signs
MAX_DIGITS = 120           # significant digits of one number literal
MAX_DECIMAL_EXPONENT = 400  # |k| in a literal such as 1e-k
MAX_POWER = 1000           # |k| of an integer (or numerator of a rational) exponent
MAX_NUMBER_BITS = 20000    # bits of an exact number produced by a power of numbers
MAX_ARGUMENTS = 1          # every whitelisted function takes one argument

FUNCTIONS: dict[str, object] = {
    "sqrt": sympy.sqrt,
    "exp": sympy.exp,
    "log": sympy.log,
    "ln": sympy.log,
    "abs": sympy.Abs,
    "sin": sympy.sin,
    "cos": sympy.cos,
    "tan": sympy.tan,
    "asin": sympy.asin,
    "acos": sympy.acos,
    "atan": sympy.atan,
    "sinh": sympy.sinh,
    "cosh": sympy.cosh,
    "tanh": sympy.tanh,
    "asinh": sympy.asinh,
    "acosh": sympy.acosh,
    "atanh": sympy.atanh,
}
CONSTANTS: dict[str, sympy.Expr] = {"pi": sympy.pi}
RESERVED = frozenset(FUNCTIONS) | frozenset(CONSTANTS)

ALLOWED = ("numbers, the declared variables, + - * / ^ **, parentheses, pi and the functions "
           + " ".join(sorted(FUNCTIONS)))

_NAME = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)*")
_NUMBER = re.compile(r"(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_WS = " \t\r\n"


class ExpressionError(InputError):
    """User text that is not an expression of the whitelist grammar, with one sentence saying why."""


def _show(text: str, limit: int = 40) -> str:
    """A short, printable quotation of user text for an error sentence."""
    shown = text if len(text) <= limit else text[:limit] + "..."
    return repr(shown)


def _allowed(names: Iterable[str]) -> str:
    names = sorted(names)
    declared = ", ".join(names) if names else "none declared"
    return (f"an expression may use numbers, the declared variables ({declared}), + - * / ^ **, "
            f"parentheses, pi and the functions {', '.join(sorted(FUNCTIONS))}")


def check_name(name: object, what: str = "variable name") -> str:
    """Return ``name`` if it is a valid variable name (letters, digits, single inner underscores, not reserved)."""
    if not isinstance(name, str):
        raise ExpressionError(f"a {what} must be text such as s or gamma_c, not {type(name).__name__}.")
    if len(name) > 64:
        raise ExpressionError(f"{what} {_show(name)} is longer than 64 characters; use a short name such as s or g.")
    if not _NAME.fullmatch(name):
        raise ExpressionError(
            f"{what} {_show(name)} is not allowed; a name starts with a letter and joins letters and digits "
            "with single underscores (e.g. s, g, s_k, gamma_c).")
    if name in RESERVED:
        raise ExpressionError(
            f"{what} {name!r} is reserved for a function or constant; choose another name (e.g. {name}1).")
    return name


# --- tokens ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Tok:
    kind: str   # "num", "name", "op", "end"
    text: str
    pos: int    # 1-based position in the text, for error sentences
    value: object = None


_SINGLE_OPS = {"+", "-", "*", "/", "^", "(", ")", ","}

_CHAR_HINTS = {
    ".": "attribute access with '.' is not allowed (a '.' may only appear inside a number such as 0.25)",
    "_": "a name may not start with an underscore; names start with a letter (e.g. s_k)",
    "'": "strings are not allowed",
    '"': "strings are not allowed",
    "[": "brackets are not allowed; group with parentheses ( )",
    "]": "brackets are not allowed; group with parentheses ( )",
    "{": "braces are not allowed; group with parentheses ( )",
    "}": "braces are not allowed; group with parentheses ( )",
    "=": "equations and assignments are not allowed; give the two sides as separate expressions",
    "<": "comparisons are not allowed; give the two sides as separate expressions",
    ">": "comparisons are not allowed; give the two sides as separate expressions",
    "!": "'!' is not allowed",
    ":": "':' is not allowed (no lambdas, slices or annotations)",
    ";": "';' is not allowed (one expression only)",
    "@": "'@' is not allowed",
}


def _decimal(text: str, pos: int) -> sympy.Rational:
    """The exact value of a decimal literal such as ``0.25`` or ``1e-12`` (never through a binary float)."""
    mantissa, _, exponent = text.lower().partition("e")
    whole, _, frac = mantissa.partition(".")
    digits = (whole + frac).lstrip("0")
    if len(digits) > MAX_DIGITS:
        raise ExpressionError(
            f"the number at position {pos} has {len(digits)} digits; at most {MAX_DIGITS} are allowed.")
    k = int(exponent) if exponent else 0
    if abs(k) > MAX_DECIMAL_EXPONENT:
        raise ExpressionError(
            f"the number {_show(text)} at position {pos} has exponent {k}; exponents between "
            f"-{MAX_DECIMAL_EXPONENT} and {MAX_DECIMAL_EXPONENT} are allowed.")
    k -= len(frac)
    value = sympy.Integer(int(whole + frac or "0"))
    return value * sympy.Integer(10) ** k if k >= 0 else value / sympy.Integer(10) ** (-k)


def _tokenize(text: str, names: Mapping[str, object]) -> list[_Tok]:
    toks: list[_Tok] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in _WS:
            i += 1
            continue
        pos = i + 1
        if c.isascii() and (c.isdigit() or (c == "." and i + 1 < n and text[i + 1].isdigit())):
            m = _NUMBER.match(text, i)
            toks.append(_Tok("num", m.group(), pos, _decimal(m.group(), pos)))
            i = m.end()
            continue
        if c.isascii() and c.isalpha():
            m = _NAME.match(text, i)
            j = m.end()
            if j < n and text[j] == "_":
                raise ExpressionError(
                    f"the name starting at position {pos} has a misplaced underscore; names join letters and "
                    "digits with single underscores and do not end with one (e.g. s_k).")
            toks.append(_Tok("name", m.group(), pos))
            i = j
            continue
        if text.startswith("**", i):
            toks.append(_Tok("op", "^", pos))
            i += 2
            continue
        if c in _SINGLE_OPS:
            toks.append(_Tok("op", c, pos))
            i += 1
            continue
        if c in _CHAR_HINTS:
            reason = _CHAR_HINTS[c]
        elif not c.isprintable() or not c.isascii():
            reason = f"character {c!r} is not allowed (plain ASCII only)"
        else:
            reason = f"character {c!r} is not allowed"
        raise ExpressionError(f"{reason} (position {pos} of {_show(text)}); {_allowed(names)}.")
    toks.append(_Tok("end", "", n + 1))
    return toks


# --- parser ---------------------------------------------------------------------------------------

class _Parser:
    def __init__(self, text: str, names: Mapping[str, sympy.Symbol]):
        self.text = text
        self.names = names
        self.toks = _tokenize(text, names)
        self.i = 0
        self.depth = 0
        # what must be nonzero for the text *as written* to be defined (SymPy's automatic simplification
        # may cancel x/x to 1; the meaning of the text keeps x != 0)
        self.guards: list[sympy.Expr] = []

    def guard(self, value: sympy.Expr) -> None:
        if isinstance(value, sympy.Basic) and not value.is_Rational and value not in self.guards:
            self.guards.append(value)

    # helpers
    def peek(self) -> _Tok:
        return self.toks[self.i]

    def take(self) -> _Tok:
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def fail(self, message: str):
        raise ExpressionError(message)

    def enter(self, tok: _Tok):
        self.depth += 1
        if self.depth > MAX_DEPTH:
            self.fail(f"the expression nests deeper than {MAX_DEPTH} levels (position {tok.pos}); "
                      "simplify it or split it into parts.")

    def describe(self, tok: _Tok) -> str:
        return "the end of the expression" if tok.kind == "end" else f"{tok.text!r} at position {tok.pos}"

    # grammar
    def parse(self) -> sympy.Expr:
        if self.peek().kind == "end":
            self.fail(f"the expression is empty; give a formula such as e/(2-e) ({_allowed(self.names)}).")
        try:
            expr = self.expr()
        except (OverflowError, MemoryError):
            # SymPy evaluates the signs of constants as it builds them: (-sinh(sinh(10^20)))^(1/3) has too many digits
            self.fail("a constant in the expression is too large to evaluate (a function of a huge constant such as "
                      "sinh(sinh(10^20))); use smaller constants.")
        tok = self.peek()
        if tok.kind != "end":
            if tok.kind in ("num", "name") or tok.text == "(":
                self.fail(f"missing operator before {self.describe(tok)}; write multiplication explicitly "
                          "with '*' (e.g. 2*s, s*(1-s)).")
            if tok.text == ")":
                self.fail(f"unmatched ')' at position {tok.pos}; check the parentheses.")
            self.fail(f"unexpected {self.describe(tok)}; {_allowed(self.names)}.")
        return expr

    def expr(self) -> sympy.Expr:
        left = self.term()
        while self.peek().text in ("+", "-") and self.peek().kind == "op":
            op = self.take()
            right = self.term()
            left = self.checked(left + right if op.text == "+" else left - right, op)
        return left

    def term(self) -> sympy.Expr:
        left = self.unary()
        while self.peek().text in ("*", "/") and self.peek().kind == "op":
            op = self.take()
            right = self.unary()
            if op.text == "/" and right == 0:
                self.fail(f"division by zero at position {op.pos}; the divisor is exactly 0.")
            if op.text == "/":
                self.guard(right)
            left = self.checked(left * right if op.text == "*" else left / right, op)
        return left

    def unary(self) -> sympy.Expr:
        tok = self.peek()
        if tok.kind == "op" and tok.text in ("+", "-"):
            self.take()
            self.enter(tok)
            operand = self.unary()
            self.depth -= 1
            return -operand if tok.text == "-" else operand
        return self.power()

    def power(self) -> sympy.Expr:
        base = self.atom()
        tok = self.peek()
        if tok.kind == "op" and tok.text == "^":
            self.take()
            self.enter(tok)
            exponent = self.unary()
            self.depth -= 1
            if exponent.is_number and exponent.is_negative:  # 0^y with Re(y) > 0 is 0, defined
                self.guard(base)
            return self.checked(_power(base, exponent, tok.pos), tok)
        return base

    def atom(self) -> sympy.Expr:
        tok = self.take()
        if tok.kind == "num":
            return tok.value
        if tok.kind == "name":
            return self.name(tok)
        if tok.kind == "op" and tok.text == "(":
            self.enter(tok)
            if self.peek().text == ")" and self.peek().kind == "op":
                self.fail(f"empty parentheses at position {tok.pos}; parentheses must hold an expression.")
            inner = self.expr()
            self.close(tok)
            self.depth -= 1
            return inner
        if tok.kind == "end":
            self.fail(f"the expression ends too early; an operand is missing at the end of {_show(self.text)}.")
        if tok.text == ")":
            self.fail(f"unexpected ')' at position {tok.pos}; an operand is missing or a parenthesis is unmatched.")
        if tok.text == ",":
            self.fail(f"unexpected ',' at position {tok.pos}; commas are not allowed (every function takes one argument).")
        self.fail(f"an operand is missing before {tok.text!r} at position {tok.pos}.")

    def close(self, opening: _Tok):
        tok = self.take()
        if tok.kind == "op" and tok.text == ")":
            return
        if tok.kind == "end":
            self.fail(f"the '(' at position {opening.pos} is never closed; add a ')'.")
        if tok.text == ",":
            self.fail(f"unexpected ',' at position {tok.pos}; every function takes exactly one argument.")
        if tok.kind in ("num", "name") or tok.text == "(":
            self.fail(f"missing operator before {self.describe(tok)}; write multiplication explicitly with '*'.")
        self.fail(f"expected ')' but found {self.describe(tok)}.")

    def name(self, tok: _Tok) -> sympy.Expr:
        name = tok.text
        is_call = self.peek().kind == "op" and self.peek().text == "("
        if name in FUNCTIONS:
            if not is_call:
                self.fail(f"the function {name!r} at position {tok.pos} needs an argument in parentheses, e.g. {name}(s).")
            opening = self.take()
            self.enter(opening)
            if self.peek().text == ")" and self.peek().kind == "op":
                self.fail(f"{name}() at position {tok.pos} has no argument; {name} takes one.")
            arg = self.expr()
            self.close(opening)
            self.depth -= 1
            if name in ("log", "ln"):
                self.guard(arg)
            elif name == "tan":
                self.guard(sympy.cos(arg))
            elif name == "atanh":
                self.guard(1 - arg)
                self.guard(1 + arg)
            try:
                value = FUNCTIONS[name](arg)
            except (OverflowError, MemoryError):
                # SymPy evaluates signs of constants on construction: sinh(sinh(10^20)) has too many digits
                self.fail(f"{name}(...) at position {tok.pos} has an argument too large to evaluate (a function of "
                          "a huge constant such as sinh(sinh(10^20))); use smaller constants.")
            return self.checked(value, tok)
        if name in CONSTANTS:
            if is_call:
                self.fail(f"{name!r} at position {tok.pos} is a constant, not a function; write {name}*(...) to multiply.")
            return CONSTANTS[name]
        if name in self.names:
            if is_call:
                self.fail(f"{name!r} at position {tok.pos} is a variable, not a function; write {name}*(...) to multiply.")
            return self.names[name]
        if is_call:
            self.fail(f"unknown function {name!r} at position {tok.pos}; the allowed functions are "
                      f"{', '.join(sorted(FUNCTIONS))}.")
        declared = ", ".join(sorted(self.names)) or "none"
        hint = " (e is a variable name here; Euler's number is exp(1))" if name in ("E",) else ""
        self.fail(f"unknown name {name!r} at position {tok.pos}{hint}; declare it as a variable "
                  f"(--var {name}:DOMAIN) or use a declared one ({declared}).")

    def checked(self, value: sympy.Expr, tok: _Tok) -> sympy.Expr:
        """Refuse results that are infinite or undefined (division by zero, log(0)) as soon as they appear."""
        if value.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
            self.fail(f"the expression is undefined at position {tok.pos} (a division by zero, a logarithm of 0 or "
                      "a pole such as tan(pi/2)); check that part of the formula.")
        return value


def _bits(r: sympy.Rational) -> int:
    return max(int(r.p).bit_length(), int(r.q).bit_length())


def _power(base: sympy.Expr, exponent: sympy.Expr, pos: int) -> sympy.Expr:
    """``base ** exponent``, refusing powers that would build huge exact numbers or huge polynomials."""
    if exponent.is_Rational:
        k = abs(int(exponent.p))
        if k > MAX_POWER:
            raise ExpressionError(
                f"the exponent {exponent} at position {pos} is too large; exponents between -{MAX_POWER} and "
                f"{MAX_POWER} (or fractions with such numerators) are allowed.")
        if base.is_Rational and _bits(base) * k > MAX_NUMBER_BITS:
            raise ExpressionError(
                f"the power at position {pos} would be an exact number of more than {MAX_NUMBER_BITS} bits; "
                "use a smaller base or exponent.")
        if base == 0 and exponent.is_negative:
            raise ExpressionError(f"0 to a negative power at position {pos} is a division by zero.")
    elif exponent.is_number and not exponent.is_finite:
        raise ExpressionError(f"the exponent at position {pos} is not finite.")
    result = sympy.Pow(base, exponent)
    # SymPy combines (x^a)^b into x^(a*b): bound the combined exponent as well
    for p in result.atoms(sympy.Pow):
        if p.exp.is_Rational and abs(int(p.exp.p)) > MAX_POWER:
            raise ExpressionError(
                f"the power at position {pos} has a combined exponent {p.exp}; exponents between "
                f"-{MAX_POWER} and {MAX_POWER} are allowed.")
    return result


def _symbols(variables) -> dict[str, sympy.Symbol]:
    if variables is None:
        return {}
    if isinstance(variables, Mapping):
        out = {}
        for name, sym in variables.items():
            check_name(name)
            if not isinstance(sym, sympy.Symbol):
                sym = sympy.Symbol(name, real=True)
            out[name] = sym
        return out
    if isinstance(variables, (str, bytes)):
        variables = [variables]
    return {check_name(name): sympy.Symbol(name, real=True) for name in variables}


def parse_expression(text: object, variables: Mapping[str, sympy.Symbol] | Iterable[str] | None = None) -> sympy.Expr:
    """Parse ``text`` with the whitelist grammar into an exact SymPy expression.

    ``variables`` maps each allowed name to its SymPy symbol (or lists the names; the
    symbols are then real).  Raises :class:`ExpressionError` (an ``InputError``,
    exit status 2 on the command line) with one sentence for anything else.

    >>> parse_expression("e/(2-e)", ["e"])
    e/(2 - e)
    >>> parse_expression("2^-1 + 1e-3", [])
    501/1000
    """
    if isinstance(text, bytes):
        raise ExpressionError("the expression must be text, not bytes; decode it first (e.g. text.decode('ascii')).")
    if not isinstance(text, str):
        raise ExpressionError(f"the expression must be text such as 'e/(2-e)', not {type(text).__name__}.")
    if len(text) > MAX_LENGTH:
        raise ExpressionError(
            f"the expression is {len(text)} characters long; at most {MAX_LENGTH} are allowed, so shorten it.")
    names = _symbols(variables)
    return _Parser(text, names).parse()


def parse_with_guards(text: object, variables=None) -> tuple[sympy.Expr, tuple[sympy.Expr, ...]]:
    """:func:`parse_expression`, and the quantities that must be nonzero for the text as written to be defined
    (divisors, bases of negative powers, logarithm arguments, cos of a tangent's argument, 1 -+ an atanh argument)."""
    if not isinstance(text, str) or len(text) > MAX_LENGTH:
        return parse_expression(text, variables), ()
    names = _symbols(variables)
    parser = _Parser(text, names)
    expr = parser.parse()
    return expr, tuple(parser.guards)


def parse_rational(text: object, what: str = "value") -> sympy.Rational:
    """Parse an exact rational number written with the same grammar (``1/3``, ``-1/3``, ``1e-12``, ``2^-10``)."""
    try:
        value = parse_expression(text, {})
    except ExpressionError as exc:
        if "unknown name" not in str(exc) and "unknown function" not in str(exc):
            raise
        value = None
    if value is None or not value.is_Rational:
        raise ExpressionError(
            f"{what} {_show(str(text))} is not a rational number; write an integer, a decimal or a fraction "
            "such as 1/3 or -1/3.")
    return value
