"""Mutation-found gaps in the position prices (DESIGN, Prices)."""

from __future__ import annotations

from fractions import Fraction as F

import pytest

from perpspec.reference.errors import SpecError
from perpspec.reference.instrument import ContractKind, make_tier_table
from perpspec.reference.prices.position_prices import (
    MarginContext,
    MarginMode,
    PositionPrices,
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
