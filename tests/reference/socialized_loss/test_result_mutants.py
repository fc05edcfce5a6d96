"""Mutant-found gap in ``SocializedLossResult.get_total_charged``.

Every amount of the reference is an exact ``Fraction`` (DESIGN, Arithmetic): the total charged
of a result with no charges is ``Fraction(0)``, not the integer 0.
"""

from __future__ import annotations

from fractions import Fraction as F

from perpspec.reference.socialized_loss.result import SocializedLossResult


def test_total_charged_is_a_fraction_even_without_charges() -> None:
    # Nothing charged: the loss of 5 is all uncovered; the total charged is Fraction 0.
    empty = SocializedLossResult(F(0), {}, F(5), ())
    total = empty.get_total_charged()
    assert isinstance(total, F)
    assert total == 0
    # 1/3 + 2/3 = 1.
    assert (
        SocializedLossResult(F(0), {"A": F(1, 3), "B": F(2, 3)}, F(0), ()).get_total_charged() == 1
    )
