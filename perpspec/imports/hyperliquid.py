"""Hyperliquid's info API (``POST /info``) into a partial ledger (DESIGN, Partial ledgers).

The user passes the responses of one address, saved as JSON (an array, one response object, or
JSON Lines of either): ``userFills`` / ``userFillsByTime`` (fills), ``userFunding`` (funding
payments), ``userNonFundingLedgerUpdates`` (deposits, withdrawals, transfers, vault flows,
liquidations) and ``clearinghouseState`` snapshots (positions). Each record is recognized by
its own keys, so the files may be given in any order and mixed (docs/import/hyperliquid.md).

What the API states and how it is booked:

- a fill is a ``fill`` (linear, multiplier 1: Hyperliquid's ``sz`` is in the coin) and, since
  the fill is the only place the export states the wallet movements it causes, also the
  ``statement`` records of them: ``closedPnl`` (``realized_pnl``, gross of the fee) and
  ``fee`` (``commission``, in ``feeToken``), both with the fill's ``tid`` as ``ref``;
- a funding delta is a ``funding`` statement with its ``fundingRate`` and signed ``szi``;
- a ledger update that moves the perp wallet is a ``deposit`` or ``withdrawal``; the others
  are counted by their ``delta.type`` (never dropped);
- a snapshot's asset positions are ``position`` records; no ``balance`` is drafted from it,
  because ``accountValue`` includes the unrealized PnL and is not a wallet balance.

The user's address is not in ``userFills``: the account is the ``account`` argument. When it is
an address (``0x`` and 40 hex digits), transfers between users (``internalTransfer``,
``subAccountTransfer``) are booked in or out by comparing it with the delta's ``user`` and
``destination``; otherwise their direction is not stated and they are counted, not booked.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
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
    read_json_records,
)
from perpspec.reference.events import (
    DepositEvent,
    Event,
    FillEvent,
    PositionEvent,
    StatementEvent,
    WithdrawalEvent,
)

__all__ = ["ADAPTER", "HyperliquidAdapter"]

#: Hyperliquid's perp collateral: closedPnl, funding and the ledger's ``usdc`` amounts.
USDC = "USDC"
#: The decimals of a USDC amount (the token's unit, 10^-6).
USDC_PLACES = 6

#: Keys only a ``userFills`` fill has together (Hyperliquid docs, info endpoint, user fills).
_FILL_KEYS = frozenset({"closedPnl", "startPosition", "tid"})
#: Keys of a ``userFunding`` or ``userNonFundingLedgerUpdates`` row.
_DELTA_KEYS = frozenset({"delta", "hash", "time"})
#: Keys of a ``clearinghouseState`` response (perpetuals: user's perpetuals account summary).
_SNAPSHOT_KEYS = frozenset({"assetPositions", "marginSummary"})

_ADDRESS = re.compile(r"0x[0-9a-fA-F]{40}", re.ASCII)

#: Ledger update types whose movement is outside the perp wallet (the spot wallet, staking), or
#: that state no movement (``liquidation``: the account's liquidated positions; the fills carry
#: the liquidation). They are counted, and the perp wallet stays complete without them.
_OUTSIDE_PERP = frozenset(
    {"liquidation", "spotTransfer", "spotGenesis", "cStakingTransfer", "cDeposit", "cWithdrawal"}
)

_EVERY_KIND = "userFills, userFunding, userNonFundingLedgerUpdates or clearinghouseState"


@dataclass(frozen=True, slots=True)
class _Row:
    """What one export row gives: its records, or the type word it is counted under; whether it
    is a perp wallet movement left unbooked (``wallet_gap``); the decimal places of its
    amounts (for ``precision``)."""

    events: tuple[Event, ...] = ()
    unmapped: str | None = None
    wallet_gap: bool = False
    places: int = 0


@dataclass(slots=True)
class _Reading:
    """The state of one ``read``: the kinds of rows seen (``fill``, ``funding``, ``ledger``,
    ``snapshot``), whether a perp wallet movement was left unbooked, the most decimal places."""

    imported: Imported
    kinds: set[str] = field(default_factory=set)
    wallet_gap: bool = False
    places: int | None = None


# ---- values -------------------------------------------------------------------------------


class _Where:
    """The file and line of a row, and the path of the object being read in it (``delta.``)."""

    __slots__ = ("file", "line", "prefix")

    def __init__(self, file: str, line: int, prefix: str = "") -> None:
        self.file = file
        self.line = line
        self.prefix = prefix

    def inside(self, name: str) -> _Where:
        return _Where(self.file, self.line, f"{self.prefix}{name}.")

    def error(self, name: str, reason: str) -> ExportError:
        return ExportError(self.file, self.line, self.prefix + name, reason)


def _get(record: Mapping[str, object], name: str, where: _Where) -> object:
    """``record[name]``, or a problem naming the field by its path (``delta.usdc``)."""
    try:
        return get_field(record, name, where.file, where.line)
    except ExportError:
        raise where.error(name, "missing") from None


def _text(record: Mapping[str, object], name: str, where: _Where) -> str:
    value = _get(record, name, where)
    if not isinstance(value, str):
        raise where.error(name, f"expected a string, found {value!r}")
    return value


def _amount(record: Mapping[str, object], name: str, where: _Where) -> Fraction:
    """An exact number; Hyperliquid writes amounts, prices and sizes as decimal strings."""
    return parse_amount(_get(record, name, where), where.file, where.line, where.prefix + name)


def _positive(record: Mapping[str, object], name: str, where: _Where) -> Fraction:
    value = _amount(record, name, where)
    if value <= 0:
        raise where.error(name, f"expected a number > 0, found {record[name]!r}")
    return value


def _object(record: Mapping[str, object], name: str, where: _Where) -> dict[str, object]:
    value = _get(record, name, where)
    if not isinstance(value, dict):
        raise where.error(name, f"expected a JSON object, found {value!r}")
    return value


def _flag(record: Mapping[str, object], name: str, where: _Where) -> bool:
    value = _get(record, name, where)
    if not isinstance(value, bool):
        raise where.error(name, f"expected true or false, found {value!r}")
    return value


def _places(value: object) -> int:
    """The decimal places an amount is written with (``"0.009997"``: 6), for ``precision``:
    the smallest unit the export states amounts in. Called on values already parsed."""
    if isinstance(value, Decimal):
        exponent = value.as_tuple().exponent
    elif isinstance(value, str):
        try:
            exponent = Decimal(value.strip()).as_tuple().exponent
        except InvalidOperation:
            return 0
    else:
        return 0
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def _time(record: Mapping[str, object], where: _Where) -> str:
    """``time``: epoch milliseconds (every info response states times so)."""
    return parse_time(_get(record, "time", where), where.file, where.line, "time", unit="ms")


def _ref(record: Mapping[str, object]) -> str | None:
    """The row's ``hash``; None when absent or the zero hash (funding rows carry it, so it
    names no transaction)."""
    value = record.get("hash")
    if not isinstance(value, str) or not value.removeprefix("0x").strip("0"):
        return None
    return value


def _is_address(text: str) -> bool:
    return _ADDRESS.fullmatch(text) is not None


def _same_user(one: str, other: str) -> bool:
    """Addresses compare without case (checksummed or lower-case hex)."""
    return one.lower() == other.lower()


# ---- userFills ----------------------------------------------------------------------------


def _is_spot(coin: str) -> bool:
    """A spot fill: ``@107`` (a spot pair index) or ``PURR/USDC``; perp coins are bare names
    (``BTC``) or ``dex:COIN`` on a builder-deployed perp dex."""
    return coin.startswith("@") or "/" in coin


def _fill_role(direction: str, liquidation: dict[str, object] | None, account: str) -> str:
    """``dir`` "Liquidated Cross Long" (any "Liquidated ...") is the liquidation of the
    account's own position, unless the fill's ``liquidation.liquidatedUser`` names another
    address than the account's; "Auto-Deleveraging" is an ADL of the account's position
    against someone else's liquidation, unless ``liquidatedUser`` is the account itself (then
    the fill closes its own underwater position); a fill that carries a ``liquidation`` object
    for someone else (the account took over a liquidated position: its ``dir`` is "Open Short"
    and the like) is an ordinary trade."""
    user = None if liquidation is None else liquidation.get("liquidatedUser")
    named = isinstance(user, str) and _is_address(account)
    own = named and isinstance(user, str) and _same_user(user, account)
    if direction == "Auto-Deleveraging":
        return "liquidation" if own else "adl"
    if not direction.startswith("Liquidated"):
        return "trade"
    return "trade" if named and not own else "liquidation"


def _read_fill(record: Mapping[str, object], where: _Where, account: str) -> _Row:
    """One ``userFills`` fill: a ``fill`` and the statements of its ``closedPnl`` and ``fee``.

    ``side`` B is a buy, A a sell (ask); ``startPosition`` the signed position before the fill;
    ``crossed`` true when the fill took liquidity (taker); ``closedPnl`` the realized PnL gross
    of the fee (the fee is its own field; Hyperliquid's UI shows closedPnl less fee as the net
    PnL), so the ``realized_pnl`` is ``closedPnl`` as stated. A self-trade (this account on both
    sides, one ``tid``) is two fills, each booked. Spot fills move the spot wallet, not the
    perp account: counted by their ``dir`` ("Buy", "Sell")."""
    coin = _text(record, "coin", where)
    direction = _text(record, "dir", where)
    side = _text(record, "side", where)
    if side not in ("B", "A"):
        raise where.error("side", f"expected B (buy) or A (sell), found {side!r}")
    ts = _time(record, where)
    price = _positive(record, "px", where)
    qty = _positive(record, "sz", where)
    start = _amount(record, "startPosition", where)
    closed = _amount(record, "closedPnl", where)
    fee = _amount(record, "fee", where)
    # A perp's fee is charged in its collateral, USDC (docs, "Fees"); responses from before
    # the field existed carry no feeToken, and a spot fill (counted below) is not booked.
    fee_token = USDC if record.get("feeToken") in (None, "") else _text(record, "feeToken", where)
    tid = _get(record, "tid", where)
    if isinstance(tid, bool) or not isinstance(tid, int | str):
        raise where.error("tid", f"expected a trade id, found {tid!r}")
    liquidity: str | None = None
    if record.get("crossed") is not None:
        liquidity = "taker" if _flag(record, "crossed", where) else "maker"
    liquidation = record.get("liquidation")
    if liquidation is not None and not isinstance(liquidation, dict):
        raise where.error("liquidation", f"expected a JSON object, found {liquidation!r}")
    builder_fee = Fraction(0)
    if record.get("builderFee") not in (None, ""):
        builder_fee = _amount(record, "builderFee", where)
    if _is_spot(coin):
        return _Row(unmapped=direction)
    ref = str(tid)
    fill = FillEvent(
        seq=0,
        ts=ts,
        account=account,
        market=coin,
        action="buy" if side == "B" else "sell",
        qty=qty,
        price=price,
        role=_fill_role(direction, liquidation, account),
        kind="linear",
        multiplier=Fraction(1),
        commission=fee,
        commission_asset=fee_token,
        liquidity=liquidity,
        start_position=start,
        realized_pnl=closed,
        mark_price=_get_liquidation_mark(liquidation, where),
        ref=ref,
    )
    events: list[Event] = [fill]
    if closed != 0:
        events.append(
            StatementEvent(
                0, ts, account, USDC, closed, "realized_pnl", "closedPnl", coin, ref, None, None
            )
        )
    if fee != 0:
        events.append(
            StatementEvent(
                0, ts, account, fee_token, -fee, "commission", "fee", coin, ref, None, None
            )
        )
    places = max(_places(record["closedPnl"]), _places(record["fee"]))
    # Whether ``fee`` includes a builder's fee is not documented: booking it again could count
    # it twice, leaving it out could miss it. A backstop liquidation of the account hands its
    # margin to the liquidator vault (Hyperliquid docs, Liquidations: the maintenance margin is
    # not returned), an amount no response states. Either way the wallet is not complete.
    backstop = fill.role == "liquidation" and _method(liquidation) == "backstop"
    return _Row(tuple(events), wallet_gap=builder_fee != 0 or backstop, places=places)


def _get_liquidation_mark(liquidation: dict[str, object] | None, where: _Where) -> Fraction | None:
    """The mark a liquidation or ADL fill states (``liquidation.markPx``), else None."""
    if liquidation is None or liquidation.get("markPx") in (None, ""):
        return None
    mark = _amount(liquidation, "markPx", where.inside("liquidation"))
    if mark <= 0:
        raise where.error("liquidation.markPx", f"expected a price > 0, found {mark}")
    return mark


def _method(liquidation: dict[str, object] | None) -> object:
    """The fill's ``liquidation.method``: "market" (through the book) or "backstop"."""
    return None if liquidation is None else liquidation.get("method")


