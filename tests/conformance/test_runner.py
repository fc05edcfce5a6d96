"""The conformance runner: case reading, exact comparison, failure reasons (DESIGN, Conformance)."""

from __future__ import annotations

import json
import sys
from fractions import Fraction as F
from pathlib import Path

import pytest

from perpspec.cli import main
from perpspec.conformance.runner import compare_output, read_cases, run_program, run_reference

# long 1 @ 10,000, margin 100, mmr 0.5%, entry basis: bankruptcy 9,900, liquidation 9,950
# (seed 004's 100x example, worked by hand in tests/reference/prices).
SEED004_INPUT = {
    "instrument": {"kind": "linear", "multiplier": "1", "tiers": [{"floor": "0", "mmr": "0.005"}]},
    "maintenance_basis": "entry",
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
        case("unknown-op", {}, op="no_such_op"),
        case("float-qty", {}, input=bad_input),
        case("extra-key", {}, comment="x"),
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
    assert out == [f"{path}:2: case ?: expected a JSON object, found list", "1 passed, 1 failed"]


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
    assert [r.reason for r in silent.results] == ["no output for this case (exit status 0)"] * 2


def test_read_cases_reports_unreadable_file(tmp_path: Path) -> None:
    binary = tmp_path / "bin.jsonl"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    [result] = list(read_cases(binary))
    assert not isinstance(result, type(None))
    assert "cannot read the file" in getattr(result, "reason", "")
