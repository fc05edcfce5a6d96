"""Mutation-found gaps in the ADL ranking formulas (DESIGN, ADL; profile option ``adl.ranking``).

The rules protected: signed values ``q V P`` (linear) and ``-q V / P`` (inverse); a missing or
non-positive input is refused naming the field (and the formula); the ``0`` of prices > 0, of
seed 003's "wallet + uPnL <= 0", of "account value > 0" and of the margin left above
bankruptcy are the boundaries, not one unit of the settlement asset.
"""

from __future__ import annotations

from fractions import Fraction as F

import pytest

from perpspec.reference.adl.formulas import (
    AdlPosition,
    RankingFormula,
    compute_effective_leverage,
    compute_leverage_pnl_margin_ratio_score,
    compute_mark_entry_notional_score,
    compute_position_value,
    compute_roi_times_mmr_score,
    compute_score,
)
from perpspec.reference.errors import SpecError
from perpspec.reference.instrument import ContractKind
from perpspec.reference.liquidation.settlement import Side


def _long(
    *,
    bankruptcy_price: F | None = None,
    wallet_balance: F | None = None,
    maintenance_margin: F | None = None,
    account_value: F | None = None,
    unrealized_pnl: F | None = None,
) -> AdlPosition:
    # A long of 1 at entry 100, mark 110: uPnL 10, PnL% 10 / 100 = 1/10, notional 110.
    return AdlPosition(
        "p",
        Side.LONG,
        F(1),
        F(100),
        F(110),
        bankruptcy_price=bankruptcy_price,
        wallet_balance=wallet_balance,
        maintenance_margin=maintenance_margin,
        account_value=account_value,
        unrealized_pnl=unrealized_pnl,
    )


def test_position_value_scales_by_the_multiplier() -> None:
    # A long of 2 with multiplier V = 10: linear q V P = 2 x 10 x 3 = 60; inverse
    # -q V / P = -2 x 10 / 4 = -5.
    linear = AdlPosition("p", Side.LONG, F(2), F(3), F(3), multiplier=F(10))
    inverse = AdlPosition(
        "p", Side.LONG, F(2), F(4), F(4), multiplier=F(10), kind=ContractKind.INVERSE
    )
    assert compute_position_value(linear, F(3)) == F(60)
    assert compute_position_value(inverse, F(4)) == F(-5)


def test_position_value_needs_a_positive_price() -> None:
    position = _long()
    with pytest.raises(SpecError, match=r"^p: price must be > 0, found 0$"):
        compute_position_value(position, F(0))
    # A price below one unit is a price: 1 x 1 x 1/2 = 1/2.
    assert compute_position_value(position, F(1, 2)) == F(1, 2)


def test_score_refuses_a_zero_mark_by_name() -> None:
    position = AdlPosition("p", Side.LONG, F(1), F(100), F(0))
    with pytest.raises(SpecError, match=r"^p\.mark_price: must be > 0, found 0$"):
        compute_score(RankingFormula.PROFIT_RATIO, position)


def test_score_accepts_prices_below_one_unit() -> None:
    # profit_ratio of a long of 1, entry 1/2, mark 1: uPnL 1/2, PnL% (1/2) / (1/2) = 1.
    position = AdlPosition("p", Side.LONG, F(1), F(1, 2), F(1))
    assert compute_score(RankingFormula.PROFIT_RATIO, position) == 1


def test_leverage_pnl_margin_ratio_requires_maintenance_margin() -> None:
    position = _long(wallet_balance=F(100))
    with pytest.raises(
        SpecError,
        match=r"^p\.maintenance_margin: required by the ADL ranking formula "
        r"leverage_pnl_margin_ratio$",
    ):
        compute_leverage_pnl_margin_ratio_score(position)


def test_leverage_pnl_margin_ratio_is_zero_at_zero_equity() -> None:
    # Seed 003: "(wallet + uPnL) <= 0 -> margin ratio = 0". Wallet -5, uPnL 5: equity 0, so
    # the score is PnL% 5 / max(1, -5) = 5 times 0 = 0 (no division by the zero equity).
    position = _long(wallet_balance=F(-5), maintenance_margin=F(1), unrealized_pnl=F(5))
    assert compute_leverage_pnl_margin_ratio_score(position) == 0


def test_leverage_pnl_margin_ratio_with_equity_below_one_unit() -> None:
    # Equity 1/4 + 1/4 = 1/2 > 0, so margin ratio = MM / equity = (1/8) / (1/2) = 1/4;
    # PnL% = max(0, 1/4) / max(1, 1/4) = 1/4; score = 1/4 x 1/4 = 1/16.
    position = _long(wallet_balance=F(1, 4), maintenance_margin=F(1, 8), unrealized_pnl=F(1, 4))
    assert compute_leverage_pnl_margin_ratio_score(position) == F(1, 16)


def test_roi_times_mmr_requires_account_value() -> None:
    position = _long(maintenance_margin=F(1))
    with pytest.raises(
        SpecError,
        match=r"^p\.account_value: required by the ADL ranking formula roi_times_mmr$",
    ):
        compute_roi_times_mmr_score(position)


def test_roi_times_mmr_refuses_zero_account_value() -> None:
    # An account at zero equity is being liquidated, not ranked (and the rate would be MM/0).
    position = _long(maintenance_margin=F(1), account_value=F(0))
    with pytest.raises(SpecError, match=r"^p\.account_value: must be > 0 for roi_times_mmr$"):
        compute_roi_times_mmr_score(position)


def test_roi_times_mmr_with_account_value_below_one_unit() -> None:
    # Rate = MM / account value = (1/4) / (1/2) = 1/2; ROI 1/10 > 0: score 1/10 x 1/2 = 1/20.
    position = _long(maintenance_margin=F(1, 4), account_value=F(1, 2))
    assert compute_roi_times_mmr_score(position) == F(1, 20)


def test_mark_entry_notional_with_account_value_below_one_unit() -> None:
    # (mark / entry) x notional / account value = (110 / 100) x 110 / (1/2) = 121 x 2 = 242.
    position = _long(account_value=F(1, 2))
    assert compute_mark_entry_notional_score(position) == F(242)


def test_effective_leverage_with_cushion_below_one_unit() -> None:
    # Mark value 110, bankrupt value 109.5: cushion 1/2 > 0, leverage 110 / (1/2) = 220.
    position = _long(bankruptcy_price=F("109.5"))
    assert compute_effective_leverage(position) == F(220)


def test_effective_leverage_refused_at_bankruptcy() -> None:
    # Mark 110 = bankruptcy 110: no margin left above bankruptcy, so no leverage.
    position = _long(bankruptcy_price=F(110))
    with pytest.raises(
        SpecError,
        match=r"^p\.bankruptcy_price: the mark 110 is at or beyond the bankruptcy price 110, "
        r"so the position has no effective leverage$",
    ):
        compute_effective_leverage(position)
