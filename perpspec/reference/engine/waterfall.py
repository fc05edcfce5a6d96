"""The mark update and the risk waterfall it triggers (DESIGN, The waterfall).

Order of a mark update, stated once and followed exactly:

1. The mark is set. The accounts it may have made liquidatable come from the liquidation
   index (only the entries the mark crossed, plus the always-checked ones); each is checked
   exactly. Accounts are processed in account-id order: isolated positions in market order,
   then the cross account.
2. For each liquidatable position (isolated) or account (cross):
   a. Its open orders are cancelled. The engine keeps no resting orders (trades arrive
      matched), so this step changes nothing and emits nothing; it is stated for the order.
   b. Partial liquidation (profile ``liquidation.mode = "partial"``), for an isolated position
      or a cross account with one position, above the lowest tier: the smallest lot-rounded
      slice whose removal leaves the rest not liquidatable at a lower tier. Otherwise, or when
      no slice does, the whole position.
   c. The slice is taken over by ``engine:<market>`` at the bankruptcy price, tick-rounded
      (long up, short down) so the trader never ends below zero. A cross account's positions
      are taken over one by one, largest MM first, each at the price where the account's
      equity would be zero if only that price moved. What the trader has left above the
      bankruptcy price (the reserved close fee, the rounding) goes to the fund when
      ``surplus_to = "insurance"`` (seed 001: "User A will lose all balance") and stays with
      the trader when ``"trader"``.
   d. The engine closes the slice against the liquidity model. Fills run only while the
      insurance fund can pay their deficit (:mod:`perpspec.reference.liquidation.settlement`);
      the liquidation fee (``fee_rate`` on the profile's ``fee_base``, at the mark of this
      update for ``mark_value``) comes out of the surplus, to ``fees`` or the fund (``fee_to``).
   e. The unfilled remainder goes to the last resort: ADL of the ranked opposite side at the
      bankruptcy price (at the update's mark under ``adl.fill_price = "mark"``, the gap
      booked like a walk's surplus or deficit), or the socialized-loss path (the remainder
      swept through the book at whatever price, seed 000, and the loss shared by the fund
      and profitable positions).
      What neither can cover is booked to ``system_loss``.
3. Accounts charged by a socialized loss are checked again; steps 1-2 repeat until no
   liquidatable account is left (invariant ``liq-complete``). Every round liquidates at least
   one target (its first target is reached in the state it was found in), and a position is
   liquidated at most once per tier of its market: a partial slice leaves the rest in a lower
   tier, a full takeover closes it, and nothing in the waterfall opens a trader's position
   (ADL only reduces). So at most ``1 + accounts x sum of the markets' tier counts`` rounds
   run (:func:`compute_round_bound`); past that, :class:`LoopBoundError`. (The liquidity
   account is the exception the argument needs solvent: the book's fills re-open its
   position, so a liquidity account that is itself liquidated can exhaust the bound.)
"""

from __future__ import annotations

from datetime import datetime
from fractions import Fraction

from perpspec.reference.adl.allocation import (
    AllocationPolicy,
    LiquidatedRemainder,
    allocate_adl,
    get_adl_fill_price,
)
from perpspec.reference.adl.fees import compute_adl_fill_fees, compute_fill_notional
from perpspec.reference.adl.formulas import AdlPosition
from perpspec.reference.adl.ranking import ScoredPosition
from perpspec.reference.engine.accounts import (
    compute_position_mm,
    compute_position_upnl,
    is_position_isolated_liquidatable,
    iter_cross_positions,
)
from perpspec.reference.engine.exchange import Exchange
from perpspec.reference.engine.liquidity import compute_book_fills
from perpspec.reference.engine.mark_inputs import check_derived_mark
from perpspec.reference.engine.ranking import SideQueue
from perpspec.reference.engine.state import MarketState, PositionState, get_engine_account
from perpspec.reference.errors import LoopBoundError, SpecError
from perpspec.reference.events import (
    AdlEvent,
    Event,
    InsuranceEvent,
    LiquidationEvent,
    LiquidationFillEvent,
    MarkEvent,
    SocializedLossEvent,
)
from perpspec.reference.instrument import find_tier
from perpspec.reference.insurance.fund import get_fund_account
from perpspec.reference.liquidation.settlement import (
    FeeTo,
    Fill,
    LiquidationSettlement,
    Side,
    SurplusTo,
    settle_liquidation,
)
from perpspec.reference.margin.pnl import compute_position_value
from perpspec.reference.margin.requirements import MaintenanceBasis
from perpspec.reference.numbers import Rounding, format_number, quantize
from perpspec.reference.prices.position_prices import (
    MarginContext,
    MarginMode,
    compute_bankruptcy_price,
    compute_liquidation_price,
    round_position_price,
)
from perpspec.reference.profile import LastResort, LiquidationMode
from perpspec.reference.socialized_loss.cycles import get_cycle_index, get_cycle_start
from perpspec.reference.socialized_loss.process import (
    SocializedLossParams,
    compute_liquidation_share,
)
from perpspec.reference.socialized_loss.result import SlPosition

