"""Simulated runs through the engine: determinism, the waterfall under stress, invariants.

Every input of the small runs is followed by exact whole-state checks: conservation per
asset against the deposits and withdrawals the ledger accepted (counted here, not taken
from the engine), open interest, funds never negative, and after each mark no trader with
negative equity.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Iterator
from fractions import Fraction as F
from functools import cache

import pytest
from engine_invariants import check_funds, check_open_interest, total_value

from perpspec.reference.engine.config import EngineConfig
from perpspec.reference.engine.engine import Engine, replay
from perpspec.reference.engine.state import is_system_account
from perpspec.reference.events import (
    INPUT_TYPES,
    BalanceEvent,
    DepositEvent,
    Event,
    LiquidationEvent,
    LiquidationFillEvent,
    RejectionEvent,
    TradeEvent,
    WithdrawalEvent,
)
from perpspec.reference.numbers import Rounding, quantize
from perpspec.reference.profile import Profile, TradingOptions, load_profile
from perpspec.reference.simulation import (
    Scenario,
    SimulationSpec,
    build_config,
    generate_inputs,
    run_simulation,
    summarize,
)


def fee_profile() -> Profile:
    """seed-gate with a maker rebate of 0.01% and a taker fee of 0.05%."""
    profile = load_profile("seed-gate")
    return dataclasses.replace(profile, trading=TradingOptions(F("-0.0001"), F("0.0005")))


def get_profile(name: str) -> Profile:
    return fee_profile() if name == "gate-fees" else load_profile(name)


def run_checked(spec: SimulationSpec, config: EngineConfig) -> list[Event]:
    """The run's ledger, every invariant checked exactly after every input."""
    engine = Engine(config)
    ex = engine.exchange
    ledger: list[Event] = []
    cash: dict[str, F] = {}
    for event in generate_inputs(spec, config):
        out = engine.submit(event)
        ledger += out
        accepted = not isinstance(out[-1], RejectionEvent)
        if accepted and isinstance(event, DepositEvent):
            cash[event.asset] = cash.get(event.asset, F(0)) + event.amount
        if accepted and isinstance(event, WithdrawalEvent):
            cash[event.asset] -= event.amount
        for asset, expected in cash.items():
            assert total_value(ex, asset) == expected, (out[0], asset)
        check_open_interest(ex)
        check_funds(ex)
        if event.TYPE == "mark" and accepted:
            for name in ex.state.accounts:
                if is_system_account(name):
                    continue
                for asset in cash:
                    assert ex.compute_equity(name, asset) >= 0, (out[0], name, asset)
    return ledger


@cache
def checked_run(
    profile: str, scenario: Scenario, accounts: int, steps: int, seed: int
) -> list[Event]:
    spec = SimulationSpec(accounts, steps, seed, scenario)
    return run_checked(spec, build_config(spec, get_profile(profile)))


@cache
def plain_run(profile: str, scenario: Scenario, seed: int = 0) -> list[Event]:
    """A 60-trader, 400-step run, unchecked (the checked runs below are smaller)."""
    spec = SimulationSpec(60, 400, seed, scenario)
    return list(run_simulation(spec, build_config(spec, get_profile(profile))))


def count_worse_than_bankruptcy(ledger: list[Event]) -> int:
    """Liquidation fills at a price worse for the fund than the position's bankruptcy price."""
    count = 0
    liquidation: LiquidationEvent | None = None
    for event in ledger:
        if isinstance(event, LiquidationEvent):
            liquidation = event
        elif isinstance(event, LiquidationFillEvent) and liquidation is not None:
            bankruptcy = liquidation.bankruptcy_price
            assert bankruptcy is not None
            long = liquidation.side == "long"
            if (event.price < bankruptcy) if long else (event.price > bankruptcy):
                count += 1
    return count


# ---- determinism and laziness -----------------------------------------------------------


def digest(events: Iterator[Event] | list[Event]) -> list[str]:
    return [repr(e) for e in events]


def test_same_seed_same_ledger_and_another_seed_another() -> None:
    spec = SimulationSpec(30, 150, 11, Scenario.CRASH)
    config = build_config(spec, load_profile("seed-gate"))
    first = digest(run_simulation(spec, config))
    assert first == digest(run_simulation(spec, config))
    other = SimulationSpec(30, 150, 12, Scenario.CRASH)
    assert digest(run_simulation(other, build_config(other, load_profile("seed-gate")))) != first


def test_run_is_the_engine_fed_the_generated_inputs_and_replays() -> None:
    spec = SimulationSpec(20, 100, 5, Scenario.SQUEEZE)
    config = build_config(spec, load_profile("seed-socialized"))
    ledger = list(run_simulation(spec, config))
    # The run submits the generated inputs and, between them, its stated balances (inputs
    # too, so the engine stamps them and a replay gives them back).
    submitted = [e for e in ledger if e.TYPE in INPUT_TYPES and not isinstance(e, BalanceEvent)]
    generated = list(generate_inputs(spec, config))
    assert [e.TYPE for e in submitted] == [e.TYPE for e in generated]
    # Trades, marks, deposits, ... as generated (funding gets its payments from the engine).
    assert [dataclasses.replace(e, seq=0) for e in submitted if e.TYPE != "funding"] == [
        e for e in generated if e.TYPE != "funding"
    ]
    assert any(isinstance(e, BalanceEvent) for e in ledger)
    assert [e.seq for e in ledger] == list(range(1, len(ledger) + 1))
    assert replay(config, ledger) == ledger


