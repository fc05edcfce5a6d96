"""The engine on small hand-worked markets (DESIGN, The waterfall; seeds 000, 001, 004)."""

from __future__ import annotations

import dataclasses
from fractions import Fraction as F

import pytest
from engine_fixtures import (
    TS,
    deposit,
    instrument,
    make_engine,
    make_profile,
    mark,
    of_type,
    setup_three_traders,
    trade,
)

from perpspec.invariants.predicates import find_adl_violations
from perpspec.reference.adl.allocation import FillPrice
from perpspec.reference.engine.accounts import compute_account_cash
from perpspec.reference.engine.engine import Engine, apply, replay
from perpspec.reference.events import (
    AdlEvent,
    FundingEvent,
    InsuranceEvent,
    LiquidationEvent,
    LiquidationFillEvent,
    MarginTransferEvent,
    RejectionEvent,
    SocializedLossEvent,
    WithdrawalEvent,
)
from perpspec.reference.liquidation.settlement import FeeBase, FeeTo, SurplusTo


def cash(engine: Engine, account: str) -> F:
    return compute_account_cash(engine.state.accounts[account], engine.state, "USDT")


def test_sequence_numbers_are_stamped_in_order() -> None:
    engine = make_engine()
    events = setup_three_traders(engine)
    assert [e.seq for e in events] == list(range(1, len(events) + 1))


def test_adl_when_the_fund_cannot_pay_seed001() -> None:
    """Seed 001: the fund is insufficient, so ADL closes the position at the bankruptcy price.

    alice: 1,000 cash, long 1 @ 20,000 cross. Bankruptcy: 1,000 + (P - 20,000) = 0 -> 19,000.
    Liquidation: 1,000 + P - 20,000 = 0.005 P -> P = 19,000 / 0.995 = 19,095.47..., rounded UP
    to the 0.5 tick: 19,095.5. Mark 18,000: the book's best bid is 18,000 x 0.999 = 17,982,
    a deficit of 19,000 - 17,982 = 1,018 > the fund's 50, so no fill executes and bob (the
    only opposite trader besides mm and carol; profit ratio (20,000 - 18,000) / 20,000 = 0.1,
    same as carol's and mm is long) takes the whole 1 at 19,000.
    """
    engine = make_engine("seed-gate")
    setup_three_traders(engine)
    out = engine.submit(mark(18_000))
    [liquidation] = of_type(out, "liquidation")
    assert isinstance(liquidation, LiquidationEvent)
    assert (liquidation.bankruptcy_price, liquidation.liquidation_price) == (
        F(19_000),
        F("19095.5"),
    )
    assert of_type(out, "liquidation_fill") == []
    adl = [e for e in of_type(out, "adl") if isinstance(e, AdlEvent)]
    # bob and carol tie on score 0.1; the larger position (bob, 1) ranks first and absorbs it.
    assert [(e.account, e.qty, e.price, e.rank) for e in adl] == [("bob", F(1), F(19_000), 1)]
    # bob closes his short at 19,000: +1,000 realized.
    assert cash(engine, "bob") == 101_000
    assert cash(engine, "alice") == 0
    assert cash(engine, "insurance:BTC") == 50


def test_fund_absorbs_a_fill_worse_than_bankruptcy() -> None:
    """Seed 001's short example mirrored: the fund pays the gap when it can.

    Fund 5,000. Mark 18,500: best bid 18,500 x 0.999 = 18,481.5 (on the 0.5 tick), 1 unit
    within depth. Deficit 19,000 - 18,481.5 = 518.5, paid by the fund: 5,000 - 518.5 = 4,481.5.
    """
    engine = make_engine("seed-gate")
    setup_three_traders(engine, fund_balance=5_000)
    out = engine.submit(mark(18_500))
    fills = [e for e in out if isinstance(e, LiquidationFillEvent)]
    assert [(f.qty, f.price, f.counterparty) for f in fills] == [(F(1), F("18481.5"), "mm")]
    insurance = [e for e in out if isinstance(e, InsuranceEvent)]
    assert [(e.amount, e.reason) for e in insurance] == [(F("-518.5"), "liquidation_deficit")]
    assert cash(engine, "insurance:BTC") == F("4481.5")
    assert of_type(out, "adl") == []


