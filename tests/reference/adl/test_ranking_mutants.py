"""Mutation-found gaps in the ADL ranking (DESIGN, ADL; ``adl.quantile_basis``, thresholds).

Rules protected: each side has its own queue; a ranked position keeps its side and size; the
size basis holds for shorts as for longs; a cut point is a quantile, so it is at most 1.
"""

from __future__ import annotations

from fractions import Fraction as F

import pytest

from perpspec.reference.adl.formulas import AdlPosition, RankingFormula
from perpspec.reference.adl.ranking import (
    AdlRanking,
    QuantileBasis,
    RankedPosition,
    ScoredPosition,
    rank_positions,
    rank_side,
    validate_thresholds,
)
from perpspec.reference.errors import SpecError
from perpspec.reference.liquidation.settlement import Side

LONG, SHORT = Side.LONG, Side.SHORT


def test_get_side_returns_that_sides_queue() -> None:
    long_1 = RankedPosition("L", LONG, F(1), F(1), 1, F(1), 1)
    short_1 = RankedPosition("S", SHORT, F(2), F(1), 1, F(1), 1)
    ranking = AdlRanking((long_1,), (short_1,))
    assert ranking.get_side(LONG) == (long_1,)
    assert ranking.get_side(SHORT) == (short_1,)


def test_ranked_position_keeps_side_and_size() -> None:
    # One long of 3: rank 1 of 1, quantile 1/1 = 1, which is above the quintile cut 4/5 and
    # at the last cut 1: 1 light.
    ranked = rank_side([ScoredPosition("L", LONG, F(3), F(7))])
    assert ranked == (RankedPosition("L", LONG, F(3), F(7), 1, F(1), 1),)


def test_size_quantile_basis_applies_to_shorts() -> None:
    # profit_ratio shorts (value = -q P): S1 1 at entry 100, mark 80: uPnL -80 + 100 = 20,
    # PnL% 20/100 = 1/5; S2 3 at entry 100, mark 90: uPnL -270 + 300 = 30, PnL% 30/300 = 1/10.
    # Order S1, S2; size quantiles 1/4 and 4/4 = 1 (by rank they would be 1/2 and 1).
    # Quintile lights: 1/4 is above 1/5 and at most 2/5: 4 lights; 1: 1 light.
    positions = [
        AdlPosition("S1", SHORT, F(1), F(100), F(80)),
        AdlPosition("S2", SHORT, F(3), F(100), F(90)),
    ]
    ranking = rank_positions(positions, RankingFormula.PROFIT_RATIO, basis=QuantileBasis.SIZE)
    assert [(p.id, p.quantile, p.lights) for p in ranking.shorts] == [
        ("S1", F(1, 4), 4),
        ("S2", F(1), 1),
    ]
    assert ranking.longs == ()


def test_cut_point_above_one_is_refused() -> None:
    # Four cut points, the last 6/5: a quantile never exceeds 1, so 6/5 is no cut point.
    with pytest.raises(SpecError, match=r"^thresholds\[3\]: must be in \(0, 1\], found 1\.2$"):
        validate_thresholds((F(1, 5), F(2, 5), F(3, 5), F(6, 5)))
