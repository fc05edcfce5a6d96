"""OKX account bills into a partial ledger (``perpspec import --from okx``; docs/import/okx.md).

A bill is OKX's record of one change of the trading account's balance in one currency
(OKX API v5, "Get bills details"): ``GET /api/v5/account/bills`` (7 days) and
``/bills-archive`` (3 months) answer ``{code, msg, data: [...]}`` newest first; the quarterly
archive of ``/bills-history-archive`` is a CSV whose columns are the same field names (its
"Field descriptions in the decompressed CSV file"), without the ``type`` column. Each bill
becomes:

- a transfer (subType 11 Transfer in, 12 Transfer out, ...): a ``deposit`` or ``withdrawal`` of
  ``|balChg|`` by the sign of ``balChg``;
- any other bill: a ``statement`` of ``balChg`` (entry by the bill's family: trade, liquidation,
  adl, funding, realized_pnl for a settlement, other for the rest), reason ``"type T subType
  S"`` (the export's own codes; ``"subType S"`` in the CSV), ref the ``billId``;
- a derivative (``instType`` SWAP or FUTURES) bill whose subType names a side (buy, sell,
  open or close long or short, their liquidation, ADL and delivery forms): also a ``fill``
  of ``sz`` contracts at ``px``, its commission ``-fee`` (OKX: a negative fee is charged) and
  its realized PnL ``pnl`` (OKX's profit and loss, the fee a separate field);
- and after every bill, a ``balance`` of ``bal`` (the account-level balance after the bill).

``balChg`` and ``bal`` are OKX's account level: an isolated position's margin is its own
``posBal``, so a bill that moves it (``mgnMode`` isolated, ``posBalChg`` not 0) is an ``other``
statement, its ``balChg`` mixing margin with PnL, fee or funding.

A bill of a type or subType OKX does not document is counted (``"type 99"``), never dropped.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
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
from perpspec.ledger.exact_json import ExactJSONError, loads_exact
from perpspec.reference.events import (
    BalanceEvent,
    DepositEvent,
    Event,
    FillEvent,
    StatementEvent,
    WithdrawalEvent,
    get_time_key,
)

__all__ = ["ADAPTER", "OkxAdapter"]

#: The keys every bill has (the response parameters of "Get bills details") that detection
#: asks for: billId and subType are OKX's own words, balChg and posBalChg its own spelling.
_BILL_KEYS = frozenset({"billId", "subType", "balChg", "posBalChg"})

#: A bill's own fields: a record or header with neither is not a bill at all (one problem
#: for the file); one with either is a bill, its missing fields problems of their own.
_BILL_MARKS = frozenset({"billId", "balChg"})

#: The fields every bill is read from (the others are optional or per subType).
_REQUIRED: tuple[str, ...] = ("billId", "subType", "ts", "ccy", "balChg", "bal")

#: The bill types OKX documents ("Get bills details", request parameter ``type``).
_TYPES: frozenset[str] = frozenset(
    {"1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15", "16"}
    | {"22", "24", "26", "27", "28", "29", "30", "32", "33", "34", "250", "251"}
)

# The families of subTypes, each named for what the ledger makes of it.
_TRANSFER = "transfer"
_TRADE = "trade"
_LIQUIDATION = "liquidation"
_ADL = "adl"
_FUNDING = "funding"
_DELIVERY = "delivery"
_SETTLEMENT = "settlement"
_OTHER = "other"

#: Each documented subType ("Get bills details", request parameter ``subType``), its family.
_SUBTYPES: dict[str, str] = {
    **dict.fromkeys(("11", "12", "200", "201", "202", "203", "284", "285", "286"), _TRANSFER),
    "287": _TRANSFER,
    **dict.fromkeys(("1", "2", "3", "4", "5", "6", "114", "115", "131", "132"), _TRADE),
    **dict.fromkeys(("204", "205", "206", "207", "208", "209"), _TRADE),
    **dict.fromkeys(("270", "271", "272", "273", "274", "275"), _TRADE),
    **dict.fromkeys(("324", "325", "326", "327", "328", "329"), _TRADE),
    **dict.fromkeys(("100", "101", "102", "103", "104", "105", "106", "107"), _LIQUIDATION),
    **dict.fromkeys(("110", "111"), _LIQUIDATION),
    **dict.fromkeys(("125", "126", "127", "128"), _ADL),
    **dict.fromkeys(("173", "174"), _FUNDING),
    **dict.fromkeys(("112", "113"), _DELIVERY),
    "355": _SETTLEMENT,
    **dict.fromkeys(("9", "14", "16", "17", "108", "117", "118", "119"), _OTHER),
    **dict.fromkeys(("160", "161", "162", "170", "171", "172", "210", "211"), _OTHER),
    **dict.fromkeys(("212", "213", "220", "221", "224", "225", "236", "237"), _OTHER),
    **dict.fromkeys(("250", "251", "252", "280", "281", "282", "283", "290"), _OTHER),
    **dict.fromkeys(("293", "294", "295", "296", "297", "298", "299", "306"), _OTHER),
    **dict.fromkeys(("307", "308", "309", "312", "318", "319", "320", "321"), _OTHER),
    **dict.fromkeys(("332", "333", "334", "372", "373", "374", "375", "376"), _OTHER),
    **dict.fromkeys(("377", "381"), _OTHER),
}

#: The statement entry of each family (transfers are deposits and withdrawals instead).
_ENTRIES: dict[str, str] = {
    _TRADE: "trade",
    _DELIVERY: "trade",
    _LIQUIDATION: "liquidation",
    _ADL: "adl",
    _FUNDING: "funding",
    _SETTLEMENT: "realized_pnl",
    _OTHER: "other",
}

#: The fill's role of each family with fills: a delivery closes the position at the delivery
#: price like a trade; a liquidation closes the account's own position; an ADL deleverages it.
_ROLES: dict[str, str] = {
    _TRADE: "trade",
    _DELIVERY: "trade",
    _LIQUIDATION: "liquidation",
    _ADL: "adl",
}

#: The side of each subType that names one: buy, open long, close short (and their block
#: trade, spread, move position, liquidation, ADL and delivery forms) buy; the others sell.
_ACTIONS: dict[str, str] = {
    **dict.fromkeys(("1", "3", "6", "114", "131", "204", "206", "209"), "buy"),
    **dict.fromkeys(("270", "272", "275", "324", "326", "329"), "buy"),
    **dict.fromkeys(("101", "102", "105", "106", "113", "126", "127"), "buy"),
    **dict.fromkeys(("2", "4", "5", "115", "132", "205", "207", "208"), "sell"),
    **dict.fromkeys(("271", "273", "274", "325", "327", "328"), "sell"),
    **dict.fromkeys(("100", "103", "104", "107", "112", "125", "128"), "sell"),
}

#: The subTypes whose ``px`` OKX documents as the fill's price ("Trade filled price",
#: "Liquidation Price", "Delivery price"): for these a missing ``px`` is a problem; for the
#: others (ADL, spread trading, move position, DDH) ``px`` is not promised, and without it the
#: fill is not drafted (no price is guessed) and ``fills`` is not covered.
_PX_STATED: frozenset[str] = frozenset(
    {"1", "2", "3", "4", "5", "6", "204", "205", "206", "207", "208", "209", "114", "115"}
    | {"100", "101", "102", "103", "104", "105", "106", "107", "112", "113"}
)

#: Instrument types whose ``sz`` is in contracts and whose bills are the account's fills of a
#: futures position (OKX: "For FUTURES/SWAP/OPTION, it is fill quantity ... the unit is
#: contract"); spot and margin bills state ``sz`` in the bill's currency, one bill per
#: currency of a fill, so they are statements only.
_DERIVATIVES = frozenset({"SWAP", "FUTURES"})

#: OKX's ``execType``: T taker, M maker.
_LIQUIDITY = {"T": "taker", "M": "maker"}


@dataclass(frozen=True, slots=True)
class _Bill:
    """One bill as read: where it is, its ``billId`` and time (the order key), its drafts."""

    file: str
    line: int
    bill_id: str
    ts: str
    events: tuple[Event, ...]
    fill: FillEvent | None
    fill_left_out: bool
    isolated_funding: bool


class OkxAdapter:
    """OKX account bills: the API's JSON and the bills archive CSV."""

    name = "okx"
    summary = (
        "OKX account bills: GET /api/v5/account/bills and /bills-archive JSON, "
        "the /bills-history-archive CSV"
    )

    def detect(self, sniff: Sniff) -> bool:
        """A bills JSON (its first record's keys) or a bills archive CSV (its header)."""
        if sniff.keys >= _BILL_KEYS:
            return True
        header = {cell.strip().strip('"') for cell in sniff.first_line.split(",")}
        return header >= _BILL_KEYS

    def read(self, paths: Sequence[str], account: str) -> Imported:
        """Every bill of every file, in time order (``billId`` ordering bills of one instant),
        a bill given twice (the 7-day and the 3-month endpoints overlap) booked once."""
        imported = Imported(accounts=(account,))
        bills: list[_Bill] = []
        for path in paths:
            bills.extend(_read_file(path, account, imported))
        seen: dict[str, _Bill] = {}
        kept: list[_Bill] = []
        for bill in bills:
            first = seen.get(bill.bill_id)
            if first is None:
                seen[bill.bill_id] = bill
                kept.append(bill)
            elif _same_bill(first, bill):
                imported.unmapped["duplicate billId"] += 1
            else:
                imported.problems.append(
                    ExportError(
                        bill.file,
                        bill.line,
                        "billId",
                        f"{bill.bill_id} given twice with different values "
                        f"(first at {first.file} line {first.line})",
                    )
                )
        kept.sort(key=lambda bill: (get_time_key(bill.ts), _bill_order(bill.bill_id)))
        for bill in kept:
            imported.drafts.extend(Draft(bill.file, bill.line, event) for event in bill.events)
        imported.covers = _get_covers(kept, imported)
        # OKX states amounts as decimal strings of varying length, no unit of account.
        imported.precision = None
        return imported


