"""The ledger as CSV: one header line, one event a row (DESIGN, Ledger: CSV is an equivalent).

The header names the canonical columns (:data:`.columns.COLUMNS`) and the cells follow
:mod:`.columns`. The writer writes exactly those columns, UTF-8, ``\\n`` line endings, quoting
only where CSV needs it. The reader matches columns by name: every canonical column must be
there once (else one :class:`LedgerError` at the header's line, naming the expected header, and
nothing more is read); further columns are allowed, and a cell they hold (like a cell in a
column the row's type does not have) is noted in the reader's
:class:`~perpspec.ledger.unread.UnreadFields`, when it is given one, never passed over. Line
numbers are the file's lines (the header is line 1; a record with a quoted line break is
reported at its first line). A row the csv module refuses (a carriage return in an unquoted
cell, a cell over its size limit) is one error and reading goes on; a row whose quote was left
open says which lines it swallowed. Reading streams, memory bounded by one record; a file that
is not UTF-8 text yields one error and stops, as in JSON Lines. An empty file is an empty
ledger.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING

from perpspec.ledger.codec import decode_event
from perpspec.ledger.columns import (
    COLUMNS,
    OPTIONAL_COLUMNS,
    decode_cells,
    encode_cells,
    find_stray_cells,
)
from perpspec.ledger.errors import FieldError, LedgerError
from perpspec.ledger.jsonl import StrPath
from perpspec.ledger.text_lines import UnreadableTextError, iter_text_lines
from perpspec.ledger.unread import UnreadFields
from perpspec.reference.events import Event

if TYPE_CHECKING:
    from _csv import Reader

__all__ = ["EXPECTED_HEADER", "get_header_problem", "iter_csv", "write_csv"]

#: The header line the writer writes and the reader expects (its columns, by name).
EXPECTED_HEADER = ",".join(COLUMNS)


def _row_text(row: Sequence[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="").writerow(row)
    return buffer.getvalue()


def get_header_problem(header: Sequence[str]) -> str | None:
    """Why ``header`` is not a ledger header (a canonical column missing or repeated), or None."""
    missing = [name for name in COLUMNS if name not in header and name not in OPTIONAL_COLUMNS]
    repeated = sorted({name for name in COLUMNS if header.count(name) > 1})
    if not missing and not repeated:
        return None
    found = f"missing: {', '.join(missing)}" if missing else f"repeated: {', '.join(repeated)}"
    return f"expected the header {EXPECTED_HEADER} ({found})"


def _decode_row(
    row: Sequence[str],
    positions: dict[str, int],
    where: str,
    line: int,
    unread: UnreadFields | None = None,
) -> Event:
    cells = {name: row[index] for name, index in positions.items()}
    try:
        raw = decode_cells(cells)
    except FieldError as error:
        raise LedgerError(where, line, error.field, error.reason, _row_text(row)) from None
    event = decode_event(raw, where, line=line, record=_row_text(row))
    if unread is not None:
        for name in find_stray_cells(cells):
            unread.note(name, where, line)
    return event


def _describe_csv_error(error: csv.Error) -> str:
    text = str(error)
    if text.startswith("new-line character seen in unquoted field"):
        return "a line break (a lone carriage return?) inside an unquoted cell"
    return text


def _iter_raw_rows(reader: Reader, where: str) -> Iterator[tuple[int, list[str]] | LedgerError]:
    """``(first line, cells)`` per row; a row the csv module refuses is a LedgerError, and
    reading goes on with the next line (the module starts afresh after an error)."""
    while True:
        line = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            yield LedgerError(where, line, "record", f"not CSV: {_describe_csv_error(error)}")
            continue
        yield line, row


def _iter_rows(
    reader: Reader, where: str, unread: UnreadFields | None = None
) -> Iterator[tuple[int, Event] | LedgerError]:
    positions: dict[str, int] | None = None
    width = 0
    for item in _iter_raw_rows(reader, where):
        if isinstance(item, LedgerError):
            yield item
            continue
        line, row = item
        if not row:
            continue
        if positions is None:
            problem = get_header_problem(row)
            if problem is not None:
                yield LedgerError(where, line, "header", problem, _row_text(row))
                return
            positions = {name: row.index(name) for name in COLUMNS if name in row}
            if unread is not None:
                # Columns beyond the canonical ones are read only to be reported; a name the
                # header repeats is told apart by its column number, so no cell goes unseen.
                for index, name in enumerate(row):
                    if positions.setdefault(name, index) != index:
                        positions[f"{name} (column {index + 1})"] = index
            width = len(row)
            continue
        if len(row) != width:
            reason = f"expected {width} cells as in the header, found {len(row)}"
            if reader.line_num > line:
                # A quote left open swallows the lines up to the next quote into one cell.
                reason += (
                    f"; a quoted cell runs from line {line} to line {reader.line_num} (a stray "
                    '" opens a quote), and those lines were read as this one record'
                )
            yield LedgerError(where, line, "record", reason, _row_text(row))
            continue
        try:
            yield line, _decode_row(row, positions, where, line, unread)
        except LedgerError as error:
            yield error


def iter_csv(
    path: StrPath, unread: UnreadFields | None = None
) -> Iterator[tuple[int, Event] | LedgerError]:
    """Stream a CSV ledger: ``(line, event)`` per event, a :class:`LedgerError` per bad row
    (module docstring); ``unread``, when given, collects the cells no field takes."""
    where = os.fspath(path)
    try:
        handle = open(path, "rb")  # noqa: SIM115  # closed by the with below, after the check
    except OSError as error:
        yield LedgerError(where, 0, "file", f"cannot open: {error.strerror or error}")
        return
    with handle:
        reader = csv.reader(text for _, text in iter_text_lines(handle))
        try:
            yield from _iter_rows(reader, where, unread)
        except UnreadableTextError as error:
            yield LedgerError(where, error.line, "file", error.reason)


def write_csv(events: Iterable[Event], path: StrPath) -> int:
    """Write ``events`` as CSV with the canonical header; return how many were written."""
    count = 0
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(COLUMNS)
        for event in events:
            writer.writerow(["" if cell is None else cell for cell in encode_cells(event)])
            count += 1
    return count
