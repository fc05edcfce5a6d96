"""``conform --fuzz`` finds a planted off-by-one-tick bug and shrinks it to one position."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from perpspec.cli import main
from perpspec.conformance.runner import run_program, run_reference
from perpspec.reference.numbers import parse_number

#: The reference as a program, except that a long's rounded liquidation price is one tick up
#: (the planted bug).
_PLANTED = """
import json, sys
from perpspec.conformance.serve import answer_case
from perpspec.reference.numbers import format_number, parse_number
for line in sys.stdin:
    answer = answer_case(line)
    case = json.loads(line)
    out = answer.get("output")
    position = case["input"]["position"]
    if out and out.get("liquidation_price_rounded") and position["side"] == "long":
        tick = parse_number(case["input"]["instrument"]["tick_size"])
        out["liquidation_price_rounded"] = format_number(
            parse_number(out["liquidation_price_rounded"]) + tick
        )
    print(json.dumps(answer), flush=True)
"""


def test_fuzz_finds_and_shrinks_the_planted_off_by_one_tick(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    script = tmp_path / "planted.py"
    script.write_text(_PLANTED, encoding="utf-8")
    command = f"{sys.executable} {script}"
    save = tmp_path / "found.jsonl"
    args = ["conform", "--cmd", command, "--fuzz", "30", "--seed", "1", "--save", str(save)]
    assert main([*args, "--op", "position_prices"]) == 1
    out = capsys.readouterr().out
    assert "shrunk: output.liquidation_price_rounded" in out
    [line] = save.read_text(encoding="utf-8").splitlines()
    case = json.loads(line)
    assert case["source"] == "random:seed=1"
    case_input = case["input"]
    # Shrunk: one position, long (the bug's side), of one lot, on a single tier.
    assert case_input["position"]["side"] == "long"
    assert len(case_input["instrument"]["tiers"]) == 1
    # One lot: 0.001 on a linear instrument, one contract on an inverse one (the strategy's).
    one_lot = {"linear": "0.001", "inverse": "1"}[case_input["instrument"]["kind"]]
    assert case_input["position"]["qty"] == one_lot
    tick = parse_number(case_input["instrument"]["tick_size"])
    rounded = parse_number(case["expected"]["liquidation_price_rounded"])
    assert rounded % tick == 0
    # The saved vector is ready to commit: the reference passes it, the planted program fails.
    assert run_reference([save]).ok
    [verdict] = run_program(command, [save]).results
    assert not verdict.passed
    assert verdict.reason.endswith(f"(difference {case_input['instrument']['tick_size']})")


@pytest.mark.parametrize("op", ["position_prices", "liquidation_settlement"])
def test_fuzz_without_a_disagreement_exits_0(op: str, capsys: pytest.CaptureFixture[str]) -> None:
    serve = f"{sys.executable} -m perpspec.conformance.serve"
    assert main(["conform", "--cmd", serve, "--fuzz", "10", "--seed", "2", "--op", op]) == 0
    assert capsys.readouterr().out == f"{op}: 10 random cases (seed 2), no disagreement\n"


def test_fuzz_without_hypothesis_says_so_and_exits_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "hypothesis", None)
    assert main(["conform", "--cmd", "true", "--fuzz", "5"]) == 2
    assert capsys.readouterr().err.strip() == (
        "perpspec conform: --fuzz needs hypothesis (pip install hypothesis)"
    )


def test_fuzz_refuses_an_op_without_a_strategy(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["conform", "--cmd", "true", "--fuzz", "5", "--op", "no_such_op"]) == 2
    fuzzable = (
        "adl_allocate, adl_rank, funding_rate, liquidation_settlement, mark_price, "
        "position_prices, replay, socialized_loss"
    )
    assert capsys.readouterr().err.strip() == (
        f"perpspec conform: --op no_such_op: no input strategy (fuzzable: {fuzzable})"
    )


#: Wrong on its first answer only: asked the same input again, it agrees (a flaky program).
_FLAKY = """
import json, sys
from perpspec.conformance.serve import answer_case
first = True
for line in sys.stdin:
    answer = answer_case(line)
    if first:
        answer = {"id": answer["id"], "error": "first answer is wrong"}
        first = False
    print(json.dumps(answer), flush=True)
"""


def test_a_program_that_answers_one_input_two_ways_is_reported_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    script = tmp_path / "flaky.py"
    script.write_text(_FLAKY, encoding="utf-8")
    save = tmp_path / "found.jsonl"
    args = ["conform", "--cmd", f"{sys.executable} {script}", "--fuzz", "5", "--seed", "1"]
    assert main([*args, "--op", "position_prices", "--save", str(save)]) == 1
    out = capsys.readouterr().out
    assert "position_prices: disagreement (seed 1)" in out
    assert "first answer is wrong" in out
    assert len(save.read_text(encoding="utf-8").splitlines()) == 1
