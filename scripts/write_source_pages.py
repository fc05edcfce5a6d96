"""Write docs/sources/seed-00N.md from the source documents (run once when a seed changes).

The text of each source is kept line for line; the only markdown added is a heading for each
of its Parts (anchored ``#part-one`` ... so "seed 004, Part Three" is a link), a paragraph
break between its lines, and escapes for the characters markdown would otherwise read as
markup. Usage: ``python scripts/write_source_pages.py SEEDS_DIR docs/sources/.headers OUT_DIR``.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

_PART = re.compile(r"^Part (One|Two|Three|Four|Five|Six|Seven|Eight|Nine|Ten)\b")
_MARKUP = re.compile(r"([\\`*_\[\]<>#|])")


def escape_line(line: str) -> str:
    """One source line as markdown that renders as the same text."""
    escaped = _MARKUP.sub(r"\\\1", line)
    return re.sub(r"^(\s*)(\d+)\.", r"\1\2\\.", re.sub(r"^(\s*)([-+])", r"\1\\\2", escaped))


def render_text(text: str) -> str:
    """The original text with a heading for each Part and each line its own paragraph."""
    out: list[str] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        part = _PART.match(line)
        if part:
            out.append(f"### {escape_line(line)} {{#part-{part.group(1).lower()}}}")
        else:
            out.append(escape_line(line))
    return "\n\n".join(out) + "\n"


def main(seeds: Path, headers: Path, out: Path) -> None:
    for path in sorted(seeds.glob("00*.txt")):
        number = path.name[:3]
        header = (headers / f"seed-{number}.md").read_text(encoding="utf-8")
        body = render_text(path.read_text(encoding="utf-8"))
        page = header.replace("@@ORIGINAL@@", body)
        translation = headers / f"seed-{number}.en.txt"
        if translation.exists():
            page = page.replace("@@ENGLISH@@", render_text(translation.read_text("utf-8")))
        (out / f"seed-{number}.md").write_text(page, encoding="utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]))