# ---- userFunding --------------------------------------------------------------------------


def _read_funding(record: Mapping[str, object], where: _Where, account: str) -> _Row:
    """One ``userFunding`` row: ``delta.usdc`` signed (+ received), paid on the signed position
    ``delta.szi`` at ``delta.fundingRate`` (``nSamples``, the samples averaged, is not kept)."""
    ts = _time(record, where)
    delta = _object(record, "delta", where)
    inner = where.inside("delta")
    coin = _text(delta, "coin", inner)
    usdc = _amount(delta, "usdc", inner)
    size = _amount(delta, "szi", inner)
    rate = _amount(delta, "fundingRate", inner)
    statement = StatementEvent(
        0, ts, account, USDC, usdc, "funding", "funding", coin, _ref(record), rate, size
    )
    return _Row((statement,), places=_places(delta["usdc"]))


# ---- userNonFundingLedgerUpdates ----------------------------------------------------------


def _transfer(
    incoming: bool, amount: Fraction, ts: str, account: str, word: str, places: int
) -> _Row:
    """A movement into (``deposit``) or out of (``withdrawal``) the perp wallet; a zero
    amount moves nothing and is counted under its type."""
    if amount == 0:
        return _Row(unmapped=word)
    event: Event = (
        DepositEvent(0, ts, account, USDC, amount)
        if incoming
        else WithdrawalEvent(0, ts, account, USDC, amount)
    )
    return _Row((event,), places=places)


