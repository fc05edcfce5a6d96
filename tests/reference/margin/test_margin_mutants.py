"""Mutation-found gaps in margin values and requirements (DESIGN, Margin)."""

from __future__ import annotations

from fractions import Fraction as F

import pytest

from perpspec.reference.errors import SpecError
from perpspec.reference.instrument import ContractKind
from perpspec.reference.margin.pnl import Position, apply_fill, compute_unrealized_pnl, get_side
from perpspec.reference.margin.requirements import (
    compute_close_fee,
    compute_initial_margin,
    compute_isolated_margin_balance,
)


def test_get_side() -> None:
    assert get_side(F(3)) == 1
    # A long smaller than one unit is still a long.
    assert get_side(F(1, 2)) == 1
    assert get_side(F(-1, 2)) == -1
    assert get_side(F(-7)) == -1
    with pytest.raises(SpecError, match=r"^qty: a flat position has no side$"):
        get_side(F(0))


def test_initial_margin_at_low_leverage() -> None:
    # 1x: the whole value; 1/2x (a leverage below one, still > 0): twice the value.
    assert compute_initial_margin(F(1000), F(1)) == F(1000)
    assert compute_initial_margin(F(1000), F(1, 2)) == F(2000)
    with pytest.raises(SpecError, match=r"^leverage: must be > 0$"):
        compute_initial_margin(F(1000), F(0))


def test_close_fee() -> None:
    # Linear: |q| V P x rate = 2 x 1 x 100 x 0.001 = 0.2, the same for the short -2.
    assert compute_close_fee(ContractKind.LINEAR, F(2), F(1), F(100), F("0.001")) == F("0.2")
    assert compute_close_fee(ContractKind.LINEAR, F(-2), F(1), F(100), F("0.001")) == F("0.2")
    # Inverse: |q| V / P x rate = 2 x 100 / 50 x 0.0005 = 4 x 0.0005 = 0.002 (coin).
    assert compute_close_fee(ContractKind.INVERSE, F(2), F(100), F(50), F("0.0005")) == F("0.002")


def test_isolated_margin_balance() -> None:
    # M + uPnL = 10 + (-3) = 7.
    assert compute_isolated_margin_balance(F(10), F(-3)) == F(7)


def test_fill_is_refused_with_its_reason() -> None:
    # A fill moves a position: zero units or a price of 0 are refused, each with a one-line
    # reason naming the field.
    long_position = Position(F(1), F(100))
    with pytest.raises(SpecError, match=r"^qty: a fill must not be zero$"):
        apply_fill(ContractKind.LINEAR, F(1), long_position, F(0), F(100))
    with pytest.raises(SpecError, match=r"^price: must be > 0$"):
        apply_fill(ContractKind.LINEAR, F(1), long_position, F(1), F(0))


@pytest.mark.parametrize(("entry", "mark"), [(F(0), F(100)), (F(100), F(0)), (F(-1), F(100))])
def test_unrealized_pnl_refuses_a_price_that_is_not_positive(entry: F, mark: F) -> None:
    # Prices are > 0 (a zero entry would make the inverse PnL 1/E undefined); the reason is
    # one line naming the field.
    with pytest.raises(SpecError, match=r"^price: entry and mark prices must be > 0$"):
        compute_unrealized_pnl(ContractKind.LINEAR, F(1), F(1), entry, mark)
