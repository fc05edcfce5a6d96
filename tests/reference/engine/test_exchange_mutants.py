"""Mutation-found gaps in the exchange's bookkeeping: re-indexing and realized-PnL dust."""

from __future__ import annotations

import dataclasses
from fractions import Fraction as F

from engine_fixtures import (
    MARKET,
    deposit,
    instrument,
    make_engine,
    mark,
    setup_three_traders,
    trade,
)

from perpspec.reference.engine.engine import Engine


def test_reindexing_replaces_an_accounts_entry_instead_of_adding_one() -> None:
    """Index rule: each re-index first drops the account's old entries, so a position sits in
    the index once, at its current liquidation price (no stale entry is ever read).

    alice (setup: long 1 @ 20,000, cross, the only cross position of her account) is indexed
    by price among the longs; a deposit of 500 re-indexes her: still one entry, and lower,
    since more collateral moves a long's liquidation price down.
    """
    engine = make_engine()
    setup_three_traders(engine)
    index = engine.exchange.index
    longs = index.markets[MARKET].longs
    [(before, who)] = [entry for entry in longs if entry[1] == "alice"]
    assert who == "alice"
    engine.submit(deposit("alice", 500))
    alice_entries = [entry for entry in longs if entry[1] == "alice"]
    assert len(alice_entries) == 1
    [(after, _)] = alice_entries
    assert after < before
    assert index.entries[("alice", MARKET)] == ("long", after)


def test_realized_dust_is_booked_to_fees() -> None:
    """Settlement-unit rule (DESIGN, Arithmetic): realized PnL is booked rounded DOWN to the
    unit and the dust goes to ``fees``, so conservation stays exact.

    Unit 0.01. dave buys 0.001 @ 20,000 from mm and sells it back @ 20,000.5. dave realizes
    0.001 x 0.5 = 0.0005, booked 0 (down to 0.01), dust 0.0005; mm realizes -0.0005, booked
    -0.01 (down), dust -0.0005 - (-0.01) = 0.0095. ``fees`` gets 0.0005 + 0.0095 = 0.01.
    """
    base = make_engine().exchange.config
    engine = Engine(dataclasses.replace(base, unit=F("0.01")))
    for item in (
        instrument(),
        deposit("dave", 1_000),
        deposit("mm", 10**9),
        mark(20_000),
        trade("dave", "mm", "0.001", 20_000),
        trade("mm", "dave", "0.001", "20000.5"),
    ):
        assert engine.submit(item)[-1].TYPE != "rejection"
    accounts = engine.state.accounts
    assert accounts["dave"].positions[MARKET].qty == 0
    assert accounts["dave"].wallet["USDT"] == 1_000
    assert accounts["mm"].wallet["USDT"] == 10**9 - F("0.01")
    assert accounts["fees"].wallet["USDT"] == F("0.01")
