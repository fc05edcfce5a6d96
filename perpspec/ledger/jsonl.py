"""The canonical ledger format: JSON Lines, one event a line (DESIGN, Ledger).

Each line is the JSON form of one event (:mod:`.codec`), written compactly by orjson. The
reader streams: memory is bounded by one line, whatever the file's size. A blank line is
skipped; a line that is not UTF-8, not JSON, not an object, or has a field the codec refuses
yields a :class:`LedgerError` for that line and reading goes on; a file that is not text (a
NUL byte, an over-long line, many lines in a row that are not UTF-8) yields one error and
reading stops (:mod:`.text_lines`). A last line without its newline that is not JSON is
reported as probably truncated. A key the record's type does not have is noted in the
reader's :class:`~perpspec.ledger.unread.UnreadFields`, when it is given one.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator

import orjson

from perpspec.ledger.codec import decode_record, encode_event
from perpspec.ledger.errors import LedgerError
from perpspec.ledger.exact_json import ExactJSONError, loads_exact
from perpspec.ledger.text_lines import UnreadableTextError, iter_text_lines_or_errors
from perpspec.ledger.unread import UnreadFields
from perpspec.reference.events import Event

__all__ = ["StrPath", "decode_jsonl_line", "iter_jsonl", "write_jsonl"]

StrPath = str | os.PathLike[str]


def decode_jsonl_line(
    text: str, where: str, line: int, unread: UnreadFields | None = None
) -> Event:
    """The event on one JSON Lines line, or a :class:`LedgerError` for that line; ``unread``,
    when given, is told the keys its type does not have."""
    try:
        value = loads_exact(text)
    except ExactJSONError as error:
        truncated = "" if text.endswith("\n") else " (the last line has no newline: truncated?)"
        raise LedgerError(
            where, line, "record", f"invalid JSON: {error}{truncated}", text.rstrip("\r\n")
        ) from None
    return decode_record(value, where, line=line, record=text.rstrip("\r\n"), unread=unread)


def iter_jsonl(
    path: StrPath, unread: UnreadFields | None = None
) -> Iterator[tuple[int, Event] | LedgerError]:
    """Stream a JSON Lines ledger: ``(line, event)`` per event, a :class:`LedgerError` per bad
    line (module docstring); ``unread``, when given, collects the keys no type has."""
    where = os.fspath(path)
    try:
        handle = open(path, "rb")  # noqa: SIM115  # closed by the with below, after the check
    except OSError as error:
        yield LedgerError(where, 0, "file", f"cannot open: {error.strerror or error}")
        return
    with handle:
        try:
            for number, text in iter_text_lines_or_errors(handle):
                if isinstance(text, UnreadableTextError):
                    yield LedgerError(where, number, "record", text.reason)
                    continue
                if not text.strip():
                    continue
                try:
                    yield number, decode_jsonl_line(text, where, number, unread)
                except LedgerError as error:
                    yield error
        except UnreadableTextError as error:
            yield LedgerError(where, error.line, "file", error.reason)


def write_jsonl(events: Iterable[Event], path: StrPath) -> int:
    """Write ``events`` as JSON Lines, one compact line each; return how many were written."""
    count = 0
    with open(path, "wb") as handle:
        for event in events:
            handle.write(orjson.dumps(encode_event(event)))
            handle.write(b"\n")
            count += 1
    return count
