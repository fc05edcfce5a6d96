"""What an engine run needs besides its inputs: the profile and the liquidity model."""

from __future__ import annotations

from dataclasses import dataclass, field

from perpspec.reference.engine.liquidity import LiquidityModel
from perpspec.reference.profile import Profile

__all__ = ["EngineConfig"]


@dataclass(frozen=True, slots=True)
class EngineConfig:
    """The exchange's choices (``profile``) and the book the engine liquidates into."""

    profile: Profile
    liquidity: LiquidityModel = field(default_factory=LiquidityModel)
