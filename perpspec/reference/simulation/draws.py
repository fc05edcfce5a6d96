"""Exact random draws: every simulated number comes from integers drawn from one seeded RNG.

Rule (DESIGN, Arithmetic; issue: "every generated number exact"). The generator draws only
integers from :class:`random.Random` (``randrange`` and ``randint``, which consume the same
bits for a seed on every platform and Python version since 3.2) and builds Fractions from
them; ``random()`` and other float draws are never used. The ``draw_*`` helpers consume the
RNG, so the order of calls is part of the ledger's definition.
"""

from __future__ import annotations

import random
from fractions import Fraction

__all__ = [
    "LOG_MANTISSAS",
    "draw_fraction",
    "draw_log_uniform",
    "draw_move_ppm",
    "is_drawn",
]

#: ``round(1000 * 10 ** (j / 20))`` for j = 0..19: twenty points a decade, evenly spaced on a
#: log scale, so a uniform pick of mantissa and decade is log-uniform to within 0.03%.
LOG_MANTISSAS: tuple[int, ...] = (
    1000, 1122, 1259, 1413, 1585, 1778, 1995, 2239, 2512, 2818,
    3162, 3548, 3981, 4467, 5012, 5623, 6310, 7079, 7943, 8913,
)  # fmt: skip


def draw_log_uniform(rng: random.Random, low_exponent: int, high_exponent: int) -> Fraction:
    """A log-uniform amount from ``10**low_exponent`` to just under ``10**high_exponent``."""
    decade = rng.randrange(low_exponent, high_exponent)
    mantissa = LOG_MANTISSAS[rng.randrange(len(LOG_MANTISSAS))]
    return Fraction(mantissa, 1000) * Fraction(10) ** decade


def draw_fraction(rng: random.Random, low_percent: int, high_percent: int) -> Fraction:
    """A share from ``low_percent``% to ``high_percent``% (both included), in whole percent."""
    return Fraction(rng.randint(low_percent, high_percent), 100)


def draw_move_ppm(rng: random.Random, volatility_ppm: int) -> int:
    """A calm step's relative move in millionths: the sum of three uniform integers.

    Each term is uniform on ``[-v, v]`` (variance about ``v**2 / 3``), so the sum has a
    standard deviation of about ``v`` and a bell shape (Irwin-Hall), from integers only.
    """
    if volatility_ppm == 0:
        return 0
    return sum(rng.randint(-volatility_ppm, volatility_ppm) for _ in range(3))


def is_drawn(rng: random.Random, per_mille: int) -> bool:
    """True with probability ``per_mille / 1000``."""
    return rng.randrange(1000) < per_mille
