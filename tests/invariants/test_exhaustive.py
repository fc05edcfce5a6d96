"""Exhaustive checks over small stated domains: every input, not a sample.

Each test states its domain in its docstring and counts the interesting cases it met (a walk
stopped by the fund, a capped fee, a partly consumed counterparty, ...), failing if one never
occurred, so the domain is known to reach them. Expected values are the rules' defining
properties (DESIGN), never the code's own output.
"""

from __future__ import annotations

import itertools
from collections import Counter
from fractions import Fraction as F

from perpspec.reference.adl.allocation import (
    AllocationPolicy,
    LiquidatedRemainder,
    allocate_adl,
)
from perpspec.reference.adl.ranking import ScoredPosition
from perpspec.reference.engine.accounts import (
    compute_position_mm,
    compute_position_upnl,
)
from perpspec.reference.engine.state import MarketState, PositionState
from perpspec.reference.instrument import (
    ContractKind,
    Instrument,
    compute_maintenance_amounts,
    make_tier_table,
)
from perpspec.reference.kernels import pro_rata_allocate_units, queue_allocate_units
from perpspec.reference.liquidation.settlement import Fill, Side, SurplusTo, settle_liquidation
from perpspec.reference.liquidation.trigger import is_liquidatable
from perpspec.reference.margin.requirements import MaintenanceBasis, compute_maintenance_margin
from perpspec.reference.numbers import Rounding, quantize
from perpspec.reference.prices.position_prices import (
    MarginContext,
    MarginMode,
    compute_liquidation_price,
    round_position_price,
)
from perpspec.reference.socialized_loss.process import (
    SocializedLossParams,
    compute_socialized_loss,
)
from perpspec.reference.socialized_loss.result import SlPosition, SocializedLossMethod


def _require(seen: Counter[str], *cases: str) -> None:
    missing = [case for case in cases if seen[case] == 0]
    assert not missing, f"the domain never reached: {', '.join(missing)}"


def test_quantize_every_small_rational() -> None:
    """Every value p/q with |p| <= 60, 1 <= q <= 12, steps 1..6 and 1/1..1/6, both ways.

    Defining property (DESIGN, Arithmetic): UP is the least multiple of the step >= the
    value, DOWN the greatest <= it. Position prices: a long rounds UP, a short DOWN.
    """
    seen: Counter[str] = Counter()
    steps = [F(k) for k in range(1, 7)] + [F(1, k) for k in range(2, 7)]
    for p, q, step in itertools.product(range(-60, 61), range(1, 13), steps):
        value = F(p, q)
        up, down = quantize(value, step, Rounding.UP), quantize(value, step, Rounding.DOWN)
        assert (up / step).denominator == 1 and (down / step).denominator == 1
        assert value <= up < value + step and value - step < down <= value
        seen["exact" if up == down else "rounded"] += 1
        if value > 0:
            assert round_position_price(value, 1, step) == up
            assert round_position_price(value, -1, step) == down
    _require(seen, "exact", "rounded")


def test_tier_recurrence_continuity_every_three_tier_table() -> None:
    """Every 3-tier table with floors 0 < F1 < F2 <= 6 and rates from {0, 1, 2, 5}/100,
    non-decreasing, amounts by the recurrence: MM agrees from both sides of each floor and
    never decreases in the value (checked at every multiple of 1/4 up to 8)."""
    seen: Counter[str] = Counter()
    rates = [F(0), F(1, 100), F(2, 100), F(5, 100)]
    values = [F(k, 4) for k in range(33)]
    for f1, f2 in itertools.combinations(range(1, 7), 2):
        for mmrs in itertools.combinations_with_replacement(rates, 3):
            floors = [F(0), F(f1), F(f2)]
            tiers = make_tier_table(floors, list(mmrs))
            amounts = compute_maintenance_amounts(floors, list(mmrs))
            for k in (1, 2):
                from_below = mmrs[k - 1] * floors[k] - amounts[k - 1]
                assert compute_maintenance_margin(tiers, floors[k]) == from_below
                seen["jump" if mmrs[k] != mmrs[k - 1] else "flat"] += 1
            margins = [compute_maintenance_margin(tiers, v) for v in values]
            assert all(a <= b for a, b in itertools.pairwise(margins))
    _require(seen, "jump", "flat")


def _bankruptcy_offsets() -> list[tuple[F, F]]:
    return [(F(qty), F(100 + offset)) for qty in (1, 2) for offset in range(-3, 4)]


