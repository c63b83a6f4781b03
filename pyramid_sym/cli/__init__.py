"""The ``pyramid-sym`` command line.

Each sub-command lives in a module ``pyramid_sym/cli/cmd_<name>.py`` that defines
``NAME`` (the sub-command), ``HELP`` (one line), ``ORDER`` (position in ``--help``),
``add_arguments(parser)`` and ``run(args) -> int``.  Modules are found by name, so a
new command needs no edit here.  Command modules import heavy libraries inside
``run`` only, to keep start-up fast.

Exit status, for every command: 0 success, 1 a check failed (a claim without its
expected verdict, a refuted identity), 2 bad usage or bad input (one sentence on
stderr, never a traceback), 3 undecided (``check``: unknown).
"""

from __future__ import annotations

import argparse
import sys

from ..errors import PyramidSymError
from ..plugins import discover

__all__ = ["main", "EXIT_OK", "EXIT_FAIL", "EXIT_USAGE", "EXIT_UNKNOWN"]

EXIT_OK, EXIT_FAIL, EXIT_USAGE, EXIT_UNKNOWN = 0, 1, 2, 3
PROG = "pyramid-sym"


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one sentence and exit status 2."""

    def error(self, message: str):  # noqa: D401 - argparse API
        # user text echoed in the message may hold newlines or control characters: keep it one line
        message = "".join(c if c.isprintable() else repr(c)[1:-1] for c in message)
        if len(message) > 300:
            message = message[:300] + "..."
        msg = message[0].upper() + message[1:] if message else "bad usage"
        if not msg.endswith("."):
            msg += "."
        sys.stderr.write(f"{self.prog}: error: {msg} See '{self.prog} --help'.\n")
        raise SystemExit(EXIT_USAGE)

    def _parse_optional(self, arg_string):
        # A word that starts with one '-' and names no option of this command is a value: a negative
        # number ('--gamma -1/3') or an expression ('check 0-e -e'), for every sub-command alike.
        result = super()._parse_optional(arg_string)
        if result and len(arg_string) > 1 and arg_string[1] != "-":
            items = result if isinstance(result, list) else [result]
            if all(item[0] is None for item in items):
                return None
        return result

    def _get_values(self, action, arg_strings):
        # argparse reads "--opt=--" as an empty list; an option that takes one value must get one
        if action.nargs in (None, "?") and action.option_strings and arg_strings == ["--"]:
            self.error(f"argument {'/'.join(action.option_strings)}: expected a value, not '--'")
        return super()._get_values(action, arg_strings)


def _commands():
    return discover(__name__, __path__, "cmd_")


def build_parser() -> argparse.ArgumentParser:
    from .. import __version__

    parser = _Parser(
        prog=PROG,
        description="Symbolic derivation and verification of Pyramidal Flow Matching's jump-point re-noising.",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for mod in _commands():
        p = sub.add_parser(mod.NAME, help=mod.HELP, description=getattr(mod, "DESCRIPTION", mod.HELP))
        mod.add_arguments(p)
        p.set_defaults(_run=mod.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    from ._ascii import install

    install()  # a terminal that cannot show a character gets its ASCII spelling, never a UnicodeEncodeError
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "_run", None):
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return int(args._run(args) or 0)
    except PyramidSymError as exc:
        sys.stderr.write(f"{PROG} {args.command}: error: {exc}\n")
        return EXIT_USAGE
    except KeyboardInterrupt:
        sys.stderr.write(f"{PROG} {args.command}: interrupted.\n")
        return 130
    except BrokenPipeError:  # e.g. piped into `head`
        return EXIT_OK
