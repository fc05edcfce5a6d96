"""The Bybit v5 import adapter (perpspec.imports.bybit; docs/import/bybit.md).

The fixtures are the project's own, written to Bybit's published field definitions (Get
Transaction Log, Get Trade History, the enums ``type(uta-translog)`` and ``execType``). Every
expected value is worked out by hand below from the fixture's numbers.
"""

from __future__ import annotations

from fractions import Fraction as F
from pathlib import Path
from typing import TypeVar

import pytest

from perpspec.imports import sniff_file
from perpspec.imports.assemble import assemble_ledger
from perpspec.imports.base import Imported, Sniff
from perpspec.imports.bybit import ADAPTER, PRECISION
from perpspec.ledger.jsonl import iter_jsonl, write_jsonl
from perpspec.reference.events import (
    BalanceEvent,
    DepositEvent,
    Event,
    FillEvent,
    StatementEvent,
    WithdrawalEvent,
)

E = TypeVar("E", bound=Event)

FIXTURES = Path(__file__).parent / "fixtures" / "bybit"
LOG_JSON = str(FIXTURES / "transaction_log.json")
LOG_CSV = str(FIXTURES / "transaction_log.csv")
EXECUTIONS = str(FIXTURES / "executions.json")
USDC = str(FIXTURES / "usdc_settlement.json")


def read(*names: str, account: str = "me") -> Imported:
    return ADAPTER.read([str(FIXTURES / name) for name in names], account)


def events(imported: Imported) -> list[Event]:
    return [draft.event for draft in imported.drafts]


def of_type(imported: Imported, cls: type[E]) -> list[E]:
    return [event for event in events(imported) if isinstance(event, cls)]


def problems(imported: Imported) -> list[tuple[str, int, str]]:
    return [(Path(p.file).name, p.line, p.field) for p in imported.problems]


def fill(
    ts: str,
    market: str,
    action: str,
    qty: F,
    price: F,
    role: str,
    *,
    commission: F,
    ref: str,
    start_position: F | None = None,
    realized_pnl: F | None = None,
) -> FillEvent:
    """A fill of the log: linear (qty in the base coin: multiplier 1), fee in USDT, liquidity
    not stated."""
    return FillEvent(
        0,
        ts,
        "me",
        market,
        action,
        qty,
        price,
        role,
        "linear",
        F(1),
        commission,
        "USDT",
        None,
        start_position,
        realized_pnl,
        None,
        ref,
    )


def execution(
    ts: str,
    market: str,
    action: str,
    qty: F,
    price: F,
    role: str,
    *,
    commission: F,
    ref: str,
    liquidity: str = "taker",
) -> FillEvent:
    """A fill of the executions: no kind, no fee currency, no position, no closed PnL."""
    return FillEvent(
        0,
        ts,
        "me",
        market,
        action,
        qty,
        price,
        role,
        None,
        None,
        commission,
        None,
        liquidity,
        None,
        None,
        None,
        ref,
    )


# ---- detect ---------------------------------------------------------------------------------


def test_detect_knows_the_transaction_log_the_executions_and_the_web_export() -> None:
    assert ADAPTER.name == "bybit"
    for path in (LOG_JSON, EXECUTIONS, LOG_CSV, USDC):
        assert ADAPTER.detect(sniff_file(path)), path
    # the header as the derivatives export writes it, Time first
    header = (
        "Time,Currency,Contract,Type,Direction,Quantity,Position,Filled Price,Funding,"
        "Fee Paid,Cash Flow,Change,Wallet Balance,Action,OrderId,TradeId"
    )
    assert ADAPTER.detect(Sniff("x.csv", header, frozenset()))


def test_detect_refuses_other_formats() -> None:
    assert not ADAPTER.detect(sniff_file(str(FIXTURES / "binance_history.csv")))
    binance_income = frozenset({"symbol", "incomeType", "income", "asset", "time", "tranId"})
    assert not ADAPTER.detect(Sniff("income.json", "[", binance_income))
    hyperliquid_fill = frozenset({"coin", "px", "sz", "side", "time", "closedPnl", "fee", "tid"})
    assert not ADAPTER.detect(Sniff("fills.json", "[", hyperliquid_fill))
    okx_bill = frozenset({"billId", "balChg", "bal", "pnl", "fee", "ts", "type", "subType"})
    assert not ADAPTER.detect(Sniff("bills.json", "{", okx_bill))
    assert not ADAPTER.detect(Sniff("empty.txt", "", frozenset()))


