"""The audit's teeth: every check flags the mutation made for it, at its record, alone.

Each operator of :data:`perpspec.audit.mutations.MUTATIONS` breaks one invariant of a valid
simulated ledger and keeps the others; the audit (with the ledger's profile) must report that
check id only, first at the seq the operator names.
"""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from perpspec.audit.mutations import MUTATIONS
from perpspec.audit.report import AuditReport
from perpspec.audit.run import DEFAULT_CHECKS, AuditOptions, audit_events
from perpspec.reference.events import BalanceEvent, Event
from perpspec.reference.profile import load_profile
from perpspec.reference.simulation.runner import SETTLEMENT_UNIT
from tests.audit.conftest import SimulatedLedger

SOCIALIZED_CHECKS = frozenset({"fund-first", "sl-cap", "sl-participants"})
#: Checks of the trigger: only a ledger with index records (and bitmex's rules) has them.
INDEX_CHECKS = frozenset({"mark-price", "funding-rate"})


def audit(events: Sequence[Event], profile: str) -> AuditReport:
    """Audit ``events`` with every default check under ``profile``."""
    items = ((line, event) for line, event in enumerate(events, start=1))
    # simulated ledgers book socialized charges in the simulator's settlement unit
    options = AuditOptions(profile=load_profile(profile), unit=SETTLEMENT_UNIT)
    report, _ = audit_events(items, "ledger.jsonl", options)
    return report


def test_every_default_check_has_an_operator() -> None:
    assert set(MUTATIONS) == set(DEFAULT_CHECKS)


@pytest.mark.parametrize("fixture", ["gate_ledger", "socialized_ledger", "index_ledger"])
def test_valid_ledgers_audit_clean(fixture: str, request: pytest.FixtureRequest) -> None:
    ledger: SimulatedLedger = request.getfixturevalue(fixture)
    report = audit(ledger.events, ledger.profile)
    assert report.violations == ()
    assert report.exit_code == 0
    ran = {c.id: c for c in report.checks if c.skipped is None}
    expected = (
        set(DEFAULT_CHECKS) if fixture == "index_ledger" else set(DEFAULT_CHECKS) - INDEX_CHECKS
    )
    assert set(ran) >= expected
    if fixture == "index_ledger":
        assert ran["mark-price"].examined > 100 and ran["funding-rate"].examined >= 2


def test_the_ledgers_reach_every_last_resort(
    gate_ledger: SimulatedLedger, socialized_ledger: SimulatedLedger
) -> None:
    # The self-test is only as good as the cases its ledgers contain.
    gate = {c.id: c.examined for c in audit(gate_ledger.events, gate_ledger.profile).checks}
    social = audit(socialized_ledger.events, socialized_ledger.profile)
    assert gate["adl-order"] > 1 and gate["bankruptcy-price"] > 1
    assert {c.id: c.examined for c in social.checks}["sl-participants"] > 1


@pytest.mark.parametrize("check_id", sorted(MUTATIONS))
def test_mutation_is_flagged_alone_at_its_record(
    check_id: str,
    gate_ledger: SimulatedLedger,
    socialized_ledger: SimulatedLedger,
    index_ledger: SimulatedLedger,
) -> None:
    ledger = socialized_ledger if check_id in SOCIALIZED_CHECKS else gate_ledger
    ledger = index_ledger if check_id in INDEX_CHECKS else ledger
    # Without its stated balances: a mutation that moves money is also caught by the next
    # assertion of the accounts it touched (conservation, tests/audit/test_stated_balances.py),
    # a second witness; here each check must be the one that flags its own mutation.
    events = [e for e in ledger.events if not isinstance(e, BalanceEvent)]
    mutated, seq = MUTATIONS[check_id](events)
    assert mutated != events
    report = audit(mutated, ledger.profile)
    assert {v.check for v in report.violations} == {check_id}
    assert report.violations[0].seq == seq
    assert report.exit_code == 1
