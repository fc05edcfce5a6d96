"""The ledger's event types and their field order (DESIGN, Ledger: binding names)."""

from __future__ import annotations

import pytest

from perpspec.reference.events import (
    EVENT_TYPES,
    INPUT_TYPES,
    METADATA_TYPES,
    OUTPUT_TYPES,
    get_event_fields,
)


def test_trade_fields_are_designs_in_its_order() -> None:
    # DESIGN's table: trade | market, buyer, seller, qty, price, buyer_fee, seller_fee
    assert get_event_fields("trade") == (
        "market",
        "buyer",
        "seller",
        "qty",
        "price",
        "buyer_fee",
        "seller_fee",
    )


def test_balance_and_rejection_fields() -> None:
    # DESIGN: balance | account, asset, amount; rejection (added): input, reason
    assert get_event_fields("balance") == ("account", "asset", "amount")
    assert get_event_fields("rejection") == ("input", "reason")


def test_seq_and_ts_are_never_listed() -> None:
    for event_type in EVENT_TYPES:
        names = get_event_fields(event_type)
        assert "seq" not in names and "ts" not in names
        assert names, event_type


def test_unknown_type_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        get_event_fields("transfer")


def test_funding_is_both_input_and_output() -> None:
    # events.py: a funding event's rate is the input, its payments the engine's output.
    assert "funding" in INPUT_TYPES and "funding" in OUTPUT_TYPES
    # The records of a partial ledger are neither: the engine takes and emits none of them
    # (events.py, METADATA_TYPES).
    partial = {"source", "statement", "fill", "position"}
    assert set(EVENT_TYPES) == INPUT_TYPES | OUTPUT_TYPES | partial
    assert partial == METADATA_TYPES
    assert not METADATA_TYPES & (INPUT_TYPES | OUTPUT_TYPES)
    assert {"funding"} == INPUT_TYPES & OUTPUT_TYPES
    assert "rejection" in OUTPUT_TYPES and "trade" not in OUTPUT_TYPES
