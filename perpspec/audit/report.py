"""The audit's result as data: what the text, ``--json`` and HTML reports are made of.

An ``AuditReport`` is complete and immutable: the file's identity (path and SHA-256), how many
events were read, the profile the rules were checked against, one ``CheckResult`` per check in
the catalogue (examined events, violations, or why it was skipped), every ``Violation`` in
ledger order, the thinned time series a report draws (funds, marks, liquidations, ADL fills,
socialized totals), and the fields the ledger holds that no check read. Numbers are exact
strings (``format_number``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from perpspec.ledger.unread import UnreadField
from perpspec.reference.events import SourceEvent

__all__ = ["MAX_SERIES_POINTS", "AuditReport", "CheckResult", "Series", "Violation"]

MAX_SERIES_POINTS = 2000
"""A report draws each series with at most about this many points (extremes kept)."""


@dataclass(frozen=True, slots=True)
class Violation:
    """One violation of check ``check`` at ledger line ``line`` (event ``seq``; None when the
    record could not be read), in the hledger style: expected, found, difference, the offending
    record's text and a hint for investigating it."""

    check: str
    file: str
    line: int
    seq: int | None
    expected: str
    found: str
    difference: str | None
    record: str
    hint: str


@dataclass(frozen=True, slots=True)
class CheckResult:
    """One check's outcome: events it examined and violations it found, or why it was skipped
    (``skipped`` is None when it ran)."""

    id: str
    examined: int
    violations: int
    skipped: str | None


@dataclass(frozen=True, slots=True)
class Series:
    """Time series for drawing, each thinned to about ``MAX_SERIES_POINTS`` points.

    ``funds``: fund -> [(seq, ts, balance)]; ``marks``: market -> [(seq, ts, price)];
    ``liquidations``: [(seq, ts, market, mark price)]; ``adl``: [(seq, ts, market, price)];
    ``socialized``: cycle -> total charged.
    """

    funds: dict[str, list[tuple[int, str, str]]] = field(default_factory=dict)
    marks: dict[str, list[tuple[int, str, str]]] = field(default_factory=dict)
    liquidations: list[tuple[int, str, str, str]] = field(default_factory=list)
    adl: list[tuple[int, str, str, str]] = field(default_factory=list)
    socialized: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class AuditReport:
    """The whole audit of one ledger. ``exit_code`` is 0 clean, 1 violations, 2 unreadable."""

    file: str
    sha256: str
    events: int
    profile: str | None
    checks: tuple[CheckResult, ...]
    violations: tuple[Violation, ...]
    series: Series
    #: Fields the records hold that perpspec does not read (:mod:`perpspec.ledger.unread`).
    unread: tuple[UnreadField, ...] = ()
    #: The source record of a partial ledger (an exchange export), None for a full ledger.
    source: SourceEvent | None = None

    @property
    def exit_code(self) -> int:
        """0 when clean, 1 when a check found a violation, 2 when a record was unreadable."""
        if any(v.check == "format" for v in self.violations):
            return 2
        return 1 if self.violations else 0
