"""The traders' own sizing and bookkeeping, against hand computations on BTC-PERP's tiers."""

from __future__ import annotations

from fractions import Fraction as F

import pytest

from perpspec.reference.simulation.generator import compute_trade_fee
from perpspec.reference.simulation.spec import BTC_PERP, BTCUSD_PERP
from perpspec.reference.simulation.traders import (
    MarketBook,
    Trader,
    apply_funding,
    apply_liquidations,
    apply_trader_fill,
    compute_affordable_value,
    compute_qty_for_value,
    estimate_liquidation_ticks,
    reindex_trader,
)


def book_at(mark: int | str) -> MarketBook:
    book = MarketBook.create(BTC_PERP, "BTC-PERP")
    book.mark = F(mark)
    return book


@pytest.mark.parametrize(
    ("equity", "desired", "expected"),
    [
        # tier 1 (125x): budget 300 x 0.95 = 285, x 125 = 35,625 < 37,500
        (300, 37_500, 35_625),
        # tier 2 (100x): 950 x 100 = 95,000, inside [50,000, 250,000)
        (1_000, 200_000, 95_000),
        # tier 4 (20x): 9,500 x 20 = 190,000 is below its floor 1,000,000; tier 3 (50x):
        # 9,500 x 50 = 475,000, inside [250,000, 1,000,000)
        (10_000, 1_250_000, 475_000),
        # within budget: the desired value itself
        (10_000, 20_000, 20_000),
        # 100,000 lies in tier 2, where 400 x 0.95 x 100 = 38,000 is below its floor 50,000;
        # tier 1: 380 x 125 = 47,500, below 49,999.95 (just under the next floor)
        (400, 100_000, 47_500),
        (0, 1_000, 0),
    ],
)
def test_affordable_value_respects_each_tiers_max_leverage(
    equity: int, desired: int, expected: int
) -> None:
    assert compute_affordable_value(book_at(60_000), F(equity), F(desired)) == expected


def test_affordable_value_stays_below_the_next_floor() -> None:
    # 1,000,000 equity could carry 125x, but a value in tier 1 must stay below 50,000:
    # 50,000 x 999,999 / 1,000,000 = 49,999.95 (tier 2 holds the desired 60,000 anyway)
    assert compute_affordable_value(book_at(60_000), F(1_000_000), F(49_999)) == 49_999
    assert compute_affordable_value(book_at(60_000), F(1_000_000), F(60_000)) == 60_000


def test_qty_for_value_rounds_down_to_the_lot() -> None:
    # 95,000 / 60,000 = 1.58333... -> 1.583
    assert compute_qty_for_value(book_at(60_000), F(95_000)) == F("1.583")
    inverse = MarketBook.create(BTCUSD_PERP, "BTCUSD-PERP")
    inverse.mark = F(60_000)
    # inverse: value in coin q x 100 / P; 0.5 BTC at 60,000 = 300 contracts exactly
    assert compute_qty_for_value(inverse, F("0.5")) == 300


def test_liquidation_estimate_long_and_short() -> None:
    book = book_at(60_000)
    long = Trader("a", 0, False, 50, F(1_000), qty=F(1), entry=F(60_000))
    # entry value 60,000 is tier 2 (0.5%, amount 50): 1,000 + (P - 60,000) = 0.005 P - 50,
    # P = 58,950 / 0.995 = 59,246.23...; a long rounds up: 59,246.3 = 592,463 ticks
    assert estimate_liquidation_ticks(book, long) == 592_463
    short = Trader("b", 0, False, 50, F(1_000), qty=F(-1), entry=F(60_000))
    # 1,000 - (P - 60,000) = 0.005 P - 50, P = 61,050 / 1.005 = 60,746.26...; down: 607,462
    assert estimate_liquidation_ticks(book, short) == 607_462
    safe = Trader("c", 0, False, 1, F(100_000), qty=F(1), entry=F(60_000))
    # collateral above the value: (60,000 - 100,050) / 0.995 < 0, never liquidated
    assert estimate_liquidation_ticks(book, safe) is None


def test_watch_wipes_a_trader_when_the_mark_reaches_its_estimate() -> None:
    book = book_at(60_000)
    traders = [Trader("a", 0, False, 50, F(1_000), qty=F(1), entry=F(60_000))]
    book.traders.append(0)
    reindex_trader(book, traders, 0)
    book.mark = F("59246.4")  # one tick above the estimate 59,246.3
    assert apply_liquidations(book, traders) == 0
    book.mark = F("59246.3")
    assert apply_liquidations(book, traders) == 1
    assert traders[0].qty == 0 and traders[0].wallet == 0


def test_isolated_close_hands_the_margin_back() -> None:
    book = book_at(60_000)
    traders = [Trader("a", 0, True, 10, F(100), F(1_000), is_isolated=True)]
    book.traders.append(0)
    apply_trader_fill(book, traders, 0, F(1), F(60_000), F(2))
    # fee 2 from the wallet: 98; margin 1,000 backs the long
    assert (traders[0].wallet, traders[0].margin, traders[0].qty) == (F(98), F(1_000), F(1))
    apply_trader_fill(book, traders, 0, F(-1), F(60_100), F(0))
    # +100 realized into the margin, then 1,100 back to the wallet: 1,198, and cross again
    assert (traders[0].wallet, traders[0].margin, traders[0].is_isolated) == (F(1_198), F(0), False)


def test_funding_view_matches_the_engine_rule() -> None:
    book = book_at(50_000)
    traders = [
        Trader("a", 0, False, 10, F(1_000), qty=F(2), entry=F(60_000)),
        Trader("b", 0, True, 10, F(0), F(500), is_isolated=True, qty=F(-2), entry=F(60_000)),
    ]
    book.traders.extend([0, 1])
    apply_funding(book, traders, F(1, 10_000))
    # the long pays 2 x 50,000 x 0.0001 = 10 from its wallet; the short receives 10 in margin
    assert traders[0].wallet == 990 and traders[1].margin == 510


def test_trade_fee_rounds_up_to_the_asset_unit() -> None:
    book = book_at(60_000)
    # 0.001 x 12,345.67 = 12.34567; x 0.00035 = 0.0043209845 -> up to 1e-8: 0.00432099
    assert compute_trade_fee(book, F("0.001"), F("12345.67"), F("0.00035")) == F("0.00432099")
    # a rebate rounds toward +infinity too: -0.0043209845 -> -0.00432098 (never paid above exact)
    assert compute_trade_fee(book, F("0.001"), F("12345.67"), F("-0.00035")) == F("-0.00432098")
    assert compute_trade_fee(book, F("0.5"), F("60000.1"), F(0)) == 0
