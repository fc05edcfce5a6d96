"""The catalogue as text: a terminal table, JSON, and the docs' generated page.

Rule (DESIGN, Invariants): "The docs' catalogue is generated from the registry", and
``perpspec invariants [--json]`` prints it, with per invariant the methods that check it and
the strength of each, so nobody mistakes an example for a proof.
"""

from __future__ import annotations

from typing import Any

from perpspec.invariants.catalogue import CATALOGUE, Invariant, get_invariant, get_methods

__all__ = ["get_catalogue_data", "render_catalogue_markdown", "render_catalogue_table"]


def get_catalogue_data() -> list[dict[str, Any]]:
    """The catalogue as JSON-ready data: per invariant its checks and distinct methods."""
    data: list[dict[str, Any]] = []
    for invariant_id in CATALOGUE:
        invariant = get_invariant(invariant_id)
        data.append(
            {
                "id": invariant.id,
                "statement": invariant.statement,
                "rule": invariant.rule,
                "methods": [method.value for method in get_methods(invariant)],
                "checks": [
                    {
                        "method": check.method.value,
                        "strength": check.strength.value,
                        "where": check.where,
                        "note": check.note,
                    }
                    for check in invariant.checks
                ],
            }
        )
    return data


def _method_summary(invariant: Invariant) -> str:
    strengths = {check.method: check.strength for check in invariant.checks}
    return ", ".join(f"{m.value} ({strengths[m].value})" for m in get_methods(invariant))


def render_catalogue_table() -> list[str]:
    """One block per invariant: id and statement, then its methods with their strength."""
    lines: list[str] = []
    for invariant_id in CATALOGUE:
        invariant = get_invariant(invariant_id)
        methods = get_methods(invariant)
        lines.append(f"{invariant.id:20} {invariant.statement}")
        lines.append(f"{'':20} checked by {len(methods)} methods: {_method_summary(invariant)}")
    lines.append(f"{len(CATALOGUE)} invariants")
    return lines


def _protected_rules_line(invariant_id: str) -> str:
    """The numbered rules this invariant protects, linked to their entries in the rules index."""
    from perpspec.spec.rules import get_rules_protected_by

    rules = get_rules_protected_by(invariant_id)
    if not rules:
        return "Protects no numbered rule (a property of the ledger format or of the audit)."
    links = ", ".join(f"[`{rule.id}`](rules.md#rule-{rule.id})" for rule in rules)
    return f"Protects rules: {links}."


def render_catalogue_markdown() -> str:
    """The docs page: a summary table, then per invariant (anchored by its id) every check."""
    lines = [
        "# Invariant catalogue",
        "",
        "Generated from `perpspec/invariants/catalogue.py` (also `perpspec invariants "
        "--json`). Strengths, strongest first: symbolic proof; exhaustive over a small "
        "stated domain; bounded symbolic execution (CrossHair: no counterexample within the "
        "budget, not a proof); random property (hypothesis, state machine); example; ledger "
        "check (the audit, on every event of a ledger).",
        "",
        "| id | statement | methods |",
        "|---|---|---|",
    ]
    for invariant_id in CATALOGUE:
        invariant = get_invariant(invariant_id)
        methods = ", ".join(m.value for m in get_methods(invariant))
        lines.append(f"| [`{invariant.id}`](#{invariant.id}) | {invariant.statement} | {methods} |")
    lines.append("")
    for invariant_id in CATALOGUE:
        invariant = get_invariant(invariant_id)
        lines += [f"## `{invariant.id}` {{#{invariant.id}}}", "", invariant.statement, ""]
        lines += [f"Rule: {invariant.rule}.", ""]
        lines += [_protected_rules_line(invariant.id), "", "| method | strength | where | what |"]
        lines.append("|---|---|---|---|")
        for check in invariant.checks:
            lines.append(
                f"| {check.method.value} | {check.strength.value} | `{check.where}` | "
                f"{check.note} |"
            )
        lines.append("")
    return "\n".join(lines)
