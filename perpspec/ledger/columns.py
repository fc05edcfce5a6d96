"""The ledger as a table: the columns CSV and Parquet share (DESIGN, Ledger: equivalents).

The columns are ``seq``, ``ts``, ``type``, then every field of every event type once, in the
order of first appearance when the types are taken in :data:`EVENT_TYPES` order and each
type's fields in DESIGN's order (``market``, ``kind``, ``multiplier``, ... ``input``). They
are generated from the typed records, so a field added there is a column here.

A row holds one event. Every cell is text:

- a number is its exact string (``format_number``); ``seq``, ``rank`` and ``input`` are
  decimal integers;
- ``tiers``, ``payments`` and ``liquidations`` hold their JSON form, compact
  (``[{"account":"alice","amount":"1.5"}]``);
- an empty cell (or a Parquet null) is null, and a column that is not a field of the row's
  type is empty. No field accepts an empty string (strings are non-empty), so an empty cell
  never hides a value. A cell that is not empty in a column the row's type does not have
  (another type's field, or a column beyond the canonical ones) does not reach the record;
  :func:`find_stray_cells` names it, and the readers note it as an unread field, like an
  unknown key in JSON Lines (:mod:`.unread`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from enum import Enum

import orjson

from perpspec.ledger.codec import encode_event
from perpspec.ledger.errors import FieldError
from perpspec.ledger.exact_json import ExactJSONError, loads_exact
from perpspec.ledger.fields import BASE_FIELDS, FieldKind, get_field_specs
from perpspec.reference.events import EVENT_TYPES, METADATA_TYPES, Event

__all__ = [
    "COLUMNS",
    "OPTIONAL_COLUMNS",
    "CellKind",
    "decode_cells",
    "encode_cells",
    "find_stray_cells",
    "get_cell_kind",
]


class CellKind(Enum):
    """How a column's text maps to the JSON form of its field."""

    TEXT = "text"  # the text itself (strings, words, exact numbers, the time)
    INTEGER = "integer"  # a decimal integer
    JSON = "json"  # a JSON array


_CELL_KINDS = {
    FieldKind.INTEGER: CellKind.INTEGER,
    FieldKind.TIERS: CellKind.JSON,
    FieldKind.PAYMENTS: CellKind.JSON,
    FieldKind.QUOTES: CellKind.JSON,
    FieldKind.TEXT_LIST: CellKind.JSON,
}
_INTEGER_CELL = re.compile(r"-?\d{1,20}", re.ASCII)


def _make_columns() -> dict[str, CellKind]:
    columns = {"seq": CellKind.INTEGER, "ts": CellKind.TEXT, "type": CellKind.TEXT}
    for event_type in EVENT_TYPES:
        for spec in get_field_specs(event_type):
            kind = _CELL_KINDS.get(spec.kind, CellKind.TEXT)
            if columns.setdefault(spec.name, kind) is not kind:
                raise TypeError(f"{event_type}.{spec.name}: one column cannot hold two kinds")
    return columns


_COLUMN_KINDS = _make_columns()

#: The canonical columns, in order (module docstring).
COLUMNS: tuple[str, ...] = tuple(_COLUMN_KINDS)

_ROW_FIELDS: dict[str, tuple[str, ...]] = {
    name: BASE_FIELDS + tuple(spec.name for spec in get_field_specs(name)) for name in EVENT_TYPES
}

_ROW_SETS: dict[str, frozenset[str]] = {name: frozenset(f) for name, f in _ROW_FIELDS.items()}

#: Columns a CSV header or a Parquet schema may leave out: those only the partial-ledger
#: records (``source``, ``statement``, ``fill``, ``position``) and the ``index`` record have,
#: so a ledger written before those records existed still reads. A row of such a type then
#: lacks its fields and is one error naming the first of them.
OPTIONAL_COLUMNS: frozenset[str] = frozenset(COLUMNS) - {
    name
    for event_type in EVENT_TYPES
    if event_type not in METADATA_TYPES and event_type != "index"
    for name in _ROW_FIELDS[event_type]
}


def get_cell_kind(column: str) -> CellKind:
    """How the cells of ``column`` are written (module docstring)."""
    return _COLUMN_KINDS[column]


def _to_cell(value: object) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return str(value)
    return orjson.dumps(value).decode()


def encode_cells(event: Event) -> list[str | None]:
    """One row: the cell of every column of :data:`COLUMNS` (None: empty)."""
    encoded = encode_event(event)
    return [_to_cell(encoded.get(column)) for column in COLUMNS]


def _from_cell(column: str, cell: str) -> object:
    kind = _COLUMN_KINDS[column]
    if kind is CellKind.INTEGER:
        # Not an integer: kept as text, so the codec names what it found.
        return int(cell) if _INTEGER_CELL.fullmatch(cell) else cell
    if kind is CellKind.JSON:
        try:
            return loads_exact(cell)
        except ExactJSONError as error:
            raise FieldError(column, f"invalid JSON in the cell: {error}") from None
    return cell


def decode_cells(cells: Mapping[str, str | None]) -> dict[str, object]:
    """The JSON form of one row (module docstring), for :func:`.codec.decode_event`.

    Only ``seq``, ``ts``, ``type`` and the row type's fields are taken; an empty cell is null.
    """
    row_type = cells.get("type")
    names = _ROW_FIELDS.get(row_type, BASE_FIELDS) if row_type else BASE_FIELDS
    raw: dict[str, object] = {}
    for name in names:
        cell = cells.get(name)
        raw[name] = _from_cell(name, cell) if cell else None
    return raw


def find_stray_cells(cells: Mapping[str, str | None]) -> list[str]:
    """The fields, as ``type.column``, of the cells in ``cells`` that hold text in a column the
    row's type does not have (module docstring); ``cells`` maps every column the table has,
    canonical or not, to its cell."""
    row_type = cells.get("type")
    if not row_type or row_type not in _ROW_FIELDS:
        return []
    names = _ROW_SETS[row_type]
    return [f"{row_type}.{name}" for name, cell in cells.items() if cell and name not in names]
