"""``index`` records in the engine: the mark the next mark must state, the premium samples
the next funding's rate must follow (rules ``mark.mark-price``, ``mark.funding-rate``;
perpspec.reference.engine.mark_inputs). Expected values are computed by hand below."""

from __future__ import annotations

import dataclasses
from fractions import Fraction as F

from engine_fixtures import MARKET, TS, make_engine, mark, setup_three_traders

from perpspec.reference.engine.engine import Engine
from perpspec.reference.events import (
    FundingEvent,
    IndexEvent,
    IndexQuote,
    MarkEvent,
    RejectionEvent,
)
from perpspec.reference.mark.funding_rate import FundingRule, PremiumAveraging
from perpspec.reference.mark.index_price import IndexMethod, IndexRule
from perpspec.reference.mark.mark_price import MarkMethod, MarkRule
from perpspec.reference.profile import load_profile

EIGHT_HOURS = F(8 * 3600)


def make_index_engine(method: MarkMethod = MarkMethod.FAIR_PRICE) -> Engine:
    profile = dataclasses.replace(
        load_profile("seed-gate"),
        index=IndexRule(IndexMethod.WEIGHTED_MEAN, None, None, 1),
        mark=MarkRule(method, EIGHT_HOURS),
        funding=FundingRule(
            F(1, 10000),
            F(5, 10000),
            None,
            None,
            PremiumAveraging.LINEAR_WEIGHTED,
            F(1),
            EIGHT_HOURS,
        ),
    )
    engine = make_engine(profile)
    setup_three_traders(engine)
    return engine


def index(
    prices: tuple[str, str],
    stated: str | None,
    impact: tuple[str, str] | None = None,
    funding_rate: str = "0.0001",
) -> IndexEvent:
    quotes = tuple(IndexQuote(f"v{k}", F(p), F(1, 2), TS) for k, p in enumerate(prices))
    bid, ask = (F(impact[0]), F(impact[1])) if impact else (None, None)
    return IndexEvent(
        0,
        TS,
        MARKET,
        quotes,
        None if stated is None else F(stated),
        F(funding_rate),
        F(4 * 3600),
        None,
        None,
        bid,
        ask,
    )


def test_the_next_mark_must_state_the_derived_mark() -> None:
    engine = make_index_engine()
    # Index: 20,000 x 1/2 + 20,200 x 1/2 = 20,100. Fair price: funding basis = 0.0001 x
    # 4h / 8h = 0.00005; mark = 20,100 x 1.00005 = 20,101.005.
    [accepted] = engine.submit(index(("20000", "20200"), "20100"))
    assert isinstance(accepted, IndexEvent)
    out = engine.submit(mark("20100"))
    assert isinstance(out[-1], RejectionEvent)
    assert out[-1].reason == (
        f"price: 20100 is not the mark the index record of seq {accepted.seq} derives (20101.005)"
    )
    out = engine.submit(mark("20101.005"))
    assert isinstance(out[0], MarkEvent) and not any(isinstance(e, RejectionEvent) for e in out)
    # Consumed: a later mark with no index record before it is taken as given.
    assert isinstance(engine.submit(mark("20050"))[0], MarkEvent)
    assert not any(isinstance(e, RejectionEvent) for e in engine.submit(mark("20060")))


def test_an_index_record_whose_stated_index_is_not_its_sources_is_refused() -> None:
    engine = make_index_engine()
    out = engine.submit(index(("20000", "20200"), "20101"))
    assert isinstance(out[-1], RejectionEvent)
    assert out[-1].reason == "price: 20101 is not the index of the sources under [index] (20100)"
    # Refused, so nothing pends: the next mark is taken as given.
    assert not any(isinstance(e, RejectionEvent) for e in engine.submit(mark("20100")))


def test_a_profile_without_a_mark_rule_refuses_index_records() -> None:
    engine = make_engine("seed-gate")
    setup_three_traders(engine)
    out = engine.submit(index(("20000", "20200"), "20100"))
    assert isinstance(out[-1], RejectionEvent)
    assert out[-1].reason == "type: an index record needs a profile with a [mark] section"


def test_the_funding_rate_follows_the_premium_samples() -> None:
    engine = make_index_engine()
    # Index 20,100; impact bid 20,301, ask 20,400: premium = (20,301 - 20,100) / 20,100 =
    # 201 / 20,100 = 1/100. One sample: average 1/100. I - P = 0.0001 - 0.01 = -0.0099,
    # clamped to -0.0005: F = 0.01 - 0.0005 = 0.0095 (no cap).
    engine.submit(index(("20000", "20200"), "20100", ("20301", "20400")))
    engine.submit(mark("20101.005"))
    out = engine.submit(FundingEvent(0, TS, MARKET, F("0.01"), ()))
    assert isinstance(out[-1], RejectionEvent)
    assert out[-1].reason == (
        "rate: 0.01 is not the [funding] rule on the 1 premium samples since the last funding "
        "(0.0095)"
    )
    [paid] = engine.submit(FundingEvent(0, TS, MARKET, F("0.0095"), ()))
    assert isinstance(paid, FundingEvent) and paid.payments
    # The samples were the interval's: the next funding has none and is taken as given.
    [given] = engine.submit(FundingEvent(0, TS, MARKET, F("0.01"), ()))
    assert isinstance(given, FundingEvent)


def test_two_samples_are_weighted_one_and_two() -> None:
    engine = make_index_engine()
    # Samples 1/100 (as above) and then, with the bid at the index, ask 20,000 below it:
    # premium = -(20,100 - 20,000) / 20,100 = -1/201. Weighted 1, 2: (1/100 - 2/201) / 3 =
    # (201 - 200) / 20,100 / 3 = 1/60,300. I - P = 1/10,000 - 1/60,300 > 0 and < 0.0005:
    # F = P + (I - P) = I = 0.0001.
    engine.submit(index(("20000", "20200"), "20100", ("20301", "20400")))
    engine.submit(mark("20101.005"))
    engine.submit(index(("20000", "20200"), "20100", ("20000", "20000")))
    engine.submit(mark("20101.005"))
    [paid] = engine.submit(FundingEvent(0, TS, MARKET, F("0.0001"), ()))
    assert isinstance(paid, FundingEvent)


def test_one_impact_price_alone_is_refused() -> None:
    engine = make_index_engine()
    event = dataclasses.replace(index(("20000", "20200"), "20100"), impact_bid=F(20301))
    out = engine.submit(event)
    assert isinstance(out[-1], RejectionEvent)
    assert out[-1].reason == "impact_ask: null, but the other impact price is stated"
