"""The ADL ranking: sides, ties, quantiles, lights (DESIGN, ADL)."""

from __future__ import annotations

from fractions import Fraction as F

import pytest

from perpspec.reference.adl.formulas import AdlPosition, RankingFormula
from perpspec.reference.adl.ranking import (
    DEFAULT_THRESHOLDS,
    SEED001_THRESHOLDS,
    QuantileBasis,
    ScoredPosition,
    compute_lights,
    order_by_priority,
    rank_positions,
    rank_side,
    validate_thresholds,
)
from perpspec.reference.errors import SpecError
from perpspec.reference.liquidation.settlement import Side

LONG, SHORT = Side.LONG, Side.SHORT


def _scored(pid: str, qty: int, score: F, side: Side = SHORT) -> ScoredPosition:
    return ScoredPosition(pid, side, F(qty), score)


def test_ties_break_by_size_then_id() -> None:
    # Scores 1, 1, 1, 2: W (2) first; among the 1s, the larger Y and Z (7) before X (5), and
    # Y before Z by id.
    book = [
        _scored("X", 5, F(1)),
        _scored("Z", 7, F(1)),
        _scored("Y", 7, F(1)),
        _scored("W", 1, F(2)),
    ]
    assert [p.id for p in order_by_priority(book)] == ["W", "Y", "Z", "X"]


def test_sides_are_ranked_separately() -> None:
    # A long scoring 10 does not push the shorts down: each side has its own rank 1.
    positions = [
        AdlPosition("L", LONG, F(1), F(100), F(200)),  # profit_ratio 1
        AdlPosition("S1", SHORT, F(1), F(100), F(50)),  # (100 - 50)/100 = 1/2
        AdlPosition("S2", SHORT, F(1), F(100), F(90)),  # 1/10
    ]
    ranking = rank_positions(positions, RankingFormula.PROFIT_RATIO)
    assert [(p.id, p.rank) for p in ranking.longs] == [("L", 1)]
    assert [(p.id, p.rank, p.score) for p in ranking.shorts] == [
        ("S1", 1, F(1, 2)),
        ("S2", 2, F(1, 10)),
    ]
    assert ranking.get_side(SHORT) == ranking.shorts


def test_seed001_lights_from_cut_points() -> None:
    # Seed 001: top 10% -> 5, 30% -> 4, 50% -> 3, 80% -> 2, 100% -> 1; boundaries included.
    expected = {
        F(1, 10): 5,
        F(3, 10): 4,
        F(1, 2): 3,
        F(4, 5): 2,
        F(1): 1,
        F(11, 100): 4,
        F(81, 100): 1,
    }
    for quantile, lights in expected.items():
        assert compute_lights(quantile, SEED001_THRESHOLDS) == lights


def test_seed001_users_in_a_ten_user_book() -> None:
    # Ten shorts ranked 1..10 (quantile r/10); seed 001's A, B, C, D, E at ranks 1, 3, 5, 8,
    # 10 light 5, 4, 3, 2, 1.
    book = [_scored(f"u{r:02d}", 10, F(100 - r)) for r in range(1, 11)]
    ranked = {p.id: p.lights for p in rank_side(book, SEED001_THRESHOLDS)}
    assert [ranked[f"u{r:02d}"] for r in (1, 3, 5, 8, 10)] == [5, 4, 3, 2, 1]


def test_bitmex_size_quantiles_in_20_percent_steps() -> None:
    # BitMEX's example: in ranking order accounts 2, 5, 4, 1, 6, 3 hold 10, 20, 30, 10, 10, 20
    # (total 100): cumulative 10, 30, 60, 70, 80, 100 %, shown as 20, 40, 60, 80, 80, 100 %,
    # i.e. lights 5, 4, 3, 2, 2, 1.
    book = [
        _scored("2", 10, F(6), LONG),
        _scored("5", 20, F(5), LONG),
        _scored("4", 30, F(4), LONG),
        _scored("1", 10, F(3), LONG),
        _scored("6", 10, F(2), LONG),
        _scored("3", 20, F(1), LONG),
    ]
    ranked = rank_side(book, DEFAULT_THRESHOLDS, QuantileBasis.SIZE)
    assert [p.quantile for p in ranked] == [F(1, 10), F(3, 10), F(3, 5), F(7, 10), F(4, 5), F(1)]
    assert [p.lights for p in ranked] == [5, 4, 3, 2, 2, 1]


def test_rank_quantile_is_rank_over_count() -> None:
    # Seed 003: quantile = rank / number of users: 1/4, 1/2, 3/4, 1 -> quintile lights 4, 3, 2, 1.
    book = [_scored(pid, 1, F(score)) for pid, score in (("a", 4), ("b", 3), ("c", 2), ("d", 1))]
    ranked = rank_side(book)
    assert [p.quantile for p in ranked] == [F(1, 4), F(1, 2), F(3, 4), F(1)]
    assert [p.lights for p in ranked] == [4, 3, 2, 1]


def test_four_cut_points_leave_one_light_above_the_last() -> None:
    cuts = (F(1, 4), F(1, 2), F(3, 4), F(9, 10))
    assert [compute_lights(q, cuts) for q in (F(1, 4), F(1, 2), F(3, 4), F(9, 10), F(1))] == [
        5,
        4,
        3,
        2,
        1,
    ]


@pytest.mark.parametrize(
    ("cuts", "reason"),
    [
        ((F(1, 2), F(1)), "expected 4 or 5"),
        ((F(1, 5), F(1, 5), F(3, 5), F(4, 5), F(1)), r"thresholds\[1\]: cut points must increase"),
        ((F(0), F(2, 5), F(3, 5), F(4, 5)), r"thresholds\[0\]: must be in \(0, 1\]"),
        ((F(1, 5), F(2, 5), F(3, 5), F(4, 5), F(9, 10)), r"thresholds\[4\]: the fifth cut point"),
    ],
)
def test_bad_thresholds_are_refused(cuts: tuple[F, ...], reason: str) -> None:
    with pytest.raises(SpecError, match=reason):
        validate_thresholds(cuts)


def test_duplicate_position_ids_are_refused() -> None:
    positions = [AdlPosition("A", LONG, F(1), F(100), F(110))] * 2
    with pytest.raises(SpecError, match="A: the position id appears twice"):
        rank_positions(positions, RankingFormula.PROFIT_RATIO)
