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
from engine_fixtures import (
    TS,
    deposit,
    instrument,
    make_engine,
    make_profile,
    setup_three_traders,
    trade,
)
from engine_fixtures import mark as engine_mark

from perpspec.reference.adl.allocation import AllocationPolicy
from perpspec.reference.adl.fees import FeePolicy
from perpspec.reference.adl.ranking import ScoredPosition
from perpspec.reference.engine.accounts import (
    compute_position_upnl,
    is_position_isolated_liquidatable,
)
from perpspec.reference.engine.config import EngineConfig
from perpspec.reference.engine.engine import Engine
from perpspec.reference.engine.exchange import Exchange
from perpspec.reference.engine.liquidity import LiquidityModel, compute_book_fills
from perpspec.reference.engine.state import MarketState, PositionState
from perpspec.reference.engine.waterfall import compute_partial_slice, rank_counterparties
from perpspec.reference.events import (
    AdlEvent,
    FundingEvent,
    InstrumentEvent,
    InsuranceEvent,
    LiquidationEvent,
    LiquidationFillEvent,
    MarginTransferEvent,
    MarkEvent,
    SocializedLossEvent,
    TradeEvent,
)
from perpspec.reference.instrument import (
    ContractKind,
    Instrument,
    Tier,
    find_tier,
    make_tier_table,
)
from perpspec.reference.liquidation.settlement import Side
from perpspec.reference.margin.pnl import compute_position_value
from perpspec.reference.margin.requirements import MaintenanceBasis
from perpspec.reference.prices.position_prices import MarginMode
from perpspec.reference.profile import LiquidationMode, MarginOptions, load_profile
from perpspec.reference.socialized_loss.result import Denominator, SocializedLossMethod

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


# ---- the ADL queue the last resort ranks (step 2e) -------------------------------------


def _two_market_coincatch() -> Engine:
    """seed-coincatch (ADL ranked by ``pnl_times_leverage``) on the three traders, plus a
    second USDT market in which bob (cross) is short 1 ETH @ 1,000 to mm, marked at 1,100
    (bob's uPnL there: -100), and BTC marked at 19,800 (nobody liquidatable: alice's equity
    1,000 - 200 = 800 > MM 19,800 x 0.005 = 99)."""
    engine = make_engine("seed-coincatch")
    setup_three_traders(engine, fund="main")
    eth = dataclasses.replace(instrument("main"), market="ETH-PERP")
    for item in (
        eth,
        MarkEvent(0, TS, "ETH-PERP", F(1_000)),
        TradeEvent(0, TS, "ETH-PERP", "mm", "bob", F(1), F(1_000), F(0), F(0)),
        MarkEvent(0, TS, "ETH-PERP", F(1_100)),
        engine_mark(19_800),
    ):
        out = engine.submit(item)
        assert out[-1].TYPE != "rejection"
        assert not [e for e in out if isinstance(e, LiquidationEvent)]
    return engine


def test_adl_counterparties_are_the_opposite_side_scored_at_the_mark() -> None:
    """The ranking of step 2e: opposite-side traders only, each scored by the profile's
    formula on its own position at the current mark, a cross bankruptcy price counting the
    account's other positions' uPnL (DESIGN, ADL; ``pnl_times_leverage`` of seed 004:
    PnL% x leverage when PnL% > 0, else PnL% / leverage; leverage = |value(mark)| /
    (value(mark) - value(bankruptcy))).

    Against a liquidated long (the shorts, BTC mark 19,800, entry 20,000, PnL% = 200 / 20,000
    = 1/100 for both):
    - carol: short 0.5, wallet 5,000: bankruptcy 20,000 + 5,000 / 0.5 = 30,000; value(P) =
      -0.5 P, so leverage = 9,900 / (-9,900 + 15,000) = 9,900 / 5,100 = 33/17; score
      1/100 x 33/17 = 33/1,700.
    - bob: short 1, wallet 100,000 and -100 on ETH: bankruptcy 20,000 + 99,900 = 119,900;
      leverage = 19,800 / (119,900 - 19,800) = 19,800 / 100,100 = 18/91; score 18/9,100 =
      9/4,550 (without the ETH loss it would be 33/16,700).
    Against a liquidated short (the longs):
    - alice: long 1, wallet 1,000: bankruptcy 20,000 - 1,000 = 19,000; PnL% -1/100; leverage
      19,800 / 800 = 99/4; score -1/100 / (99/4) = -1/2,475.
    - mm: long 0.5 with 10^9 (and +100 on ETH) has no bankruptcy price above zero: no score,
      so it ranks after every scored position with the placeholder one below the lowest
      score, -1/2,475 - 1 = -2,476/2,475.
    """
    engine = _two_market_coincatch()
    ex = engine.exchange
    market = ex.state.markets[ENGINE_MARKET]
    assert rank_counterparties(ex, market, 1) == [
        ScoredPosition("carol", Side.SHORT, F(1, 2), F(33, 1_700)),
        ScoredPosition("bob", Side.SHORT, F(1), F(9, 4_550)),
    ]
    assert rank_counterparties(ex, market, -1) == [
        ScoredPosition("alice", Side.LONG, F(1), F(-1, 2_475)),
        ScoredPosition("mm", Side.LONG, F(1, 2), F(-2_476, 2_475)),
    ]


