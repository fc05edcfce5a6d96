"""Cases of the ``mark_price`` op: each variant, the index from sources, by hand.

Rules ``mark.index-price``, ``mark.funding-basis``, ``mark.mark-price``
(:mod:`perpspec.reference.mark`). The formulas are the exchanges' (docs/mark-price.md):
BitMEX "Fair Price Marking" (fair price = index x (1 + funding rate x time until funding /
funding interval)), Binance "Mark Price in Perpetual Futures" (median of Price 1 = the fair
price, Price 2 = index + moving average of the basis, and the last price), Hyperliquid
"Oracle" (weighted medians). Neither page publishes a worked example with numbers, so every
value here is computed by hand in the comment above its case (times in seconds; 8 h = 28800).
"""

from __future__ import annotations

from typing import Any

__all__ = ["cases"]

_OP = "mark_price"
_HAND = "hand"
_SINGLE = "derivation:theorem index-single-source (perpspec.spec.mark_theorems)"
_MEDIAN = "derivation:theorem mark-median-bounds (perpspec.spec.mark_theorems)"
_BASIS = "derivation:funding_basis and fair_price (perpspec.spec.mark_derivations)"


def _case(
    case_id: str, source: str, case_input: dict[str, Any], expected: dict[str, Any]
) -> dict[str, Any]:
    return {"id": case_id, "op": _OP, "source": source, "input": case_input, "expected": expected}


def _src(name: str, price: str, weight: str = "1", ts: str | None = None) -> dict[str, str]:
    found = {"source": name, "price": price, "weight": weight}
    if ts is not None:
        found["ts"] = ts
    return found


def _fair_price_cases() -> list[dict[str, Any]]:
    return [
        # 0.01% with 4 of 8 hours left: basis 0.0001 x 14400/28800 = 0.00005;
        # 50000 x 1.00005 = 50002.5.
        _case(
            "hand-fair-price-half-interval",
            _HAND,
            {
                "method": "fair_price",
                "index": "50000",
                "funding_rate": "0.0001",
                "time_until_funding": "14400",
            },
            {
                "mark_price": "50002.5",
                "index_price": "50000",
                "funding_basis": "0.00005",
                "price_1": "50002.5",
            },
        ),
        # At the funding time the basis has decayed to 0: the mark is the index.
        _case(
            "hand-fair-price-at-funding",
            _HAND,
            {
                "method": "fair_price",
                "index": "50000",
                "funding_rate": "0.0001",
                "time_until_funding": "0",
            },
            {"mark_price": "50000", "funding_basis": "0"},
        ),
        # A negative rate over the whole interval: 2000 x (1 - 0.000375) = 2000 - 0.75.
        _case(
            "hand-fair-price-negative-rate",
            _HAND,
            {
                "method": "fair_price",
                "index": "2000",
                "funding_rate": "-0.000375",
                "time_until_funding": "28800",
            },
            {"mark_price": "1999.25", "funding_basis": "-0.000375"},
        ),
        # An hourly interval (3600 s), 15 minutes left: basis 0.0004 x 900/3600 = 0.0001;
        # 30 x 1.0001 = 30.003.
        _case(
            "hand-fair-price-hourly-interval",
            _HAND,
            {
                "method": "fair_price",
                "index": "30",
                "funding_rate": "0.0004",
                "time_until_funding": "900",
                "funding_interval": "3600",
            },
            {"mark_price": "30.003", "funding_basis": "0.0001"},
        ),
        # The sympy form index x (1 + r t / T) at index 64000, r = 0.0003, t = 9600, T = 28800:
        # 64000 x (1 + 0.0001) = 64006.4.
        _case(
            "derived-fair-price",
            _BASIS,
            {
                "method": "fair_price",
                "index": "64000",
                "funding_rate": "0.0003",
                "time_until_funding": "9600",
            },
            {"mark_price": "64006.4", "funding_basis": "0.0001"},
        ),
    ]


_MEDIAN_BASE = {
    "method": "median_of_three",
    "index": "50000",
    "funding_rate": "0.0001",
    "time_until_funding": "14400",
}


