"""The ``hyperliquid`` import adapter on its own fixtures (docs/import/hyperliquid.md).

The fixtures are written to Hyperliquid's published info API fields, with numbers of our own.
They tell one day of one address (0x1111...): a deposit, spot and vault transfers, a BTC long
opened, partly closed, a self-trade, liquidated; an ETH short reduced by ADL; a SOL short taken
over from a liquidated user; funding; two snapshots. Every expected value below is worked out
by hand from the fixture text, in the comments.
"""

from __future__ import annotations

from collections import Counter
from fractions import Fraction
from pathlib import Path

import pytest

from perpspec.imports import get_adapter, sniff_file
from perpspec.imports.assemble import assemble_ledger
from perpspec.imports.base import EMPTY_RESPONSE, Adapter, Imported, Sniff
from perpspec.imports.hyperliquid import ADAPTER
from perpspec.ledger.jsonl import iter_jsonl, write_jsonl
from perpspec.reference.events import (
    DepositEvent,
    Event,
    FillEvent,
    PositionEvent,
    StatementEvent,
    WithdrawalEvent,
)

FIXTURES = Path(__file__).parent / "fixtures" / "hyperliquid"
ACCOUNT = "0x1111111111111111111111111111111111111111"
F = Fraction

FILLS = str(FIXTURES / "user_fills.json")
FUNDING = str(FIXTURES / "user_funding.json")
LEDGER = str(FIXTURES / "ledger_updates.json")
SNAPSHOT = str(FIXTURES / "clearinghouse_state.json")
SNAPSHOTS = str(FIXTURES / "clearinghouse_states.json")
ALL = [FILLS, FUNDING, LEDGER, SNAPSHOT, SNAPSHOTS]


def fixture(name: str) -> str:
    return str(FIXTURES / name)


def read(*paths: str, account: str = ACCOUNT) -> Imported:
    return ADAPTER.read(list(paths), account)


def events_of(imported: Imported, kind: type[Event]) -> list[Event]:
    return [draft.event for draft in imported.drafts if isinstance(draft.event, kind)]


def problems_of(imported: Imported) -> set[tuple[str, int, str]]:
    return {(Path(p.file).name, p.line, p.field) for p in imported.problems}


def fill(
    ts: str,
    market: str,
    action: str,
    qty: Fraction,
    price: Fraction,
    role: str,
    fee: Fraction,
    liquidity: str,
    start: Fraction,
    pnl: Fraction,
    ref: str,
    mark: Fraction | None = None,
) -> FillEvent:
    return FillEvent(
        0, ts, ACCOUNT, market, action, qty, price, role, "linear", F(1), fee, "USDC",
        liquidity, start, pnl, mark, ref,
    )  # fmt: skip


def statement(
    ts: str, asset: str, amount: Fraction, entry: str, reason: str, market: str, ref: str | None
) -> StatementEvent:
    return StatementEvent(0, ts, ACCOUNT, asset, amount, entry, reason, market, ref, None, None)


# ---- detect -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "user_fills.json",
        "user_funding.json",
        "ledger_updates.json",
        "clearinghouse_state.json",
        "clearinghouse_states.json",
    ],
)
def test_detect_knows_every_response(name: str) -> None:
    assert ADAPTER.detect(sniff_file(fixture(name)))


@pytest.mark.parametrize(
    "keys",
    [
        # Binance USDⓈ-M income history
        {"symbol", "incomeType", "income", "asset", "info", "time", "tranId", "tradeId"},
        # Bybit v5 transaction log
        {"symbol", "category", "side", "transactionTime", "type", "qty", "size", "currency",
         "tradePrice", "funding", "fee", "cashFlow", "change", "cashBalance", "tradeId"},
        # OKX bills inside their envelope
        {"code", "msg", "data", "bal", "balChg", "billId", "ccy", "instId", "pnl", "fee", "ts",
         "type", "subType"},
        # BitMEX wallet history
        {"transactID", "account", "currency", "transactType", "amount", "fee", "tx",
         "transactTime", "timestamp", "walletBalance"},
        # ccxt unified trade and ledger entry
        {"info", "id", "timestamp", "datetime", "symbol", "order", "side", "takerOrMaker",
         "price", "amount", "cost", "fee", "fees"},
        {"id", "info", "timestamp", "datetime", "direction", "referenceId", "type", "currency",
         "amount", "before", "after", "status", "fee"},
    ],
)  # fmt: skip
def test_detect_refuses_other_formats(keys: set[str]) -> None:
    assert not ADAPTER.detect(Sniff("other.json", "[", frozenset(keys)))


