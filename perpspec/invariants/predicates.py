"""The invariants as typed predicates over the engine's state (DESIGN, Invariants).

Each ``find_*`` function takes an :class:`ExchangeState` (and what else its invariant needs:
the profile's margin options, the state before a step, the events a step emitted) and returns
every :class:`Violation` it finds, never only the first (like Beancount's checks), so a
caller can report them all. An empty list means the invariant holds. The functions are pure:
they read the state and never change it.

State predicates (``conservation``, ``oi-balance``, ``fund-nonnegative``, ``liq-complete``,
``no-negative-balance``) hold after every event. Step predicates (``frame``, ``liq-trigger``,
``bankruptcy-price``, the ADL ones) relate the state before an input to the events the engine
emitted for it. The audit rebuilds state from a ledger and calls the same functions.
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction

from perpspec.reference.adl.allocation import FillPrice, get_adl_fill_price
from perpspec.reference.engine.accounts import (
    compute_account_cash,
    compute_position_close_fee,
    compute_position_mm,
    compute_position_upnl,
    is_account_cross_liquidatable,
    is_position_isolated_liquidatable,
    iter_cross_positions,
)
from perpspec.reference.engine.state import (
    AccountState,
    ExchangeState,
    MarketState,
    PositionState,
    get_engine_account,
    is_system_account,
)
from perpspec.reference.events import (
    AdlEvent,
    DepositEvent,
    Event,
    FundingEvent,
    IndexEvent,
    InstrumentEvent,
    LiquidationEvent,
    LiquidationFillEvent,
    MarginTransferEvent,
    MarkEvent,
    RejectionEvent,
    SocializedLossEvent,
    TradeEvent,
    WithdrawalEvent,
    get_time_key,
)
from perpspec.reference.margin.pnl import compute_position_value
from perpspec.reference.mark.funding_rate import PremiumAveraging
from perpspec.reference.mark.mark_price import MarkMethod
from perpspec.reference.numbers import format_number
from perpspec.reference.prices.position_prices import MarginMode
from perpspec.reference.profile import MarginOptions, Profile

__all__ = [
    "Violation",
    "compute_liquidation_gap",
    "compute_margin_balance_at",
    "compute_total_value",
    "find_adl_violations",
    "find_bankruptcy_price_violations",
    "find_changed_accounts",
    "find_conservation_violations",
    "find_frame_violations",
    "find_funding_rate_violations",
    "find_funding_violations",
    "find_liquidatable",
    "find_mark_price_violations",
    "find_negative_balances",
    "find_negative_funds",
    "find_oi_violations",
    "find_reference_violations",
    "find_seq_violations",
    "find_state_violations",
    "find_unsettled_liquidations",
    "find_untriggered_liquidations",
    "get_assets",
    "is_same_state",
    "with_mark",
]


@dataclass(frozen=True, slots=True)
class Violation:
    """One breach of one invariant: where, what was expected, what was found."""

    invariant: str
    subject: str
    expected: str
    found: str

    def describe(self) -> str:
        """One line: ``[id] subject: expected X, found Y``."""
        return f"[{self.invariant}] {self.subject}: expected {self.expected}, found {self.found}"


def _num(value: Fraction | None) -> str:
    return "none" if value is None else format_number(value)


# ---- state predicates ---------------------------------------------------------------------


def get_assets(state: ExchangeState) -> list[str]:
    """Every asset the state knows: deposited, withdrawn, held or settled in."""
    assets = set(state.deposits) | set(state.withdrawals)
    assets |= {m.instrument.settle_asset for m in state.markets.values()}
    for account in state.accounts.values():
        assets |= set(account.wallet)
    return sorted(assets)


def compute_total_value(state: ExchangeState, asset: str) -> Fraction:
    """Cash of every account plus the uPnL of every open position settled in ``asset``.

    DESIGN, Ledger: the uPnL term is needed because realized PnL alone does not sum to zero;
    its sum does not depend on the mark while open interest balances.
    """
    total = Fraction(0)
    for account in state.accounts.values():
        total += compute_account_cash(account, state, asset)
        for market_id, position in account.positions.items():
            market = state.markets[market_id]
            if market.instrument.settle_asset == asset:
                total += compute_position_upnl(market, position)
    return total


def find_conservation_violations(state: ExchangeState) -> list[Violation]:
    """``conservation``: every account's value = deposits - withdrawals, per asset, exactly."""
    found: list[Violation] = []
    for asset in get_assets(state):
        expected = state.deposits.get(asset, Fraction(0)) - state.withdrawals.get(
            asset, Fraction(0)
        )
        total = compute_total_value(state, asset)
        if total != expected:
            found.append(Violation("conservation", f"asset {asset}", _num(expected), _num(total)))
    return found


