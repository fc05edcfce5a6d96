"""Liquidation and bankruptcy prices of a position, with the tier fixed point and tick rounding.

Rules (DESIGN, Prices): the mark price is the only trigger. The liquidation price is the mark
at which margin balance = MM (+ the other positions' MM in cross mode); the bankruptcy price
the mark at which margin balance = 0. With ``close_fee_rate`` the fee to close at that price
is reserved in both conditions. The closed forms are derived in :mod:`perpspec.spec` and
generated into :mod:`perpspec.reference.prices.closed_forms`; this module chooses which one
applies, selects the tier, and rounds.

- Isolated: collateral = the isolated margin. Cross: collateral = wallet balance + the other
  positions' uPnL, and the other positions' MM is added to the requirement.
- Tiers on the mark basis: MM's tier depends on the value at the unknown price, so the price
  is the fixed point: solve per tier, keep the solution whose value lies in that tier
  (exchanges: "recompute with the tier at the liquidation price"). With MM continuous and
  ``mmr + close_fee_rate < 1`` at most one tier's solution lies in its own tier (theorem
  ``tier-fixed-point``). For a table that breaks the recurrence (MM jumps at a floor) more
  than one may; the first one reached as the mark moves against the position is kept
  (the highest price for a long, the lowest for a short).
- A price that would be <= 0, or an equation without a unique solution, is "none" (a long
  that can never be liquidated; a short so under-collateralized every price triggers).
- Rounding to the tick: a long's prices round UP, a short's DOWN, so the bankrupt trader
  never ends below zero and liquidation never comes later than the exact price.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from fractions import Fraction

from perpspec.reference.errors import SpecError
from perpspec.reference.instrument import ContractKind, Tier, find_tier, get_tier_bounds
from perpspec.reference.margin.pnl import compute_position_value
from perpspec.reference.margin.requirements import MaintenanceBasis
from perpspec.reference.numbers import Rounding, format_number, quantize
from perpspec.reference.prices import closed_forms

__all__ = [
    "MarginContext",
    "MarginMode",
    "PositionPrices",
    "compute_bankruptcy_price",
    "compute_collateral",
    "compute_liquidation_price",
    "compute_position_prices",
    "round_position_price",
]


class MarginMode(Enum):
    """Isolated: the position has its own margin. Cross: the account's wallet backs all."""

    ISOLATED = "isolated"
    CROSS = "cross"


@dataclass(frozen=True, slots=True)
class MarginContext:
    """What backs the position: its isolated margin, or the cross wallet and other positions."""

    mode: MarginMode
    balance: Fraction
    other_maintenance_margin: Fraction = Fraction(0)
    other_unrealized_pnl: Fraction = Fraction(0)


@dataclass(frozen=True, slots=True)
class PositionPrices:
    """The two prices, exact and (with a tick size) rounded; None means "none"."""

    liquidation_price: Fraction | None
    bankruptcy_price: Fraction | None
    liquidation_price_rounded: Fraction | None = None
    bankruptcy_price_rounded: Fraction | None = None


def compute_collateral(margin: MarginContext) -> Fraction:
    """Collateral ``B`` of the closed forms: balance (+ the other positions' uPnL in cross).

    Implements rule `price.collateral`.
    """
    if margin.mode is MarginMode.ISOLATED:
        return margin.balance
    return margin.balance + margin.other_unrealized_pnl


def _other_maintenance_margin(margin: MarginContext) -> Fraction:
    return margin.other_maintenance_margin if margin.mode is MarginMode.CROSS else Fraction(0)


def _positive_or_none(price: Fraction | None) -> Fraction | None:
    return price if price is not None and price > 0 else None


def compute_bankruptcy_price(
    kind: ContractKind,
    side: int,
    qty: Fraction,
    multiplier: Fraction,
    entry_price: Fraction,
    margin: MarginContext,
    close_fee_rate: Fraction = Fraction(0),
) -> Fraction | None:
    """The mark at which margin balance (less the reserved close fee) is zero.

    Implements rule `liq.bankruptcy-price`.
    """
    solve = (
        closed_forms.linear_bankruptcy_price
        if kind is ContractKind.LINEAR
        else closed_forms.inverse_bankruptcy_price
    )
    price = solve(side, qty, multiplier, entry_price, compute_collateral(margin), close_fee_rate)
    return _positive_or_none(price)


