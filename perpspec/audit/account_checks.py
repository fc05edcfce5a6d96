"""Account-level checks: what one account's export can show (DESIGN, Partial ledgers).

An exchange export is one account's view. The global invariants (conservation, ``oi-balance``,
the fund, the ADL order) need every account and the exchange's own books, so a partial ledger
never runs them. What such an export does support is checked here, each check only when the
ledger's ``source`` covers every word in its ``needs`` (perpspec.imports.base.COVERS):

- ``balance-continuity``: every stated balance is the previous one plus the movements between;
- ``position-continuity``: every fill's stated start position is where the fills before it
  left the position (an account's fill against itself recognized);
- ``realized-pnl``: each fill's stated realized PnL is the average-entry rule's;
- ``funding-sign``: a funding payment has the sign its rate and position give;
- ``insurance-on-liquidation``: an insurance movement only on one of the account's
  liquidations;
- ``insurance-clears-balance``: no negative balance left after an insurance credit;
- ``position-liquidation-price``: a snapshot's stated liquidation price is the profile's
  formula on the snapshot's own figures;
- ``commission-rate``: a trade's commission is the profile's maker or taker rate on its value;
- ``adl-fill-price``: an ADL fill is at the price the profile's rule names, when the export
  states it (the mark, under ``adl.fill_price = "mark"``).

Tolerance. A wallet moves by the amounts its export states, so stated balances chain exactly
(``balance-continuity`` allows no difference). A realized PnL is the exchange's rounding of an
exact figure to its stated ``precision`` (to nearest, or down): it may differ from the exact
PnL by less than one unit, which ``realized-pnl`` allows; with no stated precision it is exact.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import ClassVar

from perpspec.audit.records import make_violation
from perpspec.audit.report import Violation
from perpspec.reference.adl.allocation import FillPrice
from perpspec.reference.errors import SpecError
from perpspec.reference.events import (
    BalanceEvent,
    DepositEvent,
    Event,
    FillEvent,
    PositionEvent,
    SourceEvent,
    StatementEvent,
    WithdrawalEvent,
)
from perpspec.reference.instrument import ContractKind, Tier
from perpspec.reference.margin.pnl import (
    Position,
    apply_fill,
    compute_position_value,
    compute_unrealized_pnl,
)
from perpspec.reference.margin.requirements import MaintenanceBasis
from perpspec.reference.numbers import format_number
from perpspec.reference.prices.position_prices import (
    MarginContext,
    MarginMode,
    compute_liquidation_price,
)
from perpspec.reference.profile import Profile

__all__ = [
    "ACCOUNT_CHECK_CLASSES",
    "AccountCheck",
    "PartialContext",
    "get_fill_qty",
    "get_movement",
]


@dataclass(slots=True)
class PartialContext:
    """What an account-level check reads: the file, its source record and its precision, and
    the profile (None: not given)."""

    file: str
    source: SourceEvent
    profile: Profile | None = None

    @property
    def unit(self) -> Fraction:
        """One unit of the stated precision (0: none stated, so comparisons are exact)."""
        return self.source.precision or Fraction(0)

    def violation(
        self,
        check: str,
        line: int,
        event: Event,
        expected: str,
        found: str,
        difference: str | None,
        hint: str,
    ) -> Violation:
        """A violation at ``line``, with the record re-encoded from ``event``."""
        return make_violation(self.file, check, line, event, expected, found, difference, hint)


def get_movement(event: Event) -> tuple[str, str, Fraction] | None:
    """The wallet movement an event states: (account, asset, signed amount), or None."""
    if isinstance(event, StatementEvent):
        return event.account, event.asset, event.amount
    if isinstance(event, DepositEvent):
        return event.account, event.asset, event.amount
    if isinstance(event, WithdrawalEvent):
        return event.account, event.asset, -event.amount
    return None


def get_fill_qty(fill: FillEvent) -> Fraction:
    """The fill's signed quantity: + a buy, - a sell."""
    return fill.qty if fill.action == "buy" else -fill.qty


def _is_within(found: Fraction, expected: Fraction, allowed: Fraction) -> bool:
    return abs(found - expected) <= allowed


