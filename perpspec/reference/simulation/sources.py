"""The index inputs of a simulated market: three venues' quotes and the contract's impact
prices, written as an ``index`` record before each mark (``perpspec simulate --index``).

Rules (docs/simulate.md, Index inputs):

- Three venues quote every step: ``venue-a`` (weight 1/2), ``venue-b`` and ``venue-c`` (1/4
  each), each within :data:`NOISE_PPM` millionths of the contract's price, floored to the
  tick (a venue quotes on a tick).
- In ``crash`` and ``squeeze``, at the shock's start, ``venue-c`` prints an outlier at
  :data:`OUTLIER_FACTOR` of the price for :data:`OUTLIER_STEPS` steps (an index rule with a
  deviation bound excludes it) and ``venue-b``'s feed freezes for :data:`STALE_STEPS` steps:
  its last quote before the shock is repeated with its old time (an index rule with a
  staleness bound excludes it once it is older than the bound).
- The contract's impact bid and ask sit 1 to 4 ticks either side of its price, shifted by up
  to 3 ticks together: the premium sample of the funding rate.

The draws come from a generator of their own (seeded from the run's seed), so a run with
index inputs has the same mark path, trades and cash movements as the run without.
"""

from __future__ import annotations

import dataclasses
import random
from dataclasses import dataclass
from fractions import Fraction

from perpspec.reference.errors import SpecError
from perpspec.reference.events import IndexEvent, IndexQuote
from perpspec.reference.mark.from_index import (
    compute_funding_rate_of_samples,
    compute_record_index,
    derive_from_index,
)
from perpspec.reference.mark.mark_price import MarkMethod
from perpspec.reference.numbers import Rounding, quantize
from perpspec.reference.profile import Profile
from perpspec.reference.simulation.spec import SimulationSpec

__all__ = [
    "NOISE_PPM",
    "OUTLIER_FACTOR",
    "OUTLIER_STEPS",
    "STALE_STEPS",
    "VENUES",
    "ImpactPrices",
    "IndexFeed",
    "IndexInputs",
]

#: The venues and their index weights.
VENUES: tuple[tuple[str, Fraction], ...] = (
    ("venue-a", Fraction(1, 2)),
    ("venue-b", Fraction(1, 4)),
    ("venue-c", Fraction(1, 4)),
)
#: A venue quotes within this many millionths of the contract's price.
NOISE_PPM = 200
#: The outlier venue's price as a share of the contract's, and for how many steps.
OUTLIER_FACTOR = Fraction(1, 2)
OUTLIER_STEPS = 3
#: The frozen feed's steps (20 one-minute steps: beyond a 15-minute staleness bound).
STALE_STEPS = 20
_OUTLIER, _STALE = "venue-c", "venue-b"


@dataclass(frozen=True, slots=True)
class ImpactPrices:
    """The contract's impact bid and ask at one step."""

    bid: Fraction
    ask: Fraction


class IndexFeed:
    """One market's venues: their last quotes (a frozen feed repeats its last one)."""

    def __init__(self, seed: int, market: str, tick: Fraction) -> None:
        self.rng = random.Random(f"index:{seed}:{market}")
        self.tick = tick
        self.last: dict[str, IndexQuote] = {}

    def _quote(self, venue: str, weight: Fraction, price: Fraction, ts: str) -> IndexQuote:
        noise = Fraction(self.rng.randint(-NOISE_PPM, NOISE_PPM), 1_000_000)
        quoted = max(quantize(price * (1 + noise), self.tick, Rounding.DOWN), self.tick)
        return IndexQuote(venue, quoted, weight, ts)

    def get_quotes(
        self, step: int, ts: str, price: Fraction, shock_start: int | None
    ) -> tuple[IndexQuote, ...]:
        """The venues' quotes at ``step`` (module docstring)."""
        quotes: list[IndexQuote] = []
        for venue, weight in VENUES:
            quote = self._quote(venue, weight, price, ts)
            if shock_start is not None and shock_start <= step:
                if venue == _OUTLIER and step < shock_start + OUTLIER_STEPS:
                    outlier = quantize(price * OUTLIER_FACTOR, self.tick, Rounding.DOWN)
                    quote = IndexQuote(venue, max(outlier, self.tick), weight, ts)
                elif venue == _STALE and step < shock_start + STALE_STEPS and venue in self.last:
                    quote = self.last[venue]
            self.last[venue] = quote
            quotes.append(quote)
        return tuple(quotes)

    def get_impact_prices(self, price: Fraction) -> ImpactPrices:
        """The contract's impact bid and ask around ``price`` (module docstring)."""
        half = self.rng.randint(1, 4) * self.tick
        shift = self.rng.randint(-3, 3) * self.tick
        bid = max(price - half + shift, self.tick)
        return ImpactPrices(bid, max(price + half + shift, bid))


