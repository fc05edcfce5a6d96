"""Mutation-found gaps in the engine's input steps (funding, withdrawals, margin transfers)."""

from __future__ import annotations

import dataclasses
from fractions import Fraction as F

import pytest
from engine_fixtures import (
    MARKET,
    TS,
    deposit,
    instrument,
    make_engine,
    setup_three_traders,
    trade,
)

from perpspec.reference.engine.inputs import compute_funding_payment
from perpspec.reference.engine.state import MarketState
from perpspec.reference.errors import SpecError
from perpspec.reference.events import (
    Event,
    FundingEvent,
    MarginTransferEvent,
    RejectionEvent,
    WithdrawalEvent,
)
from perpspec.reference.instrument import ContractKind, Instrument, make_tier_table

NO_MARK = "market: 'BTC-PERP' has no mark price yet"


def test_funding_before_the_first_mark_is_rejected_naming_the_market() -> None:
    """Funding is paid on the value at the mark: before the first mark there is none, and the
    input is rejected with the one-line reason naming the market."""
    engine = make_engine()
    engine.submit(instrument())
    out = engine.submit(FundingEvent(0, TS, MARKET, F("0.0001"), ()))
    rejection = out[-1]
    assert isinstance(rejection, RejectionEvent)
    assert rejection.reason == NO_MARK


def test_funding_payment_needs_a_mark() -> None:
    """The per-position payment refuses a market without a mark, with the same reason."""
    tiers = make_tier_table([F(0)], [F(1, 100)])
    market = MarketState(Instrument(MARKET, ContractKind.LINEAR, F(1), tiers), None)
    with pytest.raises(SpecError, match=f"^{NO_MARK}$"):
        compute_funding_payment(market, F(1), F("0.0001"))


def test_funding_event_is_stamped_with_the_next_sequence_number() -> None:
    """The funding input comes back stamped (with its payments) as the next ``seq``: after the
    setup's 9 inputs, the funding event is seq 10 and the engine's last stamp is 10."""
    engine = make_engine()
    setup_three_traders(engine)
    assert engine.state.seq == 9
    [funding] = engine.submit(FundingEvent(0, TS, MARKET, F("0.0001"), ()))
    assert isinstance(funding, FundingEvent)
    assert funding.seq == 10 == engine.state.seq
    assert len(funding.payments) == 4


def _rejection(out: list[Event]) -> str:
    rejection = out[-1]
    assert isinstance(rejection, RejectionEvent)
    return rejection.reason


def test_a_zero_margin_transfer_is_rejected_naming_the_amount() -> None:
    """A margin transfer moves a non-zero amount (+ in, - out): zero is refused, one line."""
    engine = make_engine()
    setup_three_traders(engine)
    out = engine.submit(MarginTransferEvent(0, TS, "alice", MARKET, F(0)))
    assert _rejection(out) == "amount: must not be zero"


def test_a_withdrawal_takes_what_the_wallet_can_spare_and_no_more() -> None:
    """Withdrawal rule: at most min(wallet, cross equity - cross IM), amount > 0.

    alice: 1,000, long 1 @ 20,000 at mark 20,000 (IM 20,000 / 100 = 200): she can take out
    min(1,000, 1,000 - 200) = 800; then nothing (the next 0.001 is refused, available 0).
    A non-positive amount is refused naming the field.
    """
    engine = make_engine()
    setup_three_traders(engine)
    out = engine.submit(WithdrawalEvent(0, TS, "alice", "USDT", F(-5)))
    assert _rejection(out) == "amount: must be > 0, found -5"
    out = engine.submit(WithdrawalEvent(0, TS, "alice", "USDT", F(800)))
    assert out[-1].TYPE == "withdrawal"
    assert engine.state.accounts["alice"].wallet["USDT"] == 200
    assert engine.state.withdrawals["USDT"] == 800
    out = engine.submit(WithdrawalEvent(0, TS, "alice", "USDT", F("0.001")))
    assert _rejection(out) == ("amount: withdrawal of 0.001 USDT would break margin (available 0)")


@pytest.mark.parametrize(
    ("event", "reason"),
    [
        (deposit("fees", 5), "account: 'fees' cannot receive deposits"),
        (trade("alice", "bob", "0", 20_000), "qty: must be > 0, found 0"),
        (trade("alice", "bob", "1", "20000.3"), "price: 20000.3 is not a multiple of 0.5"),
        (trade("bob", "bob", "1", 20_000), "seller: buyer and seller are the same account"),
        (
            dataclasses.replace(instrument(), market="ETH-PERP", multiplier=F(0)),
            "multiplier: must be > 0, found 0",
        ),
    ],
)
def test_bad_inputs_are_rejected_with_a_one_line_reason(event: Event, reason: str) -> None:
    """Each input's refusal names the field at fault; the rejection carries the input's
    timestamp."""
    engine = make_engine()
    setup_three_traders(engine)
    out = engine.submit(event)
    assert _rejection(out) == reason
    assert out[-1].ts == TS


def test_margin_cannot_leave_a_position_below_its_initial_margin() -> None:
    """dave: 1,000 into an isolated long 1 @ 20,000 (IM 20,000 / 100 = 200, uPnL 0 at the
    mark): taking out 900 would leave 100 < 200: refused; taking out 800 leaves exactly 200."""
    engine = make_engine()
    setup_three_traders(engine)
    for item in (
        deposit("dave", 1_000),
        MarginTransferEvent(0, TS, "dave", MARKET, F(1_000)),
        trade("dave", "mm", "1", 20_000),
    ):
        assert engine.submit(item)[-1].TYPE != "rejection"
    out = engine.submit(MarginTransferEvent(0, TS, "dave", MARKET, F(-900)))
    assert _rejection(out) == "amount: the position would fall below its initial margin"
    out = engine.submit(MarginTransferEvent(0, TS, "dave", MARKET, F(-800)))
    assert out[-1].TYPE == "margin_transfer"
    assert engine.state.accounts["dave"].positions[MARKET].isolated_margin == 200
