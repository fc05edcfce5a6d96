"""``liq-settlement``: the audit recomputes a liquidated trader's own settlement entries.

Small ledgers written by the engine on hand-worked markets (the seed-gate market of
``engine_fixtures``: linear, tick 0.5, book 0.1% from the mark). Every expected amount is
worked out below; each tamper (an entry deleted, its amount changed, booked to another fund)
must be flagged with ``liq-settlement`` at the tampered record's line, or at the liquidation's
when the entry is missing; an entry booked to another market's fund is ``references``'s, at its
line.

alice: 1,000.3 cash, long 1 @ 20,000 cross. Bankruptcy: 1,000.3 + (P - 20,000) = 0 ->
18,999.7, rounded up to the tick: 19,000. What she has left above it: 1,000.3 + (19,000 -
20,000) = 0.3, the ``liquidation_margin`` under surplus_to = insurance.
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from fractions import Fraction as F

from engine_fixtures import TS, deposit, instrument, make_engine, make_profile, mark, trade
from hypothesis import given, settings
from hypothesis import strategies as st

from perpspec.audit.mutations import insert_event
from perpspec.audit.run import AuditOptions, audit_events
from perpspec.reference.events import Event, FundingEvent, InsuranceEvent, LiquidationEvent
from perpspec.reference.liquidation.settlement import FeeBase, FeeTo, SurplusTo
from perpspec.reference.profile import Profile

CHECK = "liq-settlement"


def _profile(
    fee_rate: str = "0.001",
    fee_base: FeeBase = FeeBase.BANKRUPTCY_VALUE,
    fee_to: FeeTo = FeeTo.INSURANCE,
    surplus_to: SurplusTo = SurplusTo.INSURANCE,
) -> Profile:
    profile = make_profile("seed-gate", fee_rate=F(fee_rate), surplus_to=surplus_to)
    options = dataclasses.replace(profile.liquidation, fee_base=fee_base, fee_to=fee_to)
    return dataclasses.replace(profile, liquidation=options)


def _market_setup(fund_balance: int) -> list[Event]:
    # A second market with its own fund, so an entry can be booked to the wrong fund.
    return [
        instrument("BTC"),
        dataclasses.replace(instrument("ETH"), market="ETH-PERP"),
        deposit("mm", 10**9),
        deposit("insurance:BTC", fund_balance),
        deposit("insurance:ETH", 10_000),
        mark(20_000),
    ]


def _alice_ledger(profile: Profile, crash: int, fund_balance: int = 5_000) -> list[Event]:
    engine = make_engine(profile)
    events: list[Event] = []
    for item in (
        *_market_setup(fund_balance),
        deposit("alice", "1000.3"),
        deposit("bob", 100_000),
        trade("alice", "bob", "1", 20_000),
        mark(crash),
    ):
        events.extend(engine.submit(item))
    return events


def _flagged(events: list[Event], profile: Profile) -> set[tuple[str, int]]:
    report, _ = audit_events(enumerate(events, start=1), "f", AuditOptions(profile=profile))
    return {(v.check, v.line) for v in report.violations}


def _at(events: list[Event], reason: str) -> int:
    [index] = [
        i for i, e in enumerate(events) if isinstance(e, InsuranceEvent) and e.reason == reason
    ]
    return index


def _liquidation_at(events: list[Event]) -> int:
    [index] = [i for i, e in enumerate(events) if isinstance(e, LiquidationEvent)]
    return index


def _entry(events: list[Event], index: int) -> InsuranceEvent:
    event = events[index]
    assert isinstance(event, InsuranceEvent)
    return event


def _without(events: list[Event], index: int) -> list[Event]:
    return [e for i, e in enumerate(events) if i != index]


def _changed(events: list[Event], index: int, **changes: object) -> list[Event]:
    out = list(events)
    out[index] = dataclasses.replace(_entry(events, index), **changes)  # type: ignore[arg-type]  # fields by name
    return out


def _deficit_ledger() -> tuple[list[Event], Profile]:
    # Mark 18,500: the book's best bid 18,500 x 0.999 = 18,481.5, one fill of 1: a deficit of
    # 18,481.5 - 19,000 = -518.5 that the fund (5,000) pays; no fee on a deficit. Entries:
    # liquidation_margin +0.3, liquidation_deficit -518.5.
    profile = _profile()
    return _alice_ledger(profile, 18_500), profile


def _surplus_ledger() -> tuple[list[Event], Profile]:
    # Mark 19,050 (below the liquidation price 18,999.7 / 0.995 = 19,095.17 -> 19,095.5):
    # best bid 19,050 x 0.999 = 19,030.95 -> 19,030.5 (tick, down); surplus 30.5. Fee 0.1% of
    # the bankruptcy value 19,000 = 19 (< 30.5) to the fund; the fund's share 30.5 - 19 = 11.5.
    # Entries: liquidation_margin +0.3, liquidation_fee +19, liquidation_surplus +11.5.
    profile = _profile()
    return _alice_ledger(profile, 19_050), profile


def _negative_balance_ledger() -> tuple[list[Event], Profile]:
    # bob: 250 cash, short 1 @ 20,000; mark 1,000 (uPnL +19,000); funding at rate -21 charges
    # the short 21 x 1 x 1,000 = 21,000: wallet -20,750, equity -1,750, no bankruptcy price,
    # taken over at the mark. The fund (50) pays min(1,750, 50) = 50: negative_balance -50.
    profile = _profile()
    engine = make_engine(profile)
    events: list[Event] = []
    for item in (
        *_market_setup(50),
        deposit("bob", 250),
        trade("mm", "bob", "1", 20_000),
        mark(1_000),
        FundingEvent(0, TS, "BTC-PERP", F(-21), ()),
        mark(1_000),
    ):
        events.extend(engine.submit(item))
    return events, profile


def test_untampered_ledgers_pass() -> None:
    deficit, profile = _deficit_ledger()
    assert [(e.reason, e.amount) for e in deficit if isinstance(e, InsuranceEvent)] == [
        ("liquidation_margin", F("0.3")),
        ("liquidation_deficit", F("-518.5")),
    ]
    assert _flagged(deficit, profile) == set()
    surplus, profile = _surplus_ledger()
    assert [(e.reason, e.amount) for e in surplus if isinstance(e, InsuranceEvent)] == [
        ("liquidation_margin", F("0.3")),
        ("liquidation_fee", F(19)),
        ("liquidation_surplus", F("11.5")),
    ]
    assert _flagged(surplus, profile) == set()
    negative, profile = _negative_balance_ledger()
    assert [(e.reason, e.amount) for e in negative if isinstance(e, InsuranceEvent)] == [
        ("negative_balance", F(-50))
    ]
    assert _flagged(negative, profile) == set()


def test_margin_entry_deleted_changed_or_misfiled_is_caught() -> None:
    events, profile = _deficit_ledger()
    at, liquidation = _at(events, "liquidation_margin"), _liquidation_at(events)
    # Deleted: alice keeps 0.3, the fund misses it, every book still balances; only the
    # recomputation sees it, at the liquidation (the record that lacks its entry).
    assert _flagged(_without(events, at), profile) == {(CHECK, liquidation + 1)}
    assert (CHECK, at + 1) in _flagged(_changed(events, at, amount=F("0.2")), profile)
    assert ("references", at + 1) in _flagged(_changed(events, at, fund="ETH"), profile)


def test_negative_balance_entry_deleted_changed_or_misfiled_is_caught() -> None:
    events, profile = _negative_balance_ledger()
    at, liquidation = _at(events, "negative_balance"), _liquidation_at(events)
    assert (CHECK, liquidation + 1) in _flagged(_without(events, at), profile)
    assert (CHECK, at + 1) in _flagged(_changed(events, at, amount=F(-40)), profile)
    assert ("references", at + 1) in _flagged(_changed(events, at, fund="ETH"), profile)


def test_surplus_split_entry_deleted_changed_or_misfiled_is_caught() -> None:
    for events, profile, reason in (
        (*_surplus_ledger(), "liquidation_surplus"),
        (*_deficit_ledger(), "liquidation_deficit"),
    ):
        at, liquidation = _at(events, reason), _liquidation_at(events)
        amount = _entry(events, at).amount
        assert (CHECK, liquidation + 1) in _flagged(_without(events, at), profile)
        assert (CHECK, at + 1) in _flagged(_changed(events, at, amount=amount - 1), profile)
        assert ("references", at + 1) in _flagged(_changed(events, at, fund="ETH"), profile)


def test_refund_taken_by_the_fund_is_caught() -> None:
    # surplus_to = trader, fee on the fill to the fund (dYdX v4's choices): fee 0.001 x
    # 19,030.5 = 19.0305 (liquidation_fee); alice keeps her 0.3 and gets the refund 30.5 -
    # 19.0305 = 11.4695 (no entry). A liquidation_surplus of 11.4695 slipped in after the fee
    # entry moves the refund to the fund: every book balances, the split is wrong.
    profile = _profile(fee_base=FeeBase.FILL_NOTIONAL, surplus_to=SurplusTo.TRADER)
    events = _alice_ledger(profile, 19_050)
    assert [(e.reason, e.amount) for e in events if isinstance(e, InsuranceEvent)] == [
        ("liquidation_fee", F("19.0305"))
    ]
    assert _flagged(events, profile) == set()
    at = _at(events, "liquidation_fee")
    taken = dataclasses.replace(
        _entry(events, at), amount=F("11.4695"), reason="liquidation_surplus"
    )
    tampered, _ = insert_event(events, at + 1, taken)
    assert _flagged(tampered, profile) == {(CHECK, at + 2)}
    # And the margin she keeps, handed to the fund instead, is caught the same way.
    handed = dataclasses.replace(_entry(events, at), amount=F("0.3"), reason="liquidation_margin")
    tampered, _ = insert_event(events, at, handed)
    assert (CHECK, at + 1) in _flagged(tampered, profile)


def test_fee_amount_base_and_destination_are_checked() -> None:
    events, profile = _surplus_ledger()
    at, liquidation = _at(events, "liquidation_fee"), _liquidation_at(events)
    stated = events[liquidation]
    assert isinstance(stated, LiquidationEvent)
    # Amount: a stated fee of 18 with its entry 18 and the surplus 12.5 balances every book.
    cheaper = _changed(events, at, amount=F(18))
    cheaper = _changed(cheaper, _at(events, "liquidation_surplus"), amount=F("12.5"))
    cheaper[liquidation] = dataclasses.replace(stated, fee=F(18))
    assert (CHECK, liquidation + 1) in _flagged(cheaper, profile)
    # Base: on the fill's notional the fee is 0.001 x 19,030.5 = 19.0305, not 19; the fee
    # entry and the fund's share (30.5 - 19.0305 = 11.4695, not 11.5) are flagged too.
    on_fill = _profile(fee_base=FeeBase.FILL_NOTIONAL)
    surplus_at = _at(events, "liquidation_surplus")
    assert _flagged(events, on_fill) == {
        (CHECK, liquidation + 1),
        (CHECK, at + 1),
        (CHECK, surplus_at + 1),
    }
    # Destination: with fee_to = insurance a deleted fee entry leaves the fee in `fees` (the
    # books balance) and is caught at the liquidation; under fee_to = fees the entry is wrong.
    assert _flagged(_without(events, at), profile) == {(CHECK, liquidation + 1)}
    assert _flagged(events, _profile(fee_to=FeeTo.FEES)) == {(CHECK, at + 1)}
    assert ("references", at + 1) in _flagged(_changed(events, at, fund="ETH"), profile)


@settings(max_examples=40, deadline=timedelta(seconds=10))
@given(
    cash_tenths=st.integers(0, 9),
    crash=st.integers(1_800, 1_909).map(lambda tens: tens * 10),
    fee_rate=st.sampled_from(["0", "0.001", "0.01"]),
    fee_base=st.sampled_from(FeeBase),
    fee_to=st.sampled_from(FeeTo),
    surplus_to=st.sampled_from(SurplusTo),
)
def test_engine_entries_pass_and_a_deleted_entry_is_caught(
    cash_tenths: int,
    crash: int,
    fee_rate: str,
    fee_base: FeeBase,
    fee_to: FeeTo,
    surplus_to: SurplusTo,
) -> None:
    # Under any profile choice the engine's own entries are the rule's, and deleting any one
    # of the trader's settlement entries is caught at the liquidation (none of them balances
    # against another book: deleting it moves money between the trader, the fund, fees and the
    # engine account, and the recomputation names which).
    profile = _profile(fee_rate, fee_base, fee_to, surplus_to)
    engine = make_engine(profile)
    events: list[Event] = []
    for item in (
        *_market_setup(5_000),
        deposit("alice", f"1000.{cash_tenths}"),
        deposit("bob", 100_000),
        trade("alice", "bob", "1", 20_000),
        mark(crash),
    ):
        events.extend(engine.submit(item))
    assert _flagged(events, profile) == set()
    liquidations = [i for i, e in enumerate(events) if isinstance(e, LiquidationEvent)]
    entries = [
        i
        for i, e in enumerate(events)
        if isinstance(e, InsuranceEvent) and e.reason in ("liquidation_margin", "liquidation_fee")
    ]
    for index in entries:
        assert (CHECK, liquidations[0] + 1) in _flagged(_without(events, index), profile)