class IndexInputs:
    """Every market's index records and the funding rates their premium samples give, under
    the profile's ``[index]``, ``[mark]`` and ``[funding]`` (module docstring).

    The mark method decides what a record states: ``fair_price`` the last settled funding
    rate (before the first funding, the profile's interest rate, else 0.01%) and the seconds
    until the next funding; ``median_of_three`` also the basis (the impact mid less the index,
    this step's one sample) and the contract's price as the last price; ``oracle`` only the
    quotes, as the validators' prices. Impact prices are stated when the profile has
    ``[funding]``; the funding rate is then derived from the interval's samples.
    """

    def __init__(self, spec: SimulationSpec, profile: Profile) -> None:
        mark = profile.mark
        if mark is None:
            raise SpecError(f"--index: profile {profile.name!r} has no [mark] section")
        if mark.method is not MarkMethod.ORACLE and profile.index is None:
            raise SpecError(f"--index: profile {profile.name!r} has no [index] section")
        self.spec = spec
        self.profile = profile
        self.mark_rule = mark
        self.feeds = {m.market: IndexFeed(spec.seed, m.market, m.tick_size) for m in spec.markets}
        self.premiums: dict[str, list[Fraction]] = {m.market: [] for m in spec.markets}
        first = profile.funding.interest_rate if profile.funding else Fraction(1, 10_000)
        self.last_rate = dict.fromkeys(self.feeds, first)

    def _get_time_until_funding(self, step: int) -> Fraction:
        interval = self.spec.funding_interval
        return Fraction((interval - step % interval) % interval * self.spec.step_seconds)

    def make_record(
        self, market: str, step: int, ts: str, price: Fraction, shock_start: int | None
    ) -> tuple[IndexEvent, Fraction]:
        """The index record of ``market`` at ``step`` and the mark it derives."""
        feed = self.feeds[market]
        quotes = feed.get_quotes(step, ts, price, shock_start)
        method = self.mark_rule.method
        if method is MarkMethod.ORACLE:
            record = IndexEvent(0, ts, market, quotes, None, None, None, None, None, None, None)
        else:
            impact = feed.get_impact_prices(price) if self.profile.funding else None
            record = IndexEvent(
                0,
                ts,
                market,
                quotes,
                None,
                self.last_rate[market],
                self._get_time_until_funding(step),
                None,
                None,
                None if impact is None else impact.bid,
                None if impact is None else impact.ask,
            )
            assert self.profile.index is not None  # checked in __init__
            index = compute_record_index(record, self.profile.index)
            record = dataclasses.replace(record, price=index)
            if method is MarkMethod.MEDIAN_OF_THREE:
                mid = index if impact is None else (impact.bid + impact.ask) / 2
                record = dataclasses.replace(record, basis_average=mid - index, last_price=price)
        derived = derive_from_index(record, self.profile.index, self.mark_rule)
        if derived.premium is not None:
            self.premiums[market].append(derived.premium)
        return record, derived.mark

    def settle_funding_rate(self, market: str, drawn: Fraction) -> Fraction:
        """The rate of ``market``'s funding now: derived from the interval's premium samples
        when the profile has ``[funding]`` (the samples then start afresh), else ``drawn``."""
        rule, premiums = self.profile.funding, self.premiums[market]
        rate = drawn
        if rule is not None and premiums:
            rate = compute_funding_rate_of_samples(premiums, rule)
            premiums.clear()
        self.last_rate[market] = rate
        return rate
