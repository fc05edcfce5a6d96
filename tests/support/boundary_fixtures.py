"""One trader whose exact liquidation price is a round number, for the boundary tests.

Every case is worked by hand from the liquidation condition (DESIGN, Prices: margin balance
<= MM at the mark; mark basis, no close fee, profile seed-gate). "alice" holds the position
(isolated: the collateral transferred into it; cross: her wallet), "bob" the other side with
a large deposit (never liquidatable at these marks), and the book account "mm" is funded.
"""

from __future__ import annotations

import dataclasses
from fractions import Fraction as F

from engine_fixtures import TIERS, TS, make_engine

from perpspec.reference.engine.engine import Engine
from perpspec.reference.events import (
    DepositEvent,
    Event,
    InstrumentEvent,
    MarginTransferEvent,
    MarkEvent,
    TierSpec,
    TradeEvent,
)

TICK = F("0.5")


@dataclasses.dataclass(frozen=True)
class BoundaryCase:
    """alice's position, its collateral and the hand-worked exact liquidation price."""

    name: str
    kind: str
    side: str
    mode: str
    collateral: F
    qty: F
    liquidation_price: F

    @property
    def market(self) -> str:
        return "BTC-PERP" if self.kind == "linear" else "BTCUSD-PERP"

    @property
    def asset(self) -> str:
        return "USDT" if self.kind == "linear" else "BTC"


# Linear, qty 1 @ 20,000, m = 0.5%, mark basis: long M + (P - 20,000) = 0.005 P gives
# P = (20,000 - M) / 0.995; M = 299: 19,701 / 0.995 = 19,800. Short M + (20,000 - P) = 0.005 P
# gives P = (20,000 + M) / 1.005; M = 301: 20,301 / 1.005 = 20,200. The same with a cross
# wallet W in place of M (one position: equity W + uPnL against its MM).
# Inverse, 100 contracts of 100 USD @ 20,000 (value 10,000 / P coin), m = 0.5%: long
# M + 10,000 (1/20,000 - 1/P) = 50 / P gives P = 10,050 / (M + 0.5); M = 0.1: 16,750. Short
# M + 10,000 (1/P - 1/20,000) = 50 / P gives P = 9,950 / (0.5 - M); M = 0.1: 24,875.
CASES = tuple(
    BoundaryCase(f"{kind}-{side}-{mode}", kind, side, mode, collateral, qty, price)
    for kind, side, collateral, qty, price in (
        ("linear", "long", F(299), F(1), F(19_800)),
        ("linear", "short", F(301), F(1), F(20_200)),
        ("inverse", "long", F("0.1"), F(100), F(16_750)),
        ("inverse", "short", F("0.1"), F(100), F(24_875)),
    )
    for mode in ("isolated", "cross")
)

INVERSE_TIERS = (TierSpec(F(0), F("0.005"), F(0), F(100)),)


def get_boundary_marks(case: BoundaryCase) -> tuple[F, F, F]:
    """One tick below the exact price, the price itself, one tick above."""
    price = case.liquidation_price
    return price - TICK, price, price + TICK


def build_boundary_engine(case: BoundaryCase) -> tuple[Engine, list[Event]]:
    """seed-gate with alice's position open at the entry mark 20,000; the ledger so far."""
    engine = make_engine("seed-gate")
    market, asset = case.market, case.asset
    if case.kind == "linear":
        spec = InstrumentEvent(0, TS, market, "linear", F(1), TICK, F("0.001"), TIERS, "BTC", asset)
    else:
        spec = InstrumentEvent(
            0, TS, market, "inverse", F(100), TICK, F(1), INVERSE_TIERS, "BTCUSD", asset
        )
    buyer, seller = ("alice", "bob") if case.side == "long" else ("bob", "alice")
    items: list[Event] = [
        spec,
        DepositEvent(0, TS, "alice", asset, case.collateral),
        DepositEvent(0, TS, "bob", asset, F(10**6)),
        # the liquidity account the engine closes takeovers against must be solvent
        DepositEvent(0, TS, "mm", asset, F(10**9)),
        MarkEvent(0, TS, market, F(20_000)),
    ]
    if case.mode == "isolated":
        items.append(MarginTransferEvent(0, TS, "alice", market, case.collateral))
    items.append(TradeEvent(0, TS, market, buyer, seller, case.qty, F(20_000), F(0), F(0)))
    ledger: list[Event] = []
    for item in items:
        out = engine.submit(item)
        assert out[-1].TYPE != "rejection", out
        ledger.extend(out)
    return engine, ledger
