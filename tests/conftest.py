import os
import sys

import mpmath
import pytest

# The suite starts the command line, notebooks and scripts in ~200 fresh interpreters.  Where the environment
# forbids bytecode caching (PYTHONDONTWRITEBYTECODE, set in some containers), every one of them would compile
# the package's sources again; the tests let them cache it as a default Python run does (__pycache__ folders
# are ignored by git).
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
sys.dont_write_bytecode = False


@pytest.fixture(autouse=True)
def _reset_mpmath_precision():
    """Every test starts at mpmath's default precision, whatever an earlier test left behind."""
    mpmath.mp.dps = 15
    yield
    mpmath.mp.dps = 15


_FUZZ_LINES: list[str] = []  # what pytest_sessionfinish found, printed in the terminal summary


def pytest_sessionfinish(session, exitstatus):
    """Fuzz totals, whatever order the tests ran in: written as JSON, checked, and printed (terminal summary).

    The fuzz modules count their invocations in ``test_fuzz_harness.COUNTS`` and record
    every traceback, undocumented status or hang in ``PROBLEMS``.  Here, once all tests have
    run: with ``PYRAMID_SYM_FUZZ_REPORT`` set to a file name the totals are written there as
    JSON; a recorded problem fails the session; and with ``PYRAMID_SYM_FUZZ_MINIMUM`` set
    (``benchmarks/fuzz_all.py`` sets 10000) fewer invocations than that fail it too.
    """
    import json

    harness = sys.modules.get("test_fuzz_harness")
    if harness is None or not harness.COUNTS:
        return
    counts, problems = harness.COUNTS, harness.PROBLEMS
    total = sum(counts.values())
    report = {
        "total": total,
        "command_line": sum(v for k, v in counts.items() if not k.startswith(("api:", "kernel:"))),
        "public_functions": sum(v for k, v in counts.items() if k.startswith("api:")),
        "kernels": sum(v for k, v in counts.items() if k.startswith("kernel:")),
        "tracebacks_or_hangs": len(problems),
        "by_target": dict(sorted(counts.items())),
    }
    path = os.environ.get("PYRAMID_SYM_FUZZ_REPORT")
    if path:
        with open(path, "w") as fh:
            json.dump(report, fh, indent=2)
    minimum = int(os.environ.get("PYRAMID_SYM_FUZZ_MINIMUM", "0"))
    _FUZZ_LINES.append(f"fuzz totals: {total} invocations ({report['command_line']} command line, "
                       f"{report['public_functions']} public functions, {report['kernels']} kernels), "
                       f"{len(problems)} problems")
    if problems:
        _FUZZ_LINES.append(f"fuzz problems (first 3): {problems[:3]!r}")
        session.exitstatus = 1
    if total < minimum:
        _FUZZ_LINES.append(f"fuzz totals: {total} is below the required {minimum}")
        session.exitstatus = 1


def pytest_terminal_summary(terminalreporter):
    """The fuzz totals on lines of their own, after the progress output."""
    for line in _FUZZ_LINES:
        terminalreporter.write_line(line)


# --------------------------------------------------------------------------------------
# optional dependencies: torch and matplotlib are extras; tests that need them skip, visibly
# --------------------------------------------------------------------------------------
import importlib.util  # noqa: E402



def _installed(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except ImportError:
        return False


HAVE_TORCH = _installed("torch")
HAVE_MATPLOTLIB = _installed("matplotlib")
TORCH_REASON = 'needs torch, which is not installed (pip install -e ".[torch]", or ".[dev]" for the tests)'
MATPLOTLIB_REASON = 'needs matplotlib, which is not installed (pip install -e ".[plots]")'


def pytest_configure(config):
    config.addinivalue_line("markers", "needs_torch: " + TORCH_REASON)
    config.addinivalue_line("markers", "needs_matplotlib: " + MATPLOTLIB_REASON)


def pytest_collection_modifyitems(config, items):
    for item in items:
        if not HAVE_TORCH and item.get_closest_marker("needs_torch"):
            item.add_marker(pytest.mark.skip(reason=TORCH_REASON))
        if not HAVE_MATPLOTLIB and item.get_closest_marker("needs_matplotlib"):
            item.add_marker(pytest.mark.skip(reason=MATPLOTLIB_REASON))


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector):
    """A test module that imports torch at its top is reported as skipped (with the reason), not as an error."""
    outcome = yield
    report = outcome.get_result()
    if HAVE_TORCH or not report.failed or not isinstance(collector, pytest.Module):
        return
    if "No module named 'torch'" in str(report.longrepr):
        report.outcome = "skipped"
        report.longrepr = (str(collector.path), 0, "Skipped: " + TORCH_REASON)
