"""The brute-force readings behind the random vectors, and the random and edge cases themselves.

Each brute-force function must reproduce every hand, seed and published case of its op that
it covers (those expected values are worked out by hand in the case modules, not computed
by the function), so a brute force that misread a rule fails here before it writes a single
random vector. The random cases must name their seed and be reproducible; every case id must
be unique across all the vector files, as the runner requires.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from fractions import Fraction
from typing import Any

import pytest

from perpspec.spec.cases import (
    adl_allocate,
    adl_rank,
    liquidation_settlement,
    replay,
    socialized_loss,
)
from perpspec.spec.cases.brute import (
    allocate_by_lots,
    floor_to,
    rank_by_definition,
    settle_liquidation_by_walk,
    share_loss_by_rule,
    text,
)
from perpspec.spec.vectors import collect_cases

_Brute = Callable[[Mapping[str, Any]], dict[str, Any]]


def _is_random(case: Mapping[str, Any]) -> bool:
    return str(case["id"]).startswith("random-")


def _worked(cases: list[dict[str, Any]], covers: Callable[[Mapping[str, Any]], bool]) -> list[Any]:
    """The op's hand-written cases the brute force covers, as pytest params."""
    return [
        pytest.param(case, id=case["id"])
        for case in cases
        if not _is_random(case) and covers(case["input"])
    ]


def _agrees(brute: _Brute, case: Mapping[str, Any]) -> None:
    """Every expected key (and, in maps, every expected id) equals the brute force's value."""
    actual = brute(case["input"])
    for key, expected in case["expected"].items():
        assert key in actual, key
        if isinstance(expected, dict):
            assert {k: Fraction(v) for k, v in actual[key].items()} == {
                k: Fraction(v) for k, v in expected.items()
            }, key
        elif isinstance(expected, list):
            assert actual[key] == expected, key
        else:
            assert Fraction(actual[key]) == Fraction(expected), key


@pytest.mark.parametrize("case", _worked(liquidation_settlement.cases(), lambda _: True))
def test_the_walk_of_the_fills_reproduces_every_worked_settlement(case: dict[str, Any]) -> None:
    _agrees(settle_liquidation_by_walk, case)


@pytest.mark.parametrize(
    "case",
    _worked(adl_allocate.cases(), lambda _: True),
)
def test_the_lot_count_reproduces_every_worked_allocation(case: dict[str, Any]) -> None:
    _agrees(allocate_by_lots, case)


@pytest.mark.parametrize(
    "case",
    _worked(adl_rank.cases(), lambda i: i["formula"] in {"profit_ratio", "pnl_times_leverage"}),
)
def test_the_scores_from_the_definitions_reproduce_every_worked_ranking(
    case: dict[str, Any],
) -> None:
    _agrees(rank_by_definition, case)


@pytest.mark.parametrize("case", _worked(socialized_loss.cases(), lambda _: True))
def test_the_method_rules_reproduce_every_worked_socialized_loss(case: dict[str, Any]) -> None:
    _agrees(share_loss_by_rule, case)


def _field_is(key: str, value: str) -> Callable[[Mapping[str, Any]], bool]:
    return lambda case_input: case_input[key] == value


def test_the_worked_cases_cover_every_brute_force() -> None:
    settle = _worked(liquidation_settlement.cases(), lambda _: True)
    allocate = adl_allocate.cases()
    rank = adl_rank.cases()
    loss = socialized_loss.cases()
    counts = {
        "settlement": len(settle),
        "queue": len(_worked(allocate, lambda i: i.get("policy", "queue") == "queue")),
        "pro_rata": len(_worked(allocate, lambda i: i.get("policy") == "pro_rata")),
        "adl fees": len(_worked(allocate, lambda i: "fee_policy" in i)),
        **{
            formula: len(_worked(rank, _field_is("formula", formula)))
            for formula in (
                "profit_ratio",
                "pnl_times_leverage",
                "leverage_pnl_margin_ratio",
                "roi_times_mmr",
                "mark_entry_notional",
            )
        },
        **{
            method: len(_worked(loss, _field_is("method", method)))
            for method in ("top_profit", "clawback", "open_interest", "haircut_ratio")
        },
    }
    assert all(count >= 1 for count in counts.values()), counts
    assert counts["settlement"] >= 20 and counts["queue"] >= 10 and counts["pro_rata"] >= 5


def test_text_and_floor_by_hand() -> None:
    assert text(Fraction(-1, 100000000)) == "-0.00000001"
    assert text(Fraction(1, 3)) == "1/3"
    assert text(Fraction(12345, 100)) == "123.45"
    assert text(Fraction(-7)) == "-7"
    assert floor_to(Fraction(-1, 3), Fraction(1, 100)) == Fraction(-34, 100)
    assert floor_to(Fraction(1, 2), Fraction(1, 2)) == Fraction(1, 2)


_RANDOM_MODULES = [liquidation_settlement, adl_allocate, adl_rank, socialized_loss, replay]


@pytest.mark.parametrize("module", _RANDOM_MODULES, ids=lambda m: m.__name__.rsplit(".", 1)[1])
def test_random_cases_name_their_seed_and_how_they_were_computed(module: Any) -> None:
    randoms = [case for case in module.cases() if _is_random(case)]
    assert len(randoms) >= 12
    for case in randoms:
        assert case["source"].startswith(f"random:seed={module.RANDOM_SEED} (expected: ")


@pytest.mark.parametrize("module", _RANDOM_MODULES, ids=lambda m: m.__name__.rsplit(".", 1)[1])
def test_random_cases_are_reproducible(module: Any) -> None:
    assert module.cases() == module.cases()


def test_every_op_has_edge_cases_and_ids_are_unique_across_files() -> None:
    collected = collect_cases()
    ids = [case["id"] for cases in collected.values() for case in cases]
    assert len(ids) == len(set(ids))
    for op, cases in collected.items():
        edges = [case for case in cases if case["id"].startswith("edge-")]
        assert len(edges) >= 5, op
        assert all(case["source"] == "hand" for case in edges), op
