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
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from typing import TypeVar

from hypothesis import strategies as st

from perpspec.ledger.codec import encode_event
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
    "adl_allocate_inputs",
    "adl_rank_inputs",
    "crash_paths",
    "engine_profiles",
    "event_sequences",
    "funding_rate_inputs",
    "instruments",
    "liquidation_settlement_inputs",
    "mark_price_inputs",
    "position_prices_inputs",
    "positions",
    "profile_variations",
    "replay_inputs",
    "socialized_loss_inputs",
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


_T = TypeVar("_T")


def _maybe(draw: st.DrawFn, strategy: st.SearchStrategy[_T]) -> _T | None:
    """A value of ``strategy``, or None for an absent option; shrinks to absent."""
    return draw(strategy) if draw(st.booleans()) else None


_ADL_FORMULAS = (
    "profit_ratio",
    "pnl_times_leverage",
    "leverage_pnl_margin_ratio",
    "roi_times_mmr",
    "mark_entry_notional",
)

#: Cut points of the lights a profile may state (4 or 5 cumulative, strictly increasing).
_ADL_THRESHOLDS = (("0.2", "0.4", "0.6", "0.8"), ("0.1", "0.3", "0.6", "0.9", "1"))


@st.composite
def _adl_rank_position(draw: st.DrawFn, formula: str) -> dict[str, str]:
    """One position's fields (no id), with exactly the ones ``formula`` needs.

    ``pnl_times_leverage``: a bankruptcy price 10% to 90% below the mark for a long, above it
    for a short, so the margin left above bankruptcy is > 0 (the formula refuses none).
    """
    side = draw(st.sampled_from(("long", "short")))
    mark = draw(st.integers(1, 200))
    fields = {
        "side": side,
        "qty": str(draw(st.integers(1, 50))),
        "entry_price": str(draw(st.integers(1, 200))),
        "mark_price": str(mark),
    }
    if formula == "pnl_times_leverage":
        tenths = draw(st.integers(1, 9))
        sign = -1 if side == "long" else 1
        fields["bankruptcy_price"] = _text(mark * Fraction(10 + sign * tenths, 10))
    if formula == "leverage_pnl_margin_ratio":
        fields["wallet_balance"] = str(draw(st.integers(0, 1_000)))
    if formula in ("leverage_pnl_margin_ratio", "roi_times_mmr"):
        fields["maintenance_margin"] = str(draw(st.integers(1, 100)))
    if formula in ("roi_times_mmr", "mark_entry_notional"):
        fields["account_value"] = str(draw(st.integers(1, 1_000)))
    return fields


@st.composite
def adl_rank_inputs(draw: st.DrawFn) -> dict[str, object]:
    """An input of the conformance op ``adl_rank``, as JSON.

    A formula of the five, 1 to 6 positions ``p0``.. (either side, 1 to 50 contracts, entry
    and mark prices 1 to 200, and the fields the formula needs, all valid), and optionally a
    contract kind and multiplier (the same for every position: one market), cut points and
    a quantile basis. Shrinks towards one position under ``profit_ratio``, no options.
    """
    formula = draw(st.sampled_from(_ADL_FORMULAS))
    drawn = draw(st.lists(_adl_rank_position(formula), min_size=1, max_size=6))
    kind = _maybe(draw, st.sampled_from(("linear", "inverse")))
    multiplier = _maybe(draw, st.sampled_from(("1", "10")))
    positions: list[dict[str, object]] = []
    for index, fields in enumerate(drawn):
        position: dict[str, object] = {"id": f"p{index}", **fields}
        if kind is not None:
            position["kind"] = kind
        if multiplier is not None:
            position["multiplier"] = multiplier
        positions.append(position)
    case_input: dict[str, object] = {"formula": formula, "positions": positions}
    thresholds = _maybe(draw, st.sampled_from(_ADL_THRESHOLDS))
    if thresholds is not None:
        case_input["thresholds"] = list(thresholds)
    basis = _maybe(draw, st.sampled_from(("rank", "size")))
    if basis is not None:
        case_input["quantile_basis"] = basis
    return case_input


