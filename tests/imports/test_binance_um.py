"""The binance-um import adapter on the project's own fixtures (docs/import/binance-um.md).

The fixtures tell one account's story in USDT: a transfer of 1000 in, a long of 0.010 BTCUSDT
bought at 60000 (taker fee 0.24 = 600 * 0.0004), a funding fee of 0.06, 0.004 sold at 61000
as maker (PnL 0.004 * (61000 - 60000) = 4, fee 244 * 0.0002 = 0.0488), the remaining 0.006
liquidated at 55000 (PnL 0.006 * (55000 - 60000) = -30, fee 330 * 0.0004 = 0.132, clearance
1.5), a short of 0.5 ETHUSDT opened before the period at 3000 deleveraged at 2900 (PnL
0.5 * 100 = 50), a rebate of 1E-8, and 500 out. Every expected value below is worked out
by hand from those numbers.
"""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import pytest
from import_builders import make_statement

from perpspec.imports import sniff_file
from perpspec.imports.assemble import assemble_ledger
from perpspec.imports.base import EMPTY_RESPONSE, Imported, Sniff
from perpspec.imports.binance_um import ADAPTER, FORCE_ORDER_WITHOUT_TRADES
from perpspec.ledger.jsonl import iter_jsonl, write_jsonl
from perpspec.reference.events import (
    DepositEvent,
    Event,
    FillEvent,
    SourceEvent,
    StatementEvent,
    WithdrawalEvent,
)

FIXTURES = Path(__file__).parent / "fixtures" / "binance-um"
T0 = "2024-03-01T08:00:00Z"  # 1709280000000 ms
T1 = "2024-03-01T08:05:00Z"  # 1709280300000 ms: the opening buy
T2 = "2024-03-01T16:00:00Z"  # 1709308800000 ms: funding
T3 = "2024-03-02T09:00:00Z"  # 1709370000000 ms: the partial close
T4 = "2024-03-03T02:00:00Z"  # 1709431200000 ms: the liquidation
T5 = "2024-03-04T12:00:00Z"  # 1709553600000 ms: the ADL
T6 = "2024-03-05T00:00:00Z"  # 1709596800000 ms: the rebate
T7 = "2024-03-05T10:00:00Z"  # 1709632800000 ms: the transfer out


def fixture(name: str) -> str:
    return str(FIXTURES / name)


def read(*names: str, account: str = "me") -> Imported:
    return ADAPTER.read([fixture(name) for name in names], account)


def events_of(imported: Imported) -> list[Event]:
    return [draft.event for draft in imported.drafts]


statement = make_statement


def fill(
    ts: str,
    market: str,
    action: str,
    qty: Fraction,
    price: Fraction,
    role: str,
    commission: Fraction,
    liquidity: str,
    realized_pnl: Fraction,
    ref: str,
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
        kind="linear",
        multiplier=Fraction(1),
        commission=commission,
        commission_asset="USDT",
        liquidity=liquidity,
        start_position=None,
        realized_pnl=realized_pnl,
        mark_price=None,
        ref=ref,
    )


# ---- detect -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "income.json",
        "income-newest-first.json",
        "trades.json",
        "force-orders.json",
        "transaction-history.csv",
        "statements.csv",
    ],
)
def test_detect_knows_every_file_of_the_format(name: str) -> None:
    assert ADAPTER.detect(sniff_file(fixture(name)))


@pytest.mark.parametrize("name", ["other-format.csv", "other-format.json", "income-empty.json"])
def test_detect_refuses_other_formats(name: str) -> None:
    assert not ADAPTER.detect(sniff_file(fixture(name)))


def test_detect_refuses_a_coin_m_trade_and_a_ccxt_ledger_entry() -> None:
    # /dapi/v1/userTrades has the UM keys and baseQty, marginAsset, pair besides
    coin_m = frozenset(
        {"buyer", "commission", "commissionAsset", "id", "maker", "orderId", "price", "qty"}
        | {"realizedPnl", "side", "positionSide", "symbol", "time", "baseQty", "marginAsset"}
        | {"pair"}
    )
    ccxt = frozenset({"info", "id", "direction", "account", "type", "currency", "amount"})
    assert not ADAPTER.detect(Sniff("t.json", "[", coin_m))
    assert not ADAPTER.detect(Sniff("l.json", "[", ccxt))
    assert ADAPTER.name == "binance-um"


