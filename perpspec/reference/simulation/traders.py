"""The traders' own view of their accounts: what each believes it holds, and its sizing rules.

The generator is open-loop: it never reads the engine's state, so the inputs are a function
of the spec alone and can be replayed under any profile. Each trader keeps what a trader
would track from its own orders: wallet, isolated margin, position and entry, updated by its
trades, transfers, withdrawals and funding. It estimates its liquidation price as the tier
of its entry value gives it (no close fee) and assumes it lost the whole collateral when the
mark crosses that estimate. What it cannot see (partial liquidation, ADL, socialized
charges, the exact fixed point) makes it wrong now and then; the engine then rejects the
input, which is recorded like any other rejection.

Liquidation watch (memory O(accounts), never O(steps)): per market, a heap of longs by
estimated liquidation price (highest first) and one of shorts (lowest first). Each entry
carries the trader's version; an entry whose version is stale is skipped, and the heaps are
rebuilt without stale entries once they hold more than about two entries per trader.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from fractions import Fraction

from perpspec.reference.instrument import ContractKind, Tier, find_tier
from perpspec.reference.margin.pnl import (
    Position,
    apply_fill,
    compute_position_value,
    compute_unrealized_pnl,
)
from perpspec.reference.numbers import Rounding, quantize
from perpspec.reference.simulation.spec import MarketSpec

__all__ = [
    "IM_BUFFER",
    "MarketBook",
    "Trader",
    "apply_funding",
    "apply_liquidations",
    "apply_trader_fill",
    "compute_affordable_value",
    "compute_equity",
    "compute_initial_margin",
    "compute_qty_for_value",
    "estimate_liquidation_ticks",
    "reindex_trader",
]

#: Traders size risk-increasing trades so initial margin uses at most 95% of their equity:
#: the rest absorbs the trade's distance from the mark and its fee.
IM_BUFFER = Fraction(95, 100)

#: A value this share of a tier floor lies in the tier below it.
_BELOW_FLOOR = Fraction(999_999, 1_000_000)


@dataclass(slots=True)
class Trader:
    """One trader as it sees itself.

    ``isolated`` is its habit (it transfers margin before opening); ``is_isolated`` whether
    its current position is isolated as far as it knows (margin transferred and not yet
    handed back by a close). ``version`` changes whenever its liquidation estimate does.
    """

    name: str
    market: int
    isolated: bool
    leverage: int
    wallet: Fraction
    margin: Fraction = Fraction(0)
    is_isolated: bool = False
    qty: Fraction = Fraction(0)
    entry: Fraction = Fraction(0)
    version: int = 0

    def get_collateral(self) -> Fraction:
        """What backs its position: the isolated margin, or the wallet when cross."""
        return self.margin if self.is_isolated else self.wallet


@dataclass(slots=True)
class MarketBook:
    """One market as the traders see it: its spec, fund, mark, traders and liquidation watch."""

    spec: MarketSpec
    fund: str
    kind: ContractKind
    tiers: tuple[Tier, ...]
    mark: Fraction
    traders: list[int] = field(default_factory=list)
    longs: list[tuple[int, int, int]] = field(default_factory=list)
    shorts: list[tuple[int, int, int]] = field(default_factory=list)

    @classmethod
    def create(cls, spec: MarketSpec, fund: str) -> MarketBook:
        """The book of ``spec`` before any trader, at its start price."""
        tiers = tuple(
            Tier(t.floor, t.mmr, t.maintenance_amount, t.max_leverage) for t in spec.tiers
        )
        return cls(spec, fund, ContractKind(spec.kind), tiers, spec.start_price)


def compute_equity(book: MarketBook, trader: Trader) -> Fraction:
    """Collateral plus uPnL at the book's mark."""
    if trader.qty == 0:
        return trader.get_collateral()
    spec = book.spec
    upnl = compute_unrealized_pnl(book.kind, trader.qty, spec.multiplier, trader.entry, book.mark)
    return trader.get_collateral() + upnl


def compute_initial_margin(book: MarketBook, value: Fraction) -> Fraction:
    """IM of a position worth ``value`` at the mark: value / its tier's max leverage."""
    tier = find_tier(book.tiers, value)
    assert tier.max_leverage is not None  # MarketSpec requires it
    return value / tier.max_leverage


def compute_affordable_value(book: MarketBook, equity: Fraction, desired: Fraction) -> Fraction:
    """The largest position value up to ``desired`` whose IM fits in ``IM_BUFFER`` of equity.

    The tier's max leverage falls as the value grows, so the cap is looked for from the tier
    of ``desired`` down: within tier ``k`` the value may reach ``equity * buffer * lev_k``
    and must stay below the next floor.
    """
    if equity <= 0 or desired <= 0:
        return Fraction(0)
    tiers = book.tiers
    top = tiers.index(find_tier(tiers, desired))
    budget = equity * IM_BUFFER
    for index in range(top, -1, -1):
        tier = tiers[index]
        assert tier.max_leverage is not None  # MarketSpec requires it
        cap = min(desired, budget * tier.max_leverage)
        if index + 1 < len(tiers):
            # strictly below the next floor: the value at the floor belongs to the next tier
            cap = min(cap, tiers[index + 1].floor * _BELOW_FLOOR)
        if cap >= tier.floor:
            return cap
    return Fraction(0)


