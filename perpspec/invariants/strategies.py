"""Hypothesis strategies for the waterfall's inputs, for this suite and other projects' suites.

Every strategy draws exact values (Fractions on a tick or lot grid, never floats) that the
reference accepts: instruments (linear and inverse, with ticks, lots and a tier table that
obeys the maintenance-amount recurrence and states a max leverage per tier), accounts,
positions, profiles (the shipped ones the engine runs, and variations of their options),
whole input-event sequences for the engine, and crash paths of the mark.

Importing this module imports hypothesis (a test dependency); the reference never does.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from fractions import Fraction

from hypothesis import strategies as st

from perpspec.reference.events import (
    DepositEvent,
    Event,
    FundingEvent,
    InstrumentEvent,
    MarginTransferEvent,
    MarkEvent,
    TierSpec,
    TradeEvent,
    WithdrawalEvent,
)
from perpspec.reference.instrument import compute_maintenance_amounts
from perpspec.reference.liquidation.settlement import SurplusTo
from perpspec.reference.margin.pnl import Position
from perpspec.reference.margin.requirements import MaintenanceBasis
from perpspec.reference.profile import LiquidationMode, Profile, load_profile

__all__ = [
    "ENGINE_PROFILES",
    "OP_INPUTS",
    "TS",
    "account_ids",
    "crash_paths",
    "engine_profiles",
    "event_sequences",
    "instruments",
    "liquidation_settlement_inputs",
    "position_prices_inputs",
    "positions",
    "profile_variations",
    "tier_tables",
]

#: The timestamp of generated events (the engine orders by ``seq``, not by time).
TS = "2026-01-01T00:00:00Z"

#: Shipped profiles the reference engine runs end to end.
ENGINE_PROFILES: tuple[str, ...] = (
    "seed-gate",
    "seed-panews",
    "seed-binance",
    "seed-coincatch",
    "dydx-v4",
    "seed-socialized",
    "bitmex",
    "bybit",
    "bitget",
    "hyperliquid",
    "drift",
    "percolator",
)

_RATES_PPM = (0, 2_500, 5_000, 10_000, 20_000, 50_000)


@st.composite
def tier_tables(
    draw: st.DrawFn, max_tiers: int = 4, floor_unit: int = 10_000
) -> tuple[TierSpec, ...]:
    """A tier table obeying the recurrence ``c_n = F_n (m_n - m_{n-1}) + c_{n-1}``.

    Floors are increasing multiples of ``floor_unit`` from 0; rates never decrease and stay
    below 1/max_leverage, so initial margin always exceeds maintenance margin; max leverage
    never rises from one tier to the next.
    """
    count = draw(st.integers(1, max_tiers))
    steps = draw(st.lists(st.integers(1, 10), min_size=count - 1, max_size=count - 1))
    floors = [Fraction(0)]
    for step in steps:
        floors.append(floors[-1] + step * floor_unit)
    rates = sorted(draw(st.lists(st.sampled_from(_RATES_PPM), min_size=count, max_size=count)))
    mmrs = [Fraction(rate, 1_000_000) for rate in rates]
    amounts = compute_maintenance_amounts(floors, mmrs)
    specs: list[TierSpec] = []
    ceiling = Fraction(draw(st.sampled_from((20, 50, 100, 125))))
    for floor, mmr, amount in zip(floors, mmrs, amounts, strict=True):
        # IM above MM needs 1/L > m, i.e. L < 1/m; halving keeps a clear margin.
        bound = ceiling if mmr == 0 else min(ceiling, max(Fraction(1), 1 / (2 * mmr)))
        leverage = Fraction(int(bound))
        ceiling = leverage
        specs.append(TierSpec(floor, mmr, amount, leverage))
    return tuple(specs)


@st.composite
def instruments(
    draw: st.DrawFn, market: str = "BTC-PERP", kind: str | None = None, fund: str = "main"
) -> InstrumentEvent:
    """An ``instrument`` event: linear (USDT-settled, lots of 0.001) or inverse (coin-settled,
    contracts of 10 or 100 USD, lots of 1), tick 0.5 or 1 or 0.1."""
    chosen = kind or draw(st.sampled_from(("linear", "inverse")))
    tick = draw(st.sampled_from((Fraction(1, 2), Fraction(1), Fraction(1, 10))))
    if chosen == "linear":
        tiers = draw(tier_tables(floor_unit=10_000))
        return InstrumentEvent(
            0, TS, market, "linear", Fraction(1), tick, Fraction(1, 1000), tiers, fund, "USDT"
        )
    multiplier = Fraction(draw(st.sampled_from((10, 100))))
    tiers = draw(tier_tables(floor_unit=1))
    return InstrumentEvent(
        0, TS, market, "inverse", multiplier, tick, Fraction(1), tiers, fund, "BTC"
    )


def account_ids(count: int = 5) -> st.SearchStrategy[str]:
    """Trader account ids ``t0`` .. ``t{count-1}`` (never a system account name)."""
    return st.sampled_from([f"t{i}" for i in range(count)])


@st.composite
def positions(
    draw: st.DrawFn,
    lot: Fraction = Fraction(1, 1000),
    tick: Fraction = Fraction(1, 2),
    max_lots: int = 5_000,
    price_ticks: tuple[int, int] = (20_000, 60_000),
) -> Position:
    """A signed position of whole lots at an entry price on the tick grid."""
    lots = draw(st.integers(1, max_lots))
    side = draw(st.sampled_from((1, -1)))
    entry = draw(st.integers(*price_ticks)) * tick
    return Position(side * lots * lot, entry)


def engine_profiles() -> st.SearchStrategy[Profile]:
    """One of the shipped profiles the engine runs (:data:`ENGINE_PROFILES`)."""
    return st.sampled_from(ENGINE_PROFILES).map(load_profile)


@st.composite
def profile_variations(draw: st.DrawFn) -> Profile:
    """A shipped profile with its liquidation and margin options varied.

    Varied: liquidation mode (partial/full), liquidation fee rate (0, 0.05%, 0.5%), surplus
    policy (insurance/trader), maintenance basis (mark/entry) and reserved close fee (0,
    0.05%). Every combination is one a documented exchange could name.
    """
    profile = draw(engine_profiles())
    liquidation = dataclasses.replace(
        profile.liquidation,
        mode=draw(st.sampled_from(LiquidationMode)),
        fee_rate=draw(st.sampled_from((Fraction(0), Fraction(5, 10_000), Fraction(5, 1000)))),
        surplus_to=draw(st.sampled_from(SurplusTo)),
    )
    margin = dataclasses.replace(
        profile.margin,
        maintenance_basis=draw(st.sampled_from(MaintenanceBasis)),
        close_fee_rate=draw(st.sampled_from((Fraction(0), Fraction(5, 10_000)))),
    )
    return dataclasses.replace(profile, liquidation=liquidation, margin=margin)


@st.composite
def crash_paths(
    draw: st.DrawFn, start: Fraction, tick: Fraction = Fraction(1, 2), max_steps: int = 4
) -> list[Fraction]:
    """Mark prices of a crash: a gap of 5% to 30% down (or up, a squeeze), then drift.

    Every price is on the tick grid and > 0. The gap is the point: it jumps past
    bankruptcy prices, so liquidation fills lose money and the last resorts run.
    """
    direction = draw(st.sampled_from((-1, 1)))
    gap = Fraction(draw(st.integers(5, 30)), 100)
    prices = [start * (1 + direction * gap)]
    for _ in range(draw(st.integers(0, max_steps - 1))):
        drift = Fraction(draw(st.integers(-30, 30)), 1000)
        prices.append(prices[-1] * (1 + drift))
    return [max(tick, (price / tick).__floor__() * tick) for price in prices]


@st.composite
def event_sequences(
    draw: st.DrawFn,
    instrument: InstrumentEvent | None = None,
    traders: Sequence[str] = ("t0", "t1", "t2", "t3"),
    max_steps: int = 25,
) -> list[Event]:
    """A whole input ledger: the instrument, deposits (the book ``mm`` included), a first
    mark, then trades, mark moves, funding, withdrawals, margin transfers and a crash.

    Amounts are scaled to the instrument: one cash unit is worth about one USD at the first
    mark (1 USDT linear, 1/20,000 BTC inverse), so the same draws give comparable leverage
    for both kinds. Some inputs are invalid on purpose (a zero amount, an unknown account):
    the engine must reject them and change nothing.
    """
    inst = instrument or draw(instruments())
    start = Fraction(20_000)
    unit = Fraction(1) if inst.kind == "linear" else 1 / start
    lot = inst.lot_size
    per_lot_usd = lot * inst.multiplier * (start if inst.kind == "linear" else 1)
    lots_per_thousand = max(1, int(1000 / per_lot_usd))
    asset = inst.settle_asset
    events: list[Event] = [inst, DepositEvent(0, TS, "mm", asset, 10**8 * unit)]
    events += [
        DepositEvent(0, TS, name, asset, draw(st.integers(500, 5_000)) * unit) for name in traders
    ]
    events.append(
        DepositEvent(
            0, TS, f"insurance:{inst.fund}", asset, draw(st.sampled_from((0, 30, 2_000))) * unit
        )
    )
    events.append(MarkEvent(0, TS, inst.market, start))
    parties = [*traders, "mm"]
    mark = start
    for _ in range(draw(st.integers(1, max_steps))):
        choice = draw(st.integers(0, 9))
        if choice <= 3:
            buyer, seller = draw(st.sampled_from(parties)), draw(st.sampled_from(parties))
            lots = draw(st.integers(1, 40 * lots_per_thousand))
            price = max(inst.tick_size, mark + draw(st.integers(-40, 40)) * inst.tick_size)
            events.append(
                TradeEvent(
                    0, TS, inst.market, buyer, seller, lots * lot, price, Fraction(0), Fraction(0)
                )
            )
        elif choice <= 5:
            mark = max(inst.tick_size, mark + draw(st.integers(-600, 200)) * 10 * inst.tick_size)
            events.append(MarkEvent(0, TS, inst.market, mark))
        elif choice == 6:
            events.append(
                FundingEvent(0, TS, inst.market, Fraction(draw(st.integers(-10, 10)), 10_000), ())
            )
        elif choice == 7:
            amount = draw(st.integers(-5, 3_000)) * unit
            account = draw(st.sampled_from([*traders, "nobody"]))
            out = draw(st.booleans())
            kind = WithdrawalEvent if out else DepositEvent
            events.append(kind(0, TS, account, asset, amount))
        elif choice == 8:
            account = draw(st.sampled_from(traders))
            amount = draw(st.integers(-500, 1_500)) * unit
            events.append(MarginTransferEvent(0, TS, account, inst.market, amount))
        else:
            for price in draw(crash_paths(mark, inst.tick_size)):
                mark = price
                events.append(MarkEvent(0, TS, inst.market, mark))
    return events


def _text(value: Fraction) -> str:
    from perpspec.reference.numbers import format_number

    return format_number(value)


@st.composite
def position_prices_inputs(draw: st.DrawFn) -> dict[str, object]:
    """An input of the conformance op ``position_prices``, as JSON (numbers as strings).

    One position on an instrument of :func:`instruments` (its tick included, so the rounded
    prices are asked for too), isolated margin of the notional over a leverage of 1 to 100.
    """
    instrument = draw(instruments())
    lot = instrument.lot_size
    position = draw(positions(lot=lot, tick=instrument.tick_size, max_lots=2_000))
    leverage = draw(st.integers(1, 100))
    notional = abs(position.qty) * instrument.multiplier
    value = notional * position.entry_price if instrument.kind == "linear" else notional
    balance = value / leverage
    if instrument.kind == "inverse":
        balance = balance / position.entry_price
    return {
        "instrument": {
            "kind": instrument.kind,
            "multiplier": _text(instrument.multiplier),
            "tick_size": _text(instrument.tick_size),
            "tiers": [
                {"floor": _text(tier.floor), "mmr": _text(tier.mmr)} for tier in instrument.tiers
            ],
        },
        "position": {
            "side": "long" if position.qty > 0 else "short",
            "qty": _text(abs(position.qty)),
            "entry_price": _text(position.entry_price),
        },
        "margin": {"mode": "isolated", "balance": _text(balance)},
    }


@st.composite
def liquidation_settlement_inputs(draw: st.DrawFn) -> dict[str, object]:
    """An input of the conformance op ``liquidation_settlement``, as JSON.

    A linear position of 1 to 5000 lots of 0.001 at a bankruptcy price on a 0.5 grid, up to
    four fills of at most its remaining size at prices within 5% of it, a fund of 0 to 1000,
    a fee rate of :data:`_RATES_PPM`, and each of ``surplus_to``, ``fee_base``, ``fee_to``.
    """
    lot = Fraction(1, 1000)
    lots = draw(st.integers(1, 5_000))
    bankruptcy_ticks = draw(st.integers(20_000, 60_000))
    fills: list[dict[str, str]] = []
    left = lots
    for _ in range(draw(st.integers(0, 4))):
        if left == 0:
            break
        size = draw(st.integers(1, left))
        left -= size
        offset = draw(st.integers(-bankruptcy_ticks // 20, bankruptcy_ticks // 20))
        price = (bankruptcy_ticks + offset) * Fraction(1, 2)
        fills.append({"qty": _text(size * lot), "price": _text(price)})
    fee_base = draw(st.sampled_from(("fill_notional", "bankruptcy_value", "mark_value")))
    case_input: dict[str, object] = {
        "side": draw(st.sampled_from(("long", "short"))),
        "qty": _text(lots * lot),
        "bankruptcy_price": _text(bankruptcy_ticks * Fraction(1, 2)),
        "fills": fills,
        "insurance_fund": _text(Fraction(draw(st.integers(0, 1_000)))),
        "fee_rate": _text(Fraction(draw(st.sampled_from(_RATES_PPM)), 1_000_000)),
        "surplus_to": draw(st.sampled_from(("insurance", "trader"))),
        "fee_base": fee_base,
        "fee_to": draw(st.sampled_from(("insurance", "fees"))),
    }
    if fee_base == "mark_value":
        case_input["mark_price"] = _text(bankruptcy_ticks * Fraction(1, 2))
    return case_input


#: The conformance ops that have an input strategy, for differential fuzzing.
OP_INPUTS: dict[str, st.SearchStrategy[dict[str, object]]] = {
    "position_prices": position_prices_inputs(),
    "liquidation_settlement": liquidation_settlement_inputs(),
}
