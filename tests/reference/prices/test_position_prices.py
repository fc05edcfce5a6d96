"""Liquidation and bankruptcy prices, hand-computed (DESIGN, Prices; seeds 002 and 004)."""

from __future__ import annotations

from fractions import Fraction as F

import pytest

from perpspec.reference.errors import SpecError
from perpspec.reference.instrument import ContractKind, make_tier_table
from perpspec.reference.margin.requirements import MaintenanceBasis
from perpspec.reference.prices.position_prices import (
    MarginContext,
    MarginMode,
    compute_position_prices,
)

LINEAR = ContractKind.LINEAR
INVERSE = ContractKind.INVERSE
MARK = MaintenanceBasis.MARK
ENTRY = MaintenanceBasis.ENTRY
ONE_TIER = make_tier_table([F(0)], [F("0.005")])
BINANCE = make_tier_table(
    [F(0), F(50_000), F(250_000), F(1_000_000)],
    [F("0.004"), F("0.005"), F("0.01"), F("0.025")],
)


def isolated(balance: F) -> MarginContext:
    return MarginContext(MarginMode.ISOLATED, balance)


def test_seed004_100x_long() -> None:
    # Seed 004: 100x, initial margin 1%, maintenance 0.5%. E = 10,000, qty 1, margin 100.
    # bankruptcy: 100 + (P - 10,000) = 0 -> P = 9,900 (a 1% move).
    # entry basis: 100 + (P - 10,000) = 0.005 x 10,000 -> P = 9,950 (exactly a 0.5% move).
    # mark basis: 100 + P - 10,000 = 0.005 P -> P = 9,900 / 0.995 = 1,980,000/199 (~0.5025%).
    entry = compute_position_prices(
        LINEAR, ONE_TIER, 1, F(1), F(1), F(10_000), isolated(F(100)), ENTRY
    )
    mark = compute_position_prices(
        LINEAR, ONE_TIER, 1, F(1), F(1), F(10_000), isolated(F(100)), MARK
    )
    assert entry.bankruptcy_price == mark.bankruptcy_price == 9_900
    assert entry.liquidation_price == 9_950
    assert mark.liquidation_price == F(1_980_000, 199)


def test_seed004_100x_short_mirrors() -> None:
    # bankruptcy: 100 - (P - 10,000) = 0 -> 10,100; entry basis: 100 - (P - 10,000) = 50 ->
    # 10,050; mark basis: 10,100 - P = 0.005 P -> P = 10,100 / 1.005 = 2,020,000/201.
    entry = compute_position_prices(
        LINEAR, ONE_TIER, -1, F(1), F(1), F(10_000), isolated(F(100)), ENTRY
    )
    mark = compute_position_prices(
        LINEAR, ONE_TIER, -1, F(1), F(1), F(10_000), isolated(F(100)), MARK
    )
    assert entry.bankruptcy_price == 10_100
    assert entry.liquidation_price == 10_050
    assert mark.liquidation_price == F(2_020_000, 201)


def test_seed002_smith_implied_parameters() -> None:
    # Seed 002: long 10,000 contracts at 20,000, liquidation 19,700, bankruptcy 19,500.
    # With V = 1: bankruptcy 19,500 = 20,000 - M / 10,000 -> M = 5,000,000 (40x).
    # Entry basis: 19,700 = 19,500 + m x 20,000 -> m = 1%. Both prices then come out exact.
    tiers = make_tier_table([F(0)], [F("0.01")])
    prices = compute_position_prices(
        LINEAR, tiers, 1, F(10_000), F(1), F(20_000), isolated(F(5_000_000)), ENTRY
    )
    assert (prices.liquidation_price, prices.bankruptcy_price) == (F(19_700), F(19_500))


def test_binance_cross_formula_by_hand() -> None:
    # Binance one-way cross: LP = (WB - TMM1 + UPNL1 + cum - n E) / (n mmr - n).
    # long 1 @ 50,000, WB 10,000, TMM1 500, UPNL1 -1,000, tier 0 (0.4%, cum 0):
    # LP = (10,000 - 500 - 1,000 - 50,000) / (0.004 - 1) = 41,500 / 0.996 = 10,375,000/249,
    # whose value (~41,667) lies in tier 0. Bankruptcy: 10,000 - 1,000 + (P - 50,000) = 0
    # -> P = 41,000.
    margin = MarginContext(MarginMode.CROSS, F(10_000), F(500), F(-1_000))
    prices = compute_position_prices(LINEAR, BINANCE, 1, F(1), F(1), F(50_000), margin, MARK)
    assert prices.liquidation_price == F(10_375_000, 249)
    assert prices.bankruptcy_price == 41_000


