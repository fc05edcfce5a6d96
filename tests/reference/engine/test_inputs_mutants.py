"""Mutation-found gaps in the engine's input steps (funding)."""

from __future__ import annotations

from fractions import Fraction as F

import pytest
from engine_fixtures import MARKET, TS, instrument, make_engine, setup_three_traders

from perpspec.reference.engine.inputs import compute_funding_payment
from perpspec.reference.engine.state import MarketState
from perpspec.reference.errors import SpecError
from perpspec.reference.events import FundingEvent, RejectionEvent
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
