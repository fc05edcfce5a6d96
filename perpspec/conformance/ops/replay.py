"""Conformance op ``replay``: what the reference engine emits for a ledger's inputs.

Input: ``profile`` (a shipped profile name or a path), optional ``liquidity`` (the book the
engine liquidates into; see :mod:`perpspec.reference.engine.config`), and ``events`` (a
ledger prefix in ledger form). Output: ``events``, the ledger the engine produces from the
inputs among them (outputs in the input are ignored; the engine recomputes them).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from perpspec.conformance.fields import CaseError, get_list
from perpspec.ledger.codec import decode_record, encode_event
from perpspec.reference.engine.config import parse_engine_config
from perpspec.reference.engine.engine import replay

__all__ = ["run"]


def run(case_input: Mapping[str, Any]) -> dict[str, Any]:
    """Replay the case's events; return the produced ledger in ledger form."""
    settings = {key: case_input[key] for key in ("profile", "liquidity") if key in case_input}
    config = parse_engine_config(settings, "input")
    raw_events = get_list(case_input, "events", "input")
    events = [decode_record(raw, f"input.events[{index}]") for index, raw in enumerate(raw_events)]
    if not events:
        raise CaseError("input.events: at least one event is required")
    return {"events": [encode_event(event) for event in replay(config, events)]}