#: Lot sizes of ``adl_allocate`` (None: no ``lot_size``, quantities are whole contracts).
_ADL_LOTS: tuple[Fraction | None, ...] = (None, Fraction(1), Fraction(1, 1000))


@st.composite
def adl_allocate_inputs(draw: st.DrawFn) -> dict[str, object]:
    """An input of the conformance op ``adl_allocate``, as JSON.

    A liquidated remainder of 1 to 200 lots at a bankruptcy price on a 0.5 grid, and 0 to 6
    counterparties ``c0``.. of 1 to 100 lots with integer scores from -50 to 50, mostly on the
    opposite side (one on the liquidated side is not eligible and must get no fill). Every
    quantity is a whole number of lots (the op refuses others). Optional: ``lot_size``,
    ``policy``, ``fill_price``, a fee policy with its rates and ``fee_unit``, ``kind`` and
    ``multiplier``. Shrinks towards one opposite counterparty, one lot, no options.
    """
    lot = draw(st.sampled_from(_ADL_LOTS))
    step = lot if lot is not None else Fraction(1)
    side = draw(st.sampled_from(("long", "short")))
    opposite = "short" if side == "long" else "long"
    drawn = draw(
        st.lists(
            st.tuples(
                st.sampled_from((opposite, opposite, side)),
                st.integers(1, 100),
                st.integers(-50, 50),
            ),
            max_size=6,
        )
    )
    case_input: dict[str, object] = {
        "liquidated": {
            "side": side,
            "qty": _text(draw(st.integers(1, 200)) * step),
            "bankruptcy_price": _text(draw(st.integers(1, 80_000)) * Fraction(1, 2)),
        },
        "counterparties": [
            {"id": f"c{index}", "side": who, "qty": _text(lots * step), "score": str(score)}
            for index, (who, lots, score) in enumerate(drawn)
        ],
    }
    if lot is not None:
        case_input["lot_size"] = _text(lot)
    policy = _maybe(draw, st.sampled_from(("queue", "pro_rata")))
    if policy is not None:
        case_input["policy"] = policy
    fill_price = _maybe(draw, st.integers(1, 80_000))
    if fill_price is not None:
        case_input["fill_price"] = _text(fill_price * Fraction(1, 2))
    fee_policy = _maybe(draw, st.sampled_from(("none", "maker_rebate", "maker_taker")))
    if fee_policy is not None:
        case_input["fee_policy"] = fee_policy
        case_input["maker_fee_rate"] = draw(st.sampled_from(("0", "0.0002", "0.0005")))
        case_input["taker_fee_rate"] = draw(st.sampled_from(("0", "0.0005", "0.00075")))
        if draw(st.booleans()):
            case_input["fee_unit"] = "0.01"
    kind = _maybe(draw, st.sampled_from(("linear", "inverse")))
    if kind is not None:
        case_input["kind"] = kind
        case_input["multiplier"] = draw(st.sampled_from(("1", "10", "100")))
    return case_input


_SL_METHODS = ("top_profit", "clawback", "open_interest", "haircut_ratio")


