"""Small simulated ledgers for the audit's tests, built once per session.

The crash scenario under ``seed-gate`` (seed 0) reaches ADL; under ``seed-socialized``
(seed 1) it reaches socialized loss. Both are small enough to audit in well under a second.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from perpspec.ledger.io import write_ledger
from perpspec.reference.engine.config import EngineConfig, render_engine_config
from perpspec.reference.events import Event
from perpspec.reference.profile import load_profile
from perpspec.reference.simulation.runner import build_config, run_simulation
from perpspec.reference.simulation.spec import (
    BTC_PERP,
    BTCUSD_PERP,
    MarketSpec,
    Scenario,
    SimulationSpec,
)


@dataclasses.dataclass(frozen=True)
class SimulatedLedger:
    """A simulated ledger: its events, its profile name and engine configuration."""

    events: tuple[Event, ...]
    profile: str
    config: EngineConfig


def simulate(
    profile: str,
    seed: int,
    accounts: int,
    steps: int,
    markets: tuple[MarketSpec, ...] | None = None,
    index_inputs: bool = False,
) -> SimulatedLedger:
    """Run the crash scenario (on the simulator's default markets unless ``markets``); with
    ``index_inputs``, index records before every mark and funding every 60 steps."""
    spec = SimulationSpec(accounts=accounts, steps=steps, seed=seed, scenario=Scenario.CRASH)
    if index_inputs:
        spec = dataclasses.replace(spec, index_inputs=True, funding_interval=60)
    if markets is not None:
        spec = dataclasses.replace(spec, markets=markets)
    config = dataclasses.replace(build_config(spec, load_profile(profile)), profile_ref=profile)
    return SimulatedLedger(tuple(run_simulation(spec, config)), profile, config)


@pytest.fixture(scope="session")
def gate_ledger() -> SimulatedLedger:
    """ADL: 30 accounts, 200 steps, seed 0, seed-gate."""
    return simulate("seed-gate", 0, 30, 200)


@pytest.fixture(scope="session")
def socialized_ledger() -> SimulatedLedger:
    """Socialized loss: 30 accounts, 200 steps, seed 1, seed-socialized."""
    return simulate("seed-socialized", 1, 30, 200)


@pytest.fixture(scope="session")
def index_ledger() -> SimulatedLedger:
    """Index records: 30 accounts, 200 steps, seed 0, bitmex (fair price from three venues,
    an outlier and a frozen feed in the crash, funding every hour from the premiums)."""
    return simulate("bitmex", 0, 30, 200, index_inputs=True)


@pytest.fixture(scope="session")
def inverse_ledger() -> SimulatedLedger:
    """An inverse market beside a linear one: 30 accounts, 200 steps, seed 0, seed-gate
    (liquidations and ADL on BTCUSD-PERP, realized PnL in coin rounded to the unit)."""
    return simulate("seed-gate", 0, 30, 200, (BTCUSD_PERP, BTC_PERP))


@pytest.fixture(scope="session")
def tiny_ledger() -> SimulatedLedger:
    """A short calm-start ledger for the fuzz test: 6 accounts, 12 steps."""
    return simulate("seed-gate", 0, 6, 12)


def write_with_config(
    ledger: SimulatedLedger, path: Path, events: tuple[Event, ...] | None = None
) -> Path:
    """Write the ledger (or ``events``) and its engine configuration sidecar."""
    write_ledger(ledger.events if events is None else events, path)
    path.with_name(path.name + ".engine.toml").write_text(
        render_engine_config(ledger.config), encoding="utf-8"
    )
    return path
