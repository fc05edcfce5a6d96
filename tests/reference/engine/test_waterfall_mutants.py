"""Mutation-found gaps in the waterfall (DESIGN, The waterfall).

Mostly the sizing of a partial liquidation (step 2b). The rule ``compute_partial_slice``
implements: the slice is the smallest positive multiple of the lot, below the position size,
whose removal leaves a rest that is not liquidatable (by the isolated condition
``M + uPnL - close fee <= MM``) and whose value lies in a lower tier than the position's; None
when no slice does. Removing a slice takes its share of the collateral with it, so the rest
keeps ``(1 - slice / size)`` of the collateral. The tests compare the function with that rule
taken literally (a minimum over every lot multiple) on a small grid, and pin the boundary
cases by hand. Then what the slice's margin leaves above the bankruptcy price (step 2c), and
the cycle a socialized charge is booked in (step 2e).
"""

from __future__ import annotations

import dataclasses
from fractions import Fraction as F
from itertools import product

import pytest
from engine_fixtures import MARKET as ENGINE_MARKET
from engine_fixtures import TS, deposit, instrument, make_engine, setup_three_traders, trade
from engine_fixtures import mark as engine_mark

from perpspec.reference.engine.accounts import (
    compute_position_upnl,
    is_position_isolated_liquidatable,
)
from perpspec.reference.engine.config import EngineConfig
from perpspec.reference.engine.engine import Engine
from perpspec.reference.engine.exchange import Exchange
from perpspec.reference.engine.liquidity import LiquidityModel, compute_book_fills
from perpspec.reference.engine.state import MarketState, PositionState
from perpspec.reference.engine.waterfall import compute_partial_slice
from perpspec.reference.events import (
    InsuranceEvent,
    LiquidationEvent,
    LiquidationFillEvent,
    MarginTransferEvent,
    MarkEvent,
    SocializedLossEvent,
)
from perpspec.reference.instrument import (
    ContractKind,
    Instrument,
    Tier,
    find_tier,
    make_tier_table,
)
from perpspec.reference.margin.pnl import compute_position_value
from perpspec.reference.margin.requirements import MaintenanceBasis
from perpspec.reference.prices.position_prices import MarginMode
from perpspec.reference.profile import MarginOptions, load_profile

# Four tiers; the maintenance amounts come from the recurrence c_n = floor_n (m_n - m_{n-1})
# + c_{n-1}: c_1 = 100 x 0.01 = 1, c_2 = 1 + 300 x 0.02 = 7, c_3 = 7 + 600 x 0.04 = 31.
TIERS = make_tier_table(
    [F(0), F(100), F(300), F(600)], [F(1, 100), F(2, 100), F(4, 100), F(8, 100)]
)
# The same floors and rates with published amounts off the recurrence (the engine takes a
# table's amounts as published): MM jumps up at 100 (1 -> 1.5) and 600 (13 -> 28) and down
# at 300 (5.5 -> 1).
PUBLISHED_TIERS = make_tier_table(
    [F(0), F(100), F(300), F(600)],
    [F(1, 100), F(2, 100), F(4, 100), F(8, 100)],
    [F(0), F(1, 2), F(11), F(20)],
)
MARK = MaintenanceBasis.MARK
ENTRY = MaintenanceBasis.ENTRY


def make_exchange(basis: MaintenanceBasis = MARK, close_fee_rate: F = F(0)) -> Exchange:
    """An exchange on a partial-liquidation profile with the given margin options."""
    profile = load_profile("seed-binance")
    profile = dataclasses.replace(profile, margin=MarginOptions(basis, close_fee_rate))
    return Exchange(EngineConfig(profile))


def make_market(
    mark: F | None,
    lot: F | None = F(1),
    kind: ContractKind = ContractKind.LINEAR,
    multiplier: F = F(1),
    tiers: tuple[Tier, ...] = TIERS,
) -> MarketState:
    inst = Instrument("X-PERP", kind, multiplier, tiers, None, lot, "main", "USDT")
    return MarketState(inst, mark)


def isolated(qty: F, entry: F, collateral: F) -> PositionState:
    return PositionState(qty, entry, MarginMode.ISOLATED, collateral)


def tier_index(ex: Exchange, market: MarketState, qty: F, entry: F) -> int:
    """Index of the tier holding the value of ``qty`` on the profile's maintenance basis."""
    inst = market.instrument
    assert market.mark is not None
    price = market.mark if ex.config.profile.margin.maintenance_basis is MARK else entry
    value = compute_position_value(inst.kind, qty, inst.multiplier, price)
    return inst.tiers.index(find_tier(inst.tiers, value))


