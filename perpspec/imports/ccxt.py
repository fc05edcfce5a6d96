"""ccxt's unified structures, dumped to JSON, as a partial ledger (docs/import/ccxt.md).

A user who reads an exchange through ccxt saves what its unified methods return
(``json.dump(exchange.fetch_ledger(...))`` and so on): a JSON array of one structure per file,
or one JSON object whose keys ``ledger``, ``trades``, ``positions``, ``fundingHistory`` and
``liquidations`` each hold a list. Both are read; the structures are those of the ccxt Manual
and of ccxt's ``ts/src/base/types.ts``:

- ledger entries (``fetchLedger``): ``direction`` in|out with an absolute ``amount`` (the fee
  not included: it is "on top of the amount"), ``type``, ``currency``, ``before``, ``after``,
  ``status`` ok|pending|canceled, ``fee`` {cost, currency};
- trades (``fetchMyTrades``): ``symbol``, ``side``, ``amount`` (contracts on a contract
  market), ``price``, ``takerOrMaker``, ``fee`` {cost, currency, rate};
- positions (``fetchPositions``): ``side`` long|short, ``contracts``, ``contractSize``,
  ``entryPrice``, ``markPrice``, ``liquidationPrice``, ``marginMode``, ``collateral``;
- funding history (``fetchFundingHistory``): ``symbol``, ``code``, signed ``amount``;
- liquidations (``fetchMyLiquidations``): ``symbol``, ``contracts``, ``contractSize``,
  ``price``, ``side``: no link to the trades that closed the position, so not a record.

ccxt dumps numbers as Python floats, each the shortest text of its double: they are read as
written (exactly, never as a float) and the precision is None. ``info``, the exchange's own
payload, is not read (the exchange-specific adapters read those payloads).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import ParamSpec, TypeVar

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
    read_json_records,
)
from perpspec.reference.events import (
    BalanceEvent,
    DepositEvent,
    Event,
    FillEvent,
    PositionEvent,
    StatementEvent,
    WithdrawalEvent,
    get_time_key,
)

__all__ = ["ADAPTER", "CcxtAdapter"]

_P = ParamSpec("_P")
_R = TypeVar("_R")

#: The keys of a combined file, one list of one structure under each.
STRUCTURES: tuple[str, ...] = ("ledger", "trades", "positions", "fundingHistory", "liquidations")

#: The ledger ``type`` words ccxt documents (Manual, Ledger Entry Structure: trade, transaction,
#: fee, rebate, cashback, referral, transfer; its ledger test adds margin; its example
#: structure uses deposit) and three words that name one entry each (``commission``, which
#: exchange classes such as ccxt's defx write; ``funding``; ``liquidation``), with the
#: statement entry each is. transaction, transfer, deposit and withdrawal are deposits or
#: withdrawals by ``direction`` instead. Any other word is an exchange's own that ccxt passed
#: through: it is counted, not guessed at.
LEDGER_ENTRIES: dict[str, str] = {
    "trade": "trade",
    "fee": "commission",
    "commission": "commission",
    "funding": "funding",
    "liquidation": "liquidation",
    "rebate": "other",
    "cashback": "other",
    "referral": "other",
    "margin": "other",
}
TRANSFER_TYPES: frozenset[str] = frozenset({"transaction", "transfer", "deposit", "withdrawal"})

#: The entry of a ledger row's ``fee``: a trading fee on a trade (or fee) row, a liquidation's
#: fee on a liquidation row (STATEMENT_ENTRIES: its cash flow or its fee), else a movement no
#: check reads as a trading fee (a withdrawal's network fee, say).
FEE_ENTRIES: dict[str, str] = {
    "trade": "commission",
    "fee": "commission",
    "commission": "commission",
    "liquidation": "liquidation",
}

#: The unmapped count of a liquidation row: ccxt's liquidation states no trade or order id, so
#: it cannot set the role of the fill that closed the position, and a fill is never invented.
LIQUIDATION_UNMAPPED = "liquidation (no trade id to link)"

#: The unmapped count of a position whose ``timestamp`` and ``datetime`` are both null.
POSITION_UNTIMED = "position (no timestamp)"


@dataclass(frozen=True, slots=True)
class _Row:
    """One structure of a file: where it is (``prefix`` names its list in a combined file,
    ``"trades."``; empty in a file of one structure) and its keys."""

    file: str
    line: int
    prefix: str
    record: Mapping[str, object]


@dataclass(slots=True)
class _Rows:
    """The rows of the given files by structure, and the problems met reading them."""

    by_kind: dict[str, list[_Row]] = field(default_factory=lambda: {k: [] for k in STRUCTURES})
    problems: list[ExportError] = field(default_factory=list)
    #: Files that are lists of no structure (an account never liquidated has none).
    empty: int = 0


# ---- recognizing the structures -----------------------------------------------------------


def get_structure(keys: frozenset[str] | set[str]) -> str | None:
    """The ccxt structure a record's keys are of (the keys only its structure has), or None.

    ledger: ``referenceId`` or ``direction``; trades: ``takerOrMaker``, or ``order`` with
    ``side`` and ``price``; liquidations: ``baseValue`` or ``quoteValue``; positions:
    ``contracts`` with ``liquidationPrice``, ``entryPrice`` or ``marginMode``; funding history:
    ``code`` with ``symbol`` and ``amount``."""
    if "referenceId" in keys or "direction" in keys:
        return "ledger"
    if "takerOrMaker" in keys or {"order", "side", "price"} <= keys:
        return "trades"
    if "baseValue" in keys or "quoteValue" in keys:
        return "liquidations"
    if "contracts" in keys and keys & {"liquidationPrice", "entryPrice", "marginMode"}:
        return "positions"
    if {"code", "symbol", "amount"} <= keys:
        return "fundingHistory"
    return None


def is_ccxt_keys(keys: frozenset[str]) -> bool:
    """Whether the keys are a ccxt structure's as ccxt writes them: ``info`` (the raw payload)
    and ``datetime`` (the ISO text of ``timestamp``) beside the structure's own keys, or the
    keys of a combined file."""
    if keys and keys <= frozenset(STRUCTURES):
        return True
    if {"info", "datetime"} <= keys and get_structure(keys) is not None:
        return True
    return bool(keys & frozenset(STRUCTURES)) and get_structure(keys) is not None


def _is_combined(record: Mapping[str, object]) -> bool:
    return any(key in record for key in STRUCTURES)


def collect_rows(paths: Sequence[str]) -> _Rows:
    """Every structure of the files, sorted by kind: a file of one structure (its kind that
    of its first record) or a combined object (the kind its key names)."""
    rows = _Rows()
    for path in paths:
        file = os.fspath(path)
        records: list[tuple[int, dict[str, object]]] = []
        for item in read_json_records(path):
            if isinstance(item, ExportError):
                rows.problems.append(item)
            else:
                records.append(item)
        if not records:
            if not any(p.file == file for p in rows.problems):
                if is_empty_response(file):
                    rows.empty += 1
                else:
                    rows.problems.append(ExportError(file, 1, "file", "no ccxt records"))
            continue
        if len(records) == 1 and _is_combined(records[0][1]):
            _collect_combined(file, records[0][1], rows)
            continue
        kind = get_structure(set(records[0][1]))
        if kind is None:
            rows.problems.append(
                ExportError(
                    file,
                    records[0][0],
                    "record",
                    "not a ccxt ledger, trade, position, funding history or liquidation "
                    "structure (no key of its own)",
                )
            )
            continue
        rows.by_kind[kind].extend(_Row(file, line, "", record) for line, record in records)
    return rows


def _collect_combined(file: str, document: Mapping[str, object], rows: _Rows) -> None:
    """The lists of a combined file; one with no structure at all is a problem, as an
    empty file is."""
    found = 0
    for key in STRUCTURES:
        items = document.get(key)
        if items is None:
            continue
        if not isinstance(items, list):
            rows.problems.append(ExportError(file, 1, key, "expected a list of structures"))
            continue
        for index, item in enumerate(items, start=1):
            if not isinstance(item, dict):
                rows.problems.append(ExportError(file, index, f"{key}.record", "not an object"))
                continue
            rows.by_kind[key].append(_Row(file, index, f"{key}.", item))
            found += 1
    if not found:
        if is_empty_response(file):
            rows.empty += 1
        else:
            rows.problems.append(ExportError(file, 1, "file", "no ccxt records in any list"))
    unknown = sorted(set(document) - set(STRUCTURES))
    if unknown:
        rows.problems.append(
            ExportError(file, 1, unknown[0], f"not a key of a combined ccxt file {STRUCTURES}")
        )


# ---- reading values -----------------------------------------------------------------------


def _error(row: _Row, name: str, reason: str) -> ExportError:
    return ExportError(row.file, row.line, row.prefix + name, reason)


def _rename(row: _Row, error: ExportError) -> ExportError:
    """The error with the row's list named in its field (a combined file)."""
    if not row.prefix:
        return error
    return ExportError(error.file, error.line, row.prefix + error.field, error.reason)


