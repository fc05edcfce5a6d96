"""``adl-order`` under a profile whose last resort is not ADL: there is no ranking, so every
ADL fill is out of order (a ledger audited with another exchange's profile says so)."""

from __future__ import annotations

from fractions import Fraction

from perpspec.audit.run import AuditOptions, audit_events
from perpspec.reference.events import AdlEvent
from perpspec.reference.profile import LastResort, load_profile
from tests.audit.conftest import SimulatedLedger


def test_every_adl_fill_is_flagged_under_a_socialized_loss_profile(
    gate_ledger: SimulatedLedger,
) -> None:
    profile = load_profile("seed-socialized")
    assert profile.last_resort is LastResort.SOCIALIZED_LOSS
    adl_lines = [i + 1 for i, e in enumerate(gate_ledger.events) if isinstance(e, AdlEvent)]
    assert adl_lines, "seed-gate's crash reaches ADL"
    options = AuditOptions(
        checks=frozenset({"adl-order"}), profile=profile, unit=Fraction(1, 10**8)
    )
    report, _ = audit_events(enumerate(gate_ledger.events, start=1), "g", options)
    assert [v.line for v in report.violations] == adl_lines
    assert report.violations[0].expected == (
        "no ADL (profile seed-socialized: last resort socialized_loss)"
    )
    gate = AuditOptions(checks=frozenset({"adl-order"}), profile=load_profile("seed-gate"))
    assert audit_events(enumerate(gate_ledger.events, start=1), "g", gate)[0].violations == ()
