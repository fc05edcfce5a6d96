"""The BitMEX import adapter (perpspec.imports.bitmex; docs/import/bitmex.md) on the project's
own fixtures, written to BitMEX's field definitions (GET /user/walletHistory,
GET /execution/tradeHistory). Every expected value is computed by hand here: BitMEX states
amounts in satoshi (XBt, 1e-8 XBT) and USDt (1e-6 USDT)."""

from __future__ import annotations

import json
from fractions import Fraction as F
from pathlib import Path

import pytest

from perpspec.imports import get_adapter, sniff_file
from perpspec.imports.assemble import assemble_ledger
from perpspec.imports.base import EMPTY_RESPONSE, Adapter, Imported, Sniff
from perpspec.imports.bitmex import ADAPTER
from perpspec.ledger.jsonl import iter_jsonl, write_jsonl
from perpspec.reference.events import (
    BalanceEvent,
    DepositEvent,
    FillEvent,
    SourceEvent,
    StatementEvent,
    WithdrawalEvent,
    get_time_key,
)

FIXTURES = Path(__file__).parent / "fixtures" / "bitmex"
WALLET = str(FIXTURES / "wallet_history.json")
WALLET_USDT = str(FIXTURES / "wallet_history_usdt.csv")
EXECUTIONS = str(FIXTURES / "executions.json")
SAT = F(1, 10**8)
USDT_UNIT = F(1, 10**6)
ACCOUNT = "271828"


def read(*names: str, account: str = "me") -> Imported:
    return ADAPTER.read([str(FIXTURES / name) for name in names], account)


def problems_of(imported: Imported) -> list[tuple[str, int, str]]:
    return [(Path(p.file).name, p.line, p.field) for p in imported.problems]


# ---- detect -------------------------------------------------------------------------------


def test_detect_wallet_history_and_executions_keys() -> None:
    wallet = frozenset(json.loads(Path(WALLET).read_text())[0])
    executions = frozenset(json.loads(Path(EXECUTIONS).read_text())[0])
    assert ADAPTER.detect(Sniff("w.json", "[", wallet))
    assert ADAPTER.detect(Sniff("e.json", "[", executions))


def test_detect_csv_headers_quoted_or_not() -> None:
    quoted = Path(WALLET_USDT).read_text().splitlines()[0]
    plain = (FIXTURES / "wallet_bad_time.csv").read_text().splitlines()[0]
    assert ADAPTER.detect(Sniff("w.csv", quoted, frozenset()))
    assert ADAPTER.detect(Sniff("w.csv", plain, frozenset()))
    assert ADAPTER.detect(Sniff("e.csv", "execID,execType,symbol,lastQty,lastPx", frozenset()))


def test_registered_adapter_detects_its_own_files() -> None:
    adapter: Adapter = get_adapter("bitmex")
    assert adapter is ADAPTER and adapter.name == "bitmex"
    for name in ("wallet_history.json", "wallet_history_usdt.csv", "executions.json"):
        assert adapter.detect(sniff_file(str(FIXTURES / name))), name
    assert adapter.detect(sniff_file(str(FIXTURES / "executions.csv")))
    assert not adapter.detect(sniff_file(str(FIXTURES / "wrong_format.csv")))
    assert not adapter.detect(sniff_file(str(FIXTURES / "empty.json")))


def test_detect_refuses_other_formats() -> None:
    # Bybit v5 executions: execId (lower-case d), execQty, execPrice
    bybit = frozenset({"execId", "execType", "execQty", "execPrice", "symbol", "side"})
    # Binance USDⓈ-M income history
    binance = frozenset({"symbol", "incomeType", "income", "asset", "time", "tranId"})
    wrong = (FIXTURES / "wrong_format.csv").read_text().splitlines()[0]
    assert not ADAPTER.detect(Sniff("b.json", "[", bybit))
    assert not ADAPTER.detect(Sniff("b.json", "[", binance))
    assert not ADAPTER.detect(Sniff("t.csv", wrong, frozenset()))
    assert not ADAPTER.detect(Sniff("x.txt", "", frozenset()))