# ---- the transaction log (JSON) -------------------------------------------------------------

T0 = "2024-03-01T00:00:00Z"  # 1709251200000
T1 = "2024-03-01T01:00:00Z"  # 1709254800000: two TRADE rows of one instant
T2 = "2024-03-01T08:00:00Z"  # 1709280000000
T3 = "2024-03-01T10:00:00Z"  # 1709287200000
T4 = "2024-03-01T12:00:00Z"  # 1709294400000
T5 = "2024-03-01T13:00:00Z"  # 1709298000000
T6 = "2024-03-01T14:00:00Z"  # 1709301600000
T7 = "2024-03-01T15:00:00Z"  # 1709305200000
T8 = "2024-03-01T16:00:00Z"  # 1709308800000


def test_the_log_reads_oldest_first_with_each_rows_records_together() -> None:
    imported = read("transaction_log.json")
    assert imported.problems == []
    kinds = [(type(e).__name__, e.ts) for e in events(imported)]
    # the file lists newest first; the drafts come oldest first, one row's records together:
    # a transfer is (deposit|withdrawal, balance); a trade-like row (fill, statement, balance)
    assert kinds == [
        ("DepositEvent", T0), ("BalanceEvent", T0),
        ("FillEvent", T1), ("StatementEvent", T1), ("BalanceEvent", T1),
        ("FillEvent", T1), ("StatementEvent", T1), ("BalanceEvent", T1),
        ("StatementEvent", T2), ("BalanceEvent", T2),
        ("FillEvent", T3), ("StatementEvent", T3), ("BalanceEvent", T3),
        ("FillEvent", T4), ("StatementEvent", T4), ("BalanceEvent", T4),
        ("FillEvent", T5), ("StatementEvent", T5), ("BalanceEvent", T5),
        ("FillEvent", T6), ("StatementEvent", T6), ("BalanceEvent", T6),
        ("StatementEvent", T7), ("BalanceEvent", T7),
        ("WithdrawalEvent", T8), ("BalanceEvent", T8),
    ]  # fmt: skip
    assert [d.line for d in imported.drafts[:2]] == [10, 10]  # TRANSFER_IN is the 10th item


def test_the_logs_fills_state_start_position_closed_pnl_and_fee() -> None:
    fills = of_type(read("transaction_log.json"), FillEvent)
    assert fills == [
        # Buy 0.01 at 60000, size after 0.01: start 0.01 - 0.01 = 0; fee 0.01*60000*0.00055
        fill(T1, "BTCUSDT", "buy", F("0.01"), F(60000), "trade", commission=F("0.33"),
             start_position=F(0), realized_pnl=F(0), ref="tr-02"),
        # Buy 0.02 of the same instant, size after 0.03: start 0.03 - 0.02 = 0.01
        fill(T1, "BTCUSDT", "buy", F("0.02"), F(60000), "trade", commission=F("0.66"),
             start_position=F("0.01"), realized_pnl=F(0), ref="tr-03"),
        # Sell 0.01 at 62000, size after 0.02: start 0.02 + 0.01 = 0.03;
        # cashFlow 0.01 * (62000 - 60000) = 20 is the closed PnL before the fee 0.341
        fill(T3, "BTCUSDT", "sell", F("0.01"), F(62000), "trade", commission=F("0.341"),
             start_position=F("0.03"), realized_pnl=F(20), ref="tr-05"),
        # LIQUIDATION: Sell 0.02 at 40000, size after 0: start 0.02; 0.02 * (40000 - 60000)
        fill(T4, "BTCUSDT", "sell", F("0.02"), F(40000), "liquidation", commission=F("0.44"),
             start_position=F("0.02"), realized_pnl=F(-400), ref="tr-06"),
        # open a short: Sell 1 at 3000, size after -1: start -1 + 1 = 0
        fill(T5, "ETHUSDT", "sell", F(1), F(3000), "trade", commission=F("1.65"),
             start_position=F(0), realized_pnl=F(0), ref="tr-07"),
        # ADL: Buy 1 at 2900 closes the short, size after 0: start 0 - 1 = -1;
        # 1 * (3000 - 2900) = 100 to the short, no fee
        fill(T6, "ETHUSDT", "buy", F(1), F(2900), "adl", commission=F(0),
             start_position=F(-1), realized_pnl=F(100), ref="tr-08"),
    ]  # fmt: skip