def test_pro_rata_adl_rounds_each_share_to_the_lot() -> None:
    """``adl.allocation = "pro_rata"``: every counterparty gives the same fraction, rounded
    down to the lot, the leftover lots in ranking order (adl/allocation.py).

    Seed 001's setting on seed-gate (mark 18,000: alice's 1 goes wholly to ADL at 19,000, see
    test_engine_examples). The shorts: bob 1 and carol 0.5, both at profit ratio 0.1, bob
    first by size. Fraction 1 / 1.5 = 2/3: bob 2/3 -> 0.666, carol 1/3 -> 0.333 (lot 0.001);
    the leftover 0.001 goes to bob: 0.667 and 0.333.
    """
    profile = load_profile("seed-gate")
    assert profile.adl is not None
    adl = dataclasses.replace(profile.adl, allocation=AllocationPolicy.PRO_RATA)
    engine = make_engine(dataclasses.replace(profile, adl=adl))
    setup_three_traders(engine)
    out = engine.submit(engine_mark(18_000))
    fills = [(e.account, e.qty, e.price, e.rank) for e in out if isinstance(e, AdlEvent)]
    assert fills == [("bob", F("0.667"), F(19_000), 1), ("carol", F("0.333"), F(19_000), 2)]


def test_the_liquidated_traders_adl_fee_comes_from_their_wallet() -> None:
    """``adl.fee_policy = "maker_taker"``: the liquidated trader pays the taker fee on each ADL
    fill, out of their cash as far as it goes (adl/fees.py; the engine never takes a trader
    below zero).

    seed-gate with a taker rate of 0.1%. dave: 3,000 deposited, 1,000 of it isolated margin
    for a long 1 @ 20,000 bought from bob; 2,000 stays in the wallet. Mark 18,000: the
    isolated balance 1,000 - 2,000 < 0; bankruptcy 1,000 + (P - 20,000) = 0 -> 19,000; the
    book's best bid 17,982 is a deficit of 1,018 > the fund's 50, so bob (short 2) takes the
    1 at 19,000. Fee: 19,000 x 0.001 = 19 from dave's wallet: 2,000 - 19 = 1,981; bob pays
    the maker rate 0; the fees account gets 19.
    """
    profile = load_profile("seed-gate")
    assert profile.adl is not None
    adl = dataclasses.replace(
        profile.adl, fee_policy=FeePolicy.MAKER_TAKER, taker_fee_rate=F(1, 1_000)
    )
    engine = make_engine(dataclasses.replace(profile, adl=adl))
    setup_three_traders(engine)
    for item in (
        deposit("dave", 3_000),
        MarginTransferEvent(0, TS, "dave", ENGINE_MARKET, F(1_000)),
        trade("dave", "bob", "1", 20_000),
    ):
        assert engine.submit(item)[-1].TYPE != "rejection"
    out = engine.submit(engine_mark(18_000))
    adl_fills = [(e.account, e.qty, e.price) for e in out if isinstance(e, AdlEvent)]
    assert ("bob", F(1), F(19_000)) in adl_fills
    liquidated = [e.account for e in out if isinstance(e, LiquidationEvent)]
    assert "dave" in liquidated
    state = engine.state
    assert state.accounts["dave"].wallet["USDT"] == 1_981
    assert state.accounts["fees"].wallet["USDT"] == 19


# ---- how the socialized-loss path shares a loss (step 2e) ------------------------------


