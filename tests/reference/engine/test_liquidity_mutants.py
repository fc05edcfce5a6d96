"""Mutation-found gaps in the liquidity model (engine/liquidity.py).

Rules (module docstring): level ``i`` sits ``spread + i * spacing`` from the mark, below it
when the engine sells and above it when the engine buys, rounded to the tick away from the
mark; its depth is ``depth`` times a jitter ``(128 + b) / 256`` where ``b`` is the first byte
of SHA-256 of ``"seed:market:seq:level"``, rounded down to the lot (at least one lot).
"""

from __future__ import annotations

import hashlib
from fractions import Fraction as F

from perpspec.reference.engine.liquidity import (
    LiquidityModel,
    compute_level_depth,
    compute_level_price,
)
from perpspec.reference.instrument import ContractKind, Instrument, make_tier_table

MODEL = LiquidityModel(levels=3, spread=F(1, 1000), spacing=F(2, 1000), depth=F(10), seed=5)


def make_instrument(tick: F | None = F(1, 2), lot: F | None = F(1, 1000)) -> Instrument:
    tiers = make_tier_table([F(0)], [F(1, 200)])
    return Instrument("BTC-PERP", ContractKind.LINEAR, F(1), tiers, tick, lot, "main", "USDT")


def test_the_engine_buys_above_the_mark_rounded_up() -> None:
    """Engine buying (a short taken over): mark 19,999, level 1 at 0.001 + 0.002 = 0.3% above:
    19,999 x 1.003 = 20,058.997, up to the 0.5 tick: 20,059. Without a tick: exact."""
    mark = F(19_999)
    assert compute_level_price(MODEL, make_instrument(), mark, 1, False) == 20_059
    exact = compute_level_price(MODEL, make_instrument(tick=None), mark, 1, False)
    assert exact == F("20058.997")
    # level 0 (0.1% above): 19,999 x 1.001 = 20,018.999 -> 20,019
    assert compute_level_price(MODEL, make_instrument(), mark, 0, False) == 20_019


def _rule_depth(seq: int, level: int, lot: F) -> F:
    """The stated rule: depth x (128 + first digest byte) / 256, down to the lot."""
    byte = hashlib.sha256(f"5:BTC-PERP:{seq}:{level}".encode()).digest()[0]
    depth = F(10) * F(128 + byte, 256)
    return max(depth // lot * lot, lot)


def test_level_depth_is_the_seeded_jitter_rounded_down_to_the_lot() -> None:
    """Every (seq, level) of a small grid, against the rule; the depth depends on ``seq``
    (a replay reproduces it from the event's seq), and each is a whole number of lots not
    above the jittered depth."""
    lot = F(1, 7)
    instrument = make_instrument(lot=lot)
    depths = set()
    for seq in range(1, 9):
        for level in range(3):
            depth = compute_level_depth(MODEL, instrument, seq, level)
            assert depth == _rule_depth(seq, level, lot), (seq, level)
            depths.add(depth)
    assert len(depths) > 1