class AccountCheck:
    """One account-level check: ``needs`` the covers it reads, ``feed`` per record, ``finish``
    at the end of the ledger; ``examined`` counts the records it compared."""

    id: ClassVar[str] = ""
    needs: ClassVar[frozenset[str]] = frozenset()
    needs_profile: ClassVar[bool] = False
    statement: ClassVar[str] = ""
    #: What the check compares, for a report on an export that holds none of it.
    compares: ClassVar[str] = ""

    def __init__(self) -> None:
        self.examined = 0

    def get_skip_reason(self, profile: Profile | None) -> str | None:
        """Why the check cannot run under ``profile`` although the export covers its needs
        (None: it can)."""
        return None

    def feed(self, event: Event, line: int, ctx: PartialContext) -> list[Violation]:
        """One record of the ledger, in order."""
        return []

    def finish(self, ctx: PartialContext) -> list[Violation]:
        """The ledger has ended."""
        return []


# ---- balance-continuity -------------------------------------------------------------------


@dataclass(slots=True)
class _Segment:
    """The amounts moved in one wallet in one instant up to a stated balance (or to the end
    of the instant: ``balance`` None), and that balance with its line."""

    moves: list[Fraction] = field(default_factory=list)
    balance: tuple[BalanceEvent, int] | None = None


class BalanceContinuity(AccountCheck):
    """Rule: a balance assertion (DESIGN, Ledger: ``balance``) holds after every earlier
    movement, so each stated balance is the previous stated balance plus the statements,
    deposits and withdrawals between them. The first stated balance of a wallet opens its
    chain; the comparison is exact (module docstring). Exports list the rows of one instant
    in any order, so an instant's rows are taken as segments (each stated balance with the
    movements drafted before it) and any order of those segments that chains is accepted;
    only when none does is the file's order reported. After a violation the next balance may
    chain from the stated balance (a movement was missing) or from the expected one (the
    balance was stated wrong), so one wrong row is one violation."""

    id = "balance-continuity"
    needs = frozenset({"wallet", "balances"})
    compares = "a stated balance after an earlier one of the same wallet"
    statement = (
        "every stated balance equals the previous stated balance plus the wallet movements "
        "between them, exactly"
    )

    #: An instant with more segments than this is checked in the file's order only
    #: (8! = 40,320 orders at most).
    MAX_ORDERS = 8

    def __init__(self) -> None:
        super().__init__()
        self.running: dict[tuple[str, str], _Running] = {}
        self.instant: str | None = None
        self.segments: dict[tuple[str, str], list[_Segment]] = {}

    def feed(self, event: Event, line: int, ctx: PartialContext) -> list[Violation]:
        found: list[Violation] = []
        moves = isinstance(event, BalanceEvent) or get_movement(event) is not None
        if moves and event.ts != self.instant:
            found = self._close_instant(ctx)
            self.instant = event.ts
        if isinstance(event, BalanceEvent):
            segments = self.segments.setdefault((event.account, event.asset), [_Segment()])
            segments[-1].balance = (event, line)
            segments.append(_Segment())
            return found
        movement = get_movement(event)
        if movement is not None:
            account, asset, amount = movement
            segments = self.segments.setdefault((account, asset), [_Segment()])
            segments[-1].moves.append(amount)
        return found

    def finish(self, ctx: PartialContext) -> list[Violation]:
        return self._close_instant(ctx)

    def _close_instant(self, ctx: PartialContext) -> list[Violation]:
        found: list[Violation] = []
        for key, segments in self.segments.items():
            found += self._close_wallet(key, segments, ctx)
        self.segments = {}
        return found

    def _close_wallet(
        self, key: tuple[str, str], segments: list[_Segment], ctx: PartialContext
    ) -> list[Violation]:
        stated = [s for s in segments if s.balance is not None]
        loose = [s for s in segments if s.balance is None]
        start = self.running.get(key)
        orders: list[Sequence[_Segment]] = [segments]
        if 1 < len(stated) <= self.MAX_ORDERS:
            orders += [[*order, *loose] for order in itertools.permutations(stated)]
        for order in orders:
            if not self._walk(key, start, order, ctx, dry=True):
                self._walk(key, start, order, ctx)
                return []
        return self._walk(key, start, segments, ctx)

    def _walk(
        self,
        key: tuple[str, str],
        start: _Running | None,
        segments: Sequence[_Segment],
        ctx: PartialContext,
        dry: bool = False,
    ) -> list[Violation]:
        """Chain ``segments`` from ``start``; return the violations (with ``dry``, without
        counting or keeping the result)."""
        found: list[Violation] = []
        running = start
        for segment in segments:
            for amount in segment.moves:
                if running is not None:
                    running = running.move(amount)
            if segment.balance is None:
                continue
            event, line = segment.balance
            if running is not None and not dry:
                self.examined += 1
            if running is None or event.amount in (running.expected, running.alternative):
                running = _Running(event.amount)
                continue
            found.append(
                ctx.violation(
                    self.id,
                    line,
                    event,
                    f"balance {format_number(running.expected)} (the previous stated balance "
                    f"plus {running.moves} {'movement' if running.moves == 1 else 'movements'})",
                    f"balance {format_number(event.amount)}",
                    format_number(event.amount - running.expected),
                    "a movement of this wallet is missing from the export, stated twice, or "
                    "the balance is wrong; compare the rows since the previous stated balance",
                )
            )
            # The next balance may chain from either: this one (a movement was missing) or
            # the figure expected here (this balance was the one stated wrong).
            running = _Running(event.amount, alternative=running.expected)
        if not dry and running is not None:
            self.running[key] = running
        return found


