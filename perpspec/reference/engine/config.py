"""What an engine run needs besides its inputs: the profile and the liquidity model.

A ledger alone does not say which book the liquidation engine traded into, so a run's
configuration travels with it: ``perpspec simulate`` writes ``LEDGER.engine.toml`` beside the
ledger, and replay reads it back. Its shape::

    profile = "seed-gate"          # a shipped profile name or a path to a profile TOML file
    unit = "0.00000001"            # optional: the settle asset's smallest unit (else exact)
    [liquidity]
    account = "market-maker"
    levels = 10
    spread = "0.001"               # numbers as strings, exact
    spacing = "0.002"
    depth = "10"
    seed = 0
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

from perpspec.reference.engine.liquidity import LiquidityModel
from perpspec.reference.errors import SpecError
from perpspec.reference.numbers import format_number, parse_nonnegative, parse_positive
from perpspec.reference.profile import Profile, load_profile

__all__ = [
    "EngineConfig",
    "load_engine_config",
    "parse_engine_config",
    "parse_liquidity",
    "render_engine_config",
]

_LIQUIDITY_KEYS = ("account", "levels", "spread", "spacing", "depth", "seed")


@dataclass(frozen=True, slots=True)
class EngineConfig:
    """The exchange's choices (``profile``) and the book the engine liquidates into."""

    profile: Profile
    liquidity: LiquidityModel = field(default_factory=LiquidityModel)
    profile_ref: str = ""
    #: The settle assets' smallest unit, or None to keep amounts exact. Socialized charges
    #: are rounded to it (the rule of :mod:`perpspec.reference.socialized_loss.common`: no
    #: charge above its share by more than a unit, nor above its cap; the residual to
    #: ``system_loss``); every other amount the engine books is already a whole number of
    #: ticks and lots times a rate.
    unit: Fraction | None = None


def _int(value: object, path: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise SpecError(f"{path}: expected an integer, found {value!r}")
    return value


def parse_liquidity(data: Mapping[str, object], path: str = "liquidity") -> LiquidityModel:
    """The liquidity model of a mapping; absent keys take the model's defaults."""
    unknown = sorted(set(data) - set(_LIQUIDITY_KEYS))
    if unknown:
        raise SpecError(
            f"{path}.{unknown[0]}: unknown option (known: {', '.join(_LIQUIDITY_KEYS)})"
        )
    base = LiquidityModel()
    account = data.get("account", base.account)
    if not isinstance(account, str) or not account:
        raise SpecError(f"{path}.account: expected a non-empty string")
    return LiquidityModel(
        account=account,
        levels=_int(data.get("levels", base.levels), f"{path}.levels"),
        spread=parse_nonnegative(data.get("spread", format_number(base.spread)), f"{path}.spread"),
        spacing=parse_nonnegative(
            data.get("spacing", format_number(base.spacing)), f"{path}.spacing"
        ),
        depth=parse_positive(data.get("depth", format_number(base.depth)), f"{path}.depth"),
        seed=_int(data.get("seed", base.seed), f"{path}.seed"),
    )


def parse_engine_config(data: Mapping[str, object], source: str) -> EngineConfig:
    """An engine configuration from its mapping form (the sidecar TOML, or a replay case)."""
    unknown = sorted(set(data) - {"profile", "liquidity", "unit"})
    if unknown:
        raise SpecError(f"{source}: {unknown[0]}: unknown key (profile, unit, liquidity)")
    reference = data.get("profile")
    if not isinstance(reference, str) or not reference:
        raise SpecError(f"{source}: profile: expected a profile name or path")
    liquidity = data.get("liquidity", {})
    if not isinstance(liquidity, Mapping):
        raise SpecError(f"{source}: liquidity: expected a table")
    unit = None if data.get("unit") is None else parse_positive(data["unit"], f"{source}: unit")
    return EngineConfig(load_profile(reference), parse_liquidity(liquidity), reference, unit)


def load_engine_config(path: Path) -> EngineConfig:
    """Read an engine configuration file (``LEDGER.engine.toml``)."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise SpecError(f"{path}: not valid TOML: {error}") from None
    except UnicodeDecodeError as error:
        raise SpecError(f"{path}: not UTF-8 text (byte {error.start}): TOML is UTF-8") from None
    return parse_engine_config(data, str(path))


def render_engine_config(config: EngineConfig) -> str:
    """The TOML text of ``config``, which :func:`load_engine_config` reads back."""
    model = config.liquidity
    reference = config.profile_ref or config.profile.name
    unit = "" if config.unit is None else f'unit = "{format_number(config.unit)}"\n'
    return (
        f'profile = "{reference}"\n{unit}\n[liquidity]\n'
        f'account = "{model.account}"\nlevels = {model.levels}\n'
        f'spread = "{format_number(model.spread)}"\nspacing = "{format_number(model.spacing)}"\n'
        f'depth = "{format_number(model.depth)}"\nseed = {model.seed}\n'
    )
