"""A fund shared by markets of two settle assets (``insurance.scope = "shared"``, bybit, on a
linear USDT market and an inverse BTC one): an insurance entry is in its liquidation's settle
asset, never in the fund's first one, so a crash on both markets audits clean; an entry that
names no liquidation on such a fund leaves its asset unknown and is reported."""

from __future__ import annotations

from fractions import Fraction

import pytest

from perpspec.audit.report import AuditReport
from perpspec.audit.run import AuditOptions, audit_events
from perpspec.reference.events import Event, InsuranceEvent, LiquidationEvent
from perpspec.reference.profile import load_profile
from perpspec.reference.simulation.spec import BTC_PERP, BTCUSD_PERP
from tests.audit.conftest import SimulatedLedger, simulate


@pytest.fixture(scope="module")
def two_asset_ledger() -> SimulatedLedger:
    # bybit's one fund "main" backs BTC-PERP (USDT) and BTCUSD-PERP (BTC); crash, 20
    # accounts, 200 steps, seed 0
    return simulate("bybit", 0, 20, 200, (BTC_PERP, BTCUSD_PERP))


def _audit(events: list[Event], ledger: SimulatedLedger) -> tuple[AuditReport, set[str]]:
    options = AuditOptions(profile=load_profile("bybit"), unit=ledger.config.unit)
    report, auditor = audit_events(enumerate(events, start=1), "shared.jsonl", options)
    return report, set(auditor.series.funds)


def test_a_crash_on_two_settle_assets_with_one_fund_audits_clean(
    two_asset_ledger: SimulatedLedger,
) -> None:
    events = list(two_asset_ledger.events)
    liquidated = {e.id: e.market for e in events if isinstance(e, LiquidationEvent)}
    moved = {
        liquidated[e.liquidation] for e in events if isinstance(e, InsuranceEvent) and e.liquidation
    }
    assert moved == {"BTC-PERP", "BTCUSD-PERP"}, "the fund moves for both markets"
    report, funds = _audit(events, two_asset_ledger)
    assert [v.check for v in report.violations] == []
    # one balance line an asset in the HTML report's fund chart
    assert funds == {"main (BTC)", "main (USDT)"}


def test_an_entry_naming_no_liquidation_on_a_two_asset_fund_is_reported(
    two_asset_ledger: SimulatedLedger,
) -> None:
    events = list(two_asset_ledger.events)
    last = events[-1]
    stray = InsuranceEvent(last.seq + 1, last.ts, "main", Fraction(1), "top_up", None)
    report, _ = _audit([*events, stray], two_asset_ledger)
    assert [(v.check, v.seq, v.found) for v in report.violations] == [
        ("references", last.seq + 1, "fund 'main' of BTC, USDT, no liquidation")
    ]


def test_a_fund_left_with_less_than_one_unit_has_run_out() -> None:
    # drift on the same two markets, seed 0: the shared fund's BTC balance ends a liquidation
    # of BTCUSD-PERP (L3) below one settlement unit (10^-8 BTC) yet above zero. A payout
    # rounds down to the unit, so it can pay nothing: the engine books the loss to
    # system_loss with no entry, and the audit must read the fund as run out, not as a loss
    # left unbooked (liquidation-settled).
    ledger = simulate("drift", 0, 20, 200, (BTC_PERP, BTCUSD_PERP))
    options = AuditOptions(profile=load_profile("drift"), unit=ledger.config.unit)
    report, _ = audit_events(enumerate(ledger.events, start=1), "drift.jsonl", options)
    assert [v.check for v in report.violations] == []
