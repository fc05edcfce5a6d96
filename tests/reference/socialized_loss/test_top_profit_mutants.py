"""Mutant-found gaps in ``top_profit`` (seed 000, "Socialized Loss System").

Only positions with cycle profit > 0 are "profitable positions" (a zero profit has nothing to
share); the search stops at the first position whose cumulative profit reaches ``threshold`` of
the total, counting from zero; ``threshold`` is refused outside (0, 1]; and the fund's share is
rounded down to the asset unit (a payout, DESIGN, Arithmetic).
"""

from __future__ import annotations

from fractions import Fraction as F

import pytest

from perpspec.reference.errors import SpecError
from perpspec.reference.socialized_loss.result import SlPosition
from perpspec.reference.socialized_loss.top_profit import (
    compute_top_profit,
    get_profitable_positions,
    select_top_profit_participants,
)


def test_a_zero_profit_is_not_profitable() -> None:
    # A 10 is profitable; Z broke even (0) and E lost: only A is a profitable position.
    book = [SlPosition("Z", F(0)), SlPosition("A", F(10)), SlPosition("E", F(-5))]
    assert [p.id for p in get_profitable_positions(book)] == ["A"]
    # With no profitable position at all, nobody takes part and the loss of 10 is uncovered.
    result = compute_top_profit(F(10), F(0), [SlPosition("Z", F(0)), SlPosition("E", F(-5))])
    assert result.participants == ()
    assert dict(result.charges) == {}
    assert result.uncovered == 10


def test_search_counts_cumulative_profit_from_zero() -> None:
    # Profits A 5, B 4, C 1 (total 10), threshold 3/5: goal 6. A alone is 5 < 6; A + B = 9
    # >= 6 crosses it, so A and B take part.
    book = [SlPosition("A", F(5)), SlPosition("B", F(4)), SlPosition("C", F(1))]
    assert [p.id for p in select_top_profit_participants(book, F(3, 5))] == ["A", "B"]


def test_threshold_above_one_is_refused() -> None:
    # The threshold is a share of the total profit: 3/2 is outside (0, 1].
    with pytest.raises(SpecError, match=r"^threshold: must be in \(0, 1\], found 1\.5$"):
        select_top_profit_participants([SlPosition("A", F(1))], F(3, 2))


def test_fund_share_rounds_down_to_the_unit() -> None:
    # Loss 10, share 1/3: 10/3 = 3.33.. rounds DOWN to 3 (unit 1); A, the only profitable
    # position, is charged the remaining 7 (within its profit 100); nothing uncovered.
    result = compute_top_profit(F(10), F(100), [SlPosition("A", F(100))], F(1, 3), unit=F(1))
    assert result.insurance_paid == 3
    assert dict(result.charges) == {"A": 7}
    assert result.uncovered == 0
