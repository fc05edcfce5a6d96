"""The numbered rules hold together with the code, the catalogue, the vectors and the docs."""

from __future__ import annotations

from perpspec.spec.rules import RULES, check_rules, find_rule_mentions, get_rule, rule_label


def test_the_rules_hold_together() -> None:
    assert check_rules() == []


def test_mentions_are_read_as_the_docstrings_write_them() -> None:
    assert find_rule_mentions("Implements rule `liq.fee`.") == ["liq.fee"]
    assert find_rule_mentions("Implements rules `a.b` and `c.d`.") == ["a.b", "c.d"]
    assert find_rule_mentions("Invariant ``replay``: the result equals the ledger.") == []


def test_a_missing_rule_is_refused_by_name() -> None:
    try:
        get_rule("liq.no-such-rule")
    except KeyError as error:
        assert "liq.no-such-rule" in str(error)
    else:
        raise AssertionError("an unknown rule id was accepted")


def test_the_label_is_the_anchor_the_index_links_to() -> None:
    assert rule_label("liq.trigger") == (
        "[`[liq.trigger]`](generated/rules.md#rule-liq.trigger){#rule-liq.trigger .rule-label}"
    )
    assert len({rule.id for rule in RULES}) == len(RULES)
