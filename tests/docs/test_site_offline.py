"""The built site is self-contained: no page or stylesheet fetches from another host.

The offline rule (docs/site.md): every script, stylesheet, font and image the site uses is
served by the site itself, MathJax included, and every page carries the version and commit
stamp. The checker's own cases are hand-written pages with known remote references, so a
checker that finds nothing cannot pass them.
"""

from __future__ import annotations

import re
import subprocess
import tomllib
from pathlib import Path

from built_site import ROOT, built_pages, get_built_site

from docs_hooks.offline import (
    MATHJAX_VERSION,
    css_remote_urls,
    html_remote_urls,
    remote_references,
)


def test_no_built_page_or_stylesheet_references_a_remote_resource() -> None:
    site = get_built_site()
    found = remote_references(site)
    assert found == [], "remote references:\n" + "\n".join(str(ref) for ref in found)


def test_every_page_loads_the_sites_own_mathjax() -> None:
    site = get_built_site()
    script = "javascripts/vendor/mathjax/tex-mml-chtml.js"
    assert (site / script).is_file(), f"{script} is not in the built site"
    assert (site / "javascripts/vendor/mathjax/output/chtml/fonts/woff-v2").is_dir()
    # latest.js would load MathJax from a CDN
    assert not (site / "javascripts/vendor/mathjax/latest.js").exists()
    for page in built_pages(site):
        assert script in page.read_text(encoding="utf-8"), f"{page}: no local MathJax"
    marker = ROOT / "docs/javascripts/vendor/mathjax" / f".mathjax-{MATHJAX_VERSION}"
    assert marker.is_file(), "the fetched MathJax is not the pinned version"


def _expected_stamp() -> str:
    with (ROOT / "pyproject.toml").open("rb") as handle:
        version = tomllib.load(handle)["project"]["version"]
    head = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        check=False,
    )
    if head.returncode != 0:
        return f"perpspec {version} · commit unknown"
    return f"perpspec {version} · commit {head.stdout.strip()}"


def test_every_page_carries_the_version_and_commit_stamp() -> None:
    site = get_built_site()
    # the dirty marker depends on the worktree at build time; the hash and version must match
    stamp = re.compile(re.escape(_expected_stamp()) + r"(-dirty)?\s*<")
    pages = built_pages(site)
    assert len(pages) > 10
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert stamp.search(text), f"{page.relative_to(site)}: no stamp {_expected_stamp()}"


def test_the_checker_finds_every_kind_of_remote_reference() -> None:
    page = "\n".join(
        [
            '<link rel="stylesheet" href="https://fonts.example.org/css?family=Roboto">',
            '<link rel="preload" href="//cdn.example.org/font.woff2" as="font">',
            '<link rel="icon" href="http://example.org/favicon.png">',
            '<script src="https://cdn.example.org/mathjax/tex-mml-chtml.js"></script>',
            '<img src="https://example.org/logo.svg" srcset="a.png 1x, https://x.org/b.png 2x">',
            "<style>@import 'https://fonts.example.org/a.css'; p{}</style>",
            '<div style="background: url(https://example.org/bg.png)"></div>',
            # local resources and links a reader follows are not fetched from elsewhere
            '<link rel="stylesheet" href="../assets/main.css">',
            '<script src="javascripts/vendor/mathjax/tex-mml-chtml.js"></script>',
            '<a href="https://example.org/">a link</a>',
            '<img src="data:image/png;base64,AAAA">',
        ]
    )
    found = html_remote_urls(page)
    assert [(line, url) for line, _, url in found] == [
        (1, "https://fonts.example.org/css?family=Roboto"),
        (2, "//cdn.example.org/font.woff2"),
        (3, "http://example.org/favicon.png"),
        (4, "https://cdn.example.org/mathjax/tex-mml-chtml.js"),
        (5, "https://example.org/logo.svg"),
        (5, "https://x.org/b.png"),
        (6, "https://fonts.example.org/a.css"),
        (7, "https://example.org/bg.png"),
    ]


def test_the_checker_reads_font_faces_and_imports_in_stylesheets() -> None:
    css = "\n".join(
        [
            '@import "https://fonts.example.org/roboto.css";',
            "@font-face { font-family: R; src: url('https://fonts.example.org/r.woff2'); }",
            ".local { background: url(../images/x.svg); }",
            '.data { background: url("data:image/svg+xml;utf8,<svg/>"); }',
        ]
    )
    found = css_remote_urls(css)
    assert sorted((line, url) for line, _, url in found) == [
        (1, "https://fonts.example.org/roboto.css"),
        (2, "https://fonts.example.org/r.woff2"),
    ]


def test_the_checker_reads_a_whole_site(tmp_path: Path) -> None:
    (tmp_path / "page").mkdir()
    (tmp_path / "page" / "index.html").write_text(
        '<html>\n<head>\n<script src="https://cdn.example.org/x.js"></script>\n</head></html>',
        encoding="utf-8",
    )
    (tmp_path / "site.css").write_text("a{}\nb{src:url(//h.example.org/f.woff)}", encoding="utf-8")
    found = [str(reference) for reference in remote_references(tmp_path)]
    assert found == [
        "page/index.html:3: <script src> https://cdn.example.org/x.js",
        "site.css:2: css url() //h.example.org/f.woff",
    ]
