"""Mutation-found gaps in the tier table builders (DESIGN, Margin)."""

from __future__ import annotations

from fractions import Fraction as F

import pytest

from perpspec.reference.errors import SpecError
from perpspec.reference.instrument import (
    Tier,
    compute_maintenance_amounts,
    get_tier_bounds,
    make_tier_table,
    validate_tier_table,
)


def test_recurrence_refuses_floors_and_rates_of_different_lengths() -> None:
    # Two floors and one rate: truncating to one tier would silently drop the second floor.
    with pytest.raises(ValueError, match="zip"):
        compute_maintenance_amounts([F(0), F(10)], [F("0.01")])


def test_tier_table_length_mismatches_name_the_field() -> None:
    with pytest.raises(SpecError, match=r"^tiers: floors and rates differ in length$"):
        make_tier_table([F(0), F(10)], [F("0.01")])
    with pytest.raises(
        SpecError, match=r"^tiers: maintenance amounts and floors differ in length$"
    ):
        make_tier_table([F(0), F(10)], [F("0.01"), F("0.02")], [F(0)])


def test_tier_range_ends_at_the_next_tier_floor() -> None:
    # A tier covers [its floor, the next tier's floor); the last one has no ceiling. Three
    # tiers, so the next tier and the previous or last one are different tiers.
    tiers = make_tier_table([F(0), F(1000), F(5000)], [F(1, 100), F(2, 100), F(5, 100)])
    assert get_tier_bounds(tiers, 0) == (F(0), F(1000))
    assert get_tier_bounds(tiers, 1) == (F(1000), F(5000))
    assert get_tier_bounds(tiers, 2) == (F(5000), None)


def test_boundary_values_of_a_tier_are_allowed() -> None:
    # Rates are in [0, 1): a rate of 0 is allowed; max_leverage must be >= 1: 1x is allowed.
    validate_tier_table([Tier(F(0), F(0), F(0), max_leverage=F(1))])
    assert make_tier_table([F(0)], [F(0)]) == (Tier(F(0), F(0), F(0)),)


def test_tier_table_refusals_name_the_field_and_the_value() -> None:
    with pytest.raises(SpecError, match=r"^tiers: at least one tier is required$"):
        validate_tier_table([])
    with pytest.raises(SpecError, match=r"^tiers\[0\]\.max_leverage: must be >= 1, found 1/3$"):
        validate_tier_table([Tier(F(0), F(1, 100), F(0), max_leverage=F(1, 3))])
    with pytest.raises(
        SpecError, match=r"^tiers\[1\]\.maintenance_amount: must be >= 0, found -1$"
    ):
        validate_tier_table([Tier(F(0), F(1, 100), F(0)), Tier(F(10), F(2, 100), F(-1))])