# ---- wallet history -----------------------------------------------------------------------


def test_wallet_history_drafts_in_file_order() -> None:
    imported = read("wallet_history.json")
    assert imported.problems == []
    events = [(draft.line, draft.event) for draft in imported.drafts]
    ref = "7a1e0000-0000-4000-8000-00000000000"
    expected = [
        # newest first: line 1 UnrealisedPNL (Pending) is no movement; line 2 AffiliatePayout
        # 1500 sat, balance 265344 sat
        (
            2,
            StatementEvent(
                0,
                "2024-03-03T00:05:00Z",
                ACCOUNT,
                "XBT",
                1500 * SAT,
                "other",
                "AffiliatePayout",
                None,
                ref + "7",
                None,
                None,
            ),
        ),
        (2, BalanceEvent(0, "2024-03-03T00:05:00Z", ACCOUNT, "XBT", 265344 * SAT)),
        # Transfer -100000 sat out to a subaccount: a withdrawal of 0.001 XBT
        (3, WithdrawalEvent(0, "2024-03-02T13:00:00Z", ACCOUNT, "XBT", F(1, 1000))),
        (3, BalanceEvent(0, "2024-03-02T13:00:00Z", ACCOUNT, "XBT", 263844 * SAT)),
        # the day's RealisedPNL on XBTUSD (its address), +5376344 sat
        (
            4,
            StatementEvent(
                0,
                "2024-03-02T12:00:00Z",
                ACCOUNT,
                "XBT",
                F(5376344, 10**8),
                "realized_pnl",
                "RealisedPNL",
                "XBTUSD",
                ref + "5",
                None,
                None,
            ),
        ),
        (4, BalanceEvent(0, "2024-03-02T12:00:00Z", ACCOUNT, "XBT", 363844 * SAT)),
        # line 5: the canceled withdrawal, unmapped; line 6: Withdrawal -55000000 sat = 0.55 XBT
        (6, WithdrawalEvent(0, "2024-03-02T08:45:10.500Z", ACCOUNT, "XBT", F(55, 100))),
        # 49987500 - 55000000 = -5012500 sat: below zero until the day's RealisedPNL
        (6, BalanceEvent(0, "2024-03-02T08:45:10.500Z", ACCOUNT, "XBT", -5012500 * SAT)),
        (
            7,
            StatementEvent(
                0,
                "2024-03-01T12:00:00Z",
                ACCOUNT,
                "XBT",
                -12500 * SAT,
                "realized_pnl",
                "RealisedPNL",
                "XBTUSD",
                ref + "2",
                None,
                None,
            ),
        ),
        (7, BalanceEvent(0, "2024-03-01T12:00:00Z", ACCOUNT, "XBT", 49987500 * SAT)),
        # Deposit 50000000 sat = 0.5 XBT
        (8, DepositEvent(0, "2024-03-01T09:15:30.250Z", ACCOUNT, "XBT", F(1, 2))),
        (8, BalanceEvent(0, "2024-03-01T09:15:30.250Z", ACCOUNT, "XBT", F(1, 2))),
    ]
    assert events == expected


def test_wallet_history_balances_chain() -> None:
    # every stated walletBalance is the previous one plus the row's amount (oldest first):
    # 0.5 - 0.000125 = 0.499875; - 0.55 = -0.050125; + 0.05376344 = 0.00363844;
    # - 0.001 = 0.00263844; + 0.000015 = 0.00265344
    imported = read("wallet_history.json")
    balances = [d.event.amount for d in imported.drafts if isinstance(d.event, BalanceEvent)]
    assert balances[::-1] == [
        F("0.5"),
        F("0.499875"),
        F("-0.050125"),
        F("0.00363844"),
        F("0.00263844"),
        F("0.00265344"),
    ]


def test_wallet_history_unmapped_covers_precision_account() -> None:
    imported = read("wallet_history.json")
    assert imported.unmapped == {"UnrealisedPNL": 1, "Withdrawal (Canceled)": 1}
    assert imported.covers == {"wallet", "balances"}
    assert imported.precision == SAT
    assert imported.accounts == (ACCOUNT,)


