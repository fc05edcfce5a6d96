"""The funding_rate op and its case source (rules mark.funding-premium, mark.funding-clamp,
mark.funding-rate, engine.funding)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from perpspec.conformance.ops.funding_rate import run
from perpspec.conformance.registry import get_runner
from perpspec.conformance.runner import answer_with_reference, compare_output
from perpspec.spec.cases.funding_rate import cases

_CASES = cases()


def _by_id(case_id: str) -> dict[str, Any]:
    return next(case for case in _CASES if case["id"] == case_id)


def test_op_is_registered() -> None:
    assert get_runner("funding_rate") is run


@pytest.mark.parametrize("case", _CASES, ids=[case["id"] for case in _CASES])
def test_reference_matches_case(case: dict[str, Any]) -> None:
    output, error = answer_with_reference("funding_rate", case["input"])
    assert error is None
    assert isinstance(output, dict)
    assert compare_output(case["expected"], output, "output") == []


def test_published_examples_of_several_exchanges() -> None:
    published = [case for case in _CASES if case["source"].startswith("published:")]
    hosts = {case["source"].removeprefix("published:https://").split("/")[0] for case in published}
    assert {"support.bitmex.com", "www.bitmex.com", "help.bybit.com", "support.kraken.com"} <= hosts


def test_bitmex_published_rate() -> None:
    # BitMEX: -0.00184 + clamp(0.0001 + 0.00184, -0.0005, 0.0005) = -0.00134.
    output = run({"premium_index": "-0.00184", "interest_rate": "0.0001"})
    assert output["funding_rate"] == "-0.00134"


@pytest.mark.parametrize(
    ("edit", "reason"),
    [
        ({"premiums": ["0.001"]}, r"give exactly one of premium_index, premiums, samples"),
        ({"interest_quote_rate": "0.01"}, r"give exactly one of interest_rate"),
        ({"intervals_per_day": "3"}, r"input\.intervals_per_day: unknown key"),
        ({"clamp_bound": "-0.0005"}, r"clamp_bound: must be >= 0"),
        ({"floor": "0.001", "cap": "0"}, r"^funding\.floor: above funding\.cap$"),
        ({"scale": "0"}, r"scale: must be > 0"),
    ],
)
def test_refusals(edit: dict[str, Any], reason: str) -> None:
    case_input = {**_by_id("bitmex-ondousdt-clamped")["input"], **edit}
    output, error = answer_with_reference("funding_rate", case_input)
    assert output is None
    assert error is not None and re.search(reason, error), error


def test_payment_matches_the_engine_sign() -> None:
    # A long at a positive rate pays: 1 x 100 x 0.0001 = 0.01.
    output = run(
        {
            "premium_index": "0.0001",
            "interest_rate": "0.0001",
            "position": {"side": "long", "qty": "1", "mark_price": "100"},
        }
    )
    assert output["payment"] == "-0.01"