@dataclass(frozen=True, slots=True)
class _Running:
    """A wallet's running balance: the last stated balance plus the movements since
    (``moves`` of them), and the alternative chain after a violation (else None)."""

    expected: Fraction
    moves: int = 0
    alternative: Fraction | None = None

    def move(self, amount: Fraction) -> _Running:
        alternative = None if self.alternative is None else self.alternative + amount
        return _Running(self.expected + amount, self.moves + 1, alternative)


# ---- position-continuity -------------------------------------------------------------------


class PositionContinuity(AccountCheck):
    """Rule: a position changes only by fills (DESIGN, Margin: the position is the sum of its
    fills), so each fill's stated start position is the previous fill's start plus that
    fill's signed quantity, and a stated snapshot is where the fills left it. The first fill
    (or snapshot) of a market opens the chain: an export may begin with a position open. A
    fill that shares its time and its export id with the previous fill of the same account
    and market, on the other side, is the account's fill against itself: both sides state the
    start of the pair, and the pair leaves the position where it was."""

    id = "position-continuity"
    needs = frozenset({"fills", "start_positions"})
    compares = "a stated start position (or snapshot) after an earlier fill of the market"
    statement = (
        "every fill's stated start position is where the account's earlier fills left it "
        "(an account's trade against itself recognized)"
    )

    def __init__(self) -> None:
        super().__init__()
        self.position: dict[tuple[str, str], Fraction] = {}
        self.alternative: dict[tuple[str, str], Fraction] = {}
        self.last: dict[tuple[str, str], FillEvent] = {}

    def feed(self, event: Event, line: int, ctx: PartialContext) -> list[Violation]:
        if isinstance(event, PositionEvent) and "positions" in ctx.source.covers:
            return self._snapshot(event, line, ctx)
        if not isinstance(event, FillEvent):
            return []
        key = (event.account, event.market)
        previous = self.last.get(key)
        self.last[key] = event
        held = self.position.get(key)
        qty = get_fill_qty(event)
        if event.start_position is None:
            if held is not None:
                self.position[key] = held + qty
            return []
        expected = held
        alternative = self.alternative.pop(key, None)
        if (
            previous is not None
            and previous.start_position is not None
            and _is_other_side(previous, event)
        ):
            expected = previous.start_position
            self.position[key] = previous.start_position + get_fill_qty(previous) + qty
        else:
            self.position[key] = event.start_position + qty
        if expected is None:
            return []
        self.examined += 1
        if event.start_position in (expected, alternative):
            return []
        # The next fill may chain from either: this one's stated start (a fill was missing)
        # or the expected one (this start was stated wrong): one wrong row, one violation.
        self.alternative[key] = expected + qty
        return [
            ctx.violation(
                self.id,
                line,
                event,
                f"start position {format_number(expected)} (where the earlier fills left it)",
                f"start position {format_number(event.start_position)}",
                format_number(event.start_position - expected),
                "a fill of this market is missing from the export (or stated twice), or the "
                "start position is wrong",
            )
        ]

    def _snapshot(self, event: PositionEvent, line: int, ctx: PartialContext) -> list[Violation]:
        key = (event.account, event.market)
        held = self.position.get(key)
        self.position[key] = event.size
        if held is None:
            return []
        self.examined += 1
        if held == event.size:
            return []
        return [
            ctx.violation(
                self.id,
                line,
                event,
                f"size {format_number(held)} (where the fills left the position)",
                f"size {format_number(event.size)}",
                format_number(event.size - held),
                "a fill before this snapshot is missing from the export, or the snapshot is "
                "of another account",
            )
        ]


