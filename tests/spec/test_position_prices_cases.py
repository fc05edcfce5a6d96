"""The position_prices case source: hand computations agree with the sympy solver, the cases
cover every combination, and the fixed point lands beyond the first tier."""

from __future__ import annotations

import itertools
import re
from fractions import Fraction
from typing import Any

import pytest

from perpspec.reference.numbers import parse_number
from perpspec.reference.prices import closed_forms
from perpspec.spec.cases.position_prices import cases, compute_expected
from perpspec.spec.cases.sources import attach_sources
from perpspec.spec.vectors import validate_case

ALL = cases()
BY_ID = {case["id"]: case for case in ALL}
HAND_WRITTEN = [case for case in ALL if not case["id"].startswith("derived-")]


def _combination(case: dict[str, Any]) -> tuple[str, str, str, str, bool]:
    case_input = case["input"]
    fee = parse_number(case_input.get("close_fee_rate", "0")) > 0
    return (
        case_input["instrument"]["kind"],
        case_input["position"]["side"],
        case_input["margin"]["mode"],
        case_input["instrument"].get("maintenance_basis", "mark"),
        fee,
    )


def _tier_index(tiers: list[dict[str, str]], value: Fraction) -> int:
    return max(i for i, tier in enumerate(tiers) if parse_number(tier["floor"]) <= value)


def _value(case: dict[str, Any], price: Fraction) -> Fraction:
    instrument, position = case["input"]["instrument"], case["input"]["position"]
    size = parse_number(position["qty"]) * parse_number(instrument["multiplier"])
    return size * price if instrument["kind"] == "linear" else size / price


def test_case_count_and_ids() -> None:
    assert 30 <= len(ALL) <= 120
    assert len(BY_ID) == len(ALL)
    for case in ALL:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", case["id"]), case["id"]
        assert case["id"].split("-")[0] in {
            *(
                "seed002",
                "seed004",
                "bybit",
                "bitmex",
                "binance",
                "derived",
                "hand",
                "edge",
                "random",
            )
        }
        validate_case(attach_sources("position_prices", [dict(case)])[0], "position_prices")


@pytest.mark.parametrize("case", HAND_WRITTEN, ids=[case["id"] for case in HAND_WRITTEN])
def test_hand_computations_agree_with_the_sympy_solver(case: dict[str, Any]) -> None:
    assert compute_expected(case["input"]) == case["expected"]


def test_every_combination_is_covered() -> None:
    found = {_combination(case) for case in ALL}
    combinations = itertools.product(
        ("linear", "inverse"),
        ("long", "short"),
        ("isolated", "cross"),
        ("mark", "entry"),
        (False, True),
    )
    missing = [combination for combination in combinations if combination not in found]
    assert missing == []


def test_fixed_points_land_in_tiers_two_and_three_and_leave_the_entry_tier() -> None:
    landed: set[int] = set()
    moved = 0
    for case in ALL:
        tiers = case["input"]["instrument"]["tiers"]
        price = case["expected"]["liquidation_price"]
        if (
            len(tiers) < 3
            or price is None
            or case["input"]["instrument"].get("maintenance_basis") == "entry"
        ):
            continue
        entry = parse_number(case["input"]["position"]["entry_price"])
        tier = _tier_index(tiers, _value(case, parse_number(price)))
        landed.add(tier)
        moved += tier != _tier_index(tiers, _value(case, entry))
    assert {1, 2} <= landed
    assert moved >= 4


def test_special_cases_are_present() -> None:
    nulls = [case for case in ALL if case["expected"]["liquidation_price"] is None]
    assert len(nulls) >= 3
    assert any("liquidation_price_rounded" in case["expected"] for case in nulls)
    ticks = [case for case in ALL if "tick_size" in case["input"]["instrument"]]
    assert any(case["input"]["position"]["side"] == "short" for case in ticks)
    assert any(case["input"]["position"]["side"] == "long" for case in ticks)
    assert "seed002-smith-implied-entry-basis" in BY_ID
    assert "seed004-100x-long-mark-basis" in BY_ID


def test_rounding_direction() -> None:
    # DESIGN, Arithmetic: a long rounds up to the tick, a short down, by less than one tick.
    checked = 0
    for case in ALL:
        tick_text = case["input"]["instrument"].get("tick_size")
        if tick_text is None:
            continue
        tick, long = parse_number(tick_text), case["input"]["position"]["side"] == "long"
        for key in ("liquidation_price", "bankruptcy_price"):
            exact, rounded = case["expected"][key], case["expected"][f"{key}_rounded"]
            if exact is None:
                assert rounded is None
                continue
            gap = parse_number(rounded) - parse_number(exact)
            assert (0 <= gap < tick) if long else (-tick < gap <= 0)
            assert (parse_number(rounded) / tick).denominator == 1
            checked += 1
    assert checked >= 20


def test_single_tier_cases_agree_with_the_generated_closed_forms() -> None:
    # Two independent paths: sympy on the defining equations (the cases) and the printed
    # closed forms (the generated module).
    checked = 0
    for case in ALL:
        case_input = case["input"]
        instrument, position, margin = (
            case_input["instrument"],
            case_input["position"],
            case_input["margin"],
        )
        if len(instrument["tiers"]) != 1:
            continue
        kind, basis = instrument["kind"], instrument.get("maintenance_basis", "mark")
        side = 1 if position["side"] == "long" else -1
        collateral = parse_number(margin["balance"])
        other_mm = Fraction(0)
        if margin["mode"] == "cross":
            collateral += parse_number(margin["other_unrealized_pnl"])
            other_mm = parse_number(margin["other_maintenance_margin"])
        tier = instrument["tiers"][0]
        arguments = (
            side,
            parse_number(position["qty"]),
            parse_number(instrument["multiplier"]),
            parse_number(position["entry_price"]),
            collateral,
        )
        fee = parse_number(case_input.get("close_fee_rate", "0"))
        solve = getattr(closed_forms, f"{kind}_liquidation_price_{basis}_basis")
        liquidation = solve(
            *arguments,
            parse_number(tier["mmr"]),
            parse_number(tier.get("maintenance_amount", "0")),
            other_mm,
            fee,
        )
        bankruptcy = getattr(closed_forms, f"{kind}_bankruptcy_price")(*arguments, fee)
        for found, key in ((liquidation, "liquidation_price"), (bankruptcy, "bankruptcy_price")):
            expected = case["expected"][key]
            if expected is None:
                assert found is None or found <= 0
            else:
                assert found == parse_number(expected)
        checked += 1
    assert checked >= 10
