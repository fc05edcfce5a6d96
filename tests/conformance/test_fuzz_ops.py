"""``conform --fuzz`` on every op: valid draws, planted bugs found and shrunk, the reference
clean.

Each planted bug is one of ``planted_bugs.py`` (the reference except one mistake). The fuzz
run must find it with a fixed seed, shrink it to the op's minimal case (two positions for a
swap, one counterparty for a fill, two accounts for a rounding residual, one funding event
for a skipped funding, a stated index for a funding basis that never decays, at most two
sources for weights never renormalized, two premiums for reversed weights, the defaults for
swapped clamp bounds), and save a vector the reference passes and the broken program fails.
"""

from __future__ import annotations

import json
import sys
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from perpspec.cli import main
from perpspec.conformance.fuzz import Disagreement, name_reject_reason, vector_line
from perpspec.conformance.runner import answer_with_reference, run_program, run_reference
from perpspec.invariants.strategies import OP_INPUTS

PLANTED = Path(__file__).with_name("planted_bugs.py")
SERVE = f"{sys.executable} -m perpspec.conformance.serve"
ALL_OPS = (
    "position_prices",
    "liquidation_settlement",
    "adl_rank",
    "adl_allocate",
    "socialized_loss",
    "replay",
    "mark_price",
    "funding_rate",
)


def _planted(bug: str) -> str:
    return f"{sys.executable} {PLANTED} {bug}"


