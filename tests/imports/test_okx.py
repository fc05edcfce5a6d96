"""The OKX account bills adapter (perpspec.imports.okx; docs/import/okx.md).

The fixtures are written to OKX's published field definitions ("Get bills details" and the
bills archive's "Field descriptions in the decompressed CSV file"), with numbers of our own:
bills.json tells one USDT account's story (a transfer in, a BTC long opened, funding paid,
half of it closed at a profit, an ETH short opened, funding received, the rest of the BTC
long liquidated, the ETH short deleveraged (ADL) with a clawback in the same millisecond, a
transfer out), newest first as the API answers; bills_archive.csv an inverse account in BTC
(a short closed at a profit, a future delivered).
"""

from __future__ import annotations

import json
from fractions import Fraction as F
from pathlib import Path

import pytest
from import_builders import make_statement

from perpspec.imports import sniff_file
from perpspec.imports.assemble import assemble_ledger
from perpspec.imports.base import EMPTY_RESPONSE, Imported, Sniff
from perpspec.imports.okx import ADAPTER
from perpspec.ledger.errors import LedgerError
from perpspec.ledger.jsonl import iter_jsonl, write_jsonl
from perpspec.reference.events import (
    BalanceEvent,
    DepositEvent,
    Event,
    FillEvent,
    SourceEvent,
    StatementEvent,
    WithdrawalEvent,
)

FIXTURES = Path(__file__).parent / "fixtures" / "okx"
BILLS = str(FIXTURES / "bills.json")
ARCHIVE = str(FIXTURES / "bills_archive.csv")
QUIRKS = str(FIXTURES / "bills_quirks.json")


def read(*names: str) -> Imported:
    return ADAPTER.read([str(FIXTURES / name) for name in names], "me")


def events(imported: Imported) -> list[Event]:
    return [draft.event for draft in imported.drafts]


def where(imported: Imported) -> list[tuple[str, int, str]]:
    return [(Path(p.file).name, p.line, p.field) for p in imported.problems]


statement = make_statement


def fill(
    ts: str,
    market: str,
    action: str,
    qty: F,
    price: F,
    role: str,
    commission: F,
    liquidity: str | None,
    pnl: F,
    ref: str,
    asset: str = "USDT",
) -> FillEvent:
    return FillEvent(
        seq=0,
        ts=ts,
        account="me",
        market=market,
        action=action,
        qty=qty,
        price=price,
        role=role,
        kind=None,
        multiplier=None,
        commission=commission,
        commission_asset=asset,
        liquidity=liquidity,
        start_position=None,
        realized_pnl=pnl,
        mark_price=None,
        ref=ref,
    )


def balance(ts: str, amount: F, asset: str = "USDT") -> BalanceEvent:
    return BalanceEvent(seq=0, ts=ts, account="me", asset=asset, amount=amount)


# ---- detection ----------------------------------------------------------------------------


def test_detect_knows_the_bills_json_and_the_archive_csv() -> None:
    assert ADAPTER.detect(sniff_file(BILLS))
    assert ADAPTER.detect(sniff_file(QUIRKS))  # a plain array of bills
    assert ADAPTER.detect(sniff_file(ARCHIVE))


def test_detect_refuses_other_formats_and_other_okx_files() -> None:
    assert not ADAPTER.detect(sniff_file(str(FIXTURES / "binance_transactions.csv")))
    assert not ADAPTER.detect(sniff_file(str(FIXTURES / "bybit_transaction_log.json")))
    # OKX's own fills (GET /api/v5/trade/fills) name billId and subType but move no balance.
    fills = frozenset({"instId", "billId", "subType", "fillPx", "fillSz", "fee", "ts"})
    assert not ADAPTER.detect(Sniff("fills.json", "{", fills))
    assert not ADAPTER.detect(Sniff("x.csv", "billId,subType,ts", frozenset()))


# ---- the good bills -----------------------------------------------------------------------


