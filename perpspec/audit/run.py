"""The audit's main loop: stream a ledger through the bookkeeping and every selected check.

Order per event (DESIGN, Ledger; the engine's own order, ``engine.py`` and ``waterfall.py``):

1. ``seq-order`` sees each event as it is read.
2. An input is held back one event: when the next event is the ``rejection`` naming it, the
   input changed nothing and is not booked.
3. The first event that does not belong to the open liquidation's settlement closes it
   (inferred bookings, then the settlement checks); the first input after a mark ends that
   mark's waterfall (``liq-complete``).
4. ``references`` decides whether the event can be booked at all; then the checks' ``before``
   hooks, the bookkeeping, the ``examine`` hooks.

A record the reader rejects is a ``format`` violation (exit 2); reading goes on so that every
one is reported.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction

from perpspec.audit.book import AuditBook, Settlement
from perpspec.audit.checks import CHECK_CLASSES as _BOOK_CHECK_CLASSES
from perpspec.audit.checks import AuditContext, Check
from perpspec.audit.mark_checks import MARK_CHECK_CLASSES, get_unchecked_reason
from perpspec.audit.partial import ACCOUNT_CHECKS, ACCOUNT_ONLY_REASON, PartialAuditor
from perpspec.audit.report import AuditReport, CheckResult, Violation
from perpspec.audit.series import SeriesBuilder
from perpspec.invariants.catalogue import CATALOGUE
from perpspec.ledger.errors import LedgerError
from perpspec.ledger.io import detect_format, iter_ledger
from perpspec.ledger.unread import UnreadFields
from perpspec.reference.engine.config import EngineConfig
from perpspec.reference.errors import SpecError
from perpspec.reference.events import (
    INPUT_TYPES,
    METADATA_TYPES,
    AdlEvent,
    BalanceEvent,
    DepositEvent,
    Event,
    FundingEvent,
    InstrumentEvent,
    InsuranceEvent,
    LiquidationEvent,
    LiquidationFillEvent,
    MarginTransferEvent,
    MarkEvent,
    RejectionEvent,
    SocializedLossEvent,
    SourceEvent,
    TradeEvent,
    WithdrawalEvent,
)
from perpspec.reference.insurance.fund import get_fund_account
from perpspec.reference.profile import Profile

__all__ = [
    "DEFAULT_CHECKS",
    "DEFAULT_SELECTION",
    "KNOWN_CHECKS",
    "NOT_LEDGER_CHECKS",
    "PROFILE_CHECKS",
    "AuditOptions",
    "LedgerItem",
    "audit_events",
    "audit_ledger",
    "compute_sha256",
]

#: One record as the ledger readers yield it: (line, event), or the error for that line.
LedgerItem = tuple[int, Event] | LedgerError

#: Every check of a full ledger: the book's, then the trigger's (perpspec.audit.mark_checks).
CHECK_CLASSES: tuple[type[Check], ...] = (*_BOOK_CHECK_CLASSES, *MARK_CHECK_CLASSES)
#: The checks run by default (``replay`` only on request).
DEFAULT_CHECKS: tuple[str, ...] = tuple(cls.id for cls in CHECK_CLASSES)
PROFILE_CHECKS: frozenset[str] = frozenset(cls.id for cls in CHECK_CLASSES if cls.needs_profile)
_NOT_LEDGER_REASONS: dict[str, str] = {
    "price-order": "a theorem over the price formulas (perpspec.spec), not a property of a "
    "ledger's events",
    "frame": "a property of the engine (a rejected input changes nothing), checked by the "
    "engine's tests, not from a ledger",
}
#: Catalogue invariants no ledger can show (theorems, engine properties), with the reason.
NOT_LEDGER_CHECKS: dict[str, str] = {
    invariant: _NOT_LEDGER_REASONS.get(
        invariant,
        "a property of the formulas or the engine, not of a ledger's events (see "
        "`perpspec invariants`)",
    )
    for invariant in CATALOGUE
    if invariant not in DEFAULT_CHECKS and invariant not in ACCOUNT_CHECKS and invariant != "replay"
}
REPLAY_SKIPPED = (
    "runs only when selected (--select replay) with an engine configuration "
    "(--engine-config): any tamper trips it"
)
NEEDS_PROFILE = (
    "needs --profile (maintenance basis, close fee, ADL ranking, socialized-loss method)"
)
KNOWN_CHECKS: tuple[str, ...] = (
    "format",
    *DEFAULT_CHECKS,
    "replay",
    *NOT_LEDGER_CHECKS,
    *ACCOUNT_CHECKS,
)
#: What is selected when nothing is: every ledger check, the full audit's and the
#: account-level ones (each runs on the kind of ledger it is for).
DEFAULT_SELECTION: frozenset[str] = frozenset((*DEFAULT_CHECKS, *ACCOUNT_CHECKS))

#: Violations kept in a report when no cap is given (the counts stay exact beyond it).
DEFAULT_KEEP = 100_000


@dataclass(frozen=True, slots=True)
class AuditOptions:
    """What to check: the selected ids, the profile (and its name), the replay config."""

    checks: frozenset[str] = DEFAULT_SELECTION
    profile: Profile | None = None
    profile_name: str | None = None
    engine_config: EngineConfig | None = None
    keep: int | None = None
    #: The settlement unit socialized charges were booked in (the engine configuration's
    #: ``unit``); None: exact shares.
    unit: Fraction | None = None


def compute_sha256(path: str | os.PathLike[str]) -> str:
    """The SHA-256 of the file, read in blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _belongs(event: Event, settlement: Settlement) -> bool:
    liquidation = settlement.event.id
    if isinstance(event, LiquidationFillEvent | AdlEvent):
        return event.liquidation == liquidation
    if isinstance(event, InsuranceEvent):
        return event.liquidation == liquidation
    if isinstance(event, SocializedLossEvent):
        return liquidation in event.liquidations
    return False