def _between_users(
    delta: Mapping[str, object], where: _Where, ts: str, account: str, word: str
) -> _Row:
    """``internalTransfer`` / ``subAccountTransfer``: USDC from ``user`` to ``destination``
    (perp to perp); out when the account is ``user`` (with the ``fee`` debited on top), in when
    it is ``destination``. The account must be an address to tell which."""
    usdc = _positive(delta, "usdc", where)
    user = _text(delta, "user", where)
    destination = _text(delta, "destination", where)
    fee = _amount(delta, "fee", where) if delta.get("fee") not in (None, "") else Fraction(0)
    places = max(_places(delta["usdc"]), _places(delta.get("fee")))
    if not _is_address(account):
        return _Row(unmapped=word, wallet_gap=True)
    if _same_user(user, account):
        return _transfer(False, usdc + fee, ts, account, word, places)
    if _same_user(destination, account):
        return _transfer(True, usdc, ts, account, word, places)
    raise where.error("user", f"neither user nor destination is the account {account}")


def _read_ledger_update(record: Mapping[str, object], where: _Where, account: str) -> _Row:
    """One ``userNonFundingLedgerUpdates`` row, by its ``delta.type``.

    Into the perp wallet: ``deposit`` (bridged in), ``accountClassTransfer`` with ``toPerp``
    true (from spot), ``vaultWithdraw`` (``netWithdrawnUsd``, after the leader's commission and
    closing costs), ``vaultDistribution``. Out of it: ``withdraw`` (``usdc`` is what leaves the
    bridge; the ``fee`` is debited on top, so the withdrawal is ``usdc + fee``),
    ``accountClassTransfer`` to spot, ``vaultDeposit``. ``liquidation`` states the liquidated
    positions and account value, not a movement (the fills carry the liquidation); spot and
    staking types move other wallets. Every other type is counted, and since its effect on the
    perp wallet is not booked the wallet is not claimed complete."""
    ts = _time(record, where)
    delta = _object(record, "delta", where)
    inner = where.inside("delta")
    word = _text(delta, "type", inner)
    if word in ("deposit", "vaultDistribution"):
        usdc = _positive(delta, "usdc", inner)
        return _transfer(True, usdc, ts, account, word, _places(delta["usdc"]))
    if word == "vaultDeposit":
        usdc = _positive(delta, "usdc", inner)
        return _transfer(False, usdc, ts, account, word, _places(delta["usdc"]))
    if word == "withdraw":
        usdc = _positive(delta, "usdc", inner)
        fee = _amount(delta, "fee", inner) if delta.get("fee") not in (None, "") else Fraction(0)
        places = max(_places(delta["usdc"]), _places(delta.get("fee")))
        return _transfer(False, usdc + fee, ts, account, word, places)
    if word == "accountClassTransfer":
        usdc = _positive(delta, "usdc", inner)
        to_perp = _flag(delta, "toPerp", inner)
        return _transfer(to_perp, usdc, ts, account, word, _places(delta["usdc"]))
    if word == "vaultWithdraw":
        net = _amount(delta, "netWithdrawnUsd", inner)
        if net < 0:
            raise inner.error("netWithdrawnUsd", f"expected a number >= 0, found {net}")
        return _transfer(True, net, ts, account, word, _places(delta["netWithdrawnUsd"]))
    if word in ("internalTransfer", "subAccountTransfer"):
        return _between_users(delta, inner, ts, account, word)
    return _Row(unmapped=word, wallet_gap=word not in _OUTSIDE_PERP)


