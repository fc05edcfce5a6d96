"""The exchange: state, liquidation index, sequence stamping, and the bookkeeping primitives.

Every change of cash or position goes through :meth:`Exchange.credit`,
:meth:`Exchange.credit_margin` or :meth:`Exchange.trade_position`, so conservation has
exactly those places to hold. Each marks the account it touched; :meth:`Exchange.flush`
re-indexes every marked account, and runs before every scan of the index and at the end of
every step, so no index entry is ever stale when read.
"""

from __future__ import annotations

from fractions import Fraction

from perpspec.reference.engine.accounts import (
    compute_cross_equity,
    compute_position_upnl,
    is_account_cross_liquidatable,
    is_position_isolated_liquidatable,
    iter_cross_positions,
)
from perpspec.reference.engine.config import EngineConfig
from perpspec.reference.engine.index import LiquidationIndex
from perpspec.reference.engine.ranking import SideQueue
from perpspec.reference.engine.state import (
    AccountState,
    ExchangeState,
    MarketState,
    PositionState,
    is_system_account,
)
from perpspec.reference.errors import SpecError
from perpspec.reference.margin.pnl import Position, apply_fill
from perpspec.reference.numbers import Rounding, quantize
from perpspec.reference.prices.position_prices import (
    MarginContext,
    MarginMode,
    compute_liquidation_price,
)
from perpspec.reference.profile import LastResort

__all__ = ["Exchange", "check_engine_profile", "split_realized"]


def split_realized(realized: Fraction, unit: Fraction | None) -> tuple[Fraction, Fraction]:
    """Realized PnL as booked, and the dust: exact, or rounded DOWN to the settlement unit.

    Down for a gain is a payout rounded down, down for a loss a charge rounded up (DESIGN,
    Arithmetic); the dust (less than one unit, >= 0) is booked to ``fees`` so conservation
    stays exact. Without a unit the average entry's rational turns every wallet into a
    rational whose denominator grows with each trade.

    Implements rule `engine.settlement-unit`.
    """
    if unit is None:
        return realized, Fraction(0)
    booked = quantize(realized, unit, Rounding.DOWN)
    return booked, realized - booked


def check_engine_profile(config: EngineConfig) -> None:
    """Refuse, before any event, the profile options the engine does not implement.

    Refusing up front keeps every step whole: a mark update never stops half-way because
    its last resort turned out to be unsupported (invariant ``frame``).
    """
    profile = config.profile
    if profile.last_resort is LastResort.ADL and profile.adl is None:
        raise SpecError(f"profile {profile.name}: last_resort.method = adl needs [adl]")


