"""Mutation-found gaps in the engine's ADL queue (engine/ranking.py).

Rule (module docstring; docs/engine.md): a counterparty the formula cannot score ranks after
every scored one, by size then id, with a placeholder score one below the lowest real score;
it is still a position of its side, and the allocation only takes opposite-side positions.
"""

from __future__ import annotations

from fractions import Fraction as F

from perpspec.reference.adl.allocation import LiquidatedRemainder, allocate_adl
from perpspec.reference.adl.formulas import AdlPosition, RankingFormula
from perpspec.reference.adl.ranking import ScoredPosition
from perpspec.reference.engine.ranking import SideQueue
from perpspec.reference.liquidation.settlement import Side


def test_an_unscored_counterparty_keeps_its_side_in_the_queue() -> None:
    """``pnl_times_leverage`` needs a bankruptcy price: a short without one cannot be scored.

    - "a": short 2 @ 100, mark 90, bankruptcy 150: PnL% = (200 - 180) / 200 = 1/10;
      value(P) = -2P, leverage = 180 / (-180 + 300) = 3/2; score 1/10 x 3/2 = 3/20.
    - "b": short 3, no bankruptcy price: after "a", with the placeholder 3/20 - 1 = -17/20.
    Both stay shorts, so a liquidated long of 4 is allocated over both (queue: a 2, b 2).
    """
    queue = SideQueue(RankingFormula.PNL_TIMES_LEVERAGE)
    queue.add(AdlPosition("b", Side.SHORT, F(3), F(100), F(90)))
    assert queue.get_prefix(None) == [ScoredPosition("b", Side.SHORT, F(3), F(-1))]
    queue.add(AdlPosition("a", Side.SHORT, F(2), F(100), F(90), bankruptcy_price=F(150)))
    ranked = queue.get_prefix(None)
    assert ranked == [
        ScoredPosition("a", Side.SHORT, F(2), F(3, 20)),
        ScoredPosition("b", Side.SHORT, F(3), F(-17, 20)),
    ]
    allocation = allocate_adl(LiquidatedRemainder(Side.LONG, F(4), F(95)), ranked)
    assert [(fill.id, fill.qty) for fill in allocation.fills] == [("a", F(2)), ("b", F(2))]