class _Auditor:
    def __init__(self, file: str, options: AuditOptions) -> None:
        self.options = options
        self.book = AuditBook(options.profile, options.unit)
        self.ctx = AuditContext(file, self.book, options.profile, options.unit)
        runnable = {cid for cid in options.checks if cid in DEFAULT_CHECKS}
        if options.profile is None:
            runnable -= PROFILE_CHECKS
        self.checks: list[Check] = [cls() for cls in CHECK_CLASSES if cls.id in runnable]
        self.runs_references = "references" in runnable
        self.violations: list[Violation] = []
        self.counts: dict[str, int] = {}
        self.events = 0
        self.format_errors = 0
        self.pending: tuple[Event, int] | None = None
        self.mark: tuple[MarkEvent, int] | None = None
        self.series = SeriesBuilder()

    # ---- reporting ----------------------------------------------------------------------

    def report(self, found: list[Violation]) -> None:
        if not found:
            return
        keep = self.options.keep if self.options.keep is not None else DEFAULT_KEEP
        for violation in found:
            self.counts[violation.check] = self.counts.get(violation.check, 0) + 1
            if len(self.violations) < keep:
                self.violations.append(violation)

    def report_format(self, error: LedgerError) -> None:
        self.format_errors += 1
        self.report([_as_format_violation(error)])

    # ---- the stream ---------------------------------------------------------------------

    def feed(self, event: Event, line: int) -> None:
        if event.TYPE in METADATA_TYPES:
            reason = (
                "a source record opens a partial ledger: it must be the ledger's first record"
                if isinstance(event, SourceEvent)
                else f"{event.TYPE}: a record of a partial ledger, in a ledger that no source "
                "record opens (`perpspec import` writes one)"
            )
            self.report_format(LedgerError(self.ctx.file, line, "type", reason))
            return
        self.events += 1
        for check in self.checks:
            self.report(check.arrive(event, line, self.ctx))
        if self.pending is not None:
            held, held_line = self.pending
            self.pending = None
            if isinstance(event, RejectionEvent) and event.input == held.seq:
                self.ctx.pending_rejection = held.seq
                self.process(event, line)
                self.ctx.pending_rejection = None
                return
            self.process(held, held_line)
        if event.TYPE in INPUT_TYPES:
            self.pending = (event, line)
        else:
            self.process(event, line)

    def finish(self) -> None:
        if self.pending is not None:
            held, held_line = self.pending
            self.pending = None
            self.process(held, held_line)
        self.close_settlement()
        self.settle_mark()

    def close_settlement(self) -> None:
        settlement = self.book.close_settlement()
        if settlement is None:
            return
        for check in self.checks:
            self.report(check.on_close(settlement, self.ctx))
        self.book.write_off(settlement)

    def settle_mark(self) -> None:
        if self.mark is None:
            return
        event, line = self.mark
        self.mark = None
        for check in self.checks:
            self.report(check.on_mark_settled(event, line, self.ctx))

    def process(self, event: Event, line: int) -> None:
        settlement = self.book.settlement
        if settlement is not None and not _belongs(event, settlement):
            self.close_settlement()
        if event.TYPE in INPUT_TYPES:
            self.settle_mark()
        self.ctx.skip = False
        self.ctx.prepare(event)
        for check in self.checks:
            self.report(check.before(event, line, self.ctx))
        if self.ctx.skip or not self._is_bookable(event):
            return
        try:
            self.apply(event, line)
        except SpecError as error:
            # Left out of the books whatever is selected; reported only under its own check.
            if not self.runs_references:
                return
            self.report(
                [
                    self.ctx.violation(
                        "references",
                        line,
                        event,
                        "an event the books can take",
                        str(error),
                        None,
                        "the event contradicts the ledger's own definitions",
                    )
                ]
            )
            return
        for check in self.checks:
            self.report(check.examine(event, line, self.ctx))
        self.record_series(event)

    def _is_bookable(self, event: Event) -> bool:
        """Whether ``references`` (even when deselected) would let the event be booked."""
        from perpspec.audit.checks import References

        if self.runs_references:
            return True
        probe = AuditContext(self.ctx.file, self.book, self.ctx.profile, self.ctx.unit)
        probe.pending_rejection = self.ctx.pending_rejection
        References().before(event, 0, probe)
        return not probe.skip

    def apply(self, event: Event, line: int) -> None:
        book = self.book
        settlement = book.settlement
        if isinstance(event, InstrumentEvent):
            book.apply_instrument(event)
        elif isinstance(event, DepositEvent):
            book.apply_deposit(event)
        elif isinstance(event, WithdrawalEvent):
            book.apply_withdrawal(event)
        elif isinstance(event, MarkEvent):
            book.apply_mark(event)
            self.mark = (event, line)
        elif isinstance(event, TradeEvent):
            book.apply_trade(event)
        elif isinstance(event, FundingEvent):
            book.apply_funding(event)
        elif isinstance(event, MarginTransferEvent):
            book.apply_margin_transfer(event)
        elif isinstance(event, LiquidationEvent):
            book.open_settlement(event, line)
        elif isinstance(event, InsuranceEvent):
            book.apply_insurance(event, settlement)
        elif isinstance(event, BalanceEvent):
            book.apply_balance(event)
        elif settlement is not None:
            if isinstance(event, LiquidationFillEvent):
                book.apply_liquidation_fill(event, settlement)
            elif isinstance(event, AdlEvent):
                book.apply_adl(event, settlement)
            elif isinstance(event, SocializedLossEvent):
                book.apply_socialized(event, settlement)

    def record_series(self, event: Event) -> None:
        series = self.series
        book = self.book
        if isinstance(event, MarkEvent):
            series.add_mark(event.market, event.seq, event.ts, event.price)
        elif isinstance(event, LiquidationEvent):
            series.add_liquidation(event.seq, event.ts, event.market, event.mark_price)
        elif isinstance(event, AdlEvent) and book.settlement is not None:
            series.add_adl(event.seq, event.ts, book.settlement.event.market, event.price)
        elif isinstance(event, SocializedLossEvent):
            series.add_socialized(event.cycle, event.amount)
        fund = _fund_of(event)
        if fund is not None and fund in book.fund_assets:
            # a fund shared by markets of several settle assets is one line an asset
            assets = sorted(book.fund_assets[fund])
            for asset in assets:
                balance = book.get_cash(get_fund_account(fund), asset)
                name = fund if len(assets) == 1 else f"{fund} ({asset})"
                series.add_fund(name, event.seq, event.ts, balance)