def compute_qty_for_value(book: MarketBook, value: Fraction) -> Fraction:
    """Quantity worth ``value`` at the mark, rounded down to the lot (never more value)."""
    spec = book.spec
    if book.kind is ContractKind.LINEAR:
        raw = value / (spec.multiplier * book.mark)
    else:
        raw = value * book.mark / spec.multiplier
    return quantize(raw, spec.lot_size, Rounding.DOWN)


def estimate_liquidation_ticks(book: MarketBook, trader: Trader) -> int | None:
    """The trader's estimate of its liquidation price, in ticks (None: never liquidated).

    It solves ``C + uPnL(P) = mmr * value(P) - amount`` with the tier of the entry value
    (DESIGN, Margin; no close fee), then rounds as the engine does: a long's price up to the
    tick, a short's down.
    """
    spec = book.spec
    q, entry, v = trader.qty, trader.entry, spec.multiplier
    tier = find_tier(book.tiers, compute_position_value(book.kind, q, v, entry))
    room = trader.get_collateral() + tier.maintenance_amount
    if book.kind is ContractKind.LINEAR:
        denominator = v * (q - tier.mmr * abs(q))
        price = (q * v * entry - room) / denominator
    else:
        denominator = room + q * v / entry
        if denominator == 0:
            return None
        price = v * (q + tier.mmr * abs(q)) / denominator
    if price <= 0:
        return None
    ticks = price / spec.tick_size
    if q > 0:
        return -(-ticks.numerator // ticks.denominator)
    return ticks.numerator // ticks.denominator


def reindex_trader(book: MarketBook, traders: list[Trader], number: int) -> None:
    """Put the trader's new estimate in the watch; its older entries become stale."""
    trader = traders[number]
    trader.version += 1
    if trader.qty == 0:
        return
    ticks = estimate_liquidation_ticks(book, trader)
    if ticks is None:
        return
    if trader.qty > 0:
        heapq.heappush(book.longs, (-ticks, trader.version, number))
    else:
        heapq.heappush(book.shorts, (ticks, trader.version, number))
    if len(book.longs) + len(book.shorts) > 2 * len(book.traders) + 64:
        _compact(book, traders)


def _compact(book: MarketBook, traders: list[Trader]) -> None:
    """Drop stale entries, so the watch never holds more than about two per trader."""
    book.longs = [e for e in book.longs if traders[e[2]].version == e[1]]
    book.shorts = [e for e in book.shorts if traders[e[2]].version == e[1]]
    heapq.heapify(book.longs)
    heapq.heapify(book.shorts)


def apply_trader_fill(
    book: MarketBook,
    traders: list[Trader],
    number: int,
    signed_qty: Fraction,
    price: Fraction,
    fee: Fraction,
) -> None:
    """The trader's own bookkeeping of a fill: PnL to its collateral, fee from the wallet.

    A position closed to flat hands isolated margin back to the wallet, as the engine does
    (the next position is cross unless margin is transferred again).
    """
    spec = book.spec
    trader = traders[number]
    moved, realized = apply_fill(
        book.kind, spec.multiplier, Position(trader.qty, trader.entry), signed_qty, price
    )
    trader.qty, trader.entry = moved.qty, moved.entry_price
    if trader.is_isolated:
        trader.margin += realized
    else:
        trader.wallet += realized
    trader.wallet -= fee
    if trader.qty == 0 and trader.is_isolated:
        trader.wallet += trader.margin
        trader.margin = Fraction(0)
        trader.is_isolated = False
    reindex_trader(book, traders, number)


def _liquidate(trader: Trader) -> None:
    """What a liquidated trader assumes: position and its collateral gone (surplus to the fund)."""
    trader.qty = Fraction(0)
    trader.entry = Fraction(0)
    if trader.is_isolated:
        trader.margin = Fraction(0)
        trader.is_isolated = False
    else:
        trader.wallet = Fraction(0)
    trader.version += 1


def apply_liquidations(book: MarketBook, traders: list[Trader]) -> int:
    """Apply the new mark to the watch: every trader whose estimate it crossed is wiped.

    A long is reached when the mark is at or below its price, a short at or above (the
    engine's trigger, DESIGN, Prices). Returns how many were wiped.
    """
    mark_ticks = book.mark / book.spec.tick_size
    wiped = 0
    # Each pass pops one entry, so a heap's length bounds its passes.
    for _ in range(len(book.longs)):
        if -book.longs[0][0] < mark_ticks:
            break
        _, version, number = heapq.heappop(book.longs)
        if traders[number].version == version:
            _liquidate(traders[number])
            wiped += 1
    for _ in range(len(book.shorts)):
        if book.shorts[0][0] > mark_ticks:
            break
        _, version, number = heapq.heappop(book.shorts)
        if traders[number].version == version:
            _liquidate(traders[number])
            wiped += 1
    return wiped


def apply_funding(book: MarketBook, traders: list[Trader], rate: Fraction) -> None:
    """The traders' view of a funding settlement: longs pay ``rate`` times their mark value.

    Same rule as the engine's (DESIGN, Funding): payment = -q * value per unit * rate. The
    liquidation estimates are left as they are until each trader's next trade or transfer:
    a payment of a few hundredths of a percent of the value moves them by a small share of
    their distance to the mark, and re-estimating every position at every settlement would
    cost as much as the rest of the generator.
    """
    spec = book.spec
    per_unit = compute_position_value(book.kind, Fraction(1), spec.multiplier, book.mark)
    for number in book.traders:
        trader = traders[number]
        if trader.qty == 0:
            continue
        payment = -trader.qty * per_unit * rate
        if trader.is_isolated:
            trader.margin += payment
        else:
            trader.wallet += payment
