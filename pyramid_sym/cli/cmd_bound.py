"""``pyramid-sym bound``: certified rounding-error bounds of the emitted kernels over their whole domain."""

from __future__ import annotations

NAME = "bound"
HELP = "certified rounding-error bound of every emitted kernel per dtype (FPTaylor method, interval arithmetic)"
DESCRIPTION = (
    "For each emitted scalar kernel, model every rounding of its printed operations (round to nearest, "
    "|d| <= 2^-p, underflow term, no FMA) and bound the error over every float input of its domain by branch "
    "and bound in interval arithmetic with exact arb ends. Prints, per kernel and dtype, a certified bound on |computed - exact| / "
    "ulp(exact) and on the distance in floats to the correctly rounded value. float16 and bfloat16 are "
    "computed in float32 and rounded once. --write stores the table in pyramid_sym/data/kernel_bounds.json."
)
ORDER = 55


def add_arguments(parser) -> None:
    from ..bound import MAX_BOXES

    parser.add_argument("--kernel", metavar="K", help="one kernel (default: all); e.g. renoise_alpha")
    parser.add_argument("--dtype", metavar="LIST", default="float16,bfloat16,float32,float64",
                        help="comma-separated dtypes among float16, bfloat16, float32, float64 (default: all)")
    parser.add_argument("--json", action="store_true", help="print the table as JSON")
    parser.add_argument("--write", action="store_true",
                        help="write the table to the package's data file kernel_bounds.json (all kernels and dtypes)")
    parser.add_argument("--reference", action="store_true",
                        help="instead, certify LOWER bounds of the reference code's forms (as the probe runs them): "
                             "a float input where the error is proved at least X ULP")
    parser.add_argument("--max-boxes", type=int, default=MAX_BOXES, metavar="N",
                        help=f"box budget of the search per kernel and computing format (default {MAX_BOXES})")
    parser.add_argument("--jobs", type=int, default=0, metavar="N",
                        help="worker processes (default 0: one per core; 1: no workers); the table is the same")


def run(args) -> int:
    import json
    import sys

    from ..errors import UsageError

    from ..bound import DTYPES, MAX_BOXES, certify_all, table_json
    from ..bound.adapter import kernel_names
    from ..bound.formats import format_named

    dtypes = [d.strip() for d in args.dtype.split(",") if d.strip()]
    if not dtypes:
        raise UsageError("--dtype is empty; pass e.g. --dtype float32,float64.")
    for d in dtypes:
        format_named(d)
    kernels = None
    if args.kernel is not None:
        if args.kernel not in kernel_names():
            raise UsageError(f"--kernel {args.kernel!r} is not an emitted kernel; choose one of "
                             f"{', '.join(kernel_names())}.")
        kernels = [args.kernel]
    if args.max_boxes < 1:
        raise UsageError(f"--max-boxes {args.max_boxes} must be a positive integer; pass e.g. --max-boxes {MAX_BOXES}.")
    if args.jobs < 0:
        raise UsageError(f"--jobs {args.jobs} must be 0 (one per core) or a positive integer; pass e.g. --jobs 2.")
    if args.write and (kernels is not None or sorted(dtypes) != sorted(DTYPES)):
        raise UsageError("--write stores the whole table; drop --kernel and --dtype.")
    if args.reference:
        if args.write:
            raise UsageError("--write stores the kernels' upper bounds; drop --reference or --write.")
        from ..bound.lower import reference_lower_bounds

        numpy_dtypes = [d for d in dtypes if d != "bfloat16"]
        rows = [r for r in reference_lower_bounds(numpy_dtypes) if kernels is None or r.kernel in kernels]
        if args.json:
            sys.stdout.write(json.dumps([r.to_json() for r in rows], indent=1) + "\n")
            return 0
        print(f"{'reference form':<22} {'dtype':<9} {'error >= (ULP)':>15}  input (x, gamma) -> computed")
        for r in rows:
            print(f"{r.kernel:<22} {r.dtype:<9} {r.ulp:>15.4g}  {r.point} -> {r.computed!r}")
        return 0
    certs = certify_all(kernels, dtypes, max_boxes=args.max_boxes, jobs=args.jobs)
    table = table_json(certs)
    if args.write:
        from importlib import resources

        from ..fileio import atomic_write

        path = resources.files("pyramid_sym.data").joinpath("kernel_bounds.json")
        atomic_write(str(path), json.dumps(table, indent=1, sort_keys=True) + "\n")
        sys.stderr.write(f"wrote {path}\n")
    if args.json:
        sys.stdout.write(json.dumps(table, indent=1, sort_keys=True) + "\n")
        return 0
    print(f"{'kernel':<22} {'dtype':<9} {'ULP bound':>10} {'floats':>7}  {'search':<10} seconds")
    for c in certs:
        state = "tight" if c.complete else "budget"
        print(f"{c.kernel:<22} {c.dtype:<9} {c.ulp:>10g} {c.ordinal:>7}  {state:<10} {c.seconds:.1f}")
    return 0
