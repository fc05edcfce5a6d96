"""The built site in a real browser: math renders, the catalogue is whole, search works.

The site is served on 127.0.0.1 (a free port) and opened in headless Chromium (the OS
package, driven with playwright). Every request that would leave 127.0.0.1 is blocked and
recorded, so a page that needs the network fails here even when the machine is online; a
console error, an uncaught exception or a failed local request fails the test too. A machine
without Chromium fails with that reason: the setup (``make browser``) installs it.
Screenshots are kept under out/browser/.
"""

from __future__ import annotations

import functools
import os
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from built_site import ROOT, built_pages, get_built_site
from playwright.sync_api import BrowserContext, Page, Request, Route, sync_playwright

from perpspec.invariants.catalogue import CATALOGUE

SCREENSHOTS = ROOT / "out" / "browser"
# Chromium's own network chatter off, and a fresh profile per run (playwright's user_data_dir).
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def find_chromium() -> str:
    """The Chromium to drive: PERPSPEC_CHROMIUM, else chromium on PATH; none is a failure."""
    named = os.environ.get("PERPSPEC_CHROMIUM")
    for candidate in ([named] if named else []) + ["chromium", "chromium-browser"]:
        found = shutil.which(candidate)
        if found:
            return found
    pytest.fail(
        "no Chromium found (PERPSPEC_CHROMIUM, chromium, chromium-browser): "
        "`make browser` installs it (apt-get install -y chromium)",
        pytrace=False,
    )


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@dataclass
class Browsing:
    """What the pages did: console errors, blocked remote requests, failed local ones."""

    base_url: str
    context: BrowserContext
    errors: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)

    def open(self, path: str) -> Page:
        page = self.context.new_page()
        page.on(
            "console",
            lambda message: (
                self.errors.append(f"{page.url}: console {message.type}: {message.text}")
                if message.type == "error"
                else None
            ),
        )
        page.on("pageerror", lambda error: self.errors.append(f"{page.url}: uncaught {error}"))
        page.on(
            "response",
            lambda response: (
                self.errors.append(f"{page.url}: {response.status} {response.url}")
                if response.status >= 400
                else None
            ),
        )
        page.goto(self.base_url + path, wait_until="load")
        return page

    def assert_clean(self) -> None:
        assert self.blocked == [], "requests leaving the site:\n" + "\n".join(self.blocked)
        assert self.errors == [], "errors in the browser:\n" + "\n".join(self.errors)


@pytest.fixture(scope="module")
def browsing(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browsing]:
    site = get_built_site()
    executable = find_chromium()
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    origin = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        with sync_playwright() as playwright:
            context = playwright.chromium.launch_persistent_context(
                str(tmp_path_factory.mktemp("chromium-profile")),
                executable_path=executable,
                headless=True,
                args=CHROMIUM_FLAGS,
                viewport={"width": 1280, "height": 900},
            )
            browsing = Browsing(origin + "/", context)

            def only_the_site(route: Route, request: Request) -> None:
                if request.url.startswith((origin + "/", "data:", "blob:")):
                    route.continue_()
                else:
                    browsing.blocked.append(request.url)
                    route.abort()

            context.route("**/*", only_the_site)
            try:
                yield browsing
            finally:
                context.close()
    finally:
        server.shutdown()
        server.server_close()


def _screenshot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def formula_pages() -> list[str]:
    """The site paths of every page with math on it (arithmatex marks each formula)."""
    site = get_built_site()
    paths = []
    for page in built_pages(site):
        if 'class="arithmatex"' in page.read_text(encoding="utf-8"):
            relative = page.relative_to(site).as_posix()
            paths.append(relative.removesuffix("index.html"))
    return paths


def _wait_for_mathjax(page: Page) -> None:
    page.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise")
    page.evaluate("() => MathJax.startup.promise")


def test_formula_pages_render_their_math_without_errors(browsing: Browsing) -> None:
    paths = formula_pages()
    # the generated formulas page at least
    assert "generated/formulas/" in paths
    for path in paths:
        page = browsing.open(path)
        _wait_for_mathjax(page)
        formulas = page.locator(".arithmatex").count()
        rendered = page.locator(".arithmatex mjx-container").count()
        unrendered = page.evaluate(
            """() => [...document.querySelectorAll('.arithmatex')]
                .filter(el => !el.querySelector('mjx-container')
                              || /\\\\[\\(\\[]/.test(el.innerText))
                .map(el => el.textContent.slice(0, 80))"""
        )
        assert formulas > 0, f"{path}: no formula found"
        assert rendered >= formulas, f"{path}: {rendered} of {formulas} formulas rendered"
        assert unrendered == [], f"{path}: formulas left as TeX: {unrendered[:5]}"
        assert page.locator("mjx-merror").count() == 0, f"{path}: MathJax reports an error"
        fonts = page.evaluate(
            """() => performance.getEntriesByType('resource')
                .filter(entry => entry.name.includes('/fonts/woff-v2/')).length"""
        )
        assert fonts > 0, f"{path}: MathJax's fonts were not loaded from the site"
        _screenshot(page, "formulas-" + (path.strip("/").replace("/", "-") or "index"))
        page.close()
    browsing.assert_clean()


