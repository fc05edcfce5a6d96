"""The site works offline: MathJax served by the site itself, and a stamp on every page.

MathJax is the npm package ``mathjax`` at a pinned version and integrity, fetched with the
npm client (``npm pack``) into ``docs/javascripts/vendor/mathjax/`` (not committed), so the
site ships its own copy and a formula never waits on a remote host. ``make docs`` fetches it
when it is missing and so does the build itself (``prepare``), so a bare ``mkdocs build`` on a
fresh clone works too, given npm and the registry.

The stamp (package version and commit, ``-dirty`` when tracked files differ from the commit,
``unknown`` outside git) is the footer's copyright line, so a printed or saved page says which
specification it is.

``remote_references`` lists every reference of a built site to a resource on another host
(script, stylesheet, preload, icon, image, media, frame, CSS ``url()`` and ``@import``); the
site's tests fail on any.

Run as ``python -m docs_hooks.offline fetch`` to fetch MathJax alone.
"""

from __future__ import annotations

import base64
import hashlib
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import tomllib
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

__all__ = [
    "MATHJAX_INTEGRITY",
    "MATHJAX_VERSION",
    "RemoteReference",
    "ensure_mathjax",
    "prepare",
    "remote_references",
    "site_stamp",
]

ROOT = Path(__file__).resolve().parent.parent
MATHJAX_VERSION = "3.2.2"
# The registry's published integrity of mathjax-3.2.2.tgz; npm checks it too, this pins it.
MATHJAX_INTEGRITY = (
    "sha512-Bt+SSVU8eBG27zChVewOicYs7Xsdt40qm4+UpHyX7k0/"
    "O9NliPc+x77k1/FEsPsjKPZGJvtRZM1vO+geW0OhGw=="
)
MATHJAX_DIR = ROOT / "docs" / "javascripts" / "vendor" / "mathjax"
# Written last, so a fetch cut short is fetched again rather than served half.
_MATHJAX_MARKER = f".mathjax-{MATHJAX_VERSION}"
# latest.js loads "the latest MathJax" from a CDN: never shipped.
_MATHJAX_EXCLUDED = frozenset({"latest.js"})


class OfflineSiteError(RuntimeError):
    """The site cannot be made self-contained (MathJax cannot be fetched or is not the pin)."""


def prepare(config: Any) -> None:
    """Before every build: MathJax in place, and the stamp in the footer."""
    from mkdocs.exceptions import PluginError

    try:
        ensure_mathjax()
    except OfflineSiteError as error:
        # mkdocs reports a PluginError as one line and exits non-zero, no traceback
        raise PluginError(str(error)) from None
    stamp = site_stamp()
    copyright_line = config["copyright"]
    config["copyright"] = f"{copyright_line} · {stamp}" if copyright_line else stamp


def ensure_mathjax(target: Path = MATHJAX_DIR) -> Path:
    """MathJax's es5 bundle at ``target``, fetched from the npm registry when missing."""
    if (target / _MATHJAX_MARKER).is_file():
        return target
    npm = shutil.which("npm")
    if npm is None:
        raise OfflineSiteError(
            f"npm not found: it fetches mathjax@{MATHJAX_VERSION} for the site "
            "(`apt-get install -y npm`, or `make docs`, which installs it)"
        )
    with tempfile.TemporaryDirectory() as scratch:
        completed = subprocess.run(
            [npm, "pack", f"mathjax@{MATHJAX_VERSION}", "--silent", "--pack-destination", scratch],
            capture_output=True,
            text=True,
            check=False,
        )
        tarball = Path(scratch) / f"mathjax-{MATHJAX_VERSION}.tgz"
        if completed.returncode != 0 or not tarball.is_file():
            reason = completed.stderr.strip().splitlines()[-1:] or ["no tarball written"]
            raise OfflineSiteError(f"npm pack mathjax@{MATHJAX_VERSION} failed: {reason[0]}")
        integrity = _integrity(tarball)
        if integrity != MATHJAX_INTEGRITY:
            raise OfflineSiteError(
                f"{tarball.name}: integrity {integrity} is not the pinned {MATHJAX_INTEGRITY}"
            )
        if target.exists():
            shutil.rmtree(target)
        target.mkdir(parents=True)
        _extract_es5(tarball, target)
    (target / _MATHJAX_MARKER).write_text(f"{MATHJAX_INTEGRITY}\n", encoding="utf-8")
    return target


def _integrity(tarball: Path) -> str:
    digest = hashlib.sha512(tarball.read_bytes()).digest()
    return "sha512-" + base64.b64encode(digest).decode("ascii")


def _extract_es5(tarball: Path, target: Path) -> None:
    """The package's browser build (``package/es5/``) into ``target``, paths kept under it."""
    prefix = "package/es5/"
    with tarfile.open(tarball, "r:gz") as archive:
        for member in archive.getmembers():
            if not member.isfile() or not member.name.startswith(prefix):
                continue
            relative = member.name[len(prefix) :]
            if relative in _MATHJAX_EXCLUDED:
                continue
            destination = (target / relative).resolve()
            if not destination.is_relative_to(target.resolve()):
                raise OfflineSiteError(f"{tarball.name}: {member.name} leaves the package")
            source = archive.extractfile(member)
            if source is None:
                raise OfflineSiteError(f"{tarball.name}: {member.name} cannot be read")
            destination.parent.mkdir(parents=True, exist_ok=True)
            destination.write_bytes(source.read())


