"""The guides (docs/guides/) show real commands with their real output.

Every command of every guide runs, in page order, in a scratch root, with the files the page
writes out (the example program, the example profile), through
:mod:`tests.support.console_blocks`; the page must show exactly what each printed and the exit
code it returned. A deliberate change of output is refreshed with
``python tests/support/console_blocks.py docs/guides/PAGE.md`` (then review the diff).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from console_blocks import (
    REPO,
    make_scratch_root,
    mismatches,
    parse_examples,
    parse_page_files,
    rules_for,
    run_page,
)

GUIDES = REPO / "docs" / "guides"
PAGES = sorted(path.name for path in GUIDES.glob("*.md") if path.name != "index.md")


@pytest.mark.parametrize("name", PAGES)
def test_every_command_shows_its_real_output_and_exit_code(name: str, tmp_path: Path) -> None:
    page = f"docs/guides/{name}"
    text = (REPO / page).read_text(encoding="utf-8")
    outcomes = run_page(text, page, make_scratch_root(tmp_path), rules_for(page))
    assert outcomes, f"{page}: no console block"
    wrong = mismatches(outcomes)
    assert not wrong, "\n".join(wrong)


def test_the_guides_are_in_the_nav_and_on_the_index() -> None:
    nav = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    index = (GUIDES / "index.md").read_text(encoding="utf-8")
    for name in PAGES:
        assert f"guides/{name}" in nav, name
        assert f"({name})" in index, name
    assert "(../import.md)" in index


def test_the_example_program_needs_nothing_of_perpspec() -> None:
    text = (GUIDES / "conform-your-engine.md").read_text(encoding="utf-8")
    (program,) = [f for f in parse_page_files(text, "conform") if f.name.endswith(".py")]
    imported = {
        alias.name.split(".")[0]
        for node in ast.walk(ast.parse(program.text))
        if isinstance(node, ast.Import)
        for alias in node.names
    } | {
        (node.module or "").split(".")[0]
        for node in ast.walk(ast.parse(program.text))
        if isinstance(node, ast.ImportFrom)
    }
    assert imported == {"json", "math", "sys", "fractions"}
    commands = [e.command for e in parse_examples(text, "conform")]
    assert any(
        re.match(r"perpspec conform --cmd \"python3 isolated_prices.py\" ", c) for c in commands
    )


def test_the_guides_show_a_clean_run_a_violation_and_a_refusal() -> None:
    codes = {
        example.exit_code
        for name in PAGES
        for example in parse_examples((GUIDES / name).read_text(encoding="utf-8"), name)
        if example.is_perpspec
    }
    assert codes == {0, 1, 2}


def test_an_indented_console_block_is_refused() -> None:
    text = "- a step\n\n    ```console\n    $ perpspec --version\n    ```\n"
    with pytest.raises(ValueError, match=r"page\.md:3: an indented console block"):
        parse_examples(text, "page.md")
