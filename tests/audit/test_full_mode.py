"""``liq-trigger`` under a profile that liquidates in full: a liquidation takes the whole
position (seed-gate: ``liquidation.mode = "full"``)."""

from __future__ import annotations

import dataclasses
from fractions import Fraction

from perpspec.audit.run import AuditOptions, audit_events
from perpspec.reference.events import InstrumentEvent, LiquidationEvent
from perpspec.reference.numbers import format_number
from perpspec.reference.profile import LiquidationMode, load_profile
from tests.audit.conftest import SimulatedLedger


def test_a_partial_takeover_under_a_full_mode_profile(gate_ledger: SimulatedLedger) -> None:
    profile = load_profile("seed-gate")
    assert profile.liquidation.mode is LiquidationMode.FULL
    events = list(gate_ledger.events)
    index = next(i for i, e in enumerate(events) if isinstance(e, LiquidationEvent))
    liquidation = events[index]
    assert isinstance(liquidation, LiquidationEvent)
    lot = next(
        e.lot_size
        for e in events
        if isinstance(e, InstrumentEvent) and e.market == liquidation.market
    )
    # One lot fewer taken over than the position held (which the untouched ledger takes).
    events[index] = dataclasses.replace(liquidation, qty=liquidation.qty - lot)
    options = AuditOptions(
        checks=frozenset({"liq-trigger"}), profile=profile, unit=Fraction(1, 10**8)
    )
    report, _ = audit_events(enumerate(events, start=1), "g", options)
    assert [(v.line, v.expected, v.found) for v in report.violations] == [
        (
            index + 1,
            f"qty {format_number(liquidation.qty)} (the whole position: profile seed-gate "
            "liquidates in full)",
            f"qty {format_number(liquidation.qty - lot)}",
        )
    ]
