"""The shipped vectors: sources, invalid cases and the manifest (docs/conformance.md)."""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from pathlib import Path

import pytest

from perpspec.conformance.runner import run_program, run_reference
from perpspec.spec.vectors import SPEC_VERSION, find_stale_vectors, validate_case

ROOT = Path(__file__).resolve().parents[2]
VECTORS = ROOT / "vectors"


def _lines(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_the_spec_version_is_the_package_version() -> None:
    with (ROOT / "pyproject.toml").open("rb") as handle:
        assert tomllib.load(handle)["project"]["version"] == SPEC_VERSION


def test_the_manifest_counts_and_hashes_every_file_by_hand() -> None:
    manifest = json.loads((VECTORS / "MANIFEST.json").read_text(encoding="utf-8"))
    assert manifest["spec_version"] == SPEC_VERSION
    names = sorted(path.name for path in VECTORS.glob("*.jsonl"))
    assert sorted(manifest["files"]) == names
    for name in names:
        data = (VECTORS / name).read_bytes()
        cases = _lines(VECTORS / name)
        entry = manifest["files"][name]
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
        assert entry["invalid"] == sum(1 for case in cases if "reject_reason" in case)
        assert entry["valid"] + entry["invalid"] == len(cases)
        assert entry["invalid"] > 0


def test_a_stale_manifest_is_found(tmp_path: Path) -> None:
    for path in VECTORS.iterdir():
        (tmp_path / path.name).write_bytes(path.read_bytes())
    assert find_stale_vectors(tmp_path) == []
    manifest = tmp_path / "MANIFEST.json"
    manifest.write_text(manifest.read_text().replace('"valid": ', '"valid": 1'), "utf-8")
    assert find_stale_vectors(tmp_path) == ["MANIFEST.json"]
    (tmp_path / "extra.jsonl").write_text("", "utf-8")
    assert "extra.jsonl" in find_stale_vectors(tmp_path)


_SOURCE = re.compile(r"^(seed:\d{3} .+|published:.+|derivation:.+|hand(: .+)?|random:seed=\d+.*)$")


def test_every_shipped_case_names_a_source_of_a_named_form() -> None:
    for path in VECTORS.glob("*.jsonl"):
        for case in _lines(path):
            assert _SOURCE.match(str(case.get("source"))), (path.name, case["id"])


def test_a_case_without_source_is_refused_by_the_generator() -> None:
    case = {"id": "x", "op": "adl_rank", "input": {}, "expected": {"a": "1"}}
    with pytest.raises(ValueError, match="source is required"):
        validate_case(case, "adl_rank")
    with pytest.raises(ValueError, match="not one of"):
        validate_case({**case, "source": "guess"}, "adl_rank")


_VALID = {
    "id": "p",
    "op": "liquidation_settlement",
    "source": "hand",
    "input": {
        "side": "long",
        "qty": "1",
        "bankruptcy_price": "10000",
        "fills": [{"qty": "2", "price": "10100"}],
        "insurance_fund": "0",
    },
}


def _write(tmp_path: Path, *cases: dict[str, object]) -> Path:
    path = tmp_path / "cases.jsonl"
    path.write_text("".join(json.dumps(case) + "\n" for case in cases), "utf-8")
    return path


def test_the_reference_passes_an_invalid_case_by_rejecting_it(tmp_path: Path) -> None:
    path = _write(tmp_path, {**_VALID, "reject_reason": "fills_exceed_quantity"})
    summary = run_reference([path])
    assert (summary.passed, summary.failed) == (1, 0)


def test_an_invalid_case_the_reference_rejects_for_another_reason_fails(tmp_path: Path) -> None:
    path = _write(tmp_path, {**_VALID, "reject_reason": "negative_quantity"})
    summary = run_reference([path])
    assert summary.failed == 1
    assert "not for negative_quantity" in summary.results[0].reason


def test_an_invalid_case_the_reference_answers_fails(tmp_path: Path) -> None:
    accepted = json.loads(json.dumps(_VALID))
    accepted["input"]["fills"][0]["qty"] = "1"  # one lot of a one-lot position: valid
    path = _write(tmp_path, {**accepted, "reject_reason": "fills_exceed_quantity"})
    summary = run_reference([path])
    assert summary.failed == 1
    assert "with an output" in summary.results[0].reason


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"reject_reason": "x_y", "expected": {"fee": "0"}}, "both given"),
        ({}, "no reject_reason"),
        ({"reject_reason": "no_such_reason"}, "not a named reason"),
    ],
)
def test_malformed_invalid_cases(tmp_path: Path, extra: dict[str, object], message: str) -> None:
    summary = run_reference([_write(tmp_path, {**_VALID, **extra})])
    assert summary.failed == 1
    assert message in summary.results[0].reason


def _program(tmp_path: Path, body: str) -> str:
    script = tmp_path / "program.py"
    script.write_text(
        "import json, sys\n"
        "for line in sys.stdin:\n"
        "    case = json.loads(line)\n"
        f"    print(json.dumps({body}))\n",
        "utf-8",
    )
    return f"python3 {script}"


def test_a_program_answering_an_invalid_case_with_an_output_fails(tmp_path: Path) -> None:
    path = _write(tmp_path, {**_VALID, "reject_reason": "fills_exceed_quantity"})
    answering = _program(tmp_path, '{"id": case["id"], "output": {"fee": "0"}}')
    summary = run_program(answering, [path])
    assert summary.failed == 1
    assert "answered an invalid case with an output" in summary.results[0].reason
    rejecting = _program(tmp_path, '{"id": case["id"], "error": "too many fills"}')
    assert run_program(rejecting, [path]).ok
