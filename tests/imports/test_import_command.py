"""``perpspec import`` and ``audit --from`` as a user runs them (perpspec/imports/command.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from perpspec.cli import main
from perpspec.ledger.jsonl import iter_jsonl
from perpspec.reference.events import SourceEvent

FIXTURES = Path(__file__).parent / "fixtures"
LOG = str(FIXTURES / "bybit" / "transaction_log.json")


def test_import_writes_a_partial_ledger_opened_by_its_source(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "ledger.jsonl"
    assert main(["import", "--from", "auto", LOG, "--out", str(out)]) == 0
    first = next(iter(iter_jsonl(out)))
    assert not isinstance(first, Exception)
    _, source = first
    assert isinstance(source, SourceEvent) and source.format == "bybit"
    assert capsys.readouterr().out.startswith(f"wrote {out}: 27 records from the bybit export")


def test_an_empty_response_beside_others_takes_their_format(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "force-orders.json"
    empty.write_text("[]")
    out = tmp_path / "ledger.jsonl"
    assert main(["import", "--from", "auto", LOG, str(empty), "--out", str(out)]) == 0
    assert "empty response (a file of no rows): 1" in capsys.readouterr().out


def test_an_export_of_empty_responses_only_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "empty.json"
    empty.write_text("[]")
    out = tmp_path / "ledger.jsonl"
    assert main(["import", "--from", "auto", str(empty), "--out", str(out)]) == 2
    assert "every file is an empty response" in capsys.readouterr().err
    assert main(["import", "--from", "bybit", str(empty), "--out", str(out)]) == 2
    assert "no record in any file: nothing to audit" in capsys.readouterr().err
    assert not out.exists()


def test_the_output_never_overwrites_an_export_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    export = tmp_path / "log.json"
    export.write_text(Path(LOG).read_text())
    assert main(["import", "--from", "bybit", str(export), "--out", str(export)]) == 2
    assert "is one of the export's files" in capsys.readouterr().err
    assert export.read_text() == Path(LOG).read_text()
    report = tmp_path / "other.json"
    report.write_text("[]")
    assert main(["audit", "--from", "bybit", str(export), str(report), "--html", str(report)]) == 2
    assert report.read_text() == "[]"


def test_a_folder_is_not_an_export_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["import", "--from", "bybit", str(tmp_path), "--out", "x.jsonl"]) == 2
    assert "a folder, not an export file" in capsys.readouterr().err


def test_json_names_each_violations_export_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tampered = str(FIXTURES / "guide" / "bybit_tampered_balance.json")
    executions = str(FIXTURES / "bybit" / "executions.json")
    assert main(["audit", "--from", "bybit", executions, tampered, "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert [(v["check"], v["file"], v["line"]) for v in report["violations"]] == [
        ("balance-continuity", tampered, 2)
    ]