def test_detect_refuses_a_csv_and_another_json() -> None:
    assert not ADAPTER.detect(sniff_file(fixture("wrong_format.csv")))
    assert not ADAPTER.detect(sniff_file(fixture("wrong_format.json")))


# ---- userFills ----------------------------------------------------------------------------


def test_fills_and_their_statements() -> None:
    imported = read(FILLS)
    assert imported.problems == []
    assert imported.accounts == (ACCOUNT,)
    fills = events_of(imported, FillEvent)
    # The file is newest first (as the API answers): line 1 is the spot fill (counted), so
    # lines 2..9 are the eight perp fills, kept in file order (the assembler sorts by time).
    assert fills == [
        # a liquidator's fill: the liquidation object names 0x2222..., dir "Open Short": trade;
        # a maker rebate, fee "-0.0300", is a commission of -3/100
        fill("2025-01-01T08:00:00Z", "SOL", "sell", F(10), F(150), "trade", F(-3, 100),
             "maker", F(0), F(0), "106", F(1502, 10)),  # liquidation.markPx "150.2"
        # dir "Liquidated Cross Long" and liquidatedUser is this account: liquidation
        fill("2025-01-01T07:00:00Z", "BTC", "sell", F(3, 10), F(55000), "liquidation",
             F(5775, 1000), "taker", F(3, 10), F(-1500), "104", F(55010)),
        fill("2025-01-01T06:00:00Z", "ETH", "buy", F(1), F(3000), "adl", F(0), "maker",
             F(-2), F(100), "105"),
        # the self-trade: one tid 103, a sell and a buy, both from startPosition 0.3
        fill("2025-01-01T05:00:00Z", "BTC", "sell", F(1, 10), F(61500), "trade",
             F(9225, 10000), "maker", F(3, 10), F(150), "103"),
        fill("2025-01-01T05:00:00Z", "BTC", "buy", F(1, 10), F(61500), "trade",
             F(21525, 10000), "taker", F(3, 10), F(0), "103"),
        # time 1735704000123 ms: the milliseconds are kept
        fill("2025-01-01T04:00:00.123Z", "BTC", "sell", F(2, 10), F(61000), "trade",
             F(183, 100), "maker", F(5, 10), F(200), "102"),
        fill("2025-01-01T03:00:00Z", "BTC", "buy", F(5, 10), F(60000), "trade", F(105, 10),
             "taker", F(0), F(0), "101"),
        fill("2025-01-01T02:00:00Z", "ETH", "sell", F(2), F(3100), "trade", F(217, 100),
             "taker", F(0), F(0), "100"),
    ]  # fmt: skip
    # closedPnl is gross of the fee: realized_pnl is closedPnl as stated; e.g. tid 102 closes
    # 0.2 of the long opened at 60000, at 61000: 0.2 * (61000 - 60000) = 200 = closedPnl.
    assert imported.unmapped == Counter({"Buy": 1})