def test_tier_fixed_point_lands_in_tier_two() -> None:
    # long 10 BTC @ 30,000 (value 300,000), isolated margin 30,000, mark basis.
    # tier 0: 30,000 + 10 (P - 30,000) = 0.04 P -> P = 270,000 / 9.96,
    #         value ~271,084: not in [0, 50k).
    # tier 1: ... = 0.05 P - 50 -> P = 269,950 / 9.95, value ~271,307: not in [50k, 250k).
    # tier 2: ... = 0.1 P - 1,300 -> P = 268,700 / 9.9 = 2,687,000/99, value ~271,414: in tier 2.
    prices = compute_position_prices(
        LINEAR, BINANCE, 1, F(10), F(1), F(30_000), isolated(F(30_000)), MARK
    )
    assert prices.liquidation_price == F(2_687_000, 99)


def test_inverse_long_coin_margined() -> None:
    # 100 contracts of 100 USD at 50,000, margin 0.02 BTC (value at entry 0.2 BTC: 10x).
    # bankruptcy: 0.02 + 10,000/50,000 - 10,000/P = 0 -> P = 10,000 / 0.22 = 500,000/11.
    # liquidation, mark basis 0.5%: 0.22 - 10,000/P = 0.005 x 10,000/P -> P = 10,050 / 0.22
    # = 502,500/11.
    tiers = make_tier_table([F(0)], [F("0.005")])
    prices = compute_position_prices(
        INVERSE, tiers, 1, F(100), F(100), F(50_000), isolated(F("0.02")), MARK
    )
    assert prices.bankruptcy_price == F(500_000, 11)
    assert prices.liquidation_price == F(502_500, 11)


def test_inverse_short_at_1x_is_never_liquidated() -> None:
    # short 100 x 100 USD at 50,000 with 0.2 BTC (its whole value at entry): equity is
    # 0.2 - 0.2 + 10,000/P > 0 for every P, so both prices are none.
    prices = compute_position_prices(
        INVERSE, ONE_TIER, -1, F(100), F(100), F(50_000), isolated(F("0.2")), MARK
    )
    assert prices.liquidation_price is None and prices.bankruptcy_price is None


def test_linear_long_at_1x_is_never_liquidated() -> None:
    # long 1 @ 100 with margin 100: bankruptcy at P = 0, liquidation at 0 / 0.995 = 0: none.
    prices = compute_position_prices(
        LINEAR, ONE_TIER, 1, F(1), F(1), F(100), isolated(F(100)), MARK
    )
    assert prices.liquidation_price is None and prices.bankruptcy_price is None


def test_short_with_reserved_close_fee() -> None:
    # short 1 @ 10,000, margin 100, close fee 0.05%, mmr 0.5%, mark basis:
    # liquidation: 100 - (P - 10,000) - 0.0005 P = 0.005 P -> P = 10,100 / 1.0055 = 20,200,000/2,011
    # bankruptcy:  100 - (P - 10,000) - 0.0005 P = 0       -> P = 10,100 / 1.0005 = 20,200,000/2,001
    prices = compute_position_prices(
        LINEAR, ONE_TIER, -1, F(1), F(1), F(10_000), isolated(F(100)), MARK, F("0.0005")
    )
    assert prices.liquidation_price == F(20_200_000, 2_011)
    assert prices.bankruptcy_price == F(20_200_000, 2_001)


def test_tick_rounding_directions() -> None:
    # long mark-basis liquidation 1,980,000/199 = 9,949.748...: up to the 0.5 tick -> 9,950.
    # short mark-basis liquidation 2,020,000/201 = 10,049.751...: down -> 10,049.5.
    long = compute_position_prices(
        LINEAR, ONE_TIER, 1, F(1), F(1), F(10_000), isolated(F(100)), MARK, tick_size=F("0.5")
    )
    short = compute_position_prices(
        LINEAR, ONE_TIER, -1, F(1), F(1), F(10_000), isolated(F(100)), MARK, tick_size=F("0.5")
    )
    assert long.liquidation_price_rounded == 9_950
    assert long.bankruptcy_price_rounded == 9_900
    assert short.liquidation_price_rounded == F("10049.5")
    assert short.bankruptcy_price_rounded == 10_100


def test_rate_plus_fee_of_one_is_rejected() -> None:
    tiers = make_tier_table([F(0)], [F("0.6")])
    with pytest.raises(SpecError, match=r"mmr \+ close_fee_rate must be < 1"):
        compute_position_prices(
            LINEAR, tiers, 1, F(1), F(1), F(100), isolated(F(10)), MARK, F("0.4")
        )