def test_surplus_above_bankruptcy_goes_to_the_fund_after_the_fee() -> None:
    """Seed 004: the remaining margin after the liquidation fee is injected into the fund.

    Mark 19,050 (at or below the liquidation price 19,095.5): best bid 19,050 x 0.999 =
    19,030.95 -> 19,030.5 (tick, down). Surplus 19,030.5 - 19,000 = 30.5. Fee rate 0.1% of the
    taken-over value at the bankruptcy price: 19,000 x 0.001 = 19, below the surplus, so the fee
    is 19 (to the fund, fee_to = insurance) and the rest 11.5 also goes to the fund.
    """
    profile = make_profile("seed-gate", fee_rate=F("0.001"))
    engine = make_engine(profile)
    setup_three_traders(engine)
    out = engine.submit(mark(19_050))
    [liquidation] = [e for e in out if isinstance(e, LiquidationEvent)]
    assert liquidation.fee == 19
    insurance = [(e.amount, e.reason) for e in out if isinstance(e, InsuranceEvent)]
    assert insurance == [(F(19), "liquidation_fee"), (F("11.5"), "liquidation_surplus")]
    assert cash(engine, "insurance:BTC") == 50 + 30.5


@pytest.mark.parametrize(
    ("fee_base", "fee_to", "fee", "fund_gain", "fees_gain"),
    [
        # The same market: one fill 1 @ 19,030.5, surplus 30.5, rate 0.1%. On the fill's
        # notional: 19,030.5 x 0.001 = 19.0305; to the fund, which also gets 30.5 - 19.0305 =
        # 11.4695: 30.5 in all.
        (FeeBase.FILL_NOTIONAL, FeeTo.INSURANCE, F("19.0305"), F("30.5"), F(0)),
        # On the mark value, 19,050 x 0.001 = 19.05, booked to `fees`: the fund gets only the
        # 30.5 - 19.05 = 11.45 left.
        (FeeBase.MARK_VALUE, FeeTo.FEES, F("19.05"), F("11.45"), F("19.05")),
    ],
)
def test_engine_charges_the_fee_on_the_profile_base_to_its_account(
    fee_base: FeeBase, fee_to: FeeTo, fee: F, fund_gain: F, fees_gain: F
) -> None:
    profile = make_profile("seed-gate", fee_rate=F("0.001"))
    options = dataclasses.replace(profile.liquidation, fee_base=fee_base, fee_to=fee_to)
    engine = make_engine(dataclasses.replace(profile, liquidation=options))
    setup_three_traders(engine)
    fees_before = cash(engine, "fees") if "fees" in engine.state.accounts else F(0)
    out = engine.submit(mark(19_050))
    [liquidation] = [e for e in out if isinstance(e, LiquidationEvent)]
    assert liquidation.fee == fee
    insurance = [(e.amount, e.reason) for e in out if isinstance(e, InsuranceEvent)]
    expected = [(fee, "liquidation_fee")] if fee_to is FeeTo.INSURANCE else []
    assert insurance == [*expected, (F("30.5") - fee, "liquidation_surplus")]
    assert cash(engine, "insurance:BTC") == 50 + fund_gain
    assert cash(engine, "fees") - fees_before == fees_gain


def test_surplus_to_trader_refunds_what_is_left() -> None:
    """dYdX v4 (``surplus_to = "trader"``): same market, the 11.5 after the fee goes to alice."""
    profile = make_profile("seed-gate", fee_rate=F("0.001"), surplus_to=SurplusTo.TRADER)
    engine = make_engine(profile)
    setup_three_traders(engine)
    engine.submit(mark(19_050))
    assert cash(engine, "alice") == F("11.5")
    assert cash(engine, "insurance:BTC") == 50 + 19


