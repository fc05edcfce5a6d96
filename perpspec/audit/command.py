"""The ``perpspec audit`` subcommand (DESIGN, Command line; issue 6).

``perpspec audit LEDGER [--format F] [--profile P] [--select IDS] [--ignore IDS]
[--max-violations N] [--json] [--html REPORT] [--engine-config FILE] [--settlement-unit U]``.
Exit 0 clean, 1 violations, 2 unreadable input or wrong usage; errors are one line, never a
traceback. A long file shows a progress bar on stderr when stderr is a terminal
(:mod:`perpspec.audit.progress`).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
from dataclasses import replace
from fractions import Fraction
from pathlib import Path
from typing import Any

from perpspec.audit.render import format_text, report_to_json
from perpspec.audit.report import AuditReport
from perpspec.audit.run import (
    DEFAULT_SELECTION,
    KNOWN_CHECKS,
    AuditOptions,
    audit_ledger,
    compute_sha256,
)
from perpspec.ledger.errors import LedgerError
from perpspec.reference.errors import SpecError
from perpspec.reference.numbers import parse_number

__all__ = ["add_audit_parser", "parse_check_ids", "parse_settlement_unit", "run_audit_command"]


def add_audit_parser(commands: Any) -> None:
    """Add ``audit`` to the ``perpspec`` subcommands (``commands`` from add_subparsers)."""
    audit = commands.add_parser(
        "audit", help="check a ledger against the invariants, event by event"
    )
    audit.add_argument(
        "ledger",
        nargs="+",
        metavar="LEDGER",
        help="a .jsonl, .csv or .parquet ledger (with --from: the export's files)",
    )
    audit.add_argument(
        "--from",
        dest="source_format",
        metavar="FORMAT",
        help="audit an exchange's export: import it first (perpspec import --from FORMAT)",
    )
    audit.add_argument(
        "--account",
        default="me",
        help="with --from: the account's name when the export names none (default me)",
    )
    audit.add_argument("--format", choices=("jsonl", "csv", "parquet"), help="ledger format")
    audit.add_argument("--profile", help="profile name or TOML file (enables the rule checks)")
    audit.add_argument(
        "--select",
        action="append",
        metavar="IDS",
        help="run only these check ids (comma-separated or repeated)",
    )
    audit.add_argument(
        "--ignore",
        action="append",
        metavar="IDS",
        help="skip these check ids (comma-separated or repeated)",
    )
    audit.add_argument(
        "--max-violations",
        type=int,
        metavar="N",
        help="print at most N violations (the counts stay exact)",
    )
    audit.add_argument("--json", action="store_true", help="one JSON object on stdout")
    audit.add_argument(
        "--html",
        metavar="REPORT",
        help="also write a self-contained HTML report (summary, violations, plots) to REPORT",
    )
    audit.add_argument(
        "--engine-config",
        metavar="FILE",
        help="engine configuration for --select replay (LEDGER.engine.toml)",
    )
    audit.add_argument(
        "--settlement-unit",
        metavar="UNIT",
        help="the unit the exchange books realized PnL and socialized charges in, e.g. "
        "0.00000001 (default: the engine configuration's, else exact)",
    )
    audit.set_defaults(handler=run_audit_command)


def parse_check_ids(values: list[str] | None) -> set[str] | None:
    """Check ids from repeated, comma-separated options; SpecError for an unknown one."""
    if values is None:
        return None
    ids = {part.strip() for value in values for part in value.split(",") if part.strip()}
    if not ids:
        # An empty variable in a script would otherwise select nothing and pass.
        raise SpecError("no check id given (an empty --select or --ignore)")
    unknown = sorted(ids - set(KNOWN_CHECKS))
    if unknown:
        raise SpecError(
            f"unknown check id {', '.join(unknown)} (known: {', '.join(KNOWN_CHECKS[1:])})"
        )
    return ids


def parse_settlement_unit(text: str) -> Fraction:
    """``--settlement-unit``: an exact number > 0 (SpecError naming the option otherwise).

    An exchange's export carries no engine configuration, yet its realized PnL and socialized
    charges are rounded to its unit; audited as exact, every rounded charge would differ from
    its exact share by less than one unit and be reported.
    """
    unit = parse_number(text, "--settlement-unit")
    if unit <= 0:
        raise SpecError(f"--settlement-unit: must be > 0, found {text}")
    return unit


def _build_options(args: argparse.Namespace) -> AuditOptions:
    from perpspec.reference.profile import load_profile

    selected = parse_check_ids(args.select)
    ignored = parse_check_ids(args.ignore) or set()
    checks = set(DEFAULT_SELECTION) if selected is None else selected
    checks -= ignored
    if args.max_violations is not None and args.max_violations < 0:
        raise SpecError("--max-violations: must be >= 0")
    if args.profile == "":
        raise SpecError("--profile: an empty name (omit the option to audit without a profile)")
    profile = load_profile(args.profile) if args.profile else None
    config = None
    ledger = Path(args.ledger)
    path = (
        Path(args.engine_config)
        if args.engine_config
        else ledger.with_name(ledger.name + ".engine.toml")
    )
    # The engine configuration is needed by replay, and gives the settlement unit socialized
    # charges were booked in; a ledger simulated here carries it beside itself.
    if "replay" in checks or args.engine_config or path.exists():
        from perpspec.reference.engine.config import load_engine_config

        config = load_engine_config(path)
    unit = config.unit if config is not None else None
    if args.settlement_unit is not None:
        unit = parse_settlement_unit(args.settlement_unit)
    args.resolved_unit = unit  # the HTML report's summary states it
    return AuditOptions(frozenset(checks), profile, args.profile, config, None, unit)


def run_audit_command(args: argparse.Namespace) -> int:
    """Run the audit; print diagnostics (or JSON); return 0, 1 or 2."""
    try:
        if args.source_format is not None:
            exported = _audit_export(args)
            if isinstance(exported, int):
                return exported
            return _print_report(exported, args)
        if len(args.ledger) != 1:
            raise SpecError(
                f"give one ledger (found {len(args.ledger)} files; an export's files take "
                "--from FORMAT)"
            )
        args.ledger = args.ledger[0]
        options = _build_options(args)
        _check_html_target(args.html, args.ledger)
        report = _run_audit(args.ledger, args.format, options)
    except LedgerError as error:
        print(f"perpspec audit: {error}", file=sys.stderr)
        return 2
    except SpecError as error:
        print(f"perpspec audit: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"perpspec audit: {error.filename or args.ledger}: {error.strerror}", file=sys.stderr)
        return 2
    return _print_report(report, args)


def _audit_export(args: argparse.Namespace) -> AuditReport | int:
    """``audit --from FORMAT FILE...``: import the export, audit the ledger, and name each
    violation at the export's own file and line (the record's origin). The report's SHA-256
    is of the files' digests, in the order given (one file: the SHA-256 of its digest).
    Returns the report, or the exit code when the export cannot be read."""
    import tempfile

    from perpspec.imports.command import FORMAT_CHOICES, import_export, print_problems
    from perpspec.ledger.io import write_ledger

    if args.source_format not in FORMAT_CHOICES:
        raise SpecError(
            f"--from: unknown format {args.source_format} (known: {', '.join(FORMAT_CHOICES)})"
        )
    if args.format is not None:
        raise SpecError("--format: an export's format is --from's, not a ledger format")
    files = list(args.ledger)
    args.ledger = files[0]
    options = _build_options(args)
    for name in files:
        _check_html_target(args.html, name)
    result = import_export(files, args.source_format, args.account)
    if result.problems:
        print_problems("audit", result.problems)
        print(
            f"perpspec audit: {len(result.problems)} unreadable "
            f"{'value' if len(result.problems) == 1 else 'values'} in the export",
            file=sys.stderr,
        )
        return 2
    origins = result.origins
    with tempfile.TemporaryDirectory(prefix="perpspec-import-") as folder:
        ledger = os.path.join(folder, "imported.jsonl")
        write_ledger(result.events, ledger, "jsonl")
        # The records are in the file now, which the audit streams: holding them too would
        # keep every one in memory through the audit, with the garbage collector walking
        # them over and over (at a million rows, audit --from took 108 s of CPU more than
        # import and audit run one after the other).
        del result
        report = audit_ledger(ledger, "jsonl", options)
    named = " + ".join(files)
    violations = tuple(
        replace(v, file=origins[v.line - 1][0], line=origins[v.line - 1][1])
        if 0 < v.line <= len(origins)
        else replace(v, file=named)
        for v in report.violations
    )
    digest = hashlib.sha256("".join(compute_sha256(name) for name in files).encode()).hexdigest()
    return replace(report, file=named, violations=violations, sha256=digest)


def _print_report(report: AuditReport, args: argparse.Namespace) -> int:
    """Write the HTML report, then print the text (or JSON) report; return the verdict's exit
    code. The file comes first so that a reader who stops reading stdout early
    (``perpspec audit ... --html R | head``) still gets the whole report: a closed stdout
    ends the printing quietly, with the audit's own exit code, the report being complete."""
    if args.html:
        from perpspec.audit.html import ReportContext, describe_profile_digest, write_html

        try:
            digest = describe_profile_digest(args.profile) if args.profile else None
            unit = getattr(args, "resolved_unit", None)
            context = ReportContext(_command_line(args), unit, digest)
            write_html(report, args.html, args.max_violations, context)
        except OSError as error:
            print(f"perpspec audit: {args.html}: {error.strerror}", file=sys.stderr)
            return 2
    try:
        if args.json:
            import orjson

            sys.stdout.write(orjson.dumps(report_to_json(report, args.max_violations)).decode())
            sys.stdout.write("\n")
        else:
            for line in format_text(report, args.max_violations):
                print(line)
        sys.stdout.flush()
    except BrokenPipeError:
        # Point stdout at devnull so the interpreter's own flush at exit is silent too.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return report.exit_code


def _command_line(args: argparse.Namespace) -> str:
    """The command line as typed (shell-quoted), for the report's summary."""
    import shlex

    words: list[str] = getattr(args, "argv", None) or sys.argv[1:]
    return shlex.join(["perpspec", *words])


def _check_html_target(target: str | None, ledger: str) -> None:
    """Refuse, before a long audit rather than after it, an --html path that is empty, whose
    folder is missing, or that is the ledger itself (the report would overwrite the
    evidence)."""
    if target is None:
        return
    if not target:
        raise SpecError("--html: an empty path")
    report = Path(target).resolve()
    if not report.parent.is_dir():
        raise SpecError(f"--html: the folder of {target} does not exist")
    if report == Path(ledger).resolve():
        raise SpecError(f"--html: {target} is the ledger being audited")


def _run_audit(ledger: str, fmt: str | None, options: AuditOptions) -> AuditReport:
    from perpspec.audit.progress import audit_ledger_with_progress, is_progress_wanted

    if is_progress_wanted(ledger, sys.stderr):
        return audit_ledger_with_progress(ledger, fmt, options, sys.stderr)
    return audit_ledger(ledger, fmt, options)