# ---- clearinghouseState -------------------------------------------------------------------


def _get_maintenance_rate(position: Mapping[str, object], where: _Where) -> Fraction | None:
    """Hyperliquid's maintenance margin rate: half the initial margin rate at the asset's
    ``maxLeverage`` (docs, "Margining": "the maintenance margin is half of the initial margin
    at max leverage"), so ``1 / (2 x maxLeverage)``. A position in a higher margin tier of a
    tiered asset has a lower max leverage than the asset's: the snapshot does not say which
    tier applies, so this is the first tier's rate. None when ``maxLeverage`` is not stated."""
    if position.get("maxLeverage") is None:
        return None
    leverage = _amount(position, "maxLeverage", where)
    if leverage <= 0:
        raise where.error("maxLeverage", f"expected a number > 0, found {leverage}")
    return 1 / (2 * leverage)


def _read_position(
    item: object, where: _Where, ts: str, account: str, equity: Fraction | None
) -> tuple[PositionEvent, int]:
    """One ``assetPositions`` entry: ``position.szi`` signed, ``entryPx``, the mark as
    ``positionValue / |szi|`` (the API states the value at the mark, not the mark), the
    ``liquidationPx`` (null when the position cannot be liquidated), ``leverage.type`` cross or
    isolated, the isolated margin ``marginUsed`` and, cross, the cross account value."""
    if not isinstance(item, dict):
        raise where.error("position", f"expected a JSON object, found {item!r}")
    position = _object(item, "position", where)
    inner = where.inside("position")
    coin = _text(position, "coin", inner)
    size = _amount(position, "szi", inner)
    entry = None
    if position.get("entryPx") is not None:
        entry = _amount(position, "entryPx", inner)
    value = _amount(position, "positionValue", inner)
    mark = value / abs(size) if size != 0 else None
    liquidation = None
    if position.get("liquidationPx") is not None:
        liquidation = _amount(position, "liquidationPx", inner)
    leverage = _object(position, "leverage", inner)
    mode = _text(leverage, "type", inner.inside("leverage"))
    if mode not in ("cross", "isolated"):
        raise inner.error("leverage.type", f"expected cross or isolated, found {mode!r}")
    margin_used = _amount(position, "marginUsed", inner)
    if mode == "cross" and equity is None:
        raise where.error("crossMarginSummary", "missing (a cross position needs its equity)")
    event = PositionEvent(
        seq=0,
        ts=ts,
        account=account,
        market=coin,
        size=size,
        entry_price=entry,
        mark_price=mark,
        liquidation_price=liquidation,
        margin_mode=mode,
        margin=margin_used if mode == "isolated" else None,
        equity=equity if mode == "cross" else None,
        kind="linear",
        maintenance_rate=_get_maintenance_rate(position, inner),
    )
    return event, _places(position["marginUsed"])