__all__ = ["SCORE_STEP", "compute_round_bound", "list_sl_positions", "process_mark"]

#: The ledger records an ADL score rounded down to this step. Exact scores are rationals that
#: can run to hundreds of digits; the exact order is the event's ``rank``, and the audit
#: recomputes scores from the profile rather than trusting the recorded one.
SCORE_STEP = Fraction(1, 10**18)


# ---- finding what to liquidate ----------------------------------------------------------


def _side_of(position: PositionState) -> int:
    return 1 if position.qty > 0 else -1


def _find_targets(ex: Exchange, account: str, asset: str) -> list[tuple[str, str | None]]:
    """The account's liquidatable isolated positions (by market), then its cross account."""
    holder = ex.state.accounts.get(account)
    if holder is None:
        return []
    options = ex.config.profile.margin
    targets: list[tuple[str, str | None]] = []
    for market_id in sorted(holder.positions):
        market = ex.state.markets[market_id]
        if market.instrument.settle_asset == asset and is_position_isolated_liquidatable(
            market, holder.positions[market_id], options.maintenance_basis, options.close_fee_rate
        ):
            targets.append((account, market_id))
    if _is_cross_liquidatable(ex, account, asset):
        targets.append((account, None))
    return targets


def _is_cross_liquidatable(ex: Exchange, account: str, asset: str) -> bool:
    for market, _ in iter_cross_positions(ex.state.accounts[account], ex.state, asset):
        return ex.is_liquidatable(account, market.instrument.market, is_cross=True)
    return False


#: Why :func:`compute_round_bound` bounds the rounds of a mark update (its error message).
ROUND_BOUND_REASON = (
    "1 + accounts x tiers (every round liquidates a position, each at most once per tier)"
)


def compute_round_bound(ex: Exchange) -> int:
    """The most rounds a mark update can run: ``1 + accounts x sum of tier counts``.

    Rule (module docstring, step 3): each round liquidates at least one (account, market)
    position, each such position at most once per tier of its market, and one last round
    finds nothing. An account holds at most one position per market, so the accounts times
    the markets' summed tier counts bounds the liquidations. Counted in O(markets), not per
    position, so a mark update still reads only what its index entries name.

    Implements rule `engine.mark-update`.
    """
    tiers = sum(len(market.instrument.tiers) for market in ex.state.markets.values())
    return 1 + len(ex.state.accounts) * tiers


def process_mark(ex: Exchange, event: MarkEvent) -> list[Event]:
    """Set the mark and run the waterfall for every account it made liquidatable.

    Implements rules `liq.takeover` and `engine.mark-update`.
    """
    if event.price <= 0:
        raise SpecError(f"price: must be > 0, found {format_number(event.price)}")
    market = ex.get_market(event.market)
    check_derived_mark(ex, event.market, event.price)
    ex.start_mark_update()
    market.mark = event.price
    market.derived_mark = None
    asset = market.instrument.settle_asset
    emitted: list[Event] = []
    recheck: set[str] = set()
    bound = compute_round_bound(ex)
    for _ in range(bound):
        ex.flush()
        names = set(ex.index.candidates(event.market, asset, event.price)) | recheck
        targets = [t for name in sorted(names) for t in _find_targets(ex, name, asset)]
        if not targets:
            return emitted
        recheck = set()
        for account, market_id in targets:
            if market_id is None:
                if _is_cross_liquidatable(ex, account, asset):
                    recheck |= _liquidate_cross(ex, event, account, asset, emitted)
            elif account in _names_of(_find_targets(ex, account, asset), market_id):
                recheck |= _liquidate_isolated(ex, event, account, market_id, emitted)
    raise LoopBoundError.exceeded(
        f"mark {event.market}: liquidation rounds", bound, ROUND_BOUND_REASON
    )