def _solve_liquidation(
    kind: ContractKind,
    basis: MaintenanceBasis,
    side: int,
    qty: Fraction,
    multiplier: Fraction,
    entry_price: Fraction,
    margin: MarginContext,
    tier: Tier,
    close_fee_rate: Fraction,
) -> Fraction | None:
    solvers = {
        (
            ContractKind.LINEAR,
            MaintenanceBasis.MARK,
        ): closed_forms.linear_liquidation_price_mark_basis,
        (
            ContractKind.LINEAR,
            MaintenanceBasis.ENTRY,
        ): closed_forms.linear_liquidation_price_entry_basis,
        (
            ContractKind.INVERSE,
            MaintenanceBasis.MARK,
        ): closed_forms.inverse_liquidation_price_mark_basis,
        (
            ContractKind.INVERSE,
            MaintenanceBasis.ENTRY,
        ): closed_forms.inverse_liquidation_price_entry_basis,
    }
    price = solvers[(kind, basis)](
        side,
        qty,
        multiplier,
        entry_price,
        compute_collateral(margin),
        tier.mmr,
        tier.maintenance_amount,
        _other_maintenance_margin(margin),
        close_fee_rate,
    )
    return _positive_or_none(price)


def _is_value_in_tier(tiers: Sequence[Tier], index: int, value: Fraction) -> bool:
    floor, ceiling = get_tier_bounds(tiers, index)
    return floor <= value and (ceiling is None or value < ceiling)


def _check_rates(tiers: Sequence[Tier], close_fee_rate: Fraction) -> None:
    # Margin balance minus requirement is monotone in the price only while the adverse PnL
    # outruns the requirement and the fee; past that the "liquidation price" has no meaning.
    for index, tier in enumerate(tiers):
        if tier.mmr + close_fee_rate >= 1:
            raise SpecError(
                f"tiers[{index}].mmr: mmr + close_fee_rate must be < 1, found "
                f"{format_number(tier.mmr)} + {format_number(close_fee_rate)}"
            )


def compute_liquidation_price(
    kind: ContractKind,
    tiers: Sequence[Tier],
    side: int,
    qty: Fraction,
    multiplier: Fraction,
    entry_price: Fraction,
    margin: MarginContext,
    basis: MaintenanceBasis = MaintenanceBasis.MARK,
    close_fee_rate: Fraction = Fraction(0),
) -> Fraction | None:
    """The mark at which margin balance = MM (+ other MM in cross), as the tier fixed point.

    Implements rules `liq.liquidation-price` and `price.tier-fixed-point`.
    """
    _check_rates(tiers, close_fee_rate)
    if basis is MaintenanceBasis.ENTRY:
        tier = find_tier(tiers, compute_position_value(kind, qty, multiplier, entry_price))
        return _solve_liquidation(
            kind, basis, side, qty, multiplier, entry_price, margin, tier, close_fee_rate
        )
    candidates: list[Fraction] = []
    for index, tier in enumerate(tiers):
        price = _solve_liquidation(
            kind, basis, side, qty, multiplier, entry_price, margin, tier, close_fee_rate
        )
        if price is not None and _is_value_in_tier(
            tiers, index, compute_position_value(kind, qty, multiplier, price)
        ):
            candidates.append(price)
    if not candidates:
        return None
    return max(candidates) if side > 0 else min(candidates)


def round_position_price(price: Fraction | None, side: int, tick_size: Fraction) -> Fraction | None:
    """Round a liquidation or bankruptcy price to the tick: UP for a long, DOWN for a short.

    Up for a long means the position is taken over no lower than its exact bankruptcy price
    (the trader never ends below zero) and liquidated no later than its exact liquidation
    price; a short mirrors it.

    Implements rule `round.price-to-tick`.
    """
    if price is None:
        return None
    return quantize(price, tick_size, Rounding.UP if side > 0 else Rounding.DOWN)


def compute_position_prices(
    kind: ContractKind,
    tiers: Sequence[Tier],
    side: int,
    qty: Fraction,
    multiplier: Fraction,
    entry_price: Fraction,
    margin: MarginContext,
    basis: MaintenanceBasis = MaintenanceBasis.MARK,
    close_fee_rate: Fraction = Fraction(0),
    tick_size: Fraction | None = None,
) -> PositionPrices:
    """Both prices of one position, exact and (with ``tick_size``) rounded to the tick.

    Implements rule `price.none`.
    """
    if side not in (1, -1):
        raise SpecError(f"side: must be +1 (long) or -1 (short), found {side}")
    if qty <= 0 or multiplier <= 0 or entry_price <= 0:
        raise SpecError("position: qty, multiplier and entry_price must be > 0")
    if close_fee_rate < 0:
        raise SpecError("close_fee_rate: must be >= 0")
    liquidation = compute_liquidation_price(
        kind, tiers, side, qty, multiplier, entry_price, margin, basis, close_fee_rate
    )
    bankruptcy = compute_bankruptcy_price(
        kind, side, qty, multiplier, entry_price, margin, close_fee_rate
    )
    if tick_size is None:
        return PositionPrices(liquidation, bankruptcy)
    return PositionPrices(
        liquidation,
        bankruptcy,
        round_position_price(liquidation, side, tick_size),
        round_position_price(bankruptcy, side, tick_size),
    )