def find_oi_violations(state: ExchangeState) -> list[Violation]:
    """``oi-balance``: per market, the signed sizes sum to zero (engine inventory included)."""
    found: list[Violation] = []
    for market_id in sorted(state.markets):
        total = sum(
            (
                a.positions[market_id].qty
                for a in state.accounts.values()
                if market_id in a.positions
            ),
            Fraction(0),
        )
        if total != 0:
            found.append(Violation("oi-balance", f"market {market_id}", "0", _num(total)))
    return found


def find_negative_funds(state: ExchangeState) -> list[Violation]:
    """``fund-nonnegative``: no ``insurance:<fund>`` account below zero in any asset."""
    found: list[Violation] = []
    for name in sorted(state.accounts):
        if not name.startswith("insurance:"):
            continue
        for asset, amount in sorted(state.accounts[name].wallet.items()):
            if amount < 0:
                found.append(Violation("fund-nonnegative", f"{name} {asset}", ">= 0", _num(amount)))
    return found


def _is_position_liquidatable(
    state: ExchangeState, account: str, market_id: str, options: MarginOptions
) -> bool:
    holder = state.accounts[account]
    market = state.markets[market_id]
    position = holder.positions[market_id]
    if position.mode is MarginMode.ISOLATED:
        return is_position_isolated_liquidatable(
            market, position, options.maintenance_basis, options.close_fee_rate
        )
    return is_account_cross_liquidatable(
        holder,
        state,
        market.instrument.settle_asset,
        options.maintenance_basis,
        options.close_fee_rate,
    )


def find_liquidatable(state: ExchangeState, options: MarginOptions) -> list[Violation]:
    """``liq-complete``: no trader position (isolated) or account (cross) is liquidatable."""
    found: list[Violation] = []
    for name in sorted(state.accounts):
        if is_system_account(name):
            continue
        for market_id in sorted(state.accounts[name].positions):
            position = state.accounts[name].positions[market_id]
            if position.qty != 0 and _is_position_liquidatable(state, name, market_id, options):
                found.append(
                    Violation(
                        "liq-complete",
                        f"{name} {market_id} ({position.mode.value})",
                        "margin balance > MM after the mark",
                        "liquidatable",
                    )
                )
    return found


def compute_equity(state: ExchangeState, account: AccountState, asset: str) -> Fraction:
    """Cash plus the uPnL of every open position settled in ``asset``: what the trader owns."""
    equity = compute_account_cash(account, state, asset)
    for market_id, position in account.positions.items():
        market = state.markets[market_id]
        if market.instrument.settle_asset == asset:
            equity += compute_position_upnl(market, position)
    return equity


def find_negative_balances(
    state: ExchangeState, accounts: Iterable[str] | None = None
) -> list[Violation]:
    """``no-negative-balance``: no trader's equity below zero in any asset.

    ``accounts`` narrows the check (to the accounts a liquidation settled, say); by default
    every trader is checked.
    """
    names = sorted(state.accounts) if accounts is None else sorted(set(accounts))
    found: list[Violation] = []
    for name in names:
        holder = state.accounts.get(name)
        if holder is None or is_system_account(name):
            continue
        for asset in get_assets(state):
            equity = compute_equity(state, holder, asset)
            if equity < 0:
                found.append(
                    Violation("no-negative-balance", f"{name} {asset}", ">= 0", _num(equity))
                )
    return found


