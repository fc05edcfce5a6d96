"""Mutation-found gap in the fund's lower bound (invariant ``fund-nonnegative``)."""

from __future__ import annotations

from fractions import Fraction as F

from perpspec.reference.insurance.fund import InsuranceFund


def test_fund_may_stand_at_zero_or_below_one_unit() -> None:
    # fund-nonnegative forbids only a balance below zero.
    assert InsuranceFund("btc", F(0)).balance == 0
    assert InsuranceFund("btc", F(1, 2)).balance == F(1, 2)
