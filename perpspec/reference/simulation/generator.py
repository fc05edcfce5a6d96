"""The simulated market's inputs, generated lazily from a :class:`SimulationSpec`.

Order of the inputs, stated once (docs/simulate.md, What is generated):

1. Setup, at ``start_ts``: one ``instrument`` per market (its fund from the profile's
   ``[insurance]`` mapping); a deposit seeding each market's insurance fund with
   ``insurance_per_account * accounts``; the market maker's deposit per market; the first
   mark per market; one deposit per trader (log-uniform size, in its market's asset).
2. Each step ``k = 1..steps``, at ``start_ts + k * step_seconds``: a mark per market; funding
   per market when ``k`` is a multiple of ``funding_interval``; ``trades_per_step`` trading
   decisions; then, with 5% chance each, one withdrawal request and one margin transfer.

Everything is drawn from one ``random.Random(seed)`` in that order, so a spec (with the fee
rates, fund mapping and market maker of the config) fixes every input. Memory is O(accounts):
the traders' own views (:mod:`.traders`), never the steps. The generator never reads the
engine (open loop, :mod:`.traders` says why), so some inputs are refused by the engine; they
stay in the ledger as rejections.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from datetime import timedelta
from fractions import Fraction

from perpspec.reference.engine.config import EngineConfig
from perpspec.reference.errors import SpecError
from perpspec.reference.events import (
    DepositEvent,
    Event,
    FundingEvent,
    InstrumentEvent,
    MarginTransferEvent,
    MarkEvent,
    TradeEvent,
    WithdrawalEvent,
)
from perpspec.reference.margin.pnl import compute_position_value
from perpspec.reference.numbers import Rounding, quantize
from perpspec.reference.simulation.draws import draw_fraction, draw_log_uniform, is_drawn
from perpspec.reference.simulation.marks import MarkWalk, draw_shock
from perpspec.reference.simulation.sources import IndexInputs
from perpspec.reference.simulation.spec import SimulationSpec, get_start_time
from perpspec.reference.simulation.traders import (
    MarketBook,
    Trader,
    apply_funding,
    apply_liquidations,
    apply_trader_fill,
    compute_affordable_value,
    compute_equity,
    compute_initial_margin,
    compute_qty_for_value,
    reindex_trader,
)
from perpspec.reference.trading_fee import compute_trading_fee

__all__ = [
    "ASSET_UNIT",
    "DEFAULT_MARKET_MAKER",
    "ProgressCallback",
    "compute_trade_fee",
    "draw_leverage",
    "generate_inputs",
    "get_timestamp",
    "pick_weighted",
]

ProgressCallback = Callable[[int, int], None]

#: Cash amounts (fees, transfers, withdrawals) are whole multiples of 10**-8 of the asset.
ASSET_UNIT = Fraction(1, 10**8)

#: The liquidity model's default account (perpspec.reference.engine.liquidity).
DEFAULT_MARKET_MAKER = "market-maker"

#: Per-step chances, in per mille, of one withdrawal request and one margin transfer.
WITHDRAWAL_PER_MILLE = 50
TRANSFER_PER_MILLE = 50
#: Share of traders who use isolated margin, and of trades matched with another trader.
ISOLATED_PERCENT = 30
TRADER_COUNTERPARTY_PERCENT = 20
#: A flat trader with less than a tenth of the smallest deposit tops up with this chance.
REDEPOSIT_PER_MILLE = 300
#: Funding rates are drawn in millionths from this range (positive more often: longs pay).
FUNDING_PPM = (-50, 150)


def compute_trade_fee(book: MarketBook, qty: Fraction, price: Fraction, rate: Fraction) -> Fraction:
    """Trade fee = notional * rate (profile ``trading``), rounded UP to :data:`ASSET_UNIT`.

    Up (toward plus infinity) so a charge is never below the exact fee and a rebate
    (negative rate) never above it (DESIGN, Arithmetic: charges up, payouts down). The whole
    rounded fee goes to ``fees``, so nothing is left to book.
    """
    notional = compute_position_value(book.kind, qty, book.spec.multiplier, price)
    return compute_trading_fee(notional, rate, ASSET_UNIT)


def draw_leverage(rng: random.Random) -> int:
    """A trader's target leverage: 45% 1-10x, 35% 11-50x, 20% 51-125x (near the tier max).

    Traders size positions to it, capped by the tier table (:func:`compute_affordable_value`).
    """
    band = rng.randrange(100)
    if band < 45:
        return rng.randint(1, 10)
    if band < 80:
        return rng.randint(11, 50)
    return rng.randint(51, 125)


def pick_weighted(pick: int, weights: list[int]) -> int:
    """The index whose cumulative weight range holds ``pick`` (0 <= pick < sum of weights).

    One pass over the weights bounds the search; a pick outside the total is refused rather
    than read past the list.
    """
    for index, weight in enumerate(weights):
        if pick < weight:
            return index
        pick -= weight
    raise SpecError(f"pick: beyond the total weight {sum(weights)}")


def get_timestamp(spec: SimulationSpec, step: int) -> str:
    """The time of step ``step`` (0: setup) in ISO 8601 UTC, to the second."""
    moment = get_start_time(spec.start_ts) + timedelta(seconds=step * spec.step_seconds)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _sign(value: Fraction) -> int:
    return 1 if value > 0 else -1


class _Market:
    """The generator's state: the RNG, the mark walks, the books and the traders."""

    def __init__(self, spec: SimulationSpec, config: EngineConfig | None) -> None:
        self.spec = spec
        self.rng = random.Random(spec.seed)
        self.maker = config.liquidity.account if config is not None else DEFAULT_MARKET_MAKER
        if config is not None:
            trading = config.profile.trading
            self.maker_rate, self.taker_rate = trading.maker_fee_rate, trading.taker_fee_rate
            funds = [config.profile.insurance.get_fund_id(m.market) for m in spec.markets]
        else:
            self.maker_rate, self.taker_rate = Fraction(0), Fraction(0)
            funds = [m.market for m in spec.markets]
        self.books = [
            MarketBook.create(m, fund) for m, fund in zip(spec.markets, funds, strict=True)
        ]
        self.walks = [MarkWalk(m) for m in spec.markets]
        self.shock = draw_shock(self.rng, spec.scenario, spec.steps)
        self.traders: list[Trader] = []
        self.index: IndexInputs | None = None
        if spec.index_inputs:
            if config is None:
                raise SpecError("--index: index inputs need a profile's [index] and [mark]")
            self.index = IndexInputs(spec, config.profile)

    def _iter_mark(self, book: MarketBook, step: int, ts: str) -> Iterator[Event]:
        """The market's mark at ``step``: with index inputs, the index record before it and
        the mark that record derives; else the walk's price."""
        price = book.mark
        if self.index is not None:
            start = None if self.shock is None else self.shock.start
            record, price = self.index.make_record(book.spec.market, step, ts, book.mark, start)
            yield record
        yield MarkEvent(0, ts, book.spec.market, price)

    # ---- setup -------------------------------------------------------------------------

    def iter_setup(self) -> Iterator[Event]:
        """Instruments, fund seeds, the market maker, first marks and trader deposits."""
        ts = get_timestamp(self.spec, 0)
        for book in self.books:
            m = book.spec
            yield InstrumentEvent(
                0, ts, m.market, m.kind, m.multiplier, m.tick_size, m.lot_size, m.tiers,
                book.fund, m.settle_asset,
            )  # fmt: skip
        for book in self.books:
            seed = book.spec.insurance_per_account * self.spec.accounts
            if seed > 0:
                yield DepositEvent(0, ts, f"insurance:{book.fund}", book.spec.settle_asset, seed)
        for book in self.books:
            yield DepositEvent(0, ts, self.maker, book.spec.settle_asset, book.spec.maker_deposit)
        for book in self.books:
            yield from self._iter_mark(book, 0, ts)
        width = len(str(self.spec.accounts))
        weights = [book.spec.trader_weight for book in self.books]
        for number in range(self.spec.accounts):
            yield self._create_trader(f"trader-{number + 1:0{width}d}", weights, ts)

    def _create_trader(self, name: str, weights: list[int], ts: str) -> DepositEvent:
        rng = self.rng
        market = pick_weighted(rng.randrange(sum(weights)), weights)
        book = self.books[market]
        amount = draw_log_uniform(rng, *book.spec.deposit_exponents)
        leverage = draw_leverage(rng)
        isolated = rng.randrange(100) < ISOLATED_PERCENT
        self.traders.append(Trader(name, market, isolated, leverage, amount))
        book.traders.append(len(self.traders) - 1)
        return DepositEvent(0, ts, name, book.spec.settle_asset, amount)

    # ---- one step ----------------------------------------------------------------------

    def iter_step(self, step: int) -> Iterator[Event]:
        """Marks, funding when due, trading decisions, then the occasional cash movements."""
        ts = get_timestamp(self.spec, step)
        for book, walk in zip(self.books, self.walks, strict=True):
            book.mark = walk.apply_step(self.rng, step, self.shock)
            yield from self._iter_mark(book, step, ts)
            apply_liquidations(book, self.traders)
        if step % self.spec.funding_interval == 0:
            for book in self.books:
                rate = Fraction(self.rng.randint(*FUNDING_PPM), 1_000_000)
                if self.index is not None:
                    # drawn all the same, so the run's other draws stay those without --index
                    rate = self.index.settle_funding_rate(book.spec.market, rate)
                yield FundingEvent(0, ts, book.spec.market, rate, ())
                apply_funding(book, self.traders, rate)
        for _ in range(self.spec.trades_per_step):
            yield from self._iter_trading_decision(ts)
        if is_drawn(self.rng, WITHDRAWAL_PER_MILLE):
            yield from self._iter_withdrawal(ts)
        if is_drawn(self.rng, TRANSFER_PER_MILLE):
            yield from self._iter_transfer(ts)

    # ---- trading -----------------------------------------------------------------------

    def _iter_trading_decision(self, ts: str) -> Iterator[Event]:
        """One trader decides: top up, open, add, reduce or close (docs/simulate.md)."""
        rng = self.rng
        number = rng.randrange(len(self.traders))
        trader = self.traders[number]
        book = self.books[trader.market]
        lot = book.spec.lot_size
        if trader.qty == 0:
            low = book.spec.deposit_exponents[0]
            if trader.wallet + trader.margin < Fraction(10) ** low / 10:
                if is_drawn(rng, REDEPOSIT_PER_MILLE):
                    amount = draw_log_uniform(rng, *book.spec.deposit_exponents)
                    trader.wallet += amount
                    yield DepositEvent(0, ts, trader.name, book.spec.settle_asset, amount)
                return
            if trader.isolated and not trader.is_isolated:
                amount = quantize(
                    trader.wallet * draw_fraction(rng, 50, 95), ASSET_UNIT, Rounding.DOWN
                )
                if amount > 0:
                    trader.wallet -= amount
                    trader.margin += amount
                    trader.is_isolated = True
                    yield MarginTransferEvent(0, ts, trader.name, book.spec.market, amount)
            side = 1 if rng.randrange(2) else -1
            equity = compute_equity(book, trader)
            desired = equity * trader.leverage * draw_fraction(rng, 50, 100)
            qty = compute_qty_for_value(book, compute_affordable_value(book, equity, desired))
        else:
            held = abs(trader.qty)
            choice = rng.randrange(100)
            side, qty = -_sign(trader.qty), held
            if choice < 40:
                equity = compute_equity(book, trader)
                desired = equity * trader.leverage * draw_fraction(rng, 60, 100)
                target = compute_qty_for_value(
                    book, compute_affordable_value(book, equity, desired)
                )
                if target - held >= lot:
                    side, qty = _sign(trader.qty), target - held
                else:
                    choice = 40
            if 40 <= choice < 80:
                qty = max(quantize(held * draw_fraction(rng, 10, 90), lot, Rounding.DOWN), lot)
        if qty >= lot:
            yield self._make_trade(number, side, qty, ts)

    def _pick_trader_counterparty(self, number: int, side: int, qty: Fraction) -> int | None:
        """Another trader of the market who can take the other side, or None (the maker).

        A trader takes a trade that reduces its position, or one whose new position's IM
        fits in its equity (:func:`compute_affordable_value`).
        """
        rng = self.rng
        book = self.books[self.traders[number].market]
        if rng.randrange(100) >= TRADER_COUNTERPARTY_PERCENT or len(book.traders) < 2:
            return None
        other_number = book.traders[rng.randrange(len(book.traders))]
        if other_number == number:
            return None
        other = self.traders[other_number]
        after = other.qty - side * qty
        if after == 0 or (abs(after) <= abs(other.qty) and _sign(after) == _sign(other.qty)):
            return other_number
        value = compute_position_value(book.kind, after, book.spec.multiplier, book.mark)
        equity = compute_equity(book, other)
        if compute_affordable_value(book, equity, value) == value:
            return other_number
        return None

    def _make_trade(self, number: int, side: int, qty: Fraction, ts: str) -> TradeEvent:
        """The taker's order filled within ``spread_ticks`` of the mark, against a maker."""
        rng = self.rng
        trader = self.traders[number]
        book = self.books[trader.market]
        m = book.spec
        price = book.mark + side * rng.randint(0, m.spread_ticks) * m.tick_size
        if price <= 0:
            price = book.mark
        other = self._pick_trader_counterparty(number, side, qty)
        taker_fee = compute_trade_fee(book, qty, price, self.taker_rate)
        maker_fee = compute_trade_fee(book, qty, price, self.maker_rate)
        apply_trader_fill(book, self.traders, number, side * qty, price, taker_fee)
        maker = self.maker
        if other is not None:
            apply_trader_fill(book, self.traders, other, -side * qty, price, maker_fee)
            maker = self.traders[other].name
        if side > 0:
            return TradeEvent(0, ts, m.market, trader.name, maker, qty, price, taker_fee, maker_fee)
        return TradeEvent(0, ts, m.market, maker, trader.name, qty, price, maker_fee, taker_fee)

    # ---- cash movements ----------------------------------------------------------------

    def _iter_withdrawal(self, ts: str) -> Iterator[Event]:
        """A trader asks for 10% to 110% of what it believes it may withdraw.

        What it may withdraw is the engine's rule: cross wallet cash, and no more than the
        equity above the cross position's IM. Asking for more is a real user's mistake; the
        engine refuses it and the trader's view does not change.
        """
        rng = self.rng
        number = rng.randrange(len(self.traders))
        trader = self.traders[number]
        book = self.books[trader.market]
        available = trader.wallet
        if trader.qty != 0 and not trader.is_isolated:
            value = compute_position_value(book.kind, trader.qty, book.spec.multiplier, book.mark)
            available = min(
                available, compute_equity(book, trader) - compute_initial_margin(book, value)
            )
        if available <= 0:
            return
        amount = quantize(available * draw_fraction(rng, 10, 110), ASSET_UNIT, Rounding.DOWN)
        if amount <= 0:
            return
        if amount <= available:
            trader.wallet -= amount
            reindex_trader(book, self.traders, number)
        yield WithdrawalEvent(0, ts, trader.name, book.spec.settle_asset, amount)

    def _iter_transfer(self, ts: str) -> Iterator[Event]:
        """An isolated trader adds margin (60%) or takes some out (40%).

        A trader in the habit of isolating whose open position is cross (it took a trade as a
        counterparty) tries to add margin to it; the engine refuses: a cross position cannot
        be converted.
        """
        rng = self.rng
        number = rng.randrange(len(self.traders))
        trader = self.traders[number]
        book = self.books[trader.market]
        if trader.qty == 0 or not trader.isolated:
            return
        market = book.spec.market
        if not trader.is_isolated or rng.randrange(100) < 60:
            amount = quantize(trader.wallet * draw_fraction(rng, 10, 50), ASSET_UNIT, Rounding.DOWN)
            if amount <= 0:
                return
            if trader.is_isolated:
                trader.wallet -= amount
                trader.margin += amount
                reindex_trader(book, self.traders, number)
            yield MarginTransferEvent(0, ts, trader.name, market, amount)
            return
        amount = quantize(trader.margin * draw_fraction(rng, 5, 40), ASSET_UNIT, Rounding.DOWN)
        if amount <= 0:
            return
        value = compute_position_value(book.kind, trader.qty, book.spec.multiplier, book.mark)
        if compute_equity(book, trader) - amount >= compute_initial_margin(book, value):
            trader.margin -= amount
            trader.wallet += amount
            reindex_trader(book, self.traders, number)
        yield MarginTransferEvent(0, ts, trader.name, market, -amount)


def generate_inputs(
    spec: SimulationSpec,
    config: EngineConfig | None = None,
    on_progress: ProgressCallback | None = None,
) -> Iterator[Event]:
    """The run's input events, lazily, in the order of the module docstring.

    ``config`` supplies the trading fee rates, the fund of each market (profile
    ``[insurance]``) and the market maker (the liquidity model's account); without it fees
    are zero, each market has its own fund and the maker is ``"market-maker"``. Events carry
    ``seq`` 0: the engine stamps them. ``on_progress(done_steps, total_steps)`` is called
    with 0 before the first event and after each step's last event has been consumed.
    """
    market = _Market(spec, config)
    if on_progress is not None:
        on_progress(0, spec.steps)
    yield from market.iter_setup()
    for step in range(1, spec.steps + 1):
        yield from market.iter_step(step)
        if on_progress is not None:
            on_progress(step, spec.steps)
