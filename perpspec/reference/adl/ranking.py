"""The ADL ranking: order by side, deterministic ties, quantiles and indicator lights.

Rules (DESIGN, ADL): longs and shorts are ranked separately; within a side, higher score
first, then the larger position, then the account id (string order), so that every ranking is
a total order and two engines agree on it. Rank 1 is the highest priority (the first to be
deleveraged).

Quantile (profile option ``adl.quantile_basis``):

- ``rank`` (seed 003, Binance): "Kvantil vzvoda dobiček/izguba = uvrstitev (uporabnik. vzvoda
  dobiček/izguba)/skupno število uporabnikov", i.e. quantile = rank / number of positions.
- ``size`` (BitMEX, "Auto-Deleveraging Further Information"): the share of the side's total
  size held by this position and every position ranked above it. BitMEX's example (six
  longs of 10, 20, 30, 10, 10, 20 in ranking order) shows the percentiles 20%, 40%, 60%, 80%,
  80%, 100%, which are the cumulative shares 10%, 30%, 60%, 70%, 80%, 100% shown "in 20%
  increments" (the lights below).

Lights (profile option ``adl.thresholds``): cumulative quantile cut points for 5, 4, 3, 2
lights; a quantile at or below the first cut point lights 5, at or below the second 4, and so
on; anything above the last one lights 1. Five cut points end with 1 (the fifth is then the
bound of 1 light); four leave 1 light as the rest. Seed 001: "User A, 100 short positions,
profit ranking at top 10%, 5 lights on the indicator; User B, 200 short positions, profit
ranking at top 30%, 4 lights ..." through "User E ... top 100%, 1 lights": cut points 0.1, 0.3,
0.5, 0.8, 1. Seed 001's five example
users cannot themselves sit at those quantiles (five users give 20%, 40%, ...); the labels are
read as the indicator's cut points, which is how :data:`SEED001_THRESHOLDS` uses them. The
default is quintiles (seed 004's five lights; BitMEX "20% increments").
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import Enum
from fractions import Fraction

from perpspec.reference.adl.formulas import AdlPosition, RankingFormula, compute_score
from perpspec.reference.errors import SpecError
from perpspec.reference.liquidation.settlement import Side
from perpspec.reference.numbers import format_number

__all__ = [
    "DEFAULT_THRESHOLDS",
    "SEED001_THRESHOLDS",
    "AdlRanking",
    "QuantileBasis",
    "RankedPosition",
    "ScoredPosition",
    "compute_lights",
    "compute_quantile",
    "get_priority_key",
    "order_by_priority",
    "rank_positions",
    "rank_side",
    "validate_thresholds",
]

#: Quintiles: the default cut points for 5, 4, 3, 2, 1 lights.
DEFAULT_THRESHOLDS: tuple[Fraction, ...] = tuple(Fraction(k, 5) for k in range(1, 6))

#: Seed 001 (Gate): top 10%, 30%, 50%, 80%, 100% light 5, 4, 3, 2, 1.
SEED001_THRESHOLDS: tuple[Fraction, ...] = (
    Fraction(1, 10),
    Fraction(3, 10),
    Fraction(1, 2),
    Fraction(4, 5),
    Fraction(1),
)


class QuantileBasis(Enum):
    """Profile option ``adl.quantile_basis``: what a position's quantile counts."""

    RANK = "rank"
    SIZE = "size"


@dataclass(frozen=True, slots=True)
class ScoredPosition:
    """A position with its ADL score: the input of ordering and of allocation."""

    id: str
    side: Side
    qty: Fraction
    score: Fraction


@dataclass(frozen=True, slots=True)
class RankedPosition:
    """A position's place in its side's ADL queue."""

    id: str
    side: Side
    qty: Fraction
    score: Fraction
    rank: int
    quantile: Fraction
    lights: int


@dataclass(frozen=True, slots=True)
class AdlRanking:
    """Both sides' queues, each highest priority first."""

    longs: tuple[RankedPosition, ...]
    shorts: tuple[RankedPosition, ...]

    def get_side(self, side: Side) -> tuple[RankedPosition, ...]:
        """The queue of ``side``."""
        return self.longs if side is Side.LONG else self.shorts


