"""``pyramid-sym emit``: write the NumPy or Torch kernel module printed from the proved formulas."""

from __future__ import annotations

NAME = "emit"
HELP = "emit a standalone NumPy or Torch kernel module printed from the proved formulas"
DESCRIPTION = (
    "Print the kernels (jump_end_time, jump_start_time, upsample_scale, renoise_std, corrected_start_sigma, "
    "renoise_alpha, renoise_beta), the exact block-noise sampler and renoise as one standalone module that "
    "imports only numpy or torch. The output is byte-identical from run to run; without -o it goes to stdout."
)
ORDER = 40
TARGETS = ("numpy", "torch")


def add_arguments(parser) -> None:
    parser.add_argument("--target", required=True, metavar="TARGET",
                        help="numpy or torch: the array library the module is written for")
    parser.add_argument("-o", "--output", metavar="FILE",
                        help="write the module to FILE (atomically; refuses to replace a file pyramid-sym did "
                             "not generate unless --force); default: standard output")
    parser.add_argument("--force", action="store_true",
                        help="with -o, replace FILE even if pyramid-sym did not generate it")


def run(args) -> int:
    import sys

    from ..errors import UsageError

    if args.target not in TARGETS:
        raise UsageError(f"--target {args.target!r} is not supported; use --target numpy or --target torch.")
    if args.force and not args.output:
        raise UsageError("--force only applies with -o FILE; add -o FILE or drop --force.")
    from ..kernels.emit import emit_module

    text = emit_module(args.target)
    if args.output:
        from ..fileio import write_generated

        path = write_generated(args.output, text, force=args.force)
        sys.stderr.write(f"wrote {path} ({args.target} kernels, {len(text.encode())} bytes)\n")
    else:
        sys.stdout.write(text)
        sys.stdout.flush()
    return 0
