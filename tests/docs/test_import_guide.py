"""The guide "Audit your own export" (docs/import.md) shows real commands with their real output.

Every example of the page is a fenced ``console`` block of this form::

    $ perpspec audit --from bybit tests/imports/fixtures/bybit/transaction_log.json
    ...what the command prints: its stdout, then its stderr...
    $ echo $?
    0

The test runs each command in page order, through the shared machinery of
:mod:`console_blocks` (tests/support) (which documents the block form and the scratch root), and
asserts that the page shows exactly what it printed and the exit code it returned. The page's tables
of the covers words and of the account-level checks are compared with the code.
"""

from __future__ import annotations

import dataclasses
import re
import shlex
from pathlib import Path

import pytest
from console_blocks import (
    Example,
    make_scratch_root,
    mismatches,
    parse_examples,
    rules_for,
    run_page,
)

from perpspec.audit.account_checks import ACCOUNT_CHECK_CLASSES
from perpspec.imports import ADAPTER_MODULES
from perpspec.imports.base import COVERS
from perpspec.reference.events import Event, FillEvent, PositionEvent, SourceEvent, StatementEvent

REPO = Path(__file__).resolve().parents[2]
GUIDE = REPO / "docs" / "import.md"
LEDGER_PAGE = REPO / "docs" / "ledger.md"
FIXTURES = REPO / "tests" / "imports" / "fixtures"

PAGE = "docs/import.md"


def _argv(example: Example) -> list[str]:
    words = shlex.split(example.command)
    assert words[0] == "perpspec", f"{example.where}: not a perpspec command"
    return words[1:]


def test_every_example_shows_its_real_output_and_exit_code(tmp_path: Path) -> None:
    outcomes = run_page(
        GUIDE.read_text(encoding="utf-8"), PAGE, make_scratch_root(tmp_path), rules_for(PAGE)
    )
    assert outcomes
    wrong = mismatches(outcomes)
    assert not wrong, "\n".join(wrong)


def test_the_examples_cover_every_format_a_violation_and_an_unreadable_file() -> None:
    examples = parse_examples(GUIDE.read_text(encoding="utf-8"), PAGE)
    argvs = [_argv(example) for example in examples]
    formats = {argv[argv.index("--from") + 1] for argv in argvs if "--from" in argv}
    assert set(ADAPTER_MODULES) <= formats
    assert "auto" in formats
    codes = {example.exit_code for example in examples}
    assert codes == {0, 1, 2}


def test_each_format_has_its_section_linking_its_page() -> None:
    text = GUIDE.read_text(encoding="utf-8")
    for name in ADAPTER_MODULES:
        section = re.search(rf"^### [^\n]*\(`{re.escape(name)}`\)\n(.*?)(?=^##)", text, re.M | re.S)
        assert section is not None, f"no section for {name}"
        assert f"(import/{name}.md)" in section.group(1)
        assert f"--from {name} " in section.group(1)
        assert (REPO / "docs" / "import" / f"{name}.md").is_file()


def _table_rows(text: str, heading: str) -> list[list[str]]:
    """The body rows of the first table after the line ``heading``, as cells."""
    start = text.index(f"\n{heading}")
    rows: list[list[str]] = []
    for row in text[start:].split("\n"):
        if row.startswith("|"):
            rows.append([cell.strip() for cell in row.strip("|").split("|")])
        elif rows:
            break
    return rows[2:]


def _code_words(cell: str) -> list[str]:
    return re.findall(r"`([^`]+)`", cell)


def test_the_covers_table_is_base_covers() -> None:
    rows = _table_rows(GUIDE.read_text(encoding="utf-8"), "## What an export covers")
    assert [_code_words(row[0]) for row in rows] == [[word] for word in COVERS]


def test_the_account_checks_table_is_account_check_classes() -> None:
    rows = _table_rows(GUIDE.read_text(encoding="utf-8"), "## The account-level checks")
    page = [
        (
            _code_words(row[0]),
            row[1],
            sorted(w for w in _code_words(row[2]) if w != "--profile"),
            "`--profile`" in row[2],
        )
        for row in rows
    ]
    code = [
        ([cls.id], cls.statement, sorted(cls.needs), cls.needs_profile)
        for cls in ACCOUNT_CHECK_CLASSES
    ]
    assert page == code


def test_the_tampered_fixture_differs_from_its_original_in_one_balance() -> None:
    original = (FIXTURES / "bybit" / "transaction_log.json").read_text(encoding="utf-8")
    tampered = (FIXTURES / "guide" / "bybit_tampered_balance.json").read_text(encoding="utf-8")
    changed = [
        (a, b) for a, b in zip(original.split("\n"), tampered.split("\n"), strict=True) if a != b
    ]
    assert changed == [
        ('        "cashBalance": "716.89600000",', '        "cashBalance": "716.99600000",')
    ]


@pytest.mark.parametrize("record", [SourceEvent, StatementEvent, FillEvent, PositionEvent])
def test_the_ledger_page_lists_each_partial_record_field(record: type[Event]) -> None:
    rows = _table_rows(LEDGER_PAGE.read_text(encoding="utf-8"), f"**`{record.TYPE}`**:")
    page = [word for row in rows for word in _code_words(row[0])]
    fields = [f.name for f in dataclasses.fields(record) if f.name not in ("seq", "ts")]
    assert sorted(page) == sorted(fields)
    assert len(page) == len(set(page))
