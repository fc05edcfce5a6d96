"""The mark path of each market: a mean-reverting random walk, and the scenario's shock.

Rules (docs/simulate.md, Scenarios):

- Every step moves each market's fair value by a calm move (:func:`draw_move_ppm`, about
  ``volatility_ppm`` millionths) plus a pull of ``1 / REVERSION_STEPS`` of the gap back to
  the anchor (the level the market reverts to), so a long calm run stays near its start.
- ``crash`` and ``squeeze`` add one shock, shared by all markets: from step
  ``2 * steps // 5`` (at least 1) for 6 to 12 steps, the fair value moves by 20% to 40% of
  its level before the shock. The shock opens with a gap of a third of that move (7% to
  13%), which jumps past the bankruptcy prices of every position levered above about 8x to
  14x before the book can close them: their fills are worse than bankruptcy and the fund
  pays.
  The other two thirds follow over 5 to 11 steps in proportion to squared weights from 1
  to 10, so some of them are gaps too. There is no pull during the shock; afterwards the
  anchor is the level reached, moved back by a 0% to 5% rebound.
- The fair value is an integer count of thousandths of a tick; the published mark is its
  floor to the tick (at least one tick). Keeping the walk in integers keeps every price a
  short exact number however long the run.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from fractions import Fraction

from perpspec.reference.simulation.draws import draw_move_ppm
from perpspec.reference.simulation.spec import MarketSpec, Scenario

__all__ = ["REVERSION_STEPS", "SCALE", "MarkWalk", "Shock", "draw_shock"]

#: The fair value is kept in thousandths of a tick.
SCALE = 1000

#: Each calm step closes 1/2000 of the gap to the anchor (a half-life of about 1,400 steps).
REVERSION_STEPS = 2000

_MILLION = 1_000_000


def _div_toward_zero(numerator: int, denominator: int) -> int:
    """Integer division that truncates toward zero, so rises and falls are rounded alike."""
    quotient = abs(numerator) // denominator
    return quotient if numerator >= 0 else -quotient


@dataclass(frozen=True, slots=True)
class Shock:
    """The scenario's one sharp move: its first step, per-step weights, size and rebound.

    ``direction`` is -1 for a crash, +1 for a squeeze; ``percent`` the total move as a share
    of the level before the shock; ``rebound_percent`` how far the anchor sits back from
    the level reached.
    """

    start: int
    weights: tuple[int, ...]
    percent: int
    direction: int
    rebound_percent: int

    def is_active(self, step: int) -> bool:
        """True during the shock's steps."""
        return self.start <= step < self.start + len(self.weights)


def draw_shock(rng: random.Random, scenario: Scenario, steps: int) -> Shock | None:
    """The shock of ``crash`` or ``squeeze`` (module docstring); None for ``calm``.

    The shock is drawn whole even when the run ends before its last step (the tail is cut),
    so a longer run with the same seed shares the beginning of the path.
    """
    if scenario is Scenario.CALM:
        return None
    start = max(1, 2 * steps // 5)
    rest = tuple(rng.randint(1, 10) ** 2 for _ in range(rng.randint(5, 11)))
    weights = (sum(rest) // 2, *rest)
    percent = rng.randint(20, 40)
    rebound = rng.randint(0, 5)
    direction = -1 if scenario is Scenario.CRASH else 1
    return Shock(start, weights, percent, direction, rebound)


class MarkWalk:
    """One market's fair value, anchor and shock base, stepped by :meth:`apply_step`."""

    def __init__(self, market: MarketSpec) -> None:
        self.market = market
        self.fair = int(market.start_price / market.tick_size) * SCALE
        self.anchor = self.fair
        self.base = self.fair

    def get_mark(self) -> Fraction:
        """The published mark: the fair value floored to the tick, never below one tick."""
        return max(self.fair // SCALE, 1) * self.market.tick_size

    def apply_step(self, rng: random.Random, step: int, shock: Shock | None) -> Fraction:
        """Move the fair value for ``step`` (1-based) and return the new mark."""
        noise = _div_toward_zero(
            self.fair * draw_move_ppm(rng, self.market.volatility_ppm), _MILLION
        )
        if shock is not None and shock.is_active(step):
            offset = step - shock.start
            if offset == 0:
                self.base = self.fair
            total = sum(shock.weights)
            move = self.base * shock.percent * shock.weights[offset] // (100 * total)
            self.fair += noise + shock.direction * move
            if offset == len(shock.weights) - 1:
                self.anchor = self.fair * (100 - shock.direction * shock.rebound_percent) // 100
        else:
            self.fair += noise + _div_toward_zero(self.anchor - self.fair, REVERSION_STEPS)
        self.fair = max(self.fair, SCALE)
        return self.get_mark()