def _fund_of(event: Event) -> str | None:
    if isinstance(event, InsuranceEvent):
        return event.fund
    if isinstance(event, DepositEvent | WithdrawalEvent) and event.account.startswith("insurance:"):
        return event.account.removeprefix("insurance:")
    return None


def _skip_reason(check_id: str, options: AuditOptions) -> str | None:
    if check_id in ACCOUNT_CHECKS:
        return ACCOUNT_ONLY_REASON
    if check_id in NOT_LEDGER_CHECKS:
        return NOT_LEDGER_CHECKS[check_id]
    if check_id == "replay":
        if "replay" not in options.checks:
            return REPLAY_SKIPPED
        if options.engine_config is None:
            return "needs an engine configuration (--engine-config FILE)"
        return None
    if check_id not in options.checks:
        return "not selected"
    if check_id in PROFILE_CHECKS and options.profile is None:
        return NEEDS_PROFILE
    return None


def audit_events(
    items: Iterable[LedgerItem],
    file: str,
    options: AuditOptions,
    sha256: str = "",
    unread: UnreadFields | None = None,
) -> tuple[AuditReport, _Auditor]:
    """Audit a stream of read records (``iter_ledger``'s items); ``unread`` is the collector
    the reader of ``items`` fills, reported once the stream is read."""
    stream = iter(items)
    first = next(stream, None)
    if (
        first is not None
        and not isinstance(first, LedgerError)
        and isinstance(first[1], SourceEvent)
    ):
        report = _audit_partial(first[1], first[0], stream, file, options, sha256)
        if unread is not None:
            report = replace(report, unread=unread.build())
        return report, _Auditor(file, options)
    if first is not None:
        stream = itertools.chain((first,), stream)
    auditor = _Auditor(file, options)
    for item in stream:
        if isinstance(item, LedgerError):
            auditor.report_format(item)
        else:
            auditor.feed(item[1], item[0])
    if auditor.events == 0 and auditor.format_errors == 0:
        # Nothing in an empty ledger can break an invariant, but a ledger that states nothing
        # is no evidence either: an export that wrote nothing must not pass as clean.
        auditor.report_format(
            LedgerError(file, 0, "file", "no events: an empty ledger (did the export write it?)")
        )
    auditor.finish()
    report = _build_report(auditor, file, options, sha256)
    if unread is not None:
        report = replace(report, unread=unread.build())
    return report, auditor


