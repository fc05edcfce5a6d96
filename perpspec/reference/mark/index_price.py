"""The index price: a weighted average of source prices, stale and outlying sources excluded.

Rule ``mark.index-price``. Binance ("What Are Mark Price and Price Index", USDⓈ-M Futures):
Price Index = sum of weight percent of exchange x its spot price, over the exchanges the index
uses, with the weight of an exchange whose price deviates too far from the median, or that has
stopped updating, set to zero and the remaining weights renormalized. Hyperliquid ("Oracle"):
each validator's spot oracle price is the *weighted median* of the exchanges' mid prices
(weights 3, 2, 2, 1, 1, 1, 1); that method is option ``weighted_median``.

Choices the sources leave open, named here:

* the median the deviation is measured from is the plain (unweighted) median of the fresh
  sources' prices, the mean of the two middle prices when their number is even;
* a source deviates when ``|price - median| > max_deviation x median`` (strictly beyond; a
  source exactly at the bound is kept);
* a source is stale when ``now - ts > max_age`` (strictly older);
* below ``min_sources`` usable sources the index is refused with :class:`IndexSourcesError`,
  never computed from what is left.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import Enum
from fractions import Fraction

from perpspec.reference.errors import SpecError

__all__ = [
    "IndexMethod",
    "IndexRule",
    "IndexSourcesError",
    "SourcePrice",
    "compute_index_price",
    "compute_median",
    "compute_weighted_median",
    "exclude_outlying_sources",
    "exclude_stale_sources",
    "renormalize_weights",
    "select_index_sources",
]


class IndexSourcesError(SpecError):
    """Fewer usable sources than the rule's minimum: the index is not defined."""


class IndexMethod(Enum):
    """Option ``index.method``: how the kept sources' prices are combined."""

    #: Binance, Bybit, OKX, BitMEX: sum of weight x price over renormalized weights.
    WEIGHTED_MEAN = "weighted_mean"
    #: Hyperliquid's spot oracle price: the weighted median of the sources' prices.
    WEIGHTED_MEDIAN = "weighted_median"


@dataclass(frozen=True, slots=True)
class SourcePrice:
    """One source's price: its name, the price (> 0), its weight (>= 0) and when it was read.

    ``ts`` is needed only when the rule excludes stale sources (``IndexRule.max_age``).
    """

    source: str
    price: Fraction
    weight: Fraction = Fraction(1)
    ts: datetime | None = None


@dataclass(frozen=True, slots=True)
class IndexRule:
    """The ``[index]`` options. The defaults keep every source and average them by weight.

    ``max_deviation``: a relative distance from the median beyond which a source is excluded
    (None: never). ``max_age``: an age beyond which a source is stale (None: never).
    ``min_sources``: the fewest usable sources the index may be computed from (>= 1).
    """

    method: IndexMethod = IndexMethod.WEIGHTED_MEAN
    max_deviation: Fraction | None = None
    max_age: timedelta | None = None
    min_sources: int = 1


def _check_sources(sources: Sequence[SourcePrice]) -> None:
    names: set[str] = set()
    for position, item in enumerate(sources):
        where = f"sources[{position}]"
        if not item.source:
            raise SpecError(f"{where}.source: must not be empty")
        if item.source in names:
            raise SpecError(f"{where}.source: {item.source!r} appears twice")
        names.add(item.source)
        if item.price <= 0:
            raise SpecError(f"{where}.price: must be > 0")
        if item.weight < 0:
            raise SpecError(f"{where}.weight: must be >= 0")


