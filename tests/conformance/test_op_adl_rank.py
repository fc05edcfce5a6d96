"""The adl_rank op and its case source (DESIGN, Conformance protocol)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from perpspec.conformance.fields import CaseError
from perpspec.conformance.ops.adl_rank import run
from perpspec.conformance.registry import get_runner
from perpspec.conformance.runner import compare_output
from perpspec.reference.errors import SpecError
from perpspec.spec.cases.adl_rank import cases

_CASES = cases()


def test_op_is_registered() -> None:
    assert get_runner("adl_rank") is run


@pytest.mark.parametrize("case", _CASES, ids=[case["id"] for case in _CASES])
def test_reference_matches_case(case: dict[str, Any]) -> None:
    output = run(case["input"])
    assert compare_output(case["expected"], output, "output") == []
    # The runner ignores unexpected keys; the maps here must name exactly the positions.
    for key in ("scores", "lights"):
        if key in case["expected"]:
            assert set(output[key]) == set(case["expected"][key])


def test_case_source_shape() -> None:
    ids = [case["id"] for case in _CASES]
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", case_id) for case_id in ids)
    assert {
        "seed004-table2-order",
        "seed001-indicator-lights",
        "bitmex-example-size-quantiles",
    } <= set(ids)
    assert {case["op"] for case in _CASES} == {"adl_rank"}
    formulas = {case["input"]["formula"] for case in _CASES}
    assert formulas == {
        "pnl_times_leverage",
        "leverage_pnl_margin_ratio",
        "profit_ratio",
        "roi_times_mmr",
        "mark_entry_notional",
    }


def test_extra_outputs() -> None:
    # Seed 004's three longs: ranks 1, 2, 3; quantiles 1/3, 2/3, 1; both sides listed.
    case = next(c for c in _CASES if c["id"] == "seed004-table2-order")
    output = run(case["input"])
    assert output["ranks"] == {"A": "1", "B": "2", "C": "3"}
    assert output["quantiles"] == {"A": "1/3", "B": "2/3", "C": "1"}
    assert output["orders"] == {"long": ["A", "B", "C"], "short": []}


def _book() -> dict[str, Any]:
    return {
        "formula": "pnl_times_leverage",
        "positions": [
            {
                "id": "A",
                "side": "long",
                "qty": "1",
                "entry_price": "100",
                "mark_price": "110",
                "bankruptcy_price": "90",
            }
        ],
    }


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"formula": "best"}, "input.formula"),
        ({"thresholds": ["0.5", "0.2", "0.8", "1"]}, "input.thresholds[1]"),
        ({"quantile_basis": "weight"}, "input.quantile_basis"),
        (
            {
                "positions": [
                    {
                        "id": "A",
                        "side": "long",
                        "qty": "1",
                        "entry_price": "100",
                        "mark_price": "110",
                    }
                ]
            },
            "input.positions[0].bankruptcy_price: missing",
        ),
        (
            {
                "positions": [
                    {
                        "id": "A",
                        "side": "up",
                        "qty": "1",
                        "entry_price": "1",
                        "mark_price": "1",
                        "bankruptcy_price": "1",
                    }
                ]
            },
            "input.positions[0].side",
        ),
        ({"positions": ["A"]}, "input.positions[0]: expected an object"),
        (
            {
                "positions": [
                    {
                        "id": "A",
                        "side": "long",
                        "qty": 0.5,
                        "entry_price": "1",
                        "mark_price": "1",
                        "bankruptcy_price": "1",
                    }
                ]
            },
            "input.positions[0].qty",
        ),
    ],
)
def test_malformed_input_is_one_line_naming_the_field(change: dict[str, Any], field: str) -> None:
    with pytest.raises(SpecError, match=re.escape(field)) as info:
        run(_book() | change)
    assert "\n" not in str(info.value)


def test_unknown_formula_is_a_case_error() -> None:
    with pytest.raises(CaseError):
        run(_book() | {"formula": "luck"})
