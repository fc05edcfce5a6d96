"""Mutation-found gaps in the engine's pure step (``apply``), the state copy it works on, and
the inputs replay reads back from a ledger."""

from __future__ import annotations

from fractions import Fraction as F

from engine_fixtures import (
    MARKET,
    TS,
    deposit,
    instrument,
    make_engine,
    mark,
    setup_three_traders,
)

from perpspec.reference.engine.engine import apply, get_inputs
from perpspec.reference.engine.state import ExchangeState
from perpspec.reference.events import FundingEvent, FundingPayment, InsuranceEvent, RejectionEvent


def _alice_wallet(state: ExchangeState) -> F:
    return state.accounts["alice"].wallet["USDT"]


def test_apply_steps_from_the_given_state_and_leaves_it_untouched() -> None:
    """``apply(config, state, event)`` is the step from ``state``, and ``state`` stays as it was.

    After the setup alice holds 1,000 USDT (cross, so all of it in the wallet) and the engine
    has stamped 9 inputs (seq 9). A deposit of 250 through ``apply``: the new state has
    1,000 + 250 = 1,250 and seq 10, the deposit itself stamped 10; the caller's state still
    has 1,000 and seq 9 (the values are compared with literals, not with a copy that could
    share the caller's objects).
    """
    engine = make_engine("seed-gate")
    setup_three_traders(engine)
    state = engine.state
    assert (_alice_wallet(state), state.seq) == (F(1_000), 9)
    after, events = apply(engine.exchange.config, state, deposit("alice", 250))
    assert [e.seq for e in events] == [10]
    assert (_alice_wallet(after), after.seq) == (F(1_250), 10)
    # the other accounts and the market come from the given state, not from an empty one
    assert after.accounts["bob"].positions[MARKET].qty == -1
    assert after.markets[MARKET].mark == 20_000
    assert (_alice_wallet(state), state.seq) == (F(1_000), 9)


def test_apply_of_a_mark_leaves_the_callers_market_and_positions_untouched() -> None:
    """A mark update that liquidates alice (seed 001's setting, mark 18,000) through ``apply``.

    alice is long 1 @ 20,000 with 1,000: at 18,000 her equity 1,000 - 2,000 < 0 is below MM,
    so the new state has her position closed; the caller's state keeps the mark 20,000 and
    her long 1.
    """
    engine = make_engine("seed-gate")
    setup_three_traders(engine)
    state = engine.state
    after, _ = apply(engine.exchange.config, state, mark(18_000))
    assert after.markets[MARKET].mark == 18_000
    assert after.accounts["alice"].positions[MARKET].qty == 0
    assert state.markets[MARKET].mark == 20_000
    assert state.accounts["alice"].positions[MARKET].qty == 1


def test_clone_is_independent_of_the_original() -> None:
    """``ExchangeState.clone`` is a deep copy: changing the clone's nested accounts, positions,
    markets or totals never shows in the original (``apply`` relies on it)."""
    engine = make_engine("seed-gate")
    setup_three_traders(engine)
    state = engine.state
    copy = state.clone()
    assert copy == state
    copy.accounts["alice"].wallet["USDT"] = F(7)
    copy.accounts["alice"].positions[MARKET].qty = F(5)
    copy.markets[MARKET].mark = F(1)
    copy.deposits["USDT"] = F(0)
    copy.accounts["zed"] = copy.accounts.pop("bob")
    assert _alice_wallet(state) == 1_000
    assert state.accounts["alice"].positions[MARKET].qty == 1
    assert state.markets[MARKET].mark == 20_000
    # deposits of the setup: 1,000 + 100,000 + 5,000 + 10^9 + 50 (the fund)
    assert state.deposits["USDT"] == 1_000 + 100_000 + 5_000 + 10**9 + 50
    assert "bob" in state.accounts and "zed" not in state.accounts


def test_get_inputs_strips_the_payments_of_a_funding_event() -> None:
    """A ledger's funding event carries the payments the engine computed; the input it was
    given had none, so the inputs of a ledger hold funding with an empty tuple of payments
    (and every other input unchanged, non-inputs dropped)."""
    paid = FundingEvent(7, TS, MARKET, F("0.0001"), (FundingPayment("alice", F(-2)),))
    other = deposit("alice", 5)
    insurance = InsuranceEvent(8, TS, "BTC", F(1), "liquidation_margin", "L1")
    inputs = get_inputs([other, paid, insurance])
    assert inputs == [other, FundingEvent(7, TS, MARKET, F("0.0001"), ())]
    funding = inputs[1]
    assert isinstance(funding, FundingEvent) and funding.payments == ()


def test_a_rejected_funding_is_stamped_with_no_payments() -> None:
    """A rejected input changes nothing (invariant ``frame``): a funding input refused (no mark
    yet) comes back stamped with an empty tuple of payments, whatever it carried, since
    nobody was paid."""
    engine = make_engine("seed-gate")
    engine.submit(instrument())
    carried = (FundingPayment("alice", F(-2)),)
    stamped, rejection = engine.submit(FundingEvent(0, TS, MARKET, F("0.0001"), carried))
    assert isinstance(rejection, RejectionEvent)
    assert isinstance(stamped, FundingEvent)
    assert stamped.payments == ()
    assert (stamped.seq, rejection.seq, rejection.input) == (2, 3, 2)
