"""Link every mention of a source document ("seed 004, Part Three") to its page.

The docs cite the five sources as ``seed 000`` ... ``seed 004``, sometimes with a Part. Each
mention in a page's prose becomes a link to ``sources/seed-00N.md`` (with ``#part-three`` when
a Part is named). Fenced code blocks, inline code, headings and text already inside a link are
left as they are, so a command or an anchor is never rewritten.
"""

from __future__ import annotations

import re

__all__ = ["link_seed_mentions"]

_MENTION = re.compile(
    r"\b(?P<word>[Ss]eed) (?P<number>00[0-4])"
    r"(?P<part>,? [Pp]art (?P<name>[Oo]ne|[Tt]wo|[Tt]hree|[Ff]our|[Ff]ive))?\b"
)
#: Spans never rewritten: inline code, a whole link or image, an autolink, raw HTML.
_PROTECTED = re.compile(r"`[^`]*`|!?\[[^\]]*\]\([^)]*\)|<[^>]+>")
_FENCE = re.compile(r"^\s*(```|~~~)")


def _target(number: str, name: str | None, prefix: str) -> str:
    anchor = f"#part-{name.lower()}" if name else ""
    return f"{prefix}sources/seed-{number}.md{anchor}"


def _link_prose(text: str, prefix: str) -> str:
    def replace(match: re.Match[str]) -> str:
        return f"[{match.group(0)}]({_target(match['number'], match['name'], prefix)})"

    out: list[str] = []
    position = 0
    for span in _PROTECTED.finditer(text):
        out.append(_MENTION.sub(replace, text[position : span.start()]))
        out.append(span.group(0))
        position = span.end()
    out.append(_MENTION.sub(replace, text[position:]))
    return "".join(out)


def link_seed_mentions(markdown: str, src_uri: str) -> str:
    """The page's markdown with its seed mentions linked; ``src_uri`` places the page."""
    prefix = "../" * src_uri.count("/")
    lines: list[str] = []
    in_fence = False
    for line in markdown.split("\n"):
        if _FENCE.match(line):
            in_fence = not in_fence
            lines.append(line)
        elif in_fence or line.lstrip().startswith("#"):
            lines.append(line)
        else:
            lines.append(_link_prose(line, prefix))
    return "\n".join(lines)
