"""Bybit v5 exports into a partial ledger (docs/import/bybit.md; DESIGN, Partial ledgers).

Three files of one account, in any mix:

- the transaction log, ``GET /v5/account/transaction-log`` (the API response, a plain array of
  its ``list`` items, or JSON Lines of either): one row per wallet movement, with the running
  ``cashBalance`` after it;
- the same log as the web export's CSV (``Currency,Contract,Type,Direction,Quantity,Position,
  Filled Price,Funding,Fee Paid,Cash Flow,Change,Wallet Balance,...`` with a ``Time`` or
  ``Time(UTC)`` column, optionally ``Uid``, ``OrderId``, ``TradeId``);
- the executions, ``GET /v5/execution/list`` (``execType`` Trade, BustTrade, AdlTrade, ...).

Bybit's own words (the API docs, Get Transaction Log): ``change = cashFlow + funding - fee``;
``cashFlow`` is the closed position's unrealized PnL turned realized (and the USDC contracts'
8-hour session settlement, and transfers), without any fee or funding; ``funding`` is + when
received; ``fee`` is + when paid; ``size`` is the position after the row, signed; ``qty`` has no
direction; on a SETTLEMENT row ``feeRate`` is the market funding rate for side Buy and its
negative for side Sell. Each row's ``change`` is one statement (or a deposit or withdrawal for a
transfer) and its ``cashBalance`` the balance asserted after it; a TRADE, LIQUIDATION, ADL or
DELIVERY row with a ``qty`` is also a fill. The API lists rows newest first: a file so ordered
is turned oldest first here, so that rows of one instant keep their real order through the
assembler's stable sort.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from perpspec.imports.base import (
    EMPTY_RESPONSE,
    Draft,
    ExportError,
    Imported,
    Sniff,
    get_field,
    is_empty_response,
    parse_amount,
    parse_time,
    read_csv_rows,
    read_json_records,
)
from perpspec.reference.events import (
    BalanceEvent,
    DepositEvent,
    Event,
    FillEvent,
    StatementEvent,
    WithdrawalEvent,
    get_time_key,
)

__all__ = ["ADAPTER", "BybitAdapter"]

#: Where the v5 API puts its rows: ``{"retCode": 0, "result": {"list": [...]}}``.
_ENVELOPES: tuple[tuple[str, ...], ...] = (("result", "list"),)

#: Bybit states its wallet amounts with 8 decimals (the docs' examples: ``fee`` "0.00260280",
#: ``cashBalance`` "5086.55825002"; BTC amounts are in BTC, not satoshi).
PRECISION = Fraction(1, 10**8)

#: The transaction log's keys that no other format's record has together.
_LOG_KEYS = frozenset({"transactionTime", "cashBalance", "cashFlow", "change"})
#: The executions' keys.
_EXECUTION_KEYS = frozenset({"execId", "execType", "execPrice", "execQty", "execTime"})

#: The web export's columns (its header mirrors the API's fields one for one).
_CSV_COLUMNS = frozenset(
    {
        "Currency",
        "Contract",
        "Type",
        "Direction",
        "Quantity",
        "Position",
        "Filled Price",
        "Funding",
        "Fee Paid",
        "Cash Flow",
        "Change",
        "Wallet Balance",
    }
)
#: The CSV's time column: ``Time(UTC)`` says its zone; a plain ``Time`` must carry an offset.
_CSV_TIMES = ("Time(UTC)", "Time")

#: API field -> CSV column, for the CSV's rows and for naming a bad cell.
_CSV_NAMES: Mapping[str, str] = {
    "type": "Type",
    "symbol": "Contract",
    "side": "Direction",
    "qty": "Quantity",
    "size": "Position",
    "currency": "Currency",
    "tradePrice": "Filled Price",
    "funding": "Funding",
    "fee": "Fee Paid",
    "cashFlow": "Cash Flow",
    "change": "Change",
    "cashBalance": "Wallet Balance",
    "tradeId": "TradeId",
    "id": "TradeId",
    "feeRate": "Fee Rate",
}
_JSON_NAMES: Mapping[str, str] = {name: name for name in _CSV_NAMES}

#: The log's types (Bybit enum ``type(uta-translog)``) and what each row is.
_FILL_TYPES: Mapping[str, tuple[str, str]] = {
    # type -> (statement entry, fill role)
    "TRADE": ("trade", "trade"),
    "LIQUIDATION": ("liquidation", "liquidation"),
    "ADL": ("adl", "adl"),
    # USDC futures' and options' delivery closes the position at the delivery price.
    "DELIVERY": ("trade", "trade"),
}
_TRANSFERS_IN = frozenset({"TRANSFER_IN", "TRANSFER_IN_INS_LOAN"})
_TRANSFERS_OUT = frozenset({"TRANSFER_OUT", "TRANSFER_OUT_INS_LOAN"})
#: Documented types that move the wallet for reasons no check interprets (bonuses, refunds,
#: interest, conversions, loans, staking): statements with entry ``other``.
_OTHER_TYPES = frozenset(
    {
        "AIRDROP",
        "BONUS",
        "BONUS_RECOLLECT",
        "FEE_REFUND",
        "INTEREST",
        "CURRENCY_BUY",
        "CURRENCY_SELL",
        "BORROWED_AMOUNT_INS_LOAN",
        "PRINCIPLE_REPAYMENT_INS_LOAN",
        "INTEREST_REPAYMENT_INS_LOAN",
        "AUTO_SOLD_COLLATERAL_INS_LOAN",
        "AUTO_BUY_LIABILITY_INS_LOAN",
        "AUTO_PRINCIPLE_REPAYMENT_INS_LOAN",
        "AUTO_INTEREST_REPAYMENT_INS_LOAN",
        "SPOT_REPAYMENT_SELL",
        "SPOT_REPAYMENT_BUY",
        "TOKENS_SUBSCRIPTION",
        "TOKENS_REDEMPTION",
        "AUTO_DEDUCTION",
        "FLEXIBLE_STAKING_SUBSCRIPTION",
        "FLEXIBLE_STAKING_REDEMPTION",
        "FIXED_STAKING_SUBSCRIPTION",
        "PREMARKET_TRANSFER_OUT",
        "PREMARKET_DELIVERY_SELL_NEW_COIN",
        "PREMARKET_DELIVERY_BUY_NEW_COIN",
        "PREMARKET_DELIVERY_PLEDGE_PAY_SELLER",
        "PREMARKET_DELIVERY_PLEDGE_BACK",
        "PREMARKET_ROLLBACK_PLEDGE_BACK",
        "PREMARKET_ROLLBACK_PLEDGE_PENALTY_TO_BUYER",
        "CUSTODY_NETWORK_FEE",
        "CUSTODY_SETTLE_FEE",
        "CUSTODY_LOCK",
        "CUSTODY_UNLOCK",
        "CUSTODY_UNLOCK_REFUND",
        "LOANS_BORROW_FUNDS",
        "LOANS_PLEDGE_ASSET",
        "BONUS_TRANSFER_IN",
        "BONUS_TRANSFER_OUT",
        "PEF_TRANSFER_IN",
        "PEF_TRANSFER_OUT",
        "PEF_PROFIT_SHARE",
        "Others",
    }
)
#: Executions (Bybit enum ``execType``) that are fills, with their role. ``Funding`` is not a
#: fill: the log's SETTLEMENT row states the same payment.
_EXECUTION_ROLES: Mapping[str, str] = {
    "Trade": "trade",
    "BustTrade": "liquidation",
    "AdlTrade": "adl",
    "Delivery": "trade",
    "Settle": "trade",
    "BlockTrade": "trade",
    "MovePosition": "trade",
    "FutureSpread": "trade",
}
#: Categories whose rows are fills of a futures position (spot and option rows are not).
_FUTURES_KINDS: Mapping[str, str] = {"linear": "linear", "inverse": "inverse"}
#: The settle coin whose contracts settle the session PnL every 8 hours: a close's cashFlow
#: is then measured from the last session price, not the entry, so it is no realized PnL.
_SESSION_SETTLED = "USDC"

#: Cells that say "nothing here": the API writes "", the web export "--".
_EMPTY = ("", "--")


# ---- one row of the transaction log ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _LogRow:
    """One transaction-log row in the API's terms, read from JSON or CSV; ``names`` maps an
    API field to the file's own name for it (problems name the file's field)."""

    file: str
    line: int
    ts: str
    account: str
    kind: str
    category: str | None
    market: str | None
    side: str | None
    qty: Fraction | None
    size: Fraction | None
    price: Fraction | None
    funding: Fraction | None
    fee: Fraction | None
    cash_flow: Fraction | None
    change: Fraction
    balance: Fraction | None
    fee_rate: Fraction | None
    asset: str
    ref: str | None
    trade_ref: str | None
    names: Mapping[str, str]


@dataclass(slots=True)
class _Rows:
    """What one kind of file gave: each row's drafts (kept together, in file order), the
    unmapped rows by type, and whether a row that should have been a fill was not one."""

    groups: list[list[Draft]] = field(default_factory=list)
    unmapped: list[str] = field(default_factory=list)
    missing_fill: bool = False
    rows: int = 0
    #: Where each row was first read, by what identifies it across files.
    seen: dict[tuple[object, ...], tuple[int, str, int]] = field(default_factory=dict)


def _check_repeat(
    rows: _Rows, key: tuple[object, ...], source: int, file: str, line: int, name: str
) -> None:
    """A row read before from another file (``source`` is the file's place among the paths:
    the same log or executions given twice, or in two forms, JSON and CSV) is a problem:
    booking it twice would double its movement."""
    first = rows.seen.setdefault(key, (source, file, line))
    if first[0] != source:
        raise ExportError(
            file, line, name, f"the same row as {first[1]}:{first[2]} (a file given twice?)"
        )


def _is_empty(value: object) -> bool:
    return value is None or (isinstance(value, str) and value.strip() in _EMPTY)


def _text(record: Mapping[str, object], name: str) -> str | None:
    """A text field, None when absent or empty ("" in the API, "--" in the web export)."""
    value = record.get(name)
    if _is_empty(value):
        return None
    return str(value).strip()


def _optional_amount(
    record: Mapping[str, object], name: str, file: str, line: int, *, grouped: bool = False
) -> Fraction | None:
    """A number the row may leave empty (the API's "", the web export's "--")."""
    value = record.get(name)
    if _is_empty(value):
        return None
    return parse_amount(value, file, line, name, grouped=grouped)


def _decimal_text(value: Fraction) -> str:
    """A sum of decimal cells as decimal text, for a problem's reason."""
    return str(Decimal(value.numerator) / Decimal(value.denominator))


