"""Mutation-found gaps in the bankruptcy test and the margin ratio (DESIGN, Prices)."""

from __future__ import annotations

from fractions import Fraction as F

from perpspec.reference.liquidation.trigger import compute_margin_ratio, is_bankrupt


def test_is_bankrupt() -> None:
    # Balance 5, fee 5: 5 - 5 = 0 <= 0, at the bankruptcy price exactly.
    assert is_bankrupt(F(5), F(5))
    # Balance 1, fee 2: 1 - 2 = -1 <= 0 (the fee is subtracted, not added).
    assert is_bankrupt(F(1), F(2))
    # Balance 1/2, no fee: 1/2 > 0, solvent.
    assert not is_bankrupt(F(1, 2))


def test_margin_ratio() -> None:
    # MM / balance: 1 / 4 = 1/4; 1 / (1/2) = 2 (a balance below one unit still has a ratio).
    assert compute_margin_ratio(F(4), F(1)) == F(1, 4)
    assert compute_margin_ratio(F(1, 2), F(1)) == F(2)
    assert compute_margin_ratio(F(0), F(1)) is None
    assert compute_margin_ratio(F(-3), F(1)) is None
