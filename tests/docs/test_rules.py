"""The rules index page links each rule to its statement, formula, code, invariants, vectors."""

from __future__ import annotations

from docs_hooks.rules import get_api_page, render_rules_markdown
from perpspec.invariants.render import render_catalogue_markdown
from perpspec.spec.rules import get_rule


def test_an_entry_links_through_to_everything() -> None:
    page = render_rules_markdown()
    assert "{#rule-liq.bankruptcy-price}" in page
    assert "(../prices.md#rule-liq.bankruptcy-price)" in page
    assert "(formulas.md#linear_bankruptcy_price)" in page
    assert (
        "(../api/perpspec.reference.prices.md#"
        "perpspec.reference.prices.position_prices.compute_bankruptcy_price)"
    ) in page
    assert "(catalogue.md#bankruptcy-price)" in page
    assert "(vectors/position_prices.md#seed004-100x-long-entry-basis)" in page


def test_a_rule_without_a_vector_shows_why() -> None:
    rule = get_rule("liq.partial")
    assert rule.vectors == ()
    assert f"- **Vectors**: none. {rule.why_no_vector}" in render_rules_markdown()


def test_the_catalogue_links_back_to_the_rules() -> None:
    assert "[`liq.trigger`](rules.md#rule-liq.trigger)" in render_catalogue_markdown()


def test_api_pages_per_subpackage() -> None:
    assert get_api_page("perpspec.reference.adl.ranking.rank_positions") == (
        "api/perpspec.reference.adl.md"
    )
    assert get_api_page("perpspec.reference.numbers.quantize") == "api/perpspec.reference.md"