def test_fill_statements_follow_their_fill() -> None:
    imported = read(FILLS)
    by_line: dict[int, list[Event]] = {}
    for draft in imported.drafts:
        by_line.setdefault(draft.line, []).append(draft.event)
    # line 2: closedPnl 0.0 gives no statement; the rebate -0.0300 credits 0.03
    assert by_line[2][1:] == [
        statement("2025-01-01T08:00:00Z", "USDC", F(3, 100), "commission", "fee", "SOL", "106")
    ]
    # line 3: closedPnl -1500.0 and fee 5.775 paid (-5.775 to the wallet)
    assert by_line[3][1:] == [
        statement("2025-01-01T07:00:00Z", "USDC", F(-1500), "realized_pnl", "closedPnl", "BTC",
                  "104"),
        statement("2025-01-01T07:00:00Z", "USDC", F(-5775, 1000), "commission", "fee", "BTC",
                  "104"),
    ]  # fmt: skip
    # line 4: the ADL, fee 0.0: only the closedPnl 100.0
    assert by_line[4][1:] == [
        statement("2025-01-01T06:00:00Z", "USDC", F(100), "realized_pnl", "closedPnl", "ETH",
                  "105")
    ]  # fmt: skip
    # 8 fills; closedPnl nonzero on lines 3, 4, 5, 7 (4 statements); fee nonzero on every perp
    # fill but line 4 (7 statements): 8 + 4 + 7 = 19 drafts
    assert len(imported.drafts) == 19
    statements = events_of(imported, StatementEvent)
    assert len(statements) == 11
    # the wallet total from the fills: closedPnl -1500 + 100 + 150 + 200 = -1050; fees
    # -0.03 + 5.775 + 0.9225 + 2.1525 + 1.83 + 10.5 + 2.17 = 23.32, so -1050 - 23.32 = -1073.32
    assert sum((s.amount for s in statements if isinstance(s, StatementEvent)), F(0)) == F(
        -107332, 100
    )


def test_fills_covers_and_precision() -> None:
    imported = read(FILLS)
    assert imported.covers == {"fills", "roles", "start_positions", "realized_pnl", "commissions"}
    # the finest amounts booked have 4 places (fee "2.1525", "0.9225", "-0.0300"; the spot
    # fill's fee "0.0014" is not booked), but USDC is kept to 6: the precision is 10^-6
    assert imported.precision == F(1, 10**6)


def test_liquidation_roles() -> None:
    imported = read(fixture("fills_liquidation_roles.json"))
    roles = [(e.ref, e.role) for e in events_of(imported, FillEvent) if isinstance(e, FillEvent)]
    # tid 401: "Liquidated Isolated Short" with no liquidation object: this account's;
    # tid 402: "Liquidated Cross Long" but liquidatedUser 0x2222... is not the account: trade;
    # tid 403: liquidatedUser is the account; tid 404: "Auto-Deleveraging" of the account's
    # own underwater position (liquidatedUser is the account): its liquidation, not an ADL of
    # it as a counterparty (tid 105 of user_fills.json, with no liquidation object, is adl)
    assert roles == [
        ("401", "liquidation"),
        ("402", "trade"),
        ("403", "liquidation"),
        ("404", "liquidation"),
    ]
    # with an account that is not an address the dir alone decides
    imported = read(fixture("fills_liquidation_roles.json"), account="me")
    roles = [(e.ref, e.role) for e in events_of(imported, FillEvent) if isinstance(e, FillEvent)]
    assert roles == [
        ("401", "liquidation"),
        ("402", "liquidation"),
        ("403", "liquidation"),
        ("404", "adl"),
    ]


def test_a_backstop_liquidation_leaves_the_wallet_open() -> None:
    # tid 403 is the account's backstop liquidation: its margin goes to the liquidator vault,
    # an amount no response states; the whole story (method "market") keeps the wallet
    roles = fixture("fills_liquidation_roles.json")
    assert "wallet" not in read(roles, FUNDING, LEDGER).covers
    assert "wallet" in read(FILLS, FUNDING, LEDGER).covers


# ---- userFunding --------------------------------------------------------------------------


def test_funding() -> None:
    imported = read(FUNDING)
    assert imported.problems == []
    # both at 1735711200000 (06:00); the zero hash names no transaction: ref None
    assert [d.event for d in imported.drafts] == [
        # short 2.0 ETH receives 2 * 3050 * 0.00001 = 0.061
        StatementEvent(0, "2025-01-01T06:00:00Z", ACCOUNT, "USDC", F(61, 1000), "funding",
                       "funding", "ETH", None, F(1, 100000), F(-2)),
        # long 0.3 BTC pays 0.3 * 60500 * 0.0000125 = 0.226875
        StatementEvent(0, "2025-01-01T06:00:00Z", ACCOUNT, "USDC", F(-226875, 10**6),
                       "funding", "funding", "BTC", None, F(125, 10**7), F(3, 10)),
    ]  # fmt: skip
    assert imported.covers == {"funding"}
    assert imported.precision == F(1, 10**6)


# ---- userNonFundingLedgerUpdates ----------------------------------------------------------