def find_state_violations(state: ExchangeState) -> list[Violation]:
    """The invariants that hold after every event, whatever it was."""
    return [
        *find_conservation_violations(state),
        *find_oi_violations(state),
        *find_negative_funds(state),
    ]


# ---- frame ---------------------------------------------------------------------------------


def is_same_state(before: ExchangeState, after: ExchangeState) -> bool:
    """Equal in everything but ``seq`` (a rejection still consumes sequence numbers)."""
    return (
        before.accounts == after.accounts
        and before.markets == after.markets
        and before.deposits == after.deposits
        and before.withdrawals == after.withdrawals
        and before.liquidations == after.liquidations
    )


def _is_blank(account: AccountState | None) -> bool:
    return account is None or (
        all(v == 0 for v in account.wallet.values())
        and all(p == PositionState() for p in account.positions.values())
    )


def find_changed_accounts(before: ExchangeState, after: ExchangeState) -> set[str]:
    """Accounts whose wallet or positions differ (a new account left blank is no change)."""
    changed: set[str] = set()
    for name in set(before.accounts) | set(after.accounts):
        old, new = before.accounts.get(name), after.accounts.get(name)
        if old is None or new is None:
            if not (_is_blank(old) and _is_blank(new)):
                changed.add(name)
        elif old != new:
            changed.add(name)
    return changed


def _allowed_accounts(before: ExchangeState, event: Event) -> set[str] | None:
    """The accounts an accepted input may change (None: any, for the waterfall of a mark)."""
    if isinstance(event, DepositEvent | WithdrawalEvent | MarginTransferEvent):
        return {event.account}
    if isinstance(event, TradeEvent):
        return {event.buyer, event.seller, "fees"}
    if isinstance(event, FundingEvent):
        return {
            name
            for name, holder in before.accounts.items()
            if event.market in holder.positions and holder.positions[event.market].qty != 0
        }
    if isinstance(event, InstrumentEvent):
        return set()
    return None


def _cash_delta(before: ExchangeState, after: ExchangeState, name: str, asset: str) -> Fraction:
    old = before.accounts.get(name, AccountState())
    new = after.accounts.get(name, AccountState())
    return compute_account_cash(new, after, asset) - compute_account_cash(old, before, asset)


def _qty(state: ExchangeState, name: str, market: str) -> Fraction:
    holder = state.accounts.get(name)
    position = holder.positions.get(market) if holder else None
    return position.qty if position else Fraction(0)


def _find_effect_violations(
    before: ExchangeState, after: ExchangeState, event: Event
) -> list[Violation]:
    """The one change each accepted input's rule prescribes, checked exactly."""
    found: list[Violation] = []

    def expect(subject: str, expected: Fraction, value: Fraction) -> None:
        if expected != value:
            found.append(Violation("frame", subject, _num(expected), _num(value)))

    if isinstance(event, DepositEvent | WithdrawalEvent):
        sign = 1 if isinstance(event, DepositEvent) else -1
        delta = _cash_delta(before, after, event.account, event.asset)
        expect(f"{event.account} {event.asset} cash change", sign * event.amount, delta)
        book = after.deposits if sign > 0 else after.withdrawals
        old = before.deposits if sign > 0 else before.withdrawals
        moved = book.get(event.asset, Fraction(0)) - old.get(event.asset, Fraction(0))
        expect(f"{event.TYPE}s of {event.asset}", event.amount, moved)
    elif isinstance(event, MarginTransferEvent):
        asset = after.markets[event.market].instrument.settle_asset
        expect(
            f"{event.account} {asset} cash change",
            Fraction(0),
            _cash_delta(before, after, event.account, asset),
        )
    elif isinstance(event, TradeEvent):
        for name, sign in ((event.buyer, 1), (event.seller, -1)):
            moved = _qty(after, name, event.market) - _qty(before, name, event.market)
            expect(f"{name} {event.market} size change", sign * event.qty, moved)
    return found


