"""``pyramid-sym derive``: derive the jump point (and its companions) from first principles, for any block size.

Exit status: 0 done (or documents up to date with --check), 1 documents out of date
(--check), 2 bad input (one sentence on stderr).
"""

from __future__ import annotations

import sys

NAME = "derive"
HELP = "derive eq. 25 (and the range of gamma, ...) step by step for blocks of n entries; write derivations/"
ORDER = 15
DESCRIPTION = (
    "Derive, step by step, where the previous stage must end (e_{k+1}), the noise weight alpha and the scale of "
    "the jump from the moment conditions, for blocks of n = 2, 4, 8 entries (actual n x n matrices) or a "
    "symbolic n. Other topics: the admissible range of gamma and the singular code default (gamma), why alpha "
    "is minimal at the bound (alpha), the training marginal after the jump (marginal), the noise pyramid and "
    "coupling (noise). Examples: pyramid-sym derive --n 4; pyramid-sym derive --topic gamma --n general --latex; "
    "pyramid-sym derive --write derivations; pyramid-sym derive --check derivations. "
    "Exit status: 0 ok, 1 documents out of date (--check), 2 bad input."
)

DEFAULT_DIR = "derivations"


def add_arguments(parser) -> None:
    parser.add_argument("--n", dest="blocks", default="2,4,8,general", metavar="N",
                        help="block sizes, comma-separated: integers from 2 to 16 and/or 'general' "
                             "(default 2,4,8,general)")
    parser.add_argument("--topic", default="jump", metavar="TOPIC",
                        help="jump (default), gamma, alpha, marginal, noise, or all")
    out = parser.add_mutually_exclusive_group()
    out.add_argument("--latex", action="store_true",
                     help="print the LaTeX of the derivations (default: plain math for the terminal)")
    out.add_argument("--markdown", action="store_true", help="print the Markdown documents")
    out.add_argument("--write", nargs="?", const=DEFAULT_DIR, default=None, metavar="DIR",
                     help=f"(re)generate every document of the derivations folder into DIR (default {DEFAULT_DIR})")
    out.add_argument("--check", nargs="?", const=DEFAULT_DIR, default=None, metavar="DIR",
                     help=f"exit 1 if a document in DIR (default {DEFAULT_DIR}) is missing or out of date")


def _blocks(text: str):
    from ..derivation import parse_block
    from ..errors import InputError

    items = [x for x in (p.strip() for p in str(text).split(",")) if x]
    if not items:
        raise InputError("--n is empty; give block sizes such as 4, or 2,4,8,general.")
    out = []
    for item in items:
        b = parse_block(item)
        if b not in out:
            out.append(b)
    return out


def _topics(text: str):
    from ..derivation import TOPICS
    from ..errors import InputError

    t = str(text).strip().lower()
    if t == "all":
        return list(TOPICS)
    if t not in TOPICS:
        raise InputError(f"--topic {text!r} is not a derivation; use one of {', '.join(TOPICS)} or all.")
    return [t]


def _plain_text(d) -> str:
    """The derivation for the terminal: every statement and display as plain math (no LaTeX, no ``**``)."""
    from ..textmath import plain

    return "\n".join(plain(line) for line in d.text().split("\n"))


def _write(folder_text: str) -> int:
    """Write every document; the folder is checked before the derivations run, and the documents reach
    stdout if writing fails afterwards (one line on stderr, exit 2)."""
    from pathlib import Path

    from ..derivation.documents import documents
    from ..errors import InputError
    from ..fileio import describe_os_error, ensure_writable_folder, write_generated

    folder = ensure_writable_folder(folder_text, "--write")
    docs = documents()
    written = []
    try:
        for name, text in docs.items():
            written.append(write_generated(Path(folder) / name, text))
    except (OSError, InputError) as exc:
        reason = describe_os_error(exc) if isinstance(exc, OSError) else str(exc).rstrip(".")
        sys.stdout.write("".join(docs.values()))
        sys.stdout.flush()
        sys.stderr.write(f"pyramid-sym derive: error: --write {folder_text!r} failed after "
                         f"{len(written)} of {len(docs)} documents ({reason}); every document is printed above.\n")
        return 2
    print(f"wrote {len(written)} documents to {folder_text}")
    return 0


def run(args) -> int:
    from ..derivation import derive, stale_documents

    if args.write is not None:
        return _write(args.write)
    if args.check is not None:
        stale = stale_documents(args.check)
        if stale:
            sys.stderr.write(f"pyramid-sym derive: {len(stale)} document(s) in {args.check} out of date: "
                             f"{', '.join(stale)}; run 'pyramid-sym derive --write {args.check}'.\n")
            return 1
        print(f"derivations in {args.check} are up to date")
        return 0
    topics, blocks = _topics(args.topic), _blocks(args.blocks)
    chunks = []
    for topic in topics:
        for block in blocks:
            d = derive(topic, block)
            chunks.append(d.latex() if args.latex else d.markdown() if args.markdown else _plain_text(d))
    sys.stdout.write("\n".join(chunks))
    return 0