def test_ledger_updates() -> None:
    imported = read(LEDGER)
    assert imported.problems == []
    assert [(d.line, d.event) for d in imported.drafts] == [
        (1, DepositEvent(0, "2025-01-01T00:00:00Z", ACCOUNT, "USDC", F(1000))),
        # accountClassTransfer toPerp false: out to spot
        (2, WithdrawalEvent(0, "2025-01-01T01:00:00Z", ACCOUNT, "USDC", F(200))),
        (3, DepositEvent(0, "2025-01-01T01:30:00Z", ACCOUNT, "USDC", F(101, 2))),
        (4, WithdrawalEvent(0, "2025-01-01T02:30:00Z", ACCOUNT, "USDC", F(100))),
        # line 5 (liquidation) is counted; vaultWithdraw books netWithdrawnUsd 104.5
        # (requestedUsd 105.0 less the leader's commission 0.5)
        (6, DepositEvent(0, "2025-01-01T10:00:00Z", ACCOUNT, "USDC", F(209, 2))),
        # internalTransfer from the account: usdc 10.0 + fee 1.0 = 11.0 leave it
        (7, WithdrawalEvent(0, "2025-01-01T10:30:00Z", ACCOUNT, "USDC", F(11))),
        (8, DepositEvent(0, "2025-01-01T11:00:00Z", ACCOUNT, "USDC", F(25))),
        # line 9 (spotTransfer) is counted; withdraw usdc 99.0 + fee 1.0 = 100.0
        (10, WithdrawalEvent(0, "2025-01-01T12:00:00Z", ACCOUNT, "USDC", F(100))),
    ]
    assert imported.unmapped == Counter({"liquidation": 1, "spotTransfer": 1})
    # transfers alone are not every wallet movement: no covers word
    assert imported.covers == set()
    assert imported.precision == F(1, 10**6)  # "100.0" has 1 place; USDC is kept to 6


def test_transfers_between_users_need_the_address() -> None:
    imported = read(LEDGER, account="me")
    assert imported.problems == []
    assert imported.unmapped == Counter(
        {"liquidation": 1, "spotTransfer": 1, "internalTransfer": 2}
    )
    assert len(imported.drafts) == 6
    everything = read(FILLS, FUNDING, LEDGER, account="me")
    assert "wallet" not in everything.covers


def test_unknown_ledger_types_are_counted_and_leave_the_wallet_open() -> None:
    other = fixture("ledger_other_types.json")
    imported = read(other)
    assert imported.problems == []
    assert imported.drafts == []
    assert imported.unmapped == Counter({"rewardsClaim": 2, "someFutureType": 1})
    assert "wallet" not in read(FILLS, FUNDING, LEDGER, other).covers


# ---- clearinghouseState -------------------------------------------------------------------


def test_snapshot_positions() -> None:
    imported = read(SNAPSHOT)
    assert imported.problems == []
    assert [d.event for d in imported.drafts] == [
        # mark = positionValue / |szi| = 18150 / 0.3 = 60500; cross: equity is the cross
        # accountValue 1250.123456, no isolated margin
        PositionEvent(0, "2025-01-01T05:30:00Z", ACCOUNT, "BTC", F(3, 10), F(60000), F(60500),
                      F(5621525, 100), "cross", None, F(1250123456, 10**6), "linear",
                      F(1, 80)),  # 1 / (2 x maxLeverage 40)
        # 6100 / |-2.0| = 3050; liquidationPx null: None; isolated margin marginUsed 620.0
        PositionEvent(0, "2025-01-01T05:30:00Z", ACCOUNT, "ETH", F(-2), F(3100), F(3050), None,
                      "isolated", F(620), None, "linear", F(1, 50)),  # 1 / (2 x 25)
    ]  # fmt: skip
    assert imported.covers == {"positions"}
    assert imported.precision == F(1, 10**6)
    # accountValue includes the unrealized PnL: no balance is drafted
    assert all(isinstance(d.event, PositionEvent) for d in imported.drafts)