ADAPTER = OkxAdapter()


def _same_bill(first: _Bill, second: _Bill) -> bool:
    return first.ts == second.ts and first.events == second.events


def _bill_order(bill_id: str) -> int:
    """OKX orders bills by ``billId`` (the archive "is in reverse chronological order using
    billId"): the order of bills of one millisecond."""
    return int(bill_id) if bill_id.isdigit() else 0


def _get_covers(bills: Sequence[_Bill], imported: Imported) -> set[str]:
    """What the bills support: every balance change (``wallet``) unless a bill was left
    unmapped or unreadable; the running ``balances``; ``fills``, ``commissions`` and
    ``realized_pnl`` when every side-naming derivative bill gave its fill with its fee and PnL;
    ``funding`` (the funding bills) unless one was paid from an isolated position's margin
    (its account-level ``balChg`` is not the funding). Never ``start_positions`` or
    ``positions``: a bill states neither the position before it nor a position snapshot
    (``posBal`` is margin)."""
    if not bills:
        return set()
    covers = {"balances"}
    if not any(bill.isolated_funding for bill in bills):
        covers.add("funding")
    unmapped = sum(count for kind, count in imported.unmapped.items() if kind != "duplicate billId")
    if not unmapped and not imported.problems:
        covers.add("wallet")
    if not any(bill.fill_left_out for bill in bills):
        # the bill types name liquidations and ADL
        covers |= {"fills", "roles"}
        fills = [bill.fill for bill in bills if bill.fill is not None]
        if all(fill.realized_pnl is not None for fill in fills):
            covers.add("realized_pnl")
        if all(fill.commission is not None for fill in fills):
            covers.add("commissions")
    return covers