def test_bills_json_gives_every_draft_in_time_order() -> None:
    imported = read("bills.json")
    assert imported.problems == []
    assert imported.accounts == ("me",)
    kinds = [(type(event).__name__, getattr(event, "ref", None)) for event in events(imported)]
    # 10 bills: transfers give deposit/withdrawal + balance; the side-naming SWAP bills
    # (1002, 1004, 1005, 1007, 1008) give fill + statement + balance; funding and the
    # clawback statement + balance: 2*2 + 5*3 + 3*2 = 25.
    assert kinds == [
        ("DepositEvent", None),
        ("BalanceEvent", None),
        ("FillEvent", "1002"),
        ("StatementEvent", "1002"),
        ("BalanceEvent", None),
        ("StatementEvent", "1003"),
        ("BalanceEvent", None),
        ("FillEvent", "1004"),
        ("StatementEvent", "1004"),
        ("BalanceEvent", None),
        ("FillEvent", "1005"),
        ("StatementEvent", "1005"),
        ("BalanceEvent", None),
        ("StatementEvent", "1006"),
        ("BalanceEvent", None),
        ("FillEvent", "1007"),
        ("StatementEvent", "1007"),
        ("BalanceEvent", None),
        ("FillEvent", "1008"),
        ("StatementEvent", "1008"),
        ("BalanceEvent", None),
        ("StatementEvent", "1009"),
        ("BalanceEvent", None),
        ("WithdrawalEvent", None),
        ("BalanceEvent", None),
    ]
    # The file lists the newest bill first: the first bill (1001) is its 10th record.
    assert [draft.line for draft in imported.drafts[:2]] == [10, 10]


def test_bills_json_transfers_trades_and_funding() -> None:
    got = events(read("bills.json"))
    # 1717200000000 ms = 2024-06-01T00:00:00Z; 1717203600000 = +1 h; 1717228800000 = 08:00.
    assert got[0] == DepositEvent(
        seq=0, ts="2024-06-01T00:00:00Z", account="me", asset="USDT", amount=F(1000)
    )
    assert got[1] == balance("2024-06-01T00:00:00Z", F(1000))
    # Open long 2 contracts at 60000, fee -0.6 (charged): commission +0.6, no PnL yet.
    assert got[2] == fill(
        "2024-06-01T01:00:00Z",
        "BTC-USDT-SWAP",
        "buy",
        F(2),
        F(60000),
        "trade",
        F(6, 10),
        "taker",
        F(0),
        "1002",
    )
    assert got[3] == statement(
        "2024-06-01T01:00:00Z", F(-6, 10), "trade", "type 2 subType 3", "BTC-USDT-SWAP", "1002"
    )
    assert got[4] == balance("2024-06-01T01:00:00Z", F(1000) - F(6, 10))  # 999.4
    # Funding fee expense (subType 173): balChg -0.12, entry funding, no rate stated.
    assert got[5] == statement(
        "2024-06-01T08:00:00Z",
        F(-12, 100),
        "funding",
        "type 8 subType 173",
        "BTC-USDT-SWAP",
        "1003",
    )
    # Close long 1 contract at 61000: pnl 10, maker fee -0.122: commission 0.122,
    # balChg 10 - 0.122 = 9.878; balance 999.28 + 9.878 = 1009.158.
    assert got[7] == fill(
        "2024-06-01T09:00:00Z",
        "BTC-USDT-SWAP",
        "sell",
        F(1),
        F(61000),
        "trade",
        F(122, 1000),
        "maker",
        F(10),
        "1004",
    )
    assert isinstance(got[8], StatementEvent)
    assert got[8].amount == F(9878, 1000)
    assert got[9] == balance("2024-06-01T09:00:00Z", F(1009158, 1000))
    # Open short (subType 4) sells.
    assert isinstance(got[10], FillEvent)
    assert (got[10].action, got[10].market, got[10].qty) == ("sell", "ETH-USDT-SWAP", F(10))
    # Funding fee income (subType 174) +0.3.
    assert got[13] == statement(
        "2024-06-01T16:00:00Z", F(3, 10), "funding", "type 8 subType 174", "ETH-USDT-SWAP", "1006"
    )
    # Transfer out 200: a withdrawal of 200, balance 1057.183 - 200 = 857.183.
    assert got[23] == WithdrawalEvent(
        seq=0, ts="2024-06-02T01:00:00Z", account="me", asset="USDT", amount=F(200)
    )
    assert got[24] == balance("2024-06-02T01:00:00Z", F(857183, 1000))


