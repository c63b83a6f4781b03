"""Shared machinery for the fuzz tests (no tests here): in-process invocation of the command line, hang guard, counts.

The counts are summed, reported and checked at the end of the session by the
``pytest_sessionfinish`` hook of ``tests/conftest.py``, whatever order the tests ran in.

An invocation *fails* when it ends with anything but the documented exit statuses
(0 ok, 1 check failed, 2 bad input, 3 unknown): an uncaught exception other than
``SystemExit``, "Traceback" on stderr, a bad input (status 2) without a one-line
error sentence, or no answer within :data:`HANG_SECONDS`.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import io
import os
import signal
import threading
import traceback

from pyramid_sym import cli

DOCUMENTED = {0, 1, 2, 3}

SCALE = float(os.environ.get("PYRAMID_SYM_FUZZ_SCALE", "0.0625"))
"""Share of each fuzz test's full example count that a run draws: 1/16 in the default suite (fast), 1 in
``benchmarks/fuzz_all.py`` (the large run CI also makes, at least 10,000 invocations)."""


def examples(full: int) -> int:
    """The example count of a fuzz test whose full size is ``full``, at the run's SCALE (at least 10)."""
    return max(10, round(full * SCALE))
HANG_SECONDS = 20.0  # far above any bad-input answer (milliseconds); a real run of a command may take seconds

COUNTS: collections.Counter = collections.Counter()      # invocations per command
PROBLEMS: list = []                                       # (argv, description) of every failed invocation


class Hang(BaseException):
    """Raised by the interval timer: the invocation did not answer in time."""


@contextlib.contextmanager
def time_limit(seconds: float):
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def _raise(signum, frame):
        raise Hang()

    previous = signal.signal(signal.SIGALRM, _raise)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def invoke(argv: list[str], *, label: str | None = None, limit: float = HANG_SECONDS):
    """Run ``pyramid-sym argv`` in-process; return (status, stdout, stderr, problem or None)."""
    out, err = io.StringIO(), io.StringIO()
    status, problem = None, None
    label = label or (argv[0] if argv else "(none)")
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            with time_limit(limit):
                status = cli.main(list(argv))
        except SystemExit as exc:
            code = exc.code
            status = 0 if code is None else code if isinstance(code, int) else 2
        except Hang:
            problem = f"no answer within {limit:g} s"
        except BaseException as exc:  # noqa: BLE001 - this is what the fuzz looks for
            problem = "uncaught " + "".join(traceback.format_exception_only(type(exc), exc)).strip() + "\n" + \
                "".join(traceback.format_tb(exc.__traceback__)[-4:])
    COUNTS[label] += 1
    stderr = err.getvalue()
    if problem is None:
        if status not in DOCUMENTED:
            problem = f"exit status {status!r} is not documented"
        elif "Traceback" in stderr:
            problem = "a traceback on stderr"
        elif status == 2 and argv and argv[0] in command_names():
            # split on newlines only: a carriage return echoed from the input is not a second line
            lines = [ln for ln in stderr.split("\n") if ln.strip()]
            if len(lines) != 1 or "error" not in lines[0]:
                problem = f"bad input without a one-line error: {stderr[:300]!r}"
    if problem:
        PROBLEMS.append((list(argv), problem))
    return status, out.getvalue(), stderr, problem


_NAMES: list[str] | None = None


def command_names() -> list[str]:
    global _NAMES
    if _NAMES is None:
        _NAMES = [m.NAME for m in cli._commands()]
    return _NAMES


def subparser(name: str) -> argparse.ArgumentParser:
    parser = cli.build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return sub.choices[name]


def actions(name: str):
    """(optional actions, positional actions) of a sub-command, without --help."""
    p = subparser(name)
    opts, pos = [], []
    for a in p._actions:
        if isinstance(a, argparse._HelpAction):
            continue
        (opts if a.option_strings else pos).append(a)
    return opts, pos


@contextlib.contextmanager
def working_dir(path):
    old = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(old)
