"""Reading a ledger text file line by line, with memory bounded by one line.

Rule (DESIGN, Ledger): JSON Lines and CSV ledgers are UTF-8 text. A file with a NUL byte or
bytes that are not UTF-8 is not a text ledger at all: reading stops there with one reason,
instead of reporting every "line" of a binary file. A line longer than ``MAX_LINE_BYTES`` is
treated the same way, so a file without newlines cannot make the reader hold all of it.
A UTF-8 byte order mark at the start of the file (spreadsheet exports write one) is dropped.

:func:`iter_text_lines_or_errors` (JSON Lines, where every line stands alone) is more
forgiving: a line that is not UTF-8 is an error of that line and reading goes on, so one
mis-encoded name does not hide the rest of the ledger; a NUL byte, an over-long line, or
``MAX_BAD_LINES`` such lines in a row still mean the file is not text, and reading stops.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

__all__ = [
    "MAX_BAD_LINES",
    "MAX_LINE_BYTES",
    "UnreadableTextError",
    "iter_text_lines",
    "iter_text_lines_or_errors",
]

#: Longest accepted line. A ledger line is a few hundred bytes; an instrument with many tiers
#: a few kilobytes.
MAX_LINE_BYTES = 1 << 20

#: Lines in a row that are not UTF-8 after which a file is taken for binary data.
MAX_BAD_LINES = 20

_BOM = "\ufeff"


class UnreadableTextError(Exception):
    """The file stops being UTF-8 text at ``line``, for ``reason``."""

    def __init__(self, line: int, reason: str) -> None:
        self.line = line
        self.reason = reason
        super().__init__(f"{line}: {reason}")


def _decode(data: bytes, line: int) -> str:
    if b"\x00" in data:
        raise UnreadableTextError(line, "binary data (a NUL byte): not a text ledger")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise UnreadableTextError(
            line, f"not UTF-8 text (byte 0x{data[error.start]:02x} at column {error.start + 1})"
        ) from None


def iter_text_lines(handle: BinaryIO) -> Iterator[tuple[int, str]]:
    """Yield ``(line number from 1, text with its line ending)`` for each line of ``handle``.

    Raises :class:`UnreadableTextError` where the file stops being text (module docstring),
    at the first line that is not UTF-8.
    """
    for number, text in iter_text_lines_or_errors(handle):
        if isinstance(text, UnreadableTextError):
            raise text
        yield number, text


def iter_text_lines_or_errors(
    handle: BinaryIO,
) -> Iterator[tuple[int, str | UnreadableTextError]]:
    """Like :func:`iter_text_lines`, but a line that is not UTF-8 comes as its error and
    reading goes on (module docstring); raises :class:`UnreadableTextError` where the file
    stops being text."""
    number = bad = 0
    while data := handle.readline(MAX_LINE_BYTES + 1):
        number += 1
        if len(data) > MAX_LINE_BYTES:
            raise UnreadableTextError(number, f"line longer than {MAX_LINE_BYTES} bytes")
        try:
            text = _decode(data, number)
        except UnreadableTextError as error:
            bad += 1
            if b"\x00" in data or bad >= MAX_BAD_LINES:
                raise
            yield number, error
            continue
        bad = 0
        yield number, text.removeprefix(_BOM) if number == 1 else text