def _socialized_engine(
    method: SocializedLossMethod = SocializedLossMethod.TOP_PROFIT,
    denominator: Denominator = Denominator.PARTICIPANTS,
) -> Engine:
    """seed-socialized (top_profit, participants) with its method or denominator changed, on
    the three traders."""
    profile = load_profile("seed-socialized")
    assert profile.socialized_loss is not None
    options = dataclasses.replace(profile.socialized_loss, method=method, denominator=denominator)
    engine = make_engine(dataclasses.replace(profile, socialized_loss=options))
    setup_three_traders(engine, fund="main")
    return engine


def test_haircut_ratio_writes_the_loss_off_against_positive_pnl() -> None:
    """``haircut_ratio``: the fund pays its share, the rest D is written off and every
    positive claim of the market is paid at h (docs/engine.md, the last resorts).

    Seed 000's setting (mark 18,000): the sweep sells 1 @ 17,982 against the bankruptcy price
    19,000, a loss of 1,018; the fund's share 20% = 203.6 is capped at its 50, so D = 968.
    Claims: bob +2,000, carol +1,000 (mm's long is at a loss). h = (3,000 - 968) / 3,000:
    bob charged 2,000 x 968/3,000 = 1,936/3, carol 968/3; exact, so nothing is left over.
    """
    engine = _socialized_engine(method=SocializedLossMethod.HAIRCUT_RATIO)
    out = engine.submit(engine_mark(18_000))
    assert out[-1].TYPE != "rejection"
    assert [(e.amount, e.reason) for e in out if isinstance(e, InsuranceEvent)] == [
        (F(-50), "socialized_loss")
    ]
    charges = {e.account: e.amount for e in out if isinstance(e, SocializedLossEvent)}
    assert charges == {"bob": F(1_936, 3), "carol": F(968, 3)}
    assert engine.state.accounts["system_loss"].wallet.get("USDT", F(0)) == 0
    assert engine.state.accounts["insurance:main"].wallet["USDT"] == 0


def test_open_interest_charges_follow_position_sizes() -> None:
    """``open_interest`` (Drift): the amount is spread over every open position of the market
    in proportion to its size, each charge naming the liquidation it pays for.

    Seed 000's setting, loss 1,018; the fund pays 20% = 203.6, capped at its 50: 968 to
    spread. Open positions after the sweep (alice's is closed): bob short 1, carol short 0.5,
    mm long 0.5 + 1 bought from the engine = 1.5; total 3. Charges 968 x 1/3, 968 x 0.5/3 =
    484/3, 968 x 1.5/3 = 484, all far below the accounts' equity.
    """
    engine = _socialized_engine(method=SocializedLossMethod.OPEN_INTEREST)
    out = engine.submit(engine_mark(18_000))
    charges = [e for e in out if isinstance(e, SocializedLossEvent)]
    assert {e.account: e.amount for e in charges} == {
        "bob": F(968, 3),
        "carol": F(484, 3),
        "mm": F(484),
    }
    assert {e.liquidations for e in charges} == {("L1",)}


def test_only_a_positive_upnl_is_a_profit_to_share_a_loss_with() -> None:
    """``top_profit`` with ``denominator = "all_profitable"`` (seed 000's literal text): the
    denominator is the profit of every profitable position, and a losing position has none.

    Seed 000's setting: bob +2,000 and carol +1,000 (shorts from 20,000 at 18,000); mm, long
    0.5 @ 20,000 and 1 @ 17,982, has uPnL -1,000 + 18 = -982: no profit. Denominator 3,000;
    the 968 left after the fund's 50: bob 968 x 2,000 / 3,000 = 1,936/3, carol 968/3.
    """
    engine = _socialized_engine(denominator=Denominator.ALL_PROFITABLE)
    out = engine.submit(engine_mark(18_000))
    charges = {e.account: e.amount for e in out if isinstance(e, SocializedLossEvent)}
    assert charges == {"bob": F(1_936, 3), "carol": F(968, 3)}


# ---- the order of a cross account's takeovers (step 2c) --------------------------------