def _median_cases() -> list[dict[str, Any]]:
    return [
        # Price 1 = 50002.5 (as above), Price 2 = 50000 + 10 = 50010, last 50020: the median
        # is Price 2 ("if Price 1 < Price 2 < Contract Price, then take Price 2").
        _case(
            "hand-median-price-2",
            _HAND,
            {**_MEDIAN_BASE, "basis_average": "10", "last_price": "50020"},
            {"mark_price": "50010", "price_1": "50002.5", "price_2": "50010"},
        ),
        # Last 50005 lies between Price 1 (50002.5) and Price 2 (50010): the mark is it.
        _case(
            "hand-median-last-price",
            _HAND,
            {**_MEDIAN_BASE, "basis_average": "10", "last_price": "50005"},
            {"mark_price": "50005"},
        ),
        # A last price far below both (49000): the lower index-based price, Price 1.
        _case(
            "hand-median-price-1",
            _HAND,
            {**_MEDIAN_BASE, "basis_average": "10", "last_price": "49000"},
            {"mark_price": "50002.5"},
        ),
        # Basis samples: mids 50000, 50005, 50020 against indices 50000, 49995, 50000 give
        # 0, 10, 20; their mean is 10, Price 2 = 50010; last 50100: the median is 50010.
        _case(
            "hand-median-basis-samples",
            _HAND,
            {
                **_MEDIAN_BASE,
                "basis_samples": [
                    {"bid": "49990", "ask": "50010", "index": "50000"},
                    {"bid": "50000", "ask": "50010", "index": "49995"},
                    {"bid": "50010", "ask": "50030", "index": "50000"},
                ],
                "last_price": "50100",
            },
            {"mark_price": "50010", "price_2": "50010"},
        ),
        # A negative basis (-30) and a last price above: Price 2 = 49970 < Price 1 = 50002.5
        # < last 50050, so the median is Price 1, which lies between the other two.
        _case(
            "derived-median-between",
            _MEDIAN,
            {**_MEDIAN_BASE, "basis_average": "-30", "last_price": "50050"},
            {"mark_price": "50002.5", "price_2": "49970"},
        ),
    ]


_NOW = "2026-01-01T08:00:00Z"


def _index_cases() -> list[dict[str, Any]]:
    at_now = {"method": "fair_price", "funding_rate": "0", "time_until_funding": "0"}
    return [
        # Binance: sum of weight percent x price: 0.5 x 100 + 0.3 x 101 + 0.2 x 99
        # = 50 + 30.3 + 19.8 = 100.1.
        _case(
            "hand-index-weighted-mean",
            _HAND,
            {
                **at_now,
                "index_sources": [
                    _src("a", "100", "0.5"),
                    _src("b", "101", "0.3"),
                    _src("c", "99", "0.2"),
                ],
            },
            {"mark_price": "100.1", "index_price": "100.1"},
        ),
        # The median of 100, 101, 130 is 101; 130 is 29/101 (about 28.7%) from it, beyond
        # 5%: excluded. The kept weights 2 and 1 become 2/3 and 1/3: 200/3 + 101/3 = 301/3.
        _case(
            "hand-index-outlier-excluded",
            _HAND,
            {
                **at_now,
                "index_sources": [
                    _src("a", "100", "2"),
                    _src("b", "101", "1"),
                    _src("c", "130", "5"),
                ],
                "index_rule": {"max_deviation": "0.05"},
            },
            {"index_price": "301/3", "index_weights": {"a": "2/3", "b": "1/3"}},
        ),
        # Max age 60 s at 08:00:00: a (10 s old) and b (60 s, at the bound) are kept, c
        # (120 s) is stale. Index (100 + 102) / 2 = 101; rate 0.0001 over the whole interval:
        # 101 x 1.0001 = 101.0101.
        _case(
            "hand-index-stale-excluded",
            _HAND,
            {
                "method": "fair_price",
                "funding_rate": "0.0001",
                "time_until_funding": "28800",
                "index_sources": [
                    _src("a", "100", ts="2026-01-01T07:59:50Z"),
                    _src("b", "102", ts="2026-01-01T07:59:00Z"),
                    _src("c", "90", ts="2026-01-01T07:58:00Z"),
                ],
                "index_rule": {"max_age": "60", "min_sources": "2"},
                "now": _NOW,
            },
            {
                "mark_price": "101.0101",
                "index_price": "101",
                "index_weights": {"a": "0.5", "b": "0.5"},
            },
        ),
        # Weighted median of 90 (1), 100 (3), 110 (1): total 5, half 2.5; cumulative 1, 4:
        # 100.
        _case(
            "hand-index-weighted-median",
            _HAND,
            {
                **at_now,
                "index_sources": [
                    _src("a", "100", "3"),
                    _src("b", "110"),
                    _src("c", "90"),
                ],
                "index_rule": {"method": "weighted_median"},
            },
            {"index_price": "100"},
        ),
        # One source: the index is its price, whatever its weight.
        _case(
            "derived-index-single-source",
            _SINGLE,
            {**at_now, "index_sources": [_src("only", "123.45", "7")]},
            {"index_price": "123.45", "index_weights": {"only": "1"}},
        ),
    ]


