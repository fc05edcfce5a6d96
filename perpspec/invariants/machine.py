"""A hypothesis state machine with a shadow model that drives the reference engine.

DESIGN, Style: "a hypothesis RuleBasedStateMachine drives the engine with random deposits,
trades, mark moves and crashes, and checks every invariant after every step". The rules:
deposit, withdraw, trade, margin transfer, mark move, funding, crash (a gap of 5% to 30%).

The shadow model tracks what the engine must hold, independently of it: deposits minus
withdrawals per asset, the set of funded accounts, the last mark, and which inputs it knows
are invalid (an unknown account, a non-positive amount, an unknown market, a quantity that is
not a whole number of lots, a price off the tick). The engine must agree: reject what the
shadow knows is invalid, accept a valid deposit, report the shadow's totals and mark.

After every step: the state invariants (``conservation``, ``oi-balance``,
``fund-nonnegative``), ``frame`` (a rejection changed nothing; an accepted input changed
only what its rule says); after every mark also ``liq-complete``, ``liq-trigger``,
``bankruptcy-price``, ``no-negative-balance``, ``liquidation-settled`` and the ADL
invariants; at the end of a run ``replay``, ``seq-order`` and ``references``.
:data:`COUNTS` records how often each interesting case happened, so the test that runs the
machine can fail when a case never occurred.
"""

from __future__ import annotations

from collections import Counter
from fractions import Fraction

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from perpspec.invariants.predicates import (
    Violation,
    find_adl_violations,
    find_bankruptcy_price_violations,
    find_frame_violations,
    find_funding_rate_violations,
    find_funding_violations,
    find_liquidatable,
    find_mark_price_violations,
    find_negative_balances,
    find_reference_violations,
    find_seq_violations,
    find_state_violations,
    find_unsettled_liquidations,
    find_untriggered_liquidations,
    with_mark,
)
from perpspec.invariants.strategies import ENGINE_PROFILES, TS
from perpspec.reference.adl.allocation import FillPrice
from perpspec.reference.engine.config import EngineConfig
from perpspec.reference.engine.engine import Engine, replay
from perpspec.reference.engine.liquidity import LiquidityModel
from perpspec.reference.engine.state import ExchangeState, is_system_account
from perpspec.reference.events import (
    DepositEvent,
    Event,
    FundingEvent,
    IndexEvent,
    IndexQuote,
    InstrumentEvent,
    InsuranceEvent,
    LiquidationEvent,
    MarginTransferEvent,
    MarkEvent,
    RejectionEvent,
    TierSpec,
    TradeEvent,
    WithdrawalEvent,
)
from perpspec.reference.instrument import find_tier
from perpspec.reference.margin.pnl import compute_position_value
from perpspec.reference.profile import load_profile

__all__ = ["COUNTS", "INTERESTING", "MARKET", "TRADERS", "WaterfallMachine"]

MARKET = "BTC-PERP"
#: Traders; the last is never funded at the start, so it is unknown until a deposit.
TRADERS = ("a", "b", "c", "d", "late")
#: The cases a run must reach somewhere for its checks to have teeth.
INTERESTING = (
    "liquidation",
    "fund_exhausted",
    "adl",
    "socialized_loss",
    "tier_crossing",
    "rejection",
    "accepted_trade",
    "crash",
    "index_record",
    "indexed_funding",
)
#: Occurrences of each interesting case over every run since the last reset.
COUNTS: Counter[str] = Counter()

_START = Fraction(20_000)
#: The shipped profiles whose last resort is socialized loss.
SOCIALIZED_PROFILES = ("seed-socialized", "drift", "percolator")


def _instrument(kind: str) -> InstrumentEvent:
    """Two tiers, the second at a value of 20,000 USD (1 BTC at the start), by the recurrence.

    Linear: 20,000 x (0.01 - 0.005) = 100 USDT. Inverse (values in BTC, 10 USD contracts):
    1 x (0.01 - 0.005) = 0.005 BTC.
    """
    if kind == "linear":
        tiers = (
            TierSpec(Fraction(0), Fraction(5, 1000), Fraction(0), Fraction(100)),
            TierSpec(Fraction(20_000), Fraction(1, 100), Fraction(100), Fraction(50)),
        )
        return InstrumentEvent(
            0,
            TS,
            MARKET,
            kind,
            Fraction(1),
            Fraction(1, 2),
            Fraction(1, 1000),
            tiers,
            "main",
            "USDT",
        )
    tiers = (
        TierSpec(Fraction(0), Fraction(5, 1000), Fraction(0), Fraction(100)),
        TierSpec(Fraction(1), Fraction(1, 100), Fraction(5, 1000), Fraction(50)),
    )
    return InstrumentEvent(
        0, TS, MARKET, kind, Fraction(10), Fraction(1, 2), Fraction(1), tiers, "main", "BTC"
    )