def brute_force_slice(
    ex: Exchange, market: MarketState, position: PositionState, collateral: F
) -> F | None:
    """The rule taken literally: try every lot multiple below the size, smallest first."""
    lot = market.instrument.lot_size
    assert lot is not None
    options = ex.config.profile.margin
    size = abs(position.qty)
    current = tier_index(ex, market, size, position.entry_price)
    slice_qty = lot
    while slice_qty < size:
        share = 1 - slice_qty / size
        rest = isolated(position.qty * share, position.entry_price, collateral * share)
        lower = tier_index(ex, market, rest.qty, rest.entry_price) < current
        if lower and not is_position_isolated_liquidatable(
            market, rest, options.maintenance_basis, options.close_fee_rate
        ):
            return slice_qty
        slice_qty += lot
    return None


@pytest.mark.parametrize("basis", [MARK, ENTRY])
@pytest.mark.parametrize("tiers", [TIERS, PUBLISHED_TIERS], ids=["recurrence", "published"])
def test_partial_slice_is_the_smallest_safe_lot_multiple_in_a_lower_tier(
    tiers: tuple[Tier, ...], basis: MaintenanceBasis
) -> None:
    """The function against the literal rule, exhaustively on a stated grid.

    Grid: linear (multiplier 1) and inverse (multiplier 10,000) contracts; lot 1 or 1/2;
    2, 3, 5 or 8 lots long or short at entry 100; marks 90 and 112; close fee rate 0 or 1%;
    collateral 5 and 20, and for each tier j below the position's the four collaterals that
    put ``C + uPnL - fee - m_j value`` at -1, 0, 1/2 and 1 (the edges of the sizing
    formula). Values run from 90 (tier 0) to 896 (tier 3).
    """
    compared = found = 0
    for fee_rate in (F(0), F(1, 100)):
        ex = make_exchange(basis, fee_rate)
        for kind, lot, lots, side, mark in product(
            ContractKind, (F(1), F(1, 2)), (2, 3, 5, 8), (1, -1), (F(90), F(112))
        ):
            multiplier = F(1) if kind is ContractKind.LINEAR else F(10_000)
            market = make_market(mark, lot, kind, multiplier, tiers)
            qty = side * lots * lot
            entry = F(100)
            price = mark if basis is MARK else entry
            value = compute_position_value(kind, qty, multiplier, price)
            upnl = compute_position_upnl(market, isolated(qty, entry, F(0)))
            fee = compute_position_value(kind, qty, multiplier, mark) * fee_rate
            collaterals = {F(5), F(20)}
            for j in range(tier_index(ex, market, qty, entry)):
                for gap in (F(-1), F(0), F(1, 2), F(1)):
                    collaterals.add(gap - upnl + fee + tiers[j].mmr * value)
            for collateral in sorted(c for c in collaterals if c > 0):
                position = isolated(qty, entry, collateral)
                expected = brute_force_slice(ex, market, position, collateral)
                got = compute_partial_slice(ex, market, position, collateral)
                assert got == expected, (fee_rate, kind, lot, qty, mark, collateral)
                compared += 1
                found += expected is not None
    # the grid exercises both outcomes, many times
    assert compared > 500 and 100 < found < compared - 100


def test_partial_slice_hand_example() -> None:
    """Long 5 @ 100, mark 96, collateral 30, maintenance on the mark, no close fee.

    Value 5 x 96 = 480: tier 2 (300 <= 480 < 600), MM = 480 x 0.04 - 7 = 12.2; uPnL
    5 x (96 - 100) = -20, balance 30 - 20 = 10 <= 12.2: liquidatable.
    - slice 1: rest 4, value 384, still tier 2: not a lower tier.
    - slice 2: rest 3, value 288, tier 1: MM = 288 x 0.02 - 1 = 4.76; balance 3/5 x 10 = 6
      > 4.76: safe. The slice is 2.
    (For tier 1, C + uPnL - m_1 value = 10 - 9.6 = 0.4: a positive margin below 1.)
    """
    ex = make_exchange()
    market = make_market(F(96))
    assert compute_partial_slice(ex, market, isolated(F(5), F(100), F(30)), F(30)) == 2
    # the short mirror: short 5 @ 100, mark 104: value 520 (tier 2), MM 520 x 0.04 - 7 = 13.8,
    # balance 30 - 20 = 10. Slice 2: rest 3, value 312, still tier 2. Slice 3: rest 2,
    # value 208, tier 1, MM 4.16 - 1 = 3.16, balance 2/5 x 10 = 4 > 3.16: the slice is 3.
    market = make_market(F(104))
    assert compute_partial_slice(ex, market, isolated(F(-5), F(100), F(30)), F(30)) == 3