def test_the_catalogue_lists_every_invariant(browsing: Browsing) -> None:
    page = browsing.open("generated/catalogue/")
    ids = page.evaluate("() => [...document.querySelectorAll('[id]')].map(el => el.id)")
    missing = [invariant_id for invariant_id in CATALOGUE if invariant_id not in ids]
    assert missing == [], f"catalogue page lacks the invariants {missing}"
    assert len(CATALOGUE) > 0
    _screenshot(page, "catalogue")
    page.close()
    browsing.assert_clean()


def search(page: Page, term: str) -> list[str]:
    """The hrefs of the site search's results for ``term`` (the theme's own search box)."""
    box = page.locator("input.md-search__input")
    box.click()
    box.fill(term)
    page.locator(".md-search-result__item").first.wait_for(timeout=15_000)
    hrefs: list[str] = page.evaluate(
        "() => [...document.querySelectorAll('.md-search-result__item a')].map(a => a.href)"
    )
    return hrefs


def site_rule_ids() -> list[str]:
    """The rule ids the built rules index anchors as ``#rule-<id>``."""
    rules = get_built_site() / "generated" / "rules" / "index.html"
    assert rules.is_file(), "the site has no rules index (generated/rules/)"
    text = rules.read_text(encoding="utf-8")
    return sorted({part.split('"', 1)[0] for part in text.split('id="rule-')[1:] if '"' in part})


def test_search_finds_an_invariant_id(browsing: Browsing) -> None:
    invariant_id = CATALOGUE[0]
    page = browsing.open("")
    hrefs = search(page, invariant_id)
    assert any("generated/catalogue/" in href for href in hrefs), (
        f"search for {invariant_id} does not find the catalogue: {hrefs}"
    )
    _screenshot(page, "search-invariant")
    page.close()
    browsing.assert_clean()


def test_search_finds_a_rule_id(browsing: Browsing) -> None:
    """A rule id typed into the site's search leads to the rules index."""
    rule_ids = site_rule_ids()
    assert "liq.bankruptcy-price" in rule_ids
    page = browsing.open("")
    hrefs = search(page, "liq.bankruptcy-price")
    assert any("generated/rules/" in href for href in hrefs), (
        f"search for liq.bankruptcy-price does not find the rules index: {hrefs}"
    )
    _screenshot(page, "search-rule")
    page.close()
    browsing.assert_clean()


#: What a rule's entry must link through to, by the site path each link goes to.
RULE_LINK_TARGETS = {
    "function": "api/",
    "invariant": "generated/catalogue/",
    "vector": "generated/vectors/",
    "formula": "generated/formulas/",
}


def test_a_rule_links_through_to_its_function_invariant_vector_and_formula(
    browsing: Browsing,
) -> None:
    """From ``liq.bankruptcy-price``'s entry, each kind of link opens a page that carries
    the anchor it names (the function's, the invariant's, the case's, the formula's)."""
    page = browsing.open("generated/rules/")
    hrefs: list[str] = page.evaluate(
        """() => {
            const start = document.getElementById('rule-liq.bankruptcy-price');
            const links = [];
            for (let el = start.nextElementSibling; el && el.tagName !== 'H2';
                 el = el.nextElementSibling) {
                el.querySelectorAll('a[href]').forEach(a => links.push(a.href));
            }
            return links;
        }"""
    )
    page.close()
    for kind, target in RULE_LINK_TARGETS.items():
        chosen = [href for href in hrefs if f"/{target}" in href and "#" in href]
        assert chosen, f"the rule's entry has no {kind} link ({target}): {hrefs}"
        address, anchor = chosen[0].split("#", 1)
        assert address.startswith(browsing.base_url), f"{kind} link leaves the site: {address}"
        linked = browsing.open(address.removeprefix(browsing.base_url))
        found = linked.evaluate("(id) => document.getElementById(id) !== null", anchor)
        assert found, f"{kind} link {chosen[0]}: the page has no anchor {anchor!r}"
        linked.close()
    browsing.assert_clean()


def test_every_page_opens_without_console_errors(browsing: Browsing) -> None:
    site = get_built_site()
    paths = [
        built.relative_to(site).as_posix().removesuffix("index.html")
        for built in built_pages(site)
        if built.name != "404.html"
    ]
    # one tab walks every page: the listeners stay, and a page's errors name its URL
    page = browsing.open(paths[0])
    for path in paths[1:]:
        page.goto(browsing.base_url + path, wait_until="load")
    page.close()
    assert len(paths) > 10
    browsing.assert_clean()
