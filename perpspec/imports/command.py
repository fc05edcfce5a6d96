"""``perpspec import``: an exchange's export into a partial ledger (docs/import.md).

``perpspec import --from FORMAT FILE... --out LEDGER`` reads every file with the adapter of
``FORMAT`` (``auto``: the format every file's header or keys name) and writes the ledger. Every
value the adapter cannot read is one line on stderr, ``FILE:LINE: field: reason``, and nothing
is written (exit 2): a ledger missing rows would audit as if they never happened. The rows that
have no record are counted in the ledger's source record and named on stdout.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from perpspec.imports import ADAPTER_MODULES, detect_adapter, get_adapter
from perpspec.imports.assemble import assemble_with_origins, describe_unmapped
from perpspec.imports.base import DEFAULT_ACCOUNT, ExportError
from perpspec.ledger.errors import LedgerError
from perpspec.reference.events import Event, SourceEvent

__all__ = ["ImportResult", "add_import_parser", "import_export", "run_import_command"]

FORMAT_CHOICES: tuple[str, ...] = ("auto", *ADAPTER_MODULES)


@dataclass(frozen=True, slots=True)
class ImportResult:
    """An export read: its format, the ledger's records with each one's origin (export file
    and line), and the problems (empty when every value was read)."""

    format: str
    events: list[Event]
    origins: list[tuple[str, int]]
    problems: list[ExportError]

    @property
    def source(self) -> SourceEvent:
        first = self.events[0]
        if not isinstance(first, SourceEvent):
            raise TypeError("an assembled ledger opens with its source record")
        return first


def import_export(paths: Sequence[str], fmt: str, account: str) -> ImportResult:
    """Read ``paths`` as one export of format ``fmt`` (``auto``: detected); ExportError when
    no file can be read as that format at all (no file, unknown format)."""
    if not paths:
        raise ExportError("", 0, "file", "no export files given")
    names = tuple(os.fspath(path) for path in paths)
    for name in names:
        if os.path.isdir(name):
            raise ExportError(name, 0, "file", "a folder, not an export file")
        if not os.path.isfile(name):
            raise ExportError(name, 0, "file", "no such file")
    chosen = detect_adapter(names) if fmt == "auto" else fmt
    adapter = get_adapter(chosen)
    with _without_cycle_collection():
        imported = adapter.read(names, account)
        if not imported.drafts and not imported.problems:
            unmapped = ", ".join(describe_unmapped(imported))
            imported.problems.append(
                ExportError(
                    names[0],
                    0,
                    "file",
                    "no record in any file: nothing to audit"
                    + (f" (rows without a record: {unmapped})" if unmapped else ""),
                )
            )
        events, origins = assemble_with_origins(imported, chosen, names)
    problems = sorted(
        imported.problems, key=lambda p: (names.index(p.file) if p.file in names else 0, p.line)
    )
    return ImportResult(chosen, events, origins, problems)


@contextlib.contextmanager
def _without_cycle_collection() -> Iterator[None]:
    """The garbage collector's cycle detection paused: an import builds every record of the
    export in memory, millions of objects of which none is garbage until the ledger is
    written, and each collection of the oldest generation would walk them all again (reference
    counting still frees everything as before; cycles made meanwhile wait for the next
    collection)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def add_import_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The ``import`` subcommand's options."""
    command = commands.add_parser(
        "import", help="translate an exchange's export into a (partial) ledger"
    )
    command.add_argument("files", nargs="+", metavar="FILE", help="the export's files")
    command.add_argument(
        "--from",
        dest="source_format",
        required=True,
        choices=FORMAT_CHOICES,
        help="the export's format (auto: detected from each file's header or keys)",
    )
    command.add_argument("--out", required=True, help="ledger to write (.jsonl, .csv, .parquet)")
    command.add_argument("--format", choices=("jsonl", "csv", "parquet"), help="ledger format")
    command.add_argument(
        "--account",
        default=DEFAULT_ACCOUNT,
        help=f"the account's name when the export names none (default {DEFAULT_ACCOUNT})",
    )
    command.set_defaults(handler=run_import_command)


def print_problems(command: str, problems: Sequence[LedgerError]) -> None:
    """Every problem, one line each, on stderr."""
    for problem in problems:
        print(f"perpspec {command}: {problem}", file=sys.stderr)


def run_import_command(args: argparse.Namespace) -> int:
    """Import; print what was written (or every problem); return 0 or 2."""
    from perpspec.ledger.io import write_ledger

    target = os.path.realpath(args.out)
    if any(os.path.realpath(name) == target for name in args.files):
        print(f"perpspec import: --out: {args.out} is one of the export's files", file=sys.stderr)
        return 2
    try:
        result = import_export(args.files, args.source_format, args.account)
    except LedgerError as error:
        print(f"perpspec import: {error}", file=sys.stderr)
        return 2
    if result.problems:
        print_problems("import", result.problems)
        count = len(result.problems)
        print(
            f"perpspec import: {count} unreadable {'value' if count == 1 else 'values'}; "
            "nothing written",
            file=sys.stderr,
        )
        return 2
    try:
        written = write_ledger(result.events, args.out, args.format)
    except LedgerError as error:
        print(f"perpspec import: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"perpspec import: {args.out}: {error.strerror}", file=sys.stderr)
        return 2
    source = result.source
    print(
        f"wrote {args.out}: {written} records from the {result.format} export of "
        f"{', '.join(source.accounts)}; covers {', '.join(source.covers) or 'nothing'}"
    )
    if source.unmapped:
        print(f"rows without a record: {', '.join(source.unmapped)}")
    return 0