@st.composite
def socialized_loss_inputs(draw: st.DrawFn) -> dict[str, object]:
    """An input of the conformance op ``socialized_loss``, as JSON.

    A method of the four and 1 to 6 accounts ``a0``..: a cycle profit of -200 to 1000 each
    (``open_interest``: a signed size of -100 to 100 and an equity of -100 to 1000 instead);
    a loss of 0 to 2000, a fund of 0 to 1000, optionally the fund's share, a ``unit`` (1 or
    0.01) and, for ``top_profit``, a threshold and a denominator. ``haircut_ratio`` comes in
    both forms: written off (a ``loss``) or the vault form (``vault`` and ``principal``, no
    ``loss`` and no share). Shrinks towards one account, ``top_profit``, no options.
    """
    method = draw(st.sampled_from(_SL_METHODS))
    rows = draw(
        st.lists(
            st.tuples(st.integers(-200, 1_000), st.integers(-100, 100), st.integers(-100, 1_000)),
            min_size=1,
            max_size=6,
        )
    )
    positions: list[dict[str, object]] = []
    for index, (profit, size, equity) in enumerate(rows):
        if method == "open_interest":
            positions.append({"id": f"a{index}", "size": str(size), "equity": str(equity)})
        else:
            positions.append({"id": f"a{index}", "profit": str(profit)})
    case_input: dict[str, object] = {"method": method, "positions": positions}
    case_input["insurance_fund"] = str(draw(st.integers(0, 1_000)))
    vault_form = method == "haircut_ratio" and draw(st.booleans())
    if vault_form:
        case_input["principal"] = str(draw(st.integers(0, 5_000)))
        case_input["vault"] = str(draw(st.integers(0, 10_000)))
    else:
        case_input["loss"] = str(draw(st.integers(0, 2_000)))
        share = _maybe(draw, st.sampled_from(("0", "0.2", "0.5", "1")))
        if share is not None:
            case_input["insurance_share"] = share
    if method == "top_profit":
        threshold = _maybe(draw, st.sampled_from(("0.5", "0.9", "1")))
        if threshold is not None:
            case_input["threshold"] = threshold
        denominator = _maybe(draw, st.sampled_from(("participants", "all_profitable")))
        if denominator is not None:
            case_input["denominator"] = denominator
    unit = _maybe(draw, st.sampled_from(("1", "0.01")))
    if unit is not None:
        case_input["unit"] = unit
    return case_input


def _step_event(
    draw: st.DrawFn, market: str, tick: Fraction, mark: Fraction
) -> tuple[Event, Fraction]:
    """A funding event, or a mark move (-15% to +5% of 20,000, on the tick grid, > 0)."""
    if draw(st.booleans()):
        return FundingEvent(0, TS, market, Fraction(draw(st.integers(-10, 10)), 10_000), ()), mark
    moved = max(tick, mark + draw(st.integers(-600, 200)) * 10 * tick)
    return MarkEvent(0, TS, market, moved), moved


@st.composite
def replay_inputs(draw: st.DrawFn) -> dict[str, object]:
    """An input of the conformance op ``replay``, as JSON: a small ledger of inputs only.

    A shipped profile of :data:`ENGINE_PROFILES`, a book (``liquidity``) owned by ``mm``, one
    linear market of :func:`instruments`, deposits for ``mm`` (deep), 2 to 4 traders ``t0``..
    (500 to 5,000 each) and the market's insurance fund (1 to 2,000), a first mark of 20,000,
    0 to 4 trades of 1 to 2,000 lots between two different parties at the mark, then 0 to 5
    steps, each a mark move or a funding event (a rate of -0.1% to 0.1%, no payments: those
    are the engine's). Every event is one the engine accepts as an input (it may still refuse
    a trade for margin, which it records). Shrinks towards two traders, no trades, no steps.
    """
    profile = draw(st.sampled_from(ENGINE_PROFILES))
    instrument = draw(instruments(kind="linear"))
    market, tick, asset = instrument.market, instrument.tick_size, instrument.settle_asset
    traders = [f"t{index}" for index in range(draw(st.integers(2, 4)))]
    mark = Fraction(20_000)
    events: list[Event] = [instrument, DepositEvent(0, TS, "mm", asset, Fraction(10**8))]
    events += [
        DepositEvent(0, TS, name, asset, Fraction(draw(st.integers(500, 5_000))))
        for name in traders
    ]
    fund = Fraction(draw(st.integers(1, 2_000)))
    events.append(DepositEvent(0, TS, f"insurance:{instrument.fund}", asset, fund))
    events.append(MarkEvent(0, TS, market, mark))
    parties = [*traders, "mm"]
    for _ in range(draw(st.integers(0, 4))):
        buyer = draw(st.sampled_from(parties))
        seller = draw(st.sampled_from([name for name in parties if name != buyer]))
        qty = draw(st.integers(1, 2_000)) * instrument.lot_size
        events.append(TradeEvent(0, TS, market, buyer, seller, qty, mark, Fraction(0), Fraction(0)))
    for _ in range(draw(st.integers(0, 5))):
        event, mark = _step_event(draw, market, tick, mark)
        events.append(event)
    liquidity = {
        "account": "mm",
        "levels": draw(st.integers(1, 10)),
        "spread": "0.001",
        "spacing": "0.002",
        "depth": str(draw(st.integers(1, 10))),
        "seed": 0,
    }
    numbered = [dataclasses.replace(event, seq=seq) for seq, event in enumerate(events, 1)]
    return {
        "profile": profile,
        "liquidity": liquidity,
        "events": [encode_event(event) for event in numbered],
    }


