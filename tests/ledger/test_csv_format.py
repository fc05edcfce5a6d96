"""The ledger as CSV (DESIGN, Ledger: an equivalent of JSON Lines)."""

from __future__ import annotations

import csv
from fractions import Fraction as F
from pathlib import Path

from perpspec.ledger.csv_format import EXPECTED_HEADER, iter_csv, write_csv
from perpspec.ledger.errors import LedgerError
from perpspec.ledger.unread import UnreadFields
from perpspec.reference.events import Event, LiquidationEvent, RejectionEvent

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


def row(**cells: str) -> list[str]:
    """A row with ``cells`` in their columns and every other cell empty."""
    assert set(cells) <= set(HEADER)
    return [cells.get(name, "") for name in HEADER]


def write_rows(path: Path, rows: list[list[str]], header: list[str] = HEADER) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def read(path: Path) -> tuple[list[tuple[int, Event]], list[LedgerError]]:
    events: list[tuple[int, Event]] = []
    errors: list[LedgerError] = []
    for item in iter_csv(path):
        (errors if isinstance(item, LedgerError) else events).append(item)  # type: ignore[arg-type]
    return events, errors


DEPOSIT = {"seq": "2", "ts": "2024-03-01T00:00:01Z", "type": "deposit"}
DEPOSIT |= {"account": "alice", "asset": "USDT", "amount": "1000"}


def test_written_text(tmp_path: Path, sample_events: list[Event]) -> None:
    path = tmp_path / "ledger.csv"
    assert write_csv(sample_events, path) == 24
    lines = path.read_text(encoding="utf-8").split("\n")
    assert lines[0] == ",".join(HEADER) == EXPECTED_HEADER
    assert lines[2] == ",".join(row(**DEPOSIT))
    # A JSON cell is quoted, its quotes doubled (RFC 4180).
    payments = (
        '"[{""account"":""alice"",""amount"":""-1""},{""account"":""bob"",""amount"":""1""}]"'
    )
    funding = {"seq": "6", "ts": "2024-03-01T08:00:00Z", "type": "funding", "market": "BTCUSDT"}
    funding |= {"rate": "0.0001", "payments": payments}
    assert lines[6] == ",".join(row(**funding))
    assert lines[-1] == ""  # the file ends with a newline
    assert len(lines) == 26  # header, 24 rows, the empty string after the last newline


def test_round_trip(tmp_path: Path, sample_events: list[Event]) -> None:
    path = tmp_path / "ledger.csv"
    write_csv(sample_events, path)
    events, errors = read(path)
    assert errors == []
    assert [event for _, event in events] == sample_events
    assert [line for line, _ in events] == list(range(2, 26))  # the header is line 1


def test_empty_cells_are_null(tmp_path: Path) -> None:
    path = tmp_path / "nulls.csv"
    liquidation = {"seq": "15", "ts": "2024-03-01T09:00:05Z", "type": "liquidation", "id": "l2"}
    liquidation |= {"account": "erin", "market": "M", "side": "short", "qty": "1"}
    liquidation |= {"mark_price": "18100", "margin_mode": "cross", "fee": "0.25"}
    write_rows(path, [row(**liquidation)])
    events, errors = read(path)
    assert errors == []
    event = events[0][1]
    assert isinstance(event, LiquidationEvent)
    assert (event.liquidation_price, event.bankruptcy_price, event.fee) == (None, None, F(1, 4))


def test_columns_match_by_name_and_extra_columns_are_reported(tmp_path: Path) -> None:
    header = ["exchange_id", *reversed(HEADER)]
    cells = row(**DEPOSIT)
    path = tmp_path / "reordered.csv"
    write_rows(path, [["X-1", *reversed(cells)]], header)
    events, errors = read(path)
    assert errors == []
    assert events[0][1].amount == F(1000)  # type: ignore[attr-defined]
    unread = UnreadFields()
    assert len(list(iter_csv(path, unread))) == 1
    # The header is line 1, the deposit line 2.
    assert [(u.name, u.records, u.line) for u in unread.build()] == [("deposit.exchange_id", 1, 2)]


def test_a_wrong_header_is_one_error(tmp_path: Path) -> None:
    path = tmp_path / "wrong.csv"
    renamed = ["inputs" if name == "input" else name for name in HEADER]
    write_rows(path, [row(**DEPOSIT), row(**DEPOSIT)], renamed)
    events, errors = read(path)
    assert events == []
    assert [(error.line, error.field) for error in errors] == [(1, "header")]
    assert errors[0].reason == f"expected the header {','.join(HEADER)} (missing: input)"


def test_a_header_without_the_partial_ledger_columns_still_reads(tmp_path: Path) -> None:
    # columns.OPTIONAL_COLUMNS: a ledger written before the partial-ledger records existed
    # reads as before; a partial-ledger row in it lacks its fields and is one error.
    older = HEADER[: HEADER.index("format")]
    path = tmp_path / "older.csv"
    statement = {"seq": "2", "ts": "2024-03-01T00:00:02Z", "type": "statement"}
    statement |= {"account": "alice", "asset": "USDT", "amount": "-1", "reason": "COMMISSION"}
    rows = [
        [DEPOSIT.get(name, "") for name in older],
        [statement.get(name, "") for name in older],
    ]
    write_rows(path, rows, older)
    events, errors = read(path)
    assert [(line, event.TYPE) for line, event in events] == [(2, "deposit")]
    assert [(error.line, error.field) for error in errors] == [(3, "entry")]


