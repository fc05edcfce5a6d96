"""The engine's input steps other than the mark: instruments, cash, transfers, trades, funding.

Each ``process_*`` validates everything first and raises SpecError with a one-line reason
before it changes anything (invariant ``frame``: a rejected input leaves the state as it was);
then it commits. Each returns the events it emits besides the stamped input itself.
"""

from __future__ import annotations

import copy
from fractions import Fraction

from perpspec.reference.engine.accounts import (
    compute_account_cash,
    compute_cross_equity,
    compute_cross_initial_margin,
    compute_position_initial_margin,
    compute_position_upnl,
)
from perpspec.reference.engine.exchange import Exchange, split_realized
from perpspec.reference.engine.state import (
    AccountState,
    ExchangeState,
    MarketState,
    PositionState,
    is_system_account,
)
from perpspec.reference.errors import SpecError
from perpspec.reference.events import (
    BalanceEvent,
    DepositEvent,
    FundingEvent,
    FundingPayment,
    InstrumentEvent,
    MarginTransferEvent,
    TradeEvent,
    WithdrawalEvent,
)
from perpspec.reference.instrument import ContractKind, Instrument, Tier, validate_tier_table
from perpspec.reference.margin.pnl import Position, apply_fill
from perpspec.reference.mark.funding_rate import compute_position_funding
from perpspec.reference.numbers import format_number
from perpspec.reference.prices.position_prices import MarginMode

__all__ = [
    "build_instrument",
    "compute_funding_payment",
    "compute_funding_payments",
    "process_deposit",
    "process_funding",
    "process_instrument",
    "process_margin_transfer",
    "process_trade",
    "process_withdrawal",
]


def _require_positive(value: Fraction, field: str) -> None:
    if value <= 0:
        raise SpecError(f"{field}: must be > 0, found {format_number(value)}")


def _require_multiple(value: Fraction, step: Fraction | None, field: str) -> None:
    if step is not None and (value / step).denominator != 1:
        raise SpecError(
            f"{field}: {format_number(value)} is not a multiple of {format_number(step)}"
        )


def _require_trader(account: str, field: str) -> None:
    if is_system_account(account):
        raise SpecError(f"{field}: {account!r} is a system account")


def build_instrument(event: InstrumentEvent) -> Instrument:
    """The typed instrument of an ``instrument`` event, its tier table validated."""
    if event.kind not in ("linear", "inverse"):
        raise SpecError(f"kind: unknown contract kind {event.kind!r} (linear or inverse)")
    tiers = tuple(
        Tier(spec.floor, spec.mmr, spec.maintenance_amount, spec.max_leverage)
        for spec in event.tiers
    )
    validate_tier_table(tiers)
    for name, value in (
        ("multiplier", event.multiplier),
        ("tick_size", event.tick_size),
        ("lot_size", event.lot_size),
    ):
        _require_positive(value, name)
    return Instrument(
        market=event.market,
        kind=ContractKind(event.kind),
        multiplier=event.multiplier,
        tiers=tiers,
        tick_size=event.tick_size,
        lot_size=event.lot_size,
        fund=event.fund,
        settle_asset=event.settle_asset,
    )


def process_instrument(ex: Exchange, event: InstrumentEvent) -> None:
    """Define a market. A market is defined once; its fund account exists from then on."""
    if event.market in ex.state.markets:
        raise SpecError(f"market: {event.market!r} is already defined")
    instrument = build_instrument(event)
    ex.state.markets[event.market] = MarketState(instrument)
    ex.state.accounts.setdefault(f"insurance:{event.fund}", AccountState())


def process_balance(ex: Exchange, event: BalanceEvent) -> None:
    """A stated balance (docs/ledger.md, ``balance``): the account's wallet balance in the
    asset, isolated margins in, uPnL out, after every earlier event. It moves nothing; one
    that does not hold is refused, never passed over."""
    holder = ex.state.accounts.get(event.account)
    held = Fraction(0) if holder is None else compute_account_cash(holder, ex.state, event.asset)
    if held != event.amount:
        raise SpecError(f"amount: the wallet balance is {format_number(held)}")


def process_deposit(ex: Exchange, event: DepositEvent) -> None:
    """Cash in. Traders and insurance funds (``insurance:<fund>``, to seed them) may receive."""
    _require_positive(event.amount, "amount")
    if is_system_account(event.account) and not event.account.startswith("insurance:"):
        raise SpecError(f"account: {event.account!r} cannot receive deposits")
    ex.credit(event.account, event.asset, event.amount)
    ex.state.deposits[event.asset] = ex.state.deposits.get(event.asset, Fraction(0)) + event.amount


