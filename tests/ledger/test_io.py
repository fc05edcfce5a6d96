"""Any format in, any format out, the same content (DESIGN, Ledger)."""

from __future__ import annotations

from pathlib import Path

import pytest

from perpspec.ledger.errors import LedgerError
from perpspec.ledger.io import detect_format, iter_ledger, read_ledger, write_ledger
from perpspec.reference.events import Event


@pytest.mark.parametrize(
    ("name", "explicit", "expected"),
    [
        ("ledger.jsonl", None, "jsonl"),
        ("LEDGER.NDJSON", None, "jsonl"),
        ("export.json", None, "jsonl"),
        ("export.csv", None, "csv"),
        ("dir.v2/export.parquet", None, "parquet"),
        ("export.txt", "csv", "csv"),
        ("export.csv", "jsonl", "jsonl"),
    ],
)
def test_detect_format(name: str, explicit: str | None, expected: str) -> None:
    assert detect_format(name, explicit) == expected


@pytest.mark.parametrize(
    ("name", "explicit", "reason"),
    [
        ("export.txt", None, "cannot tell the format from the extension '.txt'"),
        ("export", None, "cannot tell the format from the extension '(none)'"),
        ("export.csv", "xml", "unknown format 'xml' (known: jsonl, csv, parquet)"),
    ],
)
def test_unknown_formats(name: str, explicit: str | None, reason: str) -> None:
    with pytest.raises(LedgerError) as caught:
        detect_format(name, explicit)
    assert (caught.value.file, caught.value.field) == (name, "format")
    assert caught.value.reason.startswith(reason)


def test_unknown_format_is_raised_before_reading() -> None:
    with pytest.raises(LedgerError):
        iter_ledger("missing.xlsx")


def test_every_format_holds_the_same_content(
    tmp_path: Path, sample_lines: list[str], sample_events: list[Event]
) -> None:
    for fmt in ("jsonl", "csv", "parquet"):
        path = tmp_path / f"ledger.{fmt}"
        assert write_ledger(sample_events, path) == len(sample_events)
        assert read_ledger(path) == sample_events
    # Through every format in turn, back to the canonical text, byte for byte.
    events = sample_events
    for fmt in ("csv", "parquet", "jsonl"):
        path = tmp_path / f"chain.{fmt}"
        write_ledger(events, path)
        events = read_ledger(path)
    assert (tmp_path / "chain.jsonl").read_text() == "\n".join(sample_lines) + "\n"


def test_read_ledger_raises_the_first_error(tmp_path: Path, sample_lines: list[str]) -> None:
    path = tmp_path / "ledger.txt"
    path.write_text("\n".join([sample_lines[0], "{", "[]"]) + "\n")
    with pytest.raises(LedgerError) as caught:
        read_ledger(path, "jsonl")
    assert (caught.value.line, caught.value.field) == (2, "record")


def test_iter_ledger_yields_line_numbers(tmp_path: Path, sample_events: list[Event]) -> None:
    path = tmp_path / "ledger.csv"
    write_ledger(sample_events[:2], path)
    lines = [item[0] for item in iter_ledger(path) if not isinstance(item, LedgerError)]
    assert lines == [2, 3]
