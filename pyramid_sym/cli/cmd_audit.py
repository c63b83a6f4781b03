"""``pyramid-sym audit``: read Python files (never run them), say which formula each line computes, prove it.

Exit status: 0 every expectation proved and nothing refuted, 1 an expectation
refuted or missing (or a line refuted), 3 undecided, 2 bad input.
"""

from __future__ import annotations

import sys

NAME = "audit"
HELP = "audit your own code: which formula each line computes, proved or refuted, and its float accuracy"
ORDER = 35
DESCRIPTION = (
    "Read Python files with ast (nothing is imported or run), turn every assignment into an expression of the "
    "file's own names, identify the paper's and the reference code's formulas in either convention "
    "(sigma = 1 - t, gamma_c = -gamma), prove or refute each with a counterexample in the file's names, and "
    "measure its float32/float64 accuracy as written. Example: pyramid-sym audit "
    "diffusion_schedulers/scheduling_flow_matching.py --expect start_sigma=code.start_sigma. "
    "Exit status: 0 all expectations proved and nothing refuted, 1 an expectation refuted or missing, "
    "3 unknown, 2 bad input."
)


def add_arguments(parser) -> None:
    parser.add_argument("files", metavar="FILE", nargs="*", help="Python source files to audit")
    parser.add_argument("--function", metavar="NAME", default=None,
                        help="only the lines of this function (NAME or Class.NAME)")
    parser.add_argument("--expect", dest="expects", action="append", default=[], metavar="NAME=FORMULA_ID",
                        help="NAME (or FUNCTION.NAME) must compute the formula, e.g. alpha=code.renoise_alpha; "
                             "repeat for each")
    parser.add_argument("--bind", dest="binds", action="append", default=[], metavar="NAME=SYMBOL",
                        help="fix what a name holds: sigma_end, sigma_start, s_k, e_next, gamma (paper, < 0) or "
                             "gamma_c (code, > 0), e.g. --bind self.config.gamma=gamma_c")
    parser.add_argument("--json", action="store_true", help="same as --format json")
    parser.add_argument("--format", dest="fmt", default=None, metavar="text|json|sarif",
                        help="output format (default text; sarif is SARIF 2.1.0 for code-scanning views)")
    parser.add_argument("--no-accuracy", action="store_true", help="skip the float accuracy measurement")


def run(args) -> int:
    from ..errors import UsageError

    fmt = args.fmt if args.fmt is not None else ("json" if args.json else "text")
    if not isinstance(fmt, str) or fmt not in ("text", "json", "sarif"):
        raise UsageError(f"--format {str(fmt)[:30]!r} is not one of text, json, sarif; pick one of those.")
    if args.json and fmt != "json":
        raise UsageError(f"--json and --format {fmt} disagree; give one of them.")
    if not args.files:
        raise UsageError("no file given; name one or more Python files, e.g. pyramid-sym audit scheduler.py.")
    if args.function is not None and (not isinstance(args.function, str) or not args.function.strip()):
        raise UsageError("--function needs a function name, e.g. --function generate_one_unit.")

    # bad input first, before SymPy is imported: the files, and the shape of every option
    from ..audit.source import check_option_shape, read_source

    for t in args.expects:
        check_option_shape("--expect", t)
    for t in args.binds:
        check_option_shape("--bind", t)
    sources = [read_source(p) for p in args.files]

    from ..audit import audit, parse_bind, parse_expect, render_json, render_sarif, render_text

    expects = [parse_expect(t) for t in args.expects]
    binds = [parse_bind(t) for t in args.binds]
    report = audit(sources, function=args.function, expects=expects, binds=binds,
                   accuracy=not args.no_accuracy)
    text = {"text": render_text, "json": render_json, "sarif": render_sarif}[fmt](report)
    sys.stdout.write(text)
    sys.stdout.flush()
    return report.exit_status