def validate_thresholds(
    thresholds: Sequence[Fraction], field: str = "thresholds"
) -> tuple[Fraction, ...]:
    """Check cut points: 4 or 5 of them, strictly increasing, in (0, 1], a fifth equal to 1.

    Implements rule `adl.lights`.
    """
    values = tuple(thresholds)
    if len(values) not in (4, 5):
        raise SpecError(
            f"{field}: expected 4 or 5 cut points (for 5, 4, 3, 2 lights), found {len(values)}"
        )
    for index, value in enumerate(values):
        if not 0 < value <= 1:
            raise SpecError(f"{field}[{index}]: must be in (0, 1], found {format_number(value)}")
        if index and value <= values[index - 1]:
            raise SpecError(f"{field}[{index}]: cut points must increase strictly")
    if len(values) == 5 and values[-1] != 1:
        raise SpecError(f"{field}[4]: the fifth cut point bounds 1 light and must be 1")
    return values


def get_priority_key(position: ScoredPosition) -> tuple[Fraction, Fraction, str]:
    """Sort key of the ADL order: score desc, then size desc, then account id (DESIGN, ADL).

    Implements rule `adl.ranking`.
    """
    return (-position.score, -position.qty, position.id)


def order_by_priority(positions: Iterable[ScoredPosition]) -> list[ScoredPosition]:
    """Positions highest priority first, under :func:`get_priority_key`.

    Implements rule `adl.ranking`.
    """
    return sorted(positions, key=get_priority_key)


def compute_quantile(
    rank: int, count: int, cumulative_qty: Fraction, total_qty: Fraction, basis: QuantileBasis
) -> Fraction:
    """Quantile of the position at ``rank`` (1-based) of ``count`` (module docstring).

    Implements rule `adl.lights`.
    """
    if basis is QuantileBasis.SIZE:
        return cumulative_qty / total_qty
    return Fraction(rank, count)


def compute_lights(quantile: Fraction, thresholds: Sequence[Fraction] = DEFAULT_THRESHOLDS) -> int:
    """Indicator lights 5..1 of ``quantile`` under the profile's cut points (module docstring).

    Implements rule `adl.lights`.
    """
    for index, cut in enumerate(thresholds):
        if quantile <= cut:
            return 5 - index
    return 1


def rank_side(
    positions: Sequence[ScoredPosition],
    thresholds: Sequence[Fraction] = DEFAULT_THRESHOLDS,
    basis: QuantileBasis = QuantileBasis.RANK,
) -> tuple[RankedPosition, ...]:
    """Rank one side's positions: order, rank, quantile and lights."""
    ordered = order_by_priority(positions)
    total = sum((p.qty for p in ordered), Fraction(0))
    ranked: list[RankedPosition] = []
    cumulative = Fraction(0)
    for rank, position in enumerate(ordered, start=1):
        cumulative += position.qty
        quantile = compute_quantile(rank, len(ordered), cumulative, total, basis)
        lights = compute_lights(quantile, thresholds)
        ranked.append(
            RankedPosition(
                position.id, position.side, position.qty, position.score, rank, quantile, lights
            )
        )
    return tuple(ranked)


def _check_unique_ids(positions: Sequence[AdlPosition]) -> None:
    seen: set[str] = set()
    for position in positions:
        if position.id in seen:
            raise SpecError(f"{position.id}: the position id appears twice")
        seen.add(position.id)


def rank_positions(
    positions: Sequence[AdlPosition],
    formula: RankingFormula,
    thresholds: Sequence[Fraction] = DEFAULT_THRESHOLDS,
    basis: QuantileBasis = QuantileBasis.RANK,
) -> AdlRanking:
    """Score every position with ``formula`` and rank longs and shorts separately.

    Implements rule `adl.ranking`.
    """
    _check_unique_ids(positions)
    cuts = validate_thresholds(thresholds)
    scored = [ScoredPosition(p.id, p.side, p.qty, compute_score(formula, p)) for p in positions]
    longs = rank_side([p for p in scored if p.side is Side.LONG], cuts, basis)
    shorts = rank_side([p for p in scored if p.side is Side.SHORT], cuts, basis)
    return AdlRanking(longs, shorts)
