"""The conformance runner: case reading, exact comparison, failure reasons (DESIGN, Conformance)."""

from __future__ import annotations

import json
import sys
from fractions import Fraction as F
from pathlib import Path
from typing import Any

import pytest

from perpspec.cli import main
from perpspec.conformance.runner import (
    compare_output,
    expand_case_paths,
    read_cases,
    run_program,
    run_reference,
)

# long 1 @ 10,000, margin 100, mmr 0.5%, entry basis: bankruptcy 9,900, liquidation 9,950
# (seed 004's 100x example, worked by hand in tests/reference/prices).
SEED004_INPUT: dict[str, Any] = {
    "instrument": {
        "kind": "linear",
        "multiplier": "1",
        "tiers": [{"floor": "0", "mmr": "0.005"}],
        "maintenance_basis": "entry",
    },
    "position": {"side": "long", "qty": "1", "entry_price": "10000"},
    "margin": {"mode": "isolated", "balance": "100"},
}


def write_cases(tmp_path: Path, *lines: object) -> Path:
    path = tmp_path / "cases.jsonl"
    path.write_text(
        "".join((line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines)
    )
    return path


def case(case_id: str, expected: dict[str, object], **overrides: object) -> dict[str, object]:
    body: dict[str, object] = {
        "id": case_id,
        "op": "position_prices",
        "input": SEED004_INPUT,
        "expected": expected,
    }
    body.update(overrides)
    return body


def test_numbers_compare_as_exact_rationals() -> None:
    assert compare_output({"a": "1/2"}, {"a": "0.5"}, "output") == []
    assert compare_output({"a": "3"}, {"a": 3}, "output") == []
    [problem] = compare_output({"a": "0.5"}, {"a": "0.50001"}, "output")
    assert problem == 'output.a: expected "0.5", found "0.50001" (difference 0.00001)'


def test_tolerance_is_absolute() -> None:
    assert compare_output({"a": "19700"}, {"a": "19700.4"}, "o", F("0.5")) == []
    assert compare_output({"a": "19700"}, {"a": "19700.6"}, "o", F("0.5")) != []


def test_structure_rules() -> None:
    # keys not expected are ignored; missing ones fail; lists compare in order; null is null.
    assert compare_output({"a": "1"}, {"a": "1", "extra": "x"}, "o") == []
    assert compare_output({"a": "1"}, {}, "o") == ['o.a: missing (expected "1")']
    assert compare_output({"l": ["A", "B"]}, {"l": ["B", "A"]}, "o") == [
        'o.l[0]: expected "A", found "B"',
        'o.l[1]: expected "B", found "A"',
    ]
    assert compare_output({"p": None}, {"p": "5"}, "o") == ['o.p: expected null, found "5"']
    # an id-keyed map must not hide an extra entry; records in lists may carry extra fields.
    assert compare_output({"charges": {"A": "1"}}, {"charges": {"A": "1", "B": "2"}}, "o") == [
        'o.charges.B: not expected (found "2")'
    ]
    assert compare_output({"ev": [{"a": "1"}]}, {"ev": [{"a": "1", "added": "x"}]}, "o") == []
    assert compare_output({"p": "5"}, {"p": 5.0}, "o") == [
        'o.p: expected "5", found 5.0 (not an exact number)'
    ]


def test_reference_passes_a_seed_case(tmp_path: Path) -> None:
    path = write_cases(
        tmp_path, case("seed004", {"bankruptcy_price": "9900", "liquidation_price": "9950"})
    )
    summary = run_reference([path])
    assert (summary.passed, summary.failed) == (1, 0)


def test_every_malformed_line_gets_one_reason(tmp_path: Path) -> None:
    bad_input = {**SEED004_INPUT, "position": {"side": "long", "qty": 1.5, "entry_price": "1"}}
    path = write_cases(
        tmp_path,
        "{not json",
        case("unknown-op", {"bankruptcy_price": "9900"}, op="no_such_op"),
        case("float-qty", {"bankruptcy_price": "9900"}, input=bad_input),
        case("extra-key", {"bankruptcy_price": "9900"}, comment="x"),
        case("wrong", {"bankruptcy_price": "9901"}),
        case("wrong", {"bankruptcy_price": "9900"}),
    )
    reasons = [(r.line, r.reason) for r in run_reference([path]).results]
    assert reasons[0][0] == 1 and reasons[0][1].startswith("invalid JSON")
    assert reasons[1] == (2, "unknown op 'no_such_op'")
    assert reasons[2][1].startswith("rejected: input.position.qty: found the float 1.5")
    assert reasons[3][1].startswith("unknown key 'comment'")
    assert reasons[4][1].startswith('output.bankruptcy_price: expected "9901", found "9900"')
    assert reasons[5] == (6, "duplicate case id in this file")
    assert all("\n" not in reason for _, reason in reasons)


def test_cli_prints_failures_and_closing_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_cases(tmp_path, case("ok", {"bankruptcy_price": "9900"}), "[1]")
    assert main(["conform", "--reference", str(path)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"{path}:2: case ?: expected a JSON object, found list"
    assert out[-1] == "1 passed, 1 failed"
    assert "unparsed lines: 0 passed, 1 failed, 0 errors" in out


def test_cli_never_passes_on_nothing(tmp_path: Path) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    assert main(["conform", "--reference", str(empty)]) == 1
    assert main(["conform"]) == 2
    assert main(["conform", "--reference", str(tmp_path / "missing.jsonl")]) == 1


def test_program_under_test_protocol(tmp_path: Path) -> None:
    path = write_cases(
        tmp_path,
        case("ok", {"liquidation_price": "9950"}),
        case("bad", {"liquidation_price": "1"}),
    )
    serve = f"{sys.executable} -m perpspec.conformance.serve"
    summary = run_program(serve, [path])
    assert [(r.case_id, r.passed) for r in summary.results] == [("ok", True), ("bad", False)]
    silent = run_program(f"{sys.executable} -c 'pass'", [path])
    assert [r.reason for r in silent.results] == [
        "skipped: the program ended (exit status 0) without answering this case"
    ] * 2


def test_read_cases_reports_unreadable_file(tmp_path: Path) -> None:
    binary = tmp_path / "bin.jsonl"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    [result] = list(read_cases(binary))
    assert not isinstance(result, type(None))
    assert "cannot read the file" in getattr(result, "reason", "")


def _reasons(tmp_path: Path, *lines: object) -> list[str]:
    return [result.reason for result in run_reference([write_cases(tmp_path, *lines)]).results]


def test_misplaced_maintenance_basis_is_malformed_not_computed_on_the_mark(
    tmp_path: Path,
) -> None:
    # Read where DESIGN puts it (instrument), the entry basis gives 9,950 (MM = 0.005 x 10,000
    # = 50; 100 + (P - 10,000) = 50). Beside instrument, it used to be ignored and the mark
    # basis answered 9,900 / 0.995 = 9,949.7487...; now the case is refused with the place.
    instrument = {key: value for key, value in SEED004_INPUT["instrument"].items()}
    basis = instrument.pop("maintenance_basis")
    misplaced = {**SEED004_INPUT, "instrument": instrument, "maintenance_basis": basis}
    [reason] = _reasons(tmp_path, case("misplaced", {"liquidation_price": "9950"}, input=misplaced))
    assert reason == (
        "malformed case: input.maintenance_basis: misplaced key "
        "(op position_prices reads input.instrument.maintenance_basis)"
    )


def test_unknown_key_at_any_depth_is_malformed(tmp_path: Path) -> None:
    tier = {"floor": "0", "mmr": "0.005", "mmr_typo": "0.01"}
    deep = {**SEED004_INPUT, "instrument": {**SEED004_INPUT["instrument"], "tiers": [tier]}}
    # other_maintenance_margin belongs to a cross margin; an isolated one never reads it.
    isolated = {**SEED004_INPUT, "margin": {**SEED004_INPUT["margin"], "other_unrealized_pnl": "5"}}
    reasons = _reasons(
        tmp_path,
        case("deep", {"liquidation_price": "9950"}, input=deep),
        case("isolated", {"liquidation_price": "9950"}, input=isolated),
    )
    assert reasons == [
        "malformed case: input.instrument.tiers[0].mmr_typo: unknown key, or one that does not "
        "apply here (op position_prices never reads it)",
        "malformed case: input.margin.other_unrealized_pnl: unknown key, or one that does not "
        "apply here (op position_prices never reads it)",
    ]


def test_a_case_that_cannot_fail_is_refused(tmp_path: Path) -> None:
    [reason] = _reasons(tmp_path, case("empty", {}))
    assert reason == "expected: empty (a case that expects nothing cannot fail)"


def test_case_ids_are_unique_across_the_files_of_a_run(tmp_path: Path) -> None:
    first = write_cases(tmp_path, case("same", {"liquidation_price": "9950"}))
    second = tmp_path / "other.jsonl"
    second.write_text(json.dumps(case("same", {"liquidation_price": "9950"})) + "\n")
    summary = run_reference([first, second])
    # results are in file order: cases.jsonl sorts before other.jsonl
    assert [(r.source, r.passed, r.reason) for r in summary.results] == [
        (str(first), True, ""),
        (str(second), False, f"duplicate case id (first at {first}:1)"),
    ]


def test_a_file_named_twice_is_read_once(tmp_path: Path) -> None:
    path = write_cases(tmp_path, case("once", {"liquidation_price": "9950"}))
    summary = run_reference(expand_case_paths([str(path), str(tmp_path)]))
    assert (summary.passed, summary.failed) == (1, 0)


def test_deep_nesting_is_one_reason_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    nested = '{"id": "deep", "op": "replay", "input": {"x": ' + "[" * 5000 + "]" * 5000 + "}}"
    path = write_cases(tmp_path, nested, case("ok", {"liquidation_price": "9950"}))
    assert main(["conform", "--reference", str(path)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"{path}:1: case ?: nested deeper than 64 levels of arrays and objects"
    assert out[-1] == "1 passed, 1 failed"
    # A program answering with deep nesting gets a reason too, not a traceback.
    answer = '{"id": "ok", "output": ' + "[" * 5000 + "]" * 5000 + "}"
    script = tmp_path / "deep_answer.py"
    script.write_text(f"import sys\nsys.stdin.read()\nprint({answer!r})\n")
    summary = run_program(f"{sys.executable} {script}", [path])
    [result] = summary.results[1:]
    assert result.reason.startswith("skipped:")
    [problem] = summary.protocol_errors
    assert problem.startswith("garbage line from the program (nested deeper than 64")


def test_tolerance_is_bounded_by_the_expected_values(tmp_path: Path) -> None:
    # liquidation 9,950: a tenth of it is 995. A tolerance of 0.5 (half a unit, as a figure
    # published to the unit needs) is allowed; 996 is refused; so is any tolerance on a case
    # whose expected numbers are all zero (nothing for it to be relative to).
    reasons = _reasons(
        tmp_path,
        case("half-unit", {"liquidation_price": "9950"}, tolerance="0.5"),
        case("wide", {"liquidation_price": "9950"}, tolerance="996"),
        case("at-bound", {"liquidation_price": "9950"}, tolerance="995"),
    )
    assert reasons == [
        "",
        "tolerance: 996 is more than a tenth of the smallest nonzero expected number (995 at most)",
        "",
    ]
    settlement = {
        "side": "long",
        "qty": "1",
        "bankruptcy_price": "100",
        "fills": [{"qty": "1", "price": "100"}],
        "insurance_fund": "0",
    }
    zero = {"id": "zeros", "op": "liquidation_settlement", "input": settlement}
    [reason] = _reasons(tmp_path, {**zero, "expected": {"fee": "0"}, "tolerance": "0.01"})
    assert reason == "tolerance: given, but no expected number is nonzero"


def test_program_is_not_judged_on_a_malformed_case(tmp_path: Path) -> None:
    # The program would answer 9,950 correctly, but the case's basis sits where no reader
    # looks: the case is refused before the program sees it.
    misplaced = {**SEED004_INPUT, "close_fee": "0.001"}
    path = write_cases(tmp_path, case("misplaced", {"liquidation_price": "9950"}, input=misplaced))
    serve = f"{sys.executable} -m perpspec.conformance.serve"
    [result] = run_program(serve, [path]).results
    assert not result.passed
    assert result.reason.startswith("malformed case: input.close_fee: unknown key")


def test_replay_refuses_engine_outputs_in_its_input(tmp_path: Path) -> None:
    events = [
        {"seq": 1, "ts": "2026-01-01T00:00:00Z", "type": "deposit", "account": "A",
         "asset": "USDT", "amount": "10"},
        {"seq": 2, "ts": "2026-01-01T00:00:01Z", "type": "insurance", "fund": "F",
         "amount": "5", "reason": "top_up", "liquidation": None},
    ]  # fmt: skip
    replay_case = {
        "id": "outputs",
        "op": "replay",
        "input": {"profile": "seed-gate", "events": events},
        "expected": {"events": []},
    }
    [reason] = _reasons(tmp_path, replay_case)
    assert reason == (
        "malformed case: input.events[1].type: insurance is an engine output, "
        "not an input to replay"
    )


def test_replay_refuses_an_event_field_no_record_type_has(tmp_path: Path) -> None:
    events = [
        {"seq": 1, "ts": "2026-01-01T00:00:00Z", "type": "deposit", "account": "A",
         "asset": "USDT", "amount": "10", "memo": "bonus"},
    ]  # fmt: skip
    replay_case = {
        "id": "extra-field",
        "op": "replay",
        "input": {"profile": "seed-gate", "events": events},
        "expected": {"events": []},
    }
    [reason] = _reasons(tmp_path, replay_case)
    assert reason == (
        "malformed case: input.events[0]: field deposit.memo is not a field of the ledger's records"
    )
