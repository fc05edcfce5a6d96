"""``top_profit`` socialized loss (seed 000, "Socialized Loss System").

Seed 000, quoted: "We will count all profitable positions in this settlement cycle and rank
these positions by profit. We will start looking for the position with the most profit. If the
accumulated profit amount accounts for 90% of the total profit amount of the settlement
system, we will stop searching. The positions we find will participate in this sharing."
And: "Socialized loss amount of this position = amount of part of the position that the user
needs to bear * profit amount of this position in this settlement cycle / total profit amount
of all profitable positions in this settlement cycle".

Reading (DESIGN, Socialized loss):

- The fund first bears ``insurance_share`` of the loss, up to its balance (the seed's figure:
  20% / 80%); the rest is the amount to charge.
- Participants: profitable positions (cycle profit > 0) by profit, largest first (ties by
  account id), taken until their cumulative profit reaches ``threshold`` (0.9 in the seed) of
  the total profit of all profitable positions; the position that crosses it is included.
- ``charge_i = amount * profit_i / denominator``. The seed's literal denominator is the total
  profit of *all* profitable positions, while only the participants pay: the charges then add
  up to only ``participants' profit / total profit`` (about 90%) of the amount. Profile option
  ``socialized_loss.denominator``: ``participants`` (the default; divides by the participants'
  own total, so the amount is collected exactly) or ``all_profitable`` (the literal text; the
  shortfall is booked to ``system_loss``).
- Each charge is capped at the position's cycle profit ("will reduce the user's profit but will
  not cause a loss"); what the caps refuse is booked to ``system_loss``.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from perpspec.reference.errors import SpecError
from perpspec.reference.numbers import format_number
from perpspec.reference.socialized_loss.common import (
    build_result,
    check_loss_inputs,
    check_unique_ids,
    compute_insurance_payment,
    round_charges,
)
from perpspec.reference.socialized_loss.result import Denominator, SlPosition, SocializedLossResult

__all__ = [
    "DEFAULT_THRESHOLD",
    "compute_top_profit",
    "get_profitable_positions",
    "select_top_profit_participants",
]

#: Seed 000: stop when the accumulated profit reaches 90% of the total.
DEFAULT_THRESHOLD = Fraction(9, 10)


def get_profitable_positions(positions: Sequence[SlPosition]) -> list[SlPosition]:
    """Positions with cycle profit > 0, largest profit first, ties by account id."""
    profitable = [p for p in positions if p.profit > 0]
    return sorted(profitable, key=lambda p: (-p.profit, p.id))


def select_top_profit_participants(
    positions: Sequence[SlPosition], threshold: Fraction = DEFAULT_THRESHOLD
) -> list[SlPosition]:
    """Seed 000's search: take from the top until cumulative profit >= threshold x total.

    Implements rule `sl.top-profit`.
    """
    if not 0 < threshold <= 1:
        raise SpecError(f"threshold: must be in (0, 1], found {format_number(threshold)}")
    ranked = get_profitable_positions(positions)
    goal = threshold * sum((p.profit for p in ranked), Fraction(0))
    selected: list[SlPosition] = []
    cumulative = Fraction(0)
    for position in ranked:
        selected.append(position)
        cumulative += position.profit
        if cumulative >= goal:
            break
    return selected


def compute_top_profit(
    loss: Fraction,
    insurance_fund: Fraction,
    positions: Sequence[SlPosition],
    insurance_share: Fraction = Fraction(1),
    threshold: Fraction = DEFAULT_THRESHOLD,
    denominator: Denominator = Denominator.PARTICIPANTS,
    unit: Fraction | None = None,
) -> SocializedLossResult:
    """Share ``loss`` between the fund and the top-profit positions (module docstring).

    Implements rule `sl.top-profit`.
    """
    check_loss_inputs(loss, insurance_fund, insurance_share)
    check_unique_ids(positions)
    insurance_paid = compute_insurance_payment(loss, insurance_fund, insurance_share, unit)
    amount = loss - insurance_paid
    participants = select_top_profit_participants(positions, threshold)
    if denominator is Denominator.PARTICIPANTS:
        base = sum((p.profit for p in participants), Fraction(0))
    else:
        base = sum((p.profit for p in get_profitable_positions(positions)), Fraction(0))
    shares = [(p.id, min(p.profit, amount * p.profit / base)) for p in participants]
    caps = {p.id: p.profit for p in participants}
    charges = round_charges(shares, caps, unit)
    return build_result(loss, insurance_paid, charges, [p.id for p in participants])