def _side(value: str | None) -> str | None:
    """``Buy``/``Sell`` (API) or ``BUY``/``SELL`` (web export) as buy/sell; None for
    ``None``, "" and "--"."""
    if value is None:
        return None
    lowered = value.lower()
    return lowered if lowered in ("buy", "sell") else None


def _json_log_row(record: Mapping[str, object], file: str, line: int, account: str) -> _LogRow:
    """One ``list`` item of Get Transaction Log (field meanings: module docstring). Its
    ``change`` must be ``cashFlow + funding - fee``: the classic account's
    contract-transaction-log, with the same keys, writes funding with the opposite sign
    (``change = cashFlow - funding - fee``), and is refused rather than misread."""
    kind = str(get_field(record, "type", file, line))
    ts = parse_time(
        get_field(record, "transactionTime", file, line), file, line, "transactionTime", unit="ms"
    )
    asset = str(get_field(record, "currency", file, line))
    change = parse_amount(get_field(record, "change", file, line), file, line, "change")
    category = _text(record, "category")
    cash_flow = _optional_amount(record, "cashFlow", file, line)
    funding = _optional_amount(record, "funding", file, line)
    fee = _optional_amount(record, "fee", file, line)
    if cash_flow is not None:
        expected = cash_flow + (funding or 0) - (fee or 0)
        if change != expected:
            raise ExportError(
                file,
                line,
                "change",
                f"{record['change']} is not cashFlow + funding - fee = {_decimal_text(expected)}"
                " (the Unified account's log; a classic account's log, whose funding has the"
                " opposite sign, is not read)",
            )
    return _LogRow(
        file=file,
        line=line,
        ts=ts,
        account=account,
        kind=kind,
        category=category.lower() if category else None,
        market=_text(record, "symbol"),
        side=_side(_text(record, "side")),
        qty=_optional_amount(record, "qty", file, line),
        size=_optional_amount(record, "size", file, line),
        price=_optional_amount(record, "tradePrice", file, line),
        funding=funding,
        fee=fee,
        cash_flow=cash_flow,
        change=change,
        balance=_optional_amount(record, "cashBalance", file, line),
        fee_rate=_optional_amount(record, "feeRate", file, line),
        asset=asset,
        ref=_text(record, "id"),
        trade_ref=_text(record, "tradeId"),
        names=_JSON_NAMES,
    )