def test_partial_slice_when_a_lower_tier_margin_is_exactly_zero() -> None:
    """Long 6 @ 60, mark 60, collateral 7.2: value 360 (tier 2), MM 360 x 0.04 - 7 = 7.4,
    balance 7.2 <= 7.4: liquidatable.

    For tier 1, C + uPnL - m_1 value = 7.2 - 0.02 x 360 = 0: every rest in tier 1 is safe by
    its amount alone (balance (1 - a) x 7.2 against MM (1 - a) x 7.2 - 1). Slice 1 leaves
    5 x 60 = 300, on tier 2's floor (floors are inclusive): not lower. Slice 2 leaves 240
    (tier 1), MM 4.8 - 1 = 3.8 < balance 4/6 x 7.2 = 4.8: the slice is 2 (tier 0 would need
    slice 5: a rest of 1, value 60).
    """
    ex = make_exchange()
    market = make_market(F(60))
    assert compute_partial_slice(ex, market, isolated(F(6), F(60), F("7.2")), F("7.2")) == 2


def test_partial_slice_from_the_lowest_tier_with_a_positive_margin() -> None:
    """Long 5 @ 50, mark 48, collateral 13.4: value 240 (tier 1), MM 240 x 0.02 - 1 = 3.8,
    uPnL 5 x (48 - 50) = -10, balance 3.4 <= 3.8: liquidatable.

    Only tier 0 is lower: C + uPnL - m_0 value = 3.4 - 2.4 = 1. Slices 1 and 2 leave 192 and
    144 (tier 1); slice 3 leaves 2 x 48 = 96 (tier 0), MM 0.96, balance 2/5 x 3.4 = 1.36: the
    slice is 3.
    """
    ex = make_exchange()
    market = make_market(F(48))
    assert compute_partial_slice(ex, market, isolated(F(5), F(50), F("13.4")), F("13.4")) == 3


def test_partial_slice_skips_a_tier_one_lot_cannot_reach() -> None:
    """Long 3 @ 160, mark 150, collateral 40: value 450 (tier 2), MM 450 x 0.04 - 7 = 11,
    uPnL -30, balance 10 <= 11: liquidatable.

    One lot is worth 150 >= tier 1's floor 100, so no rest reaches tier 0; tier 1 still can:
    slice 1 leaves 300 (tier 2's floor, not lower), slice 2 leaves 150 (tier 1), MM
    3 - 1 = 2 < balance 10/3: the slice is 2.
    """
    ex = make_exchange()
    market = make_market(F(150))
    assert compute_partial_slice(ex, market, isolated(F(3), F(160), F(40)), F(40)) == 2


def test_partial_slice_under_published_amounts_past_a_hopeless_lowest_tier() -> None:
    """Published amounts (0, 1/2, 11, 20): a higher tier can forgive what tier 0 cannot.

    Long 7 @ 100, mark 100, collateral 7: value 700 (tier 3), MM 700 x 0.08 - 20 = 36,
    balance 7 <= 36: liquidatable. On tier 0's rate alone a rest keeps (1 - a) x (7 - 0.01 x
    700) = 0 against MM (1 - a) x 7: never safe there, but tier 2 remains.
    - slice 1: rest 6, value 600 (tier 3's floor): not lower.
    - slice 2: rest 5, value 500 (tier 2), MM 20 - 11 = 9, balance 5: not safe.
    - slice 3: rest 4, value 400, MM 16 - 11 = 5, balance 4: not safe.
    - slice 4: rest 3, value 300, MM 12 - 11 = 1, balance 3 > 1: the slice is 4.
    """
    ex = make_exchange()
    market = make_market(F(100), tiers=PUBLISHED_TIERS)
    assert compute_partial_slice(ex, market, isolated(F(7), F(100), F(7)), F(7)) == 4


def test_partial_slice_is_below_the_position_size() -> None:
    """Long 2 @ 100, mark 100: value 200 (tier 1). Slice 1 leaves 100, tier 1's floor: not
    lower; closing both lots is a full liquidation, not a slice: None, whatever the collateral.
    """
    ex = make_exchange()
    market = make_market(F(100))
    for collateral in (F(1), F(2), F(10)):
        position = isolated(F(2), F(100), collateral)
        assert compute_partial_slice(ex, market, position, collateral) is None


def test_no_slice_when_no_rest_can_be_safe() -> None:
    """Long 5 @ 100, mark 80, collateral 20: uPnL -100, balance -80. A rest keeps the share
    (1 - a) of a negative balance, never above its MM >= 0: None (full liquidation)."""
    ex = make_exchange()
    market = make_market(F(80))
    assert compute_partial_slice(ex, market, isolated(F(5), F(100), F(20)), F(20)) is None


