"""The socialized-loss method a profile names, and several losses within one cycle.

Profile options (``[socialized_loss]``): ``method``, ``insurance_share``, ``threshold``,
``denominator``. Within one settlement cycle, losses are charged in turn and each charge
consumes what it was capped by: a ``top_profit`` or ``clawback`` charge lowers the account's
cycle profit left for the next loss, an ``open_interest`` charge lowers its equity, and the
fund pays each loss from what the previous ones left (the caps of ``sl-cap`` hold over the
cycle, not only per loss). ``haircut_ratio`` is a ratio of the vault's state, not a charge
per loss, so it is computed once on the state, never chained.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from fractions import Fraction

from perpspec.reference.errors import SpecError
from perpspec.reference.socialized_loss.clawback import compute_clawback
from perpspec.reference.socialized_loss.haircut_ratio import (
    compute_haircut,
    compute_written_off_haircut,
)
from perpspec.reference.socialized_loss.open_interest import compute_open_interest
from perpspec.reference.socialized_loss.result import (
    Denominator,
    SlPosition,
    SocializedLossMethod,
    SocializedLossResult,
)
from perpspec.reference.socialized_loss.top_profit import DEFAULT_THRESHOLD, compute_top_profit

__all__ = [
    "SocializedLossParams",
    "apply_socialized_charges",
    "compute_liquidation_share",
    "compute_socialized_loss",
    "process_cycle_losses",
]


@dataclass(frozen=True, slots=True)
class SocializedLossParams:
    """The profile's ``[socialized_loss]`` choices that shape one computation."""

    method: SocializedLossMethod
    insurance_share: Fraction = Fraction(1)
    threshold: Fraction = DEFAULT_THRESHOLD
    denominator: Denominator = Denominator.PARTICIPANTS


def compute_socialized_loss(
    params: SocializedLossParams,
    loss: Fraction,
    insurance_fund: Fraction,
    positions: Sequence[SlPosition],
    unit: Fraction | None = None,
    vault: Fraction | None = None,
    principal: Fraction | None = None,
) -> SocializedLossResult:
    """Run the method of ``params`` (``haircut_ratio`` also needs ``vault`` and ``principal``).

    Implements rule `sl.cap`.
    """
    method = params.method
    if method is SocializedLossMethod.TOP_PROFIT:
        return compute_top_profit(
            loss,
            insurance_fund,
            positions,
            params.insurance_share,
            params.threshold,
            params.denominator,
            unit,
        )
    if method is SocializedLossMethod.CLAWBACK:
        return compute_clawback(loss, insurance_fund, positions, params.insurance_share, unit)
    if method is SocializedLossMethod.OPEN_INTEREST:
        return compute_open_interest(loss, insurance_fund, positions, params.insurance_share, unit)
    if vault is None or principal is None:
        raise SpecError("vault, principal: required by the haircut_ratio method")
    return compute_haircut(vault, principal, insurance_fund, positions, unit)


def compute_liquidation_share(
    params: SocializedLossParams,
    loss: Fraction,
    insurance_fund: Fraction,
    positions: Sequence[SlPosition],
    unit: Fraction | None = None,
) -> SocializedLossResult:
    """One liquidation's loss as the engine shares it (and the audit recomputes it): the
    method of ``params``, with ``haircut_ratio`` in its written-off form (no vault stated).

    Implements rule `insurance.fund-first`.
    """
    if params.method is SocializedLossMethod.HAIRCUT_RATIO:
        return compute_written_off_haircut(
            loss, insurance_fund, positions, params.insurance_share, unit
        )
    return compute_socialized_loss(params, loss, insurance_fund, positions, unit)


def apply_socialized_charges(
    positions: Sequence[SlPosition], result: SocializedLossResult, method: SocializedLossMethod
) -> tuple[SlPosition, ...]:
    """Positions after the charges: cycle profit (or, for ``open_interest``, equity) reduced."""
    after: list[SlPosition] = []
    for position in positions:
        charge = result.charges.get(position.id, Fraction(0))
        if method is SocializedLossMethod.OPEN_INTEREST and position.equity is not None:
            after.append(replace(position, equity=position.equity - charge))
        else:
            after.append(replace(position, profit=position.profit - charge))
    return tuple(after)


def process_cycle_losses(
    params: SocializedLossParams,
    losses: Sequence[Fraction],
    insurance_fund: Fraction,
    positions: Sequence[SlPosition],
    unit: Fraction | None = None,
) -> tuple[tuple[SocializedLossResult, ...], tuple[SlPosition, ...], Fraction]:
    """Charge ``losses`` of one cycle in turn; return results, positions and fund after.

    Implements rule `sl.cycle`.
    """
    if params.method is SocializedLossMethod.HAIRCUT_RATIO:
        raise SpecError(
            "socialized_loss.method: haircut_ratio is computed on the state, not per loss"
        )
    book = tuple(positions)
    fund = insurance_fund
    results: list[SocializedLossResult] = []
    for loss in losses:
        result = compute_socialized_loss(params, loss, fund, book, unit)
        results.append(result)
        book = apply_socialized_charges(book, result, params.method)
        fund -= result.insurance_paid
    return tuple(results), book, fund