def _is_other_side(previous: FillEvent, fill: FillEvent) -> bool:
    """Whether ``fill`` is the other side of ``previous``: the account's trade against
    itself (one export id, one instant, the opposite action)."""
    return (
        previous.ref is not None
        and previous.ref == fill.ref
        and previous.ts == fill.ts
        and previous.action != fill.action
    )


# ---- realized-pnl ----------------------------------------------------------------------------


class RealizedPnl(AccountCheck):
    """Rule: average-entry accounting (perpspec.reference.margin.pnl.apply_fill: a fill on the
    position's side moves the entry to the average; a fill against it realizes
    ``closed x multiplier x (exit - entry)`` on a linear contract, ``closed x multiplier x
    (1/entry - 1/exit)`` on an inverse one, signed by the side). The entry is known from a
    fill that starts flat (its stated start position is 0) or from a snapshot's stated entry
    price; until then, a close cannot be measured and is not counted. A stated start that
    contradicts the account's own fills (``position-continuity``'s violation) leaves the
    entry unknown again, so that one wrong row is reported once. Only fills whose export
    states the contract's kind and multiplier are recomputed. The realized PnL is compared
    gross of commission (the adapters state it so, docs/import.md)."""

    id = "realized-pnl"
    needs = frozenset({"fills", "realized_pnl", "start_positions"})
    compares = (
        "a fill stating its realized PnL, its contract's kind and multiplier, from a known "
        "entry (a flat start or a snapshot's entry price)"
    )
    statement = (
        "each fill's stated realized PnL is the average-entry rule's on the account's own "
        "fills (within the export's precision)"
    )

    def __init__(self) -> None:
        super().__init__()
        self.books: dict[tuple[str, str], Position | None] = {}

    def feed(self, event: Event, line: int, ctx: PartialContext) -> list[Violation]:
        if isinstance(event, PositionEvent):
            if event.entry_price is not None and event.size != 0:
                self.books[(event.account, event.market)] = Position(event.size, event.entry_price)
            return []
        if not isinstance(event, FillEvent):
            return []
        key = (event.account, event.market)
        book = self.books.get(key)
        if book is None and event.start_position == 0:
            book = Position(Fraction(0), Fraction(1))  # a stated flat start opens a book
        elif book is not None and event.start_position not in (None, book.qty):
            # The fills and the stated start disagree (position-continuity reports it): which
            # entry this fill closes against is unknown until the position is flat again.
            book = None
        if book is None or event.kind is None or event.multiplier is None:
            self.books[key] = None
            return []
        kind = ContractKind(event.kind)
        after, realized = apply_fill(kind, event.multiplier, book, get_fill_qty(event), event.price)
        self.books[key] = after
        if event.realized_pnl is None:
            return []
        self.examined += 1
        if _is_within(event.realized_pnl, realized, ctx.unit):
            return []
        entry = (
            "flat"
            if book.qty == 0
            else f"{format_number(book.qty)} at {format_number(book.entry_price)}"
        )
        return [
            ctx.violation(
                self.id,
                line,
                event,
                f"realized PnL {format_number(realized)} (from {entry})",
                f"realized PnL {format_number(event.realized_pnl)}",
                format_number(event.realized_pnl - realized),
                "the exchange's entry price or its PnL rule differs from average entry, or an "
                "earlier fill of this market is missing from the export",
            )
        ]


# ---- funding-sign ----------------------------------------------------------------------------


def _sign(value: Fraction) -> int:
    return (value > 0) - (value < 0)


