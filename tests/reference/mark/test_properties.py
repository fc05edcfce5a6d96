"""Properties of the mark and funding rules, the theorems of perpspec.spec.mark_theorems held
against the code: cap and floor, the interest band, a single source, median bounds, outlier
exclusion with weights renormalized to 1."""

from __future__ import annotations

from fractions import Fraction as F

from hypothesis import given
from hypothesis import strategies as st

from perpspec.reference.instrument import ContractKind
from perpspec.reference.mark.funding_rate import (
    FundingRule,
    compute_clamped_rate,
    compute_funding_rate,
    compute_position_funding,
)
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
from perpspec.reference.mark.mark_price import compute_median_of_three_mark

RATES = st.fractions(min_value=-1, max_value=1, max_denominator=10**6)
BOUNDS = st.fractions(min_value=0, max_value=F(1, 100), max_denominator=10**6)
PRICES = st.fractions(min_value=F(1, 100), max_value=10**6, max_denominator=10**4)
WEIGHTS = st.fractions(min_value=F(1, 1000), max_value=100, max_denominator=1000)


@given(RATES, RATES, BOUNDS, RATES, RATES, st.fractions(min_value=F(1, 24), max_value=1))
def test_rate_within_cap_and_floor(
    premium: F, interest: F, bound: F, one: F, other: F, scale: F
) -> None:
    # Theorem funding-rate-bounds.
    floor, cap = min(one, other), max(one, other)
    rule = FundingRule(interest, bound, cap, floor, scale=scale)
    rate = compute_funding_rate(premium, rule)
    assert floor <= rate <= cap


@given(RATES, RATES, BOUNDS)
def test_interest_band(premium: F, interest: F, bound: F) -> None:
    # Theorem funding-rate-interest-band: F = I inside the band, and always within b of P.
    rate = compute_clamped_rate(premium, interest, bound)
    assert premium - bound <= rate <= premium + bound
    if abs(interest - premium) <= bound:
        assert rate == interest
    elif interest > premium:
        assert rate == premium + bound
    else:
        assert rate == premium - bound


@given(PRICES, WEIGHTS, st.sampled_from(list(IndexMethod)))
def test_single_source_is_the_index(price: F, weight: F, method: IndexMethod) -> None:
    # Theorem index-single-source.
    rule = IndexRule(method=method, max_deviation=F(1, 100))
    assert compute_index_price([SourcePrice("only", price, weight)], rule) == price


@given(
    PRICES,
    RATES.map(lambda r: r / 100),
    st.integers(0, 28800),
    RATES.map(lambda r: r * 100),
    PRICES,
)
def test_median_mark_is_the_middle(index: F, rate: F, until: int, basis: F, last: F) -> None:
    # Theorem mark-median-bounds; the middle found by sorting, not by the code's formula.
    price_1 = index * (1 + rate * until / 28800)
    price_2 = index + basis
    mark = compute_median_of_three_mark(index, rate, F(until), basis, last)
    assert mark == sorted([price_1, price_2, last])[1]
    assert min(price_1, price_2, last) <= mark <= max(price_1, price_2, last)


@given(
    st.lists(st.tuples(PRICES, WEIGHTS), min_size=1, max_size=8),
    st.fractions(min_value=0, max_value=F(1, 2), max_denominator=100),
)
def test_outliers_excluded_and_weights_renormalized(rows: list[tuple[F, F]], deviation: F) -> None:
    sources = [SourcePrice(f"s{i}", price, weight) for i, (price, weight) in enumerate(rows)]
    median = sorted(price for price, _ in rows)
    middle = len(median) // 2
    centre = median[middle] if len(median) % 2 else (median[middle - 1] + median[middle]) / 2
    within = {s.source for s in sources if abs(s.price - centre) <= deviation * centre}
    rule = IndexRule(max_deviation=deviation)
    if not within:
        try:
            select_index_sources(sources, rule)
        except IndexSourcesError:
            return
        raise AssertionError("an index with no usable source")
    kept = select_index_sources(sources, rule)
    assert {s.source for s in kept} == within
    assert sum(s.weight for s in kept) == 1
    index = compute_index_price(sources, rule)
    assert min(s.price for s in kept) <= index <= max(s.price for s in kept)


@given(st.lists(PRICES, min_size=1, max_size=9))
def test_equal_weights_give_the_median(prices: list[F]) -> None:
    assert compute_weighted_median([(p, F(1)) for p in prices]) == compute_median(prices)


@given(
    st.lists(st.fractions(min_value=-50, max_value=50, max_denominator=10), max_size=6),
    PRICES,
    RATES,
)
def test_payments_sum_to_zero_when_open_interest_balances(longs: list[F], mark: F, rate: F) -> None:
    # Rule engine.funding: sizes that sum to zero pay a sum of zero, linear and inverse.
    sizes = [*longs, -sum(longs, F(0))]
    for kind in ContractKind:
        total = sum((compute_position_funding(kind, q, F(1), mark, rate) for q in sizes), F(0))
        assert total == 0
