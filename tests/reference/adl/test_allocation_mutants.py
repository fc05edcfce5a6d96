"""Mutation-found gaps in ADL allocation: inputs, lots, applying fills, several remainders.

DESIGN, ADL: the bankruptcy price and the lot size must be > 0 (refused with a reason naming
the field); a whole number of lots is ``value / lot`` being an integer; a counterparty's size
is reduced by everything it filled and it leaves the book only when nothing is left; with a
``lot_size`` every remainder of a run is lot-checked and ``pro_rata`` rounds every share to
whole lots.
"""

from __future__ import annotations

from fractions import Fraction as F

import pytest

from perpspec.reference.adl.allocation import (
    AdlFill,
    AllocationPolicy,
    LiquidatedRemainder,
    allocate_adl,
    apply_adl_fills,
    is_lot_multiple,
    process_adl_remainders,
)
from perpspec.reference.adl.ranking import ScoredPosition
from perpspec.reference.errors import SpecError
from perpspec.reference.liquidation.settlement import Side

LONG, SHORT = Side.LONG, Side.SHORT


def _cp(pid: str, qty: F | int, score: int) -> ScoredPosition:
    return ScoredPosition(pid, SHORT, F(qty), F(score))


def test_lot_multiple_divides_by_the_lot() -> None:
    # 1 / (1/2) = 2 lots: whole. (1/2) / 2 = 1/4 lot: not whole. 3 / (3/2) = 2: whole.
    assert is_lot_multiple(F(1), F(1, 2))
    assert not is_lot_multiple(F(1, 2), F(2))
    assert is_lot_multiple(F(3), F(3, 2))
    assert is_lot_multiple(F(1, 3), None)


def test_bankruptcy_price_must_be_positive() -> None:
    book = (_cp("A", 3, 1),)
    with pytest.raises(SpecError, match=r"^liquidated\.bankruptcy_price: must be > 0$"):
        allocate_adl(LiquidatedRemainder(LONG, F(1), F(0)), book)
    # Any price above 0 is a price, also one below one unit: the fill is at 1/2.
    allocation = allocate_adl(LiquidatedRemainder(LONG, F(1), F(1, 2)), book)
    assert allocation.fills == (AdlFill("A", F(1), F(1, 2)),)


@pytest.mark.parametrize(("lot", "text"), [(F(0), "0"), (F(-1, 2), "-0.5")])
def test_lot_size_must_be_positive(lot: F, text: str) -> None:
    with pytest.raises(SpecError, match=rf"^lot_size: must be > 0, found {text}$"):
        allocate_adl(LiquidatedRemainder(LONG, F(1), F(100)), (_cp("A", 3, 1),), lot_size=lot)


def test_apply_fills_reduces_by_every_fill_of_a_counterparty() -> None:
    # Two fills on A (2 and 1) take 3 of its 5: 5 - (2 + 1) = 2 left, not 5 - 1 = 4.
    book = (_cp("A", 5, 2), _cp("B", 4, 1))
    fills = (AdlFill("A", F(2), F(100)), AdlFill("A", F(1), F(100)))
    assert apply_adl_fills(book, fills) == (_cp("A", 2, 2), _cp("B", 4, 1))


def test_apply_fills_removes_only_closed_positions() -> None:
    # A: 3 - 2 = 1 stays; B: 3/2 - 1 = 1/2 stays (a size below one unit is still open);
    # C: 2 - 2 = 0 is fully closed and leaves the book.
    book = (_cp("A", 3, 3), _cp("B", F(3, 2), 2), _cp("C", 2, 1))
    fills = (
        AdlFill("A", F(2), F(100)),
        AdlFill("B", F(1), F(100)),
        AdlFill("C", F(2), F(100)),
    )
    assert apply_adl_fills(book, fills) == (_cp("A", 1, 3), _cp("B", F(1, 2), 2))


def test_remainders_in_turn_are_rounded_to_lots() -> None:
    # pro_rata, lot 1: A (score 2, size 1) ranks before B (score 1, size 2). First remainder 1:
    # total 3, r = 1/3, shares A 1/3, B 2/3, both round down to 0; the leftover lot 1 goes to
    # A, first in ranking order below its share. Book after: B 2. Second remainder 1: r = 1/2,
    # B's share 1 is whole. Without the lot the first fills would be 1/3 and 2/3.
    book = (_cp("A", 1, 2), _cp("B", 2, 1))
    remainders = (
        LiquidatedRemainder(LONG, F(1), F(100)),
        LiquidatedRemainder(LONG, F(1), F(90)),
    )
    allocations, after = process_adl_remainders(
        remainders, book, AllocationPolicy.PRO_RATA, lot_size=F(1)
    )
    assert allocations[0].fills == (AdlFill("A", F(1), F(100)),)
    assert allocations[1].fills == (AdlFill("B", F(1), F(90)),)
    assert after == (_cp("B", 1, 1),)


def test_remainders_in_turn_must_be_whole_lots() -> None:
    # A remainder of 1/2 with a lot of 1 is not a whole number of lots.
    book = (_cp("A", 1, 2),)
    with pytest.raises(SpecError, match=r"^liquidated\.qty: 0\.5 is not a whole number of lots$"):
        process_adl_remainders((LiquidatedRemainder(LONG, F(1, 2), F(100)),), book, lot_size=F(1))