def _oracle_cases() -> list[dict[str, Any]]:
    return [
        # Hyperliquid's spot source weights 3, 2, 2, 1, 1, 1, 1 (total 11, half 5.5). Sorted:
        # 99 (1), 100 (3), 101 (2), ...: cumulative 1, 4, 6 > 5.5 at 101.
        _case(
            "hand-oracle-source-weights",
            _HAND,
            {
                "method": "oracle",
                "oracle_prices": [
                    _src("binance", "100", "3"),
                    _src("okx", "101", "2"),
                    _src("bybit", "102", "2"),
                    _src("kraken", "99"),
                    _src("kucoin", "103"),
                    _src("gate", "104"),
                    _src("mexc", "105"),
                ],
            },
            {"mark_price": "101"},
        ),
        # Validators staked 5, 3, 2 (half 5): the cumulative stake is exactly half at 100, so
        # the median is the mean of 100 and the next price, 101: 100.5.
        _case(
            "hand-oracle-exact-half",
            _HAND,
            {
                "method": "oracle",
                "oracle_prices": [
                    _src("v1", "100", "5"),
                    _src("v2", "101", "3"),
                    _src("v3", "102", "2"),
                ],
            },
            {"mark_price": "100.5"},
        ),
    ]


_AT_FUNDING = {"method": "fair_price", "funding_rate": "0", "time_until_funding": "0"}


