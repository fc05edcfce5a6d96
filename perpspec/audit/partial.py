"""The audit of a partial ledger: one account's export, checked for what it can show.

Rule (DESIGN, Partial ledgers): a ledger opened by a ``source`` record is one account's view
(or a few accounts'). The audit runs:

- ``format`` and ``seq-order`` as on any ledger;
- ``references``: every record names one of the accounts the source says the export is of
  (a record of another account is not this export's view: reported, never booked), and the
  source's covers are words the audit knows;
- each account-level check (perpspec.audit.account_checks) whose needs the source covers.

Every other check is named as not checkable, with the reason: the global checks need every
account of the exchange; the settlement, ADL and socialized-loss checks need the exchange's own
records of each liquidation; an account-level check whose needs the export does not cover
names the missing words. A partial ledger holds only ``statement``, ``fill``, ``position``,
``balance``, ``deposit`` and ``withdrawal`` records after its source: any other record is a
``format`` violation (it would otherwise be read and judged by nothing).
"""

from __future__ import annotations

from perpspec.audit.account_checks import ACCOUNT_CHECK_CLASSES, AccountCheck, PartialContext
from perpspec.audit.book import AuditBook
from perpspec.audit.checks import AuditContext, SeqOrder
from perpspec.audit.report import CheckResult, Violation
from perpspec.imports.base import COVERS
from perpspec.ledger.errors import LedgerError
from perpspec.reference.events import (
    METADATA_TYPES,
    BalanceEvent,
    DepositEvent,
    Event,
    FillEvent,
    PositionEvent,
    SourceEvent,
    StatementEvent,
    WithdrawalEvent,
)
from perpspec.reference.profile import Profile

__all__ = [
    "ACCOUNT_CHECKS",
    "ACCOUNT_ONLY_REASON",
    "GLOBAL_CHECKS",
    "PARTIAL_TYPES",
    "PartialAuditor",
    "get_partial_skip_reason",
]

#: The account-level check ids, in report order.
ACCOUNT_CHECKS: tuple[str, ...] = tuple(cls.id for cls in ACCOUNT_CHECK_CLASSES)

#: Record types a partial ledger holds after its source: the partial records and the wallet's
#: balances, deposits and withdrawals.
PARTIAL_TYPES: frozenset[str] = (METADATA_TYPES - {"source"}) | {"balance", "deposit", "withdrawal"}

#: Checks that need every account of the exchange (DESIGN: never run on a partial ledger).
GLOBAL_CHECKS: frozenset[str] = frozenset(
    {"conservation", "oi-balance", "fund-nonnegative", "adl-order", "liq-complete"}
)

_GLOBAL = (
    "a global check: it needs every account of the exchange, and this ledger is one "
    "account's export (DESIGN, Partial ledgers)"
)
_EXCHANGE_BOOKS = (
    "needs the exchange's own records (instruments, marks, liquidations, insurance "
    "entries, ADL fills), which an account's export does not hold"
)
NEEDS_PROFILE_HERE = "needs --profile (the exchange's rules it compares the export with)"
#: Why an account-level check does not run on a full ledger.
ACCOUNT_ONLY_REASON = "runs on a partial ledger (an export read by `perpspec import`) only"


def get_partial_skip_reason(check_id: str) -> str:
    """Why a check of the full audit does not run on a partial ledger."""
    if check_id in GLOBAL_CHECKS:
        return _GLOBAL
    return _EXCHANGE_BOOKS


def _accounts_of(event: Event) -> tuple[str, ...]:
    if isinstance(
        event,
        StatementEvent | FillEvent | PositionEvent | BalanceEvent | DepositEvent | WithdrawalEvent,
    ):
        return (event.account,)
    return ()


