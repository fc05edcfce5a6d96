"""ADL allocation: seed examples, remainders, lots, re-ranking (DESIGN, ADL)."""

from __future__ import annotations

from fractions import Fraction as F

import pytest

from perpspec.reference.adl.allocation import (
    AdlFill,
    AllocationPolicy,
    LiquidatedRemainder,
    allocate_adl,
    apply_adl_fills,
    compute_pro_rata_quantities,
    process_adl_remainders,
)
from perpspec.reference.adl.ranking import ScoredPosition
from perpspec.reference.errors import SpecError
from perpspec.reference.liquidation.settlement import Side

LONG, SHORT = Side.LONG, Side.SHORT
QUEUE, PRO_RATA = AllocationPolicy.QUEUE, AllocationPolicy.PRO_RATA


def _cp(pid: str, qty: F | int, score: int, side: Side = SHORT) -> ScoredPosition:
    return ScoredPosition(pid, side, F(qty), F(score))


SEED001 = [_cp("A", 100, 5), _cp("B", 200, 4), _cp("C", 50, 3), _cp("D", 150, 2), _cp("E", 400, 1)]
SEED002 = [_cp("A", 10_000, 3), _cp("B", 7_000, 2), _cp("C", 3_000, 1)]


def test_seed001_350_to_a_b_c() -> None:
    # Seed 001: 350 -> A 100, B 200, C 50, at the bankruptcy price 8,500; their orders cancelled.
    allocation = allocate_adl(LiquidatedRemainder(LONG, F(350), F(8_500)), SEED001)
    assert allocation.fills == (
        AdlFill("A", F(100), F(8_500)),
        AdlFill("B", F(200), F(8_500)),
        AdlFill("C", F(50), F(8_500)),
    )
    assert allocation.remaining_qty == 0
    assert allocation.cancelled_orders == ("A", "B", "C")


def test_seed002_20000_at_19500() -> None:
    # Seed 002: 20,000 -> A 10,000, B 7,000, C 3,000 at $19,500.
    allocation = allocate_adl(LiquidatedRemainder(LONG, F(20_000), F(19_500)), SEED002)
    assert [(f.id, f.qty, f.price) for f in allocation.fills] == [
        ("A", F(10_000), F(19_500)),
        ("B", F(7_000), F(19_500)),
        ("C", F(3_000), F(19_500)),
    ]


def test_seed002_first_case_takes_only_a() -> None:
    # Seed 002: Smith's 10,000 contracts: "Trader A ... will have all the 10,000 short
    # position contracts closed out".
    allocation = allocate_adl(LiquidatedRemainder(LONG, F(10_000), F(19_500)), SEED002)
    assert [(f.id, f.qty) for f in allocation.fills] == [("A", F(10_000))]


def test_remainder_is_returned_never_invented() -> None:
    # 25,000 against 20,000 of shorts: all 20,000 taken, 5,000 returned.
    allocation = allocate_adl(LiquidatedRemainder(LONG, F(25_000), F(19_500)), SEED002)
    assert sum(f.qty for f in allocation.fills) == 20_000
    assert allocation.remaining_qty == 5_000


def test_no_counterparty_returns_everything() -> None:
    allocation = allocate_adl(LiquidatedRemainder(LONG, F(7), F(100)), [_cp("L", 9, 1, LONG)])
    assert allocation.fills == ()
    assert allocation.remaining_qty == 7


def test_bitmex_example_short_20_at_650() -> None:
    # BitMEX: six longs with "PNL Ranking" 3, 6, 1, 4, 5, 2 for accounts 1..6; a short of 20
    # liquidated at 650: account 2 gives its whole 10, account 5 gives 10 of its 20 and "will
    # thus have 10 contracts remaining".
    book = [
        _cp("1", 10, 3, LONG),
        _cp("2", 10, 6, LONG),
        _cp("3", 20, 1, LONG),
        _cp("4", 30, 4, LONG),
        _cp("5", 20, 5, LONG),
        _cp("6", 10, 2, LONG),
    ]
    allocation = allocate_adl(LiquidatedRemainder(SHORT, F(20), F(650)), book)
    assert [(f.id, f.qty, f.price) for f in allocation.fills] == [
        ("2", F(10), F(650)),
        ("5", F(10), F(650)),
    ]
    after = {p.id: p.qty for p in apply_adl_fills(book, allocation.fills)}
    assert "2" not in after
    assert after["5"] == 10


