"""``pyramid-sym formulas``: list the named formulas (paper, code, article) with source, convention and domain."""

from __future__ import annotations

import json
import sys

NAME = "formulas"
HELP = "list the named formulas of the paper, the code and the article, with source, convention and domain"
ORDER = 15


def add_arguments(p):
    p.add_argument("id", nargs="?", help="show one formula in full (e.g. paper.eq25.e_next)")
    p.add_argument("--latex", action="store_true", help="print the LaTeX of the formula(s)")
    p.add_argument("--json", action="store_true", help="print as JSON")


def _record(f):
    from ..formulas import Equation

    d = {"id": f.id, "source": f.source, "convention": f.convention, "domain": f.domain.to_json()}
    if isinstance(f, Equation):
        d.update(statement=f.statement, lhs=str(f.lhs), rhs=str(f.rhs))
    else:
        d.update(quantity=f.quantity, expr=str(f.expr))
    d["latex"] = f.latex()
    if f.note:
        d["note"] = f.note
    return d


def run(args) -> int:
    from ..formulas import all_formulas, get

    items = [get(args.id)] if args.id else list(all_formulas().values())
    recs = [_record(f) for f in items]
    if args.json:
        json.dump(recs, sys.stdout, indent=1)
        sys.stdout.write("\n")
        return 0
    for r in recs:
        what = r.get("quantity") or r.get("statement")
        print(f"{r['id']:<36} [{r['convention']}] {r['source']}")
        print(f"    {what}")
        if args.latex:
            print(f"    $$ {r['latex']} $$")
        elif args.id:
            print(f"    = {r.get('expr') or (r['lhs'] + ' = ' + r['rhs'])}")
        print(f"    domain: {', '.join(f'{k} in {v}' for k, v in r['domain'].items()) or '(none)'}")
    return 0
