"""Simulated ledgers state balances (every ``balance_interval`` steps and after every
liquidation), so a re-priced trade, zero-sum between buyer and seller and so invisible to
conservation's totals, is caught by the ledger's own assertions."""

from __future__ import annotations

import dataclasses
import json
from fractions import Fraction
from pathlib import Path

import pytest

from perpspec.cli import main
from perpspec.reference.events import INPUT_TYPES, BalanceEvent, LiquidationEvent, TradeEvent
from tests.audit.conftest import SimulatedLedger, write_with_config


def test_statements_at_the_interval_and_after_liquidations(gate_ledger: SimulatedLedger) -> None:
    events = gate_ledger.events
    # 200 steps at the default interval 60: statements after steps 60, 120 and 180, one per
    # trader account (30 traders and the market maker: 31) in the one settle asset (USDT),
    # 3 * 31 = 93; plus one per liquidation (the liquidated account, USDT).
    liquidations = sum(isinstance(e, LiquidationEvent) for e in events)
    assert liquidations > 0
    assert sum(isinstance(e, BalanceEvent) for e in events) == 93 + liquidations
    # Each liquidated account is stated before the next other input (mark, trade, ...).
    for n, event in enumerate(events):
        if isinstance(event, LiquidationEvent):
            stated: set[str] = set()
            for later in events[n + 1 :]:
                if isinstance(later, BalanceEvent):
                    stated.add(later.account)
                elif later.TYPE in INPUT_TYPES:
                    break
            assert event.account in stated


def test_repriced_trade_is_caught_at_a_balance(
    gate_ledger: SimulatedLedger, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    events = list(gate_ledger.events)
    # The first trade between two traders (the market maker aside), one tick (1/10) dearer:
    # the buyer pays qty/10 more, the seller gets it, the totals do not move.
    index = next(
        n
        for n, e in enumerate(events)
        if isinstance(e, TradeEvent) and "market-maker" not in (e.buyer, e.seller)
    )
    trade = events[index]
    assert isinstance(trade, TradeEvent)
    events[index] = dataclasses.replace(trade, price=trade.price + Fraction(1, 10))
    path = write_with_config(gate_ledger, tmp_path / "t.jsonl", tuple(events))
    assert main(["audit", str(path), "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    found = [v for v in report["violations"] if v["check"] == "conservation"]
    assert found
    # Every one is at a balance record of the buyer or the seller, after the trade.
    for violation in found:
        record = events[violation["line"] - 1]
        assert isinstance(record, BalanceEvent)
        assert record.account in (trade.buyer, trade.seller)
        assert violation["line"] > index + 1