def test_socialized_loss_seed000() -> None:
    """Seed 000: the fund bears 20% (up to its balance), profitable positions the rest.

    Mark 18,000, depth >= 1 at the best level: the sweep sells 1 @ 17,982; loss
    19,000 - 17,982 = 1,018. The fund's share 20% = 203.6 exceeds its 50: it pays 50.
    The rest 968 goes to profits: bob +2,000 and carol +1,000 (shorts from 20,000); sorted by
    profit, bob alone is 2/3 < 90% of 3,000, so carol (crossing 90%) joins. Denominator
    "participants" = 3,000: bob 968 x 2/3 = 1,936/3, carol 968/3.
    """
    engine = make_engine("seed-socialized")
    setup_three_traders(engine, fund="main")
    out = engine.submit(mark(18_000))
    fills = [(e.qty, e.price) for e in out if isinstance(e, LiquidationFillEvent)]
    assert fills == [(F(1), F(17_982))]
    assert [(e.amount, e.reason) for e in out if isinstance(e, InsuranceEvent)] == [
        (F(-50), "socialized_loss")
    ]
    charges = {e.account: e.amount for e in out if isinstance(e, SocializedLossEvent)}
    assert charges == {"bob": F(1_936, 3), "carol": F(968, 3)}
    assert {e.cycle for e in out if isinstance(e, SocializedLossEvent)} == {TS}
    # everything was covered: nothing booked to system_loss.
    assert cash(engine, "system_loss") == 0


def test_rejections_leave_the_state_unchanged() -> None:
    """Bad inputs are answered with a reason and change nothing but the sequence number."""
    engine = make_engine()
    setup_three_traders(engine)
    cases = [
        (trade("nobody", "bob", "1", 20_000), "buyer: unknown account 'nobody'"),
        (deposit("alice", -5), "amount: must be > 0, found -5"),
        (mark(1).__class__(0, TS, "ETH-PERP", F(1)), "market: unknown market 'ETH-PERP'"),
        (trade("alice", "bob", "0.0005", 20_000), "qty: 0.0005 is not a multiple of 0.001"),
        # carol: 5,000 cash, short 0.5 @ 20,000; another 5 BTC needs 105,000 / 50 = 2,100 IM
        # on 5.5 BTC (value 110,000, tier 2: 50x) -> 2,200 > 5,000? no: passes; 30 BTC needs
        # 610,000 / 50 = 12,200 > 5,000: rejected.
        (trade("mm", "carol", "30", 20_000), "carol: insufficient margin"),
        (WithdrawalEvent(0, TS, "alice", "USDT", F(990)), "amount: withdrawal of 990 USDT"),
        (MarginTransferEvent(0, TS, "alice", "BTC-PERP", F(10)), "market: the position in"),
    ]
    for event, reason in cases:
        before = engine.state.clone()
        out = engine.submit(event)
        rejection = out[-1]
        assert isinstance(rejection, RejectionEvent), event
        assert rejection.reason.startswith(reason), rejection.reason
        assert rejection.input == out[0].seq
        after = engine.state.clone()
        after.seq = before.seq
        assert after == before


def test_funding_is_zero_sum() -> None:
    """Rate 0.0001 at mark 20,000: each long unit pays 2, each short unit receives 2."""
    engine = make_engine()
    setup_three_traders(engine)
    [funding] = engine.submit(FundingEvent(0, TS, "BTC-PERP", F("0.0001"), ()))
    assert isinstance(funding, FundingEvent)
    payments = {p.account: p.amount for p in funding.payments}
    assert payments == {"alice": F(-2), "bob": F(2), "carol": F(1), "mm": F(-1)}
    assert sum(payments.values()) == 0


