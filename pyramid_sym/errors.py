"""User-facing errors: each carries one sentence naming the bad value, what is allowed and how to fix it."""

from __future__ import annotations

__all__ = ["PyramidSymError", "UsageError", "InputError"]


class PyramidSymError(ValueError):
    """Base class of every error this package raises on bad input; the command line prints it as one line, exit 2."""


class UsageError(PyramidSymError):
    """A command-line usage mistake (unknown option, unknown claim id, bad target)."""


class InputError(PyramidSymError):
    """A value outside its allowed range (gamma, s, sigma, a shape, a dtype) or malformed text."""