#: Checks whose own reason for not running on a ledger holds for a partial one too.
_PARTIAL_OWN_REASONS: dict[str, str] = {
    **NOT_LEDGER_CHECKS,
    "replay": "a partial ledger holds no engine inputs to replay",
}


def _audit_partial(
    source: SourceEvent,
    source_line: int,
    items: Iterator[LedgerItem],
    file: str,
    options: AuditOptions,
    sha256: str,
) -> AuditReport:
    """Audit a partial ledger (perpspec.audit.partial): what one account's export shows."""
    auditor = PartialAuditor(file, source, options.checks, options.profile)
    keep = options.keep if options.keep is not None else DEFAULT_KEEP
    violations: list[Violation] = []
    counts: dict[str, int] = {}
    events = 1
    formats = 0

    def take(found: Sequence[Violation | LedgerError]) -> None:
        nonlocal formats
        for item in found:
            violation = _as_format_violation(item) if isinstance(item, LedgerError) else item
            formats += isinstance(item, LedgerError)
            counts[violation.check] = counts.get(violation.check, 0) + 1
            if len(violations) < keep:
                violations.append(violation)

    take(auditor.check_source(source_line))
    for item in items:
        if isinstance(item, LedgerError):
            take([item])
            continue
        line, event = item
        events += 1
        take(auditor.feed(event, line))
    take(auditor.finish())
    results = [CheckResult("format", events + formats, counts.get("format", 0), None)]
    for result in auditor.results(KNOWN_CHECKS[1:], counts):
        reason = _PARTIAL_OWN_REASONS.get(result.id, result.skipped)
        results.append(replace(result, skipped=reason))
    ordered = sorted(violations, key=lambda v: (v.line, KNOWN_CHECKS.index(v.check)))
    return AuditReport(
        file,
        sha256,
        events,
        options.profile_name,
        tuple(results),
        tuple(ordered),
        SeriesBuilder().build(),
        source=source,
    )


def _as_format_violation(error: LedgerError) -> Violation:
    return Violation(
        "format",
        error.file,
        error.line,
        None,
        "a record the ledger format accepts",
        f"{error.field}: {error.reason}",
        None,
        error.record,
        "fix or remove the record; `perpspec schema` prints the format",
    )


