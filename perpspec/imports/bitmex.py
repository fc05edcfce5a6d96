"""BitMEX: wallet history and executions into a partial ledger (docs/import/bitmex.md).

Two kinds of file, JSON (the REST API's responses) or CSV (the same field names as a header,
the API's ``_format=csv`` and the web export):

- the wallet history, ``GET /user/walletHistory``: one row per transaction (``transactID``,
  ``account``, ``currency``, ``transactType``, ``amount``, ``fee``, ``transactStatus``,
  ``address``, ``tx``, ``text``, ``transactTime``, ``walletBalance``, ``marginBalance``,
  ``timestamp``), newest first. Amounts are in the currency's smallest unit (``XBt``: satoshi,
  1e-8 XBT; ``USDt``: 1e-6 USDT). A Completed Deposit or Withdrawal is a deposit or withdrawal
  (the Withdrawal's ``amount`` is negative, its ``fee`` included: the withdrawal is its
  magnitude, and the fee no record of its own), a Transfer in or
  out a deposit or withdrawal by its sign, RealisedPNL (once a day per contract: price PnL,
  funding and fees together) a ``realized_pnl`` statement, and the stated ``walletBalance``
  a balance after the row. Pending and Canceled rows are no movement yet and UnrealisedPNL
  rows none at all: they are counted, unmapped.
- the executions, ``GET /execution/tradeHistory`` (or ``GET /execution``): an ``execType``
  Trade row is a fill (``side``, ``lastQty`` contracts at ``lastPx``, ``execComm`` in the
  settlement currency's smallest unit); a fill whose ``text`` says Liquidation closed the
  account's own position (role liquidation), one whose text says Deleverage was an ADL of
  it. Funding and Settlement rows move the wallet only through the day's RealisedPNL, which
  the wallet history states: they are counted, unmapped, so nothing is booked twice.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterator, Mapping, Sequence
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
    BalanceEvent,
    DepositEvent,
    Event,
    FillEvent,
    StatementEvent,
    WithdrawalEvent,
)

__all__ = ["ADAPTER", "BitmexAdapter"]

#: BitMEX's currency codes of smallest units (API docs, "XBt" and "USDt"): the asset they are
#: a unit of and how many make one of it.
UNITS: dict[str, tuple[str, int]] = {"XBt": ("XBT", 10**8), "USDt": ("USDT", 10**6)}

#: The keys every wallet history row has, and every execution row (User_getWalletHistory and
#: Execution_getTradeHistory in the API explorer): ``execID`` with its capital ``ID`` and
#: ``lastPx`` are BitMEX's own spelling, which other exchanges' executions do not share.
WALLET_KEYS = frozenset({"transactID", "transactType", "transactStatus", "transactTime"})
EXECUTION_KEYS = frozenset({"execID", "execType", "lastQty", "lastPx"})

#: Wallet history types that are movements of the futures wallet other than deposits,
#: withdrawals and transfers; each a ``statement`` under its entry.
STATEMENT_TYPES: dict[str, str] = {
    "RealisedPNL": "realized_pnl",
    "AffiliatePayout": "other",
    "SpotTrade": "other",
    "Conversion": "other",
}
#: Types that move the wallet in or out (a deposit or a withdrawal by the amount's sign).
TRANSFER_TYPES = frozenset({"Deposit", "Withdrawal", "Transfer"})
#: Types that are no movement at all: the open positions' unrealized PnL, and the summary's
#: total (``/user/walletSummary`` rows, should one be given).
NOT_MOVEMENTS = frozenset({"UnrealisedPNL", "Total"})


@dataclass(slots=True)
class _Reading:
    """What the files read so far say about coverage, beside the drafts themselves."""

    imported: Imported
    accounts: list[str] = field(default_factory=list)
    wallet_files: int = 0
    unknown_movements: int = 0
    execution_files: int = 0
    fills_without_commission: int = 0
    units: set[int] = field(default_factory=set)

    def add_account(self, account: str) -> None:
        if account not in self.accounts:
            self.accounts.append(account)


def _header_names(first_line: str) -> frozenset[str]:
    """The cells of a CSV header line, quotes and spaces dropped."""
    try:
        row = next(csv.reader([first_line]))
    except (csv.Error, StopIteration):
        return frozenset()
    return frozenset(cell.strip().lstrip("\ufeff") for cell in row)


def get_file_kind(keys: frozenset[str], *, missing: int = 0) -> str | None:
    """``wallet`` or ``executions`` for a record's (or header's) keys, None for neither;
    ``missing`` of the four identifying keys may be absent (a first row that lacks a field
    is a problem of that row, not a file of another format)."""
    if len(WALLET_KEYS - keys) <= missing:
        return "wallet"
    if len(EXECUTION_KEYS - keys) <= missing:
        return "executions"
    return None


def _is_json(path: str) -> bool:
    """Whether the file starts as JSON does (an array or an object), else it is read as CSV."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(4096)
    except OSError:
        return True  # read_json_records reports the file it cannot read
    text = head.decode("utf-8-sig", errors="replace").lstrip()
    return text[:1] in ("[", "{")