def _edge_index_cases() -> list[dict[str, Any]]:
    """The index at its boundaries: one source, the deviation bound, the age bound, half the
    weight, the fewest sources, prices near zero."""
    return [
        # One source under the strictest rule (weighted median, max deviation 0): the median
        # of one price is itself, |2.5 - 2.5| = 0 <= 0 x 2.5, kept; weight 0.3 / 0.3 = 1, and
        # the cumulative weight 1 passes half of 1 at 2.5: index 2.5. Basis 0.0002 x 7200 /
        # 28800 = 0.00005; 2.5 x 1.00005 = 2.500125.
        _case(
            "edge-index-one-source",
            _HAND,
            {
                "method": "fair_price",
                "funding_rate": "0.0002",
                "time_until_funding": "7200",
                "index_sources": [_src("only", "2.5", "0.3")],
                "index_rule": {"method": "weighted_median", "max_deviation": "0"},
            },
            {
                "mark_price": "2.500125",
                "index_price": "2.5",
                "index_weights": {"only": "1"},
                "funding_basis": "0.00005",
                "price_1": "2.500125",
            },
        ),
        # The median of 99, 100, 105 is 100, the bound 0.05 x 100 = 5; 105 is exactly 5 from
        # it: kept (only a source strictly beyond is excluded). Weights 3, 1, 1 of 5:
        # 0.6 x 99 + 0.2 x 100 + 0.2 x 105 = 59.4 + 20 + 21 = 100.4.
        _case(
            "edge-index-source-exactly-at-max-deviation",
            _HAND,
            {
                **_AT_FUNDING,
                "index_sources": [
                    _src("a", "99", "3"),
                    _src("b", "100"),
                    _src("c", "105"),
                ],
                "index_rule": {"max_deviation": "0.05"},
            },
            {
                "mark_price": "100.4",
                "index_price": "100.4",
                "index_weights": {"a": "0.6", "b": "0.2", "c": "0.2"},
            },
        ),
        # The same with c at 105.00000001: the median is still 100, and |c - 100| =
        # 5.00000001 > 5: excluded. The kept weights 3 and 1 become 3/4 and 1/4:
        # 297/4 + 100/4 = 397/4 = 99.25.
        _case(
            "edge-index-source-a-hair-beyond-max-deviation",
            _HAND,
            {
                **_AT_FUNDING,
                "index_sources": [
                    _src("a", "99", "3"),
                    _src("b", "100"),
                    _src("c", "105.00000001"),
                ],
                "index_rule": {"max_deviation": "0.05"},
            },
            {
                "mark_price": "99.25",
                "index_price": "99.25",
                "index_weights": {"a": "0.75", "b": "0.25"},
            },
        ),
        # Four sources: the median is the mean of the middle two, (101 + 109) / 2 = 105, the
        # bound 0.05 x 105 = 5.25; 100 and 110 are 5 from it: all kept. (The lower middle 101
        # would give a bound of 5.05 and drop 110, 9 away; the upper, 109, a bound of 5.45
        # and drop 100, 9 away.) Index (100 + 101 + 109 + 110) / 4 = 105.
        _case(
            "edge-index-deviation-from-the-median-of-an-even-count",
            _HAND,
            {
                **_AT_FUNDING,
                "index_sources": [
                    _src("a", "100"),
                    _src("b", "101"),
                    _src("c", "109"),
                    _src("d", "110"),
                ],
                "index_rule": {"max_deviation": "0.05"},
            },
            {
                "index_price": "105",
                "index_weights": {"a": "0.25", "b": "0.25", "c": "0.25", "d": "0.25"},
            },
        ),
        # Max age 30 s at 08:00:00: a is 1 s old, b (07:59:30) exactly 30 s: kept (a source is
        # stale only when strictly older than max_age). Index (100 + 104) / 2 = 102; rate
        # 0.0001 over the whole interval: 102 x 1.0001 = 102.0102.
        _case(
            "edge-index-source-exactly-max-age-old",
            _HAND,
            {
                "method": "fair_price",
                "funding_rate": "0.0001",
                "time_until_funding": "28800",
                "index_sources": [
                    _src("a", "100", ts="2026-01-01T07:59:59Z"),
                    _src("b", "104", ts="2026-01-01T07:59:30Z"),
                ],
                "index_rule": {"max_age": "30"},
                "now": _NOW,
            },
            {
                "mark_price": "102.0102",
                "index_price": "102",
                "index_weights": {"a": "0.5", "b": "0.5"},
            },
        ),
        # The same with b read at 07:59:29, 31 s old, one second beyond max_age: stale. Only
        # a is left (one source meets the default minimum of 1): index 100, 100 x 1.0001 =
        # 100.01.
        _case(
            "edge-index-source-a-second-past-max-age",
            _HAND,
            {
                "method": "fair_price",
                "funding_rate": "0.0001",
                "time_until_funding": "28800",
                "index_sources": [
                    _src("a", "100", ts="2026-01-01T07:59:59Z"),
                    _src("b", "104", ts="2026-01-01T07:59:29Z"),
                ],
                "index_rule": {"max_age": "30"},
                "now": _NOW,
            },
            {"mark_price": "100.01", "index_price": "100", "index_weights": {"a": "1"}},
        ),
        # Weighted median of 100 (1), 102 (1), 110 (2), weights 1/4, 1/4, 1/2: the cumulative
        # weight 1/4 + 1/4 = 1/2 is exactly half at 102, so the median is the mean of 102 and
        # the next price, (102 + 110) / 2 = 106 (the weighted mean would be 105.5).
        _case(
            "edge-index-weighted-median-exactly-half",
            _HAND,
            {
                **_AT_FUNDING,
                "index_sources": [
                    _src("a", "100"),
                    _src("b", "102"),
                    _src("c", "110", "2"),
                ],
                "index_rule": {"method": "weighted_median"},
            },
            {
                "mark_price": "106",
                "index_price": "106",
                "index_weights": {"a": "0.25", "b": "0.25", "c": "0.5"},
            },
        ),
        # Exactly the minimum: the median of 100, 102, 130 is 102, the bound 0.05 x 102 = 5.1;
        # 130 (28 away) is excluded, 100 (2 away) kept: 2 usable sources, min_sources 2, so
        # the index is computed: (100 + 102) / 2 = 101. (One fewer is the invalid case
        # too-few-sources.)
        _case(
            "edge-index-exactly-min-sources",
            _HAND,
            {
                **_AT_FUNDING,
                "index_sources": [
                    _src("a", "100"),
                    _src("b", "102"),
                    _src("c", "130"),
                ],
                "index_rule": {"max_deviation": "0.05", "min_sources": "2"},
            },
            {"index_price": "101", "index_weights": {"a": "0.5", "b": "0.5"}},
        ),
        # Prices near zero, 1/10^8 and 2/10^8: the median 1.5/10^8, the bound 0.5 x that =
        # 0.75/10^8; each is 0.5/10^8 away: kept. Index 1.5/10^8 = 0.000000015; basis 0.0001
        # over the whole interval: 0.000000015 x 1.0001 = 0.0000000150015.
        _case(
            "edge-index-prices-near-zero",
            _HAND,
            {
                "method": "fair_price",
                "funding_rate": "0.0001",
                "time_until_funding": "28800",
                "index_sources": [_src("a", "0.00000001"), _src("b", "0.00000002")],
                "index_rule": {"max_deviation": "0.5"},
            },
            {
                "mark_price": "0.0000000150015",
                "index_price": "0.000000015",
                "index_weights": {"a": "0.5", "b": "0.5"},
                "funding_basis": "0.0001",
                "price_1": "0.0000000150015",
            },
        ),
    ]