def _names_of(targets: list[tuple[str, str | None]], market_id: str) -> set[str]:
    return {account for account, target in targets if target == market_id}


# ---- sizing the liquidation -------------------------------------------------------------


def _is_safe(
    ex: Exchange, market: MarketState, qty: Fraction, entry: Fraction, collateral: Fraction
) -> bool:
    """Not liquidatable: collateral + uPnL - close fee > MM, for a hypothetical position."""
    probe = PositionState(qty, entry, MarginMode.ISOLATED, collateral)
    options = ex.config.profile.margin
    return not is_position_isolated_liquidatable(
        market, probe, options.maintenance_basis, options.close_fee_rate
    )


def compute_partial_slice(
    ex: Exchange, market: MarketState, position: PositionState, collateral: Fraction
) -> Fraction | None:
    """The smallest lot-rounded slice that leaves the rest safe at a lower tier, or None.

    Taking a slice ``a = slice / n`` over at the bankruptcy price takes its share ``a C`` of
    the collateral with it, so the rest keeps ``(1 - a) C`` and ``(1 - a)`` of the uPnL and
    value: the rest is safe at tier ``j`` (rate ``m_j``, amount ``c_j``) when
    ``(1 - a) Y + c_j > 0`` with ``Y = C + uPnL - fee - m_j value``, and its value lies in
    tier ``j``. Each lower tier gives a least ``a``; the smallest lot multiple above it is
    checked exactly and the smallest passing slice kept.

    Implements rule `liq.partial`.
    """
    inst = market.instrument
    lot = inst.lot_size
    options = ex.config.profile.margin
    mark = market.mark
    if lot is None or mark is None:
        return None
    n = abs(position.qty)
    price = mark if options.maintenance_basis is MaintenanceBasis.MARK else position.entry_price
    value = compute_position_value(inst.kind, n, inst.multiplier, price)
    current = inst.tiers.index(find_tier(inst.tiers, value))
    if current == 0:
        return None
    upnl = compute_position_upnl(market, position)
    fee = compute_position_value(inst.kind, n, inst.multiplier, mark) * options.close_fee_rate
    best: Fraction | None = None
    for j in range(current):
        tier = inst.tiers[j]
        bound = 1 - inst.tiers[j + 1].floor / value
        gap = collateral + upnl - fee - tier.mmr * value
        if gap < 0:
            bound = max(bound, 1 + tier.maintenance_amount / gap)
        elif gap == 0 and tier.maintenance_amount == 0:
            continue
        slice_qty = (quantize(bound * n, lot, Rounding.DOWN) // lot + 1) * lot
        if slice_qty >= n or slice_qty <= 0:
            continue
        share = 1 - slice_qty / n
        rest = position.qty * share
        if _is_safe(ex, market, rest, position.entry_price, collateral * share) and (
            best is None or slice_qty < best
        ):
            best = slice_qty
    return best


# ---- the two kinds of target ------------------------------------------------------------


def _liquidate_isolated(
    ex: Exchange, event: MarkEvent, account: str, market_id: str, out: list[Event]
) -> set[str]:
    """Liquidate one isolated position (partially where the profile and tiers allow)."""
    market = ex.state.markets[market_id]
    position = ex.state.accounts[account].positions[market_id]
    collateral = position.isolated_margin
    qty = abs(position.qty)
    if ex.config.profile.liquidation.mode is LiquidationMode.PARTIAL:
        slice_qty = compute_partial_slice(ex, market, position, collateral)
        if slice_qty is not None:
            qty = slice_qty
    context = MarginContext(MarginMode.ISOLATED, collateral)
    share = collateral * qty / abs(position.qty)
    return _take_over(ex, event, account, market, qty, context, share, from_isolated=True, out=out)


def _liquidate_cross(
    ex: Exchange, event: MarkEvent, account: str, asset: str, out: list[Event]
) -> set[str]:
    """Liquidate a cross account: every cross position in ``asset``, largest MM first."""
    holder = ex.state.accounts[account]
    basis = ex.config.profile.margin.maintenance_basis
    ordered = sorted(
        iter_cross_positions(holder, ex.state, asset),
        key=lambda item: (-compute_position_mm(item[0], item[1], basis), item[0].instrument.market),
    )
    touched: set[str] = set()
    if len(ordered) == 1 and ex.config.profile.liquidation.mode is LiquidationMode.PARTIAL:
        market, position = ordered[0]
        wallet = holder.wallet.get(asset, Fraction(0))
        slice_qty = compute_partial_slice(ex, market, position, wallet)
        if slice_qty is not None:
            context = MarginContext(MarginMode.CROSS, wallet)
            share = wallet * slice_qty / abs(position.qty)
            return _take_over(
                ex, event, account, market, slice_qty, context, share, from_isolated=False, out=out
            )
    for number, (market, position) in enumerate(ordered):
        others = [
            (m, p) for m, p in iter_cross_positions(holder, ex.state, asset) if p is not position
        ]
        wallet = holder.wallet.get(asset, Fraction(0))
        context = MarginContext(
            MarginMode.CROSS,
            wallet,
            sum((compute_position_mm(m, p, basis) for m, p in others), Fraction(0)),
            sum((compute_position_upnl(m, p) for m, p in others), Fraction(0)),
        )
        last = number == len(ordered) - 1
        handed = wallet if last else None
        touched |= _take_over(
            ex, event, account, market, abs(position.qty), context, handed, False, out
        )
    return touched


# ---- the takeover and what follows it ---------------------------------------------------


def _take_over(
    ex: Exchange,
    event: MarkEvent,
    account: str,
    market: MarketState,
    qty: Fraction,
    context: MarginContext,
    share: Fraction | None,
    from_isolated: bool,
    out: list[Event],
) -> set[str]:
    """Take ``qty`` of the position over at its bankruptcy price and run steps 2c-2e.

    ``share`` is the collateral that goes with the slice (None while a cross account still
    has positions to hand over); what is left of it above the bankruptcy price is settled by
    ``surplus_to``.
    """
    inst = market.instrument
    market_id = inst.market
    position = ex.state.accounts[account].positions[market_id]
    side = _side_of(position)
    options = ex.config.profile
    n = abs(position.qty)
    exact_bankruptcy = compute_bankruptcy_price(
        inst.kind,
        side,
        n,
        inst.multiplier,
        position.entry_price,
        context,
        options.margin.close_fee_rate,
    )
    exact_liquidation = compute_liquidation_price(
        inst.kind,
        inst.tiers,
        side,
        n,
        inst.multiplier,
        position.entry_price,
        context,
        options.margin.maintenance_basis,
        options.margin.close_fee_rate,
    )
    tick = inst.tick_size if inst.tick_size is not None else Fraction(0)
    bankruptcy = _round(exact_bankruptcy, side, tick)
    liquidation = _round(exact_liquidation, side, tick)
    mark = event.price
    price = bankruptcy if bankruptcy is not None else mark
    ex.state.liquidations += 1
    liq_id = f"L{ex.state.liquidations}"
    mode = position.mode
    realized = ex.trade_position(account, market_id, -side * qty, price)
    engine = get_engine_account(market_id)
    ex.trade_position(engine, market_id, side * qty, price)
    settle_side = Side.LONG if side > 0 else Side.SHORT
    fund = get_fund_account(inst.fund)
    asset = inst.settle_asset
    fills = compute_book_fills(ex.config.liquidity, inst, mark, qty, side > 0, ex.state.seq)
    fund_before = _cash(ex, fund, asset)
    leftover_events: list[Event] = []
    if share is not None:
        leftover_events = _settle_leftover(
            ex, event, liq_id, account, market_id, share + realized, from_isolated
        )
    # The fund pays a negative balance first; the walk may use only what that leaves, so the
    # two payments together never take the fund below zero (fund-nonnegative). What the
    # trader's margin brings to the fund is booked after the walk and does not extend it.
    settlement = settle_liquidation(
        settle_side,
        qty,
        price,
        fills,
        min(fund_before, _cash(ex, fund, asset)),
        fee_rate=options.liquidation.fee_rate,
        surplus_to=options.liquidation.surplus_to,
        kind=inst.kind,
        multiplier=inst.multiplier,
        fee_base=options.liquidation.fee_base,
        fee_to=options.liquidation.fee_to,
        mark_price=mark,
    )
    tail: list[Event] = []
    for fill in fills[: settlement.fills_executed]:
        _fill_engine(ex, market_id, side, fill)
        tail.append(_stamp_fill(ex, event, liq_id, fill))
    tail.extend(leftover_events)
    tail.extend(_split_surplus(ex, event, liq_id, account, market, settlement))
    touched: set[str] = set()
    if settlement.remaining_qty > 0:
        touched = _last_resort(
            ex, event, liq_id, account, market, side, settlement.remaining_qty, price, tail
        )
    out.append(
        LiquidationEvent(
            0,
            event.ts,
            liq_id,
            account,
            market_id,
            "long" if side > 0 else "short",
            qty,
            mark,
            liquidation,
            bankruptcy,
            mode.value,
            settlement.fee,
        )
    )
    out.extend(tail)
    return touched


def _round(price: Fraction | None, side: int, tick: Fraction) -> Fraction | None:
    if price is None or tick == 0:
        return price
    return round_position_price(price, side, tick)


def _cash(ex: Exchange, account: str, asset: str) -> Fraction:
    holder = ex.state.accounts.get(account)
    return holder.wallet.get(asset, Fraction(0)) if holder is not None else Fraction(0)


def _fill_engine(ex: Exchange, market_id: str, side: int, fill: Fill) -> None:
    """The engine closes ``fill.qty`` against the liquidity account at ``fill.price``."""
    ex.trade_position(get_engine_account(market_id), market_id, -side * fill.qty, fill.price)
    book = ex.config.liquidity.account
    ex.trade_position(book, market_id, side * fill.qty, fill.price)


def _stamp_fill(ex: Exchange, event: MarkEvent, liq_id: str, fill: Fill) -> LiquidationFillEvent:
    return LiquidationFillEvent(
        0, event.ts, liq_id, fill.qty, fill.price, ex.config.liquidity.account
    )


def _insurance(
    event: MarkEvent, fund: str, amount: Fraction, reason: str, liq_id: str
) -> InsuranceEvent:
    return InsuranceEvent(0, event.ts, fund, amount, reason, liq_id)


def _settle_leftover(
    ex: Exchange,
    event: MarkEvent,
    liq_id: str,
    account: str,
    market_id: str,
    leftover: Fraction,
    from_isolated: bool,
) -> list[Event]:
    """What the trader had above the bankruptcy price: to the fund, or kept (``surplus_to``).

    A negative leftover (a position taken over at the mark because it had no bankruptcy
    price) is made whole by the fund as far as it can pay, then by ``system_loss``, so no
    trader ends below zero (``no-negative-balance``).
    """
    inst = ex.state.markets[market_id].instrument
    asset = inst.settle_asset
    fund_account = get_fund_account(inst.fund)
    position = ex.state.accounts[account].positions[market_id]
    keep = ex.config.profile.liquidation.surplus_to is SurplusTo.TRADER
    if leftover > 0 and keep:
        return []
    if from_isolated and position.qty != 0:
        position.isolated_margin -= leftover
    else:
        ex.credit(account, asset, -leftover)
    if leftover >= 0:
        if leftover == 0:
            return []
        ex.credit(fund_account, asset, leftover)
        return [_insurance(event, inst.fund, leftover, "liquidation_margin", liq_id)]
    deficit = -leftover
    paid = min(deficit, max(_cash(ex, fund_account, asset), Fraction(0)))
    ex.credit(fund_account, asset, -paid)
    ex.credit("system_loss", asset, -(deficit - paid))
    return [_insurance(event, inst.fund, -paid, "negative_balance", liq_id)] if paid else []


def _split_surplus(
    ex: Exchange,
    event: MarkEvent,
    liq_id: str,
    account: str,
    market: MarketState,
    settlement: LiquidationSettlement,
) -> list[Event]:
    """Move the engine's realized surplus: fee, fund share, trader refund (settlement's split).

    After this the engine's cash is back to what it was: fee + fund share + refund equals the
    net surplus the executed fills realized. The fee is its own entry (``liquidation_fee``)
    when it goes to the fund, so a ledger shows the fee and the surplus apart.
    """
    inst = market.instrument
    asset, fund = inst.settle_asset, inst.fund
    engine = get_engine_account(inst.market)
    events: list[Event] = []
    if settlement.fee:
        ex.credit(engine, asset, -settlement.fee)
        if ex.config.profile.liquidation.fee_to is FeeTo.INSURANCE:
            ex.credit(get_fund_account(fund), asset, settlement.fee)
            events.append(_insurance(event, fund, settlement.fee, "liquidation_fee", liq_id))
        else:
            ex.credit("fees", asset, settlement.fee)
    if settlement.surplus_delta:
        ex.credit(engine, asset, -settlement.surplus_delta)
        ex.credit(get_fund_account(fund), asset, settlement.surplus_delta)
        reason = "liquidation_surplus" if settlement.surplus_delta > 0 else "liquidation_deficit"
        events.append(_insurance(event, fund, settlement.surplus_delta, reason, liq_id))
    if settlement.trader_refund:
        ex.credit(engine, asset, -settlement.trader_refund)
        ex.credit(account, asset, settlement.trader_refund)
    return events


# ---- the last resorts -------------------------------------------------------------------


def _last_resort(
    ex: Exchange,
    event: MarkEvent,
    liq_id: str,
    account: str,
    market: MarketState,
    side: int,
    remaining: Fraction,
    price: Fraction,
    out: list[Event],
) -> set[str]:
    """Close the remainder by ADL or socialized loss (``last_resort.method``); see module doc."""
    touched: set[str] = set()
    if ex.config.profile.last_resort is LastResort.ADL:
        remaining, touched = _run_adl(
            ex, event, liq_id, account, market, side, remaining, price, out
        )
    if remaining > 0:
        touched |= _run_socialized(ex, event, liq_id, account, market, side, remaining, out)
    return touched


def _adl_position(ex: Exchange, account: str, market: MarketState) -> AdlPosition:
    """A counterparty as the ranking formulas see it."""
    inst = market.instrument
    holder = ex.state.accounts[account]
    position = holder.positions[inst.market]
    side = _side_of(position)
    asset = inst.settle_asset
    basis = ex.config.profile.margin.maintenance_basis
    if position.mode is MarginMode.ISOLATED:
        context = MarginContext(MarginMode.ISOLATED, position.isolated_margin)
        wallet = position.isolated_margin
    else:
        other_upnl = sum(
            (
                compute_position_upnl(m, p)
                for m, p in iter_cross_positions(holder, ex.state, asset)
                if p is not position
            ),
            Fraction(0),
        )
        wallet = holder.wallet.get(asset, Fraction(0))
        context = MarginContext(MarginMode.CROSS, wallet, Fraction(0), other_upnl)
    n = abs(position.qty)
    return AdlPosition(
        id=account,
        side=Side.LONG if side > 0 else Side.SHORT,
        qty=n,
        entry_price=position.entry_price,
        mark_price=market.mark if market.mark is not None else position.entry_price,
        bankruptcy_price=compute_bankruptcy_price(
            inst.kind,
            side,
            n,
            inst.multiplier,
            position.entry_price,
            context,
            ex.config.profile.margin.close_fee_rate,
        ),
        wallet_balance=wallet,
        maintenance_margin=compute_position_mm(market, position, basis),
        account_value=ex.compute_equity(account, asset),
        unrealized_pnl=compute_position_upnl(market, position),
        multiplier=inst.multiplier,
        kind=inst.kind,
    )


def _build_candidate(
    ex: Exchange, market: MarketState, side: int, account: str
) -> AdlPosition | None:
    """``account`` as an ADL counterparty against a liquidated ``side``, or None."""
    holder = ex.state.accounts.get(account)
    position = holder.positions.get(market.instrument.market) if holder is not None else None
    if (
        position is None
        or position.qty == 0
        or _side_of(position) == side
        or account.startswith(("engine:", "insurance:"))
    ):
        return None
    return _adl_position(ex, account, market)


def rank_counterparties(
    ex: Exchange, market: MarketState, side: int, qty: Fraction | None = None
) -> list[ScoredPosition]:
    """Opposite-side traders in ranking order (:mod:`perpspec.reference.engine.ranking`),
    cut once their sizes cover ``qty`` (None: all of them).

    Implements rule `engine.adl-gap`.
    """
    options = ex.config.profile.adl
    if options is None:
        raise SpecError("profile: last_resort.method = adl needs an [adl] section")
    key = (market.instrument.market, side)
    built = ex.queues.get(key)
    if built is None:
        queue = SideQueue(options.ranking)
        queue.refresh(set(ex.state.accounts), lambda a: _build_candidate(ex, market, side, a))
    else:
        queue, read = built
        changed = set(ex.change_log[read:])
        queue.refresh(changed, lambda a: _build_candidate(ex, market, side, a))
    ex.queues[key] = (queue, len(ex.change_log))
    return queue.get_prefix(qty)


def _run_adl(
    ex: Exchange,
    event: MarkEvent,
    liq_id: str,
    account: str,
    market: MarketState,
    side: int,
    remaining: Fraction,
    price: Fraction,
    out: list[Event],
) -> tuple[Fraction, set[str]]:
    """ADL the remainder against the ranked opposite side at the profile's fill price.

    ``adl.fill_price = "bankruptcy"`` (seeds 001, 002): at the liquidated position's
    bankruptcy price, where the engine took it over, so the engine's cash is unchanged.
    ``"mark"`` (Hyperliquid: "closed at the previous mark price against the now underwater
    user"): at the mark of this update; the engine's gain or loss against the takeover price
    is booked by :func:`_book_adl_gap`.
    """
    options = ex.config.profile.adl
    assert options is not None  # rank_counterparties raised otherwise
    inst = market.instrument
    policy = AllocationPolicy(options.allocation.value)
    ranked = rank_counterparties(
        ex, market, side, remaining if policy is AllocationPolicy.QUEUE else None
    )
    fill_price = get_adl_fill_price(options.fill_price, price, event.price)
    allocation = allocate_adl(
        LiquidatedRemainder(Side.LONG if side > 0 else Side.SHORT, remaining, price),
        ranked,
        policy,
        inst.lot_size,
        fill_price,
    )
    ranks = {p.id: (number, p.score) for number, p in enumerate(ranked, start=1)}
    touched: set[str] = set()
    asset = inst.settle_asset
    engine = get_engine_account(inst.market)
    engine_before = _cash(ex, engine, asset)
    for fill in allocation.fills:
        ex.trade_position(fill.id, inst.market, side * fill.qty, fill.price)
        ex.trade_position(
            get_engine_account(inst.market), inst.market, -side * fill.qty, fill.price
        )
        fees = compute_adl_fill_fees(
            compute_fill_notional(fill.qty, fill.price, inst.multiplier, inst.kind),
            options.fee_policy,
            options.maker_fee_rate,
            options.taker_fee_rate,
        )
        ex.credit(fill.id, asset, -fees.counterparty_fee)
        liquidated_fee = min(fees.liquidated_fee, max(_cash(ex, account, asset), Fraction(0)))
        ex.credit(account, asset, -liquidated_fee)
        ex.credit("fees", asset, fees.counterparty_fee + liquidated_fee)
        number, score = ranks[fill.id]
        recorded = quantize(score, SCORE_STEP, Rounding.DOWN)
        out.append(AdlEvent(0, event.ts, liq_id, fill.id, fill.qty, fill.price, recorded, number))
        touched.add(fill.id)
    gap = _cash(ex, engine, asset) - engine_before
    out.extend(_book_adl_gap(ex, event, liq_id, account, market, gap))
    return allocation.remaining_qty, touched


def _book_adl_gap(
    ex: Exchange,
    event: MarkEvent,
    liq_id: str,
    account: str,
    market: MarketState,
    gap: Fraction,
) -> list[Event]:
    """Book the engine's ADL gap: what closing at the fill price realized against the takeover.

    At the bankruptcy price the gap is 0. At the mark it is, per fill, ``q V (M - P_b)`` for
    a liquidated long (linear; ``q V (1/P_b - 1/M)`` coin for inverse; a short mirrors it),
    the rule of :func:`compute_fill_surplus` (seed 001) with the mark as the fill. The
    allocation op (``adl_allocate``) books nothing: it only prices the fills. The engine
    books the gap as a book walk's surplus or deficit (DESIGN, Insurance fund): a gain goes
    by ``liquidation.surplus_to`` (the fund, ``liquidation_surplus``; or the trader), a loss
    is paid by the fund as far as it can (``liquidation_deficit``) and the rest by
    ``system_loss``. The liquidated trader is not charged a loss: after the takeover at the
    bankruptcy price its equity in the position is zero, and what it has left backs its
    other positions. The audit infers the same bookings (``perpspec/audit/book.py``).
    """
    inst = market.instrument
    asset, fund = inst.settle_asset, inst.fund
    engine = get_engine_account(inst.market)
    fund_account = get_fund_account(fund)
    if gap == 0:
        return []
    ex.credit(engine, asset, -gap)
    if gap > 0:
        if ex.config.profile.liquidation.surplus_to is SurplusTo.TRADER:
            ex.credit(account, asset, gap)
            return []
        ex.credit(fund_account, asset, gap)
        return [_insurance(event, fund, gap, "liquidation_surplus", liq_id)]
    loss = -gap
    paid = min(loss, max(_cash(ex, fund_account, asset), Fraction(0)))
    ex.credit(fund_account, asset, -paid)
    ex.credit("system_loss", asset, -(loss - paid))
    return [_insurance(event, fund, -paid, "liquidation_deficit", liq_id)] if paid else []


def _cycle_label(ex: Exchange, ts: str) -> str:
    options = ex.config.profile.socialized_loss
    moment = datetime.fromisoformat(ts.replace("Z", "+00:00"))
    if options is None:
        return ts
    start = get_cycle_start(get_cycle_index(moment, options.cycle), options.cycle)
    return start.isoformat().replace("+00:00", "Z")


def _run_socialized(
    ex: Exchange,
    event: MarkEvent,
    liq_id: str,
    account: str,
    market: MarketState,
    side: int,
    remaining: Fraction,
    out: list[Event],
) -> set[str]:
    """Sweep the remainder through the book and share the loss (seed 000).

    The fund pays ``insurance_share`` of the loss (up to its balance), profitable positions
    in the market the rest by the profile's method, each charge capped by the method; what
    is left is booked to ``system_loss``. Under ``haircut_ratio`` the market is the vault
    whose junior claims (its positions' positive uPnL) are paid at one ratio h after the
    uninsured loss is written off (:func:`compute_written_off_haircut`); a claim's charge is
    what its floored payout leaves, so the charges may collect more than the loss by the
    floor residue, which ``system_loss`` keeps (a credit: Percolator's rounding-residue sink).
    Without a ``[socialized_loss]`` section (an ADL profile whose opposite side could not
    absorb the remainder) the fund pays what it can and ``system_loss`` the rest.
    """
    inst = market.instrument
    market_id, asset = inst.market, inst.settle_asset
    engine = get_engine_account(market_id)
    mark = market.mark if market.mark is not None else Fraction(0)
    fills = compute_book_fills(
        ex.config.liquidity, inst, mark, remaining, side > 0, ex.state.seq, sweep=True
    )
    before = _cash(ex, engine, asset)
    for fill in fills:
        _fill_engine(ex, market_id, side, fill)
        out.append(_stamp_fill(ex, event, liq_id, fill))
    result = _cash(ex, engine, asset) - before
    fund_account = get_fund_account(inst.fund)
    if result >= 0:
        if result:
            ex.credit(engine, asset, -result)
            ex.credit(fund_account, asset, result)
            out.append(_insurance(event, inst.fund, result, "liquidation_surplus", liq_id))
        return set()
    loss = -result
    options = ex.config.profile.socialized_loss
    fund_balance = max(_cash(ex, fund_account, asset), Fraction(0))
    if options is None:
        paid, charges, uncovered = min(loss, fund_balance), {}, loss - min(loss, fund_balance)
    else:
        params = SocializedLossParams(
            options.method, options.insurance_share, options.threshold, options.denominator
        )
        shared = compute_liquidation_share(
            params, loss, fund_balance, list_sl_positions(ex, market, account), ex.config.unit
        )
        paid, charges, uncovered = shared.insurance_paid, dict(shared.charges), shared.uncovered
    if paid:
        ex.credit(fund_account, asset, -paid)
        out.append(_insurance(event, inst.fund, -paid, "socialized_loss", liq_id))
    cycle = _cycle_label(ex, event.ts)
    for charged in sorted(charges):
        ex.credit_margin(charged, market_id, -charges[charged])
        out.append(SocializedLossEvent(0, event.ts, cycle, charged, charges[charged], (liq_id,)))
    ex.credit("system_loss", asset, -uncovered)
    ex.credit(engine, asset, loss)
    return set(charges)


def list_sl_positions(ex: Exchange, market: MarketState, liquidated: str) -> list[SlPosition]:
    """Every trader's position in the market: profit = positive uPnL at the mark this cycle."""
    market_id, asset = market.instrument.market, market.instrument.settle_asset
    positions: list[SlPosition] = []
    for account in sorted(ex.state.accounts):
        position = ex.state.accounts[account].positions.get(market_id)
        if account == liquidated or position is None or position.qty == 0:
            continue
        if account.startswith(("engine:", "insurance:")):
            continue
        upnl = compute_position_upnl(market, position)
        positions.append(
            SlPosition(
                account,
                max(upnl, Fraction(0)),
                abs(position.qty),
                max(ex.compute_equity(account, asset), Fraction(0)),
            )
        )
    return positions
