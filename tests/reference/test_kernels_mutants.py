"""Mutation-found gap in the int pro-rata kernel (DESIGN, ADL ``pro_rata``)."""

from __future__ import annotations

import pytest

from perpspec.reference.kernels import is_within_one_lot, pro_rata_allocate_units


def test_leftover_lot_skips_an_exact_share() -> None:
    # qty 2 over sizes [2, 1, 1] (total 4): exact shares 2*2/4 = 1, 2*1/4 = 1/2, 1/2.
    # Floors [1, 0, 0], leftover 1 lot. The first share is exact (1*4 == 2*2), so it was not
    # rounded and gets nothing more; the lot goes to the second, rounded share: [1, 1, 0].
    assert pro_rata_allocate_units(2, [2, 1, 1]) == [1, 1, 0]


def test_within_one_lot_is_strict() -> None:
    # sizes [2, 1, 1], total 4; taken sums to 2, so the exact shares are 1, 1/2, 1/2.
    # [1, 1, 0]: off by 0, 1/2, 1/2 (scaled by 4: 0, 2, 2, each < 4).
    assert is_within_one_lot([1, 1, 0], [2, 1, 1])
    # [2, 0, 0]: the first is off by exactly one lot (|2*4 - 2*2| = 4, not < 4).
    assert not is_within_one_lot([2, 0, 0], [2, 1, 1])
    # [0, 2, 0]: the first is one lot short (|0 - 4| = 4), the second 3/2 over (|8 - 2| = 6).
    assert not is_within_one_lot([0, 2, 0], [2, 1, 1])
    # sizes [1, 2], taken [3, 0]: shares 1 and 2; the first is 2 over (|9 - 3| = 6 >= 3).
    assert not is_within_one_lot([3, 0], [1, 2])
    # sizes [3, 1] fully taken: shares 3 and 1 exactly (|3*4 - 4*3| = 0, |1*4 - 4*1| = 0).
    assert is_within_one_lot([3, 1], [3, 1])
    with pytest.raises(ValueError, match="zip"):
        is_within_one_lot([1], [1, 1])
