"""The HTML report as an auditor hands it on: the verdict and the violations first, the
violations marked on the time plots, time (the events' ``ts``) on their x axes, the command
line, the profile's SHA-256 and the settlement unit in the summary, print rules; and a report
still written whole when the reader of stdout stops early (``perpspec audit ... | head``)."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from fractions import Fraction
from pathlib import Path

from perpspec.audit.html import (
    SEQ_AXIS,
    TIME_AXIS,
    ReportContext,
    describe_profile_digest,
    get_violation_moments,
    plot_funds,
    plot_marks,
    render_html,
)
from perpspec.audit.report import AuditReport, CheckResult, Series, Violation
from perpspec.audit.run import KNOWN_CHECKS
from perpspec.cli import main

REPO = Path(__file__).resolve().parents[2]

#: Two marks an hour apart, a fund moved at the crash (seq 5, 00:30), one liquidation there.
SERIES = Series(
    funds={"BTC-PERP": [(2, "2024-01-01T00:00:00Z", "100"), (5, "2024-01-01T00:30:00Z", "40")]},
    marks={
        "BTC-PERP": [(3, "2024-01-01T00:00:00Z", "50000"), (9, "2024-01-01T01:00:00Z", "41000")]
    },
    liquidations=[(5, "2024-01-01T00:30:00Z", "BTC-PERP", "42000")],
)


def make_violation(seq: int | None, record: str) -> Violation:
    line = 0 if seq is None else seq
    return Violation("conservation", "x.jsonl", line, seq, "cash 0", "cash 1", "1", record, "h")


def make_report(violations: list[Violation], series: Series = SERIES) -> AuditReport:
    checks = tuple(
        CheckResult(cid, 9, len(violations) if cid == "conservation" else 0, None)
        for cid in KNOWN_CHECKS
    )
    return AuditReport("x.jsonl", "ab" * 32, 9, "seed-gate", checks, tuple(violations), series)


def test_the_verdict_and_the_violations_come_before_the_checks_and_the_plots() -> None:
    record = '{"seq":5,"ts":"2024-01-01T00:30:00Z","type":"balance"}'
    page = render_html(make_report([make_violation(5, record)]))
    order = [
        'id="verdict"',
        '<h2 id="summary">',
        '<h2 id="violations">',
        '<h2 id="checks">',
        '<h2 id="plots">',
        "<svg",
    ]
    positions = [page.index(marker) for marker in order]
    assert positions == sorted(positions)
    assert page.index("1 violations (exit 1)") < page.index('<h2 id="summary">')
    # The violation's row is in the violations section, before the checks table.
    assert page.index('<tr id="v-conservation">') < page.index('<h2 id="checks">')


def test_a_violation_is_placed_at_its_records_ts_else_at_the_last_point_before_it() -> None:
    at_its_ts = make_violation(5, '{"seq":5,"ts":"2024-01-01T00:31:00Z","type":"balance"}')
    without_ts = make_violation(7, "seq,type\n7,balance")
    unreadable = make_violation(None, "")
    moments = get_violation_moments([at_its_ts, without_ts, unreadable], SERIES)
    # seq 7 states no ts: the last plotted point at or before it is the fund's at seq 5, 00:30.
    assert moments == [(5, "2024-01-01T00:31:00Z"), (7, "2024-01-01T00:30:00Z")]


def test_the_time_plots_run_along_ts_and_mark_each_violation() -> None:
    record = '{"seq":5,"ts":"2024-01-01T00:30:00Z","type":"balance"}'
    moments = get_violation_moments([make_violation(5, record)], SERIES)
    for svg in (plot_funds(SERIES, moments), plot_marks(SERIES, moments)):
        assert TIME_AXIS in svg
        assert "violation (1)" in svg
        # the concise date axis labels the hours of 2024-01-01, not event numbers
        assert "00:30" in svg or "00:20" in svg or "00:15" in svg
    assert "violation (" not in plot_funds(SERIES)


def test_a_ledger_whose_ts_is_not_iso_is_drawn_along_its_seq() -> None:
    series = Series(marks={"M": [(1, "t1", "10"), (4, "t2", "12")]})
    svg = plot_marks(series)
    assert SEQ_AXIS in svg and TIME_AXIS not in svg


def test_the_summary_names_the_command_the_profile_digest_and_the_unit(tmp_path: Path) -> None:
    profile = tmp_path / "mine.toml"
    profile.write_bytes((REPO / "perpspec" / "profiles" / "seed-gate.toml").read_bytes())
    digest = describe_profile_digest(str(profile))
    # The digest of the bytes, as sha256sum gives it.
    assert digest.startswith(hashlib.sha256(profile.read_bytes()).hexdigest() + " of the file ")
    shipped = describe_profile_digest("seed-gate")
    assert shipped.startswith(hashlib.sha256(profile.read_bytes()).hexdigest())
    assert "shipped file perpspec/profiles/seed-gate.toml" in shipped
    context = ReportContext(
        "perpspec audit x.jsonl --profile mine.toml", Fraction(1, 10**8), digest
    )
    page = render_html(make_report([]), context=context)
    rows = {
        "command": "perpspec audit x.jsonl --profile mine.toml",
        "profile SHA-256": digest,
        "settlement unit": "0.00000001",
    }
    for label, value in rows.items():
        assert f'<tr><th>{label}</th><td class="mono">{value}</td></tr>' in page or (
            f"<tr><th>{label}</th><td>{value}</td></tr>" in page
        ), label
    exact = render_html(make_report([]))
    assert "<tr><th>settlement unit</th><td>exact" in exact
    assert '<tr><th>profile SHA-256</th><td class="mono">no profile</td></tr>' in exact


def test_the_report_prints_well() -> None:
    page = render_html(make_report([]))
    assert "@media print" in page and "@page" in page
    print_rules = page[page.index("@media print") :]
    assert ".record { max-height: none; overflow: visible; }" in print_rules
    assert "break-inside: avoid" in print_rules


def test_the_cli_records_its_command_line_in_the_report(tmp_path: Path) -> None:
    ledger = tmp_path / "crash.jsonl"
    code = main(
        ["simulate", "--accounts", "4", "--steps", "30", "--seed", "1", "--out", str(ledger)]
    )
    assert code == 0
    report = tmp_path / "r.html"
    argv = ["audit", str(ledger), "--profile", "seed-gate", "--html", str(report)]
    assert main(argv) == 0
    page = report.read_text(encoding="utf-8")
    assert f"perpspec audit {ledger} --profile seed-gate --html {report}" in page
    # the engine configuration beside the simulated ledger gives the unit
    assert "<tr><th>settlement unit</th><td>0.00000001</td></tr>" in page


def test_a_reader_that_stops_early_still_gets_the_whole_report(tmp_path: Path) -> None:
    # Every trade of the committed crash given a buyer fee the profile does not charge: some
    # 700 kB of diagnostics, far beyond a pipe's buffer, so printing meets the closed pipe.
    ledger = tmp_path / "fees.jsonl"
    records = []
    for line in (REPO / "examples" / "seed-gate-crash.jsonl").read_text().splitlines():
        record = json.loads(line)
        if record["type"] == "trade":
            record["buyer_fee"] = "1"
        records.append(json.dumps(record, separators=(",", ":")))
    ledger.write_text("\n".join(records) + "\n")
    report = tmp_path / "report.html"
    command = [sys.executable, "-m", "perpspec.cli", "audit", str(ledger), "--profile"]
    process = subprocess.Popen(
        [*command, "seed-gate", "--html", str(report)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert process.stdout is not None and process.stderr is not None
    first = process.stdout.readline()
    process.stdout.close()  # what `| head -n 1` does
    errors = process.stderr.read()
    code = process.wait(timeout=120)
    assert first.startswith(f"{ledger}:".encode())
    assert errors == b"", errors.decode()
    assert code == 1  # the audit's verdict: violations
    page = report.read_text(encoding="utf-8")
    assert page.endswith("</body></html>\n")
    assert page.count("<svg") == 4 and "violations (exit 1)" in page


def test_time_is_read_as_utc() -> None:
    from perpspec.audit.html import parse_time

    assert parse_time("2024-01-01T00:30:00Z") == datetime(2024, 1, 1, 0, 30, tzinfo=UTC)
    assert parse_time("2024-01-01T02:30:00+02:00") == datetime(2024, 1, 1, 0, 30, tzinfo=UTC)
    assert parse_time("2024-01-01T00:30:00") == datetime(2024, 1, 1, 0, 30, tzinfo=UTC)
    assert parse_time("seq 5") is None
