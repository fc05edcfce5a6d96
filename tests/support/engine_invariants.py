"""Exact whole-state checks of the engine, used by the property tests after every event."""

from __future__ import annotations

from fractions import Fraction

from perpspec.reference.engine.accounts import compute_account_cash, compute_position_upnl
from perpspec.reference.engine.exchange import Exchange
from perpspec.reference.engine.state import is_system_account


def total_value(ex: Exchange, asset: str) -> Fraction:
    """Cash of every account plus the uPnL of every position settled in ``asset``."""
    state = ex.state
    total = Fraction(0)
    for account in state.accounts.values():
        total += compute_account_cash(account, state, asset)
        for market_id, position in account.positions.items():
            market = state.markets[market_id]
            if market.instrument.settle_asset == asset:
                total += compute_position_upnl(market, position)
    return total


def check_conservation(ex: Exchange) -> None:
    """``conservation``: value of all accounts = deposits - withdrawals, per asset."""
    state = ex.state
    for asset in set(state.deposits) | set(state.withdrawals):
        expected = state.deposits.get(asset, Fraction(0)) - state.withdrawals.get(
            asset, Fraction(0)
        )
        assert total_value(ex, asset) == expected, asset


def check_open_interest(ex: Exchange) -> None:
    """``oi-balance``: longs = shorts in every market, the engine's inventory included."""
    for market_id in ex.state.markets:
        total = sum(
            (
                a.positions[market_id].qty
                for a in ex.state.accounts.values()
                if market_id in a.positions
            ),
            Fraction(0),
        )
        assert total == 0, market_id


def check_funds(ex: Exchange) -> None:
    """``fund-nonnegative``: no insurance fund below zero."""
    for name, account in ex.state.accounts.items():
        if name.startswith("insurance:"):
            assert all(amount >= 0 for amount in account.wallet.values()), name


def check_nobody_liquidatable(ex: Exchange) -> None:
    """``liq-complete``: after a mark, no trader position or account is liquidatable."""
    for name, account in ex.state.accounts.items():
        if is_system_account(name):
            continue
        for market_id, position in account.positions.items():
            if position.qty != 0:
                cross = position.mode.value == "cross"
                assert not ex.is_liquidatable(name, market_id, cross), (name, market_id)
