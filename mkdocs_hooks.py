"""mkdocs hook: write the generated pages before every build.

The formula and theorem pages come from the sympy derivations themselves, so the site can
never disagree with the code it documents. They are written under docs/generated/, which
is not committed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

# Imported while mkdocs loads this file, the only time its folder is on sys.path.
import docs_hooks.rules
import docs_hooks.sources
import docs_hooks.vectors
from docs_hooks import offline

GENERATED = Path(__file__).parent / "docs" / "generated"


def on_pre_build(config: Any, **kwargs: Any) -> None:
    offline.prepare(config)
    from perpspec.spec.latex import render_formulas_markdown
    from perpspec.spec.theorems import render_theorems_markdown

    GENERATED.mkdir(exist_ok=True)
    (GENERATED / "formulas.md").write_text(render_formulas_markdown(), encoding="utf-8")
    (GENERATED / "theorems.md").write_text(render_theorems_markdown(), encoding="utf-8")
    (GENERATED / "catalogue.md").write_text(_render_catalogue(), encoding="utf-8")
    docs_hooks.vectors.write_vector_pages(GENERATED)
    docs_hooks.rules.on_pre_build()


def on_page_markdown(markdown: str, page: Any, **kwargs: Any) -> str:
    return docs_hooks.sources.link_seed_mentions(markdown, page.file.src_uri)


def _render_catalogue() -> str:
    from perpspec.invariants.render import render_catalogue_markdown

    return render_catalogue_markdown()
