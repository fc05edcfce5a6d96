"""The ccxt import adapter (docs/import/ccxt.md) on the project's own fixtures.

The fixtures (tests/imports/fixtures/ccxt) are written to ccxt's unified structures (Manual:
ledger entry, trade, position, funding history, liquidation; ts/src/base/types.ts) with the
project's own numbers. They tell one story on USDT: a 1000 deposit, a maker buy of 0.02
BTC/USDT:USDT at 60000 (fee 0.24), a funding payment of 0.25, a taker sell at 62500 (PnL 50,
fee 0.625 on top of the amount), a canceled withdrawal, a rebate and a transfer out. Every
expected value is worked out by hand below, never taken from the adapter's output.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

from perpspec.imports import get_adapter, sniff_file
from perpspec.imports.assemble import assemble_ledger
from perpspec.imports.base import EMPTY_RESPONSE, Adapter, Imported, Sniff
from perpspec.imports.ccxt import ADAPTER, CcxtAdapter, get_contract_kind
from perpspec.ledger.jsonl import iter_jsonl, write_jsonl
from perpspec.reference.events import (
    BalanceEvent,
    DepositEvent,
    Event,
    FillEvent,
    PositionEvent,
    SourceEvent,
    StatementEvent,
    WithdrawalEvent,
)

FIXTURES = Path(__file__).parent / "fixtures" / "ccxt"
ME = "me"


def fixture(name: str) -> str:
    return str(FIXTURES / name)


def read(*names: str) -> Imported:
    return ADAPTER.read([fixture(name) for name in names], ME)


def events_of(imported: Imported, file: str) -> list[Event]:
    return [draft.event for draft in imported.drafts if draft.file == fixture(file)]


def statement(
    ts: str, asset: str, amount: str, entry: str, reason: str, ref: str | None, market: str | None
) -> StatementEvent:
    return StatementEvent(
        seq=0,
        ts=ts,
        account=ME,
        asset=asset,
        amount=Fraction(amount),
        entry=entry,
        reason=reason,
        market=market,
        ref=ref,
        rate=None,
        size=None,
    )


def balance(ts: str, amount: str) -> BalanceEvent:
    return BalanceEvent(seq=0, ts=ts, account=ME, asset="USDT", amount=Fraction(amount))


def problems_of(imported: Imported) -> list[tuple[str, int, str]]:
    return [(Path(p.file).name, p.line, p.field) for p in imported.problems]


# ---- detect -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "ledger.json",
        "trades.json",
        "positions.json",
        "funding.json",
        "liquidations.json",
        "combined.json",
        "quirks_ledger.json",
    ],
)
def test_detect_knows_each_ccxt_structure(name: str) -> None:
    assert ADAPTER.detect(sniff_file(fixture(name)))


def test_detect_refuses_other_formats() -> None:
    # Binance's /fapi/v1/income row (it has an "info" key too, but no ccxt structure's keys).
    assert not ADAPTER.detect(sniff_file(fixture("wrong_format.json")))
    # Hyperliquid's userFills, Bybit's v5 transaction log, OKX bills, BitMEX wallet history.
    others = [
        {"coin", "px", "sz", "side", "time", "startPosition", "dir", "closedPnl", "hash", "fee"},
        {"symbol", "category", "side", "transactionTime", "type", "qty", "cashBalance", "change"},
        {"billId", "instId", "type", "subType", "balChg", "bal", "pnl", "fee", "ts", "ccy"},
        {"transactID", "account", "currency", "transactType", "amount", "walletBalance"},
    ]
    for keys in others:
        assert not ADAPTER.detect(Sniff("x.json", "[", frozenset(keys)))
    # A CSV header: no JSON keys at all.
    assert not ADAPTER.detect(Sniff("x.csv", "Date(UTC),type,Amount,Asset", frozenset()))


def test_detect_knows_a_combined_file_of_empty_lists(tmp_path: Path) -> None:
    path = tmp_path / "combined.json"
    path.write_text('{"ledger": [], "trades": [], "fundingHistory": []}')
    assert ADAPTER.detect(sniff_file(str(path)))
    # Read, it holds nothing: counted as an empty response, as an empty array is.
    imported = ADAPTER.read([str(path)], ME)
    assert problems_of(imported) == []
    assert imported.unmapped == {EMPTY_RESPONSE: 1}
    assert (imported.drafts, imported.covers) == ([], set())


def test_registry_names_the_adapter() -> None:
    adapter = get_adapter("ccxt")
    assert adapter.name == "ccxt"
    assert isinstance(adapter, CcxtAdapter)
    # The module's ADAPTER satisfies the registry's protocol (mypy checks this assignment).
    typed: Adapter = ADAPTER
    assert typed.summary


# ---- the ledger ---------------------------------------------------------------------------


def test_ledger_rows_become_statements_transfers_and_balances() -> None:
    imported = read("ledger.json")
    assert imported.problems == []
    t1, t2, t3, t4, t5, t6 = (
        "2024-03-02T00:00:00Z",  # L7: 1709337600000 ms
        "2024-03-01T13:00:00Z",  # L6: 1709298000000 ms
        "2024-03-01T10:00:00.123Z",  # L4: 1709287200123 ms, the .123 kept
        "2024-03-01T08:00:00Z",  # L3
        "2024-03-01T01:00:00Z",  # L2
        "2024-03-01T00:00:00Z",  # L1
    )
    assert events_of(imported, "ledger.json") == [
        # L7: a transfer out of 49: a withdrawal, then the stated after 1049 - 49 = 1000.
        WithdrawalEvent(seq=0, ts=t1, account=ME, asset="USDT", amount=Fraction(49)),
        balance(t1, "1000"),
        # L6: a rebate in (+0.115): entry other; after 1048.885 + 0.115 = 1049.
        statement(t2, "USDT", "0.115", "other", "rebate", "L6", None),
        balance(t2, "1049"),
        # L5 is canceled: counted, no record. L4: trade in +50 and its fee on top, -0.625;
        # after 999.51 + 50 - 0.625 = 1048.885.
        statement(t3, "USDT", "50", "trade", "trade", "L4", None),
        statement(t3, "USDT", "-0.625", "commission", "fee", "L4", None),
        balance(t3, "1048.885"),
        # L3: funding out 0.25: 999.76 - 0.25 = 999.51.
        statement(t4, "USDT", "-0.25", "funding", "funding", "L3", None),
        balance(t4, "999.51"),
        # L2: type fee out 0.24 (the maker fee of 1200 x 0.0002): 1000 - 0.24 = 999.76.
        statement(t5, "USDT", "-0.24", "commission", "fee", "L2", None),
        balance(t5, "999.76"),
        # L1: a transaction in of 1000: a deposit.
        DepositEvent(seq=0, ts=t6, account=ME, asset="USDT", amount=Fraction(1000)),
        balance(t6, "1000"),
    ]
    assert imported.unmapped == {"transaction (canceled)": 1}
    # Every mapped row states "after" and every type is known: wallet and balances.
    assert imported.covers == {"wallet", "balances"}
    assert imported.precision is None
    assert imported.accounts == (ME,)


def test_balances_chain_through_the_statements() -> None:
    """The stated afters follow from the statements (what the audit's continuity checks)."""
    imported = read("ledger.json")
    ordered = [d.event for d in sorted(imported.drafts, key=lambda d: d.ts)]
    wallet = Fraction(0)
    for event in ordered:
        if isinstance(event, DepositEvent):
            wallet += event.amount
        elif isinstance(event, WithdrawalEvent):
            wallet -= event.amount
        elif isinstance(event, StatementEvent):
            wallet += event.amount
        elif isinstance(event, BalanceEvent):
            assert event.amount == wallet
    # 1000 - 0.24 - 0.25 + 50 - 0.625 + 0.115 - 49 = 1000
    assert wallet == 1000


# ---- trades, positions, funding, liquidations ---------------------------------------------


def test_trades_become_fills_with_the_contract_size_of_the_positions() -> None:
    imported = read("trades.json", "positions.json")
    assert imported.problems == []
    fills = events_of(imported, "trades.json")
    assert fills[0] == FillEvent(
        seq=0,
        ts="2024-03-01T01:00:00Z",
        account=ME,
        market="BTC/USDT:USDT",
        action="buy",
        qty=Fraction("0.02"),
        price=Fraction(60000),
        role="trade",
        kind="linear",  # settle USDT is the quote
        multiplier=Fraction(1),  # the position's contractSize 1.0
        commission=Fraction("0.24"),  # 1200 x 0.0002, as stated
        commission_asset="USDT",
        liquidity="maker",
        start_position=None,
        realized_pnl=None,
        mark_price=None,
        ref="T1",
    )
    close = fills[1]
    assert isinstance(close, FillEvent)
    assert close.ts == "2024-03-01T10:00:00.123Z"
    # 1250 x 0.0005 = 0.625, as stated
    assert (close.action, close.liquidity, close.commission) == ("sell", "taker", Fraction("0.625"))
    inverse = fills[2]
    assert isinstance(inverse, FillEvent)
    # BTC/USD:BTC: settle BTC is the base, so inverse; 100 contracts of 100 (the position's
    # contractSize); a maker rebate written as a negative cost: -0.0000039 BTC.
    assert (inverse.kind, inverse.multiplier, inverse.qty) == (
        "inverse",
        Fraction(100),
        Fraction(100),
    )
    assert inverse.commission == Fraction(-39, 10**7)
    assert inverse.price == Fraction("64000.5")
    assert {"fills", "commissions", "positions"} == imported.covers


def test_trades_alone_have_no_multiplier() -> None:
    imported = read("trades.json")
    assert all(
        isinstance(e, FillEvent) and e.multiplier is None
        for e in events_of(imported, "trades.json")
    )
    assert imported.covers == {"fills", "commissions"}


def test_positions_are_snapshots_sized_in_contracts_times_contract_size() -> None:
    imported = read("positions.json")
    assert imported.problems == []
    assert events_of(imported, "positions.json") == [
        PositionEvent(
            seq=0,
            ts="2024-03-01T09:00:00Z",
            account=ME,
            market="BTC/USDT:USDT",
            size=Fraction("0.02"),  # long: 0.02 contracts x 1.0
            entry_price=Fraction(60000),
            mark_price=Fraction(61000),
            liquidation_price=Fraction("10225.5"),
            margin_mode="cross",
            margin=None,  # cross: no isolated margin
            equity=None,  # ccxt's position states no account value
            kind="linear",  # BASE/QUOTE:SETTLE with SETTLE == QUOTE
            maintenance_rate=Fraction("0.004"),  # maintenanceMarginPercentage
        ),
        PositionEvent(
            seq=0,
            ts="2024-03-01T13:00:00Z",
            account=ME,
            market="BTC/USD:BTC",
            size=Fraction(-10000),  # short: -(100 contracts x 100)
            entry_price=Fraction("64000.5"),
            mark_price=Fraction("64000.5"),
            liquidation_price=Fraction(67000),
            margin_mode="isolated",
            margin=Fraction("0.0078"),  # the isolated position's collateral
            equity=None,
            kind="inverse",  # SETTLE == BASE
            maintenance_rate=Fraction("0.005"),
        ),
        PositionEvent(
            seq=0,
            ts="2024-03-01T13:00:00Z",
            account=ME,
            market="ETH/USDT:USDT",
            size=Fraction(0),  # 0 contracts x 0.1, side null
            entry_price=None,  # ccxt passes on 0.0 for a flat position: null
            mark_price=Fraction("3400.25"),
            liquidation_price=None,  # 0.0: none
            margin_mode="cross",
            margin=None,
            equity=None,
            kind="linear",
            maintenance_rate=None,  # null
        ),
    ]
    assert imported.covers == {"positions"}


def test_funding_history_alone_is_funding_statements() -> None:
    imported = read("funding.json")
    assert events_of(imported, "funding.json") == [
        statement(
            "2024-03-01T08:00:00Z",
            "USDT",
            "-0.25",
            "funding",
            "fundingHistory",
            "F1",
            "BTC/USDT:USDT",
        ),
        # 1.5e-06 read exactly: 15 / 10**7; id null: no ref.
        StatementEvent(
            seq=0,
            ts="2024-03-01T16:00:00Z",
            account=ME,
            asset="BTC",
            amount=Fraction(15, 10**7),
            entry="funding",
            reason="fundingHistory",
            market="BTC/USD:BTC",
            ref=None,
            rate=None,
            size=None,
        ),
    ]
    assert imported.covers == {"funding"}


def test_funding_history_beside_a_ledger_is_counted_not_booked_twice() -> None:
    imported = read("ledger.json", "funding.json")
    assert events_of(imported, "funding.json") == []
    assert imported.unmapped["fundingHistory (booked by the ledger)"] == 2
    assert "funding" not in imported.covers


def test_liquidations_are_counted_and_size_the_trades() -> None:
    imported = read("liquidations.json")
    assert imported.drafts == []
    assert imported.unmapped == {"liquidation (no trade id to link)": 1}
    assert imported.problems == []
    assert imported.covers == set()


def test_the_whole_export_at_once() -> None:
    imported = read("ledger.json", "trades.json", "positions.json", "liquidations.json")
    assert imported.problems == []
    # 7 ledger rows - 1 canceled: 6 movements + 1 fee statement + 6 balances = 13;
    # 3 fills; 3 positions.
    assert len(imported.drafts) == 13 + 3 + 3
    assert imported.covers == {"wallet", "balances", "fills", "commissions", "positions"}
    assert imported.unmapped == {
        "transaction (canceled)": 1,
        "liquidation (no trade id to link)": 1,
    }


# ---- quirks -------------------------------------------------------------------------------


def test_combined_object_file() -> None:
    imported = read("combined.json")
    assert imported.problems == []
    events = events_of(imported, "combined.json")
    assert events == [
        # C2 (newest first): a liquidation's cash flow out 84.75 and its fee 2.5425 in the row's
        # currency (fee.currency null); after 500 - 84.75 - 2.5425 = 412.7075.
        statement(
            "2024-03-01T12:00:00Z", "USDT", "-84.75", "liquidation", "liquidation", "C2", None
        ),
        # The fee of a liquidation row is the liquidation's fee: entry liquidation.
        statement("2024-03-01T12:00:00Z", "USDT", "-2.5425", "liquidation", "fee", "C2", None),
        balance("2024-03-01T12:00:00Z", "412.7075"),
        DepositEvent(
            seq=0, ts="2024-03-01T00:00:00Z", account=ME, asset="USDT", amount=Fraction(500)
        ),
        balance("2024-03-01T00:00:00Z", "500"),
        FillEvent(
            seq=0,
            ts="2024-03-01T12:00:00Z",
            account=ME,
            market="ETH/USDT:USDT",
            action="sell",
            qty=Fraction(15),
            price=Fraction("3390.5"),
            role="trade",  # ccxt's liquidation names no trade: the role is not set from it
            kind="linear",
            multiplier=Fraction(1, 10),  # the liquidation's contractSize 0.1
            commission=None,  # fee null
            commission_asset=None,
            liquidity=None,  # takerOrMaker null
            start_position=None,
            realized_pnl=None,
            mark_price=None,
            ref="C-T1",
        ),
    ]
    assert imported.unmapped == {
        "fundingHistory (booked by the ledger)": 1,
        "liquidation (no trade id to link)": 1,
    }
    # One ledger account word ("swap") only; the trade states no fee: no commissions cover;
    # positions is an empty list: no positions cover.
    assert imported.covers == {"wallet", "balances", "fills"}


def test_quirks_of_the_ledger() -> None:
    imported = read("quirks_ledger.json")
    assert imported.problems == []
    assert events_of(imported, "quirks_ledger.json") == [
        # Q1: timestamp null, so the datetime's time; status null is a stated movement; the
        # float's text 0.30000000000000004 kept exactly; after null: no balance.
        statement(
            "2024-03-01T00:00:00.250Z",
            "USDT",
            "0.30000000000000004",
            "other",
            "cashback",
            "Q1",
            None,
        ),
        # Q2: direction null, the amount signed -0.1 by the exchange class; fee cost 0: no fee
        # statement; after stated.
        statement("2024-03-01T01:00:00Z", "USDT", "-0.1", "other", "referral", "Q2", None),
        balance("2024-03-01T01:00:00Z", "0.20000000000000004"),
    ]
    assert imported.unmapped == {
        "settlement": 2,  # Q3, Q4: a type ccxt does not document
        "transaction (pending)": 1,  # Q5
        "transaction (zero amount)": 1,  # Q6: a deposit or withdrawal is > 0
    }
    # A movement of an unknown type is left out: the wallet is not complete; Q1 has no after.
    assert imported.covers == set()


def test_ledger_accounts_of_two_wallets_claim_no_wallet(tmp_path: Path) -> None:
    text = (FIXTURES / "ledger.json").read_text()
    mixed = text.replace(
        '"id": "L7", "timestamp": 1709337600000, "datetime": '
        '"2024-03-02T00:00:00.000Z", "direction": "out", "account": null',
        '"id": "L7", "timestamp": 1709337600000, "datetime": '
        '"2024-03-02T00:00:00.000Z", "direction": "out", "account": "spot"',
        1,
    )
    mixed = mixed.replace(
        '"id": "L6", "timestamp": 1709298000000, "datetime": '
        '"2024-03-01T13:00:00.000Z", "direction": "in", "account": null',
        '"id": "L6", "timestamp": 1709298000000, "datetime": '
        '"2024-03-01T13:00:00.000Z", "direction": "in", "account": "swap"',
        1,
    )
    assert mixed.count('"account": "s') == 2
    path = tmp_path / "mixed.json"
    path.write_text(mixed)
    imported = ADAPTER.read([str(path)], ME)
    assert imported.problems == []
    assert imported.covers == set()


def test_newest_first_rows_are_ordered_by_time_when_assembled() -> None:
    imported = read("ledger.json")
    events = assemble_ledger(imported, "ccxt", (fixture("ledger.json"),))
    assert isinstance(events[0], SourceEvent)
    assert [e.seq for e in events] == list(range(len(events)))
    times = [e.ts for e in events[1:]]
    assert times[0] == "2024-03-01T00:00:00Z"  # L1, the last row of the file
    assert times[-1] == "2024-03-02T00:00:00Z"  # L7, the first
    # One row's drafts stay together in file order: L4's trade, its fee, its balance.
    l4 = [e for e in events if e.ts == "2024-03-01T10:00:00.123Z"]
    assert [type(e).__name__ for e in l4] == ["StatementEvent", "StatementEvent", "BalanceEvent"]


@pytest.mark.parametrize(
    ("symbol", "kind"),
    [
        ("BTC/USDT:USDT", "linear"),
        ("BTC/USD:BTC", "inverse"),
        ("BTC/USDT:USDT-240329", "linear"),  # a dated future: the expiry after the settle asset
        ("ETH/USD:BTC", None),  # quanto: settled in neither
        ("BTC/USDT", None),  # spot
    ],
)
def test_contract_kind_from_the_unified_symbol(symbol: str, kind: str | None) -> None:
    assert get_contract_kind(symbol) == kind


# ---- malformed files ----------------------------------------------------------------------


def test_malformed_ledger_rows_are_each_reported() -> None:
    imported = read("malformed_ledger.json")
    file = "malformed_ledger.json"
    assert problems_of(imported) == [
        (file, 2, "currency"),  # null
        (file, 3, "amount"),  # "1.0.0"
        (file, 4, "direction"),  # "sideways"
        (file, 5, "timestamp"),  # "yesterday"
        (file, 6, "datetime"),  # .001 s off its timestamp
        (file, 7, "amount"),  # negative, though ccxt states it absolute
        (file, 8, "fee.cost"),  # "free"
    ]
    assert imported.problems[0].reason == "missing"
    # Row 1 is read: a deposit of 10 and its balance.
    assert [type(d.event).__name__ for d in imported.drafts] == ["DepositEvent", "BalanceEvent"]


def test_malformed_trades_are_each_reported() -> None:
    imported = read("malformed_trades.json")
    file = "malformed_trades.json"
    assert problems_of(imported) == [
        (file, 1, "side"),  # "long" is a position's side, not a trade's
        (file, 2, "amount"),  # 0: a fill's qty is > 0
        (file, 3, "symbol"),  # null
        (file, 4, "takerOrMaker"),  # "both"
    ]
    assert len(imported.drafts) == 1  # X5
    assert "commissions" not in imported.covers


def test_malformed_positions_are_each_reported() -> None:
    imported = read("malformed_positions.json")
    file = "malformed_positions.json"
    assert problems_of(imported) == [
        (file, 4, "contractSize"),  # 2.0 for a market stated 1.0 on row 1
        (file, 2, "side"),  # null for an open position
        (file, 3, "marginMode"),  # "portfolio"
    ]
    # Row 1 has neither timestamp nor datetime: ccxt's null, counted, not a bad value.
    assert imported.unmapped == {"position (no timestamp)": 1}
    # Row 4 is read, but it states no liquidation price: no positions cover.
    assert len(imported.drafts) == 1
    assert imported.covers == set()


def test_combined_file_names_the_list_in_the_field(tmp_path: Path) -> None:
    path = tmp_path / "combined_bad.json"
    path.write_text(
        '{"trades": [{"info": {}, "symbol": "BTC/USDT:USDT", "side": "buy", '
        '"order": null, "price": 1.0, "amount": null, "timestamp": 1709251200000, '
        '"datetime": null, "takerOrMaker": null, "fee": null}], "orders": []}'
    )
    imported = ADAPTER.read([str(path)], ME)
    assert problems_of(imported) == [
        ("combined_bad.json", 1, "orders"),  # not a key of a combined ccxt file
        ("combined_bad.json", 1, "trades.amount"),  # null
    ]


def test_truncated_file_is_reported_by_line() -> None:
    imported = read("truncated_trades.json")
    # Not one JSON document, nor JSON Lines: every line is reported, the cut one last (the
    # file is not empty, so no "empty file" problem besides)
    assert problems_of(imported) == [
        ("truncated_trades.json", 1, "record"),
        ("truncated_trades.json", 2, "record"),
        ("truncated_trades.json", 3, "record"),
    ]
    assert "not JSON" in imported.problems[2].reason
    assert imported.drafts == []


def test_a_file_of_another_format_is_one_problem_naming_it() -> None:
    imported = read("wrong_format.json")
    assert problems_of(imported) == [("wrong_format.json", 1, "record")]
    assert "not a ccxt" in imported.problems[0].reason
    assert imported.drafts == []


def test_an_empty_list_is_counted_not_refused() -> None:
    # fetchMyLiquidations of an account never liquidated is []: no problem, counted
    imported = read("empty.json")
    assert problems_of(imported) == []
    assert imported.unmapped == {EMPTY_RESPONSE: 1}


def test_a_missing_file_is_a_problem() -> None:
    imported = read("no_such_file.json")
    assert problems_of(imported) == [("no_such_file.json", 0, "file")]


# ---- the assembled ledger -----------------------------------------------------------------


def test_assembled_ledger_round_trips_through_json_lines(tmp_path: Path) -> None:
    names = ("ledger.json", "trades.json", "positions.json", "liquidations.json")
    imported = read(*names)
    files = tuple(fixture(name) for name in names)
    events = assemble_ledger(imported, "ccxt", files)
    source = events[0]
    assert isinstance(source, SourceEvent)
    assert source.format == "ccxt"
    assert source.covers == ("wallet", "balances", "fills", "commissions", "positions")
    assert source.precision is None
    assert source.unmapped == (
        "liquidation (no trade id to link): 1",
        "transaction (canceled): 1",
    )
    path = tmp_path / "ledger.jsonl"
    assert write_jsonl(events, path) == len(events)
    read_back = list(iter_jsonl(path))
    assert [item for item in read_back if not isinstance(item, tuple)] == []
    assert [item[1] for item in read_back if isinstance(item, tuple)] == events


@pytest.mark.parametrize(
    "names",
    [("combined.json",), ("quirks_ledger.json",), ("trades.json", "funding.json")],
)
def test_other_exports_round_trip_too(names: tuple[str, ...], tmp_path: Path) -> None:
    imported = read(*names)
    assert imported.problems == []
    events = assemble_ledger(imported, "ccxt", tuple(fixture(name) for name in names))
    path = tmp_path / "ledger.jsonl"
    write_jsonl(events, path)
    assert [item[1] if isinstance(item, tuple) else item for item in iter_jsonl(path)] == events


def test_a_withdrawals_fee_is_no_trading_fee(tmp_path: Path) -> None:
    path = tmp_path / "ledger.json"
    path.write_text(
        '[{"info": {}, "id": "W9", "timestamp": 1709251200000, "datetime": null, '
        '"direction": "out", "referenceId": "0xabc", "type": "transaction", "currency": "USDT", '
        '"amount": 100.0, "before": 150.0, "after": 49.0, "status": "ok", '
        '"fee": {"cost": 1.0, "currency": "USDT"}}]'
    )
    imported = ADAPTER.read([str(path)], ME)
    ts = "2024-03-01T00:00:00Z"
    assert [d.event for d in imported.drafts] == [
        WithdrawalEvent(seq=0, ts=ts, account=ME, asset="USDT", amount=Fraction(100)),
        # The network fee on top: entry other, not a commission; 150 - 100 - 1 = 49.
        statement(ts, "USDT", "-1", "other", "fee", "W9", None),
        balance(ts, "49"),
    ]


def test_older_ccxt_positions_state_isolated_as_a_boolean(tmp_path: Path) -> None:
    path = tmp_path / "positions.json"
    path.write_text(
        '[{"info": {}, "symbol": "BTC/USD:BTC", "timestamp": 1709251200000, "datetime": null, '
        '"isolated": true, "contracts": 5.0, "contractSize": 100.0, "side": "long", '
        '"entryPrice": 20000.0, "markPrice": 20050.0, "liquidationPrice": 19850.0, '
        '"collateral": 0.0265}]'
    )
    imported = ADAPTER.read([str(path)], ME)
    assert imported.problems == []
    (draft,) = imported.drafts
    position = draft.event
    assert isinstance(position, PositionEvent)
    # 5 contracts x 100, long; isolated: the collateral is the margin.
    assert (position.size, position.margin_mode, position.margin) == (
        Fraction(500),
        "isolated",
        Fraction("0.0265"),
    )


def test_position_time_and_signed_contracts_of_some_exchange_classes(tmp_path: Path) -> None:
    path = tmp_path / "positions.json"
    path.write_text(
        "["
        # Opened at 00:00 (timestamp), last changed at 09:00 (1709283600000): the 09:00 time.
        '{"info": {}, "symbol": "ETH/USDT:USDT", "timestamp": 1709251200000, '
        '"datetime": "2024-03-01T00:00:00.000Z", "lastUpdateTimestamp": 1709283600000, '
        '"contracts": 3.0, "contractSize": 0.1, "side": "long", "liquidationPrice": 2000.0},'
        # An older class's signed short: -10 contracts of 0.01, side null.
        '{"info": {}, "symbol": "ETH/USDT:USDT", "timestamp": 1709283600000, "datetime": null, '
        '"contracts": -10.0, "contractSize": 0.01, "side": null, "liquidationPrice": 3500.0},'
        # Negative contracts on a long: the sign and the side disagree.
        '{"info": {}, "symbol": "ETH/USDT:USDT", "timestamp": 1709283600000, "datetime": null, '
        '"contracts": -1.0, "contractSize": 0.1, "side": "long", "liquidationPrice": 2000.0}'
        "]"
    )
    imported = ADAPTER.read([str(path)], ME)
    assert problems_of(imported) == [
        ("positions.json", 2, "contractSize"),  # 0.01 after 0.1 on row 1
        ("positions.json", 3, "contracts"),
    ]
    first, second = (d.event for d in imported.drafts)
    assert isinstance(first, PositionEvent) and isinstance(second, PositionEvent)
    assert first.ts == "2024-03-01T09:00:00Z"
    assert first.size == Fraction(3, 10)  # 3 x 0.1
    assert second.size == Fraction(-1, 10)  # -(10 x 0.01)
