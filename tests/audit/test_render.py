"""Diagnostics stay one visible line each, whatever the record holds."""

from __future__ import annotations

from perpspec.audit.render import format_violation, show_text
from perpspec.audit.report import Violation


def test_show_text_escapes_what_would_break_a_line() -> None:
    assert show_text("plain text") == "plain text"
    assert show_text("a\x0bb\u2028c\td") == "a\\x0bb\\u2028c\\td"


def test_a_record_with_a_vertical_tab_stays_on_its_line() -> None:
    record = '\x0b{"seq":1}'
    violation = Violation("format", "L.jsonl", 1, None, "JSON", "bad\x85", None, record, "fix")
    lines = format_violation(violation)
    assert lines == [
        "L.jsonl:1: [format] expected JSON, found bad\\x85",
        '  \\x0b{"seq":1}',
        "  hint: fix",
    ]
    assert len("\n".join(lines).splitlines()) == 3