class FundingSign(AccountCheck):
    """Rule (DESIGN, Ledger: funding; perpspec.reference.engine.inputs): a position pays
    ``size x value x rate``, so longs pay a positive rate and receive a negative one. A
    funding statement that states its rate and position has the opposite sign of
    ``size x rate`` (or is zero: a payment that rounds to nothing)."""

    id = "funding-sign"
    needs = frozenset({"funding"})
    compares = "a funding statement stating its rate and position"
    statement = (
        "a funding payment has the sign its stated rate and position give (longs pay a "
        "positive rate)"
    )

    def feed(self, event: Event, line: int, ctx: PartialContext) -> list[Violation]:
        if not isinstance(event, StatementEvent) or event.entry != "funding":
            return []
        if event.rate is None or event.size is None:
            return []
        self.examined += 1
        expected = -_sign(event.size * event.rate)
        found = _sign(event.amount)
        if found in (0, expected):
            return []
        words = {1: "received (+)", -1: "paid (-)", 0: "nothing"}
        return [
            ctx.violation(
                self.id,
                line,
                event,
                f"{words[expected]}: size {format_number(event.size)} at rate "
                f"{format_number(event.rate)}",
                f"{words[found]} {format_number(event.amount)}",
                None,
                "the payment's sign is reversed (or the position's side is)",
            )
        ]


# ---- insurance -------------------------------------------------------------------------------


class InsuranceOnLiquidation(AccountCheck):
    """Rule (DESIGN, Insurance fund): the fund and a trader exchange money only on the
    trader's own liquidation (the fund covers its deficit, or takes its clearance fee). An
    insurance movement (``entry`` insurance: an "Insurance Fund Compensation", Binance's
    INSURANCE_CLEAR) is allowed only at or after one of the account's liquidations (a fill
    of role liquidation, or a liquidation statement), in the same market when both name one;
    each liquidation allows the movements up to the account's next ordinary fill there."""

    id = "insurance-on-liquidation"
    needs = frozenset({"wallet", "fills", "roles"})
    compares = "an insurance statement"
    statement = "an insurance credit or charge only on one of the account's own liquidations"

    def __init__(self) -> None:
        super().__init__()
        self.open: dict[str, set[str | None]] = {}

    def feed(self, event: Event, line: int, ctx: PartialContext) -> list[Violation]:
        if isinstance(event, FillEvent):
            markets = self.open.setdefault(event.account, set())
            if event.role == "liquidation":
                markets.add(event.market)
            else:
                markets.discard(event.market)
            return []
        if not isinstance(event, StatementEvent):
            return []
        if event.entry == "liquidation":
            self.open.setdefault(event.account, set()).add(event.market)
            return []
        if event.entry != "insurance":
            return []
        self.examined += 1
        markets = self.open.get(event.account, set())
        if markets and (event.market is None or event.market in markets or None in markets):
            return []
        return [
            ctx.violation(
                self.id,
                line,
                event,
                f"a liquidation of {event.account}"
                + (f" in {event.market}" if event.market else "")
                + " before an insurance credit",
                f"{event.reason} {format_number(event.amount)} with no liquidation open",
                None,
                "the fund paid an account that was not liquidated, or the liquidation's fill "
                "is missing from the export",
            )
        ]


class InsuranceClearsBalance(AccountCheck):
    """Rule (DESIGN, invariant ``no-negative-balance``: no trader below zero once a
    liquidation is settled): the balance stated after an insurance credit (a positive
    insurance movement: the fund covering a deficit) is not negative."""

    id = "insurance-clears-balance"
    needs = frozenset({"wallet", "balances"})
    compares = "an insurance credit followed by a stated balance"
    statement = "no negative balance is left after an insurance credit"

    def __init__(self) -> None:
        super().__init__()
        self.pending: dict[tuple[str, str], StatementEvent] = {}

    def feed(self, event: Event, line: int, ctx: PartialContext) -> list[Violation]:
        if isinstance(event, StatementEvent) and event.entry == "insurance" and event.amount > 0:
            self.pending[(event.account, event.asset)] = event
            return []
        if not isinstance(event, BalanceEvent):
            return []
        credit = self.pending.pop((event.account, event.asset), None)
        if credit is None:
            return []
        self.examined += 1
        if event.amount >= 0:
            return []
        return [
            ctx.violation(
                self.id,
                line,
                event,
                f"balance >= 0 after the insurance credit (seq {credit.seq})",
                f"balance {format_number(event.amount)}",
                format_number(event.amount),
                "the fund's credit did not cover the deficit it was paid for",
            )
        ]


# ---- position-liquidation-price ------------------------------------------------------------


