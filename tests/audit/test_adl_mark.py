"""``adl-price`` under ``adl.fill_price = "mark"`` (hyperliquid: ADL positions are "closed at
the previous mark price against the now underwater user", docs/profiles.md): a simulated
crash audits clean with the profile, a fill moved off the mark is caught, and the same
ledger read under a bankruptcy-price profile is not clean."""

from __future__ import annotations

import dataclasses

import pytest

from perpspec.audit.mutations import MUTATIONS
from perpspec.audit.run import AuditOptions, audit_events
from perpspec.reference.adl.allocation import FillPrice
from perpspec.reference.events import AdlEvent, BalanceEvent, Event, LiquidationEvent
from perpspec.reference.profile import Profile, load_profile
from tests.audit.conftest import SimulatedLedger, simulate


@pytest.fixture(scope="module")
def hyperliquid_ledger() -> SimulatedLedger:
    # `perpspec simulate --profile hyperliquid --scenario crash --accounts 20 --steps 200
    # --seed 1`, in process
    return simulate("hyperliquid", 1, 20, 200)


def _checks(events: list[Event], profile: Profile, ledger: SimulatedLedger) -> list[str]:
    options = AuditOptions(profile=profile, unit=ledger.config.unit)
    report, _ = audit_events(enumerate(events, start=1), "hyperliquid.jsonl", options)
    return [v.check for v in report.violations]


def _adl_with_liquidation(events: list[Event]) -> list[tuple[AdlEvent, LiquidationEvent]]:
    liquidations = {e.id: e for e in events if isinstance(e, LiquidationEvent)}
    return [(e, liquidations[e.liquidation]) for e in events if isinstance(e, AdlEvent)]


def test_a_hyperliquid_crash_fills_adl_at_the_mark_and_audits_clean(
    hyperliquid_ledger: SimulatedLedger,
) -> None:
    events = list(hyperliquid_ledger.events)
    fills = _adl_with_liquidation(events)
    assert fills, "the crash reaches ADL"
    # every fill at its liquidation's stated mark; at least one mark differs from the
    # bankruptcy price, so a bankruptcy-price fill would be told apart
    assert all(fill.price == liq.mark_price for fill, liq in fills)
    assert any(liq.bankruptcy_price != liq.mark_price for _, liq in fills)
    assert _checks(events, load_profile("hyperliquid"), hyperliquid_ledger) == []


def test_a_fill_moved_off_the_mark_is_caught(hyperliquid_ledger: SimulatedLedger) -> None:
    # Without the stated balances, as in test_mutations: the moved fill's cash also reaches
    # the next balance assertion of its counterparty (a second witness, conservation).
    events = [e for e in hyperliquid_ledger.events if not isinstance(e, BalanceEvent)]
    mutated, seq = MUTATIONS["adl-price"](events)
    options = AuditOptions(profile=load_profile("hyperliquid"), unit=hyperliquid_ledger.config.unit)
    report, _ = audit_events(enumerate(mutated, start=1), "hyperliquid.jsonl", options)
    assert {v.check for v in report.violations} == {"adl-price"}
    assert report.violations[0].seq == seq


def test_mark_fills_under_a_bankruptcy_price_profile_are_caught(
    hyperliquid_ledger: SimulatedLedger,
) -> None:
    profile = load_profile("hyperliquid")
    assert profile.adl is not None
    bankruptcy = dataclasses.replace(
        profile, adl=dataclasses.replace(profile.adl, fill_price=FillPrice.BANKRUPTCY)
    )
    assert "adl-price" in _checks(list(hyperliquid_ledger.events), bankruptcy, hyperliquid_ledger)
