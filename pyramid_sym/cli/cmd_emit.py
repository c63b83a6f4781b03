"""``pyramid-sym emit``: write the kernel module of one target, printed from the proved formulas."""

from __future__ import annotations

NAME = "emit"
HELP = "emit a standalone kernel module (NumPy, torch, JAX, ...) printed from the proved formulas"
DESCRIPTION = HELP  # replaced by description() when help is shown (it lists the registry)
ORDER = 40


def description() -> str:
    """The full description, derived from the kernel registry."""
    from ..kernels.registry import REGISTRY

    scalar = ", ".join(REGISTRY.scalar_names)
    array = " and ".join(k.name for k in REGISTRY.array_kernels)
    return (f"Print the scalar kernels ({scalar}) and {array} as one standalone module that imports only the "
            f"target's array library. Targets: {', '.join(REGISTRY.target_names)}. The output is byte-identical "
            "from run to run; without -o it goes to standard output.")


def target_help() -> str:
    """Help of --target, derived from the registry."""
    from ..kernels.registry import REGISTRY

    return ("the array library the module is written for, one of "
            + ", ".join(f"{t.name}" + (f" (pip install -e \".[{t.extra}]\")" if t.extra else "") for t in REGISTRY.targets)
            + "; case does not matter")


def add_arguments(parser) -> None:
    target = parser.add_argument("--target", required=True, metavar="TARGET", help="the array library (see above)")
    parser.add_argument("-o", "--output", metavar="FILE",
                        help="write the module to FILE (atomically; refuses to replace a file pyramid-sym did "
                             "not generate unless --force); default: standard output")
    parser.add_argument("--force", action="store_true",
                        help="with -o, replace FILE even if pyramid-sym did not generate it")
    plain = parser.format_help

    def format_help():  # the registry is imported only when help is shown, not at every start-up
        parser.description, target.help = description(), target_help()
        return plain()

    parser.format_help = format_help


def run(args) -> int:
    import sys

    from ..errors import UsageError
    from ..kernels.registry import REGISTRY

    name = args.target.strip().lower()
    if name not in REGISTRY.target_names:
        raise UsageError(f"--target {args.target!r} is not a target; use one of {', '.join(REGISTRY.target_names)}.")
    if args.output is not None and not args.output.strip():
        raise UsageError("-o was given an empty file name; give -o FILE, or drop -o to print to standard output.")
    if args.force and not args.output:
        raise UsageError("--force only applies with -o FILE; add -o FILE or drop --force.")
    from ..kernels.emit import emit_module

    text = emit_module(name)
    if args.output:
        from ..fileio import write_generated

        path = write_generated(args.output, text, force=args.force)
        sys.stderr.write(f"wrote {path} ({name} kernels, {len(text.encode())} bytes)\n")
    else:
        sys.stdout.write(text)
        sys.stdout.flush()
    return 0
