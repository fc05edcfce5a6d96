"""The audit's checks of the trigger: ``mark-price`` and ``funding-rate`` (perpspec.audit.
mark_checks). A simulated crash whose ledger carries index records audits clean; the same
ledger with a mark moved off its inputs is flagged at that mark; the expected values of the
small ledgers below are computed by hand."""

from __future__ import annotations

import dataclasses
from fractions import Fraction as F
from pathlib import Path

from perpspec.audit.mutations import mutate_mark_price
from perpspec.audit.report import AuditReport
from perpspec.audit.run import AuditOptions, audit_events, audit_ledger
from perpspec.ledger.io import read_ledger
from perpspec.reference.engine.config import load_engine_config
from perpspec.reference.events import (
    DepositEvent,
    Event,
    FundingEvent,
    FundingPayment,
    IndexEvent,
    IndexQuote,
    InstrumentEvent,
    LiquidationEvent,
    MarkEvent,
    TierSpec,
    TradeEvent,
)
from perpspec.reference.numbers import format_number
from perpspec.reference.profile import load_profile

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "bitmex-index-crash.jsonl"
TS = "2024-01-01T00:00:00Z"
M = "BTC-PERP"


#: The unit the example's engine booked socialized charges in (its sidecar).
UNIT = load_engine_config(EXAMPLE.with_name(EXAMPLE.name + ".engine.toml")).unit


def audit(events: list[Event], profile: str = "bitmex", unit: F | None = None) -> AuditReport:
    items = ((line, event) for line, event in enumerate(events, start=1))
    options = AuditOptions(profile=load_profile(profile), unit=unit)
    report, _ = audit_events(items, "ledger.jsonl", options)
    return report


def checks(report: AuditReport) -> dict[str, tuple[int, str | None]]:
    return {c.id: (c.examined, c.skipped) for c in report.checks}


def test_the_simulated_crash_with_index_records_audits_clean() -> None:
    options = AuditOptions(profile=load_profile("bitmex"), unit=UNIT)
    report = audit_ledger(EXAMPLE, None, options)
    assert report.violations == ()
    found = checks(report)
    events = read_ledger(EXAMPLE)
    records = sum(isinstance(e, IndexEvent) for e in events)
    # every record checked, and every mark after one (each record precedes its mark)
    assert found["mark-price"] == (2 * records, None)
    # funding at step 480 in both markets, each after 480 premium samples
    assert found["funding-rate"] == (2, None)
    assert any(isinstance(e, LiquidationEvent) for e in events)


def test_a_mark_moved_off_its_inputs_is_flagged_at_that_mark() -> None:
    events = list(read_ledger(EXAMPLE))
    # The mutation scales the index record before a long's liquidation mark so that it
    # derives the market's previous mark, at which the long was not liquidated (the clean
    # ledger's liq-complete holds there): the liquidation was not due at the honest mark.
    mutated, seq = mutate_mark_price(events)
    report = audit(mutated, unit=UNIT)
    assert {v.check for v in report.violations} == {"mark-price"}
    [violation] = report.violations
    assert violation.seq == seq
    [mark] = [e for e in mutated if e.seq == seq]
    assert isinstance(mark, MarkEvent)
    previous = [
        e for e in mutated if isinstance(e, MarkEvent) and e.market == mark.market and e.seq < seq
    ][-1]
    assert previous.price > mark.price  # a falling mark: the long was safe at the previous one
    assert violation.expected.startswith(f"mark {format_number(previous.price)} (the [mark] rule")
    assert violation.found == f"mark {format_number(mark.price)}"


def test_a_mark_moved_literally_is_flagged_at_that_mark() -> None:
    events = list(read_ledger(EXAMPLE))
    index = next(
        i
        for i, e in enumerate(events)
        if isinstance(e, MarkEvent) and i > 10 and isinstance(events[i - 1], IndexEvent)
    )
    mark = events[index]
    assert isinstance(mark, MarkEvent)
    events[index] = dataclasses.replace(mark, price=mark.price - 1)
    report = audit(events, unit=UNIT)
    first = next(v for v in report.violations if v.check == "mark-price")
    assert first.seq == mark.seq
    assert first.difference == "-1"


