"""Index price: weighted average, stale and outlying sources excluded, minimum sources
(rule ``mark.index-price``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from fractions import Fraction as F

import pytest

from perpspec.reference.errors import SpecError
from perpspec.reference.mark.index_price import (
    IndexMethod,
    IndexRule,
    IndexSourcesError,
    SourcePrice,
    compute_index_price,
    compute_median,
    compute_weighted_median,
    select_index_sources,
)

NOW = datetime(2026, 1, 1, 8, tzinfo=UTC)


def test_weighted_mean_by_hand() -> None:
    # Weights 0.5, 0.3, 0.2 on 100, 101, 99: 50 + 30.3 + 19.8 = 100.1.
    sources = [
        SourcePrice("a", F(100), F(1, 2)),
        SourcePrice("b", F(101), F(3, 10)),
        SourcePrice("c", F(99), F(1, 5)),
    ]
    assert compute_index_price(sources) == F(1001, 10)


def test_weights_need_not_sum_to_one() -> None:
    # Weights 3 and 1 on 100 and 104: (300 + 104) / 4 = 101.
    assert compute_index_price([SourcePrice("a", F(100), F(3)), SourcePrice("b", F(104))]) == 101


def test_outlier_excluded_and_weights_renormalized() -> None:
    # Median of 100, 101, 130 is 101; 130 is 28.7% away, beyond 5%: excluded. The kept
    # weights 2 and 1 become 2/3 and 1/3: 200/3 + 101/3 = 301/3.
    sources = [
        SourcePrice("a", F(100), F(2)),
        SourcePrice("b", F(101), F(1)),
        SourcePrice("c", F(130), F(5)),
    ]
    rule = IndexRule(max_deviation=F(5, 100))
    kept = select_index_sources(sources, rule)
    assert [s.source for s in kept] == ["a", "b"]
    assert [s.weight for s in kept] == [F(2, 3), F(1, 3)]
    assert compute_index_price(sources, rule) == F(301, 3)


def test_source_exactly_at_the_bound_is_kept() -> None:
    # Median of 100, 100, 105 is 100; 105 is exactly 5% away: kept. Mean = 305/3.
    sources = [SourcePrice("a", F(100)), SourcePrice("b", F(100)), SourcePrice("c", F(105))]
    assert compute_index_price(sources, IndexRule(max_deviation=F(5, 100))) == F(305, 3)


def test_stale_source_excluded_before_the_median() -> None:
    # "c" was read 2 minutes ago, max age 1 minute: only a (100) and b (102) remain: 101.
    sources = [
        SourcePrice("a", F(100), ts=NOW - timedelta(seconds=10)),
        SourcePrice("b", F(102), ts=NOW - timedelta(seconds=60)),
        SourcePrice("c", F(90), ts=NOW - timedelta(minutes=2)),
    ]
    rule = IndexRule(max_age=timedelta(minutes=1))
    assert compute_index_price(sources, rule, NOW) == 101
    with pytest.raises(SpecError, match=r"^now: required"):
        compute_index_price(sources, rule)


def test_minimum_sources_refused() -> None:
    sources = [SourcePrice("a", F(100)), SourcePrice("b", F(200))]
    # Median 150, both are 33% away, beyond 10%: none usable.
    rule = IndexRule(max_deviation=F(1, 10), min_sources=1)
    with pytest.raises(IndexSourcesError, match=r"^index: 0 usable source\(s\) of 2"):
        compute_index_price(sources, rule)
    with pytest.raises(IndexSourcesError, match=r"fewer than index\.min_sources = 3"):
        compute_index_price(sources, IndexRule(min_sources=3))


def test_bad_sources_refused() -> None:
    with pytest.raises(SpecError, match=r"^sources\[0\]\.price: must be > 0$"):
        compute_index_price([SourcePrice("a", F(0))])
    with pytest.raises(SpecError, match=r"^sources\[1\]\.source: 'a' appears twice$"):
        compute_index_price([SourcePrice("a", F(1)), SourcePrice("a", F(2))])
    with pytest.raises(SpecError, match=r"^sources\[0\]\.weight: must be >= 0$"):
        compute_index_price([SourcePrice("a", F(1), F(-1))])


def test_medians_by_hand() -> None:
    assert compute_median([F(3), F(1), F(2)]) == 2
    assert compute_median([F(4), F(1), F(2), F(3)]) == F(5, 2)
    # Hyperliquid's source weights 3, 2, 2, 1, 1, 1, 1 (total 11, half 5.5): sorted prices
    # 99(w1) 100(w3) 101(w2) ...: cumulative 1, 4, 6 > 5.5 at 101.
    pairs = [
        (F(100), F(3)),
        (F(101), F(2)),
        (F(102), F(2)),
        (F(99), F(1)),
        (F(103), F(1)),
        (F(104), F(1)),
        (F(105), F(1)),
    ]
    assert compute_weighted_median(pairs) == 101
    # Exactly half below: the mean of the two sides, the plain median of equal weights.
    assert compute_weighted_median([(F(1), F(1)), (F(3), F(1))]) == 2


def test_weighted_median_method() -> None:
    sources = [SourcePrice("a", F(100), F(3)), SourcePrice("b", F(110)), SourcePrice("c", F(90))]
    assert compute_index_price(sources, IndexRule(method=IndexMethod.WEIGHTED_MEDIAN)) == 100
