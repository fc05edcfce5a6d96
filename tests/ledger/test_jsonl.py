"""The canonical format: JSON Lines (DESIGN, Ledger)."""

from __future__ import annotations

from fractions import Fraction as F
from pathlib import Path

import pytest

from perpspec.ledger import text_lines
from perpspec.ledger.errors import LedgerError
from perpspec.ledger.jsonl import iter_jsonl, write_jsonl
from perpspec.reference.events import Event

GOOD = (
    '{"seq":1,"ts":"2024-03-01T00:00:00Z","type":"deposit","account":"alice","asset":"USDT",'
    '"amount":"1000"}'
)


def deposit_line(seq: int, amount: str) -> str:
    return (
        f'{{"seq":{seq},"ts":"2024-03-01T00:00:00Z","type":"deposit","account":"alice",'
        f'"asset":"USDT","amount":{amount}}}'
    )


def read(path: Path) -> tuple[list[tuple[int, Event]], list[LedgerError]]:
    events: list[tuple[int, Event]] = []
    errors: list[LedgerError] = []
    for item in iter_jsonl(path):
        if isinstance(item, LedgerError):
            errors.append(item)
        else:
            events.append(item)
    return events, errors


def test_write_gives_the_canonical_text_and_reads_back(
    tmp_path: Path, sample_lines: list[str], sample_events: list[Event]
) -> None:
    path = tmp_path / "ledger.jsonl"
    assert write_jsonl(sample_events, path) == 24
    text = path.read_bytes()
    assert text == ("\n".join(sample_lines) + "\n").encode()
    events, errors = read(path)
    assert errors == []
    assert [event for _, event in events] == sample_events
    assert [line for line, _ in events] == list(range(1, 25))
    again = tmp_path / "again.jsonl"
    write_jsonl([event for _, event in events], again)
    assert again.read_bytes() == text


def test_bad_lines_are_reported_and_reading_goes_on(tmp_path: Path) -> None:
    lines = [
        GOOD,  # 1
        "",  # 2: blank, skipped
        '{"seq":2,"ts":"2024-03-01T00:00:00Z","type":"deposit",',  # 3: invalid JSON
        "[1,2]",  # 4: not an object
        deposit_line(5, "0.1"),  # 5: a bare JSON decimal, parsed exactly: 1/10
        deposit_line(6, "NaN"),  # 6
        deposit_line(7, "1e400"),  # 7
        deposit_line(8, "1" * 300),  # 8: 300 digits
        deposit_line(9, '"-5"'),  # 9: negative deposit
        GOOD.replace('"seq":1', '"seq":"10"'),  # 10: seq as a string
        GOOD.replace("00Z", "00"),  # 11: ts without time zone
        GOOD.replace('"deposit"', '"deposito"'),  # 12: unknown type
        GOOD.replace(',"asset":"USDT"', ""),  # 13: missing field
        GOOD.replace('"alice"', "42"),  # 14: wrong type
        "   ",  # 15: blank
        deposit_line(16, '"2.5"'),  # 16
    ]
    path = tmp_path / "bad.jsonl"
    path.write_text("\n".join(lines) + "\n" + GOOD[:40])  # 17: truncated, no newline
    events, errors = read(path)
    assert [(line, getattr(event, "amount", None)) for line, event in events] == [
        (1, F(1000)),
        (5, F(1, 10)),
        (16, F(5, 2)),
    ]
    assert [(error.line, error.field) for error in errors] == [
        (3, "record"),
        (4, "record"),
        (6, "amount"),
        (7, "amount"),
        (8, "amount"),
        (9, "amount"),
        (10, "seq"),
        (11, "ts"),
        (12, "type"),
        (13, "asset"),
        (14, "account"),
        (17, "record"),
    ]
    reasons = {error.line: error.reason for error in errors}
    assert reasons[3].startswith("invalid JSON: ")
    assert reasons[4] == "expected a JSON object, found array"
    assert reasons[7] == "number has 401 characters (at most 200)"
    assert reasons[8] == "number has 300 characters (at most 200)"
    assert reasons[9] == "must be > 0, found -5"
    assert reasons[13] == "missing"
    assert reasons[17].endswith("(the last line has no newline: truncated?)")
    for error in errors:
        assert str(error).startswith(f"{path}:{error.line}: {error.field}: ")
        assert "\n" not in str(error)
        assert error.record == (lines[error.line - 1] if error.line <= 16 else GOOD[:40])


def test_crlf_and_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "windows.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + GOOD.encode() + b"\r\n" + GOOD.encode() + b"\r\n")
    events, errors = read(path)
    assert errors == []
    assert [line for line, _ in events] == [1, 2]


def test_a_binary_file_is_one_error(tmp_path: Path) -> None:
    path = tmp_path / "binary.jsonl"
    path.write_bytes(GOOD.encode() + b"\n\x00\x01\x02\n" + GOOD.encode())
    events, errors = read(path)
    assert len(events) == 1  # the text line before it is read
    assert [(error.line, error.field) for error in errors] == [(2, "file")]
    assert errors[0].reason.startswith("binary data (a NUL byte)")


def test_a_line_that_is_not_utf8_costs_that_line(tmp_path: Path) -> None:
    path = tmp_path / "latin1.jsonl"
    path.write_bytes(GOOD.encode() + b"\n\xff\xfe{}\n" + GOOD.encode() + b"\n")
    events, errors = read(path)
    assert [line for line, _ in events] == [1, 3]
    assert [(e.line, e.field, e.reason) for e in errors] == [
        (2, "record", "not UTF-8 text (byte 0xff at column 1)")
    ]


def test_many_lines_in_a_row_that_are_not_utf8_are_a_binary_file(tmp_path: Path) -> None:
    path = tmp_path / "latin1.jsonl"
    bad = b"\xff\n" * text_lines.MAX_BAD_LINES
    path.write_bytes(GOOD.encode() + b"\n" + bad + GOOD.encode() + b"\n")
    events, errors = read(path)
    assert [line for line, _ in events] == [1]
    assert len(errors) == text_lines.MAX_BAD_LINES
    last = 1 + text_lines.MAX_BAD_LINES
    assert (errors[-1].line, errors[-1].field) == (last, "file")


def test_an_overlong_line_stops_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(text_lines, "MAX_LINE_BYTES", 200)
    path = tmp_path / "long.jsonl"
    path.write_text(GOOD + "\n" + "x" * 500 + "\n" + GOOD + "\n")
    events, errors = read(path)
    assert len(events) == 1
    assert [(error.line, error.field, error.reason) for error in errors] == [
        (2, "file", "line longer than 200 bytes")
    ]


@pytest.mark.parametrize("content", [b"", b"\n\n  \n"])
def test_an_empty_file_has_no_events(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "empty.jsonl"
    path.write_bytes(content)
    assert list(iter_jsonl(path)) == []


def test_a_missing_file(tmp_path: Path) -> None:
    items = list(iter_jsonl(tmp_path / "absent.jsonl"))
    assert len(items) == 1
    error = items[0]
    assert isinstance(error, LedgerError)
    assert (error.line, error.field) == (0, "file")
    assert (
        str(error) == f"{tmp_path / 'absent.jsonl'}: file: cannot open: No such file or directory"
    )
