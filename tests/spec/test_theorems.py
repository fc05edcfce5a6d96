"""The theorems: every proof runs, and the proof machinery rejects false claims."""

from __future__ import annotations

import dataclasses

import pytest
import sympy as sp

from perpspec.spec import theorems
from perpspec.spec.derivations import CLOSE_FEE_RATE, ENTRY_PRICE, MMR
from perpspec.spec.theorems import Theorem, all_theorems, is_manifestly_positive

EXPECTED_IDS = [
    "price-order",
    "liq-distance-leverage",
    "seed004-100x",
    "mm-continuity",
    "tier-fixed-point",
    "index-single-source",
    "funding-basis-decay",
    "mark-median-bounds",
    "funding-rate-interest-band",
    "funding-rate-bounds",
]


@pytest.fixture(scope="module")
def proved() -> list[Theorem]:
    return all_theorems()


def test_every_theorem_is_proved(proved: list[Theorem]) -> None:
    assert [theorem.id for theorem in proved] == EXPECTED_IDS
    for theorem in proved:
        assert theorem.statement and theorem.method and theorem.preconditions


def test_theorem_records_are_frozen(proved: list[Theorem]) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        proved[0].id = "changed"  # type: ignore[misc]  # the point: frozen rejects it


def test_price_order_states_its_exact_conditions(proved: list[Theorem]) -> None:
    statement = proved[0].statement
    assert "exactly when m > 0 and m + f < 1/L" in statement
    assert any("c = 0" in condition for condition in proved[0].preconditions)


def test_positivity_decision() -> None:
    a = sp.Symbol("a", nonnegative=True)
    e, x = sp.symbols("e x", positive=True)
    assert is_manifestly_positive(a * x + e)
    assert is_manifestly_positive((e + a) / (x + 1))
    assert is_manifestly_positive(-e / (-x - a))
    assert not is_manifestly_positive(a)  # may be 0
    assert not is_manifestly_positive(x - e)  # either sign
    assert not is_manifestly_positive(-x)


def test_a_false_order_claim_is_rejected() -> None:
    # Linear long, mark basis: E - P_liq has the sign of 1/L - m - f, not of 1/L - f, so
    # claiming the latter must fail.
    liquidation = theorems._opened_isolated_price(
        "linear_liquidation_price_mark_basis", "long", "linear"
    )
    with pytest.raises(AssertionError, match="could not show"):
        theorems._require_sign_factor(
            ENTRY_PRICE - liquidation,
            1 / theorems._LEVERAGE - CLOSE_FEE_RATE,
            theorems._REGIME,
            "false claim",
        )
    # While the true factor passes.
    theorems._require_sign_factor(
        ENTRY_PRICE - liquidation,
        1 / theorems._LEVERAGE - MMR - CLOSE_FEE_RATE,
        theorems._REGIME,
        "true claim",
    )


def test_theorems_markdown_lists_every_theorem() -> None:
    page = theorems.render_theorems_markdown()
    for theorem_id in EXPECTED_IDS:
        assert f"## `{theorem_id}` {{#{theorem_id}}}" in page