class PartialAuditor:
    """Feeds a partial ledger's records to ``seq-order``, ``references`` and the covered
    account-level checks; ``results`` names every check that did not run, with the reason."""

    def __init__(
        self,
        file: str,
        source: SourceEvent,
        selected: frozenset[str],
        profile: Profile | None = None,
    ) -> None:
        self.file = file
        self.source = source
        self.ctx = PartialContext(file, source, profile)
        self.seq_order = SeqOrder()
        self.seq_ctx = AuditContext(file, AuditBook(None, None), None)
        self.selected = selected
        covers = set(source.covers)
        self.skipped: dict[str, str] = {}
        self.checks: list[AccountCheck] = []
        for cls in ACCOUNT_CHECK_CLASSES:
            check = cls()
            missing = sorted(cls.needs - covers, key=_cover_order)
            reason: str | None
            if cls.id not in selected:
                reason = "not selected"
            elif missing:
                reason = (
                    f"not checkable from this export: needs {', '.join(missing)}, which the "
                    f"{source.format} export does not cover (covers: "
                    f"{', '.join(source.covers) or 'nothing'})"
                )
            elif cls.needs_profile and profile is None:
                reason = NEEDS_PROFILE_HERE
            else:
                reason = check.get_skip_reason(profile)
            if reason is None:
                self.checks.append(check)
            else:
                self.skipped[cls.id] = reason
        self.references = 0

    def check_source(self, line: int) -> list[Violation | LedgerError]:
        """The source record's own problems: unknown cover words, no accounts."""
        found: list[Violation | LedgerError] = []
        unknown = [word for word in self.source.covers if word not in COVERS]
        if unknown:
            found.append(
                LedgerError(
                    self.file,
                    line,
                    "covers",
                    f"unknown words {', '.join(unknown)} (known: {', '.join(COVERS)})",
                )
            )
        if not self.source.accounts:
            found.append(LedgerError(self.file, line, "accounts", "no account: whose view is it?"))
        return found

    def feed(self, event: Event, line: int) -> list[Violation | LedgerError]:
        """One record after the source."""
        found: list[Violation | LedgerError] = []
        found += self.seq_order.arrive(event, line, self.seq_ctx)
        if isinstance(event, SourceEvent):
            return [
                *found,
                LedgerError(
                    self.file,
                    line,
                    "type",
                    "a second source record: a partial ledger has one, its first record",
                ),
            ]
        if event.TYPE not in PARTIAL_TYPES:
            return [
                *found,
                LedgerError(
                    self.file,
                    line,
                    "type",
                    f"{event.TYPE}: not a record of a partial ledger (it holds statement, "
                    "fill, position, balance, deposit and withdrawal records after its source)",
                ),
            ]
        self.references += 1
        outside = [a for a in _accounts_of(event) if a not in self.source.accounts]
        if outside:
            found.append(
                self.ctx.violation(
                    "references",
                    line,
                    event,
                    f"an account of the export ({', '.join(self.source.accounts)})",
                    f"account {outside[0]}",
                    None,
                    "the record is of an account this export is not the view of; import each "
                    "account's export on its own, or list the account in the source",
                )
            )
            return found
        for check in self.checks:
            found += check.feed(event, line, self.ctx)
        return found

    def finish(self) -> list[Violation]:
        """The ledger has ended."""
        found: list[Violation] = []
        for check in self.checks:
            found += check.finish(self.ctx)
        return found

    def _nothing_to_check(self, check_id: str) -> str | None:
        """Why a check that ran reports nothing: it examined no record (None: it did)."""
        for check in self.checks:
            if check.id == check_id and check.examined == 0:
                return _nothing(check)
        return None

    def results(self, known: tuple[str, ...], counts: dict[str, int]) -> list[CheckResult]:
        """One result per check id of ``known`` (every check id the audit knows)."""
        examined = {check.id: check.examined for check in self.checks}
        examined["seq-order"] = self.seq_order.examined
        examined["references"] = self.references
        out: list[CheckResult] = []
        for check_id in known:
            if check_id == "format":
                continue
            if check_id in ("seq-order", "references"):
                reason = None if check_id in self.selected else "not selected"
            elif check_id in ACCOUNT_CHECKS:
                reason = self.skipped.get(check_id) or self._nothing_to_check(check_id)
            else:
                reason = get_partial_skip_reason(check_id)
            ran = examined.get(check_id, 0) if reason is None else 0
            out.append(CheckResult(check_id, ran, counts.get(check_id, 0), reason))
        return out


def _nothing(check: AccountCheck) -> str:
    return (
        f"nothing to check: the export covers what it needs but holds no record it compares "
        f"({check.compares}); a check that examined nothing is not reported as passed"
    )


def _cover_order(word: str) -> int:
    return COVERS.index(word) if word in COVERS else len(COVERS)
