"""The audit on inverse markets, whose realized PnL in coin is rarely a multiple of the
settlement unit: the rounding dust (``split_realized``) is booked to ``fees`` and must be in
the audit's running totals, and the liquidation engine's own fills are never rounded."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import pytest

from perpspec.audit.run import AuditOptions, audit_events
from perpspec.cli import main
from perpspec.reference.engine.config import EngineConfig
from perpspec.reference.engine.exchange import Exchange
from perpspec.reference.events import (
    DepositEvent,
    InstrumentEvent,
    LiquidationEvent,
    MarkEvent,
    TierSpec,
    TradeEvent,
)
from perpspec.reference.profile import load_profile
from tests.audit.conftest import SimulatedLedger, write_with_config

TS = "2024-01-01T00:00:00Z"
UNIT = Fraction(1, 100)


def _inverse_round_trip() -> list[TradeEvent | InstrumentEvent | DepositEvent | MarkEvent]:
    """A opens long 1 at 3 against B, then closes at 4 against B.

    By hand (inverse uPnL ``q V (1/E - 1/P)``, V = 1): A realizes 1/3 - 1/4 = 1/12 coin,
    booked down to the unit 1/100 as 8/100 with dust 1/12 - 8/100 = 1/300 to ``fees``; B
    realizes -1/12, booked down as -9/100 with dust -1/12 + 9/100 = 1/150 to ``fees``.
    """
    tier = TierSpec(Fraction(0), Fraction(1, 100), Fraction(0), Fraction(10))
    return [
        InstrumentEvent(
            1, TS, "X-PERP", "inverse", Fraction(1), Fraction(1), Fraction(1), (tier,), "X", "BTC"
        ),
        DepositEvent(2, TS, "A", "BTC", Fraction(10)),
        DepositEvent(3, TS, "B", "BTC", Fraction(10)),
        MarkEvent(4, TS, "X-PERP", Fraction(3)),
        TradeEvent(5, TS, "X-PERP", "A", "B", Fraction(1), Fraction(3), Fraction(0), Fraction(0)),
        MarkEvent(6, TS, "X-PERP", Fraction(4)),
        TradeEvent(7, TS, "X-PERP", "B", "A", Fraction(1), Fraction(4), Fraction(0), Fraction(0)),
    ]


def test_realized_dust_sent_to_fees_keeps_conservation() -> None:
    events = _inverse_round_trip()
    report, auditor = audit_events(
        ((n, e) for n, e in enumerate(events, start=1)), "rt", AuditOptions(unit=UNIT)
    )
    assert report.violations == ()
    wallets = {a: auditor.book.get_cash(a, "BTC") for a in ("A", "B", "fees")}
    assert wallets == {
        "A": Fraction(10) + Fraction(8, 100),
        "B": Fraction(10) - Fraction(9, 100),
        "fees": Fraction(1, 300) + Fraction(1, 150),
    }


def test_system_accounts_book_realized_pnl_exactly() -> None:
    exchange = Exchange(EngineConfig(load_profile("seed-gate"), unit=UNIT))
    assert exchange.get_unit("trader-1") == UNIT
    for system in ("engine:X-PERP", "insurance:X", "fees", "system_loss"):
        assert exchange.get_unit(system) is None


def test_a_simulated_inverse_market_audits_clean(
    inverse_ledger: SimulatedLedger, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inverse = [
        event
        for event in inverse_ledger.events
        if isinstance(event, LiquidationEvent) and event.market == "BTCUSD-PERP"
    ]
    assert inverse, "the scenario must reach the waterfall on the inverse market"
    path = write_with_config(inverse_ledger, tmp_path / "inverse.jsonl")
    for extra in ([], ["--profile", "seed-gate"]):
        assert main(["audit", str(path), "--json", *extra]) == 0
        checks = json.loads(capsys.readouterr().out)["checks"]
        assert {c["id"]: c["violations"] for c in checks if c["violations"]} == {}
