"""Agreement with Binance's published liquidation price formula (USDT-margined, one-way mode):

    LP = (WB - TMM1 + UPNL1 + cum - s n E) / (n mmr - s n)

WB the cross wallet balance, TMM1 and UPNL1 the other positions' maintenance margin and
unrealized PnL, cum the bracket's maintenance amount. It is the linear mark-basis closed form
with V = 1, f = 0, B = WB + UPNL1, O = TMM1 and c = cum.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from perpspec.reference.prices.closed_forms import linear_liquidation_price_mark_basis
from perpspec.spec.derivations import (
    CLOSE_FEE_RATE,
    COLLATERAL,
    ENTRY_PRICE,
    MAINTENANCE_AMOUNT,
    MMR,
    MULTIPLIER,
    OTHER_MAINTENANCE_MARGIN,
    QTY,
    SIDE,
    get_closed_form,
)


def binance_liquidation_price(
    side: int,
    qty: Fraction,
    entry: Fraction,
    wallet: Fraction,
    other_mm: Fraction,
    other_upnl: Fraction,
    mmr: Fraction,
    cum: Fraction,
) -> Fraction:
    return (wallet - other_mm + other_upnl + cum - side * qty * entry) / (qty * mmr - side * qty)


def test_derivation_equals_binance_formula_symbolically() -> None:
    wallet, other_upnl = sp.symbols("WB UPNL1")
    form = get_closed_form("linear_liquidation_price_mark_basis")
    ours = form.solution.subs(
        {
            MULTIPLIER: 1,
            CLOSE_FEE_RATE: 0,
            COLLATERAL: wallet + other_upnl,
        }
    )
    binance = (
        wallet
        - OTHER_MAINTENANCE_MARGIN
        + other_upnl
        + MAINTENANCE_AMOUNT
        - SIDE * QTY * ENTRY_PRICE
    ) / (QTY * MMR - SIDE * QTY)
    assert sp.simplify(ours - binance) == 0


def exact_fractions(low: Fraction | int, high: Fraction | int, max_denominator: int) -> Any:
    """Fractions in [low, high] with denominators up to ``max_denominator``.

    Built from integers: hypothesis's own ``fractions`` strategy is several times slower.
    """
    low, high = Fraction(low), Fraction(high)

    def with_denominator(q: int) -> Any:
        numerators = st.integers(math.ceil(low * q), math.floor(high * q))
        return numerators.map(lambda p: Fraction(p, q))

    return st.integers(1, max_denominator).flatmap(with_denominator)


_POSITIVE = exact_fractions(Fraction(1, 1000), 100000, 1000)
_MONEY = exact_fractions(-100000, 100000, 100)
_NONNEGATIVE = exact_fractions(0, 100000, 100)
_RATE = exact_fractions(0, Fraction(1, 2), 10000)


@given(
    side=st.sampled_from([1, -1]),
    qty=_POSITIVE,
    entry=_POSITIVE,
    wallet=_MONEY,
    other_mm=_NONNEGATIVE,
    other_upnl=_MONEY,
    mmr=_RATE,
    cum=_NONNEGATIVE,
)
def test_generated_closed_form_equals_binance_formula(
    side: int,
    qty: Fraction,
    entry: Fraction,
    wallet: Fraction,
    other_mm: Fraction,
    other_upnl: Fraction,
    mmr: Fraction,
    cum: Fraction,
) -> None:
    ours = linear_liquidation_price_mark_basis(
        side, qty, Fraction(1), entry, wallet + other_upnl, mmr, cum, other_mm, Fraction(0)
    )
    # With mmr < 1 Binance's denominator n (mmr - s) is never 0, so both give a price.
    expected = binance_liquidation_price(side, qty, entry, wallet, other_mm, other_upnl, mmr, cum)
    assert ours == expected


def test_binance_bracket2_example() -> None:
    # Long 2 at 60,000, WB 10,000, TMM1 200, UPNL1 -500, bracket 0.5% / cum 50:
    # LP = (10000 - 200 - 500 + 50 - 120000) / (2 x 0.005 - 2) = -110650 / -1.99 = 11065000/199.
    ours = linear_liquidation_price_mark_basis(
        1,
        Fraction(2),
        Fraction(1),
        Fraction(60000),
        Fraction(9500),
        Fraction(5, 1000),
        Fraction(50),
        Fraction(200),
        Fraction(0),
    )
    assert ours == Fraction(11065000, 199)
