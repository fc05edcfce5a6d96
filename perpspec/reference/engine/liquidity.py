"""The liquidity model: the order book the liquidation engine closes positions into.

Rule (issue: "liquidation fills against a liquidity model, a stated, seeded order-book model
of depth and slippage"). The book is ``levels`` price levels on the side the engine hits.
Level ``i`` (from 0) sits ``spread + i * spacing`` away from the mark, as a fraction of the
mark, rounded to the tick away from the mark (the engine never gets a better price than the
model states). Its depth is ``depth`` times a jitter in [1/2, 3/2) drawn from SHA-256 of
(seed, market, seq, level), rounded down to the lot (at least one lot). The model is a pure
function of its parameters and the event's seq, so a replay reproduces every fill.

The book's counterparty is a real account (``account``), so every fill is an ordinary
position change and conservation needs no special case.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from fractions import Fraction

from perpspec.reference.errors import SpecError
from perpspec.reference.instrument import Instrument
from perpspec.reference.liquidation.settlement import Fill
from perpspec.reference.numbers import Rounding, quantize

__all__ = ["LiquidityModel", "compute_book_fills", "compute_level_depth", "compute_level_price"]


@dataclass(frozen=True, slots=True)
class LiquidityModel:
    """Parameters of the book: its owner, shape and seed."""

    account: str = "market-maker"
    levels: int = 10
    spread: Fraction = Fraction(1, 1000)
    spacing: Fraction = Fraction(2, 1000)
    depth: Fraction = Fraction(10)
    seed: int = 0

    def __post_init__(self) -> None:
        if self.levels < 1 or self.spread < 0 or self.spacing < 0 or self.depth <= 0:
            raise SpecError("liquidity: levels >= 1, spread >= 0, spacing >= 0, depth > 0")


def _jitter(model: LiquidityModel, market: str, seq: int, level: int) -> Fraction:
    digest = hashlib.sha256(f"{model.seed}:{market}:{seq}:{level}".encode()).digest()
    return Fraction(128 + digest[0], 256)


def compute_level_price(
    model: LiquidityModel, instrument: Instrument, mark: Fraction, level: int, engine_sells: bool
) -> Fraction:
    """Price of level ``level``: below the mark when the engine sells, above when it buys."""
    offset = model.spread + level * model.spacing
    raw = mark * (1 - offset) if engine_sells else mark * (1 + offset)
    if instrument.tick_size is None:
        return raw
    return quantize(raw, instrument.tick_size, Rounding.DOWN if engine_sells else Rounding.UP)


def compute_level_depth(
    model: LiquidityModel, instrument: Instrument, seq: int, level: int
) -> Fraction:
    """Depth of one level, jittered by the seed and rounded down to the lot (>= one lot)."""
    depth = model.depth * _jitter(model, instrument.market, seq, level)
    if instrument.lot_size is None:
        return depth
    return max(quantize(depth, instrument.lot_size, Rounding.DOWN), instrument.lot_size)


def compute_book_fills(
    model: LiquidityModel,
    instrument: Instrument,
    mark: Fraction,
    qty: Fraction,
    engine_sells: bool,
    seq: int,
    sweep: bool = False,
) -> list[Fill]:
    """Walk the book for ``qty``: the fills, level by level, best first.

    With ``sweep`` whatever the levels cannot hold is filled at the last level's price (the
    socialized-loss path: "transfer the position at a very poor price", seed 000);
    otherwise it stays unfilled. Levels at a price <= 0 are not part of the book.
    """
    fills: list[Fill] = []
    left = qty
    last_price: Fraction | None = None
    for level in range(model.levels):
        if left <= 0:
            break
        price = compute_level_price(model, instrument, mark, level, engine_sells)
        if price <= 0:
            break
        take = min(left, compute_level_depth(model, instrument, seq, level))
        fills.append(Fill(take, price))
        left -= take
        last_price = price
    if sweep and left > 0:
        price = last_price if last_price is not None else mark
        fills.append(Fill(left, price))
    return fills
