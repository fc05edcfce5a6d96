"""``perpspec audit --html``: one self-contained file with the summary, every violation and the
four plots; text from the ledger escaped; the violation rows capped with exact counts; the
progress bar only on a terminal; matplotlib loaded only for ``--html``."""

from __future__ import annotations

import hashlib
import html
import io
import re
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pytest

from perpspec.audit import progress
from perpspec.audit.html import MAX_HTML_VIOLATIONS, render_html
from perpspec.audit.mutations import MUTATIONS
from perpspec.audit.report import AuditReport, CheckResult, Series, Violation
from perpspec.audit.run import KNOWN_CHECKS, AuditOptions, audit_ledger
from perpspec.cli import main
from perpspec.ledger.io import write_ledger
from perpspec.reference.profile import load_profile
from tests.audit.conftest import SimulatedLedger

#: Three operators that apply to the socialized-loss ledger; composed, they tamper with a
#: socialized charge, a liquidation's trigger and the books in one file.
TAMPERS = ("sl-participants", "liq-trigger", "conservation")


def audit_to_html(ledger: Path, report_path: Path, profile: str) -> str:
    """Run ``perpspec audit LEDGER --profile P --html REPORT`` and read the report; the
    simulated ledgers book cash in 10**-8 of the asset, so their stated balances are checked
    in that unit (``--settlement-unit``)."""
    unit = ["--settlement-unit", "0.00000001"]
    main(["audit", str(ledger), "--profile", profile, *unit, "--html", str(report_path)])
    return report_path.read_text(encoding="utf-8")


def assert_self_contained(page: str) -> None:
    """No network reference: the only URLs are SVG's XML namespace names, which are never
    fetched; no script, stylesheet link, external image or import."""
    for url in re.findall(r"https?://[^\s\"'<>)]+", page):
        assert url.startswith("http://www.w3.org/"), url
    lowered = page.lower()
    for forbidden in ("<script", "<link", "<img", "<iframe", "@import", "src="):
        assert forbidden not in lowered, forbidden
    assert set(re.findall(r"url\((.)", page)) <= {"#"}


@pytest.fixture(scope="module")
def tampered(
    socialized_ledger: SimulatedLedger, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, str]:
    """The socialized-loss ledger with the three tampers applied, and its HTML report."""
    events = list(socialized_ledger.events)
    for check_id in TAMPERS:
        events, _ = MUTATIONS[check_id](events)
    folder = tmp_path_factory.mktemp("html")
    ledger = folder / "tampered.jsonl"
    write_ledger(events, ledger)
    return ledger, audit_to_html(ledger, folder / "report.html", socialized_ledger.profile)


def test_report_of_a_clean_crash_is_self_contained(
    gate_ledger: SimulatedLedger, tmp_path: Path
) -> None:
    ledger = tmp_path / "crash.jsonl"
    write_ledger(gate_ledger.events, ledger)
    page = audit_to_html(ledger, tmp_path / "crash.html", gate_ledger.profile)
    assert_self_contained(page)
    assert hashlib.sha256(ledger.read_bytes()).hexdigest() in page
    for check_id in KNOWN_CHECKS:
        assert f'id="check-{check_id}"' in page
    assert page.count("<svg") == 4 and page.count("</svg>") == 4
    assert "no violations (exit 0)" in page
    # The gate ledger reaches ADL on BTC-PERP (tests/audit/conftest.py), so the mark panel
    # for that market carries both kinds of marker.
    assert "BTC-PERP" in page and "ADL fill (" in page and "liquidation (" in page
    # matplotlib writes text as SVG text (no embedded or fetched font).
    assert "<text" in page and "@font-face" not in page


def test_every_violation_of_a_tampered_ledger_is_in_the_report(
    tampered: tuple[Path, str], socialized_ledger: SimulatedLedger
) -> None:
    ledger, page = tampered
    options = AuditOptions(
        profile=load_profile(socialized_ledger.profile),
        profile_name=socialized_ledger.profile,
        unit=Fraction(1, 10**8),  # as audit_to_html's --settlement-unit
    )
    report = audit_ledger(ledger, None, options)
    assert {v.check for v in report.violations} >= set(TAMPERS)
    assert_self_contained(page)
    assert f"{len(report.violations):,} violations (exit 1)" in page
    for violation in report.violations:
        row = (
            f'<a href="#check-{violation.check}"><code>{violation.check}</code></a></td>'
            f'<td class="num">{violation.line}</td>'
        )
        assert row in page
        for text in (violation.expected, violation.found, violation.record, violation.hint):
            assert html.escape(text) in page
    # This ledger charges socialized losses, so the third plot has bars, not its note.
    assert "no socialized charge in this ledger" not in page
    assert page.count("<svg") == 4


