"""Account-level margin: cash, equity, maintenance and initial margin of whole accounts.

Rules (DESIGN, Margin): isolated margin balance = M + uPnL against the position's MM; cross
equity = W + sum of the cross positions' uPnL (positions settled in the same asset) against
the sum of their MM. Before a market's first mark, its positions are valued at their entry
price (uPnL 0): the mark is the only price the engine trusts.
"""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction

from perpspec.reference.engine.state import AccountState, ExchangeState, MarketState, PositionState
from perpspec.reference.instrument import find_tier
from perpspec.reference.margin.pnl import compute_position_value, compute_unrealized_pnl
from perpspec.reference.margin.requirements import (
    MaintenanceBasis,
    compute_close_fee,
    compute_position_maintenance_margin,
)
from perpspec.reference.prices.position_prices import MarginMode

__all__ = [
    "compute_account_cash",
    "compute_cross_equity",
    "compute_cross_initial_margin",
    "compute_cross_maintenance_margin",
    "compute_position_close_fee",
    "compute_position_initial_margin",
    "compute_position_mm",
    "compute_position_upnl",
    "get_mark",
    "is_account_cross_liquidatable",
    "is_position_isolated_liquidatable",
    "iter_cross_positions",
]


def get_mark(market: MarketState, position: PositionState) -> Fraction:
    """The market's mark, or the position's entry price before the first mark."""
    return market.mark if market.mark is not None else position.entry_price


def compute_position_upnl(market: MarketState, position: PositionState) -> Fraction:
    """uPnL of one position at the market's mark (0 for a flat position)."""
    if position.qty == 0:
        return Fraction(0)
    inst = market.instrument
    return compute_unrealized_pnl(
        inst.kind, position.qty, inst.multiplier, position.entry_price, get_mark(market, position)
    )


def compute_position_mm(
    market: MarketState, position: PositionState, basis: MaintenanceBasis
) -> Fraction:
    """MM of one position at the market's mark on the profile's basis."""
    if position.qty == 0:
        return Fraction(0)
    inst = market.instrument
    return compute_position_maintenance_margin(
        inst.kind,
        inst.tiers,
        position.qty,
        inst.multiplier,
        position.entry_price,
        get_mark(market, position),
        basis,
    )


def compute_position_close_fee(
    market: MarketState, position: PositionState, close_fee_rate: Fraction
) -> Fraction:
    """The fee to close at the mark, reserved when the profile sets ``close_fee_rate``."""
    if position.qty == 0 or close_fee_rate == 0:
        return Fraction(0)
    inst = market.instrument
    return compute_close_fee(
        inst.kind, position.qty, inst.multiplier, get_mark(market, position), close_fee_rate
    )


def compute_position_initial_margin(market: MarketState, position: PositionState) -> Fraction:
    """IM = value at the mark / the max leverage of the tier containing that value.

    A tier without a published max leverage asks for no more than MM on the mark basis: the
    position must then only not be liquidatable.
    """
    if position.qty == 0:
        return Fraction(0)
    inst = market.instrument
    value = compute_position_value(
        inst.kind, position.qty, inst.multiplier, get_mark(market, position)
    )
    tier = find_tier(inst.tiers, value)
    if tier.max_leverage is None:
        return value * tier.mmr - tier.maintenance_amount
    return value / tier.max_leverage


def compute_account_cash(account: AccountState, state: ExchangeState, asset: str) -> Fraction:
    """Wallet plus the isolated margins of the positions settled in ``asset``.

    Implements rule `engine.conservation`.
    """
    cash = account.wallet.get(asset, Fraction(0))
    for market_id, position in account.positions.items():
        if state.markets[market_id].instrument.settle_asset == asset:
            cash += position.isolated_margin
    return cash


def iter_cross_positions(
    account: AccountState, state: ExchangeState, asset: str
) -> Iterator[tuple[MarketState, PositionState]]:
    """The account's open cross positions settled in ``asset``, in market order."""
    for market_id in sorted(account.positions):
        position = account.positions[market_id]
        market = state.markets[market_id]
        if (
            position.qty != 0
            and position.mode is MarginMode.CROSS
            and market.instrument.settle_asset == asset
        ):
            yield market, position


def compute_cross_equity(account: AccountState, state: ExchangeState, asset: str) -> Fraction:
    """Cross equity = wallet + the cross positions' uPnL."""
    equity = account.wallet.get(asset, Fraction(0))
    for market, position in iter_cross_positions(account, state, asset):
        equity += compute_position_upnl(market, position)
    return equity


def compute_cross_maintenance_margin(
    account: AccountState, state: ExchangeState, asset: str, basis: MaintenanceBasis
) -> Fraction:
    """Sum of the cross positions' MM."""
    return sum(
        (compute_position_mm(m, p, basis) for m, p in iter_cross_positions(account, state, asset)),
        Fraction(0),
    )


def compute_cross_initial_margin(
    account: AccountState, state: ExchangeState, asset: str
) -> Fraction:
    """Sum of the cross positions' IM."""
    return sum(
        (
            compute_position_initial_margin(m, p)
            for m, p in iter_cross_positions(account, state, asset)
        ),
        Fraction(0),
    )


def _cross_close_fees(
    account: AccountState, state: ExchangeState, asset: str, close_fee_rate: Fraction
) -> Fraction:
    return sum(
        (
            compute_position_close_fee(m, p, close_fee_rate)
            for m, p in iter_cross_positions(account, state, asset)
        ),
        Fraction(0),
    )


def is_account_cross_liquidatable(
    account: AccountState,
    state: ExchangeState,
    asset: str,
    basis: MaintenanceBasis,
    close_fee_rate: Fraction,
) -> bool:
    """Cross liquidation condition: equity - reserved close fees <= sum of MM, with positions.

    Implements rule `liq.trigger`.
    """
    if not any(True for _ in iter_cross_positions(account, state, asset)):
        return False
    equity = compute_cross_equity(account, state, asset)
    fees = _cross_close_fees(account, state, asset, close_fee_rate)
    return equity - fees <= compute_cross_maintenance_margin(account, state, asset, basis)


def is_position_isolated_liquidatable(
    market: MarketState,
    position: PositionState,
    basis: MaintenanceBasis,
    close_fee_rate: Fraction,
) -> bool:
    """Isolated liquidation condition: M + uPnL - reserved close fee <= MM.

    Implements rule `liq.trigger`.
    """
    if position.qty == 0 or position.mode is not MarginMode.ISOLATED:
        return False
    balance = position.isolated_margin + compute_position_upnl(market, position)
    fee = compute_position_close_fee(market, position, close_fee_rate)
    return balance - fee <= compute_position_mm(market, position, basis)