#: The time a generated ``mark_price`` input is stated at (``now``), and its sources' reads.
_NOW = datetime(2026, 1, 1, tzinfo=UTC)


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _near(base: int, per_mille: int) -> str:
    """``base`` moved by ``per_mille`` thousandths: a price close to the index."""
    return _text(Fraction(base * (1_000 + per_mille), 1_000))


@st.composite
def _index_fields(draw: st.DrawFn, base: int) -> dict[str, object]:
    """The index of a ``mark_price`` input: ``index`` stated, or ``index_sources`` and a rule.

    Sources ``s0``.. are 1 to 4 core prices within 1% of ``base`` (weights 1 to 3, or the
    default), and optionally a stale source (read beyond ``max_age``) and an outlier (30% to
    50% away). Every draw leaves at least ``min_sources`` usable sources: ``max_deviation``
    (5% or 10%) keeps every core price (their spread, 2%, is inside it) and drops the
    outlier; an outlier joins a lone core price only without ``max_deviation`` (two prices
    alone are equally far from their median: both would go). Shrinks towards a stated index.
    """
    if not draw(st.booleans()):
        return {"index": str(base)}
    rule: dict[str, object] = {}
    method = _maybe(draw, st.sampled_from(("weighted_mean", "weighted_median")))
    if method is not None:
        rule["method"] = method
    deviation = _maybe(draw, st.sampled_from(("0.05", "0.1")))
    max_age = _maybe(draw, st.sampled_from((10, 60)))
    core = draw(st.lists(st.tuples(st.integers(-10, 10), _maybe_weight()), min_size=1, max_size=4))
    rows: list[tuple[str, str | None, int | None]] = [
        (_near(base, offset), weight, None) for offset, weight in core
    ]
    if max_age is not None:
        ages = draw(st.lists(st.integers(0, max_age), min_size=len(rows), max_size=len(rows)))
        rows = [(price, weight, age) for (price, weight, _), age in zip(rows, ages, strict=True)]
        if draw(st.booleans()):
            stale = max_age + draw(st.integers(1, 600))
            rows.append((_near(base, draw(st.integers(-300, 300))), None, stale))
    if (deviation is None or len(core) >= 2) and draw(st.booleans()):
        away = draw(st.integers(300, 500)) * draw(st.sampled_from((1, -1)))
        rows.append((_near(base, away), None, 0 if max_age is not None else None))
    sources: list[dict[str, object]] = []
    for position, (price, weight, age) in enumerate(rows):
        source: dict[str, object] = {"source": f"s{position}", "price": price}
        if weight is not None:
            source["weight"] = weight
        if age is not None:
            source["ts"] = _iso(_NOW - timedelta(seconds=age))
        sources.append(source)
    if deviation is not None:
        rule["max_deviation"] = deviation
    if max_age is not None:
        rule["max_age"] = str(max_age)
    minimum = _maybe(draw, st.integers(1, len(core)))
    if minimum is not None:
        rule["min_sources"] = str(minimum)
    fields: dict[str, object] = {"index_sources": sources}
    if rule:
        fields["index_rule"] = rule
    if max_age is not None:
        fields["now"] = _iso(_NOW)
    return fields


def _maybe_weight() -> st.SearchStrategy[str | None]:
    """A source's weight, 1 to 3, or None (the default weight 1): never zero, so every
    kept source counts towards ``min_sources``."""
    return st.one_of(st.none(), st.integers(1, 3).map(str))


