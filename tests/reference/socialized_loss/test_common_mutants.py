"""Mutant-found gaps in the charge rounding rule (``common``, module docstring, step 2).

The leftover is handed out one unit at a time only to accounts whose share was rounded (an
exact share is already charged in full), and a unit more is allowed up to the cap inclusive
(``sl-cap`` forbids exceeding the cap, not reaching it).
"""

from __future__ import annotations

from fractions import Fraction as F

from perpspec.reference.socialized_loss.clawback import compute_clawback
from perpspec.reference.socialized_loss.common import round_charges
from perpspec.reference.socialized_loss.result import SlPosition


def test_an_exact_share_is_not_rounded_up() -> None:
    # Unit 1; shares A 2 (exact), B 3/2, C 3/2 (caps 10): floors 2 + 1 + 1 = 4, goal
    # floor(5) = 5, one unit to hand out. A's share was not rounded, so the unit goes to B.
    charges = round_charges(
        [("A", F(2)), ("B", F(3, 2)), ("C", F(3, 2))],
        {"A": F(10), "B": F(10), "C": F(10)},
        F(1),
    )
    assert charges == {"A": 2, "B": 2, "C": 1}
    # The same through clawback: profits A 4, B 3, C 3, loss 5, empty fund: rate 5/10 = 1/2,
    # shares 2, 3/2, 3/2 within the caps 4, 3, 3; collected 2 + 2 + 1 = 5, nothing uncovered.
    book = [SlPosition("A", F(4)), SlPosition("B", F(3)), SlPosition("C", F(3))]
    result = compute_clawback(F(5), F(0), book, unit=F(1))
    assert dict(result.charges) == {"A": 2, "B": 2, "C": 1}
    assert result.uncovered == 0


def test_rounding_up_may_reach_the_cap() -> None:
    # Profits A 2, B 2, loss 3, empty fund: rate 3/4, shares 3/2 each (caps 2). Floors 1 + 1,
    # goal floor(3) = 3: one unit to A (ties by id), 1 + 1 = 2 <= its cap 2. Nothing uncovered.
    book = [SlPosition("A", F(2)), SlPosition("B", F(2))]
    result = compute_clawback(F(3), F(0), book, unit=F(1))
    assert dict(result.charges) == {"A": 2, "B": 1}
    assert result.uncovered == 0
