"""The socialized_loss op and its case source (DESIGN, Conformance protocol)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from perpspec.conformance.ops.socialized_loss import run
from perpspec.conformance.registry import get_runner
from perpspec.conformance.runner import compare_output
from perpspec.reference.errors import SpecError
from perpspec.spec.cases.socialized_loss import cases

_CASES = cases()


def test_op_is_registered() -> None:
    assert get_runner("socialized_loss") is run


@pytest.mark.parametrize("case", _CASES, ids=[case["id"] for case in _CASES])
def test_reference_matches_case(case: dict[str, Any]) -> None:
    output = run(case["input"])
    assert compare_output(case["expected"], output, "output") == []
    # The runner ignores unexpected keys; nobody outside the expected charges may pay.
    assert set(output["charges"]) == set(case["expected"]["charges"])


def test_case_source_shape() -> None:
    ids = [case["id"] for case in _CASES]
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", case_id) for case_id in ids)
    assert {"seed000-top-profit-participants", "seed000-top-profit-all-profitable"} <= set(ids)
    methods = {case["input"]["method"] for case in _CASES}
    assert methods == {"top_profit", "clawback", "open_interest", "haircut_ratio"}


def _seed000() -> dict[str, Any]:
    return {
        "method": "top_profit",
        "loss": "1000",
        "insurance_fund": "5000",
        "insurance_share": "0.2",
        "positions": [
            {"id": "A", "profit": "500"},
            {"id": "B", "profit": "300"},
            {"id": "C", "profit": "150"},
            {"id": "D", "profit": "50"},
        ],
    }


def test_extra_outputs() -> None:
    # Seed 000: the fund pays 200 of its 5,000 (4,800 left); A, B, C take part.
    output = run(_seed000())
    assert output["insurance_fund_after"] == "4800"
    assert output["participants"] == ["A", "B", "C"]
    assert output["system_loss"] == output["uncovered"] == "0"


def test_haircut_extra_outputs_and_loss_check() -> None:
    # Residual 1500 - 1000 - 100 = 400 over 1,000: h = 0.4; shortfall 600.
    case = {
        "method": "haircut_ratio",
        "vault": "1500",
        "principal": "1000",
        "insurance_fund": "100",
        "positions": _seed000()["positions"],
    }
    output = run(case)
    assert output["haircut_ratio"] == "0.4"
    assert output["paid"] == {"A": "200", "B": "120", "C": "60", "D": "20"}
    assert run(case | {"loss": "600"})["charges"] == output["charges"]
    with pytest.raises(
        SpecError, match=re.escape("input.loss: 599 differs from the vault's shortfall")
    ):
        run(case | {"loss": "599"})


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"method": "lottery"}, "input.method"),
        ({"denominator": "everyone"}, "input.denominator"),
        ({"loss": "-1"}, "input.loss"),
        ({"positions": [{"id": "A"}]}, "input.positions[0].profit: missing"),
        (
            {"method": "open_interest", "positions": [{"id": "A", "size": "1"}]},
            "input.positions[0].equity: missing",
        ),
        ({"method": "haircut_ratio", "vault": "1"}, "input.principal: missing"),
        # the threshold is top_profit's option: another method would ignore it
        (
            {"method": "clawback", "threshold": "0.9"},
            "input.threshold: does not apply to the clawback method",
        ),
        (
            {"method": "haircut_ratio", "loss": None, "vault": "1", "principal": "1"},
            "input.insurance_share: does not apply to the vault form of haircut_ratio",
        ),
        ({"unit": "0"}, "input.unit"),
    ],
)
def test_malformed_input_is_one_line_naming_the_field(change: dict[str, Any], field: str) -> None:
    with pytest.raises(SpecError, match=re.escape(field)) as info:
        run(_seed000() | change)
    assert "\n" not in str(info.value)