def make_report(violations: list[Violation], series: Series | None = None) -> AuditReport:
    """A report built by hand around ``violations`` (all of check ``conservation``)."""
    checks = tuple(
        CheckResult(cid, 3, len(violations) if cid == "conservation" else 0, None)
        for cid in KNOWN_CHECKS
    )
    return AuditReport(
        "<b>odd</b>.jsonl", "ab" * 32, 3, None, checks, tuple(violations), series or Series()
    )


def violation(line: int, record: str) -> Violation:
    return Violation("conservation", "x.jsonl", line, line, "cash 0", "cash 1", "1", record, "h")


def test_text_from_the_ledger_is_escaped() -> None:
    record = '{"account":"<script>alert(1)</script>","note":"a & b"}'
    page = render_html(make_report([violation(2, record)]))
    assert "<script" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&amp; b" in page
    assert "<b>odd</b>" not in page and "&lt;b&gt;odd&lt;/b&gt;" in page


def test_an_empty_series_draws_four_notes() -> None:
    page = render_html(make_report([]))
    assert page.count("<svg") == 4
    for note in (
        "no insurance fund in this ledger",
        "no mark price in this ledger",
        "no liquidation or ADL fill in this ledger",
        "no socialized charge in this ledger",
    ):
        assert note in page


def test_violation_rows_are_capped_and_the_rest_counted() -> None:
    # 10,005 violations against a cap of 10,000 rows: 5 left out, the count stays 10,005.
    many = [violation(n, "{}") for n in range(1, MAX_HTML_VIOLATIONS + 6)]
    page = render_html(make_report(many))
    assert page.count('<a href="#check-conservation">') == MAX_HTML_VIOLATIONS
    assert "5 more violations not shown" in page
    assert "10,005 violations (exit 1)" in page


def test_html_to_a_missing_folder_is_a_usage_error(
    gate_ledger: SimulatedLedger, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ledger = tmp_path / "crash.jsonl"
    write_ledger(gate_ledger.events[:20], ledger)
    assert main(["audit", str(ledger), "--html", str(tmp_path / "no" / "r.html")]) == 2
    assert "--html: the folder of" in capsys.readouterr().err


def test_audit_without_html_never_imports_matplotlib(
    gate_ledger: SimulatedLedger, tmp_path: Path
) -> None:
    ledger = tmp_path / "crash.jsonl"
    write_ledger(gate_ledger.events[:50], ledger)
    probe = (
        "import sys\nfrom perpspec.cli import main\n"
        f"main(['audit', {str(ledger)!r}, '--json'])\n"
        "print('matplotlib' in sys.modules, file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], check=False, capture_output=True, text=True
    )
    assert done.stderr.strip().splitlines()[-1] == "False"


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_only_on_a_terminal_and_for_large_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ledger = tmp_path / "l.jsonl"
    ledger.write_bytes(b"x" * 100)
    monkeypatch.setattr(progress, "PROGRESS_MIN_BYTES", 100)
    assert progress.is_progress_wanted(ledger, FakeTerminal())
    assert not progress.is_progress_wanted(ledger, io.StringIO())
    monkeypatch.setattr(progress, "PROGRESS_MIN_BYTES", 101)
    assert not progress.is_progress_wanted(ledger, FakeTerminal())


def test_count_records_counts_a_last_line_without_newline(tmp_path: Path) -> None:
    # "a\nb\n" is two lines; "a\nb" is two as well (the last one unterminated); "" is none.
    for text, lines in ((b"a\nb\n", 2), (b"a\nb", 2), (b"", 0), (b"\n\n\n", 3)):
        (tmp_path / "c.jsonl").write_bytes(text)
        assert progress.count_records(tmp_path / "c.jsonl", None) == lines


def test_the_bar_does_not_change_the_report(gate_ledger: SimulatedLedger, tmp_path: Path) -> None:
    ledger = tmp_path / "crash.jsonl"
    write_ledger(gate_ledger.events, ledger)
    options = AuditOptions(profile=load_profile(gate_ledger.profile))
    terminal = FakeTerminal()
    with_bar = progress.audit_ledger_with_progress(ledger, None, options, terminal)
    assert with_bar == audit_ledger(ledger, None, options)
    assert with_bar.events == len(gate_ledger.events)


def test_plot_coordinates_beyond_a_float_stay_on_the_plot() -> None:
    from perpspec.audit.html import get_plot_coordinate

    assert get_plot_coordinate("9" * 400) == sys.float_info.max
    assert get_plot_coordinate("-" + "9" * 400) == -sys.float_info.max
    assert get_plot_coordinate("1/3") == 1 / 3
    assert get_plot_coordinate("19500.25") == 19500.25