def test_bills_json_liquidation_adl_and_clawback() -> None:
    got = events(read("bills.json"))
    # Liquidation long (subType 104): the long is sold at the liquidation price 55000,
    # pnl -50, fee -0.275; balChg -50.275.
    assert got[15] == fill(
        "2024-06-01T18:00:00Z",
        "BTC-USDT-SWAP",
        "sell",
        F(1),
        F(55000),
        "liquidation",
        F(275, 1000),
        "taker",
        F(-50),
        "1007",
    )
    assert got[16] == statement(
        "2024-06-01T18:00:00Z",
        F(-50275, 1000),
        "liquidation",
        "type 5 subType 104",
        "BTC-USDT-SWAP",
        "1007",
    )
    # ADL close short (subType 126): the short is bought back at 2900, pnl 100, fee 0.
    assert got[18] == fill(
        "2024-06-01T20:00:00Z",
        "ETH-USDT-SWAP",
        "buy",
        F(10),
        F(2900),
        "adl",
        F(0),
        None,
        F(100),
        "1008",
    )
    assert got[19] == statement(
        "2024-06-01T20:00:00Z", F(100), "adl", "type 9 subType 126", "ETH-USDT-SWAP", "1008"
    )
    # The clawback (type 10) is an "other" movement of -0.5.
    assert got[21] == statement(
        "2024-06-01T20:00:00Z", F(-5, 10), "other", "type 10 subType 108", "ETH-USDT-SWAP", "1009"
    )


def test_equal_times_follow_the_bill_id_so_the_running_balance_chains() -> None:
    # Bills 1008 (ADL, +100) and 1009 (clawback, -0.5) share 1717272000000 ms; the file lists
    # 1009 first (newest first). Ordered by billId: 957.683 + 100 = 1057.683, then
    # 1057.683 - 0.5 = 1057.183, each the bill's own bal.
    got = events(read("bills.json"))
    assert got[20] == balance("2024-06-01T20:00:00Z", F(1057683, 1000))
    assert got[22] == balance("2024-06-01T20:00:00Z", F(1057183, 1000))


def test_every_balance_is_the_last_one_plus_the_movements_between() -> None:
    running = F(0)
    for event in events(read("bills.json")):
        if isinstance(event, DepositEvent):
            running += event.amount
        elif isinstance(event, WithdrawalEvent):
            running -= event.amount
        elif isinstance(event, StatementEvent):
            running += event.amount
        elif isinstance(event, BalanceEvent):
            assert event.amount == running


def test_covers_precision_and_nothing_unmapped() -> None:
    imported = read("bills.json")
    # Every bill mapped, each with its bal, fills with fee and pnl, funding bills; no position
    # before a fill nor a position snapshot is stated.
    assert imported.covers == {
        "wallet",
        "balances",
        "fills",
        "roles",
        "realized_pnl",
        "commissions",
        "funding",
    }
    assert imported.precision is None
    assert imported.unmapped == {}


def test_contracts_stay_contracts_without_a_multiplier() -> None:
    fills = [e for e in events(read("bills.json", "bills_archive.csv")) if isinstance(e, FillEvent)]
    # bills.json: 1002, 1004, 1005, 1007, 1008; the archive: 2002, 2004, 2005, 2006.
    assert len(fills) == 5 + 4
    assert all(f.multiplier is None and f.kind is None for f in fills)


# ---- the archive CSV ----------------------------------------------------------------------


