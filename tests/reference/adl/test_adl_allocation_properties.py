"""Properties of ADL allocation (issue: the last resorts, item 5; DESIGN invariants adl-*)."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from fractions import Fraction as F

from hypothesis import given
from hypothesis import strategies as st

from perpspec.reference.adl.allocation import (
    AdlAllocation,
    AllocationPolicy,
    LiquidatedRemainder,
    allocate_adl,
    get_eligible_counterparties,
)
from perpspec.reference.adl.ranking import ScoredPosition
from perpspec.reference.liquidation.settlement import Side

LOTS = (F(1), F(1, 2), F(1, 10))
SIDES = (Side.LONG, Side.SHORT)


@st.composite
def books(draw: st.DrawFn) -> tuple[LiquidatedRemainder, list[ScoredPosition], F]:
    """A liquidated remainder, a book of 1..5 counterparties (either side), and a lot size."""
    lot = draw(st.sampled_from(LOTS))
    count = draw(st.integers(1, 5))
    book = [
        ScoredPosition(
            f"c{index}",
            draw(st.sampled_from(SIDES)),
            draw(st.integers(1, 20)) * lot,
            F(draw(st.integers(-5, 5))),
        )
        for index in range(count)
    ]
    remainder = LiquidatedRemainder(
        draw(st.sampled_from(SIDES)), draw(st.integers(1, 60)) * lot, F(100)
    )
    return remainder, book, lot


def _taken(allocation: AdlAllocation) -> dict[str, F]:
    return {fill.id: fill.qty for fill in allocation.fills}


def _target(remainder: LiquidatedRemainder, book: Sequence[ScoredPosition]) -> F:
    eligible = get_eligible_counterparties(remainder.side, book)
    return min(remainder.qty, sum((p.qty for p in eligible), F(0)))


@given(books(), st.sampled_from(tuple(AllocationPolicy)))
def test_allocation_sums_exactly_and_never_flips(
    case: tuple[LiquidatedRemainder, list[ScoredPosition], F], policy: AllocationPolicy
) -> None:
    remainder, book, lot = case
    allocation = allocate_adl(remainder, book, policy, lot)
    by_id = {p.id: p for p in book}
    filled = sum((f.qty for f in allocation.fills), F(0))
    assert filled + allocation.remaining_qty == remainder.qty  # adl-qty
    assert filled == _target(remainder, book)  # everything the opposite side can absorb
    for fill in allocation.fills:
        counterparty = by_id[fill.id]
        assert counterparty.side is not remainder.side  # adl-side
        assert 0 < fill.qty <= counterparty.qty  # adl-no-flip
        assert fill.price == remainder.bankruptcy_price  # adl-price
        assert (fill.qty / lot).denominator == 1  # whole lots


def _knapsack_optimum(scores: Sequence[F], sizes: Sequence[F], amount: F) -> F:
    """Max of sum(score x taken) over vertices: some counterparties whole, at most one partly."""
    best: F | None = None
    indices = range(len(sizes))
    for full_count in range(len(sizes) + 1):
        for full in itertools.combinations(indices, full_count):
            whole = sum((sizes[i] for i in full), F(0))
            value = sum((scores[i] * sizes[i] for i in full), F(0))
            if whole == amount:
                best = value if best is None else max(best, value)
            for j in indices:
                part = amount - whole
                if j not in full and 0 < part <= sizes[j]:
                    candidate = value + scores[j] * part
                    best = candidate if best is None else max(best, candidate)
    assert best is not None
    return best


@given(books())
def test_queue_equals_fractional_knapsack_optimum(
    case: tuple[LiquidatedRemainder, list[ScoredPosition], F],
) -> None:
    remainder, book, lot = case
    allocation = allocate_adl(remainder, book, AllocationPolicy.QUEUE, lot)
    eligible = get_eligible_counterparties(remainder.side, book)
    target = _target(remainder, book)
    taken = _taken(allocation)
    achieved = sum((p.score * taken.get(p.id, F(0)) for p in eligible), F(0))
    if target == 0:
        assert allocation.fills == ()
        return
    optimum = _knapsack_optimum([p.score for p in eligible], [p.qty for p in eligible], target)
    assert achieved == optimum


_partial_seen: list[bool] = []


@given(books())
def test_queue_touches_nobody_below_a_position_that_keeps_size(
    case: tuple[LiquidatedRemainder, list[ScoredPosition], F],
) -> None:
    # adl-order: while a higher-ranked counterparty keeps size, nobody lower is touched.
    remainder, book, lot = case
    allocation = allocate_adl(remainder, book, AllocationPolicy.QUEUE, lot)
    taken = _taken(allocation)
    ranked = get_eligible_counterparties(remainder.side, book)
    kept_size = False
    for position in ranked:
        if kept_size:
            assert position.id not in taken
        got = taken.get(position.id, F(0))
        if 0 < got < position.qty:
            _partial_seen.append(True)
        kept_size = kept_size or got < position.qty


def test_partial_consumption_occurred_in_the_order_property() -> None:
    # The order property means little unless some counterparty was consumed partly.
    test_queue_touches_nobody_below_a_position_that_keeps_size()
    assert _partial_seen


@st.composite
def alternatives(draw: st.DrawFn, sizes: Sequence[F], target: F, lot: F) -> list[F]:
    """Another feasible allocation: a queue in a random order, then random one-lot transfers."""
    order = draw(st.permutations(range(len(sizes))))
    taken = [F(0)] * len(sizes)
    left = target
    for index in order:
        taken[index] = min(left, sizes[index])
        left -= taken[index]
    for source, sink in draw(
        st.lists(
            st.tuples(st.integers(0, len(sizes) - 1), st.integers(0, len(sizes) - 1)), max_size=30
        )
    ):
        if taken[source] >= lot and taken[sink] + lot <= sizes[sink]:
            taken[source] -= lot
            taken[sink] += lot
    return taken


@given(st.data(), books())
def test_pro_rata_minimizes_the_largest_haircut_within_one_lot(
    data: st.DataObject, case: tuple[LiquidatedRemainder, list[ScoredPosition], F]
) -> None:
    remainder, book, lot = case
    eligible = get_eligible_counterparties(remainder.side, book)
    target = _target(remainder, book)
    if target == 0:
        return
    sizes = [p.qty for p in eligible]
    allocation = allocate_adl(remainder, book, AllocationPolicy.PRO_RATA, lot)
    taken = _taken(allocation)
    fractions = [taken.get(p.id, F(0)) / p.qty for p in eligible]
    ratio = target / sum(sizes, F(0))
    # Within one lot of the exact share r x size, for everyone.
    assert all(abs(taken.get(p.id, F(0)) - ratio * p.qty) < lot for p in eligible)
    other = data.draw(alternatives(sizes, target, lot))
    assert sum(other, F(0)) == target
    other_max = max(o / s for o, s in zip(other, sizes, strict=True))
    # Some counterparty of any allocation loses at least the average fraction r ...
    assert other_max >= ratio
    # ... and pro-rata's largest loss exceeds that lower bound by less than one lot.
    assert max(fractions) < ratio + max(lot / s for s in sizes)


def test_pro_rata_without_lots_is_exactly_the_average() -> None:
    # No lots: everyone loses exactly r = 9/12 = 3/4, the lower bound of any allocation.
    book = [ScoredPosition(pid, Side.SHORT, F(qty), F(1)) for pid, qty in (("a", 4), ("b", 8))]
    allocation = allocate_adl(
        LiquidatedRemainder(Side.LONG, F(9), F(1)), book, AllocationPolicy.PRO_RATA
    )
    assert _taken(allocation) == {"a": 3, "b": 6}


def test_tiny_score_change_moves_a_queue_allocation_by_twice_the_amount() -> None:
    # Two shorts of 100, scores 5 and 5 + 1/10^9, a remainder of 40. Whoever scores higher
    # gives all 40; swapping the two scores by a billionth moves 40 off one and 40 onto the
    # other: an L1 change of 80 = 2 x 40 for a score change of 2 x 10^-9. Pro-rata does not move.
    epsilon = F(1, 10**9)
    remainder = LiquidatedRemainder(Side.LONG, F(40), F(100))

    def book(score_a: F, score_b: F) -> list[ScoredPosition]:
        return [
            ScoredPosition("a", Side.SHORT, F(100), score_a),
            ScoredPosition("b", Side.SHORT, F(100), score_b),
        ]

    before = _taken(allocate_adl(remainder, book(F(5) + epsilon, F(5))))
    after = _taken(allocate_adl(remainder, book(F(5), F(5) + epsilon)))
    assert before == {"a": 40}
    assert after == {"b": 40}
    moved = sum(abs(before.get(k, F(0)) - after.get(k, F(0))) for k in ("a", "b"))
    assert moved == 2 * remainder.qty
    pro_before = _taken(
        allocate_adl(remainder, book(F(5) + epsilon, F(5)), AllocationPolicy.PRO_RATA)
    )
    pro_after = _taken(
        allocate_adl(remainder, book(F(5), F(5) + epsilon), AllocationPolicy.PRO_RATA)
    )
    assert pro_before == pro_after == {"a": 20, "b": 20}


@given(st.integers(1, 50), st.integers(0, 50), st.integers(0, 50), st.integers(-5, 5))
def test_tiny_score_change_always_moves_twice_the_amount(
    amount: int, extra_a: int, extra_b: int, score: int
) -> None:
    # Both counterparties hold at least the amount: an epsilon swap of their scores moves the
    # whole amount from one to the other, an L1 change of exactly 2 x amount.
    epsilon = F(1, 10**12)
    remainder = LiquidatedRemainder(Side.SHORT, F(amount), F(1))
    sizes = {"a": F(amount + extra_a), "b": F(amount + extra_b)}

    def allocation(score_a: F, score_b: F) -> dict[str, F]:
        book = [
            ScoredPosition("a", Side.LONG, sizes["a"], score_a),
            ScoredPosition("b", Side.LONG, sizes["b"], score_b),
        ]
        return _taken(allocate_adl(remainder, book))

    first = allocation(F(score) + epsilon, F(score))
    second = allocation(F(score), F(score) + epsilon)
    moved = sum(abs(first.get(k, F(0)) - second.get(k, F(0))) for k in ("a", "b"))
    assert moved == 2 * amount