# ---- the API files ------------------------------------------------------------------------


def test_income_trades_and_forced_orders_give_the_expected_drafts() -> None:
    imported = read("income.json", "trades.json", "force-orders.json")
    events = events_of(imported)
    # 12 income rows, 1 of them of an unknown type; 4 fills
    assert len(events) == 11 + 4
    assert imported.problems == []
    assert imported.accounts == ("me",)
    assert events[0] == DepositEvent(
        seq=0, ts=T0, account="me", asset="USDT", amount=Fraction(1000)
    )
    assert events[-1] == WithdrawalEvent(
        seq=0, ts=T7, account="me", asset="USDT", amount=Fraction(500)
    )
    assert statement(T2, Fraction(-6, 100), "funding", "FUNDING_FEE", "BTCUSDT", "1003") in events
    assert statement(T4, Fraction(-15, 10), "insurance", "INSURANCE_CLEAR", "BTCUSDT", "1008") in (
        events
    )
    # "1E-8" is exactly 10^-8
    rebate = statement(T6, Fraction(1, 10**8), "other", "COMMISSION_REBATE", None, "1010")
    assert rebate in events


def test_fills_take_their_role_from_the_forced_orders() -> None:
    fills = [e for e in events_of(read("income.json", "trades.json", "force-orders.json"))]
    by_ref = {e.ref: e for e in fills if isinstance(e, FillEvent)}
    assert {ref: e.role for ref, e in by_ref.items()} == {
        "5001": "trade",
        "5002": "trade",
        "5003": "liquidation",  # orderId 7003, clientOrderId autoclose-...
        "6001": "adl",  # orderId 8001, clientOrderId adl_autoclose
    }
    assert by_ref["5003"] == fill(
        T4,
        "BTCUSDT",
        "sell",
        Fraction(6, 1000),
        Fraction(55000),
        "liquidation",
        Fraction(132, 1000),  # 330 * 0.0004, + paid
        "taker",
        Fraction(-30),  # 0.006 * (55000 - 60000)
        "5003",
    )
    assert by_ref["5002"].liquidity == "maker"
    assert by_ref["5002"].commission == Fraction(488, 10000)  # 244 * 0.0002
    assert by_ref["6001"].realized_pnl == Fraction(50)  # 0.5 * (3000 - 2900), a short


def test_covers_precision_and_unmapped_of_the_api_files() -> None:
    imported = read("income.json", "trades.json", "force-orders.json")
    # no wallet: the income's EXAMPLE_NEW_TYPE row (a movement of a type not known) is counted,
    # so the wallet's movements are not all booked
    assert imported.covers == {"funding", "fills", "roles", "realized_pnl", "commissions"}
    # no running balance, no start position, no snapshot in any Binance file
    assert not imported.covers & {"balances", "start_positions", "positions"}
    assert imported.precision == Fraction(1, 10**8)
    # the SOLUSDT forced order 9001 has no fill among the given trades
    assert imported.unmapped == {"EXAMPLE_NEW_TYPE": 1, FORCE_ORDER_WITHOUT_TRADES: 1}


def test_covers_follow_the_files_given() -> None:
    assert read("income.json").covers == {"funding"}  # EXAMPLE_NEW_TYPE: not complete
    assert read("trades.json").covers == {"fills", "realized_pnl", "commissions"}
    only_orders = read("force-orders.json")
    # forced orders set roles only: alone they cover nothing and every one is counted
    assert only_orders.covers == set()
    assert only_orders.unmapped == {FORCE_ORDER_WITHOUT_TRADES: 3}
    assert only_orders.drafts == []
    assert only_orders.problems == []


def test_without_forced_orders_every_fill_is_a_trade() -> None:
    roles = {e.role for e in events_of(read("trades.json")) if isinstance(e, FillEvent)}
    assert roles == {"trade"}


def test_wallet_movements_sum_to_the_story() -> None:
    imported = read("income.json")
    moved = Fraction(0)
    for event in events_of(imported):
        if isinstance(event, (StatementEvent, DepositEvent)):
            moved += event.amount
        elif isinstance(event, WithdrawalEvent):
            moved -= event.amount
    # 1000 - 0.24 - 0.06 + 4 - 0.0488 - 30 - 0.132 - 1.5 + 50 + 0.00000001 - 500
    assert moved == Fraction("522.01920001")


