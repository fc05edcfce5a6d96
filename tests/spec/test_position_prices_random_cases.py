"""The seeded random ``position_prices`` vectors, checked by substitution (not by the reference).

Each expected bankruptcy price of an isolated case must zero the margin balance written out
here directly (linear ``B + s q V (P - E)``, inverse ``B + s q V (1/E - 1/P)``), and each
expected liquidation price of a one-tier isolated case must make it equal the maintenance
margin ``mmr x |value(P)|``: a generator that solved the wrong equation fails.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from perpspec.reference.numbers import parse_number
from perpspec.spec.cases.position_prices import RANDOM_SEED, cases


def _balance_at(case_input: dict[str, Any], price: Fraction) -> tuple[Fraction, Fraction]:
    """(margin balance, |position value|) at mark ``price``, isolated."""
    instrument, position = case_input["instrument"], case_input["position"]
    sign = 1 if position["side"] == "long" else -1
    qty, entry = parse_number(position["qty"]), parse_number(position["entry_price"])
    multiplier = parse_number(instrument["multiplier"])
    balance = parse_number(case_input["margin"]["balance"])
    if instrument["kind"] == "linear":
        return balance + sign * qty * multiplier * (price - entry), qty * multiplier * price
    return balance + sign * qty * multiplier * (1 / entry - 1 / price), qty * multiplier / price


def _random_cases() -> list[dict[str, Any]]:
    return [case for case in cases() if case["id"].startswith("random-")]


def test_there_are_random_cases_naming_their_seed() -> None:
    randoms = _random_cases()
    assert len(randoms) >= 20
    assert all(case["source"].startswith(f"random:seed={RANDOM_SEED}") for case in randoms)


def test_random_isolated_prices_satisfy_the_equations_by_substitution() -> None:
    checked = 0
    for case in _random_cases():
        case_input = case["input"]
        if case_input["margin"]["mode"] != "isolated":
            continue
        bankruptcy = case["expected"]["bankruptcy_price"]
        if bankruptcy is not None:
            assert _balance_at(case_input, parse_number(bankruptcy))[0] == 0, case["id"]
        tiers = case_input["instrument"]["tiers"]
        liquidation = case["expected"]["liquidation_price"]
        if len(tiers) == 1 and liquidation is not None:
            balance, value = _balance_at(case_input, parse_number(liquidation))
            assert balance == parse_number(tiers[0]["mmr"]) * value, case["id"]
        checked += 1
    assert checked >= 5
