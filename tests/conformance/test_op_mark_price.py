"""The mark_price op and its case source (rules mark.index-price, mark.funding-basis,
mark.mark-price)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from perpspec.conformance.ops.mark_price import run
from perpspec.conformance.registry import get_runner
from perpspec.conformance.runner import answer_with_reference, compare_output
from perpspec.spec.cases.mark_price import cases

_CASES = cases()


def _by_id(case_id: str) -> dict[str, Any]:
    return next(case for case in _CASES if case["id"] == case_id)


def test_op_is_registered() -> None:
    assert get_runner("mark_price") is run


@pytest.mark.parametrize("case", _CASES, ids=[case["id"] for case in _CASES])
def test_reference_matches_case(case: dict[str, Any]) -> None:
    output, error = answer_with_reference("mark_price", case["input"])
    assert error is None
    assert isinstance(output, dict)
    assert compare_output(case["expected"], output, "output") == []


def test_case_source_shape() -> None:
    ids = [case["id"] for case in _CASES]
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", case_id) for case_id in ids)
    assert {case["input"]["method"] for case in _CASES} == {
        "fair_price",
        "median_of_three",
        "oracle",
    }
    assert all(case["source"] for case in _CASES)


def test_outlier_weights_are_exactly_the_kept_sources() -> None:
    # 130 is excluded: only a and b are listed, their weights 2/3 and 1/3.
    output = run(_by_id("hand-index-outlier-excluded")["input"])
    assert output["index_weights"] == {"a": "2/3", "b": "1/3"}


@pytest.mark.parametrize(
    ("edit", "reason"),
    [
        # A last price under fair_price would be an ignored input.
        ({"last_price": "50020"}, r"input\.last_price: unknown key"),
        # An index and sources both: which one is the index?
        ({"index_sources": [{"source": "a", "price": "1"}]}, r"give exactly one of index"),
        ({"time_until_funding": "28801"}, r"^time_until_funding: must be in \[0, funding"),
        ({"now": "2026-01-01T08:00:00Z"}, r"input\.now: unknown key"),
    ],
)
def test_refusals(edit: dict[str, Any], reason: str) -> None:
    case_input = {**_by_id("hand-fair-price-half-interval")["input"], **edit}
    output, error = answer_with_reference("mark_price", case_input)
    assert output is None
    assert error is not None and re.search(reason, error), error


def test_stale_rule_needs_times() -> None:
    case_input = dict(_by_id("hand-index-stale-excluded")["input"])
    del case_input["now"]
    _, error = answer_with_reference("mark_price", case_input)
    assert error == "malformed case: input.now: missing"
    sources = [dict(source) for source in case_input["index_sources"]]
    del sources[0]["ts"]
    _, error = answer_with_reference(
        "mark_price", {**case_input, "now": "2026-01-01T08:00:00Z", "index_sources": sources}
    )
    assert error == "malformed case: input.index_sources[0].ts: missing"
    sources[0]["ts"] = "2026-01-01 07:59"
    _, error = answer_with_reference(
        "mark_price", {**case_input, "now": "2026-01-01T08:00:00Z", "index_sources": sources}
    )
    assert error is not None and "has no time zone" in error
