"""PnL, position value and average-entry accounting (DESIGN, Margin)."""

from __future__ import annotations

from fractions import Fraction as F

import pytest
from hypothesis import given
from hypothesis import strategies as st

from perpspec.reference.errors import SpecError
from perpspec.reference.instrument import ContractKind
from perpspec.reference.margin.pnl import (
    Position,
    apply_fill,
    can_carry_dust,
    compute_average_entry,
    compute_position_value,
    compute_unrealized_pnl,
)
from perpspec.reference.numbers import is_terminating_decimal

LINEAR = ContractKind.LINEAR
INVERSE = ContractKind.INVERSE


def test_linear_pnl_and_value() -> None:
    # 2 BTC long from 20,000 to 21,000: 2 x (21,000 - 20,000) = 2,000; short mirrors.
    assert compute_unrealized_pnl(LINEAR, F(2), F(1), F(20_000), F(21_000)) == 2_000
    assert compute_unrealized_pnl(LINEAR, F(-2), F(1), F(20_000), F(21_000)) == -2_000
    # value at the mark: |q| V P = 2 x 1 x 21,000.
    assert compute_position_value(LINEAR, F(-2), F(1), F(21_000)) == 42_000


def test_inverse_pnl_and_value() -> None:
    # 10,000 contracts of 1 USD, 10,000 -> 11,000: 10,000 x (1/10,000 - 1/11,000) = 1/11 BTC.
    assert compute_unrealized_pnl(INVERSE, F(10_000), F(1), F(10_000), F(11_000)) == F(1, 11)
    # value in coin at the mark: 10,000 / 11,000 = 10/11 BTC.
    assert compute_position_value(INVERSE, F(10_000), F(1), F(11_000)) == F(10, 11)


def test_average_entry_linear_and_inverse() -> None:
    # linear: 1 @ 100 then 3 @ 200 -> (100 + 600) / 4 = 175.
    assert compute_average_entry(LINEAR, F(1), F(100), F(3), F(200)) == 175
    # inverse: 1 @ 100 then 1 @ 300 -> 2 / (1/100 + 1/300) = 2 / (4/300) = 150.
    assert compute_average_entry(INVERSE, F(1), F(100), F(1), F(300)) == 150


def test_reduce_realizes_pnl_at_old_entry() -> None:
    # long 2 @ 100, sell 1 @ 150: realized 1 x (150 - 100) = 50, 1 @ 100 left.
    position, realized = apply_fill(LINEAR, F(1), Position(F(2), F(100)), F(-1), F(150))
    assert (position, realized) == (Position(F(1), F(100)), F(50))


def test_flip_closes_then_opens_at_fill_price() -> None:
    # long 1 @ 100, sell 3 @ 90: realized 1 x (90 - 100) = -10; short 2 @ 90 opened.
    position, realized = apply_fill(LINEAR, F(1), Position(F(1), F(100)), F(-3), F(90))
    assert (position, realized) == (Position(F(-2), F(90)), F(-10))


def test_close_to_flat() -> None:
    # short 2 @ 50 bought back 2 @ 40: realized -2 x (40 - 50) = 20.
    position, realized = apply_fill(LINEAR, F(1), Position(F(-2), F(50)), F(2), F(40))
    assert position.qty == 0 and realized == 20


def test_zero_fill_rejected() -> None:
    with pytest.raises(SpecError, match="qty"):
        apply_fill(LINEAR, F(1), Position(F(1), F(1)), F(0), F(1))


prices = st.fractions(min_value=F(1, 100), max_value=F(10**5), max_denominator=1000)
sizes = st.fractions(min_value=F(1, 100), max_value=F(1000), max_denominator=100)


@given(st.sampled_from([LINEAR, INVERSE]), sizes, prices, sizes, prices, prices, st.booleans())
def test_merging_preserves_upnl_at_every_mark(
    kind: ContractKind, q1: F, p1: F, q2: F, p2: F, mark: F, short: bool
) -> None:
    """Average entry is defined so the merged position's uPnL is the sum of its parts'."""
    sign = -1 if short else 1
    merged, realized = apply_fill(kind, F(3), Position(sign * q1, p1), sign * q2, p2)
    parts = compute_unrealized_pnl(kind, sign * q1, F(3), p1, mark) + compute_unrealized_pnl(
        kind, sign * q2, F(3), p2, mark
    )
    assert realized == 0
    assert compute_unrealized_pnl(kind, merged.qty, F(3), merged.entry_price, mark) == parts


