"""Mutation-found gaps in the liquidation index."""

from __future__ import annotations

from fractions import Fraction as F

from perpspec.reference.engine.index import LiquidationIndex


def test_removing_an_account_drops_its_entry_and_only_its_entry() -> None:
    """Index rule: ``remove_account`` drops the account's own (price, account) entry from its
    side of the market, leaving the others; a mark then no longer reaches it.

    Longs: ann at 18,000, bo at 19,000. After removing ann only bo is left, and a mark of
    18,000 (at or below both prices) crosses bo alone.
    """
    index = LiquidationIndex()
    index.add_price("ann", "M", "long", F(18_000))
    index.add_price("bo", "M", "long", F(19_000))
    index.remove_account("ann", ["M"], ["USDT"])
    assert index.markets["M"].longs == [(F(19_000), "bo")]
    assert ("ann", "M") not in index.entries
    assert index.candidates("M", "USDT", F(18_000)) == ["bo"]
