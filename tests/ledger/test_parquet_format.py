"""The ledger as Parquet (DESIGN, Ledger: an equivalent of JSON Lines)."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from perpspec.ledger import parquet_format
from perpspec.ledger.errors import LedgerError
from perpspec.ledger.parquet_format import iter_parquet, write_parquet
from perpspec.ledger.unread import UnreadFields
from perpspec.reference.events import Event

# Written by hand (as in test_fields): the canonical columns.
HEADER_TEXT = (
    "seq,ts,type,market,kind,multiplier,tick_size,lot_size,tiers,fund,settle_asset,account,"
    "asset,amount,price,buyer,seller,qty,buyer_fee,seller_fee,rate,payments,id,side,mark_price,"
    "liquidation_price,bankruptcy_price,margin_mode,fee,liquidation,counterparty,reason,score,"
    "rank,cycle,liquidations,input,format,accounts,covers,precision,files,unmapped,entry,ref,"
    "size,action,role,commission,commission_asset,liquidity,start_position,realized_pnl,"
    "entry_price,margin,equity,maintenance_rate,sources,funding_rate,time_until_funding,"
    "basis_average,last_price,impact_bid,impact_ask"
)
HEADER = HEADER_TEXT.split(",")


def read(path: Path) -> tuple[list[tuple[int, Event]], list[LedgerError]]:
    events: list[tuple[int, Event]] = []
    errors: list[LedgerError] = []
    for item in iter_parquet(path):
        if isinstance(item, LedgerError):
            errors.append(item)
        else:
            events.append(item)
    return events, errors


def deposit_table(amounts: list[str | None], columns: list[str] = HEADER) -> object:
    """A table of deposits, every other column null."""
    count = len(amounts)
    values: dict[str, list[str | None]] = {name: [None] * count for name in columns}
    values["seq"] = [str(i + 1) for i in range(count)]
    values["ts"] = ["2024-03-01T00:00:00Z"] * count
    values["type"] = ["deposit"] * count
    values["account"] = ["alice"] * count
    values["asset"] = ["USDT"] * count
    values["amount"] = amounts
    return pa.table({name: pa.array(values[name], type=pa.string()) for name in columns})


def test_round_trip_and_columns(tmp_path: Path, sample_events: list[Event]) -> None:
    path = tmp_path / "ledger.parquet"
    assert write_parquet(sample_events, path) == 24
    schema = pq.read_schema(path)
    assert schema.names == HEADER
    assert {str(t) for t in schema.types} == {"string"}
    table = pq.read_table(path)
    assert table.column("amount").to_pylist()[1] == "1000"  # the deposit of seq 2
    assert table.column("market").to_pylist()[1] is None  # not a deposit field: null
    events, errors = read(path)
    assert errors == []
    assert [event for _, event in events] == sample_events
    assert [row for row, _ in events] == list(range(1, 25))


def test_row_groups_and_batches(
    tmp_path: Path, sample_events: list[Event], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(parquet_format, "ROW_GROUP_ROWS", 4)
    monkeypatch.setattr(parquet_format, "BATCH_ROWS", 3)
    path = tmp_path / "groups.parquet"
    write_parquet(sample_events, path)
    assert pq.ParquetFile(path).metadata.num_row_groups == 6  # 24 rows: 4 + 4 + 4 + 4 + 4 + 4
    events, errors = read(path)
    assert errors == []
    assert [event for _, event in events] == sample_events


def test_no_events(tmp_path: Path) -> None:
    path = tmp_path / "none.parquet"
    assert write_parquet([], path) == 0
    assert list(iter_parquet(path)) == []


def test_a_bad_row_names_its_row_and_field(tmp_path: Path) -> None:
    path = tmp_path / "bad.parquet"
    pq.write_table(deposit_table(["1000", "-5", "", None, "2.5"]), path)
    events, errors = read(path)
    assert [row for row, _ in events] == [1, 5]
    assert [(error.line, error.field, error.reason) for error in errors] == [
        (2, "amount", "must be > 0, found -5"),
        (3, "amount", "missing (null or empty)"),
        (4, "amount", "missing (null or empty)"),
    ]
    assert str(errors[0]).startswith(f"{path}:2: amount: ")
    assert '"amount":"-5"' in errors[0].record


def test_extra_columns_are_read_and_reported(tmp_path: Path) -> None:
    path = tmp_path / "extra.parquet"
    table = deposit_table(["7", "8"]).append_column("venue", pa.array([None, "X"]))  # type: ignore[attr-defined]
    pq.write_table(table, path)
    events, errors = read(path)
    assert (len(events), errors) == (2, [])
    unread = UnreadFields()
    assert len(list(iter_parquet(path, unread))) == 2
    # Row 1's venue is null (nothing held); row 2 holds "X".
    assert [(u.name, u.records, u.line) for u in unread.build()] == [("deposit.venue", 1, 2)]


def test_a_missing_column_is_one_error(tmp_path: Path) -> None:
    path = tmp_path / "missing.parquet"
    pq.write_table(deposit_table(["1"], [name for name in HEADER if name != "score"]), path)
    events, errors = read(path)
    assert events == []
    assert [(error.line, error.field) for error in errors] == [(0, "header")]
    assert errors[0].reason.endswith("(missing: score)")


def test_a_column_of_numbers_is_one_error(tmp_path: Path) -> None:
    path = tmp_path / "typed.parquet"
    table = deposit_table(["1"])
    table = table.set_column(0, "seq", pa.array([1], type=pa.int64()))  # type: ignore[attr-defined]
    pq.write_table(table, path)
    _, errors = read(path)
    assert [(error.field, error.reason) for error in errors] == [
        ("header", "column seq: expected strings, found int64")
    ]


def test_a_file_that_is_not_parquet(tmp_path: Path) -> None:
    path = tmp_path / "ledger.parquet"
    path.write_text('{"seq":1}\n')
    items = list(iter_parquet(path))
    assert len(items) == 1
    error = items[0]
    assert isinstance(error, LedgerError)
    assert (error.line, error.field) == (0, "file")
    assert error.reason.startswith("not a Parquet file")
    assert str(error).startswith(f"{path}: file: not a Parquet file")


def test_an_empty_file_has_no_events(tmp_path: Path) -> None:
    path = tmp_path / "empty.parquet"
    path.write_bytes(b"")
    assert list(iter_parquet(path)) == []


def test_a_value_that_is_not_utf8_costs_its_row_only(tmp_path: Path) -> None:
    path = tmp_path / "utf8.parquet"
    table: pa.Table = deposit_table(["1", "2", "3"])
    accounts = pa.array([b"alice", b"al\xffice", b"bob"], pa.binary()).view(pa.string())
    table = table.set_column(HEADER.index("account"), "account", accounts)
    pq.write_table(table, path)
    events, errors = read(path)
    assert [row for row, _ in events] == [1, 3]
    assert [(e.line, e.field, e.reason) for e in errors] == [
        (2, "account", "not UTF-8 text (byte 2)")
    ]
