"""The table of conformance ops and where each one's runner lives.

Ops are imported lazily so that running one op never imports the modules of the others.
"""

from __future__ import annotations

import importlib
from typing import cast

from perpspec.conformance.ops import OpRunner

__all__ = ["OP_NAMES", "get_runner"]

#: Every op of the conformance protocol (DESIGN, Conformance protocol), in waterfall order.
OP_NAMES: tuple[str, ...] = (
    "mark_price",
    "funding_rate",
    "position_prices",
    "liquidation_settlement",
    "adl_rank",
    "adl_allocate",
    "socialized_loss",
    "replay",
)


def get_runner(op: str) -> OpRunner | None:
    """The runner of ``op``, or None when the op is unknown or not yet implemented."""
    if op not in OP_NAMES:
        return None
    try:
        module = importlib.import_module(f"perpspec.conformance.ops.{op}")
    except ModuleNotFoundError:
        return None
    return cast(OpRunner, module.run)
