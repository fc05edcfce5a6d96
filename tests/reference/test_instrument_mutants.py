"""Mutation-found gaps in the tier table builders (DESIGN, Margin)."""

from __future__ import annotations

from fractions import Fraction as F

import pytest

from perpspec.reference.errors import SpecError
from perpspec.reference.instrument import compute_maintenance_amounts, make_tier_table


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
