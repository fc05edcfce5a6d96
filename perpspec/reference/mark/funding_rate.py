"""The funding rate: the premium index, its average over the interval, the clamped interest
component, the cap and floor; and the funding payment of a position at that rate.

Rules ``mark.funding-premium``, ``mark.funding-clamp`` and ``mark.funding-rate``:

* premium index P = (max(0, impact bid - index) - max(0, index - impact ask)) / index
  (Binance "Introduction to Binance Futures Funding Rates"; Bybit "Introduction to Funding
  Rate"; Gate);
* the premiums sampled over the interval are averaged: ``linear_weighted`` (Binance, Bybit:
  (P_1 x 1 + P_2 x 2 + ... + P_n x n) / (1 + 2 + ... + n), later samples weigh more) or
  ``mean`` (BitMEX: the arithmetic mean of the minutely premium index, its ``PI8H`` index);
* F = P + clamp(I - P, -b, +b) with interest I and dampener b (0.05% at Binance, BitMEX,
  Bybit); so F = I whenever |I - P| <= b. Without a dampener (``clamp_bound`` None), F = P + I;
* F is multiplied by ``scale`` (Binance since 2025-09: divided by 8/N for an N-hour interval;
  Kraken: a premium realised over 24 hours is divided by 24), then capped and floored
  (Binance: +/- a share of the maintenance margin rate; Kraken: +/- 0.25% an hour).

The payment: a position pays rate x its value at the mark (longs pay a positive rate), the
engine's :func:`perpspec.reference.engine.inputs.compute_funding_payment` (rule
``engine.funding``), which calls :func:`compute_position_funding` here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from fractions import Fraction

from perpspec.reference.errors import SpecError
from perpspec.reference.instrument import ContractKind
from perpspec.reference.margin.pnl import compute_position_value

__all__ = [
    "FundingRule",
    "PremiumAveraging",
    "clamp",
    "compute_average_premium",
    "compute_capped_rate",
    "compute_clamped_rate",
    "compute_funding_rate",
    "compute_interest_rate",
    "compute_position_funding",
    "compute_premium_index",
]

#: 0.01% per eight-hour interval: Binance's and Bybit's default interest (0.03% a day).
DEFAULT_INTEREST = Fraction(1, 10000)
#: 0.05%: the dampener of Binance, BitMEX and Bybit.
DEFAULT_CLAMP = Fraction(5, 10000)


class PremiumAveraging(Enum):
    """Option ``funding.averaging``: how the interval's premium samples are averaged."""

    LINEAR_WEIGHTED = "linear_weighted"
    MEAN = "mean"


@dataclass(frozen=True, slots=True)
class FundingRule:
    """The ``[funding]`` options; the defaults are Binance's and Bybit's eight-hour contracts.

    ``interval``: seconds between fundings (> 0). ``cap`` / ``floor``: the bounds of the
    final rate (None: unbounded on that side; floor <= cap when both are given).
    """

    interest_rate: Fraction = DEFAULT_INTEREST
    clamp_bound: Fraction | None = DEFAULT_CLAMP
    cap: Fraction | None = None
    floor: Fraction | None = None
    averaging: PremiumAveraging = PremiumAveraging.LINEAR_WEIGHTED
    scale: Fraction = Fraction(1)
    interval: Fraction = Fraction(8 * 3600)


def clamp(value: Fraction, low: Fraction, high: Fraction) -> Fraction:
    """``value`` limited to [low, high] (low <= high).

    Implements rule `mark.funding-clamp`.
    """
    if low > high:
        raise SpecError("clamp: the lower bound is above the upper bound")
    return min(max(value, low), high)