class Exchange:
    """The engine's mutable core. :func:`perpspec.reference.engine.engine.apply` wraps it purely."""

    def __init__(self, config: EngineConfig, state: ExchangeState | None = None) -> None:
        check_engine_profile(config)
        self.config = config
        self.state = state if state is not None else ExchangeState()
        self.index = LiquidationIndex()
        self.dirty: set[str] = set(self.state.accounts)
        #: Accounts changed during the current mark update, in order (read by the ADL queues).
        self.change_log: list[str] = []
        self.queues: dict[tuple[str, int], tuple[SideQueue, int]] = {}
        self.flush()

    # ---- lookups -------------------------------------------------------------------------

    def get_market(self, market: str) -> MarketState:
        """The market, or a SpecError naming it."""
        found = self.state.markets.get(market)
        if found is None:
            raise SpecError(f"market: unknown market {market!r}")
        return found

    def get_account(self, account: str) -> AccountState:
        """An existing account, or a SpecError naming it."""
        found = self.state.accounts.get(account)
        if found is None:
            raise SpecError(f"account: unknown account {account!r}")
        return found

    def get_position(self, account: str, market: str) -> PositionState:
        """The account's position in ``market`` (created flat when absent)."""
        holder = self.state.accounts.setdefault(account, AccountState())
        return holder.positions.setdefault(market, PositionState())

    def touch(self, account: str) -> None:
        """Note that ``account``'s cash or positions changed (index and ADL queues follow)."""
        self.dirty.add(account)
        self.change_log.append(account)

    def start_mark_update(self) -> None:
        """Forget the ADL queues: scores depend on the mark, which is about to change."""
        self.change_log.clear()
        self.queues.clear()

    def next_seq(self) -> int:
        """Stamp the next sequence number."""
        self.state.seq += 1
        return self.state.seq

    # ---- bookkeeping ---------------------------------------------------------------------

    def credit(self, account: str, asset: str, amount: Fraction) -> None:
        """Move ``amount`` of cash into ``account``'s wallet (negative: out of it)."""
        holder = self.state.accounts.setdefault(account, AccountState())
        holder.wallet[asset] = holder.wallet.get(asset, Fraction(0)) + amount
        self.touch(account)

    def credit_margin(self, account: str, market: str, amount: Fraction) -> None:
        """Cash into the position's margin: isolated margin if isolated, else the wallet."""
        position = self.get_position(account, market)
        self.touch(account)
        if position.mode is MarginMode.ISOLATED:
            position.isolated_margin += amount
        else:
            self.credit(account, self.get_market(market).instrument.settle_asset, amount)

    def get_unit(self, account: str) -> Fraction | None:
        """The settlement unit ``account``'s realized PnL is booked in: the configured one for
        traders, none (exact) for the system accounts.

        The liquidation engine's realized PnL is the net surplus that
        :func:`~perpspec.reference.liquidation.settlement.settle_liquidation` splits exactly
        (fee, fund share, refund); rounding it would leave the dust in ``engine:<market>``
        after the settlement (invariant ``liquidation-settled``; an inverse market's surplus
        in coin is rarely a multiple of the unit).
        """
        return None if is_system_account(account) else self.config.unit

    def round_realized(
        self, realized: Fraction, asset: str, account: str
    ) -> tuple[Fraction, Fraction]:
        """Book realized PnL (:func:`split_realized`, in ``account``'s unit): the dust goes
        to ``fees``; return the part the account books and that dust."""
        booked, dust = split_realized(realized, self.get_unit(account))
        if dust:
            self.credit("fees", asset, dust)
        return booked, dust

    def trade_position(
        self, account: str, market: str, signed_qty: Fraction, price: Fraction
    ) -> Fraction:
        """Apply a fill to ``account``'s position (:meth:`book_fill`); return the realized
        PnL the account booked."""
        return self.book_fill(account, market, signed_qty, price)[0]

    def book_fill(
        self, account: str, market: str, signed_qty: Fraction, price: Fraction
    ) -> tuple[Fraction, Fraction]:
        """Apply a fill to ``account``'s position; realized PnL goes to its margin, its
        rounding dust to ``fees``. Return both: together they are all the cash the fill
        creates.

        A position closed to flat hands its isolated margin back to the wallet and returns to
        cross mode (the next position is cross unless margin is transferred in again).
        """
        inst = self.get_market(market).instrument
        position = self.get_position(account, market)
        moved, realized = apply_fill(
            inst.kind,
            inst.multiplier,
            Position(position.qty, position.entry_price),
            signed_qty,
            price,
            self.get_unit(account),
        )
        position.qty, position.entry_price = moved.qty, moved.entry_price
        booked, dust = self.round_realized(realized, inst.settle_asset, account)
        self.credit_margin(account, market, booked)
        if position.qty == 0 and position.mode is MarginMode.ISOLATED:
            self.credit(account, inst.settle_asset, position.isolated_margin)
            position.isolated_margin = Fraction(0)
            position.mode = MarginMode.CROSS
        return booked, dust

    # ---- the liquidation index -----------------------------------------------------------

    def flush(self) -> None:
        """Re-index every account changed since the last flush."""
        for account in sorted(self.dirty):
            self.reindex(account)
        self.dirty.clear()

    def reindex(self, account: str) -> None:
        """Recompute where ``account``'s positions sit in the liquidation index."""
        holder = self.state.accounts.get(account)
        if holder is None:
            return
        markets = list(holder.positions)
        assets = sorted({self.state.markets[m].instrument.settle_asset for m in markets})
        self.index.remove_account(account, markets, assets)
        for market_id in markets:
            position = holder.positions[market_id]
            if position.qty != 0 and position.mode is MarginMode.ISOLATED:
                self._index_isolated(account, market_id, position)
        for asset in assets:
            self._index_cross(account, holder, asset)

    def _index_isolated(self, account: str, market_id: str, position: PositionState) -> None:
        market = self.state.markets[market_id]
        price = self._liquidation_price(market, position, position.isolated_margin)
        self._place(account, market_id, market, position, price, is_cross=False)

    def _index_cross(self, account: str, holder: AccountState, asset: str) -> None:
        positions = list(iter_cross_positions(holder, self.state, asset))
        if not positions:
            return
        if len(positions) > 1:
            self.index.add_always(account, asset)
            return
        market, position = positions[0]
        wallet = holder.wallet.get(asset, Fraction(0))
        price = self._liquidation_price(market, position, wallet)
        self._place(account, market.instrument.market, market, position, price, is_cross=True)

    def _liquidation_price(
        self, market: MarketState, position: PositionState, collateral: Fraction
    ) -> Fraction | None:
        inst = market.instrument
        options = self.config.profile.margin
        return compute_liquidation_price(
            inst.kind,
            inst.tiers,
            1 if position.qty > 0 else -1,
            abs(position.qty),
            inst.multiplier,
            position.entry_price,
            MarginContext(MarginMode.ISOLATED, collateral),
            options.maintenance_basis,
            options.close_fee_rate,
        )

    def _place(
        self,
        account: str,
        market_id: str,
        market: MarketState,
        position: PositionState,
        price: Fraction | None,
        is_cross: bool,
    ) -> None:
        if price is not None:
            self.index.add_price(account, market_id, "long" if position.qty > 0 else "short", price)
            return
        # "None": either never liquidatable or liquidatable at every price; the condition at
        # the current mark tells which, since it does not depend on the mark in either case.
        if self.is_liquidatable(account, market_id, is_cross):
            self.index.add_always(account, market.instrument.settle_asset)

    # ---- the trigger ---------------------------------------------------------------------

    def is_liquidatable(self, account: str, market_id: str, is_cross: bool) -> bool:
        """The exact liquidation condition of a position (isolated) or its account (cross)."""
        holder = self.state.accounts[account]
        market = self.state.markets[market_id]
        options = self.config.profile.margin
        if not is_cross:
            return is_position_isolated_liquidatable(
                market,
                holder.positions[market_id],
                options.maintenance_basis,
                options.close_fee_rate,
            )
        return is_account_cross_liquidatable(
            holder,
            self.state,
            market.instrument.settle_asset,
            options.maintenance_basis,
            options.close_fee_rate,
        )

    def compute_equity(self, account: str, asset: str) -> Fraction:
        """Cross equity plus isolated margin balances in ``asset``: what the account is worth."""
        holder = self.state.accounts[account]
        equity = compute_cross_equity(holder, self.state, asset)
        for market_id, position in holder.positions.items():
            market = self.state.markets[market_id]
            if position.mode is MarginMode.ISOLATED and market.instrument.settle_asset == asset:
                equity += position.isolated_margin + compute_position_upnl(market, position)
        return equity
