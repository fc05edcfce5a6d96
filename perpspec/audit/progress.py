"""The audit's progress bar: on stderr, only for long files, only when stderr is a terminal.

Issue 6, item 3. The bar follows the records read (their line, or row for Parquet) against the
file's count of lines, taken by one quick pass over the bytes before the audit starts (about a
second for a gigabyte, next to minutes of auditing). Nothing is drawn when stderr is a pipe
or a file, so ``--json`` output and logs stay clean, and small files finish before a bar
would help.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from typing import TextIO

from perpspec.audit.report import AuditReport
from perpspec.audit.run import AuditOptions, LedgerItem, audit_ledger
from perpspec.ledger.errors import LedgerError
from perpspec.ledger.io import detect_format

__all__ = [
    "PROGRESS_MIN_BYTES",
    "audit_ledger_with_progress",
    "count_records",
    "is_progress_wanted",
    "track_records",
]

#: Files smaller than this are audited without a bar (a few seconds of work at most).
PROGRESS_MIN_BYTES = 20 * 2**20
#: The bar is moved once per this many records, so drawing it costs nothing measurable.
_UPDATE_EVERY = 4096


def is_progress_wanted(path: str | os.PathLike[str], stream: TextIO) -> bool:
    """True when ``stream`` is a terminal and the file is at least ``PROGRESS_MIN_BYTES``."""
    try:
        return stream.isatty() and os.path.getsize(path) >= PROGRESS_MIN_BYTES
    except (OSError, ValueError):
        return False


def count_records(path: str | os.PathLike[str], fmt: str | None) -> int:
    """The bar's total: text lines (a last line without newline counts), or Parquet rows."""
    if detect_format(path, fmt) == "parquet":
        import pyarrow.parquet as pq

        return int(pq.ParquetFile(path).metadata.num_rows)
    lines = 0
    last = b"\n"
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            lines += block.count(b"\n")
            last = block[-1:]
    return lines + (last != b"\n")


def track_records(
    items: Iterable[LedgerItem], advance: Callable[[int], None]
) -> Iterator[LedgerItem]:
    """``items`` unchanged, calling ``advance(position)`` every few thousand records."""
    for count, item in enumerate(items, start=1):
        if count % _UPDATE_EVERY == 0:
            advance(item.line if isinstance(item, LedgerError) else item[0])
        yield item


def audit_ledger_with_progress(
    path: str | os.PathLike[str], fmt: str | None, options: AuditOptions, stream: TextIO
) -> AuditReport:
    """:func:`perpspec.audit.run.audit_ledger` with a rich progress bar on ``stream``."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    total = count_records(path, fmt)
    columns = (
        TextColumn("auditing"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=Console(file=stream), transient=True) as bar:
        task = bar.add_task("auditing", total=total)
        return audit_ledger(
            path,
            fmt,
            options,
            lambda items: track_records(items, lambda done: bar.update(task, completed=done)),
        )