def test_partial_slice_uses_the_entry_basis_and_the_close_fee() -> None:
    """Maintenance on the entry price and a 1% close fee reserved at the mark.

    Long 5 @ 100, mark 96, collateral 31: value on the entry 500 (tier 2), MM 500 x 0.04 - 7
    = 13; close fee 480 x 1% = 4.8; balance 31 - 20 - 4.8 = 6.2 <= 13: liquidatable.
    - slice 1: rest 4, value 400 (tier 2): not lower.
    - slice 2: rest 3, value 300: tier 2's floor, not lower (on the mark, 288, it would be).
    - slice 3: rest 2, value 200 (tier 1), MM 4 - 1 = 3; balance 2/5 x 6.2 = 2.48 <= 3.
    - slice 4: rest 1, value 100 (tier 1), MM 2 - 1 = 1; balance 1.24 > 1: the slice is 4.
    Without the fee the balance would be 2/5 x 11 = 4.4 > 3 at slice 3.
    """
    ex = make_exchange(ENTRY, F(1, 100))
    market = make_market(F(96))
    assert compute_partial_slice(ex, market, isolated(F(5), F(100), F(31)), F(31)) == 4
    ex = make_exchange(ENTRY)
    assert compute_partial_slice(ex, market, isolated(F(5), F(100), F(31)), F(31)) == 3


def test_no_slice_without_a_lot_size_or_a_mark() -> None:
    """A slice is a lot multiple sized at the mark: without either there is none (full)."""
    ex = make_exchange()
    position = isolated(F(5), F(100), F(30))
    assert compute_partial_slice(ex, make_market(F(96), lot=None), position, F(30)) is None
    assert compute_partial_slice(ex, make_market(None), position, F(30)) is None


def test_isolated_partial_liquidation_hands_the_slices_margin_surplus_to_the_fund() -> None:
    """Partial isolated liquidation (seed-binance: partial, ``surplus_to = "insurance"``).

    dave: isolated margin 2,401, long 6 @ 20,000 (value 120,000: the upper tier, 1% and
    500). Mark 19,700: balance 2,401 - 1,800 = 601 <= MM 118,200 x 0.01 - 500 = 682. In the
    lower tier (0.5%, amount 0) 601 - 0.005 x 118,200 = 10 > 0, so the slice is the least lot
    (0.001) multiple with 118,200 (1 - a) < 100,000: 6a > 0.92386..., slice 0.924.
    Bankruptcy: 2,401 + 6 (P - 20,000) = 0 -> P = 19,599.833..., up to the 0.5 tick: 19,600.
    The slice realizes 0.924 x (19,600 - 20,000) = -369.6 from the isolated margin and takes
    its share 2,401 x 0.924 / 6 = 369.754 of it: what is left above the bankruptcy price,
    369.754 - 369.6 = 0.154, goes from the isolated margin to the fund. The rest keeps
    2,401 - 369.6 - 0.154 = 2,031.246 = 2,401 x 5.076 / 6; the wallet stays 0.
    """
    profile = load_profile("seed-binance")
    engine = make_engine(profile)
    setup_three_traders(engine)
    for item in (
        deposit("dave", "2401"),
        MarginTransferEvent(0, TS, "dave", ENGINE_MARKET, F(2_401)),
        trade("dave", "mm", "6", 20_000),
    ):
        assert engine.submit(item)[-1].TYPE != "rejection"
    out = engine.submit(engine_mark(19_700))
    [liquidation] = [e for e in out if isinstance(e, LiquidationEvent)]
    assert (liquidation.account, liquidation.qty) == ("dave", F("0.924"))
    assert liquidation.bankruptcy_price == 19_600
    margin_events = [
        e.amount for e in out if isinstance(e, InsuranceEvent) and e.reason == "liquidation_margin"
    ]
    assert margin_events == [F("0.154")]
    dave = engine.state.accounts["dave"]
    assert dave.positions[ENGINE_MARKET].qty == F("5.076")
    assert dave.positions[ENGINE_MARKET].isolated_margin == F("2031.246")
    assert dave.wallet["USDT"] == 0


