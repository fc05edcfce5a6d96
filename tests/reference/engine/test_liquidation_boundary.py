"""The liquidation index at its boundary (issue 11, item 7).

A long is liquidatable when the mark is at or below its exact liquidation price, a short
at or above (DESIGN, Prices: margin balance <= MM). Each hand-worked case
(``boundary_fixtures.CASES``: linear and inverse, long and short, isolated and cross) is
checked one tick below, exactly at and one tick above that price, at three levels: the
liquidation index the engine keeps, the engine's mark update, and the audit's
``liq-complete`` on a ledger that leaves the account standing.
"""

from __future__ import annotations

from fractions import Fraction as F

import pytest
from boundary_fixtures import CASES, BoundaryCase, build_boundary_engine, get_boundary_marks
from engine_fixtures import TS
from engine_invariants import check_nobody_liquidatable

from perpspec.audit.run import AuditOptions, audit_events
from perpspec.reference.engine.index import LiquidationIndex
from perpspec.reference.events import LiquidationEvent, MarkEvent
from perpspec.reference.profile import load_profile

IDS = [case.name for case in CASES]
POSITIONS = ("below", "at", "above")
#: Liquidatable one tick below, exactly at, one tick above the exact price (the rule itself,
#: written out rather than computed).
EXPECTED = {
    "long": {"below": True, "at": True, "above": False},
    "short": {"below": False, "at": True, "above": True},
}


def _marks(case: BoundaryCase) -> list[tuple[str, F]]:
    return list(zip(POSITIONS, get_boundary_marks(case), strict=True))


@pytest.mark.parametrize("side", ["long", "short"])
def test_the_bare_index_includes_an_entry_exactly_at_the_mark(side: str) -> None:
    """Entries at 19,999.5, 20,000 and 20,000.5; a mark of 20,000 reaches, for longs, the
    prices at or above it (20,000 and 20,000.5), for shorts those at or below."""
    index = LiquidationIndex()
    for name, price in (("lo", F("19999.5")), ("at", F(20_000)), ("hi", F("20000.5"))):
        index.add_price(name, "M", side, price)
    expected = ["at", "hi"] if side == "long" else ["at", "lo"]
    assert index.candidates("M", "USDT", F(20_000)) == expected


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_the_engine_indexes_the_hand_worked_price(case: BoundaryCase) -> None:
    engine, _ = build_boundary_engine(case)
    ex = engine.exchange
    ex.flush()
    assert ex.index.entries[("alice", case.market)] == (case.side, case.liquidation_price)
    for where, price in _marks(case):
        reached = "alice" in ex.index.candidates(case.market, case.asset, price)
        assert reached == EXPECTED[case.side][where], where


@pytest.mark.parametrize("case", CASES, ids=IDS)
@pytest.mark.parametrize("where", POSITIONS)
def test_the_engine_liquidates_exactly_from_the_boundary(case: BoundaryCase, where: str) -> None:
    price = dict(_marks(case))[where]
    engine, _ = build_boundary_engine(case)
    out = engine.submit(MarkEvent(0, TS, case.market, price))
    liquidated = [e.account for e in out if isinstance(e, LiquidationEvent)]
    assert liquidated == (["alice"] if EXPECTED[case.side][where] else [])
    check_nobody_liquidatable(engine.exchange)


@pytest.mark.parametrize("case", CASES, ids=IDS)
@pytest.mark.parametrize("where", POSITIONS)
def test_liq_complete_flags_an_account_left_standing_at_the_boundary(
    case: BoundaryCase, where: str
) -> None:
    """A ledger whose mark is followed by nothing: alice stands, liquidatable exactly when
    the mark is on her side of the price (at it included)."""
    price = dict(_marks(case))[where]
    _, ledger = build_boundary_engine(case)
    ledger.append(MarkEvent(ledger[-1].seq + 1, TS, case.market, price))
    options = AuditOptions(
        checks=frozenset({"liq-complete"}),
        profile=load_profile("seed-gate"),
        profile_name="seed-gate",
    )
    report, _ = audit_events(enumerate(ledger, start=1), "boundary.jsonl", options)
    found = [v for v in report.violations if v.check == "liq-complete"]
    assert len(found) == (1 if EXPECTED[case.side][where] else 0)