def _show(value: Fraction | None) -> str:
    return "none" if value is None else format_number(value)


def find_funding_violations(before: ExchangeState, event: FundingEvent) -> list[Violation]:
    """``funding``: the payments of an accepted funding, against the state it acted on: every
    open position of the market is paid ``-q x (value of one unit at the mark) x rate`` and
    nobody else is, each once. Computed here from that statement, not with the engine's
    ``compute_funding_payments``, so that it checks the engine rather than repeats it."""
    market = before.markets[event.market]
    inst = market.instrument
    assert market.mark is not None, "an accepted funding has a mark"
    per_unit = compute_position_value(inst.kind, Fraction(1), inst.multiplier, market.mark)
    expected = {
        account: -holder.positions[event.market].qty * per_unit * event.rate
        for account, holder in before.accounts.items()
        if event.market in holder.positions and holder.positions[event.market].qty != 0
    }
    paid = [payment.account for payment in event.payments]
    found = {payment.account: payment.amount for payment in event.payments}
    violations = [
        Violation("funding", f"payment to {account}", _show(expected.get(account)), _show(amount))
        for account, amount in sorted(found.items())
        if expected.get(account) != amount
    ]
    violations += [
        Violation("funding", f"payment to {account}", format_number(amount), "none")
        for account, amount in sorted(expected.items())
        if account not in found
    ]
    if len(paid) != len(found):
        violations.append(Violation("funding", "payments", "each account once", str(paid)))
    return violations


def find_frame_violations(
    before: ExchangeState, after: ExchangeState, event: Event, accepted: bool
) -> list[Violation]:
    """``frame``: a rejected input changes nothing (``seq`` aside); an accepted one changes
    only the accounts, markets and totals its rule names, by the amount the rule says."""
    if not accepted:
        if is_same_state(before, after):
            return []
        return [Violation("frame", f"rejected {event.TYPE}", "state unchanged", "state changed")]
    found: list[Violation] = []
    allowed = _allowed_accounts(before, event)
    if allowed is not None:
        for name in sorted(find_changed_accounts(before, after) - allowed):
            found.append(Violation("frame", f"{event.TYPE} changed {name}", "unchanged", "changed"))
    markets_before = {k: m.mark for k, m in before.markets.items()}
    markets_after = {k: m.mark for k, m in after.markets.items()}
    if isinstance(event, MarkEvent):
        markets_before[event.market] = event.price
    if isinstance(event, InstrumentEvent):
        markets_before[event.market] = None
    if markets_before != markets_after:
        found.append(Violation("frame", f"{event.TYPE} marks", "unchanged", "changed"))
    if not isinstance(event, DepositEvent) and before.deposits != after.deposits:
        found.append(Violation("frame", f"{event.TYPE} deposits", "unchanged", "changed"))
    if not isinstance(event, WithdrawalEvent) and before.withdrawals != after.withdrawals:
        found.append(Violation("frame", f"{event.TYPE} withdrawals", "unchanged", "changed"))
    if not isinstance(event, MarkEvent) and before.liquidations != after.liquidations:
        found.append(Violation("frame", f"{event.TYPE} liquidations", "unchanged", "changed"))
    return found + _find_effect_violations(before, after, event)


# ---- step predicates of a mark: trigger, prices, ADL --------------------------------------


def with_mark(state: ExchangeState, market: str, price: Fraction) -> ExchangeState:
    """A copy of ``state`` with the mark of ``market`` set: what the trigger sees first."""
    moved = copy.deepcopy(state)
    moved.markets[market].mark = price
    return moved


def _touched_before(events: Sequence[Event], index: int) -> set[str]:
    """Accounts an earlier event of the step changed besides their own liquidation."""
    touched: set[str] = set()
    for event in events[:index]:
        if isinstance(event, AdlEvent | SocializedLossEvent):
            touched.add(event.account)
        elif isinstance(event, LiquidationFillEvent):
            touched.add(event.counterparty)
    return touched