@given(st.sampled_from([LINEAR, INVERSE]), sizes, prices, sizes, prices, prices)
def test_reducing_conserves_equity(
    kind: ContractKind, q: F, entry: F, cut: F, price: F, mark: F
) -> None:
    """Realized + remaining uPnL at a mark equals uPnL before minus what the fill moved."""
    position = Position(q, entry)
    after, realized = apply_fill(kind, F(1), position, -cut, price)
    before = compute_unrealized_pnl(kind, q, F(1), entry, price)
    remaining = (
        compute_unrealized_pnl(kind, after.qty, F(1), after.entry_price, price) if after.qty else 0
    )
    assert realized + remaining == before


def test_partial_reduction_in_units_carries_the_remainder_in_the_entry() -> None:
    # unit 1, long 3 @ 100, sell 1 @ 100.5: exact realized 0.5, booked floor(0.5) = 0; the
    # remaining 2 carry 0.5 through the entry: 100 - 0.5/2 = 99.75. Equity at 100.5:
    # before 3 x 0.5 = 1.5; after 0 + 2 x (100.5 - 99.75) = 1.5.
    position, booked = apply_fill(LINEAR, F(1), Position(F(3), F(100)), F(-1), F("100.5"), F(1))
    assert (position, booked) == (Position(F(2), F("99.75")), F(0))
    # a loss: sell 1 @ 99.5, exact -0.5, booked floor(-0.5) = -1 (a charge rounds up); the
    # remaining 2 carry +0.5: entry 99.75. Equity at 99.5: before -1.5; after -1 - 0.5.
    position, booked = apply_fill(LINEAR, F(1), Position(F(3), F(100)), F(-1), F("99.5"), F(1))
    assert (position, booked) == (Position(F(2), F("99.75")), F(-1))


@given(
    st.sampled_from([LINEAR, INVERSE]),
    st.lists(st.tuples(st.integers(-40, 40).filter(bool), st.integers(900, 1100)), max_size=25),
)
def test_units_keep_equity_exact_and_the_cost_basis_decimal(
    kind: ContractKind, fills: list[tuple[int, int]]
) -> None:
    """Each fill in lots of 0.01 at prices in ticks of 0.5, unit 10^-4: the equity at the
    fill price never changes by a fill, booked amounts are whole units, and (linear) the cost
    basis q V E stays a terminating decimal however many fills came before."""
    unit, multiplier = F(1, 10_000), F(3)
    position, cash = Position(F(0), F(0)), F(0)
    for lots, ticks in fills:
        qty, price = F(lots, 100), F(ticks, 2)
        before = cash + (
            compute_unrealized_pnl(kind, position.qty, multiplier, position.entry_price, price)
            if position.qty
            else 0
        )
        position, booked = apply_fill(kind, multiplier, position, qty, price, unit)
        cash += booked
        after = cash + (
            compute_unrealized_pnl(kind, position.qty, multiplier, position.entry_price, price)
            if position.qty
            else 0
        )
        assert after == before
        if position.qty and kind is LINEAR:
            assert is_terminating_decimal(position.qty * multiplier * position.entry_price)


def test_a_position_smaller_than_the_unit_cannot_carry_its_dust() -> None:
    # Inverse, V = 3, short 0.02 at 450; buy 0.01 back at 450.5, unit 10^-4. By hand: the
    # closed part realizes -0.01 x 3 x (1/450 - 1/450.5) = -0.03 / 405450 = -1/13515000,
    # booked down to -0.0001, dust 0.0001 - 1/13515000. Carrying it would move 1/E by
    # dust / (-0.01 x 3) ~ -0.00333 past 1/450 ~ 0.00222: below zero. So the exact PnL is
    # returned, as on a close, and the entry stays 450.
    position, realized = apply_fill(
        INVERSE, F(3), Position(F("-0.02"), F(450)), F("0.01"), F("450.5"), F(1, 10_000)
    )
    assert (position, realized) == (Position(F("-0.01"), F(450)), F(-1, 13_515_000))
    assert not can_carry_dust(INVERSE, F("-0.01"), F(3), F(450), F(1, 10_000) - F(1, 13_515_000))
    # Linear: a long of 0.01 at 0.01 with V = 1 is worth 0.0001; dust of one unit cannot ride.
    assert not can_carry_dust(LINEAR, F("0.01"), F(1), F("0.01"), F(1, 10_000))
    assert can_carry_dust(LINEAR, F("0.01"), F(1), F("0.01"), F(1, 20_000))