def _read_snapshot(
    record: Mapping[str, object], where: _Where, account: str
) -> tuple[_Row, list[ExportError]]:
    """One ``clearinghouseState`` response: a ``position`` per asset position (each bad one a
    problem of its own, the others kept). No ``balance``: ``marginSummary.accountValue``
    includes the unrealized PnL, and ``withdrawable`` is net of the margin in use; neither is
    the wallet balance a ``balance`` asserts. A snapshot without positions is counted."""
    ts = _time(record, where)
    items = _get(record, "assetPositions", where)
    if not isinstance(items, list):
        raise where.error("assetPositions", f"expected a list, found {items!r}")
    equity: Fraction | None = None
    places = 0
    summary = record.get("crossMarginSummary")
    if isinstance(summary, dict) and summary.get("accountValue") is not None:
        equity = _amount(summary, "accountValue", where.inside("crossMarginSummary"))
        places = _places(summary["accountValue"])
    events: list[Event] = []
    problems: list[ExportError] = []
    for index, item in enumerate(items):
        try:
            event, digits = _read_position(
                item, where.inside(f"assetPositions[{index}]"), ts, account, equity
            )
        except ExportError as error:
            problems.append(error)
            continue
        events.append(event)
        places = max(places, digits)
    if not events and not problems:
        return _Row(unmapped="clearinghouseState"), problems
    return _Row(tuple(events), places=places), problems