def _first_liquidations(events: Sequence[Event]) -> list[tuple[LiquidationEvent, set[str]]]:
    """Each account's first liquidation of the step, with what the step touched before it."""
    seen: set[str] = set()
    first: list[tuple[LiquidationEvent, set[str]]] = []
    for index, event in enumerate(events):
        if isinstance(event, LiquidationEvent) and event.account not in seen:
            seen.add(event.account)
            first.append((event, _touched_before(events, index)))
    return first


def find_untriggered_liquidations(
    marked: ExchangeState, events: Sequence[Event], options: MarginOptions
) -> list[Violation]:
    """``liq-trigger``: every liquidation's account was liquidatable at the mark.

    ``marked`` is the state before the mark event with its mark set (:func:`with_mark`). An
    account the step changed before liquidating it (an ADL counterparty, a socialized
    charge, the book) is judged by the engine's later rounds, not here.
    """
    found: list[Violation] = []
    for liquidation, touched in _first_liquidations(events):
        if liquidation.account in touched:
            continue
        if not _is_position_liquidatable(marked, liquidation.account, liquidation.market, options):
            found.append(
                Violation(
                    "liq-trigger",
                    f"{liquidation.id} {liquidation.account} {liquidation.market}",
                    "margin balance <= MM at the mark",
                    "not liquidatable",
                )
            )
    return found


def _market_at(market: MarketState, price: Fraction) -> MarketState:
    """The market as it would stand at mark ``price`` (the state itself is not touched)."""
    return MarketState(market.instrument, price)


def compute_margin_balance_at(
    state: ExchangeState, account: str, market_id: str, price: Fraction, options: MarginOptions
) -> Fraction:
    """Margin balance less the reserved close fee if ``market_id``'s mark were ``price``.

    Isolated: M + uPnL(P) - fee(P). Cross: wallet + every cross position's uPnL (this one at
    ``price``, the others at their marks) - this position's close fee at ``price``.
    """
    holder = state.accounts[account]
    position = holder.positions[market_id]
    moved = _market_at(state.markets[market_id], price)
    own = compute_position_upnl(moved, position) - compute_position_close_fee(
        moved, position, options.close_fee_rate
    )
    if position.mode is MarginMode.ISOLATED:
        return position.isolated_margin + own
    asset = moved.instrument.settle_asset
    others = sum(
        (
            compute_position_upnl(m, p)
            for m, p in iter_cross_positions(holder, state, asset)
            if p is not position
        ),
        Fraction(0),
    )
    return holder.wallet.get(asset, Fraction(0)) + others + own


def compute_liquidation_gap(
    state: ExchangeState, account: str, market_id: str, price: Fraction, options: MarginOptions
) -> Fraction:
    """Margin balance less close fee less MM (every cross position's, in cross) at ``price``."""
    holder = state.accounts[account]
    position = holder.positions[market_id]
    basis = options.maintenance_basis
    moved = _market_at(state.markets[market_id], price)
    required = compute_position_mm(moved, position, basis)
    if position.mode is MarginMode.CROSS:
        asset = moved.instrument.settle_asset
        required += sum(
            (
                compute_position_mm(m, p, basis)
                for m, p in iter_cross_positions(holder, state, asset)
                if p is not position
            ),
            Fraction(0),
        )
    balance = compute_margin_balance_at(state, account, market_id, price, options)
    return balance - required


def _brackets(gap_at: Fraction, gap_beyond: Fraction | None) -> bool:
    """At the stated price the quantity is >= 0; one tick past it, toward loss, < 0."""
    return gap_at >= 0 and (gap_beyond is None or gap_beyond < 0)