def test_the_logs_movements_are_statements_deposits_and_withdrawals() -> None:
    imported = read("transaction_log.json")

    def statement(
        ts: str,
        amount: F,
        entry: str,
        reason: str,
        market: str | None,
        ref: str,
        rate: F | None = None,
        size: F | None = None,
    ) -> StatementEvent:
        return StatementEvent(
            seq=0,
            ts=ts,
            account="me",
            asset="USDT",
            amount=amount,
            entry=entry,
            reason=reason,
            market=market,
            ref=ref,
            rate=rate,
            size=size,
        )

    assert of_type(imported, StatementEvent) == [
        statement(T1, F("-0.33"), "trade", "TRADE", "BTCUSDT", "tl-02"),
        statement(T1, F("-0.66"), "trade", "TRADE", "BTCUSDT", "tl-03"),
        # SETTLEMENT, side Buy: the rate is feeRate itself; the long 0.03 pays
        # 0.03 * 61000 * 0.0001 = 0.183
        statement(T2, F("-0.183"), "funding", "SETTLEMENT", "BTCUSDT", "tl-04",
                  rate=F("0.0001"), size=F("0.03")),
        # change = cashFlow + funding - fee = 20 + 0 - 0.341 = 19.659
        statement(T3, F("19.659"), "trade", "TRADE", "BTCUSDT", "tl-05"),
        # -400 - 0.44
        statement(T4, F("-400.44"), "liquidation", "LIQUIDATION", "BTCUSDT", "tl-06"),
        statement(T5, F("-1.65"), "trade", "TRADE", "ETHUSDT", "tl-07"),
        statement(T6, F(100), "adl", "ADL", "ETHUSDT", "tl-08"),
        statement(T7, F("0.5"), "other", "FEE_REFUND", None, "tl-09"),
    ]  # fmt: skip
    assert of_type(imported, DepositEvent) == [DepositEvent(0, T0, "me", "USDT", F(1000))]
    assert of_type(imported, WithdrawalEvent) == [WithdrawalEvent(0, T8, "me", "USDT", F(200))]


def test_each_cash_balance_is_the_running_sum_of_the_movements() -> None:
    imported = read("transaction_log.json")
    balances = [b.amount for b in of_type(imported, BalanceEvent)]
    # 1000, -0.33, -0.66, -0.183, +19.659, -400.44, -1.65, +100, +0.5, -200
    assert balances == [
        F(x)
        for x in (
            "1000",
            "999.67",
            "999.01",
            "998.827",
            "1018.486",
            "618.046",
            "616.396",
            "716.396",
            "716.896",
            "516.896",
        )
    ]
    running = F(0)
    for event in events(imported):
        if isinstance(event, StatementEvent | DepositEvent):
            running += event.amount
        elif isinstance(event, WithdrawalEvent):
            running -= event.amount
        elif isinstance(event, BalanceEvent):
            assert event.amount == running


def test_the_logs_covers_precision_and_account() -> None:
    imported = read("transaction_log.json")
    assert imported.covers == {
        "wallet",
        "balances",
        "fills",
        "roles",
        "start_positions",
        "realized_pnl",
        "commissions",
        "funding",
    }
    assert imported.precision == PRECISION == F(1, 10**8)
    assert imported.unmapped == {}
    assert imported.accounts == ("me",)
    assert read("transaction_log.json", account="alice").accounts == ("alice",)


def test_equal_transaction_times_keep_their_order_through_the_assembler() -> None:
    imported = read("transaction_log.json")
    ledger = assemble_ledger(imported, "bybit", (LOG_JSON,))
    at_t1 = [e for e in ledger if e.ts == T1]
    # the row that opened (size after 0.01) before the one that added (size after 0.03),
    # as the balances say: 999.67 then 999.01
    assert [e.ref for e in at_t1 if isinstance(e, FillEvent)] == ["tr-02", "tr-03"]
    assert [e.amount for e in at_t1 if isinstance(e, BalanceEvent)] == [F("999.67"), F("999.01")]


