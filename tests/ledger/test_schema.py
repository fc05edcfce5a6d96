"""The published JSON Schema of a ledger line (DESIGN, Ledger: `perpspec schema`)."""

from __future__ import annotations

import json
from decimal import Decimal

import jsonschema
import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from perpspec.ledger.codec import decode_event, encode_event
from perpspec.ledger.errors import LedgerError
from perpspec.ledger.schema import ledger_schema
from perpspec.reference.events import EVENT_TYPES, Event
from perpspec.reference.numbers import MAX_NUMBER_LENGTH

SCHEMA = ledger_schema()
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)

DEPOSIT: dict[str, object] = {
    "seq": 2,
    "ts": "2024-03-01T00:00:01Z",
    "type": "deposit",
    "account": "alice",
    "asset": "USDT",
    "amount": "1000",
}


def is_valid(record: object) -> bool:
    return bool(VALIDATOR.is_valid(record))


def test_the_schema_is_a_valid_draft_2020_12_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert json.loads(json.dumps(SCHEMA, indent=2)) == SCHEMA  # what `perpspec schema` prints


def test_one_branch_per_event_type() -> None:
    branches = SCHEMA["oneOf"]
    assert isinstance(branches, list)
    assert [branch["title"] for branch in branches] == list(EVENT_TYPES)


def test_every_encoded_event_validates(sample_events: list[Event]) -> None:
    covered = set()
    for event in sample_events:
        encoded = json.loads(orjson.dumps(encode_event(event)))
        errors = [error.message for error in VALIDATOR.iter_errors(encoded)]
        assert errors == [], (event, errors)
        covered.add(event.TYPE)
    assert covered == set(EVENT_TYPES)


@pytest.mark.parametrize(
    ("changes", "valid"),
    [
        ({}, True),
        ({"amount": 1000}, True),  # a JSON integer is exact
        ({"note": "more fields may be added"}, True),
        ({"amount": "-5"}, False),  # DESIGN: amount > 0
        ({"amount": "0"}, False),
        ({"amount": "1/0"}, False),
        ({"amount": "1e5"}, False),
        ({"amount": "1" * (MAX_NUMBER_LENGTH + 1)}, False),
        ({"amount": 0}, False),
        ({"seq": "2"}, False),
        ({"seq": -1}, False),
        ({"ts": "2024-03-01T00:00:01"}, False),  # no time zone
        ({"type": "airdrop"}, False),
        ({"account": ""}, False),
        ({"account": None}, False),
    ],
)
def test_deposit_lines(changes: dict[str, object], valid: bool) -> None:
    assert is_valid(DEPOSIT | changes) is valid


def test_missing_field() -> None:
    record = {k: v for k, v in DEPOSIT.items() if k != "asset"}
    assert not is_valid(record)


def test_nullable_fields() -> None:
    liquidation = {
        "seq": 9, "ts": "2024-03-01T09:00:00Z", "type": "liquidation", "id": "liq-1",
        "account": "alice", "market": "BTCUSDT", "side": "long", "qty": "0.5",
        "mark_price": "18100", "liquidation_price": None, "bankruptcy_price": None,
        "margin_mode": "isolated", "fee": "0",
    }  # fmt: skip
    assert is_valid(liquidation)
    assert not is_valid(liquidation | {"mark_price": None})
    assert not is_valid(liquidation | {"side": "buy"})
    assert not is_valid(liquidation | {"fee": "-0.1"})


def _record_for(kind: str, text: str) -> dict[str, object]:
    if kind == "positive":  # deposit amount > 0
        return DEPOSIT | {"amount": text}
    if kind == "number":  # a balance assertion takes any exact number
        return DEPOSIT | {"type": "balance", "amount": text}
    # nonnegative: a liquidation's fee
    return {
        "seq": 9, "ts": "2024-03-01T09:00:00Z", "type": "liquidation", "id": "liq-1",
        "account": "alice", "market": "BTCUSDT", "side": "long", "qty": "0.5",
        "mark_price": "18100", "liquidation_price": None, "bankruptcy_price": None,
        "margin_mode": "isolated", "fee": text,
    }  # fmt: skip


def _codec_accepts(record: dict[str, object]) -> bool:
    try:
        decode_event(record, "t")
    except LedgerError:
        return False
    return True


def test_schema_and_codec_agree_on_number_text() -> None:
    """Property: for short texts over the characters of exact numbers, the schema accepts a
    number exactly when the codec does, for every range (number, > 0, >= 0)."""
    verdicts: list[tuple[str, bool]] = []

    @given(
        st.sampled_from(["number", "positive", "nonnegative"]),
        st.text(alphabet="0123456789+-./", min_size=1, max_size=8),
    )
    def check(kind: str, text: str) -> None:
        record = _record_for(kind, text)
        accepted = _codec_accepts(record)
        assert is_valid(record) is accepted, (kind, text)
        verdicts.append((kind, accepted))

    check()
    assert {accepted for _, accepted in verdicts} == {True, False}


@pytest.mark.parametrize(
    ("kind", "text", "accepted"),
    [
        ("number", "-0", True),
        ("positive", "-0", False),
        ("nonnegative", "-0", True),
        ("nonnegative", "-0/5", True),
        ("positive", "+.5", True),
        ("positive", "0/7", False),
        ("number", "3/0", False),
        ("number", "5.", True),
        ("number", ".", False),
    ],
)
def test_number_text_edges(kind: str, text: str, accepted: bool) -> None:
    record = _record_for(kind, text)
    assert (_codec_accepts(record), is_valid(record)) == (accepted, accepted)


def test_json_decimals_are_not_canonical() -> None:
    # The reader accepts 0.1 exactly (as a Decimal); the schema describes the written form.
    assert _codec_accepts(DEPOSIT | {"amount": Decimal("0.1")})
    assert not is_valid(DEPOSIT | {"amount": 0.1})
