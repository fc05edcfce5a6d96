"""The text of a ledger record as a diagnostic shows it: its canonical JSON Lines form."""

from __future__ import annotations

import orjson

from perpspec.audit.report import Violation
from perpspec.ledger.codec import encode_event
from perpspec.ledger.errors import MAX_RECORD_TEXT
from perpspec.reference.events import Event

__all__ = ["make_violation", "render_event"]


def render_event(event: Event) -> str:
    """``event`` re-encoded as its JSON Lines record, clipped like a reader's record text."""
    text = orjson.dumps(encode_event(event)).decode()
    if len(text) <= MAX_RECORD_TEXT:
        return text
    return text[: MAX_RECORD_TEXT - 3] + "..."


def make_violation(
    file: str,
    check: str,
    line: int,
    event: Event,
    expected: str,
    found: str,
    difference: str | None,
    hint: str,
) -> Violation:
    """A violation of ``check`` at ``line`` of ``file``, with the record re-encoded from
    ``event`` (the full audit's and the partial audit's contexts both make them so)."""
    return Violation(
        check, file, line, event.seq, expected, found, difference, render_event(event), hint
    )