# ---- files --------------------------------------------------------------------------------


def _get_error_response(file: str) -> ExportError | None:
    """An OKX error response (``code`` other than "0"), quoting its ``msg``; else None."""
    try:
        document = loads_exact(open(file, "rb").read())  # noqa: SIM115
    except (OSError, ExactJSONError):
        return None
    if not isinstance(document, dict) or str(document.get("code", "0")) == "0":
        return None
    return ExportError(
        file, 1, "code", f"an API error response: {document['code']} {document.get('msg', '')}"
    )


def _read_file(path: str, account: str, imported: Imported) -> list[_Bill]:
    """The bills of one file, JSON (an API response or a plain array) or the archive CSV; a
    file with none is one problem naming it."""
    file = os.fspath(path)
    bills: list[_Bill] = []
    records = 0
    for item in _iter_records(file):
        if isinstance(item, ExportError):
            imported.problems.append(item)
            continue
        line, record, grouped = item
        records += 1
        try:
            bill = _read_bill(file, line, record, account, grouped, imported)
        except ExportError as error:
            imported.problems.append(error)
            continue
        if bill is not None:
            bills.append(bill)
    if not records and not any(problem.file == file for problem in imported.problems):
        refusal = _get_error_response(file)
        if refusal is not None:
            imported.problems.append(refusal)
        elif is_empty_response(file):
            imported.unmapped[EMPTY_RESPONSE] += 1
        else:
            imported.problems.append(ExportError(file, 1, "file", "no OKX bills in this file"))
    return bills


