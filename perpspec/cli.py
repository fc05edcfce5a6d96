"""The ``perpspec`` command.

Exit codes follow one rule across subcommands: 0 success, 1 the check found failures or
violations, 2 unreadable input or wrong usage. Errors are one line on stderr, never a
traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from perpspec import __version__
from perpspec.reference.errors import SpecError

if TYPE_CHECKING:
    from perpspec.reference.events import Event
    from perpspec.reference.simulation.summary import SummaryBuilder

__all__ = ["main"]


def _cmd_conform(args: argparse.Namespace) -> int:
    from perpspec.conformance.report import conform_command

    return conform_command(args)


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


def _cmd_schema(args: argparse.Namespace) -> int:
    import json

    from perpspec.ledger.schema import ledger_schema

    print(json.dumps(ledger_schema(), indent=2))
    return 0


def _sidecar(ledger: Path) -> Path:
    return ledger.with_name(ledger.name + ".engine.toml")


def _cmd_simulate(args: argparse.Namespace) -> int:
    import dataclasses

    from perpspec.ledger.io import detect_format, write_ledger
    from perpspec.reference.engine.config import render_engine_config
    from perpspec.reference.profile import load_profile
    from perpspec.reference.simulation.runner import build_config, run_simulation
    from perpspec.reference.simulation.spec import Scenario, SimulationSpec
    from perpspec.reference.simulation.summary import SummaryBuilder, format_summary

    out = Path(args.out)
    detect_format(out, args.format)
    spec = SimulationSpec(
        accounts=args.accounts,
        steps=args.steps,
        seed=args.seed,
        scenario=Scenario(args.scenario),
        index_inputs=args.index,
    )
    config = dataclasses.replace(
        build_config(spec, load_profile(args.profile)), profile_ref=args.profile
    )
    summary = SummaryBuilder()
    with _progress(args.steps, "simulating") as advance:
        events = run_simulation(spec, config, on_progress=advance)
        written = write_ledger(_tee(events, summary), out, args.format)
    _sidecar(out).write_text(render_engine_config(config), encoding="utf-8")
    for line in format_summary(summary.get_summary()):
        print(line)
    print(f"wrote {written} events to {out} (engine configuration: {_sidecar(out)})")
    return 0


def _tee(events: Iterable[Event], summary: SummaryBuilder) -> Iterator[Event]:
    for event in events:
        summary.apply_event(event)
        yield event


@contextlib.contextmanager
def _progress(total: int, label: str) -> Iterator[Callable[[int, int], None]]:
    """A rich progress bar on stderr when it is a terminal; a silent callback otherwise."""
    if not sys.stderr.isatty():
        yield lambda done, total: None
        return
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(label, total=total)
        yield lambda done, total: bar.update(task, completed=done)


def _cmd_replay(args: argparse.Namespace) -> int:
    from perpspec.audit.replay_check import check_replay
    from perpspec.ledger.io import iter_ledger
    from perpspec.reference.engine.config import load_engine_config

    ledger = Path(args.ledger)
    config_path = Path(args.config) if args.config else _sidecar(ledger)
    config = load_engine_config(config_path)
    result = check_replay(config, iter_ledger(ledger, args.format))
    difference = result.difference
    if difference is None:
        print(f"{ledger}: {result.events} events replay exactly")
        return 0
    print(f"{ledger}:{difference.line}: [replay] the reference does not reproduce this event")
    print(f"  found:    {difference.found}")
    print(f"  expected: {difference.expected}")
    print(f"  hint: {difference.hint}")
    return 1


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
    from perpspec.conformance.report import add_conform_options

    add_conform_options(conform)
    conform.set_defaults(handler=_cmd_conform)

    vectors = commands.add_parser("vectors", help="regenerate the conformance vectors")
    vectors.add_argument("--dir", default="vectors", help="output directory (default vectors/)")
    vectors.add_argument(
        "--check", action="store_true", help="exit 1 if the committed vectors are stale"
    )
    vectors.set_defaults(handler=_cmd_vectors)

    profiles = commands.add_parser("profiles", help="list the shipped profiles")
    profiles.set_defaults(handler=_cmd_profiles)

    simulate = commands.add_parser(
        "simulate", help="run the reference engine on a generated market"
    )
    simulate.add_argument("--accounts", type=int, default=1000, help="trader accounts (1000)")
    simulate.add_argument("--steps", type=int, default=10_000, help="market steps (10000)")
    simulate.add_argument("--seed", type=int, default=0, help="random seed (0)")
    simulate.add_argument(
        "--scenario", choices=("calm", "crash", "squeeze"), default="crash", help="crash"
    )
    simulate.add_argument("--profile", default="seed-gate", help="profile name or file")
    simulate.add_argument("--out", required=True, help="ledger to write (.jsonl, .csv, .parquet)")
    simulate.add_argument("--format", choices=("jsonl", "csv", "parquet"), help="ledger format")
    simulate.add_argument(
        "--index",
        action="store_true",
        help="write index records (venues' quotes) and derive each mark from them "
        "(the profile needs [index] and [mark])",
    )
    simulate.set_defaults(handler=_cmd_simulate)

    replay_cmd = commands.add_parser(
        "replay", help="check that a ledger's inputs reproduce its outputs exactly"
    )
    replay_cmd.add_argument("ledger", metavar="LEDGER")
    replay_cmd.add_argument("--config", help="engine configuration (default LEDGER.engine.toml)")
    replay_cmd.add_argument("--format", choices=("jsonl", "csv", "parquet"), help="ledger format")
    replay_cmd.set_defaults(handler=_cmd_replay)

    from perpspec.audit.command import add_audit_parser

    add_audit_parser(commands)
    from perpspec.imports.command import add_import_parser

    add_import_parser(commands)

    schema = commands.add_parser("schema", help="print the JSON Schema of a ledger line")
    schema.set_defaults(handler=_cmd_schema)

    demo = commands.add_parser("demo", help="compute the seeds' worked examples, with derivations")
    demo.set_defaults(handler=_cmd_demo)
    from perpspec.invariants.command import add_invariants_parser

    add_invariants_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``perpspec`` command."""
    parser = _build_parser()
    try:
        args = parser.parse_args(argv)
        args.argv = list(sys.argv[1:] if argv is None else argv)  # the report names its command
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
    except BrokenPipeError:
        # The reader of our output went away (`perpspec audit ... | head`): not an error of
        # ours; stop quietly, pointing stdout at devnull so the interpreter's flush is silent.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except OSError as error:
        print(f"perpspec {args.command}: {error.filename or ''}: {error.strerror}", file=sys.stderr)
        return 2
    return code


if __name__ == "__main__":
    sys.exit(main())