def test_socialized_charges_are_labelled_with_their_cycle_start() -> None:
    """A socialized loss is charged in the settlement cycle holding the mark's time.

    seed-socialized's cycle is 8 hours from the epoch: a mark at 13:45 on 2026-01-01 falls in
    the cycle starting 08:00 that day. Setting as seed 000 (alice long 1 @ 20,000 with 1,000,
    mark 18,000, a fund too small): bob and carol are charged, each in that cycle.
    """
    engine = make_engine("seed-socialized")
    setup_three_traders(engine, fund="main")
    out = engine.submit(MarkEvent(0, "2026-01-01T13:45:00Z", ENGINE_MARKET, F(18_000)))
    charges = [e for e in out if isinstance(e, SocializedLossEvent)]
    assert sorted(e.account for e in charges) == ["bob", "carol"]
    assert {e.cycle for e in charges} == {"2026-01-01T08:00:00Z"}
    assert {e.ts for e in charges} == {"2026-01-01T13:45:00Z"}


def test_socialized_path_sweeps_the_book_at_the_marks_sequence_number() -> None:
    """The socialized-loss path closes the whole remainder "at a very poor price" (seed 000).

    Seed 000's setting (alice long 1 @ 20,000 with 1,000; fund 50; mark 18,000) with a
    shallow book: 3 levels of at most 0.3 each. Bankruptcy 19,000 against a best bid of
    18,000 x 0.999 = 17,982: the fund cannot pay a fill's deficit, so the whole 1 goes to the
    last resort. The sweep walks the book as it stands at the mark's sequence number (the
    liquidity model's depths for that ``seq``), level prices 18,000 x (1 - 0.001, 0.003,
    0.005) = 17,982, 17,946, 17,910, and fills what the levels cannot hold (at least
    1 - 3 x 0.3 = 0.1) at the last level's price, 17,910.
    """
    engine = make_engine("seed-socialized", depth=F("0.3"))
    setup_three_traders(engine, fund="main")
    out = engine.submit(engine_mark(18_000))
    fills = [(e.qty, e.price) for e in out if isinstance(e, LiquidationFillEvent)]
    assert sum(qty for qty, _ in fills) == 1
    assert [price for _, price in fills] == [F(17_982), F(17_946), F(17_910), F(17_910)]
    market = engine.state.markets[ENGINE_MARKET]
    book = compute_book_fills(
        engine.exchange.config.liquidity, market.instrument, F(18_000), F(1), True, out[0].seq
    )
    assert fills[:3] == [(fill.qty, fill.price) for fill in book]


def test_a_sweep_above_the_bankruptcy_price_credits_the_fund_for_that_liquidation() -> None:
    """A book too shallow but priced above the bankruptcy price: the sweep makes a surplus.

    seed-socialized (full liquidation, no fee, surplus to the fund), a book of one level at
    0.1% from the mark holding less than 0.005 (jittered, rounded down to the 0.001 lot, at
    least one lot). alice: 10 USDT, long 0.01 @ 20,000 (cross). Bankruptcy:
    10 + 0.01 (P - 20,000) = 0 -> 19,000. Mark 19,050: equity 10 - 9.5 = 0.5 <= MM
    0.01 x 19,050 x 0.005 = 0.9525: liquidatable. The level: 19,050 x 0.999 = 19,030.95,
    down to the 0.5 tick: 19,030.5. Its fill (less than 0.005) leaves a remainder for the
    last resort; the sweep fills it at the same last level's price. Every unit closes 30.5
    above the bankruptcy price: 0.01 x 30.5 = 0.305 to the fund in all, each movement
    naming the liquidation L1, and nothing is charged to anyone.
    """
    book = LiquidityModel(account="mm", levels=1, spread=F(1, 1000), spacing=F(0), depth=F("0.005"))
    engine = Engine(EngineConfig(load_profile("seed-socialized"), book))
    for item in (
        instrument("main"),
        deposit("alice", 10),
        deposit("bob", 100_000),
        deposit("mm", 10**9),
        deposit("insurance:main", 50),
        engine_mark(20_000),
        trade("alice", "bob", "0.01", 20_000),
    ):
        assert engine.submit(item)[-1].TYPE != "rejection"
    out = engine.submit(engine_mark(19_050))
    fills = [(e.qty, e.price) for e in out if isinstance(e, LiquidationFillEvent)]
    assert len(fills) >= 2 and {price for _, price in fills} == {F("19030.5")}
    assert sum(qty for qty, _ in fills) == F("0.01")
    surplus = [e for e in out if isinstance(e, InsuranceEvent)]
    assert {(e.reason, e.liquidation) for e in surplus} == {("liquidation_surplus", "L1")}
    assert sum(e.amount for e in surplus) == F("0.305")
    assert not [e for e in out if isinstance(e, SocializedLossEvent)]
    assert engine.state.accounts["insurance:main"].wallet["USDT"] == 50 + F("0.305")
