"""``open_interest`` socialized loss: spread over open positions in proportion to size.

Drift protocol v2 (``resolve_perp_bankruptcy``): after the insurance fund, the loss left is
socialized over the market's open interest through the cumulative funding rates, one amount
per unit of base size on longs and shorts alike (its unit test: a loss of 100 over 7 long and
4 short base units is 100 / 11 per unit). Mango markets do the same over positions.

Here: after the fund's share (``insurance_share``, up to its balance), ``charge_i = amount *
|size_i| / sum |size|`` over positions with a size, each capped at the account's equity
(``max(0, equity)``: socialized loss never pushes a trader below zero, DESIGN). What the caps
refuse is not spread again; it is booked to ``system_loss``.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from perpspec.reference.errors import SpecError
from perpspec.reference.socialized_loss.common import (
    build_result,
    check_loss_inputs,
    check_unique_ids,
    compute_insurance_payment,
    round_charges,
)
from perpspec.reference.socialized_loss.result import SlPosition, SocializedLossResult

__all__ = ["compute_open_interest", "get_equity_cap", "get_open_positions", "get_size"]


def get_size(position: SlPosition) -> Fraction:
    """The absolute size; ``open_interest`` needs one for every position."""
    if position.size is None:
        raise SpecError(f"{position.id}.size: required by the open_interest method")
    return abs(position.size)


def get_equity_cap(position: SlPosition) -> Fraction:
    """The cap of an ``open_interest`` charge: the account's equity, never below zero.

    Implements rule `sl.open-interest`.
    """
    if position.equity is None:
        raise SpecError(f"{position.id}.equity: required by the open_interest method")
    return max(Fraction(0), position.equity)


def get_open_positions(positions: Sequence[SlPosition]) -> list[SlPosition]:
    """Positions with a non-zero size, largest first, ties by account id."""
    open_positions = [p for p in positions if get_size(p) > 0]
    return sorted(open_positions, key=lambda p: (-get_size(p), p.id))


def compute_open_interest(
    loss: Fraction,
    insurance_fund: Fraction,
    positions: Sequence[SlPosition],
    insurance_share: Fraction = Fraction(1),
    unit: Fraction | None = None,
) -> SocializedLossResult:
    """Spread the amount over open interest, each charge capped at equity (module docstring).

    Implements rule `sl.open-interest`.
    """
    check_loss_inputs(loss, insurance_fund, insurance_share)
    check_unique_ids(positions)
    insurance_paid = compute_insurance_payment(loss, insurance_fund, insurance_share, unit)
    amount = loss - insurance_paid
    holders = get_open_positions(positions)
    total = sum((get_size(p) for p in holders), Fraction(0))
    caps = {p.id: get_equity_cap(p) for p in holders}
    shares = [(p.id, min(caps[p.id], amount * get_size(p) / total)) for p in holders]
    charges = round_charges(shares, caps, unit)
    return build_result(loss, insurance_paid, charges, [p.id for p in holders])