_MARK_METHODS = ("fair_price", "median_of_three", "oracle")
_FUNDING_INTERVALS = (3_600, 14_400, 28_800)


@st.composite
def mark_price_inputs(draw: st.DrawFn) -> dict[str, object]:
    """An input of the conformance op ``mark_price``, as JSON.

    A method of the three. ``fair_price`` and ``median_of_three``: an index of 1 to 100,000
    (stated, or from sources by :func:`_index_fields`: either index method, stale and outlier
    exclusion with ``ts`` and ``now``, ``min_sources``), a last funding rate of -0.075% to
    0.075% (millionths), a time until funding of 0 to the interval (whole seconds),
    optionally ``funding_interval`` (1, 4 or 8 hours; else 8). ``median_of_three`` adds a last
    price within 2% of the index and the basis as ``basis_average`` (-2% to 2% of the index)
    or 1 to 3 ``basis_samples`` (bid <= ask, near the index). ``oracle``: 1 to 5 prices
    ``v0``.. within 2% of one base, weights 0 to 3 or the default (never all zero). Shrinks
    towards ``fair_price`` with a stated index of 1, a zero rate, time 0, no options.
    """
    method = draw(st.sampled_from(_MARK_METHODS))
    base = draw(st.integers(1, 100_000))
    if method == "oracle":
        rows = draw(
            st.lists(
                st.tuples(st.integers(-20, 20), st.one_of(st.none(), st.integers(0, 3))),
                min_size=1,
                max_size=5,
            )
        )
        if all(weight == 0 for _, weight in rows):
            rows[0] = (rows[0][0], None)
        prices: list[dict[str, object]] = []
        for position, (offset, weight) in enumerate(rows):
            price: dict[str, object] = {"source": f"v{position}", "price": _near(base, offset)}
            if weight is not None:
                price["weight"] = str(weight)
            prices.append(price)
        return {"method": "oracle", "oracle_prices": prices}
    case_input: dict[str, object] = {"method": method, **draw(_index_fields(base))}
    interval = _maybe(draw, st.sampled_from(_FUNDING_INTERVALS))
    if interval is not None:
        case_input["funding_interval"] = str(interval)
    case_input["funding_rate"] = _text(Fraction(draw(st.integers(-750, 750)), 1_000_000))
    until = draw(st.integers(0, interval or _FUNDING_INTERVALS[-1]))
    case_input["time_until_funding"] = str(until)
    if method == "median_of_three":
        case_input["last_price"] = _near(base, draw(st.integers(-20, 20)))
        if draw(st.booleans()):
            samples = draw(
                st.lists(
                    st.tuples(st.integers(-10, 10), st.integers(-10, 10), st.integers(0, 10)),
                    min_size=1,
                    max_size=3,
                )
            )
            case_input["basis_samples"] = [
                {
                    "bid": _near(base, index + bid),
                    "ask": _near(base, index + bid + spread),
                    "index": _near(base, index),
                }
                for index, bid, spread in samples
            ]
        else:
            case_input["basis_average"] = _text(Fraction(base * draw(st.integers(-20, 20)), 1_000))
    return case_input


#: Daily interest indices (quote, base) of the two-rate form: BitMEX's 0.06% and 0.03%.
_DAILY_RATES = (("0.0006", "0.0003"), ("0.01", "0.0025"), ("0", "0"))


