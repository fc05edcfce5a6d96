"""Instruments: contract kind, multiplier, tick and lot size, and margin tiers.

Rule (DESIGN, Margin): maintenance margin is ``MM = value * m - c`` with ``(m, c)`` from the
tier (risk limit) whose range contains the position's value. The maintenance amount follows
the recurrence ``c_0 = 0``, ``c_n = floor_n * (m_n - m_{n-1}) + c_{n-1}``, which makes MM
continuous in the value (theorem ``mm-continuity`` in :mod:`perpspec.spec.theorems`).

A tier contains the values ``floor_i <= value < floor_{i+1}`` (floor inclusive). Exchanges
that publish ceilings instead ("up to 50,000") differ only at the boundary value itself, where
a table that obeys the recurrence gives the same MM from either side.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from fractions import Fraction

from perpspec.reference.errors import SpecError
from perpspec.reference.numbers import format_number

__all__ = [
    "ContractKind",
    "Instrument",
    "Tier",
    "compute_maintenance_amounts",
    "find_tier",
    "get_tier_bounds",
    "make_tier_table",
    "validate_tier_table",
]


class ContractKind(Enum):
    """How a contract settles.

    ``LINEAR``: quote-settled; PnL ``q V (P - E)``, value ``|q| V P`` in the quote asset.
    ``INVERSE``: coin-settled; PnL ``q V (1/E - 1/P)``, value ``|q| V / P`` in the coin.
    """

    LINEAR = "linear"
    INVERSE = "inverse"


@dataclass(frozen=True, slots=True)
class Tier:
    """One margin tier: values from ``floor`` up to the next tier's floor.

    ``maintenance_amount`` is the ``c`` of ``MM = value * mmr - c``. ``max_leverage`` is the
    largest leverage allowed inside the tier (None when the table does not say).
    """

    floor: Fraction
    mmr: Fraction
    maintenance_amount: Fraction
    max_leverage: Fraction | None = None


@dataclass(frozen=True, slots=True)
class Instrument:
    """A perpetual contract as the waterfall sees it.

    ``tick_size`` and ``lot_size`` are None when prices or quantities are not quantized.
    ``fund`` is the insurance fund the market maps to; ``settle_asset`` the asset of margin
    and PnL (the quote asset for linear contracts, the coin for inverse ones).
    """

    market: str
    kind: ContractKind
    multiplier: Fraction
    tiers: tuple[Tier, ...]
    tick_size: Fraction | None = None
    lot_size: Fraction | None = None
    fund: str = "default"
    settle_asset: str = "USDT"


def compute_maintenance_amounts(
    floors: Sequence[Fraction], mmrs: Sequence[Fraction]
) -> tuple[Fraction, ...]:
    """The maintenance amounts of the recurrence ``c_n = floor_n (m_n - m_{n-1}) + c_{n-1}``.

    ``c_0 = 0``. With these amounts MM is continuous across every tier floor.

    Implements rule `margin.maintenance-amounts`.
    """
    amounts: list[Fraction] = []
    for index, (floor, mmr) in enumerate(zip(floors, mmrs, strict=True)):
        if index == 0:
            amounts.append(Fraction(0))
        else:
            amounts.append(floor * (mmr - mmrs[index - 1]) + amounts[-1])
    return tuple(amounts)


def validate_tier_table(tiers: Sequence[Tier], require_recurrence: bool = False) -> None:
    """Reject a tier table the spec cannot use, with the first reason found.

    A usable table is non-empty, starts at floor 0, has strictly increasing floors, rates in
    ``[0, 1)`` that never decrease, and non-negative maintenance amounts. With
    ``require_recurrence`` the amounts must also equal the recurrence's (a published table
    that breaks it makes MM jump at a floor, and the liquidation price may not exist).

    Implements rule `margin.maintenance-amounts`.
    """
    if not tiers:
        raise SpecError("tiers: at least one tier is required")
    if tiers[0].floor != 0:
        raise SpecError(
            f"tiers[0].floor: the first tier must start at 0, found {format_number(tiers[0].floor)}"
        )
    for index, tier in enumerate(tiers):
        if not 0 <= tier.mmr < 1:
            raise SpecError(
                f"tiers[{index}].mmr: must be in [0, 1), found {format_number(tier.mmr)}"
            )
        if tier.max_leverage is not None and tier.max_leverage < 1:
            raise SpecError(
                f"tiers[{index}].max_leverage: must be >= 1, "
                f"found {format_number(tier.max_leverage)}"
            )
        if index == 0:
            continue
        previous = tiers[index - 1]
        if tier.floor <= previous.floor:
            raise SpecError(
                f"tiers[{index}].floor: floors must increase, found "
                f"{format_number(tier.floor)} after {format_number(previous.floor)}"
            )
        if tier.mmr < previous.mmr:
            raise SpecError(
                f"tiers[{index}].mmr: rates must not decrease, found "
                f"{format_number(tier.mmr)} after {format_number(previous.mmr)}"
            )
    for index, tier in enumerate(tiers):
        if tier.maintenance_amount < 0:
            raise SpecError(
                f"tiers[{index}].maintenance_amount: must be >= 0, "
                f"found {format_number(tier.maintenance_amount)}"
            )
    if require_recurrence:
        expected = compute_maintenance_amounts([t.floor for t in tiers], [t.mmr for t in tiers])
        for index, (tier, amount) in enumerate(zip(tiers, expected, strict=True)):
            if tier.maintenance_amount != amount:
                raise SpecError(
                    f"tiers[{index}].maintenance_amount: the recurrence gives "
                    f"{format_number(amount)}, "
                    f"the table says {format_number(tier.maintenance_amount)}"
                )


def make_tier_table(
    floors: Sequence[Fraction],
    mmrs: Sequence[Fraction],
    maintenance_amounts: Sequence[Fraction | None] | None = None,
) -> tuple[Tier, ...]:
    """Build and validate a tier table; a missing maintenance amount comes from the recurrence.

    Published amounts are taken as published (DESIGN, Conformance: ``maintenance_amount``); a
    missing one is ``floor_n (m_n - m_{n-1}) + c_{n-1}`` with ``c_{n-1}`` the previous tier's
    amount as it stands in the table, published or derived.
    """
    if len(floors) != len(mmrs):
        raise SpecError("tiers: floors and rates differ in length")
    given = maintenance_amounts or [None] * len(floors)
    if len(given) != len(floors):
        raise SpecError("tiers: maintenance amounts and floors differ in length")
    tiers: list[Tier] = []
    for floor, mmr, published in zip(floors, mmrs, given, strict=True):
        amount = published
        if amount is None:
            # The recurrence chains from the amount actually in the table: a published amount
            # before a missing one keeps MM continuous at the missing tier's floor.
            previous = tiers[-1] if tiers else None
            amount = (
                Fraction(0)
                if previous is None
                else floor * (mmr - previous.mmr) + previous.maintenance_amount
            )
        tiers.append(Tier(floor, mmr, amount))
    validate_tier_table(tiers)
    return tuple(tiers)


def get_tier_bounds(tiers: Sequence[Tier], index: int) -> tuple[Fraction, Fraction | None]:
    """The value range ``[floor, ceiling)`` of tier ``index``; the last tier has no ceiling."""
    ceiling = tiers[index + 1].floor if index + 1 < len(tiers) else None
    return tiers[index].floor, ceiling


def find_tier(tiers: Sequence[Tier], value: Fraction) -> Tier:
    """The tier whose range contains ``value`` (floor inclusive).

    Implements rule `margin.maintenance`.
    """
    if value < 0:
        raise SpecError(f"value: must be >= 0 to select a tier, found {format_number(value)}")
    chosen = tiers[0]
    for tier in tiers:
        if tier.floor <= value:
            chosen = tier
        else:
            break
    return chosen
