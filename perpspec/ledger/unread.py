"""Fields a ledger holds that perpspec does not read: reported, never silently dropped.

DESIGN (Ledger) lets an export carry more fields than the binding ones ("more may be added;
none may be renamed"), so a field perpspec does not know is not an error of the record. But a
reference that passes over an input without a word is wrong: an exporter that writes the
maker of a trade, a fee currency or a margin figure in a field of its own name has told the
auditor something the audit did not check. So every reader notes each such field here, and
the audit report names them (text, ``--json`` and HTML): the field as ``type.name`` (a nested
one as ``instrument.tiers[].name``), how many records hold it, and the first one's place.

What counts as held: a JSON Lines key the record's type does not have (any value, null
included, since a key is stated); a CSV or Parquet cell that is not empty (an empty cell is
null, the table's way of saying "no field here") in a column that is not a field of the row's
type, whether the column is one of the canonical ones (another type's field) or one the
canonical header does not have.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["UnreadField", "UnreadFields"]


@dataclass(frozen=True, slots=True)
class UnreadField:
    """One field perpspec did not read: ``name`` (``type.field``), the number of records that
    held it, and where the first one is (``file`` and 1-based ``line`` or row)."""

    name: str
    records: int
    file: str
    line: int

    def describe(self) -> str:
        """One line: ``FILE:LINE: field trade.maker not read (in 3 records; first here)``."""
        where = f"{self.file}:{self.line}" if self.line > 0 else self.file
        plural = "record" if self.records == 1 else "records"
        return (
            f"{where}: field {self.name} not read (in {self.records} {plural}; first here): "
            "perpspec does not know it, and no check used it"
        )


@dataclass(slots=True)
class _Tally:
    records: int
    file: str
    line: int


class UnreadFields:
    """The collector the readers fill as they go (one per read of a ledger)."""

    __slots__ = ("_seen",)

    def __init__(self) -> None:
        self._seen: dict[str, _Tally] = {}

    def note(self, name: str, file: str, line: int) -> None:
        """Count one record holding field ``name``; the first keeps its place."""
        tally = self._seen.get(name)
        if tally is None:
            self._seen[name] = _Tally(1, file, line)
        else:
            tally.records += 1

    def build(self) -> tuple[UnreadField, ...]:
        """Every field noted, in the order first met."""
        return tuple(
            UnreadField(name, tally.records, tally.file, tally.line)
            for name, tally in self._seen.items()
        )