def find_bankruptcy_price_violations(
    marked: ExchangeState, events: Sequence[Event], options: MarginOptions
) -> list[Violation]:
    """``bankruptcy-price``: each stated price solves its defining equation, tick-rounded.

    The bankruptcy price P_b is where margin balance (less the reserved close fee) is zero;
    the liquidation price where it equals MM. A long rounds both UP to the tick, a short
    DOWN (DESIGN, Arithmetic), so the exact root lies within one tick on the side of loss:
    the quantity is >= 0 at the stated price and < 0 one tick further toward loss. This
    characterizes the rounded price without recomputing it by the closed forms. Checked for
    each account's first liquidation of the step, from the state the trigger saw.
    """
    found: list[Violation] = []
    for liquidation, touched in _first_liquidations(events):
        if liquidation.account in touched:
            continue
        market = marked.markets[liquidation.market]
        tick = market.instrument.tick_size or Fraction(0)
        toward_loss = -tick if liquidation.side == "long" else tick
        stated = (
            ("bankruptcy", liquidation.bankruptcy_price, compute_margin_balance_at),
            ("liquidation", liquidation.liquidation_price, compute_liquidation_gap),
        )
        for name, price, measure in stated:
            if price is None:
                continue
            at = measure(marked, liquidation.account, liquidation.market, price, options)
            beyond_price = price + toward_loss
            beyond = (
                measure(marked, liquidation.account, liquidation.market, beyond_price, options)
                if tick and beyond_price > 0
                else None
            )
            if not _brackets(at, beyond):
                found.append(
                    Violation(
                        "bankruptcy-price",
                        f"{liquidation.id} {name} price {_num(price)}",
                        ">= 0 at the price and < 0 one tick toward loss",
                        f"{_num(at)} and {_num(beyond)}",
                    )
                )
    return found


def _side_sign(side: str) -> int:
    return 1 if side == "long" else -1


def find_adl_violations(
    before: ExchangeState,
    events: Sequence[Event],
    fill_price: FillPrice = FillPrice.BANKRUPTCY,
) -> list[Violation]:
    """``adl-price``, ``adl-side``, ``adl-no-flip``, ``adl-order``, ``adl-qty`` over one step.

    Price: the profile's ``adl.fill_price``, the liquidated position's bankruptcy price
    (seeds 001, 002) or, for ``mark``, the mark of the update (Hyperliquid: "closed at the
    previous mark price"), which is the liquidation's stated mark; a position with no
    bankruptcy price is taken over, and so filled, at that mark.

    Positions are followed through the step's events from the state before it (a
    liquidation moves the trader's slice to ``engine:<market>``, a fill moves it to the
    book, an ADL fill to the counterparty), so each ADL fill is judged against the
    counterparty's size at that moment. Order: within one liquidation, ranks increase and
    every counterparty but the last is consumed whole. Quantity: the liquidation's fills and
    ADL fills together close exactly its quantity, and ADL takes no more than the book left.
    """
    sizes: dict[tuple[str, str], Fraction] = {}

    def size(account: str, market: str) -> Fraction:
        return sizes.get((account, market), _qty(before, account, market))

    def move(account: str, market: str, delta: Fraction) -> None:
        sizes[(account, market)] = size(account, market) + delta

    liquidations: dict[str, LiquidationEvent] = {}
    filled: dict[str, Fraction] = {}
    adl_taken: dict[str, Fraction] = {}
    adl_fills: dict[str, list[tuple[AdlEvent, Fraction]]] = {}
    found: list[Violation] = []
    for event in events:
        if isinstance(event, LiquidationEvent):
            liquidations[event.id] = event
            sign = _side_sign(event.side)
            move(event.account, event.market, -sign * event.qty)
            move(get_engine_account(event.market), event.market, sign * event.qty)
        elif isinstance(event, LiquidationFillEvent):
            liq = liquidations[event.liquidation]
            sign = _side_sign(liq.side)
            move(get_engine_account(liq.market), liq.market, -sign * event.qty)
            move(event.counterparty, liq.market, sign * event.qty)
            if event.liquidation not in adl_taken:
                filled[liq.id] = filled.get(liq.id, Fraction(0)) + event.qty
        elif isinstance(event, AdlEvent):
            liq = liquidations[event.liquidation]
            sign = _side_sign(liq.side)
            held = size(event.account, liq.market)
            subject = f"{liq.id} ADL of {event.account}"
            expected = get_adl_fill_price(fill_price, liq.bankruptcy_price, liq.mark_price)
            if event.price != expected:
                found.append(Violation("adl-price", subject, _num(expected), _num(event.price)))
            if held * sign >= 0:
                found.append(Violation("adl-side", subject, f"opposite of {liq.side}", _num(held)))
            elif event.qty > abs(held):
                found.append(
                    Violation("adl-no-flip", subject, f"<= {_num(-held)}", _num(event.qty))
                )
            adl_fills.setdefault(liq.id, []).append((event, held))
            adl_taken[liq.id] = adl_taken.get(liq.id, Fraction(0)) + event.qty
            move(event.account, liq.market, sign * event.qty)
            move(get_engine_account(liq.market), liq.market, -sign * event.qty)
    for liq_id, fills in adl_fills.items():
        for (event, held), (later, _) in itertools.pairwise(fills):
            if later.rank <= event.rank or event.qty != abs(held):
                found.append(
                    Violation(
                        "adl-order",
                        f"{liq_id} ADL of {event.account} (rank {event.rank})",
                        "whole position, then a lower rank",
                        f"{_num(event.qty)} of {_num(abs(held))}, next rank {later.rank}",
                    )
                )
    for liq_id, liq in liquidations.items():
        executed = filled.get(liq_id, Fraction(0))
        taken = adl_taken.get(liq_id, Fraction(0))
        if taken > liq.qty - executed:
            found.append(
                Violation(
                    "adl-qty", f"{liq_id} ADL total", f"<= {_num(liq.qty - executed)}", _num(taken)
                )
            )
    closed: dict[str, Fraction] = {}
    for event in events:
        if isinstance(event, LiquidationFillEvent | AdlEvent):
            closed[event.liquidation] = closed.get(event.liquidation, Fraction(0)) + event.qty
    for liq_id, liq in liquidations.items():
        if closed.get(liq_id, Fraction(0)) != liq.qty:
            found.append(
                Violation(
                    "adl-qty",
                    f"{liq_id} fills + ADL",
                    _num(liq.qty),
                    _num(closed.get(liq_id, Fraction(0))),
                )
            )
    return found