def _build_report(auditor: _Auditor, file: str, options: AuditOptions, sha256: str) -> AuditReport:
    examined = {check.id: check.examined for check in auditor.checks}
    unchecked = {
        check.id: found
        for check in auditor.checks
        if (found := get_unchecked_reason(check, options.profile)) is not None
    }
    results = [
        CheckResult(
            "format", auditor.events + auditor.format_errors, auditor.counts.get("format", 0), None
        )
    ]
    for check_id in KNOWN_CHECKS[1:]:
        reason = _skip_reason(check_id, options) or unchecked.get(check_id)
        results.append(
            CheckResult(
                check_id,
                examined.get(check_id, 0) if reason is None else 0,
                auditor.counts.get(check_id, 0),
                reason,
            )
        )
    ordered = sorted(auditor.violations, key=lambda v: (v.line, KNOWN_CHECKS.index(v.check)))
    return AuditReport(
        file,
        sha256,
        auditor.events,
        options.profile_name,
        tuple(results),
        tuple(ordered),
        auditor.series.build(),
    )


def audit_ledger(
    path: str | os.PathLike[str],
    fmt: str | None,
    options: AuditOptions,
    track: Callable[[Iterable[LedgerItem]], Iterable[LedgerItem]] | None = None,
) -> AuditReport:
    """Audit the ledger at ``path`` (format by extension or ``fmt``); see the module doc.

    ``track``, when given, wraps the stream of read records (a progress bar follows the
    records through it); it must pass every item on unchanged.

    Raises :class:`LedgerError` when the file cannot be opened as a ledger at all (unknown
    format); records it cannot read are ``format`` violations in the report.
    """
    file = os.fspath(path)
    if is_stream(path):
        # A pipe or a FIFO can be read once, but the digest and the audit (and replay) each
        # read the ledger: spool it to a private file first, and name the original in the
        # report. The format comes from the original name (or ``fmt``), checked before any
        # byte is copied.
        detect_format(path, fmt)
        with tempfile.TemporaryDirectory(prefix="perpspec-audit-") as folder:
            copy = os.path.join(folder, "ledger" + os.path.splitext(file)[1])
            with open(path, "rb") as source, open(copy, "wb") as target:
                shutil.copyfileobj(source, target, 1 << 20)
            report = audit_ledger(copy, fmt, options, track)
        return _rename_report(report, copy, file)
    unread = UnreadFields()
    items: Iterable[LedgerItem] = iter_ledger(path, fmt, unread)
    if track is not None:
        items = track(items)
    sha256 = compute_sha256(path)
    report, auditor = audit_events(items, file, options, sha256, unread)
    if "replay" in options.checks and options.engine_config is not None:
        report = _add_replay(report, path, fmt, options.engine_config, auditor.events)
    return report


def is_stream(path: str | os.PathLike[str]) -> bool:
    """True for an existing file that is not a regular one (a pipe, a FIFO, ``/dev/stdin``)."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False  # the reader reports what cannot be opened
    return not stat.S_ISREG(mode) and not stat.S_ISDIR(mode)


def _rename_report(report: AuditReport, spooled: str, original: str) -> AuditReport:
    violations = tuple(
        replace(v, file=original) if v.file == spooled else v for v in report.violations
    )
    unread = tuple(replace(u, file=original) if u.file == spooled else u for u in report.unread)
    return replace(report, file=original, violations=violations, unread=unread)


def _add_replay(
    report: AuditReport,
    path: str | os.PathLike[str],
    fmt: str | None,
    config: EngineConfig,
    events: int,
) -> AuditReport:
    from perpspec.audit.replay_check import check_replay

    file = os.fspath(path)
    try:
        result = check_replay(config, iter_ledger(path, fmt))
    except LedgerError:
        checks = tuple(
            replace(c, skipped="the ledger has unreadable records") if c.id == "replay" else c
            for c in report.checks
        )
        return replace(report, checks=checks)
    found: Sequence[Violation] = ()
    if result.difference is not None:
        difference = result.difference
        found = (
            Violation(
                "replay",
                file,
                difference.line,
                None,
                difference.expected,
                difference.found,
                None,
                difference.found,
                difference.hint,
            ),
        )
    checks = tuple(
        replace(c, examined=result.events, violations=len(found)) if c.id == "replay" else c
        for c in report.checks
    )
    violations = tuple(
        sorted((*report.violations, *found), key=lambda v: (v.line, KNOWN_CHECKS.index(v.check)))
    )
    return replace(report, checks=checks, violations=violations)
