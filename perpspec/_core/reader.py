"""The JSON Lines reader on the compiled scanner: the same yield as the reference reader.

:func:`iter_fast_jsonl` yields exactly what :func:`perpspec.ledger.jsonl.iter_jsonl` yields
(the same events, the same :class:`LedgerError` with the same file, line, field, reason and
record text, the same unread keys), and is tested against it (tests/core). It reads the file
in large chunks and lets the scanner split and check them in one call per chunk. A line the
scanner handles is canonical compact JSON with no float and no repeated key (``scan.c``), so
``orjson.loads`` alone gives what the exact parser would and the codec decodes it as usual;
every other line (and the whole file when the core is not built) goes through the reference
path, with the reference's text rules (:mod:`perpspec.ledger.text_lines`): a blank line
skipped, a line that is not UTF-8 reported and reading going on, a NUL byte, an over-long
line or ``MAX_BAD_LINES`` bad lines in a row ending the file with one error.
"""

from __future__ import annotations

import ctypes
import os
from collections.abc import Iterator

import orjson

from perpspec._core import LINE_HANDLED, load_core
from perpspec.ledger import text_lines
from perpspec.ledger.codec import decode_record
from perpspec.ledger.errors import LedgerError
from perpspec.ledger.jsonl import StrPath, decode_jsonl_line, iter_jsonl
from perpspec.ledger.text_lines import UnreadableTextError
from perpspec.ledger.text_lines import _decode as decode_text_line  # the reference's own rule
from perpspec.ledger.unread import UnreadFields
from perpspec.reference.events import Event

__all__ = ["CHUNK_BYTES", "iter_fast_jsonl"]

#: Bytes read at a time; a line longer than a chunk is carried into the next read.
CHUNK_BYTES = 1 << 22
#: Lines scanned per call into the library.
LINES_PER_CALL = 1 << 15

_BOM = "\ufeff"

Item = tuple[int, Event] | LedgerError


class _LineState:
    """What the reference's text reader carries from line to line: the count of lines in a
    row that are not UTF-8."""

    __slots__ = ("bad",)

    def __init__(self) -> None:
        self.bad = 0


def _read_general_line(
    data: bytes, number: int, where: str, state: _LineState, unread: UnreadFields | None
) -> tuple[Item | None, bool]:
    """One line by the reference path: (what it yields or None, whether reading stops)."""
    # the limits are read where the reference reads them, so they stay one setting
    if len(data) > text_lines.MAX_LINE_BYTES:
        reason = f"line longer than {text_lines.MAX_LINE_BYTES} bytes"
        return LedgerError(where, number, "file", reason), True
    try:
        text = decode_text_line(data, number)
    except UnreadableTextError as error:
        state.bad += 1
        if b"\x00" in data or state.bad >= text_lines.MAX_BAD_LINES:
            return LedgerError(where, error.line, "file", error.reason), True
        return LedgerError(where, number, "record", error.reason), False
    state.bad = 0
    if number == 1:
        text = text.removeprefix(_BOM)
    if not text.strip():
        return None, False
    try:
        return (number, decode_jsonl_line(text, where, number, unread)), False
    except LedgerError as error:
        return error, False


def _read_handled_line(data: bytes, number: int, where: str, unread: UnreadFields | None) -> Item:
    # Printable ASCII by the scanner's rule, ending in "\n": the text is the bytes, and the
    # record shown in an error is the line without its newline, as the reference shows it.
    text = data.decode("ascii")
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError:
        # the scanner's subset is JSON, so this does not happen; if it ever did, the
        # reference path reads the line rather than the reader failing
        return _read_reference_text(text, number, where, unread)
    try:
        return number, decode_record(value, where, line=number, record=text[:-1], unread=unread)
    except LedgerError as error:
        return error


def _read_reference_text(text: str, number: int, where: str, unread: UnreadFields | None) -> Item:
    try:
        return number, decode_jsonl_line(text, where, number, unread)
    except LedgerError as error:
        return error


def iter_fast_jsonl(path: StrPath, unread: UnreadFields | None = None) -> Iterator[Item]:
    """Stream a JSON Lines ledger as :func:`~perpspec.ledger.jsonl.iter_jsonl` does (module
    docstring), on the compiled scanner when it is built."""
    core = load_core()
    if core is None:
        yield from iter_jsonl(path, unread)
        return
    where = os.fspath(path)
    try:
        handle = open(path, "rb")  # noqa: SIM115  # closed by the with below, after the check
    except OSError as error:
        yield LedgerError(where, 0, "file", f"cannot open: {error.strerror or error}")
        return
    out = (ctypes.c_int64 * (2 * LINES_PER_CALL))()
    state = _LineState()
    number = 0
    with handle:
        pending = b""
        at_end = False
        while not at_end:
            chunk = handle.read(CHUNK_BYTES)
            at_end = not chunk
            data = pending + chunk if pending else chunk
            offset = 0
            while offset < len(data):
                count = core.scan_lines(data, offset, at_end, text_lines.MAX_LINE_BYTES, out)
                if count == 0:
                    break
                ends = out[0 : 2 * count : 2]
                statuses = out[1 : 2 * count : 2]
                start = offset
                for end, status in zip(ends, statuses, strict=True):
                    number += 1
                    line = data[start : offset + end]
                    start = offset + end
                    if status == LINE_HANDLED:
                        state.bad = 0
                        yield _read_handled_line(line, number, where, unread)
                        continue
                    item, stop = _read_general_line(line, number, where, state, unread)
                    if item is not None:
                        yield item
                    if stop:
                        return
                offset = start
            pending = data[offset:]
