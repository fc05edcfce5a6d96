"""Each generated closed form satisfies its defining equation exactly.

The defining equations are written out again here in plain Fraction arithmetic (DESIGN,
Margin and Prices), independently of the closed forms and of sympy, and the solution is
substituted back.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from perpspec.reference.errors import SpecError
from perpspec.reference.prices import closed_forms


def exact_fractions(low: Fraction | int, high: Fraction | int, max_denominator: int) -> Any:
    """Fractions in [low, high] with denominators up to ``max_denominator``.

    Built from integers: hypothesis's own ``fractions`` strategy is several times slower.
    """
    low, high = Fraction(low), Fraction(high)

    def with_denominator(q: int) -> Any:
        numerators = st.integers(math.ceil(low * q), math.floor(high * q))
        return numerators.map(lambda p: Fraction(p, q))

    return st.integers(1, max_denominator).flatmap(with_denominator)


_SIDES = st.sampled_from([1, -1])
_POSITIVE = exact_fractions(Fraction(1, 100), 1000, 1000)
_ANY = exact_fractions(-5000, 5000, 1000)
_NONNEGATIVE = exact_fractions(0, 1000, 1000)
_RATE = exact_fractions(0, Fraction(99, 100), 1000)
_FEE = exact_fractions(0, Fraction(1, 10), 10000)


def unrealized_pnl(
    kind: str, side: int, qty: Fraction, mult: Fraction, entry: Fraction, price: Fraction
) -> Fraction:
    if kind == "linear":
        return side * qty * mult * (price - entry)
    return side * qty * mult * (1 / entry - 1 / price)


def value(kind: str, qty: Fraction, mult: Fraction, price: Fraction) -> Fraction:
    return qty * mult * price if kind == "linear" else qty * mult / price


def margin_balance(
    kind: str,
    side: int,
    qty: Fraction,
    mult: Fraction,
    entry: Fraction,
    collateral: Fraction,
    fee: Fraction,
    price: Fraction,
) -> Fraction:
    pnl = unrealized_pnl(kind, side, qty, mult, entry, price)
    return collateral + pnl - fee * value(kind, qty, mult, price)


def liquidation_gap(
    kind: str,
    basis: str,
    side: int,
    qty: Fraction,
    mult: Fraction,
    entry: Fraction,
    collateral: Fraction,
    mmr: Fraction,
    amount: Fraction,
    other_mm: Fraction,
    fee: Fraction,
    price: Fraction,
) -> Fraction:
    """Margin balance - (MM + O); zero at the liquidation price."""
    basis_price = price if basis == "mark" else entry
    maintenance = mmr * value(kind, qty, mult, basis_price) - amount
    balance = margin_balance(kind, side, qty, mult, entry, collateral, fee, price)
    return balance - (maintenance + other_mm)


def affine_coefficients(
    kind: str, gap: Callable[[Fraction], Fraction]
) -> tuple[Fraction, Fraction]:
    """(K, C) with gap = K + C u, u = P (linear) or 1/P (inverse), from two evaluations."""
    if kind == "linear":
        slope = gap(Fraction(2)) - gap(Fraction(1))
    else:
        slope = gap(Fraction(1, 2)) - gap(Fraction(1))  # u = 2 and u = 1
    return gap(Fraction(1)) - slope, slope


def check_solution(kind: str, price: Fraction | None, gap: Callable[[Fraction], Fraction]) -> None:
    """The closed form's answer against the equation gap(P) = K + C u = 0.

    Linear: unique solution exactly when C != 0. Inverse: u = -K/C has a solution P = 1/u
    exactly when K != 0 and C != 0; the closed form gives P = -C/K, so None when K = 0 and 0
    when C = 0 (no price; the caller reports prices <= 0 as none).
    """
    constant, slope = affine_coefficients(kind, gap)
    if kind == "linear":
        assert (price is None) == (slope == 0)
    else:
        assert (price is None) == (constant == 0)
        assert (price == 0) == (constant != 0 and slope == 0)
    if price is not None and price != 0:
        assert gap(price) == 0


BANKRUPTCY = {
    "linear": closed_forms.linear_bankruptcy_price,
    "inverse": closed_forms.inverse_bankruptcy_price,
}
LIQUIDATION = {
    ("linear", "mark"): closed_forms.linear_liquidation_price_mark_basis,
    ("linear", "entry"): closed_forms.linear_liquidation_price_entry_basis,
    ("inverse", "mark"): closed_forms.inverse_liquidation_price_mark_basis,
    ("inverse", "entry"): closed_forms.inverse_liquidation_price_entry_basis,
}


@pytest.mark.parametrize("kind", ["linear", "inverse"])
@given(side=_SIDES, qty=_POSITIVE, mult=_POSITIVE, entry=_POSITIVE, collateral=_ANY, fee=_FEE)
def test_bankruptcy_price_zeroes_the_margin_balance(
    kind: str,
    side: int,
    qty: Fraction,
    mult: Fraction,
    entry: Fraction,
    collateral: Fraction,
    fee: Fraction,
) -> None:
    price = BANKRUPTCY[kind](side, qty, mult, entry, collateral, fee)

    def gap(p: Fraction) -> Fraction:
        return margin_balance(kind, side, qty, mult, entry, collateral, fee, p)

    check_solution(kind, price, gap)


@pytest.mark.parametrize("basis", ["mark", "entry"])
@pytest.mark.parametrize("kind", ["linear", "inverse"])
@given(
    side=_SIDES,
    qty=_POSITIVE,
    mult=_POSITIVE,
    entry=_POSITIVE,
    collateral=_ANY,
    mmr=_RATE,
    amount=_NONNEGATIVE,
    other_mm=_NONNEGATIVE,
    fee=_FEE,
)
def test_liquidation_price_meets_the_maintenance_threshold(
    kind: str,
    basis: str,
    side: int,
    qty: Fraction,
    mult: Fraction,
    entry: Fraction,
    collateral: Fraction,
    mmr: Fraction,
    amount: Fraction,
    other_mm: Fraction,
    fee: Fraction,
) -> None:
    solve = LIQUIDATION[(kind, basis)]
    price = solve(side, qty, mult, entry, collateral, mmr, amount, other_mm, fee)

    def gap(p: Fraction) -> Fraction:
        return liquidation_gap(
            kind, basis, side, qty, mult, entry, collateral, mmr, amount, other_mm, fee, p
        )

    check_solution(kind, price, gap)


@given(mmr=_RATE, qty=_POSITIVE, entry=_POSITIVE, collateral=_ANY, amount=_NONNEGATIVE)
def test_linear_long_without_unique_solution_is_none(
    mmr: Fraction, qty: Fraction, entry: Fraction, collateral: Fraction, amount: Fraction
) -> None:
    # mmr + fee = 1: the PnL slope n V equals the slope of MM + fee, so the P term cancels.
    fee = 1 - mmr
    price = closed_forms.linear_liquidation_price_mark_basis(
        1, qty, Fraction(1), entry, collateral, mmr, amount, Fraction(0), fee
    )
    assert price is None

    # And the equation really has no unique solution:
    def gap(p: Fraction) -> Fraction:
        return liquidation_gap(
            "linear",
            "mark",
            1,
            qty,
            Fraction(1),
            entry,
            collateral,
            mmr,
            amount,
            Fraction(0),
            fee,
            p,
        )

    assert affine_coefficients("linear", gap)[1] == 0


@given(qty=_POSITIVE, mult=_POSITIVE, entry=_POSITIVE, fee=_FEE)
def test_inverse_short_collateral_equal_to_value_is_none(
    qty: Fraction, mult: Fraction, entry: Fraction, fee: Fraction
) -> None:
    # Short with B = n V / E: the constant part B + s n V / E of the margin balance is 0, so
    # "margin balance = 0" reads (1 - f) n V / P = 0, which no price solves; the closed
    # form's denominator B E + s n V is 0.
    collateral = qty * mult / entry
    assert closed_forms.inverse_bankruptcy_price(-1, qty, mult, entry, collateral, fee) is None
    price = closed_forms.inverse_liquidation_price_mark_basis(
        -1, qty, mult, entry, collateral, Fraction(0), Fraction(0), Fraction(0), fee
    )
    assert price is None


@pytest.mark.parametrize("side", [0, 2, -2])
def test_sides_other_than_plus_minus_one_are_rejected(side: int) -> None:
    with pytest.raises(SpecError, match="side"):
        closed_forms.linear_bankruptcy_price(
            side, Fraction(1), Fraction(1), Fraction(100), Fraction(1), Fraction(0)
        )


def test_seed004_100x_long() -> None:
    # Seed 004: 100x long, E = 100, n = V = 1, margin 1 (1%), maintenance rate 0.5%.
    # Bankruptcy: 100 - 1 = 99. Entry basis: 99 + 0.005 x 100 = 99.5.
    # Mark basis: P (1 - 0.005) = 99, P = 99/0.995 = 19800/199.
    one, entry, rate, zero = Fraction(1), Fraction(100), Fraction(5, 1000), Fraction(0)
    assert closed_forms.linear_bankruptcy_price(1, one, one, entry, one, zero) == 99
    entry_basis = closed_forms.linear_liquidation_price_entry_basis(
        1, one, one, entry, one, rate, zero, zero, zero
    )
    mark_basis = closed_forms.linear_liquidation_price_mark_basis(
        1, one, one, entry, one, rate, zero, zero, zero
    )
    assert entry_basis == Fraction(995, 10)
    assert mark_basis == Fraction(19800, 199)
