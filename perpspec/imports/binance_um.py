"""Binance USDⓈ-M futures exports into a partial ledger (docs/import/binance-um.md).

Files read, any subset of one account's export:

- the income history (``GET /fapi/v1/income``: a JSON array of ``{symbol, incomeType, income,
  asset, info, time, tranId, tradeId}``): every wallet movement, one a row, as ``statement``
  records (TRANSFER and the other transfers as ``deposit`` / ``withdrawal``);
- the account's trades (``GET /fapi/v1/userTrades``): ``fill`` records, linear with
  multiplier 1, their ``realizedPnl`` and ``commission`` as stated;
- the forced orders (``GET /fapi/v1/forceOrders``): a ``clientOrderId`` ``autoclose-...`` is
  the liquidation of the account's position, ``adl_autoclose`` an ADL; they give the role of
  the fills of the same ``orderId`` and are no record of their own;
- the web "Transaction History" CSV (``Date(UTC),type,Amount,Asset,Symbol,Transaction ID``),
  read as the income history;
- the statements CSV (``User_ID,UTC_Time,Account,Operation,Coin,Change,Remark``): the rows of
  the USDⓈ-M futures account, read as the income history; the rows of other accounts (Spot,
  Funding, COIN-M) are another wallet's and are counted, not booked.

Binance states no running balance in any of these files, so the export never covers
``balances``; nor a start position, so never ``start_positions``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
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
    DepositEvent,
    Event,
    FillEvent,
    StatementEvent,
    WithdrawalEvent,
    get_time_key,
)

__all__ = ["ADAPTER", "BinanceUmAdapter"]

FORMAT = "binance-um"

#: Binance states wallet amounts with 8 decimals ("-0.37500000" in the income history).
BINANCE_UNIT = Fraction(1, 10**8)

#: The web "Transaction History" CSV header and the statements CSV header, as Binance writes
#: them (a byte-order mark and spaces around a name are dropped before comparing).
TRANSACTION_HEADER = ("Date(UTC)", "type", "Amount", "Asset", "Symbol", "Transaction ID")
STATEMENT_HEADER = ("User_ID", "UTC_Time", "Account", "Operation", "Coin", "Change", "Remark")

#: Keys of one record of each JSON file (the API docs' response examples): detection needs
#: all of them; a record of COIN-M (``/dapi``) has ``baseQty`` / ``cumBase`` instead.
INCOME_KEYS = frozenset({"incomeType", "income", "asset", "time"})
TRADE_KEYS = frozenset({"buyer", "commissionAsset", "maker", "orderId", "realizedPnl", "qty"})
FORCE_ORDER_KEYS = frozenset({"clientOrderId", "cumQuote", "avgPrice", "executedQty", "origType"})
COIN_M_KEYS = frozenset({"baseQty", "cumBase", "marginAsset", "pair"})

#: Income types that move funds in or out of the futures wallet: a deposit when the income is
#: positive, a withdrawal when negative (Get Income History, incomeType).
TRANSFER_TYPES = frozenset(
    {"TRANSFER", "INTERNAL_TRANSFER", "CROSS_COLLATERAL_TRANSFER", "STRATEGY_UMFUTURES_TRANSFER"}
)

#: The statement entry of each income type the docs list (Get Income History, incomeType);
#: the programs' credits and the conversions inside the wallet are ``other``.
INCOME_ENTRIES: Mapping[str, str] = {
    "REALIZED_PNL": "realized_pnl",
    "FUNDING_FEE": "funding",
    "COMMISSION": "commission",
    "INSURANCE_CLEAR": "insurance",
    "WELCOME_BONUS": "other",
    "REFERRAL_KICKBACK": "other",
    "COMMISSION_REBATE": "other",
    "API_REBATE": "other",
    "CONTEST_REWARD": "other",
    "OPTIONS_PREMIUM_FEE": "other",
    "OPTIONS_SETTLE_PROFIT": "other",
    "AUTO_EXCHANGE": "other",
    "DELIVERED_SETTELMENT": "other",
    "COIN_SWAP_DEPOSIT": "other",
    "COIN_SWAP_WITHDRAW": "other",
    "POSITION_LIMIT_INCREASE_FEE": "other",
    "FEE_RETURN": "other",
    "BFUSD_REWARD": "other",
}

#: The web Transaction History writes some types by their display name: the income type each
#: stands for, keyed by the name in capitals with every run of other characters as ``_``.
DISPLAY_TYPES: Mapping[str, str] = {
    "REALIZED_PROFIT_AND_LOSS": "REALIZED_PNL",
    "REALIZE_PROFIT_AND_LOSS": "REALIZED_PNL",
    "REALIZED_PNL": "REALIZED_PNL",
    "INSURANCE_FUND_CLEAR": "INSURANCE_CLEAR",
    "INSURANCE_FUND_COMPENSATION": "INSURANCE_CLEAR",
    "TRADING_FEE": "COMMISSION",
    "FEE": "COMMISSION",
}

#: The statements CSV's Operation words of the futures wallet (compared casefolded).
OPERATION_ENTRIES: Mapping[str, str] = {
    "realize profit and loss": "realized_pnl",
    "realized profit and loss": "realized_pnl",
    "fee": "commission",
    "transaction fee": "commission",
    "funding fee": "funding",
    "insurance fund compensation": "insurance",
    "referrer rebates": "other",
    "referee rebates": "other",
    "referral kickback": "other",
    "commission rebate": "other",
    "welcome bonus": "other",
    "futures bonus": "other",
    "contest reward": "other",
}
OPERATION_TRANSFERS = frozenset({"transfer_in", "transfer_out", "transfer"})

#: What :func:`_book` takes for a transfer in or out of the wallet (not a statement entry).
TRANSFER = "TRANSFER"

#: The statements CSV's names of the USDⓈ-M futures account, casefolded with spaces, hyphens
#: and the circled S normalized ("USDT-Futures", "USDⓈ-M Futures", "USDS-M Futures").
FUTURES_ACCOUNTS = frozenset({"usdtfutures", "usdsmfutures", "usdmfutures", "umfutures"})

LIQUIDATION_PREFIX = "autoclose-"
ADL_CLIENT_ID = "adl_autoclose"

#: What the unmapped counts call the forced orders without a record.
FORCE_ORDER_WITHOUT_TRADES = "forceOrder without trades"


# ---- the reading state ----------------------------------------------------------------------


@dataclass(slots=True)
class _Trade:
    """One ``userTrades`` record read, waiting for the forced orders and the account."""

    file: str
    line: int
    ts: str
    market: str
    action: str
    qty: Fraction
    price: Fraction
    commission: Fraction
    commission_asset: str
    liquidity: str
    realized_pnl: Fraction
    ref: str
    order_id: str


@dataclass(slots=True)
class _ForceOrder:
    """One ``forceOrders`` record: its ``orderId`` and the role it gives its fills."""

    order_id: str
    role: str


@dataclass(slots=True)
class _Reading:
    """What the files gave so far (the adapter reads every file before the fills are made,
    since the forced orders and the income's commissions may come in any file order)."""

    account: str
    imported: Imported
    trades: list[_Trade] = field(default_factory=list)
    force_orders: list[_ForceOrder] = field(default_factory=list)
    #: Forced-order files read (even when they hold no order: none was forced).
    force_files: int = 0
    #: The income history's COMMISSION amounts by the ``tradeId`` they were charged on.
    commission_by_trade: dict[str, Fraction] = field(default_factory=dict)
    #: The precision of the amounts read so far (None: none read).
    unit: Fraction | None = None
    wallet_rows: int = 0
    #: Wallet rows of a type the adapter does not know (counted, not booked).
    unknown_movements: int = 0
    #: The statements CSVs' ``User_ID`` values, in first-seen order.
    users: list[str] = field(default_factory=list)


# ---- small pure readers ---------------------------------------------------------------------


def _text(value: object, file: str, line: int, name: str) -> str:
    """A JSON value the docs give as a string or an id (``tranId`` is a number in the USDⓈ-M
    example, a string in the portfolio-margin one): its text; another type is a problem."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise ExportError(file, line, name, f"expected text or an id, found {value!r}")
    return str(value).strip()


def _optional_text(record: Mapping[str, object], name: str, file: str, line: int) -> str | None:
    """``record[name]`` as text, None when absent or empty (``symbol`` of a transfer,
    ``tradeId`` of a funding fee)."""
    value = record.get(name)
    if value is None or value == "":
        return None
    return _text(value, file, line, name)


def _flag(value: object, file: str, line: int, name: str) -> bool:
    """A JSON boolean (``maker``, ``buyer``)."""
    if not isinstance(value, bool):
        raise ExportError(file, line, name, f"expected true or false, found {value!r}")
    return value


def _positive(value: Fraction, file: str, line: int, name: str) -> Fraction:
    """``qty`` and ``price`` of a fill are > 0 (a fill record requires it)."""
    if value <= 0:
        raise ExportError(file, line, name, f"expected a number > 0, found {value}")
    return value


def _type_key(word: str) -> str:
    """A type word in the income history's spelling: capitals, every run of other characters
    one ``_`` ("Realized Profit and Loss" -> ``REALIZED_PROFIT_AND_LOSS``)."""
    return re.sub(r"[^A-Z0-9]+", "_", word.upper()).strip("_")


def _is_canceled(word: str) -> bool:
    """A row whose type says it was canceled (``"Withdrawal (Canceled)"``) moved nothing."""
    return "cancel" in word.casefold()


def _income_type(word: str) -> str:
    """The income type a Transaction History ``type`` stands for (the income type itself or
    its display name); an unknown word keeps its own spelling."""
    key = _type_key(word)
    return DISPLAY_TYPES.get(key, key)


def _income_entry(income_type: str) -> str | None:
    """What an income type books as: ``TRANSFER`` (a deposit or a withdrawal), a statement
    entry, or None (a type this module does not know)."""
    if income_type in TRANSFER_TYPES:
        return TRANSFER
    return INCOME_ENTRIES.get(income_type)


def _is_futures_account(name: str) -> bool:
    """Whether a statements CSV ``Account`` is the USDⓈ-M futures wallet."""
    folded = name.casefold().replace("ⓢ", "s").replace(" ", "").replace("-", "")
    return folded in FUTURES_ACCOUNTS


def _unit_with(unit: Fraction | None, amount: Fraction) -> Fraction:
    """The export's precision once ``amount`` is read: Binance's 10^-8 while every amount is a
    multiple of it (the docs' examples write 8 decimals), else the finest decimal unit the
    amounts need (``unit`` None: no amount read yet)."""
    unit = BINANCE_UNIT if unit is None else unit
    # amount is a multiple of 1/10^k exactly when its denominator divides 10^k (integers only)
    while unit.denominator % amount.denominator:
        unit /= 10
    return unit


def _movement(
    account: str,
    asset: str,
    amount: Fraction,
    entry: str | None,
    reason: str,
    market: str | None,
    ref: str | None,
    ts: str,
) -> Event | None:
    """The record of one wallet movement: a transfer (``entry`` None) as a deposit or a
    withdrawal by its sign (None when it is zero: nothing moved), else a statement."""
    if entry is not None:
        return StatementEvent(
            seq=0,
            ts=ts,
            account=account,
            asset=asset,
            amount=amount,
            entry=entry,
            reason=reason,
            market=market,
            ref=ref,
            rate=None,
            size=None,
        )
    if amount > 0:
        return DepositEvent(seq=0, ts=ts, account=account, asset=asset, amount=amount)
    if amount < 0:
        return WithdrawalEvent(seq=0, ts=ts, account=account, asset=asset, amount=-amount)
    return None


# ---- files --------------------------------------------------------------------------------


def _first_line(path: str) -> str:
    """The first line of a file (a CSV header), without a byte-order mark; '' when unreadable."""
    try:
        with open(path, encoding="utf-8-sig", errors="replace") as handle:
            return handle.readline().strip()
    except OSError:
        return ""


def _header_of(line: str) -> tuple[str, ...]:
    """A CSV header's names, casefolded (a byte-order mark, quotes and spaces dropped), so
    that "Type" and "type" are one column."""
    cells = line.lstrip("\ufeff").split(",")
    return tuple(cell.strip().strip('"').strip().casefold() for cell in cells)


_TRANSACTION_NAMES = _header_of(",".join(TRANSACTION_HEADER))
_STATEMENT_NAMES = _header_of(",".join(STATEMENT_HEADER))
#: Recent statements exports leave ``User_ID`` out: the account is then ``--account``.
_STATEMENT_NAMES_WITHOUT_USER = _STATEMENT_NAMES[1:]


def _canonical(row: Mapping[str, str], names: Sequence[str]) -> dict[str, str]:
    """A CSV row keyed by the header's names as this module spells them."""
    spelled = {name.casefold(): name for name in names}
    return {spelled.get(key.casefold(), key): value for key, value in row.items()}


def _looks_json(path: str) -> bool:
    """Whether a file opens as JSON (``[`` or ``{``), its byte-order mark and spaces aside."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(64)
    except OSError:
        return True  # read_json_records reports the file it cannot open
    return head.removeprefix(b"\xef\xbb\xbf").lstrip()[:1] in (b"[", b"{")


def _json_kind(keys: frozenset[str]) -> str | None:
    """Which JSON file a record is of, for detection: every key of the docs' response
    example for that file."""
    if keys & COIN_M_KEYS:
        return None
    if keys >= INCOME_KEYS:
        return "income"
    if keys >= TRADE_KEYS:
        return "trades"
    if keys >= FORCE_ORDER_KEYS:
        return "forceOrders"
    return None


def _record_kind(keys: frozenset[str]) -> str | None:
    """Which JSON file the first record of a file is of, when reading: the one key no other
    file has (``incomeType``, ``realizedPnl``, ``clientOrderId``), so that a first record
    with a field missing is reported by that field, not as a file of another format."""
    if keys & COIN_M_KEYS:
        return None
    if "incomeType" in keys:
        return "income"
    if "realizedPnl" in keys:
        return "trades"
    if "clientOrderId" in keys:
        return "forceOrders"
    return None


def _file_kind(path: str) -> str:
    """What a file is: ``json`` (its records say which), ``transactions`` or ``statements``
    (the CSV headers), or ``unknown``."""
    if _looks_json(path):
        return "json"
    header = _header_of(_first_line(path))
    if header == _TRANSACTION_NAMES:
        return "transactions"
    if header in (_STATEMENT_NAMES, _STATEMENT_NAMES_WITHOUT_USER):
        return "statements"
    return "unknown"


def _read_json_file(path: str, state: _Reading) -> int:
    """Read one JSON file of the income history, the trades or the forced orders; the kind is
    the first record's, and every record is read as that kind. Returns the records read."""
    file = os.fspath(path)
    kind: str | None = None
    count = 0
    for item in read_json_records(path, envelopes=(("data",), ("rows",))):
        if isinstance(item, ExportError):
            state.imported.problems.append(item)
            continue
        line, record = item
        if kind is None:
            kind = _record_kind(frozenset(record))
            if kind is None and {"code", "msg"} <= set(record):
                state.imported.problems.append(
                    ExportError(
                        file,
                        line,
                        "code",
                        f"an API error response: {record['code']} {record['msg']}",
                    )
                )
                continue
            if kind is None:
                state.imported.problems.append(
                    ExportError(
                        file,
                        line,
                        "record",
                        "not a Binance USDⓈ-M income, userTrades or forceOrders record "
                        f"(keys: {', '.join(sorted(record)) or 'none'})",
                    )
                )
                return count
        try:
            if kind == "income":
                _read_income(record, file, line, state)
            elif kind == "trades":
                state.trades.append(_read_trade(record, file, line))
            else:
                order = _read_force_order(record, file, line, state)
                if order is not None:
                    state.force_orders.append(order)
            count += 1
        except ExportError as error:
            state.imported.problems.append(error)
    if kind == "income" and count:
        state.wallet_rows += count
    if kind == "trades" and count:
        state.imported.covers.update({"fills", "realized_pnl", "commissions"})
    if kind == "forceOrders":
        state.force_files += 1
    return count


def _read_income(record: Mapping[str, object], file: str, line: int, state: _Reading) -> None:
    """One income history record (Get Income History): ``incomeType`` chooses the record,
    ``income`` is the signed amount (+ into the wallet), ``tranId`` the row's id."""
    word = _text(get_field(record, "incomeType", file, line), file, line, "incomeType")
    amount = parse_amount(get_field(record, "income", file, line), file, line, "income")
    asset = _text(get_field(record, "asset", file, line), file, line, "asset")
    ts = parse_time(get_field(record, "time", file, line), file, line, "time", unit="ms")
    market = _optional_text(record, "symbol", file, line)
    ref = _optional_text(record, "tranId", file, line)
    trade_id = _optional_text(record, "tradeId", file, line)
    if word == "COMMISSION" and trade_id is not None:
        key = f"{market}:{trade_id}"
        state.commission_by_trade[key] = state.commission_by_trade.get(key, Fraction(0)) + amount
    _book(state, file, line, word, _income_entry(word), amount, asset, market, ref, ts)


def _book(
    state: _Reading,
    file: str,
    line: int,
    word: str,
    entry: str | None,
    amount: Fraction,
    asset: str,
    market: str | None,
    ref: str | None,
    ts: str,
    account: str | None = None,
) -> None:
    """Draft one wallet row of type ``word`` (the export's own spelling, kept as the reason)
    booked as ``entry`` (:data:`TRANSFER` or a statement entry); a canceled row or one of an
    unknown type (``entry`` None) is counted under ``word``."""
    if entry is None or _is_canceled(word):
        state.imported.unmapped[word] += 1
        if entry is None and not _is_canceled(word):
            # a movement of a type this adapter does not know: the wallet is not complete
            state.unknown_movements += 1
        return
    statement_entry = None if entry == TRANSFER else entry
    event = _movement(
        account or state.account, asset, amount, statement_entry, word, market, ref, ts
    )
    if event is None:
        state.imported.unmapped[f"{word} (zero)"] += 1
        return
    state.unit = _unit_with(state.unit, amount)
    state.imported.drafts.append(Draft(file, line, event))


def _read_trade(record: Mapping[str, object], file: str, line: int) -> _Trade:
    """One ``userTrades`` record (Account Trade List): ``side`` BUY or SELL, ``maker`` the
    liquidity, ``realizedPnl`` the closed PnL before commission (the income history books it
    and the commission as two rows), ``commission`` in ``commissionAsset``."""

    def number(name: str) -> Fraction:
        return parse_amount(get_field(record, name, file, line), file, line, name)

    def text(name: str) -> str:
        return _text(get_field(record, name, file, line), file, line, name)

    side = text("side").upper()
    if side not in ("BUY", "SELL"):
        raise ExportError(file, line, "side", f"expected BUY or SELL, found {side!r}")
    maker = _flag(get_field(record, "maker", file, line), file, line, "maker")
    return _Trade(
        file=file,
        line=line,
        ts=parse_time(get_field(record, "time", file, line), file, line, "time", unit="ms"),
        market=text("symbol"),
        action=side.lower(),
        qty=_positive(number("qty"), file, line, "qty"),
        price=_positive(number("price"), file, line, "price"),
        commission=number("commission"),
        commission_asset=text("commissionAsset"),
        liquidity="maker" if maker else "taker",
        realized_pnl=number("realizedPnl"),
        ref=text("id"),
        order_id=text("orderId"),
    )


def _read_force_order(
    record: Mapping[str, object], file: str, line: int, state: _Reading
) -> _ForceOrder | None:
    """One ``forceOrders`` record (User's Force Orders): ``clientOrderId`` ``autoclose-...`` a
    liquidation, ``adl_autoclose`` an ADL; any other client id is counted by its own word."""
    client_id = _text(get_field(record, "clientOrderId", file, line), file, line, "clientOrderId")
    order_id = _text(get_field(record, "orderId", file, line), file, line, "orderId")
    if client_id.startswith(LIQUIDATION_PREFIX):
        return _ForceOrder(order_id, "liquidation")
    if client_id == ADL_CLIENT_ID:
        return _ForceOrder(order_id, "adl")
    state.imported.unmapped[f"forceOrder {client_id.split('-', 1)[0]}"] += 1
    return None


def _read_transaction_csv(path: str, state: _Reading) -> int:
    """The web Transaction History CSV: ``type`` an income type or its display name,
    ``Amount`` signed, ``Date(UTC)`` in UTC as the header says, ``Transaction ID`` the id."""
    count = 0
    for item in read_csv_rows(path):
        if isinstance(item, ExportError):
            state.imported.problems.append(item)
            continue
        line, row = item[0], _canonical(item[1], TRANSACTION_HEADER)
        file = os.fspath(path)
        try:
            word = str(get_field(row, "type", file, line))
            amount = parse_amount(
                get_field(row, "Amount", file, line), file, line, "Amount", grouped=True
            )
            asset = str(get_field(row, "Asset", file, line))
            ts = parse_time(get_field(row, "Date(UTC)", file, line), file, line, "Date(UTC)")
        except ExportError as error:
            state.imported.problems.append(error)
            continue
        market = row.get("Symbol") or None
        ref = row.get("Transaction ID") or None
        entry = _income_entry(_income_type(word))
        _book(state, file, line, word, entry, amount, asset, market, ref, ts)
        count += 1
    state.wallet_rows += count
    return count


def _operation_entry(operation: str) -> str | None:
    """What a statements ``Operation`` of the futures wallet books as: :data:`TRANSFER` (any
    "Transfer Between ...", ``transfer_in`` / ``transfer_out``), a statement entry, or None
    (an operation this module does not know)."""
    folded = operation.casefold().strip()
    if folded in OPERATION_TRANSFERS or folded.startswith("transfer between"):
        return TRANSFER
    return OPERATION_ENTRIES.get(folded)


def _read_statement_csv(path: str, state: _Reading) -> int:
    """The statements CSV: only the USDⓈ-M futures account's rows are this wallet (the other
    accounts' rows are counted as ``"Operation (Account)"``); ``User_ID`` is the account
    (an export without the column is ``--account``'s);
    ``UTC_Time`` is UTC as the header says; the CSV states no row id."""
    count = 0
    for item in read_csv_rows(path):
        if isinstance(item, ExportError):
            state.imported.problems.append(item)
            continue
        line, row = item[0], _canonical(item[1], STATEMENT_HEADER)
        file = os.fspath(path)
        try:
            user = state.account
            if "User_ID" in row:
                user = str(get_field(row, "User_ID", file, line))
                if user not in state.users:
                    state.users.append(user)
            wallet = str(get_field(row, "Account", file, line))
            operation = str(get_field(row, "Operation", file, line))
            if not _is_futures_account(wallet):
                state.imported.unmapped[f"{operation} ({wallet})"] += 1
                count += 1
                continue
            amount = parse_amount(
                get_field(row, "Change", file, line), file, line, "Change", grouped=True
            )
            asset = str(get_field(row, "Coin", file, line))
            ts = parse_time(get_field(row, "UTC_Time", file, line), file, line, "UTC_Time")
        except ExportError as error:
            state.imported.problems.append(error)
            continue
        entry = _operation_entry(operation)
        _book(state, file, line, operation, entry, amount, asset, None, None, ts, user)
        count += 1
    state.wallet_rows += count
    return count


# ---- the fills ----------------------------------------------------------------------------


def _fill_roles(state: _Reading) -> dict[str, str]:
    """The role each forced order gives the fills of its ``orderId``; a forced order with no
    fill among the given trades is counted (its fills are not in the export)."""
    traded = {trade.order_id for trade in state.trades}
    roles: dict[str, str] = {}
    for order in state.force_orders:
        if order.order_id in traded:
            roles[order.order_id] = order.role
        else:
            state.imported.unmapped[FORCE_ORDER_WITHOUT_TRADES] += 1
    return roles


def _commission_paid(trade: _Trade, state: _Reading) -> Fraction:
    """The fill's commission, + paid. The income history's COMMISSION rows of the trade are
    the wallet movement itself (- paid) and settle the sign when given; else the trade's
    ``commission`` is taken as the amount paid, as the trades list states it."""
    key = f"{trade.market}:{trade.ref}"
    if key in state.commission_by_trade:
        return -state.commission_by_trade[key]
    return trade.commission


def _draft_fills(state: _Reading, account: str) -> None:
    roles = _fill_roles(state)
    for trade in state.trades:
        state.unit = _unit_with(_unit_with(state.unit, trade.commission), trade.realized_pnl)
        event = FillEvent(
            seq=0,
            ts=trade.ts,
            account=account,
            market=trade.market,
            action=trade.action,
            qty=trade.qty,
            price=trade.price,
            role=roles.get(trade.order_id, "trade"),
            kind="linear",
            multiplier=Fraction(1),
            commission=_commission_paid(trade, state),
            commission_asset=trade.commission_asset,
            liquidity=trade.liquidity,
            start_position=None,
            realized_pnl=trade.realized_pnl,
            mark_price=None,
            ref=trade.ref,
        )
        state.imported.drafts.append(Draft(trade.file, trade.line, event))


def _draft_key(draft: Draft) -> tuple[str, str, str, str]:
    """An order of the drafts that does not depend on the files' order: the time, then the
    record's type, its reason and its id, so that a newest-first and an oldest-first export
    of one period give one ledger, rows of one instant included."""
    event = draft.event
    reason = getattr(event, "reason", "") or ""
    ref = getattr(event, "ref", "") or ""
    return (get_time_key(event.ts), event.TYPE, str(reason), str(ref).rjust(24, "0"))


# ---- the adapter --------------------------------------------------------------------------


class BinanceUmAdapter:
    """Binance USDⓈ-M futures: income history, userTrades, forceOrders and the two CSVs."""

    name = FORMAT
    summary = (
        "Binance USDⓈ-M futures: /fapi/v1/income, /fapi/v1/userTrades and "
        "/fapi/v1/forceOrders JSON, the Transaction History CSV and the statements CSV"
    )

    def detect(self, sniff: Sniff) -> bool:
        """A CSV of either header, or a JSON record with the keys of an income, a trade or a
        forced order of USDⓈ-M futures (a COIN-M record's ``baseQty`` / ``cumBase`` is not)."""
        header = _header_of(sniff.first_line)
        if header in (_TRANSACTION_NAMES, _STATEMENT_NAMES, _STATEMENT_NAMES_WITHOUT_USER):
            return True
        return _json_kind(sniff.keys) is not None

    def read(self, paths: Sequence[str], account: str) -> Imported:
        """Read every file: the statements CSVs first (a single ``User_ID`` they state names
        the view of every file), the fills last (once the forced orders are known)."""
        state = _Reading(account=account, imported=Imported(accounts=(account,)))
        kinds = {os.fspath(path): _file_kind(path) for path in paths}
        ordered = sorted(kinds, key=lambda file: kinds[file] != "statements")
        for file in ordered:
            if kinds[file] != "statements" and len(state.users) == 1:
                state.account = state.users[0]
            count = _read_file(file, kinds[file], state)
            if count == 0 and not any(p.file == file for p in state.imported.problems):
                if is_empty_response(file):
                    # no rows in the period: forceOrders of an account never liquidated
                    state.imported.unmapped[EMPTY_RESPONSE] += 1
                else:
                    state.imported.problems.append(
                        ExportError(file, 1, "file", "no rows of a Binance USDⓈ-M export")
                    )
        _draft_fills(state, state.account)
        if state.wallet_rows:
            state.imported.covers.add("funding")
            if not state.unknown_movements:
                state.imported.covers.add("wallet")
        if state.force_files and "fills" in state.imported.covers:
            # without the forced orders every fill reads as an ordinary trade
            state.imported.covers.add("roles")
        imported = state.imported
        imported.drafts.sort(key=_draft_key)
        imported.precision = state.unit
        accounts = {str(getattr(d.event, "account", state.account)) for d in imported.drafts}
        imported.accounts = tuple(sorted(accounts)) if accounts else (state.account,)
        return imported


def _read_file(file: str, kind: str, state: _Reading) -> int:
    """Read one file of its kind; returns the rows read (0: a problem is due)."""
    if kind == "json":
        return _read_json_file(file, state)
    if kind == "transactions":
        return _read_transaction_csv(file, state)
    if kind == "statements":
        return _read_statement_csv(file, state)
    state.imported.problems.append(
        ExportError(
            file,
            1,
            "header",
            "not a Binance USDⓈ-M CSV (expected the header "
            f"{','.join(TRANSACTION_HEADER)} or {','.join(STATEMENT_HEADER)})",
        )
    )
    return 0


ADAPTER = BinanceUmAdapter()