def _csv_log_row(
    cells: Mapping[str, str], time_column: str, file: str, line: int, account: str
) -> _LogRow:
    """One row of the web export (columns as the API's fields, ``_CSV_NAMES``). Its
    ``Fee Paid`` is written with either sign in the exports seen, so the fee is taken from
    Bybit's identity ``fee = cashFlow + funding - change`` and ``Fee Paid`` only checked
    against it (a disagreement is a problem, never a guess)."""
    naive = "UTC" if time_column == "Time(UTC)" else "stated"
    ts = parse_time(get_field(cells, time_column, file, line), file, line, time_column, naive=naive)
    kind = str(get_field(cells, "Type", file, line))
    asset = str(get_field(cells, "Currency", file, line))
    change = parse_amount(
        get_field(cells, "Change", file, line), file, line, "Change", grouped=True
    )
    cash_flow = _optional_amount(cells, "Cash Flow", file, line, grouped=True)
    funding = _optional_amount(cells, "Funding", file, line, grouped=True)
    fee_paid = _optional_amount(cells, "Fee Paid", file, line, grouped=True)
    fee = (cash_flow or 0) + (funding or 0) - change
    if fee_paid is not None and abs(fee_paid) != abs(fee):
        raise ExportError(
            file,
            line,
            "Fee Paid",
            f"{cells['Fee Paid']} does not agree with Cash Flow + Funding - Change"
            f" = {_decimal_text(fee)}",
        )
    uid = _text(cells, "Uid")
    trade_ref = _text(cells, "TradeId")
    return _LogRow(
        file=file,
        line=line,
        ts=ts,
        account=uid or account,
        kind=kind,
        category=None,
        market=_text(cells, "Contract"),
        side=_side(_text(cells, "Direction")),
        qty=_optional_amount(cells, "Quantity", file, line, grouped=True),
        size=_optional_amount(cells, "Position", file, line, grouped=True),
        price=_optional_amount(cells, "Filled Price", file, line, grouped=True),
        funding=funding,
        fee=fee,
        cash_flow=cash_flow,
        change=change,
        balance=_optional_amount(cells, "Wallet Balance", file, line, grouped=True),
        fee_rate=_optional_amount(cells, "Fee Rate", file, line, grouped=True),
        asset=asset,
        ref=trade_ref,
        trade_ref=trade_ref,
        names=_CSV_NAMES,
    )


