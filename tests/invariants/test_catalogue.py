"""The catalogue claims only checks that exist, and every invariant has two methods of its own.

Every ``where`` resolves: a test node ``tests/<path>.py::<name>`` names a file that defines
that function (or class) at top level; a module attribute ``perpspec.<module>:<name>`` imports.
"""

from __future__ import annotations

import ast
import importlib
import json
from pathlib import Path

import pytest

from perpspec.cli import main
from perpspec.invariants.catalogue import (
    CATALOGUE,
    STRENGTH_OF,
    Check,
    Method,
    get_checks,
    get_invariant,
    get_methods,
)
from perpspec.invariants.render import render_catalogue_markdown

ROOT = Path(__file__).resolve().parents[2]

#: DESIGN, Invariants: the table's ids, which the catalogue must keep.
DESIGN_IDS = {
    "conservation",
    "oi-balance",
    "fund-nonnegative",
    "fund-first",
    "liq-trigger",
    "liq-complete",
    "no-negative-balance",
    "bankruptcy-price",
    "adl-price",
    "adl-side",
    "adl-order",
    "adl-no-flip",
    "adl-qty",
    "sl-cap",
    "sl-participants",
    "price-order",
    "replay",
    "frame",
}


def _defines(path: Path, name: str) -> bool:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    kinds = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
    return any(isinstance(node, kinds) and node.name == name for node in tree.body)


def _resolves(check: Check) -> bool:
    if "::" in check.where:
        file, name = check.where.split("::", 1)
        path = ROOT / file
        return path.is_file() and _defines(path, name)
    module, _, name = check.where.partition(":")
    return hasattr(importlib.import_module(module), name)


@pytest.mark.parametrize(("invariant_id", "check"), get_checks(), ids=lambda x: str(x)[:60])
def test_every_check_location_exists(invariant_id: str, check: Check) -> None:
    assert _resolves(check), f"{invariant_id}: {check.where} does not exist"
    assert check.strength is STRENGTH_OF[check.method]


def test_ids_are_unique_and_keep_the_design_table() -> None:
    assert len(set(CATALOGUE)) == len(CATALOGUE)
    assert set(CATALOGUE) >= DESIGN_IDS


def test_every_invariant_has_two_independent_methods_besides_the_audit() -> None:
    for invariant_id in CATALOGUE:
        methods = set(get_methods(get_invariant(invariant_id))) - {Method.AUDIT}
        assert len(methods) >= 2, f"{invariant_id}: only {sorted(m.value for m in methods)}"


def test_json_shows_the_methods(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["invariants", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [entry["id"] for entry in data] == list(CATALOGUE)
    for entry in data:
        assert len(entry["methods"]) >= 2
        assert all({"method", "strength", "where", "note"} <= set(c) for c in entry["checks"])


def test_table_lists_every_invariant(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["invariants"]) == 0
    out = capsys.readouterr().out
    for invariant_id in CATALOGUE:
        assert f"\n{invariant_id} " in f"\n{out}"
    assert "symbolic proof" in out and "exhaustive over a small stated domain" in out


def test_markdown_anchors_every_invariant() -> None:
    page = render_catalogue_markdown()
    for invariant_id in CATALOGUE:
        assert f"{{#{invariant_id}}}" in page


def test_unknown_invariant_is_refused() -> None:
    with pytest.raises(KeyError, match="unknown invariant"):
        get_invariant("no-such-invariant")
