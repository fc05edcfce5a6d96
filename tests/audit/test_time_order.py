"""``seq-order`` over timestamps: a ledger's times never go back (equal times are fine)."""

from __future__ import annotations

import dataclasses
from fractions import Fraction

from perpspec.audit.report import AuditReport
from perpspec.audit.run import AuditOptions, audit_events
from perpspec.invariants.predicates import find_seq_violations
from perpspec.reference.events import DepositEvent, Event, TradeEvent, get_time_key
from tests.audit.conftest import SimulatedLedger


def test_time_keys_order_instants_not_spellings() -> None:
    assert get_time_key("2024-01-01T00:00:05Z") == get_time_key("2024-01-01T00:00:05.000+00:00")
    # .1 s is .100000000, after .090000000 (a plain string compare of the texts says otherwise)
    assert get_time_key("2024-01-01T00:00:05.1Z") > get_time_key("2024-01-01T00:00:05.09Z")
    assert get_time_key("2024-01-01T00:00:05Z") < get_time_key("2024-01-01T00:00:05.000000001Z")
    assert get_time_key("2023-12-31T23:59:59.9Z") < get_time_key("2024-01-01T00:00:00Z")


def _redate_a_trade(ledger: SimulatedLedger, ts: str) -> tuple[int, AuditReport]:
    """The first trade after 01:00 dated ``ts``: its index, and the audit of the ledger."""
    events: list[Event] = list(ledger.events)
    index = next(
        i
        for i, e in enumerate(events)
        if isinstance(e, TradeEvent) and e.ts > "2024-01-01T01:00:00Z"
    )
    events[index] = dataclasses.replace(events[index], ts=ts)
    report, _ = audit_events(
        ((i + 1, e) for i, e in enumerate(events)), "t", AuditOptions(unit=Fraction(1, 10**8))
    )
    return index, report


def test_a_trade_dated_back_is_flagged_at_its_record(gate_ledger: SimulatedLedger) -> None:
    index, report = _redate_a_trade(gate_ledger, "2024-01-01T00:00:00Z")
    assert [(v.check, v.line) for v in report.violations] == [("seq-order", index + 1)]
    assert report.violations[0].found == "ts 2024-01-01T00:00:00Z (earlier)"


def test_a_line_dated_ahead_is_one_violation_at_the_next_line(
    gate_ledger: SimulatedLedger,
) -> None:
    index, report = _redate_a_trade(gate_ledger, "2099-01-01T00:00:00Z")
    assert [(v.check, v.line) for v in report.violations] == [("seq-order", index + 2)]
    assert report.violations[0].expected == "ts at or after 2099-01-01T00:00:00Z (the event before)"


def test_the_predicate_reads_times_too() -> None:
    one = Fraction(1)
    events = [
        DepositEvent(1, "2024-01-01T00:00:01Z", "A", "USD", one),
        DepositEvent(2, "2024-01-01T00:00:01.000+00:00", "A", "USD", one),
        DepositEvent(3, "2024-01-01T00:00:00.5Z", "A", "USD", one),
    ]
    assert [v.subject for v in find_seq_violations(events)] == ["deposit seq 3 ts"]