def test_a_usdc_settlement_splits_funding_from_the_session_pnl() -> None:
    imported = read("usdc_settlement.json")  # a plain array of the list's items
    assert imported.problems == []
    statements = of_type(imported, StatementEvent)
    # side Sell: feeRate -0.0001 is minus the market rate 0.0001; the short 0.1 receives
    # 0.1 * 50000 * 0.0001 = 0.5 of funding; change 12.8 = cashFlow 12.3 + funding 0.5
    assert [(s.entry, s.amount, s.rate, s.size) for s in statements] == [
        ("trade", F("-2.7555"), None, None),  # 0.1 * 50100 * 0.00055
        ("funding", F("0.5"), F("0.0001"), F("-0.1")),
        ("other", F("12.3"), None, None),
    ]
    assert all(s.reason in ("TRADE", "SETTLEMENT") for s in statements)
    # a USDC close's cashFlow counts from the last session price: no realized PnL stated
    (only,) = of_type(imported, FillEvent)
    assert only.realized_pnl is None and only.start_position == F(0)  # -0.1 + 0.1
    assert "realized_pnl" not in imported.covers
    assert {"fills", "start_positions", "commissions"} <= imported.covers


def test_an_unknown_type_is_counted_and_the_wallet_not_covered() -> None:
    imported = read("unknown_type.json")
    assert imported.problems == []
    assert imported.unmapped == {"SOMETHING_NEW": 1}
    assert "wallet" not in imported.covers
    assert {"balances", "funding"} <= imported.covers
    assert [type(e).__name__ for e in events(imported)] == ["WithdrawalEvent", "BalanceEvent"]


# ---- the executions -------------------------------------------------------------------------


def test_executions_are_fills_with_roles_and_liquidity() -> None:
    imported = read("executions.json")
    assert imported.problems == []
    assert of_type(imported, FillEvent) == [
        execution(T1, "BTCUSDT", "buy", F("0.01"), F(60000), "trade", commission=F("0.33"),
                  ref="tr-02"),
        execution(T1, "BTCUSDT", "buy", F("0.02"), F(60000), "trade", commission=F("0.66"),
                  ref="tr-03"),
        # isMaker true; 0.01 * 62000 * 0.0002 = 0.124
        execution(T3, "BTCUSDT", "sell", F("0.01"), F(62000), "trade", commission=F("0.124"),
                  ref="tr-05", liquidity="maker"),
        # BustTrade: the position taken over by the liquidation engine
        execution(T4, "BTCUSDT", "sell", F("0.02"), F(40000), "liquidation",
                  commission=F("0.44"), ref="tr-06"),
        # AdlTrade: deleveraged
        execution(T6, "ETHUSDT", "buy", F(1), F(2900), "adl", commission=F(0), ref="tr-08"),
    ]  # fmt: skip
    assert len(imported.drafts) == 5
    # the Funding execution is the log's SETTLEMENT row: counted, not booked
    assert imported.unmapped == {"Funding": 1}
    assert imported.covers == {"fills", "roles", "commissions"}
    assert imported.precision == PRECISION


def test_with_the_log_the_fills_come_from_the_log_only() -> None:
    # every execution's execId is a log row's tradeId (Bybit writes the same id in both)
    imported = read("transaction_log.json", "executions.json")
    fills = of_type(imported, FillEvent)
    assert [f.ref for f in fills] == ["tr-02", "tr-03", "tr-05", "tr-06", "tr-07", "tr-08"]
    assert imported.unmapped == {
        "Trade (fill taken from the transaction log)": 3,
        "BustTrade (fill taken from the transaction log)": 1,
        "AdlTrade (fill taken from the transaction log)": 1,
        "Funding": 1,
    }
    assert len(imported.drafts) == 26  # the log's own, as alone
    assert "realized_pnl" in imported.covers and "wallet" in imported.covers


# ---- the web export (CSV) -------------------------------------------------------------------


