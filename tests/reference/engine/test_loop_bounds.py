"""A bug must fail, not hang (issue 11, item 7): every loop a property drives is bounded.

The mark update repeats its liquidation rounds until nothing is liquidatable; its bound is
``1 + accounts x sum of the markets' tier counts`` (:func:`compute_round_bound`). A defect
that breaks the argument behind that bound, such as an ADL counterparty that is partly
consumed and never re-ranked, must end in :class:`LoopBoundError` at once, not run until the
test run is killed.
"""

from __future__ import annotations

import dataclasses
from fractions import Fraction as F

import pytest
from engine_fixtures import deposit, instrument, make_engine, mark, trade

from perpspec.reference.engine import exchange
from perpspec.reference.engine.engine import Engine
from perpspec.reference.engine.waterfall import compute_round_bound
from perpspec.reference.errors import LoopBoundError, SpecError
from perpspec.reference.events import AdlEvent, Event, LiquidationEvent
from perpspec.reference.simulation.generator import pick_weighted


def _two_longs_two_shorts() -> Engine:
    """seed-gate, an empty fund: a (1,000) and c (2,400) each buy 2.163 at 20,000, from b
    (1,700) and d (3,100). A crash to 17,660 takes both longs past bankruptcy; the book's
    bids (17,660 x 0.999 = 17,642.34) are below both bankruptcy prices and the fund cannot
    pay the deficit, so both remainders go to ADL."""
    engine = make_engine("seed-gate", depth=F("0.5"))
    for item in (
        instrument("BTC"),
        deposit("mm", 10**8),
        mark(20_000),
        deposit("a", 1_000),
        deposit("b", 1_700),
        deposit("c", 2_400),
        deposit("d", 3_100),
        trade("a", "b", "2.163", 20_000),
        trade("c", "d", "2.163", 20_000),
    ):
        assert engine.submit(item)[-1].TYPE != "rejection"
    return engine


def _adl_fills(events: list[Event]) -> list[tuple[str, str, F, F]]:
    """(liquidated account, counterparty, qty, price) of every ADL fill."""
    owner = {e.id: e.account for e in events if isinstance(e, LiquidationEvent)}
    return [
        (owner[e.liquidation], e.account, e.qty, e.price) for e in events if isinstance(e, AdlEvent)
    ]


def test_a_consumed_counterparty_is_re_ranked_before_the_next_remainder() -> None:
    """The correct run of the scenario, by hand.

    Bankruptcy prices (long: entry - wallet / qty, rounded up to the tick 0.5):
    a: 20,000 - 1,000 / 2.163 = 19,537.68... -> 19,538; c: 20,000 - 2,400 / 2.163 =
    18,890.43... -> 18,890.5. Ranking ``profit_ratio``: b and d are both short from 20,000,
    (20,000 - 17,660) / 20,000 = 0.117 each; equal sizes, so account id: b first. a's 2.163
    consumes b fully; b is re-ranked (flat: out of the queue), so c's 2.163 goes to d.
    """
    engine = _two_longs_two_shorts()
    out = engine.submit(mark(17_660))
    assert _adl_fills(out) == [
        ("a", "b", F("2.163"), F(19_538)),
        ("c", "d", F("2.163"), F("18890.5")),
    ]


def test_a_counterparty_never_re_ranked_raises_loop_bound_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The defect: the ADL queues never hear that an account changed, so b keeps its 2.163
    in the queue after a's remainder consumed it. c's remainder is then filled against b
    again and flips it long, a flipped b is liquidated and ADL'd against a stale queue in
    turn, and the rounds never end. The bound is 1 + 7 accounts (a, b, c, d, fees,
    insurance:BTC, mm) x 2 tiers = 15 rounds; the engine raises instead of answering with a
    rejection (the state is half-changed)."""
    engine = _two_longs_two_shorts()
    assert compute_round_bound(engine.exchange) == 1 + 7 * 2

    def touch_without_log(self: exchange.Exchange, account: str) -> None:
        self.dirty.add(account)

    monkeypatch.setattr(exchange.Exchange, "touch", touch_without_log)
    with pytest.raises(LoopBoundError, match=r"^mark BTC-PERP: liquidation rounds: not done "):
        engine.submit(mark(17_660))


def test_the_round_bound_counts_accounts_times_tiers() -> None:
    """Two markets of two tiers each (the fixture's table) and five accounts (a, b, c and
    the funds insurance:BTC and insurance:ETH that each instrument opens): 1 + 5 x 4 = 21."""
    engine = make_engine("seed-gate")
    ether = dataclasses.replace(instrument("ETH"), market="ETH-PERP")
    for item in (instrument("BTC"), ether, deposit("a", 1), deposit("b", 1), deposit("c", 1)):
        assert engine.submit(item)[-1].TYPE != "rejection"
    assert compute_round_bound(engine.exchange) == 1 + 5 * (2 + 2)


def test_loop_bound_error_is_a_one_line_spec_error() -> None:
    error = LoopBoundError.exceeded("loop", 3, "3 (why)")
    assert isinstance(error, SpecError)
    assert "\n" not in str(error)
    assert str(error).startswith("loop: not done after 3 iterations, the bound 3 (why)")


def test_pick_weighted_walks_the_cumulative_weights_once() -> None:
    """Weights [2, 3]: picks 0-1 fall in market 0, 2-4 in market 1; 5 is past the total."""
    assert [pick_weighted(pick, [2, 3]) for pick in range(5)] == [0, 0, 1, 1, 1]
    with pytest.raises(SpecError, match="beyond the total weight 5"):
        pick_weighted(5, [2, 3])
