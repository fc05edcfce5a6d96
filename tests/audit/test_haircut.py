"""``haircut_ratio`` in the audit (percolator: the fund pays first, the rest of the loss is
written off and every positive claim is paid floor(claim x h), docs/profiles.md): a simulated
crash audits clean with the profile, each socialized check examines its charges, tampered
charges and fund payments are caught by their own check, and the same ledger read under a
profile whose fund pays nothing is not clean."""

from __future__ import annotations

import dataclasses
from fractions import Fraction

import pytest

from perpspec.audit.mutations import MUTATIONS
from perpspec.audit.report import AuditReport
from perpspec.audit.run import AuditOptions, audit_events
from perpspec.reference.events import BalanceEvent, Event, SocializedLossEvent
from perpspec.reference.profile import Profile, load_profile
from perpspec.reference.simulation.spec import BTC_PERP
from tests.audit.conftest import SimulatedLedger, simulate


@pytest.fixture(scope="module")
def percolator_ledger() -> SimulatedLedger:
    # The crash scenario on BTC-PERP with a fund seeded at 1 USDT a trader, so that the
    # fund runs out and the haircut is reached: `perpspec simulate --profile percolator
    # --scenario crash --accounts 30 --steps 200 --seed 1` on that market, in process.
    market = dataclasses.replace(BTC_PERP, insurance_per_account=Fraction(1))
    return simulate("percolator", 1, 30, 200, (market,))


def _audit(events: list[Event], profile: Profile, ledger: SimulatedLedger) -> AuditReport:
    options = AuditOptions(profile=profile, unit=ledger.config.unit)
    report, _ = audit_events(enumerate(events, start=1), "percolator.jsonl", options)
    return report


def test_a_percolator_crash_haircuts_and_audits_clean(percolator_ledger: SimulatedLedger) -> None:
    events = list(percolator_ledger.events)
    charges = [e for e in events if isinstance(e, SocializedLossEvent)]
    assert charges, "the crash reaches the haircut"
    report = _audit(events, load_profile("percolator"), percolator_ledger)
    assert [v.check for v in report.violations] == []
    examined = {c.id: c.examined for c in report.checks}
    assert examined["sl-participants"] == len(charges)
    assert examined["sl-cap"] == len(charges)


@pytest.mark.parametrize(
    ("check_id", "caught"),
    [
        ("fund-first", {"fund-first"}),
        # a charge raised above its claim also leaves its account liquidatable at that mark,
        # which the engine would have liquidated (a second witness)
        ("sl-cap", {"sl-cap", "liq-complete"}),
        ("sl-participants", {"sl-participants"}),
    ],
)
def test_a_tampered_haircut_is_caught(
    check_id: str, caught: set[str], percolator_ledger: SimulatedLedger
) -> None:
    # Without the stated balances, as in test_mutations: a changed charge also reaches the
    # next balance assertion of its account (a second witness, conservation).
    events = [e for e in percolator_ledger.events if not isinstance(e, BalanceEvent)]
    mutated, seq = MUTATIONS[check_id](events)
    report = _audit(mutated, load_profile("percolator"), percolator_ledger)
    assert {v.check for v in report.violations} == caught
    assert next(v.seq for v in report.violations if v.check == check_id) == seq


def test_a_haircut_read_under_a_fund_that_pays_nothing_is_caught(
    percolator_ledger: SimulatedLedger,
) -> None:
    # With insurance_share 0 (the v3 spec's write-off without the insurance) the fund's
    # payments are not the profile's, nor are the charges (a larger D, a smaller h).
    profile = load_profile("percolator")
    assert profile.socialized_loss is not None
    nothing = dataclasses.replace(
        profile,
        socialized_loss=dataclasses.replace(profile.socialized_loss, insurance_share=Fraction(0)),
    )
    found = {
        v.check
        for v in _audit(list(percolator_ledger.events), nothing, percolator_ledger).violations
    }
    assert {"fund-first", "sl-participants"} <= found