class WaterfallMachine(RuleBasedStateMachine):
    """The engine on one market, its shadow, and every invariant after every step."""

    def __init__(self) -> None:
        super().__init__()
        self.engine: Engine | None = None
        self.ledger: list[Event] = []
        self.net: dict[str, Fraction] = {}
        self.funded: set[str] = set()
        self.mark = _START
        self.asset = "USDT"
        self.unit = Fraction(1)
        self.lot = Fraction(1)
        self.tick = Fraction(1)
        self.last_was_mark = False

    # ---- setup ----------------------------------------------------------------------------

    @initialize(
        # half the runs on a socialized-loss profile, half on an ADL one
        profile=st.one_of(
            st.sampled_from(SOCIALIZED_PROFILES),
            st.sampled_from([p for p in ENGINE_PROFILES if p not in SOCIALIZED_PROFILES]),
        ),
        kind=st.sampled_from(("linear", "inverse")),
        fund=st.sampled_from((0, 30, 2_000)),
        opening=st.lists(
            st.tuples(st.sampled_from(TRADERS[:-1]), st.booleans(), st.integers(2, 45)),
            min_size=1,
            max_size=6,
        ),
    )
    def setup(
        self, profile: str, kind: str, fund: int, opening: list[tuple[str, bool, int]]
    ) -> None:
        book = LiquidityModel("mm", 3, Fraction(1, 1000), Fraction(2, 1000), Fraction(1, 2), 0)
        inst = _instrument(kind)
        self.asset = inst.settle_asset
        # one cash unit is worth one USD at the start, for either kind
        self.unit = Fraction(1) if kind == "linear" else 1 / _START
        # one "lot" draw below is 0.001 BTC linear, one 10 USD contract inverse
        self.lot = inst.lot_size
        self.tick = inst.tick_size
        if kind == "inverse":
            book = LiquidityModel("mm", 3, Fraction(1, 1000), Fraction(2, 1000), Fraction(1000), 0)
        self.engine = Engine(EngineConfig(load_profile(profile), book))
        self._submit(inst, accept=True)
        self._submit(DepositEvent(0, TS, "mm", self.asset, 10**8 * self.unit), accept=True)
        if fund:
            self._submit(
                DepositEvent(0, TS, "insurance:main", self.asset, fund * self.unit), accept=True
            )
        for number, name in enumerate(TRADERS[:-1]):
            amount = (1_000 + 700 * number) * self.unit
            self._submit(DepositEvent(0, TS, name, self.asset, amount), accept=True)
        self._submit(MarkEvent(0, TS, MARKET, _START), accept=True)
        deposits = {name: 1_000 + 700 * number for number, name in enumerate(TRADERS[:-1])}
        for trader, long, leverage in opening:
            # against the book, at ``leverage`` times the trader's deposit (a drawn lot is
            # worth 20 USD at the start: 0.001 BTC linear, two 10 USD contracts inverse)
            lots = deposits[trader] * leverage // 20
            buyer, seller = (trader, "mm") if long else ("mm", trader)
            self._trade(buyer, seller, lots, 0, None)

    # ---- the one step -----------------------------------------------------------------------

    def _engine(self) -> Engine:
        assert self.engine is not None, "setup runs first"
        return self.engine

    def _fill_price(self) -> FillPrice:
        """The profile's ADL fill price (bankruptcy without an ``[adl]`` section)."""
        options = self._engine().exchange.config.profile.adl
        return options.fill_price if options is not None else FillPrice.BANKRUPTCY

    def _submit(self, event: Event, reject: bool = False, accept: bool = False) -> list[Event]:
        """Run one input, check the shadow's expectation and the step predicates."""
        engine = self._engine()
        before = engine.state.clone()
        marked = (
            with_mark(before, event.market, event.price) if isinstance(event, MarkEvent) else None
        )
        out = engine.submit(event)
        self.ledger += out
        rejected = any(isinstance(e, RejectionEvent) for e in out)
        reason = out[-1].reason if isinstance(out[-1], RejectionEvent) else ""
        assert not (reject and not rejected), f"the engine accepted an invalid {event.TYPE}"
        assert not (accept and rejected), f"the engine rejected a valid {event.TYPE}: {reason}"
        violations = find_frame_violations(before, engine.state, event, not rejected)
        if rejected:
            COUNTS["rejection"] += 1
        else:
            self._update_shadow(event)
        self.last_was_mark = isinstance(event, MarkEvent) and not rejected
        if marked is not None and not rejected:
            violations += self._check_mark(marked, out)
        if isinstance(event, FundingEvent) and not rejected:
            (paid,) = (e for e in out if isinstance(e, FundingEvent))
            violations += find_funding_violations(before, paid)
        self._count_tier_crossing(before)
        _raise(violations)
        return out

    def _update_shadow(self, event: Event) -> None:
        if isinstance(event, DepositEvent):
            self.net[event.asset] = self.net.get(event.asset, Fraction(0)) + event.amount
            self.funded.add(event.account)
        elif isinstance(event, WithdrawalEvent):
            self.net[event.asset] = self.net.get(event.asset, Fraction(0)) - event.amount
        elif isinstance(event, MarkEvent):
            self.mark = event.price
        elif isinstance(event, TradeEvent):
            COUNTS["accepted_trade"] += 1

    def _check_mark(self, marked: ExchangeState, out: list[Event]) -> list[Violation]:
        """The step predicates of a mark: trigger, stated prices, ADL, who is left standing."""
        engine = self._engine()
        options = engine.exchange.config.profile.margin
        liquidated = {e.account for e in out if isinstance(e, LiquidationEvent)}
        kinds = {e.TYPE for e in out}
        if liquidated:
            COUNTS["liquidation"] += 1
        COUNTS.update(kind for kind in ("adl", "socialized_loss") if kind in kinds)
        fund = engine.state.accounts.get("insurance:main")
        last_resort = bool(kinds & {"adl", "socialized_loss"}) or any(
            isinstance(e, InsuranceEvent) and e.amount < 0 for e in out
        )
        if last_resort and fund is not None and fund.wallet.get(self.asset, Fraction(0)) == 0:
            COUNTS["fund_exhausted"] += 1
        return [
            *find_untriggered_liquidations(marked, out, options),
            *find_bankruptcy_price_violations(marked, out, options),
            *find_adl_violations(marked, out, self._fill_price()),
            *find_liquidatable(engine.state, options),
            *find_negative_balances(engine.state),
        ]

    def _count_tier_crossing(self, before: ExchangeState) -> None:
        state = self._engine().state
        for name, holder in state.accounts.items():
            position = holder.positions.get(MARKET)
            if is_system_account(name) or position is None or position.qty == 0:
                continue
            old = before.accounts.get(name)
            old_position = old.positions.get(MARKET) if old else None
            if old_position is None or old_position.qty == 0:
                continue
            if _tier_index(before, old_position.qty) != _tier_index(state, position.qty):
                COUNTS["tier_crossing"] += 1

    # ---- rules ------------------------------------------------------------------------------

    @rule(account=st.sampled_from(TRADERS), amount=st.integers(-5, 3_000))
    def deposit(self, account: str, amount: int) -> None:
        """Cash in: valid exactly when the amount is > 0."""
        event = DepositEvent(0, TS, account, self.asset, amount * self.unit)
        self._submit(event, reject=amount <= 0, accept=amount > 0)

    @rule(account=st.sampled_from((*TRADERS, "ghost")), amount=st.integers(-5, 3_000))
    def withdraw(self, account: str, amount: int) -> None:
        """Cash out: invalid for an unknown account or a non-positive amount."""
        event = WithdrawalEvent(0, TS, account, self.asset, amount * self.unit)
        self._submit(event, reject=amount <= 0 or account not in self.funded)

    def _trade(self, buyer: str, seller: str, lots: int, ticks: int, flaw: str | None) -> None:
        """A matched trade, with at most one flaw the shadow can see from the outside."""
        # one drawn lot is worth 20 USD at the start: 0.001 BTC linear, 2 contracts of 10 USD
        # inverse
        qty = lots * (self.lot if self.lot != 1 else Fraction(2))
        price = max(self.mark + ticks * 10 * self.tick, 100 * self.tick)
        market = MARKET
        if flaw == "half_lot":
            qty += self.lot / 2
        elif flaw == "off_tick":
            price += self.tick / 5
        elif flaw == "market":
            market = "ETH-PERP"
        elif flaw == "ghost":
            buyer = "ghost"
        elif flaw == "self":
            seller = buyer
        elif flaw == "zero":
            qty = Fraction(0)
        known = self.funded | {"mm"}
        invalid = flaw is not None or buyer not in known or seller not in known
        event = TradeEvent(0, TS, market, buyer, seller, qty, price, Fraction(0), Fraction(0))
        self._submit(event, reject=invalid)

    @rule(
        buyer=st.sampled_from((*TRADERS, "mm")),
        seller=st.sampled_from((*TRADERS, "mm")),
        lots=st.integers(1, 1_500),
        ticks=st.integers(-40, 40),
    )
    def trade(self, buyer: str, seller: str, lots: int, ticks: int) -> None:
        """A trade the shadow sees no flaw in (the engine may still refuse it for margin)."""
        self._trade(buyer, seller, lots, ticks, None if buyer != seller else "self")

    @rule(
        buyer=st.sampled_from(TRADERS),
        seller=st.sampled_from((*TRADERS, "mm")),
        lots=st.integers(1, 3_000),
        flaw=st.sampled_from(("half_lot", "off_tick", "market", "ghost", "self", "zero")),
    )
    def flawed_trade(self, buyer: str, seller: str, lots: int, flaw: str) -> None:
        """A trade with one flaw: the engine must reject it and change nothing."""
        self._trade(buyer, seller, lots, 0, flaw)

    @rule(account=st.sampled_from(TRADERS), amount=st.integers(-600, 1_500))
    def transfer(self, account: str, amount: int) -> None:
        """Margin into (+) or out of (-) the isolated position; zero is invalid."""
        event = MarginTransferEvent(0, TS, account, MARKET, amount * self.unit)
        self._submit(event, reject=amount == 0 or account not in self.funded)

    @rule(steps=st.integers(-120, 40))
    def move(self, steps: int) -> None:
        """A mark move of up to 0.6% down or 0.2% up."""
        price = max(self.mark + steps * 2 * self.tick, 100 * self.tick)
        self._submit(MarkEvent(0, TS, MARKET, price), accept=True)

    @rule(gap=st.integers(5, 30), down=st.booleans())
    def crash(self, gap: int, down: bool) -> None:
        """A gap of 5% to 30%: past bankruptcy prices, into the fund and the last resorts."""
        COUNTS["crash"] += 1
        moved = self.mark * (1 - Fraction(gap, 100) if down else 1 + Fraction(gap, 100))
        price = max((moved / self.tick).__floor__() * self.tick, self.tick)
        self._submit(MarkEvent(0, TS, MARKET, price), accept=True)

    @rule(bp=st.integers(-10, 10), market=st.sampled_from((MARKET, MARKET, "ETH-PERP")))
    def funding(self, bp: int, market: str) -> None:
        """Funding at ``bp`` basis points; an unknown market is invalid."""
        event = FundingEvent(0, TS, market, Fraction(bp, 10_000), ())
        self._submit(event, reject=market != MARKET, accept=market == MARKET)

    @rule(
        steps=st.integers(-60, 20),
        spreads=st.tuples(st.integers(-3, 3), st.integers(-3, 3), st.integers(-3, 3)),
        rate_bp=st.integers(-5, 5),
        until=st.integers(0, 8),
        impact=st.one_of(st.none(), st.tuples(st.integers(-4, 4), st.integers(0, 4))),
    )
    def indexed_mark(
        self,
        steps: int,
        spreads: tuple[int, int, int],
        rate_bp: int,
        until: int,
        impact: tuple[int, int] | None,
    ) -> None:
        """An index record of three venues around a moved price, then a mark a tick off the
        one it derives (refused, the state unchanged) and the derived one (accepted: the
        invariant ``mark-price``); with impact prices, a funding a bp off the derived rate
        (refused) and the derived one (``funding-rate``). A profile without ``[mark]``
        refuses the record."""
        engine = self._engine()
        profile = engine.exchange.config.profile
        price = max(self.mark + steps * 2 * self.tick, 100 * self.tick)
        quotes = tuple(
            IndexQuote(f"v{k}", price + spread * self.tick, Fraction(1, 3), TS)
            for k, spread in enumerate(spreads)
        )
        index = sum((q.price for q in quotes), Fraction(0)) / 3
        bid, ask = (None, None)
        if impact is not None:
            bid = price + impact[0] * self.tick
            ask = bid + impact[1] * self.tick
        record = IndexEvent(
            0,
            TS,
            MARKET,
            quotes,
            index,
            Fraction(rate_bp, 10_000),
            Fraction(until * 3600),
            None,
            None,
            bid,
            ask,
        )
        usable = profile.mark is not None and profile.index is not None
        self._submit(record, reject=not usable, accept=usable)
        if not usable:
            return
        COUNTS["index_record"] += 1
        assert profile.mark is not None
        # the fair price of the weighted mean (every quote is fresh and within the bound)
        derived = index * (
            1 + Fraction(rate_bp, 10_000) * until * 3600 / profile.mark.funding_interval
        )
        self._submit(MarkEvent(0, TS, MARKET, derived + self.tick), reject=True)
        out = self._submit(MarkEvent(0, TS, MARKET, derived), accept=True)
        stamped = out[0]
        assert isinstance(stamped, MarkEvent)
        violations = find_mark_price_violations(record, stamped, profile)
        if impact is not None and profile.funding is not None:
            self._settle_indexed_funding(record, profile.funding.interest_rate)
        _raise(violations)

    def _settle_indexed_funding(self, record: IndexEvent, interest: Fraction) -> None:
        """The funding right after one premium sample (so its average is that sample):
        refused a bp off, accepted at P + clamp(I - P, -b, b)."""
        profile = self._engine().exchange.config.profile
        assert record.price is not None and record.impact_bid is not None
        assert record.impact_ask is not None
        index, zero = record.price, Fraction(0)
        premium = (
            max(zero, record.impact_bid - index) - max(zero, index - record.impact_ask)
        ) / index
        bound = profile.funding.clamp_bound if profile.funding else None
        gap = interest - premium
        if bound is not None:
            gap = min(max(gap, -bound), bound)
        rate = premium + gap
        self._submit(FundingEvent(0, TS, MARKET, rate + Fraction(1, 10_000), ()), reject=True)
        out = self._submit(FundingEvent(0, TS, MARKET, rate, ()), accept=True)
        (paid,) = (e for e in out if isinstance(e, FundingEvent))
        assert profile.funding is not None
        COUNTS["indexed_funding"] += 1
        _raise(find_funding_rate_violations([record], paid, profile))

    # ---- invariants -------------------------------------------------------------------------

    @invariant()
    def state_invariants(self) -> None:
        """Conservation, open interest, funds; the shadow's totals and mark agree."""
        if self.engine is None:
            return
        state = self.engine.state
        violations = find_state_violations(state) + find_unsettled_liquidations(state)
        for asset, net in self.net.items():
            engine_net = state.deposits.get(asset, Fraction(0)) - state.withdrawals.get(
                asset, Fraction(0)
            )
            if engine_net != net:
                violations.append(
                    Violation("conservation", f"net {asset}", str(net), str(engine_net))
                )
        assert state.markets[MARKET].mark == self.mark, "the mark is not the shadow's last mark"
        _raise(violations)

    def teardown(self) -> None:
        """``replay``: the ledger's inputs through a fresh engine reproduce the ledger;
        ``seq-order`` and ``references`` hold along it."""
        if self.engine is not None and self.ledger:
            _raise(find_seq_violations(self.ledger) + find_reference_violations(self.ledger))
            assert replay(self.engine.exchange.config, self.ledger) == self.ledger, "replay differs"


def _tier_index(state: ExchangeState, qty: Fraction) -> int:
    market = state.markets[MARKET]
    inst = market.instrument
    mark = market.mark if market.mark is not None else _START
    value = compute_position_value(inst.kind, qty, inst.multiplier, mark)
    return inst.tiers.index(find_tier(inst.tiers, value))


def _raise(violations: list[Violation]) -> None:
    assert not violations, "\n".join(v.describe() for v in violations)
