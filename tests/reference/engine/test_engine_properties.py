"""Random short markets through the engine, invariants checked exactly after every event.

Issue: "a hypothesis test runs random short markets and checks after every event, exactly,
that funds are conserved, open interest balances and no insurance fund is negative". Also
checked: ``liq-complete`` after each mark, ``frame`` for every rejected input,
``no-negative-balance`` for liquidated traders, and ``replay`` of the whole ledger. The
interesting cases are counted: the run fails if liquidations, fund deficits, last resorts
or rejections never happened.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from dataclasses import dataclass
from fractions import Fraction as F

from engine_fixtures import TS, deposit, instrument, make_engine, mark, trade
from engine_invariants import (
    check_conservation,
    check_funds,
    check_nobody_liquidatable,
    check_open_interest,
)
from hypothesis import given
from hypothesis import strategies as st

from perpspec.reference.engine.accounts import compute_account_cash
from perpspec.reference.engine.engine import replay
from perpspec.reference.events import (
    Event,
    FundingEvent,
    InsuranceEvent,
    LiquidationEvent,
    MarginTransferEvent,
    MarkEvent,
    RejectionEvent,
    WithdrawalEvent,
)

TRADERS = ["a", "b", "c", "d", "e"]
PARTIES = [*TRADERS, "mm"]


@dataclass(frozen=True)
class Trade:
    """A trade of ``lots`` thousandths of a BTC, ``ticks`` x 5 away from the last mark."""

    buyer: str
    seller: str
    lots: int
    ticks: int


@dataclass(frozen=True)
class Move:
    """A mark move of ``steps`` x 10."""

    steps: int


@dataclass(frozen=True)
class Cash:
    """A deposit (``out`` False) or withdrawal of ``amount``."""

    account: str
    amount: int
    out: bool


@dataclass(frozen=True)
class Transfer:
    """A margin transfer into (+) or out of (-) the account's isolated position."""

    account: str
    amount: int


@dataclass(frozen=True)
class Funding:
    """A funding settlement at ``bp`` basis points."""

    bp: int


Action = Trade | Move | Cash | Transfer | Funding

trades = st.builds(
    Trade,
    st.sampled_from(PARTIES),
    st.sampled_from(PARTIES),
    st.integers(1, 3000),
    st.integers(-40, 40),
)
actions: st.SearchStrategy[Action] = st.one_of(
    trades,
    st.builds(Move, st.integers(-1200, 400)),
    # a gap down of 3% to 15%: past bankruptcy prices, into the last resorts
    st.builds(Move, st.integers(-300, -60)),
    st.builds(Cash, st.sampled_from(TRADERS), st.integers(-5, 3000), st.booleans()),
    st.builds(Transfer, st.sampled_from(TRADERS), st.integers(-500, 1500)),
    st.builds(Funding, st.integers(-10, 10)),
)


def build(action: Action, last_mark: F) -> Event:
    if isinstance(action, Trade):
        price = max(last_mark + action.ticks * 5, F(5))
        return trade(action.buyer, action.seller, str(F(action.lots, 1000)), str(price))
    if isinstance(action, Move):
        return mark(str(max(last_mark + action.steps * 10, F(10))))
    if isinstance(action, Cash):
        if action.out:
            return WithdrawalEvent(0, TS, action.account, "USDT", F(action.amount))
        return deposit(action.account, action.amount)
    if isinstance(action, Transfer):
        return MarginTransferEvent(0, TS, action.account, "BTC-PERP", F(action.amount))
    return FundingEvent(0, TS, "BTC-PERP", F(action.bp, 10_000), ())


def test_random_markets_keep_the_invariants() -> None:
    seen: Counter[str] = Counter()

    @given(
        st.sampled_from(["seed-gate", "seed-socialized", "seed-binance", "seed-panews"]),
        st.sampled_from([0, 30, 2_000]),
        st.lists(trades, min_size=1, max_size=6),
        st.lists(actions, min_size=3, max_size=30),
        st.integers(-300, -60),
        st.sampled_from([None, F(1, 10_000)]),
    )
    def run(
        profile: str,
        fund: int,
        opening: list[Trade],
        steps: list[Action],
        crash: int,
        unit: F | None,
    ) -> None:
        engine = make_engine(profile, depth=F("0.5"))
        engine.exchange.config = dataclasses.replace(engine.exchange.config, unit=unit)
        ex = engine.exchange
        fund_id = "main" if profile == "seed-socialized" else "BTC"
        ledger: list[Event] = []
        setup = [instrument(fund_id), deposit("mm", 10**8), mark(20_000)]
        setup += [deposit(name, 1_000 + 700 * i) for i, name in enumerate(TRADERS)]
        if fund:
            setup.append(deposit(f"insurance:{fund_id}", fund))
        for item in setup:
            ledger += engine.submit(item)
        last_mark = F(20_000)
        # every market ends with a gap down, so liquidations and last resorts are common
        for action in [*opening, *steps, Move(crash)]:
            event = build(action, last_mark)
            before = engine.state.clone()
            out = engine.submit(event)
            ledger += out
            if isinstance(out[-1], RejectionEvent):
                seen["rejection"] += 1
                after = engine.state.clone()
                after.seq = before.seq
                assert after == before, out[-1].reason
            check_conservation(ex)
            check_open_interest(ex)
            check_funds(ex)
            if isinstance(event, MarkEvent):
                last_mark = event.price
                check_nobody_liquidatable(ex)
                for liq in (e for e in out if isinstance(e, LiquidationEvent)):
                    seen["liquidation"] += 1
                    assert (
                        compute_account_cash(ex.state.accounts[liq.account], ex.state, "USDT") >= 0
                    )
                kinds = {e.TYPE for e in out}
                seen.update(k for k in ("adl", "socialized_loss", "liquidation_fill") if k in kinds)
                if any(isinstance(e, InsuranceEvent) and e.amount < 0 for e in out):
                    seen["fund_paid"] += 1
        assert replay(ex.config, ledger) == ledger

    run()
    for case in (
        "liquidation",
        "adl",
        "socialized_loss",
        "liquidation_fill",
        "fund_paid",
        "rejection",
    ):
        assert seen[case] > 0, f"no run reached a {case}: the generator has no teeth"