def test_archive_csv_inverse_account_and_delivery() -> None:
    imported = read("bills_archive.csv")
    assert imported.problems == []
    got = events(imported)
    assert got[0] == DepositEvent(
        seq=0, ts="2024-06-01T00:00:00Z", account="me", asset="BTC", amount=F(1, 2)
    )
    # Close short 100 contracts at 50000 (subType 6, no type column: reason "subType 6"):
    # pnl 0.03333333 BTC, maker fee -0.00004; balChg 0.03333333 - 0.00004 = 0.03329333.
    close = [e for e in got if getattr(e, "ref", None) == "2004"]
    assert close == [
        fill(
            "2024-06-01T09:00:00Z",
            "BTC-USD-SWAP",
            "buy",
            F(100),
            F(50000),
            "trade",
            F(4, 100000),
            "maker",
            F(3333333, 10**8),
            "2004",
            "BTC",
        ),
        statement(
            "2024-06-01T09:00:00Z",
            F(3329333, 10**8),
            "trade",
            "subType 6",
            "BTC-USD-SWAP",
            "2004",
            "BTC",
        ),
    ]
    # Delivery long (subType 112) at 61000 closes the future like a sale: 1719561600000 ms
    # = 2024-06-28T08:00:00Z; balChg -0.00026441 - 0.0000082 = -0.00027261.
    delivery = got[-3:]
    assert delivery[0] == fill(
        "2024-06-28T08:00:00Z",
        "BTC-USD-240628",
        "sell",
        F(10),
        F(61000),
        "trade",
        F(82, 10**7),
        None,
        F(-26441, 10**8),
        "2006",
        "BTC",
    )
    assert delivery[1] == statement(
        "2024-06-28T08:00:00Z",
        F(-27261, 10**8),
        "trade",
        "subType 112",
        "BTC-USD-240628",
        "2006",
        "BTC",
    )
    # 0.53321193 - 0.00027261 = 0.53293932, the bill's bal.
    assert delivery[2] == balance("2024-06-28T08:00:00Z", F(53293932, 10**8), "BTC")
    assert imported.covers == {
        "wallet",
        "balances",
        "fills",
        "roles",
        "realized_pnl",
        "commissions",
        "funding",
    }


def test_archive_csv_thousands_separators_and_bad_rows() -> None:
    imported = read("bills_archive_bad.csv")
    assert where(imported) == [
        ("bills_archive_bad.csv", 2, "record"),  # 20 cells under a header of 28
        ("bills_archive_bad.csv", 3, "sz"),  # -100: OKX's sz "is always positive"
    ]
    # "1,000.5" in a CSV cell is 1000.5.
    assert events(imported) == [
        DepositEvent(
            seq=0, ts="2024-06-01T00:00:00Z", account="me", asset="USDT", amount=F(2001, 2)
        ),
        balance("2024-06-01T00:00:00Z", F(2001, 2)),
    ]
    assert "wallet" not in imported.covers


# ---- quirks -------------------------------------------------------------------------------


def test_unknown_types_are_counted_and_an_adl_without_price_has_no_fill() -> None:
    imported = read("bills_quirks.json")
    assert imported.problems == []
    assert imported.unmapped == {"type 99": 1, "type 2 subType 999": 1}
    got = events(imported)
    # 3001: fill + statement + balance; 3004 (ADL close long without px): statement + balance.
    assert [type(e).__name__ for e in got] == [
        "FillEvent",
        "StatementEvent",
        "BalanceEvent",
        "StatementEvent",
        "BalanceEvent",
    ]
    assert got[3] == statement(
        "2024-06-02T03:46:43Z", F(5), "adl", "type 9 subType 125", "BTC-USDT-SWAP", "3004"
    )
    # Rows unmapped: not every movement is in the ledger; an ADL fill without its price: the
    # fills are incomplete. Balances and funding are still what the bills state.
    assert imported.covers == {"balances", "funding"}


def test_isolated_margin_moves_are_other_and_leave_funding_uncovered() -> None:
    # OKX's balChg and bal are the account level; an isolated position's margin is its
    # posBal. Opening the isolated long moves 60 of margin and the 0.3 fee out of the account
    # level (balChg -60.3), a manual margin increase 10 more, and the funding (pnl -0.06) is
    # paid from the position's margin (balChg 0, posBalChg -0.06).
    imported = read("bills_isolated.json")
    assert imported.problems == []
    statements = [e for e in events(imported) if isinstance(e, StatementEvent)]
    assert [(s.ref, s.amount, s.entry) for s in statements] == [
        ("5002", F(-603, 10), "other"),
        ("5003", F(-10), "other"),
        ("5004", F(0), "other"),
    ]
    balances = [e.amount for e in events(imported) if isinstance(e, BalanceEvent)]
    # 500; 500 - 60.3 = 439.7; 439.7 - 10 = 429.7; 429.7 + 0 = 429.7.
    assert balances == [F(500), F(4397, 10), F(4297, 10), F(4297, 10)]
    # The fill still states its fee and PnL.
    fills = [e for e in events(imported) if isinstance(e, FillEvent)]
    assert [(f.ref, f.commission, f.realized_pnl) for f in fills] == [("5002", F(3, 10), F(0))]
    assert imported.covers == {
        "wallet",
        "balances",
        "fills",
        "roles",
        "realized_pnl",
        "commissions",
    }