# ---- ledger-order predicates over an engine's own ledger -----------------------------------


def find_seq_violations(events: Sequence[Event]) -> list[Violation]:
    """``seq-order``: sequence numbers strictly increase, and timestamps never decrease,
    along the ledger."""
    found: list[Violation] = []
    for previous, event in itertools.pairwise(events):
        if event.seq <= previous.seq:
            found.append(
                Violation(
                    "seq-order",
                    f"{event.TYPE} seq {event.seq}",
                    f"> {previous.seq}",
                    str(event.seq),
                )
            )
        elif get_time_key(event.ts) < get_time_key(previous.ts):
            found.append(
                Violation(
                    "seq-order",
                    f"{event.TYPE} seq {event.seq} ts",
                    f">= {previous.ts}",
                    event.ts,
                )
            )
    return found


def _rejected_inputs(events: Sequence[Event]) -> set[int]:
    return {event.input for event in events if isinstance(event, RejectionEvent)}


def find_reference_violations(events: Sequence[Event]) -> list[Violation]:
    """``references``: every accepted event names a market defined before it, and every
    settlement event (fill, ADL, insurance, socialized charge) a liquidation stated before it.
    Rejected inputs are exempt: naming an unknown market is a reason to reject."""
    rejected = _rejected_inputs(events)
    markets: set[str] = set()
    liquidations: set[str] = set()
    found: list[Violation] = []
    for event in events:
        if event.seq in rejected:
            continue
        if isinstance(event, InstrumentEvent):
            markets.add(event.market)
            continue
        market = getattr(event, "market", None)
        if isinstance(market, str) and market not in markets:
            found.append(
                Violation("references", f"{event.TYPE} seq {event.seq}", "a defined market", market)
            )
        if isinstance(event, LiquidationEvent):
            liquidations.add(event.id)
        named = [getattr(event, "liquidation", None)]
        if isinstance(event, SocializedLossEvent):
            named = list(event.liquidations)
        for liq_id in named:
            if isinstance(liq_id, str) and liq_id not in liquidations:
                found.append(
                    Violation(
                        "references",
                        f"{event.TYPE} seq {event.seq}",
                        "a liquidation stated before",
                        liq_id,
                    )
                )
    return found