@st.composite
def _premium_fields(draw: st.DrawFn) -> dict[str, object]:
    """The premium of a ``funding_rate`` input: ``premium_index`` or ``premiums`` (each
    within +/-0.5%), or ``samples`` around an index of 1 to 100,000 (an impact bid within 1%
    of it, the ask 0 to 1% above the bid: a premium of at most 1% either way); with a list,
    optionally ``averaging``. Shrinks towards one stated premium of 0."""
    form = draw(st.sampled_from(("premium_index", "premiums", "samples")))
    if form == "premium_index":
        return {"premium_index": _text(Fraction(draw(st.integers(-5_000, 5_000)), 1_000_000))}
    fields: dict[str, object]
    if form == "premiums":
        values = draw(st.lists(st.integers(-5_000, 5_000), min_size=1, max_size=6))
        fields = {"premiums": [_text(Fraction(value, 1_000_000)) for value in values]}
    else:
        drawn = draw(
            st.lists(
                st.tuples(st.integers(1, 100_000), st.integers(-10, 10), st.integers(0, 10)),
                min_size=1,
                max_size=6,
            )
        )
        fields = {
            "samples": [
                {
                    "impact_bid": _near(index, bid),
                    "impact_ask": _near(index, bid + spread),
                    "index": str(index),
                }
                for index, bid, spread in drawn
            ]
        }
    averaging = _maybe(draw, st.sampled_from(("linear_weighted", "mean")))
    if averaging is not None:
        fields["averaging"] = averaging
    return fields


@st.composite
def funding_rate_inputs(draw: st.DrawFn) -> dict[str, object]:
    """An input of the conformance op ``funding_rate``, as JSON.

    The premium by :func:`_premium_fields`; the interest stated (0, 0.01% or -10 to 10
    millionths) or as daily quote and base rates with optionally ``intervals_per_day`` (1, 3,
    6 or 24); optionally ``clamp_bound`` (0, 0.05%, 0.1% or ``"none"``), ``scale`` (1/2, 1/8,
    1/24), ``cap`` (0.03% to 2%) and ``floor`` (-2% to -0.03%; never above the cap) each alone
    or together, and a ``position`` (either side, 1 to 1,000 contracts, optionally ``kind``
    and ``multiplier``, a mark of 1 to 100,000). Shrinks towards a premium of 0, an interest
    of 0, the default dampener, no position.
    """
    case_input: dict[str, object] = dict(draw(_premium_fields()))
    if draw(st.booleans()):
        quote, base = draw(st.sampled_from(_DAILY_RATES))
        case_input["interest_quote_rate"] = quote
        case_input["interest_base_rate"] = base
        intervals = _maybe(draw, st.sampled_from((1, 3, 6, 24)))
        if intervals is not None:
            case_input["intervals_per_day"] = str(intervals)
    else:
        interest = draw(st.one_of(st.integers(-10, 10), st.just(100)))
        case_input["interest_rate"] = _text(Fraction(interest, 1_000_000))
    bound = _maybe(draw, st.sampled_from(("0", "0.0005", "0.001", "none")))
    if bound is not None:
        case_input["clamp_bound"] = bound
    scale = _maybe(draw, st.sampled_from(("1/2", "1/8", "1/24")))
    if scale is not None:
        case_input["scale"] = scale
    cap = _maybe(draw, st.sampled_from(("0.0003", "0.0025", "0.0075", "0.02")))
    if cap is not None:
        case_input["cap"] = cap
    floor = _maybe(draw, st.sampled_from(("-0.0003", "-0.0025", "-0.0075", "-0.02")))
    if floor is not None:
        case_input["floor"] = floor
    if draw(st.booleans()):
        position: dict[str, object] = {
            "side": draw(st.sampled_from(("long", "short"))),
            "qty": str(draw(st.integers(1, 1_000))),
        }
        kind = _maybe(draw, st.sampled_from(("linear", "inverse")))
        if kind is not None:
            position["kind"] = kind
        multiplier = _maybe(draw, st.sampled_from(("1", "10", "100")))
        if multiplier is not None:
            position["multiplier"] = multiplier
        position["mark_price"] = str(draw(st.integers(1, 100_000)))
        case_input["position"] = position
    return case_input


#: The conformance ops that have an input strategy, for differential fuzzing.
OP_INPUTS: dict[str, st.SearchStrategy[dict[str, object]]] = {
    "position_prices": position_prices_inputs(),
    "liquidation_settlement": liquidation_settlement_inputs(),
    "adl_rank": adl_rank_inputs(),
    "adl_allocate": adl_allocate_inputs(),
    "socialized_loss": socialized_loss_inputs(),
    "replay": replay_inputs(),
    "mark_price": mark_price_inputs(),
    "funding_rate": funding_rate_inputs(),
}
