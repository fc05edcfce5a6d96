"""Mutation-found gaps in liquidation settlement: input checks and their one-line reasons."""

from __future__ import annotations

import re
from fractions import Fraction as F

import pytest

from perpspec.reference.errors import SpecError
from perpspec.reference.liquidation.settlement import (
    Fill,
    Side,
    select_executable_fills,
    settle_liquidation,
)


def test_fill_price_below_one_is_a_valid_price() -> None:
    # Fills need a price > 0 (module rule), nothing more: a coin quoted below 1 settles.
    # Long 1, P_b 1/4, one fill of 1 at 1/2: surplus 1 x (1/2 - 1/4) = 1/4, all to the fund
    # (surplus_to insurance by default): 0 + 1/4 = 1/4.
    result = settle_liquidation(Side.LONG, F(1), F(1, 4), [Fill(F(1), F(1, 2))], F(0))
    assert result.fills_executed == 1
    assert result.insurance_delta == F(1, 4)
    assert result.insurance_fund_after == F(1, 4)
    assert result.remaining_qty == 0


def test_one_surplus_per_fill_is_required() -> None:
    # select_executable_fills pairs each fill with its surplus; a missing surplus is refused
    # with a one-line reason naming the argument.
    with pytest.raises(
        SpecError, match=f"^{re.escape('fill_surpluses: must have one surplus per fill')}$"
    ):
        select_executable_fills([Fill(F(1), F(100)), Fill(F(1), F(101))], [F(0)], F(0))