# ---- files --------------------------------------------------------------------------------


def _kind_of(record: Mapping[str, object]) -> str | None:
    """Which response a record is from, by its own keys."""
    if record.keys() >= _FILL_KEYS:
        return "fill"
    delta = record.get("delta")
    if isinstance(delta, dict) and "time" in record:
        return "funding" if delta.get("type") == "funding" else "ledger"
    if "assetPositions" in record:
        return "snapshot"
    return None


def _read_record(
    kind: str, record: Mapping[str, object], where: _Where, account: str
) -> tuple[_Row, list[ExportError]]:
    if kind == "snapshot":
        return _read_snapshot(record, where, account)
    if kind == "fill":
        return _read_fill(record, where, account), []
    if kind == "funding":
        return _read_funding(record, where, account), []
    return _read_ledger_update(record, where, account), []


def _read_file(path: str, state: _Reading, account: str) -> None:
    """Every record of one file; a file with no Hyperliquid record is one problem naming it
    (with the first line that is not JSON, when there is one: a truncated file)."""
    file = os.fspath(path)
    imported = state.imported
    known = 0
    unreadable: list[ExportError] = []
    strangers: list[ExportError] = []
    for item in read_json_records(path):
        if isinstance(item, ExportError):
            unreadable.append(item)
            continue
        line, record = item
        kind = _kind_of(record)
        if kind is None:
            strangers.append(
                ExportError(file, line, "record", f"not a Hyperliquid {_EVERY_KIND} record")
            )
            continue
        known += 1
        state.kinds.add(kind)
        where = _Where(file, line)
        try:
            row, problems = _read_record(kind, record, where, account)
        except ExportError as error:
            imported.problems.append(error)
            continue
        imported.problems.extend(problems)
        _book(row, where, state)
    if known:
        imported.problems.extend(unreadable + strangers)
        return
    if not unreadable and not strangers and is_empty_response(file):
        imported.unmapped[EMPTY_RESPONSE] += 1
        return
    imported.problems.extend(unreadable[:1])
    imported.problems.append(
        ExportError(file, 0, "file", f"no Hyperliquid {_EVERY_KIND} records in this file")
    )