def _is_stated(row: _Row, name: str) -> bool:
    """Whether the structure states ``name``: ccxt writes null (None) for what it does not know."""
    return row.record.get(name) not in (None, "")


def get_text(row: _Row, name: str) -> str:
    """A required text field (a missing or null one is a problem)."""
    try:
        value = get_field(row.record, name, row.file, row.line)
    except ExportError as error:
        raise _rename(row, error) from None
    if not isinstance(value, str):
        raise _error(row, name, f"expected text, found {value!r}")
    return value


def get_optional_text(row: _Row, name: str) -> str | None:
    """A text field or None when null; ids ccxt writes as numbers are taken as their text."""
    if not _is_stated(row, name):
        return None
    value = row.record[name]
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise _error(row, name, f"expected text, found {value!r}")


def get_number(row: _Row, name: str) -> Fraction:
    """A required number, exactly as the JSON writes it."""
    try:
        return parse_amount(
            get_field(row.record, name, row.file, row.line), row.file, row.line, name
        )
    except ExportError as error:
        raise _rename(row, error) from None


def get_optional_number(row: _Row, name: str) -> Fraction | None:
    """A number, or None when ccxt writes null."""
    return get_number(row, name) if _is_stated(row, name) else None


def get_positive_price(row: _Row, name: str) -> Fraction | None:
    """A stated price > 0, or None: ccxt passes on an exchange's 0 for "none" (a flat
    position's entry price, no liquidation price), and the ledger writes a price that would
    be <= 0 as null (DESIGN, Prices)."""
    value = get_optional_number(row, name)
    return value if value is not None and value > 0 else None


