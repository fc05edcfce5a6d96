"""The audit's bookkeeping: the ledger's state rebuilt from its events alone.

The audit never runs the engine's decisions; it replays the *bookkeeping* each event states
(DESIGN, Ledger) with the reference's own primitives (:class:`Exchange`'s ``credit``,
``credit_margin`` and ``trade_position``, so average entry, realized PnL and isolated margin
follow the reference exactly). What it keeps grows with accounts and open positions, never
with events.

Accounting (``perpspec/reference/engine/state.py``): cash = wallet + isolated margins; every
event moves cash between named accounts, and the movements the ledger does not record are
inferred by fixed rules, stated here once:

- ``liquidation``: the trader's slice goes to ``engine:<market>`` at the stated bankruptcy
  price (at the mark when it is none).
- ``insurance``: the fund's counter-leg by reason (``waterfall.py``): ``liquidation_margin``
  from the liquidated trader (isolated margin while the position is open, else wallet),
  ``negative_balance`` to the trader; ``liquidation_fee``, ``liquidation_surplus``,
  ``liquidation_deficit`` and ``socialized_loss`` against the engine account. Any other
  reason, or one outside a liquidation's settlement, has no counter-leg (conservation says so).
- ``socialized_loss``: from the charged account's margin to the engine account.
- When the settlement closes (the first event not belonging to it): a liquidation fee with no
  ``liquidation_fee`` insurance entry went to ``fees``; a trader taken over at the mark (no
  bankruptcy price) and left below zero is made whole by ``system_loss``; the engine's
  remaining loss is booked to ``system_loss`` when the last resort ran out (a socialized
  share was recorded, or the fund holds less than one settlement unit, which pays nothing),
  and so is its remaining gain after socialized charges (the floor residue of
  ``haircut_ratio`` payouts); otherwise, with a profile whose
  ``surplus_to = "trader"``, the engine's remaining gain is refunded to the trader; ADL fees
  follow the profile's ``fee_policy`` (none without a profile).
- ADL fills are replayed at their stated price. Under ``adl.fill_price = "mark"`` the
  engine's gap against the takeover price is booked by the entries and rules above
  (``liquidation_surplus`` or ``liquidation_deficit`` entries, then ``system_loss`` once the
  fund is empty), as ``waterfall._book_adl_gap`` books it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

from perpspec.reference.adl.fees import FeePolicy, compute_adl_fill_fees, compute_fill_notional
from perpspec.reference.engine.accounts import compute_account_cash, iter_cross_positions
from perpspec.reference.engine.config import EngineConfig
from perpspec.reference.engine.exchange import Exchange
from perpspec.reference.engine.inputs import process_instrument
from perpspec.reference.engine.state import MarketState, PositionState, get_engine_account
from perpspec.reference.events import (
    AdlEvent,
    BalanceEvent,
    DepositEvent,
    FundingEvent,
    InstrumentEvent,
    InsuranceEvent,
    LiquidationEvent,
    LiquidationFillEvent,
    MarginTransferEvent,
    MarkEvent,
    SocializedLossEvent,
    TradeEvent,
    WithdrawalEvent,
)
from perpspec.reference.insurance.fund import get_fund_account
from perpspec.reference.liquidation.settlement import (
    Fill,
    Side,
    SurplusTo,
    compute_fill_surplus,
    is_fill_executable,
)
from perpspec.reference.margin.pnl import compute_unrealized_pnl
from perpspec.reference.numbers import Rounding, quantize
from perpspec.reference.prices.position_prices import MarginMode
from perpspec.reference.profile import Profile, load_profile

__all__ = [
    "ENGINE_COUNTER_REASONS",
    "TRADER_COUNTER_REASONS",
    "AuditBook",
    "Settlement",
    "get_side_sign",
    "get_takeover_price",
]

TRADER_COUNTER_REASONS = frozenset({"liquidation_margin", "negative_balance"})
ENGINE_COUNTER_REASONS = frozenset(
    {"liquidation_fee", "liquidation_surplus", "liquidation_deficit", "socialized_loss"}
)
ZERO = Fraction(0)


def get_takeover_price(liquidation: LiquidationEvent) -> Fraction:
    """The price the engine took the slice over at: the stated bankruptcy price, or the mark
    when there is none (a bankruptcy price that would be <= 0 is written as null)."""
    if liquidation.bankruptcy_price is not None:
        return liquidation.bankruptcy_price
    return liquidation.mark_price


def get_side_sign(side: str) -> int:
    """+1 for a long liquidation, -1 for a short one."""
    return 1 if side == "long" else -1


@dataclass(slots=True)
class Settlement:
    """The liquidation being settled: its event and what its tail has recorded so far."""

    event: LiquidationEvent
    line: int
    asset: str
    fund: str
    engine_qty_at_open: Fraction
    engine_cash_at_open: Fraction
    filled: Fraction = ZERO
    adl: Fraction = ZERO
    adl_count: int = 0
    #: The book walk: the fills before any other event of the tail (``waterfall``: walk
    #: fills, then the leftover and split entries, then the last resort, whose sweep fills
    #: come later), their quantity and surplus against the takeover price.
    walk_open: bool = True
    walk_qty: Fraction = ZERO
    walk_surplus: Fraction = ZERO
    #: The walk's fills themselves (the fee base ``fill_notional`` is their notional).
    walk_fills: list[Fill] = field(default_factory=list)
    #: What the trader had left above the takeover price (``waterfall._settle_leftover``):
    #: the margin share that went with the slice plus its realized PnL; None while a cross
    #: account still has other positions to hand over (nothing is settled for it then).
    leftover: Fraction | None = None
    #: The fund's cash at the takeover, and what the walk may use (less a negative balance
    #: the fund pays first).
    fund_at_open: Fraction = ZERO
    walk_fund: Fraction = ZERO
    #: The last resort has begun (an ADL fill, a socialized charge, or a fill past the walk).
    resort_started: bool = False
    fee_recorded: bool = False
    socialized_recorded: bool = False
    #: ADL fills so far: account -> qty taken (for adl-order and adl-no-flip).
    adl_taken: dict[str, Fraction] = field(default_factory=dict)
    #: The ranking computed at the first ADL fill (adl-order), as account ids.
    ranking: list[str] | None = None
    #: Socialized-loss participants recomputed at the first charge (sl-participants).
    sl_expected: dict[str, Fraction] | None = None
    sl_profits: dict[str, Fraction] = field(default_factory=dict)
    sl_equities: dict[str, Fraction] = field(default_factory=dict)
    sl_loss: Fraction | None = None


class AuditBook:
    """The rebuilt state and the bookkeeping of every event type (module docstring)."""

    def __init__(self, profile: Profile | None, unit: Fraction | None = None) -> None:
        self.profile = profile
        # Without a profile the exchange still needs one for its liquidation index; the
        # checks that read profile options are skipped then, so any shipped one does. The
        # settlement unit makes fills book as the ledger's engine booked them.
        config = EngineConfig(
            profile if profile is not None else load_profile("seed-gate"), unit=unit
        )
        self.ex = Exchange(config)
        self.cash_total: dict[str, Fraction] = {}
        #: Per market: sum of q and sum of each position's uPnL at the reference price 1.
        self.open_qty: dict[str, Fraction] = {}
        self.upnl_at_one: dict[str, Fraction] = {}
        self.settlement: Settlement | None = None
        #: Each fund's settle assets: those of the markets it backs.
        self.fund_assets: dict[str, set[str]] = {}
        self.liquidation_ids: set[str] = set()

    # ---- lookups ----------------------------------------------------------------------

    def get_insurance_asset(self, event: InsuranceEvent) -> str | None:
        """The asset an insurance movement is in: its liquidation's settle asset while that
        settlement is open (a fund shared by markets of several settle assets holds each
        apart), else the fund's one asset; None for a fund no instrument names, or a
        movement outside a liquidation on a fund of several assets (``references``)."""
        settlement = self.settlement
        if settlement is not None and event.liquidation == settlement.event.id:
            return settlement.asset
        assets = self.fund_assets.get(event.fund, set())
        return next(iter(assets)) if len(assets) == 1 else None

    def get_market(self, market: str) -> MarketState | None:
        """The market, or None when the ledger never defined it."""
        return self.ex.state.markets.get(market)

    def is_known_account(self, account: str) -> bool:
        """An account the ledger has funded or otherwise booked before."""
        return account in self.ex.state.accounts

    def get_cash(self, account: str, asset: str) -> Fraction:
        """Wallet plus isolated margins of ``account`` in ``asset``."""
        holder = self.ex.state.accounts.get(account)
        if holder is None:
            return ZERO
        return compute_account_cash(holder, self.ex.state, asset)

    def get_position(self, account: str, market: str) -> PositionState | None:
        """The account's position in ``market`` (None when it never had one)."""
        holder = self.ex.state.accounts.get(account)
        return holder.positions.get(market) if holder is not None else None

    def get_qty(self, account: str, market: str) -> Fraction:
        """Signed size of the account's position (0 when none)."""
        position = self.get_position(account, market)
        return position.qty if position is not None else ZERO

    def compute_total_upnl(self, asset: str) -> Fraction:
        """Sum of every open position's uPnL in ``asset`` at the latest marks.

        Each position's uPnL is affine in the mark, ``u(P) = u(1) + q u_unit(P)`` with
        ``u_unit`` the uPnL of one unit entered at 1 (linear and inverse alike), so the sum
        is kept from two running totals per market instead of a pass over positions.
        """
        total = ZERO
        for market_id, market in self.ex.state.markets.items():
            inst = market.instrument
            if inst.settle_asset != asset:
                continue
            total += self.upnl_at_one.get(market_id, ZERO)
            qty = self.open_qty.get(market_id, ZERO)
            if qty and market.mark is not None:
                total += qty * compute_unrealized_pnl(
                    inst.kind, Fraction(1), inst.multiplier, Fraction(1), market.mark
                )
        return total

    def get_assets(self) -> list[str]:
        """Every asset the ledger has moved."""
        state = self.ex.state
        return sorted(set(self.cash_total) | set(state.deposits) | set(state.withdrawals))

    # ---- primitives that keep the running totals ---------------------------------------

    def _upnl_at_one(self, market_id: str, position: PositionState | None) -> Fraction:
        if position is None or position.qty == 0:
            return ZERO
        inst = self.ex.state.markets[market_id].instrument
        return compute_unrealized_pnl(
            inst.kind, position.qty, inst.multiplier, position.entry_price, Fraction(1)
        )

    def _add_cash(self, asset: str, delta: Fraction) -> None:
        if delta:
            self.cash_total[asset] = self.cash_total.get(asset, ZERO) + delta

    def credit(self, account: str, asset: str, amount: Fraction) -> None:
        """Cash into ``account``'s wallet (negative: out)."""
        self.ex.credit(account, asset, amount)
        self._add_cash(asset, amount)

    def credit_margin(self, account: str, market: str, amount: Fraction) -> None:
        """Cash into the position's margin (isolated margin if isolated, else the wallet)."""
        asset = self.ex.state.markets[market].instrument.settle_asset
        self.ex.credit_margin(account, market, amount)
        self._add_cash(asset, amount)

    def trade(self, account: str, market: str, signed_qty: Fraction, price: Fraction) -> Fraction:
        """A fill of ``account`` in ``market``; realized PnL to its margin (returned, as
        booked)."""
        asset = self.ex.state.markets[market].instrument.settle_asset
        position = self.ex.get_position(account, market)
        before, upnl = position.qty, self._upnl_at_one(market, position)
        # Realized PnL is the only cash the fill creates (an isolated margin handed back to
        # the wallet on close moves cash within the account): the part the account books, and
        # the rounding dust the exchange books to ``fees`` (``split_realized``).
        booked, dust = self.ex.book_fill(account, market, signed_qty, price)
        self._add_cash(asset, booked + dust)
        upnl_after = self._upnl_at_one(market, position)
        self.upnl_at_one[market] = self.upnl_at_one.get(market, ZERO) + upnl_after - upnl
        self.open_qty[market] = self.open_qty.get(market, ZERO) + position.qty - before
        return booked

    def credit_trader_margin(self, account: str, market: str, amount: Fraction) -> None:
        """Cash to a liquidated trader: its isolated margin while that position is open,
        else its wallet (``waterfall._settle_leftover``)."""
        position = self.get_position(account, market)
        asset = self.ex.state.markets[market].instrument.settle_asset
        if position is not None and position.qty != 0 and position.mode is MarginMode.ISOLATED:
            position.isolated_margin += amount
            self.ex.touch(account)
            self._add_cash(asset, amount)
        else:
            self.credit(account, asset, amount)

    # ---- the events ---------------------------------------------------------------------

    def apply_instrument(self, event: InstrumentEvent) -> None:
        """Define a market (raises SpecError for a redefinition or a bad tier table)."""
        process_instrument(self.ex, event)
        self.fund_assets.setdefault(event.fund, set()).add(event.settle_asset)

    def apply_deposit(self, event: DepositEvent) -> None:
        """Cash in."""
        state = self.ex.state
        self.credit(event.account, event.asset, event.amount)
        state.deposits[event.asset] = state.deposits.get(event.asset, ZERO) + event.amount

    def apply_withdrawal(self, event: WithdrawalEvent) -> None:
        """Cash out."""
        state = self.ex.state
        self.credit(event.account, event.asset, -event.amount)
        state.withdrawals[event.asset] = state.withdrawals.get(event.asset, ZERO) + event.amount

    def apply_mark(self, event: MarkEvent) -> None:
        """A new mark (the ADL queues, scored at the old one, are dropped)."""
        self.ex.start_mark_update()
        self.ex.state.markets[event.market].mark = event.price

    def apply_trade(self, event: TradeEvent) -> None:
        """Both sides' fills and fees (fees to ``fees``; negative: a rebate from it)."""
        asset = self.ex.state.markets[event.market].instrument.settle_asset
        for account, signed, fee in (
            (event.buyer, event.qty, event.buyer_fee),
            (event.seller, -event.qty, event.seller_fee),
        ):
            self.trade(account, event.market, signed, event.price)
            self.credit(account, asset, -fee)
            self.credit("fees", asset, fee)

    def apply_funding(self, event: FundingEvent) -> None:
        """Each payment to its position's margin."""
        for payment in event.payments:
            self.credit_margin(payment.account, event.market, payment.amount)

    def apply_margin_transfer(self, event: MarginTransferEvent) -> None:
        """Wallet to isolated margin (``inputs.process_margin_transfer``, commit part)."""
        asset = self.ex.state.markets[event.market].instrument.settle_asset
        target = self.ex.get_position(event.account, event.market)
        self.ex.touch(event.account)
        target.mode = MarginMode.ISOLATED
        target.isolated_margin += event.amount
        self.ex.credit(event.account, asset, -event.amount)
        if target.qty == 0 and target.isolated_margin == 0:
            target.mode = MarginMode.CROSS

    def open_settlement(self, event: LiquidationEvent, line: int) -> Settlement:
        """The takeover: the trader's slice to the engine account at the stated price."""
        inst = self.ex.state.markets[event.market].instrument
        engine = get_engine_account(event.market)
        settlement = Settlement(
            event,
            line,
            inst.settle_asset,
            inst.fund,
            self.get_qty(engine, event.market),
            self.get_cash(engine, inst.settle_asset),
        )
        self.settlement = settlement
        self.liquidation_ids.add(event.id)
        price = get_takeover_price(event)
        side = get_side_sign(event.side)
        share = self._handed_share(event, inst.settle_asset)
        realized = self.trade(event.account, event.market, -side * event.qty, price)
        self.trade(engine, event.market, side * event.qty, price)
        fund_cash = self.get_cash(get_fund_account(inst.fund), inst.settle_asset)
        settlement.fund_at_open = settlement.walk_fund = fund_cash
        if share is not None:
            settlement.leftover = share + realized
            if settlement.leftover < 0:
                settlement.walk_fund -= min(-settlement.leftover, max(fund_cash, ZERO))
        return settlement

    def _handed_share(self, event: LiquidationEvent, asset: str) -> Fraction | None:
        """The collateral that goes with the slice (``waterfall._liquidate_isolated`` and
        ``_liquidate_cross``): its share of the isolated margin, or of the wallet once no other
        cross position is left; None while one is."""
        position = self.get_position(event.account, event.market)
        if position is None or position.qty == 0:
            return None
        # A slice larger than the position (oi-balance's to flag) hands over all of it.
        share = min(event.qty, abs(position.qty)) / abs(position.qty)
        if position.mode is MarginMode.ISOLATED:
            return position.isolated_margin * share
        holder = self.ex.state.accounts[event.account]
        for market, _ in iter_cross_positions(holder, self.ex.state, asset):
            if market.instrument.market != event.market:
                return None
        return holder.wallet.get(asset, ZERO) * share

    def apply_liquidation_fill(self, event: LiquidationFillEvent, settlement: Settlement) -> None:
        """The engine closes part of the slice against ``counterparty``."""
        market = settlement.event.market
        side = get_side_sign(settlement.event.side)
        self.trade(get_engine_account(market), market, -side * event.qty, event.price)
        self.trade(event.counterparty, market, side * event.qty, event.price)
        settlement.filled += event.qty
        if not settlement.walk_open:
            settlement.resort_started = True
            return
        inst = self.ex.state.markets[market].instrument
        liquidation = settlement.event
        fill = Fill(event.qty, event.price)
        surplus = compute_fill_surplus(
            Side(liquidation.side),
            inst.kind,
            get_takeover_price(liquidation),
            fill,
            inst.multiplier,
        )
        # The walk executes a fill only while the fund can pay (``settlement``): the first
        # one it could not is the last resort's sweep, even with no entry in between.
        if not is_fill_executable(settlement.walk_fund, settlement.walk_surplus, surplus):
            settlement.walk_open = False
            settlement.resort_started = True
            return
        settlement.walk_qty += event.qty
        settlement.walk_fills.append(fill)
        settlement.walk_surplus += surplus

    def apply_insurance(self, event: InsuranceEvent, settlement: Settlement | None) -> None:
        """The fund moves; its counter-leg by reason (module docstring)."""
        asset = self.get_insurance_asset(event)
        if asset is None:
            return
        self.credit(get_fund_account(event.fund), asset, event.amount)
        if settlement is None or event.liquidation != settlement.event.id:
            return
        settlement.walk_open = False
        liquidation = settlement.event
        if event.reason in TRADER_COUNTER_REASONS:
            self.credit_trader_margin(liquidation.account, liquidation.market, -event.amount)
        elif event.reason in ENGINE_COUNTER_REASONS:
            self.credit(get_engine_account(liquidation.market), asset, -event.amount)
        if event.reason == "liquidation_fee":
            settlement.fee_recorded = True
        if event.reason == "socialized_loss":
            settlement.socialized_recorded = True

    def apply_adl(self, event: AdlEvent, settlement: Settlement) -> None:
        """The counterparty closes against the engine; ADL fees by the profile."""
        settlement.walk_open = False
        settlement.resort_started = True
        liquidation = settlement.event
        market = liquidation.market
        side = get_side_sign(liquidation.side)
        self.trade(event.account, market, side * event.qty, event.price)
        self.trade(get_engine_account(market), market, -side * event.qty, event.price)
        settlement.adl += event.qty
        settlement.adl_count += 1
        settlement.adl_taken[event.account] = (
            settlement.adl_taken.get(event.account, ZERO) + event.qty
        )
        self._charge_adl_fees(event, settlement)

    def _charge_adl_fees(self, event: AdlEvent, settlement: Settlement) -> None:
        options = self.profile.adl if self.profile is not None else None
        if options is None or options.fee_policy is FeePolicy.NONE:
            return
        inst = self.ex.state.markets[settlement.event.market].instrument
        asset = inst.settle_asset
        fees = compute_adl_fill_fees(
            compute_fill_notional(event.qty, event.price, inst.multiplier, inst.kind),
            options.fee_policy,
            options.maker_fee_rate,
            options.taker_fee_rate,
        )
        account = settlement.event.account
        liquidated_fee = min(
            fees.liquidated_fee, max(self.ex.state.accounts[account].wallet.get(asset, ZERO), ZERO)
        )
        self.credit(event.account, asset, -fees.counterparty_fee)
        self.credit(account, asset, -liquidated_fee)
        self.credit("fees", asset, fees.counterparty_fee + liquidated_fee)

    def apply_socialized(self, event: SocializedLossEvent, settlement: Settlement) -> None:
        """The charge leaves the account's margin for the engine account."""
        settlement.walk_open = False
        settlement.resort_started = True
        market = settlement.event.market
        self.credit_margin(event.account, market, -event.amount)
        self.credit(get_engine_account(market), settlement.asset, event.amount)
        settlement.socialized_recorded = True

    def close_settlement(self) -> Settlement | None:
        """Book what the settlement leaves unrecorded (module docstring); return it."""
        settlement = self.settlement
        if settlement is None:
            return None
        self.settlement = None
        liquidation = settlement.event
        asset = settlement.asset
        engine = get_engine_account(liquidation.market)
        if liquidation.fee and not settlement.fee_recorded:
            self.credit(engine, asset, -liquidation.fee)
            self.credit("fees", asset, liquidation.fee)
        if liquidation.bankruptcy_price is None:
            self._make_whole(liquidation, asset)
        residual = self.get_cash(engine, asset) - settlement.engine_cash_at_open
        if residual > 0 and settlement.socialized_recorded:
            # the floor residue of haircut payouts (charges above the loss) is system_loss's
            self.credit(engine, asset, -residual)
            self.credit("system_loss", asset, residual)
        elif residual > 0 and self._refunds_surplus():
            self.credit(engine, asset, -residual)
            self.credit_trader_margin(liquidation.account, liquidation.market, residual)
        elif residual < 0 and self._last_resort_ran_out(settlement):
            self.credit(engine, asset, -residual)
            self.credit("system_loss", asset, residual)
        return settlement

    def write_off(self, settlement: Settlement) -> None:
        """After the settlement checks: inventory the engine account still holds from it goes
        to ``system_loss`` at the takeover price, so one fault is reported once (its later
        fills would otherwise show as fresh faults)."""
        liquidation = settlement.event
        engine = get_engine_account(liquidation.market)
        left = self.get_qty(engine, liquidation.market) - settlement.engine_qty_at_open
        if not left:
            return
        price = get_takeover_price(liquidation)
        self.trade(engine, liquidation.market, -left, price)
        self.trade("system_loss", liquidation.market, left, price)

    def _make_whole(self, liquidation: LiquidationEvent, asset: str) -> None:
        position = self.get_position(liquidation.account, liquidation.market)
        if position is not None and position.qty != 0 and position.mode is MarginMode.ISOLATED:
            short = -position.isolated_margin
        else:
            holder = self.ex.state.accounts[liquidation.account]
            short = -holder.wallet.get(asset, ZERO)
        if short > 0:
            self.credit_trader_margin(liquidation.account, liquidation.market, short)
            self.credit("system_loss", asset, -short)

    def _refunds_surplus(self) -> bool:
        return self.profile is not None and self.profile.liquidation.surplus_to is SurplusTo.TRADER

    def _last_resort_ran_out(self, settlement: Settlement) -> bool:
        fund_cash = self.get_cash(get_fund_account(settlement.fund), settlement.asset)
        unit = self.ex.config.unit
        # the fund pays in whole units (a payout rounds DOWN): less than one unit pays nothing
        payable = fund_cash if unit is None else quantize(fund_cash, unit, Rounding.DOWN)
        return settlement.socialized_recorded or payable <= 0

    def apply_balance(self, event: BalanceEvent) -> None:
        """An assertion moves nothing."""
