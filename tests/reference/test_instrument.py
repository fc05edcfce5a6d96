"""Tier tables and the maintenance-amount recurrence (DESIGN, Margin)."""

from __future__ import annotations

from fractions import Fraction as F

import pytest

from perpspec.reference.errors import SpecError
from perpspec.reference.instrument import (
    Tier,
    compute_maintenance_amounts,
    find_tier,
    make_tier_table,
    validate_tier_table,
)

# Binance USDT-M BTCUSDT brackets as published (notional floor, mmr, maintenance amount):
# the published amounts follow the recurrence c_n = floor_n (m_n - m_{n-1}) + c_{n-1}:
#   50,000 x 0.001 + 0 = 50;        250,000 x 0.005 + 50 = 1,300;
#   1,000,000 x 0.015 + 1,300 = 16,300;   10,000,000 x 0.025 + 16,300 = 266,300;
#   20,000,000 x 0.05 + 266,300 = 1,266,300;   50,000,000 x 0.025 + 1,266,300 = 2,516,300;
#   100,000,000 x 0.025 + 2,516,300 = 5,016,300;  200,000,000 x 0.1 + 5,016,300 = 25,016,300;
#   300,000,000 x 0.25 + 25,016,300 = 100,016,300.
BINANCE_FLOORS = [
    F(x)
    for x in (
        0,
        50_000,
        250_000,
        1_000_000,
        10_000_000,
        20_000_000,
        50_000_000,
        100_000_000,
        200_000_000,
        300_000_000,
    )
]
BINANCE_MMRS = [
    F(x) for x in ("0.004", "0.005", "0.01", "0.025", "0.05", "0.1", "0.125", "0.15", "0.25", "0.5")
]
BINANCE_AMOUNTS = [
    F(x)
    for x in (
        0,
        50,
        1_300,
        16_300,
        266_300,
        1_266_300,
        2_516_300,
        5_016_300,
        25_016_300,
        100_016_300,
    )
]


def test_recurrence_reproduces_published_binance_amounts() -> None:
    assert list(compute_maintenance_amounts(BINANCE_FLOORS, BINANCE_MMRS)) == BINANCE_AMOUNTS


def test_published_table_passes_strict_validation() -> None:
    tiers = make_tier_table(BINANCE_FLOORS, BINANCE_MMRS, BINANCE_AMOUNTS)
    validate_tier_table(tiers, require_recurrence=True)


def test_seed004_bitget_step_is_continuous() -> None:
    # Seed 004: above 150,000 USDT the rate goes from 0.40% to 0.50%.
    # c_1 = 150,000 x 0.001 = 150; MM at 150,000: 600 in tier 0 and 750 - 150 = 600 in tier 1.
    tiers = make_tier_table([F(0), F(150_000)], [F("0.004"), F("0.005")])
    assert tiers[1].maintenance_amount == 150
    assert F(150_000) * tiers[0].mmr - tiers[0].maintenance_amount == 600
    assert F(150_000) * tiers[1].mmr - tiers[1].maintenance_amount == 600


def test_strict_validation_names_a_broken_amount() -> None:
    tiers = make_tier_table(BINANCE_FLOORS[:3], BINANCE_MMRS[:3], [F(0), F(50), F(1_000)])
    with pytest.raises(
        SpecError, match=r"tiers\[2\].maintenance_amount: the recurrence gives 1300"
    ):
        validate_tier_table(tiers, require_recurrence=True)


@pytest.mark.parametrize(
    ("floors", "mmrs", "fragment"),
    [
        ([F(10)], [F("0.01")], r"tiers\[0\].floor: the first tier must start at 0"),
        ([F(0), F(0)], [F("0.01"), F("0.02")], r"tiers\[1\].floor: floors must increase"),
        ([F(0), F(5)], [F("0.02"), F("0.01")], r"tiers\[1\].mmr: rates must not decrease"),
        ([F(0)], [F(1)], r"tiers\[0\].mmr: must be in \[0, 1\)"),
        ([], [], "at least one tier"),
    ],
)
def test_invalid_tables_are_rejected(floors: list[F], mmrs: list[F], fragment: str) -> None:
    with pytest.raises(SpecError, match=fragment):
        make_tier_table(floors, mmrs)


def test_find_tier_is_floor_inclusive() -> None:
    tiers = make_tier_table(BINANCE_FLOORS[:3], BINANCE_MMRS[:3])
    assert find_tier(tiers, F(49_999)).mmr == F("0.004")
    assert find_tier(tiers, F(50_000)).mmr == F("0.005")
    assert find_tier(tiers, F(10**12)).mmr == F("0.01")
    with pytest.raises(SpecError):
        find_tier(tiers, F(-1))


def test_tier_is_a_value() -> None:
    assert Tier(F(0), F("0.01"), F(0)) == Tier(F(0), F("0.01"), F(0))


def test_missing_amount_chains_from_the_published_one() -> None:
    # tier 1 published at 60 (the recurrence would give 50); tier 2 missing:
    # 250,000 x (0.01 - 0.005) + 60 = 1,310, so MM is continuous at 250,000 with tier 1's
    # published amount: 250,000 x 0.005 - 60 = 1,190 = 250,000 x 0.01 - 1,310.
    tiers = make_tier_table(BINANCE_FLOORS[:3], BINANCE_MMRS[:3], [None, F(60), None])
    assert [t.maintenance_amount for t in tiers] == [F(0), F(60), F(1_310)]
