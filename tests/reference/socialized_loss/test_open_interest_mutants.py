"""Mutant-found gaps in ``open_interest`` (Drift v2 ``resolve_perp_bankruptcy``).

Only positions with a non-zero size share the loss; holders come largest size first, ties by
account id (the method's order of ``SocializedLossResult``); and the fund's share is rounded
down to the asset unit (a payout, DESIGN, Arithmetic).
"""

from __future__ import annotations

from fractions import Fraction as F

from perpspec.reference.socialized_loss.open_interest import (
    compute_open_interest,
    get_open_positions,
)
from perpspec.reference.socialized_loss.result import SlPosition


def test_a_flat_position_takes_no_part() -> None:
    # L holds 2, Z holds nothing: the whole 10 goes to L (10 x 2/2), Z is no participant.
    book = [SlPosition("L", size=F(2), equity=F(100)), SlPosition("Z", size=F(0), equity=F(100))]
    result = compute_open_interest(F(10), F(0), book)
    assert result.participants == ("L",)
    assert dict(result.charges) == {"L": 10}
    # With no open interest at all, nobody is charged and the loss is uncovered.
    flat = compute_open_interest(F(5), F(0), [SlPosition("Z", size=F(0), equity=F(100))])
    assert flat.participants == ()
    assert flat.uncovered == 5


def test_holders_come_largest_size_first_ties_by_id() -> None:
    # |sizes|: S 4 (a short), L 7, B 4, A 4: L first, then A, B, S by id.
    book = [
        SlPosition("S", size=F(-4), equity=F(1)),
        SlPosition("L", size=F(7), equity=F(1)),
        SlPosition("B", size=F(4), equity=F(1)),
        SlPosition("A", size=F(4), equity=F(1)),
    ]
    assert [p.id for p in get_open_positions(book)] == ["L", "A", "B", "S"]
    # The result keeps that order: 19 over 19 units, 1 per unit, capped at equity 1 each.
    assert compute_open_interest(F(19), F(0), book).participants == ("L", "A", "B", "S")


def test_fund_share_rounds_down_to_the_unit() -> None:
    # Loss 10, share 1/3: 10/3 = 3.33.. rounds DOWN to 3 (unit 1); A, the only holder, is
    # charged the remaining 7 (within its equity 100); nothing uncovered.
    book = [SlPosition("A", size=F(1), equity=F(100))]
    result = compute_open_interest(F(10), F(100), book, F(1, 3), unit=F(1))
    assert result.insurance_paid == 3
    assert dict(result.charges) == {"A": 7}
    assert result.uncovered == 0
