"""A ``balance`` is an engine input: one that holds passes through, one that does not is
refused with the wallet balance it should state (docs/ledger.md, ``balance``)."""

from __future__ import annotations

from fractions import Fraction as F

from engine_fixtures import TS, make_engine, setup_three_traders

from perpspec.reference.events import BalanceEvent, RejectionEvent


def test_a_true_balance_passes_and_a_false_one_is_refused() -> None:
    engine = make_engine()
    setup_three_traders(engine)
    # alice: deposit 1,000, bought 1 at 20,000 with no fee: wallet balance 1,000 (the uPnL at
    # the mark 20,000 is 0, and would be left out anyway).
    [passed] = engine.submit(BalanceEvent(0, TS, "alice", "USDT", F(1_000)))
    assert isinstance(passed, BalanceEvent)
    out = engine.submit(BalanceEvent(0, TS, "alice", "USDT", F(999)))
    assert isinstance(out[-1], RejectionEvent)
    assert out[-1].reason == "amount: the wallet balance is 1000"
