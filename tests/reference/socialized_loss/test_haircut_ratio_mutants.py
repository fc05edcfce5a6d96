"""Mutant-found gaps in ``haircut_ratio`` (Percolator spec 3.1 to 3.3).

Error messages name the refused field (one-line reasons); only claims > 0 are claimants ("a
claim <= 0 has nothing to haircut"); and claimants, payouts and charges come in the method's
order, largest claim first, ties by account id (``SocializedLossResult``).
"""

from __future__ import annotations

from fractions import Fraction as F

import pytest

from perpspec.reference.errors import SpecError
from perpspec.reference.socialized_loss.haircut_ratio import compute_haircut
from perpspec.reference.socialized_loss.result import SlPosition


@pytest.mark.parametrize(
    ("vault", "principal", "insurance", "message"),
    [
        (F(-1), F(0), F(0), r"^vault: must be >= 0, found -1$"),
        (F(0), F(-5, 2), F(0), r"^principal: must be >= 0, found -2\.5$"),
        (F(0), F(0), F(-3), r"^insurance_fund: must be >= 0, found -3$"),
    ],
)
def test_negative_vault_principal_or_insurance_is_refused_by_name(
    vault: F, principal: F, insurance: F, message: str
) -> None:
    with pytest.raises(SpecError, match=message):
        compute_haircut(vault, principal, insurance, [SlPosition("A", F(1))])


def test_a_zero_claim_is_not_a_claimant() -> None:
    # Claims A 10, Z 0; vault 5 with no principal or insurance: h = 5/10 = 1/2. A is paid 5
    # and charged 5; Z has nothing to haircut and takes no part.
    book = [SlPosition("A", F(10)), SlPosition("Z", F(0))]
    result = compute_haircut(F(5), F(0), F(0), book)
    assert result.participants == ("A",)
    assert dict(result.paid) == {"A": 5}
    assert dict(result.charges) == {"A": 5}


def test_claimants_come_largest_claim_first_ties_by_id() -> None:
    # Claims B 10, A 30, C 10 (total 50); vault 25: h = 25/50 = 1/2. Paid A 15, B 5, C 5;
    # charged the same; shortfall 50 - 25 = 25 = 15 + 5 + 5, so nothing uncovered.
    book = [SlPosition("B", F(10)), SlPosition("A", F(30)), SlPosition("C", F(10))]
    result = compute_haircut(F(25), F(0), F(0), book)
    assert result.participants == ("A", "B", "C")
    assert list(result.paid.items()) == [("A", F(15)), ("B", F(5)), ("C", F(5))]
    assert list(result.charges.items()) == [("A", F(15)), ("B", F(5)), ("C", F(5))]
    assert result.uncovered == 0
