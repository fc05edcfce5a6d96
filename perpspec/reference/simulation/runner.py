"""A simulated run: the generated inputs fed through the reference engine, one at a time.

Rule (DESIGN, Command line: ``perpspec simulate``). The ledger is every event the engine
returns, in order: each stamped input followed by what it caused (liquidations, fills,
insurance movements, ADL, socialized losses, rejections). Both the generator and the engine
are deterministic, so a spec and a config fix the ledger byte for byte; nothing is held but
the engine's state and the traders' views, so memory does not grow with the steps.

Beside the engine's events the run states balances, as exchange statements do: after every
``balance_interval``-th step, every trader account's wallet balance in each settle asset, and
after every input that caused a liquidation, the liquidated accounts' (docs/simulate.md).
A ``balance`` asserts the amount after every earlier event (docs/ledger.md), so a re-priced
trade, zero-sum and invisible to conservation, is caught by the next assertion.
"""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction

from perpspec.reference.engine.accounts import compute_account_cash
from perpspec.reference.engine.config import EngineConfig
from perpspec.reference.engine.engine import Engine
from perpspec.reference.engine.liquidity import LiquidityModel
from perpspec.reference.engine.state import is_system_account
from perpspec.reference.events import BalanceEvent, Event, LiquidationEvent
from perpspec.reference.profile import Profile
from perpspec.reference.simulation.generator import ProgressCallback, generate_inputs
from perpspec.reference.simulation.spec import SimulationSpec

__all__ = ["SETTLEMENT_UNIT", "build_config", "run_simulation"]

#: The settle assets' smallest unit in simulated runs (realized PnL and socialized charges
#: are booked in whole units, the dust to ``fees``; see perpspec/reference/engine/config.py).
SETTLEMENT_UNIT = Fraction(1, 10**8)


def build_config(spec: SimulationSpec, profile: Profile) -> EngineConfig:
    """The engine configuration ``perpspec simulate`` uses: ``profile``, the default
    liquidity model (account ``"market-maker"``) seeded with the run's seed, so different
    seeds also see different book depths, and amounts booked in :data:`SETTLEMENT_UNIT`."""
    return EngineConfig(profile, LiquidityModel(seed=spec.seed), unit=SETTLEMENT_UNIT)


def run_simulation(
    spec: SimulationSpec,
    config: EngineConfig,
    on_progress: ProgressCallback | None = None,
) -> Iterator[Event]:
    """Every ledger event of the run, lazily: each input is submitted when it is generated.

    ``on_progress(done_steps, total_steps)`` is called as :func:`generate_inputs` says: a
    step counts as done once every event it caused has been handed to the caller.
    """
    engine = Engine(config)
    assets = sorted({market.settle_asset for market in spec.markets})
    done: list[int] = []

    def note_step(step: int, total: int) -> None:
        done.append(step)
        if on_progress is not None:
            on_progress(step, total)

    last_ts = spec.start_ts
    for event in generate_inputs(spec, config, note_step):
        # A step is done once the generator is asked for the event after its last one.
        if _is_statement_due(done, spec.balance_interval):
            yield from iter_stated_balances(engine, _trader_accounts(engine), assets, last_ts)
        emitted = engine.submit(event)
        yield from emitted
        last_ts = emitted[-1].ts
        liquidated = sorted({e.account for e in emitted if isinstance(e, LiquidationEvent)})
        yield from iter_stated_balances(engine, liquidated, assets, last_ts)
    if _is_statement_due(done, spec.balance_interval):
        yield from iter_stated_balances(engine, _trader_accounts(engine), assets, last_ts)


def _is_statement_due(done: list[int], interval: int) -> bool:
    """Whether a step that just ended is a multiple of ``interval`` (consumes the note)."""
    due = any(step > 0 and step % interval == 0 for step in done)
    done.clear()
    return due


def _trader_accounts(engine: Engine) -> list[str]:
    """Every account that is not a system account (``fees``, funds, engines, losses)."""
    return sorted(a for a in engine.exchange.state.accounts if not is_system_account(a))


def iter_stated_balances(
    engine: Engine, accounts: list[str], assets: list[str], ts: str
) -> Iterator[Event]:
    """Each account's stated balance in each asset now: its wallet balance as an exchange
    statement states it, isolated margins in, unrealized PnL out (docs/ledger.md,
    ``balance``), submitted to the engine as an input so a replay stamps it alike."""
    ex = engine.exchange
    for account in accounts:
        for asset in assets:
            amount = compute_account_cash(ex.state.accounts[account], ex.state, asset)
            yield from engine.submit(BalanceEvent(0, ts, account, asset, amount))