def _edge_mark_cases() -> list[dict[str, Any]]:
    """Median of three with ties, and the oracle with one price and with a zero stake."""
    return [
        # Price 1 = 50000 x (1 + 0.0001 x 14400/28800) = 50002.5 and Price 2 = 50000 + 2.5 =
        # 50002.5 are equal, the last price 50100 above both: the median is 50002.5.
        _case(
            "edge-median-price-1-equals-price-2",
            _HAND,
            {**_MEDIAN_BASE, "basis_average": "2.5", "last_price": "50100"},
            {"mark_price": "50002.5", "price_1": "50002.5", "price_2": "50002.5"},
        ),
        # Price 2 = 50000 + 10 = 50010 equals the last price 50010, Price 1 = 50002.5 below
        # both: the median is the pair's value, 50010.
        _case(
            "edge-median-last-price-equals-price-2",
            _HAND,
            {**_MEDIAN_BASE, "basis_average": "10", "last_price": "50010"},
            {"mark_price": "50010", "price_1": "50002.5", "price_2": "50010"},
        ),
        # One validator, its price near zero (1/10^8), stake 5: the weighted median of one
        # price is that price.
        _case(
            "edge-oracle-one-price-near-zero",
            _HAND,
            {"method": "oracle", "oracle_prices": [_src("v1", "0.00000001", "5")]},
            {"mark_price": "0.00000001"},
        ),
        # Stakes 1, 0, 1 at 100, 100.2, 101: a zero stake takes no part, so the weights are 1
        # and 1 (half 1), the cumulative stake is exactly half at 100, and the median is
        # (100 + 101) / 2 = 100.5. (Counting 100.2 as the next price would give 100.1.)
        _case(
            "edge-oracle-zero-stake-takes-no-part",
            _HAND,
            {
                "method": "oracle",
                "oracle_prices": [
                    _src("v1", "100"),
                    _src("v2", "100.2", "0"),
                    _src("v3", "101"),
                ],
            },
            {"mark_price": "100.5"},
        ),
    ]


def cases() -> list[dict[str, Any]]:
    """Every valid ``mark_price`` case."""
    return (
        _fair_price_cases()
        + _median_cases()
        + _index_cases()
        + _oracle_cases()
        + _edge_index_cases()
        + _edge_mark_cases()
    )
