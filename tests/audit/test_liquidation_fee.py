"""``liq-settlement``: the stated liquidation fee is the settlement rule's (``fee_rate`` on the
profile's ``fee_base`` over the walk's fills, capped by the walk's net surplus). seed-gate
charges 0, so a copy of it charging 0.5% is used; dydx-v4 charges 1.5% of the fills."""

from __future__ import annotations

import dataclasses
from fractions import Fraction
from pathlib import Path

import pytest

from perpspec.audit.mutations import insert_event
from perpspec.audit.run import AuditOptions, audit_events
from perpspec.reference.events import InsuranceEvent, LiquidationEvent
from perpspec.reference.profile import load_profile
from tests.audit.conftest import simulate

SEED_GATE = Path(__file__).parents[2] / "perpspec" / "profiles" / "seed-gate.toml"


@pytest.fixture(scope="module")
def fee_profile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    text = SEED_GATE.read_text(encoding="utf-8")
    assert text.count('\nfee_rate = "0"\n') == 1
    path = tmp_path_factory.mktemp("profile") / "gate-fee.toml"
    path.write_text(
        text.replace('\nfee_rate = "0"\n', '\nfee_rate = "0.005"\n').replace(
            'name = "seed-gate"', 'name = "gate-fee"'
        ),
        encoding="utf-8",
    )
    return path


def test_fees_as_the_engine_charges_them_are_clean_and_a_changed_one_is_not(
    fee_profile: Path,
) -> None:
    ledger = simulate(str(fee_profile), 0, 30, 200)
    events = list(ledger.events)
    charged = [i for i, e in enumerate(events) if isinstance(e, LiquidationEvent) and e.fee > 0]
    assert charged, "some liquidation ends with a surplus, so it pays a fee"
    options = AuditOptions(profile=load_profile(str(fee_profile)), unit=ledger.config.unit)

    def flagged() -> list[tuple[str, int]]:
        report, _ = audit_events(enumerate(events, start=1), "f", options)
        return [(v.check, v.line) for v in report.violations]

    assert flagged() == []
    index = charged[0]
    liquidation = events[index]
    assert isinstance(liquidation, LiquidationEvent)
    at = next(
        j
        for j, e in enumerate(events)
        if isinstance(e, InsuranceEvent)
        and e.reason == "liquidation_fee"
        and e.liquidation == liquidation.id
    )
    entry = events[at]
    assert isinstance(entry, InsuranceEvent)
    # seed-gate books the fee to the fund (fee_to = insurance). One unit of it relabelled as
    # surplus: the fund, the engine account and every other book are as before; only the
    # rule sees that the stated fee (at the liquidation), the fee entry and the surplus
    # entries (at theirs) are not the rule's.
    unit = Fraction(1, 10**8)
    events[index] = dataclasses.replace(liquidation, fee=liquidation.fee - unit)
    events[at] = dataclasses.replace(entry, amount=entry.amount - unit)
    relabelled = dataclasses.replace(entry, amount=unit, reason="liquidation_surplus")
    events, _ = insert_event(events, at + 1, relabelled)
    found = flagged()
    assert {check for check, _ in found} == {"liq-settlement"}
    assert {index + 1, at + 1, at + 2} <= {line for _, line in found}


def test_a_dydx_v4_crash_audits_clean_with_fees_to_the_fund_and_refunds() -> None:
    # dydx-v4: the 1.5% fee on the fills' notional goes to the fund (liquidation_fee entries),
    # what is left above bankruptcy stays with the trader (no liquidation_margin entry, no
    # liquidation_surplus), the fund pays deficits, deleveraging takes what it cannot.
    ledger = simulate("dydx-v4", 0, 30, 200)
    events = list(ledger.events)
    reasons = {e.reason for e in events if isinstance(e, InsuranceEvent)}
    assert "liquidation_fee" in reasons
    assert not reasons & {"liquidation_margin", "liquidation_surplus"}
    assert any(e.TYPE == "adl" for e in events)
    options = AuditOptions(profile=load_profile("dydx-v4"), unit=ledger.config.unit)
    report, _ = audit_events(enumerate(events, start=1), "dydx.jsonl", options)
    assert list(report.violations) == []