def get_decimal_unit(value: Fraction) -> Fraction:
    """The unit of the last decimal a number is written with (``56215.25``: 0.01), or 0 when
    it is no finite decimal."""
    denominator = value.denominator
    places = 0
    while denominator % 10 == 0:
        denominator //= 10
        places += 1
    for factor in (2, 5):
        while denominator % factor == 0:
            denominator //= factor
            places += 1
    return Fraction(1, 10**places) if denominator == 1 else Fraction(0)


@dataclass(frozen=True, slots=True)
class _Snapshot:
    """A position of a snapshot with what the formula needs (None when the export omits it)."""

    event: PositionEvent
    line: int

    @property
    def kind(self) -> ContractKind | None:
        return ContractKind(self.event.kind) if self.event.kind is not None else None

    def is_complete(self) -> bool:
        event = self.event
        return (
            event.kind is not None
            and event.entry_price is not None
            and event.mark_price is not None
            and event.maintenance_rate is not None
        )

    def get_upnl(self) -> Fraction:
        event = self.event
        if self.kind is None or event.entry_price is None or event.mark_price is None:
            raise SpecError("an incomplete snapshot has no unrealized PnL")
        return compute_unrealized_pnl(
            self.kind, event.size, Fraction(1), event.entry_price, event.mark_price
        )

    def get_maintenance(self, basis: MaintenanceBasis) -> Fraction:
        event = self.event
        price = event.mark_price if basis is MaintenanceBasis.MARK else event.entry_price
        if self.kind is None or price is None or event.maintenance_rate is None:
            raise SpecError("an incomplete snapshot has no maintenance margin")
        return compute_position_value(self.kind, event.size, Fraction(1), price) * (
            event.maintenance_rate
        )


