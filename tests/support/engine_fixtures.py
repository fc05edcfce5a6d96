"""Shared builders for the engine tests: a one-market exchange with three traders."""

from __future__ import annotations

import dataclasses
from fractions import Fraction as F

from perpspec.reference.engine.config import EngineConfig
from perpspec.reference.engine.engine import Engine
from perpspec.reference.engine.liquidity import LiquidityModel
from perpspec.reference.events import (
    DepositEvent,
    Event,
    InstrumentEvent,
    MarkEvent,
    TierSpec,
    TradeEvent,
)
from perpspec.reference.liquidation.settlement import SurplusTo
from perpspec.reference.profile import Profile, load_profile

TS = "2026-01-01T00:00:00Z"
MARKET = "BTC-PERP"
# one tier up to 100,000 (0.5%, 100x), a second above it (1%, amount 500 by the recurrence:
# 100,000 x (0.01 - 0.005) = 500, 50x).
TIERS = (
    TierSpec(F(0), F("0.005"), F(0), F(100)),
    TierSpec(F(100_000), F("0.01"), F(500), F(50)),
)


def make_profile(
    name: str, fee_rate: F | None = None, surplus_to: SurplusTo | None = None
) -> Profile:
    """A shipped profile with its liquidation fee rate or surplus policy replaced."""
    profile = load_profile(name)
    options = profile.liquidation
    if fee_rate is not None:
        options = dataclasses.replace(options, fee_rate=fee_rate)
    if surplus_to is not None:
        options = dataclasses.replace(options, surplus_to=surplus_to)
    return dataclasses.replace(profile, liquidation=options)


def make_engine(profile: Profile | str = "seed-gate", depth: F = F(2)) -> Engine:
    """An engine whose book is the account "mm", with levels 0.1% and 0.3% from the mark."""
    if isinstance(profile, str):
        profile = load_profile(profile)
    book = LiquidityModel(
        account="mm", levels=3, spread=F(1, 1000), spacing=F(2, 1000), depth=depth
    )
    return Engine(EngineConfig(profile, book))


def instrument(fund: str = "BTC") -> InstrumentEvent:
    return InstrumentEvent(0, TS, MARKET, "linear", F(1), F("0.5"), F("0.001"), TIERS, fund, "USDT")


def deposit(account: str, amount: int | str) -> DepositEvent:
    return DepositEvent(0, TS, account, "USDT", F(amount))


def mark(price: int | str) -> MarkEvent:
    return MarkEvent(0, TS, MARKET, F(price))


def trade(buyer: str, seller: str, qty: str, price: int | str) -> TradeEvent:
    return TradeEvent(0, TS, MARKET, buyer, seller, F(qty), F(price), F(0), F(0))


def setup_three_traders(engine: Engine, fund: str = "BTC", fund_balance: int = 50) -> list[Event]:
    """alice long 1 @ 20,000 with 1,000 (cross, 20x); bob short 1; carol short 0.5 vs mm."""
    events: list[Event] = []
    for item in (
        instrument(fund),
        deposit("alice", 1_000),
        deposit("bob", 100_000),
        deposit("carol", 5_000),
        deposit("mm", 10**9),
        deposit(f"insurance:{fund}", fund_balance),
        mark(20_000),
        trade("alice", "bob", "1", 20_000),
        trade("mm", "carol", "0.5", 20_000),
    ):
        events.extend(engine.submit(item))
    return events


def of_type(events: list[Event], kind: str) -> list[Event]:
    return [e for e in events if kind == e.TYPE]