def site_stamp(root: Path = ROOT) -> str:
    """``perpspec <version> · commit <short hash>[-dirty]``, ``commit unknown`` outside git."""
    with (root / "pyproject.toml").open("rb") as handle:
        version = str(tomllib.load(handle)["project"]["version"])
    return f"perpspec {version} · commit {_commit(root)}"


def _commit(root: Path) -> str:
    git = shutil.which("git")
    if git is None:
        return "unknown"
    head = subprocess.run(
        [git, "-C", str(root), "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        check=False,
    )
    if head.returncode != 0:
        return "unknown"
    # Generated pages and fetched MathJax are ignored files, so they never mark a build dirty.
    status = subprocess.run(
        [git, "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
        capture_output=True,
        text=True,
        check=False,
    )
    dirty = status.returncode != 0 or status.stdout.strip() != ""
    return head.stdout.strip() + ("-dirty" if dirty else "")


@dataclass(frozen=True)
class RemoteReference:
    """One reference of a built file to a resource on another host."""

    file: str
    line: int
    what: str
    url: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.what} {self.url}"


# rel values whose href the browser fetches by itself (links a reader follows are not these).
_FETCHED_RELS = frozenset(
    {
        "stylesheet",
        "preload",
        "modulepreload",
        "prefetch",
        "preconnect",
        "dns-prefetch",
        "icon",
        "shortcut",
        "apple-touch-icon",
        "apple-touch-icon-precomposed",
        "mask-icon",
        "manifest",
    }
)
_SRC_TAGS = frozenset({"script", "img", "source", "audio", "video", "track", "iframe", "embed"})
_CSS_URL = re.compile(r"""url\(\s*(['"]?)(.*?)\1\s*\)""", re.IGNORECASE)
_CSS_IMPORT = re.compile(r"""@import\s+(['"])(.*?)\1""", re.IGNORECASE)


def is_remote(url: str) -> bool:
    """A URL the browser would fetch from another host (scheme-relative ``//`` included)."""
    stripped = url.strip().lower()
    return stripped.startswith(("http://", "https://", "//", "ftp://", "ws://", "wss://"))


def css_remote_urls(css: str) -> list[tuple[int, str, str]]:
    """(line, kind, url) of every remote ``url()`` and ``@import`` in a stylesheet."""
    found: list[tuple[int, str, str]] = []
    for pattern, kind in ((_CSS_URL, "css url()"), (_CSS_IMPORT, "css @import")):
        for match in pattern.finditer(css):
            if is_remote(match.group(2)):
                found.append((css.count("\n", 0, match.start()) + 1, kind, match.group(2)))
    return found


class _ReferenceParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str, str]] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        line = self.getpos()[0]
        if tag == "link":
            rels = set(values.get("rel", "").lower().split())
            if rels & _FETCHED_RELS and is_remote(values.get("href", "")):
                self.found.append((line, f"<link rel={values['rel']}>", values["href"]))
        if tag in _SRC_TAGS and is_remote(values.get("src", "")):
            self.found.append((line, f"<{tag} src>", values["src"]))
        for attribute in ("srcset", "poster", "data"):
            for candidate in values.get(attribute, "").split(","):
                url = candidate.strip().split(" ")[0] if candidate.strip() else ""
                if is_remote(url):
                    self.found.append((line, f"<{tag} {attribute}>", url))
        for css_line, kind, url in css_remote_urls(values.get("style", "")):
            self.found.append((line + css_line - 1, f"style attribute {kind}", url))
        if tag == "style":
            self._in_style = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            line = self.getpos()[0]
            for css_line, kind, url in css_remote_urls(data):
                self.found.append((line + css_line - 1, f"<style> {kind}", url))


def html_remote_urls(html: str) -> list[tuple[int, str, str]]:
    """(line, kind, url) of every resource an HTML page would fetch from another host."""
    parser = _ReferenceParser()
    parser.feed(html)
    parser.close()
    return parser.found


def remote_references(site_dir: Path) -> list[RemoteReference]:
    """Every remote resource referenced by the built site's HTML pages and stylesheets."""
    references: list[RemoteReference] = []
    for path in sorted(site_dir.rglob("*")):
        if path.suffix not in {".html", ".css"} or not path.is_file():
            continue
        text = path.read_text(encoding="utf-8")
        found = html_remote_urls(text) if path.suffix == ".html" else css_remote_urls(text)
        name = path.relative_to(site_dir).as_posix()
        references.extend(RemoteReference(name, line, what, url) for line, what, url in found)
    return references


def main(argv: list[str]) -> int:
    """``fetch``: MathJax into docs/javascripts/vendor/; ``check SITE``: list remote references."""
    try:
        if argv == ["fetch"]:
            print(f"mathjax {MATHJAX_VERSION}: {ensure_mathjax()}")
            return 0
        if len(argv) == 2 and argv[0] == "check":
            found = remote_references(Path(argv[1]))
            for reference in found:
                print(reference, file=sys.stderr)
            print(f"{argv[1]}: {len(found)} remote references")
            return 1 if found else 0
    except OfflineSiteError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print("usage: python -m docs_hooks.offline fetch | check SITE_DIR", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