# ---- from a log row to records --------------------------------------------------------------


def _statement(
    row: _LogRow,
    amount: Fraction,
    entry: str,
    *,
    rate: Fraction | None = None,
    size: Fraction | None = None,
) -> StatementEvent:
    return StatementEvent(
        seq=0,
        ts=row.ts,
        account=row.account,
        asset=row.asset,
        amount=amount,
        entry=entry,
        reason=row.kind,
        market=row.market,
        ref=row.ref,
        rate=rate,
        size=size,
    )


def _log_fill(row: _LogRow, role: str) -> FillEvent | None:
    """The fill of a TRADE, LIQUIDATION, ADL or DELIVERY row with a ``qty``: the position
    before it is ``size - signed qty`` (``size`` is the position after the row); the
    realized PnL is ``cashFlow`` (the closed PnL without fees), except for USDC contracts,
    whose cashFlow counts from the last 8-hour session settlement."""
    if row.category is not None and row.category not in _FUTURES_KINDS:
        return None
    if row.qty is None or row.qty == 0:
        return None
    if row.side is None:
        raise ExportError(
            row.file, row.line, row.names["side"], "a fill needs its side (Buy or Sell)"
        )
    if row.qty < 0:
        raise ExportError(
            row.file, row.line, row.names["qty"], f"expected > 0, found {_decimal_text(row.qty)}"
        )
    if row.price is None or row.price <= 0:
        raise ExportError(
            row.file,
            row.line,
            row.names["tradePrice"],
            "a fill needs a price > 0, found "
            + ("none" if row.price is None else _decimal_text(row.price)),
        )
    if row.market is None:
        raise ExportError(row.file, row.line, row.names["symbol"], "a fill needs its market")
    signed = row.qty if row.side == "buy" else -row.qty
    start = row.size - signed if row.size is not None else None
    pnl = None if row.asset == _SESSION_SETTLED else row.cash_flow
    return FillEvent(
        seq=0,
        ts=row.ts,
        account=row.account,
        market=row.market,
        action=row.side,
        qty=row.qty,
        price=row.price,
        role=role,
        kind=_FUTURES_KINDS.get(row.category or ""),
        # Bybit states a linear contract's qty in the base coin and an inverse one's in USD
        # (one contract, one USD): either way one unit of qty is worth one unit of value
        multiplier=Fraction(1) if row.category in _FUTURES_KINDS else None,
        commission=row.fee,
        commission_asset=row.asset if row.fee is not None else None,
        liquidity=None,
        start_position=start,
        realized_pnl=pnl,
        mark_price=None,
        ref=row.trade_ref or row.ref,
    )