def get_row_time(row: _Row) -> str:
    """The row's time: ``timestamp`` (ccxt's epoch milliseconds, what ``datetime`` is written
    from), else ``datetime`` (ISO 8601 UTC). Both stated and naming different instants is a
    problem on ``datetime``: which one is right cannot be told."""
    stamp = row.record.get("timestamp")
    text = row.record.get("datetime")
    written = None if text in (None, "") else _parse_time(row, text, "datetime", unit="auto")
    if stamp is None:
        if written is None:
            raise _error(row, "timestamp", "missing (and no datetime)")
        return written
    when = _parse_time(row, stamp, "timestamp", unit="ms")
    if written is not None and get_time_key(written) != get_time_key(when):
        raise _error(row, "datetime", f"{text!r} is not the timestamp's time {when}")
    return when


def _parse_time(row: _Row, value: object, name: str, *, unit: str) -> str:
    try:
        return parse_time(value, row.file, row.line, name, unit=unit)
    except ExportError as error:
        raise _rename(row, error) from None


# ---- the structures -----------------------------------------------------------------------


def get_contract_kind(symbol: str) -> str | None:
    """The contract's kind from ccxt's unified symbol ``BASE/QUOTE:SETTLE`` (Manual, Contract
    naming conventions; an expiry may follow the settle asset as ``-YYMMDD``): linear when
    the settle asset is the quote, inverse when it is the base; None for a spot symbol or a
    quanto contract (settled in a third asset), whose PnL the fill's price does not give."""
    pair, colon, settle = symbol.partition(":")
    if not colon:
        return None
    base, slash, quote = pair.partition("/")
    settle = settle.split("-", 1)[0]
    if not slash:
        return None
    if settle == quote:
        return "linear"
    if settle == base:
        return "inverse"
    return None


def get_signed_amount(row: _Row) -> Fraction:
    """A ledger entry's movement, + credits the wallet: ccxt's ``amount`` is absolute and
    ``direction`` (in|out) its sign. An exchange class that leaves ``direction`` null while
    signing the amount is read by the sign it wrote; an unsigned amount with no direction is
    a problem (in or out cannot be told)."""
    amount = get_number(row, "amount")
    direction = get_optional_text(row, "direction")
    if direction is None:
        if amount < 0:
            return amount
        raise _error(row, "direction", "missing: in or out cannot be told from the amount")
    if direction not in ("in", "out"):
        raise _error(row, "direction", f"expected in or out, found {direction!r}")
    if amount < 0:
        raise _error(row, "amount", "negative: ccxt states it absolute, signed by direction")
    return amount if direction == "in" else -amount


