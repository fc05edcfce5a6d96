"""Random short markets through the engine, invariants checked exactly after every event.

Issue: "a hypothesis test runs random short markets and checks after every event, exactly,
that funds are conserved, open interest balances and no insurance fund is negative". Also
checked: ``liq-complete`` after each mark, ``frame`` for every rejected input,
``no-negative-balance`` for liquidated traders, and ``replay`` of the whole ledger. The
interesting cases are counted: the run fails if liquidations, fund deficits, last resorts
or rejections never happened.
"""

from __future__ import annotations

from collections import Counter
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
    LiquidationEvent,
    MarginTransferEvent,
    RejectionEvent,
    WithdrawalEvent,
)

TRADERS = ["a", "b", "c", "d", "e"]

# a trade of 0.001 to 3 BTC between two accounts, within 40 ticks of 5 from the mark
trades = st.tuples(
    st.just("trade"),
    st.sampled_from([*TRADERS, "mm"]),
    st.sampled_from([*TRADERS, "mm"]),
    st.integers(1, 3000),
    st.integers(-40, 40),
)
actions = st.one_of(
    trades,
    st.tuples(st.just("mark"), st.integers(-1200, 400)),
    # a gap down of 3% to 15%: past bankruptcy prices, into the last resorts
    st.tuples(st.just("mark"), st.integers(-300, -60)),
    st.tuples(st.just("deposit"), st.sampled_from(TRADERS), st.integers(-5, 3000)),
    st.tuples(st.just("withdraw"), st.sampled_from(TRADERS), st.integers(1, 3000)),
    st.tuples(st.just("transfer"), st.sampled_from(TRADERS), st.integers(-500, 1500)),
    st.tuples(st.just("funding"), st.integers(-10, 10)),
)


def build(action: tuple[object, ...], last_mark: F) -> Event:
    kind = action[0]
    if kind == "trade":
        _, buyer, seller, lots, ticks = action
        price = last_mark + F(ticks) * 5  # type: ignore[operator]
        return trade(str(buyer), str(seller), str(F(lots) / 1000), str(max(price, F(5))))  # type: ignore[arg-type]
    if kind == "mark":
        return mark(str(max(last_mark + F(action[1]) * 10, F(10))))  # type: ignore[arg-type]
    if kind == "deposit":
        return deposit(str(action[1]), str(action[2]))
    if kind == "withdraw":
        return WithdrawalEvent(0, TS, str(action[1]), "USDT", F(action[2]))  # type: ignore[arg-type]
    if kind == "transfer":
        return MarginTransferEvent(0, TS, str(action[1]), "BTC-PERP", F(action[2]))  # type: ignore[arg-type]
    return FundingEvent(0, TS, "BTC-PERP", F(action[1], 10_000), ())  # type: ignore[arg-type]


def test_random_markets_keep_the_invariants() -> None:
    seen: Counter[str] = Counter()

    @given(
        st.sampled_from(["seed-gate", "seed-socialized", "seed-binance", "seed-panews"]),
        st.sampled_from([0, 30, 2_000]),
        st.lists(trades, min_size=1, max_size=6),
        st.lists(actions, min_size=3, max_size=30),
    )
    def run(
        profile: str,
        fund: int,
        opening: list[tuple[object, ...]],
        steps: list[tuple[object, ...]],
    ) -> None:
        engine = make_engine(profile, depth=F("0.5"))
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
        for action in opening + steps:
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
            if event.TYPE == "mark":
                last_mark = F(event.price)  # type: ignore[attr-defined]
                check_nobody_liquidatable(ex)
                for liq in (e for e in out if isinstance(e, LiquidationEvent)):
                    seen["liquidation"] += 1
                    assert compute_account_cash(ex.state.accounts[liq.account], ex.state, "USDT") >= 0
                kinds = {e.TYPE for e in out}
                seen.update(k for k in ("adl", "socialized_loss", "liquidation_fill") if k in kinds)
                if any(e.TYPE == "insurance" and e.amount < 0 for e in out):  # type: ignore[attr-defined]
                    seen["fund_paid"] += 1
        assert replay(ex.config, ledger) == ledger

    run()
    for case in ("liquidation", "adl", "socialized_loss", "liquidation_fill", "fund_paid", "rejection"):
        assert seen[case] > 0, f"no run reached a {case}: the generator has no teeth"