def test_json_lines_of_bills_with_integer_codes(tmp_path: Path) -> None:
    # A re-saved export: one bill a line, oldest first, ids and codes as JSON integers.
    data = json.loads(Path(BILLS).read_text())["data"]
    lines = []
    for bill in reversed(data):
        bill["billId"] = int(bill["billId"])
        bill["type"] = int(bill["type"])
        bill["subType"] = int(bill["subType"])
        lines.append(json.dumps(bill))
    path = tmp_path / "bills.jsonl"
    path.write_text("\n".join(lines) + "\n")
    assert ADAPTER.detect(sniff_file(str(path)))
    imported = ADAPTER.read([str(path)], "me")
    assert imported.problems == []
    assert events(imported) == events(read("bills.json"))
    # Bill 1001 is now the first line.
    assert [draft.line for draft in imported.drafts[:2]] == [1, 1]


def test_a_bill_given_twice_is_booked_once() -> None:
    once = read("bills.json")
    twice = read("bills.json", "bills.json")
    assert events(twice) == events(once)
    assert twice.unmapped == {"duplicate billId": 10}
    assert twice.covers == once.covers


def test_a_bill_id_given_twice_with_other_values_is_a_problem(tmp_path: Path) -> None:
    data = json.loads(Path(BILLS).read_text())
    data["data"][0]["balChg"] = "-201"
    other = tmp_path / "bills-archive.json"
    other.write_text(json.dumps(data))
    imported = ADAPTER.read([BILLS, str(other)], "me")
    assert [(p.file, p.line, p.field) for p in imported.problems] == [(str(other), 1, "billId")]


def test_a_fill_without_fee_or_pnl_leaves_commissions_and_realized_pnl_uncovered(
    tmp_path: Path,
) -> None:
    data = json.loads(Path(BILLS).read_text())
    close = data["data"][6]  # newest first: the 7th record is bill 1004, the close long
    assert close["billId"] == "1004"
    close["fee"] = ""
    close["pnl"] = ""
    path = tmp_path / "bills.json"
    path.write_text(json.dumps(data))
    imported = ADAPTER.read([str(path)], "me")
    assert imported.problems == []
    (fill_1004,) = [e for e in events(imported) if isinstance(e, FillEvent) and e.ref == "1004"]
    assert (fill_1004.commission, fill_1004.commission_asset, fill_1004.realized_pnl) == (
        None,
        None,
        None,
    )
    assert imported.covers == {"wallet", "balances", "fills", "roles", "funding"}


def test_numbers_in_scientific_notation_are_read_exactly(tmp_path: Path) -> None:
    # A re-saved export may write 6E-1 for 0.6: the fee of the open long (bill 1002).
    data = json.loads(Path(BILLS).read_text())
    opening = data["data"][8]
    assert opening["billId"] == "1002"
    opening["fee"] = "-6E-1"
    opening["balChg"] = "-6E-1"
    path = tmp_path / "bills.json"
    path.write_text(json.dumps(data))
    assert events(ADAPTER.read([str(path)], "me")) == events(read("bills.json"))


def test_a_transfer_of_zero_is_a_problem(tmp_path: Path) -> None:
    data = json.loads(Path(BILLS).read_text())
    data["data"][0]["balChg"] = "0"
    path = tmp_path / "bills.json"
    path.write_text(json.dumps(data))
    imported = ADAPTER.read([str(path)], "me")
    assert [(p.line, p.field) for p in imported.problems] == [(1, "balChg")]


# ---- malformed files ----------------------------------------------------------------------


def test_bad_values_are_problems_with_file_line_and_field() -> None:
    imported = read("bills_bad.json")
    assert where(imported) == [
        ("bills_bad.json", 1, "bal"),  # missing
        ("bills_bad.json", 2, "balChg"),  # "-0.3x"
        ("bills_bad.json", 3, "ts"),  # "yesterday"
        ("bills_bad.json", 4, "px"),  # a close long without its filled price
    ]
    # The one good bill (a transfer in of 50) is still read.
    assert events(imported) == [
        DepositEvent(seq=0, ts="2024-06-02T03:46:44Z", account="me", asset="USDT", amount=F(50)),
        balance("2024-06-02T03:46:44Z", F(1495, 10)),
    ]
    assert "wallet" not in imported.covers