def test_cross_positions_are_taken_over_largest_mm_first_on_the_profiles_basis() -> None:
    """A cross account's positions are taken over one by one, largest MM first (the MM on the
    profile's maintenance basis, seed-gate: the mark), each at the price where the account's
    equity would be zero if only that price moved; the wallet goes with the last one, and
    what it leaves above that bankruptcy price goes to the fund (``surplus_to``).

    dave: 400.3 USDT, long 1 BTC @ 20,000 and long 10 ETH @ 1,900 (cross, both bought from
    mm; one tier at 0.5%). ETH marked at 2,100 (uPnL +2,000), then BTC at 17,700 (uPnL
    -2,300): equity 400.3 + 2,000 - 2,300 = 100.3; MM on the mark: BTC 17,700 x 0.005 = 88.5,
    ETH 21,000 x 0.005 = 105, 193.5 >= 100.3: liquidatable. Largest MM first: ETH (105), then
    BTC (88.5); on the entry prices the order would be the other way (BTC 100, ETH 95).
    - ETH: collateral 400.3 - 2,300 (BTC's uPnL) = -1,899.7; -1,899.7 + 10 (P - 1,900) = 0
      -> P = 2,089.97, up to the 0.5 tick: 2,090. dave realizes 10 x 190 = +1,900: wallet
      2,300.3.
    - BTC, the last: collateral 2,300.3 -> P = 20,000 - 2,300.3 = 17,699.7, up: 17,700. It
      realizes -2,300; the wallet's 0.3 left above the bankruptcy price goes to the fund.
    """
    engine = make_engine("seed-gate")
    eth = dataclasses.replace(instrument(), market="ETH-PERP")
    for item in (
        instrument(),
        eth,
        deposit("dave", "400.3"),
        deposit("mm", 10**9),
        deposit("insurance:BTC", 50),
        engine_mark(20_000),
        MarkEvent(0, TS, "ETH-PERP", F(1_900)),
        trade("dave", "mm", "1", 20_000),
        TradeEvent(0, TS, "ETH-PERP", "dave", "mm", F(10), F(1_900), F(0), F(0)),
        MarkEvent(0, TS, "ETH-PERP", F(2_100)),
    ):
        out = engine.submit(item)
        assert out[-1].TYPE != "rejection"
        assert not [e for e in out if isinstance(e, LiquidationEvent)]
    out = engine.submit(engine_mark(17_700))
    taken = [
        (e.id, e.account, e.market, e.side, e.qty, e.bankruptcy_price)
        for e in out
        if isinstance(e, LiquidationEvent)
    ]
    assert taken == [
        ("L1", "dave", "ETH-PERP", "long", F(10), F(2_090)),
        ("L2", "dave", ENGINE_MARKET, "long", F(1), F(17_700)),
    ]
    margin = [
        (e.amount, e.liquidation)
        for e in out
        if isinstance(e, InsuranceEvent) and e.reason == "liquidation_margin"
    ]
    assert margin == [(F("0.3"), "L2")]
    assert engine.state.accounts["dave"].wallet["USDT"] == 0


def test_a_lone_cross_position_is_liquidated_partially() -> None:
    """Partial liquidation (seed-binance) of a cross account with one position: the slice as
    for an isolated position with the wallet as its collateral, taken over at the account's
    bankruptcy price with its share of the wallet.

    dave: 2,400 USDT cross, long 6 @ 20,000 (value 120,000: the upper tier, 1% and 500).
    Mark 19,700: equity 2,400 - 1,800 = 600 <= MM 118,200 x 0.01 - 500 = 682. As in
    test_engine_examples (partial liquidation) the slice is 0.924. Bankruptcy: 2,400 +
    6 (P - 20,000) = 0 -> 19,600. The slice realizes 0.924 x (-400) = -369.6 and takes its
    share 2,400 x 0.924 / 6 = 369.6 of the wallet: nothing is left above the bankruptcy price.
    dave keeps 5.076 and 2,400 - 369.6 = 2,030.4.
    """
    engine = make_engine(load_profile("seed-binance"))
    setup_three_traders(engine)
    for item in (deposit("dave", 2_400), trade("dave", "mm", "6", 20_000)):
        assert engine.submit(item)[-1].TYPE != "rejection"
    out = engine.submit(engine_mark(19_700))
    taken = [
        (e.account, e.qty, e.bankruptcy_price, e.margin_mode)
        for e in out
        if isinstance(e, LiquidationEvent)
    ]
    assert taken == [("dave", F("0.924"), F(19_600), "cross")]
    assert not [
        e for e in out if isinstance(e, InsuranceEvent) and e.reason == "liquidation_margin"
    ]
    dave = engine.state.accounts["dave"]
    assert dave.positions[ENGINE_MARKET].qty == F("5.076")
    assert dave.wallet["USDT"] == F("2030.4")


