"""The rules index page, and the build check that every rule can be followed.

``on_pre_build`` fails the build (one line per problem) when :func:`check_rules` finds a rule
id named in the code without an entry, a function, invariant, vector case or formula that
does not exist, a rule without invariant or vector and no reason, or a page without its
rule's label; then it writes docs/generated/rules.md.
"""

from __future__ import annotations

from pathlib import Path

from mkdocs.exceptions import PluginError

from perpspec.spec.rules import RULES, Rule, check_rules

GENERATED = Path(__file__).resolve().parents[1] / "docs" / "generated"

#: Subpackages of perpspec.reference with an API page of their own; other modules are on
#: the page of perpspec.reference itself.
API_PACKAGES = (
    "adl",
    "engine",
    "insurance",
    "liquidation",
    "margin",
    "prices",
    "simulation",
    "socialized_loss",
)


def get_api_page(path: str) -> str:
    """The API page (under docs/) that documents the object at a dotted path."""
    parts = path.split(".")
    if parts[:2] == ["perpspec", "reference"] and len(parts) > 3 and parts[2] in API_PACKAGES:
        return f"api/perpspec.reference.{parts[2]}.md"
    return "api/perpspec.reference.md"


def _function_link(path: str) -> str:
    short = path.removeprefix("perpspec.reference.")
    return f"[`{short}`](../{get_api_page(path)}#{path})"


def _rule_section(rule: Rule) -> list[str]:
    lines = [
        f"## `{rule.id}` {rule.title} {{#rule-{rule.id}}}",
        "",
        rule.statement,
        "",
        f"- **Stated in**: [{rule.page}](../{rule.page}#rule-{rule.id})",
    ]
    if rule.formulas:
        links = ", ".join(f"[`{name}`](formulas.md#{name})" for name in rule.formulas)
        lines.append(f"- **Formula** (derived with sympy): {links}")
    lines.append("- **Implemented by**: " + ", ".join(_function_link(f) for f in rule.functions))
    if rule.invariants:
        links = ", ".join(f"[`{i}`](catalogue.md#{i})" for i in rule.invariants)
        lines.append(f"- **Protected by**: {links}")
    else:
        lines.append(f"- **Protected by**: no invariant. {rule.why_no_invariant}")
    if rule.vectors:
        cases = [vector.partition("/") for vector in rule.vectors]
        vector_links = [f"[`{op}` / `{case}`](vectors/{op}.md#{case})" for op, _, case in cases]
        lines.append("- **Vectors**: " + ", ".join(vector_links))
    else:
        lines.append(f"- **Vectors**: none. {rule.why_no_vector}")
    return [*lines, ""]


def render_rules_markdown() -> str:
    """The index: how rule ids work, a table of every rule, then one anchored entry each."""
    lines = [
        "# Rules",
        "",
        "Every normative rule of the waterfall has a **rule id** such as "
        "`liq.bankruptcy-price`: an area (`num`, `round`, `margin`, `price`, `liq`, "
        "`insurance`, `adl`, `sl`, `engine`), a dot, and a few words. The ids are stable: "
        "an id keeps its meaning once published, and an id that is withdrawn is never given "
        "to another rule. The prose pages carry each rule's id as a label where they state "
        "it (anchored `#rule-<id>`, e.g. `prices.md#rule-liq.bankruptcy-price`); this index "
        "is anchored the same way.",
        "",
        "Each entry links to the derived formula (when the rule is a closed form), the "
        "functions that implement it (the [API reference](../api/index.md), with their "
        "source), the invariants of the [catalogue](catalogue.md) that protect it and the "
        "conformance vectors that exercise it. Implementing functions say `Implements rule "
        "<id>` in their docstring; the catalogue lists, per invariant, the rules it protects; "
        "a vector is named by its op and case id (`adl_allocate/seed001-queue-350`). A rule "
        "that no invariant protects, or no vector exercises, says why.",
        "",
        "The table is `perpspec/spec/rules.py`. The docs build fails when a rule id named in "
        "the code has no entry here, when an entry names a function, invariant, vector case "
        "or formula that does not exist, when a rule has neither an invariant nor a reason, "
        "neither a vector nor a reason, or when its page does not carry its label; "
        "`tests/spec/test_rules.py` runs the same check.",
        "",
        "| rule | title | stated in |",
        "|---|---|---|",
    ]
    for rule in RULES:
        lines.append(
            f"| [`{rule.id}`](#rule-{rule.id}) | {rule.title} | "
            f"[{rule.page}](../{rule.page}#rule-{rule.id}) |"
        )
    lines.append("")
    for rule in RULES:
        lines += _rule_section(rule)
    return "\n".join(lines)


def on_pre_build() -> None:
    """Check the rules, then write docs/generated/rules.md (its vector links go to the pages
    ``docs_hooks.vectors`` writes before it)."""
    problems = check_rules()
    if problems:
        raise PluginError("the rules do not hold together:\n" + "\n".join(problems))
    GENERATED.mkdir(exist_ok=True)
    (GENERATED / "rules.md").write_text(render_rules_markdown(), encoding="utf-8")
