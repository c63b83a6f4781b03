"""``pyramid-sym check``: is a user's formula equal to another (or to a ledger formula) on a stated domain?

Exit status: 0 proved, 1 refuted, 3 unknown, 2 bad input (one sentence on stderr).
"""

from __future__ import annotations

import json
import sys

NAME = "check"
HELP = "check your own formula: prove or refute LHS = RHS (or LHS = a ledger formula) on a domain"
ORDER = 30
DESCRIPTION = (
    "Decide whether two expressions are equal on the stated domain, e.g. "
    "pyramid-sym check 'e/(2-e)' 'e/(sqrt(1+1/g)*(1-e)+e)' --var 'e:(0,1)' --var g:1/3 (quote what has "
    "parentheses), "
    "or compare one expression with a ledger formula: "
    "pyramid-sym check '2*s/(1+s)' --against paper.eq25.e_next --var g:-1/3. "
    "Expressions may use numbers (taken exactly: 0.1 is 1/10, 1e-12 is 1/10^12), the declared variables, "
    "+ - * / ^ ** and parentheses, pi, and the functions sqrt exp log abs sin cos tan asin acos atan sinh cosh "
    "tanh asinh acosh atanh; nothing is evaluated as Python. Against a ledger formula, its variables are "
    "named s (s_k), e (e_next), g (gamma or gamma_c), gamma, gamma_c, sigma (sigma_end), alpha. "
    "An expression that starts with '-' goes after '--'. "
    "MEANING: LHS = RHS holds on the domain iff at every point of it both sides are defined (finite; principal "
    "values for powers, roots, logarithms and inverse functions, so (-8)^(1/3) is 1+sqrt(3)i, not -2; complex "
    "values are values) and equal; a side undefined at a point of the domain (a zero divisor, log of 0, a pole of "
    "tan or atanh, 0/0 even where a formula could be simplified) makes the identity false there. "
    "VERDICTS: 'proved' (exit 0) carries a certificate valid on the whole domain: every divisor, logarithm "
    "argument and pole shown nonzero or in range, and LHS - RHS shown to be 0 (radical normal form, exponential "
    "normal form of the trigonometric and hyperbolic functions, a root checked by its power, derivative and one "
    "value, or a minimal polynomial); it is re-decided independently by arb ball enclosures of both sides at >= 20 "
    "exact points (relative to their own scale) and, with z3-solver installed, by z3 on the algebraic fragment; "
    "a disagreement gives unknown with both results. 'refuted' (exit 1) carries an exact point inside the domain "
    "(printed exactly as checked) and either a rigorous enclosure of LHS - RHS there that excludes 0 (precision "
    "grows from 128 to 6144 bits) or a certified undefinedness there (an exactly zero divisor, log of 0, a pole). "
    "'unknown' (exit 3) means neither was reached within the method or the time limit, with the reason. "
    "Exit status: 0 proved, 1 refuted, 3 unknown, 2 bad input."
)

DEFAULT_TIMEOUT = 30.0  # seconds; a proof that takes longer is reported as unknown


def add_arguments(parser) -> None:
    parser.add_argument("lhs", metavar="LHS", help="left-hand side, e.g. 'e/(2-e)'")
    parser.add_argument("rhs", metavar="RHS", nargs="?", default=None,
                        help="right-hand side (omit it with --against)")
    parser.add_argument("--var", dest="vars", action="append", default=[], metavar="NAME:DOMAIN",
                        help="a variable and its domain: a value (g:1/3, g:-1/3) or an interval with open or "
                             "closed ends (e:(0,1), g:(0,1/3], g:[-1/3,0), a:(0,inf)); repeat for each variable")
    parser.add_argument("--against", metavar="FORMULA_ID", default=None,
                        help="compare LHS with a ledger formula, e.g. paper.eq25.e_next or code.corrected_start")
    parser.add_argument("--timeout", default=None, metavar="SECONDS",
                        help=f"give up with verdict unknown after this many seconds (default {DEFAULT_TIMEOUT:g})")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")


EXIT_BY_VERDICT = {"proved": 0, "refuted": 1, "unknown": 3}


def _text(value, option: str, example: str) -> str:
    """argparse hands a list (``--opt=--``) or None for odd input: insist on one piece of text."""
    from ..errors import InputError

    if not isinstance(value, str):
        raise InputError(f"{option} needs one value, e.g. {option} {example}.")
    return value


def _timeout(value) -> float:
    from ..errors import InputError
    from ..parsing import ExpressionError, parse_rational

    if value is None:
        return DEFAULT_TIMEOUT
    text = _text(value, "--timeout", "60")
    try:
        seconds = parse_rational(text, "--timeout")
    except ExpressionError:
        seconds = None
    if seconds is None or not (0 < seconds <= 86400):
        raise InputError(f"--timeout {text[:40]!r} is not usable; give a number of seconds between 0 and 86400, e.g. 60.")
    return float(seconds)


def run(args) -> int:
    from ..check import parse_var, prepare, prove_task
    from ..errors import InputError

    timeout = _timeout(args.timeout)
    lhs = _text(args.lhs, "LHS", "'e/(2-e)'")
    rhs = None if args.rhs is None else _text(args.rhs, "RHS", "'e/(2-e)'")
    against = None if args.against is None else _text(args.against, "--against", "paper.eq25.e_next")
    variables: dict = {}
    for text in args.vars:
        name, interval = parse_var(_text(text, "--var", "e:(0,1)"))
        if name in variables:
            raise InputError(f"--var {name} is given twice; give each variable once.")
        variables[name] = interval
    task = prepare(lhs, rhs, variables, against)
    result = prove_task(task, timeout=timeout)
    if args.json:
        payload = {"command": NAME, **task.to_json(), "result": result.to_json()}
        sys.stdout.write(json.dumps(payload, indent=2, default=str) + "\n")
    else:
        lines = [f"check: {task.lhs} = {task.rhs}"]
        if task.against:
            lines.append(f"against: {task.against}")
        lines.append(result.explain())
        sys.stdout.write("\n".join(lines) + "\n")
    return EXIT_BY_VERDICT.get(result.verdict, 3)