def compute_premium_index(impact_bid: Fraction, impact_ask: Fraction, index: Fraction) -> Fraction:
    """P = (max(0, impact bid - index) - max(0, index - impact ask)) / index.

    Zero while the index lies between the impact prices; positive when the book's bid side
    is above the index, negative when its ask side is below.

    Implements rule `mark.funding-premium`.
    """
    if index <= 0:
        raise SpecError("index: must be > 0")
    if impact_bid <= 0 or impact_ask <= 0:
        raise SpecError("impact_bid, impact_ask: must be > 0")
    if impact_bid > impact_ask:
        raise SpecError("impact_bid: above impact_ask")
    zero = Fraction(0)
    return (max(zero, impact_bid - index) - max(zero, index - impact_ask)) / index


def compute_average_premium(
    premiums: Sequence[Fraction], averaging: PremiumAveraging = PremiumAveraging.LINEAR_WEIGHTED
) -> Fraction:
    """The interval's average premium: weights 1, 2, ..., n (``linear_weighted``) or equal.

    Implements rule `mark.funding-premium`.
    """
    if not premiums:
        raise SpecError("premiums: at least one sample is needed")
    if averaging is PremiumAveraging.MEAN:
        return sum(premiums, Fraction(0)) / len(premiums)
    weighted = sum((p * (i + 1) for i, p in enumerate(premiums)), Fraction(0))
    n = len(premiums)
    return weighted / Fraction(n * (n + 1), 2)


def compute_interest_rate(
    quote_rate: Fraction, base_rate: Fraction, intervals_per_day: int = 3
) -> Fraction:
    """I = (quote interest index - base interest index) / funding intervals a day.

    BitMEX "Perpetual Contracts Guide"; Bybit "What is funding rate": daily borrowing rates of
    the quote and the base currency, over three eight-hour intervals.

    Implements rule `mark.funding-rate`.
    """
    if intervals_per_day < 1:
        raise SpecError("intervals_per_day: must be >= 1")
    return (quote_rate - base_rate) / intervals_per_day


def compute_clamped_rate(
    premium: Fraction, interest_rate: Fraction, clamp_bound: Fraction | None
) -> Fraction:
    """F = P + clamp(I - P, -b, +b); P + I without a dampener (``clamp_bound`` None).

    Implements rule `mark.funding-clamp`.
    """
    if clamp_bound is None:
        return premium + interest_rate
    if clamp_bound < 0:
        raise SpecError("clamp_bound: must be >= 0")
    return premium + clamp(interest_rate - premium, -clamp_bound, clamp_bound)


def compute_capped_rate(rate: Fraction, cap: Fraction | None, floor: Fraction | None) -> Fraction:
    """``rate`` limited to at most ``cap`` and at least ``floor`` (None: no bound).

    Implements rule `mark.funding-rate`.
    """
    if cap is not None and floor is not None and floor > cap:
        raise SpecError("funding.floor: above funding.cap")
    if cap is not None:
        rate = min(rate, cap)
    if floor is not None:
        rate = max(rate, floor)
    return rate


def compute_funding_rate(average_premium: Fraction, rule: FundingRule = FundingRule()) -> Fraction:
    """The funding rate of an interval: clamp (:func:`compute_clamped_rate`), scale, cap.

    Implements rule `mark.funding-rate`.
    """
    if rule.scale <= 0:
        raise SpecError("funding.scale: must be > 0")
    raw = compute_clamped_rate(average_premium, rule.interest_rate, rule.clamp_bound)
    return compute_capped_rate(raw * rule.scale, rule.cap, rule.floor)


def compute_position_funding(
    kind: ContractKind, qty: Fraction, multiplier: Fraction, mark: Fraction, rate: Fraction
) -> Fraction:
    """One position's funding (+ receives): ``-q x value of one contract at the mark x rate``.

    A long (q > 0) pays a positive rate, a short receives it (BitMEX: "Funding Amount = Mark
    Value x Funding Rate"; Binance: "Nominal Value of Positions x Funding Rate").

    Implements rule `engine.funding`.
    """
    return -qty * compute_position_value(kind, Fraction(1), multiplier, mark) * rate
