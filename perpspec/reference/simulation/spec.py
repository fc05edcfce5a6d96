"""What a simulated market is made of: its scenario, its markets and the run's size and seed.

Rule (command line, DESIGN: ``perpspec simulate --accounts --steps --seed --scenario``). A
:class:`SimulationSpec` fixes everything the generator draws from; with the engine's
configuration it fixes the whole ledger (same spec and config, same ledger, byte for byte).
Every number is exact: built from ints or decimal strings, never from a float.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from fractions import Fraction

from perpspec.reference.errors import SpecError
from perpspec.reference.events import TierSpec
from perpspec.reference.instrument import Tier, compute_maintenance_amounts, validate_tier_table

__all__ = [
    "BTCUSD_PERP",
    "BTC_PERP",
    "DEFAULT_MARKETS",
    "ETH_PERP",
    "MarketSpec",
    "Scenario",
    "SimulationSpec",
    "get_start_time",
    "make_tiers",
]


class Scenario(StrEnum):
    """The shape of the mark path (``--scenario``); docs/simulate.md describes each."""

    CALM = "calm"
    CRASH = "crash"
    SQUEEZE = "squeeze"


def make_tiers(rows: tuple[tuple[str, str, int], ...]) -> tuple[TierSpec, ...]:
    """A tier table from ``(floor, mmr, max_leverage)`` rows, amounts by the recurrence.

    DESIGN, Margin: ``c_n = floor_n (m_n - m_{n-1}) + c_{n-1}`` keeps MM continuous.
    """
    floors = [Fraction(floor) for floor, _, _ in rows]
    rates = [Fraction(mmr) for _, mmr, _ in rows]
    amounts = compute_maintenance_amounts(floors, rates)
    return tuple(
        TierSpec(floor, mmr, amount, Fraction(leverage))
        for floor, mmr, amount, (_, _, leverage) in zip(floors, rates, amounts, rows, strict=True)
    )


@dataclass(frozen=True, slots=True)
class MarketSpec:
    """One simulated market: its contract, its starting mark and who trades it.

    - ``kind``, ``multiplier``, ``tick_size``, ``lot_size``, ``tiers``, ``settle_asset``: the
      ``instrument`` event (its ``fund`` comes from the profile's ``[insurance]`` mapping).
    - ``start_price``: the first mark (a multiple of the tick).
    - ``volatility_ppm``: the typical size of one step's calm move, in millionths of the price.
    - ``trader_weight``: the market's share of the traders (weights over all markets).
    - ``deposit_exponents``: trader deposits are log-uniform from ``10**low`` to just under
      ``10**high`` units of the settle asset.
    - ``insurance_per_account``: the fund is seeded with this much per trader of the run.
    - ``maker_deposit``: the market maker's deposit for this market.
    - ``spread_ticks``: trades are at most this many ticks from the mark.
    """

    market: str
    kind: str
    multiplier: Fraction
    tick_size: Fraction
    lot_size: Fraction
    tiers: tuple[TierSpec, ...]
    settle_asset: str
    start_price: Fraction
    volatility_ppm: int
    trader_weight: int
    deposit_exponents: tuple[int, int]
    insurance_per_account: Fraction
    maker_deposit: Fraction
    spread_ticks: int = 5

    def __post_init__(self) -> None:
        if self.kind not in ("linear", "inverse"):
            raise SpecError(f"markets.{self.market}.kind: linear or inverse, found {self.kind!r}")
        for name in ("multiplier", "tick_size", "lot_size", "start_price", "maker_deposit"):
            if getattr(self, name) <= 0:
                raise SpecError(f"markets.{self.market}.{name}: must be > 0")
        if (self.start_price / self.tick_size).denominator != 1:
            raise SpecError(f"markets.{self.market}.start_price: not a multiple of the tick")
        if self.insurance_per_account < 0:
            raise SpecError(f"markets.{self.market}.insurance_per_account: must be >= 0")
        if not 0 <= self.volatility_ppm <= 100_000:
            raise SpecError(f"markets.{self.market}.volatility_ppm: must be in [0, 100000]")
        if self.trader_weight < 1 or self.spread_ticks < 0:
            raise SpecError(f"markets.{self.market}: trader_weight >= 1, spread_ticks >= 0")
        low, high = self.deposit_exponents
        if low >= high:
            raise SpecError(f"markets.{self.market}.deposit_exponents: low must be < high")
        for tier in self.tiers:
            if tier.max_leverage is None:
                raise SpecError(f"markets.{self.market}.tiers: every tier needs max_leverage")
        validate_tier_table([Tier(t.floor, t.mmr, t.maintenance_amount) for t in self.tiers])


#: Binance's first four USD-M BTCUSDT leverage brackets as published around 2022 (value
#: ceilings 50,000 / 250,000 / 1,000,000; 125x / 100x / 50x / 20x; MMR 0.4% / 0.5% / 1% /
#: 2.5%; amounts 0 / 50 / 1,300 / 16,300 by the recurrence). The fourth is open-ended here.
BTC_TIERS = make_tiers(
    (("0", "0.004", 125), ("50000", "0.005", 100), ("250000", "0.01", 50), ("1000000", "0.025", 20))
)

#: The same table in coin: an inverse contract's value is in BTC (floors 5 / 25 / 100 BTC).
BTC_COIN_TIERS = make_tiers(
    (("0", "0.004", 125), ("5", "0.005", 100), ("25", "0.01", 50), ("100", "0.025", 20))
)

BTC_PERP = MarketSpec(
    market="BTC-PERP",
    kind="linear",
    multiplier=Fraction(1),
    tick_size=Fraction("0.1"),
    lot_size=Fraction("0.001"),
    tiers=BTC_TIERS,
    settle_asset="USDT",
    start_price=Fraction(60_000),
    volatility_ppm=300,
    trader_weight=3,
    deposit_exponents=(2, 6),
    insurance_per_account=Fraction(20),
    maker_deposit=Fraction(10**10),
)

#: ETH-PERP reuses BTC-PERP's table (a simulation choice, not a published table).
ETH_PERP = MarketSpec(
    market="ETH-PERP",
    kind="linear",
    multiplier=Fraction(1),
    tick_size=Fraction("0.01"),
    lot_size=Fraction("0.01"),
    tiers=BTC_TIERS,
    settle_asset="USDT",
    start_price=Fraction(3_000),
    volatility_ppm=400,
    trader_weight=1,
    deposit_exponents=(2, 6),
    insurance_per_account=Fraction(10),
    maker_deposit=Fraction(10**10),
)

#: An inverse market (not in the defaults): 100 USD contracts settled in BTC. The liquidity
#: model's depth is in contracts, so its book holds far less value than BTC-PERP's.
BTCUSD_PERP = MarketSpec(
    market="BTCUSD-PERP",
    kind="inverse",
    multiplier=Fraction(100),
    tick_size=Fraction("0.1"),
    lot_size=Fraction(1),
    tiers=BTC_COIN_TIERS,
    settle_asset="BTC",
    start_price=Fraction(60_000),
    volatility_ppm=300,
    trader_weight=1,
    deposit_exponents=(-3, 1),
    insurance_per_account=Fraction(1, 10_000),
    maker_deposit=Fraction(10**6),
)

DEFAULT_MARKETS: tuple[MarketSpec, ...] = (BTC_PERP, ETH_PERP)


def get_start_time(start_ts: str) -> datetime:
    """The run's first instant: ``start_ts`` as ISO 8601 UTC (``...Z`` or ``+00:00``)."""
    try:
        moment = datetime.fromisoformat(start_ts.replace("Z", "+00:00"))
    except ValueError:
        raise SpecError(f"start_ts: {start_ts!r} is not an ISO 8601 time") from None
    if moment.utcoffset() != timedelta(0):
        raise SpecError(f"start_ts: {start_ts!r} is not in UTC (end it with Z)")
    return moment


@dataclass(frozen=True, slots=True)
class SimulationSpec:
    """A simulated run: ``accounts`` traders, ``steps`` mark steps, one ``seed``, a scenario.

    ``seed`` is an integer >= 0 (``random.Random`` seeds with its absolute value, so a
    negative seed would silently repeat a positive one's run).

    - ``markets``: the markets (:data:`DEFAULT_MARKETS`: BTC-PERP and ETH-PERP, linear).
    - ``start_ts``: the time of the setup events; step ``k`` is ``k * step_seconds`` later.
    - ``trades_per_step``: trading decisions per step (each makes at most one trade).
    - ``funding_interval``: funding is settled every this many steps (480 steps of 60 s: 8h).
    - ``balance_interval``: every trader account's stated ``balance`` (wallet balance, per
      settle asset) is written after every this many steps (60 steps of 60 s: hourly, as an
      exchange statement's periodic balance), besides after every liquidation.
    - ``index_inputs``: write an ``index`` record before every mark and derive the mark (and,
      with the profile's ``[funding]``, the funding rate) from it
      (:mod:`perpspec.reference.simulation.sources`).
    """

    accounts: int
    steps: int
    seed: int
    scenario: Scenario
    markets: tuple[MarketSpec, ...] = DEFAULT_MARKETS
    start_ts: str = "2024-01-01T00:00:00Z"
    step_seconds: int = 60
    trades_per_step: int = 3
    funding_interval: int = 480
    balance_interval: int = 60
    index_inputs: bool = False

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "scenario", Scenario(self.scenario))
        except ValueError:
            known = ", ".join(s.value for s in Scenario)
            raise SpecError(f"scenario: {self.scenario!r} is not one of {known}") from None
        for name, least in (
            ("accounts", 1),
            ("steps", 0),
            ("seed", 0),
            ("step_seconds", 1),
            ("trades_per_step", 0),
            ("funding_interval", 1),
            ("balance_interval", 1),
        ):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < least:
                raise SpecError(f"{name}: must be an integer >= {least}, found {value!r}")
        if not self.markets:
            raise SpecError("markets: at least one market is required")
        names = [m.market for m in self.markets]
        if len(set(names)) != len(names):
            raise SpecError(f"markets: market names must differ, found {names}")
        get_start_time(self.start_ts)