def _iter_records(
    file: str,
) -> Iterator[tuple[int, Mapping[str, object], bool] | ExportError]:
    """``(line, bill, grouped)`` of a JSON or CSV file; a JSON file that is an OKX error
    response (``code`` not ``"0"``), or a CSV or JSON without the bill fields, is one problem."""
    if _looks_like_json(file):
        first = True
        for item in read_json_records(file, envelopes=(("data",),)):
            if isinstance(item, ExportError):
                yield item
                continue
            line, record = item
            if "code" in record and "data" in record:
                yield ExportError(file, line, "code", _describe_error_response(record))
                return
            if first and not _BILL_MARKS & record.keys():
                yield _not_bills(file, line)
                return
            first = False
            yield line, record, False
        return
    first = True
    for row in read_csv_rows(file):
        if isinstance(row, ExportError):
            yield row
            continue
        line, cells = row
        if first:
            missing = _check_header(file, cells.keys())
            if missing:
                yield from missing
                return
        first = False
        yield line, cells, True


def _check_header(file: str, columns: Iterable[str]) -> list[ExportError]:
    """The problems of an archive CSV's header: not bills at all (neither ``billId`` nor
    ``balChg``: one problem), or bills without a column every bill needs (one a column)."""
    header = set(columns)
    if not _BILL_MARKS & header:
        return [_not_bills(file, 1)]
    return [
        ExportError(file, 1, name, f"the header has no {name} column")
        for name in _REQUIRED
        if name not in header
    ]


def _looks_like_json(file: str) -> bool:
    try:
        with open(file, "rb") as handle:
            head = handle.read(64).lstrip(b"\xef\xbb\xbf \t\r\n")
    except OSError:
        return True  # read_json_records reports the file it cannot open
    return head[:1] in (b"{", b"[")


def _describe_error_response(record: Mapping[str, object]) -> str:
    code = record.get("code")
    if code == "0":
        return "an OKX response whose data is not a list of bills"
    return f"an OKX error response (code {code!r}, msg {record.get('msg')!r}), not bills"


def _not_bills(file: str, line: int) -> ExportError:
    return ExportError(file, line, "header", "not OKX bills: no billId or balChg field")


# ---- one bill -----------------------------------------------------------------------------


def _text(record: Mapping[str, object], name: str, file: str, line: int) -> str:
    """A text field; a code or id written as a JSON integer (a re-saved export) is its
    digits, as OKX writes them in strings."""
    value = get_field(record, name, file, line)
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        raise ExportError(file, line, name, f"expected text, found {value!r}")
    return value.strip()


def _optional(record: Mapping[str, object], name: str) -> object | None:
    value = record.get(name)
    return None if value is None or (isinstance(value, str) and not value.strip()) else value


def _optional_text(record: Mapping[str, object], name: str) -> str | None:
    value = _optional(record, name)
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value.strip() if isinstance(value, str) else None


def _read_bill(
    file: str,
    line: int,
    record: Mapping[str, object],
    account: str,
    grouped: bool,
    imported: Imported,
) -> _Bill | None:
    """The drafts of one bill, or None when its type or subType is not OKX's (counted)."""
    bill_id = _text(record, "billId", file, line)
    sub_type = _text(record, "subType", file, line)
    bill_type = _optional_text(record, "type")
    ts = parse_time(get_field(record, "ts", file, line), file, line, "ts", unit="ms")
    asset = _text(record, "ccy", file, line)
    change = parse_amount(
        get_field(record, "balChg", file, line), file, line, "balChg", grouped=grouped
    )
    balance = parse_amount(get_field(record, "bal", file, line), file, line, "bal", grouped=grouped)
    word = f"subType {sub_type}" if bill_type is None else f"type {bill_type} subType {sub_type}"
    if bill_type is not None and bill_type not in _TYPES:
        imported.unmapped[f"type {bill_type}"] += 1
        return None
    family = _SUBTYPES.get(sub_type)
    if family is None:
        imported.unmapped[word] += 1
        return None
    market = _optional_text(record, "instId")
    isolated = _moves_isolated_margin(file, line, record, grouped)
    events: list[Event] = []
    fill: FillEvent | None = None
    fill_left_out = False
    if (
        family in _ROLES
        and sub_type in _ACTIONS
        and _optional_text(record, "instType") in _DERIVATIVES
    ):
        fill = _read_fill(
            file, line, record, account, ts, bill_id, family, sub_type, asset, grouped
        )
        fill_left_out = fill is None
    if fill is not None:
        events.append(fill)
    if family == _TRANSFER:
        events.append(_transfer(file, line, ts, account, asset, change, word))
    else:
        events.append(
            StatementEvent(
                seq=0,
                ts=ts,
                account=account,
                asset=asset,
                amount=change,
                entry=_OTHER if isolated else _ENTRIES[family],
                reason=word,
                market=market,
                ref=bill_id,
                rate=None,
                size=None,
            )
        )
    events.append(BalanceEvent(seq=0, ts=ts, account=account, asset=asset, amount=balance))
    return _Bill(
        file,
        line,
        bill_id,
        ts,
        tuple(events),
        fill=fill,
        fill_left_out=fill_left_out,
        isolated_funding=isolated and family == _FUNDING,
    )


