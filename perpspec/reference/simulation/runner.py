"""A simulated run: the generated inputs fed through the reference engine, one at a time.

Rule (DESIGN, Command line: ``perpspec simulate``). The ledger is every event the engine
returns, in order: each stamped input followed by what it caused (liquidations, fills,
insurance movements, ADL, socialized losses, rejections). Both the generator and the engine
are deterministic, so a spec and a config fix the ledger byte for byte; nothing is held but
the engine's state and the traders' views, so memory does not grow with the steps.
"""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction

from perpspec.reference.engine.config import EngineConfig
from perpspec.reference.engine.engine import Engine
from perpspec.reference.engine.liquidity import LiquidityModel
from perpspec.reference.events import Event
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
    for event in generate_inputs(spec, config, on_progress):
        yield from engine.submit(event)