def test_the_web_export_maps_as_the_api_log() -> None:
    imported = read("transaction_log.csv")
    assert imported.problems == []
    assert imported.accounts == ("123456",)  # its Uid column
    kinds = [type(e).__name__ for e in events(imported)]
    assert kinds == ["DepositEvent", "BalanceEvent",
                     "FillEvent", "StatementEvent", "BalanceEvent",
                     "StatementEvent", "BalanceEvent",
                     "FillEvent", "StatementEvent", "BalanceEvent",
                     "FillEvent", "StatementEvent", "BalanceEvent",
                     "WithdrawalEvent", "BalanceEvent"]  # fmt: skip
    first, close, liquidation = of_type(imported, FillEvent)
    # Fee Paid -0.99 is written negative; the fee is Cash Flow + Funding - Change
    # = 0 + 0 - (-0.99) = 0.99 paid
    assert first == FillEvent(
        0,
        T1,
        "123456",
        "BTCUSDT",
        "buy",
        F("0.03"),
        F(60000),
        "trade",
        None,
        None,
        F("0.99"),
        "USDT",
        None,
        F(0),
        F(0),
        None,
        "tr-02",
    )
    # 20 + 0 - 19.659 = 0.341; Position 0.02 after selling 0.01: start 0.03
    assert (close.commission, close.start_position, close.realized_pnl) == (
        F("0.341"),
        F("0.03"),
        F(20),
    )
    assert (liquidation.role, liquidation.start_position) == ("liquidation", F("0.02"))
    settlement = of_type(imported, StatementEvent)[1]
    # no Fee Rate column: the rate is not stated; BUY: the long 0.03
    assert (settlement.entry, settlement.amount, settlement.rate, settlement.size) == (
        "funding",
        F("-0.183"),
        None,
        F("0.03"),
    )
    # thousands separators: "1,000" and "1,018.486"
    balances = [b.amount for b in of_type(imported, BalanceEvent)]
    assert balances == [
        F(1000),
        F("999.01"),
        F("998.827"),
        F("1018.486"),
        F("618.046"),
        F("418.046"),
    ]
    assert imported.covers == {
        "wallet",
        "balances",
        "fills",
        "roles",
        "start_positions",
        "realized_pnl",
        "commissions",
        "funding",
    }
    assert imported.precision == PRECISION


def test_the_unified_accounts_export_with_its_uid_preamble() -> None:
    path = str(FIXTURES / "uta_export.csv")
    # the first line is "UID: 765432,Company Name: ,Country: ", the header the second
    assert ADAPTER.detect(sniff_file(path))
    imported = read("uta_export.csv")
    assert imported.problems == []
    assert imported.accounts == ("765432",)
    # lines keep their numbers in the file: the oldest row is the last, line 5
    assert [d.line for d in imported.drafts] == [5, 5, 5, 4, 4, 3, 3]
    (opened,) = of_type(imported, FillEvent)
    # SELL 10 at 150, Position -10 after: start -10 + 10 = 0; Fee Paid -0.825 (20 decimals)
    # = 0 + 0 - (-0.825) paid; no TradeId column: no ref
    assert (opened.action, opened.qty, opened.start_position, opened.commission, opened.ref) == (
        "sell",
        F(10),
        F(0),
        F("0.825"),
        None,
    )
    funding, refund = of_type(imported, StatementEvent)[1:]
    # SELL: the short 10 receives 0.015
    assert (funding.entry, funding.amount, funding.size) == ("funding", F("0.015"), F(-10))
    # scientific notation: 5E-1
    assert (refund.entry, refund.reason, refund.amount) == ("other", "FEE_REFUND", F("0.5"))
    # 1,202.56 + 0.015 + 0.5
    assert [b.amount for b in of_type(imported, BalanceEvent)] == [
        F("1202.56"),
        F("1202.575"),
        F("1203.075"),
    ]


def test_a_bad_row_after_the_preamble_names_the_export_and_its_own_line(tmp_path: Path) -> None:
    lines = (FIXTURES / "uta_export.csv").read_text().splitlines()
    path = tmp_path / "uta.csv"
    path.write_text("\n".join([*lines[:3], "765432,USDT,SOLUSDT,TRADE", *lines[3:]]) + "\n")
    imported = ADAPTER.read([str(path)], "me")
    assert [(p.file, p.line, p.field) for p in imported.problems] == [(str(path), 4, "record")]
    assert len(imported.drafts) == 7


# ---- malformed exports ----------------------------------------------------------------------


def test_every_bad_row_of_the_log_is_a_problem_and_reading_goes_on() -> None:
    imported = read("malformed.json")
    assert problems(imported) == [
        ("malformed.json", 2, "cashBalance"),  # "12,5x"
        ("malformed.json", 3, "transactionTime"),  # "yesterday"
        ("malformed.json", 4, "currency"),  # missing
        ("malformed.json", 5, "side"),  # a TRADE with qty and side "None"
        # a classic account's SETTLEMENT (funding + paid): 0 + 0.061 - 0 is not -0.061
        ("malformed.json", 6, "change"),
    ]
    assert "missing" in imported.problems[2].reason
    # the good first row is still booked
    assert [type(e).__name__ for e in events(imported)] == ["DepositEvent", "BalanceEvent"]


