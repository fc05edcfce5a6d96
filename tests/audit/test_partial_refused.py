"""A partial ledger's records are refused by the audit until it has coverage rules."""

from __future__ import annotations

from pathlib import Path

from perpspec.audit.run import AuditOptions, audit_ledger

LINES = [
    '{"seq":0,"ts":"2024-03-01T00:00:00Z","type":"source","format":"binance-um",'
    '"accounts":["alice"],"covers":["wallet"],"precision":null,"files":["a.json"],"unmapped":[]}',
    '{"seq":1,"ts":"2024-03-01T00:00:01Z","type":"deposit","account":"alice","asset":"USDT",'
    '"amount":"10"}',
    '{"seq":2,"ts":"2024-03-01T00:00:02Z","type":"statement","account":"alice","asset":"USDT",'
    '"amount":"-0.5","entry":"commission","reason":"COMMISSION","market":"BTCUSDT","ref":"7",'
    '"rate":null,"size":null}',
]


def test_source_and_statement_are_refused_not_passed(tmp_path: Path) -> None:
    path = tmp_path / "partial.jsonl"
    path.write_text("\n".join(LINES) + "\n")
    report = audit_ledger(path, None, AuditOptions())
    refused = [(v.line, v.found) for v in report.violations if v.check == "format"]
    reason = "the audit does not read partial ledgers (source and statement records) yet"
    assert refused == [(1, f"type: source: {reason}"), (3, f"type: statement: {reason}")]
    assert report.exit_code == 2  # unreadable input: never a clean pass