def test_partly_consumed_counterparty_is_reranked() -> None:
    # P and Q both score 1, P holds 12, Q 10: the first 5 come from P (larger). P now holds 7
    # < Q's 10, so the next 5 come from Q: re-ranked, not kept at the head of the queue.
    book = [_cp("P", 12, 1), _cp("Q", 10, 1)]
    remainders = [LiquidatedRemainder(LONG, F(5), F(100)), LiquidatedRemainder(LONG, F(5), F(99))]
    allocations, after = process_adl_remainders(remainders, book)
    assert [(f.id, f.qty, f.price) for f in allocations[0].fills] == [("P", F(5), F(100))]
    assert [(f.id, f.qty, f.price) for f in allocations[1].fills] == [("Q", F(5), F(99))]
    assert {p.id: p.qty for p in after} == {"P": 7, "Q": 5}


def test_fill_price_override_for_mark() -> None:
    # Hyperliquid closes at the mark: 97 instead of the bankruptcy price 95.
    allocation = allocate_adl(LiquidatedRemainder(LONG, F(2), F(95)), [_cp("A", 3, 1)], price=F(97))
    assert allocation.fills == (AdlFill("A", F(2), F(97)),)


def test_pro_rata_same_fraction() -> None:
    # r = 30/60 = 1/2: A 40 -> 20, B 20 -> 10 (ranking order B, A).
    allocation = allocate_adl(
        LiquidatedRemainder(LONG, F(30), F(100)), [_cp("A", 40, 1), _cp("B", 20, 2)], PRO_RATA
    )
    assert [(f.id, f.qty) for f in allocation.fills] == [("B", F(10)), ("A", F(20))]


def test_pro_rata_remainder_lots_go_in_ranking_order() -> None:
    # r = 10/21: 7 x 10/21 = 10/3 -> 3 each (9); the one leftover lot to the top-ranked A.
    ranked = [_cp("A", 7, 3), _cp("B", 7, 2), _cp("C", 7, 1)]
    assert compute_pro_rata_quantities(F(10), ranked, F(1)) == [4, 3, 3]


def test_pro_rata_over_capacity() -> None:
    allocation = allocate_adl(
        LiquidatedRemainder(SHORT, F(100), F(100)),
        [_cp("A", 40, 1, LONG), _cp("B", 20, 2, LONG)],
        PRO_RATA,
    )
    assert [(f.id, f.qty) for f in allocation.fills] == [("B", F(20)), ("A", F(40))]
    assert allocation.remaining_qty == 40


@pytest.mark.parametrize(
    ("remainder", "book", "lot", "reason"),
    [
        (
            LiquidatedRemainder(LONG, F(5, 2), F(100)),
            [_cp("A", 3, 1)],
            F(1),
            "liquidated.qty: 2.5 is not a whole",
        ),
        (
            LiquidatedRemainder(LONG, F(2), F(100)),
            [_cp("A", F(3, 2), 1)],
            F(1),
            "A.qty: 1.5 is not a whole",
        ),
        (
            LiquidatedRemainder(LONG, F(0), F(100)),
            [_cp("A", 3, 1)],
            None,
            "liquidated.qty: must be > 0",
        ),
        (
            LiquidatedRemainder(LONG, F(1), F(100)),
            [_cp("A", 3, 1), _cp("A", 2, 1)],
            None,
            "A: the counterparty id",
        ),
        (LiquidatedRemainder(LONG, F(1), F(100)), [_cp("A", 0, 1)], None, "A.qty: must be > 0"),
    ],
)
def test_bad_inputs_are_refused(
    remainder: LiquidatedRemainder, book: list[ScoredPosition], lot: F | None, reason: str
) -> None:
    with pytest.raises(SpecError, match=reason):
        allocate_adl(remainder, book, QUEUE, lot)
