"""The mark and funding theorems: each proof runs, and the proof steps reject false claims."""

from __future__ import annotations

import pytest
import sympy as sp

from perpspec.spec import mark_theorems
from perpspec.spec.mark_derivations import (
    CLAMP_BOUND,
    INTEREST_RATE,
    PREMIUM,
    get_clamped_rate,
    median_of_three,
)


@pytest.mark.parametrize("prove", mark_theorems.MARK_PROOFS)
def test_each_proof_runs(prove: object) -> None:
    assert callable(prove)
    theorem = prove()
    assert theorem.statement and theorem.method and theorem.preconditions


def test_a_false_median_claim_is_rejected() -> None:
    # The median of x, x + 1, x + 3 is x + 1, not the mean x + 4/3.
    x = sp.Symbol("x", real=True)
    found = median_of_three(x + 3, x, x + 1)
    mark_theorems._require_zero(found - (x + 1), "true claim")
    with pytest.raises(AssertionError, match="could not show"):
        mark_theorems._require_zero(found - (x + sp.Rational(4, 3)), "false claim")


def test_a_false_band_claim_is_rejected() -> None:
    # Outside the band (I - P = b + 1) the rate is P + b, not I.
    d = sp.Symbol("d", positive=True)
    rate = get_clamped_rate().subs(INTEREST_RATE, PREMIUM + CLAMP_BOUND + d)
    mark_theorems._require_zero(rate - (PREMIUM + CLAMP_BOUND), "true claim")
    with pytest.raises(AssertionError, match="could not show"):
        mark_theorems._require_zero(rate - (PREMIUM + CLAMP_BOUND + d), "false claim")
    with pytest.raises(AssertionError, match="could not show"):
        mark_theorems._require_nonnegative(-d, "false sign")