def _iter_rows(path: str) -> Iterator[tuple[int, Mapping[str, object]] | ExportError]:
    """The file's rows, JSON records or CSV rows alike."""
    if _is_json(path):
        yield from read_json_records(path)
    else:
        yield from read_csv_rows(path)


def convert_units(
    raw: object, currency: str, file: str, line: int, name: str, *, grouped: bool
) -> tuple[str, Fraction, int]:
    """An amount BitMEX states in a currency's smallest unit, in the asset's unit: ``XBt``
    satoshi / 10**8 is XBT, ``USDt`` / 10**6 is USDT (``(asset, amount, units per asset)``)."""
    if currency not in UNITS:
        known = ", ".join(UNITS)
        raise ExportError(file, line, "currency", f"unknown currency {currency!r} (known: {known})")
    asset, scale = UNITS[currency]
    return asset, parse_amount(raw, file, line, name, grouped=grouped) / scale, scale


def _text(record: Mapping[str, object], name: str, file: str, line: int) -> str:
    """A required text field (an id, a type word, a symbol), as written."""
    value = get_field(record, name, file, line)
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ExportError(file, line, name, f"expected text, found {value!r}")
    return str(value)


def _optional(record: Mapping[str, object], name: str) -> object | None:
    """A field that may be absent, null or empty (None for all three)."""
    value = record.get(name)
    return None if value in (None, "") else value


def get_account(record: Mapping[str, object], default: str, file: str, line: int) -> str:
    """The row's ``account`` (BitMEX's account number) as text, else ``default``."""
    value = _optional(record, "account")
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ExportError(file, line, "account", f"expected an account number, found {value!r}")
    return str(value)


def read_wallet_row(
    record: Mapping[str, object], file: str, line: int, default: str, reading: _Reading
) -> None:
    """One wallet history row: its movement (if Completed and a movement) and its stated
    ``walletBalance`` after it, or a count under its ``transactType`` (with its status when
    not Completed, e.g. ``Withdrawal (Canceled)``)."""
    imported = reading.imported
    grouped = isinstance(record.get("amount"), str)
    kind = _text(record, "transactType", file, line)
    if kind in NOT_MOVEMENTS:
        imported.unmapped[kind] += 1
        return
    status = _text(record, "transactStatus", file, line)
    if status != "Completed":
        # not (yet) a movement: its walletBalance is the one before it, asserted elsewhere
        imported.unmapped[f"{kind} ({status})"] += 1
        return
    ref = _text(record, "transactID", file, line)
    ts = parse_time(get_field(record, "transactTime", file, line), file, line, "transactTime")
    account = get_account(record, default, file, line)
    currency = _text(record, "currency", file, line)
    asset, amount, scale = convert_units(
        get_field(record, "amount", file, line), currency, file, line, "amount", grouped=grouped
    )
    balance_raw = _optional(record, "walletBalance")
    balance = None
    if balance_raw is not None:
        balance = convert_units(
            balance_raw, currency, file, line, "walletBalance", grouped=grouped
        )[1]
    events: list[Event] = []
    if kind in TRANSFER_TYPES:
        if amount > 0:
            events.append(DepositEvent(0, ts, account, asset, amount))
        elif amount < 0:
            events.append(WithdrawalEvent(0, ts, account, asset, -amount))
        else:
            raise ExportError(file, line, "amount", f"a {kind} of zero moves nothing")
    elif kind in STATEMENT_TYPES:
        market = _optional(record, "address")
        events.append(
            StatementEvent(
                0,
                ts,
                account,
                asset,
                amount,
                STATEMENT_TYPES[kind],
                kind,
                str(market) if kind == "RealisedPNL" and market is not None else None,
                ref,
                None,
                None,
            )
        )
    else:
        # a movement of a type not documented here: counted, and the wallet no longer covered
        imported.unmapped[kind] += 1
        reading.unknown_movements += 1
    if balance is not None:
        events.append(BalanceEvent(0, ts, account, asset, balance))
    reading.add_account(account)
    reading.units.add(scale)
    imported.drafts.extend(Draft(file, line, event) for event in events)