class PositionLiquidationPrice(AccountCheck):
    """Rule (DESIGN, Margin and prices: the liquidation price solves margin balance = MM; the
    profile's maintenance basis and close fee): a snapshot's stated liquidation price is
    :func:`perpspec.reference.prices.position_prices.compute_liquidation_price` on the
    snapshot's own figures, with one tier at the position's stated maintenance rate and the
    size in units of the contract's value (multiplier 1).

    The collateral is read from the snapshot: isolated, the position's margin less its
    unrealized PnL at the stated mark (``margin`` is the position's equity at the mark);
    cross, the account's equity less every position's unrealized PnL, with the other
    positions of the same snapshot (same account and time) giving the other maintenance
    margin and unrealized PnL. A position whose snapshot lacks a figure is not counted.

    Tolerance: the stated price is written to its last decimal (one unit of it allowed: the
    unit of its last nonzero decimal, since an exact number keeps no trailing zero), and
    the equity and each position's value it rests on are rounded to the export's precision
    ``u``: the price is accepted between the formula's prices at collateral ``W - d`` and
    ``W + d``, ``d = (1 + 2 x others) x u`` (the price moves monotonically with the
    collateral). A stated null price is compared with the formula's "none"."""

    id = "position-liquidation-price"
    needs = frozenset({"positions"})
    needs_profile = True
    statement = (
        "a position snapshot's stated liquidation price is the profile's formula on the "
        "snapshot's own figures (within the rounding of its figures)"
    )
    compares = (
        "a position snapshot with its entry and mark prices, kind, maintenance rate and margin "
        "(isolated) or account equity (cross)"
    )

    def __init__(self) -> None:
        super().__init__()
        self.instant: tuple[str, str] | None = None
        self.group: list[_Snapshot] = []

    def feed(self, event: Event, line: int, ctx: PartialContext) -> list[Violation]:
        if not isinstance(event, PositionEvent):
            return []
        key = (event.account, event.ts)
        found: list[Violation] = []
        if key != self.instant:
            found = self._close(ctx)
            self.instant = key
        self.group.append(_Snapshot(event, line))
        return found

    def finish(self, ctx: PartialContext) -> list[Violation]:
        return self._close(ctx)

    def _close(self, ctx: PartialContext) -> list[Violation]:
        group, self.group = self.group, []
        if ctx.profile is None:
            return []
        found: list[Violation] = []
        for snapshot in group:
            violation = self._judge(snapshot, group, ctx, ctx.profile)
            if violation is not None:
                found.append(violation)
        return found

    def _judge(
        self, snapshot: _Snapshot, group: list[_Snapshot], ctx: PartialContext, profile: Profile
    ) -> Violation | None:
        event = snapshot.event
        if event.size == 0 or not snapshot.is_complete() or event.margin_mode is None:
            return None
        basis = profile.margin.maintenance_basis
        # only cross positions share the cross wallet; an isolated one has its own margin
        others = [
            s
            for s in group
            if s is not snapshot and s.event.size != 0 and s.event.margin_mode == "cross"
        ]
        if event.margin_mode == "isolated":
            if event.margin is None:
                return None
            context = MarginContext(MarginMode.ISOLATED, event.margin - snapshot.get_upnl())
            error = ctx.unit
        else:
            if event.equity is None or not all(s.is_complete() for s in others):
                return None
            collateral = (
                event.equity
                - snapshot.get_upnl()
                - sum((s.get_upnl() for s in others), Fraction(0))
            )
            context = MarginContext(
                MarginMode.CROSS,
                collateral,
                sum((s.get_maintenance(basis) for s in others), Fraction(0)),
                sum((s.get_upnl() for s in others), Fraction(0)),
            )
            error = (1 + 2 * len(others)) * ctx.unit
        prices = [
            self._solve(snapshot, context, shift, profile) for shift in (-error, Fraction(0), error)
        ]
        self.examined += 1
        stated = event.liquidation_price
        expected = prices[1]
        if stated is None:
            # "none" stated: right when the formula gives none within the rounding
            if any(price is None for price in prices):
                return None
        else:
            bounds = [price for price in prices if price is not None]
            slack = get_decimal_unit(stated)
            if bounds and min(bounds) - slack <= stated <= max(bounds) + slack:
                return None
        return ctx.violation(
            self.id,
            line=snapshot.line,
            event=event,
            expected=f"liquidation price {_describe_price(expected)} ({profile.name}: "
            f"collateral {format_number(context.balance)}, maintenance rate "
            f"{format_number(event.maintenance_rate or Fraction(0))}, {basis.value} basis)",
            found=f"liquidation price {_describe_price(stated)}",
            difference=None
            if stated is None or expected is None
            else format_number(stated - expected),
            hint="the exchange prices the position with another maintenance rate (a higher "
            "tier), fee or collateral than the profile's, or the snapshot's figures are of "
            "different instants",
        )

    @staticmethod
    def _solve(
        snapshot: _Snapshot, context: MarginContext, shift: Fraction, profile: Profile
    ) -> Fraction | None:
        event = snapshot.event
        kind = snapshot.kind
        if kind is None or event.entry_price is None or event.maintenance_rate is None:
            return None
        shifted = MarginContext(
            context.mode,
            context.balance + shift,
            context.other_maintenance_margin,
            context.other_unrealized_pnl,
        )
        try:
            return compute_liquidation_price(
                kind,
                [Tier(Fraction(0), event.maintenance_rate, Fraction(0))],
                1 if event.size > 0 else -1,
                abs(event.size),
                Fraction(1),
                event.entry_price,
                shifted,
                profile.margin.maintenance_basis,
                profile.margin.close_fee_rate,
            )
        except SpecError:
            return None


def _describe_price(price: Fraction | None) -> str:
    """The exact price, with its decimal to eight places when it is no short decimal."""
    if price is None:
        return "none"
    exact = format_number(price)
    if "/" not in exact:
        return exact
    scaled = price * 10**8
    rounded = (scaled.numerator * 2 + scaled.denominator) // (2 * scaled.denominator)
    return f"{exact} (about {format_number(Fraction(rounded, 10**8))})"


# ---- commission-rate ------------------------------------------------------------------------


