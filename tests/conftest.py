import mpmath
import pytest


@pytest.fixture(autouse=True)
def _reset_mpmath_precision():
    """Every test starts at mpmath's default precision, whatever an earlier test left behind."""
    mpmath.mp.dps = 15
    yield
    mpmath.mp.dps = 15


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