def test_every_bad_row_of_the_web_export_is_a_problem() -> None:
    imported = read("malformed.csv")
    assert problems(imported) == [
        ("malformed.csv", 2, "Fee Paid"),  # -0.5, but 0 + 0 - (-0.99) = 0.99
        ("malformed.csv", 3, "Time"),  # no offset under a plain "Time" column
        ("malformed.csv", 5, "record"),  # 11 cells for 14 columns
    ]
    # +08:00 is converted: 03:00 at +08:00 is 19:00 UTC the day before
    assert [e.ts for e in events(imported)] == ["2024-02-29T19:00:00Z"] * 3


def test_every_bad_execution_is_a_problem_and_an_unknown_exec_type_is_counted() -> None:
    imported = read("malformed_executions.json")
    assert problems(imported) == [
        ("malformed_executions.json", 2, "execQty"),  # "0"
        ("malformed_executions.json", 3, "isMaker"),  # "yes", not a JSON boolean
        ("malformed_executions.json", 4, "execTime"),  # missing
    ]
    assert imported.unmapped == {"Mystery": 1}
    assert [e.ref for e in of_type(imported, FillEvent)] == ["m-1"]


@pytest.mark.parametrize(
    ("name", "field", "words"),
    [
        ("truncated.json", "record", "not JSON"),
        ("api_error.json", "retCode", "10001 params error"),
        ("empty_list.json", "format", "no Bybit v5"),
        ("binance_history.csv", "header", "not a Bybit transaction-log CSV"),
    ],
)
def test_a_file_with_no_rows_of_the_format_is_one_problem(
    name: str, field: str, words: str
) -> None:
    imported = read(name)
    assert problems(imported)[:1] == [(name, 1, field)]
    assert words in imported.problems[0].reason
    assert imported.drafts == []
    assert imported.covers == set()
    if name != "truncated.json":
        assert len(imported.problems) == 1


def test_a_file_given_twice_is_a_problem_for_every_repeated_row() -> None:
    twice = read("transaction_log.json", "transaction_log.json")
    assert len(twice.problems) == 10
    assert {p.field for p in twice.problems} == {"change"}
    assert "a file given twice?" in twice.problems[0].reason
    assert len(twice.drafts) == 26  # booked once
    executions = read("executions.json", "executions.json")
    assert [p.field for p in executions.problems] == ["execId"] * 6
    assert len(executions.drafts) == 5


def test_the_log_as_json_and_as_csv_repeats_rows_found_in_both() -> None:
    imported = read("transaction_log.json", "transaction_log.csv")
    # the same rows (type, time, currency, change, balance) in both: the TRANSFER_IN at T0
    # (1000, 1000), the SETTLEMENT (-0.183, 998.827), the close (19.659, 1,018.486) and the
    # LIQUIDATION (-400.44, 618.046); the CSV's one TRADE of 0.03 is not the JSON's two
    assert [(Path(p.file).name, p.line, p.field) for p in imported.problems] == [
        ("transaction_log.csv", 3, "Change"),
        ("transaction_log.csv", 4, "Change"),
        ("transaction_log.csv", 5, "Change"),
        ("transaction_log.csv", 7, "Change"),
    ]


# ---- the assembled ledger -------------------------------------------------------------------


def test_the_assembled_ledger_round_trips_through_json_lines(tmp_path: Path) -> None:
    imported = read("transaction_log.json", "usdc_settlement.json")
    files = (LOG_JSON, USDC)
    ledger = assemble_ledger(imported, "bybit", files)
    path = tmp_path / "ledger.jsonl"
    write_jsonl(ledger, path)
    back = [item for item in iter_jsonl(path)]
    assert all(not isinstance(item, Exception) for item in back)
    assert [item[1] for item in back if not isinstance(item, Exception)] == ledger
    assert ledger[0].TYPE == "source" and [e.seq for e in ledger] == list(range(len(ledger)))


def test_an_execution_the_log_does_not_hold_is_booked(tmp_path: Path) -> None:
    # An execution whose execId no log row names is a fill of its own; inside the log's span
    # (here 2024-03-01T06:00:00Z, between the log's fills) the log misses a trade, so the
    # wallet it lists is not complete.
    text = (FIXTURES / "executions.json").read_text().replace('"tr-05"', '"ex-9"')
    other = tmp_path / "executions.json"
    other.write_text(text)
    imported = ADAPTER.read([str(FIXTURES / "transaction_log.json"), str(other)], "me")
    refs = [f.ref for f in of_type(imported, FillEvent)]
    assert refs.count("ex-9") == 1 and refs.count("tr-05") == 1
    assert "wallet" not in imported.covers
    # the execution states no start position: the fills no longer all do
    assert "start_positions" not in imported.covers