def test_a_list_of_snapshots() -> None:
    imported = read(SNAPSHOTS)
    assert imported.problems == []
    # the first snapshot holds no position: counted; the second one SOL short
    assert imported.unmapped == Counter({"clearinghouseState": 1})
    assert [(d.line, d.event) for d in imported.drafts] == [
        # 1490 / 10 = 149
        (2, PositionEvent(0, "2025-01-01T08:10:00Z", ACCOUNT, "SOL", F(-10), F(150), F(149),
                          F(1824, 10), "cross", None, F(480), "linear", F(1, 40))),
    ]  # fmt: skip


# ---- the whole export ---------------------------------------------------------------------


def test_the_whole_export() -> None:
    imported = read(*ALL)
    assert imported.problems == []
    assert imported.covers == {
        "wallet",
        "fills",
        "roles",
        "start_positions",
        "realized_pnl",
        "commissions",
        "funding",
        "positions",
    }
    assert imported.precision == F(1, 10**6)
    assert imported.unmapped == Counter(
        {"Buy": 1, "liquidation": 1, "spotTransfer": 1, "clearinghouseState": 1}
    )
    # 19 from the fills, 2 funding, 8 transfers, 2 + 1 positions
    assert len(imported.drafts) == 32


def test_a_builder_fee_leaves_the_wallet_open() -> None:
    imported = read(fixture("fills_builder_fee.json"), FUNDING, LEDGER)
    assert imported.problems == []
    assert "wallet" not in imported.covers
    assert "commissions" in imported.covers


def test_assembled_ledger_round_trips(tmp_path: Path) -> None:
    imported = read(*ALL)
    events = assemble_ledger(imported, "hyperliquid", tuple(ALL))
    assert [e.seq for e in events] == list(range(33))
    # time order, stable: the first draft is the deposit at 00:00, the last the withdrawal
    assert events[1] == DepositEvent(1, "2025-01-01T00:00:00Z", ACCOUNT, "USDC", F(1000))
    assert events[-1] == WithdrawalEvent(32, "2025-01-01T12:00:00Z", ACCOUNT, "USDC", F(100))
    # equal times keep the files' order: at 05:00 the self-trade's sell (line 5) before its
    # buy (line 6), each followed by its statements
    at_five = [e for e in events if e.ts == "2025-01-01T05:00:00Z"]
    assert [(type(e).__name__, getattr(e, "action", getattr(e, "entry", ""))) for e in at_five] == [
        ("FillEvent", "sell"),
        ("StatementEvent", "realized_pnl"),
        ("StatementEvent", "commission"),
        ("FillEvent", "buy"),
        ("StatementEvent", "commission"),
    ]
    path = tmp_path / "ledger.jsonl"
    assert write_jsonl(events, path) == 33
    back = [item for item in iter_jsonl(path)]
    assert all(not isinstance(item, Exception) for item in back)
    assert [item[1] for item in back if isinstance(item, tuple)] == events


# ---- malformed files ----------------------------------------------------------------------


def test_bad_fills_are_each_reported() -> None:
    imported = read(fixture("bad_fills.json"))
    assert problems_of(imported) == {
        ("bad_fills.json", 1, "px"),  # missing
        ("bad_fills.json", 2, "sz"),  # "0,1"
        ("bad_fills.json", 3, "side"),  # "S"
        ("bad_fills.json", 4, "time"),  # "2025-01-01 03:00": no seconds, no zone
        ("bad_fills.json", 5, "crossed"),  # "yes"
    }
    # line 6 is read: its fill and its fee
    assert {d.line for d in imported.drafts} == {6}
    assert len(imported.drafts) == 2


def test_bad_funding_is_each_reported() -> None:
    imported = read(fixture("bad_funding.json"))
    assert problems_of(imported) == {
        ("bad_funding.json", 1, "time"),  # "yesterday"
        ("bad_funding.json", 2, "delta.fundingRate"),  # missing
        ("bad_funding.json", 3, "delta.usdc"),  # "-1.2.3"
    }
    assert imported.drafts == []


def test_bad_ledger_updates_are_each_reported() -> None:
    imported = read(fixture("bad_ledger.json"))
    assert problems_of(imported) == {
        ("bad_ledger.json", 1, "delta.usdc"),  # a deposit of -5.0
        ("bad_ledger.json", 2, "delta.toPerp"),  # missing
        ("bad_ledger.json", 3, "delta.user"),  # neither side is the account
        ("bad_ledger.json", 4, "record"),  # delta is a string: no known record
    }
    assert [d.event for d in imported.drafts] == [
        DepositEvent(0, "2025-01-01T01:05:00Z", ACCOUNT, "USDC", F(29, 4))
    ]


