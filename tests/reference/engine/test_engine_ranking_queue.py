"""The incremental ADL queue equals a from-scratch ranking (engine/ranking.py)."""

from __future__ import annotations

from fractions import Fraction as F

from hypothesis import given
from hypothesis import strategies as st

from perpspec.reference.adl.formulas import AdlPosition, RankingFormula, compute_score
from perpspec.reference.adl.ranking import ScoredPosition, order_by_priority
from perpspec.reference.engine.exchange import split_realized
from perpspec.reference.engine.ranking import SideQueue
from perpspec.reference.liquidation.settlement import Side

ACCOUNTS = [f"acct-{i}" for i in range(8)]


def candidate(account: str, qty: int, mark: int) -> AdlPosition:
    # a short from 100: profit ratio (100 - mark) / 100; bankruptcy price only for even
    # quantities, so odd ones cannot be scored by pnl_times_leverage and go to the tail.
    bankruptcy = F(150) if qty % 2 == 0 else None
    return AdlPosition(account, Side.SHORT, F(qty), F(100), F(mark), bankruptcy_price=bankruptcy)


@given(
    st.sampled_from([RankingFormula.PROFIT_RATIO, RankingFormula.PNL_TIMES_LEVERAGE]),
    st.lists(
        st.tuples(st.sampled_from(ACCOUNTS), st.integers(0, 5), st.integers(60, 140)),
        min_size=1,
        max_size=30,
    ),
)
def test_incremental_queue_matches_a_full_ranking(
    formula: RankingFormula, updates: list[tuple[str, int, int]]
) -> None:
    queue = SideQueue(formula)
    current: dict[str, AdlPosition] = {}
    for account, qty, mark in updates:
        if qty == 0:
            current.pop(account, None)
        else:
            current[account] = candidate(account, qty, mark)
        queue.refresh({account}, current.get)
    scored, unscored = [], []
    for position in current.values():
        try:
            scored.append(
                ScoredPosition(
                    position.id, position.side, position.qty, compute_score(formula, position)
                )
            )
        except ValueError:
            unscored.append(position)
    expected = [p.id for p in order_by_priority(scored)]
    expected += [p.id for p in sorted(unscored, key=lambda p: (-p.qty, p.id))]
    assert [p.id for p in queue.get_prefix(None)] == expected
    # the prefix for a quantity is the shortest head whose sizes cover it
    whole = queue.get_prefix(None)
    for want in range(1, 12):
        head = queue.get_prefix(F(want))
        assert head == whole[: len(head)]
        assert sum((p.qty for p in head), F(0)) >= want or head == whole
        assert len(head) == 1 or sum((p.qty for p in head[:-1]), F(0)) < want


def test_split_realized_rounds_down_and_keeps_the_dust() -> None:
    unit = F(1, 100)
    # a gain of 1/3 = 0.3333...: booked 0.33, dust 1/300 (a payout rounds down)
    assert split_realized(F(1, 3), unit) == (F("0.33"), F(1, 300))
    # a loss of 1/3: booked -0.34, dust 2/300 (a charge rounds up)
    assert split_realized(F(-1, 3), unit) == (F("-0.34"), F(2, 300))
    # exact mode keeps everything
    assert split_realized(F(1, 3), None) == (F(1, 3), F(0))
