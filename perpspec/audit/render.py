"""The audit report as text (hledger's layout) and as JSON (``--json``).

Text, one block per violation::

    FILE:LINE: [check-id] expected X, found Y (difference Z)
      {the offending record}
      hint: how to investigate

then one line per field the ledger holds that perpspec does not read (``FILE:LINE: field
trade.maker not read ...``), one per skip reason, and one closing line with the counts. JSON:
one object (docs/audit.md).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from perpspec.audit.report import AuditReport, Violation
from perpspec.reference.events import SourceEvent
from perpspec.reference.numbers import format_number

__all__ = ["format_text", "format_violation", "report_to_json", "show_text"]


def show_text(text: str) -> str:
    """``text`` on one visible line: every character ``str.isprintable`` refuses (controls,
    line and paragraph separators) written as its Python escape, so a record holding a
    vertical tab or a U+2028 cannot break a diagnostic into lines that look like others."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in text)


def format_violation(violation: Violation) -> list[str]:
    """The lines of one diagnostic."""
    where = f"{violation.file}:{violation.line}" if violation.line > 0 else violation.file
    head = f"{where}: [{violation.check}] expected {violation.expected}, found {violation.found}"
    if violation.difference is not None:
        head += f" (difference {violation.difference})"
    lines = [show_text(head)]
    if violation.record:
        lines.append(f"  {show_text(violation.record)}")
    lines.append(f"  hint: {show_text(violation.hint)}")
    return lines


def describe_source(file: str, source: SourceEvent) -> str:
    """One line naming the export a partial ledger was read from and what it covers."""
    unmapped = "; rows without a record: " + ", ".join(source.unmapped) if source.unmapped else ""
    return (
        f"{file}: a partial ledger: the {source.format} export of "
        f"{', '.join(source.accounts)} ({', '.join(source.files) or 'no files named'}); covers "
        f"{', '.join(source.covers) or 'nothing'}{unmapped}"
    )


def format_text(report: AuditReport, max_violations: int | None = None) -> Iterator[str]:
    """Every diagnostic (at most ``max_violations``), the skipped checks, and a summary."""
    shown = report.violations if max_violations is None else report.violations[:max_violations]
    for violation in shown:
        yield from format_violation(violation)
    total = sum(check.violations for check in report.checks)
    if total > len(shown):
        yield f"... {total - len(shown)} more violations not shown (--max-violations)"
    for field in report.unread:
        yield show_text(field.describe())
    if report.source is not None:
        yield show_text(describe_source(report.file, report.source))
    reasons: dict[str, list[str]] = {}
    for check in report.checks:
        if check.skipped is not None and check.skipped != "not selected":
            reasons.setdefault(check.skipped, []).append(check.id)
    for reason, ids in reasons.items():
        yield f"{report.file}: skipped {', '.join(ids)}: {reason}"
    ran = [c for c in report.checks if c.skipped is None]
    failing = ", ".join(f"{c.id} {c.violations}" for c in ran if c.violations)
    verdict = f"{total} violations ({failing})" if total else "no violations"
    yield (
        f"{report.file}: {report.events} events, {len(ran)} checks run, "
        f"{len(report.checks) - len(ran)} skipped: {verdict}"
    )


def report_to_json(report: AuditReport, max_violations: int | None = None) -> dict[str, Any]:
    """The ``--json`` object (numbers as exact strings)."""
    shown = report.violations if max_violations is None else report.violations[:max_violations]
    return {
        "file": report.file,
        "sha256": report.sha256,
        "events": report.events,
        "profile": report.profile,
        "checks": [
            {"id": c.id, "examined": c.examined, "violations": c.violations, "skipped": c.skipped}
            for c in report.checks
        ],
        "violations": [
            {
                "check": v.check,
                "file": v.file,
                "line": v.line,
                "seq": v.seq,
                "expected": v.expected,
                "found": v.found,
                "difference": v.difference,
                "record": v.record,
                "hint": v.hint,
            }
            for v in shown
        ],
        "source": None if report.source is None else _source_to_json(report.source),
        "unread_fields": [
            {"field": u.name, "records": u.records, "line": u.line} for u in report.unread
        ],
        "exit": report.exit_code,
    }


def _source_to_json(source: SourceEvent) -> dict[str, Any]:
    return {
        "format": source.format,
        "accounts": list(source.accounts),
        "covers": list(source.covers),
        "precision": None if source.precision is None else format_number(source.precision),
        "files": list(source.files),
        "unmapped": list(source.unmapped),
    }
