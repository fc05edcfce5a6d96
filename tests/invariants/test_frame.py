"""``frame`` on every operation of the engine, and whole random ledgers of the strategies.

Issue: "for every operation of the engine, a rejected input leaves the state exactly as it
was (a frame property), and an accepted one changes only what its rule says". Two methods:

- an exhaustive table of invalid inputs, one or more per operation, each applied to one
  fixed state with positions, a mark and a funded fund: every one is rejected and the state
  is unchanged;
- random ledgers from :func:`perpspec.invariants.strategies.event_sequences` (linear and
  inverse instruments with drawn tier tables, under drawn profile variations): after every
  input the frame predicate and the state invariants hold, and the ledger replays.
"""

from __future__ import annotations

from collections import Counter
from fractions import Fraction as F

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perpspec.invariants.predicates import (
    find_frame_violations,
    find_liquidatable,
    find_reference_violations,
    find_seq_violations,
    find_state_violations,
    find_unsettled_liquidations,
)
from perpspec.invariants.strategies import TS, event_sequences, profile_variations
from perpspec.reference.engine.config import EngineConfig
from perpspec.reference.engine.engine import Engine, replay
from perpspec.reference.engine.liquidity import LiquidityModel
from perpspec.reference.events import (
    DepositEvent,
    Event,
    FundingEvent,
    InstrumentEvent,
    MarginTransferEvent,
    MarkEvent,
    RejectionEvent,
    TierSpec,
    TradeEvent,
    WithdrawalEvent,
)
from perpspec.reference.profile import Profile, load_profile

M = "BTC-PERP"
TIERS = (TierSpec(F(0), F(5, 1000), F(0), F(100)),)
INSTRUMENT = InstrumentEvent(0, TS, M, "linear", F(1), F(1, 2), F(1, 1000), TIERS, "main", "USDT")


def _trade(buyer: str, seller: str, qty: str, price: str = "20000", market: str = M) -> TradeEvent:
    return TradeEvent(0, TS, market, buyer, seller, F(qty), F(price), F(0), F(0))


def _engine(profile: Profile) -> Engine:
    book = LiquidityModel("mm", 3, F(1, 1000), F(2, 1000), F(1, 2), 0)
    return Engine(EngineConfig(profile, book))


def _fixed_state() -> Engine:
    """alice long 0.1 @ 20,000 (cross), bob short 0.1 isolated with 500, fund 100."""
    engine = _engine(load_profile("seed-gate"))
    for event in (
        INSTRUMENT,
        DepositEvent(0, TS, "alice", "USDT", F(1_000)),
        DepositEvent(0, TS, "bob", "USDT", F(1_000)),
        DepositEvent(0, TS, "mm", "USDT", F(10**6)),
        DepositEvent(0, TS, "insurance:main", "USDT", F(100)),
        MarkEvent(0, TS, M, F(20_000)),
        MarginTransferEvent(0, TS, "bob", M, F(500)),
        _trade("alice", "bob", "0.1"),
    ):
        out = engine.submit(event)
        assert not isinstance(out[-1], RejectionEvent), out[-1]
    return engine


# One or more invalid inputs per operation (the reason each is invalid, by its rule).
INVALID: list[tuple[str, Event]] = [
    ("instrument: market already defined", INSTRUMENT),
    (
        "instrument: unknown kind",
        InstrumentEvent(0, TS, "X", "quanto", F(1), F(1), F(1), TIERS, "f", "U"),
    ),
    (
        "instrument: tiers must start at 0",
        InstrumentEvent(
            0, TS, "X", "linear", F(1), F(1), F(1), (TierSpec(F(5), F(0), F(0), None),), "f", "U"
        ),
    ),
    (
        "instrument: tick <= 0",
        InstrumentEvent(0, TS, "X", "linear", F(1), F(0), F(1), TIERS, "f", "U"),
    ),
    ("deposit: zero amount", DepositEvent(0, TS, "alice", "USDT", F(0))),
    ("deposit: negative amount", DepositEvent(0, TS, "alice", "USDT", F(-1))),
    ("deposit: into fees", DepositEvent(0, TS, "fees", "USDT", F(1))),
    ("withdrawal: unknown account", WithdrawalEvent(0, TS, "ghost", "USDT", F(1))),
    ("withdrawal: zero amount", WithdrawalEvent(0, TS, "alice", "USDT", F(0))),
    ("withdrawal: beyond initial margin", WithdrawalEvent(0, TS, "alice", "USDT", F(1_000))),
    ("withdrawal: from a fund", WithdrawalEvent(0, TS, "insurance:main", "USDT", F(1))),
    ("mark: unknown market", MarkEvent(0, TS, "ETH-PERP", F(100))),
    ("mark: price zero", MarkEvent(0, TS, M, F(0))),
    ("trade: unknown market", _trade("alice", "bob", "0.1", market="ETH-PERP")),
    ("trade: qty not a lot multiple", _trade("alice", "bob", "0.0005")),
    ("trade: price off the tick", _trade("alice", "bob", "0.1", "20000.25")),
    ("trade: zero qty", _trade("alice", "bob", "0")),
    ("trade: unknown buyer", _trade("ghost", "bob", "0.1")),
    ("trade: self trade", _trade("alice", "alice", "0.1")),
    ("trade: system account", _trade("fees", "bob", "0.1")),
    ("trade: insufficient margin", _trade("alice", "mm", "10")),
    ("funding: unknown market", FundingEvent(0, TS, "ETH-PERP", F(1, 10_000), ())),
    ("margin_transfer: zero", MarginTransferEvent(0, TS, "bob", M, F(0))),
    ("margin_transfer: unknown account", MarginTransferEvent(0, TS, "ghost", M, F(1))),
    ("margin_transfer: into a cross position", MarginTransferEvent(0, TS, "alice", M, F(1))),
    (
        "margin_transfer: more than the isolated margin",
        MarginTransferEvent(0, TS, "bob", M, F(-501)),
    ),
    ("margin_transfer: below initial margin", MarginTransferEvent(0, TS, "bob", M, F(-490))),
    ("margin_transfer: unknown market", MarginTransferEvent(0, TS, "bob", "ETH-PERP", F(1))),
]