def test_partial_liquidation_above_the_lowest_tier() -> None:
    """Partial mode (seed 004, Part Four, step 2): reduce just enough to be safe a tier down.

    dave: isolated margin 2,400 (the initial margin of 120,000 at the tier's 50x), long 6 @
    20,000: value 120,000 in the upper tier (1%, amount 500).

    Mark 19,700: balance 2,400 + 6 (19,700 - 20,000) = 600; MM = 118,200 x 0.01 - 500 = 682
    >= 600: liquidatable. In the lower tier (0.5%, amount 0) the rest of a slice a is safe when
    (1 - a)(600 - 0.005 x 118,200) = (1 - a) 9 > 0, always; it must also lie in that tier:
    118,200 (1 - a) < 100,000, so 6a > 6 x 18,200 / 118,200 = 0.92386...; the smallest lot
    (0.001) multiple above is 0.924. Check: the rest 5.076 is worth 99,997.2, MM 499.986,
    balance 2,400 x 5.076/6 + 5.076 x (-300) = 2,030.4 - 1,522.8 = 507.6 > 499.986.

    Mark 19,600: balance 0; the lower tier's test gives (1 - a)(0 - 0.005 x 117,600) < 0 for
    every slice with amount 0, so the whole 6 goes.
    """
    profile = make_profile("seed-binance")
    for price, expected in ((19_700, F("0.924")), (19_600, F(6))):
        engine = make_engine(profile)
        setup_three_traders(engine)
        for item in (
            deposit("dave", 2_400),
            MarginTransferEvent(0, TS, "dave", "BTC-PERP", F(2_400)),
            trade("dave", "mm", "6", 20_000),
        ):
            assert engine.submit(item)[-1].TYPE != "rejection"
        out = engine.submit(mark(price))
        taken = [e.qty for e in out if isinstance(e, LiquidationEvent) and e.account == "dave"]
        assert taken == [expected]


def test_apply_is_pure_and_replay_reproduces() -> None:
    engine = make_engine("seed-gate")
    ledger = setup_three_traders(engine)
    ledger += engine.submit(mark(18_000))
    state_before = engine.state.clone()
    state_after, events = apply(engine.exchange.config, engine.state, mark(17_000))
    assert engine.state == state_before
    assert state_after != state_before and events[0].TYPE == "mark"
    assert replay(engine.exchange.config, ledger) == ledger


def test_socialized_charges_in_whole_units() -> None:
    """With a settlement unit of 10^-8 (seed 000's market as above, loss share 968).

    The rule (perpspec/reference/socialized_loss/common.py): shares round down to the unit,
    bob 1,936/3 -> 645.33333333 and carol 968/3 -> 322.66666666, 967.99999999 in all; one
    unit at a time goes to the largest profit first until the total reaches 968 rounded down
    to the unit (968): bob 645.33333334. Nothing is left for system_loss.
    """
    engine = make_engine("seed-socialized")
    engine.exchange.config = dataclasses.replace(engine.exchange.config, unit=F(1, 10**8))
    setup_three_traders(engine, fund="main")
    out = engine.submit(mark(18_000))
    charges = {e.account: e.amount for e in out if isinstance(e, SocializedLossEvent)}
    assert charges == {"bob": F("645.33333334"), "carol": F("322.66666666")}
    assert cash(engine, "system_loss") == 0


def test_percolator_haircuts_positive_pnl_after_the_fund() -> None:
    """Percolator: the fund pays first, the rest is written off and every positive claim is
    paid floor(claim x h) (docs/profiles.md, percolator).

    Seed 000's market as above: bankruptcy 19,000, mark 18,000, no walk fill (its deficit
    1,018 exceeds the fund's 50); the sweep sells 1 @ 17,982, loss 1,018. The fund pays its
    50 (insurance_share 1), D = 968. Claims at 18,000: bob short 1 @ 20,000 +2,000, carol
    short 0.5 +1,000; mm (long 1.5 after the sweep) has none. h = (3,000 - 968) / 3,000 =
    254/375. With the unit 10^-8: bob paid floor(4,064/3) = 1,354.66666666, charged
    645.33333334; carol paid floor(2,032/3) = 677.33333333, charged 322.66666667. Charged
    968.00000001: the floor residue 0.00000001 stays with system_loss (seed-socialized, on the
    same loss, charges carol 322.66666666 and books nothing).
    """
    engine = make_engine("percolator")
    engine.exchange.config = dataclasses.replace(engine.exchange.config, unit=F(1, 10**8))
    setup_three_traders(engine, fund="main")
    out = engine.submit(mark(18_000))
    fills = [(e.qty, e.price) for e in out if isinstance(e, LiquidationFillEvent)]
    assert fills == [(F(1), F(17_982))]
    assert [(e.amount, e.reason) for e in out if isinstance(e, InsuranceEvent)] == [
        (F(-50), "socialized_loss")
    ]
    charges = {e.account: e.amount for e in out if isinstance(e, SocializedLossEvent)}
    assert charges == {"bob": F("645.33333334"), "carol": F("322.66666667")}
    assert cash(engine, "system_loss") == F(1, 10**8)
    assert cash(engine, "engine:BTC-PERP") == 0
    # the charges leave the claimants' cash: bob 100,000 - 645.33333334, carol 5,000 -
    # 322.66666667; alice was taken over at her bankruptcy price and the fund is empty
    assert cash(engine, "bob") == F("99354.66666666")
    assert cash(engine, "carol") == F("4677.33333333")
    assert cash(engine, "alice") == 0
    assert cash(engine, "insurance:main") == 0


