"""``references``: accounts and funds in the roles the waterfall gives them.

Each tamper keeps the books consistent (nothing is created or destroyed), so only the role
rule can see it: the audit must flag ``references`` at the tampered record and nothing else.
"""

from __future__ import annotations

import dataclasses
from fractions import Fraction

from perpspec.audit.mutations import insert_event
from perpspec.audit.run import AuditOptions, audit_events
from perpspec.reference.events import (
    BalanceEvent,
    Event,
    InstrumentEvent,
    InsuranceEvent,
    LiquidationEvent,
    LiquidationFillEvent,
    MarkEvent,
    SocializedLossEvent,
    TradeEvent,
)
from perpspec.reference.profile import load_profile
from tests.audit.conftest import SimulatedLedger

UNIT = Fraction(1, 10**8)


def _without_balances(ledger: SimulatedLedger) -> list[Event]:
    """The ledger without its stated balances: a tamper that moves money is also caught by
    the next assertion of an account it touched (``conservation``, a second witness); here
    the rule under test must be the one that flags it (as in test_mutations)."""
    return [e for e in ledger.events if not isinstance(e, BalanceEvent)]


def _flagged(events: list[Event], profile: str | None = None) -> list[tuple[str, int]]:
    options = AuditOptions(profile=load_profile(profile) if profile else None, unit=UNIT)
    report, _ = audit_events(((i + 1, e) for i, e in enumerate(events)), "t", options)
    return [(v.check, v.line) for v in report.violations]


def test_a_liquidation_entry_booked_to_another_markets_fund(gate_ledger: SimulatedLedger) -> None:
    events = _without_balances(gate_ledger)
    funds = {e.market: e.fund for e in events if isinstance(e, InstrumentEvent)}
    assert len(set(funds.values())) == 2, "seed-gate keeps one fund per market"
    index = max(i for i, e in enumerate(events) if isinstance(e, InsuranceEvent) and e.liquidation)
    entry = events[index]
    assert isinstance(entry, InsuranceEvent)
    other = next(fund for fund in funds.values() if fund != entry.fund)
    events[index] = dataclasses.replace(entry, fund=other)
    for profile in (None, "seed-gate"):
        assert _flagged(events, profile) == [("references", index + 1)]


def test_the_liquidated_account_as_its_own_fill_counterparty(
    gate_ledger: SimulatedLedger,
) -> None:
    events = _without_balances(gate_ledger)
    index = max(i for i, e in enumerate(events) if isinstance(e, LiquidationFillEvent))
    fill = events[index]
    assert isinstance(fill, LiquidationFillEvent)
    liquidated = next(
        e.account for e in events if isinstance(e, LiquidationEvent) and e.id == fill.liquidation
    )
    events[index] = dataclasses.replace(fill, counterparty=liquidated)
    assert _flagged(events) == [("references", index + 1)]


def test_an_insurance_fund_trading(gate_ledger: SimulatedLedger) -> None:
    events = _without_balances(gate_ledger)
    mark = next(e for e in events if isinstance(e, MarkEvent) and e.market == "BTC-PERP")
    index = next(i for i, e in enumerate(events) if e is mark) + 1
    # A balanced trade at the mark: the fund ends long 0.001, the maker short 0.001.
    trade = TradeEvent(
        0, mark.ts, "BTC-PERP", "insurance:BTC-PERP", "market-maker",
        Fraction(1, 1000), mark.price, Fraction(0), Fraction(0),
    )  # fmt: skip
    tampered, seq = insert_event(events, index, trade)
    assert _flagged(tampered) == [("references", seq)]


def test_a_socialized_charge_naming_an_unknown_liquidation(
    socialized_ledger: SimulatedLedger,
) -> None:
    events = _without_balances(socialized_ledger)
    index = next(i for i, e in enumerate(events) if isinstance(e, SocializedLossEvent))
    charge = events[index]
    assert isinstance(charge, SocializedLossEvent)
    events[index] = dataclasses.replace(charge, liquidations=(*charge.liquidations, "L-none"))
    assert _flagged(events, "seed-socialized") == [("references", index + 1)]