def _book(row: _Row, where: _Where, state: _Reading) -> None:
    imported = state.imported
    for event in row.events:
        imported.drafts.append(Draft(where.file, where.line, event))
    if row.unmapped is not None:
        imported.unmapped[row.unmapped] += 1
    state.wallet_gap = state.wallet_gap or row.wallet_gap
    if row.events:
        state.places = max(state.places or 0, row.places)


def _covers(state: _Reading) -> set[str]:
    """What the files given support (base.COVERS): fills with their start positions, closed
    PnL and fees; funding; position snapshots. ``wallet`` only when fills, funding and the
    non-funding ledger were all given (each alone leaves the others' movements out) and no
    perp wallet movement was left unbooked. Never ``balances``: no response states a wallet
    balance."""
    covers: set[str] = set()
    if "fill" in state.kinds:
        # dir names a liquidation ("Liquidated ...") and an ADL ("Auto-Deleveraging")
        covers |= {"fills", "roles", "start_positions", "realized_pnl", "commissions"}
    if "funding" in state.kinds:
        covers.add("funding")
    if "snapshot" in state.kinds:
        covers.add("positions")
    if {"fill", "funding", "ledger"} <= state.kinds and not state.wallet_gap:
        covers.add("wallet")
    return covers


class HyperliquidAdapter:
    """The ``hyperliquid`` format: info API responses of one address."""

    name = "hyperliquid"
    summary = (
        "Hyperliquid info API (POST /info): userFills / userFillsByTime, userFunding, "
        "userNonFundingLedgerUpdates and clearinghouseState responses saved as JSON"
    )

    def detect(self, sniff: Sniff) -> bool:
        """A fill (``closedPnl``, ``startPosition``, ``tid``), a ledger row (``time``,
        ``hash``, ``delta``) or a ``clearinghouseState`` (``assetPositions``,
        ``marginSummary``)."""
        keys = sniff.keys
        return keys >= _FILL_KEYS or keys >= _DELTA_KEYS or keys >= _SNAPSHOT_KEYS

    def read(self, paths: Sequence[str], account: str) -> Imported:
        """Read every file given (module docstring); the account is ``account``, since no
        response states the user's address."""
        state = _Reading(Imported(accounts=(account,), unmapped=Counter()))
        for path in paths:
            _read_file(path, state, account)
        state.imported.covers = _covers(state)
        if state.places is not None:
            # USDC amounts are kept to 6 decimals (the token's own unit): a file whose amounts
            # happen to be short ("0.01") does not make the export coarser than that
            places = max(state.places, USDC_PLACES)
            state.imported.precision = Fraction(1, 10**places)
        return state.imported


ADAPTER = HyperliquidAdapter()