def _available_cross(ex: Exchange, holder: AccountState, asset: str) -> Fraction:
    """What may leave the cross wallet: wallet cash, and equity above the cross IM."""
    wallet = holder.wallet.get(asset, Fraction(0))
    free = compute_cross_equity(holder, ex.state, asset) - compute_cross_initial_margin(
        holder, ex.state, asset
    )
    return min(wallet, free)


def process_withdrawal(ex: Exchange, event: WithdrawalEvent) -> None:
    """Cash out, only what the cross wallet can spare without breaking initial margin."""
    _require_positive(event.amount, "amount")
    _require_trader(event.account, "account")
    holder = ex.get_account(event.account)
    available = _available_cross(ex, holder, event.asset)
    if event.amount > available:
        raise SpecError(
            f"amount: withdrawal of {format_number(event.amount)} {event.asset} would break "
            f"margin (available {format_number(max(available, Fraction(0)))})"
        )
    ex.credit(event.account, event.asset, -event.amount)
    ex.state.withdrawals[event.asset] = (
        ex.state.withdrawals.get(event.asset, Fraction(0)) + event.amount
    )


def process_margin_transfer(ex: Exchange, event: MarginTransferEvent) -> None:
    """Move margin between the wallet and an isolated position (+ into the position).

    Transferring into a market makes the account's position there isolated; a cross
    position already open there cannot be converted. Out of the position, the rest must
    still meet initial margin.
    """
    if event.amount == 0:
        raise SpecError("amount: must not be zero")
    _require_trader(event.account, "account")
    holder = ex.get_account(event.account)
    market = ex.get_market(event.market)
    asset = market.instrument.settle_asset
    position = holder.positions.get(event.market)
    if event.amount > 0:
        if position is not None and position.qty != 0 and position.mode is MarginMode.CROSS:
            raise SpecError(f"market: the position in {event.market!r} is cross, not isolated")
        available = _available_cross(ex, holder, asset)
        if event.amount > available:
            raise SpecError(
                f"amount: {format_number(event.amount)} exceeds what the wallet can spare "
                f"({format_number(max(available, Fraction(0)))})"
            )
    else:
        taken = -event.amount
        if position is None or position.mode is not MarginMode.ISOLATED:
            raise SpecError(f"market: no isolated margin in {event.market!r}")
        if taken > position.isolated_margin:
            raise SpecError(
                f"amount: {format_number(taken)} exceeds the isolated margin "
                f"{format_number(position.isolated_margin)}"
            )
        left = position.isolated_margin - taken + compute_position_upnl(market, position)
        if position.qty != 0 and left < compute_position_initial_margin(market, position):
            raise SpecError("amount: the position would fall below its initial margin")
    target = ex.get_position(event.account, event.market)
    ex.touch(event.account)
    target.mode = MarginMode.ISOLATED
    target.isolated_margin += event.amount
    ex.credit(event.account, asset, -event.amount)
    if target.qty == 0 and target.isolated_margin == 0:
        target.mode = MarginMode.CROSS


def _moved_account(
    ex: Exchange,
    account: str,
    market: MarketState,
    signed_qty: Fraction,
    price: Fraction,
    fee: Fraction,
) -> AccountState:
    """A copy of the account after the fill and its fee, for the margin check before commit."""
    holder = copy.deepcopy(ex.get_account(account))
    inst = market.instrument
    position = holder.positions.setdefault(inst.market, PositionState())
    moved, realized = apply_fill(
        inst.kind,
        inst.multiplier,
        Position(position.qty, position.entry_price),
        signed_qty,
        price,
        ex.config.unit,
    )
    position.qty, position.entry_price = moved.qty, moved.entry_price
    realized, _ = split_realized(realized, ex.config.unit)
    if position.mode is MarginMode.ISOLATED:
        position.isolated_margin += realized
    else:
        holder.wallet[inst.settle_asset] = (
            holder.wallet.get(inst.settle_asset, Fraction(0)) + realized
        )
    holder.wallet[inst.settle_asset] = holder.wallet.get(inst.settle_asset, Fraction(0)) - fee
    return holder


