"""The liquidation_settlement op and its case source (DESIGN, Conformance protocol)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from perpspec.conformance.fields import CaseError
from perpspec.conformance.ops.liquidation_settlement import run
from perpspec.conformance.registry import get_runner
from perpspec.conformance.runner import run_reference
from perpspec.reference.errors import SpecError
from perpspec.reference.numbers import parse_number
from perpspec.spec.cases.liquidation_settlement import cases

_CASES = cases()


def _seed001_long() -> dict[str, Any]:
    return {
        "side": "long",
        "qty": "1",
        "bankruptcy_price": "10000",
        "fills": [{"qty": "1", "price": "10100"}],
        "insurance_fund": "0",
    }


def test_op_is_registered() -> None:
    assert get_runner("liquidation_settlement") is run


def test_seed001_long_output_keys_and_values() -> None:
    # Seed 001, user A: 10,100 - 10,000 = 100 to the fund; defaults: no fee, surplus to fund.
    assert run(_seed001_long()) == {
        "fee": "0",
        "insurance_delta": "100",
        "insurance_fund_after": "100",
        "trader_refund": "0",
        "remaining_qty": "0",
        "executed_qty": "1",
        "fills_executed": "1",
        "fee_base": "10000",  # 1 x 10,000: the bankruptcy value, the default base
    }


def test_extra_outputs_of_a_walk_that_stops() -> None:
    # Long 10, P_b 100, fund 30: 4 @ 101 (+4 -> 34), 3 @ 95 (-15 -> 19), 3 @ 90 (-30 -> -11,
    # stop): two fills, 4 + 3 = 7 units executed.
    output = run(
        {
            "side": "long",
            "qty": "10",
            "bankruptcy_price": "100",
            "fills": [
                {"qty": "4", "price": "101"},
                {"qty": "3", "price": "95"},
                {"qty": "3", "price": "90"},
            ],
            "insurance_fund": "30",
        }
    )
    assert (output["executed_qty"], output["fills_executed"], output["remaining_qty"]) == (
        "7",
        "2",
        "3",
    )


def test_integer_json_numbers_are_exact() -> None:
    case_input = _seed001_long() | {"qty": 1, "insurance_fund": 0}
    assert run(case_input)["insurance_delta"] == "100"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"qty": 1.5}, "input.qty"),
        ({"qty": "abc"}, "input.qty"),
        ({"qty": "-1"}, "input.qty"),
        ({"qty": None}, "input.qty"),
        ({"side": "flat"}, "input.side"),
        ({"side": 1}, "input.side"),
        ({"surplus_to": "exchange"}, "input.surplus_to"),
        ({"kind": "quanto"}, "input.kind"),
        ({"bankruptcy_price": "0"}, "input.bankruptcy_price"),
        ({"insurance_fund": "-5"}, "input.insurance_fund"),
        ({"fee_rate": "-0.1"}, "input.fee_rate"),
        ({"multiplier": "0"}, "input.multiplier"),
        ({"fills": "none"}, "input.fills"),
        ({"fills": ["1@10100"]}, "input.fills[0]"),
        ({"fills": [{"qty": "1"}]}, "input.fills[0].price"),
        ({"fills": [{"qty": "0", "price": "10100"}]}, "input.fills[0].qty"),
        ({"fills": [{"qty": "2", "price": "10100"}]}, "fills: quantities sum to 2"),
    ],
)
def test_malformed_input_fails_with_one_line_naming_the_field(
    change: dict[str, Any], field: str
) -> None:
    with pytest.raises(SpecError, match=re.escape(field)) as info:
        run(_seed001_long() | change)
    assert "\n" not in str(info.value)


def test_unknown_choice_is_a_case_error() -> None:
    with pytest.raises(CaseError, match=re.escape("input.side")):
        run(_seed001_long() | {"side": "flat"})


def test_case_source_shape() -> None:
    ids = [case["id"] for case in _CASES]
    assert 15 <= len(ids) <= 80
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", case_id) for case_id in ids)
    assert {case["op"] for case in _CASES} == {"liquidation_settlement"}
    assert {case_id for case_id in ids if case_id.startswith("seed")} >= {
        "seed001-long-surplus",
        "seed001-short-deficit",
        "seed001-fund-insufficient-adl",
        "seed004-surplus-after-fee-to-fund",
        "seed004-fee-and-surplus-to-fund",
    }
    assert {"dydx-v4-fee-on-fill-notional", "dydx-v4-fee-capped-by-surplus"} <= set(ids)
    for case in _CASES:
        assert all(isinstance(value, str) for value in case["expected"].values())


def _dydx_long(fee_rate: str) -> dict[str, Any]:
    return {
        "side": "long",
        "qty": "1",
        "bankruptcy_price": "5100",
        "fills": [{"qty": "1", "price": "5610"}],
        "insurance_fund": "0",
        "fee_rate": fee_rate,
        "fee_base": "fill_notional",
        "fee_to": "insurance",
        "surplus_to": "trader",
    }


def test_dydx_v4_worked_check_through_the_op() -> None:
    # Issue 11: long 1, bankruptcy 5,100, fill 5,610, surplus 510. At 0.5% of the fill
    # (0.005 x 5,610 = 28.05) the fee goes to the fund and the trader gets 510 - 28.05 =
    # 481.95; at 100%, min(5,610, 510) = 510 to the fund and nothing to the trader.
    low = run(_dydx_long("0.005"))
    assert (low["fee"], low["insurance_delta"], low["trader_refund"]) == (
        "28.05",
        "28.05",
        "481.95",
    )
    assert low["fee_base"] == "5610"
    full = run(_dydx_long("1"))
    assert (full["fee"], full["insurance_delta"], full["trader_refund"]) == ("510", "510", "0")
    # The same fee booked to `fees` leaves it out of the fund's change (share 0 under trader).
    assert run(_dydx_long("0.005") | {"fee_to": "fees"})["insurance_delta"] == "0"


def test_mark_price_is_required_by_mark_value_and_read_only_then() -> None:
    mark_value = _seed001_long() | {"fee_rate": "0.01", "fee_base": "mark_value"}
    with pytest.raises(CaseError, match=r"input\.mark_price"):
        run(mark_value)
    # Long 1 at mark 10,050: base 10,050, x 0.01 = 100.5 > surplus 100, so the fee is 100.
    assert run(mark_value | {"mark_price": "10050"})["fee"] == "100"


@pytest.mark.parametrize("case", _CASES, ids=[case["id"] for case in _CASES])
def test_reference_matches_hand_computed_case(case: dict[str, Any]) -> None:
    output = run(case["input"])
    for key, expected in case["expected"].items():
        assert parse_number(output[key], key) == parse_number(expected, key), key


def test_a_mark_no_fee_base_reads_is_a_malformed_case(tmp_path: Path) -> None:
    # fee_base bankruptcy_value (the default) never reads the mark: giving one is refused,
    # never silently ignored (DESIGN, Conformance protocol: malformed cases fail with a reason).
    line = {
        "id": "unused-mark",
        "op": "liquidation_settlement",
        "input": _seed001_long() | {"mark_price": "10050"},
        "expected": {"fee": "0"},
    }
    path = tmp_path / "cases.jsonl"
    path.write_text(json.dumps(line) + "\n", encoding="utf-8")
    [result] = run_reference([path]).results
    assert result.reason == (
        "malformed case: input.mark_price: unknown key, or one that does not apply here "
        "(op liquidation_settlement never reads it)"
    )