def get_role(record: Mapping[str, object]) -> str:
    """The fill's role from its ``text``: BitMEX writes "Liquidation" on the fills of a
    position the liquidation engine closed, and "Deleverage" on an auto-deleveraged one."""
    text = str(_optional(record, "text") or "")
    if "Liquidation" in text:
        return "liquidation"
    if "Deleverag" in text:
        return "adl"
    return "trade"


def get_liquidity(record: Mapping[str, object]) -> str | None:
    """``lastLiquidityInd``: AddedLiquidity is the maker's, RemovedLiquidity the taker's."""
    value = str(_optional(record, "lastLiquidityInd") or "")
    if value.startswith("Added"):
        return "maker"
    if value.startswith("Removed"):
        return "taker"
    return None


def get_contract(
    record: Mapping[str, object], qty: Fraction, file: str, line: int, grouped: bool
) -> tuple[str | None, Fraction | None]:
    """``(kind, multiplier)`` where the execution itself states them: a contract quoted in
    USD whose ``foreignNotional`` (the USD value of the fill) is ``lastQty`` is worth 1 USD
    a contract and settled in the coin (XBTUSD: inverse, multiplier 1). Else (None, None):
    no PnL is recomputed from a fill whose contract the export does not describe."""
    notional = _optional(record, "foreignNotional")
    if notional is None or _optional(record, "currency") != "USD":
        return None, None
    value = parse_amount(notional, file, line, "foreignNotional", grouped=grouped)
    if abs(value) == qty:
        return "inverse", Fraction(1)
    return None, None


def read_execution_row(
    record: Mapping[str, object], file: str, line: int, default: str, reading: _Reading
) -> None:
    """One execution: an ``execType`` Trade row is a fill; every other type is counted under
    its own word (Funding and Settlement are in the wallet history's RealisedPNL)."""
    imported = reading.imported
    kind = _text(record, "execType", file, line)
    if kind != "Trade":
        imported.unmapped[kind] += 1
        return
    grouped = isinstance(record.get("lastQty"), str)
    ref = _text(record, "execID", file, line)
    ts = parse_time(get_field(record, "transactTime", file, line), file, line, "transactTime")
    account = get_account(record, default, file, line)
    market = _text(record, "symbol", file, line)
    side = _text(record, "side", file, line)
    if side not in ("Buy", "Sell"):
        raise ExportError(file, line, "side", f"expected Buy or Sell, found {side!r}")
    qty = parse_amount(get_field(record, "lastQty", file, line), file, line, "lastQty")
    price = parse_amount(get_field(record, "lastPx", file, line), file, line, "lastPx")
    if qty <= 0:
        raise ExportError(file, line, "lastQty", f"expected a quantity > 0, found {qty}")
    if price <= 0:
        raise ExportError(file, line, "lastPx", f"expected a price > 0, found {price}")
    commission: Fraction | None = None
    commission_asset: str | None = None
    raw_comm = _optional(record, "execComm")
    if raw_comm is None:
        reading.fills_without_commission += 1
    else:
        currency = _text(record, "settlCurrency", file, line)
        commission_asset, commission, scale = convert_units(
            raw_comm, currency, file, line, "execComm", grouped=grouped
        )
        reading.units.add(scale)
    kind_name, multiplier = get_contract(record, qty, file, line, grouped)
    fill = FillEvent(
        0,
        ts,
        account,
        market,
        side.lower(),
        qty,
        price,
        get_role(record),
        kind_name,
        multiplier,
        commission,
        commission_asset,
        get_liquidity(record),
        None,
        None,
        None,
        ref,
    )
    reading.add_account(account)
    imported.drafts.append(Draft(file, line, fill))