def get_fee(row: _Row) -> tuple[Fraction, str | None] | None:
    """The ``fee`` {cost, currency} of a structure, or None when null or its cost is null."""
    fee = row.record.get("fee")
    if fee is None:
        return None
    if not isinstance(fee, dict):
        raise _error(row, "fee", f"expected an object, found {fee!r}")
    sub = _Row(row.file, row.line, f"{row.prefix}fee.", fee)
    cost = get_optional_number(sub, "cost")
    if cost is None:
        return None
    return cost, get_optional_text(sub, "currency")


@dataclass(slots=True)
class _Ledger:
    """What the ledger rows tell about the covers: a row of a type no entry is known for (a
    wallet movement left out), a mapped row with no ``after``, the ``account`` words seen."""

    unknown_type: bool = False
    missing_after: bool = False
    accounts: set[str] = field(default_factory=set)


def process_ledger_row(row: _Row, account: str, imported: Imported, seen: _Ledger) -> None:
    """One ledger entry: a statement (entry by ``type``), or a deposit or withdrawal for a
    transaction or transfer; a statement of its fee (on top of the amount, Manual; its entry
    by :data:`FEE_ENTRIES`); and a
    balance of ``after`` when stated. A pending or canceled entry is counted as
    ``"TYPE (status)"``; a type no entry is known for is counted by its word."""
    kind = get_text(row, "type")
    ts = get_row_time(row)
    status = get_optional_text(row, "status")
    if status not in (None, "ok"):
        imported.unmapped[f"{kind} ({status})"] += 1
        return
    if kind not in LEDGER_ENTRIES and kind not in TRANSFER_TYPES:
        get_signed_amount(row)
        imported.unmapped[kind] += 1
        seen.unknown_type = True
        return
    asset = get_text(row, "currency")
    amount = get_signed_amount(row)
    ref = get_optional_text(row, "id")
    fee = get_fee(row)
    after = get_optional_number(row, "after")
    stated_account = get_optional_text(row, "account")
    events: list[Event] = []
    if kind in TRANSFER_TYPES:
        if amount == 0:
            imported.unmapped[f"{kind} (zero amount)"] += 1
            return
        move = DepositEvent if amount > 0 else WithdrawalEvent
        events.append(move(seq=0, ts=ts, account=account, asset=asset, amount=abs(amount)))
    else:
        events.append(
            StatementEvent(
                seq=0,
                ts=ts,
                account=account,
                asset=asset,
                amount=amount,
                entry=LEDGER_ENTRIES[kind],
                reason=kind,
                market=None,
                ref=ref,
                rate=None,
                size=None,
            )
        )
    if fee is not None and fee[0] != 0:
        events.append(
            StatementEvent(
                seq=0,
                ts=ts,
                account=account,
                asset=fee[1] or asset,
                amount=-fee[0],
                entry=FEE_ENTRIES.get(kind, "other"),
                reason="fee",
                market=None,
                ref=ref,
                rate=None,
                size=None,
            )
        )
    if after is not None:
        events.append(BalanceEvent(seq=0, ts=ts, account=account, asset=asset, amount=after))
    else:
        seen.missing_after = True
    if stated_account is not None:
        seen.accounts.add(stated_account)
    imported.drafts.extend(Draft(row.file, row.line, event) for event in events)


def process_trade_row(
    row: _Row, account: str, multipliers: Mapping[str, Fraction], imported: Imported
) -> bool:
    """One of the account's trades as a fill (role trade: ccxt's trade does not say whether a
    liquidation closed it); ``amount`` is in contracts on a contract market (Manual), so the
    multiplier is the market's ``contractSize`` when a position or liquidation of the files
    states it, else None. Returns whether the trade states its commission."""
    symbol = get_text(row, "symbol")
    side = get_text(row, "side")
    if side not in ("buy", "sell"):
        raise _error(row, "side", f"expected buy or sell, found {side!r}")
    qty = get_number(row, "amount")
    if qty <= 0:
        raise _error(row, "amount", f"expected a quantity > 0, found {qty}")
    price = get_number(row, "price")
    if price <= 0:
        raise _error(row, "price", f"expected a price > 0, found {price}")
    liquidity = get_optional_text(row, "takerOrMaker")
    if liquidity not in (None, "maker", "taker"):
        raise _error(row, "takerOrMaker", f"expected maker or taker, found {liquidity!r}")
    fee = get_fee(row)
    fill = FillEvent(
        seq=0,
        ts=get_row_time(row),
        account=account,
        market=symbol,
        action=side,
        qty=qty,
        price=price,
        role="trade",
        kind=get_contract_kind(symbol),
        multiplier=multipliers.get(symbol),
        commission=fee[0] if fee else None,
        commission_asset=fee[1] if fee else None,
        liquidity=liquidity,
        start_position=None,
        realized_pnl=None,
        mark_price=None,
        ref=get_optional_text(row, "id"),
    )
    imported.drafts.append(Draft(row.file, row.line, fill))
    return fee is not None


