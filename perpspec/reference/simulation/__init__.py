"""The market simulator behind ``perpspec simulate`` (docs/simulate.md).

:func:`generate_inputs` yields a seeded, realistic market's input events lazily;
:func:`run_simulation` feeds them through the reference engine and yields the whole ledger;
:func:`summarize` reads a ledger back into figures. Standard library only.
"""

from __future__ import annotations

from perpspec.reference.simulation.generator import (
    ASSET_UNIT,
    DEFAULT_MARKET_MAKER,
    ProgressCallback,
    generate_inputs,
)
from perpspec.reference.simulation.runner import build_config, run_simulation
from perpspec.reference.simulation.spec import (
    BTC_PERP,
    BTCUSD_PERP,
    DEFAULT_MARKETS,
    ETH_PERP,
    MarketSpec,
    Scenario,
    SimulationSpec,
)
from perpspec.reference.simulation.summary import (
    FundPath,
    SimulationSummary,
    SummaryBuilder,
    format_summary,
    summarize,
)

__all__ = [
    "ASSET_UNIT",
    "BTCUSD_PERP",
    "BTC_PERP",
    "DEFAULT_MARKETS",
    "DEFAULT_MARKET_MAKER",
    "ETH_PERP",
    "FundPath",
    "MarketSpec",
    "ProgressCallback",
    "Scenario",
    "SimulationSpec",
    "SimulationSummary",
    "SummaryBuilder",
    "build_config",
    "format_summary",
    "generate_inputs",
    "run_simulation",
    "summarize",
]