def test_wallet_history_csv_in_usdt() -> None:
    imported = read("wallet_history_usdt.csv")
    assert imported.problems == []
    # header is line 1; the Pending withdrawal (line 2) is no movement yet
    assert imported.unmapped == {"Withdrawal (Pending)": 1}
    assert [(d.line, d.event) for d in imported.drafts] == [
        # 42375500 USDt / 10**6 = 42.3755 USDT on the linear XBTUSDT
        (
            3,
            StatementEvent(
                0,
                "2024-03-02T12:00:00Z",
                ACCOUNT,
                "USDT",
                F("42.3755"),
                "realized_pnl",
                "RealisedPNL",
                "XBTUSDT",
                "5b2c0000-0000-4000-8000-000000000002",
                None,
                None,
            ),
        ),
        (3, BalanceEvent(0, "2024-03-02T12:00:00Z", ACCOUNT, "USDT", F("1542.3755"))),
        (4, DepositEvent(0, "2024-03-01T09:20:00Z", ACCOUNT, "USDT", F(1500))),
        (4, BalanceEvent(0, "2024-03-01T09:20:00Z", ACCOUNT, "USDT", F(1500))),
    ]
    assert imported.precision == USDT_UNIT


def test_precision_is_the_coarsest_unit_stated() -> None:
    # XBt (1e-8) and USDt (1e-6) together: one number, the larger unit
    assert read("wallet_history.json", "wallet_history_usdt.csv").precision == USDT_UNIT
    assert read("wallet_history.json").precision == SAT


def test_unknown_movement_is_counted_and_the_wallet_not_covered() -> None:
    imported = read("wallet_unknown_type.json")
    assert imported.problems == []
    assert imported.unmapped == {"LoyaltyBonus": 1}
    # its stated balance is still asserted; the wallet no longer lists every movement
    assert imported.covers == {"balances"}
    assert [type(d.event) for d in imported.drafts] == [BalanceEvent, DepositEvent, BalanceEvent]


def test_account_argument_when_the_export_names_none(tmp_path: Path) -> None:
    row = json.loads(Path(WALLET).read_text())[-1]
    del row["account"]
    path = tmp_path / "wallet.json"
    path.write_text(json.dumps([row]))
    imported = ADAPTER.read([str(path)], "alice")
    assert imported.accounts == ("alice",)
    assert [d.event for d in imported.drafts] == [
        DepositEvent(0, "2024-03-01T09:15:30.250Z", "alice", "XBT", F(1, 2)),
        BalanceEvent(0, "2024-03-01T09:15:30.250Z", "alice", "XBT", F(1, 2)),
    ]


# ---- executions ---------------------------------------------------------------------------


def fills_by_ref(imported: Imported) -> dict[str, FillEvent]:
    fills = [d.event for d in imported.drafts if isinstance(d.event, FillEvent)]
    return {fill.ref or "": fill for fill in fills}


def test_executions_fills() -> None:
    imported = read("executions.json")
    assert imported.problems == []
    fills = fills_by_ref(imported)
    assert len(fills) == 7
    first = fills["e0e00001-0000-4000-8000-000000000001"]
    # Buy 1000 XBTUSD at 60000, execComm 1250 sat = 0.0000125 XBT, taker; foreignNotional
    # -1000 = lastQty: 1 USD a contract, inverse
    assert first == FillEvent(
        0,
        "2024-03-01T10:00:00.125Z",
        ACCOUNT,
        "XBTUSD",
        "buy",
        F(1000),
        F(60000),
        "trade",
        "inverse",
        F(1),
        1250 * SAT,
        "XBT",
        "taker",
        None,
        None,
        None,
        "e0e00001-0000-4000-8000-000000000001",
    )
    close = fills["e0e00003-0000-4000-8000-000000000003"]
    # a maker's rebate: execComm -250 sat
    assert (close.action, close.commission, close.liquidity) == ("sell", -250 * SAT, "maker")