def process_position_row(row: _Row, account: str, imported: Imported) -> bool:
    """A position snapshot: size = ``contracts`` x ``contractSize`` when both are stated
    (else ``contracts``, in contracts), + for ``side`` long; the isolated margin is ccxt's
    ``collateral`` (the collateral that can be lost, PnL included); one of no time is counted
    as :data:`POSITION_UNTIMED`. Returns whether it is a snapshot, open with its liquidation
    price stated or flat."""
    symbol = get_text(row, "symbol")
    contracts = get_number(row, "contracts")
    side = get_optional_text(row, "side")
    if side not in (None, "long", "short"):
        raise _error(row, "side", f"expected long or short, found {side!r}")
    if contracts < 0:
        # Older exchange classes signed a short's contracts (ccxt pull request 11100's example).
        if side == "long":
            raise _error(row, "contracts", "negative for a long position")
        side, contracts = "short", -contracts
    if side is None and contracts != 0:
        raise _error(row, "side", "missing for an open position: long or short")
    contract_size = get_optional_number(row, "contractSize")
    size = contracts * contract_size if contract_size is not None else contracts
    mode = get_margin_mode(row)
    collateral = get_optional_number(row, "collateral")
    liquidation_price = get_positive_price(row, "liquidationPrice")
    ts = get_position_time(row)
    if ts is None:
        # Several exchange classes leave a position's time null (ccxt writes null for what it
        # does not know): a snapshot of no time cannot be placed in the ledger, and is not a
        # bad value either, so it is counted and the positions are not claimed.
        imported.unmapped[POSITION_UNTIMED] += 1
        return False
    position = PositionEvent(
        seq=0,
        ts=ts,
        account=account,
        market=symbol,
        size=-size if side == "short" else size,
        entry_price=get_positive_price(row, "entryPrice"),
        mark_price=get_positive_price(row, "markPrice"),
        liquidation_price=liquidation_price,
        margin_mode=mode,
        margin=collateral if mode == "isolated" else None,
        equity=None,
        kind=get_contract_kind(symbol),
        maintenance_rate=get_optional_number(row, "maintenanceMarginPercentage"),
    )
    imported.drafts.append(Draft(row.file, row.line, position))
    return size == 0 or liquidation_price is not None


def get_position_time(row: _Row) -> str | None:
    """A position's time: ``lastUpdateTimestamp`` when stated (the position's last change;
    some exchange classes write the time the position was opened in ``timestamp``, ccxt pull
    request 21358), else its row time; None when ccxt states none."""
    last = row.record.get("lastUpdateTimestamp")
    if last is not None:
        return _parse_time(row, last, "lastUpdateTimestamp", unit="ms")
    if row.record.get("timestamp") is None and row.record.get("datetime") in (None, ""):
        return None
    return get_row_time(row)


def get_margin_mode(row: _Row) -> str | None:
    """A position's ``marginMode`` (isolated or cross), else the boolean ``isolated`` that
    older ccxt versions wrote in its place (Manual, Position Structure), else None."""
    mode = get_optional_text(row, "marginMode")
    if mode is None:
        isolated = row.record.get("isolated")
        if isinstance(isolated, bool):
            return "isolated" if isolated else "cross"
        return None
    if mode not in ("isolated", "cross"):
        raise _error(row, "marginMode", f"expected isolated or cross, found {mode!r}")
    return mode


def process_funding_row(row: _Row, account: str, imported: Imported) -> None:
    """A funding payment (``amount`` signed, + received) as a funding statement in ``code``;
    ccxt states neither the rate nor the position it was paid on."""
    statement = StatementEvent(
        seq=0,
        ts=get_row_time(row),
        account=account,
        asset=get_text(row, "code"),
        amount=get_number(row, "amount"),
        entry="funding",
        reason="fundingHistory",
        market=get_text(row, "symbol"),
        ref=get_optional_text(row, "id"),
        rate=None,
        size=None,
    )
    imported.drafts.append(Draft(row.file, row.line, statement))