def _settlement(row: _LogRow) -> list[Event]:
    """A SETTLEMENT row: the funding statement, with the market rate (``feeRate`` for side
    Buy, its negative for side Sell) and the position signed by the side; a USDC row's
    session PnL (``cashFlow`` less any fee) is a second statement, entry ``other``."""
    funding = row.funding if row.funding is not None else row.change - (row.cash_flow or 0)
    rate = None
    size = None
    if row.fee_rate is not None and row.side is not None:
        rate = row.fee_rate if row.side == "buy" else -row.fee_rate
    if row.size is not None and row.side is not None:
        size = abs(row.size) if row.side == "buy" else -abs(row.size)
    events: list[Event] = [_statement(row, funding, "funding", rate=rate, size=size)]
    if row.change != funding:
        events.append(_statement(row, row.change - funding, "other"))
    return events


def _transfer(row: _LogRow) -> Event:
    """A transfer into or out of the wallet (``change`` its signed amount)."""
    incoming = row.kind in _TRANSFERS_IN
    if (row.change <= 0) if incoming else (row.change >= 0):
        sign = "> 0" if incoming else "< 0"
        raise ExportError(
            row.file,
            row.line,
            row.names["change"],
            f"a {row.kind} row's change must be {sign}, found {_decimal_text(row.change)}",
        )
    if incoming:
        return DepositEvent(
            seq=0, ts=row.ts, account=row.account, asset=row.asset, amount=row.change
        )
    return WithdrawalEvent(
        seq=0, ts=row.ts, account=row.account, asset=row.asset, amount=-row.change
    )


@dataclass(frozen=True, slots=True)
class _Booked:
    """A row's records (None: the type is unknown), and whether it lacked its fill."""

    events: list[Event] | None
    missing_fill: bool = False


def _book_log_row(row: _LogRow) -> _Booked:
    """The records of one log row: its movement, its fill, the balance after it."""
    events: list[Event] = []
    missing_fill = False
    if row.kind in _FILL_TYPES:
        entry, role = _FILL_TYPES[row.kind]
        fill = _log_fill(row, role)
        if fill is not None:
            events.append(fill)
        elif row.category is None or row.category in _FUTURES_KINDS:
            missing_fill = True
        events.append(_statement(row, row.change, entry))
    elif row.kind == "SETTLEMENT":
        events.extend(_settlement(row))
    elif row.kind in _TRANSFERS_IN or row.kind in _TRANSFERS_OUT:
        events.append(_transfer(row))
    elif row.kind in _OTHER_TYPES:
        events.append(_statement(row, row.change, "other"))
    else:
        return _Booked(None)
    if row.balance is not None:
        events.append(
            BalanceEvent(seq=0, ts=row.ts, account=row.account, asset=row.asset, amount=row.balance)
        )
    return _Booked(events, missing_fill)