def test_a_truncated_file_is_a_problem() -> None:
    imported = read("bills_truncated.json")
    assert ("bills_truncated.json", 1, "record") in where(imported)
    assert imported.drafts == []
    assert imported.covers == set()


def test_a_response_without_bills_is_counted_not_refused() -> None:
    imported = read("bills_empty.json")  # {"code": "0", "data": []}: a quiet period
    assert where(imported) == []
    assert imported.unmapped == {EMPTY_RESPONSE: 1}
    assert imported.covers == set()


def test_an_error_response_is_one_problem_quoting_it(tmp_path: Path) -> None:
    path = tmp_path / "error.json"
    path.write_text('{"code": "50113", "msg": "Invalid Sign", "data": []}')
    imported = ADAPTER.read([str(path)], "me")
    assert [(p.field, p.reason) for p in imported.problems] == [
        ("code", "an API error response: 50113 Invalid Sign")
    ]


@pytest.mark.parametrize("name", ["binance_transactions.csv", "bybit_transaction_log.json"])
def test_a_file_of_another_format_is_one_problem(name: str) -> None:
    imported = read(name)
    assert where(imported) == [(name, 1, "header")]
    assert imported.drafts == []


def test_an_archive_csv_without_a_needed_column_is_one_problem_for_it(tmp_path: Path) -> None:
    header, *rows = Path(ARCHIVE).read_text().splitlines()
    columns = header.split(",")
    at = columns.index("bal")
    kept = [",".join(c for i, c in enumerate(row.split(",")) if i != at) for row in [header, *rows]]
    path = tmp_path / "bills.csv"
    path.write_text("\n".join(kept) + "\n")
    imported = ADAPTER.read([str(path)], "me")
    assert [(p.line, p.field) for p in imported.problems] == [(1, "bal")]
    assert imported.drafts == []


def test_a_first_bill_without_its_subtype_is_a_problem_of_that_bill(tmp_path: Path) -> None:
    data = json.loads(Path(BILLS).read_text())
    del data["data"][0]["subType"]
    path = tmp_path / "bills.json"
    path.write_text(json.dumps(data))
    imported = ADAPTER.read([str(path)], "me")
    assert [(p.line, p.field) for p in imported.problems] == [(1, "subType")]
    assert len(imported.drafts) == 25 - 2  # every other bill is read


def test_an_okx_error_response_is_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "bills.json"
    path.write_text('{"code": "50113", "msg": "Invalid Sign", "data": ""}')
    imported = ADAPTER.read([str(path)], "me")
    assert [(p.line, p.field) for p in imported.problems] == [(1, "code")]
    assert "50113" in imported.problems[0].reason


def test_a_missing_file_is_a_problem(tmp_path: Path) -> None:
    imported = ADAPTER.read([str(tmp_path / "nothing.json")], "me")
    assert [p.field for p in imported.problems] == ["file"]


# ---- the assembled ledger -----------------------------------------------------------------


def test_the_assembled_ledger_round_trips_through_json_lines(tmp_path: Path) -> None:
    imported = read("bills.json", "bills_archive.csv", "bills_quirks.json")
    ledger = assemble_ledger(imported, "okx", (BILLS, ARCHIVE, QUIRKS))
    path = tmp_path / "ledger.jsonl"
    write_jsonl(ledger, path)
    back: list[Event] = []
    for item in iter_jsonl(path):
        assert not isinstance(item, LedgerError), item
        back.append(item[1])
    assert back == ledger
    source = ledger[0]
    assert isinstance(source, SourceEvent)
    assert source.format == "okx"
    assert source.precision is None
    assert source.unmapped == ("type 2 subType 999: 1", "type 99: 1")
    # The quirks' rows leave fills and the wallet uncovered for the whole export.
    assert source.covers == ("balances", "funding")
    assert [event.seq for event in ledger] == list(range(len(ledger)))