def _fuzz_and_load(
    bug: str, op: str | None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> tuple[dict[str, Any], str]:
    """Fuzz the planted ``bug`` (exit 1 expected); the one saved case and the report text."""
    save = tmp_path / "found.jsonl"
    args = ["conform", "--cmd", _planted(bug), "--fuzz", "40", "--seed", "1", "--save", str(save)]
    assert main(args + (["--op", op] if op else [])) == 1
    out = capsys.readouterr().out
    [line] = save.read_text(encoding="utf-8").splitlines()
    case: dict[str, Any] = json.loads(line)
    assert case["source"] == "random:seed=1"
    assert f"saved {save}" in out
    # Ready to commit: the reference passes it, the broken program fails it.
    assert run_reference([save]).ok
    [verdict] = run_program(_planted(bug), [save]).results
    assert not verdict.passed
    assert verdict.reason.split(" (and ")[0] in out
    return case, out


def _program_output(bug: str, case: dict[str, Any], tmp_path: Path) -> Any:
    path = tmp_path / "again.jsonl"
    path.write_text(json.dumps(case) + "\n", encoding="utf-8")
    [verdict] = run_program(_planted(bug), [path]).results
    return verdict.actual


@pytest.mark.parametrize("op", ALL_OPS)
@given(data=st.data())
def test_every_draw_is_a_valid_input_the_reference_answers(op: str, data: st.DataObject) -> None:
    """The strategies draw only valid inputs: the reference answers every one (no refusal,
    no field it would not read), so no fuzzing draw is wasted on a refusal."""
    case_input = data.draw(OP_INPUTS[op])
    output, refusal = answer_with_reference(op, case_input)
    assert refusal is None
    assert isinstance(output, dict)


def test_adl_rank_swap_shrinks_to_two_positions(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    case, out = _fuzz_and_load("adl_rank_swap", "adl_rank", tmp_path, capsys)
    assert "shrunk: output.order[0]" in out
    positions = case["input"]["positions"]
    assert len(positions) == 2
    # No option survives shrinking: the bug needs none.
    assert set(case["input"]) == {"formula", "positions"}
    expected = case["expected"]["order"]
    assert sorted(expected) == ["p0", "p1"]
    assert _program_output("adl_rank_swap", case, tmp_path)["order"] == expected[::-1]


def test_adl_allocate_extra_lot_shrinks_to_one_counterparty(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    case, out = _fuzz_and_load("adl_allocate_extra_lot", "adl_allocate", tmp_path, capsys)
    assert "shrunk: output.fills[0].qty" in out
    liquidated = case["input"]["liquidated"]
    [counterparty] = case["input"]["counterparties"]
    assert counterparty["side"] != liquidated["side"]
    assert "fill_price" not in case["input"]
    # By hand (queue, one counterparty): it takes min(remainder, its size) at the bankruptcy
    # price, and the broken program one lot (lot_size, else 1) more.
    taken = min(Fraction(liquidated["qty"]), Fraction(counterparty["qty"]))
    [fill] = case["expected"]["fills"]
    assert (Fraction(fill["qty"]), fill["price"]) == (taken, liquidated["bankruptcy_price"])
    lot = Fraction(case["input"].get("lot_size", "1"))
    [wrong] = _program_output("adl_allocate_extra_lot", case, tmp_path)["fills"]
    assert Fraction(wrong["qty"]) == taken + lot


def test_socialized_loss_residual_shrinks_to_two_accounts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    case, out = _fuzz_and_load("socialized_loss_residual", "socialized_loss", tmp_path, capsys)
    assert "shrunk: output.charges" in out
    # One account has no residual to hand out (its share rounded down is the whole goal): the
    # smallest case that has one is two accounts, with a unit.
    assert len(case["input"]["positions"]) == 2
    assert "unit" in case["input"]
    expected = case["expected"]
    charged = sum((Fraction(v) for v in expected["charges"].values()), Fraction(0))
    loss = Fraction(case["input"]["loss"])
    # The loss is accounted for whole: the fund's part, the charges, the uncovered rest.
    assert Fraction(expected["insurance_paid"]) + charged + Fraction(expected["uncovered"]) == loss
    wrong = _program_output("socialized_loss_residual", case, tmp_path)
    assert Fraction(wrong["uncovered"]) > Fraction(expected["uncovered"])


def test_replay_skipped_funding_shrinks_to_one_funding_event(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    case, out = _fuzz_and_load("replay_skip_funding", "replay", tmp_path, capsys)
    assert "shrunk: output.events" in out
    types = [event["type"] for event in case["input"]["events"]]
    assert types.count("funding") == 1
    assert "trade" not in types
    traders = [e for e in case["input"]["events"] if e.get("account", "").startswith("t")]
    assert len(traders) == 2
    expected_types = [event["type"] for event in case["expected"]["events"]]
    assert "funding" in expected_types
    wrong = _program_output("replay_skip_funding", case, tmp_path)
    assert "funding" not in [event["type"] for event in wrong["events"]]


def test_mark_price_full_rate_shrinks_to_a_stated_index_at_the_funding_time(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    case, out = _fuzz_and_load("mark_price_full_rate", "mark_price", tmp_path, capsys)
    assert "shrunk: output.mark_price" in out
    # The simplest method, a stated index (no sources), the default interval: the bug needs
    # only a rate that is not 0 and a time until funding short of the whole interval.
    assert set(case["input"]) == {"method", "index", "funding_rate", "time_until_funding"}
    assert case["input"]["method"] == "fair_price"
    index = Fraction(case["input"]["index"])
    rate = Fraction(case["input"]["funding_rate"])
    until = Fraction(case["input"]["time_until_funding"])
    assert rate != 0
    # At the start of the time left (the funding time itself) the basis is 0: the time
    # shrinks to it.
    assert until == 0
    # By hand (BitMEX fair price): index x (1 + rate x until / 8 h); the broken program drops
    # the time factor.
    assert Fraction(case["expected"]["mark_price"]) == index * (1 + rate * until / (8 * 3600))
    wrong = _program_output("mark_price_full_rate", case, tmp_path)
    assert Fraction(wrong["mark_price"]) == index * (1 + rate)


def test_mark_price_unnormalized_shrinks_to_a_bare_index_of_few_sources(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    case, out = _fuzz_and_load("mark_price_unnormalized", "mark_price", tmp_path, capsys)
    assert "shrunk: output.mark_price" in out
    case_input = case["input"]
    # No rule, no funding: the bug shows in the index of at most two sources whose weights
    # do not sum to 1 (one of weight 2, or two of the default weight).
    assert set(case_input) == {"method", "index_sources", "funding_rate", "time_until_funding"}
    assert case_input["funding_rate"] == "0"
    sources = case_input["index_sources"]
    assert 1 <= len(sources) <= 2
    weights = [Fraction(source.get("weight", "1")) for source in sources]
    prices = [Fraction(source["price"]) for source in sources]
    assert sum(weights) != 1
    # By hand: the weighted mean over the stated weights, and the broken program's sum of
    # weight x price without dividing by the weights' sum.
    weighted = sum((w * p for w, p in zip(weights, prices, strict=True)), Fraction(0))
    assert Fraction(case["expected"]["index_price"]) == weighted / sum(weights)
    assert Fraction(case["expected"]["mark_price"]) == weighted / sum(weights)
    wrong = _program_output("mark_price_unnormalized", case, tmp_path)
    assert Fraction(wrong["index_price"]) == weighted


def test_funding_rate_reversed_weights_shrinks_to_two_premiums(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    case, out = _fuzz_and_load("funding_rate_reversed_weights", "funding_rate", tmp_path, capsys)
    assert "shrunk: output.premium_index" in out
    case_input = case["input"]
    # One premium weighs the same either way: two are the fewest that differ, under the
    # default (linear-weighted) averaging, with no dampener, cap or position option.
    assert set(case_input) == {"premiums", "interest_rate"}
    first, second = (Fraction(value) for value in case_input["premiums"])
    assert first != second
    # By hand: (P1 x 1 + P2 x 2) / 3, and the broken program's (P1 x 2 + P2 x 1) / 3.
    assert Fraction(case["expected"]["premium_index"]) == (first + 2 * second) / 3
    wrong = _program_output("funding_rate_reversed_weights", case, tmp_path)
    assert Fraction(wrong["premium_index"]) == (2 * first + second) / 3


def test_funding_rate_clamp_swapped_shrinks_to_the_defaults(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    case, out = _fuzz_and_load("funding_rate_clamp_swapped", "funding_rate", tmp_path, capsys)
    assert "shrunk: output.funding_rate" in out
    # Swapped bounds give -b on every input: the simplest input of all shows it, a stated
    # premium and interest of 0 under the default dampener of 0.05%.
    assert case["input"] == {"premium_index": "0", "interest_rate": "0"}
    # By hand: F = P + clamp(I - P, -0.0005, 0.0005) = 0 + clamp(0) = 0; the broken program
    # takes min(max(0, 0.0005), -0.0005) = -0.0005.
    assert Fraction(case["expected"]["funding_rate"]) == 0
    wrong = _program_output("funding_rate_clamp_swapped", case, tmp_path)
    assert Fraction(wrong["funding_rate"]) == Fraction(-5, 10_000)


def test_without_op_every_op_is_fuzzed_and_only_the_broken_one_disagrees(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    case, out = _fuzz_and_load("adl_allocate_extra_lot", None, tmp_path, capsys)
    assert case["op"] == "adl_allocate"
    clean = [op for op in ALL_OPS if op != "adl_allocate"]
    for op in clean:
        assert f"{op}: 40 random cases (seed 1), no disagreement\n" in out


def test_the_reference_passes_fuzzing_on_every_op(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["conform", "--cmd", SERVE, "--fuzz", "15", "--seed", "3"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines == [f"{op}: 15 random cases (seed 3), no disagreement" for op in ALL_OPS]


def test_a_refusal_of_the_reference_is_saved_under_its_named_reason() -> None:
    refusal = "input.liquidated.qty: must be > 0, found 0"
    assert name_reject_reason(refusal) == "nonpositive_quantity"
    assert name_reject_reason("something no reason words") is None
    found = Disagreement(
        "adl_allocate", {"liquidated": {}}, (None, refusal), ({"fills": []}, None), "why"
    )
    line = vector_line(found, 5)
    assert line["reject_reason"] == "nonpositive_quantity"
    assert "expected" not in line