def read_file(path: str, default: str, reading: _Reading) -> None:
    """Every row of one file, its kind (wallet history or executions) told by its first row's
    keys; a bad row is a problem and reading goes on."""
    file = os.fspath(path)
    imported = reading.imported
    kind: str | None = None
    rows = 0
    for item in _iter_rows(path):
        if isinstance(item, ExportError):
            imported.problems.append(item)
            continue
        line, record = item
        rows += 1
        if kind is None:
            kind = get_file_kind(frozenset(record), missing=1)
            if kind is None:
                imported.problems.append(
                    ExportError(
                        file,
                        line,
                        "format",
                        "not a BitMEX wallet history (transactID, transactType, "
                        "transactStatus, transactTime) or executions (execID, execType, "
                        "lastQty, lastPx) file",
                    )
                )
                return
            if kind == "wallet":
                reading.wallet_files += 1
            else:
                reading.execution_files += 1
        reader = read_wallet_row if kind == "wallet" else read_execution_row
        try:
            reader(record, file, line, default, reading)
        except ExportError as error:
            imported.problems.append(error)
    if rows == 0 and not any(problem.file == file for problem in imported.problems):
        if is_empty_response(file):
            imported.unmapped[EMPTY_RESPONSE] += 1
        else:
            imported.problems.append(ExportError(file, 1, "file", "no BitMEX rows in the file"))


def get_covers(reading: _Reading) -> set[str]:
    """What the files support: the wallet history lists every movement (``wallet``, unless a
    movement of an unknown type was left unmapped) and states running balances
    (``balances``); the executions list the fills with their roles (``fills``) and, when
    every fill states ``execComm``, their commissions (``commissions``)."""
    covers: set[str] = set()
    if reading.wallet_files and not reading.unknown_movements:
        covers.add("wallet")
    if any(isinstance(draft.event, BalanceEvent) for draft in reading.imported.drafts):
        covers.add("balances")
    if reading.execution_files:
        # an execution's text marks a liquidation or a deleverage
        covers |= {"fills", "roles"}
        if not reading.fills_without_commission:
            covers.add("commissions")
    return covers


class BitmexAdapter:
    """BitMEX exports (``--from bitmex``)."""

    name = "bitmex"
    summary = (
        "BitMEX: wallet history (GET /user/walletHistory, JSON or CSV) and executions "
        "(GET /execution/tradeHistory, JSON or CSV); amounts in XBt and USDt"
    )

    def detect(self, sniff: Sniff) -> bool:
        """A wallet history or executions file: its JSON keys or CSV header name BitMEX's
        own fields (:data:`WALLET_KEYS`, :data:`EXECUTION_KEYS`)."""
        return get_file_kind(sniff.keys or _header_names(sniff.first_line)) is not None

    def read(self, paths: Sequence[str], account: str) -> Imported:
        """Every given file of one account's export (wallet history and executions)."""
        reading = _Reading(Imported(accounts=()))
        for path in paths:
            read_file(path, account, reading)
        imported = reading.imported
        imported.accounts = tuple(reading.accounts) or (account,)
        imported.covers = get_covers(reading)
        # one precision for the whole export: the coarsest unit stated (USDt's 1e-6 when
        # USDT amounts are present, else XBt's 1e-8)
        imported.precision = Fraction(1, min(reading.units)) if reading.units else None
        return imported


ADAPTER = BitmexAdapter()
