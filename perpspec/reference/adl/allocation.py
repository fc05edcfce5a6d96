"""ADL allocation: who takes the liquidated remainder, and how much (DESIGN, ADL).

Profile option ``adl.allocation``:

- ``queue`` (seeds 001 to 004, BitMEX, Bybit): counterparties on the opposite side, in ranking
  order, each consumed fully before the next; the last one touched may be consumed partly. Seed
  002: 20,000 contracts -> A 10,000, B 7,000, C 3,000 at 19,500; seed 001: 350 -> A 100,
  B 200, C 50. Among all ways to take the amount, this maximizes the total score taken (a
  fractional-knapsack optimum), which is also why a tiny change of two scores can move the
  whole amount from one counterparty to another.
- ``pro_rata``: every eligible counterparty gives the same fraction ``r = amount / total
  opposite size`` (at most 1). This minimizes the largest fraction any counterparty loses:
  some counterparty must lose at least the average ``r``, and here nobody loses more.

Common rules: fills are at one price, the liquidated position's bankruptcy price (seed 001:
"fill all contract at the bankruptcy price"; seed 002; BitMEX), unless the profile's
``adl.fill_price`` names the mark (Hyperliquid: "closed at the previous mark price"); a fill
never exceeds the counterparty's size, so nobody is flipped; when the opposite side holds less
than the amount, everything it holds is taken and the rest is returned as ``remaining_qty``
(never an invented fill). Every counterparty with a fill has its open orders cancelled (seed
001: "If a user experienced ADL, all pending orders will be canceled"; seed 002).

Lots: with a ``lot_size``, the amount and every counterparty size must be whole lots
(positions are), and every fill is a whole number of lots. ``queue`` needs no rounding then.
``pro_rata`` rounds each share ``r * size`` DOWN to a lot and hands the leftover lots out one
at a time, in ranking order, to the counterparties whose share was rounded (those below their
exact share), until the amount is met. Each fill is then its exact share rounded down or up to
a lot, so within one lot of it, and never above the counterparty's size.

A partly consumed counterparty is re-ranked before the next remainder is allocated
(:func:`process_adl_remainders`): its size shrinks, which can move it behind an equal score.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import Enum
from fractions import Fraction

from perpspec.reference.adl.ranking import ScoredPosition, order_by_priority
from perpspec.reference.errors import SpecError
from perpspec.reference.liquidation.settlement import Side
from perpspec.reference.numbers import Rounding, format_number, quantize

__all__ = [
    "AdlAllocation",
    "AdlFill",
    "AllocationPolicy",
    "FillPrice",
    "LiquidatedRemainder",
    "allocate_adl",
    "apply_adl_fills",
    "compute_pro_rata_quantities",
    "compute_queue_quantities",
    "get_adl_fill_price",
    "get_eligible_counterparties",
    "get_opposite_side",
    "is_lot_multiple",
    "process_adl_remainders",
]


class AllocationPolicy(Enum):
    """Profile option ``adl.allocation``."""

    QUEUE = "queue"
    PRO_RATA = "pro_rata"


class FillPrice(Enum):
    """Profile option ``adl.fill_price``: the price of every ADL fill.

    ``bankruptcy``: the liquidated position's bankruptcy price (seeds 001 to 004, BitMEX,
    Bybit, Bitget; DESIGN invariant ``adl-price``). ``mark``: the mark price (Hyperliquid:
    "closed at the previous mark price against the now underwater user").
    """

    BANKRUPTCY = "bankruptcy"
    MARK = "mark"


@dataclass(frozen=True, slots=True)
class LiquidatedRemainder:
    """What the last resort must close: the unfilled part of a liquidated position."""

    side: Side
    qty: Fraction
    bankruptcy_price: Fraction


@dataclass(frozen=True, slots=True)
class AdlFill:
    """One ADL fill: counterparty ``id`` closes ``qty`` at ``price``."""

    id: str
    qty: Fraction
    price: Fraction


@dataclass(frozen=True, slots=True)
class AdlAllocation:
    """Fills in execution order, what the opposite side could not absorb, orders cancelled."""

    fills: tuple[AdlFill, ...]
    remaining_qty: Fraction
    cancelled_orders: tuple[str, ...]


def get_opposite_side(side: Side) -> Side:
    """The side that takes over a liquidated ``side`` (DESIGN invariant ``adl-side``).

    Implements rule `adl.counterparties`.
    """
    return Side.SHORT if side is Side.LONG else Side.LONG


def is_lot_multiple(value: Fraction, lot_size: Fraction | None) -> bool:
    """True when ``value`` is a whole number of lots (always, without a lot size).

    Implements rule `adl.no-flip`.
    """
    return lot_size is None or (value / lot_size).denominator == 1


def _check_counterparties(
    counterparties: Sequence[ScoredPosition], lot_size: Fraction | None
) -> None:
    seen: set[str] = set()
    for position in counterparties:
        if position.id in seen:
            raise SpecError(f"{position.id}: the counterparty id appears twice")
        seen.add(position.id)
        if position.qty <= 0:
            raise SpecError(f"{position.id}.qty: must be > 0, found {format_number(position.qty)}")
        if not is_lot_multiple(position.qty, lot_size):
            raise SpecError(
                f"{position.id}.qty: {format_number(position.qty)} is not a whole number of lots"
            )


def get_eligible_counterparties(
    liquidated_side: Side, counterparties: Sequence[ScoredPosition]
) -> list[ScoredPosition]:
    """Opposite-side positions in ADL priority order; same-side positions are not eligible.

    Implements rule `adl.counterparties`.
    """
    opposite = get_opposite_side(liquidated_side)
    return order_by_priority(p for p in counterparties if p.side is opposite)


def compute_queue_quantities(qty: Fraction, ranked: Sequence[ScoredPosition]) -> list[Fraction]:
    """``queue``: each counterparty in order gives all it has until ``qty`` is met.

    Implements rule `adl.queue`.
    """
    left = qty
    taken: list[Fraction] = []
    for position in ranked:
        take = min(left, position.qty)
        taken.append(take)
        left -= take
    return taken


def compute_pro_rata_quantities(
    qty: Fraction, ranked: Sequence[ScoredPosition], lot_size: Fraction | None = None
) -> list[Fraction]:
    """``pro_rata``: the same fraction from everyone, lot-rounded DOWN, leftover lots in rank order.

    The fraction is ``min(qty, total) / total``. With a lot size, each share is rounded down to
    a lot and the leftover lots go one at a time, in ranking order, to counterparties whose
    share was rounded. The leftover is less than one lot per rounded share (each lost less
    than a lot), so one pass suffices and every fill is its share rounded down or up.

    Implements rule `adl.pro-rata`.
    """
    total = sum((p.qty for p in ranked), Fraction(0))
    if total == 0:
        return []
    target = min(qty, total)
    ratio = target / total
    if lot_size is None:
        return [ratio * p.qty for p in ranked]
    shares = [ratio * p.qty for p in ranked]
    taken = [quantize(share, lot_size, Rounding.DOWN) for share in shares]
    leftover = target - sum(taken, Fraction(0))
    for index, share in enumerate(shares):
        if leftover > 0 and taken[index] < share:
            taken[index] += lot_size
            leftover -= lot_size
    return taken


def get_adl_fill_price(
    fill_price: FillPrice, bankruptcy_price: Fraction | None, mark_price: Fraction
) -> Fraction:
    """The price every ADL fill of a liquidation has (invariant ``adl-price``).

    The bankruptcy price (seed 001: "fill all contract at the bankruptcy price"; seed 002), or
    the mark of the update under ``adl.fill_price = "mark"`` (Hyperliquid: "closed at the
    previous mark price against the now underwater user"). A position with no bankruptcy
    price was taken over at the mark, so it fills there under either option.

    Implements rule `adl.fill-price`.
    """
    if bankruptcy_price is None or fill_price is FillPrice.MARK:
        return mark_price
    return bankruptcy_price


def allocate_adl(
    remainder: LiquidatedRemainder,
    counterparties: Sequence[ScoredPosition],
    policy: AllocationPolicy = AllocationPolicy.QUEUE,
    lot_size: Fraction | None = None,
    price: Fraction | None = None,
) -> AdlAllocation:
    """Allocate ``remainder`` over the opposite side under ``policy`` (module docstring).

    ``price`` defaults to the remainder's bankruptcy price (profile ``adl.fill_price =
    "bankruptcy"``); pass the mark for ``fill_price = "mark"``.

    Implements rule `adl.queue`.
    """
    if remainder.qty <= 0:
        raise SpecError(f"liquidated.qty: must be > 0, found {format_number(remainder.qty)}")
    if remainder.bankruptcy_price <= 0:
        raise SpecError("liquidated.bankruptcy_price: must be > 0")
    if lot_size is not None and lot_size <= 0:
        raise SpecError(f"lot_size: must be > 0, found {format_number(lot_size)}")
    if not is_lot_multiple(remainder.qty, lot_size):
        raise SpecError(
            f"liquidated.qty: {format_number(remainder.qty)} is not a whole number of lots"
        )
    _check_counterparties(counterparties, lot_size)
    fill_price = remainder.bankruptcy_price if price is None else price
    ranked = get_eligible_counterparties(remainder.side, counterparties)
    if policy is AllocationPolicy.QUEUE:
        quantities = compute_queue_quantities(remainder.qty, ranked)
    else:
        quantities = compute_pro_rata_quantities(remainder.qty, ranked, lot_size)
    fills = tuple(
        AdlFill(position.id, taken, fill_price)
        for position, taken in zip(ranked, quantities, strict=False)
        if taken > 0
    )
    filled = sum((f.qty for f in fills), Fraction(0))
    return AdlAllocation(fills, remainder.qty - filled, tuple(f.id for f in fills))


def apply_adl_fills(
    counterparties: Sequence[ScoredPosition], fills: Sequence[AdlFill]
) -> tuple[ScoredPosition, ...]:
    """Counterparties after ``fills``: sizes reduced, fully closed positions removed.

    Implements rule `adl.no-flip`.
    """
    taken: dict[str, Fraction] = {}
    for fill in fills:
        taken[fill.id] = taken.get(fill.id, Fraction(0)) + fill.qty
    after = (replace(p, qty=p.qty - taken.get(p.id, Fraction(0))) for p in counterparties)
    return tuple(p for p in after if p.qty > 0)


def process_adl_remainders(
    remainders: Sequence[LiquidatedRemainder],
    counterparties: Sequence[ScoredPosition],
    policy: AllocationPolicy = AllocationPolicy.QUEUE,
    lot_size: Fraction | None = None,
) -> tuple[tuple[AdlAllocation, ...], tuple[ScoredPosition, ...]]:
    """Allocate several remainders in turn, re-ranking the reduced counterparties before each.

    Scores are kept as given: a formula whose score depends on size must be recomputed by
    the caller between remainders; the size tie-break is re-applied here.
    """
    book = tuple(counterparties)
    allocations: list[AdlAllocation] = []
    for remainder in remainders:
        allocation = allocate_adl(remainder, book, policy, lot_size)
        allocations.append(allocation)
        book = apply_adl_fills(book, allocation.fills)
    return tuple(allocations), book
