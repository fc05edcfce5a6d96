"""``conform DIR`` checks DIR against its ``MANIFEST.json``: every listed file present, with its
hash and counts, read whole; nothing unlisted. Each tampering of a copy of ``vectors/`` fails
the run with one line naming the file, what the manifest says and what was found."""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

from perpspec.cli import main
from perpspec.conformance.manifest import ManifestError, describe_vector_file, read_manifest

VECTORS = Path(__file__).resolve().parents[2] / "vectors"


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    """A copy of the shipped ``vectors/``, to tamper with."""
    target = tmp_path / "vectors"
    shutil.copytree(VECTORS, target)
    return target


def _manifest(directory: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((directory / "MANIFEST.json").read_text(encoding="utf-8"))
    return data


def _file_failures(directory: Path, capsys: pytest.CaptureFixture[str]) -> list[str]:
    """The run's file-level failures, as text lines, after checking --json agrees."""
    assert main(["conform", "--reference", str(directory), "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    from_json = [
        f"{failure['file']}: {failure['reason']}"
        for failure in report["failures"]
        if failure["op"] == "files"
    ]
    assert main(["conform", "--reference", str(directory)]) == 1
    text = capsys.readouterr().out.splitlines()
    from_text = [line for line in text if line.startswith(f"{directory}/") and ":" in line]
    from_text = [line for line in from_text if not line.split(": ", 1)[0].count(":")]
    assert from_text == from_json
    return from_text


def test_the_shipped_vectors_pass_their_manifest(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["conform", "--reference", str(VECTORS)]) == 0
    out = capsys.readouterr().out
    assert "files:" not in out
    assert "MANIFEST" not in out


def test_one_byte_changed_fails_on_the_hash(copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = copy / "adl_rank.jsonl"
    data = bytearray(path.read_bytes())
    # A digit of an input number: the line stays a well-formed case.
    at = data.index(b'"qty": "1"') + len(b'"qty": "')
    data[at : at + 1] = b"2"
    path.write_bytes(bytes(data))
    listed = _manifest(copy)["files"]["adl_rank.jsonl"]["sha256"]
    found = hashlib.sha256(bytes(data)).hexdigest()
    assert _file_failures(copy, capsys) == [
        f"{path}: sha256: expected {listed} (MANIFEST.json), found {found}"
    ]


def test_a_listed_file_deleted_fails(copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (copy / "replay.jsonl").unlink()
    assert _file_failures(copy, capsys) == [
        f"{copy / 'replay.jsonl'}: listed in MANIFEST.json, but missing"
    ]


def test_an_extra_file_fails_whatever_its_name(
    copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A case file the manifest does not list is read, and still fails: the set is pinned.
    line = (copy / "adl_rank.jsonl").read_text(encoding="utf-8").splitlines()[0]
    case = json.loads(line)
    case["id"] = "extra-" + case["id"]
    (copy / "mine.jsonl").write_text(json.dumps(case) + "\n", encoding="utf-8")
    (copy / "notes.txt").write_text("not a case file\n", encoding="utf-8")
    assert _file_failures(copy, capsys) == [
        f"{copy / 'mine.jsonl'}: not listed in MANIFEST.json",
        f"{copy / 'notes.txt'}: not listed in MANIFEST.json",
    ]


def test_an_edited_count_fails(copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    manifest = _manifest(copy)
    # The shipped socialized_loss vectors: 20 valid cases and 5 invalid ones (the manifest's
    # own figures, checked here against the file's lines).
    entry = manifest["files"]["socialized_loss.jsonl"]
    lines = (copy / "socialized_loss.jsonl").read_text(encoding="utf-8").splitlines()
    invalid = sum(1 for line in lines if "reject_reason" in json.loads(line))
    assert (entry["valid"], entry["invalid"]) == (len(lines) - invalid, invalid)
    entry["invalid"] = invalid + 1
    (copy / "MANIFEST.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    assert _file_failures(copy, capsys) == [
        f"{copy / 'socialized_loss.jsonl'}: invalid cases: expected {invalid + 1} "
        f"(MANIFEST.json), found {invalid}"
    ]


def test_a_file_listed_but_not_a_case_file_is_not_read(
    copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (copy / "notes.txt").write_text("x\n", encoding="utf-8")
    manifest = _manifest(copy)
    manifest["files"]["notes.txt"] = {"valid": 0, "invalid": 0, "sha256": "0" * 64}
    (copy / "MANIFEST.json").write_text(json.dumps(manifest), encoding="utf-8")
    assert _file_failures(copy, capsys) == [
        f"{copy / 'notes.txt'}: listed in MANIFEST.json, but not read "
        "(only *.jsonl files are case files)"
    ]


def test_an_unreadable_manifest_fails_once(copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (copy / "MANIFEST.json").write_text('{"spec_version": "0.1.0", "files": []}', encoding="utf-8")
    manifest = copy / "MANIFEST.json"
    assert _file_failures(copy, capsys) == [
        f"{manifest}: unreadable manifest: files: expected an object, found list"
    ]


def test_a_directory_without_a_manifest_works_as_before(
    copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (copy / "MANIFEST.json").unlink()
    assert main(["conform", "--reference", str(copy)]) == 0
    (copy / "notes.txt").write_text("x\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["conform", "--reference", str(copy)]) == 1
    assert f"{copy / 'notes.txt'}: not a case file (*.jsonl), so it would not be read" in (
        capsys.readouterr().out.splitlines()
    )


def test_the_manifest_reader_refuses_what_it_would_not_check(tmp_path: Path) -> None:
    path = tmp_path / "MANIFEST.json"
    good = {"valid": 1, "invalid": 0, "sha256": "a" * 64}
    for files, reason in (
        ({"a.jsonl": {**good, "size": 3}}, "files.a.jsonl.size: unknown key"),
        ({"a.jsonl": {**good, "valid": -1}}, "files.a.jsonl.valid: expected a whole number"),
        ({"a.jsonl": {**good, "valid": True}}, "files.a.jsonl.valid: expected a whole number"),
        ({"a.jsonl": {**good, "sha256": "AB"}}, "files.a.jsonl.sha256: expected 64 lowercase"),
        ({"../a.jsonl": good}, "'../a.jsonl' is not a plain file name"),
    ):
        path.write_text(json.dumps({"spec_version": "1", "files": files}), encoding="utf-8")
        with pytest.raises(ManifestError, match=f"^{path}: .*{reason}"):
            read_manifest(path)
    path.write_text(json.dumps({"spec_version": "1", "files": {}, "x": 1}), encoding="utf-8")
    with pytest.raises(ManifestError, match="x: unknown key"):
        read_manifest(path)


def test_the_shipped_manifest_is_what_its_reader_and_writer_agree_on() -> None:
    manifest = read_manifest(VECTORS / "MANIFEST.json")
    assert sorted(manifest.files) == sorted(p.name for p in VECTORS.glob("*.jsonl"))
    for name, entry in manifest.files.items():
        text = (VECTORS / name).read_text(encoding="utf-8")
        assert describe_vector_file(text) == entry
        assert entry.sha256 == hashlib.sha256((VECTORS / name).read_bytes()).hexdigest()


def test_a_program_under_test_is_held_to_the_manifest_too(
    copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (copy / "replay.jsonl").unlink()
    serve = f"{sys.executable} -m perpspec.conformance.serve"
    assert main(["conform", "--cmd", serve, str(copy)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert f"{copy / 'replay.jsonl'}: listed in MANIFEST.json, but missing" in lines
    assert "files: 0 passed, 0 failed, 1 errors" in lines