def _add_log_row(rows: _Rows, row: _LogRow, groups: list[list[Draft]], source: int) -> None:
    """Count ``row`` in ``rows`` and add its drafts to ``groups`` (its file's). The log
    has no unique row id (the docs' own example repeats an ``id``): a row is known across
    files by its type, time, currency, change and the balance after it."""
    key = (row.kind, row.ts, row.asset, row.change, row.balance)
    _check_repeat(rows, key, source, row.file, row.line, row.names["change"])
    booked = _book_log_row(row)
    rows.rows += 1
    if booked.events is None:
        rows.unmapped.append(row.kind)
        return
    rows.missing_fill = rows.missing_fill or booked.missing_fill
    groups.append([Draft(row.file, row.line, event) for event in booked.events])


# ---- executions -----------------------------------------------------------------------------


def _execution_fill(
    record: Mapping[str, object], file: str, line: int, account: str
) -> FillEvent | str:
    """One item of Get Trade History as a fill (BustTrade: the account's position taken
    over by the liquidation engine; AdlTrade: deleveraged), or its ``execType`` when it is
    no fill. ``execFee`` is + paid; ``isMaker`` gives the liquidity. The list states no
    position and no closed PnL, and no fee currency for contracts (``feeCurrency`` "")."""
    exec_type = str(get_field(record, "execType", file, line))
    role = _EXECUTION_ROLES.get(exec_type)
    if role is None:
        return exec_type
    side = _side(str(get_field(record, "side", file, line)))
    if side is None:
        raise ExportError(file, line, "side", f"expected Buy or Sell, found {record['side']!r}")
    qty = parse_amount(get_field(record, "execQty", file, line), file, line, "execQty")
    price = parse_amount(get_field(record, "execPrice", file, line), file, line, "execPrice")
    if qty <= 0:
        raise ExportError(file, line, "execQty", f"expected > 0, found {_decimal_text(qty)}")
    if price <= 0:
        raise ExportError(file, line, "execPrice", f"expected > 0, found {_decimal_text(price)}")
    maker = record.get("isMaker")
    if maker is not None and not isinstance(maker, bool):
        raise ExportError(file, line, "isMaker", f"expected true or false, found {maker!r}")
    fee = _optional_amount(record, "execFee", file, line)
    return FillEvent(
        seq=0,
        ts=parse_time(get_field(record, "execTime", file, line), file, line, "execTime", unit="ms"),
        account=account,
        market=str(get_field(record, "symbol", file, line)),
        action=side,
        qty=qty,
        price=price,
        role=role,
        kind=None,
        multiplier=None,
        commission=fee,
        commission_asset=_text(record, "feeCurrency") if fee is not None else None,
        liquidity=None if maker is None else ("maker" if maker else "taker"),
        start_position=None,
        realized_pnl=None,
        mark_price=None,
        ref=str(get_field(record, "execId", file, line)),
    )


# ---- files ----------------------------------------------------------------------------------


def _oldest_first(groups: list[list[Draft]]) -> list[list[Draft]]:
    """The rows of one file oldest first: Bybit lists newest first, and rows of one instant
    then keep their real order through the assembler's stable sort."""
    if len(groups) > 1 and get_time_key(groups[0][0].ts) > get_time_key(groups[-1][0].ts):
        return groups[::-1]
    return groups


def _is_json(path: str) -> bool:
    try:
        with open(path, "rb") as handle:
            head = handle.read(64)
    except OSError:
        return True  # read_json_records reports the file
    return head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"[", b"{")


def _csv_header(text: str) -> set[str]:
    return {cell.strip().strip('"') for cell in text.lstrip("\ufeff").split(",")}


def _head(path: str) -> list[str]:
    """The first two lines of a CSV export (the header may follow a preamble line)."""
    try:
        with open(path, encoding="utf-8-sig", errors="replace") as handle:
            return [handle.readline(), handle.readline()]
    except OSError:
        return ["", ""]


#: The Unified Trading Account export opens with ``UID: 123456,Company Name: ,Country: ``
#: before its header.
_PREAMBLE = "UID:"


def _preamble_uid(line: str) -> str | None:
    """The UID a preamble line names (None: the line is no preamble, or names none)."""
    if not line.startswith(_PREAMBLE):
        return None
    return line.split(",", 1)[0][len(_PREAMBLE) :].strip() or None


