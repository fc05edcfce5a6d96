"""The ``perpspec conform`` command: options, and its report as text or JSON.

The report counts per op the cases passed, failed (a wrong output, a wrong rejection, an
invalid case answered) and errors (no usable answer: timed out, crashed, skipped, answered
twice, or a malformed case), then per failing case its input, expected and actual output.
Exit 0 only when at least one case ran, every case passed and no protocol error occurred.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from perpspec.conformance.runner import (
    CaseResult,
    RunSummary,
    check_manifests,
    expand_case_paths,
    find_stray_files,
    run_program,
    run_reference,
)

__all__ = ["add_conform_options", "conform_command", "per_op_counts", "report_json"]


def add_conform_options(parser: argparse.ArgumentParser) -> None:
    """The options of ``perpspec conform`` beyond its files and ``--reference``."""
    parser.add_argument("--cmd", metavar="PROGRAM", help="run the cases through PROGRAM")
    parser.add_argument(
        "--python", metavar="MODULE:FUNCTION", help="run the cases through a Python function"
    )
    parser.add_argument(
        "--timeout", type=_seconds, default=None, help="seconds per case (default 10)"
    )
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--fuzz", type=int, metavar="N", help="compare N random cases live")
    parser.add_argument("--seed", type=int, default=0, help="fuzzing seed (default 0)")
    parser.add_argument("--op", help="the op to fuzz (default: every op, in turn)")
    parser.add_argument("--save", help="where to save a shrunk disagreement (.jsonl)")


def per_op_counts(summary: RunSummary) -> dict[str, dict[str, int]]:
    """``{op: {"passed", "failed", "errors"}}`` in op order of first appearance."""
    counts: dict[str, dict[str, int]] = {}
    for result in summary.results:
        row = counts.setdefault(result.op, {"passed": 0, "failed": 0, "errors": 0})
        if result.passed:
            row["passed"] += 1
        elif result.kind == "error":
            row["errors"] += 1
        else:
            row["failed"] += 1
    return counts


def _failure(result: CaseResult) -> dict[str, Any]:
    return {
        "file": result.source,
        "line": result.line,
        "id": result.case_id,
        "op": result.op,
        "kind": result.kind,
        "reason": result.reason,
        "input": result.input,
        "expected": result.expected,
        "actual": result.actual,
    }


def report_json(summary: RunSummary) -> dict[str, Any]:
    """The whole report as one JSON document."""
    return {
        "ok": summary.ok,
        "passed": summary.passed,
        "failed": summary.failed,
        "ops": per_op_counts(summary),
        "failures": [_failure(result) for result in summary.results if not result.passed],
        "protocol_errors": summary.protocol_errors,
        "notes": summary.notes,
    }


def print_text(summary: RunSummary) -> None:
    """The report as text: each failure with its data, protocol errors, notes, per-op counts."""
    for result in summary.results:
        if result.passed:
            continue
        print(result.describe())
        for label, value in (
            ("input", result.input),
            ("expected", result.expected),
            ("actual", result.actual),
        ):
            if value is not None:
                print(f"    {label}: {json.dumps(value)}")
    for problem in summary.protocol_errors:
        print(f"protocol error: {problem}")
    for note in summary.notes:
        print(f"note: {note}")
    for op, row in per_op_counts(summary).items():
        label = "unparsed lines" if op == "?" else op
        print(f"{label}: {row['passed']} passed, {row['failed']} failed, {row['errors']} errors")
    print(summary.closing_line())


def _seconds(text: str) -> float:
    """A per-case timeout: a positive number of seconds (a wait, not an amount of money)."""
    try:
        seconds = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not seconds > 0 or seconds == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds: {text!r}")
    return seconds


def conform_command(args: argparse.Namespace) -> int:
    """Run ``perpspec conform``; the exit status (0 all passed, 1 not, 2 usage)."""
    command = args.cmd
    if args.python:
        from perpspec.conformance.python_entry import check_function, python_command

        if command:
            print("perpspec conform: give --cmd or --python, not both", file=sys.stderr)
            return 2
        problem = check_function(args.python)
        if problem is not None:
            print(f"perpspec conform: {problem}", file=sys.stderr)
            return 2
        command = python_command(args.python)
    if args.fuzz is not None:
        from perpspec.conformance.fuzz import fuzz_command

        if not command:
            print("perpspec conform: --fuzz needs --cmd or --python", file=sys.stderr)
            return 2
        return fuzz_command(command, args)
    names = list(args.reference or []) + list(args.files)
    if not names:
        print("perpspec conform: give case files (--reference FILE... or FILE...)", file=sys.stderr)
        return 2
    paths = expand_case_paths(names)
    summary = run_program(command, paths, args.timeout) if command else run_reference(paths)
    summary.results.extend(find_stray_files(names))
    summary.results.extend(check_manifests(names, summary.files))
    if args.json:
        print(json.dumps(report_json(summary), indent=2))
    else:
        print_text(summary)
    if summary.passed + summary.failed == 0:
        print("perpspec conform: no cases found", file=sys.stderr)
        return 1
    return 0 if summary.ok else 1
