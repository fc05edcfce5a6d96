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
    mark,
    setup_three_traders,
    trade,
)

from perpspec.reference.engine.engine import Engine
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
from perpspec.reference.prices.position_prices import MarginMode

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


def _unit_engine(unit: F) -> Engine:
    """The fixtures' engine (seed-gate, book "mm") with realized PnL booked in whole ``unit``s."""
    base = make_engine().exchange.config
    return Engine(dataclasses.replace(base, unit=unit))


def _accepted(engine: Engine, *items: Event) -> None:
    for item in items:
        out = engine.submit(item)
        assert out[-1].TYPE != "rejection", out[-1]


def _dave_and_mm(engine: Engine, dave: int | str) -> None:
    """One market at mark 20,000, dave with ``dave`` USDT, the book mm with 10^9."""
    _accepted(engine, instrument(), deposit("dave", dave), deposit("mm", 10**9), mark(20_000))


def test_a_flat_position_emptied_of_isolated_margin_returns_to_cross() -> None:
    """Margin transfer rule: a flat position whose isolated margin is taken out to zero is
    cross again (its next trade is margined from the wallet); one that keeps some isolated
    margin stays isolated.

    dave: 1,000 in, 1,000 out: flat with 0 left, cross. Then 2 in, 1 out: 1 left, isolated.
    """
    engine = make_engine()
    _dave_and_mm(engine, 1_000)
    position = engine.state.accounts["dave"]
    _accepted(engine, MarginTransferEvent(0, TS, "dave", MARKET, F(1_000)))
    assert position.positions[MARKET].mode is MarginMode.ISOLATED
    _accepted(engine, MarginTransferEvent(0, TS, "dave", MARKET, F(-1_000)))
    assert position.positions[MARKET].mode is MarginMode.CROSS
    assert position.positions[MARKET].isolated_margin == 0
    assert position.wallet["USDT"] == 1_000
    _accepted(engine, MarginTransferEvent(0, TS, "dave", MARKET, F(2)))
    _accepted(engine, MarginTransferEvent(0, TS, "dave", MARKET, F(-1)))
    assert position.positions[MARKET].mode is MarginMode.ISOLATED
    assert position.positions[MARKET].isolated_margin == 1


def test_closing_a_long_to_flat_passes_even_when_the_loss_exceeds_the_wallet() -> None:
    """Trade rule: only risk-increasing fills are checked against initial margin; a fill that
    closes a position to flat always passes.

    alice (setup: 1,000, long 1 @ 20,000, cross) sells her 1 to bob at 18,000: realized
    1 x (18,000 - 20,000) = -2,000, her wallet 1,000 - 2,000 = -1,000 and her position flat;
    bob closes his short 1 @ 20,000 and gains 2,000: 100,000 + 2,000 = 102,000.
    """
    engine = make_engine()
    setup_three_traders(engine)
    _accepted(engine, trade("bob", "alice", "1", 18_000))
    alice = engine.state.accounts["alice"]
    assert alice.positions[MARKET].qty == 0
    assert alice.wallet["USDT"] == -1_000
    assert engine.state.accounts["bob"].wallet["USDT"] == 102_000


def test_the_isolated_margin_check_counts_the_upnl_at_the_mark() -> None:
    """Trade rule: an isolated position that grows must keep isolated margin + uPnL at the
    mark >= its IM (value at the mark / 100 in the first tier).

    Mark 20,000. dave moves 1,000 into isolated margin and buys 1 @ 19,000: uPnL
    1 x (20,000 - 19,000) = +1,000, balance 1,000 + 1,000 = 2,000 >= IM 20,000 / 100 = 200:
    accepted. erin moves 100 in and buys 1 @ 21,000: uPnL 1 x (20,000 - 21,000) = -1,000,
    balance 100 - 1,000 = -900 < 200: refused.
    """
    engine = make_engine()
    _dave_and_mm(engine, 1_000)
    _accepted(
        engine,
        deposit("erin", 100),
        MarginTransferEvent(0, TS, "dave", MARKET, F(1_000)),
        MarginTransferEvent(0, TS, "erin", MARKET, F(100)),
        trade("dave", "mm", "1", 19_000),
    )
    assert engine.state.accounts["dave"].positions[MARKET].qty == 1
    out = engine.submit(trade("erin", "mm", "1", 21_000))
    assert _rejection(out) == "erin: insufficient margin for the trade (needs 200, has -900)"


def test_a_flip_is_margined_with_the_linear_realized_pnl() -> None:
    """Trade rule: a fill past flat realizes the closed part's PnL (linear: q V (P - E)) and
    the new side must meet IM with it.

    Mark 20,000. dave (1 USDT) buys 1 @ 19,000: uPnL +1,000, equity 1,001 >= IM 200. He sells
    2 @ 20,000: realized 1 x (20,000 - 19,000) = +1,000, wallet 1 + 1,000 = 1,001, short 1 @
    20,000 with uPnL 0: 1,001 >= IM 200, accepted. (Without the realized gain his 1 USDT
    could not carry the new short.)
    """
    engine = make_engine()
    _dave_and_mm(engine, 1)
    _accepted(engine, trade("dave", "mm", "1", 19_000), trade("mm", "dave", "2", 20_000))
    dave = engine.state.accounts["dave"]
    assert (dave.positions[MARKET].qty, dave.positions[MARKET].entry_price) == (F(-1), F(20_000))
    assert dave.wallet["USDT"] == 1_001


def test_a_flip_is_margined_with_the_realized_pnl_as_booked_in_units() -> None:
    """Trade rule with a settlement unit: realized PnL is booked rounded DOWN to the unit
    (a loss charged up), and the IM check of a flip sees it as it will be booked.

    Unit 1 USDT, mark 20,000. dave (1 USDT) buys 0.001 @ 20,000.5: equity
    1 + 0.001 x (20,000 - 20,000.5) = 0.9995 >= IM 0.001 x 20,000 / 100 = 0.2. He sells
    0.002 @ 20,000: realized 0.001 x (20,000 - 20,000.5) = -0.0005, booked -1 (down to the
    unit), wallet 1 - 1 = 0; short 0.001 @ 20,000 with uPnL 0 needs 0.2 > 0: refused. (The
    exact -0.0005 would have left 0.9995 and let it through.)
    """
    engine = _unit_engine(F(1))
    _dave_and_mm(engine, 1)
    _accepted(engine, trade("dave", "mm", "0.001", "20000.5"))
    out = engine.submit(trade("mm", "dave", "0.002", 20_000))
    assert _rejection(out) == "dave: insufficient margin for the trade (needs 0.2, has 0)"
