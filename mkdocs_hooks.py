"""mkdocs hook: write the generated pages before every build.

The formula and theorem pages come from the sympy derivations themselves, so the site can
never disagree with the code it documents. They are written under docs/generated/, which
is not committed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

GENERATED = Path(__file__).parent / "docs" / "generated"


def on_pre_build(config: Any, **kwargs: Any) -> None:
    from perpspec.spec.latex import render_formulas_markdown
    from perpspec.spec.theorems import render_theorems_markdown

    GENERATED.mkdir(exist_ok=True)
    (GENERATED / "formulas.md").write_text(render_formulas_markdown(), encoding="utf-8")
    (GENERATED / "theorems.md").write_text(render_theorems_markdown(), encoding="utf-8")
    (GENERATED / "catalogue.md").write_text(_render_catalogue(), encoding="utf-8")
    __import__("docs_hooks.rules", fromlist=["on_pre_build"]).on_pre_build()


def _render_catalogue() -> str:
    from perpspec.invariants.render import render_catalogue_markdown

    return render_catalogue_markdown()