def test_a_commission_stated_negative_takes_its_sign_from_the_income_row(tmp_path: Path) -> None:
    # The docs' userTrades example writes a taker's fee as "-0.07819010"; the income history's
    # COMMISSION row of the same tradeId (-0.24, out of the wallet) says it was paid.
    trade = json.loads((FIXTURES / "trades.json").read_text())[0]
    trade["commission"] = "-0.24000000"
    path = tmp_path / "trades.json"
    path.write_text(json.dumps([trade]))
    with_income = ADAPTER.read([fixture("income.json"), str(path)], "me")
    fills = [e for e in events_of(with_income) if isinstance(e, FillEvent)]
    assert [f.commission for f in fills] == [Fraction(24, 100)]
    alone = ADAPTER.read([str(path)], "me")
    # without the income row the trade's own figure stands (- a rebate)
    assert [e.commission for e in events_of(alone) if isinstance(e, FillEvent)] == [
        Fraction(-24, 100)
    ]


def test_other_forced_orders_and_zero_transfers_are_counted(tmp_path: Path) -> None:
    orders = json.loads((FIXTURES / "force-orders.json").read_text())
    orders[0]["clientOrderId"] = "settlement_autoclose-1709431200000"
    orders_path = tmp_path / "orders.json"
    orders_path.write_text(json.dumps(orders[:1]))
    income = json.loads((FIXTURES / "income.json").read_text())[0]
    income["income"] = "0"
    income_path = tmp_path / "income.json"
    income_path.write_text(json.dumps([income]))
    imported = ADAPTER.read([str(orders_path), str(income_path)], "me")
    assert imported.unmapped == {"forceOrder settlement_autoclose": 1, "TRANSFER (zero)": 1}
    assert imported.drafts == []


# ---- quirks -------------------------------------------------------------------------------


def test_newest_first_and_oldest_first_income_assemble_alike() -> None:
    oldest = assemble_ledger(read("income.json", "trades.json"), "binance-um", ("x",))
    newest = assemble_ledger(read("income-newest-first.json", "trades.json"), "binance-um", ("x",))
    assert oldest == newest
    # the files' order does not matter either
    swapped = assemble_ledger(read("trades.json", "income-newest-first.json"), "binance-um", ("x",))
    assert swapped == oldest


def test_rows_of_one_instant_keep_one_order() -> None:
    events = assemble_ledger(
        read("income-newest-first.json", "trades.json", "force-orders.json"), "binance-um", ("x",)
    )
    at_liquidation = [e for e in events if e.ts == T4]
    # the fill, then the statements by their type word: COMMISSION, INSURANCE_CLEAR, REALIZED_PNL
    assert [(e.TYPE, getattr(e, "reason", None)) for e in at_liquidation] == [
        ("fill", None),
        ("statement", "COMMISSION"),
        ("statement", "INSURANCE_CLEAR"),
        ("statement", "REALIZED_PNL"),
    ]
    assert [e.seq for e in events] == list(range(len(events)))


def test_the_transaction_history_csv_with_a_byte_order_mark() -> None:
    imported = read("transaction-history.csv")
    events = events_of(imported)
    assert imported.problems == []
    # "1,000.00" with its thousands separator, Date(UTC) read as UTC
    assert events[0] == DepositEvent(
        seq=0, ts=T0, account="me", asset="USDT", amount=Fraction(1000)
    )
    # display names are the income types they stand for; the reason keeps the export's word
    assert statement(T2, Fraction(-6, 100), "funding", "Funding Fee", "BTCUSDT", "1003") in events
    assert statement(
        T3, Fraction(4), "realized_pnl", "Realized Profit and Loss", "BTCUSDT", "1004"
    ) in (events)
    assert events[-1] == statement(
        T6, Fraction(1, 10**8), "other", "COMMISSION_REBATE", None, "1010"
    )
    # the canceled transfer moved nothing: counted under its own word
    assert imported.unmapped == {"Transfer (Canceled)": 1}
    assert len(events) == 5
    assert imported.covers == {"wallet", "funding"}  # a canceled row moved nothing
    assert imported.precision == Fraction(1, 10**8)