def test_liquidation_and_deleverage_roles() -> None:
    fills = fills_by_ref(read("executions.json"))
    liquidated = fills["e0e00005-0000-4000-8000-000000000005"]
    # text "Liquidation": the account's own position closed by the liquidation engine
    assert (liquidated.role, liquidated.action, liquidated.qty, liquidated.price) == (
        "liquidation",
        "sell",
        F(500),
        F(55000),
    )
    assert liquidated.commission == 682 * SAT
    deleveraged = fills["e0e00007-0000-4000-8000-000000000007"]
    # text "Deleverage": auto-deleveraged; no lastLiquidityInd stated
    assert (deleveraged.role, deleveraged.liquidity, deleveraged.commission) == ("adl", None, F(0))
    roles = sorted(fill.role for fill in fills.values())
    assert roles == ["adl", "liquidation", "trade", "trade", "trade", "trade", "trade"]


def test_linear_fill_keeps_contracts_without_a_multiplier() -> None:
    fill = fills_by_ref(read("executions.json"))["e0e00008-0000-4000-8000-000000000008"]
    # XBTUSDT: foreignNotional 62.0005 USDT is not lastQty, so no contract size is stated;
    # execComm 46500 USDt = 0.0465 USDT; lastPx 62000.5 read exactly
    assert (fill.kind, fill.multiplier) == (None, None)
    assert (fill.qty, fill.price) == (F(1000), F("62000.5"))
    assert (fill.commission, fill.commission_asset) == (F("0.0465"), "USDT")


def test_funding_and_settlement_executions_are_not_booked_twice() -> None:
    imported = read("executions.json")
    # the wallet history's RealisedPNL holds funding: the Funding execution is counted only
    assert imported.unmapped == {"Funding": 1, "Settlement": 1}
    assert all(isinstance(d.event, FillEvent) for d in imported.drafts)
    assert imported.covers == {"fills", "roles", "commissions"}
    # execComm in XBt and USDt: the coarser unit
    assert imported.precision == USDT_UNIT


def test_whole_export_covers() -> None:
    imported = read("wallet_history.json", "executions.json")
    assert imported.problems == []
    assert imported.covers == {"wallet", "balances", "fills", "roles", "commissions"}
    assert imported.unmapped == {
        "UnrealisedPNL": 1,
        "Withdrawal (Canceled)": 1,
        "Funding": 1,
        "Settlement": 1,
    }
    # 12 wallet drafts (6 movements, 6 balances) and 7 fills
    assert len(imported.drafts) == 12 + 7


# ---- malformed input ----------------------------------------------------------------------


def test_missing_field() -> None:
    imported = read("wallet_missing_field.json")
    assert problems_of(imported) == [("wallet_missing_field.json", 1, "transactTime")]
    # the next row is still read
    assert [type(d.event) for d in imported.drafts] == [DepositEvent, BalanceEvent]


def test_bad_number_and_unknown_currency() -> None:
    imported = read("wallet_bad_number.json")
    assert problems_of(imported) == [
        ("wallet_bad_number.json", 1, "amount"),
        # "XBT" is not one of BitMEX's smallest-unit codes: no guess at its scale
        ("wallet_bad_number.json", 2, "currency"),
    ]
    assert imported.drafts == []


def test_bad_time_in_csv() -> None:
    imported = read("wallet_bad_time.csv")
    # month 13 on line 2 (line 1 is the header); line 3 reads
    assert problems_of(imported) == [("wallet_bad_time.csv", 2, "transactTime")]
    assert [d.line for d in imported.drafts] == [3, 3]


def test_truncated_json() -> None:
    imported = read("wallet_truncated.json")
    assert ("wallet_truncated.json", 1, "record") in problems_of(imported)
    assert imported.drafts == []


def test_wrong_format_csv() -> None:
    imported = read("wrong_format.csv")
    assert problems_of(imported) == [("wrong_format.csv", 2, "format")]
    assert imported.drafts == [] and imported.covers == set()


