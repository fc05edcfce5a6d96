"""Mutant-found gaps in ``clawback`` (one rate ``min(1, amount / total profit)``; seed 000 fund).

The rate rule must hold for every positive total profit, including totals below one unit of
account, and the fund's share must be rounded down to the asset unit (a payout, DESIGN,
Arithmetic) before the traders' part is computed.
"""

from __future__ import annotations

from fractions import Fraction as F

from perpspec.reference.socialized_loss.clawback import compute_clawback, compute_clawback_rate
from perpspec.reference.socialized_loss.result import SlPosition


def test_rate_is_amount_over_profit_for_a_total_profit_below_one() -> None:
    # min(1, (1/4) / (1/2)) = 1/2: a small total profit is still a positive total profit.
    assert compute_clawback_rate(F(1, 4), F(1, 2)) == F(1, 2)
    # Profits A 1/4 and B 1/4 (total 1/2), loss 1/4, empty fund: rate 1/2, so each pays 1/8.
    book = [SlPosition("A", F(1, 4)), SlPosition("B", F(1, 4))]
    result = compute_clawback(F(1, 4), F(0), book)
    assert dict(result.charges) == {"A": F(1, 8), "B": F(1, 8)}
    assert result.uncovered == 0


def test_rate_is_zero_without_profit() -> None:
    # No profit in the cycle: there is nothing to claw back, whatever the amount.
    assert compute_clawback_rate(F(5), F(0)) == 0


def test_fund_share_rounds_down_to_the_unit() -> None:
    # Loss 10, share 1/3: 10/3 = 3.33.. rounds DOWN to 3 (unit 1). The traders' part is 7:
    # rate 7/100 of A's 100 = 7; nothing uncovered (10 - 3 - 7 = 0).
    result = compute_clawback(F(10), F(100), [SlPosition("A", F(100))], F(1, 3), unit=F(1))
    assert result.insurance_paid == 3
    assert dict(result.charges) == {"A": 7}
    assert result.uncovered == 0