def test_the_statements_csv_books_the_futures_wallet_of_its_user() -> None:
    imported = read("statements.csv", account="me")
    events = events_of(imported)
    assert imported.accounts == ("12345678",)
    assert events[0] == DepositEvent(
        seq=0, ts=T0, account="12345678", asset="USDT", amount=Fraction(1000)
    )
    assert {(e.reason, e.entry, e.amount) for e in events if isinstance(e, StatementEvent)} == {
        ("Fee", "commission", Fraction(-24, 100)),
        ("Funding Fee", "funding", Fraction(-6, 100)),
        ("Realize profit and loss", "realized_pnl", Fraction(-30)),
        ("Insurance Fund Compensation", "insurance", Fraction(-15, 10)),
        ("Referrer rebates", "other", Fraction(1, 10)),  # the "USDⓈ-M Futures" spelling
    }
    # UTC_Time "2024-03-01 16:00:00" is UTC, as the header says
    assert any(e.ts == T2 for e in events)
    assert imported.unmapped == {
        "Deposit (Spot)": 1,
        "Transfer Between Spot Account and UM Futures Account (Spot)": 1,
        "Example New Operation": 1,
    }
    assert imported.covers == {"funding"}  # "Example New Operation": not complete


def test_a_stated_user_id_names_the_view_of_every_file() -> None:
    imported = read("statements.csv", "trades.json")
    accounts = {getattr(e, "account", None) for e in events_of(imported)}
    assert accounts == {"12345678"}
    assert imported.accounts == ("12345678",)


def test_the_assembled_ledger_round_trips_through_json_lines(tmp_path: Path) -> None:
    files = ("income.json", "trades.json", "force-orders.json")
    ledger = assemble_ledger(read(*files), "binance-um", files)
    source = ledger[0]
    assert isinstance(source, SourceEvent)
    assert source.covers == ("fills", "roles", "realized_pnl", "commissions", "funding")
    assert source.unmapped == ("EXAMPLE_NEW_TYPE: 1", f"{FORCE_ORDER_WITHOUT_TRADES}: 1")
    assert source.precision == Fraction(1, 10**8)
    path = tmp_path / "ledger.jsonl"
    assert write_jsonl(ledger, path) == len(ledger)
    back = [item for item in iter_jsonl(path)]
    assert all(isinstance(item, tuple) for item in back)
    assert [item[1] for item in back if isinstance(item, tuple)] == ledger


# ---- malformed files ----------------------------------------------------------------------


def problems_of(*names: str) -> list[tuple[str, int, str]]:
    return [(Path(p.file).name, p.line, p.field) for p in read(*names).problems]


def test_every_bad_income_record_is_a_problem_and_the_good_one_is_read() -> None:
    imported = read("income-malformed.json")
    assert problems_of("income-malformed.json") == [
        ("income-malformed.json", 2, "income"),  # missing
        ("income-malformed.json", 3, "income"),  # "-0.06.1"
        ("income-malformed.json", 4, "time"),  # "yesterday"
    ]
    assert events_of(imported) == [
        DepositEvent(seq=0, ts=T0, account="me", asset="USDT", amount=Fraction(100))
    ]


def test_a_truncated_json_file_is_a_problem() -> None:
    found = problems_of("income-truncated.json")
    assert found[0] == ("income-truncated.json", 1, "record")
    assert read("income-truncated.json").drafts == []


def test_an_empty_response_is_counted_not_refused() -> None:
    # [] is what the API answers for a period of no rows (the forced orders of an account
    # never liquidated): no problem, counted as an empty response, and it covers nothing
    imported = read("income-empty.json")
    assert imported.problems == []
    assert imported.unmapped == {EMPTY_RESPONSE: 1}
    assert imported.covers == set()


def test_bad_trades_are_problems() -> None:
    assert problems_of("trades-malformed.json") == [
        ("trades-malformed.json", 1, "qty"),  # "0"
        ("trades-malformed.json", 2, "maker"),  # "no"
        ("trades-malformed.json", 3, "side"),  # "HOLD"
    ]
    assert read("trades-malformed.json").covers == set()


def test_bad_statement_rows_are_problems() -> None:
    assert problems_of("statements-malformed.csv") == [
        ("statements-malformed.csv", 2, "UTC_Time"),  # month 13
        ("statements-malformed.csv", 3, "record"),  # 6 cells, the header has 7
        ("statements-malformed.csv", 4, "Change"),  # "abc"
    ]