def test_a_missing_header_is_one_error(tmp_path: Path) -> None:
    path = tmp_path / "headless.csv"
    path.write_text(",".join(row(**DEPOSIT)) + "\n", encoding="utf-8")
    events, errors = read(path)
    assert events == []
    assert [(error.line, error.field) for error in errors] == [(1, "header")]
    assert errors[0].reason.startswith(f"expected the header {','.join(HEADER)} (missing: seq,")


def test_a_repeated_column_is_one_error(tmp_path: Path) -> None:
    path = tmp_path / "twice.csv"
    write_rows(path, [], [*HEADER, "amount"])
    _, errors = read(path)
    assert [(error.line, error.reason.endswith("(repeated: amount)")) for error in errors] == [
        (1, True)
    ]


def test_bad_rows_are_reported_with_file_lines(tmp_path: Path) -> None:
    rejection = row(seq="3", ts="2024-03-01T00:00:02Z", type="rejection", input="2")
    rejection[HEADER.index("reason")] = "amount: too large\nsee the note"  # spans two lines
    bad_seq = row(**(DEPOSIT | {"seq": "4.0"}))
    no_amount = row(**(DEPOSIT | {"seq": "5", "amount": ""}))
    bad_tiers = row(seq="6", ts="2024-03-01T00:00:00Z", type="instrument", tiers="[{")
    unknown = row(**(DEPOSIT | {"seq": "7", "type": "airdrop"}))
    rows = [row(**DEPOSIT), rejection, bad_seq, no_amount, bad_tiers, unknown, ["8", "short"]]
    path = tmp_path / "bad.csv"
    write_rows(path, [*rows, row(**(DEPOSIT | {"seq": "9"}))])
    events, errors = read(path)
    # Lines: header 1, deposit 2, rejection 3-4, then 5, 6, 7, 8, 9, and the last deposit 10.
    assert [(line, event.seq) for line, event in events] == [(2, 2), (3, 3), (10, 9)]
    rejected = events[1][1]
    assert isinstance(rejected, RejectionEvent)
    assert rejected.reason == "amount: too large\nsee the note"
    assert [(error.line, error.field) for error in errors] == [
        (5, "seq"),
        (6, "amount"),
        (7, "tiers"),
        (8, "type"),
        (9, "record"),
    ]
    reasons = [error.reason for error in errors]
    assert reasons[0] == 'expected an integer, found string "4.0"'
    assert reasons[1] == "missing (null or empty)"
    assert reasons[2].startswith("invalid JSON in the cell: ")
    assert reasons[4] == f"expected {len(HEADER)} cells as in the header, found 2"
    assert errors[4].record == "8,short"


def test_a_binary_file_is_one_error(tmp_path: Path) -> None:
    path = tmp_path / "binary.csv"
    path.write_bytes(EXPECTED_HEADER.encode() + b"\n\x89PNG\x00\x00\n\x00\n")
    events, errors = read(path)
    assert events == []
    assert [(error.line, error.field) for error in errors] == [(2, "file")]


def test_empty_files_have_no_events(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    header_only = tmp_path / "header.csv"
    header_only.write_text(EXPECTED_HEADER + "\n", encoding="utf-8")
    assert list(iter_csv(empty)) == []
    assert list(iter_csv(header_only)) == []


def test_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes(b"\xef\xbb\xbf" + (EXPECTED_HEADER + "\n" + ",".join(row(**DEPOSIT))).encode())
    events, errors = read(path)
    assert (len(events), errors) == (1, [])


def _deposit_line(seq: int, account: str = "alice") -> str:
    cells = row(**{**DEPOSIT, "seq": str(seq), "account": account})
    return ",".join(cells) + "\n"


def test_a_carriage_return_in_an_unquoted_cell_costs_one_row(tmp_path: Path) -> None:
    path = tmp_path / "cr.csv"
    text = HEADER_TEXT + "\n" + _deposit_line(2) + _deposit_line(3, "al\rice") + _deposit_line(4)
    path.write_bytes(text.encode())
    events, errors = read(path)
    assert [line for line, _ in events] == [2, 4]
    assert [(e.line, e.reason) for e in errors] == [
        (3, "not CSV: a line break (a lone carriage return?) inside an unquoted cell")
    ]


def test_a_stray_quote_says_which_lines_it_swallowed(tmp_path: Path) -> None:
    # Line 3's account opens a quote that the next quote, in line 5's asset, closes: lines 3
    # to 5 are one record of 11 + 1 + 24 = 36 cells for the csv module.
    path = tmp_path / "q.csv"
    lines = [_deposit_line(2), _deposit_line(3, '"alice'), _deposit_line(4)]
    lines += [_deposit_line(5).replace(",USDT,", ',US"DT,'), _deposit_line(6)]
    path.write_text(HEADER_TEXT + "\n" + "".join(lines), encoding="utf-8")
    events, errors = read(path)
    assert [line for line, _ in events] == [2, 6]
    (error,) = errors
    assert error.line == 3
    assert error.reason.endswith(
        'a quoted cell runs from line 3 to line 5 (a stray " opens a quote), and those '
        "lines were read as this one record"
    )
