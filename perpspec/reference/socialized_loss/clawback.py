"""``clawback`` socialized loss: one equal percentage of every profitable account's profit.

Historical OKEx and BitMEX ("Socialised Loss" before ADL; BitMEX, "Auto-Deleveraging Further
Information": "Profit must be locked until rebalance or settlement in case of loss"). After the
fund's share (``insurance_share``, up to its balance), the amount is taken from every account
with cycle profit > 0 at one rate ``min(1, amount / total profit)``: a charge is the account's
profit times that rate, so it never exceeds the profit (``sl-cap``); when the amount exceeds
the total profit, every profit is taken whole and the rest is booked to ``system_loss``.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from perpspec.reference.socialized_loss.common import (
    build_result,
    check_loss_inputs,
    check_unique_ids,
    compute_insurance_payment,
    round_charges,
)
from perpspec.reference.socialized_loss.result import SlPosition, SocializedLossResult
from perpspec.reference.socialized_loss.top_profit import get_profitable_positions

__all__ = ["compute_clawback", "compute_clawback_rate"]


def compute_clawback_rate(amount: Fraction, total_profit: Fraction) -> Fraction:
    """The one percentage of profit taken from everyone: ``min(1, amount / total profit)``.

    Implements rule `sl.clawback`.
    """
    if total_profit <= 0:
        return Fraction(0)
    return min(Fraction(1), amount / total_profit)


def compute_clawback(
    loss: Fraction,
    insurance_fund: Fraction,
    positions: Sequence[SlPosition],
    insurance_share: Fraction = Fraction(1),
    unit: Fraction | None = None,
) -> SocializedLossResult:
    """Claw the amount back from every profitable account at one rate (module docstring).

    Implements rule `sl.clawback`.
    """
    check_loss_inputs(loss, insurance_fund, insurance_share)
    check_unique_ids(positions)
    insurance_paid = compute_insurance_payment(loss, insurance_fund, insurance_share, unit)
    profitable = get_profitable_positions(positions)
    total = sum((p.profit for p in profitable), Fraction(0))
    rate = compute_clawback_rate(loss - insurance_paid, total)
    shares = [(p.id, rate * p.profit) for p in profitable]
    charges = round_charges(shares, {p.id: p.profit for p in profitable}, unit)
    return build_result(loss, insurance_paid, charges, [p.id for p in profitable])