@pytest.mark.parametrize(
    ("name", "field"), [("other-format.csv", "header"), ("other-format.json", "record")]
)
def test_a_file_of_another_format_is_a_problem(name: str, field: str) -> None:
    imported = read(name)
    assert [(Path(p.file).name, p.line, p.field) for p in imported.problems] == [(name, 1, field)]
    assert imported.drafts == []
    assert imported.covers == set()


def test_a_first_record_with_a_field_missing_is_reported_by_that_field(tmp_path: Path) -> None:
    records = json.loads((FIXTURES / "income.json").read_text())[:2]
    del records[0]["income"]
    path = tmp_path / "income.json"
    path.write_text(json.dumps(records))
    imported = ADAPTER.read([str(path)], "me")
    assert [(p.line, p.field) for p in imported.problems] == [(1, "income")]
    # the second record (COMMISSION -0.24) is still read
    assert events_of(imported) == [
        statement(T1, Fraction(-24, 100), "commission", "COMMISSION", "BTCUSDT", "1002")
    ]


def test_csv_header_names_are_read_whatever_their_case(tmp_path: Path) -> None:
    path = tmp_path / "history.csv"
    path.write_text(
        '"Date(UTC)","Type","Amount","Asset","Symbol","Transaction ID"\n'
        "2024-03-01 16:00:00,FUNDING_FEE,-0.06,USDT,BTCUSDT,1003\n"
    )
    assert ADAPTER.detect(sniff_file(str(path)))
    imported = ADAPTER.read([str(path)], "me")
    assert imported.problems == []
    assert events_of(imported) == [
        statement(T2, Fraction(-6, 100), "funding", "FUNDING_FEE", "BTCUSDT", "1003")
    ]


def test_statements_of_two_users_keep_each_user_and_the_rest_keep_the_argument(
    tmp_path: Path,
) -> None:
    path = tmp_path / "statements.csv"
    path.write_text(
        "User_ID,UTC_Time,Account,Operation,Coin,Change,Remark\n"
        "111,2024-03-01 16:00:00,USDT-Futures,Funding Fee,USDT,-0.06,\n"
        "222,2024-03-01 16:00:00,USDT-Futures,Funding Fee,USDT,0.06,\n"
    )
    imported = ADAPTER.read([str(path), fixture("trades.json")], "me")
    assert imported.accounts == ("111", "222", "me")
    fills = {e.account for e in events_of(imported) if isinstance(e, FillEvent)}
    assert fills == {"me"}


def test_precision_is_binances_unit_unless_an_amount_needs_a_finer_one(tmp_path: Path) -> None:
    records = json.loads((FIXTURES / "income.json").read_text())[:2]
    records[1]["income"] = "-0.000000001"  # 10^-9: one decimal finer than Binance writes
    path = tmp_path / "income.json"
    path.write_text(json.dumps(records))
    assert ADAPTER.read([str(path)], "me").precision == Fraction(1, 10**9)
    assert ADAPTER.read([fixture("income-empty.json")], "me").precision is None


def test_a_statements_csv_without_user_id_is_the_given_account(tmp_path: Path) -> None:
    # recent statements exports leave User_ID out: the view is --account's
    path = tmp_path / "statements.csv"
    path.write_text(
        "UTC_Time,Account,Operation,Coin,Change,Remark\n"
        "2024-03-01 08:00:00,USDT-Futures,Funding Fee,USDT,-0.06,\n"
    )
    imported = ADAPTER.read([str(path)], "alice")
    assert imported.problems == []
    assert [
        (e.account, e.amount) for e in events_of(imported) if isinstance(e, StatementEvent)
    ] == [("alice", Fraction(-6, 100))]


def test_an_error_response_quotes_the_exchange(tmp_path: Path) -> None:
    path = tmp_path / "income.json"
    path.write_text('{"code": -2015, "msg": "Invalid API-key, IP, or permissions for action."}')
    imported = ADAPTER.read([str(path)], "me")
    assert [(p.field, p.reason) for p in imported.problems] == [
        ("code", "an API error response: -2015 Invalid API-key, IP, or permissions for action.")
    ]
