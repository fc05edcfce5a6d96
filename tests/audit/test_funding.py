"""``funding``: who pays what, by the rule (``compute_funding_payment``).

The ledger (``funding_ledger``): A long 1 and B short 1 at 100, then the mark 90 and a funding
at rate 1/90. By hand: one unit is worth 90 at the mark, so A pays 1 x 90 x 1/90 = 1 and B
receives 1: payments A -1, B +1.
"""

from __future__ import annotations

import dataclasses
import json
from fractions import Fraction as F
from pathlib import Path

import pytest

from perpspec.cli import main
from perpspec.invariants.predicates import find_funding_violations
from perpspec.reference.engine.config import EngineConfig
from perpspec.reference.engine.engine import Engine
from perpspec.reference.events import (
    DepositEvent,
    FundingEvent,
    FundingPayment,
    InstrumentEvent,
    MarkEvent,
    TierSpec,
    TradeEvent,
)
from perpspec.reference.profile import load_profile
from tests.audit.test_command import funding_ledger


def _flagged(path: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, list[str]]:
    main(["audit", str(path), "--json"])
    report = json.loads(capsys.readouterr().out)
    found: dict[str, list[str]] = {}
    for violation in report["violations"]:
        found.setdefault(violation["check"], []).append(violation["found"])
    return found


@pytest.mark.parametrize(
    ("payments", "flagged"),
    [
        ([("A", "-1"), ("B", "1")], {}),
        # Twice the rule, still zero-sum: only the rule sees it.
        ([("A", "-2"), ("B", "2")], {"funding": ["A -2 (expected -1); B 2 (expected 1)"]}),
        # The short pays the long.
        ([("A", "1"), ("B", "-1")], {"funding": ["A 1 (expected -1); B -1 (expected 1)"]}),
        # B's payment dropped: money leaves the system, and B is not paid.
        (
            [("A", "-1")],
            {"conservation": ["1999"], "funding": ["B none (expected 1)"]},
        ),
        # A charged twice: each payment recorded once.
        (
            [("A", "-1"), ("A", "-1"), ("B", "2")],
            {"funding": ["A paid twice; B 2 (expected 1)"]},
        ),
    ],
)
def test_funding_paid_as_the_rule_gives(
    payments: list[tuple[str, str]],
    flagged: dict[str, list[str]],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = funding_ledger(tmp_path / "f.jsonl", payments)
    found = _flagged(path, capsys)
    assert {
        check: [f.split(" (difference")[0] for f in texts] for check, texts in found.items()
    } == flagged


def test_the_predicate_checks_the_engines_own_funding() -> None:
    # The same ledger through the engine: A long 1, B short 1, mark 90, rate 1/90.
    engine = Engine(EngineConfig(load_profile("seed-gate")))
    ts = "2024-01-01T00:00:00Z"
    tier = TierSpec(F(0), F(1, 100), F(0), F(10))
    for event in (
        InstrumentEvent(0, ts, "X-PERP", "linear", F(1), F(1), F(1), (tier,), "X", "USD"),
        DepositEvent(0, ts, "A", "USD", F(1000)),
        DepositEvent(0, ts, "B", "USD", F(1000)),
        MarkEvent(0, ts, "X-PERP", F(100)),
        TradeEvent(0, ts, "X-PERP", "A", "B", F(1), F(100), F(0), F(0)),
        MarkEvent(0, ts, "X-PERP", F(90)),
    ):
        engine.submit(event)
    before = engine.state.clone()
    (paid,) = engine.submit(FundingEvent(0, ts, "X-PERP", F(1, 90), ()))
    assert isinstance(paid, FundingEvent)
    assert {p.account: p.amount for p in paid.payments} == {"A": F(-1), "B": F(1)}
    assert find_funding_violations(before, paid) == []
    doubled = dataclasses.replace(
        paid, payments=tuple(FundingPayment(p.account, 2 * p.amount) for p in paid.payments)
    )
    assert [v.subject for v in find_funding_violations(before, doubled)] == [
        "payment to A",
        "payment to B",
    ]
    dropped = dataclasses.replace(paid, payments=paid.payments[:1])
    assert [(v.subject, v.found) for v in find_funding_violations(before, dropped)] == [
        ("payment to B", "none")
    ]
