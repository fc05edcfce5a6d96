"""The liquidation trigger (invariant ``liq-trigger``).

Rule (DESIGN, Prices; seed 004 Part Three): the mark price is the only trigger. A position
(isolated) or an account (cross) is liquidatable when its margin balance, less the reserved
fee to close (profile option ``close_fee_rate``), is at or below its maintenance margin at
the current mark. "At or below": seed 004 triggers when the mark "reaches or crosses" the
liquidation price.
"""

from __future__ import annotations

from fractions import Fraction

__all__ = ["compute_margin_ratio", "is_bankrupt", "is_liquidatable"]


def is_liquidatable(
    margin_balance: Fraction, maintenance_margin: Fraction, close_fee: Fraction = Fraction(0)
) -> bool:
    """True when margin balance - close fee <= MM (the liquidation condition).

    Implements rule `liq.trigger`.
    """
    return margin_balance - close_fee <= maintenance_margin


def is_bankrupt(margin_balance: Fraction, close_fee: Fraction = Fraction(0)) -> bool:
    """True when margin balance - close fee <= 0: the mark is at or past the bankruptcy price."""
    return margin_balance - close_fee <= 0


def compute_margin_ratio(margin_balance: Fraction, maintenance_margin: Fraction) -> Fraction | None:
    """MM / margin balance, the exchanges' "margin ratio": liquidation at 100% and above.

    None when the margin balance is not positive (the ratio is then unbounded).
    """
    if margin_balance <= 0:
        return None
    return maintenance_margin / margin_balance