def open_alice_long(engine: Engine, market: InstrumentEvent, qty: str) -> None:
    """Seed 001's opening: alice 1,000 (cross), long ``qty`` @ 20,000 from bob; fund 50."""
    for item in (
        market,
        deposit("alice", 1_000),
        deposit("bob", 100_000),
        deposit("mm", 10**9),
        deposit("insurance:BTC", 50),
        engine_mark(20_000),
        trade("alice", "bob", qty, 20_000),
    ):
        assert engine.submit(item)[-1].TYPE != "rejection"


@pytest.mark.parametrize(
    ("tick", "liquidation_price"),
    [(F(1), F(19_096)), (F("0.5"), F("19095.5"))],
)
def test_the_recorded_prices_are_rounded_to_the_tick(tick: F, liquidation_price: F) -> None:
    """Seed 001 (alice: 1,000, long 1 @ 20,000, cross; mark 18,000): bankruptcy 19,000;
    liquidation 1,000 + P - 20,000 = 0.005 P -> P = 19,000 / 0.995 = 3,800,000/199 =
    19,095.47..., rounded up (a long) to the tick: 19,096 with tick 1, 19,095.5 with 0.5."""
    engine = make_engine("seed-gate")
    open_alice_long(engine, dataclasses.replace(instrument(), tick_size=tick), "1")
    out = engine.submit(engine_mark(18_000))
    [liquidation] = [e for e in out if isinstance(e, LiquidationEvent)]
    assert (liquidation.side, liquidation.bankruptcy_price) == ("long", F(19_000))
    assert liquidation.liquidation_price == liquidation_price


def test_the_settlement_values_fills_with_the_contract_multiplier() -> None:
    """Seed 004's surplus with contracts of 0.1 BTC (multiplier 1/10): the amounts are those of
    1 BTC, not of 10.

    seed-gate with a 0.1% liquidation fee. alice: 1,000, long 10 contracts @ 20,000 (1 BTC).
    Bankruptcy 1,000 + 10 x 0.1 (P - 20,000) = 0 -> 19,000. Mark 19,050: equity 1,000 - 950
    = 50 <= MM 19,050 x 0.005 = 95.25. The book (depth 20 x a jitter >= 1/2: at least 10 at
    the best level) buys all 10 at 19,050 x 0.999 = 19,030.95 -> 19,030.5: surplus 10 x 0.1
    x 30.5 = 30.5; fee 0.001 x 10 x 0.1 x 19,000 = 19 (below the surplus); the rest 11.5 to
    the fund.
    """
    engine = make_engine(make_profile("seed-gate", fee_rate=F("0.001")), depth=F(20))
    open_alice_long(engine, dataclasses.replace(instrument(), multiplier=F(1, 10)), "10")
    out = engine.submit(engine_mark(19_050))
    [liquidation] = [e for e in out if isinstance(e, LiquidationEvent)]
    assert (liquidation.bankruptcy_price, liquidation.fee) == (F(19_000), F(19))
    assert [(e.qty, e.price) for e in out if isinstance(e, LiquidationFillEvent)] == [
        (F(10), F("19030.5"))
    ]
    insurance = [(e.amount, e.reason) for e in out if isinstance(e, InsuranceEvent)]
    assert insurance == [(F(19), "liquidation_fee"), (F("11.5"), "liquidation_surplus")]


# ---- a trader below zero (step 2c) -----------------------------------------------------


