import mpmath
import pytest


@pytest.fixture(autouse=True)
def _reset_mpmath_precision():
    """Every test starts at mpmath's default precision, whatever an earlier test left behind."""
    mpmath.mp.dps = 15
    yield
    mpmath.mp.dps = 15