def _check_initial_margin(
    ex: Exchange, account: str, before: Fraction, holder: AccountState, market: MarketState
) -> None:
    """Risk-increasing fills must leave initial margin met; reducing ones always pass."""
    position = holder.positions[market.instrument.market]
    if abs(position.qty) <= abs(before) and (
        position.qty == 0 or (position.qty > 0) == (before > 0)
    ):
        return
    asset = market.instrument.settle_asset
    state = ex.state
    if position.mode is MarginMode.ISOLATED:
        balance = position.isolated_margin + compute_position_upnl(market, position)
        required = compute_position_initial_margin(market, position)
        wallet_ok = holder.wallet.get(asset, Fraction(0)) >= 0
    else:
        saved = state.accounts[account]
        state.accounts[account] = holder
        try:
            balance = compute_cross_equity(holder, state, asset)
            required = compute_cross_initial_margin(holder, state, asset)
        finally:
            state.accounts[account] = saved
        wallet_ok = True
    if balance < required or not wallet_ok:
        raise SpecError(
            f"{account}: insufficient margin for the trade (needs {format_number(required)}, "
            f"has {format_number(balance)})"
        )


def process_trade(ex: Exchange, event: TradeEvent) -> None:
    """A matched trade between two traders at ``price``; fees to ``fees`` (negative: rebate).

    The buyer's and seller's new positions are computed on copies, checked against initial
    margin where the trade adds risk, and only then committed.
    """
    market = ex.get_market(event.market)
    inst = market.instrument
    _require_positive(event.qty, "qty")
    _require_positive(event.price, "price")
    _require_multiple(event.qty, inst.lot_size, "qty")
    _require_multiple(event.price, inst.tick_size, "price")
    if event.buyer == event.seller:
        raise SpecError("seller: buyer and seller are the same account")
    for field, account in (("buyer", event.buyer), ("seller", event.seller)):
        _require_trader(account, field)
        if account not in ex.state.accounts:
            raise SpecError(f"{field}: unknown account {account!r}")
    movers: list[tuple[str, Fraction, Fraction]] = [
        (event.buyer, event.qty, event.buyer_fee),
        (event.seller, -event.qty, event.seller_fee),
    ]
    for account, signed, fee in movers:
        before = ex.state.accounts[account].positions.get(event.market)
        holder = _moved_account(ex, account, market, signed, event.price, fee)
        _check_initial_margin(ex, account, before.qty if before else Fraction(0), holder, market)
    for account, signed, fee in movers:
        ex.trade_position(account, event.market, signed, event.price)
        ex.credit(account, inst.settle_asset, -fee)
        ex.credit("fees", inst.settle_asset, fee)


def compute_funding_payment(market: MarketState, qty: Fraction, rate: Fraction) -> Fraction:
    """One position's funding (+ receives): longs pay ``rate`` times their value at the mark.

    Zero-sum: the payments are ``-q * value_per_unit * rate`` and open interest balances
    (sum of q = 0, the engine's taken-over inventory included), so they sum to exactly zero
    and leave no residual to book.

    Implements rule `engine.funding`.
    """
    mark = market.mark
    if mark is None:
        raise SpecError(f"market: {market.instrument.market!r} has no mark price yet")
    inst = market.instrument
    return compute_position_funding(inst.kind, qty, inst.multiplier, mark, rate)


def compute_funding_payments(
    state: ExchangeState, market: MarketState, rate: Fraction
) -> tuple[FundingPayment, ...]:
    """Funding at ``rate`` for every open position of ``market``, by account: invariant
    ``funding`` (:func:`compute_funding_payment` each, nobody else paid).

    Implements rule `engine.funding`.
    """
    market_id = market.instrument.market
    return tuple(
        FundingPayment(account, compute_funding_payment(market, qty, rate))
        for account, qty in sorted(
            (account, holder.positions[market_id].qty)
            for account, holder in state.accounts.items()
            if market_id in holder.positions and holder.positions[market_id].qty != 0
        )
    )


def process_funding(ex: Exchange, event: FundingEvent) -> FundingEvent:
    """Settle funding on every open position of the market; return the event with payments."""
    market = ex.get_market(event.market)
    if market.mark is None:
        raise SpecError(f"market: {event.market!r} has no mark price yet")
    payments = compute_funding_payments(ex.state, market, event.rate)
    for payment in payments:
        ex.credit_margin(payment.account, event.market, payment.amount)
    return FundingEvent(event.seq, event.ts, event.market, event.rate, payments)