class CommissionRate(AccountCheck):
    """Rule (profile ``[trading]``; perpspec/reference/trading_fee.py): a trade's fee is the
    maker or taker rate on its value (``|q| x multiplier x price`` linear, ``|q| x multiplier
    / price`` inverse), + paid. Only ordinary trades whose export states the liquidity, the
    contract and the commission are compared; a liquidation or ADL fill pays other fees. The
    exchange rounds the fee to its precision: one unit is allowed. An account's own fee tier
    differs from the profile's default rates: a profile with the account's rates (docs,
    profiles) is what this check is for."""

    id = "commission-rate"
    needs = frozenset({"fills", "commissions"})
    needs_profile = True
    statement = (
        "an ordinary trade's commission is the profile's maker or taker rate on its value "
        "(within the export's precision)"
    )
    compares = "a trade stating its liquidity, contract and commission"

    def get_skip_reason(self, profile: Profile | None) -> str | None:
        if profile is None:
            return None
        assumed = [
            option
            for option in ("trading.maker_fee_rate", "trading.taker_fee_rate")
            if option in profile.assumed
        ]
        if assumed:
            return (
                f"the profile {profile.name} assumes its fee rates ({', '.join(assumed)}: not "
                "from its source); give a profile with the account's own rates"
            )
        return None

    def feed(self, event: Event, line: int, ctx: PartialContext) -> list[Violation]:
        profile = ctx.profile
        if not isinstance(event, FillEvent) or profile is None or event.role != "trade":
            return []
        if (
            event.liquidity is None
            or event.kind is None
            or event.multiplier is None
            or event.commission is None
        ):
            return []
        rates = profile.trading
        rate = rates.maker_fee_rate if event.liquidity == "maker" else rates.taker_fee_rate
        value = compute_position_value(
            ContractKind(event.kind), event.qty, event.multiplier, event.price
        )
        expected = value * rate
        self.examined += 1
        if _is_within(event.commission, expected, ctx.unit):
            return []
        return [
            ctx.violation(
                self.id,
                line,
                event,
                f"commission {format_number(expected)} ({event.liquidity} rate "
                f"{format_number(rate)} of {profile.name} on {format_number(value)})",
                f"commission {format_number(event.commission)}",
                format_number(event.commission - expected),
                "the account's fee tier is not the profile's (give a profile with its "
                "rates), or the fee was discounted or paid in another asset",
            )
        ]


# ---- adl-fill-price -------------------------------------------------------------------------


class AdlFillPrice(AccountCheck):
    """Rule (DESIGN, invariant ``adl-price``; profile ``adl.fill_price``): an ADL fill is at
    the liquidated position's bankruptcy price, or at the mark (Hyperliquid: "closed at the
    previous mark price against the now underwater user"). An account's export states the
    mark with the fill (Hyperliquid's ``liquidation.markPx``) but never the other side's
    bankruptcy price: under the mark rule each ADL fill stating its mark is compared with it,
    exactly; under the bankruptcy rule the check cannot run."""

    id = "adl-fill-price"
    needs = frozenset({"fills", "roles"})
    needs_profile = True
    statement = "an ADL fill is at the price the profile's rule names (the stated mark)"
    compares = "an ADL fill stating its mark"

    def get_skip_reason(self, profile: Profile | None) -> str | None:
        if profile is None:
            return None
        if profile.adl is None:
            return f"the profile {profile.name} has no ADL (its last resort is another)"
        if profile.adl.fill_price is not FillPrice.MARK:
            return (
                f"the profile {profile.name} fills ADL at the liquidated position's bankruptcy "
                "price, which an export of the counterparty does not state"
            )
        return None

    def feed(self, event: Event, line: int, ctx: PartialContext) -> list[Violation]:
        if not isinstance(event, FillEvent) or event.role != "adl" or event.mark_price is None:
            return []
        self.examined += 1
        if event.price == event.mark_price:
            return []
        return [
            ctx.violation(
                self.id,
                line,
                event,
                f"price {format_number(event.mark_price)} (the stated mark)",
                f"price {format_number(event.price)}",
                format_number(event.price - event.mark_price),
                "the ADL fill was not at the mark the exchange states with it",
            )
        ]


#: The account-level checks, in report order.
ACCOUNT_CHECK_CLASSES: tuple[type[AccountCheck], ...] = (
    BalanceContinuity,
    PositionContinuity,
    RealizedPnl,
    FundingSign,
    InsuranceOnLiquidation,
    InsuranceClearsBalance,
    PositionLiquidationPrice,
    CommissionRate,
    AdlFillPrice,
)


def _register_checks() -> None:
    """Record every account-level check in the invariant catalogue."""
    from perpspec.invariants.catalogue import register_audit_checks

    register_audit_checks(
        __name__,
        (
            (c.id, c.__name__, f"partial ledgers; needs {', '.join(sorted(c.needs))}")
            for c in ACCOUNT_CHECK_CLASSES
        ),
    )


_register_checks()