@pytest.mark.parametrize(("why", "event"), INVALID, ids=[why for why, _ in INVALID])
def test_every_operation_rejects_invalid_input_and_changes_nothing(why: str, event: Event) -> None:
    engine = _fixed_state()
    before = engine.state.clone()
    out = engine.submit(event)
    assert isinstance(out[-1], RejectionEvent), why
    assert out[-1].input == out[0].seq
    assert not find_frame_violations(before, engine.state, event, accepted=False)
    # the rejection consumed two sequence numbers: the stamped input and the rejection
    assert engine.state.seq == before.seq + 2


def test_the_invalid_table_covers_every_input_type() -> None:
    covered = {event.TYPE for _, event in INVALID}
    assert covered == {
        "instrument",
        "deposit",
        "withdrawal",
        "mark",
        "trade",
        "funding",
        "margin_transfer",
    }


def test_accepted_inputs_change_only_what_their_rule_says() -> None:
    # Hand computation: a deposit of 10 raises alice's cash by 10 and nothing else; a
    # transfer of 100 into bob's isolated margin moves cash inside bob's account only.
    engine = _fixed_state()
    for event in (
        DepositEvent(0, TS, "alice", "USDT", F(10)),
        MarginTransferEvent(0, TS, "bob", M, F(100)),
        _trade("alice", "mm", "0.01"),
        FundingEvent(0, TS, M, F(1, 10_000), ()),
        WithdrawalEvent(0, TS, "alice", "USDT", F(5)),
    ):
        before = engine.state.clone()
        out = engine.submit(event)
        assert not any(isinstance(e, RejectionEvent) for e in out)
        assert not find_frame_violations(before, engine.state, event, accepted=True)
    assert engine.state.accounts["alice"].wallet["USDT"] == 1_000 + 10 - 5 - (
        # funding at 1 bp on alice's 0.11 BTC long at mark 20,000: 0.11 x 20,000 x 0.0001 = 0.22
        F(22, 100)
    )


def test_frame_predicate_sees_a_change() -> None:
    engine = _fixed_state()
    before = engine.state.clone()
    engine.state.accounts["alice"].wallet["USDT"] += 1
    event = DepositEvent(0, TS, "bob", "USDT", F(1))
    assert find_frame_violations(before, engine.state, event, accepted=False)
    assert find_frame_violations(before, engine.state, event, accepted=True)


SEEN: Counter[str] = Counter()


@settings(max_examples=max(settings().max_examples // 2, 10))
@given(profile_variations(), event_sequences(), st.just(SEEN))
def _run_random_ledger(profile: Profile, events: list[Event], seen: Counter[str]) -> None:
    engine = _engine(profile)
    ledger: list[Event] = []
    for event in events:
        before = engine.state.clone()
        out = engine.submit(event)
        ledger += out
        accepted = not any(isinstance(e, RejectionEvent) for e in out)
        seen[f"{event.TYPE}:{'accepted' if accepted else 'rejected'}"] += 1
        seen.update(e.TYPE for e in out[1:] if not isinstance(e, RejectionEvent))
        violations = find_frame_violations(before, engine.state, event, accepted)
        violations += find_state_violations(engine.state)
        violations += find_unsettled_liquidations(engine.state)
        if isinstance(event, MarkEvent) and accepted:
            violations += find_liquidatable(engine.state, profile.margin)
        assert not violations, [v.describe() for v in violations]
    assert not find_seq_violations(ledger) + find_reference_violations(ledger)
    assert replay(engine.exchange.config, ledger) == ledger


def test_random_ledgers_keep_frame_and_state_invariants() -> None:
    SEEN.clear()
    _run_random_ledger()
    wanted = [
        *(f"{kind}:accepted" for kind in ("instrument", "deposit", "trade", "mark", "funding")),
        *(f"{kind}:accepted" for kind in ("withdrawal", "margin_transfer")),
        *(f"{kind}:rejected" for kind in ("deposit", "trade", "withdrawal")),
        "liquidation",
    ]
    missing = [case for case in wanted if SEEN[case] == 0]
    assert not missing, f"no ledger reached: {missing} ({dict(SEEN)})"