def test_hyperliquid_adl_fills_at_the_mark_and_the_fund_then_system_loss_pays_the_gap() -> None:
    """Hyperliquid: ADL positions are "closed at the previous mark price against the now
    underwater user" (docs/profiles.md); the gap to the takeover price is a deficit.

    alice: 1,000 cash, long 1 @ 20,000 cross; close_fee_rate 0, so bankruptcy 1,000 + (P -
    20,000) = 0 -> 19,000 (as in seed 001). Mark 18,000: best bid 18,000 x 0.999 = 17,982, a
    deficit of 1,018 > the fund's 50, so no fill executes and ADL takes the whole 1.
    Ranking (entry / mark) x notional / account value, for shorts:
      carol: short 0.5, value 5,000 + 0.5 x 2,000 = 6,000: 10/9 x 9,000 / 6,000 = 5/3;
      bob: short 1, value 100,000 + 2,000 = 102,000: 10/9 x 18,000 / 102,000 = 10/51.
    Queue: carol 0.5 first (all of it), bob 0.5, both at the mark 18,000 (not 19,000).
    Gap: the engine took the long over at 19,000 and closes it at 18,000: (18,000 - 19,000)
    x 1 = -1,000. The fund pays its 50 (liquidation_deficit), system_loss the other 950.
    """
    engine = make_engine("hyperliquid")
    setup_three_traders(engine, fund="main")
    before = engine.state.clone()
    out = engine.submit(mark(18_000))
    # the invariant adl-price under the profile's rule, and under the bankruptcy rule (two
    # fills at 18,000, not 19,000)
    assert find_adl_violations(before, out, FillPrice.MARK) == []
    wrong = find_adl_violations(before, out, FillPrice.BANKRUPTCY)
    assert [(v.invariant, v.expected) for v in wrong] == [("adl-price", "19000")] * 2
    [liquidation] = of_type(out, "liquidation")
    assert isinstance(liquidation, LiquidationEvent)
    assert liquidation.bankruptcy_price == F(19_000)
    assert of_type(out, "liquidation_fill") == []
    adl = [e for e in of_type(out, "adl") if isinstance(e, AdlEvent)]
    assert [(e.account, e.qty, e.price, e.rank) for e in adl] == [
        ("carol", F("0.5"), F(18_000), 1),
        ("bob", F("0.5"), F(18_000), 2),
    ]
    deficits = [
        (e.amount, e.reason) for e in of_type(out, "insurance") if isinstance(e, InsuranceEvent)
    ]
    assert deficits == [(F(-50), "liquidation_deficit")]
    # carol: 5,000 + 0.5 x (20,000 - 18,000) = 6,000; bob realizes 0.5 x 2,000 = 1,000 and
    # keeps short 0.5 @ 20,000, whose uPnL (+1,000) is not cash.
    assert cash(engine, "carol") == 6_000
    assert cash(engine, "bob") == 101_000
    assert cash(engine, "alice") == 0
    assert cash(engine, "insurance:main") == 0
    assert cash(engine, "system_loss") == -950
    assert cash(engine, "engine:BTC-PERP") == 0
    # conservation: 1,000 + 100,000 + 5,000 + 50 before = 0 + 101,000 + 6,000 + 0 - 950 after
    assert engine.state.accounts["bob"].positions["BTC-PERP"].qty == F("-0.5")


