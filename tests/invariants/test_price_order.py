"""``price-order`` and ``mm-continuity`` on the reference functions (the theorems' numeric side).

The sympy theorem ``price-order`` proves, for a position opened isolated at leverage L in
the lowest tier: long 0 < P_bankrupt < P_liq < E and short E < P_liq < P_bankrupt exactly
when m > 0 and m + f < 1/L. These tests hold the executable reference to the same statement:
exhaustively on a stated grid and by random property; and ``mm-continuity`` on random tier
tables drawn by the shipped strategy.
"""

from __future__ import annotations

import itertools
from collections import Counter
from fractions import Fraction as F

from hypothesis import given
from hypothesis import strategies as st

from perpspec.invariants.strategies import tier_tables
from perpspec.reference.events import TierSpec
from perpspec.reference.instrument import ContractKind, Tier, validate_tier_table
from perpspec.reference.margin.pnl import compute_position_value
from perpspec.reference.margin.requirements import MaintenanceBasis, compute_maintenance_margin
from perpspec.reference.prices.position_prices import (
    MarginContext,
    MarginMode,
    compute_bankruptcy_price,
    compute_liquidation_price,
)


def _prices(
    kind: ContractKind, side: int, leverage: F, mmr: F, fee: F, basis: MaintenanceBasis
) -> tuple[F | None, F | None]:
    entry, qty, multiplier = F(20_000), F(1), F(1)
    margin = MarginContext(
        MarginMode.ISOLATED, compute_position_value(kind, qty, multiplier, entry) / leverage
    )
    tiers = (Tier(F(0), mmr, F(0)),)
    bankrupt = compute_bankruptcy_price(kind, side, qty, multiplier, entry, margin, fee)
    liquidation = compute_liquidation_price(
        kind, tiers, side, qty, multiplier, entry, margin, basis, fee
    )
    return bankrupt, liquidation


def _is_ordered(side: int, bankrupt: F | None, liquidation: F | None) -> bool:
    entry = F(20_000)
    if bankrupt is None or liquidation is None:
        return False
    if side > 0:
        return 0 < bankrupt < liquidation < entry
    return entry < liquidation < bankrupt


def test_price_order_on_a_grid() -> None:
    """Leverage 2, 3, 5, 10, 20, 50, 100; rates 0.1%, 0.5%, 1%, 2.5%, 10%, 40%; close fee 0
    and 0.05%; linear and inverse; long and short; both bases: ordered exactly when m + f <
    1/L (all rates here are > 0)."""
    seen: Counter[str] = Counter()
    rates = [F(1, 1000), F(5, 1000), F(1, 100), F(25, 1000), F(1, 10), F(4, 10)]
    for leverage, mmr, fee, kind, side, basis in itertools.product(
        [F(n) for n in (2, 3, 5, 10, 20, 50, 100)],
        rates,
        (F(0), F(5, 10_000)),
        ContractKind,
        (1, -1),
        MaintenanceBasis,
    ):
        ordered = _is_ordered(side, *_prices(kind, side, leverage, mmr, fee, basis))
        holds = mmr + fee < 1 / leverage
        assert ordered == holds, (leverage, mmr, fee, kind, side, basis)
        seen["ordered" if holds else "outside"] += 1
    assert seen["ordered"] and seen["outside"]


@given(
    st.integers(101, 20_000).map(lambda n: F(n, 100)),
    st.integers(1, 10_000),
    st.integers(0, 10),
    st.sampled_from(ContractKind),
    st.sampled_from((1, -1)),
    st.sampled_from(MaintenanceBasis),
)
def test_price_order_inside_the_preconditions(
    leverage: F, rate: int, fee_bp: int, kind: ContractKind, side: int, basis: MaintenanceBasis
) -> None:
    # rate as a share of the room left by the fee below 1/L: m + f < 1/L by construction
    fee = F(fee_bp, 10_000)
    room = 1 / leverage - fee
    if room <= 0:
        return
    mmr = room * F(rate, 10_001)
    assert _is_ordered(side, *_prices(kind, side, leverage, mmr, fee, basis))


def test_price_order_needs_a_positive_rate() -> None:
    # m = 0: liquidation and bankruptcy coincide (the theorem's "exactly when m > 0").
    bankrupt, liquidation = _prices(
        ContractKind.LINEAR, 1, F(10), F(0), F(0), MaintenanceBasis.MARK
    )
    # long at 10x: B = 2,000, so P_b = E - B = 18,000 = P_liq.
    assert bankrupt == liquidation == 18_000


@given(tier_tables(), st.data())
def test_mm_is_continuous_at_every_floor_of_a_drawn_table(
    specs: tuple[TierSpec, ...], data: st.DataObject
) -> None:
    tiers = tuple(Tier(s.floor, s.mmr, s.maintenance_amount, s.max_leverage) for s in specs)
    validate_tier_table(tiers, require_recurrence=True)
    for index in range(1, len(tiers)):
        floor = tiers[index].floor
        below = tiers[index - 1]
        # MM at the floor (tier index) equals the lower tier's line at the floor
        assert (
            compute_maintenance_margin(tiers, floor) == floor * below.mmr - below.maintenance_amount
        )
        # and a value just below the floor is within the lower line's slope of it
        epsilon = F(1, data.draw(st.integers(1, 10**6)))
        gap = compute_maintenance_margin(tiers, floor) - compute_maintenance_margin(
            tiers, floor - epsilon
        )
        assert gap == epsilon * below.mmr
    for spec in specs:
        # a drawn table keeps initial margin above maintenance margin: 1/L > m
        assert spec.max_leverage is not None and spec.mmr * spec.max_leverage < 1