@pytest.mark.parametrize(
    ("fund", "spread", "fund_after", "system_loss"),
    [(5_000, F(1, 1000), 3_249, 0), (50, F(0), 0, -1_700)],
)
def test_a_negative_leftover_is_made_whole_by_the_fund_then_system_loss(
    fund: int, spread: F, fund_after: int, system_loss: int
) -> None:
    """A position with no bankruptcy price is taken over at the mark; what the trader is then
    short of is made whole by the fund as far as it can pay, then by ``system_loss``, so no
    trader ends below zero (``no-negative-balance``).

    seed-gate. bob: 250 USDT, short 1 @ 20,000 (cross, mm buys). Mark 1,000: bob's uPnL
    +19,000. Funding at rate -21 (shorts pay): bob pays 1 x 1,000 x 21 = 21,000, wallet
    250 - 21,000 = -20,750. Mark 1,000 again: equity -20,750 + 19,000 = -1,750 <= MM:
    liquidatable. Bankruptcy: -20,750 - (P - 20,000) = 0 -> P = -750: none, so the position
    is taken over at the mark 1,000; bob realizes +19,000, wallet -1,750.
    - Fund 5,000, book 0.1% above the mark: the fund pays the 1,750 ("negative_balance");
      the engine buys the 1 back at 1,000 x 1.001 = 1,001 (on the tick), a deficit of 1 the
      fund also pays: 5,000 - 1,750 - 1 = 3,249, nothing to ``system_loss``.
    - Fund 50, book at the mark (spread 0): the fund pays its 50, ``system_loss`` the other
      1,700; the buy-back at 1,000 costs nothing more.
    bob ends at 0 either way.
    """
    book = LiquidityModel(account="mm", levels=3, spread=spread, spacing=F(2, 1000), depth=F(2))
    engine = Engine(EngineConfig(load_profile("seed-gate"), book))
    for item in (
        instrument(),
        deposit("bob", 250),
        deposit("mm", 10**9),
        deposit("insurance:BTC", fund),
        engine_mark(20_000),
        trade("mm", "bob", "1", 20_000),
        engine_mark(1_000),
        FundingEvent(0, TS, ENGINE_MARKET, F(-21), ()),
    ):
        out = engine.submit(item)
        assert out[-1].TYPE != "rejection"
        assert not [e for e in out if isinstance(e, LiquidationEvent)]
    assert engine.state.accounts["bob"].wallet["USDT"] == -20_750
    out = engine.submit(engine_mark(1_000))
    [liquidation] = [e for e in out if isinstance(e, LiquidationEvent)]
    assert (liquidation.id, liquidation.account, liquidation.bankruptcy_price) == (
        "L1",
        "bob",
        None,
    )
    made_whole = [
        (e.amount, e.liquidation)
        for e in out
        if isinstance(e, InsuranceEvent) and e.reason == "negative_balance"
    ]
    assert made_whole == [(F(-min(fund, 1_750)), "L1")]
    state = engine.state
    assert state.accounts["bob"].wallet["USDT"] == 0
    assert state.accounts["insurance:BTC"].wallet["USDT"] == fund_after
    assert state.accounts["system_loss"].wallet["USDT"] == system_loss


def test_a_partially_liquidated_trader_does_not_share_its_own_loss() -> None:
    """The socialized loss of a liquidation is shared by the other traders of the market: the
    liquidated account's remaining position is not among them (``list_sl_positions`` skips it).

    seed-socialized made partial, method ``open_interest`` (every open position pays by
    size), no fund balance, and a book 1% below the mark. dave: isolated 2,401, long 6 @
    20,000; mark 19,700: as in the partial test above the slice is 0.924 at the bankruptcy
    price 19,600 (the margin rule does not depend on the last resort). The book's best bid
    19,700 x 0.99 = 19,503 is below 19,600 and the fund holds nothing, so no fill executes
    and the whole slice is swept at a loss. dave keeps 5.076, which is not charged; the
    other open positions (alice, bob, carol, mm) are.
    """
    profile = load_profile("seed-socialized")
    assert profile.socialized_loss is not None
    profile = dataclasses.replace(
        profile,
        liquidation=dataclasses.replace(profile.liquidation, mode=LiquidationMode.PARTIAL),
        socialized_loss=dataclasses.replace(
            profile.socialized_loss, method=SocializedLossMethod.OPEN_INTEREST
        ),
    )
    book = LiquidityModel(account="mm", levels=3, spread=F(1, 100), spacing=F(2, 1000), depth=F(2))
    engine = Engine(EngineConfig(profile, book))
    for item in (
        instrument("main"),
        deposit("alice", 1_000),
        deposit("bob", 100_000),
        deposit("carol", 5_000),
        deposit("mm", 10**9),
        engine_mark(20_000),
        trade("alice", "bob", "1", 20_000),
        trade("mm", "carol", "0.5", 20_000),
        deposit("dave", "2401"),
        MarginTransferEvent(0, TS, "dave", ENGINE_MARKET, F(2_401)),
        trade("dave", "mm", "6", 20_000),
    ):
        assert engine.submit(item)[-1].TYPE != "rejection"
    out = engine.submit(engine_mark(19_700))
    taken = [(e.account, e.qty, e.bankruptcy_price) for e in out if isinstance(e, LiquidationEvent)]
    assert taken == [("dave", F("0.924"), F(19_600))]
    assert engine.state.accounts["dave"].positions[ENGINE_MARKET].qty == F("5.076")
    charged = {e.account for e in out if isinstance(e, SocializedLossEvent)}
    assert charged == {"alice", "bob", "carol", "mm"}