def test_settlement_every_small_fill_list() -> None:
    """Every book walk of up to 3 fills of 1-2 lots at prices within 3 ticks of the bankruptcy
    price 100 (tick 1) whose prices never rise along the walk (a long's liquidation sells
    down the book; for a short the same lists are walks that improve, which the rule "stop at
    the first fill the fund cannot pay" must handle too), funds 0..4, fee rate 1/100; the
    position is the fills' total plus one lot (so the book may run out). Each (list, fund)
    runs one of the four (side, surplus policy) pairs, rotating, so every pair meets every
    fund and about a quarter of the lists.

    Checked: ``conservation`` of the split (fee + fund delta + refund = net surplus);
    ``fund-nonnegative``; ``fund-first`` (the walk stops only at a fill the fund cannot pay,
    or when the fills run out: remaining = quantity not executed); the fee never exceeds
    the net surplus (``no-negative-balance``: the trader pays nothing beyond its margin).
    """
    seen: Counter[str] = Counter()
    options = _bankruptcy_offsets()
    pairs = list(itertools.product(Side, SurplusTo))
    for count in range(4):
        for fills in itertools.product(options, repeat=count):
            if any(b[1] > a[1] for a, b in itertools.pairwise(fills)):
                continue
            book = [Fill(qty, price) for qty, price in fills]
            qty = sum((f.qty for f in book), F(0)) + 1
            for fund in range(5):
                side, surplus_to = pairs[(fund + len(book) + int(qty)) % len(pairs)]
                result = settle_liquidation(
                    side, qty, F(100), book, F(fund), fee_rate=F(1, 100), surplus_to=surplus_to
                )
                sign = 1 if side is Side.LONG else -1
                surpluses = [sign * f.qty * (f.price - 100) for f in book]
                executed = result.fills_executed
                assert result.net_surplus == sum(surpluses[:executed], F(0))
                split = result.fee + result.insurance_delta + result.trader_refund
                assert split == result.net_surplus
                assert result.insurance_fund_after == fund + result.insurance_delta >= 0
                assert result.fee <= max(F(0), result.net_surplus)
                assert result.remaining_qty == qty - sum((f.qty for f in book[:executed]), F(0))
                if executed < len(book):
                    assert fund + result.net_surplus + surpluses[executed] < 0
                    seen["walk_stopped_by_fund"] += 1
                elif result.net_surplus < 0:
                    seen["fund_paid"] += 1
                if 0 < result.fee < F(1, 100) * 100 * (qty - result.remaining_qty):
                    seen["fee_capped"] += 1
                if result.insurance_fund_after == 0 and result.insurance_delta < 0:
                    seen["fund_emptied"] += 1
    _require(seen, "walk_stopped_by_fund", "fund_paid", "fee_capped", "fund_emptied")


def _priority(position: ScoredPosition) -> tuple[F, F, str]:
    # DESIGN, ADL: "Ties: higher score, then larger position, then account id."
    return (-position.score, -position.qty, position.id)


def test_adl_allocation_every_small_ranking() -> None:
    """Every set of up to 3 opposite-side counterparties of 1-3 lots with scores in {1, 2}
    (every ranking, ties included) and every set of 4 with equal scores (ranked by size,
    then id), plus one same-side position of 2 lots, every remainder of 1 .. total + 1
    lots, both policies.

    Checked: ``adl-qty`` (filled = min(remainder, total), the rest returned), ``adl-no-flip``
    (no fill above the size), ``adl-side`` (the same-side position untouched), ``adl-price``
    (every fill at the bankruptcy price), ``adl-order`` (queue: nobody lower-ranked touched
    while a higher-ranked one keeps size); pro rata within one lot of its exact share. The
    int kernels of :mod:`perpspec.reference.kernels` give the same quantities.
    """
    seen: Counter[str] = Counter()
    names = "ABCD"
    for count in range(5):
        for sizes in itertools.product((1, 2, 3), repeat=count):
            score_sets = itertools.product((1, 2), repeat=count) if count < 4 else [(1,) * 4]
            for scores in score_sets:
                shorts = [
                    ScoredPosition(names[i], Side.SHORT, F(sizes[i]), F(scores[i]))
                    for i in range(count)
                ]
                same_side = ScoredPosition("Z", Side.LONG, F(2), F(9))
                ranked = sorted(shorts, key=_priority)
                total = sum(sizes)
                for qty, policy in itertools.product(range(1, total + 2), AllocationPolicy):
                    remainder = LiquidatedRemainder(Side.LONG, F(qty), F(95))
                    result = allocate_adl(remainder, [*shorts, same_side], policy, F(1))
                    taken = {fill.id: fill.qty for fill in result.fills}
                    amounts = [int(taken.get(p.id, F(0))) for p in ranked]
                    assert "Z" not in taken
                    assert all(fill.price == 95 for fill in result.fills)
                    assert sum(amounts) == min(qty, total)
                    assert result.remaining_qty == qty - min(qty, total)
                    ranked_sizes = [int(p.qty) for p in ranked]
                    assert all(0 <= a <= s for a, s in zip(amounts, ranked_sizes, strict=True))
                    if policy is AllocationPolicy.QUEUE:
                        assert amounts == queue_allocate_units(qty, ranked_sizes)
                        for i, j in itertools.combinations(range(count), 2):
                            assert amounts[j] == 0 or amounts[i] == ranked_sizes[i]
                        if any(0 < a < s for a, s in zip(amounts, ranked_sizes, strict=True)):
                            seen["partly_consumed"] += 1
                    else:
                        assert amounts == pro_rata_allocate_units(qty, ranked_sizes)
                        target = min(qty, total)
                        for a, s in zip(amounts, ranked_sizes, strict=True):
                            assert abs(a * total - target * s) < total
                        if any(
                            a * total != target * s
                            for a, s in zip(amounts, ranked_sizes, strict=True)
                        ):
                            seen["pro_rata_rounded"] += 1
                    if len(set(scores)) < count:
                        seen["tie"] += 1
                    if qty > total:
                        seen["returned"] += 1
    _require(seen, "partly_consumed", "pro_rata_rounded", "tie", "returned")


