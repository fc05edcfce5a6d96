"""Initial and maintenance margin (DESIGN, Margin; seed 004 Part Two)."""

from __future__ import annotations

from fractions import Fraction as F

from perpspec.reference.instrument import ContractKind, make_tier_table
from perpspec.reference.liquidation.trigger import is_liquidatable
from perpspec.reference.margin.requirements import (
    MaintenanceBasis,
    compute_cross_equity,
    compute_initial_margin,
    compute_maintenance_margin,
    compute_position_maintenance_margin,
)


def test_seed004_initial_margin() -> None:
    # Seed 004: "to open a position worth 10,000 USDT with 10x leverage, a trader needs to
    # invest 1,000 USDT as the initial margin."
    assert compute_initial_margin(F(10_000), F(10)) == 1_000


def test_tiered_maintenance_margin() -> None:
    tiers = make_tier_table([F(0), F(50_000), F(250_000)], [F("0.004"), F("0.005"), F("0.01")])
    # 60,000 lies in tier 1: 60,000 x 0.005 - 50 = 250.
    assert compute_maintenance_margin(tiers, F(60_000)) == 250
    # 40,000 in tier 0: 40,000 x 0.004 = 160.
    assert compute_maintenance_margin(tiers, F(40_000)) == 160


def test_maintenance_basis_chooses_the_price() -> None:
    tiers = make_tier_table([F(0)], [F("0.01")])
    # 2 BTC, entry 20,000, mark 15,000: mark basis 2 x 15,000 x 1% = 300; entry basis 400.
    mark = compute_position_maintenance_margin(
        ContractKind.LINEAR, tiers, F(2), F(1), F(20_000), F(15_000), MaintenanceBasis.MARK
    )
    entry = compute_position_maintenance_margin(
        ContractKind.LINEAR, tiers, F(2), F(1), F(20_000), F(15_000), MaintenanceBasis.ENTRY
    )
    assert (mark, entry) == (F(300), F(400))


def test_cross_equity_and_trigger_boundary() -> None:
    # wallet 1,000 with uPnL -700 and +50: equity 350.
    equity = compute_cross_equity(F(1_000), [F(-700), F(50)])
    assert equity == 350
    # seed 004: liquidation when the balance "reaches" MM: equality triggers.
    assert is_liquidatable(equity, F(350))
    assert not is_liquidatable(equity, F(349))
    # with a reserved close fee of 2: 350 - 2 = 348 <= 348 triggers.
    assert is_liquidatable(equity, F(348), F(2))