# ---- small ledgers, by hand ---------------------------------------------------------------

TIERS = (TierSpec(F(0), F(1, 200), F(0), F(100)),)


def _setup() -> list[Event]:
    return [
        InstrumentEvent(1, TS, M, "linear", F(1), F(1, 2), F(1, 1000), TIERS, M, "USDT"),
        DepositEvent(2, TS, "a", "USDT", F(10_000)),
        DepositEvent(3, TS, "b", "USDT", F(10_000)),
        MarkEvent(4, TS, M, F(20_000)),
        TradeEvent(5, TS, M, "a", "b", F(1), F(20_000), F(0), F(0)),
    ]


def _record(seq: int, stated: str, impact: tuple[str, str] | None = None) -> IndexEvent:
    quotes = (IndexQuote("v0", F(20_000), F(1, 2), TS), IndexQuote("v1", F(20_200), F(1, 2), TS))
    bid, ask = (F(impact[0]), F(impact[1])) if impact else (None, None)
    return IndexEvent(
        seq, TS, M, quotes, F(stated), F(1, 10_000), F(4 * 3600), None, None, bid, ask
    )


def test_a_mark_off_its_record_by_hand() -> None:
    # bitmex: weighted mean 20,000/2 + 20,200/2 = 20,100; fair price with 0.01% and 4 of 8
    # hours left: 20,100 x (1 + 0.0001 x 1/2) = 20,101.005. Stated 20,100: 1.005 low.
    events = [*_setup(), _record(6, "20100"), MarkEvent(7, TS, M, F(20_100))]
    [violation] = audit(events).violations
    assert (violation.check, violation.line, violation.seq) == ("mark-price", 7, 7)
    assert violation.expected == "mark 20101.005 (the [mark] rule on the index record at line 6)"
    assert (violation.found, violation.difference) == ("mark 20100", "-1.005")


def test_an_index_record_whose_index_is_not_its_sources_by_hand() -> None:
    events = [*_setup(), _record(6, "20101"), MarkEvent(7, TS, M, F(20_101))]
    [violation] = audit(events).violations
    assert (violation.check, violation.line) == ("mark-price", 6)
    assert violation.found == "price: 20101 is not the index of the sources under [index] (20100)"


def test_a_funding_rate_off_its_premiums_by_hand() -> None:
    # One sample: impact bid 20,301 over the index 20,100: P = 201/20,100 = 1/100; bitmex
    # I = 0.0001, I - P = -0.0099 clamped to -0.0005: F = 0.0095. Stated 0.01: 0.0005 high.
    # Payments at 0.01 on the mark 20,101.005: a (long 1) pays 201.01005, b receives it.
    paid = F("201.01005")
    events = [
        *_setup(),
        _record(6, "20100", ("20301", "20400")),
        MarkEvent(7, TS, M, F("20101.005")),
        FundingEvent(8, TS, M, F(1, 100), (FundingPayment("a", -paid), FundingPayment("b", paid))),
    ]
    report = audit(events)
    [violation] = report.violations
    assert (violation.check, violation.line) == ("funding-rate", 8)
    assert violation.expected.startswith("rate 0.0095 ([funding] on the 1 premium samples")
    assert (violation.found, violation.difference) == ("rate 0.01", "0.0005")


def test_without_index_records_both_checks_are_named_not_checkable() -> None:
    found = checks(audit(_setup(), "seed-gate"))
    for check in ("mark-price", "funding-rate"):
        examined, skipped = found[check]
        assert examined == 0
        assert skipped is not None and skipped.startswith(
            "not checkable: the ledger states no index record"
        )


def test_a_profile_without_the_rules_makes_them_not_checkable() -> None:
    events = [*_setup(), _record(6, "20100"), MarkEvent(7, TS, M, F(20_100))]
    found = checks(audit(events, "seed-gate"))
    assert found["mark-price"] == (
        0,
        "not checkable: the profile has no [mark] section (its mark rule)",
    )