def test_inputs_are_generated_lazily() -> None:
    # a billion steps: only a lazy generator returns its first events at once
    spec = SimulationSpec(5, 10**9, 0, Scenario.CALM)
    first = list(
        itertools.islice(run_simulation(spec, build_config(spec, load_profile("seed-gate"))), 500)
    )
    assert len(first) == 500


def test_progress_is_reported_after_each_step() -> None:
    spec = SimulationSpec(10, 20, 2, Scenario.CALM)
    calls: list[tuple[int, int, str | None]] = []
    last_ts: list[str | None] = [None]

    def on_progress(done: int, total: int) -> None:
        calls.append((done, total, last_ts[0]))

    for event in run_simulation(spec, build_config(spec, load_profile("seed-gate")), on_progress):
        last_ts[0] = event.ts
    assert [(d, t) for d, t, _ in calls] == [(k, 20) for k in range(21)]
    # step k is done once the events stamped k minutes after the start have all gone by
    assert calls[0][2] is None
    assert calls[5][2] == "2024-01-01T00:05:00Z" and calls[20][2] == "2024-01-01T00:20:00Z"


# ---- the waterfall under stress ---------------------------------------------------------


@pytest.mark.parametrize(
    ("profile", "last_resort"), [("seed-gate", "adl"), ("seed-socialized", "socialized_loss")]
)
def test_crash_runs_the_whole_waterfall(profile: str, last_resort: str) -> None:
    ledger = plain_run(profile, Scenario.CRASH)
    summary = summarize(ledger)
    assert summary.liquidations > 0
    by_side = summary.liquidations_by_side
    assert by_side.get("long", 0) > by_side.get("short", 0)
    assert summary.insurance_movements > 0
    assert count_worse_than_bankruptcy(ledger) > 0
    assert summary.counts.get(last_resort, 0) > 0
    # the fund paid out more than it was seeded with (60 traders x 20 USDT for BTC-PERP,
    # x 10 for ETH-PERP), and some fund came near zero
    seeded = {"BTC-PERP": F(1_200), "ETH-PERP": F(600), "main": F(1_800)}
    assert any(paid > seeded[fund] for (fund, _), paid in summary.insurance_paid.items())
    assert any(p.lowest < seeded[fund] / 10 for (fund, _), p in summary.fund_paths.items())


def test_calm_has_far_fewer_liquidations_than_crash() -> None:
    calm = summarize(plain_run("seed-gate", Scenario.CALM))
    crash = summarize(plain_run("seed-gate", Scenario.CRASH))
    assert crash.liquidations >= 10
    assert calm.liquidations * 4 < crash.liquidations


@pytest.mark.parametrize(
    ("profile", "scenario", "seed", "last_resort"),
    [
        ("gate-fees", Scenario.CRASH, 3, "adl"),
        ("seed-socialized", Scenario.CRASH, 0, "socialized_loss"),
        ("seed-gate", Scenario.SQUEEZE, 1, "adl"),
    ],
)
def test_invariants_hold_after_every_input(
    profile: str, scenario: Scenario, seed: int, last_resort: str
) -> None:
    # run_checked asserts after each input; here: the runs reached every stage they check
    summary = summarize(checked_run(profile, scenario, 40, 250, seed))
    assert summary.liquidations > 0 and summary.insurance_movements > 0
    assert summary.counts.get(last_resort, 0) > 0
    assert summary.rejections > 0


def test_squeeze_liquidates_shorts() -> None:
    squeeze = summarize(checked_run("seed-gate", Scenario.SQUEEZE, 40, 250, 1))
    by_side = squeeze.liquidations_by_side
    assert by_side.get("short", 0) > 0 and by_side.get("short", 0) > by_side.get("long", 0)


def test_runs_have_deposits_of_every_kind_tiers_above_the_first_and_rejections() -> None:
    ledger = checked_run("gate-fees", Scenario.CRASH, 40, 250, 3)
    summary = summarize(ledger)
    assert summary.counts["margin_transfer"] > 0 and summary.counts["withdrawal"] > 0
    assert "funding" not in summary.counts  # 250 steps, funding every 480
    assert summary.rejections > 0
    values = [t.qty * t.price for t in ledger if isinstance(t, TradeEvent)]
    assert any(v >= 50_000 for v in values)  # a single fill already above tier 1
    assert summary.liquidations_by_mode.get("isolated", 0) > 0
    assert summary.liquidations_by_mode.get("cross", 0) > 0


def test_trade_fees_follow_the_profile_with_the_maker_as_maker() -> None:
    ledger = checked_run("gate-fees", Scenario.CRASH, 40, 250, 3)
    trades = [t for t in ledger if isinstance(t, TradeEvent)]
    unit = F(1, 10**8)
    with_maker = 0
    for trade in trades:
        notional = trade.qty * trade.price
        taker = quantize(notional * F("0.0005"), unit, Rounding.UP)
        maker = quantize(notional * F("-0.0001"), unit, Rounding.UP)
        assert {trade.buyer_fee, trade.seller_fee} == {taker, maker}
        if "market-maker" in (trade.buyer, trade.seller):
            with_maker += 1
            side_fee = trade.buyer_fee if trade.buyer == "market-maker" else trade.seller_fee
            assert side_fee == maker
    assert 0 < with_maker < len(trades)  # some trades are between traders


def test_funding_is_settled_every_interval() -> None:
    spec = SimulationSpec(20, 60, 4, Scenario.CALM, funding_interval=20)
    ledger = run_checked(spec, build_config(spec, load_profile("seed-gate")))
    funding = [e for e in ledger if e.TYPE == "funding"]
    # steps 20, 40, 60, one per market (BTC-PERP, ETH-PERP)
    assert [e.ts[11:16] for e in funding] == ["00:20", "00:20", "00:40", "00:40", "01:00", "01:00"]
