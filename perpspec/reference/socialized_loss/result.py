"""Common types of every socialized-loss method.

A result says what the insurance fund paid, what each charged account pays, and what is left
``uncovered``: booked to ``system_loss``, never dropped (DESIGN, Socialized loss). ``uncovered``
is ``loss - insurance_paid - sum(charges)`` exactly; it is negative only when floors of
``haircut_ratio`` payouts leave a residue with the system (an over-collection, also booked to
``system_loss``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from fractions import Fraction

__all__ = ["Denominator", "SlPosition", "SocializedLossMethod", "SocializedLossResult"]


class SocializedLossMethod(Enum):
    """Profile option ``socialized_loss.method``."""

    TOP_PROFIT = "top_profit"
    CLAWBACK = "clawback"
    OPEN_INTEREST = "open_interest"
    HAIRCUT_RATIO = "haircut_ratio"


class Denominator(Enum):
    """Profile option ``socialized_loss.denominator`` of ``top_profit`` (see that module)."""

    PARTICIPANTS = "participants"
    ALL_PROFITABLE = "all_profitable"


@dataclass(frozen=True, slots=True)
class SlPosition:
    """An account's position in the settlement cycle.

    ``profit`` is the cycle profit (``top_profit``, ``clawback``) or the positive-PnL claim
    (``haircut_ratio``); ``size`` (absolute) and ``equity`` serve ``open_interest``.
    """

    id: str
    profit: Fraction = Fraction(0)
    size: Fraction | None = None
    equity: Fraction | None = None


@dataclass(frozen=True, slots=True)
class SocializedLossResult:
    """What one loss costs whom.

    ``charges`` holds the accounts charged more than zero, in the method's order;
    ``participants`` every account the method selected (a participant's charge can round to
    zero). ``paid`` and ``haircut_ratio`` are set by ``haircut_ratio`` only.
    """

    insurance_paid: Fraction
    charges: Mapping[str, Fraction]
    uncovered: Fraction
    participants: tuple[str, ...]
    paid: Mapping[str, Fraction] = field(default_factory=dict)
    haircut_ratio: Fraction | None = None

    def get_total_charged(self) -> Fraction:
        """Sum of every charge."""
        return sum(self.charges.values(), Fraction(0))
