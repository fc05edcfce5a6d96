"""The ``perpspec`` command.

Exit codes follow one rule across subcommands: 0 success, 1 the check found failures or
violations, 2 unreadable input or wrong usage. Errors are one line on stderr, never a
traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from perpspec import __version__
from perpspec.reference.errors import SpecError

__all__ = ["main"]


def _cmd_conform(args: argparse.Namespace) -> int:
    from perpspec.conformance.runner import expand_case_paths, run_program, run_reference

    names = list(args.reference or []) + list(args.files)
    if not names:
        print("perpspec conform: give case files (--reference FILE... or FILE...)", file=sys.stderr)
        return 2
    paths = expand_case_paths(names)
    if args.cmd:
        summary = run_program(args.cmd, paths, timeout=args.timeout)
    else:
        summary = run_reference(paths)
    for result in summary.results:
        if not result.passed:
            print(result.describe())
    print(summary.closing_line())
    if summary.passed + summary.failed == 0:
        print("perpspec conform: no cases found", file=sys.stderr)
        return 1
    return 0 if summary.ok else 1


def _cmd_vectors(args: argparse.Namespace) -> int:
    from perpspec.spec.vectors import find_stale_vectors, write_vectors

    directory = Path(args.dir)
    if args.check:
        stale = find_stale_vectors(directory)
        for name in stale:
            print(f"{directory / name}: stale; run `perpspec vectors` to regenerate")
        return 1 if stale else 0
    for path in write_vectors(directory):
        print(f"wrote {path}")
    return 0


def _cmd_profiles(args: argparse.Namespace) -> int:
    from perpspec.profiles import list_profiles
    from perpspec.reference.profile import load_profile

    for name in list_profiles():
        profile = load_profile(name)
        print(f"{name:18} {profile.description}")
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    from perpspec.demo import run_demo

    return run_demo()


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="perpspec",
        description="Reference specification of the perpetual futures risk waterfall.",
    )
    parser.add_argument("--version", action="version", version=f"perpspec {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    conform = commands.add_parser(
        "conform", help="run conformance vectors against the reference or a program under test"
    )
    conform.add_argument("files", nargs="*", metavar="FILE", help="case files or directories")
    conform.add_argument(
        "--reference", nargs="+", metavar="FILE", help="run these case files through the reference"
    )
    conform.add_argument("--cmd", metavar="PROGRAM", help="run the cases through PROGRAM instead")
    conform.add_argument(
        "--timeout", type=float, default=120.0, help="seconds PROGRAM may take (default 120)"
    )
    conform.set_defaults(handler=_cmd_conform)

    vectors = commands.add_parser("vectors", help="regenerate the conformance vectors")
    vectors.add_argument("--dir", default="vectors", help="output directory (default vectors/)")
    vectors.add_argument(
        "--check", action="store_true", help="exit 1 if the committed vectors are stale"
    )
    vectors.set_defaults(handler=_cmd_vectors)

    profiles = commands.add_parser("profiles", help="list the shipped profiles")
    profiles.set_defaults(handler=_cmd_profiles)

    demo = commands.add_parser("demo", help="compute the seeds' worked examples, with derivations")
    demo.set_defaults(handler=_cmd_demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``perpspec`` command."""
    parser = _build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    if getattr(args, "handler", None) is None:
        parser.print_help()
        return 2
    try:
        code: int = args.handler(args)
    except SpecError as error:
        print(f"perpspec {args.command}: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"perpspec {args.command}: {error.filename or ''}: {error.strerror}", file=sys.stderr)
        return 2
    return code


if __name__ == "__main__":
    sys.exit(main())
