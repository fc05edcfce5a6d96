"""Rules shared by the socialized-loss methods: the fund's share, rounding, bookkeeping.

Charge rounding (with an asset ``unit``; without one every amount is exact). DESIGN,
Arithmetic, says charges to a trader round up and payouts round down, so that rounding never
costs the books; a socialized charge must also never exceed its cap (``sl-cap``) and the
charges together must never collect more than the loss (the system does not profit from a
loss). Rounding every charge up would break the last rule by up to one unit per account. The
rule here meets all three:

1. each exact share is first rounded DOWN to the unit;
2. the leftover, up to the total of the exact shares rounded DOWN to the unit, is handed out one
   unit at a time, in the method's order (largest profit or size first), to accounts whose
   share was rounded and whose cap leaves room for one more unit, which rounds those shares UP;
3. what is then left (less than one unit per account, or what the caps refused) is
   ``uncovered`` and booked to ``system_loss``.

So every charge is its exact share rounded up or down by less than one unit, never above the
cap, and the collected total never exceeds the amount.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction

from perpspec.reference.errors import SpecError
from perpspec.reference.numbers import Rounding, format_number, quantize
from perpspec.reference.socialized_loss.result import SlPosition, SocializedLossResult

__all__ = [
    "build_result",
    "check_loss_inputs",
    "check_unique_ids",
    "compute_insurance_payment",
    "round_charges",
]


def check_unique_ids(positions: Sequence[SlPosition]) -> None:
    """Every account appears once."""
    seen: set[str] = set()
    for position in positions:
        if position.id in seen:
            raise SpecError(f"{position.id}: the account id appears twice")
        seen.add(position.id)


def check_loss_inputs(loss: Fraction, insurance_fund: Fraction, insurance_share: Fraction) -> None:
    """The loss and the fund are >= 0; the fund's share is a fraction in [0, 1]."""
    if loss < 0:
        raise SpecError(f"loss: must be >= 0, found {format_number(loss)}")
    if insurance_fund < 0:
        raise SpecError(f"insurance_fund: must be >= 0, found {format_number(insurance_fund)}")
    if not 0 <= insurance_share <= 1:
        raise SpecError(
            f"insurance_share: must be in [0, 1], found {format_number(insurance_share)}"
        )


def compute_insurance_payment(
    loss: Fraction,
    insurance_fund: Fraction,
    insurance_share: Fraction,
    unit: Fraction | None = None,
) -> Fraction:
    """The fund pays ``insurance_share`` of the loss, up to its balance (seed 000: 20% / 80%).

    With a unit, the payment rounds DOWN to it (a payout from the fund), which leaves the
    traders' part a whole number of units when the loss is.

    Implements rule `insurance.fund-first`.
    """
    payment = min(insurance_fund, insurance_share * loss)
    if unit is not None:
        payment = quantize(payment, unit, Rounding.DOWN)
    return payment


def round_charges(
    shares: Sequence[tuple[str, Fraction]], caps: Mapping[str, Fraction], unit: Fraction | None
) -> dict[str, Fraction]:
    """Round exact shares (each already within its cap) to the unit (module docstring).

    Implements rule `sl.rounding`.
    """
    if unit is None:
        return dict(shares)
    charges = {account: quantize(share, unit, Rounding.DOWN) for account, share in shares}
    goal = quantize(sum((share for _, share in shares), Fraction(0)), unit, Rounding.DOWN)
    extra = goal - sum(charges.values(), Fraction(0))
    for account, share in shares:
        if extra <= 0:
            break
        if charges[account] < share and charges[account] + unit <= caps[account]:
            charges[account] += unit
            extra -= unit
    return charges


def build_result(
    loss: Fraction,
    insurance_paid: Fraction,
    charges: Mapping[str, Fraction],
    participants: Sequence[str],
) -> SocializedLossResult:
    """The result, with zero charges dropped and the rest of the loss booked as uncovered.

    Implements rule `sl.cap`.
    """
    kept = {account: amount for account, amount in charges.items() if amount > 0}
    uncovered = loss - insurance_paid - sum(kept.values(), Fraction(0))
    return SocializedLossResult(insurance_paid, kept, uncovered, tuple(participants))
