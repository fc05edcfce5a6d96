"""The ledger as Parquet: one string column per CSV column (DESIGN, Ledger: an equivalent).

The columns are :data:`.columns.COLUMNS`, every one a nullable UTF-8 string holding the same
text as the CSV cell (:mod:`.columns`); null is an empty cell. The writer writes row groups
of ``ROW_GROUP_ROWS`` rows, holding one row group in memory at a time. The reader streams
batches of ``BATCH_ROWS`` rows (``ParquetFile.iter_batches``), so memory is bounded by a
row group and a batch, not by the file. Columns are matched by name: a missing canonical
column, or one that does not hold strings, is one :class:`LedgerError` and nothing is read;
further columns are allowed, and a value they hold (like a cell in a column the row's type
does not have) is noted in the reader's :class:`~perpspec.ledger.unread.UnreadFields`, when it
is given one, never passed over. The "line" of an error is the 1-based row number; a value that
is not UTF-8 text is an error of its row alone. A file that is not Parquet is one error; an
empty (zero-byte) file is an empty ledger, as in the text formats.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

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
from perpspec.ledger.unread import UnreadFields
from perpspec.reference.events import Event

__all__ = ["BATCH_ROWS", "ROW_GROUP_ROWS", "iter_parquet", "write_parquet"]

#: Rows per row group written.
ROW_GROUP_ROWS = 65536
#: Rows per batch read.
BATCH_ROWS = 8192

_ARROW_ERRORS = (pa.ArrowException, OSError, ValueError)


def _get_schema() -> Any:
    return pa.schema([pa.field(name, pa.string(), nullable=True) for name in COLUMNS])


def _write_group(writer: Any, columns: list[list[str | None]], schema: Any) -> None:
    arrays = [pa.array(cells, type=pa.string()) for cells in columns]
    table = pa.Table.from_arrays(arrays, schema=schema)
    writer.write_table(table, row_group_size=ROW_GROUP_ROWS)
    for cells in columns:
        cells.clear()


def write_parquet(events: Iterable[Event], path: StrPath) -> int:
    """Write ``events`` as Parquet (module docstring); return how many were written."""
    schema = _get_schema()
    columns: list[list[str | None]] = [[] for _ in COLUMNS]
    count = 0
    with pq.ParquetWriter(os.fspath(path), schema) as writer:
        for event in events:
            for cells, cell in zip(columns, encode_cells(event), strict=True):
                cells.append(cell)
            count += 1
            if len(columns[0]) >= ROW_GROUP_ROWS:
                _write_group(writer, columns, schema)
        if columns[0]:
            _write_group(writer, columns, schema)
    return count


def _is_string_type(arrow_type: Any) -> bool:
    return bool(
        pa.types.is_string(arrow_type)
        or pa.types.is_large_string(arrow_type)
        or pa.types.is_string_view(arrow_type)
    )


def get_column_problem(names: Sequence[str], types: Sequence[object]) -> str | None:
    """Why a Parquet schema is not a ledger's (a canonical column missing, repeated or not
    strings), or None."""
    missing = [name for name in COLUMNS if name not in names and name not in OPTIONAL_COLUMNS]
    if missing:
        return f"expected the columns {','.join(COLUMNS)} (missing: {', '.join(missing)})"
    for name in (name for name in COLUMNS if name in names):
        if names.count(name) > 1:
            return f"column {name} appears more than once"
        arrow_type = types[names.index(name)]
        if not _is_string_type(arrow_type):
            return f"column {name}: expected strings, found {arrow_type}"
    return None


def _decode_row(
    cells: dict[str, str | None], where: str, row: int, unread: UnreadFields | None = None
) -> Event:
    record = orjson.dumps({name: cell for name, cell in cells.items() if cell}).decode()
    try:
        raw = decode_cells(cells)
    except FieldError as error:
        raise LedgerError(where, row, error.field, error.reason, record) from None
    event = decode_event(raw, where, line=row, record=record)
    if unread is not None:
        for name in find_stray_cells(cells):
            unread.note(name, where, row)
    return event


def _get_held(column: Any) -> list[bool]:
    """For each value of a column beyond the canonical ones: does it hold anything (not null,
    and for text or bytes not empty, as an empty cell is null)?"""
    held = pc.is_valid(column)
    if (
        pa.types.is_binary(column.type)
        or pa.types.is_large_binary(column.type)
        or (_is_string_type(column.type))
    ):
        held = pc.and_kleene(held, pc.greater(pc.binary_length(column), 0))
    return [bool(value) for value in held.to_pylist()]


def _get_column_values(column: Any) -> tuple[list[str | None], dict[int, str]]:
    """A string column's values, and the reason for each value that is not UTF-8 text (by
    index; its value is then None). Arrow refuses the whole column for one bad value, so such
    a column is decoded value by value, and only the rows that hold one are lost."""
    try:
        return column.to_pylist(), {}
    except UnicodeDecodeError:
        pass
    values: list[str | None] = []
    bad: dict[int, str] = {}
    for index, raw in enumerate(column.cast(pa.binary()).to_pylist()):
        try:
            values.append(None if raw is None else raw.decode("utf-8"))
        except UnicodeDecodeError as error:
            values.append(None)
            bad[index] = f"not UTF-8 text (byte {error.start})"
    return values, bad


def _iter_rows(
    parquet: Any, where: str, unread: UnreadFields | None = None
) -> Iterator[tuple[int, Event] | LedgerError]:
    row = 0
    canonical = set(COLUMNS)
    names = [str(name) for name in parquet.schema_arrow.names]
    present = [name for name in COLUMNS if name in names]
    # Columns beyond the canonical ones are read only to be reported (module docstring).
    extras = list(dict.fromkeys(n for n in names if n not in canonical)) if unread else []
    try:
        batches = parquet.iter_batches(batch_size=BATCH_ROWS, columns=[*present, *extras])
        for batch in batches:
            decoded = [_get_column_values(batch.column(i)) for i in range(len(present))]
            held = [_get_held(batch.column(len(present) + i)) for i in range(len(extras))]
            values = [column for column, _ in decoded]
            bad = {
                index: (present[position], reason)
                for position, (_, reasons) in enumerate(decoded)
                for index, reason in reasons.items()
            }
            for index, cells in enumerate(zip(*values, strict=True)):
                row += 1
                if index in bad:
                    yield LedgerError(where, row, *bad[index])
                    continue
                row_cells = dict(zip(present, cells, strict=True))
                for name, column in zip(extras, held, strict=True):
                    # The marker text stands for "holds a value"; its content is not read.
                    row_cells[name] = "held" if column[index] else None
                try:
                    yield row, _decode_row(row_cells, where, row, unread)
                except LedgerError as error:
                    yield error
    except _ARROW_ERRORS as error:
        yield LedgerError(where, row + 1, "file", f"unreadable Parquet data: {error}")


def iter_parquet(
    path: StrPath, unread: UnreadFields | None = None
) -> Iterator[tuple[int, Event] | LedgerError]:
    """Stream a Parquet ledger: ``(row, event)`` per event, a :class:`LedgerError` per bad row
    (module docstring); ``unread``, when given, collects the values no field takes."""
    where = os.fspath(path)
    try:
        handle = open(path, "rb")  # noqa: SIM115  # closed by the with below, after the check
    except OSError as error:
        yield LedgerError(where, 0, "file", f"cannot open: {error.strerror or error}")
        return
    with handle:
        if not handle.read(1):
            return
        handle.seek(0)
        try:
            parquet = pq.ParquetFile(handle)
            schema = parquet.schema_arrow
        except _ARROW_ERRORS as error:
            yield LedgerError(where, 0, "file", f"not a Parquet file: {error}")
            return
        problem = get_column_problem(list(schema.names), list(schema.types))
        if problem is not None:
            yield LedgerError(where, 0, "header", problem)
            return
        yield from _iter_rows(parquet, where, unread)
