"""From an adapter's drafts to a partial ledger (DESIGN, Partial ledgers; docs/import.md).

The ledger opens with the ``source`` record (``seq`` 0, at the time of the first draft); the
drafts follow in time order, numbered from 1. Exports list rows newest first or oldest first,
and rows of one instant in any order: the sort is by time only, stable, so rows of one
instant keep the order the files gave them (the account-level checks that need an order
within an instant do not rely on it, perpspec.audit.account_checks). The unmapped rows are
written into the source record as ``"TYPE: count"``, sorted by type.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import fields, replace
from typing import Any

from perpspec.imports.base import COVERS, Draft, Imported
from perpspec.reference.events import Event, SourceEvent, get_time_key

__all__ = ["assemble_ledger", "assemble_with_origins", "describe_unmapped"]


def describe_unmapped(imported: Imported) -> tuple[str, ...]:
    """The rows without a record, ``"TYPE: count"`` per type, sorted by type."""
    return tuple(f"{kind}: {count}" for kind, count in sorted(imported.unmapped.items()))


def assemble_ledger(imported: Imported, format_name: str, files: tuple[str, ...]) -> list[Event]:
    """The partial ledger of ``imported``: the ``source`` record, then every draft in time
    order with ``seq`` 1, 2, ... The covers are written in :data:`COVERS` order."""
    return assemble_with_origins(imported, format_name, files)[0]


def assemble_with_origins(
    imported: Imported, format_name: str, files: tuple[str, ...]
) -> tuple[list[Event], list[tuple[str, int]]]:
    """:func:`assemble_ledger`, with each record's origin: the export file and line it was
    read from (the source record's is the first file, line 0)."""
    drafts: list[Draft] = sorted(imported.drafts, key=lambda d: get_time_key(d.ts))
    start = drafts[0].ts if drafts else "1970-01-01T00:00:00Z"
    source = SourceEvent(
        seq=0,
        ts=start,
        format=format_name,
        accounts=imported.accounts,
        covers=tuple(word for word in COVERS if word in imported.covers),
        precision=imported.precision,
        files=files,
        unmapped=describe_unmapped(imported),
    )
    events: list[Event] = [source]
    events.extend(_numbered(draft.event, index) for index, draft in enumerate(drafts, start=1))
    origins = [(files[0] if files else "", 0), *((d.file, d.line) for d in drafts)]
    return events, origins


#: Per event type, the getter of its fields after ``seq`` (None: numbered by replace).
_AFTER_SEQ: dict[type[Event], Callable[[Event], tuple[Any, ...]] | None] = {}


def _get_fields_after_seq(kind: type[Event]) -> Callable[[Event], tuple[Any, ...]] | None:
    """The values of an event type's fields after ``seq``, in order, in one C call; None when
    ``seq`` is not the first field or the type has fewer than two others (then
    :func:`dataclasses.replace` numbers it)."""
    if kind not in _AFTER_SEQ:
        specs = fields(kind)
        names = [spec.name for spec in specs]
        plain = len(names) >= 3 and names[0] == "seq" and all(spec.init for spec in specs)
        _AFTER_SEQ[kind] = operator.attrgetter(*names[1:]) if plain else None
    return _AFTER_SEQ[kind]


def _numbered(event: Event, seq: int) -> Event:
    """``replace(event, seq=seq)``: the type's constructor called with the same values (so
    whatever it checks is checked as before), without replace's per-field loop in Python:
    this runs on every record of an export."""
    values = _get_fields_after_seq(type(event))
    if values is None:
        return replace(event, seq=seq)
    build: Callable[..., Event] = type(event)
    return build(seq, *values(event))