def test_socialized_loss_every_small_book() -> None:
    """Every book of 3 accounts with profits in {0, 1, 3} (sizes 1..3 by id, equity = profit
    + 1), losses 0..6, funds 0, 1 and 3, fund shares 1 and 1/5, methods top_profit, clawback and
    open_interest, exact and with a unit of 1.

    Checked: ``sl-cap`` (a charge never above the cycle profit, or for open_interest the
    equity); ``sl-participants`` (only participants charged: profitable accounts for
    top_profit and clawback, open positions for open_interest); ``fund-first`` (the fund pays
    min(fund, share x loss) before anyone is charged, rounded down to the unit); the books
    balance (paid + charges + uncovered = loss, nothing over-collected).
    """
    seen: Counter[str] = Counter()
    methods = (
        SocializedLossMethod.TOP_PROFIT,
        SocializedLossMethod.CLAWBACK,
        SocializedLossMethod.OPEN_INTEREST,
    )
    for profits in itertools.product((0, 1, 3), repeat=3):
        book = [
            SlPosition(name, F(profit), F(i + 1), F(profit + 1))
            for i, (name, profit) in enumerate(zip("xyz", profits, strict=True))
        ]
        for loss, fund, share, method, unit in itertools.product(
            range(7), (0, 1, 3), (F(1), F(1, 5)), methods, (None, F(1))
        ):
            params = SocializedLossParams(method, share)
            result = compute_socialized_loss(params, F(loss), F(fund), book, unit)
            paid = min(F(fund), share * loss)
            if unit is not None:
                paid = quantize(paid, unit, Rounding.DOWN)
            assert result.insurance_paid == paid
            charged = sum(result.charges.values(), F(0))
            assert paid + charged + result.uncovered == loss
            assert result.uncovered >= 0
            for position in book:
                charge = result.charges.get(position.id, F(0))
                cap = (
                    position.equity
                    if method is SocializedLossMethod.OPEN_INTEREST
                    else position.profit
                )
                assert cap is not None and 0 <= charge <= cap
                if charge:
                    assert position.id in result.participants
                    seen["charged"] += 1
                    if charge == cap:
                        seen["cap_reached"] += 1
            if method is not SocializedLossMethod.OPEN_INTEREST:
                assert all(p.profit > 0 for p in book if p.id in result.participants)
            if result.uncovered > 0:
                seen["uncovered"] += 1
    _require(seen, "charged", "cap_reached", "uncovered")


def test_trigger_agrees_with_the_liquidation_price_every_small_position() -> None:
    """Linear positions of 1-3 units at entry 100 with isolated margin 5, 10, 20, 40 or 120, long
    and short, both maintenance bases, two tiers (rate 1% to a value of 200, then 5%, amount
    8 by the recurrence: 200 x 0.04), every mark 1..250.

    ``liq-trigger``: the trigger (margin balance <= MM at the mark) fires exactly at the
    marks at or past the liquidation price (long: P <= P_liq, short: P >= P_liq), or, when
    the price is none, at every mark or at none; the index relies on this to find whom a
    mark makes liquidatable.
    """
    seen: Counter[str] = Counter()
    tiers = make_tier_table([F(0), F(200)], [F(1, 100), F(5, 100)])
    inst = Instrument("T", ContractKind.LINEAR, F(1), tiers)
    for qty, margin, side, basis in itertools.product(
        (1, 2, 3), (5, 10, 20, 40, 120), (1, -1), MaintenanceBasis
    ):
        position = PositionState(F(side * qty), F(100), MarginMode.ISOLATED, F(margin))
        price = compute_liquidation_price(
            ContractKind.LINEAR,
            tiers,
            side,
            F(qty),
            F(1),
            F(100),
            MarginContext(MarginMode.ISOLATED, F(margin)),
            basis,
        )
        fired_all: list[bool] = []
        for mark in range(1, 251):
            market = MarketState(inst, F(mark))
            balance = position.isolated_margin + compute_position_upnl(market, position)
            fired = is_liquidatable(balance, compute_position_mm(market, position, basis))
            fired_all.append(fired)
            if price is not None:
                assert fired == (mark <= price if side > 0 else mark >= price), (qty, margin, mark)
        if price is None:
            assert len(set(fired_all)) == 1
            seen["none"] += 1
        elif abs(side * qty * price) >= 200 if basis is MaintenanceBasis.MARK else qty * 100 >= 200:
            seen["upper_tier"] += 1
        else:
            seen["lowest_tier"] += 1
    _require(seen, "none", "upper_tier", "lowest_tier")
