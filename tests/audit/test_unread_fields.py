"""Fields a ledger holds that perpspec does not read are reported by the audit, in every format
and every report form, never passed over (DESIGN, Ledger; perpspec.ledger.unread)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from perpspec.audit.html import render_html
from perpspec.audit.run import AuditOptions, audit_ledger
from perpspec.cli import main
from perpspec.ledger.columns import COLUMNS
from tests.audit.test_command import INSTRUMENT, write_records

DEPOSIT: dict[str, object] = {"type": "deposit", "account": "A", "asset": "USD", "amount": "1000"}


def ledger_with_extras(path: Path) -> Path:
    """Line 1 an instrument whose tier states a ``source``; lines 2 and 3 deposits that state
    an exchange's ``tx`` id (a key no type has)."""
    tiers = [{**tier, "source": "website"} for tier in INSTRUMENT["tiers"]]  # type: ignore[attr-defined]  # a list of tier objects
    return write_records(
        path,
        [{**INSTRUMENT, "tiers": tiers}, {**DEPOSIT, "tx": "0xa"}, {**DEPOSIT, "tx": "0xb"}],
    )


def test_the_text_report_names_each_unread_field_once_with_its_first_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = ledger_with_extras(tmp_path / "extras.jsonl")
    assert main(["audit", str(path)]) == 0
    out = capsys.readouterr().out
    assert f"{path}:1: field instrument.tiers[].source not read (in 1 record; first here)" in out
    assert f"{path}:2: field deposit.tx not read (in 2 records; first here)" in out


def test_the_json_report_lists_unread_fields(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = ledger_with_extras(tmp_path / "extras.jsonl")
    assert main(["audit", "--json", str(path)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["unread_fields"] == [
        {"field": "instrument.tiers[].source", "records": 1, "line": 1},
        {"field": "deposit.tx", "records": 2, "line": 2},
    ]


def test_a_clean_ledger_reports_no_unread_fields(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_records(tmp_path / "plain.jsonl", [INSTRUMENT, DEPOSIT])
    assert main(["audit", "--json", str(path)]) == 0
    assert json.loads(capsys.readouterr().out)["unread_fields"] == []


def test_a_csv_cell_in_another_types_column_is_reported(tmp_path: Path) -> None:
    # A deposit row that also fills ``price`` (a field of mark and trade, not of deposit): the
    # value cannot reach the deposit, so it is reported at the row's line (header is line 1).
    path = tmp_path / "stray.csv"
    cells = dict.fromkeys(COLUMNS, "")
    cells.update(seq="1", ts="2024-01-01T00:00:00Z", type="deposit", account="A", asset="USD")
    cells.update(amount="1000", price="101")
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow([*COLUMNS, "venue"])
        writer.writerow([*(cells[c] for c in COLUMNS), "X"])
    report = audit_ledger(path, None, AuditOptions())
    assert [(u.name, u.records, u.line) for u in report.unread] == [
        ("deposit.price", 1, 2),
        ("deposit.venue", 1, 2),
    ]
    assert "deposit.venue" in render_html(report)


def test_a_csv_header_that_repeats_an_extra_name_reports_both_columns(tmp_path: Path) -> None:
    path = tmp_path / "twice.csv"
    cells = dict.fromkeys(COLUMNS, "")
    cells.update(seq="1", ts="2024-01-01T00:00:00Z", type="deposit", account="A", asset="USD")
    cells.update(amount="1000")
    columns = len(COLUMNS)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow([*COLUMNS, "note", "note"])
        writer.writerow([*(cells[c] for c in COLUMNS), "a", "b"])
    report = audit_ledger(path, None, AuditOptions())
    # The second "note" is the header's column len(COLUMNS) + 2 (1-based).
    assert [u.name for u in report.unread] == [
        "deposit.note",
        f"deposit.note (column {columns + 2})",
    ]