@dataclass(slots=True)
class _Reading:
    """Everything read so far, by source: the log's rows and the executions' fills."""

    log: _Rows = field(default_factory=_Rows)
    executions: _Rows = field(default_factory=_Rows)
    problems: list[ExportError] = field(default_factory=list)
    #: Each execution fill's own ``execType``, by (file, line).
    exec_types: dict[tuple[str, int], str] = field(default_factory=dict)
    #: An execution inside the log's span that the log does not hold.
    log_gap: bool = False
    #: Files that are API responses of no rows.
    empty_files: int = 0


def _read_json(path: str, account: str, reading: _Reading, source: int) -> None:
    """A transaction-log or executions JSON file, told apart by each record's keys."""
    file = os.fspath(path)
    log: list[list[Draft]] = []
    fills: list[list[Draft]] = []
    strangers: list[tuple[int, Mapping[str, object]]] = []
    read_any = False
    problems_before = len(reading.problems)
    for item in read_json_records(path, _ENVELOPES):
        if isinstance(item, ExportError):
            reading.problems.append(item)
            continue
        line, record = item
        try:
            if "execType" in record or "execId" in record:
                read_any = True
                reading.executions.rows += 1
                fill = _execution_fill(record, file, line, account)
                if "execId" in record:
                    key = ("execId", str(record["execId"]))
                    _check_repeat(reading.executions, key, source, file, line, "execId")
                if isinstance(fill, str):
                    reading.executions.unmapped.append(fill)
                else:
                    fills.append([Draft(file, line, fill)])
                    reading.exec_types[(file, line)] = str(record["execType"])
            elif "transactionTime" in record or "cashBalance" in record:
                read_any = True
                _add_log_row(reading.log, _json_log_row(record, file, line, account), log, source)
            else:
                strangers.append((line, record))
        except ExportError as error:
            reading.problems.append(error)
    reading.log.groups.extend(_oldest_first(log))
    reading.executions.groups.extend(_oldest_first(fills))
    if not read_any:
        # a file that could not be read at all has said so already
        if len(reading.problems) == problems_before:
            if not strangers and is_empty_response(file):
                reading.empty_files += 1
            else:
                reading.problems.append(_no_rows(file, strangers))
        return
    for line, _record in strangers:
        reading.problems.append(
            ExportError(
                file, line, "record", "neither a transaction-log item nor an execution of Bybit v5"
            )
        )


def _no_rows(file: str, strangers: list[tuple[int, Mapping[str, object]]]) -> ExportError:
    """The one problem of a JSON file with no Bybit row (an API error response names its
    ``retCode`` and ``retMsg``)."""
    if strangers and "retCode" in strangers[0][1]:
        record = strangers[0][1]
        return ExportError(
            file,
            1,
            "retCode",
            f"an API error response: {record.get('retCode')} {record.get('retMsg', '')}".strip(),
        )
    return ExportError(
        file, 1, "format", "no Bybit v5 transaction-log or execution rows in this file"
    )


def _read_csv(path: str, account: str, reading: _Reading, source: int) -> None:
    """The web export of the transaction log."""
    file = os.fspath(path)
    first, second = _head(path)
    uid = _preamble_uid(first)
    header = _csv_header(second if uid is not None else first)
    missing = sorted(_CSV_COLUMNS - header)
    time_column = next((name for name in _CSV_TIMES if name in header), None)
    if missing or time_column is None:
        absent = ", ".join(missing + ([] if time_column else ["Time(UTC)"]))
        reading.problems.append(
            ExportError(
                file,
                1 if uid is None else 2,
                "header",
                f"not a Bybit transaction-log CSV: no column {absent}",
            )
        )
        return
    groups: list[list[Draft]] = []
    items = read_csv_rows(path, preamble=1 if uid is not None else 0)
    for item in items:
        if isinstance(item, ExportError):
            reading.problems.append(item)
            continue
        line, cells = item
        try:
            row = _csv_log_row(cells, time_column, file, line, uid or account)
            _add_log_row(reading.log, row, groups, source)
        except ExportError as error:
            reading.problems.append(error)
    reading.log.groups.extend(_oldest_first(groups))


# ---- the adapter ----------------------------------------------------------------------------


