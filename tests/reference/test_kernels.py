"""The int kernels agree with the Fraction-level reference functions they mirror.

CrossHair checks the kernels' contracts symbolically (``make crosshair``); these properties
tie each kernel to the reference function whose rule it carries, so a contract proved on the
kernel says something about the reference. Examples come from the seeds.
"""

from __future__ import annotations

from fractions import Fraction as F

from hypothesis import given
from hypothesis import strategies as st

from perpspec.reference.adl.allocation import compute_pro_rata_quantities, compute_queue_quantities
from perpspec.reference.adl.ranking import ScoredPosition
from perpspec.reference.instrument import ContractKind, Tier
from perpspec.reference.insurance.fund import can_pay
from perpspec.reference.kernels import (
    PPM,
    cap_fee_units,
    mm_units,
    pnl_units,
    pro_rata_allocate_units,
    quantize_units,
    queue_allocate_units,
    settle_fund_units,
)
from perpspec.reference.liquidation.settlement import Side, compute_liquidation_fee
from perpspec.reference.margin.pnl import compute_unrealized_pnl
from perpspec.reference.margin.requirements import compute_maintenance_margin
from perpspec.reference.numbers import Rounding, quantize

# the kernels' precondition: at most 4 counterparties of at most 1,000 lots
sizes_lists = st.lists(st.integers(1, 1_000), max_size=4)


def _ranked(sizes: list[int]) -> list[ScoredPosition]:
    # scores fall with the index, so the list is already in ranking order
    return [ScoredPosition(f"p{i}", Side.SHORT, F(s), F(100 - i)) for i, s in enumerate(sizes)]


def test_seed001_queue_350_to_a_b_c() -> None:
    # Seed 001: 350 contracts against A 100, B 200, C 300: A 100, B 200, C 50 (350 - 300).
    assert queue_allocate_units(350, [100, 200, 300]) == [100, 200, 50]


def test_pro_rata_example_by_hand() -> None:
    # 5 lots over sizes 3, 3, 4 (total 10): shares 1.5, 1.5, 2 -> floors 1, 1, 2 (4 lots);
    # the leftover lot goes to the first rounded share in rank order: 2, 1, 2.
    assert pro_rata_allocate_units(5, [3, 3, 4]) == [2, 1, 2]


def test_mm_units_by_hand() -> None:
    # value 100,001 units at 0.5% with amount 0: 500.005 -> rounded up to 501.
    assert mm_units(100_001, 5_000, 0) == 501
    # tier two of the engine fixtures: 150,000 x 1% - 500 = 1,000 exactly.
    assert mm_units(150_000, 10_000, 500) == 1_000


@given(st.integers(0, 10**9), st.integers(0, PPM - 1), st.integers(0, 10**6))
def test_mm_units_is_the_maintenance_margin_rounded_up(value: int, rate: int, amount: int) -> None:
    exact = compute_maintenance_margin((Tier(F(0), F(rate, PPM), F(amount)),), F(value))
    assert mm_units(value, rate, amount) == quantize(exact, F(1), Rounding.UP)


@given(
    st.integers(-(10**6), 10**6), st.integers(1, 100), st.integers(1, 10**6), st.integers(1, 10**6)
)
def test_pnl_units_is_the_linear_upnl(qty: int, multiplier: int, entry: int, mark: int) -> None:
    exact = compute_unrealized_pnl(ContractKind.LINEAR, F(qty), F(multiplier), F(entry), F(mark))
    assert pnl_units(qty, multiplier, entry, mark) == exact


@given(st.integers(0, 5_000), sizes_lists)
def test_queue_kernel_is_the_queue_allocation(qty: int, sizes: list[int]) -> None:
    expected = compute_queue_quantities(F(qty), _ranked(sizes))
    assert queue_allocate_units(qty, sizes) == expected


@given(st.integers(0, 5_000), sizes_lists)
def test_pro_rata_kernel_is_the_pro_rata_allocation(qty: int, sizes: list[int]) -> None:
    expected = compute_pro_rata_quantities(F(qty), _ranked(sizes), F(1))
    assert pro_rata_allocate_units(qty, sizes) == expected


@given(st.integers(-(10**6), 10**6), st.integers(1, 1000), st.booleans())
def test_quantize_units_is_quantize(value: int, step: int, up: bool) -> None:
    direction = Rounding.UP if up else Rounding.DOWN
    assert quantize_units(value, step, up) == quantize(F(value), F(step), direction)


@given(st.integers(0, 10**6), st.integers(0, 10**6))
def test_settle_fund_units_is_can_pay(balance: int, deficit: int) -> None:
    paid = can_pay(F(balance), F(deficit))
    assert settle_fund_units(balance, deficit) == (
        (balance - deficit, True) if paid else (balance, False)
    )


@given(st.integers(0, 10**6), st.integers(-(10**6), 10**6))
def test_cap_fee_units_is_the_liquidation_fee(fee_base: int, surplus: int) -> None:
    # fee rate 1: the fee base itself is the uncapped fee
    assert cap_fee_units(fee_base, surplus) == compute_liquidation_fee(
        F(fee_base), F(1), F(surplus)
    )