def find_unsettled_liquidations(state: ExchangeState) -> list[Violation]:
    """``liquidation-settled``: after a mark's waterfall, every ``engine:<market>`` account is
    flat and holds no cash: fills, ADL and the last resort closed what it took over, and the
    fee, the fund's share and the refund were all booked elsewhere."""
    found: list[Violation] = []
    for market_id in sorted(state.markets):
        name = get_engine_account(market_id)
        holder = state.accounts.get(name)
        if holder is None:
            continue
        for held_market, position in sorted(holder.positions.items()):
            if position.qty != 0:
                found.append(
                    Violation(
                        "liquidation-settled", f"{name} {held_market}", "flat", _num(position.qty)
                    )
                )
        for asset, cash in sorted(holder.wallet.items()):
            if cash != 0:
                found.append(Violation("liquidation-settled", f"{name} {asset}", "0", _num(cash)))
    return found


def _weighted_mean_of(record: IndexEvent) -> Fraction:
    total = sum((quote.weight for quote in record.sources), Fraction(0))
    return sum((quote.weight * quote.price for quote in record.sources), Fraction(0)) / total


def find_mark_price_violations(
    record: IndexEvent, mark: MarkEvent, profile: Profile
) -> list[Violation]:
    """``mark-price``: an accepted mark after an index record whose quotes are all usable
    (fresh, within the deviation bound) is the fair price of their weighted mean: index x
    (1 + funding rate x time until funding / interval). Computed here from BitMEX's
    statement of the rule, not with the reference's functions; the exclusions are the
    reference property tests' (tests/reference/mark/test_properties.py)."""
    rule = profile.mark
    assert rule is not None and rule.method is MarkMethod.FAIR_PRICE, "a fair-price profile"
    assert record.funding_rate is not None and record.time_until_funding is not None
    index = _weighted_mean_of(record)
    basis = record.funding_rate * record.time_until_funding / rule.funding_interval
    expected = index * (1 + basis)
    if mark.price == expected:
        return []
    return [Violation("mark-price", f"mark of {mark.market}", _show(expected), _show(mark.price))]


def find_funding_rate_violations(
    records: Sequence[IndexEvent], funding: FundingEvent, profile: Profile
) -> list[Violation]:
    """``funding-rate``: an accepted funding after index records with impact prices states
    P + clamp(I - P, -b, b), scaled and within cap and floor, P the average (``mean`` or
    weights 1..n) of the records' premiums (max(0, bid - index) - max(0, index - ask)) /
    index: the exchanges' statement (docs/mark-price.md), computed here."""
    rule = profile.funding
    assert rule is not None, "a profile with [funding]"
    premiums = []
    for record in records:
        assert record.impact_bid is not None and record.impact_ask is not None
        index = _weighted_mean_of(record)
        zero = Fraction(0)
        premium = max(zero, record.impact_bid - index) - max(zero, index - record.impact_ask)
        premiums.append(premium / index)
    if rule.averaging is PremiumAveraging.MEAN:
        average = sum(premiums, Fraction(0)) / len(premiums)
    else:
        weights = range(1, len(premiums) + 1)
        average = sum((w * p for w, p in zip(weights, premiums, strict=True)), Fraction(0))
        average /= sum(weights)
    gap = rule.interest_rate - average
    if rule.clamp_bound is not None:
        gap = min(max(gap, -rule.clamp_bound), rule.clamp_bound)
    expected = (average + gap) * rule.scale
    if rule.cap is not None:
        expected = min(expected, rule.cap)
    if rule.floor is not None:
        expected = max(expected, rule.floor)
    if funding.rate == expected:
        return []
    return [
        Violation("funding-rate", f"rate of {funding.market}", _show(expected), _show(funding.rate))
    ]