def _covers(reading: _Reading, fills: list[FillEvent], source: _Rows | None) -> set[str]:
    """What the files support (base.COVERS): the log lists every wallet movement (when it
    has no row of an unknown type) with the balance after each, and its funding; the fills
    come with what their source states of each."""
    covers: set[str] = set()
    if reading.log.rows:
        covers.add("funding")
        if not reading.log.unmapped:
            covers.add("wallet")
    if any(isinstance(d.event, BalanceEvent) for g in reading.log.groups for d in g):
        covers.add("balances")
    if fills and source is not None and not source.missing_fill:
        # the log's LIQUIDATION and ADL types, the executions' BustTrade and AdlTrade
        covers |= {"fills", "roles"}
        if all(f.start_position is not None for f in fills):
            covers.add("start_positions")
        if all(f.realized_pnl is not None for f in fills):
            covers.add("realized_pnl")
        if all(f.commission is not None for f in fills):
            covers.add("commissions")
    return covers


@dataclass(frozen=True, slots=True)
class BybitAdapter:
    """Bybit v5: the transaction log (API JSON or web CSV) and the executions."""

    name: str = "bybit"
    summary: str = (
        "Bybit v5: /v5/account/transaction-log (JSON, or the web export's CSV) and "
        "/v5/execution/list"
    )

    def detect(self, sniff: Sniff) -> bool:
        """A transaction-log or execution record's keys, or the web export's header."""
        if sniff.keys >= _LOG_KEYS or sniff.keys >= _EXECUTION_KEYS:
            return True
        if _preamble_uid(sniff.first_line) is not None and "Company Name:" in sniff.first_line:
            return True
        header = _csv_header(sniff.first_line)
        return header >= _CSV_COLUMNS and any(name in header for name in _CSV_TIMES)

    def read(self, paths: Sequence[str], account: str) -> Imported:
        """Every file's rows; the fills from the log when it has any (it states the position
        and the closed PnL), else from the executions, never from both."""
        reading = _Reading()
        for place, path in enumerate(paths):
            if _is_json(path):
                _read_json(path, account, reading, place)
            else:
                _read_csv(path, account, reading, place)
        imported = Imported(accounts=(), problems=reading.problems)
        log_fills = [
            d.event for g in reading.log.groups for d in g if isinstance(d.event, FillEvent)
        ]
        imported.drafts = [d for g in reading.log.groups for d in g]
        imported.unmapped.update(reading.log.unmapped)
        imported.unmapped.update(reading.executions.unmapped)
        source: _Rows | None = reading.log if log_fills else None
        fills = list(log_fills)
        if log_fills:
            # An execution the log states too (its execId is the log row's tradeId) is taken
            # from the log, which states its start position and closed PnL; one the log does
            # not hold is a fill of its own, booked from the execution.
            logged = {fill.ref for fill in log_fills if isinstance(fill, FillEvent)}
            start, end = min(f.ts for f in log_fills), max(f.ts for f in log_fills)
            for group in reading.executions.groups:
                word = reading.exec_types[(group[0].file, group[0].line)]
                fill = next(d.event for d in group if isinstance(d.event, FillEvent))
                if isinstance(fill, FillEvent) and fill.ref in logged:
                    imported.unmapped[f"{word} (fill taken from the transaction log)"] += 1
                    continue
                imported.drafts.extend(group)
                fills.append(fill)
                if get_time_key(start) <= get_time_key(fill.ts) <= get_time_key(end):
                    # a trade inside the log's span that the log does not hold: the log
                    # misses a movement of the wallet
                    reading.log_gap = True
        else:
            imported.drafts.extend(d for g in reading.executions.groups for d in g)
            fills = [
                d.event
                for g in reading.executions.groups
                for d in g
                if isinstance(d.event, FillEvent)
            ]
            source = reading.executions if fills else None
        imported.covers = _covers(reading, fills, source)
        if reading.log_gap:
            imported.covers.discard("wallet")
        if reading.empty_files:
            imported.unmapped[EMPTY_RESPONSE] += reading.empty_files
        if imported.drafts or imported.unmapped:
            imported.precision = PRECISION
        named = sorted({getattr(d.event, "account", account) for d in imported.drafts})
        imported.accounts = tuple(named) or (account,)
        return imported


#: The adapter ``perpspec import --from bybit`` uses.
ADAPTER = BybitAdapter()
