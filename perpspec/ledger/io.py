"""Reading and writing a ledger in any of its formats (DESIGN, Ledger).

JSON Lines is canonical; CSV and Parquet hold the same content. The format is named
explicitly or taken from the file's extension: ``.jsonl``, ``.ndjson`` and ``.json`` are JSON
Lines, ``.csv`` is CSV, ``.parquet`` is Parquet (case does not matter).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator

from perpspec.ledger.csv_format import iter_csv, write_csv
from perpspec.ledger.errors import LedgerError
from perpspec.ledger.jsonl import StrPath, iter_jsonl, write_jsonl
from perpspec.ledger.parquet_format import iter_parquet, write_parquet
from perpspec.ledger.unread import UnreadFields
from perpspec.reference.events import Event

__all__ = ["FORMATS", "detect_format", "iter_ledger", "read_ledger", "write_ledger"]

#: The ledger formats, canonical first.
FORMATS: tuple[str, ...] = ("jsonl", "csv", "parquet")

_EXTENSIONS = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
    ".csv": "csv",
    ".parquet": "parquet",
}

Reader = Callable[[StrPath, UnreadFields | None], Iterator[tuple[int, Event] | LedgerError]]
Writer = Callable[[Iterable[Event], StrPath], int]

_READERS: dict[str, Reader] = {"jsonl": iter_jsonl, "csv": iter_csv, "parquet": iter_parquet}
_WRITERS: dict[str, Writer] = {"jsonl": write_jsonl, "csv": write_csv, "parquet": write_parquet}


def detect_format(path: StrPath, explicit: str | None = None) -> str:
    """The format of ``path``: ``explicit`` when given, else from the extension (module
    docstring); an unknown one is a :class:`LedgerError` naming the known ones."""
    where = os.fspath(path)
    known = ", ".join(FORMATS)
    if explicit is not None:
        if explicit not in FORMATS:
            raise LedgerError(where, 0, "format", f"unknown format {explicit!r} (known: {known})")
        return explicit
    extension = os.path.splitext(where)[1].lower()
    if extension not in _EXTENSIONS:
        raise LedgerError(
            where,
            0,
            "format",
            f"cannot tell the format from the extension {extension or '(none)'!r} "
            f"(use .jsonl, .csv or .parquet, or name the format: {known})",
        )
    return _EXTENSIONS[extension]


def iter_ledger(
    path: StrPath, fmt: str | None = None, unread: UnreadFields | None = None
) -> Iterator[tuple[int, Event] | LedgerError]:
    """Stream a ledger: ``(line, event)`` per event, a :class:`LedgerError` per bad record.

    The format is checked at once (raising :class:`LedgerError`), the file as it is read.
    ``unread``, when given, collects the fields the records hold that no type has
    (:mod:`.unread`).
    """
    return _READERS[detect_format(path, fmt)](path, unread)


def read_ledger(path: StrPath, fmt: str | None = None) -> list[Event]:
    """Every event of a ledger, raising its first :class:`LedgerError` (small files, tests)."""
    events: list[Event] = []
    for item in iter_ledger(path, fmt):
        if isinstance(item, LedgerError):
            raise item
        events.append(item[1])
    return events


def write_ledger(events: Iterable[Event], path: StrPath, fmt: str | None = None) -> int:
    """Write ``events`` to ``path`` in its format; return how many were written."""
    return _WRITERS[detect_format(path, fmt)](events, path)
