"""Mark paths: the shock's exact shape, the pull to the anchor, the tick grid."""

from __future__ import annotations

import dataclasses
import random
from fractions import Fraction as F

from perpspec.reference.simulation.marks import MarkWalk, Shock, draw_shock
from perpspec.reference.simulation.spec import BTC_PERP, Scenario

STILL = dataclasses.replace(BTC_PERP, volatility_ppm=0)


def test_crash_moves_by_its_weights_then_reverts_to_the_rebound_anchor() -> None:
    # fair value in thousandths of a tick: 60,000 / 0.1 x 1,000 = 600,000,000.
    # weights (2, 1, 1), 20%: moves of 600,000,000 x 20 x w / (100 x 4) = 60,000,000 x w
    walk = MarkWalk(STILL)
    shock = Shock(start=1, weights=(2, 1, 1), percent=20, direction=-1, rebound_percent=5)
    rng = random.Random(0)
    assert walk.apply_step(rng, 1, shock) == F(54_000)  # 540,000,000
    assert walk.apply_step(rng, 2, shock) == F(51_000)  # 510,000,000
    assert walk.apply_step(rng, 3, shock) == F(48_000)  # 480,000,000: 20% below 60,000
    # anchor = 480,000,000 x 105 / 100 = 504,000,000; one step closes 1/2000 of the gap:
    # 24,000,000 / 2,000 = 12,000 -> 480,012,000 -> 480,012 ticks -> 48,001.2
    assert walk.apply_step(rng, 4, shock) == F("48001.2")


def test_squeeze_moves_up() -> None:
    walk = MarkWalk(STILL)
    shock = Shock(start=2, weights=(1, 1), percent=30, direction=1, rebound_percent=0)
    rng = random.Random(0)
    assert walk.apply_step(rng, 1, shock) == F(60_000)  # before the shock, at the anchor
    # 600,000,000 x 30 x 1 / (100 x 2) = 90,000,000 a step: 69,000 then 78,000 (+30%)
    assert walk.apply_step(rng, 2, shock) == F(69_000)
    assert walk.apply_step(rng, 3, shock) == F(78_000)


def test_drawn_shocks_open_with_a_third_of_the_move() -> None:
    seen = 0
    for seed in range(50):
        shock = draw_shock(random.Random(seed), Scenario.CRASH, 1_000)
        assert shock is not None
        assert shock.start == 400 and shock.direction == -1
        assert 6 <= len(shock.weights) <= 12 and 20 <= shock.percent <= 40
        assert shock.weights[0] == sum(shock.weights[1:]) // 2
        seen += 1
    assert seen == 50
    assert draw_shock(random.Random(0), Scenario.CALM, 1_000) is None


def test_calm_marks_stay_on_the_tick_grid_and_near_the_start() -> None:
    walk = MarkWalk(BTC_PERP)
    rng = random.Random(3)
    marks = [walk.apply_step(rng, step, None) for step in range(1, 5_001)]
    assert all((m / BTC_PERP.tick_size).denominator == 1 for m in marks)
    # calm steps of about 0.03% pulled back to 60,000: far inside +-20% after 5,000 steps
    assert all(48_000 < m < 72_000 for m in marks)
    assert len(set(marks)) > 1_000