def test_hyperliquid_adl_at_a_mark_above_bankruptcy_books_the_gain_to_the_fund() -> None:
    """The mirror: the mark is between the liquidation and the bankruptcy price, so closing at
    the mark gains against the takeover, and the gain goes to the fund (surplus_to insurance).

    alice as above (bankruptcy 19,000, liquidation 19,095.5); the fund holds 0. Mark 19,010:
    equity 1,000 - 990 = 10 < MM 0.005 x 19,010 = 95.05, so she is liquidated. Every bid is
    below 19,000 (the best 19,010 x 0.999 = 18,990.99), a deficit the empty fund cannot pay,
    so no fill executes and ADL takes the whole 1: carol 0.5 (score 20,000/19,010 x 9,505 /
    5,495) before bob 0.5 (20,000/19,010 x 19,010 / 100,990), both at 19,010.
    Gap: (19,010 - 19,000) x 1 = +10 to the fund (liquidation_surplus).
    carol: 5,000 + 0.5 x 990 = 5,495; bob: 100,000 + 0.5 x 990 = 100,495.
    Conservation: 1,000 + 100,000 + 5,000 + 0 = 106,000 = 0 + 100,495 + 5,495 + 10.
    """
    engine = make_engine("hyperliquid")
    setup_three_traders(engine, fund="main", fund_balance=0)
    assert cash(engine, "insurance:main") == 0
    out = engine.submit(mark(19_010))
    [liquidation] = of_type(out, "liquidation")
    assert isinstance(liquidation, LiquidationEvent)
    assert liquidation.bankruptcy_price == F(19_000)
    assert of_type(out, "liquidation_fill") == []
    adl = [e for e in of_type(out, "adl") if isinstance(e, AdlEvent)]
    assert [(e.account, e.qty, e.price) for e in adl] == [
        ("carol", F("0.5"), F(19_010)),
        ("bob", F("0.5"), F(19_010)),
    ]
    entries = [
        (e.amount, e.reason) for e in of_type(out, "insurance") if isinstance(e, InsuranceEvent)
    ]
    assert entries == [(F(10), "liquidation_surplus")]
    assert cash(engine, "carol") == 5_495
    assert cash(engine, "bob") == 100_495
    assert cash(engine, "alice") == 0
    assert cash(engine, "insurance:main") == 10
    assert cash(engine, "engine:BTC-PERP") == 0


def test_negative_balance_and_deficit_together_never_take_the_fund_below_zero() -> None:
    # fund-nonnegative when one takeover both makes a trader whole and leaves a deficit.
    # bob: deposit 250, short 1 @ 20,000; mark 1,000 (uPnL +19,000); funding at rate -21
    # charges the short 21 x 1 x 1,000 = 21,000, so his wallet is 250 - 21,000 = -20,750 and
    # his equity -20,750 + 19,000 = -1,750: no bankruptcy price, taken over at the mark.
    # Negative balance 1,750: the fund pays its 50, system_loss the other 1,700. The engine
    # buys the short back from the book at 1,000 x 1.001 = 1,001: a deficit of 1, which the
    # now empty fund cannot pay, so the 1 lot goes to ADL at the mark 1,000 (seed-gate).
    engine = make_engine("seed-gate")
    for item in (
        instrument(),
        deposit("bob", 250),
        deposit("mm", 10**9),
        deposit("insurance:BTC", 50),
        mark(20_000),
        trade("mm", "bob", "1", 20_000),
        mark(1_000),
        FundingEvent(0, TS, "BTC-PERP", F(-21), ()),
    ):
        engine.submit(item)
    out = engine.submit(mark(1_000))
    assert [(e.account, e.side) for e in out if isinstance(e, LiquidationEvent)] == [
        ("bob", "short")
    ]
    insurance = [(e.reason, e.amount) for e in out if isinstance(e, InsuranceEvent)]
    assert insurance == [("negative_balance", F(-50))]
    assert [(e.account, e.qty, e.price) for e in out if isinstance(e, AdlEvent)] == [
        ("mm", F(1), F(1000))
    ]
    assert cash(engine, "insurance:BTC") == 0
    assert cash(engine, "system_loss") == -1700
    assert cash(engine, "bob") == 0
