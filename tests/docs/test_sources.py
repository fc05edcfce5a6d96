"""The source pages keep their originals, DESIGN is published as it is, and mentions link."""

from __future__ import annotations

from pathlib import Path

import pytest

from docs_hooks.sources import link_seed_mentions
from scripts.write_source_pages import escape_line

ROOT = Path(__file__).resolve().parents[2]
SHARED = Path("/work/shared")


def test_design_copy_equals_the_design() -> None:
    design = SHARED / "DESIGN.md"
    if not design.exists():
        pytest.skip("the design document is not on this machine; the committed copy stands")
    assert (ROOT / "docs" / "design.md").read_text() == design.read_text()


@pytest.mark.parametrize("number", ["000", "001", "002", "003", "004"])
def test_every_line_of_the_original_is_on_its_page(number: str) -> None:
    seeds = sorted((SHARED / "seeds").glob(f"{number}_*.txt"))
    if not seeds:
        pytest.skip("the source documents are not on this machine")
    page = (ROOT / "docs" / "sources" / f"seed-{number}.md").read_text()
    for line in seeds[0].read_text().splitlines():
        if line.strip():
            assert escape_line(line) in page, line


def test_seed_004_parts_are_anchored() -> None:
    page = (ROOT / "docs" / "sources" / "seed-004.md").read_text()
    for name in ("one", "two", "three", "four", "five"):
        assert f"{{#part-{name}}}" in page


def test_a_mention_with_its_part_links_to_the_part() -> None:
    linked = link_seed_mentions("as seed 004, Part Three says", "liquidation.md")
    assert linked == "as [seed 004, Part Three](sources/seed-004.md#part-three) says"


def test_a_nested_page_links_upward() -> None:
    linked = link_seed_mentions("seed 001", "import/bybit.md")
    assert linked == "[seed 001](../sources/seed-001.md)"


def test_code_headings_and_links_are_left_alone() -> None:
    text = "\n".join(
        [
            "# About seed 000",
            "```",
            "seed 002",
            "```",
            "`seed 003` and [seed 004](x.md)",
        ]
    )
    assert link_seed_mentions(text, "a.md") == text
