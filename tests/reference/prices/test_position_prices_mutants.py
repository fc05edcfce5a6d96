"""Mutation-found gaps in the position prices (DESIGN, Prices)."""

from __future__ import annotations

from fractions import Fraction as F

import pytest

from perpspec.reference.errors import SpecError
from perpspec.reference.instrument import ContractKind, make_tier_table
from perpspec.reference.margin.requirements import MaintenanceBasis
from perpspec.reference.prices.position_prices import (
    MarginContext,
    MarginMode,
    PositionPrices,
    compute_liquidation_price,
    compute_position_prices,
)

LINEAR = ContractKind.LINEAR
ONE_TIER = make_tier_table([F(0)], [F("0.005")])
ISOLATED_10 = MarginContext(MarginMode.ISOLATED, F(10))


def test_rounded_result_keeps_the_exact_prices() -> None:
    # Linear long, q 1, V 1, E 100, isolated M 10, mmr 0.005, no fee.
    # Bankruptcy: 10 + (P - 100) = 0, P = 90.
    # Liquidation: 10 + (P - 100) = 0.005 P, 0.995 P = 90, P = 90 / 0.995 = 18000/199 (~90.45).
    # Tick 1, long rounds UP: 91 and 90.
    prices = compute_position_prices(
        LINEAR, ONE_TIER, 1, F(1), F(1), F(100), ISOLATED_10, tick_size=F(1)
    )
    assert prices == PositionPrices(F(18000, 199), F(90), F(91), F(90))


def test_entry_price_below_one_is_valid() -> None:
    # Linear long, q 10, V 1, E 1/2, isolated M 1, mmr 0.005.
    # Bankruptcy: 1 + 10 (P - 1/2) = 0, P = 1/2 - 1/10 = 2/5.
    # Liquidation: 1 + 10 P - 5 = 0.005 x 10 P, 9.95 P = 4, P = 400/995 = 80/199.
    margin = MarginContext(MarginMode.ISOLATED, F(1))
    prices = compute_position_prices(LINEAR, ONE_TIER, 1, F(10), F(1), F(1, 2), margin)
    assert prices == PositionPrices(F(80, 199), F(2, 5))


@pytest.mark.parametrize(
    ("qty", "multiplier", "entry_price"),
    [(F(0), F(1), F(100)), (F(1), F(0), F(100)), (F(1), F(1), F(0))],
)
def test_each_position_field_must_be_positive(qty: F, multiplier: F, entry_price: F) -> None:
    with pytest.raises(SpecError, match=r"^position: qty, multiplier and entry_price must be > 0$"):
        compute_position_prices(LINEAR, ONE_TIER, 1, qty, multiplier, entry_price, ISOLATED_10)


def test_refusals_name_their_field() -> None:
    with pytest.raises(SpecError, match=r"^side: must be \+1 \(long\) or -1 \(short\), found 2$"):
        compute_position_prices(LINEAR, ONE_TIER, 2, F(1), F(1), F(100), ISOLATED_10)
    with pytest.raises(SpecError, match=r"^close_fee_rate: must be >= 0$"):
        compute_position_prices(
            LINEAR, ONE_TIER, 1, F(1), F(1), F(100), ISOLATED_10, close_fee_rate=F(-1, 100)
        )


def test_entry_basis_tier_is_chosen_by_the_linear_entry_value() -> None:
    # Entry basis: MM's tier is the one of the value at entry, |q| V E for a linear contract.
    # Tiers: floor 0 mmr 1%; floor 1,000 mmr 5%, amount 1,000 x (5% - 1%) = 40.
    # Long q 10, V 1, E 200: value 2,000, tier 2; MM = 5% x 2,000 - 40 = 60.
    # Isolated M 300, no fee: 300 + 10 (P - 200) = 60, 10 P = 1,760, P = 176.
    # (Tier 1, MM 20, would give 300 + 10 (P - 200) = 20, P = 172.)
    tiers = make_tier_table([F(0), F(1000)], [F(1, 100), F(1, 20)])
    margin = MarginContext(MarginMode.ISOLATED, F(300))
    price = compute_liquidation_price(
        LINEAR, tiers, 1, F(10), F(1), F(200), margin, basis=MaintenanceBasis.ENTRY
    )
    assert price == 176


def test_short_keeps_the_lowest_tier_solution_when_mm_drops_at_a_floor() -> None:
    # DESIGN, Prices: when a published table breaks the recurrence, more than one tier's
    # solution may lie in its own tier; the first one reached as the mark rises against a short
    # is kept, the lowest.
    # Tiers: floor 0 mmr 5% amount 0; floor 101 mmr 10% amount 10 published (the recurrence
    # gives 101 x 5% = 5.05, so MM drops from 5.05 to 0.1 at the floor).
    # Short q 1, V 1, E 100, isolated M 5, mark basis, no fee: 5 + (100 - P) = MM(P).
    # Tier 1: 105 - P = P / 20, 21 P / 20 = 105, P = 100 (value 100 < 101: in tier 1).
    # Tier 2: 105 - P = P / 10 - 10, 11 P / 10 = 115, P = 1150/11 (about 104.5 >= 101: in tier 2).
    tiers = make_tier_table([F(0), F(101)], [F(1, 20), F(1, 10)], [F(0), F(10)])
    margin = MarginContext(MarginMode.ISOLATED, F(5))
    assert compute_liquidation_price(LINEAR, tiers, -1, F(1), F(1), F(100), margin) == 100