def test_bad_snapshot_keeps_its_good_positions() -> None:
    imported = read(fixture("bad_snapshot.json"))
    assert problems_of(imported) == {
        ("bad_snapshot.json", 1, "assetPositions[1].position.leverage.type"),  # "portfolio"
        ("bad_snapshot.json", 1, "assetPositions[2].position.liquidationPx"),  # "n/a"
    }
    assert [
        e.market for e in events_of(imported, PositionEvent) if isinstance(e, PositionEvent)
    ] == ["SOL"]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        # cut in the middle of the second fill: the line that is not JSON, then the file
        ("truncated.json", {("truncated.json", 1, "record"), ("truncated.json", 0, "file")}),
        # Binance's transaction CSV: its first line is not JSON, and no record is ours
        ("wrong_format.csv", {("wrong_format.csv", 1, "record"), ("wrong_format.csv", 0, "file")}),
        # Binance income JSON: records, none of them Hyperliquid's: one problem for the file
        ("wrong_format.json", {("wrong_format.json", 0, "file")}),
    ],
)
def test_files_that_hold_no_hyperliquid_rows(
    name: str, expected: set[tuple[str, int, str]]
) -> None:
    imported = read(fixture(name))
    assert problems_of(imported) == expected
    assert len(imported.problems) == len(expected)
    assert imported.drafts == []
    assert imported.covers == set()


def test_a_bad_file_does_not_stop_the_others() -> None:
    imported = read(fixture("truncated.json"), FUNDING)
    assert len(events_of(imported, StatementEvent)) == 2
    assert {Path(p.file).name for p in imported.problems} == {"truncated.json"}


# ---- the adapter --------------------------------------------------------------------------


def test_the_adapter_is_registered() -> None:
    adapter: Adapter = ADAPTER
    assert adapter.name == "hyperliquid"
    assert get_adapter("hyperliquid") is ADAPTER
    assert "userFills" in adapter.summary


def test_json_lines_and_scientific_notation() -> None:
    imported = read(fixture("user_funding.jsonl"))
    assert imported.problems == []
    # JSON Lines: rows are numbered by their line in the file (line 2 is blank); "1.25E-2" is
    # 0.0125 and "8.33e-6" is 0.00000833, exactly
    assert [(d.line, d.event) for d in imported.drafts] == [
        (1, StatementEvent(0, "2025-01-01T07:00:00Z", ACCOUNT, "USDC", F(125, 10**4), "funding",
                           "funding", "SOL", None, F(833, 10**8), F(-10))),
        (3, StatementEvent(0, "2025-01-01T08:00:00Z", ACCOUNT, "USDC", F(125, 10**4), "funding",
                           "funding", "SOL", None, F(833, 10**8), F(-10))),
    ]  # fmt: skip
    # "0.0125" has 4 places, "1.25E-2" the same; USDC's own 6 are finer: 10^-6
    assert imported.precision == F(1, 10**6)


def test_a_perp_fill_without_fee_token_pays_in_usdc(tmp_path: Path) -> None:
    # Older userFills responses carry no feeToken: a perp's fee is in its collateral, USDC.
    path = tmp_path / "old_fills.json"
    path.write_text(
        '[{"coin": "BTC", "px": "60000.0", "sz": "0.1", "side": "B", "time": 1735700400000,'
        ' "startPosition": "0.0", "dir": "Open Long", "closedPnl": "0.0", "hash": "0xc1",'
        ' "oid": 1, "crossed": true, "fee": "2.1", "tid": 301}]'
    )
    imported = ADAPTER.read([str(path)], ACCOUNT)
    assert imported.problems == []
    fills = [e for e in events_of(imported, FillEvent) if isinstance(e, FillEvent)]
    assert [(f.commission, f.commission_asset) for f in fills] == [(F(21, 10), "USDC")]


def test_an_empty_response_is_counted_not_refused() -> None:
    imported = read(fixture("empty.json"))  # []: no fills in the period
    assert imported.problems == []
    assert imported.unmapped == Counter({EMPTY_RESPONSE: 1})
