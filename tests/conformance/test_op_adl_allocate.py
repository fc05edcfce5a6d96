"""The adl_allocate op and its case source (DESIGN, Conformance protocol)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from perpspec.conformance.ops.adl_allocate import run
from perpspec.conformance.registry import get_runner
from perpspec.conformance.runner import compare_output
from perpspec.reference.errors import SpecError
from perpspec.spec.cases.adl_allocate import cases

_CASES = cases()


def test_op_is_registered() -> None:
    assert get_runner("adl_allocate") is run


@pytest.mark.parametrize("case", _CASES, ids=[case["id"] for case in _CASES])
def test_reference_matches_case(case: dict[str, Any]) -> None:
    assert compare_output(case["expected"], run(case["input"]), "output") == []


def test_case_source_shape() -> None:
    ids = [case["id"] for case in _CASES]
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", case_id) for case_id in ids)
    assert {"seed001-queue-350", "seed002-queue-20000", "bitmex-example-short-20"} <= set(ids)
    assert {case["input"].get("policy", "queue") for case in _CASES} == {"queue", "pro_rata"}


def _seed001() -> dict[str, Any]:
    # Seed 001: 350 at 8,500 against A 100, B 200, C 50, D 150, E 400.
    book = [
        ("A", "100", "5"),
        ("B", "200", "4"),
        ("C", "50", "3"),
        ("D", "150", "2"),
        ("E", "400", "1"),
    ]
    return {
        "liquidated": {"side": "long", "qty": "350", "bankruptcy_price": "8500"},
        "counterparties": [{"id": i, "side": "short", "qty": q, "score": s} for i, q, s in book],
    }


def test_seed001_full_output() -> None:
    # A, B, C consumed fully (orders cancelled), D and E untouched.
    assert run(_seed001()) == {
        "fills": [
            {"id": "A", "qty": "100", "price": "8500"},
            {"id": "B", "qty": "200", "price": "8500"},
            {"id": "C", "qty": "50", "price": "8500"},
        ],
        "remaining_qty": "0",
        "cancelled_orders": ["A", "B", "C"],
        "remaining_positions": {"A": "0", "B": "0", "C": "0", "D": "150", "E": "400"},
    }


def test_fee_account_delta_is_reported() -> None:
    # maker_rebate at 0.0002 on 350 x 8,500 = 2,975,000: charged 595 in all, rebated 595: 0.
    output = run(_seed001() | {"fee_policy": "maker_rebate", "maker_fee_rate": "0.0002"})
    assert output["fees_account_delta"] == "0"
    assert output["fills"][0]["counterparty_fee"] == "170"  # 100 x 8,500 x 0.0002


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"policy": "random"}, "input.policy"),
        ({"lot_size": "0"}, "input.lot_size"),
        (
            {"liquidated": {"side": "long", "qty": "350"}},
            "input.liquidated.bankruptcy_price: missing",
        ),
        (
            {"counterparties": [{"id": "A", "side": "short", "qty": "1"}]},
            "input.counterparties[0].score: missing",
        ),
        ({"fee_policy": "free"}, "input.fee_policy"),
        ({"lot_size": "3"}, "liquidated.qty: 350 is not a whole number of lots"),
    ],
)
def test_malformed_input_is_one_line_naming_the_field(change: dict[str, Any], field: str) -> None:
    with pytest.raises(SpecError, match=re.escape(field)) as info:
        run(_seed001() | change)
    assert "\n" not in str(info.value)