def test_an_empty_response_is_counted_not_refused() -> None:
    imported = read("empty.json")  # []: a period of no rows
    assert problems_of(imported) == []
    assert imported.unmapped == {EMPTY_RESPONSE: 1}


def test_bad_executions() -> None:
    imported = read("executions_bad.json")
    assert problems_of(imported) == [
        ("executions_bad.json", 1, "side"),  # "Long" is not Buy or Sell
        ("executions_bad.json", 2, "lastPx"),  # a price of 0
        ("executions_bad.json", 3, "execID"),  # empty
    ]
    # line 4 states no execComm: a fill without commission, so commissions are not covered;
    # line 5 is an order's New execution, counted
    (fill,) = [d.event for d in imported.drafts]
    assert isinstance(fill, FillEvent) and fill.commission is None
    assert imported.covers == {"fills", "roles"}
    assert imported.unmapped == {"New": 1}


# ---- the assembled ledger -----------------------------------------------------------------


def test_assembled_ledger_round_trips(tmp_path: Path) -> None:
    imported = read("wallet_history.json", "executions.json")
    events = assemble_ledger(imported, "bitmex", (WALLET, EXECUTIONS))
    source = events[0]
    assert isinstance(source, SourceEvent)
    assert source.covers == ("wallet", "balances", "fills", "roles", "commissions")
    assert source.unmapped == (
        "Funding: 1",
        "Settlement: 1",
        "UnrealisedPNL: 1",
        "Withdrawal (Canceled): 1",
    )
    # oldest first now: the deposit then its balance open the ledger
    assert isinstance(events[1], DepositEvent) and isinstance(events[2], BalanceEvent)
    assert [event.seq for event in events] == list(range(len(events)))
    path = tmp_path / "ledger.jsonl"
    write_jsonl(events, path)
    back = [item[1] for item in iter_jsonl(path) if isinstance(item, tuple)]
    assert back == events


@pytest.mark.parametrize("name", ["wallet_history.json", "executions.json"])
def test_newest_first_file_is_ordered_by_time(name: str) -> None:
    events = assemble_ledger(read(name), "bitmex", (name,))
    times = [get_time_key(event.ts) for event in events[1:]]
    assert times == sorted(times)


def test_executions_csv() -> None:
    imported = read("executions.csv")
    assert imported.problems == []
    assert imported.unmapped == {"Funding": 1}
    (fill,) = [d.event for d in imported.drafts]
    # Sell 200 XBTUSD at 64000.5 (CSV text read exactly), a maker's rebate of 78 sat;
    # foreignNotional 200 = lastQty: inverse, 1 USD a contract
    assert fill == FillEvent(
        0,
        "2024-03-05T09:00:00.500Z",
        ACCOUNT,
        "XBTUSD",
        "sell",
        F(200),
        F(128001, 2),
        "trade",
        "inverse",
        F(1),
        -78 * SAT,
        "XBT",
        "maker",
        None,
        None,
        None,
        "c5c50002-0000-4000-8000-000000000002",
    )
    assert imported.precision == SAT


def test_rows_without_a_wallet_balance_assert_none(tmp_path: Path) -> None:
    # walletBalance may be absent from a wallet history row: no balance, no `balances` cover
    rows = json.loads(Path(WALLET).read_text())
    for row in rows:
        row.pop("walletBalance")
    path = tmp_path / "wallet.json"
    path.write_text(json.dumps(rows))
    imported = ADAPTER.read([str(path)], "me")
    assert imported.problems == []
    assert not any(isinstance(d.event, BalanceEvent) for d in imported.drafts)
    assert imported.covers == {"wallet"}


def test_a_transfer_of_zero_is_a_problem(tmp_path: Path) -> None:
    row = json.loads(Path(WALLET).read_text())[2]  # the Transfer
    row["amount"] = 0
    path = tmp_path / "wallet.json"
    path.write_text(json.dumps([row]))
    imported = ADAPTER.read([str(path)], "me")
    assert [(p.line, p.field) for p in imported.problems] == [(1, "amount")]
    assert imported.drafts == []