def _moves_isolated_margin(
    file: str, line: int, record: Mapping[str, object], grouped: bool
) -> bool:
    """Whether the bill moved an isolated position's margin (``mgnMode`` isolated and a
    ``posBalChg``, OKX's "Change in balance amount at the position level", not zero). OKX's
    ``balChg`` and ``bal`` are the account level, outside the isolated margin: such a bill's
    ``balChg`` mixes margin moved into or out of the position with its PnL, fee or funding
    (an isolated position's funding is paid from its margin: ``balChg`` 0), so its statement
    is ``other``, the movement no check interprets, and the running balance still chains."""
    if _optional_text(record, "mgnMode") != "isolated":
        return False
    raw = _optional(record, "posBalChg")
    if raw is None:
        return False
    return parse_amount(raw, file, line, "posBalChg", grouped=grouped) != 0


def _transfer(
    file: str, line: int, ts: str, account: str, asset: str, change: Fraction, word: str
) -> Event:
    """A transfer bill: funds into the trading account (``balChg`` > 0) or out of it."""
    if change > 0:
        return DepositEvent(seq=0, ts=ts, account=account, asset=asset, amount=change)
    if change < 0:
        return WithdrawalEvent(seq=0, ts=ts, account=account, asset=asset, amount=-change)
    raise ExportError(file, line, "balChg", f"a transfer ({word}) of zero")


def _read_fill(
    file: str,
    line: int,
    record: Mapping[str, object],
    account: str,
    ts: str,
    bill_id: str,
    family: str,
    sub_type: str,
    asset: str,
    grouped: bool,
) -> FillEvent | None:
    """The fill a derivative bill states: ``sz`` contracts (OKX: "the unit is contract. The
    value is always positive") at ``px``, commission ``-fee`` in ``ccy`` (OKX: "Negative
    number represents the user transaction fee charged"), realized PnL ``pnl``; None when
    ``px`` is not stated for a subType whose price OKX does not promise."""
    raw_price = _optional(record, "px")
    if raw_price is None and sub_type not in _PX_STATED:
        return None
    price = parse_amount(get_field(record, "px", file, line), file, line, "px", grouped=grouped)
    if price <= 0:
        raise ExportError(file, line, "px", f"expected a price > 0, found {raw_price!r}")
    qty = parse_amount(get_field(record, "sz", file, line), file, line, "sz", grouped=grouped)
    if qty <= 0:
        raise ExportError(file, line, "sz", f"expected a quantity > 0, found {record.get('sz')!r}")
    raw_fee = _optional(record, "fee")
    fee = None if raw_fee is None else parse_amount(raw_fee, file, line, "fee", grouped=grouped)
    raw_pnl = _optional(record, "pnl")
    pnl = None if raw_pnl is None else parse_amount(raw_pnl, file, line, "pnl", grouped=grouped)
    market = _text(record, "instId", file, line)
    exec_type = _optional_text(record, "execType")
    return FillEvent(
        seq=0,
        ts=ts,
        account=account,
        market=market,
        action=_ACTIONS[sub_type],
        qty=qty,
        price=price,
        role=_ROLES[family],
        kind=None,
        multiplier=None,
        commission=None if fee is None else -fee,
        commission_asset=None if fee is None else asset,
        liquidity=_LIQUIDITY.get(exec_type or ""),
        start_position=None,
        realized_pnl=pnl,
        mark_price=None,
        ref=bill_id,
    )