def get_multipliers(rows: _Rows) -> dict[str, Fraction]:
    """Each market's ``contractSize`` as the positions and liquidations state it (a market's
    property, so it sizes the trades' contracts); two different sizes for one market are a
    problem and the market gets none."""
    found: dict[str, Fraction] = {}
    clashing: set[str] = set()
    for kind in ("positions", "liquidations"):
        for row in rows.by_kind[kind]:
            try:
                symbol = get_optional_text(row, "symbol")
                size = get_optional_number(row, "contractSize")
            except ExportError:
                continue  # reported when the row itself is read
            if symbol is None or size is None or size <= 0:
                continue
            if found.setdefault(symbol, size) != size and symbol not in clashing:
                clashing.add(symbol)
                rows.problems.append(
                    _error(
                        row, "contractSize", f"{size} differs from {found[symbol]} stated before"
                    )
                )
    return {symbol: size for symbol, size in found.items() if symbol not in clashing}


# ---- the adapter --------------------------------------------------------------------------


def read_ccxt(paths: Sequence[str], account: str) -> Imported:
    """Translate ccxt JSON dumps (module docstring) into the drafts of a partial ledger."""
    imported = Imported(accounts=(account,))
    rows = collect_rows(paths)
    if rows.empty:
        imported.unmapped[EMPTY_RESPONSE] += rows.empty
    multipliers = get_multipliers(rows)
    problems = rows.problems
    ledger = _Ledger()
    for row in rows.by_kind["ledger"]:
        _attempt(problems, process_ledger_row, row, account, imported, ledger)
    if rows.by_kind["ledger"] and not ledger.unknown_type and len(ledger.accounts) <= 1:
        imported.covers.add("wallet")
        if not ledger.missing_after:
            imported.covers.add("balances")
    commissions = [
        _attempt(problems, process_trade_row, row, account, multipliers, imported)
        for row in rows.by_kind["trades"]
    ]
    if commissions:
        imported.covers.add("fills")
        if all(commissions):
            imported.covers.add("commissions")
    liquidation_prices = [
        _attempt(problems, process_position_row, row, account, imported)
        for row in rows.by_kind["positions"]
    ]
    if liquidation_prices and all(liquidation_prices):
        imported.covers.add("positions")
    _process_funding(rows, account, imported)
    if rows.by_kind["liquidations"]:
        imported.unmapped[LIQUIDATION_UNMAPPED] += len(rows.by_kind["liquidations"])
    imported.problems.extend(problems)
    return imported


def _process_funding(rows: _Rows, account: str, imported: Imported) -> None:
    """The funding history as statements, unless a ledger is also given: the ledger lists the
    same payments (under a type such as ``fee``, ccxt's word for an exchange's funding fee
    on some exchanges) and a movement is booked once, so the rows are then counted."""
    funding = rows.by_kind["fundingHistory"]
    if rows.by_kind["ledger"]:
        if funding:
            imported.unmapped["fundingHistory (booked by the ledger)"] += len(funding)
        return
    done = [_attempt(rows.problems, process_funding_row, row, account, imported) for row in funding]
    if done and all(item is None for item in done):
        imported.covers.add("funding")


def _attempt(
    problems: list[ExportError], step: Callable[_P, _R], *args: _P.args, **kwargs: _P.kwargs
) -> _R | bool:
    """Run one row's step; a value it cannot read is a problem and reading goes on."""
    try:
        return step(*args, **kwargs)
    except ExportError as error:
        problems.append(error)
        return False


class CcxtAdapter:
    """ccxt's unified ledger, trades, positions, funding history and liquidations (JSON)."""

    name: str = "ccxt"
    summary: str = (
        "ccxt unified structures dumped to JSON: fetchLedger, fetchMyTrades, fetchPositions, "
        "fetchFundingHistory, fetchMyLiquidations (one per file, or one object of lists)"
    )

    def detect(self, sniff: Sniff) -> bool:
        """A ccxt structure's keys (``info`` and ``datetime`` beside its own) or a combined
        file's keys."""
        return is_ccxt_keys(sniff.keys)

    def read(self, paths: Sequence[str], account: str) -> Imported:
        """Translate the files (:func:`read_ccxt`)."""
        return read_ccxt(paths, account)


ADAPTER = CcxtAdapter()
