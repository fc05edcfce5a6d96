"""The mark price: the documented variants, each from the inputs it names.

Rule ``mark.mark-price``. The mark is "the sole basis for triggering forced liquidation"
(seed 004, Part Three); exchanges derive it from the index in one of three ways (option
``mark.method``):

* ``median_of_three`` (Binance, "Mark Price in Perpetual Futures"): the median of
  Price 1 = index x (1 + last funding rate x time until funding / interval),
  Price 2 = index + moving average of the basis (mid price minus index, sampled), and the last
  (contract) price;
* ``fair_price`` (BitMEX, "Fair Price Marking"): index x (1 + funding basis), funding basis =
  funding rate x time until funding / funding interval (rule ``mark.funding-basis``);
* ``oracle`` (Hyperliquid, "Oracle"; dYdX's oracle price): the stake-weighted median of the
  validators' submitted prices.

Times are given in one unit (seconds in the profile and the vectors); only their ratio enters.
Every function is exact: no rounding here (an exchange rounds its published mark to its tick,
which a vector states as a ``tolerance``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from fractions import Fraction

from perpspec.reference.errors import SpecError
from perpspec.reference.mark.index_price import SourcePrice, compute_weighted_median

__all__ = [
    "BasisSample",
    "MarkInputs",
    "MarkMethod",
    "MarkRule",
    "compute_basis_moving_average",
    "compute_fair_price",
    "compute_funding_basis",
    "compute_mark_price",
    "compute_median_of_three",
    "compute_median_of_three_mark",
    "compute_oracle_price",
]

#: Eight hours in seconds: the funding interval of Binance, BitMEX and Bybit's main contracts.
EIGHT_HOURS = Fraction(8 * 3600)


class MarkMethod(Enum):
    """Option ``mark.method``: which documented variant derives the mark."""

    MEDIAN_OF_THREE = "median_of_three"
    FAIR_PRICE = "fair_price"
    ORACLE = "oracle"


@dataclass(frozen=True, slots=True)
class MarkRule:
    """The ``[mark]`` options: the variant and the funding interval (seconds, > 0)."""

    method: MarkMethod = MarkMethod.FAIR_PRICE
    funding_interval: Fraction = EIGHT_HOURS


@dataclass(frozen=True, slots=True)
class BasisSample:
    """One sample of the basis: best bid, best ask and the index at the same moment."""

    bid: Fraction
    ask: Fraction
    index: Fraction


@dataclass(frozen=True, slots=True)
class MarkInputs:
    """What a mark is derived from. Each method uses some fields; giving another is an error.

    ``median_of_three``: index, funding_rate, time_until_funding, basis_samples (or
    basis_average), last_price. ``fair_price``: index, funding_rate, time_until_funding.
    ``oracle``: oracle_prices.
    """

    index: Fraction | None = None
    funding_rate: Fraction | None = None
    time_until_funding: Fraction | None = None
    basis_average: Fraction | None = None
    basis_samples: tuple[BasisSample, ...] | None = None
    last_price: Fraction | None = None
    oracle_prices: tuple[SourcePrice, ...] | None = None


def compute_funding_basis(
    funding_rate: Fraction, time_until_funding: Fraction, funding_interval: Fraction
) -> Fraction:
    """Funding basis = funding rate x (time until funding / funding interval).

    BitMEX "Fair Price Marking"; the same factor is Binance's Price 1. ``time_until_funding``
    must lie in [0, interval]: the basis decays linearly to zero at the funding time.

    Implements rule `mark.funding-basis`.
    """
    if funding_interval <= 0:
        raise SpecError("funding_interval: must be > 0")
    if time_until_funding < 0 or time_until_funding > funding_interval:
        raise SpecError("time_until_funding: must be in [0, funding_interval]")
    return funding_rate * time_until_funding / funding_interval


def compute_fair_price(
    index: Fraction,
    funding_rate: Fraction,
    time_until_funding: Fraction,
    funding_interval: Fraction = EIGHT_HOURS,
) -> Fraction:
    """Fair price = index x (1 + funding basis) (BitMEX "Fair Price Marking"; Binance Price 1).

    Implements rule `mark.mark-price`.
    """
    if index <= 0:
        raise SpecError("index: must be > 0")
    return index * (1 + compute_funding_basis(funding_rate, time_until_funding, funding_interval))


def compute_basis_moving_average(samples: Sequence[BasisSample]) -> Fraction:
    """Moving average of the basis = sum of ((bid_i + ask_i) / 2 - index_i) / n.

    Binance's Price 2 term (30 one-second samples since 2025-09; earlier 30 samples over 2.5
    minutes, or one a minute over 30 minutes).

    Implements rule `mark.mark-price`.
    """
    if not samples:
        raise SpecError("basis_samples: at least one sample is needed")
    total = Fraction(0)
    for position, sample in enumerate(samples):
        if sample.bid <= 0 or sample.ask <= 0 or sample.index <= 0:
            raise SpecError(f"basis_samples[{position}]: bid, ask and index must be > 0")
        if sample.bid > sample.ask:
            raise SpecError(f"basis_samples[{position}]: bid above ask")
        total += (sample.bid + sample.ask) / 2 - sample.index
    return total / len(samples)


def compute_median_of_three(a: Fraction, b: Fraction, c: Fraction) -> Fraction:
    """The median of three numbers: the one that is neither strictly the least nor the most.

    Implements rule `mark.mark-price`.
    """
    return max(min(a, b), min(max(a, b), c))


def compute_median_of_three_mark(
    index: Fraction,
    funding_rate: Fraction,
    time_until_funding: Fraction,
    basis_average: Fraction,
    last_price: Fraction,
    funding_interval: Fraction = EIGHT_HOURS,
) -> Fraction:
    """Binance: median(Price 1, Price 2, last price); Price 1 the fair price, Price 2 = index +
    moving average of the basis.

    Implements rule `mark.mark-price`.
    """
    if last_price <= 0:
        raise SpecError("last_price: must be > 0")
    price_1 = compute_fair_price(index, funding_rate, time_until_funding, funding_interval)
    price_2 = index + basis_average
    return compute_median_of_three(price_1, price_2, last_price)


def compute_oracle_price(prices: Sequence[SourcePrice]) -> Fraction:
    """The oracle price: the weighted median of the submitted prices, weighted by stake.

    Hyperliquid "Oracle": "the weighted median of each validator's submitted oracle prices,
    where the validators are weighted by their stake" (the median of
    :func:`~perpspec.reference.mark.index_price.compute_weighted_median`).

    Implements rule `mark.mark-price`.
    """
    if not prices:
        raise SpecError("oracle_prices: at least one price is needed")
    for position, item in enumerate(prices):
        if item.price <= 0:
            raise SpecError(f"oracle_prices[{position}].price: must be > 0")
        if item.weight < 0:
            raise SpecError(f"oracle_prices[{position}].weight: must be >= 0")
    return compute_weighted_median([(item.price, item.weight) for item in prices])


_USES: dict[MarkMethod, frozenset[str]] = {
    MarkMethod.MEDIAN_OF_THREE: frozenset(
        {
            "index",
            "funding_rate",
            "time_until_funding",
            "basis_average",
            "basis_samples",
            "last_price",
        }
    ),
    MarkMethod.FAIR_PRICE: frozenset({"index", "funding_rate", "time_until_funding"}),
    MarkMethod.ORACLE: frozenset({"oracle_prices"}),
}


def _require(value: Fraction | None, name: str, method: MarkMethod) -> Fraction:
    if value is None:
        raise SpecError(f"{name}: required by mark.method = {method.value}")
    return value


def _check_used(inputs: MarkInputs, method: MarkMethod) -> None:
    for name in MarkInputs.__slots__:
        if getattr(inputs, name) is not None and name not in _USES[method]:
            raise SpecError(f"{name}: not an input of mark.method = {method.value}")


def compute_mark_price(inputs: MarkInputs, rule: MarkRule = MarkRule()) -> Fraction:
    """The mark price of ``inputs`` under ``rule.method`` (exact).

    Refuses an input the method does not use, and a missing one, naming it: a mark derived
    while silently ignoring a stated input would not be the stated rule.

    Implements rule `mark.mark-price`.
    """
    method = rule.method
    _check_used(inputs, method)
    if method is MarkMethod.ORACLE:
        if inputs.oracle_prices is None:
            raise SpecError("oracle_prices: required by mark.method = oracle")
        return compute_oracle_price(inputs.oracle_prices)
    index = _require(inputs.index, "index", method)
    rate = _require(inputs.funding_rate, "funding_rate", method)
    until = _require(inputs.time_until_funding, "time_until_funding", method)
    if method is MarkMethod.FAIR_PRICE:
        return compute_fair_price(index, rate, until, rule.funding_interval)
    if (inputs.basis_average is None) == (inputs.basis_samples is None):
        raise SpecError("basis_average: give exactly one of basis_average and basis_samples")
    basis = (
        inputs.basis_average
        if inputs.basis_average is not None
        else compute_basis_moving_average(inputs.basis_samples or ())
    )
    last = _require(inputs.last_price, "last_price", method)
    return compute_median_of_three_mark(index, rate, until, basis, last, rule.funding_interval)