def compute_median(values: Sequence[Fraction]) -> Fraction:
    """The median of ``values``: the middle one, or the mean of the two middle ones.

    Implements rule `mark.index-price`.
    """
    if not values:
        raise SpecError("median: no values")
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2 == 1:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def compute_weighted_median(values: Sequence[tuple[Fraction, Fraction]]) -> Fraction:
    """The weighted median of (value, weight) pairs (weights >= 0, not all zero).

    The smallest value at which the cumulative weight reaches half the total; when it reaches
    exactly half, the mean of that value and the next one above it, so that equal weights give
    the plain median (:func:`compute_median`). Zero-weight values take no part.

    Implements rule `mark.index-price`.
    """
    weighted = sorted((v, w) for v, w in values if w > 0)
    if any(w < 0 for _, w in values):
        raise SpecError("weighted median: a weight is negative")
    total = sum((w for _, w in weighted), Fraction(0))
    if total == 0:
        raise SpecError("weighted median: the weights sum to zero")
    running = Fraction(0)
    for position, (value, weight) in enumerate(weighted):
        running += weight
        if running * 2 == total:
            return (value + weighted[position + 1][0]) / 2
        if running * 2 > total:
            return value
    raise AssertionError("unreachable: the cumulative weight reaches the total")


def exclude_stale_sources(
    sources: Sequence[SourcePrice], max_age: timedelta | None, now: datetime | None
) -> tuple[SourcePrice, ...]:
    """The sources read no more than ``max_age`` before ``now`` (all of them when None).

    Implements rule `mark.index-price`.
    """
    if max_age is None:
        return tuple(sources)
    if now is None:
        raise SpecError("now: required when index.max_age excludes stale sources")
    kept: list[SourcePrice] = []
    for position, item in enumerate(sources):
        if item.ts is None:
            raise SpecError(f"sources[{position}].ts: required when index.max_age is set")
        if item.ts > now:
            raise SpecError(f"sources[{position}].ts: later than now")
        if now - item.ts <= max_age:
            kept.append(item)
    return tuple(kept)


def exclude_outlying_sources(
    sources: Sequence[SourcePrice], max_deviation: Fraction | None
) -> tuple[SourcePrice, ...]:
    """The sources within ``max_deviation`` (relative) of the median price (all when None).

    Implements rule `mark.index-price`.
    """
    if max_deviation is None or not sources:
        return tuple(sources)
    median = compute_median([item.price for item in sources])
    return tuple(item for item in sources if abs(item.price - median) <= max_deviation * median)


def renormalize_weights(sources: Sequence[SourcePrice]) -> tuple[SourcePrice, ...]:
    """The same sources with their weights divided by their sum, so they sum to exactly 1.

    Implements rule `mark.index-price`.
    """
    total = sum((item.weight for item in sources), Fraction(0))
    if total == 0:
        raise IndexSourcesError("index: the usable sources' weights sum to zero")
    return tuple(replace(item, weight=item.weight / total) for item in sources)


def select_index_sources(
    sources: Sequence[SourcePrice], rule: IndexRule, now: datetime | None = None
) -> tuple[SourcePrice, ...]:
    """The usable sources: fresh, then within the deviation bound, weights renormalized.

    Staleness is applied first, so a stale price cannot move the median that decides which
    fresh prices are outliers. Refuses with :class:`IndexSourcesError` below
    ``rule.min_sources``.

    Implements rule `mark.index-price`.
    """
    _check_sources(sources)
    if rule.min_sources < 1:
        raise SpecError("index.min_sources: must be >= 1")
    fresh = exclude_stale_sources(sources, rule.max_age, now)
    kept = tuple(
        item for item in exclude_outlying_sources(fresh, rule.max_deviation) if item.weight > 0
    )
    if len(kept) < rule.min_sources:
        raise IndexSourcesError(
            f"index: {len(kept)} usable source(s) of {len(sources)}, fewer than "
            f"index.min_sources = {rule.min_sources}"
        )
    return renormalize_weights(kept)


def compute_index_price(
    sources: Sequence[SourcePrice], rule: IndexRule = IndexRule(), now: datetime | None = None
) -> Fraction:
    """The index price of ``sources`` under ``rule`` (exact; no rounding).

    ``weighted_mean``: sum of renormalized weight x price over the usable sources.
    ``weighted_median``: the weighted median of their prices. ``now`` is needed only when
    the rule excludes stale sources.

    Implements rule `mark.index-price`.
    """
    kept = select_index_sources(sources, rule, now)
    if rule.method is IndexMethod.WEIGHTED_MEDIAN:
        return compute_weighted_median([(item.price, item.weight) for item in kept])
    return sum((item.weight * item.price for item in kept), Fraction(0))
