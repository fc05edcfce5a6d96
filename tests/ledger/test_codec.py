"""One event to and from its JSON form (DESIGN, Ledger; Arithmetic)."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction as F

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from perpspec.ledger.codec import decode_event, decode_record, encode_event, is_utc_timestamp
from perpspec.ledger.columns import COLUMNS, decode_cells, encode_cells
from perpspec.ledger.errors import LedgerError
from perpspec.ledger.exact_json import loads_exact
from perpspec.ledger.unread import UnreadFields
from perpspec.reference.events import BalanceEvent, DepositEvent, Event, LiquidationEvent
from perpspec.reference.numbers import is_terminating_decimal


def deposit(**changes: object) -> dict[str, object]:
    record: dict[str, object] = {
        "seq": 2,
        "ts": "2024-03-01T00:00:01Z",
        "type": "deposit",
        "account": "alice",
        "asset": "USDT",
        "amount": "1000",
    }
    record.update(changes)
    return record


def liquidation(**changes: object) -> dict[str, object]:
    record: dict[str, object] = {
        "seq": 9,
        "ts": "2024-03-01T09:00:00Z",
        "type": "liquidation",
        "id": "liq-1",
        "account": "alice",
        "market": "BTCUSDT",
        "side": "long",
        "qty": "0.5",
        "mark_price": "18100",
        "liquidation_price": "18120.5",
        "bankruptcy_price": "18000.1",
        "margin_mode": "isolated",
        "fee": "0",
    }
    record.update(changes)
    return record


def instrument(**changes: object) -> dict[str, object]:
    record: dict[str, object] = {
        "seq": 1,
        "ts": "2024-03-01T00:00:00Z",
        "type": "instrument",
        "market": "BTCUSDT",
        "kind": "linear",
        "multiplier": "1",
        "tick_size": "0.1",
        "lot_size": "0.001",
        "tiers": [
            {"floor": "0", "mmr": "0.004", "maintenance_amount": "0", "max_leverage": "125"},
            {"floor": "50000", "mmr": "0.005", "maintenance_amount": "50", "max_leverage": None},
        ],
        "fund": "BTCUSDT",
        "settle_asset": "USDT",
    }
    record.update(changes)
    return record


def other(event_type: str, **fields: object) -> dict[str, object]:
    return {"seq": 3, "ts": "2024-03-01T00:00:02Z", "type": event_type, **fields}


ALICE_1000 = DepositEvent(
    seq=2, ts="2024-03-01T00:00:01Z", account="alice", asset="USDT", amount=F(1000)
)


def test_sample_lines_decode_to_the_hand_written_records(
    sample_lines: list[str], sample_events: list[Event]
) -> None:
    for number, (line, event) in enumerate(zip(sample_lines, sample_events, strict=True), 1):
        assert decode_event(orjson.loads(line), "sample", line=number) == event


def test_encoding_gives_the_hand_written_lines(
    sample_lines: list[str], sample_events: list[Event]
) -> None:
    for line, event in zip(sample_lines, sample_events, strict=True):
        assert orjson.dumps(encode_event(event)).decode() == line


def test_encoded_key_order_and_values(sample_events: list[Event]) -> None:
    trade = encode_event(sample_events[4])
    assert list(trade) == [
        "seq", "ts", "type", "market", "buyer", "seller", "qty", "price", "buyer_fee", "seller_fee",
    ]  # fmt: skip
    # seq stays a JSON integer; 1/2 is the decimal "0.5"; -1 keeps its sign.
    assert (trade["seq"], trade["qty"], trade["seller_fee"]) == (5, "0.5", "-1")
    loss = encode_event(sample_events[12])
    assert (loss["amount"], loss["liquidations"]) == ("100/3", ["liq-1", "liq-2"])
    unpriced = encode_event(sample_events[14])
    assert (unpriced["liquidation_price"], unpriced["bankruptcy_price"]) == (None, None)


def test_exact_json_numbers_are_accepted() -> None:
    # A JSON integer is exact; a Decimal is what the readers make of 0.1 or 1.5e3.
    assert decode_event(deposit(amount=1000), "f") == ALICE_1000
    assert decode_event(deposit(amount=Decimal("0.1")), "f").amount == F(1, 10)  # type: ignore[attr-defined]
    assert decode_event(deposit(amount=Decimal("1.5E+3")), "f").amount == F(1500)  # type: ignore[attr-defined]


def test_unknown_fields_do_not_reach_the_record_and_are_noted() -> None:
    unread = UnreadFields()
    assert decode_event(deposit(note="from the exchange", tx=7), "f", line=3, unread=unread) == (
        ALICE_1000
    )
    tiers = instrument()["tiers"]
    assert isinstance(tiers, list)
    tiers[0]["source"] = "website"
    event = decode_event(instrument(tiers=tiers), "f", line=4, unread=unread)
    assert event.tiers[0].mmr == F(4, 1000)  # type: ignore[attr-defined]
    assert [(u.name, u.records, u.line) for u in unread.build()] == [
        ("deposit.note", 1, 3),
        ("deposit.tx", 1, 3),
        ("instrument.tiers[].source", 1, 4),
    ]


def test_instrument_sizes_carry_no_range() -> None:
    # The engine refuses an unusable instrument with a rejection event; the ledger that records
    # the refused input must still be readable.
    event = decode_event(instrument(tick_size="0", tiers=[]), "f")
    assert (event.tick_size, event.tiers) == (F(0), ())  # type: ignore[attr-defined]


def test_nullable_fields_accept_null() -> None:
    event = decode_event(liquidation(liquidation_price=None, bankruptcy_price=None), "f")
    assert isinstance(event, LiquidationEvent)
    assert (event.liquidation_price, event.bankruptcy_price) == (None, None)


BAD_RECORDS: list[tuple[dict[str, object], str, str]] = [
    (deposit(seq="2"), "seq", "expected an integer, found string"),
    (deposit(seq=-1), "seq", "must be >= 0"),
    (deposit(seq=True), "seq", "expected an integer, found boolean"),
    (deposit(seq=2**63), "seq", "out of range"),
    ({k: v for k, v in deposit().items() if k != "seq"}, "seq", "missing"),
    (deposit(ts="2024-03-01T00:00:00"), "ts", "is not an ISO 8601 UTC time"),
    (deposit(ts="2024-03-01T00:00:00+01:00"), "ts", "is not an ISO 8601 UTC time"),
    (deposit(ts="2024-02-30T00:00:00Z"), "ts", "is not an ISO 8601 UTC time"),
    (deposit(ts=1709251200), "ts", "expected an ISO 8601 UTC time string"),
    ({k: v for k, v in deposit().items() if k != "type"}, "type", "missing"),
    (deposit(type=5), "type", "expected a string"),
    (deposit(type="deposits"), "type", 'unknown event type "deposits" (known: instrument, '),
    ({k: v for k, v in deposit().items() if k != "account"}, "account", "missing"),
    (deposit(account=7), "account", "expected a string, found number 7"),
    (deposit(account=10**5000), "account", "expected a string, found a number of 5001 digits"),
    (deposit(account=""), "account", "must not be empty"),
    (deposit(account=None), "account", "missing (null or empty)"),
    (deposit(account="\ud800"), "account", "not valid Unicode"),
    (deposit(amount="-5"), "amount", "must be > 0, found -5"),
    (deposit(amount="0"), "amount", "must be > 0, found 0"),
    (deposit(amount=-5), "amount", "must be > 0, found -5"),
    (deposit(amount=Decimal("NaN")), "amount", "NaN is not a number"),
    (deposit(amount=Decimal("-Infinity")), "amount", "-Infinity is not a number"),
    (deposit(amount=0.1), "amount", "found the float 0.1"),
    (deposit(amount="1e5"), "amount", "is not an exact number"),
    (deposit(amount="1/0"), "amount", "zero denominator"),
    (deposit(amount=True), "amount", "expected a number, found boolean true"),
    (deposit(amount=[]), "amount", "expected a number"),
    # 300 digits written out: over MAX_NUMBER_LENGTH (200), as text, integer or Decimal.
    (deposit(amount="1" * 300), "amount", "number has 300 characters (at most 200)"),
    (deposit(amount=10**300), "amount", "number has 301 characters (at most 200)"),
    (deposit(amount=Decimal("1E+400")), "amount", "number has 401 characters (at most 200)"),
    (liquidation(side="buy"), "side", 'expected long|short, found string "buy"'),
    (liquidation(margin_mode="portfolio"), "margin_mode", "expected isolated|cross"),
    (liquidation(qty="0"), "qty", "must be > 0"),
    (liquidation(fee="-0.5"), "fee", "must be >= 0, found -0.5"),
    (liquidation(mark_price=None), "mark_price", "missing"),
    (instrument(kind="quanto"), "kind", "expected linear|inverse"),
    (instrument(tiers="[]"), "tiers", "expected an array, found string"),
    (instrument(tiers=["x"]), "tiers[0]", "expected an object, found string"),
    (
        instrument(tiers=[{"floor": "0", "mmr": "1e-3", "maintenance_amount": "0"}]),
        "tiers[0].mmr",
        "is not an exact number",
    ),
    (
        instrument(tiers=[{"floor": "0", "mmr": "0.1", "maintenance_amount": "0"}]),
        "tiers[0].max_leverage",
        "missing",
    ),
    (
        other("funding", market="M", rate="0", payments=[{"account": "a", "amount": True}]),
        "payments[0].amount",
        "boolean",
    ),
    (
        other("socialized_loss", cycle="1", account="a", amount="1", liquidations=["l", ""]),
        "liquidations[1]",
        "must not be empty",
    ),
    (
        other("adl", liquidation="l", account="a", qty="1", price="1", score="1", rank=0),
        "rank",
        "must be >= 1",
    ),
    (other("rejection", input="18", reason="r"), "input", "expected an integer"),
    (deposit(note=Decimal("NaN")), "note", "NaN is not a JSON number"),
]


@pytest.mark.parametrize(("raw", "field", "reason"), BAD_RECORDS)
def test_bad_records_name_the_field(raw: dict[str, object], field: str, reason: str) -> None:
    with pytest.raises(LedgerError) as caught:
        decode_event(raw, "ledger.jsonl", line=7)
    error = caught.value
    assert (error.file, error.line, error.field) == ("ledger.jsonl", 7, field)
    assert reason in error.reason
    message = str(error)
    assert message.startswith(f"ledger.jsonl:7: {field}: ")
    assert "\n" not in message
    assert error.record  # the offending record, rendered


def test_error_without_a_line_names_the_source_only() -> None:
    with pytest.raises(LedgerError) as caught:
        decode_event(deposit(amount="-5"), "input.events[2]")
    assert str(caught.value) == "input.events[2]: amount: must be > 0, found -5"


def test_a_record_that_is_not_an_object() -> None:
    with pytest.raises(LedgerError) as caught:
        decode_record([1, 2], "f", line=3, record="[1,2]")
    assert str(caught.value) == "f:3: record: expected a JSON object, found array"
    assert caught.value.record == "[1,2]"


def test_error_message_stays_one_line() -> None:
    error = LedgerError("f", 3, "reason", "first\nsecond", "x" * 2000)
    assert str(error) == "f:3: reason: first second"
    assert len(error.record) == 500


@pytest.mark.parametrize(
    ("text", "valid"),
    [
        ("2024-03-01T00:00:00Z", True),
        ("2024-03-01T00:00:00+00:00", True),
        ("2024-03-01T00:00:00.123456789Z", True),  # nanoseconds, as exchanges export
        ("2024-02-29T23:59:59Z", True),  # 2024 is a leap year
        ("2023-02-29T00:00:00Z", False),
        ("2024-03-01T00:00:00", False),  # no time zone
        ("2024-03-01T00:00:00-00:00", False),
        ("2024-03-01 00:00:00Z", False),
        ("2024-03-01T00:00Z", False),
        ("20240301T000000Z", False),
    ],
)
def test_utc_timestamps(text: str, valid: bool) -> None:
    assert is_utc_timestamp(text) is valid


def test_any_exact_number_survives_json_and_cells() -> None:
    """Property: a balance of any exact amount decodes to itself from its JSON line and from
    its table row; both written forms (decimal and p/q) occur."""
    forms: set[bool] = set()

    @given(st.fractions(min_value=F(-(10**15)), max_value=F(10**15), max_denominator=10**6))
    def check(amount: F) -> None:
        event = BalanceEvent(
            seq=16, ts="2024-03-01T10:00:00Z", account="alice", asset="USDT", amount=amount
        )
        line = orjson.dumps(encode_event(event))
        parsed = loads_exact(line)
        assert isinstance(parsed, dict)
        assert decode_event(parsed, "json") == event
        cells = dict(zip(COLUMNS, encode_cells(event), strict=True))
        assert decode_event(decode_cells(cells), "cells") == event
        forms.add(is_terminating_decimal(amount))

    check()
    assert forms == {True, False}
