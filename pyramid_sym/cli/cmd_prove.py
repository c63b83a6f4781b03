"""``pyramid-sym prove``: decide every ledger claim and compare with its expected verdict."""

from __future__ import annotations

import json
import sys
import time

NAME = "prove"
HELP = "decide every ledger claim (paper, code, article) and check each reaches its expected verdict"
DESCRIPTION = (
    "Decide every claim of the ledger with the sound prover: 'proved' carries a certificate valid on the "
    "whole domain (every divisor, radicand and pole certified, lhs - rhs shown to be 0) re-decided by arb "
    "ball enclosures at >= 20 exact points; 'refuted' carries an exact point inside the domain with an "
    "enclosure of lhs - rhs that excludes 0, or a certified undefinedness there; anything less is "
    "'unknown'. Exit 0 iff every claim has its expected verdict, 1 otherwise, 2 for bad usage."
)
ORDER = 10


def add_arguments(p):
    p.add_argument("--claim", action="append", metavar="ID", help="decide only this claim (repeatable)")
    p.add_argument("--json", action="store_true", help="print the results as JSON")
    p.add_argument("--list", action="store_true", help="list the claim ids and statements, decide nothing")
    p.add_argument("--wide", action="store_true",
                   help="one row per claim at full width (about 200 columns), whatever the terminal's width")
    p.add_argument("-v", "--verbose", action="store_true",
                   help="print each claim's certificate, side conditions, witnesses and counterexample")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "\u2026"


_COLS = [("id", 38), ("source", 26), ("statement", 52), ("verdict", 8), ("expected", 8), ("method", 30), ("s", 6)]
_FULL_WIDTH = sum(w for _, w in _COLS) + 2 * (len(_COLS) - 1)


def _terminal_width() -> int:
    import shutil

    return max(shutil.get_terminal_size((100, 24)).columns, 40)


def _table(results, width: int | None = None, wide: bool = False) -> str:
    """One row per claim when the full table fits (or ``wide``); else a wrapped layout of ``width`` columns."""
    width = _terminal_width() if width is None else width
    if wide or width >= _FULL_WIDTH:
        head = "  ".join(f"{name:<{w}}" for name, w in _COLS)
        lines = [head, "-" * len(head)]
        for r in results:
            mark = "" if r.ok else "  <-- NOT AS EXPECTED"
            row = [r.claim.id, r.claim.source, r.claim.statement, r.verdict, r.claim.expected, r.method,
                   f"{r.seconds:.3f}"]
            lines.append("  ".join(f"{_short(v, w):<{w}}" for v, (_, w) in zip(row, _COLS)) + mark)
        return "\n".join(lines)
    import textwrap

    lines = ["claim: verdict (expected), seconds; then its source, statement and method"]
    lines.append("-" * min(width, 78))
    for r in results:
        mark = "" if r.ok else "  <-- NOT AS EXPECTED"
        lines.append(f"{r.claim.id}: {r.verdict} (expected {r.claim.expected}), {r.seconds:.3f} s{mark}")
        body = f"{r.claim.source}: {r.claim.statement} [{r.method}]"
        lines += textwrap.wrap(body, width=width, initial_indent="    ", subsequent_indent="    ",
                               break_long_words=True, break_on_hyphens=False)
    return "\n".join(lines)


def _context(r) -> dict:
    from ..ledger.claims_article import counterexample_context

    point = (r.counterexample or {}).get("point") if isinstance(r.counterexample, dict) else None
    return counterexample_context(r.claim.id, point or {})


def _article_errors(results) -> list[str]:
    out = []
    for r in results:
        if not r.claim.id.startswith("article.") or r.verdict != "refuted":
            continue
        under = r.holds_under
        fix = f"holds after: {'; or '.join(under)}" if under else "no re-reading tried makes it hold"
        where = ""
        point = (r.counterexample or {}).get("point") if isinstance(r.counterexample, dict) else None
        if point:
            at = dict(point, **{k: v.split(" (")[0] for k, v in _context(r).items()})
            where = " e.g. at " + ", ".join(f"{k} = {v}" for k, v in at.items()) + ";"
        out.append(f"  {r.claim.id}: wrong as written ({r.claim.note or r.claim.statement});{where} {fix}")
    return out


def run(args) -> int:
    t0 = time.perf_counter()
    from ..ledger import all_claims, get_claim, run_ledger

    if args.list:
        claims = all_claims() if not args.claim else [get_claim(c) for c in args.claim]
        for c in claims:
            print(f"{c.id:<44} {c.expected:<8} {c.statement}")
        return 0
    results = run_ledger(args.claim)
    ok = all(r.ok for r in results)
    total = time.perf_counter() - t0
    if args.json:
        json.dump({"ok": ok, "seconds": round(total, 3), "claims": [r.to_json() for r in results]},
                  sys.stdout, indent=1)
        sys.stdout.write("\n")
        return 0 if ok else 1
    print(_table(results, wide=args.wide))
    errors = _article_errors(results)
    if errors:
        print("\nThe article's errors, named:")
        print("\n".join(errors))
    if args.verbose:
        for r in results:
            print(f"\n== {r.claim.id} [{r.verdict}] {r.claim.statement}")
            for c in r.certificate:
                print(f"   certificate: {c}")
            for c in r.side_conditions:
                print(f"   side condition: {c}")
            if r.witnesses:
                print(f"   witnesses: {r.witnesses.get('points')} points at {r.witnesses.get('dps')} digits")
            if r.counterexample:
                print(f"   counterexample: {r.counterexample}")
                for name, value in _context(r).items():
                    print(f"   at that point {name} = {value} (the code's model computes it from e_{{k+1}} and gamma)")
            for rel in r.relabellings:
                print(f"   re-read ({rel['relabelling']}): {rel['verdict']}")
            if r.note:
                print(f"   note: {r.note}")
    n_ok = sum(r.ok for r in results)
    print(f"\n{_plural(len(results), 'claim')}, {n_ok} with {'its' if len(results) == 1 else 'their'} expected verdict, "
          f"{len(results) - n_ok} not; {total:.2f} s")
    return 0 if ok else 1
