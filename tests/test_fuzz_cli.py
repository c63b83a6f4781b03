"""Fuzzed command line: every sub-command, random and malformed arguments, never a traceback or a hang.

Commands are discovered (``pyramid_sym.cli._commands()``) and their options read from
their argument parsers, so a new command is fuzzed without an edit here.  Most
invocations are cheap (usage errors, malformed values); fewer reach real work.
The counts are checked in ``test_fuzz_zz_totals.py``.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, Phase, assume, given, settings, strategies as st

from pyramid_sym.check import prepare
from pyramid_sym.mutation import _differ, _points_for, _value

from test_fuzz_harness import SCALE, actions, command_names, examples, invoke, working_dir

COMMANDS = command_names()
# no shrinking: a hang would be replayed for every shrink step; the failing argv is reported as generated
_FUZZ = dict(deadline=None, database=None, phases=[Phase.explicit, Phase.generate],
             suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large])

# malformed and boundary values: NaN, infinities, huge and tiny, empty, text, out-of-range gamma and s,
# odd and zero sizes, dtypes, blocks that do not divide a shape, injection strings
POOL = [
    "nan", "NaN", "-nan", "inf", "-inf", "+inf", "Infinity", "1e308", "-1e308", "1e-308", "5e-324", "1e999",
    "1e999999999", "-1e999999999", "1e-999999999", "0", "-0", "0.0", "1", "-1", "2", "3", "4", "7", "8", "16",
    "1/3", "-1/3", "1/4", "1/2", "2/3", "0.333", "1/0", "0/0", "1e-12", "-1e-12", "1.5", "99999999999999999999",
    "-99999999999999999999", "10000000", "", " ", "\t", "abc", "None", "null", "True", "[]", "{}", "()",
    "(0,1)", "[0,1]", "(0,1/3]", "[-1/3,0)", "(1,0)", "(0,0)", "[1,1]", "(0,1", "0,1", "1,2,3", "0,1/3,2/3,1",
    "0,2/3,1/3,1", "1,1,1", ",", ",,", "0x10", "1_000", "1j", "3+4j", "-", "--", "x", "s", "e", "g", "gamma",
    "float16", "float32", "float64", "bfloat16", "int8", "int64", "complex64", "bool", "object",
    "numpy", "torch", "cobol", "python", "c", "latex", "json", "16x16", "1x16x1x48x80", "2x3x5", "0x0", "-4x4",
    "1x1", "3x3", "2,3", "4,4", "0,4", "-2,2", "5,5", "paper.eq25.e_next", "code.corrected_start",
    "no-such-claim", "A1", "A8", "all", "__import__('os').system('true')", "().__class__", "lambda: 0",
    "'", "\"", ";", "$(true)", "%s%s%s", "{0}", "\u03b3", "\u221a2", "e/(2-e)", "2*s/(1+s)", "s", "1/(1-1)",
    "e:(0,1)", "g:1/3", "g:-1/3", "s:(0,1)", "x:y", ":", "e:", ":1", "e:(1,0)", "out.py", "out.png",
    "sub/out.py", "no-such-dir/out.py", ".", "out", "plots",
]
_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="/\\\x00"), max_size=12)
VALUE = st.one_of(
    st.sampled_from(POOL),
    _TEXT,
    st.integers(-10**25, 10**25).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.fractions(max_denominator=50).map(str),
)


# values no option accepts: each value-level run carries at least one, so that no run does a command's
# full (possibly minutes-long) work; what is fuzzed is the validation of every option
BAD = ["nan", "NaN", "inf", "-inf", "", " ", "1/0", "0/0", "1e999999999", "-1e999999999", "(1,0)", "\u03b3",
       "__import__('os')", "().__class__", "abc!", "0x", ",", "1,,2", "--", "1e-999999999x", "\t"]


def _is_path(action) -> bool:
    words = f"{action.dest} {action.metavar or ''}".lower()
    return any(w in words for w in ("out", "path", "dir", "file", "folder", "plot"))


def _flag_value(flag, value):
    # a value that starts with '-' must be attached, or argparse takes it for an option
    return [f"{flag}={value}"] if value.startswith("-") else [flag, value]


def _option_items(name, values=None):
    """Strategies for [flag] or [flag, value] of each option (choices mixed with malformed values)."""
    opts, pos = actions(name)
    items = []
    for a in opts:
        flag = a.option_strings[-1]
        if a.nargs == 0:
            items.append(st.just([flag]))
            continue
        if _is_path(a):
            value = st.sampled_from(["out", "sub", "out.py", "out.png", "plots"])
        elif a.choices:
            value = st.one_of(st.sampled_from(list(map(str, a.choices))), values or VALUE)
        else:
            value = values or VALUE
        items.append(st.tuples(st.just(flag), value).map(lambda t: _flag_value(*t)))
    return items, pos


def _bad_items(name):
    """[flag, BAD value] for every non-path option that takes a value."""
    opts, _ = actions(name)
    return [st.tuples(st.just(a.option_strings[-1]), st.sampled_from(BAD)).map(lambda t: _flag_value(*t))
            for a in opts if a.nargs != 0 and not _is_path(a)]


def _argv(name):
    items, _pos = _option_items(name)
    # a command without value options gets a stray malformed token instead
    bad = _bad_items(name) or [st.sampled_from(BAD).filter(lambda v: not v.startswith("-")).map(lambda v: [v])]
    choices = items + [VALUE.filter(lambda v: not v.startswith("-")).map(lambda v: [v])]
    return st.tuples(st.lists(st.one_of(*choices), max_size=5), st.one_of(*bad), st.integers(0, 5)).map(
        lambda t: [name] + [x for p in t[0][:t[2]] + [t[1]] + t[0][t[2]:] for x in p])


def _cheap_argv(name):
    """Argument lists that must fail at usage level: an unknown option, a missing value, or a stray token first."""
    items, _ = _option_items(name)
    opts, _pos = actions(name)
    value_flags = [a.option_strings[-1] for a in opts if a.nargs not in (0, "?", "*")]
    broken = st.one_of(
        st.sampled_from(["--no-such-option", "--Json", "--jsonx", "-Z", "---", "--=1"]).map(lambda f: [f]),
        st.sampled_from(value_flags).map(lambda f: [f]) if value_flags else st.just(["--no-such-option"]),
    )
    rest = st.lists(st.one_of(*(items or [VALUE.map(lambda v: [v])])), max_size=3).filter(
        lambda parts: not any(t == "--" for p in parts for t in p))
    # the broken token comes last so that no earlier value can swallow it; a missing value is then certain
    return st.tuples(rest, broken).map(lambda t: [name] + [x for p in t[0] for x in p] + t[1])


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory):
    """A scratch working folder: commands that write files (emit, probe plots) write there."""
    return tmp_path_factory.mktemp("fuzz_cli")


def _check(argv):
    status, out, err, problem = invoke(argv)
    assert problem is None, f"pyramid-sym {argv!r}: {problem}"
    return status, out, err


# --- usage level, every command: many cheap invocations ----------------------------------------

def _bulk_examples():
    # about 4000 usage-level invocations in all, spread over the commands (at least 300 each)
    return max(300, 4000 // max(1, len(COMMANDS)))


@pytest.mark.parametrize("name", COMMANDS)
def test_usage_errors_every_command(name, sandbox):
    @settings(max_examples=examples(_bulk_examples()), **_FUZZ)
    @given(_cheap_argv(name))
    def inner(argv):
        status, _out, err = _check(argv)
        assert status == 2, f"{argv!r} should be a usage error, got {status}"
        assert err.strip().endswith(".") or "error" in err

    with working_dir(sandbox):
        inner()


def test_top_level_usage(sandbox):
    @settings(max_examples=examples(400), **_FUZZ)
    @given(st.lists(VALUE, max_size=4))
    def inner(argv):
        assume(not argv or argv[0] not in COMMANDS)
        _check(argv)

    with working_dir(sandbox):
        inner()
        for argv in ([], ["--version"], ["--help"], ["no-such-command"], ["-x"]):
            _check(argv)


# --- value level: options of every command given malformed and boundary values --------------------

@pytest.mark.parametrize("name", [c for c in COMMANDS if c != "check"])
def test_values_every_command(name, sandbox):
    @settings(max_examples=examples(100), **_FUZZ)
    @given(_argv(name))
    def inner(argv):
        _check(argv)

    with working_dir(sandbox):
        inner()


# --- check: the user-facing parser, many invocations --------------------------------------------

_EXPR_ATOMS = ["e", "s", "g", "x", "1", "2", "0", "1/3", "1e-12", "nan", "inf", "sqrt", "exp", "log", "abs", "pi",
               "+", "-", "*", "/", "^", "**", "(", ")", ",", ".", "_", "__", "'", "lambda", ":", "[", "]", " ",
               "__import__", "os", "system", "()", "__class__", "1e999", "9" * 30]
EXPR = st.one_of(st.lists(st.sampled_from(_EXPR_ATOMS), max_size=14).map("".join), _TEXT,
                 st.sampled_from(POOL))
VAR = st.one_of(
    st.tuples(st.sampled_from(["e", "s", "g", "x", "_x", "pi", "sqrt", "", "e e", "gamma", "s_k", "1e"]),
              st.sampled_from(POOL)).map(lambda t: f"{t[0]}:{t[1]}"),
    st.sampled_from(POOL),
)


@st.composite
def _check_argv(draw):
    argv = ["check"]
    n = draw(st.integers(0, 3))
    exprs = draw(st.lists(EXPR, min_size=n, max_size=n))
    for x in exprs:
        argv += ["--", x] if x.startswith("-") and "--" not in argv else [x]
    for v in draw(st.lists(VAR, max_size=3)):
        argv += ["--var", v]
    if draw(st.booleans()):
        argv += ["--against", draw(st.sampled_from(["paper.eq25.e_next", "code.corrected_start", "paper.eq21",
                                                     "paper.eq22.Sigma", "article.A1", "no.such", "", "e"]))]
    if draw(st.booleans()):
        argv += ["--json"]
    if draw(st.integers(0, 9)) == 0:
        argv += ["--timeout", draw(st.sampled_from(["nan", "-1", "0", "inf", "abc", "1e999", "5"]))]
    # keep every run short: the prover itself is fuzzed below with fewer, heavier examples
    argv += ["--timeout", "5"] if "--timeout" not in argv else []
    return argv


def test_check_fuzz_many(sandbox):
    @settings(max_examples=examples(5000), **_FUZZ)
    @given(_check_argv())
    def inner(argv):
        status, out, err = _check(argv)  # no traceback, no undocumented status, bad input in one line
        assert status == 2 or out.strip(), f"pyramid-sym {argv!r} answered {status} without a verdict"

    with working_dir(sandbox):
        inner()


_SMALL = st.sampled_from(["e", "s", "g", "1", "2", "1/3", "(1-e)", "(1+g)", "sqrt(g)", "sqrt(1+1/g)", "(2-e)",
                          "1e-12", "abs(e-1/2)", "log(1+e)", "exp(s)"])


@st.composite
def _formula(draw, depth=0):
    if depth >= 2 or draw(st.booleans()):
        return draw(_SMALL)
    op = draw(st.sampled_from(["+", "-", "*", "/"]))
    return f"({draw(_formula(depth + 1))}){op}({draw(_formula(depth + 1))})"


def test_check_reaches_the_prover(sandbox):
    """Well-formed checks over declared variables: a verdict (0/1/3), never an error, within the time limit."""
    @settings(max_examples=examples(150), **_FUZZ)
    @given(_formula(), _formula(), st.sampled_from(["(0,1)", "[1/4,3/4]", "1/2", "(0,1/3]"]),
           st.sampled_from(["1/3", "(0,1/3]", "[1/10,1]"]), st.sampled_from(["(0,1)", "2"]))
    def inner(lhs, rhs, de, dg, ds):
        argv = ["check", lhs, rhs, "--var", f"e:{de}", "--var", f"g:{dg}", "--var", f"s:{ds}", "--timeout", "10"]
        status, out, err = _check(argv)
        if status == 2:  # only a side that is undefined everywhere (e/(e-e)) is bad input here
            assert "division by zero" in err or "undefined" in err, err
            return
        assert status in (0, 1, 3), f"{argv!r}: status {status}, {err.strip()}"
        assert "verdict:" in out
        if status == 0:  # proved: an independent 60-digit evaluation must agree at points of the domain
            task = prepare(lhs, rhs, {"e": de, "g": dg, "s": ds})
            syms = list(task.domain.symbols)
            for point in _points_for(task.domain, syms):
                assert not _differ(_value(task.lhs, point), _value(task.rhs, point)), (argv, point)

    with working_dir(sandbox):
        inner()


# --- real processes: what a user's terminal sees ------------------------------------------------

_SUBPROCESS_CASES = [
    ["check", "__import__('os').system('touch PWNED')", "1"],
    ["check", "1", "e", "--var", "e:__import__('os').system('touch PWNED')"],
    ["check", "1", "--against", "__import__('os').system('touch PWNED')"],
    ["check", "().__class__", "1"],
    ["check", "e", "e", "--var", "e:nan"],
    ["check", "e", "e", "--var", "e:(1,0)"],
    ["check", "e", "e", "--var", "e:1e999999999"],
    ["check", "x", "--against", "no.such.formula"],
    ["check", "(" * 5000, "1"],
    ["check", "e/(2-e)", "e/(sqrt(1+1/g)*(1-e)+e)", "--var", "e:(0,1)", "--var", "g:1/3"],
    ["check", "e/(2-e)", "e/(sqrt(1+1/g)*(1-e)+e)", "--var", "e:(0,1)", "--var", "g:1/4", "--json"],
    ["no-such-command"],
    [],
]
_SUBPROCESS_OPTIONAL = [
    ["emit", "--target", "cobol"],
    ["emit", "--target", "numpy", "-o", "missing-folder/x.py"],
    ["prove", "--claim", "no-such-claim"],
    ["schedule", "--gamma", "nan"],
    ["schedule", "--stages", "0"],
    ["schedule", "--num-train-timesteps", "1e999999999"],
    ["probe", "--dtype", "float128"],
    ["derive", "--topic", "nope"],
]


def _run(argv, cwd):
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    return subprocess.run([sys.executable, "-m", "pyramid_sym", *argv], capture_output=True, text=True,
                          timeout=120, cwd=cwd, env=env)


# each case is a fresh interpreter (about a second): the default suite runs every third, the full fuzz run all
_SUBPROCESS_ALL = _SUBPROCESS_CASES + _SUBPROCESS_OPTIONAL
_SUBPROCESS_RUN = _SUBPROCESS_ALL if SCALE >= 1 else _SUBPROCESS_ALL[::3]


@pytest.mark.parametrize("argv", _SUBPROCESS_RUN, ids=lambda a: " ".join(a)[:40] or "(none)")
def test_subprocess_no_traceback(argv, tmp_path):
    if argv and argv[0] not in COMMANDS and argv[0] != "no-such-command":
        pytest.skip(f"the {argv[0]!r} command does not exist yet")
    proc = _run(argv, tmp_path)
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode in (0, 1, 2, 3), (proc.returncode, proc.stderr)
    if proc.returncode == 2 and argv and argv[0] in COMMANDS:
        lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
        assert len(lines) == 1 and lines[0].rstrip().endswith("."), proc.stderr
    assert not (tmp_path / "PWNED").exists()


def test_subprocess_expected_statuses(tmp_path):
    """The documented statuses of check: 0 proved, 1 refuted, 2 bad input."""
    proved = _run(["check", "e/(2-e)", "e/(sqrt(1+1/g)*(1-e)+e)", "--var", "e:(0,1)", "--var", "g:1/3"], tmp_path)
    refuted = _run(["check", "e/(2-e)", "e/(sqrt(1+1/g)*(1-e)+e)", "--var", "e:(0,1)", "--var", "g:1/4"], tmp_path)
    bad = _run(["check", "e/(2-e)", "e", "--var", "e:(1,0)"], tmp_path)
    assert (proved.returncode, refuted.returncode, bad.returncode) == (0, 1, 2), (proved.stderr, refuted.stderr)
    assert "verdict: proved" in proved.stdout and "verdict: refuted" in refuted.stdout
    assert bad.stdout == "" and "empty" in bad.stderr


def test_subprocess_undecodable_argument(tmp_path):
    """A byte sequence that is not UTF-8 (a surrogate-escaped argument) is refused with one line, no traceback."""
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    proc = subprocess.run([sys.executable.encode(), b"-m", b"pyramid_sym", b"check", b"e\xff", b"1"],
                          capture_output=True, timeout=120, cwd=tmp_path, env=env)
    err = proc.stderr.decode("utf-8", "replace")
    assert proc.returncode == 2 and "Traceback" not in err, err
