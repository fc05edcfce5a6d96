"""Conformance op ``replay``: what the reference engine emits for a ledger's inputs.

Input: ``profile`` (a shipped profile name or a path), optional ``liquidity`` (the book the
engine liquidates into; see :mod:`perpspec.reference.engine.config`), and ``events`` (a
ledger prefix in ledger form). Output: ``events``, the ledger the engine produces from them.

The events must be inputs only (``instrument``, ``deposit``, ``withdrawal``, ``mark``,
``trade``, ``funding`` with no ``payments``, ``margin_transfer``): an output in the input
(a liquidation, funding payments) would be dropped and recomputed by the engine, so the case
would not mean what it says, and it is refused as malformed. So is an event holding a field
its type does not have: a ledger may carry such fields (the audit reports them), but a case
that states one states something the reference does not read.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from perpspec.conformance.fields import CaseError, get_list
from perpspec.ledger.codec import decode_record, encode_event, find_unread_keys
from perpspec.reference.engine.config import parse_engine_config
from perpspec.reference.engine.engine import replay
from perpspec.reference.events import INPUT_TYPES, Event, FundingEvent

__all__ = ["run"]


def _check_is_input(event: Event, path: str) -> None:
    if event.TYPE not in INPUT_TYPES:
        raise CaseError(f"{path}.type: {event.TYPE} is an engine output, not an input to replay")
    if isinstance(event, FundingEvent) and event.payments:
        raise CaseError(f"{path}.payments: funding payments are the engine's output; give []")


def _check_fields_known(raw: object, path: str) -> None:
    if isinstance(raw, dict):
        unread = find_unread_keys(raw)
        if unread:
            raise CaseError(f"{path}: field {unread[0]} is not a field of the ledger's records")


def run(case_input: Mapping[str, Any]) -> dict[str, Any]:
    """Replay the case's events; return the produced ledger in ledger form."""
    settings = {key: case_input[key] for key in ("profile", "liquidity") if key in case_input}
    config = parse_engine_config(settings, "input")
    raw_events = get_list(case_input, "events", "input")
    events = [decode_record(raw, f"input.events[{index}]") for index, raw in enumerate(raw_events)]
    for index, (raw, event) in enumerate(zip(raw_events, events, strict=True)):
        _check_fields_known(raw, f"input.events[{index}]")
        _check_is_input(event, f"input.events[{index}]")
    if not events:
        raise CaseError("input.events: at least one event is required")
    return {"events": [encode_event(event) for event in replay(config, events)]}
