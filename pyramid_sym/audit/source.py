"""Read a Python source file for the audit: bytes, text, syntax tree; never import or run it.

Every way a file can be unusable (a directory, unreadable, empty, binary, not
UTF-8, too large, a syntax error, Python 2, nesting too deep for the parser) is
one :class:`~pyramid_sym.errors.InputError` whose sentence names the file (and the
line, for a syntax error) and says what to do.
"""

from __future__ import annotations

import ast
import os
import warnings
from dataclasses import dataclass

from ..errors import InputError

__all__ = ["SourceFile", "read_source", "check_option_shape", "MAX_BYTES"]

MAX_BYTES = 5_000_000  # a Python source file larger than this is almost certainly generated data


@dataclass(frozen=True)
class SourceFile:
    """A parsed file: its path as given, its lines and its syntax tree."""

    path: str
    text: str
    lines: tuple[str, ...]
    tree: ast.Module

    def line(self, number: int) -> str:
        return self.lines[number - 1] if 1 <= number <= len(self.lines) else ""

    def segment(self, node: ast.AST) -> str:
        """The source text of a statement or expression, on one line (continuation lines joined)."""
        start, end = getattr(node, "lineno", 0), getattr(node, "end_lineno", 0) or getattr(node, "lineno", 0)
        if not start:
            return ""
        if start == end:
            return self.line(start)[node.col_offset:node.end_col_offset].strip()
        first = self.line(start)[node.col_offset:]
        middle = [self.line(i) for i in range(start + 1, end)]
        last = self.line(end)[: node.end_col_offset]
        return " ".join(p.strip() for p in [first, *middle, last] if p.strip())


def _fail(path: str, what: str, fix: str) -> InputError:
    return InputError(f"{path}: {what}; {fix}.")


def read_source(path: str) -> SourceFile:
    """Read and parse ``path`` (Python 3 source, UTF-8), or raise one-sentence InputError."""
    shown = path
    if not isinstance(path, str) or not path:
        raise InputError("no file given; name a Python source file, e.g. pyramid-sym audit model.py.")
    if os.path.isdir(path):
        raise _fail(shown, "is a directory, not a Python file", "name the .py files to audit (e.g. DIR/*.py)")
    try:
        size = os.path.getsize(path)
        if size > MAX_BYTES:
            raise _fail(shown, f"is {size} bytes, larger than the {MAX_BYTES} the audit reads",
                        "audit the source files themselves, not generated data")
        with open(path, "rb") as fh:
            data = fh.read(MAX_BYTES + 1)
    except InputError:
        raise
    except FileNotFoundError:
        raise _fail(shown, "no such file", "check the path") from None
    except OSError as exc:
        raise _fail(shown, f"cannot be read ({exc.strerror or exc.__class__.__name__})",
                    "check the path and its permissions") from None
    if not data.strip():
        raise _fail(shown, "is empty", "give a Python file that assigns the formulas to audit")
    if b"\x00" in data:
        raise _fail(shown, "is a binary file (it contains NUL bytes), not Python source", "give a .py source file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _fail(shown, f"is not UTF-8 text (byte {exc.start} cannot be decoded)",
                    "give a Python 3 source file saved as UTF-8") from None
    tree = _parse(shown, text)
    return SourceFile(shown, text, tuple(text.splitlines()), tree)


def _parse(shown: str, text: str) -> ast.Module:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SyntaxWarning for odd escapes in the audited file is not ours
            return ast.parse(text, filename=shown)
    except SyntaxError as exc:
        line = exc.lineno or 1
        msg = (exc.msg or "invalid syntax").rstrip(".")
        hint = "fix the syntax (the audit reads Python 3 source)"
        if "print" in msg.lower() or "Missing parentheses" in msg or _looks_python2(text):
            hint = "this looks like Python 2; the audit reads Python 3 source"
        raise InputError(f"{shown}:{line}: syntax error: {msg}; {hint}.") from None
    except (RecursionError, MemoryError):
        raise InputError(f"{shown}: nesting too deep for the Python parser; simplify the expression "
                         f"(the audit reads ordinary Python 3 source).") from None
    except ValueError as exc:  # e.g. a source string the parser refuses
        raise InputError(f"{shown}: cannot be parsed ({str(exc)[:80]}); give a Python 3 source file.") from None


def _looks_python2(text: str) -> bool:
    import re

    return bool(re.search(r"^\s*print\s+[\"'\w]", text, re.M) or re.search(r"^\s*except\s+\w+\s*,\s*\w+\s*:", text, re.M))


def check_option_shape(option: str, text) -> None:
    """``--expect NAME=FORMULA_ID`` / ``--bind NAME=ROLE``: one '=' between two non-empty parts."""
    example = "alpha=code.renoise_alpha" if option == "--expect" else "self.config.gamma=gamma_c"
    what = "NAME=FORMULA_ID" if option == "--expect" else "NAME=ROLE"
    if not isinstance(text, str) or "=" not in text or not all(p.strip() for p in text.rsplit("=", 1)) or (
            option == "--expect" and text.count("=") != 1):
        shown = "".join(c if c.isprintable() else "?" for c in str(text))[:60]
        raise InputError(f"{option} {shown!r} is malformed; write {what}, e.g. {option} {example}.")
