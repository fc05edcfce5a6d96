"""The ledger's one error type: a record the formats do not accept, with where and why.

Rule (CONTRIBUTING, Code): invalid input raises ``SpecError`` with a one-line reason naming the
field; the command line prints it as ``FILE:LINE: reason``. A ledger error also keeps the
offending record's text so a report can show it under the reason (hledger's error layout).
"""

from __future__ import annotations

from perpspec.reference.errors import SpecError

__all__ = ["MAX_RECORD_TEXT", "FieldError", "LedgerError"]

#: Longest record text an error keeps; a hostile line must not be copied whole into a report.
MAX_RECORD_TEXT = 500


def _one_line(text: str) -> str:
    return " ".join(text.split()) if ("\n" in text or "\r" in text) else text


def _clip(text: str) -> str:
    if len(text) <= MAX_RECORD_TEXT:
        return text
    return text[: MAX_RECORD_TEXT - 3] + "..."


class FieldError(SpecError):
    """A field's value the ledger does not accept, before the file and line are known.

    The codec raises it; the readers turn it into a :class:`LedgerError` with the location.
    """

    def __init__(self, field: str, reason: str) -> None:
        self.field = field
        self.reason = _one_line(reason)
        super().__init__(f"{field}: {self.reason}")

    def __reduce__(self) -> tuple[type[FieldError], tuple[str, str]]:
        return (FieldError, (self.field, self.reason))


class LedgerError(SpecError):
    """A ledger record (or file) the formats reject.

    ``file`` names the source, ``line`` is the 1-based line (JSON Lines, CSV) or row
    (Parquet), 0 when the problem concerns the whole file; ``field`` is the field's path
    (``tiers[0].mmr``), or ``record``, ``header``, ``file`` or ``format`` when no single field
    is at fault; ``record`` is the offending record's text, clipped.
    ``str(error)`` is one line: ``FILE:LINE: field: reason`` (``FILE: field: reason`` when
    ``line`` is 0).
    """

    def __init__(self, file: str, line: int, field: str, reason: str, record: str = "") -> None:
        self.file = file
        self.line = line
        self.field = field
        self.reason = _one_line(reason)
        self.record = _clip(record)
        super().__init__(self.describe())

    def describe(self) -> str:
        """The one-line message: ``FILE:LINE: field: reason``."""
        where = f"{self.file}:{self.line}" if self.line > 0 else self.file
        return f"{where}: {self.field}: {self.reason}"

    def __str__(self) -> str:
        return self.describe()

    def __reduce__(self) -> tuple[type[LedgerError], tuple[str, int, str, str, str]]:
        return (LedgerError, (self.file, self.line, self.field, self.reason, self.record))
